"""Reading any source into rows, and validating a whole source into a result."""

from __future__ import annotations

import csv
import html
import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from cio._constants import DEFAULT_MAX_ROW_ERRORS
from cio.errors import ErrorDetail, ValidationError
from cio.io._infer import resolve_timezone
from cio.io._plan import ColumnMapping, KindSpec, Row, resolve_kind
from cio.io._readers import guess_format, iter_csv, iter_dataframe, iter_jsonl

__all__ = [
    "ValidationResult",
    "format_error_table",
    "open_rows",
    "read_rows",
    "validate",
    "validate_csv",
    "validate_dataframe",
    "validate_jsonl",
]

logger = logging.getLogger(__name__)

Source = str | os.PathLike[str] | Any
Format = Literal["csv", "jsonl", "dataframe"]
_ERROR_FIELDS = ("row", "column", "field", "type", "message")


def _is_dataframe(source: Any) -> bool:
    return type(source).__name__ == "DataFrame" and hasattr(source, "itertuples")


def source_name(source: Source) -> str:
    """A short name for a source: the path, or ``DataFrame``."""
    return "DataFrame" if _is_dataframe(source) else os.fspath(source)


def open_rows(
    source: Source,
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
) -> tuple[Mapping[str, str], Iterator[Row]]:
    """Open any source: return its column targets and a row iterator.

    Parameters
    ----------
    source : path or DataFrame
        What to read.
    spec : KindSpec
        What each row becomes.
    mapping : ColumnMapping
        Renames, drops, constants, types.
    fmt : {"csv", "jsonl", "dataframe"}, optional
        Guessed from the source when not given.
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

    Returns
    -------
    (mapping, iterator of Row)

    Raises
    ------
    ValidationError
        For file-level problems, located at row 1.
    """
    options: dict[str, Any] = {
        "assume_timezone": assume_timezone,
        "message_ids": message_ids,
        "encoded": encoded,
    }
    if fmt is None:
        fmt = "dataframe" if _is_dataframe(source) else guess_format(source)  # type: ignore[assignment]
    if fmt == "dataframe":
        plan, rows = iter_dataframe(source, spec, mapping, plan_options=options, skip=skip)
        return plan.targets, rows
    if fmt == "jsonl":
        return MappingProxyType({}), iter_jsonl(
            source, spec, mapping, encoding=encoding, plan_options=options, skip=skip
        )
    plan, rows = iter_csv(
        source,
        spec,
        mapping,
        encoding=encoding,
        delimiter=delimiter,
        plan_options=options,
        skip=skip,
    )
    return plan.targets, rows


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
) -> Iterator[Row]:
    """Stream a CSV file, JSON Lines file or DataFrame as validated rows.

    Parameters
    ----------
    source : path or pandas.DataFrame
        A ``.csv`` (any sniffable dialect) or ``.jsonl``/``.ndjson`` file, or a DataFrame.
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
    format : {"csv", "jsonl", "dataframe"}, optional
        Guessed from the file extension when not given.
    encoding : str
        Text encoding of files (``utf-8``, with or without BOM, by default).
    delimiter : str, optional
        Force a CSV delimiter instead of sniffing.

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
    _targets, rows = open_rows(
        source,
        spec,
        ColumnMapping.coerce(mapping, constants=constants, types=types),
        fmt=format,
        encoding=encoding,
        delimiter=delimiter,
        assume_timezone=resolve_timezone(assume_timezone),
    )
    return rows


@dataclass(frozen=True)
class ValidationResult:
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

    def table(self, limit: int | None = None) -> str:
        """The first ``limit`` errors as a fixed-width text table.

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
        return f"{head}<table><thead><tr>{header}</tr></thead><tbody>{cells}</tbody></table>{more}"


def warning_note(count: int) -> str:
    """``", N warnings"`` for a summary line, or nothing when there are none.

    Parameters
    ----------
    count : int

    Returns
    -------
    str
    """
    return f", {count} warnings" if count else ""


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
    max_errors: int = DEFAULT_MAX_ROW_ERRORS,
    errors_csv: str | os.PathLike[str] | None = None,
) -> ValidationResult:
    """Validate every row of a source without sending anything.

    Takes the same arguments as :func:`read_rows`, plus:

    Parameters
    ----------
    source : path or pandas.DataFrame
        What to validate.
    kind : str
        What each row must become.
    mapping, constants, types, assume_timezone, format, encoding, delimiter
        As for :func:`read_rows`.
    max_errors : int
        Errors kept in the result (all are counted).
    errors_csv : path, optional
        Write every error (row, column, field, type, message) to this CSV file.

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
    name = source_name(source)
    sink = _ErrorSink(max_errors, errors_csv)
    warnings = _ErrorSink(max_errors, None)
    total = valid = 0
    columns: Mapping[str, str] = {}
    try:
        try:
            columns, rows = open_rows(
                source,
                spec,
                ColumnMapping.coerce(mapping, constants=constants, types=types),
                fmt=format,
                encoding=encoding,
                delimiter=delimiter,
                assume_timezone=resolve_timezone(assume_timezone),
                encoded=True,
            )
        except ValidationError as exc:
            sink.add(exc.errors)
            rows = iter(())
        for row in rows:
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
    """Validate a pandas DataFrame; row numbers in errors are positions (``df.iloc``).

    Parameters
    ----------
    frame : pandas.DataFrame
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
