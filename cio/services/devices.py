"""``client.devices``: the push devices of people.

Devices are managed with two semantic track events, ``Device Created or Updated`` and
``Device Deleted``. The OpenAPI document puts the token in ``context.device.token`` and
the platform in ``context.device.type``. It does not say where other device attributes
go; Customer.io's destination reads a device's attributes from the event's
``properties``, so that is where ``attributes=`` is sent.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

import pydantic
from typing_extensions import Unpack

from cio._constants import EVENT_DEVICE_CREATED_OR_UPDATED, EVENT_DEVICE_DELETED
from cio.models import Track
from cio.models.context import Context
from cio.services._base import (
    ContextInput,
    EnvelopeOptions,
    SendResult,
    ServiceBase,
    check_event,
    envelope,
    envelope_options,
    fail,
    ready_model,
    require_id,
    semantic,
)

__all__ = ["DevicesService"]

logger = logging.getLogger(__name__)

_DEVICE = "device"
_TOKEN = "token"
_TYPE = "type"


def _device_context(
    context: ContextInput | None, token: str, device_type: str | None, summary: str
) -> dict[str, Any] | object:
    """The context with ``device.token`` (and ``device.type``) set, refusing contradictions."""
    if isinstance(context, pydantic.BaseModel) and isinstance(context, Context):
        merged: dict[str, Any] = context.to_payload()
    elif context is None:
        merged = {}
    elif isinstance(context, Mapping):
        merged = dict(context)
    else:
        return context  # the model reports the wrong type
    device = merged.get(_DEVICE)
    if device is None:
        device = {}
    elif isinstance(device, Mapping):
        device = dict(device)
    else:
        return merged  # the model reports the wrong type
    for key, value in ((_TOKEN, token), (_TYPE, device_type)):
        if value is None:
            continue
        if device.get(key) is not None and device[key] != value:
            raise fail(
                summary,
                ("context", _DEVICE, key),
                f"context.device.{key} disagrees with the argument; give it once",
                "conflict",
            )
        device[key] = value
    merged[_DEVICE] = device
    return merged


class DevicesService(ServiceBase):
    """Devices: ``add``, ``update`` and ``delete`` a person's push device.

    Reach it as ``client.devices``. Every method takes either a ready model or keyword
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
    >>> client.devices.add("42", "apns-token", "ios").path
    '/track'
    """

    @envelope_options
    def add(
        self,
        user_id: str | Track | None,
        token: str | None = None,
        device_type: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Add a device to a person, or update it (``Device Created or Updated``).

        Parameters
        ----------
        user_id : str or Track
            The person, or a ready ``Device Created or Updated`` model.
        token : str
            The push token (APNs or FCM); sent as ``context.device.token``.
        device_type : str, optional
            The platform, ``"ios"`` or ``"android"``; sent as ``context.device.type``.
        attributes : mapping, optional
            Device attributes (for example ``{"app_version": "2.1"}``); sent as the
            event's ``properties`` (see the module notes).
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the person or token is missing, or an argument has the
            wrong type or contradicts ``context``.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.devices.add("42", "apns-token", "ios", {"app_version": "2.1"})
        >>> body = transport.requests[0].json
        >>> body["context"]["device"], body["properties"]
        ({'type': 'ios', 'token': 'apns-token'}, {'app_version': '2.1'})
        """
        return self._device_event(
            EVENT_DEVICE_CREATED_OR_UPDATED,
            "devices.add",
            user_id,
            token=token,
            device_type=device_type,
            attributes=attributes,
            common=envelope(options),
        )

    @envelope_options
    def update(
        self,
        user_id: str | Track | None,
        token: str | None = None,
        device_type: str | None = None,
        attributes: Mapping[str, Any] | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Update a person's device, adding it if needed (``Device Created or Updated``).

        The API has one event for both, so this sends exactly what :meth:`add` sends.

        Parameters
        ----------
        user_id : str or Track
            The person, or a ready ``Device Created or Updated`` model.
        token : str
            The push token.
        device_type : str, optional
            The platform, ``"ios"`` or ``"android"``.
        attributes : mapping, optional
            Device attributes to set.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, for the same reasons as :meth:`add`.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.devices.update("42", "fcm-token", attributes={"push_enabled": False})
        >>> transport.requests[0].json["event"]
        'Device Created or Updated'
        """
        return self._device_event(
            EVENT_DEVICE_CREATED_OR_UPDATED,
            "devices.update",
            user_id,
            token=token,
            device_type=device_type,
            attributes=attributes,
            common=envelope(options),
        )

    @envelope_options
    def delete(
        self,
        user_id: str | Track | None,
        token: str | None = None,
        device_type: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Remove a device from a person (``Device Deleted``).

        Parameters
        ----------
        user_id : str or Track
            The person, or a ready ``Device Deleted`` model.
        token : str
            The push token; sent as ``context.device.token``.
        device_type : str, optional
            The platform, ``"ios"`` or ``"android"``.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the person or token is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.devices.delete("42", "apns-token")
        >>> body = transport.requests[0].json
        >>> body["event"], body["context"]["device"]["token"]
        ('Device Deleted', 'apns-token')
        """
        return self._device_event(
            EVENT_DEVICE_DELETED,
            "devices.delete",
            user_id,
            token=token,
            device_type=device_type,
            attributes=None,
            common=envelope(options),
        )

    def _device_event(
        self,
        event: str,
        method: str,
        user_id: str | Track | None,
        *,
        token: str | None,
        device_type: str | None,
        attributes: Mapping[str, Any] | None,
        common: dict[str, Any],
    ) -> SendResult:
        summary = f"invalid {method} call"
        others = {"token": token, "device_type": device_type, "attributes": attributes, **common}
        ready = ready_model(user_id, Track, summary, others)
        if ready is not None:
            check_event(ready, [event], summary, f"a {event!r} event")
            return self._send(ready)
        require_id(user_id, "user_id", summary)
        if token is None:
            raise fail(summary, ("context", _DEVICE, _TOKEN), "token is required", "missing")
        fields = {
            **common,
            "user_id": user_id,
            "properties": attributes,
            "context": _device_context(common["context"], token, device_type, summary),
        }
        return self._send(semantic(event, summary, fields))
