"""What every service shares: the result type and the model -> request -> result road.

A service method builds (or receives) one model, hands it to :func:`cio.models.intake`
(which serializes it once and refuses messages over 32 KB before anything is sent), and
hands the bytes to ``client.post(path, body)``. Services know API paths, not HTTP.

Every bad argument becomes a :class:`cio.ValidationError` raised before any request;
like pydantic's errors in this library, it says where and why but never echoes a value.
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from http import HTTPStatus
from typing import Any, Protocol, TypedDict, TypeVar

import pydantic

from cio._transport import Response
from cio.errors import ErrorDetail, ValidationError
from cio.models import Accepted, Message, Track, intake, semantic_event
from cio.models.context import Context

__all__ = [
    "ENVELOPE_OPTIONS",
    "EnvelopeOptions",
    "Poster",
    "SendResult",
    "ServiceBase",
    "build",
    "check_event",
    "envelope",
    "envelope_options",
    "fail",
    "ready_model",
    "require_id",
    "semantic",
    "send_accepted",
    "send_message",
]

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=Message)

Timestamp = datetime | str
ContextInput = Context | Mapping[str, Any]


class Poster(Protocol):
    """What a service needs from the client: one method that posts JSON bytes."""

    def post(self, path: str, body: bytes) -> Response:
        """Send ``body`` to ``path`` and return the response (raising mapped errors)."""
        ...


@dataclass(frozen=True, slots=True)
class SendResult:
    """What a single send did: the message ids sent, the HTTP status, the path.

    Parameters
    ----------
    message_ids : tuple of str
        The ``messageId`` of every message in the request (one for a single call).
    status_code : int
        HTTP status the API answered.
    path : str
        The API path, for example ``/identify``.
    attempts : int
        How many attempts the transport made (1 unless it retried).
    warnings : tuple of ErrorDetail
        What the API accepted but is probably a mistake, located (for example
        ``traits.email``); empty when nothing looked wrong.

    Example
    -------
    >>> result = SendResult(message_ids=("m-1",), status_code=200, path="/track")
    >>> result.message_id, result.ok
    ('m-1', True)
    """

    message_ids: tuple[str, ...]
    status_code: int
    path: str
    attempts: int = 1
    warnings: tuple[ErrorDetail, ...] = ()

    @property
    def message_id(self) -> str:
        """The first (for a single call, the only) message id."""
        return self.message_ids[0]

    @property
    def ok(self) -> bool:
        """Whether the API answered with a 2xx status."""
        return HTTPStatus.OK <= self.status_code < HTTPStatus.MULTIPLE_CHOICES


class ServiceBase:
    """Holds the client a service posts through.

    Parameters
    ----------
    client : Poster
        Usually the :class:`cio.CustomerIOClient` that owns the service.
    """

    def __init__(self, client: Poster) -> None:
        self._client = client

    def _send(self, message: Message) -> SendResult:
        return send_message(self._client, message)


def send_message(client: Poster, message: Message) -> SendResult:
    """Serialize ``message`` once and post it to its path.

    Parameters
    ----------
    client : Poster
        Anything with ``post(path, body)``.
    message : Message
        A validated model.

    Returns
    -------
    SendResult

    Raises
    ------
    PayloadTooLargeError
        When the message is over 32 KB (nothing is sent).
    APIError, NetworkError, ClientClosedError
        As raised by the client.
    """
    accepted = intake(
        message, warnings=warning_setting(client), summary=f"{message.type} message refused"
    )
    return send_accepted(client, message.path, accepted)


def send_accepted(client: Poster, path: str, accepted: Accepted) -> SendResult:
    """Post one message that passed :func:`cio.models.intake` to ``path``.

    Parameters
    ----------
    client : Poster
        Anything with ``post(path, body)``.
    path : str
        The message's API path, for example ``/track``.
    accepted : Accepted
        What intake returned (its warnings go into the result).

    Returns
    -------
    SendResult

    Raises
    ------
    APIError, NetworkError, ClientClosedError
        As raised by the client.
    """
    response = client.post(path, accepted.body)
    logger.debug(
        "sent a message to %s: status %s after %s attempt(s)",
        path,
        response.status_code,
        response.attempts,
    )
    return SendResult(
        message_ids=(accepted.message_id,),
        status_code=response.status_code,
        path=path,
        attempts=response.attempts,
        warnings=accepted.warnings,
    )


def warning_setting(client: object) -> str | None:
    """The client's ``warnings`` setting (``CIO_WARNINGS``), or ``None`` when it has none.

    Parameters
    ----------
    client : object
        Usually a :class:`cio.CustomerIOClient`; anything without settings gives ``None``.

    Returns
    -------
    str or None
    """
    settings = getattr(client, "settings", None)
    value = getattr(settings, "warnings", None)
    return value if isinstance(value, str) else None


def fail(summary: str, loc: tuple[str | int, ...], msg: str, kind: str) -> ValidationError:
    """A one-detail :class:`ValidationError` (returned, for the caller to raise)."""
    return ValidationError(summary, [ErrorDetail(loc=loc, msg=msg, type=kind)])


def build(factory: Callable[..., M], summary: str, fields: Mapping[str, Any]) -> M:
    """Build a model from the fields that are not ``None``, converting pydantic's error.

    ``None`` means "not given", so model defaults (such as a fresh ``messageId``) apply.

    Parameters
    ----------
    factory : callable
        A model class, or a function returning a model.
    summary : str
        First line of the error message.
    fields : mapping
        Keyword arguments for ``factory``.

    Returns
    -------
    Message

    Raises
    ------
    ValidationError
        With the located problems and no input values.
    """
    given = {name: value for name, value in fields.items() if value is not None}
    try:
        return factory(**given)
    except pydantic.ValidationError as exc:
        raise ValidationError.from_pydantic(exc, summary=summary) from exc


class EnvelopeOptions(TypedDict, total=False):
    """The envelope options every single-message service method takes, by name.

    Declared once here; each method takes them as ``**options:
    Unpack[EnvelopeOptions]`` and :func:`envelope_options` spells them out in its
    signature, so editors and notebooks (jedi, ``inspect.signature``) show each one.
    """

    timestamp: Timestamp | None
    """When it happened (timezone-aware); defaults to when the API receives it."""
    context: ContextInput | None
    """Context such as ``ip``, ``locale`` or ``device``."""
    integrations: Mapping[str, bool] | None
    """Destinations to enable or disable, by name."""
    message_id: str | None
    """Your own ``messageId`` (for idempotent retries); a UUID by default."""


ENVELOPE_OPTIONS: tuple[str, ...] = tuple(EnvelopeOptions.__annotations__)
"""The names of the envelope options, in order."""

F = TypeVar("F", bound=Callable[..., Any])


def envelope_options(method: F) -> F:
    """Spell the envelope options out in ``method``'s signature (for editors and notebooks).

    The method itself is unchanged: its ``**options`` become keyword-only parameters
    named after :class:`EnvelopeOptions` in ``__signature__``, which ``inspect`` and
    jedi read on live objects.

    Parameters
    ----------
    method : callable
        A service method ending in ``**options: Unpack[EnvelopeOptions]``.

    Returns
    -------
    callable
        ``method``, with ``__signature__`` set.
    """
    signature = inspect.signature(method)
    hints = EnvelopeOptions.__annotations__
    parameters = [p for p in signature.parameters.values() if p.kind is not p.VAR_KEYWORD]
    parameters += [
        inspect.Parameter(
            name, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=hints[name]
        )
        for name in ENVELOPE_OPTIONS
    ]
    method.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
    return method


def envelope(options: Mapping[str, Any]) -> dict[str, Any]:
    """The envelope options given to a method, as model keyword arguments.

    Parameters
    ----------
    options : mapping
        The method's ``**options``.

    Returns
    -------
    dict
        Every envelope option, ``None`` when not given.

    Raises
    ------
    TypeError
        For a keyword that is not an envelope option (a typo is an error, as for any
        Python call).
    """
    unknown = sorted(set(options) - set(ENVELOPE_OPTIONS))
    if unknown:
        raise TypeError(f"unexpected keyword argument {unknown[0]!r}")
    return {name: options.get(name) for name in ENVELOPE_OPTIONS}


def require_id(
    value: object, field: str | tuple[str, ...], summary: str, *, hint: str = ""
) -> None:
    """Refuse a missing id (``None``) with a located error; other checks are the model's.

    Parameters
    ----------
    value : object
        The id given.
    field : str or tuple of str
        Where it goes in the model, used as the error location (for example
        ``"user_id"`` or ``("properties", "objectId")``).
    summary : str
        First line of the error message.
    hint : str, optional
        Extra words for the message, for example which argument to pass.

    Raises
    ------
    ValidationError
        When ``value`` is ``None``.
    """
    if value is None:
        loc = (field,) if isinstance(field, str) else field
        message = f"{'.'.join(loc)} is required" + (f"; {hint}" if hint else "")
        raise fail(summary, loc, message, "missing")


def ready_model(
    value: object, expected: type[M], summary: str, extra: Mapping[str, Any]
) -> M | None:
    """Return the first argument when it is a ready model of the right kind, else ``None``.

    Parameters
    ----------
    value : object
        The first positional argument of a service method.
    expected : type
        The model class the method sends.
    summary : str
        First line of the error message.
    extra : mapping
        The method's other arguments; any that is not ``None`` conflicts with a model.

    Returns
    -------
    Message or None
        The model to send as it is, or ``None`` when ``value`` is not a model.

    Raises
    ------
    ValidationError
        When ``value`` is a model of another kind.
    TypeError
        When a model comes with other arguments as well.
    """
    if not isinstance(value, pydantic.BaseModel):
        return None
    if not isinstance(value, expected):
        raise fail(
            summary,
            ("message",),
            f"expected a {expected.__name__} model, got a {type(value).__name__}",
            "model_type",
        )
    given = sorted(name for name, item in extra.items() if item is not None)
    if given:
        raise TypeError(
            f"pass either a ready {expected.__name__} or keyword arguments, not both "
            f"(also given: {', '.join(given)})"
        )
    return value


def semantic(name: str, summary: str, fields: Mapping[str, Any]) -> Track:
    """Build the semantic event model registered for ``name`` from the given fields.

    Parameters
    ----------
    name : str
        A semantic event name, for example ``"User Deleted"``.
    summary : str
        First line of the error message.
    fields : mapping
        Model keyword arguments; ``None`` values are left out.

    Returns
    -------
    Track
        An instance of the event's model.

    Raises
    ------
    ValidationError
        When the fields do not make a valid event.
    """
    # The event name is passed on so that an accepted alternative spelling is kept.
    return build(partial(semantic_event, name), summary, {**fields, "event": name})


def check_event(message: Track, allowed: Iterable[str], summary: str, what: str) -> None:
    """Refuse a ready ``Track`` model whose event name is not one this method sends.

    Parameters
    ----------
    message : Track
        The model given.
    allowed : iterable of str
        Event names the method accepts.
    summary : str
        First line of the error message.
    what : str
        Words naming the accepted events, for example ``"an ecommerce event"``.

    Raises
    ------
    ValidationError
        With the accepted names listed (the given name is not echoed).
    """
    names = list(allowed)
    if message.event not in names:
        listed = ", ".join(repr(name) for name in names)
        raise fail(summary, ("event",), f"expected {what}: one of {listed}", "event_name")
