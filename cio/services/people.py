"""``client.people``: create, update, delete, suppress and merge people.

Identifying by email
--------------------
Whether an email address can identify a person depends on the workspace's settings
(Customer.io workspaces identify people by id, by email, or by either). Sending an
email as ``userId`` to a workspace that identifies people by id creates a person whose
id is an address, which cannot be undone by a later identify with the real id. So
:meth:`PeopleService.identify` never guesses: ``email=`` alone is refused, and the email
becomes the ``userId`` only when the caller says so with ``email_as_user_id=True``.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from typing_extensions import Unpack

from cio._constants import EVENT_USER_DELETED, EVENT_USER_SUPPRESSED, EVENT_USER_UNSUPPRESSED
from cio.models import Alias, Identify, Track
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

__all__ = ["PeopleService"]

logger = logging.getLogger(__name__)

_EMAIL_TRAIT = "email"


class PeopleService(ServiceBase):
    """People: ``identify``, ``delete``, ``suppress``, ``unsuppress`` and ``merge``.

    Reach it as ``client.people``. Every method takes either a ready model or keyword
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
    >>> client.people.identify("42", {"plan": "pro"}).path
    '/identify'
    """

    @envelope_options
    def identify(
        self,
        user_id: str | Identify | None = None,
        traits: Mapping[str, Any] | None = None,
        *,
        anonymous_id: str | None = None,
        email: str | None = None,
        email_as_user_id: bool = False,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Create or update a person and their traits (``POST /identify``).

        Parameters
        ----------
        user_id : str or Identify, optional
            Your id for the person, or a ready :class:`cio.models.Identify` to send as
            it is (then pass nothing else).
        traits : mapping, optional
            Attributes of the person; a ``None`` value clears that attribute.
        anonymous_id : str, optional
            An id for a person you do not know yet; needed when ``user_id`` is not given.
        email : str, optional
            Sent as ``traits.email`` (checked to be a valid address).
        email_as_user_id : bool
            Also use ``email`` as the ``userId``. Only do this if your workspace
            identifies people by email; see the module notes.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when no id is given, an argument has the wrong type, or an
            email is invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> result = client.people.identify("42", {"plan": "pro"}, email="ada@example.com")
        >>> transport.requests[0].json["traits"]
        {'plan': 'pro', 'email': 'ada@example.com'}
        """
        summary = "invalid people.identify call"
        others = {
            "traits": traits,
            "anonymous_id": anonymous_id,
            "email": email,
            "email_as_user_id": email_as_user_id or None,
            **envelope(options),
        }
        ready = ready_model(user_id, Identify, summary, others)
        if ready is not None:
            return self._send(ready)
        merged_traits = _merge_email(traits, email, summary)
        if email_as_user_id:
            if email is None:
                raise fail(summary, ("email",), "email_as_user_id=True needs email", "missing")
            if user_id is not None:
                raise fail(
                    summary,
                    ("user_id",),
                    "give either user_id or email_as_user_id=True, not both",
                    "conflict",
                )
            user_id = email
        if user_id is None and anonymous_id is None:
            hint = (
                "pass user_id or anonymous_id, or email_as_user_id=True if your workspace "
                "identifies people by email"
                if email is not None
                else "pass user_id or anonymous_id"
            )
            raise fail(summary, ("user_id",), f"an id is required; {hint}", "missing")
        fields = {**others, "traits": merged_traits, "user_id": user_id}
        del fields["email"], fields["email_as_user_id"]
        message = build(Identify, summary, fields)
        return self._send(message)

    @envelope_options
    def delete(
        self,
        user_id: str | Track | None,
        *,
        properties: Mapping[str, Any] | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Delete a person (a ``User Deleted`` track event).

        Parameters
        ----------
        user_id : str or Track
            The person's id (or email address, which Customer.io looks up), or a ready
            ``User Deleted`` model.
        properties : mapping, optional
            Event properties; Customer.io ignores them, other destinations may not.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the id is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.people.delete("42")
        >>> transport.requests[0].json["event"]
        'User Deleted'
        """
        return self._person_event(
            EVENT_USER_DELETED,
            "people.delete",
            user_id,
            properties,
            envelope(options),
        )

    @envelope_options
    def suppress(
        self,
        user_id: str | Track | None,
        *,
        properties: Mapping[str, Any] | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Delete a person and stop them being added again (``User Suppressed``).

        Customer.io recommends this only for compliance requests (for example a GDPR
        request to be forgotten).

        Parameters
        ----------
        user_id : str or Track
            The person's id, or a ready ``User Suppressed`` model.
        properties : mapping, optional
            Event properties.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the id is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.people.suppress("42")
        >>> transport.requests[0].json["event"]
        'User Suppressed'
        """
        return self._person_event(
            EVENT_USER_SUPPRESSED,
            "people.suppress",
            user_id,
            properties,
            envelope(options),
        )

    @envelope_options
    def unsuppress(
        self,
        user_id: str | Track | None,
        *,
        properties: Mapping[str, Any] | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Allow a suppressed id to be added again (``User Unsuppressed``).

        Nothing of the old profile is restored.

        Parameters
        ----------
        user_id : str or Track
            The person's id, or a ready ``User Unsuppressed`` model.
        properties : mapping, optional
            Event properties.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the id is missing or invalid.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.people.unsuppress("42")
        >>> transport.requests[0].json["event"]
        'User Unsuppressed'
        """
        return self._person_event(
            EVENT_USER_UNSUPPRESSED,
            "people.unsuppress",
            user_id,
            properties,
            envelope(options),
        )

    @envelope_options
    def merge(
        self,
        primary_id: str | Alias | None,
        secondary_id: str | None = None,
        **options: Unpack[EnvelopeOptions],
    ) -> SendResult:
        """Merge the secondary profile into the primary one (``POST /alias``).

        The primary id becomes ``userId`` and the secondary ``previousId``; the
        secondary profile is removed after the merge.

        Parameters
        ----------
        primary_id : str or Alias
            The id that remains, or a ready :class:`cio.models.Alias`.
        secondary_id : str
            The id merged into the primary profile.
        **options
            The envelope options ``timestamp``, ``context``, ``integrations`` and
            ``message_id``, by name (see :class:`cio.services.EnvelopeOptions`).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when an id is missing or invalid, or both ids are the same.
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.people.merge("42", "old-7")
        >>> body = transport.requests[0].json
        >>> body["userId"], body["previousId"]
        ('42', 'old-7')
        """
        summary = "invalid people.merge call"
        common = envelope(options)
        ready = ready_model(primary_id, Alias, summary, {"secondary_id": secondary_id, **common})
        if ready is not None:
            return self._send(ready)
        require_id(primary_id, "user_id", summary, hint="pass primary_id")
        require_id(secondary_id, "previous_id", summary, hint="pass secondary_id")
        message = build(
            Alias, summary, {"user_id": primary_id, "previous_id": secondary_id, **common}
        )
        if message.user_id == message.previous_id:
            raise fail(
                summary, ("previous_id",), "secondary_id must differ from primary_id", "conflict"
            )
        return self._send(message)

    def _person_event(
        self,
        event: str,
        method: str,
        user_id: str | Track | None,
        properties: Mapping[str, Any] | None,
        common: dict[str, Any],
    ) -> SendResult:
        summary = f"invalid {method} call"
        ready = ready_model(user_id, Track, summary, {"properties": properties, **common})
        if ready is not None:
            check_event(ready, [event], summary, f"a {event!r} event")
            return self._send(ready)
        require_id(user_id, "user_id", summary)
        message = semantic(event, summary, {"user_id": user_id, "properties": properties, **common})
        return self._send(message)


def _merge_email(
    traits: Mapping[str, Any] | None, email: str | None, summary: str
) -> Mapping[str, Any] | None:
    """Add ``email`` to the traits, refusing a different ``traits["email"]``."""
    if email is None:
        return traits
    if traits is not None and not isinstance(traits, Mapping):
        return traits  # the model reports the wrong type
    existing = None if traits is None else traits.get(_EMAIL_TRAIT)
    if existing is not None and existing != email:
        raise fail(
            summary,
            ("traits", _EMAIL_TRAIT),
            "traits['email'] and email= disagree; give the address once",
            "conflict",
        )
    return {**(traits or {}), _EMAIL_TRAIT: email}
