"""The 28 ecommerce semantic events; properties use snake_case wire names.

Each event's ``properties`` follow the matching schema of the OpenAPI document. Where
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
{'order_id': 'o-1', 'products': [{'product_id': 'p-1'}], 'total': 25.0}
"""

from __future__ import annotations

from typing import ClassVar, Literal

from cio._constants import SEMANTIC_FAMILY_ECOMMERCE
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic._base import SnakeCaseProperties

__all__ = [
    "CartProperties",
    "CartShared",
    "CartSharedProduct",
    "CartSharedProperties",
    "CartViewed",
    "CheckoutStarted",
    "CheckoutStartedProperties",
    "CheckoutStepCompleted",
    "CheckoutStepProperties",
    "CheckoutStepViewed",
    "CouponApplied",
    "CouponDenied",
    "CouponDeniedProperties",
    "CouponEntered",
    "CouponEnteredProperties",
    "CouponProperties",
    "CouponRemoved",
    "ListItem",
    "OrderCancelled",
    "OrderCancelledProperties",
    "OrderCompleted",
    "OrderCompletedProperties",
    "OrderProperties",
    "OrderRefunded",
    "OrderRefundedProperties",
    "OrderUpdated",
    "PaymentInfoEntered",
    "PaymentInfoProperties",
    "Product",
    "ProductAdded",
    "ProductAddedToWishlist",
    "ProductCartProperties",
    "ProductClicked",
    "ProductListFiltered",
    "ProductListFilteredProperties",
    "ProductListProperties",
    "ProductListViewed",
    "ProductRemoved",
    "ProductRemovedFromWishlist",
    "ProductReviewed",
    "ProductReviewedProperties",
    "ProductShared",
    "ProductSharedProperties",
    "ProductViewProperties",
    "ProductViewed",
    "ProductsSearched",
    "ProductsSearchedProperties",
    "PromotionClicked",
    "PromotionProperties",
    "PromotionViewed",
    "WishlistProductAddedToCart",
    "WishlistProductCartProperties",
    "WishlistProductProperties",
]


class Product(SnakeCaseProperties):
    """One product, as ecommerce events describe it (alone or in a ``products`` list)."""

    product_id: str | None = None
    """The product id."""
    sku: str | None = None
    """The product's stock keeping unit."""
    category: str | None = None
    """The product's category."""
    name: str | None = None
    """The product's name."""
    brand: str | None = None
    """The product's brand."""
    variant: str | None = None
    """The product variant, when there is one."""
    price: float | None = None
    """The product's price."""
    quantity: int | None = None
    """How many of the product."""
    coupon: str | None = None
    """A coupon code tied to the product."""
    position: float | None = None
    """The product's position in a list."""
    url: str | None = None
    """The product page URL."""
    image_url: str | None = None
    """The product image URL."""


class ListItem(SnakeCaseProperties):
    """A filter or sort applied to a product list."""

    type: str | None = None
    """The filter or sort type."""
    value: str | None = None
    """The filter value, or the sort direction (for example ``ascending``)."""


class _Ecommerce(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_ECOMMERCE


class ProductsSearchedProperties(SnakeCaseProperties):
    """What a person searched for."""

    query: str | None = None
    """The search query."""


@register_semantic_event
class ProductsSearched(_Ecommerce):
    """A person searched for products."""

    event: Literal["Products Searched"] = "Products Searched"
    """Always ``Products Searched``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductsSearchedProperties | None = None  # type: ignore[assignment]
    """The search."""


class ProductListProperties(SnakeCaseProperties):
    """A list of products a person saw."""

    list_id: str | None = None
    """The product list's id."""
    category: str | None = None
    """The list's category."""
    products: list[Product] | None = None
    """The products shown in the list."""


@register_semantic_event
class ProductListViewed(_Ecommerce):
    """A person viewed a product list (schema ``product_list_viewed``)."""

    event: Literal["Product List Viewed"] = "Product List Viewed"
    """Always ``Product List Viewed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductListProperties | None = None  # type: ignore[assignment]
    """The list and its products."""


class ProductListFilteredProperties(ProductListProperties):
    """A product list with the filters and sorts a person applied."""

    filters: list[ListItem] | None = None
    """The filters applied, one object per filter."""
    sorts: list[ListItem] | None = None
    """The sorts applied, one object per sort."""


@register_semantic_event
class ProductListFiltered(_Ecommerce):
    """A person filtered or sorted a product list."""

    event: Literal["Product List Filtered"] = "Product List Filtered"
    """Always ``Product List Filtered``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductListFilteredProperties | None = None  # type: ignore[assignment]
    """The list, its products, filters and sorts."""


class ProductViewProperties(Product):
    """A product a person clicked or viewed, with the value at stake."""

    currency: str | None = None
    """Currency of ``price`` and ``value``."""
    value: float | None = None
    """The monetary value of the event."""


@register_semantic_event
class ProductClicked(_Ecommerce):
    """A person clicked a product."""

    event: Literal["Product Clicked"] = "Product Clicked"
    """Always ``Product Clicked``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductViewProperties | None = None  # type: ignore[assignment]
    """The product clicked."""


@register_semantic_event
class ProductViewed(_Ecommerce):
    """A person viewed a product (schema ``product_viewed``)."""

    event: Literal["Product Viewed"] = "Product Viewed"
    """Always ``Product Viewed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductViewProperties | None = None  # type: ignore[assignment]
    """The product viewed."""


class ProductCartProperties(Product):
    """A product going into or out of a cart."""

    cart_id: str | None = None
    """The cart's id."""


@register_semantic_event
class ProductAdded(_Ecommerce):
    """A person added a product to their cart."""

    event: Literal["Product Added"] = "Product Added"
    """Always ``Product Added``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductCartProperties | None = None  # type: ignore[assignment]
    """The product and the cart."""


@register_semantic_event
class ProductRemoved(_Ecommerce):
    """A person removed a product from their cart."""

    event: Literal["Product Removed"] = "Product Removed"
    """Always ``Product Removed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductCartProperties | None = None  # type: ignore[assignment]
    """The product and the cart."""


class CartProperties(SnakeCaseProperties):
    """A cart and its products."""

    cart_id: str | None = None
    """The cart's id."""
    products: list[Product] | None = None
    """The products in the cart."""


@register_semantic_event
class CartViewed(_Ecommerce):
    """A person viewed their cart."""

    event: Literal["Cart Viewed"] = "Cart Viewed"
    """Always ``Cart Viewed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CartProperties | None = None  # type: ignore[assignment]
    """The cart."""


class OrderProperties(SnakeCaseProperties):
    """The money side of a checkout or order."""

    order_id: str | None = None
    """The order (or cart) id."""
    affiliation: str | None = None
    """The store or affiliation the transaction came from."""
    revenue: float | None = None
    """Revenue without discounts, coupons, shipping and tax."""
    shipping: float | None = None
    """Shipping cost."""
    tax: float | None = None
    """Tax."""
    discount: float | None = None
    """Total discount."""
    coupon: str | None = None
    """Coupon code used."""
    currency: str | None = None
    """Currency of the amounts."""
    products: list[Product] | None = None
    """The products, one object each."""


class CheckoutStartedProperties(OrderProperties):
    """A checkout that has started."""

    value: float | None = None
    """Expected revenue after discounts and coupons."""


@register_semantic_event
class CheckoutStarted(_Ecommerce):
    """A person started checking out."""

    event: Literal["Checkout Started"] = "Checkout Started"
    """Always ``Checkout Started``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CheckoutStartedProperties | None = None  # type: ignore[assignment]
    """The order being checked out."""


class CheckoutStepProperties(SnakeCaseProperties):
    """One step of a checkout."""

    checkout_id: str | None = None
    """The checkout's id."""
    step: int | None = None
    """The step number."""
    shipping_method: str | None = None
    """Shipping method chosen."""
    payment_method: str | None = None
    """Payment method chosen."""


@register_semantic_event
class CheckoutStepViewed(_Ecommerce):
    """A person viewed a checkout step."""

    event: Literal["Checkout Step Viewed"] = "Checkout Step Viewed"
    """Always ``Checkout Step Viewed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CheckoutStepProperties | None = None  # type: ignore[assignment]
    """The step."""


@register_semantic_event
class CheckoutStepCompleted(_Ecommerce):
    """A person completed a checkout step."""

    event: Literal["Checkout Step Completed"] = "Checkout Step Completed"
    """Always ``Checkout Step Completed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CheckoutStepProperties | None = None  # type: ignore[assignment]
    """The step."""


class PaymentInfoProperties(CheckoutStepProperties):
    """Payment details entered during a checkout (schema titled "Payment Info Updated")."""

    order_id: str | None = None
    """The order's id."""


@register_semantic_event
class PaymentInfoEntered(_Ecommerce):
    """A person entered payment information."""

    event: Literal["Payment Info Entered"] = "Payment Info Entered"
    """Always ``Payment Info Entered``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: PaymentInfoProperties | None = None  # type: ignore[assignment]
    """The checkout step and order."""


class OrderCompletedProperties(OrderProperties):
    """A completed order."""

    checkout_id: str | None = None
    """The checkout's id."""
    subtotal: float | None = None
    """Total after discounts, before tax and shipping."""
    total: float | None = None
    """The order total."""


@register_semantic_event
class OrderCompleted(_Ecommerce):
    """A person completed an order."""

    event: Literal["Order Completed"] = "Order Completed"
    """Always ``Order Completed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: OrderCompletedProperties | None = None  # type: ignore[assignment]
    """The order."""


@register_semantic_event
class OrderUpdated(_Ecommerce):
    """A person updated an order."""

    event: Literal["Order Updated"] = "Order Updated"
    """Always ``Order Updated``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: OrderProperties | None = None  # type: ignore[assignment]
    """The order."""


class OrderRefundedProperties(OrderCompletedProperties):
    """A refunded order; ``total`` is the amount refunded."""


@register_semantic_event
class OrderRefunded(_Ecommerce):
    """You refunded an order."""

    event: Literal["Order Refunded"] = "Order Refunded"
    """Always ``Order Refunded``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: OrderRefundedProperties | None = None  # type: ignore[assignment]
    """The order and the refund."""


class OrderCancelledProperties(OrderProperties):
    """A cancelled order."""

    total: float | None = None
    """The order total."""


@register_semantic_event
class OrderCancelled(_Ecommerce):
    """A person cancelled an order."""

    event: Literal["Order Cancelled"] = "Order Cancelled"
    """Always ``Order Cancelled``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: OrderCancelledProperties | None = None  # type: ignore[assignment]
    """The order."""


class PromotionProperties(SnakeCaseProperties):
    """A promotion shown to a person."""

    promotion_id: str | None = None
    """The promotion's id."""
    creative: str | None = None
    """The creative content id of the promotion."""
    name: str | None = None
    """The promotion's name."""
    position: str | None = None
    """Where the promotion was shown (a string in the document, for example ``top``)."""


@register_semantic_event
class PromotionViewed(_Ecommerce):
    """A person viewed a promotion."""

    event: Literal["Promotion Viewed"] = "Promotion Viewed"
    """Always ``Promotion Viewed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: PromotionProperties | None = None  # type: ignore[assignment]
    """The promotion."""


@register_semantic_event
class PromotionClicked(_Ecommerce):
    """A person clicked a promotion."""

    event: Literal["Promotion Clicked"] = "Promotion Clicked"
    """Always ``Promotion Clicked``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: PromotionProperties | None = None  # type: ignore[assignment]
    """The promotion."""


class CouponEnteredProperties(SnakeCaseProperties):
    """A coupon a person entered."""

    order_id: str | None = None
    """The order the coupon is for, if any."""
    cart_id: str | None = None
    """The cart the coupon is for, if any."""
    coupon_id: str | None = None
    """The coupon's id."""


class CouponProperties(CouponEnteredProperties):
    """A coupon applied to or removed from an order."""

    coupon_name: str | None = None
    """The coupon's name."""
    discount: float | None = None
    """The amount the coupon takes off."""


class CouponDeniedProperties(CouponEnteredProperties):
    """A coupon that was refused."""

    coupon_name: str | None = None
    """The coupon's name."""
    reason: str | None = None
    """Why the coupon was refused."""


@register_semantic_event
class CouponEntered(_Ecommerce):
    """A person entered a coupon."""

    event: Literal["Coupon Entered"] = "Coupon Entered"
    """Always ``Coupon Entered``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CouponEnteredProperties | None = None  # type: ignore[assignment]
    """The coupon."""


@register_semantic_event
class CouponApplied(_Ecommerce):
    """A coupon was applied to an order."""

    event: Literal["Coupon Applied"] = "Coupon Applied"
    """Always ``Coupon Applied``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CouponProperties | None = None  # type: ignore[assignment]
    """The coupon."""


@register_semantic_event
class CouponDenied(_Ecommerce):
    """A coupon was refused (invalid, expired, ...)."""

    event: Literal["Coupon Denied"] = "Coupon Denied"
    """Always ``Coupon Denied``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CouponDeniedProperties | None = None  # type: ignore[assignment]
    """The coupon and the reason."""


@register_semantic_event
class CouponRemoved(_Ecommerce):
    """A person removed a coupon."""

    event: Literal["Coupon Removed"] = "Coupon Removed"
    """Always ``Coupon Removed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CouponProperties | None = None  # type: ignore[assignment]
    """The coupon."""


class WishlistProductProperties(Product):
    """A product on a wishlist."""

    wishlist_id: str | None = None
    """The wishlist's id."""
    wishlist_name: str | None = None
    """The wishlist's name."""


class WishlistProductCartProperties(WishlistProductProperties):
    """A wishlist product moved to a cart."""

    cart_id: str | None = None
    """The cart the product went into."""


@register_semantic_event
class ProductAddedToWishlist(_Ecommerce):
    """A person added a product to a wishlist."""

    event: Literal["Product Added to Wishlist"] = "Product Added to Wishlist"
    """Always ``Product Added to Wishlist``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: WishlistProductProperties | None = None  # type: ignore[assignment]
    """The product and the wishlist."""


@register_semantic_event
class ProductRemovedFromWishlist(_Ecommerce):
    """A person removed a product from a wishlist."""

    event: Literal["Product Removed from Wishlist"] = "Product Removed from Wishlist"
    """Always ``Product Removed from Wishlist``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: WishlistProductProperties | None = None  # type: ignore[assignment]
    """The product and the wishlist."""


@register_semantic_event
class WishlistProductAddedToCart(_Ecommerce):
    """A person moved a product from a wishlist to their cart."""

    event: Literal["Wishlist Product Added to Cart"] = "Wishlist Product Added to Cart"
    """Always ``Wishlist Product Added to Cart``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: WishlistProductCartProperties | None = None  # type: ignore[assignment]
    """The product, the wishlist and the cart."""


class ProductSharedProperties(Product):
    """A product a person shared."""

    share_via: str | None = None
    """The channel it was shared through."""
    share_message: str | None = None
    """The message sent with it."""
    recipient: str | None = None
    """Who it was shared with."""


@register_semantic_event
class ProductShared(_Ecommerce):
    """A person shared a product."""

    event: Literal["Product Shared"] = "Product Shared"
    """Always ``Product Shared``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductSharedProperties | None = None  # type: ignore[assignment]
    """The product and the share."""


class CartSharedProduct(SnakeCaseProperties):
    """A product in a shared cart: only its id is documented."""

    product_id: str | None = None
    """The product id."""


class CartSharedProperties(SnakeCaseProperties):
    """A cart a person shared."""

    share_via: str | None = None
    """The channel it was shared through."""
    share_message: str | None = None
    """The message sent with it."""
    recipient: str | None = None
    """Who it was shared with."""
    cart_id: str | None = None
    """The cart's id."""
    products: list[CartSharedProduct] | None = None
    """The products in the cart, by id."""


@register_semantic_event
class CartShared(_Ecommerce):
    """A person shared their cart."""

    event: Literal["Cart Shared"] = "Cart Shared"
    """Always ``Cart Shared``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: CartSharedProperties | None = None  # type: ignore[assignment]
    """The cart and the share."""


class ProductReviewedProperties(SnakeCaseProperties):
    """A review of a product."""

    product_id: str | None = None
    """The product reviewed."""
    review_id: str | None = None
    """The review's id."""
    review_body: str | None = None
    """The text of the review."""
    rating: int | None = None
    """The rating given."""


@register_semantic_event
class ProductReviewed(_Ecommerce):
    """A person reviewed a product."""

    event: Literal["Product Reviewed"] = "Product Reviewed"
    """Always ``Product Reviewed``."""
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: ProductReviewedProperties | None = None  # type: ignore[assignment]
    """The review."""
