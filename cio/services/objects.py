"""``client.objects``: objects (groups) and their relationships to people.

Customer.io calls groups "objects"; a ``group`` call creates or updates one, and with a
``userId`` also relates that person to it.

Object-only operations and ``anonymousId``
------------------------------------------
The API's ``group`` schema has two forms, "Known User" (with ``userId``) and
"Anonymous User" (with ``anonymousId``); every message needs one of the two ids. So
``create``/``update`` without ``user_id`` send an ``anonymousId``: a fresh random UUID
per call unless you pass ``anonymous_id=``. A fresh value rather than a fixed one,
because Customer.io's destination relates the anonymous profile named in a ``group``
call to the object; a random id that is never identified cannot later tie one person
to every object created this way.

``Object Deleted`` also requires an ``anonymousId``, but Customer.io documents that it
ignores the value, so ``delete`` leaves it to the event model's fixed placeholder
(``OBJECT_DELETION_ANONYMOUS_ID`` in ``cio._constants``) unless you pass one.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from cio._constants import (
    DEFAULT_OBJECT_TYPE_ID,
    EVENT_OBJECT_DELETED,
    EVENT_RELATIONSHIP_DELETED,
)
from cio.models import Group, Track
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
    require_id,
    semantic,
)

__all__ = ["ObjectsService"]

logger = logging.getLogger(__name__)

_OBJECT_ID = "objectId"
_OBJECT_TYPE_ID = "objectTypeId"
_RELATIONSHIP_ATTRIBUTES = "relationshipAttributes"
_RESERVED_ATTRIBUTES = (_OBJECT_TYPE_ID, "object_type_id", _RELATIONSHIP_ATTRIBUTES)

ObjectTypeId = str | int


def _fresh_anonymous_id() -> str:
    """A fresh random ``anonymousId`` for calls that involve no person (module notes)."""
    return str(uuid.uuid4())


def _object_type_id(value: object, loc: tuple[str, ...], summary: str) -> str:
    """Check an object type id (a positive integer, as int or digit string); return it as str."""
    text = str(value).strip() if isinstance(value, (str, int)) else ""
    if isinstance(value, bool) or not text.isdigit() or int(text) < 1:
        raise fail(
            summary,
            loc,
            "object_type_id must be a positive integer (or its string)",
            "object_type_id",
        )
    return str(int(text))


def _object_traits(
    attributes: Mapping[str, Any] | None, object_type_id: str, summary: str
) -> dict[str, Any] | Mapping[str, Any] | None:
    """Object attributes plus ``objectTypeId``, refusing the keys this service sets."""
    if attributes is not None and not isinstance(attributes, Mapping):
        return attributes  # the model reports the wrong type
    for key in _RESERVED_ATTRIBUTES:
        if attributes is not None and key in attributes:
            raise fail(
                summary,
                ("traits", key),
                "set by the service; pass object_type_id= or use create_relationship()",
                "reserved_key",
            )
    return {**(attributes or {}), _OBJECT_TYPE_ID: object_type_id}


class ObjectsService(ServiceBase):
    """Objects: ``create``, ``update``, ``delete`` and relationships to people.

    Reach it as ``client.objects``. Every method takes either a ready model or keyword
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
    >>> client.objects.create("acme", attributes={"name": "Acme"}).path
    '/group'
    """

    @envelope_options
    def create(
        self,
        object_id: str | Group | None,
        object_type_id: ObjectTypeId = DEFAULT_OBJECT_TYPE_ID,
        attributes: Mapping[str, Any] | None = None,
        user_id: str | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Create an object, or update it if it exists (``POST /group``).

        The attributes go in ``traits`` and the type in ``traits.objectTypeId``. With a
        ``user_id`` the person is also related to the object; without one an
        ``anonymousId`` is sent (see the module notes).

        Parameters
        ----------
        object_id : str or Group
            The object's id (``groupId``), or a ready :class:`cio.models.Group`.
        object_type_id : str or int
            The object type, a positive integer ("1" by default).
        attributes : mapping, optional
            Object attributes; ``None`` as a value clears one.
        user_id : str, optional
            A person to relate to the object.
        anonymous_id : str, optional
            The ``anonymousId`` to send when there is no ``user_id``; a random UUID
            by default.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the object id is missing, the type id is not a
            positive integer, or an argument has the wrong type.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.objects.create("acme", "2", {"name": "Acme"})
        >>> body = transport.requests[0].json
        >>> body["groupId"], body["traits"]
        ('acme', {'name': 'Acme', 'objectTypeId': '2'})
        """
        return self._upsert(
            "objects.create",
            object_id,
            object_type_id=object_type_id,
            attributes=attributes,
            user_id=user_id,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def update(
        self,
        object_id: str | Group | None,
        object_type_id: ObjectTypeId = DEFAULT_OBJECT_TYPE_ID,
        attributes: Mapping[str, Any] | None = None,
        user_id: str | None = None,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Update an object's attributes, creating it if needed (``POST /group``).

        The API has one call for both, so this sends exactly what :meth:`create`
        sends; the two names keep calling code readable. Attributes not given are
        left as they are.

        Parameters
        ----------
        object_id : str or Group
            The object's id, or a ready :class:`cio.models.Group`.
        object_type_id : str or int
            The object type ("1" by default).
        attributes : mapping, optional
            Attributes to set; ``None`` as a value clears one.
        user_id : str, optional
            A person to relate to the object.
        anonymous_id
            As for :meth:`create`.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, for the same reasons as :meth:`create`.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.objects.update("acme", attributes={"plan": "enterprise"})
        >>> transport.requests[0].json["traits"]
        {'plan': 'enterprise', 'objectTypeId': '1'}
        """
        return self._upsert(
            "objects.update",
            object_id,
            object_type_id=object_type_id,
            attributes=attributes,
            user_id=user_id,
            anonymous_id=anonymous_id,
            common=envelope(options),
        )

    @envelope_options
    def delete(
        self,
        object_id: str | Track | None,
        object_type_id: ObjectTypeId = DEFAULT_OBJECT_TYPE_ID,
        *,
        anonymous_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Delete an object (an ``Object Deleted`` track event).

        The object is named in ``properties.objectId`` and ``properties.objectTypeId``
        (an integer, as the API document types it); the required ``anonymousId`` is a
        fixed placeholder unless you pass one, since Customer.io ignores its value.

        Parameters
        ----------
        object_id : str or Track
            The object's id, or a ready ``Object Deleted`` model.
        object_type_id : str or int
            The object type ("1" by default).
        anonymous_id : str, optional
            The ``anonymousId`` to send; a fixed placeholder by default.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the object id is missing or the type id invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.objects.delete("acme")
        >>> body = transport.requests[0].json
        >>> body["event"], body["properties"]["objectId"], "anonymousId" in body
        ('Object Deleted', 'acme', True)
        """
        summary = "invalid objects.delete call"
        common = envelope(options)
        ready = ready_model(object_id, Track, summary, {"anonymous_id": anonymous_id, **common})
        if ready is not None:
            check_event(
                ready, [EVENT_OBJECT_DELETED], summary, f"an {EVENT_OBJECT_DELETED!r} event"
            )
            return self._send(ready)
        require_id(object_id, ("properties", _OBJECT_ID), summary, hint="pass object_id")
        type_id = _object_type_id(object_type_id, ("properties", _OBJECT_TYPE_ID), summary)
        fields = {
            "anonymous_id": anonymous_id,
            "properties": {_OBJECT_ID: object_id, _OBJECT_TYPE_ID: type_id},
            **common,
        }
        return self._send(semantic(EVENT_OBJECT_DELETED, summary, fields))

    @envelope_options
    def create_relationship(
        self,
        user_id: str | Group | None,
        object_id: str | None = None,
        object_type_id: ObjectTypeId = DEFAULT_OBJECT_TYPE_ID,
        attributes: Mapping[str, Any] | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Relate a person to an object (``POST /group`` with ``userId``).

        The relationship's own attributes go in ``traits.relationshipAttributes``; the
        object's attributes are not changed.

        Parameters
        ----------
        user_id : str or Group
            The person, or a ready :class:`cio.models.Group` with a ``userId``.
        object_id : str
            The object's id.
        object_type_id : str or int
            The object type ("1" by default).
        attributes : mapping, optional
            Attributes of the relationship (for example ``{"role": "admin"}``).
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when an id is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.objects.create_relationship("42", "acme", attributes={"role": "admin"})
        >>> transport.requests[0].json["traits"]
        {'objectTypeId': '1', 'relationshipAttributes': {'role': 'admin'}}
        """
        summary = "invalid objects.create_relationship call"
        common = envelope(options)
        others = {"object_id": object_id, "attributes": attributes, **common}
        ready = ready_model(user_id, Group, summary, others)
        if ready is not None:
            require_id(ready.user_id, "user_id", summary, hint="a relationship needs a person")
            return self._send(ready)
        require_id(user_id, "user_id", summary)
        require_id(object_id, "group_id", summary, hint="pass object_id")
        type_id = _object_type_id(object_type_id, ("traits", _OBJECT_TYPE_ID), summary)
        traits: dict[str, Any] = {_OBJECT_TYPE_ID: type_id}
        if attributes is not None:
            traits[_RELATIONSHIP_ATTRIBUTES] = attributes
        fields = {"user_id": user_id, "group_id": object_id, "traits": traits, **common}
        return self._send(build(Group, summary, fields))

    @envelope_options
    def delete_relationship(
        self,
        user_id: str | Track | None,
        object_id: str | None = None,
        object_type_id: ObjectTypeId = DEFAULT_OBJECT_TYPE_ID,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Remove a person's relationship to an object (``Relationship Deleted``).

        Parameters
        ----------
        user_id : str or Track
            The person, or a ready ``Relationship Deleted`` model.
        object_id : str
            The object's id (sent as ``properties.objectId``).
        object_type_id : str or int
            The object type ("1" by default).
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when an id is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.objects.delete_relationship("42", "acme")
        >>> body = transport.requests[0].json
        >>> body["event"], body["userId"], body["properties"]["objectId"]
        ('Relationship Deleted', '42', 'acme')
        """
        summary = "invalid objects.delete_relationship call"
        common = envelope(options)
        ready = ready_model(user_id, Track, summary, {"object_id": object_id, **common})
        if ready is not None:
            check_event(
                ready,
                [EVENT_RELATIONSHIP_DELETED],
                summary,
                f"a {EVENT_RELATIONSHIP_DELETED!r} event",
            )
            return self._send(ready)
        require_id(user_id, "user_id", summary)
        require_id(object_id, ("properties", _OBJECT_ID), summary, hint="pass object_id")
        type_id = _object_type_id(object_type_id, ("properties", _OBJECT_TYPE_ID), summary)
        fields = {
            "user_id": user_id,
            "properties": {_OBJECT_ID: object_id, _OBJECT_TYPE_ID: type_id},
            **common,
        }
        return self._send(semantic(EVENT_RELATIONSHIP_DELETED, summary, fields))

    def _upsert(
        self,
        method: str,
        object_id: str | Group | None,
        *,
        object_type_id: ObjectTypeId,
        attributes: Mapping[str, Any] | None,
        user_id: str | None,
        anonymous_id: str | None,
        common: dict[str, Any],
    ) -> SendResult:
        summary = f"invalid {method} call"
        others = {
            "attributes": attributes,
            "user_id": user_id,
            "anonymous_id": anonymous_id,
            **common,
        }
        if object_type_id != DEFAULT_OBJECT_TYPE_ID:
            others["object_type_id"] = object_type_id
        ready = ready_model(object_id, Group, summary, others)
        if ready is not None:
            return self._send(ready)
        require_id(object_id, "group_id", summary, hint="pass object_id")
        type_id = _object_type_id(object_type_id, ("traits", _OBJECT_TYPE_ID), summary)
        if user_id is None and anonymous_id is None:
            anonymous_id = _fresh_anonymous_id()
        fields = {
            "group_id": object_id,
            "traits": _object_traits(attributes, type_id, summary),
            "user_id": user_id,
            "anonymous_id": anonymous_id,
            **common,
        }
        return self._send(build(Group, summary, fields))
