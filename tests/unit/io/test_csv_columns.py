"""CSV columns get one type each, from a sample; dialect sniffing; empty rows; header hints."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.io import read_rows, validate_csv, validate_jsonl


def _write(tmp_path: Path, text: str | bytes, name: str = "people.csv") -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def _traits(path: Path, **options: object) -> list[dict[str, object] | None]:
    rows = list(read_rows(path, kind="identify", **options))
    assert all(not row.errors for row in rows), [row.errors for row in rows]
    return [row.message.traits for row in rows]


def test_a_zip_column_is_text_in_every_row(tmp_path: Path) -> None:
    path = _write(tmp_path, "user_id,zip\n1,01234\n2,80331\n3,0150\n4,100000\n")
    assert [t["zip"] for t in _traits(path)] == ["01234", "80331", "0150", "100000"]
    assert validate_csv(path, kind="identify").column_types["zip"] == "string"


def test_a_flag_column_of_mixed_words_stays_text(tmp_path: Path) -> None:
    path = _write(tmp_path, "user_id,flag\n1,true\n2,yes\n3,1\n")
    assert [t["flag"] for t in _traits(path)] == ["true", "yes", "1"]


def test_numbers_integers_booleans_and_json_columns(tmp_path: Path) -> None:
    path = _write(tmp_path, 'user_id,n,x,ok,tags\n1,3,1.5,true,"[1]"\n2,4,2,FALSE,"[]"\n')
    assert _traits(path) == [
        {"n": 3, "x": 1.5, "ok": True, "tags": [1]},
        {"n": 4, "x": 2, "ok": False, "tags": []},
    ]
    types = validate_csv(path, kind="identify").column_types
    assert (types["n"], types["x"], types["ok"], types["tags"]) == (
        "integer",
        "number",
        "boolean",
        "json",
    )
    assert types["user_id"] == "string"


def test_a_cell_that_does_not_fit_its_column_is_a_row_error_naming_the_fix(
    tmp_path: Path,
) -> None:
    rows = "".join(f"{n},{n}\n" for n in range(1, 30))
    path = _write(tmp_path, "user_id,seats\n" + rows + "30,n/a\n", name="seats.csv")
    result = validate_csv(path, kind="identify", sample_rows=10)
    (error,) = result.errors
    assert (error.row, error.column, error.type) == (31, "seats", "column_type")
    assert "--type seats=string" in error.msg
    assert "n/a" not in error.msg


def test_type_overrides_beat_inference(tmp_path: Path) -> None:
    path = _write(tmp_path, "user_id,zip\n1,12345\n2,80331\n")
    assert [t["zip"] for t in _traits(path, types={"zip": "string"})] == ["12345", "80331"]
    assert validate_csv(path, kind="identify", types={"zip": "string"}).column_types["zip"] == (
        "string"
    )


@pytest.mark.parametrize(
    ("cell", "date_format", "expected"),
    [
        ("01/03/2024", "%d/%m/%Y", "2024-03-01"),
        ("15.03.2024", "%d.%m.%Y", "2024-03-15"),
        ("3/15/2024 2:30 PM", "%m/%d/%Y %I:%M %p", "2024-03-15T14:30:00+00:00"),
    ],
)
def test_date_formats_are_an_option(
    tmp_path: Path, cell: str, date_format: str, expected: str
) -> None:
    path = _write(tmp_path, f'user_id,seen\n1,"{cell}"\n')
    (traits,) = _traits(path, date_formats=[date_format], assume_timezone="UTC")
    assert traits == {"seen": expected}
    (plain,) = _traits(path)
    assert plain == {"seen": cell}


def test_a_decimal_comma_is_an_option(tmp_path: Path) -> None:
    path = _write(tmp_path, 'user_id;amount\n1;"1.234,56"\n2;7\n3;0,5\n')
    assert [t["amount"] for t in _traits(path, decimal=",")] == [1234.56, 7, 0.5]
    assert [t["amount"] for t in _traits(path)] == ["1.234,56", "7", "0,5"]


def test_a_13_digit_epoch_in_a_timestamp_column(tmp_path: Path) -> None:
    path = _write(tmp_path, "user_id,timestamp\n1,1700000000000\n")
    (row,) = read_rows(path, kind="identify")
    assert row.message.timestamp.year == 2023


SEMICOLON_CRLF = b"\xef\xbb\xbfuser_id;name;plan\r\n\r\n1;Ada;pro\r\n;;\r\n2;Grace;free\r\n"


@pytest.mark.parametrize(
    "content",
    [
        SEMICOLON_CRLF,
        SEMICOLON_CRLF.replace(b";", b"\t"),
        SEMICOLON_CRLF.replace(b";", b"|"),
        SEMICOLON_CRLF.replace(b";", b","),
    ],
)
def test_sniffing_copes_with_crlf_blank_lines_bom_and_empty_rows(
    tmp_path: Path, content: bytes
) -> None:
    path = _write(tmp_path, content)
    rows = list(read_rows(path, kind="identify"))
    assert [(r.number, r.message.user_id, r.message.traits) for r in rows] == [
        (3, "1", {"name": "Ada", "plan": "pro"}),
        (5, "2", {"name": "Grace", "plan": "free"}),
    ]


def test_decimal_commas_do_not_fool_the_sniffer(tmp_path: Path) -> None:
    path = _write(tmp_path, "user_id;amount;note\n1;1,5;a\n2;2,25;b\n3;3;c\n")
    rows = list(read_rows(path, kind="identify"))
    assert [r.message.traits["note"] for r in rows] == ["a", "b", "c"]


def test_a_header_mismatch_shows_the_columns_and_delimiter_read(tmp_path: Path) -> None:
    path = _write(tmp_path, "user_id;name\n1;Ada\n")
    result = validate_csv(path, kind="identify", delimiter=",")
    (error,) = result.errors
    assert error.type == "missing_column"
    assert "user_id;name" in error.msg
    assert "delimiter ','" in error.msg
    assert "--delimiter" in error.msg


def test_jsonl_keys_report_their_json_types_and_mixtures(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text(
        '{"user_id": "1", "zip": "01234", "seats": 3, "score": 1}\n'
        '{"user_id": "2", "zip": 80331, "seats": null, "score": 1.5}\n',
        encoding="utf-8",
    )
    types = validate_jsonl(path, kind="identify").column_types
    assert dict(types) == {
        "user_id": "string",
        "zip": "mixed: integer, string",
        "seats": "integer",
        "score": "number",
    }
