"""Importing a source: validate each row, send the valid ones, record what was acknowledged."""

from __future__ import annotations

import html
import logging
import os
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from cio._charts import error_chart
from cio._constants import DEFAULT_MAX_ROW_ERRORS
from cio.errors import ConfigurationError, ErrorDetail
from cio.io._infer import ReadingOptions, resolve_timezone
from cio.io._plan import ColumnMapping, resolve_kind
from cio.io._progress import progress_bar, track_rows
from cio.io._readers import CSV_TYPE_SAMPLE_ROWS
from cio.io._source import Format, open_source, require_identity
from cio.io._state import ImportState, MessageIds
from cio.io._validate import (
    RowProblemTables,
    Source,
    _ErrorSink,
    html_warning_table,
    open_rows,
    warning_note,
)
from cio.models import EncodedMessage, Message

if TYPE_CHECKING:
    from cio.client import CustomerIOClient

__all__ = [
    "ImportReport",
    "import_csv",
    "import_dataframe",
    "import_jsonl",
    "import_source",
    "run_import",
]

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportReport(RowProblemTables):
    """What an import did: rows read, row errors, and the delivery report.

    Attributes
    ----------
    source : str
        The file path, or ``DataFrame``.
    kind : str
        The kind imported.
    import_id : str
        The identity messageIds were derived from (``sha256:...`` or the given id).
    rows : int
        Data rows read in this run (rows skipped as already sent included).
    valid, invalid : int
        Rows that became a model, and rows that did not (this run).
    skipped : int
        Rows skipped because the state file says an earlier run delivered them.
    errors : tuple of ErrorDetail
        The first row errors (all are counted in ``error_count``).
    error_count : int
        Every row error found.
    delivery : BatchReport or None
        The delivery engine's report; ``None`` for a dry run.
    dry_run : bool
        Nothing was sent.
    duration : float
        Seconds the whole import took.
    tally : mapping
        Every row error counted by ``(column, type)``, most frequent first.
    column_types : mapping
        Column name to the type its values were read as.
    warnings : tuple of ErrorDetail
        The first row warnings (accepted and sent, probably a mistake), located like
        errors; all are counted in ``warning_count``.
    warning_count : int
        Every row warning found.
    """

    source: str
    kind: str
    import_id: str
    rows: int
    valid: int
    invalid: int
    skipped: int
    errors: tuple[ErrorDetail, ...]
    error_count: int
    delivery: Any
    dry_run: bool
    duration: float
    tally: Mapping[tuple[str, str], int] = field(default_factory=dict)
    column_types: Mapping[str, str] = field(default_factory=dict)
    warnings: tuple[ErrorDetail, ...] = ()
    warning_count: int = 0

    @property
    def sent(self) -> int:
        """Messages the API acknowledged in this run."""
        return int(self.delivery.sent) if self.delivery is not None else 0

    @property
    def ok(self) -> bool:
        """True when no row was invalid and every valid row was delivered."""
        return self.error_count == 0 and (self.delivery is None or bool(self.delivery.ok))

    def summary(self) -> str:
        """A few lines of counts.

        Returns
        -------
        str
        """
        action = "dry run" if self.dry_run else "import"
        lines = [
            f"{action} of {self.source} as {self.kind}: {self.rows} rows, {self.valid} valid, "
            f"{self.invalid} invalid, {self.skipped} skipped (already sent), "
            f"{self.duration:.2f} s{warning_note(self.warning_count)}"
        ]
        if self.delivery is not None:
            lines.append(str(self.delivery))
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def _repr_html_(self) -> str:
        counts = (
            f"<p><b>{'dry run' if self.dry_run else 'import'}</b> of "
            f"{html.escape(self.source)} as <code>{html.escape(self.kind)}</code>: "
            f"{self.rows} rows, {self.valid} valid, {self.invalid} invalid, "
            f"{self.skipped} skipped (already sent)</p>"
        )
        delivery = ""
        if self.delivery is not None:
            render = getattr(self.delivery, "_repr_html_", None)
            delivery = render() if callable(render) else html.escape(str(self.delivery))
        errors = ""
        if self.errors:
            errors = "<pre>" + html.escape(self.table(20)) + "</pre>"
        return (
            counts
            + delivery
            + error_chart(self.tally)
            + errors
            + html_warning_table(self.warnings, self.warning_count)
        )


def import_source(
    client: CustomerIOClient | None,
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
    import_id: str | None = None,
    state: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    progress: bool = False,
    dead_letters: Any = None,
    max_in_flight: int | None = None,
    max_errors: int = DEFAULT_MAX_ROW_ERRORS,
    errors_csv: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """Validate a source row by row and send the valid rows through ``client.batch.send``.

    Every row's messageId is derived from the source's identity (a hash of its content,
    or ``import_id``), the kind and the row number, so running the same import again
    sends the same ids and Customer.io drops the duplicates. With ``state``, rows the API
    acknowledged are recorded as they are acknowledged, and a later run with the same
    state file skips them: an interrupted import resumes where it stopped.

    Parameters
    ----------
    client : CustomerIOClient or None
        Where to send; may be ``None`` for a dry run.
    source : path, DataFrame, columnar object or SqlQuery
        Anything :func:`cio.io.read_rows` reads: CSV, JSON Lines, Parquet and Arrow
        files, pandas and polars frames, pyarrow tables, DuckDB relations, SQL queries.
    kind : str
        ``identify``, ``track``, ``page``, ``screen``, ``group``, ``relationship``,
        ``device``, ``delete``, ``suppress``, ``unsuppress``, or a semantic event name.
    mapping, constants, types, assume_timezone, format, encoding, delimiter
        As for :func:`cio.io.read_rows`.
    date_formats, decimal, sample_rows
        As for :func:`cio.io.read_rows`.
    import_id : str, optional
        Use this identity instead of the content hash (for example to re-send a file on
        purpose, or to keep ids stable across edits).
    state : path, optional
        The state file recording acknowledged rows (created when missing).
    dry_run : bool
        Validate and count, send nothing.
    workers, progress, dead_letters, max_in_flight
        Passed to ``client.batch.send``.
    max_errors : int
        Row errors kept in the report (all are counted).
    errors_csv : path, optional
        Write every row error to this CSV file.

    Returns
    -------
    ImportReport

    Raises
    ------
    ValidationError
        For an unknown kind or a file-level problem (before anything is sent).
    ConfigurationError
        No client for a real import, or a state file that belongs to another import.
    CustomerIOError
        What ``client.batch.send`` raises when delivery cannot go on (for example a
        wrong API key); acknowledged rows are in the state file.
    """
    if client is None and not dry_run:
        raise ConfigurationError("a client is needed to import (or pass dry_run=True)")
    return run_import(
        None if client is None else client.batch.send,
        source,
        kind,
        mapping=mapping,
        constants=constants,
        types=types,
        assume_timezone=assume_timezone,
        format=format,
        encoding=encoding,
        delimiter=delimiter,
        date_formats=date_formats,
        decimal=decimal,
        sample_rows=sample_rows,
        import_id=import_id,
        state=state,
        dry_run=dry_run,
        workers=workers,
        progress=progress,
        dead_letters=dead_letters,
        max_in_flight=max_in_flight,
        max_errors=max_errors,
        errors_csv=errors_csv,
    )


def run_import(
    send: Callable[..., Any] | None,
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
    import_id: str | None = None,
    state: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
    workers: int | None = None,
    progress: bool = False,
    dead_letters: Any = None,
    max_in_flight: int | None = None,
    max_errors: int = DEFAULT_MAX_ROW_ERRORS,
    errors_csv: str | os.PathLike[str] | None = None,
) -> ImportReport:
    """:func:`import_source` with the sending function given directly.

    ``client.batch.import_csv`` and friends call this with ``client.batch.send``.

    Parameters
    ----------
    send : callable or None
        ``client.batch.send`` (or anything with its signature); ``None`` for a dry run.
    source, kind, mapping, constants, types, assume_timezone, format, encoding
        As for :func:`import_source`.
    date_formats, decimal, sample_rows
        As for :func:`import_source`.
    delimiter, import_id, state, dry_run, workers, progress, dead_letters
        As for :func:`import_source`.
    max_in_flight, max_errors, errors_csv
        As for :func:`import_source`.

    Returns
    -------
    ImportReport
    """
    if send is None and not dry_run:
        raise ConfigurationError("a client is needed to import (or pass dry_run=True)")
    started = time.perf_counter()
    spec = resolve_kind(kind)
    reading = ReadingOptions(tuple(date_formats), decimal)
    opened = open_source(
        source, format=format, encoding=encoding, delimiter=delimiter, sample_rows=sample_rows
    )
    name = opened.name
    if import_id is None:
        import_id = require_identity(opened)
    message_ids = MessageIds(import_id, spec.name)
    tracker = ImportState(state, import_id=import_id, kind=spec.name) if state else None
    sink = _ErrorSink(max_errors, errors_csv)
    counts = _Counts(max_errors)
    bar = progress_bar(opened, progress, unit_name="row")
    try:
        _targets, rows = open_rows(
            opened,
            spec,
            ColumnMapping.coerce(mapping, constants=constants, types=types),
            assume_timezone=resolve_timezone(assume_timezone),
            message_ids=message_ids,
            skip=counts.skipper(tracker.done) if tracker is not None else None,
            encoded=True,
            reading=reading,
        )
        pending: dict[str, int] | None = {} if tracker is not None else None
        messages = _valid_messages(track_rows(rows, bar), sink, counts, pending)
        delivery = None
        if dry_run:
            for _message in messages:
                pass
        else:
            assert send is not None
            on_ack = _acknowledger(tracker, pending) if tracker is not None else None
            delivery = send(
                messages,
                workers=workers,
                progress=False,
                dead_letters=dead_letters,
                on_ack=on_ack,
                max_in_flight=max_in_flight,
            )
    finally:
        bar.close()
        sink.close()
        if tracker is not None:
            tracker.close()
    report = ImportReport(
        source=name,
        kind=spec.name,
        import_id=import_id,
        rows=counts.rows + counts.skipped,
        valid=counts.valid,
        invalid=counts.rows - counts.valid,
        skipped=counts.skipped,
        errors=tuple(sink.kept),
        error_count=sink.count,
        delivery=delivery,
        dry_run=dry_run,
        duration=time.perf_counter() - started,
        tally=MappingProxyType(dict(sink.tally.most_common())),
        column_types=MappingProxyType(dict(opened.column_types)),
        warnings=tuple(counts.warnings.kept),
        warning_count=counts.warnings.count,
    )
    logger.info(
        "imported %s as %s: %d rows, %d invalid, %d skipped",
        name,
        spec.name,
        report.rows,
        report.invalid,
        report.skipped,
    )
    return report


class _Counts:
    def __init__(self, max_warnings: int) -> None:
        self.rows = 0
        self.valid = 0
        self.skipped = 0
        self.warnings = _ErrorSink(max_warnings, None)

    def skipper(self, done: Callable[[int], bool]) -> Callable[[int], bool]:
        def skip(row: int) -> bool:
            if done(row):
                self.skipped += 1
                return True
            return False

        return skip


def _valid_messages(
    rows: Iterator[Any], sink: _ErrorSink, counts: _Counts, pending: dict[str, int] | None
) -> Iterator[Message | EncodedMessage]:
    # Counted here and added to ``counts`` when the rows end (or the reading stops).
    read = valid = 0
    try:
        for number, message, errors in rows:
            read += 1
            if message is None:
                sink.add(errors)
                continue
            valid += 1
            found = message.warnings
            if found:
                counts.warnings.add(found)
            if pending is not None:
                pending[message.message_id] = number
            yield message
    finally:
        counts.rows += read
        counts.valid += valid


def _acknowledger(
    tracker: ImportState, pending: dict[str, int] | None
) -> Callable[[Sequence[str]], None]:
    assert pending is not None
    pop = pending.pop

    def on_ack(message_ids: Sequence[str]) -> None:
        rows = [row for row in (pop(mid, None) for mid in message_ids) if row is not None]
        tracker.record(rows)

    return on_ack


def import_csv(
    client: CustomerIOClient | None, path: str | os.PathLike[str], kind: str, **options: Any
) -> ImportReport:
    """Import a CSV file; see :func:`import_source` for the options.

    Parameters
    ----------
    client : CustomerIOClient or None
        Where to send (``None`` only with ``dry_run=True``).
    path : str or path-like
        The CSV file.
    kind : str
        What each row becomes.
    **options
        As for :func:`import_source`.

    Returns
    -------
    ImportReport
    """
    return import_source(client, path, kind, format="csv", **options)


def import_jsonl(
    client: CustomerIOClient | None, path: str | os.PathLike[str], kind: str, **options: Any
) -> ImportReport:
    """Import a JSON Lines file; see :func:`import_source` for the options.

    Parameters
    ----------
    client : CustomerIOClient or None
        Where to send.
    path : str or path-like
        The file.
    kind : str
        What each line becomes.
    **options
        As for :func:`import_source`.

    Returns
    -------
    ImportReport
    """
    return import_source(client, path, kind, format="jsonl", **options)


def import_dataframe(
    client: CustomerIOClient | None, frame: Any, kind: str, **options: Any
) -> ImportReport:
    """Import a pandas DataFrame; see :func:`import_source` for the options.

    The import id defaults to a hash of the frame's labels, index and values.

    Parameters
    ----------
    client : CustomerIOClient or None
        Where to send.
    frame : pandas.DataFrame
        The data.
    kind : str
        What each row becomes.
    **options
        As for :func:`import_source`.

    Returns
    -------
    ImportReport
    """
    return import_source(client, frame, kind, format="dataframe", **options)
