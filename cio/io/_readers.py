"""Streaming sources: CSV files, JSON Lines files and pandas DataFrames.

Each source yields :class:`~cio.io._plan.Row` objects one at a time, so memory stays
constant whatever the size of the file. File-level problems (an empty file, a header
that is not valid text, duplicate headers) raise :class:`cio.ValidationError` located at
row 1 before any row is read; everything that goes wrong inside a row becomes that row's
error and reading goes on.
"""

from __future__ import annotations

import codecs
import csv
import json
import logging
import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, Final

from cio.errors import ErrorDetail, ValidationError
from cio.io._constants import CSV_DELIMITERS, CSV_SNIFF_BYTES
from cio.io._plan import ColumnMapping, KindSpec, Plan, Row, compile_plan

__all__ = ["iter_csv", "iter_dataframe", "iter_jsonl", "open_text"]

logger = logging.getLogger(__name__)

_ERROR_HANDLER: Final = "cio.io.mark-undecodable"
_SURROGATE = re.compile("[\udc80-\udcff]")
_PLAN_CACHE_LIMIT: Final = 256


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

_ENCODING_HINT = "is not valid {encoding}; re-save the file as UTF-8 or pass encoding="


def open_text(path: str | os.PathLike[str], encoding: str) -> Any:
    """Open a file for streaming text, marking undecodable bytes instead of failing.

    A UTF-8 byte order mark is skipped.

    Parameters
    ----------
    path : str or path-like
        The file.
    encoding : str
        Text encoding (``utf-8`` reads files with or without a BOM).

    Returns
    -------
    TextIO
    """
    if codecs.lookup(encoding).name == "utf-8":
        encoding = "utf-8-sig"
    return open(path, encoding=encoding, errors=_ERROR_HANDLER, newline="")


def _file_error(message: str, error_type: str, row: int | None = 1) -> ValidationError:
    return ValidationError(message, [ErrorDetail((), message, error_type, row=row)])


def _dialect(sample: str, delimiter: str | None) -> type[csv.Dialect] | csv.Dialect:
    if delimiter is not None:

        class _Given(csv.excel):
            pass

        _Given.delimiter = delimiter
        return _Given
    # Sniff only complete lines, so a cut-off quoted field does not mislead the sniffer.
    cut = max(sample.rfind("\n"), sample.rfind("\r"))
    if cut > 0 and len(sample) >= CSV_SNIFF_BYTES:
        sample = sample[:cut]
    try:
        sniffed = csv.Sniffer().sniff(sample, delimiters=CSV_DELIMITERS)
    except csv.Error:
        return csv.excel
    if sniffed.quotechar not in {'"', "'"}:
        sniffed.quotechar = '"'
    return sniffed


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
) -> tuple[Plan, Iterator[Row]]:
    """Open a CSV file and compile its plan; return the plan and a row iterator.

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
    handle = open_text(path, encoding)
    try:
        sample = handle.read(CSV_SNIFF_BYTES)
        if not sample.strip():
            raise _file_error("the file is empty: expected a header row", "empty_file")
        dialect = _dialect(sample, delimiter)
        handle.seek(0)
        reader = csv.reader(handle, dialect)
        header: list[str] | None = None
        number = 0
        for record in reader:
            number += 1
            if record:
                header = record
                break
        if header is None:
            raise _file_error("the file is empty: expected a header row", "empty_file")
        if any(_SURROGATE.search(name) for name in header):
            raise _file_error(
                "the header " + _ENCODING_HINT.format(encoding=encoding), "encoding", number
            )
        header = [name.strip() for name in header]
        plan = compile_plan(header, kind, mapping, **(plan_options or {}))
    except BaseException:
        handle.close()
        raise
    return plan, _csv_rows(
        handle,
        reader,
        plan,
        number=number,
        encoding=encoding,
        skip=skip,
        decode_errors_at_start=decode_errors_before,
    )


def _csv_rows(
    handle: Any,
    reader: Any,
    plan: Plan,
    *,
    number: int,
    encoding: str,
    skip: Callable[[int], bool] | None,
    decode_errors_at_start: int,
) -> Iterator[Row]:
    convert = plan.from_cells
    header = plan.header
    with handle:
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                number += 1
                logger.debug("csv error at row %d: %s", number, type(exc).__name__)
                yield _row_error(number, f"the row is not valid CSV ({exc})", "csv_error")
                continue
            number += 1
            if not cells:
                continue
            if skip is not None and skip(number):
                continue
            if _DecodeCounter.count != decode_errors_at_start:
                bad = next((i for i, cell in enumerate(cells) if _SURROGATE.search(cell)), None)
                if bad is not None:
                    column = header[bad] if bad < len(header) else None
                    yield _row_error(
                        number,
                        "the cell " + _ENCODING_HINT.format(encoding=encoding),
                        "encoding",
                        column,
                    )
                    continue
            yield convert(number, cells)


def iter_jsonl(
    path: str | os.PathLike[str],
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    encoding: str = "utf-8",
    plan_options: dict[str, Any] | None = None,
    skip: Callable[[int], bool] | None = None,
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

    Returns
    -------
    iterator of Row
        Line numbers count from 1; blank lines are skipped.
    """
    handle = open_text(path, encoding)
    return _jsonl_rows(
        handle, kind, mapping, plan_options=plan_options or {}, skip=skip, encoding=encoding
    )


def _jsonl_rows(
    handle: Any,
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    plan_options: dict[str, Any],
    skip: Callable[[int], bool] | None,
    encoding: str,
) -> Iterator[Row]:
    plans: dict[tuple[str, ...], Plan | ValidationError] = {}
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
            if not isinstance(data, dict):
                yield _row_error(number, "each line must be a JSON object", "jsonl_not_object")
                continue
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
            yield plan.from_values(number, list(data.values()))


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
    for number, values in enumerate(frame.itertuples(index=False, name=None)):
        if skip is not None and skip(number):
            continue
        yield convert(number, values)


def guess_format(path: str | os.PathLike[str]) -> str:
    """``jsonl`` for ``.jsonl``/``.ndjson`` files, else ``csv``.

    Parameters
    ----------
    path : str or path-like
        The file name.

    Returns
    -------
    str
    """
    suffix = Path(path).suffix.lower()
    return "jsonl" if suffix in {".jsonl", ".ndjson"} else "csv"
