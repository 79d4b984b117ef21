"""Streaming text and DataFrame sources: CSV files, JSON Lines files, pandas DataFrames.

Each source yields :class:`~cio.io._plan.Row` objects one at a time, so memory stays
constant whatever the size of the file. File-level problems (an empty file, a header
that is not valid text, duplicate headers) raise :class:`cio.ValidationError` located at
row 1 before any row is read; everything that goes wrong inside a row becomes that row's
error and reading goes on.
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import io
import itertools
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import tzinfo
from typing import Any, Final

from cio.errors import ErrorDetail, ValidationError
from cio.io._constants import CSV_DELIMITERS, CSV_SNIFF_BYTES
from cio.io._infer import (
    DEFAULT_READING,
    CellError,
    Converter,
    ReadingOptions,
    column_converter,
    infer_column,
)
from cio.io._plan import SCREENED, ColumnMapping, KindSpec, Plan, Row, RowScreen, compile_plan
from cio.models import EncodedMessage

__all__ = [
    "CountingBytes",
    "csv_records",
    "index_label",
    "iter_csv",
    "iter_dataframe",
    "iter_jsonl",
    "open_text",
]

logger = logging.getLogger(__name__)

_ERROR_HANDLER: Final = "cio.io.mark-undecodable"
_SURROGATE = re.compile("[\udc80-\udcff]")
_PLAN_CACHE_LIMIT: Final = 256
_SNIFF_ROWS: Final = 50
_HINT_COLUMNS: Final = 20
CSV_TYPE_SAMPLE_ROWS: Final = 1000
"""Rows read before the first row is converted, to choose each CSV column's type."""


class _DecodeCounter:
    """Counts undecodable byte runs so rows are only scanned once a file had one."""

    count = 0

    @classmethod
    def handle(cls, exc: UnicodeError) -> tuple[str, int]:
        cls.count += 1
        replacement, end = _SURROGATE_ESCAPE(exc)
        return str(replacement), end


_SURROGATE_ESCAPE = codecs.lookup_error("surrogateescape")
codecs.register_error(_ERROR_HANDLER, _DecodeCounter.handle)

_ENCODING_HINT = (
    "is not valid {encoding}; re-save the file as UTF-8 or name its encoding "
    "(--encoding cp1252 on the command line, encoding= in Python)"
)


class CountingBytes:
    """How many bytes of a file have been read so far (for a progress bar in bytes).

    Attributes
    ----------
    count : int
        Bytes read.
    """

    def __init__(self) -> None:
        self.count = 0


class _CountedRaw(io.RawIOBase):
    """A binary file that adds what it reads to a :class:`CountingBytes`."""

    def __init__(self, raw: Any, counter: CountingBytes) -> None:
        super().__init__()
        self._raw = raw
        self._counter = counter

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        read = int(self._raw.readinto(buffer) or 0)
        self._counter.count += read
        return read

    def seek(self, offset: int, whence: int = io.SEEK_SET) -> int:
        position = int(self._raw.seek(offset, whence))
        self._counter.count = position
        return position

    def tell(self) -> int:
        return int(self._raw.tell())

    def close(self) -> None:
        self._raw.close()
        super().close()


def open_text(
    path: str | os.PathLike[str], encoding: str, counter: CountingBytes | None = None
) -> Any:
    """Open a file for streaming text, marking undecodable bytes instead of failing.

    A UTF-8 byte order mark is skipped.

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str
        Text encoding (``utf-8`` reads files with or without a BOM).
    counter : CountingBytes, optional
        Counts the bytes read, for a progress bar.

    Returns
    -------
    TextIO
    """
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    if counter is None:
        return open(path, encoding=encoding, errors=_ERROR_HANDLER, newline="")
    raw = _CountedRaw(open(path, "rb", buffering=0), counter)  # noqa: SIM115
    return io.TextIOWrapper(
        io.BufferedReader(raw), encoding=encoding, errors=_ERROR_HANDLER, newline=""
    )


def _file_error(message: str, error_type: str, row: int | None = 1) -> ValidationError:
    return ValidationError(message, [ErrorDetail((), message, error_type, row=row)])


def _sniff_delimiter(sample: str) -> str | None:
    """The delimiter that splits the header into the most columns rows agree on.

    Each candidate is tried with a real CSV parse (quotes and quoted line breaks are
    respected; blank and empty rows ignored); the one whose rows most often have the
    header's width wins, earlier candidates breaking ties.
    """
    best: str | None = None
    best_agreement = 0.0
    for candidate in CSV_DELIMITERS:
        try:
            widths = [
                len(row) for row in csv.reader(io.StringIO(sample), delimiter=candidate) if any(row)
            ][:_SNIFF_ROWS]
        except csv.Error:
            continue
        if not widths or widths[0] < 2:
            continue
        agreement = sum(width == widths[0] for width in widths) / len(widths)
        if agreement > best_agreement:
            best, best_agreement = candidate, agreement
    return best


def _dialect(sample: str, delimiter: str | None) -> type[csv.Dialect] | csv.Dialect:
    if delimiter is None:
        # Sniff only complete lines, so a cut-off quoted field does not mislead the sniffer.
        cut = max(sample.rfind("\n"), sample.rfind("\r"))
        if cut > 0 and len(sample) >= CSV_SNIFF_BYTES:
            sample = sample[:cut]
        delimiter = _sniff_delimiter(sample)
    if delimiter is not None:

        class _Given(csv.excel):
            pass

        _Given.delimiter = delimiter
        return _Given
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        return csv.excel
    if sniffed.quotechar not in {'"', "'"}:
        sniffed.quotechar = '"'
    return sniffed


class _Failure:
    """A record the csv reader refused while sampling; replayed as a row error."""

    __slots__ = ("message",)

    def __init__(self, message: str) -> None:
        self.message = message


def _header_hint(exc: ValidationError, header: list[str], delimiter: str) -> ValidationError:
    shown = ", ".join(header[:_HINT_COLUMNS]) + (", ..." if len(header) > _HINT_COLUMNS else "")
    hint = (
        f"; the header read with delimiter {delimiter!r} has {len(header)} "
        f"column{'s' if len(header) != 1 else ''}: {shown}; if the file uses another "
        "delimiter, pass --delimiter (Python: delimiter=)"
    )
    details = [
        replace(detail, msg=detail.msg + hint) if detail.type == "missing_column" else detail
        for detail in exc.errors
    ]
    return ValidationError(str(exc) + hint, details)


def _row_error(number: int, message: str, error_type: str, column: str | None = None) -> Row:
    return Row(number, None, (ErrorDetail((), message, error_type, number, column),))


def iter_csv(
    path: str | os.PathLike[str],
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    plan_options: dict[str, Any] | None = None,
    skip: Callable[[int], bool] | None = None,
    counter: CountingBytes | None = None,
    sample_rows: int = CSV_TYPE_SAMPLE_ROWS,
) -> tuple[Plan, Iterator[Row]]:
    """Open a CSV file and compile its plan; return the plan and a row iterator.

    The first ``sample_rows`` records are read ahead so that each column gets one type
    (see :func:`cio.io._infer.infer_column`); blank rows and rows of empty cells are
    skipped (and counted).

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    kind : KindSpec
        What each row becomes.
    mapping : ColumnMapping
        Renames, drops, constants, types.
    encoding : str
        Text encoding; ``utf-8`` by default (BOM or not).
    delimiter : str, optional
        Force a delimiter instead of sniffing.
    plan_options : dict, optional
        Passed to :func:`compile_plan` (timezone, messageIds).
    skip : callable, optional
        Row number to ``True`` for rows to pass over without converting (resume).
    counter : CountingBytes, optional
        Counts the bytes read.
    sample_rows : int
        Records read to choose the column types.

    Returns
    -------
    (Plan, iterator of Row)

    Raises
    ------
    ValidationError
        Empty file, undecodable header, duplicate headers, mapping problems.
    OSError
        When the file cannot be opened.
    """
    decode_errors_before = _DecodeCounter.count
    opened = _open_csv(path, encoding, delimiter, counter, sample_rows)
    try:
        options = dict(plan_options or {})
        options["sample"] = opened.sample()
        try:
            plan = compile_plan(opened.header, kind, mapping, **options)
        except ValidationError as exc:
            raise _header_hint(exc, opened.header, opened.delimiter) from None
    except BaseException:
        opened.handle.close()
        raise
    return plan, _csv_rows(
        opened.handle,
        opened.lines,
        opened.reader,
        opened.buffered,
        plan,
        number=opened.number,
        encoding=encoding,
        skip=skip,
        decode_errors_at_start=decode_errors_before,
    )


@dataclass
class _OpenedCsv:
    handle: Any
    lines: _OpenCells
    reader: Any
    header: list[str]
    number: int
    delimiter: str
    buffered: list[Any]

    def sample(self) -> list[list[str]]:
        return [
            cells
            for cells in self.buffered
            if cells.__class__ is list and not _has_surrogate(cells)
        ]


def _open_csv(
    path: str | os.PathLike[str],
    encoding: str,
    delimiter: str | None,
    counter: CountingBytes | None,
    sample_rows: int,
) -> _OpenedCsv:
    """Open, sniff, read the header and the sample; the file is closed on any error."""
    handle = open_text(path, encoding, counter)
    lines: _OpenCells | None = None
    try:
        sample = handle.read(CSV_SNIFF_BYTES)
        if not sample.strip():
            raise _file_error("the file is empty: expected a header row", "empty_file")
        dialect = _dialect(sample, delimiter)
        handle.seek(0)
        lines = _OpenCells(path, encoding, handle, dialect.quotechar or '"')
        reader = csv.reader(handle, dialect)
        header: list[str] | None = None
        number = 0
        for record in reader:
            number += 1
            if any(record):
                header = record
                break
        if header is None:
            raise _file_error("the file is empty: expected a header row", "empty_file")
        if any(_SURROGATE.search(name) for name in header):
            raise _file_error(
                "the header " + _ENCODING_HINT.format(encoding=encoding), "encoding", number
            )
        buffered = _sample(reader, lines, sample_rows)
    except BaseException:
        handle.close()
        if lines is not None:
            lines.close()
        raise
    return _OpenedCsv(
        handle,
        lines,
        reader,
        [name.strip() for name in header],
        number,
        str(dialect.delimiter),
        buffered,
    )


def csv_records(
    path: str | os.PathLike[str],
    *,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    counter: CountingBytes | None = None,
    sample_rows: int = CSV_TYPE_SAMPLE_ROWS,
    assume_timezone: tzinfo | None = None,
    reading: ReadingOptions = DEFAULT_READING,
) -> tuple[dict[str, str], Iterator[tuple[int, dict[str, Any], tuple[ErrorDetail, ...]]]]:
    """Read a CSV file as typed records without a kind: each column gets its one type.

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding, delimiter : str, optional
        As for :func:`iter_csv`.
    counter : CountingBytes, optional
        Counts the bytes read.
    sample_rows : int
        Records read to choose the column types.
    assume_timezone : tzinfo, optional
        For naive date-times.
    reading : ReadingOptions
        Date formats and decimal separator.

    Returns
    -------
    (dict, iterator)
        Column name to type, and ``(row number, values, errors)`` per record; blank
        rows are skipped, empty cells left out, a cell that does not fit its column's
        type is an error of that record.
    """
    opened = _open_csv(path, encoding, delimiter, counter, sample_rows)
    sample = opened.sample()
    types: dict[str, str] = {}
    converters = []
    for index, name in enumerate(opened.header):
        cells = [row[index] for row in sample if index < len(row) and row[index]]
        types[name] = infer_column(cells, reading)
        converters.append(column_converter(types[name], name, assume_timezone, reading))
    return types, _csv_records(opened, converters)


def _csv_records(
    opened: _OpenedCsv, converters: list[Converter]
) -> Iterator[tuple[int, dict[str, Any], tuple[ErrorDetail, ...]]]:
    header, number, width = opened.header, opened.number, len(opened.header)
    records = itertools.chain(opened.buffered, opened.reader)
    reader, lines = opened.reader, opened.lines
    with opened.handle, contextlib.closing(lines):
        while True:
            start = reader.line_num
            try:
                cells = next(records)
            except StopIteration:
                return
            except csv.Error as exc:
                lines.skip(start, reader.line_num)
                cells = _Failure(f"the row is not valid CSV ({exc})")
            number += 1
            if cells.__class__ is _Failure:
                yield number, {}, _row_error(number, cells.message, "csv_error").errors
                continue
            if not cells or not any(cells):
                continue
            if len(cells) != width:
                message = f"row has {len(cells)} cells but the header has {width} columns"
                yield number, {}, _row_error(number, message, "ragged_row").errors
                continue
            values: dict[str, Any] = {}
            errors: list[ErrorDetail] = []
            for name, cell, convert in zip(header, cells, converters, strict=True):
                if not cell:
                    continue
                try:
                    values[name] = convert(cell)
                except CellError as exc:
                    errors.append(ErrorDetail((), exc.message, exc.error_type, number, name))
            yield number, values, tuple(errors)


def _has_surrogate(cells: list[str]) -> bool:
    return any(_SURROGATE.search(cell) for cell in cells)


def _sample(reader: Any, lines: _OpenCells, rows: int) -> list[Any]:
    """Read the first ``rows`` records (or failures), to be replayed in order."""
    buffered: list[Any] = []
    while len(buffered) < rows:
        start = reader.line_num
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            lines.skip(start, reader.line_num)
            buffered.append(_Failure(f"the row is not valid CSV ({exc})"))
            continue
        buffered.append(cells)
    return buffered


class _OpenCells:
    """Reading on after a csv error inside a quoted cell (a cell over the field size limit).

    The csv reader reads the file's lines itself (a Python call per line to watch them
    costs a fifth of the parsing). After an error, the lines of the record it failed in
    are read again from a second handle, opened then, to count their quote characters:
    an odd count means the cell is still open, and :meth:`skip` reads on, on the main
    handle, to the line that closes it, so reading resumes at the next record and nothing
    inside the cell is read as rows. Errors are rare, so the second handle only moves
    forward, once over the file at most.
    """

    __slots__ = ("_encoding", "_handle", "_path", "_quote", "_read", "_side", "skipped")

    def __init__(self, path: Any, encoding: str, handle: Any, quote: str) -> None:
        self._path = path
        self._encoding = encoding
        self._handle = handle
        self._quote = quote
        self._side: Any = None
        self._read = 0
        """Lines read from the second handle."""
        self.skipped = 0
        """Lines read past here, which the csv reader's ``line_num`` does not count."""

    def skip(self, start: int, end: int) -> None:
        """Read past the rest of a cell left open by the record the reader failed in.

        Parameters
        ----------
        start, end : int
            The reader's ``line_num`` before that record and after the error.
        """
        if self._side is None:
            self._side = open_text(self._path, self._encoding)
        side, quote = self._side, self._quote
        first, last = start + self.skipped, end + self.skipped
        quotes = 0
        try:
            while self._read < last:
                line = next(side)
                self._read += 1
                if self._read > first:
                    quotes += line.count(quote)
        except StopIteration:
            pass
        while quotes % 2:
            try:
                line = next(self._handle)
            except StopIteration:
                break
            self.skipped += 1
            quotes += line.count(quote)

    def close(self) -> None:
        """Close the second handle, if one was opened."""
        if self._side is not None:
            self._side.close()
            self._side = None


def _csv_rows(
    handle: Any,
    lines: _OpenCells,
    csv_reader: Any,
    buffered: list[Any],
    plan: Plan,
    *,
    number: int,
    encoding: str,
    skip: Callable[[int], bool] | None,
    decode_errors_at_start: int,
) -> Iterator[Row]:
    # The plan's screen (a sync's first pass screens a million rows) is called here
    # directly: one call per row less than through ``plan.from_cells``.
    screen = plan.screen
    convert = plan.from_cells if screen is None else plan.convert
    header = plan.header
    with handle, contextlib.closing(lines):
        # The records read to sample the column types first (failures among them are
        # kept as _Failure), then the rest of the file from the reader.
        for cells in buffered:
            number += 1
            if cells.__class__ is _Failure:
                yield _row_error(number, cells.message, "csv_error")
                continue
            row = _csv_row(
                plan,
                cells,
                number,
                screen=screen,
                convert=convert,
                skip=skip,
                encoding=encoding,
                decode_errors_at_start=decode_errors_at_start,
            )
            if row is not None:
                yield row
        while True:
            start = csv_reader.line_num
            try:
                cells = next(csv_reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                logger.debug("csv error at row %d: %s", number, type(exc).__name__)
                lines.skip(start, csv_reader.line_num)
                yield _row_error(number, f"the row is not valid CSV ({exc})", "csv_error")
                continue
            number += 1
            # What _csv_row does, inlined: this loop runs for every record of the file.
            if not cells or not any(cells):
                continue
            if skip is not None and skip(number):
                continue
            if _DecodeCounter.count != decode_errors_at_start:
                bad = next((i for i, cell in enumerate(cells) if _SURROGATE.search(cell)), None)
                if bad is not None:
                    yield _encoding_error(header, bad, number, encoding)
                    continue
            if screen is not None and not screen(plan, number, cells):
                continue
            yield convert(number, cells)


def _csv_row(
    plan: Plan,
    cells: list[str],
    number: int,
    *,
    screen: RowScreen | None,
    convert: Callable[[int, list[str]], Row],
    skip: Callable[[int], bool] | None,
    encoding: str,
    decode_errors_at_start: int,
) -> Row | None:
    """One record as :func:`_csv_rows` treats it (``None`` when it yields nothing)."""
    if not cells or not any(cells):
        return None
    if skip is not None and skip(number):
        return None
    if _DecodeCounter.count != decode_errors_at_start:
        bad = next((i for i, cell in enumerate(cells) if _SURROGATE.search(cell)), None)
        if bad is not None:
            return _encoding_error(plan.header, bad, number, encoding)
    if screen is not None and not screen(plan, number, cells):
        return None
    return convert(number, cells)


def _encoding_error(header: tuple[str, ...], bad: int, number: int, encoding: str) -> Row:
    column = header[bad] if bad < len(header) else None
    return _row_error(
        number, "the cell " + _ENCODING_HINT.format(encoding=encoding), "encoding", column
    )


def iter_jsonl(
    path: str | os.PathLike[str],
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    encoding: str = "utf-8",
    plan_options: dict[str, Any] | None = None,
    skip: Callable[[int], bool] | None = None,
    counter: CountingBytes | None = None,
    column_types: dict[str, str] | None = None,
) -> Iterator[Row]:
    """Read a JSON Lines file: one JSON object per line; keys work like CSV headers.

    Parameters
    ----------
    path : str or path-like
        The file.
    kind : KindSpec
        What each line becomes.
    mapping : ColumnMapping
        Renames, drops, constants, types.
    encoding : str
        Text encoding.
    plan_options : dict, optional
        Passed to :func:`compile_plan`.
    skip : callable, optional
        Line number to ``True`` for lines to pass over (resume).
    counter : CountingBytes, optional
        Counts the bytes read.
    column_types : dict, optional
        Filled as lines are read: each key's JSON type over the first 1000 lines
        (``string``, ``integer``, ``number``, ``boolean``, ``json``, or ``mixed: ...``).

    Returns
    -------
    iterator of Row
        Line numbers count from 1; blank lines are skipped.
    """
    handle = open_text(path, encoding, counter)
    return _jsonl_rows(
        handle,
        kind,
        mapping,
        plan_options=plan_options or {},
        skip=skip,
        encoding=encoding,
        column_types=column_types,
    )


def _jsonl_rows(
    handle: Any,
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    plan_options: dict[str, Any],
    skip: Callable[[int], bool] | None,
    encoding: str,
    column_types: dict[str, str] | None = None,
) -> Iterator[Row]:
    plans: dict[tuple[str, ...], Plan | ValidationError] = {}
    seen: dict[str, set[str]] = {}
    with handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            if skip is not None and skip(number):
                continue
            if _SURROGATE.search(line):
                yield _row_error(
                    number, "the line " + _ENCODING_HINT.format(encoding=encoding), "encoding"
                )
                continue
            try:
                data = json.loads(line)
            except ValueError:
                yield _row_error(number, "the line is not valid JSON", "json_invalid")
                continue
            except RecursionError:
                yield _row_error(number, "the line's JSON is nested too deeply", "json_too_deep")
                continue
            if not isinstance(data, dict):
                yield _row_error(number, "each line must be a JSON object", "jsonl_not_object")
                continue
            if column_types is not None and number <= CSV_TYPE_SAMPLE_ROWS:
                _note_types(data, seen, column_types)
            keys = tuple(data)
            plan = plans.get(keys)
            if plan is None:
                if len(plans) >= _PLAN_CACHE_LIMIT:
                    plans.clear()
                try:
                    plan = compile_plan(keys, kind, mapping, typed_source=True, **plan_options)
                except ValidationError as exc:
                    plan = exc
                plans[keys] = plan
            if isinstance(plan, ValidationError):
                yield Row(
                    number,
                    None,
                    tuple(ErrorDetail(d.loc, d.msg, d.type, number, d.column) for d in plan.errors),
                )
                continue
            row = plan.from_values(number, list(data.values()))
            if row is not SCREENED:
                yield row


def _json_type(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "json"


def _note_types(data: dict[str, Any], seen: dict[str, set[str]], types: dict[str, str]) -> None:
    """Record each key's JSON types; one type is reported as is, several as ``mixed``."""
    for key, value in data.items():
        name = _json_type(value)
        if name is None:
            continue
        kinds = seen.setdefault(key, set())
        if name in kinds:
            continue
        kinds.add(name)
        if kinds == {"integer", "number"}:
            types[key] = "number"
        elif len(kinds) == 1:
            types[key] = name
        else:
            types[key] = "mixed: " + ", ".join(sorted(kinds))


def iter_dataframe(
    frame: Any,
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    plan_options: dict[str, Any] | None = None,
    skip: Callable[[int], bool] | None = None,
) -> tuple[Plan, Iterator[Row]]:
    """Read a pandas DataFrame row by row; values keep their dtypes.

    Parameters
    ----------
    frame : pandas.DataFrame
        The data; column labels are used as headers.
    kind : KindSpec
        What each row becomes.
    mapping : ColumnMapping
        Renames, drops, constants, types.
    plan_options : dict, optional
        Passed to :func:`compile_plan`.
    skip : callable, optional
        Position to ``True`` for rows to pass over (resume).

    Returns
    -------
    (Plan, iterator of Row)
        Row numbers are positions: ``df.iloc[number]``.
    """
    header = [str(label) for label in frame.columns]
    plan = compile_plan(header, kind, mapping, typed_source=True, **(plan_options or {}))
    return plan, _frame_rows(frame, plan, skip)


def _frame_rows(frame: Any, plan: Plan, skip: Callable[[int], bool] | None) -> Iterator[Row]:
    convert = plan.from_values
    labels = None if _default_index(frame.index) else frame.index
    for number, values in enumerate(frame.itertuples(index=False, name=None)):
        if skip is not None and skip(number):
            continue
        row = convert(number, values)
        if row is SCREENED:
            continue
        if labels is not None and (row.errors or getattr(row.message, "warnings", ())):
            row = _relabelled(row, index_label(labels[number]))
        yield row


def _default_index(index: Any) -> bool:
    """A RangeIndex 0, 1, 2, ...: positions and labels agree."""
    start, step = getattr(index, "start", None), getattr(index, "step", None)
    return type(index).__name__ == "RangeIndex" and start == 0 and step == 1


def index_label(label: Any) -> int | str:
    """An index label as errors show it: integers stay integers, the rest is text.

    Parameters
    ----------
    label : Any
        One label of a DataFrame's index.

    Returns
    -------
    int or str
    """
    if isinstance(label, int) or type(label).__name__.startswith(("int", "uint")):
        return int(label)
    return str(label)


def _relabelled(row: Row, label: int | str) -> Row:
    """``row`` with its errors and its message's warnings located by ``label``."""
    message = row.message
    found = getattr(message, "warnings", ())
    if found and isinstance(message, EncodedMessage):
        message = message._replace(warnings=tuple(replace(w, row=label) for w in found))
    errors = tuple(replace(detail, row=label) for detail in row.errors)
    return row._replace(errors=errors, message=message)
