"""Mobile app lifecycle semantic events (the SDKs send several of them for you).

``Application Backgrounded``, ``Foregrounded``, ``Uninstalled`` and ``Crashed`` have
no documented properties; their ``properties`` stay a free-form object.
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from typing_extensions import TypedDict

from cio._constants import SEMANTIC_FAMILY_MOBILE
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import RECOMMENDED, add_help

__all__ = [
    "AppInstalledProperties",
    "AppOpenedProperties",
    "AppUpdatedProperties",
    "ApplicationBackgrounded",
    "ApplicationCrashed",
    "ApplicationForegrounded",
    "ApplicationInstalled",
    "ApplicationInstalledProperties",
    "ApplicationOpened",
    "ApplicationOpenedProperties",
    "ApplicationUninstalled",
    "ApplicationUpdated",
    "ApplicationUpdatedProperties",
]


class AppInstalledProperties(TypedDict, total=False):
    """The app version installed."""

    version: str
    """The app version."""
    build: str
    """The app build."""


class AppOpenedProperties(AppInstalledProperties, total=False):
    """How the app was opened."""

    from_background: bool
    """Whether the app came back from the background."""
    url: str
    """The launch URL (iOS ``UIApplicationLaunchOptionsURLKey``)."""


class AppUpdatedProperties(AppInstalledProperties, total=False):
    """The version a person updated from and to."""

    previous_version: str
    """The version updated from."""
    previous_build: str
    """The build updated from."""


class _Mobile(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_MOBILE


class ApplicationInstalledProperties(AppInstalledProperties, total=False):
    """Recommended properties of ``Application Installed``."""


@register_semantic_event
class ApplicationInstalled(_Mobile):
    """The app was opened for the first time.

    Example
    -------
    >>> ApplicationInstalled(
    ...     anonymous_id="a-1", properties={"version": "1.2", "build": "7"}
    ... ).to_payload()["properties"]
    {'version': '1.2', 'build': '7'}
    """

    event: Literal["Application Installed"] = "Application Installed"
    """Always ``Application Installed``."""
    properties: Annotated[ApplicationInstalledProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The version installed."""


class ApplicationOpenedProperties(AppOpenedProperties, total=False):
    """Recommended properties of ``Application Opened``."""


@register_semantic_event
class ApplicationOpened(_Mobile):
    """The app was opened (after the first time)."""

    event: Literal["Application Opened"] = "Application Opened"
    """Always ``Application Opened``."""
    properties: Annotated[ApplicationOpenedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """How it was opened."""


@register_semantic_event
class ApplicationBackgrounded(_Mobile):
    """The app went to the background."""

    event: Literal["Application Backgrounded"] = "Application Backgrounded"
    """Always ``Application Backgrounded``."""


@register_semantic_event
class ApplicationForegrounded(_Mobile):
    """The app came back from the background."""

    event: Literal["Application Foregrounded"] = "Application Foregrounded"
    """Always ``Application Foregrounded``."""


class ApplicationUpdatedProperties(AppUpdatedProperties, total=False):
    """Recommended properties of ``Application Updated``."""


@register_semantic_event
class ApplicationUpdated(_Mobile):
    """The app was opened after an update."""

    event: Literal["Application Updated"] = "Application Updated"
    """Always ``Application Updated``."""
    properties: Annotated[ApplicationUpdatedProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The versions before and after."""


@register_semantic_event
class ApplicationUninstalled(_Mobile):
    """The app was uninstalled."""

    event: Literal["Application Uninstalled"] = "Application Uninstalled"
    """Always ``Application Uninstalled``."""


@register_semantic_event
class ApplicationCrashed(_Mobile):
    """The app crashed."""

    event: Literal["Application Crashed"] = "Application Crashed"
    """Always ``Application Crashed``."""


add_help(globals())
