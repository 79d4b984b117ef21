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

import ast
import functools
import importlib
import inspect
import operator
import os
import re
import sys
import threading
from collections.abc import Callable
from datetime import datetime, timezone
from math import isfinite
from numbers import Number
from types import UnionType
from typing import TYPE_CHECKING, Annotated, Any, TypeVar, Union, get_args, get_origin

import orjson
import pydantic_core
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    GetJsonSchemaHandler,
    GetPydanticSchema,
)
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError, PydanticSerializationError, core_schema
from typing_extensions import get_type_hints, is_typeddict

from cio._constants import NAIVE_DATETIME_MESSAGE
from cio.errors import ErrorDetail, ValidationError
from cio.models._constants import MAX_NESTING_DEPTH, MESSAGE_ID_RANDOM_BLOCK
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
    "field_descriptions",
    "is_plain_json",
    "key_descriptions",
    "model_help",
    "new_message_id",
    "plain_annotation",
    "returns_none_only_for_none",
    "share_fields_set",
]

_F = TypeVar("_F", bound=Callable[..., Any])
MAX_SHARED_FIELDS_SETS = 4096
"""At most this many (model class, keywords) combinations share a fields set."""
NONE_ONLY_FOR_NONE = "__cio_none_only_for_none__"
"""Attribute set by :func:`returns_none_only_for_none`."""
FREE_FORM_CHECK = "__cio_free_form_check__"
"""Attribute of a free-form field's validator that checks (and converts) JSON values as
``_check_free_form`` does: the compiled dict path replaces it with its own check."""

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
    if value is None or _plain_mapping(value, 0):
        # Already plain JSON (the common case): pydantic copied the top level; nested
        # containers are kept as given, as pydantic keeps any other nested value.
        return value
    return json_safe_mapping(value)


_check_free_form.__dict__[FREE_FORM_CHECK] = True


_EMAIL_TRAIT = "email"
_PLAIN_LEAVES = frozenset({str, int, bool, type(None)})


def _plain_mapping(mapping: dict[Any, Any], depth: int) -> bool:
    """Whether :func:`~cio.models._values.json_safe` would give ``mapping`` back unchanged.

    Only exact JSON types pass (no subclasses, no tuples, finite floats, string keys),
    and containers nested no deeper than the conversion table allows.
    """
    for key, item in mapping.items():
        if type(key) is not str:
            return False
        kind = type(item)
        if kind in _PLAIN_LEAVES:
            continue
        if kind is float:  # inline: floats are most of what is left
            if isfinite(item):
                continue
            return False
        if not _plain_item(kind, item, depth):
            return False
    return True


def _plain_list(items: list[Any], depth: int) -> bool:
    for item in items:
        kind = type(item)
        if kind in _PLAIN_LEAVES:
            continue
        if kind is float:
            if isfinite(item):
                continue
            return False
        if not _plain_item(kind, item, depth):
            return False
    return True


def _plain_item(kind: type, item: Any, depth: int) -> bool:
    """A value that is not a JSON leaf: a finite float, or a container deep enough."""
    if kind is float:
        return isfinite(item)
    if depth + 1 >= MAX_NESTING_DEPTH:
        return False
    if kind is dict:
        return _plain_mapping(item, depth + 1)
    return kind is list and _plain_list(item, depth + 1)


def is_plain_json(value: Any, depth: int) -> bool:
    """Whether ``value``, held by a container nested ``depth`` levels deep, is plain JSON.

    Plain JSON is what :func:`~cio.models._values.json_safe` gives back unchanged: exact
    str, int, bool and None, finite floats, and dicts (string keys) and lists of those,
    nested no deeper than the conversion allows. Free-form properties and traits that
    are plain skip the conversion.

    Parameters
    ----------
    value : Any
    depth : int
        The nesting depth of the container holding ``value`` (0 for a top-level object).

    Returns
    -------
    bool

    Example
    -------
    >>> is_plain_json({"a": [1, 2.5, None]}, 0), is_plain_json({"a": (1, 2)}, 0)
    (True, False)
    """
    kind = type(value)
    return kind in _PLAIN_LEAVES or _plain_item(kind, value, depth)


@functools.cache
def _email_checker() -> Callable[[str], bool]:
    # email-validator costs a sizeable part of the import; load it for the first email.
    checker: Callable[[str], bool] = importlib.import_module("cio.models._email").is_valid_email
    return checker


@returns_none_only_for_none
def _check_traits(value: dict[str, Any] | None) -> dict[str, Any] | None:
    # Any string is an email the API stores; one that cannot receive mail is a warning
    # (cio.models.calls), not a refusal.
    cleaned = _check_free_form(value)
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
            if not _email_checker()(email):
                raise PydanticCustomError("email_unvouched", "email: left to the model")
    return cleaned


# The same rule for JSON Schema users (ECMA-262 and Python regex syntax).
_JSON_SPACE_CLASS = "".join(f"\\u{code:04X}" for code in _SPACE_CODES)
_JSON_CONTROL_CLASS = "\\u0000-\\u001F\\u007F"
_JSON_NOT_CONTROL = f"[^{_JSON_CONTROL_CLASS}]"
JSON_IDENTIFIER_PATTERN = (
    f"^{_JSON_NOT_CONTROL}*[^{_JSON_CONTROL_CLASS}{_JSON_SPACE_CLASS}]{_JSON_NOT_CONTROL}*$"
)
"""What an :data:`Identifier` accepts, as a JSON Schema ``pattern``."""


class _IdentifierJsonSchema:
    """``Annotated`` marker adding the identifier rule to the JSON Schema of a string."""

    __slots__ = ()

    def __get_pydantic_json_schema__(
        self, core_schema: Any, handler: GetJsonSchemaHandler
    ) -> dict[str, Any]:
        return {**handler(core_schema), "pattern": JSON_IDENTIFIER_PATTERN}


Identifier = Annotated[str, AfterValidator(_check_identifier), _IdentifierJsonSchema()]
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
        # Field descriptions are the docstrings under each field, read from the source
        # only when wanted (help, JSON Schema, docs): pydantic's own reading of them
        # (use_attribute_docstrings) would cost most of the import time.
        validate_default=False,
        defer_build=True,
    )

    if not TYPE_CHECKING:  # type checkers keep the signature synthesized from the fields

        def __init__(self, /, **data: Any) -> None:
            __tracebackhide__ = True
            self.__pydantic_validator__.validate_python(data, self_instance=self)
            share_fields_set(self, tuple(data))

        # Tells pydantic this is its own __init__ (validation does not go through it).
        __init__.__pydantic_base_init__ = True

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        """Give each model a constructor signature with Python names and plain types."""
        super().__pydantic_init_subclass__(**kwargs)
        _MODELS_BY_NAME.setdefault(cls.__name__, cls)
        # Set after pydantic's own (camelCase aliases, Annotated validators), built lazily.
        type.__setattr__(cls, "__signature__", _PLAIN_SIGNATURE)

    @classmethod
    def __pydantic_on_complete__(cls) -> None:
        """Keep the plain signature when a deferred schema is built (pydantic resets it)."""
        super().__pydantic_on_complete__()
        type.__setattr__(cls, "__signature__", _PLAIN_SIGNATURE)

    @classmethod
    def model_json_schema(cls, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Pydantic's JSON Schema of the model, with each field's description.

        Parameters
        ----------
        *args, **kwargs
            As for :meth:`pydantic.BaseModel.model_json_schema`.

        Returns
        -------
        dict
        """
        schema = super().model_json_schema(*args, **kwargs)
        _describe_properties(schema, cls)
        for name, definition in schema.get("$defs", {}).items():
            model = _MODELS_BY_NAME.get(name)
            if model is not None:
                _describe_properties(definition, model)
        return schema

    @classmethod
    def getdoc(cls) -> str:
        """The class docstring followed by every parameter with its type and description.

        IPython and Jupyter call this for ``Model?`` and Shift+Tab, so the help on a model
        lists its fields (and, for semantic events, the recommended properties).

        Returns
        -------
        str

        Example
        -------
        >>> from cio.models import Alias
        >>> "previous_id : str" in Alias.getdoc()
        True
        """
        return model_help(cls)

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
        plan = _JSON_PLANS.get(type(self))
        if plan is None:
            plan = _JSON_PLANS[type(self)] = _json_plan(type(self))
        keys, may_be_models = plan
        values = self.__dict__
        # Extra keys, or a nested model (a context), are written by pydantic.
        if (
            keys
            and not self.__pydantic_extra__
            and not any(
                values[name] is not None and isinstance(values[name], BaseModel)
                for name in may_be_models
            )
        ):
            wire = {key: value for name, key in keys if (value := values[name]) is not None}
            try:
                # orjson's bytes keep their write buffer; an exact copy is their size.
                return memoryview(orjson.dumps(wire, option=orjson.OPT_UTC_Z)).tobytes()
            except TypeError:  # orjson.JSONEncodeError: an int over 64 bits, a surrogate
                pass
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


class _Generated:
    """The default shown for a field filled by a factory (``message_id``)."""

    def __init__(self, factory: Callable[..., Any]) -> None:
        self.text = f"{factory.__name__}()"

    def __repr__(self) -> str:
        return self.text


# Keyword order in signatures: who, what, then when and how; the fixed "type" last.
_PARAMETER_ORDER = (
    "user_id",
    "anonymous_id",
    "previous_id",
    "group_id",
    "event",
    "name",
    "category",
    "properties",
    "traits",
    "timestamp",
    "context",
    "integrations",
    "message_id",
    "sent_at",
    "original_timestamp",
    "type",
)


def plain_annotation(annotation: Any) -> Any:
    """``annotation`` without validator metadata: what a reader or an editor should see.

    Parameters
    ----------
    annotation : Any
        A field annotation, for example ``Annotated[str, AfterValidator(...)] | None``.

    Returns
    -------
    Any
        The same type with every ``Annotated`` unwrapped and pydantic's
        ``AwareDatetime`` shown as ``datetime`` (``str | None`` for the example).

    Example
    -------
    >>> plain_annotation(Identifier | None)
    str | None
    """
    origin = get_origin(annotation)
    if origin is Annotated:
        return plain_annotation(get_args(annotation)[0])
    if annotation is AwareDatetime:
        return datetime
    args = get_args(annotation)
    if origin in (Union, UnionType):
        try:
            return functools.reduce(operator.or_, (plain_annotation(arg) for arg in args))
        except TypeError:
            return annotation
    if origin in (list, dict, tuple, set, frozenset) and args:
        return origin[tuple(plain_annotation(arg) for arg in args)]
    return annotation


def _plain_signature(model: type[BaseModel]) -> inspect.Signature:
    """The keyword-only constructor signature of ``model`` with snake_case names."""
    fields = list(model.model_fields.items())
    known = len(_PARAMETER_ORDER)

    def rank(item: tuple[int, tuple[str, Any]]) -> int:
        position, (name, _) = item
        return _PARAMETER_ORDER.index(name) if name in _PARAMETER_ORDER else known + position

    parameters = []
    for _, (name, field) in sorted(enumerate(fields), key=rank):
        if field.is_required():
            default: Any = inspect.Parameter.empty
        elif field.default_factory is not None:
            default = _Generated(field.default_factory)
        else:
            default = field.default
        parameters.append(
            inspect.Parameter(
                name,
                inspect.Parameter.KEYWORD_ONLY,
                default=default,
                annotation=plain_annotation(field.annotation),
            )
        )
    return inspect.Signature(parameters, return_annotation=None)


class _PlainSignatureAttribute:
    """``Model.__signature__``: built on first read, once per class."""

    def __init__(self) -> None:
        self.built: dict[type, inspect.Signature] = {}

    def __get__(self, instance: Any, owner: type[BaseModel]) -> inspect.Signature:
        found = self.built.get(owner)
        if found is None:
            found = self.built[owner] = _plain_signature(owner)
        return found


_PLAIN_SIGNATURE = _PlainSignatureAttribute()


def _type_text(annotation: Any) -> str:
    text = inspect.formatannotation(plain_annotation(annotation))
    return re.sub(r"\b(?:[a-z_][a-z0-9_]*\.)+(?=[A-Za-z_])", "", text)


def typed_dict_keys_help(typed: type, indent: str) -> list[str]:
    """Lines describing each key of a TypedDict: ``key : type`` and its description.

    Parameters
    ----------
    typed : type
        A ``TypedDict`` whose keys carry docstrings in its source.
    indent : str
        Put before every line.

    Returns
    -------
    list of str
    """
    hints = get_type_hints(typed)
    descriptions = key_descriptions(typed)
    lines = []
    for key, hint in hints.items():
        lines.append(f"{indent}{key} : {_type_text(hint)}")
        description = descriptions.get(key)
        if description:
            lines.extend(f"{indent}    {line}" for line in description.splitlines())
    return lines


def model_help(model: type[BaseModel]) -> str:
    """A model's docstring with a numpy-style section listing its parameters.

    Parameters
    ----------
    model : type
        A model class.

    Returns
    -------
    str
    """
    lines = [inspect.cleandoc(model.__doc__ or model.__name__), "", "Parameters", "----------"]
    descriptions = field_descriptions(model)
    for parameter in _PLAIN_SIGNATURE.__get__(None, model).parameters.values():
        field = model.model_fields[parameter.name]
        optional = "" if field.is_required() else ", optional"
        lines.append(f"{parameter.name} : {_type_text(field.annotation)}{optional}")
        description = descriptions.get(parameter.name)
        if description:
            lines.extend(f"    {line}" for line in description.splitlines())
        typed = next(
            (arg for arg in (field.annotation, *get_args(field.annotation)) if is_typeddict(arg)),
            None,
        )
        if typed is not None:
            lines.append(f"    Recommended keys ({typed.__name__}):")
            lines.extend(typed_dict_keys_help(typed, "      "))
    return "\n".join(lines)


_DESCRIPTIONS: dict[type, dict[str, str]] = {}
_CLASS_INDEXES: dict[str, dict[str, ast.ClassDef]] = {}


def key_descriptions(typed: type) -> dict[str, str]:
    """Each key of a TypedDict with its docstring from the source, inherited keys included.

    Read on first use (never at import time) and cached.

    Parameters
    ----------
    typed : type
        A ``TypedDict`` defined at module level.

    Returns
    -------
    dict
        Key to description, base classes' keys first.
    """
    found = _DESCRIPTIONS.get(typed)
    if found is None:
        index = _class_index(sys.modules[typed.__module__])
        found = _DESCRIPTIONS[typed] = _collect_descriptions(typed.__name__, index)
    return dict(found)


def _class_index(module: Any) -> dict[str, ast.ClassDef]:
    """The module's top-level classes by name, parsed from its source once."""
    index = _CLASS_INDEXES.get(module.__name__)
    if index is None:
        try:
            tree = ast.parse(inspect.getsource(module))
        except (OSError, TypeError):  # no source (a frozen or compiled-only install)
            tree = ast.Module(body=[], type_ignores=[])
        index = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
        _CLASS_INDEXES[module.__name__] = index
    return index


def _collect_descriptions(name: str, index: dict[str, ast.ClassDef]) -> dict[str, str]:
    node = index.get(name)
    if node is None:
        return {}
    found: dict[str, str] = {}
    for base in node.bases:
        if isinstance(base, ast.Name):
            found.update(_collect_descriptions(base.id, index))
    found.update(_own_descriptions(node))
    return found


def _own_descriptions(node: ast.ClassDef) -> dict[str, str]:
    """The docstring under each annotated attribute of one class body."""
    found: dict[str, str] = {}
    body = node.body
    for statement, following in zip(body, [*body[1:], None], strict=True):
        if not (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)):
            continue
        if (
            isinstance(following, ast.Expr)
            and isinstance(following.value, ast.Constant)
            and isinstance(following.value.value, str)
        ):
            found[statement.target.id] = inspect.cleandoc(following.value.value)
    return found


_JsonPlan = tuple[tuple[tuple[str, str], ...], tuple[str, ...]]
_JSON_PLANS: dict[type, _JsonPlan] = {}


def _json_plan(model: type[BaseModel]) -> _JsonPlan:
    """``(field, wire key)`` pairs in serialization order when orjson may write ``model``
    (empty when it may not), and the fields that may hold a model.

    The values of a validated model are the plain types the compiled dict path of
    :mod:`cio.models._wire` writes with orjson (byte for byte what pydantic writes, a
    test checks it); a model with its own serializers gets an empty plan and is written
    by pydantic, as is an instance holding extra keys or a nested model.
    """
    decorators = model.__pydantic_decorators__
    if decorators.field_serializers or decorators.model_serializers or decorators.computed_fields:
        return (), ()
    keys = []
    for name, field in model.model_fields.items():
        if field.exclude or any(
            type(item).__name__.endswith("Serializer") for item in field.metadata
        ):
            return (), ()
        keys.append((name, field.serialization_alias or field.alias or name))
    models = tuple(
        name for name, field in model.model_fields.items() if _may_hold_model(field.annotation)
    )
    return tuple(keys), models


def _may_hold_model(annotation: Any) -> bool:
    """Whether a field's value may be a model (containers and literals never are)."""
    if annotation is Any:
        return True
    if isinstance(annotation, type):
        return issubclass(annotation, BaseModel)
    origin = get_origin(annotation)
    if origin is Annotated:
        return _may_hold_model(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return any(_may_hold_model(arg) for arg in get_args(annotation))
    return False


_MODELS_BY_NAME: dict[str, type[BaseModel]] = {}


def field_descriptions(model: type[BaseModel]) -> dict[str, str]:
    """Each field of ``model`` with the docstring written under it (inherited ones too).

    Read from the source on first use and cached; a field without a docstring is absent.

    Parameters
    ----------
    model : type
        A model class.

    Returns
    -------
    dict
        Field name to description.

    Example
    -------
    >>> from cio.models import Identify
    >>> field_descriptions(Identify)["user_id"]
    'Your id for the person.'
    """
    found = _FIELD_DESCRIPTIONS.get(model)
    if found is None:
        found = {}
        for cls in reversed(model.__mro__):
            if issubclass(cls, BaseModel) and cls.__module__.startswith(_OWN_PACKAGE):
                node = _class_index(sys.modules[cls.__module__]).get(cls.__name__)
                if node is not None:
                    found.update(_own_descriptions(node))
        for name, field in model.model_fields.items():
            if field.description:
                found[name] = field.description
        _FIELD_DESCRIPTIONS[model] = found
    return {name: text for name, text in found.items() if name in model.model_fields}


_FIELD_DESCRIPTIONS: dict[type, dict[str, str]] = {}
_OWN_PACKAGE = "cio."


def _describe_properties(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """Add each field's description to the JSON Schema ``properties`` of ``model``."""
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return
    descriptions = field_descriptions(model)
    for name, field in model.model_fields.items():
        description = descriptions.get(name)
        for key in {name, field.alias or name, field.serialization_alias or name}:
            entry = properties.get(key)
            if description and isinstance(entry, dict) and "description" not in entry:
                entry["description"] = description


_SHARED_FIELDS_SETS: dict[tuple[type, tuple[str, ...]], set[str]] = {}


def share_fields_set(model: BaseModel, keys: tuple[str, ...]) -> None:
    """Let models built from the same keywords share one ``__pydantic_fields_set__``.

    A notebook keeps many models in a list, and the garbage collector traverses every
    container they hold; one set per kind of call instead of one per model cuts what it
    traverses by a quarter. Models are frozen and pydantic copies the set before any
    change (``model_copy``), so sharing is safe; a set that differs is never replaced.

    Parameters
    ----------
    model : BaseModel
        A model just validated from keyword arguments.
    keys : tuple of str
        The keywords, in the order given.
    """
    key = (type(model), keys)
    own = model.__pydantic_fields_set__
    shared = _SHARED_FIELDS_SETS.get(key)
    if shared is None:
        if len(_SHARED_FIELDS_SETS) < MAX_SHARED_FIELDS_SETS:
            _SHARED_FIELDS_SETS[key] = own
    elif shared is not own and shared == own:
        object.__setattr__(model, "__pydantic_fields_set__", shared)


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
