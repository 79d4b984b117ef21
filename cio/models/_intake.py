"""Intake: the one function that turns any message input into wire bytes or a located error.

Every entry point of the library hands its input here: the service methods and
``client.send``, ``client.batch.send`` and its ``identify``/``track``/``delete``
shortcuts, the buffered sender, file and DataFrame imports, and the sandbox's own
checks. So a dict is accepted or refused by the same rules, with the same error, the
same bytes and the same ordering key, whichever way it came in.

:func:`intake` takes a ready model, a wire-form (or snake_case) mapping, or an
:class:`~cio.models.EncodedMessage`, and returns an :class:`Accepted`: the compact JSON
bytes, the ``messageId``, the ordering key and any warnings. Mappings are validated by
the compiled codecs of :mod:`cio.models._wire` (the models' own rules without model
instances, proved equivalent by ``tests/unit/models/test_wire.py``); setting the
environment variable ``CIO_COMPILED_CODECS=0`` before ``cio`` is imported sends them
through the models instead, which is how the test suite checks both roads.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any, Final, NamedTuple

import pydantic

from cio._constants import BULK_INPUT_LOCATION, MAX_MESSAGE_BYTES
from cio.errors import ErrorDetail, ValidationError
from cio.models._advice import enforce_policy
from cio.models._wire import Encoded, EncodedMessage, encode_model, encode_wire
from cio.models.base import Message, message_too_large, ordering_key
from cio.models.calls import parse_message

__all__ = [
    "COMPILED_CODECS",
    "ENV_COMPILED_CODECS",
    "Accepted",
    "encode_message",
    "intake",
    "ordering_key",
]

ENV_COMPILED_CODECS: Final = "CIO_COMPILED_CODECS"
"""Environment variable: ``0`` turns the compiled codecs off (every dict goes through its model)."""

COMPILED_CODECS: Final = os.environ.get(ENV_COMPILED_CODECS, "1").strip() != "0"
"""Whether mappings take the compiled fast path (read once, when ``cio`` is imported)."""

_DEFAULT_SUMMARY: Final = "invalid message"
_new_accepted = tuple.__new__


class Accepted(NamedTuple):
    """A message that passed intake, as the API will receive it.

    Attributes
    ----------
    body : bytes
        Compact JSON (at most 32 KB unless intake was asked not to check).
    message_id : str
        Its ``messageId`` (generated when the input had none).
    key : str
        The ordering key: the ``userId``, else the ``anonymousId``, else the
        ``messageId``. Messages with the same key are delivered in order.
    warnings : tuple of ErrorDetail
        Located warnings: accepted, but probably a mistake (see ``docs/models.md``).
    """

    body: bytes
    message_id: str
    key: str
    warnings: tuple[ErrorDetail, ...] = ()


def _located(error: ValidationError, loc: tuple[str | int, ...], summary: str) -> ValidationError:
    """``error`` with ``summary`` and every location prefixed by ``loc``."""
    details = [
        ErrorDetail(
            loc=loc + detail.loc,
            msg=detail.msg,
            type=detail.type,
            row=detail.row,
            column=detail.column,
        )
        for detail in error.errors
    ]
    return ValidationError(summary, details)


def _encode(item: object, model: type[Message] | None) -> Encoded | None:
    """Body, messageId, key and warnings of an item that is not a built model (intake
    takes those itself); ``None`` when it is not a message."""
    # Encoded messages (imports of typed sources) before the slower Mapping check.
    if type(item) is EncodedMessage:
        return item
    if type(item) is dict or isinstance(item, Mapping):
        if COMPILED_CODECS:
            return encode_wire(item, model)
        parsed = parse_message(item) if model is None else model.model_validate(item)
        return encode_model(parsed)
    return None


def _where(index: int | None, where: str, summary: str) -> tuple[tuple[str | int, ...], str]:
    """The location prefix and summary of an error (built only when there is one)."""
    if index is None:
        return (), summary
    return (where, index), f"{summary} {index}"


def _not_a_message(item: object, index: int | None, where: str, summary: str) -> ValidationError:
    loc, text = _where(index, where, summary)
    detail = ErrorDetail(
        loc=loc,
        msg=f"expected a message model or a mapping, got {type(item).__name__}",
        type="message_type",
    )
    return ValidationError(text, [detail])


def intake(
    item: object,
    index: int | None = None,
    *,
    model: type[Message] | None = None,
    where: str = BULK_INPUT_LOCATION,
    summary: str = _DEFAULT_SUMMARY,
    check_size: bool = True,
    warnings: str | None = "warn",
) -> Accepted:
    """Validate and serialize one message, whatever form it came in.

    Parameters
    ----------
    item : Message, EncodedMessage or mapping
        A ready model (serialized as it is), a message already encoded by
        :func:`encode_message`, or a wire-form/snake_case dict. A dict needs a ``type``
        key unless ``model`` is given.
    model : type, optional
        The message class a mapping is validated with (for example ``Identify`` for the
        rows of ``client.batch.identify``), instead of choosing it from ``type`` and
        ``event``. Models and encoded messages are taken as they are.
    index : int, optional
        The item's position in a bulk input: errors are then located at
        ``(where, index, ...)`` and the summary ends with the index.
    where : str
        First part of the location of a bulk input's items (``"messages"``).
    summary : str, optional
        First line of the error message (``"invalid message"``).
    check_size : bool
        Refuse messages over 32 KB (the API would answer 200 and drop them).
    warnings : {"warn", "error"} or None
        ``"error"`` refuses a message with warnings (a located ``ValidationError``);
        ``None`` reads ``CIO_WARNINGS``; ``"warn"`` (the default: the caller reports them)
        accepts it, with the warnings in ``Accepted.warnings``.

    Returns
    -------
    Accepted
        Body, messageId, ordering key and warnings.

    Raises
    ------
    ValidationError
        When the input is not a valid message: located, never echoing a value; or when
        it has warnings and the policy is ``error``.
    PayloadTooLargeError
        When the message is over 32 KB; its ``message_id`` says which message.

    Example
    -------
    >>> accepted = intake({"type": "track", "userId": "42", "event": "Signed Up"})
    >>> accepted.key, accepted.body.startswith(b'{"type":"track"')
    ('42', True)
    """
    try:
        # The common cases first, without a further call: a plain dict (compiled
        # codecs), a built model.
        if COMPILED_CODECS and type(item) is dict:
            encoded: Encoded | None = encode_wire(item, model)
        elif isinstance(item, Message):
            encoded = encode_model(item)
        else:
            encoded = _encode(item, model)
    except pydantic.ValidationError as exc:
        loc, text = _where(index, where, summary)
        raise ValidationError.from_pydantic(exc, summary=text, loc_prefix=loc) from None
    except ValidationError as exc:  # text that cannot be written as UTF-8
        if index is None:
            raise
        loc, text = _where(index, where, summary)
        raise _located(exc, loc, text) from None
    if encoded is None:
        raise _not_a_message(item, index, where, summary)
    body, message_id, key, found = encoded
    if check_size and len(body) > MAX_MESSAGE_BYTES:
        too_large = message_too_large(body)
        too_large.message_id = message_id
        raise too_large
    if found:
        loc, text = _where(index, where, summary)
        located = tuple(
            ErrorDetail(loc + detail.loc, detail.msg, detail.type, detail.row, detail.column)
            for detail in found
        )
        enforce_policy(located, warnings, text)
    return _new_accepted(Accepted, (body, message_id, key, found))


def encode_message(
    data: Mapping[str, Any] | Message, *, warnings: str | None = None
) -> EncodedMessage:
    """A message's wire bytes, ``messageId``, ordering key and warnings, validated like its model.

    For pipelines that want the bytes the API receives (to queue or store them) without
    keeping model instances: about twice as fast as ``parse_message(data).to_json()``
    for the same result.

    Parameters
    ----------
    data : mapping or Message
        A message dict with a ``type`` key (wire or snake_case spelling), or a model.
    warnings : {"warn", "error"}, optional
        ``"error"`` refuses a message with warnings; the default comes from
        ``CIO_WARNINGS`` (``warn``: they are in ``EncodedMessage.warnings``).

    Returns
    -------
    EncodedMessage

    Raises
    ------
    pydantic.ValidationError
        When the dict is not a valid message (the model's own error).
    PayloadTooLargeError
        When the message is over 32 KB.
    cio.ValidationError
        When the message has warnings and the policy is ``error``.

    Example
    -------
    >>> encoded = encode_message({"type": "track", "userId": "42", "event": "Signed Up"})
    >>> encoded.key, encoded.body.startswith(b'{"type":"track"')
    ('42', True)
    """
    if isinstance(data, Message):
        accepted = intake(data, warnings=warnings)
    elif COMPILED_CODECS:
        accepted = intake(EncodedMessage(*encode_wire(data)), warnings=warnings)
    else:
        accepted = intake(parse_message(data), warnings=warnings)
    return EncodedMessage(*accepted)
