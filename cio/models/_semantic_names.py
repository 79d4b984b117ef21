"""Every built-in semantic event name, its family and the module that defines it.

Read without importing the family modules, so that ``import cio.models`` stays cheap:
:data:`cio.models.SEMANTIC_EVENTS` imports a family module the first time one of its
names is looked up. ``tests/unit/models/test_semantic.py`` checks this table against
the classes.
"""

from __future__ import annotations

from typing import Final, Literal, TypeAlias, get_args

__all__ = [
    "FAMILY_NAMES",
    "MODULES",
    "AbTestName",
    "CioName",
    "EcommerceName",
    "EmailName",
    "LiveChatName",
    "MobileName",
    "VideoName",
]

_PACKAGE: Final = "cio.models.semantic"

MODULES: Final[dict[str, str]] = {
    "ab_test": f"{_PACKAGE}.ab_test",
    "cio": f"{_PACKAGE}.cio_journeys",
    "ecommerce": f"{_PACKAGE}.ecommerce",
    "email": f"{_PACKAGE}.email",
    "live_chat": f"{_PACKAGE}.live_chat",
    "mobile": f"{_PACKAGE}.mobile",
    "video": f"{_PACKAGE}.video",
}
"""The module of each family."""

AbTestName: TypeAlias = Literal["Experiment Viewed",]
"""The event names of the ``ab_test`` family."""

CioName: TypeAlias = Literal[
    "Device Created or Updated",
    "Device Deleted",
    "User Deleted",
    "User Suppressed",
    "User Unsuppressed",
    "Relationship Deleted",
    "Object Deleted",
    "Group Deleted",
    "Report Delivery Event",
    "Report Content Event",
]
"""The event names of the ``cio`` family."""

EcommerceName: TypeAlias = Literal[
    "Products Searched",
    "Product List Viewed",
    "Product List Filtered",
    "Product Clicked",
    "Product Viewed",
    "Product Added",
    "Product Removed",
    "Cart Viewed",
    "Checkout Started",
    "Checkout Step Viewed",
    "Checkout Step Completed",
    "Payment Info Entered",
    "Order Completed",
    "Order Updated",
    "Order Refunded",
    "Order Cancelled",
    "Promotion Viewed",
    "Promotion Clicked",
    "Coupon Entered",
    "Coupon Applied",
    "Coupon Denied",
    "Coupon Removed",
    "Product Added to Wishlist",
    "Product Removed from Wishlist",
    "Wishlist Product Added to Cart",
    "Product Shared",
    "Cart Shared",
    "Product Reviewed",
]
"""The event names of the ``ecommerce`` family."""

EmailName: TypeAlias = Literal[
    "Email Bounced",
    "Email Delivered",
    "Email Opened",
    "Email Link Clicked",
    "Email Marked as Spam",
    "Email Unsubscribed",
]
"""The event names of the ``email`` family."""

LiveChatName: TypeAlias = Literal[
    "Live Chat Conversation Started",
    "Live Chat Conversation Ended",
    "Live Chat Message Sent",
    "Live Chat Message Received",
]
"""The event names of the ``live_chat`` family."""

MobileName: TypeAlias = Literal[
    "Application Installed",
    "Application Opened",
    "Application Backgrounded",
    "Application Foregrounded",
    "Application Updated",
    "Application Uninstalled",
    "Application Crashed",
]
"""The event names of the ``mobile`` family."""

VideoName: TypeAlias = Literal[
    "Video Playback Started",
    "Video Playback Paused",
    "Video Playback Interrupted",
    "Video Playback interrupted",
    "Video Playback Buffer Started",
    "Video Playback Buffer Completed",
    "Video Playback Seek Started",
    "Video Playback Seek Completed",
    "Video Playback Resumed",
    "Video Playback Completed",
    "Video Playback Exited",
    "Video Content Started",
    "Video Content Playing",
    "Video Content Completed",
    "Video Ad Started",
    "Video Ad Playing",
    "Video Ad Completed",
    "Video Quality Updated",
]
"""The event names of the ``video`` family."""

FAMILY_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "ab_test": get_args(AbTestName),
    "cio": get_args(CioName),
    "ecommerce": get_args(EcommerceName),
    "email": get_args(EmailName),
    "live_chat": get_args(LiveChatName),
    "mobile": get_args(MobileName),
    "video": get_args(VideoName),
}
"""Every event name of each family, in registration order (aliases included)."""
