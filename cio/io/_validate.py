"""Reading any source into rows, and validating a whole source into a result."""

from __future__ import annotations

import csv
import html
import logging
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any

from cio._charts import error_chart
from cio._constants import DEFAULT_MAX_ROW_ERRORS
from cio.errors import ErrorDetail, ValidationError
from cio.io._infer import DEFAULT_READING, ReadingOptions, resolve_timezone
from cio.io._plan import ColumnMapping, KindSpec, Row, RowScreen, resolve_kind
from cio.io._progress import progress_bar, track_rows
from cio.io._readers import CSV_TYPE_SAMPLE_ROWS
from cio.io._source import Format, TabularSource, open_source

__all__ = [
    "ValidationResult",
    "format_error_table",
    "format_error_tally",
    "open_rows",
    "read_rows",
    "validate",
    "validate_csv",
    "validate_dataframe",
    "validate_jsonl",
]

logger = logging.getLogger(__name__)

Source = str | os.PathLike[str] | Any
_ERROR_FIELDS = ("row", "column", "field", "type", "message")
_TALLY_FIELDS = ("count", "column", "type")
_TALLY_SHOWN = 20
_NO_COLUMN = "(none)"

ErrorTally = Mapping[tuple[str, str], int]
"""Errors counted by (column, error type); the column is the field for JSON Lines, or ``""``."""


def open_rows(
    source: Source | TabularSource,
    spec: KindSpec,
    mapping: ColumnMapping,
    *,
    fmt: Format | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    assume_timezone: tzinfo | None = None,
    message_ids: Callable[[int], str] | None = None,
    skip: Callable[[int], bool] | None = None,
    encoded: bool = False,
    screen: RowScreen | None = None,
    reading: ReadingOptions = DEFAULT_READING,
) -> tuple[Mapping[str, str], Iterator[Row]]:
    """Open any source: return its column targets and a row iterator.

    Parameters
    ----------
    source : path, DataFrame, columnar object, SqlQuery or TabularSource
        What to read.
    spec : KindSpec
        What each row becomes.
    mapping : ColumnMapping
        Renames, drops, constants, types.
    fmt : str, optional
        Guessed from the source when not given (see :func:`cio.io.open_source`).
    encoding, delimiter : str, optional
        For files.
    assume_timezone : tzinfo, optional
        For naive date-times.
    message_ids : callable, optional
        Row number to messageId.
    skip : callable, optional
        Row numbers to pass over.
    encoded : bool
        Valid rows carry :class:`~cio.models.EncodedMessage` (wire bytes, for sending)
        instead of models.
    screen : callable, optional
        Sees each row's raw cells before conversion and may pass over it (see
        :func:`cio.io._plan.compile_plan`); every reader honours it through the plan.
    reading : ReadingOptions
        Date formats and decimal separator for text cells.

    Returns
    -------
    (mapping, iterator of Row)

    Raises
    ------
    ValidationError
        For file-level problems, located at row 1.
    """
    opened = (
        source
        if isinstance(source, TabularSource)
        else open_source(source, format=fmt, encoding=encoding, delimiter=delimiter)
    )
    options: dict[str, Any] = {
        "assume_timezone": assume_timezone,
        "message_ids": message_ids,
        "encoded": encoded,
        "reading": reading,
    }
    if screen is not None:
        options["screen"] = screen
    plan, rows = opened.rows(spec, mapping, plan_options=options, skip=skip)
    return (MappingProxyType({}) if plan is None else plan.targets), rows


def read_rows(
    source: Source,
    kind: str,
    *,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    constants: Mapping[str, Any] | None = None,
    types: Mapping[str, str] | None = None,
    assume_timezone: str | tzinfo | None = None,
    format: Format | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    date_formats: Sequence[str] = (),
    decimal: str = ".",
    sample_rows: int = CSV_TYPE_SAMPLE_ROWS,
) -> Iterator[Row]:
    """Stream any supported source as validated rows.

    Parameters
    ----------
    source : path, DataFrame, columnar object or SqlQuery
        A ``.csv`` (any sniffable dialect), ``.jsonl``/``.ndjson``, Parquet (a file or a
        dataset directory) or Arrow IPC/Feather file; a pandas or polars DataFrame, a
        polars LazyFrame, a pyarrow Table or RecordBatchReader, a DuckDB relation, or a
        :class:`cio.io.SqlQuery` (see :func:`cio.io.open_source`).
    kind : str
        ``identify``, ``track``, ``page``, ``screen``, ``group``, ``relationship``,
        ``device``, ``delete``, ``suppress``, ``unsuppress``, or a semantic event name.
    mapping : ColumnMapping or mapping, optional
        Column renames and drops (``{"Email Address": "email", "notes": None}``).
    constants : mapping, optional
        Values every row gets (``{"plan": "pro"}``).
    types : mapping, optional
        Per-column type overrides (``{"zip": "string"}``).
    assume_timezone : str or tzinfo, optional
        Timezone for naive date-times (``"UTC"``); without it a naive ``timestamp`` is
        a row error.
    format : {"csv", "jsonl", "dataframe", "parquet", "arrow", "sql"}, optional
        Guessed from the source when not given.
    encoding : str
        Text encoding of files (``utf-8``, with or without BOM, by default).
    delimiter : str, optional
        Force a CSV delimiter instead of sniffing.
    date_formats : sequence of str
        ``strptime`` formats for date-times and dates that are not ISO 8601
        (``["%d/%m/%Y"]``); see ``docs/import.md``.
    decimal : str
        ``"."`` or ``","`` (``1.234,56``).
    sample_rows : int
        CSV rows read to choose each column's one type (1000 by default).

    Returns
    -------
    iterator of Row
        Each row has ``number``, ``message`` (or ``None``) and ``errors``.

    Raises
    ------
    ValidationError
        For an unknown kind and for file-level problems (empty file, duplicate headers,
        a required column missing), before any row is read.

    Example
    -------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> _ = path.write_text("user_id,plan,seats\\n42,pro,3\\n", encoding="utf-8")
    >>> [row.message.traits for row in read_rows(path, kind="identify")]
    [{'plan': 'pro', 'seats': 3}]
    """
    spec = resolve_kind(kind)
    opened = open_source(
        source, format=format, encoding=encoding, delimiter=delimiter, sample_rows=sample_rows
    )
    _targets, rows = open_rows(
        opened,
        spec,
        ColumnMapping.coerce(mapping, constants=constants, types=types),
        assume_timezone=resolve_timezone(assume_timezone),
        reading=ReadingOptions(tuple(date_formats), decimal),
    )
    return rows


class RowProblemTables:
    """The text tables of a report's kept row errors and warnings (validation, import).

    A report using it has ``errors``, ``error_count``, ``warnings`` and ``warning_count``.
    """

    errors: tuple[ErrorDetail, ...]
    error_count: int
    warnings: tuple[ErrorDetail, ...]
    warning_count: int

    def table(self, limit: int | None = None) -> str:
        """The first ``limit`` row errors as a fixed-width text table.

        Parameters
        ----------
        limit : int, optional
            How many errors to show; all kept errors by default.

        Returns
        -------
        str
        """
        return format_error_table(self.errors, limit, total=self.error_count)

    def warnings_table(self, limit: int | None = None) -> str:
        """The first ``limit`` warnings as a text table (empty when there are none).

        Parameters
        ----------
        limit : int, optional
            How many to show; all kept warnings by default.

        Returns
        -------
        str
        """
        return format_warning_table(self.warnings, limit, total=self.warning_count)


@dataclass(frozen=True)
class ValidationResult(RowProblemTables):
    """What validating a file found: counts, and the row errors without cell values.

    Attributes
    ----------
    source : str
        The file path, or ``DataFrame``.
    kind : str
        The kind rows were validated as.
    rows : int
        Data rows read (blank lines are not counted).
    valid, invalid : int
        Rows that became a model, and rows that did not.
    errors : tuple of ErrorDetail
        The first ``max_errors`` errors, in row order.
    error_count : int
        All errors found, including those not kept.
    columns : mapping
        Column name to the field it fills.
    tally : mapping
        Every error counted by ``(column, type)``, most frequent first.
    column_types : mapping
        Column name to the type its values are read as: the source's schema for
        Parquet, Arrow, polars, DuckDB and pandas; for CSV the type chosen per column.
    warnings : tuple of ErrorDetail
        The first ``max_errors`` warnings (accepted, probably a mistake), located like
        errors; they do not make a row invalid.
    warning_count : int
        All warnings found.
    """

    source: str
    kind: str
    rows: int
    valid: int
    invalid: int
    errors: tuple[ErrorDetail, ...]
    error_count: int
    columns: Mapping[str, str] = field(default_factory=dict)
    tally: ErrorTally = field(default_factory=dict)
    column_types: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[ErrorDetail, ...] = ()
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        """True when every row is valid and the file itself was readable."""
        return self.error_count == 0

    def __str__(self) -> str:
        return self.summary()

    def summary(self) -> str:
        """One line of counts.

        Returns
        -------
        str
        """
        status = "OK" if self.ok else "INVALID"
        return (
            f"{status}: {self.source} as {self.kind}: {self.rows} rows, {self.valid} valid, "
            f"{self.invalid} invalid, {self.error_count} errors{warning_note(self.warning_count)}"
        )

    def _repr_html_(self) -> str:
        return self._errors_html() + html_warning_table(self.warnings, self.warning_count)

    def _errors_html(self) -> str:
        colour = "#1a7f37" if self.ok else "#cf222e"
        head = (
            f'<p><b style="color:{colour}">{"valid" if self.ok else "invalid"}</b> '
            f"{html.escape(self.source)} as <code>{html.escape(self.kind)}</code>: "
            f"{self.rows} rows, {self.valid} valid, {self.invalid} invalid, "
            f"{self.error_count} errors</p>"
        )
        if not self.errors:
            return head
        cells = "".join(
            "<tr>"
            + "".join(f"<td>{html.escape(str(value))}</td>" for value in _error_cells(detail))
            + "</tr>"
            for detail in self.errors
        )
        header = "".join(f"<th>{name}</th>" for name in _ERROR_FIELDS)
        more = ""
        if self.error_count > len(self.errors):
            more = f"<p>... and {self.error_count - len(self.errors)} more errors</p>"
        table = f"<table><thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table>"
        return f"{head}{error_chart(self.tally)}{table}{more}"


def warning_note(count: int) -> str:
    """``", 1 warning"`` or ``", N warnings"`` for a summary line; nothing when none.

    Parameters
    ----------
    count : int

    Returns
    -------
    str
    """
    if not count:
        return ""
    return f", {count} warning" if count == 1 else f", {count} warnings"


def format_warning_table(
    warnings: Sequence[ErrorDetail], limit: int | None = None, *, total: int | None = None
) -> str:
    """Warnings as the error table's layout under a ``warnings:`` line; empty if none.

    Parameters
    ----------
    warnings : sequence of ErrorDetail
    limit : int, optional
        Show at most this many.
    total : int, optional
        The number found, for the "and N more" line.

    Returns
    -------
    str
    """
    if not warnings:
        return ""
    table = format_error_table(warnings, limit, total=total)
    return "warnings (accepted, probably a mistake):\n" + table.replace(
        " more errors", " more warnings"
    )


def html_warning_table(warnings: Sequence[ErrorDetail], total: int) -> str:
    """The warnings as an HTML table, or nothing when there are none.

    Parameters
    ----------
    warnings : sequence of ErrorDetail
    total : int
        How many were found.

    Returns
    -------
    str
    """
    if not warnings:
        return ""
    cells = "".join(
        "<tr>"
        + "".join(f"<td>{html.escape(str(value))}</td>" for value in _error_cells(detail))
        + "</tr>"
        for detail in warnings
    )
    header = "".join(f"<th>{name}</th>" for name in _ERROR_FIELDS)
    more = f"<p>... and {total - len(warnings)} more warnings</p>" if total > len(warnings) else ""
    return (
        "<table><caption>Warnings (accepted, probably a mistake)</caption>"
        f"<thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table>{more}"
    )


def _error_cells(detail: ErrorDetail) -> tuple[str, str, str, str, str]:
    return (
        "" if detail.row is None else str(detail.row),
        detail.column or "",
        ".".join(str(part) for part in detail.loc),
        detail.type,
        detail.msg,
    )


def _tally_key(detail: ErrorDetail) -> tuple[str, str]:
    column = detail.column if detail.column is not None else (detail.field if detail.loc else "")
    return column, detail.type


def format_error_tally(tally: ErrorTally, limit: int = _TALLY_SHOWN) -> str:
    """Render an error tally as a fixed-width table (count, column, type), largest first.

    Parameters
    ----------
    tally : mapping
        ``(column, type)`` to count, as in :attr:`ValidationResult.tally`.
    limit : int
        Show at most this many lines.

    Returns
    -------
    str

    Example
    -------
    >>> print(format_error_tally({("email", "email"): 12, ("", "missing_identity"): 3}))
    count  column  type
    -----  ------  ----------------
    12     email   email
    3      (none)  missing_identity
    """
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    rows = [(str(count), column or _NO_COLUMN, kind) for (column, kind), count in ranked]
    shown = rows[:limit]
    widths = [
        max([len(name), *(len(row[i]) for row in shown)]) for i, name in enumerate(_TALLY_FIELDS)
    ]
    lines = ["  ".join(name.ljust(w) for name, w in zip(_TALLY_FIELDS, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in shown
    )
    if len(rows) > len(shown):
        rest = sum(count for _key, count in ranked[len(shown) :])
        lines.append(f"... and {rest} more errors of {len(rows) - len(shown)} other kinds")
    return "\n".join(line.rstrip() for line in lines)


def format_error_table(
    errors: Iterable[ErrorDetail], limit: int | None = None, *, total: int | None = None
) -> str:
    """Render errors as a fixed-width table (row, column, field, type, message).

    Parameters
    ----------
    errors : iterable of ErrorDetail
        The errors.
    limit : int, optional
        Show at most this many.
    total : int, optional
        The number of errors found, for the "and N more" line.

    Returns
    -------
    str

    Example
    -------
    >>> from cio.errors import ErrorDetail
    >>> print(format_error_table([ErrorDetail(("traits",), "bad email", "email", 3, "email")]))
    row  column  field   type   message
    ---  ------  ------  -----  ---------
    3    email   traits  email  bad email
    """
    rows = [_error_cells(detail) for detail in errors]
    shown = rows if limit is None else rows[:limit]
    widths = [
        max([len(name), *(len(row[i]) for row in shown)]) for i, name in enumerate(_ERROR_FIELDS)
    ]
    lines = ["  ".join(name.ljust(w) for name, w in zip(_ERROR_FIELDS, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    lines.extend(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in shown
    )
    total = len(rows) if total is None else total
    if total > len(shown):
        lines.append(f"... and {total - len(shown)} more errors")
    return "\n".join(line.rstrip() for line in lines)


class _ErrorSink:
    """Collects the first N errors and optionally streams all of them to a CSV file."""

    def __init__(self, max_errors: int, errors_csv: str | os.PathLike[str] | None) -> None:
        self.kept: list[ErrorDetail] = []
        self.count = 0
        self.tally: Counter[tuple[str, str]] = Counter()
        self.max_errors = max_errors
        self._file = None
        self._writer: Any = None
        if errors_csv is not None:
            self._file = open(errors_csv, "w", encoding="utf-8", newline="")  # noqa: SIM115
            self._writer = csv.writer(self._file)
            self._writer.writerow(_ERROR_FIELDS)

    def add(self, details: Iterable[ErrorDetail]) -> None:
        for detail in details:
            self.count += 1
            self.tally[_tally_key(detail)] += 1
            if len(self.kept) < self.max_errors:
                self.kept.append(detail)
            if self._writer is not None:
                self._writer.writerow(_error_cells(detail))

    def close(self) -> None:
        if self._file is not None:
            self._file.close()


def validate(
    source: Source,
    kind: str,
    *,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    constants: Mapping[str, Any] | None = None,
    types: Mapping[str, str] | None = None,
    assume_timezone: str | tzinfo | None = None,
    format: Format | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    date_formats: Sequence[str] = (),
    decimal: str = ".",
    sample_rows: int = CSV_TYPE_SAMPLE_ROWS,
    max_errors: int = DEFAULT_MAX_ROW_ERRORS,
    errors_csv: str | os.PathLike[str] | None = None,
    progress: bool = False,
) -> ValidationResult:
    """Validate every row of a source without sending anything.

    Takes the same arguments as :func:`read_rows`, plus:

    Parameters
    ----------
    source : path, DataFrame, columnar object or SqlQuery
        What to validate (as for :func:`read_rows`).
    kind : str
        What each row must become.
    mapping, constants, types, assume_timezone, format, encoding, delimiter
        As for :func:`read_rows`.
    date_formats, decimal, sample_rows
        As for :func:`read_rows`.
    max_errors : int
        Errors kept in the result (all are counted).
    errors_csv : path, optional
        Write every error (row, column, field, type, message) to this CSV file.
    progress : bool
        Show a progress bar (rows, or bytes for text files) on stderr.

    Returns
    -------
    ValidationResult
        A file-level problem (empty file, duplicate headers) is reported as an error at
        row 1 with no rows read.

    Raises
    ------
    ValidationError
        For an unknown kind.
    OSError
        When the file cannot be read.
    """
    spec = resolve_kind(kind)
    reading = ReadingOptions(tuple(date_formats), decimal)
    opened = open_source(
        source, format=format, encoding=encoding, delimiter=delimiter, sample_rows=sample_rows
    )
    name = opened.name
    sink = _ErrorSink(max_errors, errors_csv)
    warnings = _ErrorSink(max_errors, None)
    total = valid = 0
    columns: Mapping[str, str] = {}
    bar = progress_bar(opened, progress, unit_name="row")
    try:
        try:
            columns, rows = open_rows(
                opened,
                spec,
                ColumnMapping.coerce(mapping, constants=constants, types=types),
                assume_timezone=resolve_timezone(assume_timezone),
                reading=reading,
                encoded=True,
            )
        except ValidationError as exc:
            sink.add(exc.errors)
            rows = iter(())
        for row in track_rows(rows, bar):
            total += 1
            if row.errors:
                sink.add(row.errors)
            else:
                valid += 1
                found = getattr(row.message, "warnings", ())
                if found:
                    warnings.add(found)
    finally:
        sink.close()
        bar.close()
    logger.info("validated %s: %d rows, %d errors", name, total, sink.count)
    return ValidationResult(
        source=name,
        kind=spec.name,
        rows=total,
        valid=valid,
        invalid=total - valid,
        errors=tuple(sink.kept),
        error_count=sink.count,
        columns=MappingProxyType(dict(columns)),
        tally=MappingProxyType(dict(sink.tally.most_common())),
        column_types=MappingProxyType(dict(opened.column_types)),
        warnings=tuple(warnings.kept),
        warning_count=warnings.count,
    )


def validate_csv(path: str | os.PathLike[str], kind: str, **options: Any) -> ValidationResult:
    """Validate a CSV file; see :func:`validate` for the options.

    Parameters
    ----------
    path : str or path-like
        The CSV file.
    kind : str
        What each row must become.
    **options
        ``mapping``, ``constants``, ``types``, ``assume_timezone``, ``encoding``,
        ``delimiter``, ``max_errors``, ``errors_csv``.

    Returns
    -------
    ValidationResult

    Example
    -------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
    >>> _ = path.write_text("user_id,email\\n1,ada@example.com\\n,ada@example.org\\n")
    >>> result = validate_csv(path, kind="identify")
    >>> result.valid, result.invalid, result.errors[0].row, result.errors[0].type
    (1, 1, 3, 'missing_identity')
    """
    return validate(Path(path), kind, format="csv", **options)


def validate_jsonl(path: str | os.PathLike[str], kind: str, **options: Any) -> ValidationResult:
    """Validate a JSON Lines file; see :func:`validate` for the options.

    Parameters
    ----------
    path : str or path-like
        The file, one JSON object per line.
    kind : str
        What each line must become.
    **options
        As for :func:`validate`.

    Returns
    -------
    ValidationResult
    """
    return validate(Path(path), kind, format="jsonl", **options)


def validate_dataframe(frame: Any, kind: str, **options: Any) -> ValidationResult:
    """Validate a DataFrame; errors give index labels, or positions for a RangeIndex.

    Parameters
    ----------
    frame : pandas.DataFrame or polars.DataFrame
        The data.
    kind : str
        What each row must become.
    **options
        As for :func:`validate`.

    Returns
    -------
    ValidationResult
    """
    return validate(frame, kind, format="dataframe", **options)
