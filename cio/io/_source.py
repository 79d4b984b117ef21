"""One abstraction over every input: :func:`open_source` returns a :class:`TabularSource`.

A tabular source knows its name, its size (rows, or bytes when the row count is not known
before reading), its content identity (for messageIds) and, once read, the type of each
column. It reads itself either as validated :class:`~cio.io._plan.Row` objects for a kind
(what validate and import use), or as plain records ``(number, label, mapping)`` for code
that wants the values without a kind (``cio sync`` builds on that).
"""

from __future__ import annotations

import importlib
import json
import logging
import os
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, NamedTuple

from cio.errors import ConfigurationError, ErrorDetail, ValidationError
from cio.io._columnar import (
    ColumnarSource,
    SqlQuery,
    columnar_suffix,
    is_columnar,
    json_column_type,
    json_columns,
    json_ready_type,
    open_columnar,
    plain_type,
    python_columns,
)
from cio.io._encode import ColumnarEncoder
from cio.io._plan import SCREENED, ColumnMapping, KindSpec, Plan, Row, compile_plan
from cio.io._readers import (
    CSV_TYPE_SAMPLE_ROWS,
    CountingBytes,
    csv_records,
    index_label,
    iter_csv,
    iter_dataframe,
    iter_jsonl,
    open_text,
)
from cio.io._state import dataframe_identity, file_identity

__all__ = ["Format", "Record", "TabularSource", "open_source"]

logger = logging.getLogger(__name__)

Format = Literal["csv", "jsonl", "dataframe", "parquet", "arrow", "sql"]
"""Source formats: text files, pandas DataFrames, columnar files, and SQL queries."""

_UNSUPPORTED_ARROW = ("binary", "duration", "interval")


class Record(NamedTuple):
    """One input row as values, for code that needs no kind (``cio sync``).

    Attributes
    ----------
    number : int
        CSV: the spreadsheet row (header is row 1); JSON Lines: the line; others: the
        0-based position.
    label : int or str
        What errors show: the number, or a DataFrame's index label.
    values : mapping
        Column name to value, typed (CSV cells by their column's inferred type);
        empty cells and nulls are left out.
    errors : tuple of ErrorDetail
        Cells that could not be read (a CSV cell that does not fit its column's type,
        an invalid CSV record or JSON line); their columns are missing from ``values``.
    """

    number: int
    label: int | str
    values: Mapping[str, Any]
    errors: tuple[ErrorDetail, ...] = ()


@dataclass
class TabularSource:
    """An opened input: name, format, size, identity, column types, and how to read it.

    Build it with :func:`open_source`.

    Attributes
    ----------
    name : str
        The path, ``DataFrame``, ``pyarrow.Table``, ``SQL query``...
    format : str
        One of :data:`Format`.
    total_rows : int or None
        Rows known before reading (columnar sources, DataFrames), else ``None``.
    total_bytes : int or None
        The file size for text files, whose row count is unknown until read.
    column_types : dict of str to str
        Column name to the type each column is read as (the source's schema, or for
        CSV the type inferred from a sample); filled when rows are read.
    """

    name: str
    format: str
    total_rows: int | None
    total_bytes: int | None
    _identity: Callable[[], str | None]
    _open: Callable[..., tuple[Plan | None, Iterator[Row]]]
    _records: Callable[[], Iterator[Record]]
    column_types: dict[str, str] = field(default_factory=dict)
    bytes_read: CountingBytes | None = None
    _batches: Callable[[], Iterator[Any]] | None = None

    def identity(self) -> str | None:
        """The content identity (``sha256:...``), or ``None`` for a one-shot stream.

        Returns
        -------
        str or None
        """
        return self._identity()

    def rows(
        self,
        kind: KindSpec,
        mapping: ColumnMapping,
        *,
        plan_options: dict[str, Any] | None = None,
        skip: Callable[[int], bool] | None = None,
    ) -> tuple[Plan | None, Iterator[Row]]:
        """Read the source as validated rows of ``kind``.

        Parameters
        ----------
        kind : KindSpec
            What each row becomes (:func:`cio.io._plan.resolve_kind`).
        mapping : ColumnMapping
            Renames, drops, constants, types.
        plan_options : dict, optional
            ``assume_timezone``, ``message_ids``, ``encoded``.
        skip : callable, optional
            Row numbers to pass over (resume).

        Returns
        -------
        (Plan or None, iterator of Row)
            The plan is ``None`` for JSON Lines (one plan per key set).

        Raises
        ------
        ValidationError
            File-level problems, located at row 1.
        """
        return self._open(kind, mapping, plan_options or {}, skip)

    def batches(self) -> Iterator[Any]:
        """Read a columnar source as ``pyarrow.RecordBatch`` objects, as the source has them.

        Returns
        -------
        iterator of pyarrow.RecordBatch
            The source's own schema and values (no JSON conversions), 8,192 rows at most
            per batch.

        Raises
        ------
        TypeError
            For text files and pandas DataFrames (use :meth:`records`).
        """
        if self._batches is None:
            raise TypeError(f"a {self.format} source has no record batches; use records()")
        return self._batches()

    def records(self) -> Iterator[Record]:
        """Read the source as typed records, without a kind.

        Fills :attr:`column_types` as it opens the source.

        Returns
        -------
        iterator of Record
        """
        return self._records()


def _is_pandas_frame(source: Any) -> bool:
    return type(source).__name__ == "DataFrame" and hasattr(source, "itertuples")


def _guess(source: Any) -> str:
    if isinstance(source, SqlQuery):
        return "sql"
    if _is_pandas_frame(source):
        return "dataframe"
    if is_columnar(source):
        return "arrow"
    if isinstance(source, str | os.PathLike):
        columnar = columnar_suffix(source)
        if columnar is not None:
            return columnar
        suffix = Path(source).suffix.lower()
        return "jsonl" if suffix in {".jsonl", ".ndjson"} else "csv"
    raise TypeError(
        f"cannot read a {type(source).__name__}: pass a file path, a DataFrame, a pyarrow "
        "or polars object, a DuckDB relation or a cio.io.SqlQuery"
    )


def open_source(
    source: Any,
    *,
    format: Format | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    sample_rows: int = CSV_TYPE_SAMPLE_ROWS,
) -> TabularSource:
    """Open any supported input without reading it yet.

    Parameters
    ----------
    source : path, DataFrame, columnar object or SqlQuery
        A CSV, JSON Lines, Parquet (file or dataset directory) or Arrow IPC/Feather
        file; a pandas or polars DataFrame, a polars LazyFrame; a pyarrow Table,
        RecordBatch or RecordBatchReader; a DuckDB relation; a :class:`SqlQuery`.
    format : str, optional
        One of :data:`Format`; guessed from the source when not given.
    encoding, delimiter : str, optional
        For text files.
    sample_rows : int
        CSV rows read to choose each column's type.

    Returns
    -------
    TabularSource

    Raises
    ------
    ConfigurationError
        A missing optional dependency (the message names the ``pip install``).
    TypeError
        For an object that is not a supported source.

    Example
    -------
    >>> import pyarrow as pa
    >>> source = open_source(pa.table({"user_id": ["1", "2"]}))
    >>> source.name, source.total_rows, [r.values for r in source.records()]
    ('pyarrow.Table', 2, [{'user_id': '1'}, {'user_id': '2'}])
    """
    fmt = format or _guess(source)
    if fmt == "dataframe" and not _is_pandas_frame(source) and is_columnar(source):
        fmt = "arrow"
    if fmt in {"parquet", "arrow", "sql"}:
        return _columnar_source(open_columnar(source, fmt=None if fmt == "sql" else fmt), fmt)
    if fmt == "dataframe":
        return _dataframe_source(source)
    return _text_source(Path(source), fmt, encoding, delimiter, sample_rows)


def _text_source(
    path: Path, fmt: str, encoding: str, delimiter: str | None, sample_rows: int
) -> TabularSource:
    try:
        size: int | None = path.stat().st_size
    except OSError:
        size = None
    counter = CountingBytes()
    holder: dict[str, TabularSource] = {}

    def open_rows(
        kind: KindSpec,
        mapping: ColumnMapping,
        options: dict[str, Any],
        skip: Callable[[int], bool] | None,
    ) -> tuple[Plan | None, Iterator[Row]]:
        if fmt == "jsonl":
            return None, iter_jsonl(
                path,
                kind,
                mapping,
                encoding=encoding,
                plan_options=options,
                skip=skip,
                counter=counter,
                column_types=holder["source"].column_types,
            )
        plan, rows = iter_csv(
            path,
            kind,
            mapping,
            encoding=encoding,
            delimiter=delimiter,
            plan_options=options,
            skip=skip,
            counter=counter,
            sample_rows=sample_rows,
        )
        holder["source"].column_types.update(plan.column_types)
        return plan, rows

    def records() -> Iterator[Record]:
        if fmt == "jsonl":
            return _jsonl_records(path, encoding, counter)
        types, rows = csv_records(
            path, encoding=encoding, delimiter=delimiter, counter=counter, sample_rows=sample_rows
        )
        holder["source"].column_types.update(types)
        return (Record(number, number, values, errors) for number, values, errors in rows)

    opened = TabularSource(
        name=os.fspath(path),
        format=fmt,
        total_rows=None,
        total_bytes=size,
        _identity=lambda: file_identity(path),
        _open=open_rows,
        _records=records,
        bytes_read=counter,
    )
    holder["source"] = opened
    return opened


def _jsonl_records(path: Path, encoding: str, counter: CountingBytes) -> Iterator[Record]:
    with open_text(path, encoding, counter) as handle:
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                data = json.loads(line)
            except (ValueError, RecursionError):
                data = None
            if not isinstance(data, dict):
                message = "the line is not a JSON object"
                error = ErrorDetail((), message, "jsonl_not_object", number)
                yield Record(number, number, {}, (error,))
                continue
            kept = {k: v for k, v in data.items() if not _empty(v)}
            yield Record(number, number, kept)


def _dataframe_source(frame: Any) -> TabularSource:
    def open_rows(
        kind: KindSpec,
        mapping: ColumnMapping,
        options: dict[str, Any],
        skip: Callable[[int], bool] | None,
    ) -> tuple[Plan | None, Iterator[Row]]:
        return iter_dataframe(frame, kind, mapping, plan_options=options, skip=skip)

    def records() -> Iterator[Record]:
        header = [str(label) for label in frame.columns]
        labels = frame.index
        for number, values in enumerate(frame.itertuples(index=False, name=None)):
            kept = {k: v for k, v in zip(header, values, strict=True) if not _empty(v)}
            yield Record(number, index_label(labels[number]), kept)

    return TabularSource(
        name="DataFrame",
        format="dataframe",
        total_rows=len(frame),
        total_bytes=None,
        _identity=lambda: dataframe_identity(frame),
        _open=open_rows,
        _records=records,
        column_types={str(k): pandas_type(v) for k, v in frame.dtypes.items()},
    )


def pandas_type(dtype: Any) -> str:
    """A pandas dtype in the words the column-type report uses.

    Parameters
    ----------
    dtype : pandas dtype
        For example ``Int64``, ``float64``, ``category``, ``datetime64[ns, UTC]``.

    Returns
    -------
    str
        ``integer``, ``number``, ``boolean``, ``string``, ``datetime``,
        ``datetime (naive)``, or ``object`` (values sent as they are).
    """
    name = str(dtype)
    if name == "category":
        return pandas_type(dtype.categories.dtype)
    if name.startswith(("int", "uint", "Int", "UInt")):
        return "integer"
    if name.startswith(("float", "Float")):
        return "number"
    if name in {"bool", "boolean"}:
        return "boolean"
    if name.startswith("string") or name == "str":
        return "string"
    if name.startswith("datetime64"):
        return "datetime" if "," in name else "datetime (naive)"
    return name


def _empty(value: Any) -> bool:
    if value is None or (value.__class__ is str and not value):
        return True
    if isinstance(value, str | int | bool | dict | list):
        return False
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN, NaT and NA differ from themselves
    except (TypeError, ValueError):
        return True


def _unsupported(pa: Any, opened: ColumnarSource, mapping: ColumnMapping) -> None:
    for column in opened.schema:
        dropped = column.name in mapping.columns and not mapping.columns[column.name]
        if dropped:
            continue
        data_type = column.type
        if any(getattr(pa.types, f"is_{name}")(data_type) for name in _UNSUPPORTED_ARROW) or (
            pa.types.is_large_binary(data_type) or pa.types.is_fixed_size_binary(data_type)
        ):
            message = (
                f"column {column.name!r} has the Arrow type {data_type}, which JSON cannot "
                f"carry; cast it in the source or drop it (--map {column.name}=)"
            )
            raise ValidationError(
                message,
                [ErrorDetail((), message, "unsupported_type", row=None, column=column.name)],
            )


def _columnar_source(opened: ColumnarSource, fmt: str) -> TabularSource:
    pa = importlib.import_module("pyarrow")
    header = [column.name for column in opened.schema]
    casts = [json_ready_type(pa, column.type) for column in opened.schema]
    plain = frozenset(
        column.name
        for column, cast in zip(opened.schema, casts, strict=True)
        if plain_type(pa, cast or column.type)
    )

    def open_rows(
        kind: KindSpec,
        mapping: ColumnMapping,
        options: dict[str, Any],
        skip: Callable[[int], bool] | None,
    ) -> tuple[Plan | None, Iterator[Row]]:
        _unsupported(pa, opened, mapping)
        plan = compile_plan(
            header,
            kind,
            mapping,
            typed_source=True,
            plain_columns=plain,
            clean_values=True,
            **options,
        )
        return plan, _columnar_rows(pa, opened, casts, plan, skip)

    def records() -> Iterator[Record]:
        number = 0
        for batch in opened.batches():
            for values in zip(*python_columns(pa, casts, batch), strict=True):
                kept = {k: v for k, v in zip(header, values, strict=True) if v is not None}
                yield Record(number, number, kept)
                number += 1

    return TabularSource(
        name=opened.name,
        format=fmt,
        total_rows=opened.num_rows,
        total_bytes=opened.num_bytes,
        _identity=opened.identity,
        _open=open_rows,
        _records=records,
        column_types=dict(opened.column_types),
        _batches=opened.batches,
    )


_new_row = tuple.__new__
_NO_ERRORS: tuple[ErrorDetail, ...] = ()


def _columnar_rows(
    pa: Any,
    opened: ColumnarSource,
    casts: list[Any],
    plan: Plan,
    skip: Callable[[int], bool] | None,
) -> Iterator[Row]:
    convert = plan.from_clean
    types = [json_column_type(pa, column.type) for column in opened.schema]
    zoned = frozenset(
        index
        for index, column in enumerate(opened.schema)
        if pa.types.is_timestamp(column.type) and column.type.tz is not None
    )
    encoder = ColumnarEncoder.for_plan(pa, plan, types, zoned)
    number = 0
    for batch in opened.batches():
        arrays = json_columns(pa, casts, batch)
        first = number
        number += batch.num_rows
        skipped = None if skip is None else [skip(row) for row in range(first, number)]
        encoded = None if encoder is None else encoder.encode(arrays, first, skipped)
        if encoded is None:
            everything = [array.to_pylist() for array in arrays]
            for offset, values in enumerate(zip(*everything, strict=True)):
                if skipped is None or not skipped[offset]:
                    row = convert(first + offset, values)
                    if row is not SCREENED:
                        yield row
            continue
        # Rows the encoder wrote are ready; the others take the plan, one by one.
        columns: list[list[Any]] | None = None
        for offset, message in enumerate(encoded):
            if message is not None:
                yield _new_row(Row, (first + offset, message, _NO_ERRORS))
            elif skipped is None or not skipped[offset]:
                if columns is None:
                    columns = [array.to_pylist() for array in arrays]
                row = convert(first + offset, [column[offset] for column in columns])
                if row is not SCREENED:
                    yield row


def require_identity(source: TabularSource) -> str:
    """The source's identity, or a clear error when a one-shot stream has none.

    Parameters
    ----------
    source : TabularSource
        The opened source.

    Returns
    -------
    str

    Raises
    ------
    ConfigurationError
        For a stream that can be read only once (pass ``import_id=``).
    """
    identity = source.identity()
    if identity is None:
        raise ConfigurationError(
            f"a {source.name} can be read only once, so its content cannot be hashed for "
            "messageIds; pass import_id= (CLI: --import-id) naming this import"
        )
    return identity
