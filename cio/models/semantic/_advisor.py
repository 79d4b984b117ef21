"""Warnings for semantic properties that differ from the recommended schema.

The API stores any JSON object in a track's ``properties``, so a semantic event whose
``quantity`` is ``1.5`` is accepted and sent as written. It is probably a mistake,
though, so this advisor (registered with :func:`cio.models._advice.register_advisor`)
reports, located and without the value:

* ``semantic_property_type``: a value whose JSON type differs from the recommended one
  (``null`` never warns: it is how a value is left empty);
* ``semantic_property_spelling``: a key that is a respelling of a recommended key
  (``productId`` where the schema says ``product_id``); it is sent as written;
* ``semantic_property_missing``: a key the schema marks as required is absent.

Each event's checks are compiled from its properties ``TypedDict`` on first use.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime
from math import isfinite
from typing import Any, Literal, Union, get_args, get_origin

from annotated_types import Interval
from pydantic import AwareDatetime
from typing_extensions import get_type_hints, is_typeddict

from cio.errors import ErrorDetail
from cio.models._advice import (
    VOUCHED_PROPERTIES,
    register_advisor,
    register_properties_checks,
)
from cio.models._constants import MAX_NESTING_DEPTH
from cio.models._core import (
    FREE_FORM_CHECK,
    _check_free_form,
    is_plain_json,
    returns_none_only_for_none,
)
from cio.models.calls import SEMANTIC_EVENTS
from cio.models.semantic._base import (
    advised_properties,
    is_date_time,
    register_properties_validator,
)

__all__ = [
    "advise_semantic_properties",
    "properties_checks",
    "properties_validator",
    "recommended_type",
]

logger = logging.getLogger(__name__)

Location = tuple[str | int, ...]
_Check = Callable[[Any, Location, list[ErrorDetail]], None]

KIND_TYPE = "semantic_property_type"
KIND_SPELLING = "semantic_property_spelling"
KIND_MISSING = "semantic_property_missing"

_DATE_TIME = "date-time (RFC 3339, with a time and an offset)"
_SCALARS: dict[Any, tuple[str, Callable[[Any], bool]]] = {
    str: ("string", lambda value: isinstance(value, str)),
    bool: ("boolean", lambda value: isinstance(value, bool)),
    int: ("integer", lambda value: isinstance(value, int) and not isinstance(value, bool)),
    float: (
        "number",
        lambda value: isinstance(value, int | float) and not isinstance(value, bool),
    ),
    datetime: (_DATE_TIME, is_date_time),
    AwareDatetime: (_DATE_TIME, is_date_time),
}


def _normalised(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _no_check(value: Any, where: Location, found: list[ErrorDetail]) -> None:
    """Any value is as recommended."""


def recommended_type(annotation: Any) -> str:
    """A short description of a recommended type, as warnings and docs word it.

    Parameters
    ----------
    annotation : Any
        A type from a properties ``TypedDict``.

    Returns
    -------
    str

    Example
    -------
    >>> recommended_type(list[int])
    'array of integer'
    """
    origin = get_origin(annotation)
    if origin is Literal:
        return "one of " + ", ".join(repr(value) for value in get_args(annotation))
    if origin is list:
        return f"array of {recommended_type(get_args(annotation)[0])}"
    if origin is dict or is_typeddict(annotation):
        return "object"
    if origin is Union or type(annotation).__name__ == "UnionType":
        return " or ".join(recommended_type(arg) for arg in get_args(annotation))
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:
        return recommended_type(annotation.__origin__)
    scalar = _SCALARS.get(annotation)
    return scalar[0] if scalar is not None else "any JSON value"


def _compile(annotation: Any) -> _Check:
    """A check that appends a warning for each value that differs from ``annotation``."""
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:
        inner = _compile(annotation.__origin__)
        bounds = [item for item in metadata if isinstance(item, Interval)]
        return _bounded(inner, bounds[0]) if bounds else inner
    if is_typeddict(annotation):
        return _compile_typed_dict(annotation)
    origin = get_origin(annotation)
    described = recommended_type(annotation)
    if origin is Literal:
        allowed = frozenset(get_args(annotation))
        return _leaf(described, lambda value: _hashable_in(value, allowed))
    if origin is list:
        item_check = _compile(get_args(annotation)[0])

        def check_list(value: Any, where: Location, found: list[ErrorDetail]) -> None:
            if not isinstance(value, list | tuple):
                found.append(_type_warning(where, described))
                return
            for index, item in enumerate(value):
                item_check(item, (*where, index), found)

        return check_list
    if origin is dict:
        return _leaf(described, lambda value: isinstance(value, Mapping))
    scalar = _SCALARS.get(annotation)
    if scalar is not None:
        return _leaf(described, scalar[1])
    return _no_check


def _bounded(inner: _Check, interval: Interval) -> _Check:
    low, high = interval.ge, interval.le
    described = f"a number from {low} to {high}"

    def check(value: Any, where: Location, found: list[ErrorDetail]) -> None:
        before = len(found)
        inner(value, where, found)
        if len(found) == before and not (low <= value <= high):
            found.append(_type_warning(where, described))

    return check


def _hashable_in(value: Any, allowed: frozenset[Any]) -> bool:
    try:
        return value in allowed and not isinstance(value, bool)
    except TypeError:  # an unhashable value is never one of the allowed constants
        return False


def _leaf(described: str, accepts: Callable[[Any], bool]) -> _Check:
    def check(value: Any, where: Location, found: list[ErrorDetail]) -> None:
        if not accepts(value):
            found.append(_type_warning(where, described))

    return check


def _type_warning(where: Location, described: str) -> ErrorDetail:
    return ErrorDetail(
        loc=where,
        msg=f"the recommended type is {described}; sent as given",
        type=KIND_TYPE,
    )


# Exact value types each scalar hint accepts (a subset of what its check accepts), so the
# common case, a value of the recommended type, costs one set lookup and no location.
_ACCEPTED_TYPES: dict[Any, frozenset[type]] = {
    str: frozenset({str}),
    bool: frozenset({bool}),
    int: frozenset({int}),
    float: frozenset({int, float}),
}


def _compile_typed_dict(typed: Any) -> _Check:
    hints = get_type_hints(typed)
    keys = {key: _compile(hint) for key, hint in hints.items()}
    accepted = {key: _ACCEPTED_TYPES.get(hint, frozenset()) for key, hint in hints.items()}
    spellings = {_normalised(key): key for key in hints}
    required = tuple(sorted(getattr(typed, "__required_keys__", ())))

    def check(value: Any, where: Location, found: list[ErrorDetail]) -> None:
        if not isinstance(value, Mapping):
            found.append(_type_warning(where, "object"))
            return
        for key, item in value.items():
            key_check = keys.get(key)
            if key_check is not None:
                if item is not None and type(item) not in accepted[key]:
                    key_check(item, (*where, key), found)
                continue
            known = spellings.get(_normalised(key)) if isinstance(key, str) else None
            if known is not None:
                found.append(
                    ErrorDetail(
                        loc=(*where, key),
                        msg=f"the recommended spelling is {known!r}; sent as written",
                        type=KIND_SPELLING,
                    )
                )
        for key in required:
            if key not in value:
                found.append(
                    ErrorDetail(
                        loc=(*where, key),
                        msg="recommended for this event, and missing",
                        type=KIND_MISSING,
                    )
                )

    return check


# Properties of the recommended types, in plain JSON, are the common case: one walk
# vouches for them (``clean``), with exact-type checks and no location built. Anything it
# cannot vouch for runs the checks above, which say what differs and where. A clean walk
# also proves the value is plain JSON as :func:`cio.models._core.is_plain_json` judges it,
# so the compiled dict path may skip that check. (A pydantic-core schema of the same
# rules was tried: it costs as much as this walk, since it builds its output.)
_Clean = Callable[[Any, int], bool]
"""``(value, depth)``: whether a non-None ``value`` held by a container at ``depth`` is
plain JSON of the recommended type."""

_NONE = type(None)
_EXACT: dict[Any, frozenset[type]] = {
    str: frozenset({str, _NONE}),
    bool: frozenset({bool, _NONE}),
    int: frozenset({int, _NONE}),
    float: frozenset({int, float, _NONE}),
}


_NONE_ONLY: frozenset[type] = frozenset({_NONE})


def _never(value: Any, depth: int) -> bool:
    return False


def _scalar_clean(annotation: Any) -> _Clean | None:
    if annotation is str:
        return lambda value, depth: type(value) is str
    if annotation is bool:
        return lambda value, depth: type(value) is bool
    if annotation is int:
        return lambda value, depth: type(value) is int
    if annotation is float:
        return lambda value, depth: type(value) is int or (type(value) is float and isfinite(value))
    if annotation in _SCALARS:  # dates, sent as RFC 3339 strings
        return lambda value, depth: type(value) is str and is_date_time(value)
    return None


def _clean_check(annotation: Any) -> _Clean:
    """The ``clean`` walk of a value recommended as ``annotation``."""
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:
        inner = _clean_check(annotation.__origin__)
        bounds = [item for item in metadata if isinstance(item, Interval)]
        if not bounds:
            return inner
        low, high = bounds[0].ge, bounds[0].le
        if low is None or high is None:
            return _never
        return lambda value, depth: inner(value, depth) and low <= value <= high
    if is_typeddict(annotation):
        body = _clean_typed_dict(annotation)
        return lambda value, depth: (
            type(value) is dict and depth + 1 < MAX_NESTING_DEPTH and body(value, depth + 1)
        )
    origin = get_origin(annotation)
    if origin is Literal:
        allowed = frozenset(get_args(annotation))
        if not all(type(value) is str for value in allowed):
            return _never  # numbers and booleans compare equal: the checks decide
        return lambda value, depth: type(value) is str and value in allowed
    if origin is list and is_typeddict(get_args(annotation)[0]):
        # A list of objects (an order's products): each item's keys walked directly.
        fields = _clean_typed_dict(get_args(annotation)[0])

        def clean_objects(value: Any, depth: int) -> bool:
            if type(value) is not list or depth + 2 >= MAX_NESTING_DEPTH:
                return False
            inner = depth + 2
            for entry in value:  # noqa: SIM110 - a loop costs less than all() over a generator
                if type(entry) is not dict or not fields(entry, inner):
                    return False
            return True

        return clean_objects
    if origin is list:
        item = _clean_check(get_args(annotation)[0])

        def clean_list(value: Any, depth: int) -> bool:
            if type(value) is not list or depth + 1 >= MAX_NESTING_DEPTH:
                return False
            inner = depth + 1
            for entry in value:  # noqa: SIM110 - a loop costs less than all() over a generator
                if not item(entry, inner):
                    return False
            return True

        return clean_list
    if origin is dict:
        return lambda value, depth: type(value) is dict and is_plain_json(value, depth)
    scalar = _scalar_clean(annotation)
    return scalar if scalar is not None else is_plain_json


def _clean_typed_dict(typed: Any) -> _Clean:
    """The ``clean`` walk of a dict's items (the dict itself at ``depth``)."""
    hints = get_type_hints(typed)
    # Every declared key has the exact types that need no further look (None among
    # them: a property left empty never warns); anything else goes to its check.
    exact = {key: _EXACT.get(hint, _NONE_ONLY) for key, hint in hints.items()}
    declared = exact.get
    checks = {key: _clean_check(hint) for key, hint in hints.items()}
    spellings = frozenset(_normalised(key) for key in hints)
    required = tuple(sorted(getattr(typed, "__required_keys__", ())))

    def body(value: dict[Any, Any], depth: int) -> bool:
        for key, item in value.items():
            accepted = declared(key)
            kind = type(item)
            if accepted is None:  # not a recommended key: any JSON value, unless respelt
                if type(key) is not str or _normalised(key) in spellings:
                    return False
                if not is_plain_json(item, depth):
                    return False
            elif kind in accepted:
                if kind is float and not isfinite(item):
                    return False
            elif not checks[key](item, depth):
                return False
        return not required or all(key in value for key in required)

    return body


class _Properties:
    """The compiled checks of one event's recommended properties."""

    __slots__ = ("body", "check")

    def __init__(self, typed: Any) -> None:
        self.check = _compile_typed_dict(typed)
        self.body = _clean_typed_dict(typed)

    def clean(self, properties: Any) -> bool:
        """Whether ``properties`` are plain JSON with nothing to advise (a shortcut:
        ``False`` may still mean no warnings)."""
        return type(properties) is dict and self.body(properties, 0)

    def warnings(self, properties: Any) -> tuple[ErrorDetail, ...]:
        """The located warnings, by the full checks (no shortcut)."""
        found: list[ErrorDetail] = []
        self.check({} if properties is None else properties, _PROPERTIES, found)
        return tuple(found)

    def advise(self, properties: Any) -> tuple[ErrorDetail, ...]:
        """The located warnings, after the shortcut."""
        return () if self.clean(properties) else self.warnings(properties)


_PROPERTIES: Location = ("properties",)
_CHECKS: dict[type, _Properties | None] = {}
_BY_TYPED_DICT: dict[type, _Properties] = {}


@register_properties_validator
def properties_validator(typed: type) -> Callable[[Any], Any]:
    """The validator of properties recommended by ``typed``, set as the models use it.

    Properties found as recommended (plain JSON, nothing to advise) are noted in
    :data:`~cio.models._advice.VOUCHED_PROPERTIES` and kept as they are; any others get
    the free-form check (conversion by the documented table, located refusals).

    Parameters
    ----------
    typed : type
        The properties ``TypedDict``.

    Returns
    -------
    callable
    """
    body = _properties_of(typed).body
    vouched = VOUCHED_PROPERTIES

    @returns_none_only_for_none
    def validate(value: Any) -> Any:
        if type(value) is dict and body(value, 0):
            vouched[0] = value
            return value
        return _check_free_form(value)

    validate.__dict__[FREE_FORM_CHECK] = True
    return validate


def _check_for(model: type) -> _Properties | None:
    try:
        return _CHECKS[model]
    except KeyError:
        pass
    typed = advised_properties(model)
    check = None if typed is None else _properties_of(typed)
    _CHECKS[model] = check
    return check


def _properties_of(typed: type) -> _Properties:
    """The compiled checks of a properties TypedDict (one per TypedDict)."""
    check = _BY_TYPED_DICT.get(typed)
    if check is None:
        check = _BY_TYPED_DICT[typed] = _Properties(typed)
    return check


@register_properties_checks
def properties_checks(event: str) -> _Properties | None:
    """The compiled check of the properties of a track named ``event``, if it is semantic.

    Parameters
    ----------
    event : str
        The event name as sent.

    Returns
    -------
    object or None
        With ``clean(properties)`` and ``advise(properties)``; ``None`` for events
        that are not semantic or recommend no properties.
    """
    model = SEMANTIC_EVENTS.get(event) or SEMANTIC_EVENTS.get(event.strip())
    return None if model is None else _check_for(model)


@register_advisor
def advise_semantic_properties(message: Mapping[str, Any]) -> Iterable[ErrorDetail]:
    """Warnings for the properties of a semantic track message in wire form.

    Parameters
    ----------
    message : Mapping
        One message as sent (camelCase envelope, properties as written).

    Returns
    -------
    tuple of ErrorDetail
        Located warnings; empty for other messages and for properties as recommended.

    Example
    -------
    >>> found = advise_semantic_properties(
    ...     {"type": "track", "event": "Product Added", "properties": {"quantity": 1.5}}
    ... )
    >>> [(warning.loc, warning.type) for warning in found]
    [(('properties', 'quantity'), 'semantic_property_type')]
    """
    if message.get("type") != "track":
        return ()
    event = message.get("event")
    if not isinstance(event, str):
        return ()
    check = properties_checks(event)
    return () if check is None else check.advise(message.get("properties"))
