"""Every built-in semantic event name, its family and the module that defines it.

Read without importing the family modules, so that ``import cio.models`` stays cheap:
:data:`cio.models.SEMANTIC_EVENTS` imports a family module the first time one of its
names is looked up. ``tests/unit/models/test_semantic.py`` checks this table against
the classes.
"""

from __future__ import annotations

from typing import Final

__all__ = ["FAMILY_NAMES", "MODULES"]

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

FAMILY_NAMES: Final[dict[str, tuple[str, ...]]] = {
    "ab_test": ("Experiment Viewed",),
    "cio": (
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
    ),
    "ecommerce": (
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
    ),
    "email": (
        "Email Bounced",
        "Email Delivered",
        "Email Opened",
        "Email Link Clicked",
        "Email Marked as Spam",
        "Email Unsubscribed",
    ),
    "live_chat": (
        "Live Chat Conversation Started",
        "Live Chat Conversation Ended",
        "Live Chat Message Sent",
        "Live Chat Message Received",
    ),
    "mobile": (
        "Application Installed",
        "Application Opened",
        "Application Backgrounded",
        "Application Foregrounded",
        "Application Updated",
        "Application Uninstalled",
        "Application Crashed",
    ),
    "video": (
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
    ),
}
"""Every event name of each family, in registration order (aliases included)."""
