"""The same rows as CSV and as Parquet: the same wire bytes, errors and warnings.

CSV rows are numbered as spreadsheets count them (the header is row 1), columnar rows
from 0, so a CSV row's number is its Parquet row's number plus two; with the same
``import_id`` everything else is identical, messageIds aside (they derive from the row
number).
"""

from __future__ import annotations

import csv
import math
import random
import re
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import orjson
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cio import CustomerIOClient
from cio.io import ImportReport, read_rows
from cio.testing import RecordingTransport

CSV_ROW_OFFSET = 2
"""CSV row number minus the Parquet row number of the same row."""

_MESSAGE_ID = re.compile(rb'"messageId":"[0-9a-f-]{36}"')
_UTC = timezone.utc

PEOPLE_SCHEMA = pa.schema(
    [
        ("user_id", pa.string()),
        ("anonymous_id", pa.string()),
        ("email", pa.string()),
        ("name", pa.string()),
        ("age", pa.int64()),
        ("score", pa.float64()),
        ("vip", pa.bool_()),
        ("created_at", pa.timestamp("us", tz="UTC")),
    ]
)

PEOPLE: list[tuple[Any, ...]] = [
    ("u1", None, "ada@example.com", "Ada", 36, 1.5, True, datetime(2023, 3, 25, 10, tzinfo=_UTC)),
    ("u2", None, None, None, None, None, None, None),  # null cells are left out
    ("   ", None, "blank@example.com", "Blank", 1, 2.0, False, None),  # blank id: error
    ("a\x01b", None, "ctl@example.com", "Ctl", 2, 3.25, True, None),  # control character
    ("u5", None, "ada@example", "NoTld", 3, 0.1, False, None),  # undeliverable email: warning
    ("u6", None, "Zoë.Ünïcode@exämple.com", "Unicode", 4, -7.0, None, None),
    (None, None, "nobody@example.com", "Nobody", 5, 123456789.5, True, None),  # no identity: error
    (None, "anon-8", "anon@example.com", "Anon", 6, 0.0, False, None),
    ("u9", "anon-9", "both@example.com", "Both", 7, 12345.678, True, None),
    ("Ünï-10", None, "UPPER@EXAMPLE.COM", "NonAscii", 8, 2.5, None, None),
    ("u11", None, "ada@localhost", "Special", 9, 1.0, True, None),  # special-use domain
    ("u12", None, "x..y@example.com", "Dots", 10, 1.0, True, None),
    ("u13", None, "", "EmptyEmail", 11, 1.0, True, None),  # empty text is a null
    ("\u2003", None, "em@example.com", "EmSpace", 12, 1.0, True, None),  # only a space
    ("u15", None, "tab\t@example.com", "Tab", 13, 1.0, False, None),
    ("u16", None, "fraction@example.com", "Fraction", 14, 9.75, False, None),
]


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat().replace("+00:00", "Z")
    if isinstance(value, float):
        return repr(value)
    return str(value)


def write_both(tmp_path: Path, schema: pa.Schema, rows: list[tuple[Any, ...]]) -> tuple[Path, Path]:
    """The rows as a CSV file and as a Parquet file with the schema's types."""
    csv_path = tmp_path / "rows.csv"
    with csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(schema.names)
        writer.writerows([_csv_cell(value) for value in row] for row in rows)
    parquet_path = tmp_path / "rows.parquet"
    columns = {name: [row[i] for row in rows] for i, name in enumerate(schema.names)}
    pq.write_table(pa.table(columns, schema=schema), parquet_path)
    return csv_path, parquet_path


def send(path: Path, kind: str = "identify") -> tuple[ImportReport, list[bytes]]:
    """Import with one worker; the report and every request body, messageIds masked."""
    transport = RecordingTransport()
    client = CustomerIOClient(api_key="k", transport=transport)
    report = client.batch.import_source(path, kind=kind, import_id="same rows", workers=1)
    bodies = [_MESSAGE_ID.sub(b'"messageId":"-"', request.body) for request in transport.requests]
    return report, bodies


def problems(found: tuple[Any, ...], offset: int = 0) -> list[tuple[Any, ...]]:
    return [(d.row - offset, d.column, d.loc, d.type, d.msg) for d in found]


def assert_same_outcome(csv_path: Path, parquet_path: Path, kind: str = "identify") -> None:
    from_csv, csv_bodies = send(csv_path, kind)
    from_parquet, parquet_bodies = send(parquet_path, kind)
    assert parquet_bodies == csv_bodies
    assert problems(from_parquet.errors) == problems(from_csv.errors, CSV_ROW_OFFSET)
    assert problems(from_parquet.warnings) == problems(from_csv.warnings, CSV_ROW_OFFSET)
    assert (from_parquet.valid, from_parquet.invalid, from_parquet.sent) == (
        from_csv.valid,
        from_csv.invalid,
        from_csv.sent,
    )


def test_good_and_bad_people_give_the_same_bytes_errors_and_warnings(tmp_path: Path) -> None:
    csv_path, parquet_path = write_both(tmp_path, PEOPLE_SCHEMA, PEOPLE)
    assert_same_outcome(csv_path, parquet_path)
    report, _bodies = send(parquet_path)
    # The fixture covers what it says: refused rows, a warning, and accepted rows.
    assert {d.type for d in report.errors} == {
        "blank_string",
        "control_character",
        "missing_identity",
    }
    assert [d.row for d in report.warnings] == [4, 10, 11, 14]
    assert report.valid == len(PEOPLE) - report.invalid > 0


def test_an_unparseable_timestamp_is_the_same_row_error(tmp_path: Path) -> None:
    schema = pa.schema([("user_id", pa.string()), ("timestamp", pa.string())])
    rows = [
        ("u1", "2024-05-01T10:00:00Z"),
        ("u2", "yesterday"),
        ("u3", None),
        ("u4", "2024-05-01T10:00:00.250+02:00"),
    ]
    csv_path, parquet_path = write_both(tmp_path, schema, rows)
    assert_same_outcome(csv_path, parquet_path)
    report, _bodies = send(parquet_path)
    assert [(d.row, d.column) for d in report.errors] == [(1, "timestamp")]


def test_fractions_of_a_second_are_written_alike(tmp_path: Path) -> None:
    schema = pa.schema([("user_id", pa.string()), ("seen_at", pa.timestamp("ms", tz="UTC"))])
    rows = [
        ("u1", datetime(2023, 1, 1, 10, 0, 0, 250000, tzinfo=_UTC)),
        ("u2", datetime(2023, 1, 1, 10, 0, 0, tzinfo=_UTC)),
        ("u3", datetime(2023, 1, 1, 10, 0, 1, 1000, tzinfo=_UTC)),
    ]
    csv_path, parquet_path = write_both(tmp_path, schema, rows)
    assert_same_outcome(csv_path, parquet_path)


@pytest.mark.parametrize("value", [math.inf, -math.inf])
def test_an_infinite_number_in_a_typed_column_is_a_row_error(tmp_path: Path, value: float) -> None:
    # (In a CSV file "inf" is text, so there is no CSV twin of this row.)
    schema = pa.schema([("user_id", pa.string()), ("score", pa.float64())])
    _csv_path, parquet_path = write_both(tmp_path, schema, [("u1", 1.5), ("u2", value)])
    report, bodies = send(parquet_path)
    assert [(d.row, d.column, d.type) for d in report.errors] == [(1, "score", "finite_number")]
    assert b'"userId":"u1"' in bodies[0]
    assert b'"userId":"u2"' not in bodies[0]


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
@pytest.mark.parametrize("zone", ["UTC", "America/New_York", "+05:30"])
def test_zoned_timestamps_are_written_as_python_writes_the_datetime(unit: str, zone: str) -> None:
    rng = random.Random(unit + zone)
    # Nanoseconds hold the years 1678 to 2261 only.
    first, last = (1700, 2200) if unit == "ns" else (2, 9999)
    start = datetime(first, 1, 1, tzinfo=_UTC)
    span = int((datetime(last, 1, 1, tzinfo=_UTC) - start).total_seconds() * 1e6)
    values = [
        datetime(1969, 12, 31, 23, 59, 59, 500000, tzinfo=_UTC),
        datetime(max(first, 999), 12, 31, 23, 59, 59, 999999, tzinfo=_UTC),
        datetime(2024, 2, 29, 12, 0, 0, 1000, tzinfo=_UTC),
        *(start + timedelta(microseconds=rng.randrange(span)) for _ in range(300)),
        *(start + timedelta(seconds=rng.randrange(span // 10**6)) for _ in range(300)),
    ]
    exact = pa.array(values, pa.timestamp("us", tz="UTC"))
    column = exact.cast(pa.timestamp(unit, tz="UTC"), safe=False).cast(pa.timestamp(unit, tz=zone))
    table = pa.table({"user_id": [str(n) for n in range(len(values))], "seen": column})
    rows = list(read_rows(table, kind="identify"))
    written = [row.message.traits["seen"] for row in rows if row.message is not None]
    # The value the column holds (its unit may cut the fraction), as a CSV cell would send it.
    held = column.cast(pa.timestamp("us", tz="UTC")).to_pylist()
    assert written == [orjson.loads(orjson.dumps(value, option=orjson.OPT_UTC_Z)) for value in held]


def test_a_naive_timestamp_is_the_same_error_from_text_and_from_a_typed_column(
    tmp_path: Path,
) -> None:
    schema = pa.schema([("user_id", pa.string()), ("timestamp", pa.timestamp("us"))])
    rows = [("u1", datetime(2024, 5, 1, 10, 30)), ("u2", None)]
    csv_path, parquet_path = write_both(tmp_path, schema, rows)
    assert_same_outcome(csv_path, parquet_path)
    report, _bodies = send(parquet_path)
    assert [(d.row, d.column, d.type) for d in report.errors] == [
        (0, "timestamp", "timezone_aware")
    ]
