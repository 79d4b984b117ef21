"""One bad cell, line or state file never stops a file (issue 15, items 5, 13 and 14).

Each bad value is a row error (or a documented conversion), never an uncaught exception,
never echoed, and the valid rows around it still come through.
"""

from __future__ import annotations

import csv
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from cio.errors import ConfigurationError
from cio.io import ImportState, import_source, open_source, read_rows

HUGE = "9" * 5000


def _rows(tmp_path: Path, text: str, **options: object) -> list:
    path = tmp_path / "hostile.csv"
    path.write_text(text, encoding="utf-8")
    return list(read_rows(path, kind="identify", **options))


def test_a_13_digit_epoch_in_the_timestamp_column_is_milliseconds(tmp_path: Path) -> None:
    rows = _rows(tmp_path, "user_id,timestamp\n1,1700000000123\n2,1700000000\n")
    expected = datetime(2023, 11, 14, 22, 13, 20, 123000, tzinfo=timezone.utc)
    assert rows[0].message.timestamp == expected
    assert rows[1].message.timestamp == expected.replace(microsecond=0)


@pytest.mark.parametrize(
    ("cell", "types"),
    [
        ("9" * 20, {}),
        (HUGE, {}),
        ("\u00b2", {}),
        ("123456789012", {}),
        (HUGE, {"seats": "integer"}),
        (HUGE, {"seats": "number"}),
        ("\u00b2", {"seats": "integer"}),
        ('"' + "[" * 5000 + "]" * 5000 + '"', {}),
        ('"' + "[" * 5000 + "]" * 5000 + '"', {"seats": "json"}),
        ('"' + '{""a"":' * 2000 + "1" + "}" * 2000 + '"', {}),
    ],
)
def test_a_bad_cell_is_a_row_error_and_the_next_row_is_read(
    tmp_path: Path, cell: str, types: dict[str, str]
) -> None:
    column = "seats" if types else "timestamp"
    text = f"user_id,{column}\n1,{cell}\n2,\n3,1\n"
    rows = _rows(tmp_path, text, types=types)
    assert [row.number for row in rows] == [2, 3, 4]
    assert [row.message is not None for row in rows] == [False, True, True]
    (error,) = rows[0].errors
    assert error.column == column
    assert cell.strip('"')[:12] not in error.msg


def test_a_jsonl_line_nested_100000_deep_is_a_row_error(tmp_path: Path) -> None:
    path = tmp_path / "deep.jsonl"
    deep = '{"user_id": "1", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    path.write_text(deep + '\n{"user_id": "2"}\n', encoding="utf-8")
    rows = list(read_rows(path, kind="identify"))
    assert [row.number for row in rows] == [1, 2]
    assert rows[0].errors[0].type == "json_too_deep"
    assert rows[1].message.user_id == "2"


def test_an_over_long_quoted_cell_spanning_lines_is_one_row_error(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    intruders = "".join(f"intruder{n},x\n" for n in range(5))
    long_cell = '"' + "a" * limit + "\n" + intruders + '"'
    text = f'user_id,note\n1,ok\n2,{long_cell}\n3,fine\n4,"short\nquoted"\n'
    rows = _rows(tmp_path, text)
    assert [row.number for row in rows] == [2, 3, 4, 5]
    assert [row.message.user_id if row.message else None for row in rows] == [
        "1",
        None,
        "3",
        "4",
    ]
    assert rows[1].errors[0].type == "csv_error"
    assert rows[1].errors[0].row == 3


def test_an_import_with_one_bad_cell_sends_every_valid_row(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text(f"user_id,timestamp\n1,1700000000\n2,{HUGE}\n3,1700000001\n", "utf-8")
    report = import_source(None, path, "identify", dry_run=True)
    assert (report.valid, report.invalid) == (2, 1)


def _state(tmp_path: Path, body: bytes) -> Path:
    path = tmp_path / "import.state"
    header = {"cio_import_state": 1, "import_id": "sha256:x", "kind": "identify"}
    path.write_bytes(json.dumps(header).encode() + b"\n" + body)
    return path


@pytest.mark.parametrize(
    "body",
    [b"2-4\n\xff\xfe\n", b"2-9000000000\n", b"9000000000\n", b"\xc2\xb2\n"],
)
def test_a_damaged_state_file_is_a_clear_error_at_once(tmp_path: Path, body: bytes) -> None:
    path = _state(tmp_path, body)
    with pytest.raises(ConfigurationError) as info:
        ImportState(path, import_id="sha256:x", kind="identify")
    message = str(info.value)
    assert str(path) in message
    assert "damaged" in message


def test_a_state_file_whose_header_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "import.state"
    path.write_bytes(b"\xff\xfe\xfa\n")
    with pytest.raises(ConfigurationError, match="not a cio import state file"):
        ImportState(path, import_id="sha256:x", kind="identify")


@pytest.mark.parametrize("before", [0, 1_200], ids=["in the sample", "after the sample"])
def test_over_long_cells_after_each_other_are_one_row_error_each(
    tmp_path: Path, before: int
) -> None:
    limit = csv.field_size_limit()
    intruders = "".join(f"intruder{n},x\n" for n in range(3))
    quoted = '"' + "a" * limit + "\n" + intruders + '"'
    unquoted = "b" * (limit + 1)
    good = "".join(f"g{n},ok\n" for n in range(before))
    text = (
        f"user_id,note\n{good}1,{quoted}\n2,fine\n3,{unquoted}\n4,{quoted}\n"
        '5,"two\nlines"\n6,last\n'
    )
    rows = _rows(tmp_path, text)[before:]
    first = before + 2
    assert [row.number for row in rows] == list(range(first, first + 6))
    assert [row.message.user_id if row.message else None for row in rows] == [
        None,
        "2",
        None,
        None,
        "5",
        "6",
    ]
    assert [row.errors[0].type for row in rows if row.errors] == ["csv_error"] * 3


def test_records_read_on_after_an_over_long_quoted_cell(tmp_path: Path) -> None:
    limit = csv.field_size_limit()
    quoted = '"' + "a" * limit + "\nintruder,x\n" + '"'
    path = tmp_path / "people.csv"
    good = "".join(f"g{n},ok\n" for n in range(1_100))
    path.write_text(f"user_id,note\n{good}1,{quoted}\n2,fine\n", encoding="utf-8")
    records = list(open_source(path).records())[1_100:]
    assert [record.number for record in records] == [1_102, 1_103]
    assert records[0].errors[0].type == "csv_error"
    assert records[1].values == {"user_id": "2", "note": "fine"}
