"""``client.events``: custom events, page and screen views, and semantic event families.

A family method (``ecommerce``, ``email``, ``mobile``, ``video``, ``live_chat``) sends
only the event names of its family, as listed in :data:`cio.models.SEMANTIC_FAMILIES`,
and validates the properties with that event's model. A name outside the family is
refused before sending, with the valid names listed. Custom events go through
:meth:`EventsService.track`, which accepts any name.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from cio._constants import (
    EVENT_EXPERIMENT_VIEWED,
    EVENT_REPORT_DELIVERY,
    SEMANTIC_FAMILY_ECOMMERCE,
    SEMANTIC_FAMILY_EMAIL,
    SEMANTIC_FAMILY_LIVE_CHAT,
    SEMANTIC_FAMILY_MOBILE,
    SEMANTIC_FAMILY_VIDEO,
)
from cio.models import SEMANTIC_EVENTS, SEMANTIC_FAMILIES, Page, Screen, Track
from cio.services._base import (
    EnvelopeOptions,
    SendResult,
    ServiceBase,
    build,
    check_event,
    envelope,
    envelope_options,
    fail,
    ready_model,
    semantic,
)

__all__ = ["EventsService"]

logger = logging.getLogger(__name__)

_IDENTITY_HINT = "pass user_id or anonymous_id"


def _require_identity(user_id: object, anonymous_id: object, summary: str) -> None:
    if user_id is None and anonymous_id is None:
        raise fail(summary, ("user_id",), f"an id is required; {_IDENTITY_HINT}", "missing")


class EventsService(ServiceBase):
    """Events: ``track``, ``page``, ``screen`` and one method per semantic family.

    Reach it as ``client.events``. Every method takes either a ready model or keyword
    arguments, validates before sending, and returns a :class:`cio.SendResult`.

    Parameters
    ----------
    client : Poster
        The client to send through.

    Example
    -------
    >>> from cio import CustomerIOClient
    >>> from cio.testing import RecordingTransport
    >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
    >>> client.events.track("42", "Signed Up").path
    '/track'
    """

    @envelope_options
    def track(
        self,
        user_id: str | Track | None = None,
        event: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Record something a person did (``POST /track``).

        Any event name is accepted. A semantic name (for example ``"Order Completed"``)
        is sent as that event's model, so its properties are checked.

        Parameters
        ----------
        user_id : str or Track, optional
            Your id for the person, or a ready :class:`cio.models.Track` (then pass
            nothing else).
        event : str
            The event name; surrounding spaces are trimmed, as the API does.
        properties : mapping, optional
            Event properties.
        anonymous_id : str, optional
            An id for a person you do not know yet; needed when ``user_id`` is not given.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the id or event name is missing or an argument has
            the wrong type.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.track("42", "Signed Up", {"plan": "pro"})
        >>> transport.requests[0].json["properties"]
        {'plan': 'pro'}
        """
        summary = "invalid events.track call"
        common = envelope(options)
        others = {"event": event, "properties": properties, "anonymous_id": anonymous_id, **common}
        ready = ready_model(user_id, Track, summary, others)
        if ready is not None:
            return self._send(ready)
        _require_identity(user_id, anonymous_id, summary)
        fields = {**others, "user_id": user_id}
        name = event.strip() if isinstance(event, str) else None
        if name is not None and name in SEMANTIC_EVENTS:
            del fields["event"]
            return self._send(semantic(name, summary, fields))
        return self._send(build(Track, summary, fields))

    @envelope_options
    def page(
        self,
        user_id: str | Page | None = None,
        name: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        category: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Record a web page view (``POST /page``).

        Parameters
        ----------
        user_id : str or Page, optional
            Your id for the person, or a ready :class:`cio.models.Page`.
        name : str, optional
            The page name.
        properties : mapping, optional
            Page properties such as ``url``, ``path``, ``title``, ``referrer``.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        category : str, optional
            The page category.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when no id is given or an argument has the wrong type.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.events.page("42", "Pricing", {"url": "https://example.com/pricing"}).path
        '/page'
        """
        return self._view(
            Page,
            "events.page",
            user_id,
            {
                "name": name,
                "properties": properties,
                "anonymous_id": anonymous_id,
                "category": category,
                **envelope(options),
            },
        )

    @envelope_options
    def screen(
        self,
        user_id: str | Screen | None = None,
        name: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        category: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Record a mobile screen view (``POST /screen``).

        Parameters
        ----------
        user_id : str or Screen, optional
            Your id for the person, or a ready :class:`cio.models.Screen`.
        name : str, optional
            The screen name.
        properties : mapping, optional
            Screen properties.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        category : str, optional
            The screen category.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when no id is given or an argument has the wrong type.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.events.screen("42", "Settings").path
        '/screen'
        """
        return self._view(
            Screen,
            "events.screen",
            user_id,
            {
                "name": name,
                "properties": properties,
                "anonymous_id": anonymous_id,
                "category": category,
                **envelope(options),
            },
        )

    @envelope_options
    def ecommerce(
        self,
        event_name: str | Track | None,
        user_id: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Send an ecommerce semantic event (``POST /track``).

        Parameters
        ----------
        event_name : str or Track
            One of ``SEMANTIC_FAMILIES["ecommerce"]``, or a ready model of such an event.
        user_id : str, optional
            Your id for the person; or pass ``anonymous_id``.
        properties : mapping, optional
            Event properties, checked against the event's model.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the name is not in the family (the error lists the
            valid names), an id is missing, or the properties do not fit the event.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.ecommerce("Order Completed", "42", {"order_id": "o-1", "total": 30.5})
        >>> transport.requests[0].json["event"]
        'Order Completed'
        """
        return self._family_event(
            SEMANTIC_FAMILY_ECOMMERCE,
            "events.ecommerce",
            event_name,
            user_id=user_id,
            properties=properties,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def email(
        self,
        event_name: str | Track | None,
        user_id: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Send an email semantic event (``POST /track``).

        Parameters
        ----------
        event_name : str or Track
            One of ``SEMANTIC_FAMILIES["email"]``, or a ready model of such an event.
        user_id : str, optional
            Your id for the person; or pass ``anonymous_id``.
        properties : mapping, optional
            Event properties, checked against the event's model.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the name is not in the family (the error lists the
            valid names), an id is missing, or the properties do not fit the event.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.email("Email Opened", "42", {"email_id": "e-1"})
        >>> transport.requests[0].json["event"]
        'Email Opened'
        """
        return self._family_event(
            SEMANTIC_FAMILY_EMAIL,
            "events.email",
            event_name,
            user_id=user_id,
            properties=properties,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def mobile(
        self,
        event_name: str | Track | None,
        user_id: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Send a mobile app semantic event (``POST /track``).

        Parameters
        ----------
        event_name : str or Track
            One of ``SEMANTIC_FAMILIES["mobile"]``, or a ready model of such an event.
        user_id : str, optional
            Your id for the person; or pass ``anonymous_id``.
        properties : mapping, optional
            Event properties, checked against the event's model.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the name is not in the family (the error lists the
            valid names), an id is missing, or the properties do not fit the event.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.mobile("Application Installed", "42", {"version": "1.2.0"})
        >>> transport.requests[0].json["event"]
        'Application Installed'
        """
        return self._family_event(
            SEMANTIC_FAMILY_MOBILE,
            "events.mobile",
            event_name,
            user_id=user_id,
            properties=properties,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def video(
        self,
        event_name: str | Track | None,
        user_id: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Send a video semantic event (``POST /track``).

        Parameters
        ----------
        event_name : str or Track
            One of ``SEMANTIC_FAMILIES["video"]``, or a ready model of such an event.
        user_id : str, optional
            Your id for the person; or pass ``anonymous_id``.
        properties : mapping, optional
            Event properties, checked against the event's model.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the name is not in the family (the error lists the
            valid names), an id is missing, or the properties do not fit the event.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.video("Video Playback Started", "42", {"session_id": "s-1"})
        >>> transport.requests[0].json["event"]
        'Video Playback Started'
        """
        return self._family_event(
            SEMANTIC_FAMILY_VIDEO,
            "events.video",
            event_name,
            user_id=user_id,
            properties=properties,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def live_chat(
        self,
        event_name: str | Track | None,
        user_id: str | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Send a live chat semantic event (``POST /track``).

        Parameters
        ----------
        event_name : str or Track
            One of ``SEMANTIC_FAMILIES["live_chat"]``, or a ready model of such an event.
        user_id : str, optional
            Your id for the person; or pass ``anonymous_id``.
        properties : mapping, optional
            Event properties, checked against the event's model.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the name is not in the family (the error lists the
            valid names), an id is missing, or the properties do not fit the event.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> event = "Live Chat Conversation Started"
        >>> _ = client.events.live_chat(event, "42", {"conversation_id": "c-1"})
        >>> transport.requests[0].json["event"]
        'Live Chat Conversation Started'
        """
        return self._family_event(
            SEMANTIC_FAMILY_LIVE_CHAT,
            "events.live_chat",
            event_name,
            user_id=user_id,
            properties=properties,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def experiment_viewed(
        self,
        user_id: str | Track | None = None,
        properties: Mapping[str, Any] | None = None,
        *,
        experiment_id: str | None = None,
        experiment_name: str | None = None,
        variation_id: str | None = None,
        variation_name: str | None = None,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Record that a person saw a variant of an A/B test (``Experiment Viewed``).

        Parameters
        ----------
        user_id : str or Track, optional
            Your id for the person, or a ready ``Experiment Viewed`` model.
        properties : mapping, optional
            Other event properties.
        experiment_id, experiment_name, variation_id, variation_name : str, optional
            The test and the variant shown; sent as properties of the same names.
        anonymous_id : str, optional
            An id for a person you do not know yet.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when no id is given, an argument has the wrong type, or a
            named property is also in ``properties``.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.experiment_viewed("42", experiment_id="exp-1", variation_id="b")
        >>> transport.requests[0].json["properties"]
        {'experiment_id': 'exp-1', 'variation_id': 'b'}
        """
        summary = "invalid events.experiment_viewed call"
        named = {
            "experiment_id": experiment_id,
            "experiment_name": experiment_name,
            "variation_id": variation_id,
            "variation_name": variation_name,
        }
        common = envelope(options)
        others = {**named, "properties": properties, "anonymous_id": anonymous_id, **common}
        ready = ready_model(user_id, Track, summary, others)
        if ready is not None:
            check_event(ready, [EVENT_EXPERIMENT_VIEWED], summary, "an 'Experiment Viewed' event")
            return self._send(ready)
        _require_identity(user_id, anonymous_id, summary)
        merged = _merge_properties(properties, named, summary)
        fields = {"user_id": user_id, "anonymous_id": anonymous_id, "properties": merged, **common}
        return self._send(semantic(EVENT_EXPERIMENT_VIEWED, summary, fields))

    @envelope_options
    def report_delivery(
        self,
        delivery_id: str | Track | None,
        metric: str | None = None,
        *,
        recipient: str | None = None,
        reason: str | None = None,
        action_value: str | None = None,
        href: str | None = None,
        properties: Mapping[str, Any] | None = None,
        user_id: str | None = None,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Report what happened to a delivered message (``Report Delivery Event``).

        Customer.io traces the ``deliveryId`` back to the person and campaign; this is
        mostly used for in-app messages delivered, opened or clicked outside
        Customer.io.

        Parameters
        ----------
        delivery_id : str or Track
            The delivery's id, or a ready ``Report Delivery Event`` model.
        metric : str
            What happened, for example ``"delivered"``, ``"opened"``, ``"clicked"``
            or ``"converted"``.
        recipient : str, optional
            The recipient (device token, phone number, ...).
        reason : str, optional
            Why a delivery failed.
        action_value, href : str, optional
            For clicks: the action's value and the link clicked.
        properties : mapping, optional
            Other event properties.
        user_id, anonymous_id : str, optional
            The person, when you know them.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when ``delivery_id`` or ``metric`` is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.events.report_delivery("dlv-1", "opened", user_id="42")
        >>> transport.requests[0].json["properties"]
        {'deliveryId': 'dlv-1', 'metric': 'opened'}
        """
        summary = "invalid events.report_delivery call"
        named = {
            "deliveryId": delivery_id,
            "metric": metric,
            "recipient": recipient,
            "reason": reason,
            "actionValue": action_value,
            "href": href,
        }
        common = envelope(options)
        others = {
            **named,
            "properties": properties,
            "user_id": user_id,
            "anonymous_id": anonymous_id,
            **common,
        }
        del others["deliveryId"]
        ready = ready_model(delivery_id, Track, summary, others)
        if ready is not None:
            check_event(
                ready, [EVENT_REPORT_DELIVERY], summary, f"a {EVENT_REPORT_DELIVERY!r} event"
            )
            return self._send(ready)
        if delivery_id is None:
            raise fail(summary, ("properties", "deliveryId"), "delivery_id is required", "missing")
        if metric is None:
            raise fail(summary, ("properties", "metric"), "metric is required", "missing")
        merged = _merge_properties(properties, named, summary)
        fields = {"user_id": user_id, "anonymous_id": anonymous_id, "properties": merged, **common}
        return self._send(semantic(EVENT_REPORT_DELIVERY, summary, fields))

    def _view(
        self, model: type[Page] | type[Screen], method: str, user_id: object, others: dict[str, Any]
    ) -> SendResult:
        summary = f"invalid {method} call"
        ready = ready_model(user_id, model, summary, others)
        if ready is not None:
            return self._send(ready)
        _require_identity(user_id, others["anonymous_id"], summary)
        return self._send(build(model, summary, {**others, "user_id": user_id}))

    def _family_event(
        self,
        family: str,
        method: str,
        event_name: str | Track | None,
        *,
        user_id: str | None,
        properties: Mapping[str, Any] | None,
        anonymous_id: str | None,
        common: dict[str, Any],
    ) -> SendResult:
        summary = f"invalid {method} call"
        names = SEMANTIC_FAMILIES[family]
        others = {
            "user_id": user_id,
            "properties": properties,
            "anonymous_id": anonymous_id,
            **common,
        }
        ready = ready_model(event_name, Track, summary, others)
        if ready is not None:
            check_event(ready, names, summary, f"an event of the {family!r} family")
            return self._send(ready)
        if event_name is None:
            raise fail(summary, ("event",), "event_name is required", "missing")
        name = event_name.strip() if isinstance(event_name, str) else None
        if name not in names:
            listed = ", ".join(repr(item) for item in names)
            raise fail(
                summary,
                ("event",),
                f"not in the {family!r} family; expected one of {listed}",
                "event_name",
            )
        _require_identity(user_id, anonymous_id, summary)
        return self._send(semantic(name, summary, others))


def _merge_properties(
    properties: Mapping[str, Any] | None, named: Mapping[str, Any], summary: str
) -> dict[str, Any] | Mapping[str, Any] | None:
    """Add the named properties given as arguments, refusing duplicates in ``properties``."""
    given = {key: value for key, value in named.items() if value is not None}
    if not given:
        return properties
    if properties is not None and not isinstance(properties, Mapping):
        return properties  # the model reports the wrong type
    for key in given:
        if properties is not None and key in properties:
            raise fail(
                summary,
                ("properties", key),
                "given both as an argument and in properties; give it once",
                "conflict",
            )
    return {**(properties or {}), **given}
