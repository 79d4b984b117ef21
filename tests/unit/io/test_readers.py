"""Golden files: dialects, encodings, BOM, quoted newlines, ragged rows, bad headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.errors import ValidationError
from cio.io import read_rows, validate_csv, validate_jsonl

DATA = Path(__file__).parent / "data"


@pytest.mark.parametrize(
    "name", ["comma.csv", "semicolon.csv", "tab.tsv", "pipe.csv", "bom.csv", "crlf.csv"]
)
def test_dialects_and_bom_read_the_same(name: str) -> None:
    rows = list(read_rows(DATA / name, kind="identify"))
    assert [(row.number, row.message.user_id, row.message.traits) for row in rows] == [
        (2, "1", {"name": "Ada", "plan": "pro"}),
        (3, "2", {"name": "Grace", "plan": "free"}),
    ]


def test_quoted_newlines_and_escaped_quotes_count_as_one_row() -> None:
    rows = list(read_rows(DATA / "quoted_newlines.csv", kind="identify"))
    assert [row.number for row in rows] == [2, 3, 4]
    assert rows[0].message.traits["note"] == "first line\nsecond line"
    assert rows[1].message.traits["note"] == 'say "hi", then go'


def test_unicode_is_kept() -> None:
    rows = list(read_rows(DATA / "unicode.csv", kind="identify"))
    assert rows[0].message.traits == {"name": "Zo\u00eb", "city": "M\u00fcnchen"}
    assert rows[1].message.traits == {"name": "\u674e\u96f7", "city": "\u5317\u4eac"}


def test_bad_encoding_is_a_row_error_and_the_other_rows_go_on() -> None:
    rows = list(read_rows(DATA / "bad_encoding.csv", kind="identify"))
    assert [row.message is not None for row in rows] == [True, False, True]
    (error,) = rows[1].errors
    assert (error.row, error.column, error.type) == (3, "name", "encoding")
    assert "encoding=" in error.msg


def test_an_explicit_encoding_reads_a_latin1_file() -> None:
    rows = list(read_rows(DATA / "bad_encoding.csv", kind="identify", encoding="latin-1"))
    assert rows[1].message.traits["name"] == "Zo\u00eb"


def test_undecodable_header_is_a_file_error() -> None:
    with pytest.raises(ValidationError) as info:
        read_rows(DATA / "bad_header_encoding.csv", kind="identify")
    (error,) = info.value.errors
    assert (error.row, error.type) == (1, "encoding")


def test_ragged_rows_are_row_errors() -> None:
    rows = list(read_rows(DATA / "ragged.csv", kind="identify"))
    assert [row.number for row in rows] == [2, 3, 4, 5]
    assert [row.errors[0].type if row.errors else None for row in rows] == [
        None,
        "ragged_row",
        "ragged_row",
        None,
    ]
    assert "2 cells" in rows[1].errors[0].msg
    assert "4 cells" in rows[2].errors[0].msg


def test_duplicate_headers_are_a_file_error_naming_the_column() -> None:
    result = validate_csv(DATA / "duplicate_headers.csv", kind="identify")
    assert not result.ok
    assert result.rows == 0
    (error,) = result.errors
    assert (error.row, error.column, error.type) == (1, "email", "duplicate_header")
    assert "columns 2 and 3" in error.msg


@pytest.mark.parametrize("name", ["empty.csv", "whitespace_only.csv"])
def test_empty_file_is_a_file_error(name: str) -> None:
    result = validate_csv(DATA / name, kind="identify")
    assert not result.ok
    (error,) = result.errors
    assert error.type == "empty_file"


def test_header_only_file_is_valid_and_empty() -> None:
    result = validate_csv(DATA / "header_only.csv", kind="identify")
    assert result.ok
    assert (result.rows, result.valid) == (0, 0)


def test_blank_lines_are_skipped_but_counted_in_row_numbers() -> None:
    rows = list(read_rows(DATA / "blank_lines.csv", kind="identify"))
    assert [row.number for row in rows] == [2, 4]


def test_single_column_file_is_not_misread() -> None:
    rows = list(read_rows(DATA / "single_column.csv", kind="identify"))
    assert [row.message.user_id for row in rows] == ["u1", "u2"]


def test_missing_file_raises_oserror() -> None:
    with pytest.raises(OSError):
        read_rows(DATA / "no_such_file.csv", kind="identify")


def test_json_lines_with_a_broken_line() -> None:
    result = validate_jsonl(DATA / "people.jsonl", kind="identify")
    assert (result.rows, result.valid, result.invalid) == (4, 2, 2)
    assert [(e.row, e.type) for e in result.errors] == [
        (3, "json_invalid"),
        (4, "jsonl_not_object"),
    ]
    rows = [row for row in read_rows(DATA / "people.jsonl", kind="identify") if row.message]
    assert rows[0].message.traits == {"plan": "pro", "seats": 3}
    assert rows[1].message.traits == {"address": {"city": "Oslo"}}


def test_unknown_kind_lists_the_valid_ones() -> None:
    with pytest.raises(ValidationError, match="unknown kind") as info:
        read_rows(DATA / "comma.csv", kind="identifyy")
    assert "relationship" in info.value.errors[0].msg


def test_forced_delimiter() -> None:
    rows = list(read_rows(DATA / "semicolon.csv", kind="identify", delimiter=";"))
    assert rows[0].message.traits == {"name": "Ada", "plan": "pro"}
