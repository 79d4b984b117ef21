"""Columnar sources: Parquet, Arrow IPC / Feather, pyarrow, polars, DuckDB and SQL queries.

Every columnar source is read through pyarrow as a stream of record batches, so memory
stays bounded by one batch whatever the number of rows. The source's schema is used as
it is: values keep their types and are never re-inferred from text. A few Arrow types
that JSON cannot carry as they are get one documented conversion each (see
:func:`json_ready_type`). polars and DuckDB are optional extras; each is imported only
when a source needs it, and a missing one is a one-line error naming the ``pip install``
that fixes it.
"""

from __future__ import annotations

import errno
import hashlib
import importlib
import logging
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any, Final

from cio.errors import ConfigurationError

__all__ = [
    "COLUMNAR_BATCH_ROWS",
    "ColumnarSource",
    "SqlQuery",
    "columnar_suffix",
    "is_columnar",
    "json_column_type",
    "json_columns",
    "json_ready_type",
    "open_columnar",
    "require",
]

logger = logging.getLogger(__name__)

COLUMNAR_BATCH_ROWS: Final = 8_192
"""Rows per record batch: bounds memory (one batch of Python values at a time)."""

MAX_FLOAT_EXACT_DIGITS: Final = 15
"""Decimals with at most this many digits are sent as JSON numbers, longer ones as text."""

PARQUET_BUFFER_BYTES: Final = 1 << 20
"""Read buffer per column when streaming a Parquet file."""

PARQUET_SUFFIXES: Final = frozenset({".parquet", ".pq", ".parq"})
ARROW_SUFFIXES: Final = frozenset({".arrow", ".feather", ".ipc", ".arrows"})
_HASH_PREFIX: Final = "sha256:"

_EXTRAS: Final = {
    "pyarrow": "parquet",
    "polars": "polars",
    "duckdb": "duckdb",
    "pandas": "pandas",
}


def require(module: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or fail with the ``pip install`` that fixes it.

    Parameters
    ----------
    module : str
        ``pyarrow``, ``polars``, ``duckdb`` or ``pandas``.
    purpose : str
        What needs it, for the message (``"reading Parquet"``).

    Returns
    -------
    module

    Raises
    ------
    ConfigurationError
        One line: what is missing and ``pip install 'cio[extra]'``.
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        extra = _EXTRAS.get(module, module)
        raise ConfigurationError(
            f"{purpose} needs {module}, which is not installed: pip install 'cio[{extra}]'"
        ) from None


@dataclass(frozen=True)
class SqlQuery:
    """A SQL query run by DuckDB: over a DuckDB database, or over anything DuckDB reads.

    Parameters
    ----------
    query : str
        The query, for example ``select * from 'orders/*.parquet' order by id``.
    database : str or path-like, optional
        A DuckDB database file, opened read-only; in-memory DuckDB when omitted.

    Example
    -------
    >>> SqlQuery("select 1 as user_id").name
    'SQL query'
    """

    query: str
    database: str | os.PathLike[str] | None = None

    @property
    def name(self) -> str:
        """``SQL query``, plus the database file's name when there is one."""
        if self.database is None:
            return "SQL query"
        return f"SQL query on {os.fspath(self.database)}"


@dataclass
class ColumnarSource:
    """One opened columnar source: its name, schema, size, identity and batches.

    Attributes
    ----------
    name : str
        The path, or what the object is (``pyarrow.Table``, ``polars.DataFrame``...).
    schema : pyarrow.Schema
        Column names and types, as the source declares them.
    num_rows : int or None
        Known row count (for a progress total), or ``None``.
    num_bytes : int or None
        File size when the row count is unknown.
    batches : callable
        Returns a fresh iterator of ``pyarrow.RecordBatch`` (one pass each call).
    identity : callable
        Returns the content identity (``sha256:...``) or ``None`` when the source can
        be read only once (a ``RecordBatchReader``): an import then needs ``import_id``.
    """

    name: str
    schema: Any
    num_rows: int | None
    batches: Callable[[], Iterator[Any]]
    identity: Callable[[], str | None]
    num_bytes: int | None = None
    column_types: dict[str, str] = field(default_factory=dict)


def columnar_suffix(path: str | os.PathLike[str]) -> str | None:
    """``parquet`` or ``arrow`` from a file name or a directory, else ``None``.

    Parameters
    ----------
    path : str or path-like
        A file or a directory (a Parquet dataset).

    Returns
    -------
    str or None
    """
    candidate = Path(path)
    suffix = candidate.suffix.lower()
    if suffix in PARQUET_SUFFIXES or candidate.is_dir():
        return "parquet"
    if suffix in ARROW_SUFFIXES:
        return "arrow"
    return None


def is_columnar(source: Any) -> bool:
    """Whether a Python object is an in-memory columnar source this module reads.

    Parameters
    ----------
    source : Any
        The object.

    Returns
    -------
    bool
    """
    if isinstance(source, SqlQuery):
        return True
    module = type(source).__module__.split(".", 1)[0]
    if module in {"pyarrow", "polars", "duckdb", "_duckdb"}:
        return True
    return hasattr(source, "__arrow_c_stream__") and not _is_pandas(source)


def _is_pandas(source: Any) -> bool:
    return type(source).__module__.split(".", 1)[0] == "pandas"


def _type_name(pa: ModuleType, data_type: Any) -> str:
    types = pa.types
    if types.is_dictionary(data_type):
        return _type_name(pa, data_type.value_type)
    if types.is_boolean(data_type):
        return "boolean"
    if types.is_integer(data_type):
        return "integer"
    if types.is_floating(data_type) or types.is_decimal(data_type):
        return "number"
    if types.is_timestamp(data_type):
        return "datetime" if data_type.tz is not None else "datetime (naive)"
    if types.is_date(data_type):
        return "date"
    if (
        types.is_string(data_type)
        or types.is_large_string(data_type)
        or getattr(types, "is_string_view", _never)(data_type)
    ):
        return "string"
    if types.is_list(data_type) or types.is_large_list(data_type) or types.is_struct(data_type):
        return "json"
    return str(data_type)


def _never(_data_type: Any) -> bool:
    return False


def json_ready_type(pa: ModuleType, data_type: Any) -> Any:
    """The Arrow type a column is cast to before its values become Python values.

    Dates and times become ISO text (JSON has no date type; CSV cells stay text too);
    decimals become floats up to 15 digits and text beyond (a float would round them);
    timestamps are read at microsecond precision; dictionaries (categoricals) are decoded.
    Other types are kept.

    Parameters
    ----------
    pa : module
        pyarrow.
    data_type : pyarrow.DataType
        The column's type.

    Returns
    -------
    pyarrow.DataType or None
        ``None`` when the column is read as it is.
    """
    types = pa.types
    if types.is_dictionary(data_type):
        return json_ready_type(pa, data_type.value_type) or data_type.value_type
    if getattr(types, "is_string_view", _never)(data_type):
        return pa.large_string()
    if types.is_date(data_type) or types.is_time(data_type):
        return pa.string()
    if types.is_decimal(data_type):
        return pa.float64() if data_type.precision <= MAX_FLOAT_EXACT_DIGITS else pa.string()
    if types.is_timestamp(data_type) and data_type.unit == "ns":
        return pa.timestamp("us", tz=data_type.tz)
    return None


def plain_type(pa: ModuleType, data_type: Any) -> bool:
    """Whether values of this Arrow type need no conversion unless a column asks for one.

    Everything but naive timestamps (``assume_timezone`` gives those a zone); a column
    with an explicit type or the ``timestamp`` role is converted whatever its type.

    Parameters
    ----------
    pa : module
        pyarrow.
    data_type : pyarrow.DataType
        The column's type as read.

    Returns
    -------
    bool
    """
    return not (pa.types.is_timestamp(data_type) and data_type.tz is None)


def python_columns(pa: ModuleType, casts: list[Any], batch: Any) -> list[list[Any]]:
    """A record batch as one list of Python values per column, after the JSON casts.

    Nulls, NaN and empty strings all become ``None`` (empty, left out of the message).

    Parameters
    ----------
    pa : module
        pyarrow.
    casts : list
        Per column, the type to cast to or ``None`` (see :func:`json_ready_type`).
    batch : pyarrow.RecordBatch
        The batch.

    Returns
    -------
    list of list
    """
    return [column.to_pylist() for column in json_columns(pa, casts, batch)]


def json_columns(pa: ModuleType, casts: list[Any], batch: Any) -> list[Any]:
    """A record batch's columns as Arrow arrays of the values their rows send.

    The JSON casts applied (:func:`json_ready_type`), NaN and empty strings made null
    (empty, left out of the message), zoned timestamps written as ISO 8601 text in UTC.

    Parameters
    ----------
    pa : module
        pyarrow.
    casts : list
        Per column, the type to cast to or ``None``.
    batch : pyarrow.RecordBatch
        The batch.

    Returns
    -------
    list of pyarrow.Array
    """
    compute = importlib.import_module("pyarrow.compute")
    types = pa.types
    columns = []
    for index, target in enumerate(casts):
        column = batch.column(index)
        if target is not None:
            # safe=False: nanoseconds are truncated to microseconds, as documented.
            column = compute.cast(column, target, safe=False)
        data_type = column.type
        # No Python scalars here: converting one makes pyarrow import pandas (60 MB).
        if types.is_floating(data_type):
            nulls = pa.nulls(len(column), data_type)
            column = compute.if_else(compute.is_nan(column), nulls, column)
        elif types.is_string(data_type) or types.is_large_string(data_type):
            length = compute.utf8_length(column)
            empty = compute.invert(compute.cast(length, pa.bool_()))
            if compute.any(empty).as_py():
                column = compute.if_else(empty, pa.nulls(len(column), data_type), column)
        elif types.is_timestamp(data_type) and data_type.tz is not None:
            column = _iso_utc(pa, compute, column)
        columns.append(column)
    return columns


def json_column_type(pa: ModuleType, data_type: Any) -> Any:
    """The type of a column as :func:`json_columns` gives it, from the source's type.

    Parameters
    ----------
    pa : module
        pyarrow.
    data_type : pyarrow.DataType
        The column's type in the source's schema.

    Returns
    -------
    pyarrow.DataType
    """
    read = json_ready_type(pa, data_type) or data_type
    if pa.types.is_timestamp(read) and read.tz is not None:
        return pa.string()
    return read


def _iso_utc(pa: ModuleType, compute: Any, column: Any) -> Any:
    """Zoned timestamps as ISO 8601 text in UTC, assembled by Arrow (no datetime objects).

    Written as a Python datetime is written elsewhere (a CSV cell, a DataFrame value): a
    whole second without a fraction (``10:00:00Z``), any other with six digits
    (``10:00:00.250000Z``), whatever the column's unit. Built from the date and the
    clock fields rather than with ``strftime``, which costs four times as much.
    """
    text = _iso_pieces(pa)
    utc = compute.cast(column, pa.timestamp(column.type.unit, tz="UTC"))
    join = compute.binary_join_element_wise
    date = compute.cast(compute.cast(utc, pa.date32()), pa.string())
    clock = join(
        date,
        text["T"],
        _padded(pa, compute, compute.hour(utc), _CLOCK_DIGITS),
        text[":"],
        _padded(pa, compute, compute.minute(utc), _CLOCK_DIGITS),
        text[":"],
        _padded(pa, compute, compute.second(utc), _CLOCK_DIGITS),
        text[""],
    )
    if column.type.unit == "s":
        return join(clock, text["Z"], text[""])
    fraction = join(
        text["."],
        _padded(pa, compute, compute.millisecond(utc), _SUBSECOND_DIGITS),
        _padded(pa, compute, compute.microsecond(utc), _SUBSECOND_DIGITS),
        text["Z"],
        text[""],
    )
    whole = compute.invert(compute.cast(compute.subsecond(utc), pa.bool_()))
    return join(clock, compute.if_else(whole, text["Z"], fraction), text[""])


_CLOCK_DIGITS: Final = 2
_SUBSECOND_DIGITS: Final = 3
"""Milliseconds and the microseconds within them: six digits together."""
_ISO_PIECES: dict[str, Any] = {}


def _iso_pieces(pa: ModuleType) -> dict[str, Any]:
    """The constant texts of an ISO date-time as Arrow string scalars (made once)."""
    if not _ISO_PIECES:
        for piece in ("T", ":", ".", "Z", ""):
            _ISO_PIECES[piece] = _text_scalar(pa, piece)
    return _ISO_PIECES


def _text_scalar(pa: ModuleType, value: str) -> Any:
    """An Arrow string scalar made from its buffers.

    ``pa.scalar(value)`` would convert a Python value, and the first such conversion
    makes pyarrow import pandas (30 MB more for every columnar import).
    """
    data = value.encode()
    offsets = struct.pack("<ii", 0, len(data))
    array = pa.Array.from_buffers(pa.string(), 1, [None, pa.py_buffer(offsets), pa.py_buffer(data)])
    return array[0]


def _padded(pa: ModuleType, compute: Any, numbers: Any, digits: int) -> Any:
    return compute.utf8_lpad(compute.cast(numbers, pa.string()), width=digits, padding="0")


def _hash_batches(pa: ModuleType, schema: Any, batches: Iterator[Any]) -> str:
    digest = hashlib.sha256()

    class _Sink:
        closed = False

        def write(self, data: Any) -> int:
            digest.update(data)
            return len(data)

        def flush(self) -> None:
            return None

    with pa.ipc.new_stream(pa.PythonFile(_Sink(), mode="w"), schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return _HASH_PREFIX + digest.hexdigest()


def _hash_files(paths: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(os.fspath(path.relative_to(root)).encode() + b"\0")
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    return _HASH_PREFIX + digest.hexdigest()


def _rebatched(pa: ModuleType, batches: Iterator[Any], rows: int) -> Iterator[Any]:
    for batch in batches:
        if batch.num_rows <= rows:
            yield batch
            continue
        for start in range(0, batch.num_rows, rows):
            yield batch.slice(start, rows)


def _from_path(pa: ModuleType, path: Path, fmt: str, batch_rows: int) -> ColumnarSource:
    name = os.fspath(path)
    if not path.exists():
        raise FileNotFoundError(f"no such file or directory: {name}")
    if fmt == "arrow":
        feather = importlib.import_module("pyarrow.feather")
        table = feather.read_table(name, memory_map=True)
        source = _from_table(pa, table, batch_rows, name)
        source.identity = lambda: _hash_files([path], path.parent)
        source.num_bytes = path.stat().st_size
        return source
    if path.is_file():
        return _from_parquet_file(path, batch_rows)
    # Datasets need pyarrow.dataset (which imports pandas): only for directories.
    dataset_module = importlib.import_module("pyarrow.dataset")
    dataset = dataset_module.dataset(name, format="parquet", partitioning="hive")
    files = sorted(Path(file) for file in dataset.files)
    if not files:
        raise IsADirectoryError(errno.EISDIR, "is a directory with no Parquet files", name)
    root = path if path.is_dir() else path.parent

    def batches() -> Iterator[Any]:
        return iter(dataset.to_batches(batch_size=batch_rows, use_threads=True))

    return ColumnarSource(
        name=name,
        schema=dataset.schema,
        num_rows=dataset.count_rows(),
        batches=batches,
        identity=lambda: _hash_files(files, root),
        num_bytes=sum(file.stat().st_size for file in files),
    )


def _from_parquet_file(path: Path, batch_rows: int) -> ColumnarSource:
    parquet = importlib.import_module("pyarrow.parquet")
    metadata_file = parquet.ParquetFile(path)

    def batches() -> Iterator[Any]:
        # Streamed column chunks instead of a pre-buffered row group: less memory per group.
        handle = parquet.ParquetFile(path, pre_buffer=False, buffer_size=PARQUET_BUFFER_BYTES)
        try:
            # One thread: decoding is a small part of an import, and fewer arenas use less memory.
            yield from handle.iter_batches(batch_size=batch_rows, use_threads=False)
        finally:
            handle.close()

    try:
        schema = metadata_file.schema_arrow
        rows = metadata_file.metadata.num_rows
    finally:
        metadata_file.close()
    return ColumnarSource(
        name=os.fspath(path),
        schema=schema,
        num_rows=rows,
        batches=batches,
        identity=lambda: _hash_files([path], path.parent),
        num_bytes=path.stat().st_size,
    )


def _from_table(pa: ModuleType, table: Any, batch_rows: int, name: str) -> ColumnarSource:
    def batches() -> Iterator[Any]:
        return iter(table.to_batches(max_chunksize=batch_rows))

    return ColumnarSource(
        name=name,
        schema=table.schema,
        num_rows=table.num_rows,
        batches=batches,
        identity=lambda: _hash_batches(pa, table.schema, batches()),
    )


def _from_rerunnable(
    pa: ModuleType, open_reader: Callable[[], Any], name: str, batch_rows: int
) -> ColumnarSource:
    """A source that can be executed again (a DuckDB relation, a LazyFrame, a query)."""
    first = open_reader()
    readers = [first]

    def batches() -> Iterator[Any]:
        reader = readers.pop() if readers else open_reader()
        return _rebatched(pa, iter(reader), batch_rows)

    return ColumnarSource(
        name=name,
        schema=first.schema,
        num_rows=None,
        batches=batches,
        identity=lambda: _hash_batches(pa, first.schema, iter(open_reader())),
    )


def _duckdb_reader(relation: Any, batch_rows: int) -> Any:
    to_reader = getattr(relation, "to_arrow_reader", None) or relation.fetch_record_batch
    return to_reader(batch_rows)


def _from_sql(pa: ModuleType, query: SqlQuery, batch_rows: int) -> ColumnarSource:
    duckdb = require("duckdb", "a SQL query (--sql)")
    if query.database is not None and not Path(query.database).exists():
        raise FileNotFoundError(f"no such DuckDB database: {os.fspath(query.database)}")
    database = ":memory:" if query.database is None else os.fspath(query.database)
    connection = duckdb.connect(database, read_only=query.database is not None)

    def open_reader() -> Any:
        try:
            # A cursor per pass: a second pass (hashing) may start before the first ends.
            relation = connection.cursor().sql(query.query)
        except duckdb.Error as exc:
            raise ConfigurationError(f"the SQL query failed: {exc}") from None
        if relation is None:
            raise ConfigurationError("the SQL query returns no rows (use a SELECT)")
        return _duckdb_reader(relation, batch_rows)

    return _from_rerunnable(pa, open_reader, query.name, batch_rows)


def _from_object(pa: ModuleType, source: Any, batch_rows: int) -> ColumnarSource:
    kind = type(source)
    module = kind.__module__.split(".", 1)[0]
    name = f"{module}.{kind.__name__}"
    if isinstance(source, pa.Table):
        return _from_table(pa, source, batch_rows, "pyarrow.Table")
    if isinstance(source, pa.RecordBatch):
        return _from_table(pa, pa.Table.from_batches([source]), batch_rows, "pyarrow.RecordBatch")
    if isinstance(source, pa.RecordBatchReader):
        return _one_shot(pa, source, name, batch_rows)
    if module == "polars":
        if kind.__name__ == "LazyFrame" and not hasattr(source, "collect_batches"):
            # polars before collect_batches: the result is collected in memory at once.
            return _from_table(pa, source.collect().to_arrow(), batch_rows, "polars.LazyFrame")
        if kind.__name__ == "LazyFrame":

            def lazy_reader() -> Any:
                frames = source.collect_batches(chunk_size=batch_rows)
                first = source.collect_schema()
                empty = importlib.import_module("polars").DataFrame(schema=first).to_arrow()
                return _ArrowFrames(empty.schema, frames)

            return _from_rerunnable(pa, lazy_reader, "polars.LazyFrame", batch_rows)
        return _from_table(pa, source.to_arrow(), batch_rows, "polars.DataFrame")
    if module in {"duckdb", "_duckdb"}:
        return _from_rerunnable(
            pa, lambda: _duckdb_reader(source, batch_rows), "DuckDB relation", batch_rows
        )
    if hasattr(source, "__arrow_c_stream__"):
        return _one_shot(pa, pa.RecordBatchReader.from_stream(source), name, batch_rows)
    raise TypeError(f"cannot read a {name} as a columnar source")


class _ArrowFrames:
    """polars frames from ``collect_batches`` as an Arrow batch stream with a schema."""

    def __init__(self, schema: Any, frames: Iterator[Any]) -> None:
        self.schema = schema
        self._frames = frames

    def __iter__(self) -> Iterator[Any]:
        for frame in self._frames:
            yield from frame.to_arrow().cast(self.schema).to_batches()


def _one_shot(pa: ModuleType, reader: Any, name: str, batch_rows: int) -> ColumnarSource:
    used = False

    def batches() -> Iterator[Any]:
        nonlocal used
        if used:
            raise ConfigurationError(f"the {name} was already read; a stream is read only once")
        used = True
        return _rebatched(pa, iter(reader), batch_rows)

    return ColumnarSource(
        name=name, schema=reader.schema, num_rows=None, batches=batches, identity=lambda: None
    )


def open_columnar(
    source: Any, *, fmt: str | None = None, batch_rows: int = COLUMNAR_BATCH_ROWS
) -> ColumnarSource:
    """Open a columnar source for batch-wise reading.

    Parameters
    ----------
    source : path, SqlQuery or object
        A Parquet file or dataset directory (hive partitions become columns), an Arrow
        IPC / Feather file, a ``pyarrow.Table`` / ``RecordBatch`` / ``RecordBatchReader``,
        a polars ``DataFrame`` / ``LazyFrame``, a DuckDB relation, a :class:`SqlQuery`,
        or any object with ``__arrow_c_stream__``.
    fmt : {"parquet", "arrow"}, optional
        For paths; guessed from the suffix (a directory is a Parquet dataset).
    batch_rows : int
        Rows per batch.

    Returns
    -------
    ColumnarSource

    Raises
    ------
    ConfigurationError
        A missing optional dependency (with the ``pip install`` that fixes it), or a
        SQL query DuckDB refused.
    FileNotFoundError
        A missing file, directory or database.
    """
    pa = require("pyarrow", "reading columnar data (Parquet, Arrow, polars, DuckDB)")
    if isinstance(source, SqlQuery):
        opened = _from_sql(pa, source, batch_rows)
    elif isinstance(source, str | os.PathLike):
        path = Path(source)
        opened = _from_path(pa, path, fmt or columnar_suffix(path) or "parquet", batch_rows)
    else:
        opened = _from_object(pa, source, batch_rows)
    opened.column_types = {f.name: _type_name(pa, f.type) for f in opened.schema}
    logger.debug("opened %s: %d columns", opened.name, len(opened.schema))
    return opened
