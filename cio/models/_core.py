"""The base model configuration and the annotated field types every model shares.

Conventions (see ``docs/models.md``):

* snake_case names in Python, camelCase on the wire; both accepted on input.
* A misspelt keyword argument is an error (``Track(userID=...)`` fails loudly); a
  wire-form dict may carry top-level keys the API ignores, which are kept and warned
  about (see :class:`cio.models.base.Message` and :mod:`cio.models._advice`).
* Input values never appear in error messages (they may be personal data).
* Models are frozen: build a changed copy with ``model_copy(update=...)``.
* Timestamps must be timezone-aware. A naive datetime is refused rather than read as
  local time or UTC, because either guess silently shifts a backfill by hours.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from numbers import Number
from typing import Annotated, Any, TypeVar

import pydantic_core
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetPydanticSchema,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError, PydanticSerializationError, core_schema

from cio._constants import NAIVE_DATETIME_MESSAGE
from cio.errors import ErrorDetail, ValidationError
from cio.models._constants import MESSAGE_ID_RANDOM_BLOCK
from cio.models._email import is_valid_email
from cio.models._values import json_safe_mapping

__all__ = [
    "IDENTIFIER_PATTERN",
    "CIOModel",
    "EventName",
    "FreeForm",
    "Identifier",
    "OpenModel",
    "Timestamp",
    "Traits",
    "new_message_id",
    "returns_none_only_for_none",
]

_F = TypeVar("_F", bound=Callable[..., Any])
NONE_ONLY_FOR_NONE = "__cio_none_only_for_none__"
"""Attribute set by :func:`returns_none_only_for_none`."""

_UUID_BYTES = 16
_UUID_HEX_DIGITS = 2 * _UUID_BYTES
# Byte 6 carries the version (4) in its high nibble, byte 8 the RFC 4122 variant (10xx).
_VERSION_BYTE, _VARIANT_BYTE = 6, 8
_SET_VERSION = bytes((value & 0x0F) | 0x40 for value in range(256))
_SET_VARIANT = bytes((value & 0x3F) | 0x80 for value in range(256))
_CONTROL_CHARACTERS = frozenset(chr(code) for code in [*range(0x20), 0x7F])


def _message_id_block(count: int) -> list[str]:
    """``count`` fresh version-4 UUID strings from one ``os.urandom`` call."""
    raw = bytearray(os.urandom(_UUID_BYTES * count))
    raw[_VERSION_BYTE::_UUID_BYTES] = raw[_VERSION_BYTE::_UUID_BYTES].translate(_SET_VERSION)
    raw[_VARIANT_BYTE::_UUID_BYTES] = raw[_VARIANT_BYTE::_UUID_BYTES].translate(_SET_VARIANT)
    digits = raw.hex()
    return [
        f"{digits[i : i + 8]}-{digits[i + 8 : i + 12]}-{digits[i + 12 : i + 16]}-"
        f"{digits[i + 16 : i + 20]}-{digits[i + 20 : i + 32]}"
        for i in range(0, len(digits), _UUID_HEX_DIGITS)
    ]


class _MessageIds(threading.local):
    """Per-thread ready-made ids, refilled ``MESSAGE_ID_RANDOM_BLOCK`` at a time."""

    def __init__(self) -> None:
        self.ids: list[str] = []


_message_ids = _MessageIds()


def _fresh_message_ids_after_fork() -> None:
    # A forked child must never hand out the parent's remaining ids again.
    global _message_ids  # noqa: PLW0603 - replaced wholesale, read on every call
    _message_ids = _MessageIds()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_message_ids_after_fork)


def new_message_id() -> str:
    """A fresh random version-4 UUID string for ``messageId``.

    Ids are made in blocks of ``MESSAGE_ID_RANDOM_BLOCK`` from one ``os.urandom`` call
    (version and variant bits set by two byte translations), so each call is a list
    pop: the same value space as ``str(uuid.uuid4())`` at a fraction of the cost,
    which matters because every message gets one. One system call per message would
    also release the GIL every time, and with sender threads running that hand-over
    costs several microseconds. Each thread has its own block and a forked child
    starts afresh, so no id is ever handed out twice.

    Returns
    -------
    str

    Example
    -------
    >>> import uuid
    >>> uuid.UUID(new_message_id()).version
    4
    """
    ids = _message_ids.ids
    if not ids:
        ids.extend(_message_id_block(MESSAGE_ID_RANDOM_BLOCK))
    return ids.pop()


# The characters str.strip() removes, besides control characters (a test checks this
# list against every code point), as Rust regex escapes.
_SPACE_CODES = (
    *(0x20, 0x85, 0xA0, 0x1680),
    *range(0x2000, 0x200B),
    *(0x2028, 0x2029, 0x202F, 0x205F, 0x3000),
)
_SPACE_CLASS = "".join(f"\\x{{{code:X}}}" for code in _SPACE_CODES)
_CONTROL_CLASS = r"\x00-\x1F\x7F"
IDENTIFIER_PATTERN = f"^[^{_CONTROL_CLASS}]*[^{_CONTROL_CLASS}{_SPACE_CLASS}][^{_CONTROL_CLASS}]*$"
"""What an :data:`Identifier` accepts, as a pattern for pydantic-core's Rust regex engine:
no control character, and something besides the characters ``str.strip()`` removes.
The compiled dict validators of :mod:`cio.models._wire` use it instead of a Python call."""


def returns_none_only_for_none(function: _F) -> _F:
    """Mark a validator whose result is ``None`` only when its input is ``None``.

    :mod:`cio.models._wire` writes compiled messages with orjson only when no declared
    field can come out as ``None`` (pydantic leaves such fields out; orjson would write
    ``null``); a Python validator is trusted with that only when it carries this mark.

    Parameters
    ----------
    function : callable
        The validator.

    Returns
    -------
    callable
        ``function``, marked.
    """
    function.__dict__[NONE_ONLY_FOR_NONE] = True
    return function


@returns_none_only_for_none
def _check_identifier(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_string", "must not be empty or only whitespace")
    if not _CONTROL_CHARACTERS.isdisjoint(value):
        raise PydanticCustomError("control_character", "must not contain control characters")
    return value


@returns_none_only_for_none
def _check_event_name(value: str) -> str:
    # The API trims leading and trailing spaces from event names; do the same so that
    # semantic names match and what we record is what Customer.io stores.
    return _check_identifier(value).strip()


@returns_none_only_for_none
def _exact_offset(value: datetime) -> datetime:
    # A naive datetime is refused (guessing its timezone would shift the instant); this
    # check lives here, not in AwareDatetime, so that the message is the library's one.
    # RFC 3339 offsets are whole minutes; an offset with seconds (the local mean time
    # of old zoneinfo dates) would be cut to the minute and shift the instant, so such
    # a datetime is sent in UTC instead: the same instant, written exactly.
    offset = value.utcoffset()
    if offset is None:
        raise PydanticCustomError("timezone_aware", NAIVE_DATETIME_MESSAGE)
    if offset.seconds % 60 or offset.microseconds:
        return value.astimezone(timezone.utc)
    return value


_UNIX_TIME_TEXT = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)")


@returns_none_only_for_none
def refuse_unix_numbers(value: Any) -> Any:
    """``value`` unchanged, unless it is a number (or a numeric string): Unix time.

    The API types timestamps as ISO 8601 strings and the official libraries send only
    those, so a number is refused rather than converted (see ``docs/openapi-quirks.md``).

    Parameters
    ----------
    value : Any
        A timestamp input.

    Returns
    -------
    Any
        ``value``.

    Raises
    ------
    pydantic_core.PydanticCustomError
        For an int, float, Decimal or numeric string.
    """
    if (isinstance(value, Number) and not isinstance(value, bool)) or (
        isinstance(value, str) and _UNIX_TIME_TEXT.fullmatch(value.strip())
    ):
        raise PydanticCustomError(
            "timestamp_number",
            "a Unix time number is not a timestamp the API takes: send an ISO 8601 "
            "string or a timezone-aware datetime",
        )
    return value


@returns_none_only_for_none
def _check_free_form(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return json_safe_mapping(value)


_EMAIL_TRAIT = "email"


@returns_none_only_for_none
def _check_traits(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Any string is an email the API stores; one that cannot receive mail is a warning
    # (cio.models.calls), not a refusal.
    cleaned = json_safe_mapping(value)
    if cleaned:
        email = cleaned.get(_EMAIL_TRAIT)
        if email is not None and not isinstance(email, str):
            raise _email_type_error()
    return cleaned


def _email_type_error() -> pydantic_core.ValidationError:
    # Located at traits.email: pydantic-core prefixes a nested error's location.
    return pydantic_core.ValidationError.from_exception_data(
        "Traits",
        [
            {
                "type": PydanticCustomError("email_type", "must be a string"),
                "loc": (_EMAIL_TRAIT,),
                "input": None,
            }
        ],
        hide_input=True,
    )


@returns_none_only_for_none
def check_traits_vouched(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """:data:`Traits`' check, refusing also an email it cannot vouch for.

    The compiled dict path of :mod:`cio.models._wire` uses this instead of the model's
    check, so a message that would carry an email warning falls back to the model path,
    where warnings are computed; its fast path never needs to run the advisors.

    Parameters
    ----------
    value : dict or None
        The traits.

    Returns
    -------
    dict or None
        As the model's check.
    """
    # The model's check inlined (this runs for every row of a bulk send).
    cleaned = json_safe_mapping(value)
    if cleaned:
        email = cleaned.get(_EMAIL_TRAIT)
        if email is not None:
            if not isinstance(email, str):
                raise _email_type_error()
            if not is_valid_email(email):
                raise PydanticCustomError("email_unvouched", "email: left to the model")
    return cleaned


Identifier = Annotated[str, AfterValidator(_check_identifier)]
"""An id: a non-blank string without control characters (numbers are turned into strings)."""

EventName = Annotated[str, AfterValidator(_check_event_name)]
"""An event name: non-blank, no control characters, surrounding spaces trimmed."""

# AwareDatetime tells type-driven tools (factories, editors) that an offset is needed; its
# schema is swapped for a plain datetime so that _exact_offset refuses naive values with
# the library's message instead of pydantic's.
_PLAIN_DATETIME = GetPydanticSchema(lambda _source, _handler: core_schema.datetime_schema())

Timestamp = Annotated[
    AwareDatetime,
    _PLAIN_DATETIME,
    AfterValidator(_exact_offset),
    BeforeValidator(refuse_unix_numbers),
]
"""A timezone-aware datetime or ISO 8601 string (naive ones are refused, and so are Unix
time numbers); written as RFC 3339, in UTC when its UTC offset is not a whole number of
minutes."""

FreeForm = Annotated[dict[str, Any] | None, AfterValidator(_check_free_form)]
"""An open JSON object (properties), converted by the table in :mod:`cio.models._values`."""

Traits = Annotated[dict[str, Any] | None, AfterValidator(_check_traits)]
"""Open traits; like :data:`FreeForm`, and an ``email`` trait must be a valid address."""


class CIOModel(BaseModel):
    """Base of every model: camelCase aliases, frozen, strict about unknown fields."""

    model_config = ConfigDict(
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
        serialize_by_alias=True,
        extra="forbid",
        frozen=True,
        hide_input_in_errors=True,
        allow_inf_nan=False,
        coerce_numbers_to_str=True,
        use_attribute_docstrings=True,
        validate_default=False,
    )

    def to_payload(self) -> dict[str, Any]:
        """The wire form as a dict: camelCase keys, unset envelope fields left out.

        ``None`` inside ``traits``/``properties`` is kept (that is how a trait is cleared).

        Returns
        -------
        dict
        """
        return self.__pydantic_serializer__.to_python(  # type: ignore[no-any-return]
            self, mode="json", by_alias=True, exclude_none=True
        )

    def to_json_unchecked(self) -> bytes:
        """The wire form as compact JSON bytes, without the size check.

        Raises
        ------
        cio.ValidationError
            When a string cannot be encoded as UTF-8 (a lone surrogate, for example from
            text decoded with ``errors="surrogateescape"``); the error names the field.
        """
        try:
            return self.__pydantic_serializer__.to_json(self, by_alias=True, exclude_none=True)
        except PydanticSerializationError as exc:
            data = self.model_dump(by_alias=True, exclude_none=True)
            where = _unencodable_location(data, ()) or ()
            raise ValidationError(
                f"{type(self).__name__} cannot be serialized",
                [
                    ErrorDetail(
                        loc=where,
                        msg="text is not valid Unicode (a lone surrogate); fix the source encoding",
                        type="string_unicode",
                    )
                ],
            ) from exc


class OpenModel(CIOModel):
    """A model that keeps keys it does not know (context parts, semantic properties)."""

    model_config = ConfigDict(extra="allow")


def _unencodable_location(value: Any, path: tuple[str | int, ...]) -> tuple[str | int, ...] | None:
    """The path of the first string in ``value`` that UTF-8 cannot encode, if any."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            return path
        return None
    items: Any = ()
    if isinstance(value, dict):
        items = value.items()
    elif isinstance(value, list | tuple):
        items = enumerate(value)
    for key, item in items:
        key_path = (*path, key)
        if isinstance(key, str) and _unencodable_location(key, path) is not None:
            return key_path
        found = _unencodable_location(item, key_path)
        if found is not None:
            return found
    return None
