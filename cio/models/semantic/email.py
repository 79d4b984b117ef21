"""Email semantic events, for mail sent and tracked outside Customer.io.

``properties.email_id`` is required; ``context.traits`` may carry the recipient's
``email`` (validated), ``ip`` and ``user_agent``.
"""

from __future__ import annotations

from typing import ClassVar, Literal

from cio._constants import SEMANTIC_FAMILY_EMAIL
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic._base import SnakeCaseProperties

__all__ = [
    "EmailBounced",
    "EmailDelivered",
    "EmailLinkClicked",
    "EmailLinkProperties",
    "EmailMarkedAsSpam",
    "EmailOpened",
    "EmailProperties",
    "EmailUnsubscribed",
    "EmailUnsubscribedProperties",
]


class EmailProperties(SnakeCaseProperties):
    """Which email an event is about."""

    email_id: str
    """The email's (delivery's) id; required."""
    email_subject: str | None = None
    """The subject line."""
    campaign_id: str | None = None
    """The campaign the email belongs to."""
    campaign_name: str | None = None
    """The campaign's readable name."""


class EmailLinkProperties(EmailProperties):
    """An email and the link clicked in it."""

    link_id: str | None = None
    """The link's id."""
    link_url: str | None = None
    """The link's URL."""


class EmailUnsubscribedProperties(EmailProperties):
    """An email and the list the person left."""

    list_id: str | None = None
    """The mailing list's id."""
    list_name: str | None = None
    """The mailing list's name."""


class _Email(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_EMAIL
    # A semantic subclass narrows the free-form dict to its own properties model.
    properties: EmailProperties  # type: ignore[assignment]
    """The email the event is about."""


@register_semantic_event
class EmailBounced(_Email):
    """The mail server could not deliver an email.

    Example
    -------
    >>> EmailBounced(user_id="42", properties={"email_id": "m-1"}).to_payload()["properties"]
    {'email_id': 'm-1'}
    """

    event: Literal["Email Bounced"] = "Email Bounced"
    """Always ``Email Bounced``."""


@register_semantic_event
class EmailDelivered(_Email):
    """An email was delivered."""

    event: Literal["Email Delivered"] = "Email Delivered"
    """Always ``Email Delivered``."""


@register_semantic_event
class EmailOpened(_Email):
    """A person opened an email."""

    event: Literal["Email Opened"] = "Email Opened"
    """Always ``Email Opened``."""


@register_semantic_event
class EmailLinkClicked(_Email):
    """A person clicked a link in an email."""

    event: Literal["Email Link Clicked"] = "Email Link Clicked"
    """Always ``Email Link Clicked``."""
    properties: EmailLinkProperties
    """The email and the link."""


@register_semantic_event
class EmailMarkedAsSpam(_Email):
    """A person marked an email as spam."""

    event: Literal["Email Marked as Spam"] = "Email Marked as Spam"
    """Always ``Email Marked as Spam``."""


@register_semantic_event
class EmailUnsubscribed(_Email):
    """A person unsubscribed through an email."""

    event: Literal["Email Unsubscribed"] = "Email Unsubscribed"
    """Always ``Email Unsubscribed``."""
    properties: EmailUnsubscribedProperties
    """The email and the list."""
