"""Turning cell text into typed values: automatic inference and per-column overrides.

Every converter takes the cell's text (never empty: empty cells are omitted before
conversion) and returns a value, or raises :class:`CellError` with a message that names
what was expected, never the text itself. The rules are documented in ``docs/import.md``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cio.errors import CellError, ConfigurationError
from cio.io._constants import MAX_INFERRED_INTEGER_DIGITS

__all__ = [
    "COLUMN_TYPES",
    "CellError",
    "Converter",
    "converter_for",
    "resolve_timezone",
    "timestamp_converter",
]

Converter = Callable[[str], Any]


_INTEGER = re.compile(rf"-?(?:0|[1-9][0-9]{{0,{MAX_INFERRED_INTEGER_DIGITS - 1}}})")
_DECIMAL = re.compile(r"-?(?:0|[1-9][0-9]*)\.[0-9]+")
_DATETIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:\.[0-9]{1,6})?)?"
    r"(?:Z|z|[+-][0-9]{2}:?[0-9]{2})?"
)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_ANY_INTEGER = re.compile(r"[+-]?[0-9]+")
_NUMERIC_START: Final = frozenset("-0123456789")
_BOOLEAN_START: Final = frozenset("tTfF")
_JSON_START: Final = frozenset("[{")
_TRUE_WORDS: Final = frozenset({"true", "yes", "y", "t", "1"})
_FALSE_WORDS: Final = frozenset({"false", "no", "n", "f", "0"})
_ISO_HINT = "an ISO 8601 date-time such as 2024-05-01T10:30:00Z"


def resolve_timezone(value: str | tzinfo | None) -> tzinfo | None:
    """Turn a timezone name (``"UTC"``, ``"Europe/Berlin"``) or tzinfo into a tzinfo.

    Parameters
    ----------
    value : str, tzinfo or None
        IANA name or ready tzinfo.

    Returns
    -------
    tzinfo or None

    Raises
    ------
    ConfigurationError
        For an unknown timezone name.
    """
    if value is None or isinstance(value, tzinfo):
        return value
    if value.upper() in {"UTC", "Z"}:
        return timezone.utc
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigurationError(
            f"unknown timezone {value!r}; use an IANA name such as UTC or Europe/Berlin"
        ) from None


def _parse_iso(text: str) -> datetime:
    # Python 3.10's fromisoformat does not read a trailing Z.
    if text[-1] in "Zz":
        text = text[:-1] + "+00:00"
    return datetime.fromisoformat(text)


def _attach(moment: datetime, assume: tzinfo | None) -> datetime | None:
    if moment.tzinfo is not None:
        return moment
    if assume is None:
        return None
    return moment.replace(tzinfo=assume)


def _auto(assume: tzinfo | None) -> Converter:
    integer = _INTEGER.fullmatch
    decimal = _DECIMAL.fullmatch
    stamp = _DATETIME.fullmatch
    numeric_start = _NUMERIC_START
    boolean_start = _BOOLEAN_START
    json_start = _JSON_START
    max_digits = MAX_INFERRED_INTEGER_DIGITS

    def infer(text: str) -> Any:
        first = text[0]
        if first in numeric_start:
            if integer(text):
                return int(text)
            if decimal(text):
                if len(text) - (text[0] == "-") - 1 > max_digits:
                    return text
                return float(text)
            if len(text) >= 16 and stamp(text):
                try:
                    moment = _parse_iso(text)
                except ValueError:
                    return text
                if moment.tzinfo is not None:
                    return text  # already a valid ISO 8601 date-time with its offset
                return text if assume is None else moment.replace(tzinfo=assume).isoformat()
            return text
        if first in boolean_start:
            lowered = text.lower()
            if lowered == "true":
                return True
            if lowered == "false":
                return False
            return text
        if first in json_start:
            try:
                parsed = json.loads(text)
            except ValueError:
                return text
            if isinstance(parsed, list | dict):
                return parsed
            return text
        return text

    return infer


def _string(text: str) -> Any:
    return text


def _integer(text: str) -> Any:
    if not _ANY_INTEGER.fullmatch(text):
        raise CellError("int_parsing", "expected a whole number")
    return int(text)


def _number(text: str) -> Any:
    if _ANY_INTEGER.fullmatch(text):
        return int(text)
    try:
        value = float(text)
    except ValueError:
        raise CellError("float_parsing", "expected a number") from None
    if not math.isfinite(value):
        raise CellError("finite_number", "expected a finite number (not NaN or infinity)")
    return value


def _boolean(text: str) -> Any:
    lowered = text.strip().lower()
    if lowered in _TRUE_WORDS:
        return True
    if lowered in _FALSE_WORDS:
        return False
    raise CellError("bool_parsing", "expected true/false, yes/no or 1/0")


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise CellError("json_invalid", "expected a JSON value") from None


def _date(text: str) -> Any:
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise CellError("date_parsing", "expected an ISO 8601 date such as 2024-05-01")


def _datetime(assume: tzinfo | None) -> Callable[[str], datetime]:
    def convert(text: str) -> datetime:
        try:
            moment = _parse_iso(text.strip())
        except (ValueError, IndexError):
            raise CellError("datetime_parsing", f"expected {_ISO_HINT}") from None
        aware = _attach(moment, assume)
        if aware is None:
            raise CellError(
                "timezone_required",
                "date-time has no timezone; add an offset (Z, +01:00) or pass "
                "assume_timezone= (CLI: --assume-timezone UTC)",
            )
        return aware

    return convert


def _unix(assume: tzinfo | None) -> Converter:
    parse = _datetime(assume)

    def convert(text: str) -> Any:
        return int(parse(text).timestamp())

    return convert


def timestamp_converter(assume: tzinfo | None) -> Converter:
    """The converter for the ``timestamp`` column: unix seconds or ISO 8601 with a zone.

    Parameters
    ----------
    assume : tzinfo or None
        Timezone given to naive date-times; without it they are an error.

    Returns
    -------
    callable
    """
    parse = _datetime(assume)

    def convert(text: str) -> Any:
        if text.isdigit():
            return datetime.fromtimestamp(int(text), tz=timezone.utc)
        return parse(text)

    return convert


COLUMN_TYPES: Final = frozenset(
    {"auto", "string", "integer", "number", "boolean", "json", "date", "datetime", "unix"}
)
"""Names accepted as per-column type overrides."""


def converter_for(type_name: str, assume: tzinfo | None) -> Converter:
    """Build the converter for a column type.

    Parameters
    ----------
    type_name : str
        One of :data:`COLUMN_TYPES`.
    assume : tzinfo or None
        Timezone for naive date-times.

    Returns
    -------
    callable
        Text to value; raises :class:`CellError`.
    """
    simple: dict[str, Converter] = {
        "string": _string,
        "integer": _integer,
        "number": _number,
        "boolean": _boolean,
        "json": _json,
        "date": _date,
    }
    if type_name in simple:
        return simple[type_name]
    if type_name == "datetime":
        return _datetime(assume)
    if type_name == "unix":
        return _unix(assume)
    return _auto(assume)
