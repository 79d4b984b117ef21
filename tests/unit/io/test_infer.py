"""Type inference of CSV cells, through the public row reader."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cio.io import ColumnMapping, read_rows


def traits_of(csv_text: str, tmp_path, **options):
    path = tmp_path / "people.csv"
    path.write_text(csv_text, encoding="utf-8")
    rows = list(read_rows(path, kind="identify", **options))
    assert all(not row.errors for row in rows), [row.errors for row in rows]
    return [row.message.traits for row in rows]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("42", 42),
        ("-7", -7),
        ("0", 0),
        ("3.25", 3.25),
        ("-0.5", -0.5),
        ("true", True),
        ("FALSE", False),
        ("True", True),
        ("02134", "02134"),  # zip code with a leading zero
        ("00", "00"),
        ("+14155550100", "+14155550100"),  # phone number
        ("4155550100123456", "4155550100123456"),  # 16 digits: too long to be a number
        ("123456789012345", 123456789012345),  # 15 digits: still a number
        ("1e5", "1e5"),  # exponent notation stays text
        ("1.2.3", "1.2.3"),  # version string
        ("01.5", "01.5"),
        (".5", ".5"),
        ("5.", "5."),
        ("yes", "yes"),
        ("1,000", "1,000"),
        (" 42", " 42"),  # surrounding spaces: left as text
        ("NaN", "NaN"),
        ("inf", "inf"),
        ("2024-02-29", "2024-02-29"),  # dates keep their ISO text
        ("2024-02-30", "2024-02-30"),
        ("[1, 2]", [1, 2]),
        ('{"a": 1}', {"a": 1}),
        ("[draft]", "[draft]"),
        ("Ada", "Ada"),
    ],
)
def test_auto_inference(cell: str, expected: object, tmp_path) -> None:
    quoted = '"' + cell.replace('"', '""') + '"'
    (traits,) = traits_of(f"user_id,value\nu1,{quoted}\n", tmp_path)
    assert traits == {"value": expected}
    assert type(traits["value"]) is type(expected)


def test_aware_datetime_is_checked_and_kept_as_written(tmp_path) -> None:
    (traits,) = traits_of(
        "user_id,seen,odd\nu1,2024-05-01T10:30:00Z,2024-13-01T10:30:00Z\n", tmp_path
    )
    assert traits == {"seen": "2024-05-01T10:30:00Z", "odd": "2024-13-01T10:30:00Z"}


def test_naive_datetime_in_traits_stays_text_without_a_timezone(tmp_path) -> None:
    (traits,) = traits_of("user_id,seen\nu1,2024-05-01 10:30:00\n", tmp_path)
    assert traits == {"seen": "2024-05-01 10:30:00"}


def test_naive_datetime_in_traits_gets_the_assumed_timezone(tmp_path) -> None:
    (traits,) = traits_of(
        "user_id,seen\nu1,2024-05-01 10:30:00\n", tmp_path, assume_timezone="Europe/Berlin"
    )
    assert traits == {"seen": "2024-05-01T10:30:00+02:00"}


def test_empty_cells_are_omitted(tmp_path) -> None:
    (traits,) = traits_of("user_id,a,b\nu1,,x\n", tmp_path)
    assert traits == {"b": "x"}


@pytest.mark.parametrize(
    ("type_name", "cell", "expected"),
    [
        ("string", "02134", "02134"),
        ("string", "42", "42"),
        ("string", "true", "true"),
        ("integer", "007", 7),
        ("number", "1e3", 1000.0),
        ("number", "12", 12),
        ("boolean", "yes", True),
        ("boolean", "0", False),
        ("json", '"quoted"', "quoted"),
        ("date", "2024-02-29", "2024-02-29"),
        ("datetime", "2024-05-01T10:30:00+01:00", "2024-05-01T10:30:00+01:00"),
        ("unix", "2024-05-01T00:00:00Z", 1714521600),
    ],
)
def test_type_override(type_name: str, cell: str, expected: object, tmp_path) -> None:
    quoted = '"' + cell.replace('"', '""') + '"'
    (traits,) = traits_of(
        f"user_id,value\nu1,{quoted}\n",
        tmp_path,
        mapping=ColumnMapping(types={"value": type_name}),
    )
    assert traits == {"value": expected}
    assert type(traits["value"]) is type(expected)


@pytest.mark.parametrize(
    ("type_name", "cell"),
    [
        ("integer", "4.5"),
        ("integer", "seventeen"),
        ("number", "nan"),
        ("number", "-Infinity"),
        ("boolean", "maybe"),
        ("json", "{broken"),
        ("date", "2024-02-30"),
        ("datetime", "yesterday"),
        ("datetime", "2024-05-01 10:30"),  # naive, no timezone assumed
    ],
)
def test_type_override_refuses_bad_cells_without_echoing_them(
    type_name: str, cell: str, tmp_path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(f"user_id,value\nu1,{cell}\n", encoding="utf-8")
    (row,) = read_rows(path, kind="identify", mapping=ColumnMapping(types={"value": type_name}))
    assert row.message is None
    (error,) = row.errors
    assert error.row == 2
    assert error.column == "value"
    assert cell not in error.msg
    assert cell not in str(error)


def test_unknown_type_name_is_refused(tmp_path) -> None:
    with pytest.raises(ValueError, match="unknown column type"):
        ColumnMapping(types={"value": "decimal128"})


def test_timestamp_column_needs_a_timezone(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,timestamp\nu1,2024-05-01 10:30:00\n", encoding="utf-8")
    (row,) = read_rows(path, kind="identify")
    (error,) = row.errors
    assert error.column == "timestamp"
    assert error.type == "timezone_aware"
    assert "assume" in error.msg


def test_timestamp_column_with_assumed_timezone(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,timestamp\nu1,2024-05-01 10:30:00\n", encoding="utf-8")
    (row,) = read_rows(path, kind="identify", assume_timezone="UTC")
    assert row.message.timestamp == datetime(2024, 5, 1, 10, 30, tzinfo=timezone.utc)


def test_timestamp_column_accepts_unix_seconds(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,timestamp\nu1,1714521600\n", encoding="utf-8")
    (row,) = read_rows(path, kind="identify")
    assert row.message.timestamp == datetime(2024, 5, 1, tzinfo=timezone.utc)
