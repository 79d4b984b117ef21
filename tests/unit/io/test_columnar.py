"""Columnar sources: Parquet files and datasets, Arrow IPC, pyarrow, polars, DuckDB, SQL."""

from __future__ import annotations

import sys
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from pyarrow import feather

from cio import CustomerIOClient
from cio.errors import ConfigurationError
from cio.io import SqlQuery, import_source, read_rows, validate, validate_dataframe
from cio.testing import RecordingTransport


def people_table() -> pa.Table:
    return pa.table(
        {
            "user_id": ["1", "2", "3"],
            "email": ["ada@example.com", "bo@example.com", "lin@example.com"],
            "zip": ["01234", "80331", "0150"],
            "seats": pa.array([3, None, 100000], pa.int64()),
            "vip": [True, False, None],
            "timestamp": ["2024-05-01T10:00:00Z", "yesterday", None],
        }
    )


@pytest.fixture
def parquet_file(tmp_path: Path) -> Path:
    path = tmp_path / "people.parquet"
    pq.write_table(people_table(), path)
    return path


def test_a_parquet_file_keeps_its_types_and_numbers_rows_from_zero(parquet_file: Path) -> None:
    rows = list(read_rows(parquet_file, kind="identify"))
    assert [row.number for row in rows] == [0, 1, 2]
    assert rows[0].message.traits == {
        "email": "ada@example.com",
        "zip": "01234",
        "seats": 3,
        "vip": True,
    }
    assert rows[2].message.traits == {"email": "lin@example.com", "zip": "0150", "seats": 100000}
    (error,) = rows[1].errors
    assert (error.row, error.column, error.type) == (1, "timestamp", "datetime_parsing")
    assert rows[0].message.timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_validate_reports_the_schema_types(parquet_file: Path) -> None:
    result = validate(parquet_file, kind="identify")
    assert (result.rows, result.valid, result.invalid) == (3, 2, 1)
    assert result.column_types == {
        "user_id": "string",
        "email": "string",
        "zip": "string",
        "seats": "integer",
        "vip": "boolean",
        "timestamp": "string",
    }


def test_a_hive_partitioned_dataset_directory_reads_partitions_as_columns(tmp_path: Path) -> None:
    root = tmp_path / "people"
    for plan, ids in (("free", ["1", "2"]), ("pro", ["3"])):
        (root / f"plan={plan}").mkdir(parents=True)
        pq.write_table(pa.table({"user_id": ids}), root / f"plan={plan}" / "part-0.parquet")
    rows = list(read_rows(root, kind="identify"))
    assert sorted((r.message.user_id, r.message.traits["plan"]) for r in rows) == [
        ("1", "free"),
        ("2", "free"),
        ("3", "pro"),
    ]


def test_an_arrow_ipc_feather_file(tmp_path: Path) -> None:
    path = tmp_path / "people.feather"
    feather.write_feather(people_table(), path)
    assert validate(path, kind="identify").valid == 2


def test_row_numbers_run_on_across_record_batches() -> None:
    first = pa.record_batch({"user_id": ["1", "2"]})
    second = pa.record_batch({"user_id": ["3", ""]})
    table = pa.Table.from_batches([first, second])
    rows = list(read_rows(table, kind="identify"))
    assert [row.number for row in rows] == [0, 1, 2, 3]
    assert rows[3].errors[0].row == 3


def test_dates_decimals_timestamps_and_categoricals_become_json_values() -> None:
    table = pa.table(
        {
            "user_id": pa.array(["1"]).dictionary_encode(),
            "born": pa.array([date(1990, 5, 1)]),
            "balance": pa.array([Decimal("12.50")], pa.decimal128(10, 2)),
            "iban_sum": pa.array([Decimal("1234567890123456789.5")], pa.decimal128(38, 1)),
            "seen": pa.array(
                [datetime(2024, 5, 1, 10, tzinfo=timezone.utc)], pa.timestamp("ns", tz="UTC")
            ),
            "plan": pa.array(["pro"]).dictionary_encode(),
        }
    )
    (row,) = read_rows(table, kind="identify")
    assert row.message.user_id == "1"
    assert row.message.traits == {
        "born": "1990-05-01",
        "balance": 12.5,
        "iban_sum": "1234567890123456789.5",
        "seen": "2024-05-01T10:00:00Z",
        "plan": "pro",
    }


def test_naive_timestamps_follow_the_timezone_rule() -> None:
    table = pa.table({"user_id": ["1"], "timestamp": pa.array([datetime(2024, 5, 1, 10)])})
    (row,) = read_rows(table, kind="identify")
    assert (row.errors[0].column, row.errors[0].type) == ("timestamp", "timezone_aware")
    (row,) = read_rows(table, kind="identify", assume_timezone="UTC")
    assert row.message.timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)


def test_a_binary_column_is_a_file_error_naming_it() -> None:
    table = pa.table({"user_id": ["1"], "photo": pa.array([b"\x00"], pa.binary())})
    result = validate(table, kind="identify")
    (error,) = result.errors
    assert (error.column, error.type) == ("photo", "unsupported_type")
    assert validate(table, kind="identify", mapping={"photo": None}).ok


def test_polars_dataframe_and_lazyframe() -> None:
    frame = pl.DataFrame({"user_id": ["1", "2"], "seats": [3, None]})
    assert [r.message.traits for r in read_rows(frame, kind="identify")] == [{"seats": 3}, None]
    lazy = frame.lazy().filter(pl.col("user_id") == "2")
    assert [r.message.user_id for r in read_rows(lazy, kind="identify")] == ["2"]


def test_a_duckdb_relation() -> None:
    relation = duckdb.sql("select '7' as user_id, 42 as seats")
    (row,) = read_rows(relation, kind="identify")
    assert (row.message.user_id, row.message.traits) == ("7", {"seats": 42})


def test_a_sql_query_over_parquet_files(parquet_file: Path) -> None:
    query = SqlQuery(f"select user_id, seats from '{parquet_file.parent}/*.parquet' order by 1")
    result = validate(query, kind="identify")
    assert (result.source, result.valid) == ("SQL query", 3)
    assert result.column_types == {"user_id": "string", "seats": "integer"}


def test_a_sql_query_over_a_duckdb_database(tmp_path: Path) -> None:
    database = tmp_path / "crm.duckdb"
    with duckdb.connect(str(database)) as connection:
        connection.execute("create table people as select '1' as user_id, 'pro' as plan")
    (row,) = read_rows(SqlQuery("select * from people", database=database), kind="identify")
    assert row.message.traits == {"plan": "pro"}


def test_a_failing_query_is_one_clear_error() -> None:
    with pytest.raises(ConfigurationError, match="the SQL query failed"):
        list(read_rows(SqlQuery("select * from nowhere"), kind="identify"))


def test_imports_send_typed_values_with_stable_ids(parquet_file: Path) -> None:
    transport = RecordingTransport()
    client = CustomerIOClient(api_key="k", transport=transport)
    first = client.batch.import_source(parquet_file, kind="identify")
    again = import_source(client, parquet_file, "identify")
    assert (first.sent, first.invalid) == (2, 1)
    assert first.import_id == again.import_id
    by_user = {m["userId"]: m for m in transport.messages}
    assert by_user["3"]["traits"]["seats"] == 100000


def test_import_of_a_sql_query_hashes_its_result(parquet_file: Path) -> None:
    query = SqlQuery(f"select * from '{parquet_file}'")
    first = import_source(None, query, "identify", dry_run=True)
    limited = SqlQuery(f"select * from '{parquet_file}' limit 1")
    other = import_source(None, limited, "identify", dry_run=True)
    assert first.import_id.startswith("sha256:")
    assert first.import_id != other.import_id


def test_a_one_shot_stream_needs_an_import_id() -> None:
    reader = people_table().to_reader()
    with pytest.raises(ConfigurationError, match="import_id"):
        import_source(None, reader, "identify", dry_run=True)
    report = import_source(
        None, people_table().to_reader(), "identify", dry_run=True, import_id="x"
    )
    assert report.valid == 2


@pytest.mark.parametrize(
    ("module", "source", "extra"),
    [("duckdb", SqlQuery("select 1 as user_id"), "duckdb"), ("pyarrow", None, "parquet")],
)
def test_a_missing_extra_names_the_pip_install(
    module: str, source: object, extra: str, parquet_file: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in list(sys.modules):
        if name == module or name.startswith(module + "."):
            monkeypatch.setitem(sys.modules, name, None)
    with pytest.raises(ConfigurationError) as info:
        list(read_rows(source if source is not None else parquet_file, kind="identify"))
    message = str(info.value)
    assert f"pip install 'cio[{extra}]'" in message
    assert "\n" not in message


def test_a_lazyframe_of_an_older_polars_is_collected(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(pl.LazyFrame, "collect_batches")
    lazy = pl.DataFrame({"user_id": ["1", "2"]}).lazy()
    assert [r.message.user_id for r in read_rows(lazy, kind="identify")] == ["1", "2"]


def test_string_view_columns_are_strings_and_empty_ones_are_left_out() -> None:
    table = pa.table({"user_id": pa.array(["1", "2"], pa.string_view()), "nick": ["", "x"]})
    table = table.cast(pa.schema([("user_id", pa.string_view()), ("nick", pa.string_view())]))
    assert [r.message.traits for r in read_rows(table, kind="identify")] == [None, {"nick": "x"}]
    assert validate(table, kind="identify").column_types == {
        "user_id": "string",
        "nick": "string",
    }


def test_the_dataframe_entry_points_take_polars_frames_too() -> None:
    frame = pl.DataFrame({"user_id": ["1", "2"], "plan": ["pro", None]})
    assert validate_dataframe(frame, kind="identify").valid == 2
    transport = RecordingTransport()
    client = CustomerIOClient(api_key="k", transport=transport)
    assert client.batch.import_dataframe(frame, kind="identify").sent == 2
