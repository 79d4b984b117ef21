"""Turning cell text into typed values: automatic inference and per-column overrides.

Every converter takes the cell's text (never empty: empty cells are omitted before
conversion) and returns a value, or raises :class:`CellError` with a message that names
what was expected, never the text itself. The rules are documented in ``docs/import.md``.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timezone, tzinfo
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from cio._constants import NAIVE_DATETIME_MESSAGE
from cio.errors import CellError, ConfigurationError
from cio.io._constants import MAX_INFERRED_INTEGER_DIGITS

__all__ = [
    "COLUMN_TYPES",
    "CellError",
    "Converter",
    "ReadingOptions",
    "column_converter",
    "converter_for",
    "infer_column",
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
_BOOLEAN_WORDS: Final = frozenset({"true", "false"})
_MIN_ISO_DATETIME: Final = 16
_TRUE_WORDS: Final = frozenset({"true", "yes", "y", "t", "1"})
_FALSE_WORDS: Final = frozenset({"false", "no", "n", "f", "0"})
_ISO_HINT = "an ISO 8601 date-time such as 2024-05-01T10:30:00Z"
MAX_EPOCH_SECONDS_DIGITS: Final = 11
"""Unix seconds have at most 11 digits (year 5138); 13 digits are milliseconds."""
EPOCH_MILLISECONDS_DIGITS: Final = 13
MILLISECONDS_PER_SECOND: Final = 1000
MAX_NUMBER_DIGITS: Final = 4000
"""Longer digit strings are refused before Python's int() (which stops at 4300 digits)."""
_EPOCH_HINT = (
    "expected Unix seconds (up to 11 digits), Unix milliseconds (13 digits) or " + _ISO_HINT
)
_TOO_DEEP = "the JSON is nested too deeply"


def _json_loads(text: str) -> Any:
    """json.loads, with nesting too deep for Python's stack as a :class:`CellError`."""
    try:
        return json.loads(text)
    except RecursionError:
        raise CellError("json_too_deep", _TOO_DEEP) from None


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


@dataclass(frozen=True)
class ReadingOptions:
    """How text cells are read: date formats and the decimal separator.

    Parameters
    ----------
    date_formats : tuple of str
        ``strptime`` formats tried after ISO 8601 (``"%d/%m/%Y"``, ``"%m/%d/%Y %I:%M %p"``).
        A date-time read by one is sent as ISO 8601 text (with ``assume_timezone``'s
        offset when given); a format without a time reads dates, sent as ``YYYY-MM-DD``.
    decimal : str
        ``"."`` (default) or ``","``: with ``","``, ``1.234,56`` reads as 1234.56.
    """

    date_formats: tuple[str, ...] = ()
    decimal: str = "."

    def __post_init__(self) -> None:
        if self.decimal not in {".", ","}:
            raise ConfigurationError("the decimal separator must be '.' or ','")


DEFAULT_READING: Final = ReadingOptions()
_TIME_DIRECTIVES: Final = ("%H", "%I", "%M", "%S", "%p", "%X", "%c", "%T", "%R")
_COMMA_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]{0,2}(?:\.[0-9]{3})+|[1-9][0-9]*)(?:,[0-9]+)?")


def _by_format(text: str, formats: Sequence[str]) -> datetime | None:
    for pattern in formats:
        try:
            return datetime.strptime(text, pattern)
        except (ValueError, OverflowError):
            continue
    return None


def _has_time(pattern: str) -> bool:
    return any(directive in pattern for directive in _TIME_DIRECTIVES)


def _comma_number(text: str) -> int | float | None:
    if not _COMMA_NUMBER.fullmatch(text) or len(text) > MAX_INFERRED_INTEGER_DIGITS + 6:
        return None
    plain = text.replace(".", "").replace(",", ".")
    return float(plain) if "." in plain else int(plain)


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
                parsed = _json_loads(text)
            except ValueError:
                return text
            if isinstance(parsed, list | dict):
                return parsed
            return text
        return text

    return infer


def _string(text: str) -> Any:
    return text


def _whole(text: str) -> int:
    if len(text) > MAX_NUMBER_DIGITS:
        raise CellError("int_too_long", f"expected at most {MAX_NUMBER_DIGITS} digits")
    return int(text)


def _integer(text: str) -> Any:
    if not _ANY_INTEGER.fullmatch(text):
        raise CellError("int_parsing", "expected a whole number")
    return _whole(text)


def _number(text: str) -> Any:
    if _ANY_INTEGER.fullmatch(text):
        return _whole(text)
    try:
        value = float(text)
    except (ValueError, OverflowError):
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
        return _json_loads(text)
    except ValueError:
        raise CellError("json_invalid", "expected a JSON value") from None


def _date(text: str) -> Any:
    if _DATE.fullmatch(text):
        try:
            return date.fromisoformat(text).isoformat()
        except ValueError:
            pass
    raise CellError("date_parsing", "expected an ISO 8601 date such as 2024-05-01")


def _datetime(assume: tzinfo | None, formats: Sequence[str] = ()) -> Callable[[str], datetime]:
    def convert(text: str) -> datetime:
        try:
            moment = _parse_iso(text.strip())
        except (ValueError, IndexError, OverflowError):
            parsed = _by_format(text.strip(), formats) if formats else None
            if parsed is None:
                raise CellError("datetime_parsing", f"expected {_ISO_HINT}") from None
            moment = parsed
        aware = _attach(moment, assume)
        if aware is None:
            raise CellError(
                "timezone_aware",
                NAIVE_DATETIME_MESSAGE,
            )
        return aware

    return convert


def _unix(assume: tzinfo | None, formats: Sequence[str] = ()) -> Converter:
    parse = _datetime(assume, formats)

    def convert(text: str) -> Any:
        try:
            return int(parse(text).timestamp())
        except (ValueError, OverflowError):
            raise CellError("datetime_parsing", f"expected {_ISO_HINT}") from None

    return convert


def timestamp_converter(assume: tzinfo | None, options: ReadingOptions | None = None) -> Converter:
    """The converter for the ``timestamp`` column: Unix seconds or ms, or ISO 8601.

    All-digit cells of up to 11 digits are Unix seconds and of exactly 13 digits Unix
    milliseconds (what JavaScript and many exports write); other lengths are row errors,
    because 12 digits could be either.

    Parameters
    ----------
    assume : tzinfo or None
        Timezone given to naive date-times; without it they are an error.
    options : ReadingOptions, optional
        Date formats tried after ISO 8601.

    Returns
    -------
    callable
    """
    parse = _datetime(assume, (options or DEFAULT_READING).date_formats)

    def convert(text: str) -> Any:
        if text.isdigit():
            return _epoch(text)
        return parse(text)

    return convert


def _epoch(text: str) -> datetime:
    digits = len(text)
    try:
        if text.isascii() and digits <= MAX_EPOCH_SECONDS_DIGITS:
            return datetime.fromtimestamp(int(text), tz=timezone.utc)
        if text.isascii() and digits == EPOCH_MILLISECONDS_DIGITS:
            seconds, millis = divmod(int(text), MILLISECONDS_PER_SECOND)
            moment = datetime.fromtimestamp(seconds, tz=timezone.utc)
            return moment.replace(microsecond=millis * MILLISECONDS_PER_SECOND)
    except (ValueError, OverflowError, OSError):
        pass
    raise CellError("timestamp_parsing", _EPOCH_HINT)


COLUMN_TYPES: Final = frozenset(
    {"auto", "string", "integer", "number", "boolean", "json", "date", "datetime", "unix"}
)
"""Names accepted as per-column type overrides."""


def converter_for(
    type_name: str, assume: tzinfo | None, options: ReadingOptions | None = None
) -> Converter:
    """Build the converter for a column type.

    Parameters
    ----------
    type_name : str
        One of :data:`COLUMN_TYPES`.
    assume : tzinfo or None
        Timezone for naive date-times.
    options : ReadingOptions, optional
        Date formats and decimal separator.

    Returns
    -------
    callable
        Text to value; raises :class:`CellError`.
    """
    reading = options or DEFAULT_READING
    formats = reading.date_formats
    if type_name == "number" and reading.decimal == ",":
        return _comma_or_number
    if type_name == "date" and formats:
        return _date_by(formats)
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
        return _datetime(assume, formats)
    if type_name == "unix":
        return _unix(assume, formats)
    return _auto(assume)


def _comma_or_number(text: str) -> Any:
    value = _comma_number(text)
    if value is None:
        raise CellError("float_parsing", "expected a number written with a decimal comma")
    return value


def _date_by(formats: Sequence[str]) -> Converter:
    def convert(text: str) -> Any:
        try:
            return _date(text)
        except CellError:
            parsed = _by_format(text, formats)
            if parsed is None:
                raise
            return parsed.date().isoformat()

    return convert


_SAMPLE_HINT = (
    "not {article} {type}, the type this column was read as from its first rows; "
    "pass --type {column}=string (Python: types=) to read the column as text"
)


def _is_iso_datetime(text: str) -> bool:
    return _iso_datetime(text) is not None


def _iso_datetime(text: str) -> datetime | None:
    """The ISO 8601 date-time ``text`` holds, or ``None`` when it is not one."""
    if len(text) < _MIN_ISO_DATETIME or not _DATETIME.fullmatch(text):
        return None
    try:
        return _parse_iso(text)
    except ValueError:
        return None


def _is_iso_date(text: str) -> bool:
    if not _DATE.fullmatch(text):
        return False
    try:
        date.fromisoformat(text)
    except ValueError:
        return False
    return True


def _is_json_container(text: str) -> bool:
    if text[0] not in _JSON_START:
        return False
    try:
        parsed = _json_loads(text)
    except (ValueError, CellError):
        return False
    return isinstance(parsed, list | dict)


def _number_check(options: ReadingOptions) -> Callable[[str], bool]:
    if options.decimal == ",":
        return lambda text: _comma_number(text) is not None
    integer, decimal = _INTEGER.fullmatch, _DECIMAL.fullmatch
    digits = MAX_INFERRED_INTEGER_DIGITS
    return lambda text: (
        bool(integer(text)) or (bool(decimal(text)) and len(text) - (text[0] == "-") - 1 <= digits)
    )


def infer_column(cells: Sequence[str], options: ReadingOptions = DEFAULT_READING) -> str:
    """The one type a CSV column is read as, from a sample of its non-empty cells.

    The first type every cell fits, in this order: ``integer`` (the auto rules: no
    leading zero, at most 15 digits), ``number``, ``boolean`` (``true``/``false``),
    ``json`` (objects and arrays), ``datetime`` (ISO 8601, or a given date format with a
    time), ``date`` (ISO dates, or a given format without a time); else ``string``. A
    column with no value in the sample is ``string``.

    Parameters
    ----------
    cells : sequence of str
        Non-empty cells of the sample.
    options : ReadingOptions
        Date formats and decimal separator.

    Returns
    -------
    str

    Example
    -------
    >>> infer_column(["01234", "80331"]), infer_column(["3", "4"]), infer_column(["1.5", "2"])
    ('string', 'integer', 'number')
    """
    if not cells:
        return "string"
    integer = _INTEGER.fullmatch
    if all(integer(cell) for cell in cells):
        return "integer"
    number = _number_check(options)
    if all(number(cell) for cell in cells):
        return "number"
    if all(cell.lower() in _BOOLEAN_WORDS for cell in cells):
        return "boolean"
    if all(_is_json_container(cell) for cell in cells):
        return "json"
    formats = options.date_formats
    timed = tuple(pattern for pattern in formats if _has_time(pattern))
    dated = tuple(pattern for pattern in formats if not _has_time(pattern))
    if all(_is_iso_datetime(c) or (timed and _by_format(c, timed)) for c in cells):
        return "datetime"
    if all(_is_iso_date(c) or (dated and _by_format(c, dated)) for c in cells):
        return "date"
    return "string"


def column_converter(
    type_name: str,
    column: str,
    assume: tzinfo | None,
    options: ReadingOptions = DEFAULT_READING,
) -> Converter:
    """The strict converter for an inferred column type; a misfit cell is a row error.

    Parameters
    ----------
    type_name : str
        From :func:`infer_column`.
    column : str
        The column's name, for the error's fix.
    assume : tzinfo or None
        Timezone for naive date-times.
    options : ReadingOptions
        Date formats and decimal separator.

    Returns
    -------
    callable
    """
    if type_name == "string":
        return _string
    article = "an" if type_name[0] in "aeiou" else "a"
    hint = _SAMPLE_HINT.format(article=article, type=type_name, column=column)

    def misfit() -> CellError:
        return CellError("column_type", hint)

    if type_name == "integer":
        integer = _INTEGER.fullmatch

        def to_integer(text: str) -> Any:
            if not integer(text):
                raise misfit()
            return int(text)

        return to_integer
    if type_name == "number":
        return _number_column(options, misfit)
    if type_name == "boolean":

        def to_boolean(text: str) -> Any:
            lowered = text.lower()
            if lowered not in _BOOLEAN_WORDS:
                raise misfit()
            return lowered == "true"

        return to_boolean
    if type_name == "json":

        def to_json(text: str) -> Any:
            if text[0] not in _JSON_START:
                raise misfit()
            try:
                return _json_loads(text)
            except ValueError:
                raise misfit() from None

        return to_json
    return _moment_column(type_name == "datetime", assume, options, misfit)


def _number_column(options: ReadingOptions, misfit: Callable[[], CellError]) -> Converter:
    if options.decimal == ",":

        def comma(text: str) -> Any:
            value = _comma_number(text)
            if value is None:
                raise misfit()
            return value

        return comma
    integer, decimal = _INTEGER.fullmatch, _DECIMAL.fullmatch
    digits = MAX_INFERRED_INTEGER_DIGITS

    def point(text: str) -> Any:
        # What _number_check accepts, each pattern tried once.
        if integer(text):
            return int(text)
        if decimal(text) and len(text) - (text[0] == "-") - 1 <= digits:
            return float(text)
        raise misfit()

    return point


def _moment_column(
    timed: bool,
    assume: tzinfo | None,
    options: ReadingOptions,
    misfit: Callable[[], CellError],
) -> Converter:
    formats = tuple(p for p in options.date_formats if _has_time(p) == timed)
    iso = _is_iso_datetime if timed else _is_iso_date

    def convert(text: str) -> Any:
        if timed:
            moment = _iso_datetime(text)
            if moment is not None:
                if moment.tzinfo is not None or assume is None:
                    return text  # sent as written; the library never guesses a timezone
                return moment.replace(tzinfo=assume).isoformat()
        elif iso(text):
            return text
        parsed = _by_format(text, formats) if formats else None
        if parsed is None:
            raise misfit()
        if not timed:
            return parsed.date().isoformat()
        if assume is not None:
            parsed = parsed.replace(tzinfo=assume)
        return parsed.isoformat()

    return convert
