"""Making free-form values (traits, properties) JSON-safe, predictably.

The API takes any JSON object in ``traits`` and ``properties``. Python data seldom is
plain JSON, so values are converted by one documented table and anything that has no
faithful JSON form is refused with its location (never its value):

===========================  =============================================
Python value                 sent as
===========================  =============================================
str, int, bool, None         itself
float                        itself; NaN and infinities are refused
datetime (timezone-aware)    ISO 8601 string; a naive datetime is refused
date                         ``YYYY-MM-DD``
Decimal                      int when integral, else float; NaN refused
UUID                         canonical string
Enum                         its value, converted by this same table
list, tuple                  list
set, frozenset               list, sorted when the items are sortable
dict with str keys           object (keys must be strings)
numpy / pandas scalars       the matching Python scalar (``.item()``)
numpy / pandas arrays        list (``.tolist()``), items converted alike
bytes, other objects         refused: convert them explicitly
===========================  =============================================

Nesting deeper than ``MAX_NESTING_DEPTH`` levels is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from math import isfinite
from typing import Annotated, Any
from uuid import UUID

from pydantic import AfterValidator
from pydantic_core import PydanticCustomError

from cio._constants import NAIVE_DATETIME_MESSAGE
from cio.models._constants import MAX_NESTING_DEPTH

__all__ = ["JsonSafe", "json_safe", "json_safe_mapping"]

_PASS_THROUGH = frozenset({str, int, bool, type(None)})


def _where(path: tuple[str | int, ...]) -> str:
    return ".".join(str(part) for part in path) or "value"


def _refuse(kind: str, message: str, path: tuple[str | int, ...]) -> PydanticCustomError:
    return PydanticCustomError(kind, "{where}: " + message, {"where": _where(path)})


def _convert_float(value: float, path: tuple[str | int, ...]) -> float:
    if isfinite(value):
        return value
    raise _refuse("finite_number", "NaN and infinities cannot be sent as JSON", path)


def _convert_other(value: Any, path: tuple[str | int, ...], depth: int) -> Any:
    if isinstance(value, Enum):
        return _convert(value.value, path, depth)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str):
        return str(value)
    if isinstance(value, float):
        return _convert_float(float(value), path)
    if isinstance(value, datetime):
        if _is_missing(value):  # pandas NaT compares unequal to itself
            raise _refuse("missing_value", "missing datetime (NaT) cannot be sent", path)
        if value.tzinfo is None or value.utcoffset() is None:
            raise _refuse(
                "timezone_aware",
                NAIVE_DATETIME_MESSAGE,
                path,
            )
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        if not value.is_finite():
            raise _refuse("finite_number", "NaN and infinities cannot be sent as JSON", path)
        return int(value) if value == value.to_integral_value() else float(value)
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, Mapping):
        return _convert_mapping(value, path, depth)
    if isinstance(value, list | tuple):
        return _convert_list(value, path, depth)
    if isinstance(value, set | frozenset):
        items = [_convert(item, (*path, index), depth + 1) for index, item in enumerate(value)]
        try:
            return sorted(items)
        except TypeError:
            return items
    module = type(value).__module__
    if module.startswith(("numpy", "pandas")):
        if getattr(value, "ndim", 0) and callable(getattr(value, "tolist", None)):
            # arrays (and pandas arrays) become lists, each item converted by this table
            return _convert(value.tolist(), path, depth)
        if _is_missing(value):
            raise _refuse("missing_value", "missing value (NA) cannot be sent", path)
        item = getattr(value, "item", None)
        if callable(item):
            return _convert(item(), path, depth)
    if isinstance(value, bytes | bytearray | memoryview):
        raise _refuse(
            "unsupported_type", "bytes cannot be sent as JSON; decode or base64-encode them", path
        )
    raise PydanticCustomError(
        "unsupported_type",
        "{where}: values of type {type_name} cannot be sent as JSON; convert them first",
        {"where": _where(path), "type_name": type(value).__name__},
    )


def _is_missing(value: Any) -> bool:
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN-like values differ from themselves
    except (TypeError, ValueError):
        return type(value).__name__ in {"NAType", "NaTType"}


def _convert_mapping(
    value: Mapping[Any, Any], path: tuple[str | int, ...], depth: int
) -> dict[str, Any]:
    if depth >= MAX_NESTING_DEPTH:
        raise _refuse("too_deep", f"nested more than {MAX_NESTING_DEPTH} levels deep", path)
    result: dict[str, Any] = {}
    # Plain leaves are handled inline (no call, no path tuple): this loop runs for every
    # value of every event, so it stays as cheap as the table allows.
    for raw_key, item in value.items():
        if type(raw_key) is str:
            key = raw_key
        elif isinstance(raw_key, str):
            key = str(raw_key)
        else:
            raise _refuse("key_type", "object keys must be strings", path)
        kind = type(item)
        if kind in _PASS_THROUGH or (kind is float and isfinite(item)):
            result[key] = item
        else:
            result[key] = _convert(item, (*path, key), depth + 1)
    return result


def _convert_list(value: Any, path: tuple[str | int, ...], depth: int) -> list[Any]:
    result: list[Any] = []
    append = result.append
    for index, item in enumerate(value):
        kind = type(item)
        if kind in _PASS_THROUGH or (kind is float and isfinite(item)):
            append(item)
        else:
            append(_convert(item, (*path, index), depth + 1))
    return result


def _convert(value: Any, path: tuple[str | int, ...], depth: int) -> Any:
    kind = type(value)
    if kind in _PASS_THROUGH:
        return value
    if kind is float:
        return _convert_float(value, path)
    if depth >= MAX_NESTING_DEPTH:
        raise _refuse("too_deep", f"nested more than {MAX_NESTING_DEPTH} levels deep", path)
    if kind is dict:
        return _convert_mapping(value, path, depth)
    if kind is list:
        return _convert_list(value, path, depth)
    return _convert_other(value, path, depth)


def json_safe(value: Any, path: tuple[str | int, ...] = ()) -> Any:
    """Return ``value`` converted to plain JSON types by the module's table.

    Parameters
    ----------
    value : Any
        A free-form value.
    path : tuple, optional
        Where the value sits, used in error messages.

    Returns
    -------
    Any
        Only dict, list, str, int, float, bool and None inside.

    Raises
    ------
    pydantic_core.PydanticCustomError
        For NaN, infinities, naive datetimes, bytes and unsupported types; the message
        names the location and the type, never the value.

    Example
    -------
    >>> from decimal import Decimal
    >>> json_safe({"price": Decimal("9.50"), "tags": {"b", "a"}})
    {'price': 9.5, 'tags': ['a', 'b']}
    """
    return _convert(value, path, 0)


def json_safe_mapping(value: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Convert a traits/properties mapping; ``None`` stays ``None``.

    Parameters
    ----------
    value : mapping or None
        The free-form object.

    Returns
    -------
    dict or None
    """
    if value is None:
        return None
    converted: dict[str, Any] = _convert_mapping(value, (), 0)
    return converted


JsonSafe = Annotated[Any, AfterValidator(json_safe)]
"""Any value, converted by this module's table (used for the extra keys of open models).

Declared as the type of ``__pydantic_extra__``, it is applied only to keys a model does
not declare, so a message without extra keys pays nothing for it.
"""
