"""Email semantic events, for mail sent and tracked outside Customer.io.

``properties.email_id`` is required; ``context.traits`` may carry the recipient's
``email`` (validated), ``ip`` and ``user_agent``.
"""

from typing import Annotated, ClassVar, Literal

from typing_extensions import Required, TypedDict

from cio._constants import SEMANTIC_FAMILY_EMAIL
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import RECOMMENDED, add_help

__all__ = [
    "EmailBounced",
    "EmailBouncedProperties",
    "EmailDelivered",
    "EmailDeliveredProperties",
    "EmailLinkClicked",
    "EmailLinkClickedProperties",
    "EmailLinkProperties",
    "EmailMarkedAsSpam",
    "EmailMarkedAsSpamProperties",
    "EmailOpened",
    "EmailOpenedProperties",
    "EmailProperties",
    "EmailUnsubscribed",
    "EmailUnsubscribedProperties",
]


class EmailProperties(TypedDict, total=False):
    """Which email an event is about."""

    email_id: Required[str]
    """The email's (delivery's) id; required."""
    email_subject: str
    """The subject line."""
    campaign_id: str
    """The campaign the email belongs to."""
    campaign_name: str
    """The campaign's readable name."""


class EmailLinkProperties(EmailProperties, total=False):
    """An email and the link clicked in it."""

    link_id: str
    """The link's id."""
    link_url: str
    """The link's URL."""


class EmailUnsubscribedProperties(EmailProperties, total=False):
    """An email and the list the person left."""

    list_id: str
    """The mailing list's id."""
    list_name: str
    """The mailing list's name."""


class _Email(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_EMAIL
    properties: Annotated[EmailProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The email the event is about."""


class EmailBouncedProperties(EmailProperties, total=False):
    """Recommended properties of ``Email Bounced``."""


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
    properties: Annotated[EmailBouncedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``EmailBouncedProperties``)."""


class EmailDeliveredProperties(EmailProperties, total=False):
    """Recommended properties of ``Email Delivered``."""


@register_semantic_event
class EmailDelivered(_Email):
    """An email was delivered."""

    event: Literal["Email Delivered"] = "Email Delivered"
    """Always ``Email Delivered``."""
    properties: Annotated[EmailDeliveredProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``EmailDeliveredProperties``)."""


class EmailOpenedProperties(EmailProperties, total=False):
    """Recommended properties of ``Email Opened``."""


@register_semantic_event
class EmailOpened(_Email):
    """A person opened an email."""

    event: Literal["Email Opened"] = "Email Opened"
    """Always ``Email Opened``."""
    properties: Annotated[EmailOpenedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``EmailOpenedProperties``)."""


class EmailLinkClickedProperties(EmailLinkProperties, total=False):
    """Recommended properties of ``Email Link Clicked``."""


@register_semantic_event
class EmailLinkClicked(_Email):
    """A person clicked a link in an email."""

    event: Literal["Email Link Clicked"] = "Email Link Clicked"
    """Always ``Email Link Clicked``."""
    properties: Annotated[EmailLinkClickedProperties | None, RECOMMENDED] = None
    """The email and the link."""


class EmailMarkedAsSpamProperties(EmailProperties, total=False):
    """Recommended properties of ``Email Marked as Spam``."""


@register_semantic_event
class EmailMarkedAsSpam(_Email):
    """A person marked an email as spam."""

    event: Literal["Email Marked as Spam"] = "Email Marked as Spam"
    """Always ``Email Marked as Spam``."""
    properties: Annotated[EmailMarkedAsSpamProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``EmailMarkedAsSpamProperties``)."""


@register_semantic_event
class EmailUnsubscribed(_Email):
    """A person unsubscribed through an email."""

    event: Literal["Email Unsubscribed"] = "Email Unsubscribed"
    """Always ``Email Unsubscribed``."""
    properties: Annotated[EmailUnsubscribedProperties | None, RECOMMENDED] = None
    """The email and the list."""


add_help(globals())
