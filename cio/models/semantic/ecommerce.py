"""The 28 ecommerce semantic events; their recommended properties use snake_case names.

Each event's recommended properties follow the matching schema of the OpenAPI document
(keys and values are sent as written; see ``docs/models.md``). Where
the document points an event at another event's schema, the schema titled with the
event's own name is used (see ``docs/openapi-quirks.md``).

Example
-------
>>> from cio.models.semantic import OrderCompleted
>>> order = OrderCompleted(
...     user_id="42",
...     properties={"order_id": "o-1", "total": 25.0, "products": [{"product_id": "p-1"}]},
... )
>>> order.to_payload()["properties"]
{'order_id': 'o-1', 'total': 25.0, 'products': [{'product_id': 'p-1'}]}
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from typing_extensions import TypedDict

from cio._constants import SEMANTIC_FAMILY_ECOMMERCE
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import RECOMMENDED, add_help

__all__ = [
    "CartProperties",
    "CartShared",
    "CartSharedProduct",
    "CartSharedProperties",
    "CartViewed",
    "CartViewedProperties",
    "CheckoutStarted",
    "CheckoutStartedProperties",
    "CheckoutStepCompleted",
    "CheckoutStepCompletedProperties",
    "CheckoutStepProperties",
    "CheckoutStepViewed",
    "CheckoutStepViewedProperties",
    "CouponApplied",
    "CouponAppliedProperties",
    "CouponDenied",
    "CouponDeniedProperties",
    "CouponEntered",
    "CouponEnteredProperties",
    "CouponProperties",
    "CouponRemoved",
    "CouponRemovedProperties",
    "ListItem",
    "OrderCancelled",
    "OrderCancelledProperties",
    "OrderCompleted",
    "OrderCompletedProperties",
    "OrderProperties",
    "OrderRefunded",
    "OrderRefundedProperties",
    "OrderUpdated",
    "OrderUpdatedProperties",
    "PaymentInfoEntered",
    "PaymentInfoEnteredProperties",
    "PaymentInfoProperties",
    "Product",
    "ProductAdded",
    "ProductAddedProperties",
    "ProductAddedToWishlist",
    "ProductAddedToWishlistProperties",
    "ProductCartProperties",
    "ProductClicked",
    "ProductClickedProperties",
    "ProductListFiltered",
    "ProductListFilteredProperties",
    "ProductListProperties",
    "ProductListViewed",
    "ProductListViewedProperties",
    "ProductRemoved",
    "ProductRemovedFromWishlist",
    "ProductRemovedFromWishlistProperties",
    "ProductRemovedProperties",
    "ProductReviewed",
    "ProductReviewedProperties",
    "ProductShared",
    "ProductSharedProperties",
    "ProductViewProperties",
    "ProductViewed",
    "ProductViewedProperties",
    "ProductsSearched",
    "ProductsSearchedProperties",
    "PromotionClicked",
    "PromotionClickedProperties",
    "PromotionProperties",
    "PromotionViewed",
    "PromotionViewedProperties",
    "WishlistProductAddedToCart",
    "WishlistProductAddedToCartProperties",
    "WishlistProductCartProperties",
    "WishlistProductProperties",
]


class Product(TypedDict, total=False):
    """One product, as ecommerce events describe it (alone or in a ``products`` list)."""

    product_id: str
    """The product id."""
    sku: str
    """The product's stock keeping unit."""
    category: str
    """The product's category."""
    name: str
    """The product's name."""
    brand: str
    """The product's brand."""
    variant: str
    """The product variant, when there is one."""
    price: float
    """The product's price."""
    quantity: int
    """How many of the product."""
    coupon: str
    """A coupon code tied to the product."""
    position: float
    """The product's position in a list."""
    url: str
    """The product page URL."""
    image_url: str
    """The product image URL."""


class ListItem(TypedDict, total=False):
    """A filter or sort applied to a product list."""

    type: str
    """The filter or sort type."""
    value: str
    """The filter value, or the sort direction (for example ``ascending``)."""


class _Ecommerce(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_ECOMMERCE


class ProductsSearchedProperties(TypedDict, total=False):
    """What a person searched for."""

    query: str
    """The search query."""


@register_semantic_event
class ProductsSearched(_Ecommerce):
    """A person searched for products."""

    event: Literal["Products Searched"] = "Products Searched"
    """Always ``Products Searched``."""
    properties: Annotated[ProductsSearchedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The search."""


class ProductListProperties(TypedDict, total=False):
    """A list of products a person saw."""

    list_id: str
    """The product list's id."""
    category: str
    """The list's category."""
    products: list[Product]
    """The products shown in the list."""


class ProductListViewedProperties(ProductListProperties, total=False):
    """Recommended properties of ``Product List Viewed``."""


@register_semantic_event
class ProductListViewed(_Ecommerce):
    """A person viewed a product list (schema ``product_list_viewed``)."""

    event: Literal["Product List Viewed"] = "Product List Viewed"
    """Always ``Product List Viewed``."""
    properties: Annotated[ProductListViewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The list and its products."""


class ProductListFilteredProperties(ProductListProperties, total=False):
    """A product list with the filters and sorts a person applied."""

    filters: list[ListItem]
    """The filters applied, one object per filter."""
    sorts: list[ListItem]
    """The sorts applied, one object per sort."""


@register_semantic_event
class ProductListFiltered(_Ecommerce):
    """A person filtered or sorted a product list."""

    event: Literal["Product List Filtered"] = "Product List Filtered"
    """Always ``Product List Filtered``."""
    properties: Annotated[ProductListFilteredProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The list, its products, filters and sorts."""


class ProductViewProperties(Product, total=False):
    """A product a person clicked or viewed, with the value at stake."""

    currency: str
    """Currency of ``price`` and ``value``."""
    value: float
    """The monetary value of the event."""


class ProductClickedProperties(ProductViewProperties, total=False):
    """Recommended properties of ``Product Clicked``."""


@register_semantic_event
class ProductClicked(_Ecommerce):
    """A person clicked a product."""

    event: Literal["Product Clicked"] = "Product Clicked"
    """Always ``Product Clicked``."""
    properties: Annotated[ProductClickedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product clicked."""


class ProductViewedProperties(ProductViewProperties, total=False):
    """Recommended properties of ``Product Viewed``."""


@register_semantic_event
class ProductViewed(_Ecommerce):
    """A person viewed a product (schema ``product_viewed``)."""

    event: Literal["Product Viewed"] = "Product Viewed"
    """Always ``Product Viewed``."""
    properties: Annotated[ProductViewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product viewed."""


class ProductCartProperties(Product, total=False):
    """A product going into or out of a cart."""

    cart_id: str
    """The cart's id."""


class ProductAddedProperties(ProductCartProperties, total=False):
    """Recommended properties of ``Product Added``."""


@register_semantic_event
class ProductAdded(_Ecommerce):
    """A person added a product to their cart."""

    event: Literal["Product Added"] = "Product Added"
    """Always ``Product Added``."""
    properties: Annotated[ProductAddedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product and the cart."""


class ProductRemovedProperties(ProductCartProperties, total=False):
    """Recommended properties of ``Product Removed``."""


@register_semantic_event
class ProductRemoved(_Ecommerce):
    """A person removed a product from their cart."""

    event: Literal["Product Removed"] = "Product Removed"
    """Always ``Product Removed``."""
    properties: Annotated[ProductRemovedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product and the cart."""


class CartProperties(TypedDict, total=False):
    """A cart and its products."""

    cart_id: str
    """The cart's id."""
    products: list[Product]
    """The products in the cart."""


class CartViewedProperties(CartProperties, total=False):
    """Recommended properties of ``Cart Viewed``."""


@register_semantic_event
class CartViewed(_Ecommerce):
    """A person viewed their cart."""

    event: Literal["Cart Viewed"] = "Cart Viewed"
    """Always ``Cart Viewed``."""
    properties: Annotated[CartViewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The cart."""


class OrderProperties(TypedDict, total=False):
    """The money side of a checkout or order."""

    order_id: str
    """The order (or cart) id."""
    affiliation: str
    """The store or affiliation the transaction came from."""
    revenue: float
    """Revenue without discounts, coupons, shipping and tax."""
    shipping: float
    """Shipping cost."""
    tax: float
    """Tax."""
    discount: float
    """Total discount."""
    coupon: str
    """Coupon code used."""
    currency: str
    """Currency of the amounts."""
    products: list[Product]
    """The products, one object each."""


class CheckoutStartedProperties(OrderProperties, total=False):
    """A checkout that has started."""

    value: float
    """Expected revenue after discounts and coupons."""


@register_semantic_event
class CheckoutStarted(_Ecommerce):
    """A person started checking out."""

    event: Literal["Checkout Started"] = "Checkout Started"
    """Always ``Checkout Started``."""
    properties: Annotated[CheckoutStartedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The order being checked out."""


class CheckoutStepProperties(TypedDict, total=False):
    """One step of a checkout."""

    checkout_id: str
    """The checkout's id."""
    step: int
    """The step number."""
    shipping_method: str
    """Shipping method chosen."""
    payment_method: str
    """Payment method chosen."""


class CheckoutStepViewedProperties(CheckoutStepProperties, total=False):
    """Recommended properties of ``Checkout Step Viewed``."""


@register_semantic_event
class CheckoutStepViewed(_Ecommerce):
    """A person viewed a checkout step."""

    event: Literal["Checkout Step Viewed"] = "Checkout Step Viewed"
    """Always ``Checkout Step Viewed``."""
    properties: Annotated[CheckoutStepViewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The step."""


class CheckoutStepCompletedProperties(CheckoutStepProperties, total=False):
    """Recommended properties of ``Checkout Step Completed``."""


@register_semantic_event
class CheckoutStepCompleted(_Ecommerce):
    """A person completed a checkout step."""

    event: Literal["Checkout Step Completed"] = "Checkout Step Completed"
    """Always ``Checkout Step Completed``."""
    properties: Annotated[CheckoutStepCompletedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The step."""


class PaymentInfoProperties(CheckoutStepProperties, total=False):
    """Payment details entered during a checkout (schema titled "Payment Info Updated")."""

    order_id: str
    """The order's id."""


class PaymentInfoEnteredProperties(PaymentInfoProperties, total=False):
    """Recommended properties of ``Payment Info Entered``."""


@register_semantic_event
class PaymentInfoEntered(_Ecommerce):
    """A person entered payment information."""

    event: Literal["Payment Info Entered"] = "Payment Info Entered"
    """Always ``Payment Info Entered``."""
    properties: Annotated[PaymentInfoEnteredProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The checkout step and order."""


class OrderCompletedProperties(OrderProperties, total=False):
    """A completed order."""

    checkout_id: str
    """The checkout's id."""
    subtotal: float
    """Total after discounts, before tax and shipping."""
    total: float
    """The order total."""


@register_semantic_event
class OrderCompleted(_Ecommerce):
    """A person completed an order."""

    event: Literal["Order Completed"] = "Order Completed"
    """Always ``Order Completed``."""
    properties: Annotated[OrderCompletedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The order."""


class OrderUpdatedProperties(OrderProperties, total=False):
    """Recommended properties of ``Order Updated``."""


@register_semantic_event
class OrderUpdated(_Ecommerce):
    """A person updated an order."""

    event: Literal["Order Updated"] = "Order Updated"
    """Always ``Order Updated``."""
    properties: Annotated[OrderUpdatedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The order."""


class OrderRefundedProperties(OrderCompletedProperties, total=False):
    """A refunded order; ``total`` is the amount refunded."""


@register_semantic_event
class OrderRefunded(_Ecommerce):
    """You refunded an order."""

    event: Literal["Order Refunded"] = "Order Refunded"
    """Always ``Order Refunded``."""
    properties: Annotated[OrderRefundedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The order and the refund."""


class OrderCancelledProperties(OrderProperties, total=False):
    """A cancelled order."""

    total: float
    """The order total."""


@register_semantic_event
class OrderCancelled(_Ecommerce):
    """A person cancelled an order."""

    event: Literal["Order Cancelled"] = "Order Cancelled"
    """Always ``Order Cancelled``."""
    properties: Annotated[OrderCancelledProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The order."""


class PromotionProperties(TypedDict, total=False):
    """A promotion shown to a person."""

    promotion_id: str
    """The promotion's id."""
    creative: str
    """The creative content id of the promotion."""
    name: str
    """The promotion's name."""
    position: str
    """Where the promotion was shown (a string in the document, for example ``top``)."""


class PromotionViewedProperties(PromotionProperties, total=False):
    """Recommended properties of ``Promotion Viewed``."""


@register_semantic_event
class PromotionViewed(_Ecommerce):
    """A person viewed a promotion."""

    event: Literal["Promotion Viewed"] = "Promotion Viewed"
    """Always ``Promotion Viewed``."""
    properties: Annotated[PromotionViewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The promotion."""


class PromotionClickedProperties(PromotionProperties, total=False):
    """Recommended properties of ``Promotion Clicked``."""


@register_semantic_event
class PromotionClicked(_Ecommerce):
    """A person clicked a promotion."""

    event: Literal["Promotion Clicked"] = "Promotion Clicked"
    """Always ``Promotion Clicked``."""
    properties: Annotated[PromotionClickedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The promotion."""


class CouponEnteredProperties(TypedDict, total=False):
    """A coupon a person entered."""

    order_id: str
    """The order the coupon is for, if any."""
    cart_id: str
    """The cart the coupon is for, if any."""
    coupon_id: str
    """The coupon's id."""


class CouponProperties(CouponEnteredProperties, total=False):
    """A coupon applied to or removed from an order."""

    coupon_name: str
    """The coupon's name."""
    discount: float
    """The amount the coupon takes off."""


class CouponDeniedProperties(CouponEnteredProperties, total=False):
    """A coupon that was refused."""

    coupon_name: str
    """The coupon's name."""
    reason: str
    """Why the coupon was refused."""


@register_semantic_event
class CouponEntered(_Ecommerce):
    """A person entered a coupon."""

    event: Literal["Coupon Entered"] = "Coupon Entered"
    """Always ``Coupon Entered``."""
    properties: Annotated[CouponEnteredProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The coupon."""


class CouponAppliedProperties(CouponProperties, total=False):
    """Recommended properties of ``Coupon Applied``."""


@register_semantic_event
class CouponApplied(_Ecommerce):
    """A coupon was applied to an order."""

    event: Literal["Coupon Applied"] = "Coupon Applied"
    """Always ``Coupon Applied``."""
    properties: Annotated[CouponAppliedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The coupon."""


@register_semantic_event
class CouponDenied(_Ecommerce):
    """A coupon was refused (invalid, expired, ...)."""

    event: Literal["Coupon Denied"] = "Coupon Denied"
    """Always ``Coupon Denied``."""
    properties: Annotated[CouponDeniedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The coupon and the reason."""


class CouponRemovedProperties(CouponProperties, total=False):
    """Recommended properties of ``Coupon Removed``."""


@register_semantic_event
class CouponRemoved(_Ecommerce):
    """A person removed a coupon."""

    event: Literal["Coupon Removed"] = "Coupon Removed"
    """Always ``Coupon Removed``."""
    properties: Annotated[CouponRemovedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The coupon."""


class WishlistProductProperties(Product, total=False):
    """A product on a wishlist."""

    wishlist_id: str
    """The wishlist's id."""
    wishlist_name: str
    """The wishlist's name."""


class WishlistProductCartProperties(WishlistProductProperties, total=False):
    """A wishlist product moved to a cart."""

    cart_id: str
    """The cart the product went into."""


class ProductAddedToWishlistProperties(WishlistProductProperties, total=False):
    """Recommended properties of ``Product Added to Wishlist``."""


@register_semantic_event
class ProductAddedToWishlist(_Ecommerce):
    """A person added a product to a wishlist."""

    event: Literal["Product Added to Wishlist"] = "Product Added to Wishlist"
    """Always ``Product Added to Wishlist``."""
    properties: Annotated[ProductAddedToWishlistProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product and the wishlist."""


class ProductRemovedFromWishlistProperties(WishlistProductProperties, total=False):
    """Recommended properties of ``Product Removed from Wishlist``."""


@register_semantic_event
class ProductRemovedFromWishlist(_Ecommerce):
    """A person removed a product from a wishlist."""

    event: Literal["Product Removed from Wishlist"] = "Product Removed from Wishlist"
    """Always ``Product Removed from Wishlist``."""
    properties: Annotated[ProductRemovedFromWishlistProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product and the wishlist."""


class WishlistProductAddedToCartProperties(WishlistProductCartProperties, total=False):
    """Recommended properties of ``Wishlist Product Added to Cart``."""


@register_semantic_event
class WishlistProductAddedToCart(_Ecommerce):
    """A person moved a product from a wishlist to their cart."""

    event: Literal["Wishlist Product Added to Cart"] = "Wishlist Product Added to Cart"
    """Always ``Wishlist Product Added to Cart``."""
    properties: Annotated[WishlistProductAddedToCartProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product, the wishlist and the cart."""


class ProductSharedProperties(Product, total=False):
    """A product a person shared."""

    share_via: str
    """The channel it was shared through."""
    share_message: str
    """The message sent with it."""
    recipient: str
    """Who it was shared with."""


@register_semantic_event
class ProductShared(_Ecommerce):
    """A person shared a product."""

    event: Literal["Product Shared"] = "Product Shared"
    """Always ``Product Shared``."""
    properties: Annotated[ProductSharedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The product and the share."""


class CartSharedProduct(TypedDict, total=False):
    """A product in a shared cart: only its id is documented."""

    product_id: str
    """The product id."""


class CartSharedProperties(TypedDict, total=False):
    """A cart a person shared."""

    share_via: str
    """The channel it was shared through."""
    share_message: str
    """The message sent with it."""
    recipient: str
    """Who it was shared with."""
    cart_id: str
    """The cart's id."""
    products: list[CartSharedProduct]
    """The products in the cart, by id."""


@register_semantic_event
class CartShared(_Ecommerce):
    """A person shared their cart."""

    event: Literal["Cart Shared"] = "Cart Shared"
    """Always ``Cart Shared``."""
    properties: Annotated[CartSharedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The cart and the share."""


class ProductReviewedProperties(TypedDict, total=False):
    """A review of a product."""

    product_id: str
    """The product reviewed."""
    review_id: str
    """The review's id."""
    review_body: str
    """The text of the review."""
    rating: int
    """The rating given."""


@register_semantic_event
class ProductReviewed(_Ecommerce):
    """A person reviewed a product."""

    event: Literal["Product Reviewed"] = "Product Reviewed"
    """Always ``Product Reviewed``."""
    properties: Annotated[ProductReviewedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The review."""


add_help(globals())
