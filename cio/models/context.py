"""The ``context`` object: where and how a message was produced.

Every documented key is a typed field; other keys are allowed, as the API allows them.
"""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from cio.models._core import OpenModel, Traits
from cio.models._values import JsonSafe

__all__ = [
    "Context",
    "ContextApp",
    "ContextCampaign",
    "ContextDevice",
    "ContextLibrary",
    "ContextLocation",
    "ContextNetwork",
    "ContextOS",
    "ContextPage",
    "ContextReferrer",
    "ContextScreen",
]


class _OpenPart(OpenModel):
    """A context part that keeps unknown keys, converted to JSON-safe values."""

    # Undeclared keys are validated in pydantic-core by this type, only when present.
    __pydantic_extra__: dict[str, JsonSafe] = Field(init=False)


class ContextApp(_OpenPart):
    """The app that sent the message."""

    name: str | None = None
    """App name."""
    version: str | None = None
    """App version, for example ``1.2.3``."""
    build: str | None = None
    """Build number."""
    namespace: str | None = None
    """Bundle id or package name."""


class ContextCampaign(_OpenPart):
    """UTM campaign parameters."""

    name: str | None = None
    """utm_campaign."""
    source: str | None = None
    """utm_source."""
    medium: str | None = None
    """utm_medium."""
    term: str | None = None
    """utm_term."""
    content: str | None = None
    """utm_content."""


class ContextDevice(_OpenPart):
    """The device; ``token`` and ``type`` identify a push device."""

    id: str | None = None
    """Device id."""
    advertising_id: str | None = None
    """Advertising id (IDFA/AAID)."""
    ad_tracking_enabled: bool | None = None
    """Whether ad tracking is enabled."""
    manufacturer: str | None = None
    """Manufacturer."""
    model: str | None = None
    """Model."""
    name: str | None = None
    """Device name."""
    type: str | None = None
    """Platform, for example ``ios`` or ``android``."""
    token: str | None = None
    """Push token (APNs or FCM)."""
    version: str | None = None
    """OS or device version."""


class ContextLibrary(_OpenPart):
    """The library that produced the message."""

    name: str | None = None
    """Library name."""
    version: str | None = None
    """Library version."""


class ContextLocation(_OpenPart):
    """Where the person was."""

    city: str | None = None
    """City."""
    country: str | None = None
    """Country."""
    latitude: float | None = None
    """Latitude in degrees."""
    longitude: float | None = None
    """Longitude in degrees."""
    region: str | None = None
    """Region or state."""
    speed: float | None = None
    """Speed."""


class ContextNetwork(_OpenPart):
    """Network state of a mobile device."""

    bluetooth: bool | None = None
    """Bluetooth on."""
    carrier: str | None = None
    """Mobile carrier."""
    cellular: bool | None = None
    """On a cellular network."""
    wifi: bool | None = None
    """On Wi-Fi."""


class ContextOS(_OpenPart):
    """Operating system."""

    name: str | None = None
    """OS name."""
    version: str | None = None
    """OS version."""


class ContextPage(_OpenPart):
    """The web page the message came from."""

    name: str | None = None
    """Page name."""
    path: str | None = None
    """URL path."""
    referrer: str | None = None
    """Referring URL."""
    search: str | None = None
    """Query string."""
    title: str | None = None
    """Page title."""
    url: str | None = None
    """Full URL."""
    keywords: list[str] | None = None
    """Page keywords."""


class ContextReferrer(_OpenPart):
    """What referred the person."""

    id: str | None = None
    """Referrer id."""
    type: str | None = None
    """Referrer type."""
    name: str | None = None
    """Referrer name."""
    url: str | None = None
    """Referrer URL."""
    link: str | None = None
    """Referrer link."""


class ContextScreen(_OpenPart):
    """Screen dimensions."""

    width: int | None = None
    """Width in pixels."""
    height: int | None = None
    """Height in pixels."""
    density: float | None = None
    """Pixel density."""


class Context(_OpenPart):
    """Context of a message; documented keys typed, other keys kept.

    Example
    -------
    >>> Context(ip="203.0.113.7", device={"token": "abc", "type": "ios"}).device.token
    'abc'
    """

    model_config = ConfigDict(extra="allow")

    active: bool | None = None
    """Whether the person was active (send ``False`` for server-side updates)."""
    app: ContextApp | None = None
    """The app."""
    campaign: ContextCampaign | None = None
    """UTM campaign."""
    channel: Literal["browser", "server", "mobile"] | None = None
    """Where the message came from."""
    device: ContextDevice | None = None
    """The device."""
    ip: str | None = None
    """IP address of the person."""
    library: ContextLibrary | None = None
    """The library that sent the message."""
    locale: str | None = None
    """Locale, for example ``en-US``."""
    location: ContextLocation | None = None
    """Location."""
    network: ContextNetwork | None = None
    """Network."""
    os: ContextOS | None = None
    """Operating system."""
    page: ContextPage | None = None
    """Web page."""
    referrer: ContextReferrer | None = None
    """Referrer."""
    screen: ContextScreen | None = None
    """Screen."""
    group_id: str | None = None
    """Group (object) the message relates to."""
    timezone: str | None = None
    """IANA timezone, for example ``Europe/Berlin``."""
    user_agent: str | None = None
    """Browser user agent."""
    traits: Traits = None
    """Traits of the person to attach to this message."""
