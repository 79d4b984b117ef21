"""Looking semantic events up by name, and building them.

:data:`SEMANTIC_EVENTS` maps every exact event name to its model class and
:data:`SEMANTIC_FAMILIES` groups the names by family; both are read-only views that
follow :func:`cio.models.register_semantic_event`.
"""

from __future__ import annotations

import difflib
from typing import TYPE_CHECKING, Any, Literal, TypeAlias, overload

from cio.errors import ErrorDetail, ValidationError
from cio.models._constants import SEMANTIC_NAME_SUGGESTIONS
from cio.models._semantic_names import (
    AbTestName,
    CioName,
    EcommerceName,
    EmailName,
    LiveChatName,
    MobileName,
    VideoName,
)
from cio.models.calls import SEMANTIC_EVENTS, SEMANTIC_FAMILIES, Track

__all__ = [
    "SEMANTIC_EVENTS",
    "SEMANTIC_FAMILIES",
    "SemanticEventName",
    "semantic_event",
    "semantic_event_class",
]

if TYPE_CHECKING:
    from cio.models.semantic.ab_test import (
        ExperimentViewed,
    )
    from cio.models.semantic.cio_journeys import (
        DeviceCreatedOrUpdated,
        DeviceDeleted,
        GroupDeleted,
        ObjectDeleted,
        RelationshipDeleted,
        ReportContentEvent,
        ReportDeliveryEvent,
        UserDeleted,
        UserSuppressed,
        UserUnsuppressed,
    )
    from cio.models.semantic.ecommerce import (
        CartShared,
        CartViewed,
        CheckoutStarted,
        CheckoutStepCompleted,
        CheckoutStepViewed,
        CouponApplied,
        CouponDenied,
        CouponEntered,
        CouponRemoved,
        OrderCancelled,
        OrderCompleted,
        OrderRefunded,
        OrderUpdated,
        PaymentInfoEntered,
        ProductAdded,
        ProductAddedToWishlist,
        ProductClicked,
        ProductListFiltered,
        ProductListViewed,
        ProductRemoved,
        ProductRemovedFromWishlist,
        ProductReviewed,
        ProductShared,
        ProductsSearched,
        ProductViewed,
        PromotionClicked,
        PromotionViewed,
        WishlistProductAddedToCart,
    )
    from cio.models.semantic.email import (
        EmailBounced,
        EmailDelivered,
        EmailLinkClicked,
        EmailMarkedAsSpam,
        EmailOpened,
        EmailUnsubscribed,
    )
    from cio.models.semantic.live_chat import (
        LiveChatConversationEnded,
        LiveChatConversationStarted,
        LiveChatMessageReceived,
        LiveChatMessageSent,
    )
    from cio.models.semantic.mobile import (
        ApplicationBackgrounded,
        ApplicationCrashed,
        ApplicationForegrounded,
        ApplicationInstalled,
        ApplicationOpened,
        ApplicationUninstalled,
        ApplicationUpdated,
    )
    from cio.models.semantic.video import (
        VideoAdCompleted,
        VideoAdPlaying,
        VideoAdStarted,
        VideoContentCompleted,
        VideoContentPlaying,
        VideoContentStarted,
        VideoPlaybackBufferCompleted,
        VideoPlaybackBufferStarted,
        VideoPlaybackCompleted,
        VideoPlaybackExited,
        VideoPlaybackInterrupted,
        VideoPlaybackPaused,
        VideoPlaybackResumed,
        VideoPlaybackSeekCompleted,
        VideoPlaybackSeekStarted,
        VideoPlaybackStarted,
        VideoQualityUpdated,
    )

# The overloads and SemanticEventName below are checked against SEMANTIC_EVENTS by
# tests/unit/models/test_editor_support.py (every registered name, its class).
SemanticEventName: TypeAlias = Literal[
    AbTestName,
    CioName,
    EcommerceName,
    EmailName,
    LiveChatName,
    MobileName,
    VideoName,
]
"""Every semantic event name, as a literal type: editors complete it, checkers check it."""


@overload
def semantic_event_class(name: Literal["Experiment Viewed"]) -> type[ExperimentViewed]: ...
@overload
def semantic_event_class(
    name: Literal["Device Created or Updated"],
) -> type[DeviceCreatedOrUpdated]: ...
@overload
def semantic_event_class(name: Literal["Device Deleted"]) -> type[DeviceDeleted]: ...
@overload
def semantic_event_class(name: Literal["User Deleted"]) -> type[UserDeleted]: ...
@overload
def semantic_event_class(name: Literal["User Suppressed"]) -> type[UserSuppressed]: ...
@overload
def semantic_event_class(name: Literal["User Unsuppressed"]) -> type[UserUnsuppressed]: ...
@overload
def semantic_event_class(name: Literal["Relationship Deleted"]) -> type[RelationshipDeleted]: ...
@overload
def semantic_event_class(name: Literal["Object Deleted"]) -> type[ObjectDeleted]: ...
@overload
def semantic_event_class(name: Literal["Group Deleted"]) -> type[GroupDeleted]: ...
@overload
def semantic_event_class(name: Literal["Report Delivery Event"]) -> type[ReportDeliveryEvent]: ...
@overload
def semantic_event_class(name: Literal["Report Content Event"]) -> type[ReportContentEvent]: ...
@overload
def semantic_event_class(name: Literal["Products Searched"]) -> type[ProductsSearched]: ...
@overload
def semantic_event_class(name: Literal["Product List Viewed"]) -> type[ProductListViewed]: ...
@overload
def semantic_event_class(name: Literal["Product List Filtered"]) -> type[ProductListFiltered]: ...
@overload
def semantic_event_class(name: Literal["Product Clicked"]) -> type[ProductClicked]: ...
@overload
def semantic_event_class(name: Literal["Product Viewed"]) -> type[ProductViewed]: ...
@overload
def semantic_event_class(name: Literal["Product Added"]) -> type[ProductAdded]: ...
@overload
def semantic_event_class(name: Literal["Product Removed"]) -> type[ProductRemoved]: ...
@overload
def semantic_event_class(name: Literal["Cart Viewed"]) -> type[CartViewed]: ...
@overload
def semantic_event_class(name: Literal["Checkout Started"]) -> type[CheckoutStarted]: ...
@overload
def semantic_event_class(name: Literal["Checkout Step Viewed"]) -> type[CheckoutStepViewed]: ...
@overload
def semantic_event_class(
    name: Literal["Checkout Step Completed"],
) -> type[CheckoutStepCompleted]: ...
@overload
def semantic_event_class(name: Literal["Payment Info Entered"]) -> type[PaymentInfoEntered]: ...
@overload
def semantic_event_class(name: Literal["Order Completed"]) -> type[OrderCompleted]: ...
@overload
def semantic_event_class(name: Literal["Order Updated"]) -> type[OrderUpdated]: ...
@overload
def semantic_event_class(name: Literal["Order Refunded"]) -> type[OrderRefunded]: ...
@overload
def semantic_event_class(name: Literal["Order Cancelled"]) -> type[OrderCancelled]: ...
@overload
def semantic_event_class(name: Literal["Promotion Viewed"]) -> type[PromotionViewed]: ...
@overload
def semantic_event_class(name: Literal["Promotion Clicked"]) -> type[PromotionClicked]: ...
@overload
def semantic_event_class(name: Literal["Coupon Entered"]) -> type[CouponEntered]: ...
@overload
def semantic_event_class(name: Literal["Coupon Applied"]) -> type[CouponApplied]: ...
@overload
def semantic_event_class(name: Literal["Coupon Denied"]) -> type[CouponDenied]: ...
@overload
def semantic_event_class(name: Literal["Coupon Removed"]) -> type[CouponRemoved]: ...
@overload
def semantic_event_class(
    name: Literal["Product Added to Wishlist"],
) -> type[ProductAddedToWishlist]: ...
@overload
def semantic_event_class(
    name: Literal["Product Removed from Wishlist"],
) -> type[ProductRemovedFromWishlist]: ...
@overload
def semantic_event_class(
    name: Literal["Wishlist Product Added to Cart"],
) -> type[WishlistProductAddedToCart]: ...
@overload
def semantic_event_class(name: Literal["Product Shared"]) -> type[ProductShared]: ...
@overload
def semantic_event_class(name: Literal["Cart Shared"]) -> type[CartShared]: ...
@overload
def semantic_event_class(name: Literal["Product Reviewed"]) -> type[ProductReviewed]: ...
@overload
def semantic_event_class(name: Literal["Email Bounced"]) -> type[EmailBounced]: ...
@overload
def semantic_event_class(name: Literal["Email Delivered"]) -> type[EmailDelivered]: ...
@overload
def semantic_event_class(name: Literal["Email Opened"]) -> type[EmailOpened]: ...
@overload
def semantic_event_class(name: Literal["Email Link Clicked"]) -> type[EmailLinkClicked]: ...
@overload
def semantic_event_class(name: Literal["Email Marked as Spam"]) -> type[EmailMarkedAsSpam]: ...
@overload
def semantic_event_class(name: Literal["Email Unsubscribed"]) -> type[EmailUnsubscribed]: ...
@overload
def semantic_event_class(
    name: Literal["Live Chat Conversation Started"],
) -> type[LiveChatConversationStarted]: ...
@overload
def semantic_event_class(
    name: Literal["Live Chat Conversation Ended"],
) -> type[LiveChatConversationEnded]: ...
@overload
def semantic_event_class(name: Literal["Live Chat Message Sent"]) -> type[LiveChatMessageSent]: ...
@overload
def semantic_event_class(
    name: Literal["Live Chat Message Received"],
) -> type[LiveChatMessageReceived]: ...
@overload
def semantic_event_class(name: Literal["Application Installed"]) -> type[ApplicationInstalled]: ...
@overload
def semantic_event_class(name: Literal["Application Opened"]) -> type[ApplicationOpened]: ...
@overload
def semantic_event_class(
    name: Literal["Application Backgrounded"],
) -> type[ApplicationBackgrounded]: ...
@overload
def semantic_event_class(
    name: Literal["Application Foregrounded"],
) -> type[ApplicationForegrounded]: ...
@overload
def semantic_event_class(name: Literal["Application Updated"]) -> type[ApplicationUpdated]: ...
@overload
def semantic_event_class(
    name: Literal["Application Uninstalled"],
) -> type[ApplicationUninstalled]: ...
@overload
def semantic_event_class(name: Literal["Application Crashed"]) -> type[ApplicationCrashed]: ...
@overload
def semantic_event_class(name: Literal["Video Playback Started"]) -> type[VideoPlaybackStarted]: ...
@overload
def semantic_event_class(name: Literal["Video Playback Paused"]) -> type[VideoPlaybackPaused]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback Interrupted"],
) -> type[VideoPlaybackInterrupted]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback interrupted"],
) -> type[VideoPlaybackInterrupted]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback Buffer Started"],
) -> type[VideoPlaybackBufferStarted]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback Buffer Completed"],
) -> type[VideoPlaybackBufferCompleted]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback Seek Started"],
) -> type[VideoPlaybackSeekStarted]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback Seek Completed"],
) -> type[VideoPlaybackSeekCompleted]: ...
@overload
def semantic_event_class(name: Literal["Video Playback Resumed"]) -> type[VideoPlaybackResumed]: ...
@overload
def semantic_event_class(
    name: Literal["Video Playback Completed"],
) -> type[VideoPlaybackCompleted]: ...
@overload
def semantic_event_class(name: Literal["Video Playback Exited"]) -> type[VideoPlaybackExited]: ...
@overload
def semantic_event_class(name: Literal["Video Content Started"]) -> type[VideoContentStarted]: ...
@overload
def semantic_event_class(name: Literal["Video Content Playing"]) -> type[VideoContentPlaying]: ...
@overload
def semantic_event_class(
    name: Literal["Video Content Completed"],
) -> type[VideoContentCompleted]: ...
@overload
def semantic_event_class(name: Literal["Video Ad Started"]) -> type[VideoAdStarted]: ...
@overload
def semantic_event_class(name: Literal["Video Ad Playing"]) -> type[VideoAdPlaying]: ...
@overload
def semantic_event_class(name: Literal["Video Ad Completed"]) -> type[VideoAdCompleted]: ...
@overload
def semantic_event_class(name: Literal["Video Quality Updated"]) -> type[VideoQualityUpdated]: ...
@overload
def semantic_event_class(name: str) -> type[Track]: ...
def semantic_event_class(name: SemanticEventName | str) -> type[Track]:
    """The model class of a semantic event name.

    Parameters
    ----------
    name : str
        The exact event name, for example ``"Order Completed"``.

    Returns
    -------
    type
        A :class:`cio.models.Track` subclass.

    Raises
    ------
    cio.ValidationError
        When no semantic event has that name; the message lists close matches.

    Example
    -------
    >>> semantic_event_class("Order Completed").__name__
    'OrderCompleted'
    """
    cls = SEMANTIC_EVENTS.get(name)
    if cls is not None:
        return cls
    close = difflib.get_close_matches(name, list(SEMANTIC_EVENTS), n=SEMANTIC_NAME_SUGGESTIONS)
    hint = f"; close matches: {', '.join(repr(match) for match in close)}" if close else ""
    message = f"not a semantic event name{hint} (see cio.models.SEMANTIC_EVENTS)"
    raise ValidationError(
        f"event: {message}",
        [ErrorDetail(loc=("event",), msg=message, type="unknown_semantic_event")],
    )


@overload
def semantic_event(name: Literal["Experiment Viewed"], /, **fields: Any) -> ExperimentViewed: ...
@overload
def semantic_event(
    name: Literal["Device Created or Updated"], /, **fields: Any
) -> DeviceCreatedOrUpdated: ...
@overload
def semantic_event(name: Literal["Device Deleted"], /, **fields: Any) -> DeviceDeleted: ...
@overload
def semantic_event(name: Literal["User Deleted"], /, **fields: Any) -> UserDeleted: ...
@overload
def semantic_event(name: Literal["User Suppressed"], /, **fields: Any) -> UserSuppressed: ...
@overload
def semantic_event(name: Literal["User Unsuppressed"], /, **fields: Any) -> UserUnsuppressed: ...
@overload
def semantic_event(
    name: Literal["Relationship Deleted"], /, **fields: Any
) -> RelationshipDeleted: ...
@overload
def semantic_event(name: Literal["Object Deleted"], /, **fields: Any) -> ObjectDeleted: ...
@overload
def semantic_event(name: Literal["Group Deleted"], /, **fields: Any) -> GroupDeleted: ...
@overload
def semantic_event(
    name: Literal["Report Delivery Event"], /, **fields: Any
) -> ReportDeliveryEvent: ...
@overload
def semantic_event(
    name: Literal["Report Content Event"], /, **fields: Any
) -> ReportContentEvent: ...
@overload
def semantic_event(name: Literal["Products Searched"], /, **fields: Any) -> ProductsSearched: ...
@overload
def semantic_event(name: Literal["Product List Viewed"], /, **fields: Any) -> ProductListViewed: ...
@overload
def semantic_event(
    name: Literal["Product List Filtered"], /, **fields: Any
) -> ProductListFiltered: ...
@overload
def semantic_event(name: Literal["Product Clicked"], /, **fields: Any) -> ProductClicked: ...
@overload
def semantic_event(name: Literal["Product Viewed"], /, **fields: Any) -> ProductViewed: ...
@overload
def semantic_event(name: Literal["Product Added"], /, **fields: Any) -> ProductAdded: ...
@overload
def semantic_event(name: Literal["Product Removed"], /, **fields: Any) -> ProductRemoved: ...
@overload
def semantic_event(name: Literal["Cart Viewed"], /, **fields: Any) -> CartViewed: ...
@overload
def semantic_event(name: Literal["Checkout Started"], /, **fields: Any) -> CheckoutStarted: ...
@overload
def semantic_event(
    name: Literal["Checkout Step Viewed"], /, **fields: Any
) -> CheckoutStepViewed: ...
@overload
def semantic_event(
    name: Literal["Checkout Step Completed"], /, **fields: Any
) -> CheckoutStepCompleted: ...
@overload
def semantic_event(
    name: Literal["Payment Info Entered"], /, **fields: Any
) -> PaymentInfoEntered: ...
@overload
def semantic_event(name: Literal["Order Completed"], /, **fields: Any) -> OrderCompleted: ...
@overload
def semantic_event(name: Literal["Order Updated"], /, **fields: Any) -> OrderUpdated: ...
@overload
def semantic_event(name: Literal["Order Refunded"], /, **fields: Any) -> OrderRefunded: ...
@overload
def semantic_event(name: Literal["Order Cancelled"], /, **fields: Any) -> OrderCancelled: ...
@overload
def semantic_event(name: Literal["Promotion Viewed"], /, **fields: Any) -> PromotionViewed: ...
@overload
def semantic_event(name: Literal["Promotion Clicked"], /, **fields: Any) -> PromotionClicked: ...
@overload
def semantic_event(name: Literal["Coupon Entered"], /, **fields: Any) -> CouponEntered: ...
@overload
def semantic_event(name: Literal["Coupon Applied"], /, **fields: Any) -> CouponApplied: ...
@overload
def semantic_event(name: Literal["Coupon Denied"], /, **fields: Any) -> CouponDenied: ...
@overload
def semantic_event(name: Literal["Coupon Removed"], /, **fields: Any) -> CouponRemoved: ...
@overload
def semantic_event(
    name: Literal["Product Added to Wishlist"], /, **fields: Any
) -> ProductAddedToWishlist: ...
@overload
def semantic_event(
    name: Literal["Product Removed from Wishlist"], /, **fields: Any
) -> ProductRemovedFromWishlist: ...
@overload
def semantic_event(
    name: Literal["Wishlist Product Added to Cart"], /, **fields: Any
) -> WishlistProductAddedToCart: ...
@overload
def semantic_event(name: Literal["Product Shared"], /, **fields: Any) -> ProductShared: ...
@overload
def semantic_event(name: Literal["Cart Shared"], /, **fields: Any) -> CartShared: ...
@overload
def semantic_event(name: Literal["Product Reviewed"], /, **fields: Any) -> ProductReviewed: ...
@overload
def semantic_event(name: Literal["Email Bounced"], /, **fields: Any) -> EmailBounced: ...
@overload
def semantic_event(name: Literal["Email Delivered"], /, **fields: Any) -> EmailDelivered: ...
@overload
def semantic_event(name: Literal["Email Opened"], /, **fields: Any) -> EmailOpened: ...
@overload
def semantic_event(name: Literal["Email Link Clicked"], /, **fields: Any) -> EmailLinkClicked: ...
@overload
def semantic_event(
    name: Literal["Email Marked as Spam"], /, **fields: Any
) -> EmailMarkedAsSpam: ...
@overload
def semantic_event(name: Literal["Email Unsubscribed"], /, **fields: Any) -> EmailUnsubscribed: ...
@overload
def semantic_event(
    name: Literal["Live Chat Conversation Started"], /, **fields: Any
) -> LiveChatConversationStarted: ...
@overload
def semantic_event(
    name: Literal["Live Chat Conversation Ended"], /, **fields: Any
) -> LiveChatConversationEnded: ...
@overload
def semantic_event(
    name: Literal["Live Chat Message Sent"], /, **fields: Any
) -> LiveChatMessageSent: ...
@overload
def semantic_event(
    name: Literal["Live Chat Message Received"], /, **fields: Any
) -> LiveChatMessageReceived: ...
@overload
def semantic_event(
    name: Literal["Application Installed"], /, **fields: Any
) -> ApplicationInstalled: ...
@overload
def semantic_event(name: Literal["Application Opened"], /, **fields: Any) -> ApplicationOpened: ...
@overload
def semantic_event(
    name: Literal["Application Backgrounded"], /, **fields: Any
) -> ApplicationBackgrounded: ...
@overload
def semantic_event(
    name: Literal["Application Foregrounded"], /, **fields: Any
) -> ApplicationForegrounded: ...
@overload
def semantic_event(
    name: Literal["Application Updated"], /, **fields: Any
) -> ApplicationUpdated: ...
@overload
def semantic_event(
    name: Literal["Application Uninstalled"], /, **fields: Any
) -> ApplicationUninstalled: ...
@overload
def semantic_event(
    name: Literal["Application Crashed"], /, **fields: Any
) -> ApplicationCrashed: ...
@overload
def semantic_event(
    name: Literal["Video Playback Started"], /, **fields: Any
) -> VideoPlaybackStarted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Paused"], /, **fields: Any
) -> VideoPlaybackPaused: ...
@overload
def semantic_event(
    name: Literal["Video Playback Interrupted"], /, **fields: Any
) -> VideoPlaybackInterrupted: ...
@overload
def semantic_event(
    name: Literal["Video Playback interrupted"], /, **fields: Any
) -> VideoPlaybackInterrupted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Buffer Started"], /, **fields: Any
) -> VideoPlaybackBufferStarted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Buffer Completed"], /, **fields: Any
) -> VideoPlaybackBufferCompleted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Seek Started"], /, **fields: Any
) -> VideoPlaybackSeekStarted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Seek Completed"], /, **fields: Any
) -> VideoPlaybackSeekCompleted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Resumed"], /, **fields: Any
) -> VideoPlaybackResumed: ...
@overload
def semantic_event(
    name: Literal["Video Playback Completed"], /, **fields: Any
) -> VideoPlaybackCompleted: ...
@overload
def semantic_event(
    name: Literal["Video Playback Exited"], /, **fields: Any
) -> VideoPlaybackExited: ...
@overload
def semantic_event(
    name: Literal["Video Content Started"], /, **fields: Any
) -> VideoContentStarted: ...
@overload
def semantic_event(
    name: Literal["Video Content Playing"], /, **fields: Any
) -> VideoContentPlaying: ...
@overload
def semantic_event(
    name: Literal["Video Content Completed"], /, **fields: Any
) -> VideoContentCompleted: ...
@overload
def semantic_event(name: Literal["Video Ad Started"], /, **fields: Any) -> VideoAdStarted: ...
@overload
def semantic_event(name: Literal["Video Ad Playing"], /, **fields: Any) -> VideoAdPlaying: ...
@overload
def semantic_event(name: Literal["Video Ad Completed"], /, **fields: Any) -> VideoAdCompleted: ...
@overload
def semantic_event(
    name: Literal["Video Quality Updated"], /, **fields: Any
) -> VideoQualityUpdated: ...
@overload
def semantic_event(name: str, /, **fields: Any) -> Track: ...
def semantic_event(name: SemanticEventName | str, /, **fields: Any) -> Track:
    """Build the semantic event model called ``name``.

    Parameters
    ----------
    name : str
        The exact event name, for example ``"Order Completed"``.
    **fields
        The model's fields: ``user_id``, ``anonymous_id``, ``properties``,
        ``timestamp``, ``context``, ...

    Returns
    -------
    Track
        An instance of the event's model class.

    Raises
    ------
    cio.ValidationError
        When no semantic event has that name (close matches are suggested).
    pydantic.ValidationError
        When the fields do not fit the event's model.

    Example
    -------
    >>> message = semantic_event("Order Completed", user_id="42", properties={"total": 9.5})
    >>> type(message).__name__, message.to_payload()["properties"]
    ('OrderCompleted', {'total': 9.5})
    """
    return semantic_event_class(name)(**fields)
