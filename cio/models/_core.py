"""The base model configuration and the annotated field types every model shares.

Conventions (see ``docs/models.md``):

* snake_case names in Python, camelCase on the wire; both accepted on input.
* Unknown envelope fields are an error, so ``userID`` fails loudly.
* Input values never appear in error messages (they may be personal data).
* Models are frozen: build a changed copy with ``model_copy(update=...)``.
* Timestamps must be timezone-aware. A naive datetime is refused rather than read as
  local time or UTC, because either guess silently shifts a backfill by hours.
"""

from __future__ import annotations

import os
import threading
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError, PydanticSerializationError

from cio._constants import MESSAGE_ID_RANDOM_BLOCK
from cio.errors import ErrorDetail, ValidationError
from cio.models._email import is_valid_email
from cio.models._values import json_safe_mapping

__all__ = [
    "CIOModel",
    "EventName",
    "FreeForm",
    "Identifier",
    "OpenModel",
    "Traits",
    "new_message_id",
]

_UUID_BYTES = 16
_UUID_HEX_DIGITS = 2 * _UUID_BYTES
# RFC 4122 variant: the first hex digit of the fourth group is 8, 9, a or b.
_UUID_VARIANT_DIGITS = "89ab"
_CONTROL_CHARACTERS = frozenset(chr(code) for code in [*range(0x20), 0x7F])


class _RandomDigits(threading.local):
    """Per-thread hex digits from one ``os.urandom`` call, handed out 32 at a time."""

    def __init__(self) -> None:
        self.digits = ""
        self.offset = 0


_random_digits = _RandomDigits()


def _fresh_random_digits_after_fork() -> None:
    # A forked child must never hand out the parent's remaining digits again.
    global _random_digits  # noqa: PLW0603 - replaced wholesale, read on every call
    _random_digits = _RandomDigits()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_fresh_random_digits_after_fork)


def new_message_id() -> str:
    """A fresh random version-4 UUID string for ``messageId``.

    Formatted straight from random bytes: the same value space as ``str(uuid.uuid4())``
    at a fraction of the cost, which matters because every message gets one. The bytes
    come from ``os.urandom`` in blocks of ``MESSAGE_ID_RANDOM_BLOCK`` ids per thread:
    one system call per message releases the GIL every time, and with sender threads
    running that hand-over cost several microseconds per message. Each thread has its
    own block and a forked child starts a fresh one, so no id is ever handed out twice.

    Returns
    -------
    str

    Example
    -------
    >>> import uuid
    >>> uuid.UUID(new_message_id()).version
    4
    """
    pool = _random_digits
    offset = pool.offset
    if offset >= len(pool.digits):
        pool.digits = os.urandom(_UUID_BYTES * MESSAGE_ID_RANDOM_BLOCK).hex()
        offset = 0
    pool.offset = offset + _UUID_HEX_DIGITS
    digits = pool.digits[offset : offset + _UUID_HEX_DIGITS]
    variant = _UUID_VARIANT_DIGITS[int(digits[16], 16) & 3]
    return f"{digits[:8]}-{digits[8:12]}-4{digits[13:16]}-{variant}{digits[17:20]}-{digits[20:]}"


def _check_identifier(value: str) -> str:
    if not value.strip():
        raise PydanticCustomError("blank_string", "must not be empty or only whitespace")
    if not _CONTROL_CHARACTERS.isdisjoint(value):
        raise PydanticCustomError("control_character", "must not contain control characters")
    return value


def _check_event_name(value: str) -> str:
    # The API trims leading and trailing spaces from event names; do the same so that
    # semantic names match and what we record is what Customer.io stores.
    return _check_identifier(value).strip()


def _check_free_form(value: dict[str, Any] | None) -> dict[str, Any] | None:
    return json_safe_mapping(value)


def _check_traits(value: dict[str, Any] | None) -> dict[str, Any] | None:
    cleaned = json_safe_mapping(value)
    if cleaned:
        email = cleaned.get("email")
        if email is not None:
            if not isinstance(email, str):
                raise PydanticCustomError("email_type", "email: must be a string")
            if not is_valid_email(email):
                raise PydanticCustomError("email", "email: not a valid email address")
    return cleaned


Identifier = Annotated[str, AfterValidator(_check_identifier)]
"""An id: a non-blank string without control characters (numbers are turned into strings)."""

EventName = Annotated[str, AfterValidator(_check_event_name)]
"""An event name: non-blank, no control characters, surrounding spaces trimmed."""

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
