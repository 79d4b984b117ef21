"""Dict in, JSON bytes out: the models' own rules without building model instances.

The bulk paths (``client.batch.send`` over dicts, imports) need only the validated wire
bytes of each message, its ``messageId`` and its ordering key. Building a frozen model
instance (and one per nested properties/product/context object) and then serializing
it costs about twice what pydantic-core needs to check the same dict. So each message
model is compiled once more, from its own core schema, into a validator whose output
is the wire form as a plain dict (every ``model`` schema becomes a ``typed-dict``
schema with the same fields, lookups, validators, extras handling and config, keyed by
the wire names), which orjson writes. Nothing is written twice: the models stay the one
definition of the rules.

Equivalence with the models is kept by construction and by tests:

* The model path is the reference. Whenever the compiled validator or serializer
  refuses an input, the input is validated by its model instead, so every error a
  user sees is the model's own error, word for word.
* A compiled validator may only be stricter than the model, never looser; model-level
  validators are the one thing a dict cannot run, so each is handled by name here
  (:data:`_HANDLED_MODEL_VALIDATORS`), and a model with any other model-level validator
  is not compiled (it stays on the model path) rather than compiled wrongly. A field
  set to None (which pydantic leaves out of the JSON) is refused, so the output never
  holds a None that orjson would write as ``null``; two Python checks become Rust ones
  (ids as a regex, UTC datetimes by their offset constraint).
* Warnings (:mod:`cio.models._advice`) are computed on the model path, with one
  exception: the compiled validator is stricter wherever a message-level check could
  apply (unknown top-level keys are refused, an email the fast check cannot vouch for
  is refused, a plain track named like or almost like a semantic event is handed over),
  so its fast path runs no message-level advisor. A semantic event's properties are
  free-form for the API, so its codec asks the properties check
  (:func:`~cio.models._advice.advise_properties`) as a built model does.
* ``tests/unit/models/test_wire.py`` checks, for every message model, that the bytes
  are identical to ``parse_message(data).to_json()`` on generated valid and invalid
  inputs.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from typing import Any, NamedTuple, TypeAlias

import orjson
import pydantic_core
from pydantic_core import CoreSchema, PydanticCustomError, SchemaSerializer, SchemaValidator

from cio.errors import ErrorDetail
from cio.models._advice import _OUTSIDE_ADVISORS as _OUTSIDE
from cio.models._advice import PropertiesCheck, advise_outside, properties_check
from cio.models._core import (
    FREE_FORM_CHECK,
    IDENTIFIER_PATTERN,
    NONE_ONLY_FOR_NONE,
    _check_identifier,
    _check_traits,
    _exact_offset,
    check_traits_vouched,
    is_plain_json,
    new_message_id,
    refuse_unix_numbers,
)
from cio.models._values import json_safe
from cio.models.base import Message, ordering_key
from cio.models.calls import (
    _NEAR_MISSES,
    SEMANTIC_EVENTS,
    Track,
    _IdentifiedMessage,
    message_model,
    model_warnings,
)

__all__ = ["EncodedMessage", "encode_model", "encode_wire"]

Warnings: TypeAlias = tuple[ErrorDetail, ...]
"""Located warnings of one message (see :mod:`cio.models._advice`)."""

Encoded: TypeAlias = tuple[bytes, str, str, Warnings]
"""``(body, message_id, key, warnings)``: compact JSON (not size-checked), its messageId,
the ordering key (the userId, else the anonymousId, else the messageId), and what the
API accepts but is probably a mistake (always empty on the compiled fast path)."""

_NO_WARNINGS: Warnings = ()


class EncodedMessage(NamedTuple):
    """A validated message as the API receives it.

    Attributes
    ----------
    body : bytes
        Compact JSON, at most 32 KB.
    message_id : str
        Its ``messageId`` (generated when the input had none).
    key : str
        The ``userId``, else the ``anonymousId``, else the ``messageId``: messages with
        the same key are delivered in order.
    warnings : tuple of ErrorDetail
        What the API accepts but is probably a mistake, located; empty when nothing
        looks wrong.
    """

    body: bytes
    message_id: str
    key: str
    warnings: Warnings = ()


class _UnsupportedSchemaError(Exception):
    """A schema construct the dict compilation does not reproduce faithfully."""


_dumps = orjson.dumps
# pydantic writes a UTC offset of zero as "Z"; so does orjson with this option.
_DUMPS_OPTIONS = orjson.OPT_UTC_Z

# Model-level "after" validators receive a model instance, which a dict validator never
# builds; each one is handled here instead, and only these.
_CHECK_IDENTITY = "identity"
_CHECK_SEMANTIC = "semantic"
_HANDLED_MODEL_VALIDATORS: dict[object, str] = {
    # userId or anonymousId: checked on the output dict in _Codec.encode.
    _IdentifiedMessage._require_identity: _CHECK_IDENTITY,
    # A plain Track named like a semantic event is validated by that event's model:
    # _Codec.encode hands such a message to the model (message_model() already routes
    # them to the semantic class, so this happens only when Track is asked for).
    Track._check_semantic: _CHECK_SEMANTIC,
}

# Keys of a core schema whose values are schemas (or lists/dicts of schemas).
_SCHEMA_KEYS = frozenset(
    {
        "schema",
        "items_schema",
        "keys_schema",
        "values_schema",
        "extras_schema",
        "choices",
        "definitions",
        "steps",
        "lax_schema",
        "strict_schema",
        "json_schema",
        "python_schema",
    }
)
# Model keys that have no dict equivalent: their presence means "do not compile".
_MAY_BE_NONE = "may be None"
_PYDANTIC_CONSTRAINTS = "pydantic._internal._validators"
# Schemas whose output is never None.
_NEVER_NONE = frozenset(
    {"str", "int", "float", "bool", "datetime", "date", "time", "decimal", "uuid"}
    | {"typed-dict", "list", "tuple", "set", "frozenset", "dict"}
)
_MODEL_ONLY_BEHAVIOUR = ("post_init", "serialization", "computed_fields")
# Set before converting a semantic event: its properties skip the model's JSON-value check
# in the validator, since the codec's properties check (one walk) proves it afterwards.
_CLEAN_PROPERTIES = "properties checked by the codec"
_PROPERTIES = "properties"
_DEFAULT_ONLY_KEYS = frozenset({"type", "schema", "default"})


def _convert(schema: Any, handled: set[str]) -> Any:
    """``schema`` with every model turned into a typed dict (recursively)."""
    if isinstance(schema, list | tuple):
        return type(schema)(_convert(item, handled) for item in schema)
    if not isinstance(schema, dict):
        return schema
    kind = schema.get("type")
    if schema.get("function", {}).get("type") == "with-info":
        # info.data and info.field_name would carry wire names here, not Python names.
        raise _UnsupportedSchemaError("a validator that reads other fields")
    if kind in ("function-after", "function-wrap", "function-plain") and _wraps_model(schema):
        return _convert_model_validator(schema, handled)
    if kind == "function-after" and _is_identifier_check(schema):
        # The same rule as a Rust regex: no call into Python for every id.
        return {**schema["schema"], "pattern": IDENTIFIER_PATTERN}
    if kind == "function-before" and schema.get("function", {}).get("function") is (
        refuse_unix_numbers
    ):
        return _fast_timestamp(_convert(schema["schema"], handled), schema)
    if kind == "function-after" and schema.get("function", {}).get("function") is _check_traits:
        # Stricter than the model: a message whose email would be warned about falls
        # back to the model path, where the advisors run.
        vouched = {"type": "no-info", "function": check_traits_vouched}
        return {**schema, "function": vouched, "schema": _convert(schema["schema"], handled)}
    if kind == "function-after" and _is_offset_check(schema):
        # A UTC datetime needs no offset check: try that first, in Rust.
        utc = {**schema["schema"], "tz_constraint": 0}
        return {"type": "union", "choices": [utc, schema], "mode": "left_to_right"}
    if kind == "model":
        return _convert_model(schema, handled)
    if kind == "model-fields":
        raise _UnsupportedSchemaError("model fields outside a model schema")
    return {
        key: _convert(value, handled) if key in _SCHEMA_KEYS else value
        for key, value in schema.items()
    }


# A string shaped like an RFC 3339 date, so the Rust datetime parser may read it (a
# numeric string would be read as Unix time, which the models refuse).
_DATE_SHAPED = r"^\d{4}-\d{2}-\d{2}"


def _fast_timestamp(converted: Any, original: dict[str, Any]) -> dict[str, Any]:
    """A timestamp schema whose usual inputs never call Python.

    A UTC datetime instance, or a date-shaped string with a UTC offset, validates in
    Rust; anything else (numbers included) goes through the model's own checks.
    """
    utc_instance = {"type": "datetime", "strict": True, "tz_constraint": 0}
    utc_text = {
        "type": "chain",
        "steps": [
            {"type": "str", "strict": True, "pattern": _DATE_SHAPED},
            {"type": "datetime", "tz_constraint": 0},
        ],
    }
    checked = {**original, "schema": converted}
    return {"type": "union", "choices": [utc_instance, utc_text, checked], "mode": "left_to_right"}


def _is_identifier_check(schema: dict[str, Any]) -> bool:
    return _is_check(schema, _check_identifier, "str") and "pattern" not in schema["schema"]


def _is_offset_check(schema: dict[str, Any]) -> bool:
    return _is_check(schema, _exact_offset, "datetime")


def _is_check(schema: dict[str, Any], function: Any, inner_type: str) -> bool:
    """Whether ``schema`` runs ``function`` after a plain ``inner_type`` schema."""
    inner = schema.get("schema")
    return (
        schema.get("function", {}).get("function") is function
        and isinstance(inner, dict)
        and inner.get("type") == inner_type
    )


def _wraps_model(schema: dict[str, Any]) -> bool:
    inner = schema.get("schema")
    while isinstance(inner, dict) and inner.get("type", "").startswith("function-"):
        inner = inner.get("schema")
    return isinstance(inner, dict) and inner.get("type") == "model"


def _convert_model_validator(schema: dict[str, Any], handled: set[str]) -> Any:
    function = schema.get("function", {}).get("function")
    role = _HANDLED_MODEL_VALIDATORS.get(function) if schema["type"] == "function-after" else None
    if role is None:
        raise _UnsupportedSchemaError(f"model-level validator {function!r}")
    handled.add(role)
    inner = _convert(schema["schema"], handled)
    if "ref" in schema:
        inner = {**inner, "ref": schema["ref"]}
    return inner


def _convert_model(schema: dict[str, Any], handled: set[str]) -> dict[str, Any]:
    # Model "before" validators see the raw input, a dict in both modes: they are kept.
    before: list[dict[str, Any]] = []
    fields_schema = schema["schema"]
    while fields_schema.get("type") == "function-before":
        before.append(fields_schema)
        fields_schema = fields_schema["schema"]
    if fields_schema.get("type") != "model-fields":
        raise _UnsupportedSchemaError("a model whose fields are wrapped by a validator")
    if schema.get("custom_init") or schema.get("root_model"):
        raise _UnsupportedSchemaError("custom __init__ or root model")
    for key in _MODEL_ONLY_BEHAVIOUR:
        if schema.get(key) or fields_schema.get(key):
            raise _UnsupportedSchemaError(key)
    config = schema.get("config") or {}
    fields = dict(
        _convert_field(name, field, config, handled)
        for name, field in fields_schema["fields"].items()
    )
    # Each field lists the keys it is read from (alias first, then name, as the model
    # reads them), since the dict's own keys are now the wire names.
    result: dict[str, Any] = {
        "type": "typed-dict",
        "fields": fields,
        "config": {**config, "validate_by_alias": True, "validate_by_name": False},
    }
    extra = fields_schema.get("extra_behavior") or config.get("extra_fields_behavior")
    if extra is not None:
        result["extra_behavior"] = extra
    if "extras_schema" in fields_schema:
        result["extras_schema"] = _extras(_convert(fields_schema["extras_schema"], handled))
        if not _never_none(result["extras_schema"]):
            handled.add(_MAY_BE_NONE)
    for wrapper in reversed(before):
        result = {**wrapper, "schema": result}
    if "ref" in schema:
        result["ref"] = schema["ref"]
    return result


def _convert_field(
    name: str, field: dict[str, Any], config: Mapping[str, Any], handled: set[str]
) -> tuple[str, dict[str, Any]]:
    """The typed-dict field for a model field, keyed by its wire (serialization) name."""
    inner = field["schema"]
    required = True
    if inner.get("type") == "default":
        required = False
        # An absent field and a None default serialize alike (None is excluded on the
        # wire), so a None default is dropped rather than filled into every output.
        if inner.keys() <= _DEFAULT_ONLY_KEYS and inner.get("default") is None:
            inner = inner["schema"]
    key = field.get("serialization_alias") or name
    if name == _PROPERTIES and _CLEAN_PROPERTIES in handled:
        inner = _without_free_form_check(inner)
    converted = {
        item: value
        for item, value in field.items()
        if item not in ("type", "frozen", "validation_alias")
    }
    converted["type"] = "typed-dict-field"
    converted["schema"] = _convert(_refusing_none(inner), handled)
    converted["required"] = required
    if not _never_none(converted["schema"]):
        handled.add(_MAY_BE_NONE)
    lookups = _lookups(name, field.get("validation_alias"), config)
    if lookups != [[key]]:
        converted["validation_alias"] = lookups
    return key, converted


def _without_free_form_check(schema: dict[str, Any]) -> dict[str, Any]:
    """A free-form field's schema without its JSON-value check (the codec does it)."""
    kind = schema.get("type")
    if kind == "default":
        return {**schema, "schema": _without_free_form_check(schema["schema"])}
    function = schema.get("function", {}).get("function")
    if kind == "function-after" and getattr(function, FREE_FORM_CHECK, False):
        return dict(schema["schema"])
    raise _UnsupportedSchemaError("semantic properties that are not free-form")


def _refusing_none(schema: dict[str, Any]) -> dict[str, Any]:
    """A field's schema without its top-level ``nullable``.

    pydantic leaves a field set to None out of the JSON; the compiled validator refuses
    None instead, so such a message goes to its model and no output field is ever None.
    """
    kind = schema.get("type")
    if kind == "nullable":
        return _refusing_none(schema["schema"])
    if kind in ("function-after", "function-before", "default"):
        return {**schema, "schema": _refusing_none(schema["schema"])}
    return schema


def _extras(schema: dict[str, Any]) -> dict[str, Any]:
    """The extras schema, refusing None (pydantic leaves extra keys set to None out)."""
    function = schema.get("function", {}).get("function")
    if schema.get("type") == "function-after" and function is json_safe:
        return {**schema, "function": {"type": "no-info", "function": _present_json_safe}}
    return schema


def _present_json_safe(value: Any) -> Any:
    converted = None if value is None else json_safe(value)
    if converted is None:
        raise PydanticCustomError("none_extra", "left out by the model")
    return converted


def _never_none(schema: dict[str, Any]) -> bool:
    """Whether validating with ``schema`` can never give None (judged conservatively)."""
    kind = schema.get("type")
    if kind in _NEVER_NONE:
        return True
    if kind == "literal":
        return None not in schema["expected"]
    if kind == "function-before":
        return _never_none(schema["schema"])
    if kind == "chain":
        return _never_none(schema["steps"][-1])
    if kind == "function-after":
        function = schema["function"]["function"]
        if function is _present_json_safe:
            return True
        return _keeps_values(function) and _never_none(schema["schema"])
    if kind == "default":
        if "default" in schema:
            filled = schema["default"] is not None
        else:
            filled = schema.get("default_factory") is new_message_id
        return filled and _never_none(schema["schema"])
    if kind == "union":
        return all(
            _never_none(choice if isinstance(choice, dict) else choice[0])
            for choice in schema["choices"]
        )
    return False


def _keeps_values(function: Any) -> bool:
    if getattr(function, NONE_ONLY_FOR_NONE, False):
        return True
    # pydantic's own constraint checks (gt, max_length, ...) return their input.
    inner = getattr(function, "func", None)
    return getattr(inner, "__module__", None) == _PYDANTIC_CONSTRAINTS


def _lookups(name: str, alias: Any, config: Mapping[str, Any]) -> list[list[str | int]]:
    """The input keys a model field is read from, in the order the model tries them."""
    paths: list[list[str | int]] = []
    if alias is not None and config.get("validate_by_alias", True):
        if isinstance(alias, str):
            paths.append([alias])
        elif alias and isinstance(alias[0], list):
            paths.extend(alias)
        else:
            paths.append(alias)
    if alias is None or config.get("validate_by_name", False):
        paths.append([name])
    unique: list[list[str | int]] = []
    for path in paths:
        if path not in unique:
            unique.append(path)
    return unique


class _Codec:
    """One model's compiled dict validator and serializer.

    The validator's output is the wire form itself (wire keys, unset fields absent, no
    field None), so orjson writes it, byte for byte as pydantic would. A model where
    some field could still come out as None is written by pydantic-core's serializer
    of the same schema instead (which leaves such fields out, as the model does).
    """

    __slots__ = (
        "anonymous_id",
        "check_identity",
        "check_semantic",
        "group_id",
        "message_id",
        "model",
        "properties",
        "serialize",
        "use_orjson",
        "user_id",
        "validate",
    )

    def __init__(self, model: type[Message]) -> None:
        handled: set[str] = set()
        if not model.__pydantic_complete__:
            model.model_rebuild()  # models build their schema on first use (defer_build)
        # A semantic event's properties get the checks a built model's get: the codec
        # runs them after validating (see encode), instead of the JSON-value check.
        names = model.event_names() if issubclass(model, Track) else ()
        self.properties: PropertiesCheck | None = properties_check(names[0]) if names else None
        if self.properties is not None:
            handled.add(_CLEAN_PROPERTIES)
        schema: CoreSchema = _forbid_extras(_convert(model.__pydantic_core_schema__, handled))
        self.model = model
        # Models that need no person (the report events) skip the check, as the model does.
        self.check_identity = _CHECK_IDENTITY in handled and bool(
            getattr(model, "requires_identity", True)
        )
        # Semantic subclasses inherit the validator, where it does nothing.
        self.check_semantic = _CHECK_SEMANTIC in handled and model is Track
        self.use_orjson = _MAY_BE_NONE not in handled
        self.validate = SchemaValidator(schema).validate_python
        self.serialize = SchemaSerializer(schema).to_json
        wire = {name: info.serialization_alias or name for name, info in model.model_fields.items()}
        self.message_id = wire["message_id"]
        self.user_id = wire.get("user_id", "")
        self.anonymous_id = wire.get("anonymous_id", "")
        # A track may name a group instead of a person (the /track group alternative).
        self.group_id = wire.get("group_id", "") if self.check_identity else ""

    def encode(self, data: Mapping[str, Any]) -> Encoded:
        """Validate and serialize ``data``; the model decides whenever this cannot."""
        try:
            out = self.validate(data)
        except (pydantic_core.ValidationError, TypeError):
            # TypeError: a pydantic constraint given a value of another type (a str enum
            # where a number is checked against a bound) raises it instead of an error.
            return self.by_model(data)
        if self.check_semantic:
            event = out["event"]
            # A semantic name is validated by its model; a near miss gets its warning there.
            if event in SEMANTIC_EVENTS or event.lower() in _NEAR_MISSES:
                return self.by_model(data)
        found = _NO_WARNINGS
        check = self.properties
        if check is not None:
            properties = out.get(_PROPERTIES)
            if properties is None:
                found = check.warnings(None)
            elif not check.clean(properties):
                if not is_plain_json(properties, -1):
                    return self.by_model(data)  # converted by the model's own rules
                found = check.warnings(properties)
        message_id: str = out[self.message_id]
        key = ordering_key(out.get(self.user_id), out.get(self.anonymous_id), message_id)
        if key is message_id and self.check_identity and not out.get(self.group_id):
            return self.by_model(data)
        body = None
        if self.use_orjson:
            try:  # noqa: SIM105 - no context manager on the path every message takes
                # orjson's bytes keep their whole write buffer (4 KB for a 300-byte
                # message); an exact copy keeps queued batches at their real size.
                body = memoryview(_dumps(out, option=_DUMPS_OPTIONS)).tobytes()
            except TypeError:  # orjson.JSONEncodeError: an int over 64 bits, a surrogate
                pass
        if body is None:
            try:
                body = self.serialize(out, by_alias=True, exclude_none=True)
            except pydantic_core.PydanticSerializationError:
                return self.by_model(data)
        if _OUTSIDE:
            found += advise_outside(out)
        return body, message_id, key, found

    def by_model(self, data: Mapping[str, Any]) -> Encoded:
        """The reference path: the model raises its own error, or its result is used."""
        return encode_model(self.model.model_validate(data))


def _forbid_extras(schema: Any) -> Any:
    """``schema`` with unknown top-level keys refused (nested objects unchanged).

    The models keep unknown top-level keys and warn about them; the compiled path
    refuses them instead, so such a message goes to the model path and its warnings.
    """
    if schema.get("type") == "typed-dict":
        closed = {key: value for key, value in schema.items() if key != "extras_schema"}
        return {**closed, "extra_behavior": "forbid"}
    if schema.get("type") == "definitions" or (
        schema.get("type", "").startswith("function-") and "schema" in schema
    ):
        return {**schema, "schema": _forbid_extras(schema["schema"])}
    raise _UnsupportedSchemaError("a message schema that is not a typed dict")


_CODECS: dict[type[Message], _Codec | None] = {}
# The codecs parse_message's choice leads to, by "type" (all but track) and by exact
# semantic event name: one dict lookup instead of message_model() per message.
_BY_TYPE: dict[str, _Codec] = {}
_BY_EVENT: dict[str, _Codec] = {}
_COMPILE_LOCK = threading.Lock()


def codec_for(model: type[Message]) -> _Codec | None:
    """The compiled codec of ``model`` (built on first use), or ``None`` if it has none.

    Parameters
    ----------
    model : type
        A message model class.

    Returns
    -------
    _Codec or None
        ``None`` when the model uses something a dict validator cannot reproduce; its
        messages then go through the model.
    """
    try:
        return _CODECS[model]
    except KeyError:
        pass
    with _COMPILE_LOCK:
        if model not in _CODECS:
            try:
                _CODECS[model] = _register(_Codec(model))
            except _UnsupportedSchemaError:
                _CODECS[model] = None
        return _CODECS[model]


def _register(codec: _Codec) -> _Codec:
    """Let :func:`encode_wire` find ``codec`` by the message's type or exact event name."""
    model = codec.model
    # Only this model's own names: listing every semantic class would import them all.
    names = model.event_names() if issubclass(model, Track) else ()
    for name in names:
        if SEMANTIC_EVENTS.get(name) is model:
            _BY_EVENT[name] = codec
    kind = model.model_fields["type"].default
    if kind != "track" and message_model({"type": kind}) is model:
        _BY_TYPE[kind] = codec
    return codec


def encode_model(message: Message) -> Encoded:
    """The :data:`Encoded` form of a ready model (bytes not size-checked).

    Parameters
    ----------
    message : Message

    Returns
    -------
    tuple of (bytes, str, str, tuple of ErrorDetail)
    """
    message_id = message.message_id
    key = ordering_key(message.user_id, message.anonymous_id, message_id)
    body = message.to_json_unchecked()
    return body, message_id, key, model_warnings(message, body)


def encode_wire(data: Mapping[str, Any], model: type[Message] | None = None) -> Encoded:
    """Validate a wire-form (or snake_case) dict and serialize it, without a model instance.

    Parameters
    ----------
    data : mapping
        One message. With ``model`` unset it needs a ``type`` key, as for
        :func:`~cio.models.parse_message`.
    model : type, optional
        The message class to validate with instead of choosing one from ``type`` and
        ``event``.

    Returns
    -------
    tuple of (bytes, str, str, tuple of ErrorDetail)
        ``(body, message_id, key, warnings)``; the body is not size-checked.

    Raises
    ------
    pydantic.ValidationError
        Exactly as :func:`~cio.models.parse_message` (or ``model.model_validate``) would:
        the error is the model's own.
    cio.ValidationError
        When a string cannot be encoded as UTF-8.
    """
    if model is None and type(data) is dict:
        kind = data.get("type")
        if kind == "track":
            event = data.get("event")
            found = _BY_EVENT.get(event) if type(event) is str else None
        else:
            found = _BY_TYPE.get(kind) if type(kind) is str else None
        if found is not None:
            return found.encode(data)
    cls = message_model(data) if model is None else model
    codec = codec_for(cls)
    if codec is None:
        return encode_model(cls.model_validate(data))
    return codec.encode(data)
