"""Building blocks shared by the semantic event families.

Semantic properties are recommendations, not rules: the API's ``/track`` body leaves
``properties`` free-form, and Customer.io stores whatever it is sent. So each event's
properties are described twice, for two audiences:

* For people and type checkers, a ``TypedDict`` (``OrderCompletedProperties``, ...)
  whose keys are the document's wire names and whose values have the recommended
  types, each key with a description. Editors complete the keys, and mypy and pyright
  reject a wrong type or an unknown key in your code.
* At run time, ``properties`` is validated as a free-form JSON object (the conversions
  of :mod:`cio.models._values`, nothing else): keys are sent exactly as written, explicit
  ``null`` values are kept, and a value whose type differs from the recommendation is
  sent as given with a located warning (:mod:`cio.models.semantic._advisor`).

:data:`Recommended` joins the two: ``properties: Recommended[OrderCompletedProperties]``
is ``OrderCompletedProperties | None`` to a type checker and free-form to pydantic.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from datetime import datetime
from functools import partial
from typing import Annotated, Any, TypeVar, Union, cast, get_args

from pydantic import ConfigDict, GetCoreSchemaHandler, GetJsonSchemaHandler, TypeAdapter
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema
from typing_extensions import is_typeddict

from cio.models._core import FreeForm, key_descriptions, typed_dict_keys_help

__all__ = [
    "RECOMMENDED",
    "Recommended",
    "add_help",
    "advised_properties",
    "key_descriptions",
    "recommended_properties",
    "register_properties_validator",
    "typed_dict_help",
    "typed_dict_json_schema",
]

_T = TypeVar("_T")
RECOMMENDED_KEYWORD = "x-recommended"
"""JSON Schema keyword holding the recommended type of a semantic property (a schema
that validators ignore: the API accepts any JSON value there)."""


class _FreeFormProperties:
    """``Annotated`` marker: validate as free-form properties, describe the TypedDict."""

    __slots__ = ()

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        schema = handler.generate_schema(FreeForm)
        recommended = _typed_dict_in(source)
        if recommended is not None:
            metadata = dict(schema.get("metadata") or {})
            metadata["pydantic_js_functions"] = [partial(_json_schema, recommended)]
            cast("dict[str, Any]", schema)["metadata"] = metadata
            if _PROPERTIES_VALIDATORS and schema.get("type") == "function-after":
                function = _PROPERTIES_VALIDATORS[0](recommended)
                validator = {"type": "no-info", "function": function}
                schema = cast("CoreSchema", {**schema, "function": validator})
        return schema

    def __repr__(self) -> str:
        return "FreeFormProperties"


_PROPERTIES_VALIDATORS: list[Callable[[type], Callable[[Any], Any]]] = []


def register_properties_validator(
    factory: Callable[[type], Callable[[Any], Any]],
) -> Callable[[type], Callable[[Any], Any]]:
    """Set what validates recommended properties instead of the free-form check alone.

    ``factory(typed)`` returns the validator of properties recommended by the TypedDict
    ``typed``: it must accept and convert exactly what the free-form check does (the
    compiled dict path replaces it by that check), and may note what it learns on the
    way (see :data:`cio.models._advice.VOUCHED_PROPERTIES`).

    Parameters
    ----------
    factory : callable

    Returns
    -------
    callable
        ``factory``, so this can be used as a decorator.
    """
    if factory not in _PROPERTIES_VALIDATORS:
        _PROPERTIES_VALIDATORS.append(factory)
    return factory


RECOMMENDED = _FreeFormProperties()
"""``Annotated[X | None, RECOMMENDED]``: ``X | None`` for type checkers and editors (which
show it as such), free-form properties at run time."""

Recommended = Annotated[Union[_T, None], RECOMMENDED]  # noqa: UP007 - a runtime alias
"""``Recommended[X]``: the same as ``Annotated[X | None, RECOMMENDED]``."""


def _typed_dict_in(annotation: Any) -> type | None:
    """The TypedDict in ``annotation`` (``X`` or ``X | None``), if any."""
    if is_typeddict(annotation):
        return annotation  # type: ignore[no-any-return]
    for arg in get_args(annotation):
        if is_typeddict(arg):
            return arg  # type: ignore[no-any-return]
    return None


def recommended_properties(model: type[Any]) -> type | None:
    """The TypedDict that describes a semantic event's properties, if it has one.

    Parameters
    ----------
    model : type
        A message model class.

    Returns
    -------
    type or None
        The ``TypedDict`` of recommended keys and types, or ``None`` for free-form
        properties.

    Example
    -------
    >>> from cio.models.semantic import OrderCompleted
    >>> recommended_properties(OrderCompleted).__name__
    'OrderCompletedProperties'
    """
    field = model.model_fields.get("properties")
    return None if field is None else _typed_dict_in(field.annotation)


def advised_properties(model: type[Any]) -> type | None:
    """The properties TypedDict of ``model`` when it is a recommendation (:data:`Recommended`).

    Customer.io's own action events check their properties as rules instead; for them,
    and for free-form properties, this is ``None``.

    Parameters
    ----------
    model : type
        A message model class.

    Returns
    -------
    type or None
    """
    field = model.model_fields.get("properties")
    if field is None or not any(isinstance(item, _FreeFormProperties) for item in field.metadata):
        return None
    return _typed_dict_in(field.annotation)


def typed_dict_help(typed: type) -> str:
    """A properties TypedDict's docstring followed by each key, its type and description.

    Parameters
    ----------
    typed : type
        A semantic properties ``TypedDict``.

    Returns
    -------
    str

    Example
    -------
    >>> from cio.models.semantic import OrderCompletedProperties
    >>> "total : float" in typed_dict_help(OrderCompletedProperties)
    True
    """
    summary = inspect.cleandoc(typed.__doc__ or typed.__name__)
    return "\n".join([summary, "", "Keys", "----", *typed_dict_keys_help(typed, "")])


def add_help(namespace: dict[str, Any]) -> None:
    """Give each TypedDict of a family module a ``getdoc()`` listing its keys.

    IPython and Jupyter call ``getdoc()`` for ``OrderCompletedProperties?`` and Shift+Tab;
    the text is built when asked, from the source.

    Parameters
    ----------
    namespace : dict
        The module's ``globals()``.
    """
    for value in list(namespace.values()):
        if is_typeddict(value) and value.__module__ == namespace["__name__"]:
            type.__setattr__(value, "getdoc", partial(typed_dict_help, value))


_SCHEMA_CONFIG = ConfigDict(use_attribute_docstrings=True)
_JSON_SCHEMAS: dict[type, dict[str, Any]] = {}


def typed_dict_json_schema(recommended: type) -> dict[str, Any]:
    """The JSON Schema of a properties TypedDict, with key descriptions, ``$ref`` inlined.

    Parameters
    ----------
    recommended : type
        A semantic properties ``TypedDict``.

    Returns
    -------
    dict
        A JSON Schema object (``properties`` with types and descriptions).
    """
    found = _JSON_SCHEMAS.get(recommended)
    if found is None:
        # A list around it, since a TypedDict itself cannot be given a config.
        raw = TypeAdapter(list[recommended], config=_SCHEMA_CONFIG).json_schema()  # type: ignore[valid-type]
        definitions = raw.pop("$defs", {})
        found = _inline(raw["items"], definitions)
        for key, description in key_descriptions(recommended).items():
            entry = found.get("properties", {}).get(key)
            if entry is not None:
                entry["description"] = description
        _JSON_SCHEMAS[recommended] = found
    return found


def _inline(value: Any, definitions: dict[str, Any]) -> Any:
    if isinstance(value, dict):
        ref = value.get("$ref")
        if isinstance(ref, str):
            return _inline(definitions[ref.rsplit("/", 1)[-1]], definitions)
        return {key: _inline(item, definitions) for key, item in value.items()}
    if isinstance(value, list):
        return [_inline(item, definitions) for item in value]
    return value


def _json_schema(
    recommended: type, core_schema: CoreSchema, handler: GetJsonSchemaHandler
) -> JsonSchemaValue:
    """Free-form properties, listing each recommended key with its description.

    The recommended type of a key sits under ``x-recommended``, which validators ignore:
    the schema accepts exactly what the model accepts.
    """
    base = handler(core_schema)
    typed = typed_dict_json_schema(recommended)
    listed = {
        key: {
            key_word: value
            for key_word, value in {
                "title": entry.get("title"),
                "description": entry.get("description"),
                RECOMMENDED_KEYWORD: {k: v for k, v in entry.items() if k != "description"},
            }.items()
            if value is not None
        }
        for key, entry in typed.get("properties", {}).items()
    }
    described = {
        "type": "object",
        "title": recommended.__name__,
        "description": (recommended.__doc__ or "").strip().split("\n")[0],
        "properties": listed,
        "additionalProperties": True,
    }
    choices = base.get("anyOf")
    if isinstance(choices, list):
        return {**base, "anyOf": [described if c.get("type") == "object" else c for c in choices]}
    return {**base, **described}


def is_date_time(value: Any) -> bool:
    """Whether ``value`` is a date-time: an aware datetime or an RFC 3339 string.

    Parameters
    ----------
    value : Any

    Returns
    -------
    bool

    Example
    -------
    >>> is_date_time("1991-08-13T20:00:00Z"), is_date_time("1991-08-13")
    (True, False)
    """
    if isinstance(value, datetime):
        return value.tzinfo is not None
    if not isinstance(value, str) or "T" not in value.upper():
        return False
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return False
    return parsed.tzinfo is not None
