"""Bad CSV and JSON Lines files: each problem located by row and column, valid rows kept.

Every case puts canary personal data in the bad cell where it can, then checks the
error table, the HTML rendering and the errors CSV never contain it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from cio import ValidationError
from cio.io import read_rows, validate_csv, validate_jsonl
from tests.reliability._canaries import EMAIL, TRAIT_VALUE, assert_clean

pytestmark = pytest.mark.reliability

GOOD = "1,ada@example.com,pro\n"
HEADER = "user_id,email,plan\n"


@dataclass(frozen=True)
class FileCase:
    """A file, what must be valid, and where each expected error sits."""

    id: str
    content: bytes
    valid: int
    errors: tuple[tuple[int, str | None, str], ...]  # (row, column, error type)
    suffix: str = ".csv"


def _text(text: str) -> bytes:
    return text.encode("utf-8")


CSV_CASES = [
    FileCase("clean", _text(HEADER + GOOD), 1, ()),
    FileCase(
        "bad-encoding-cell",
        _text(HEADER + GOOD)
        + b"2,bo@example.com,\xff\xfe"
        + TRAIT_VALUE.encode()
        + b"\n"
        + _text("3,cy@example.com,basic\n"),
        2,
        ((3, "plan", "encoding"),),
    ),
    FileCase(
        "latin-1-file",
        "user_id,email,plan\n1,ada@example.com,caf\xe9\n".encode("latin-1"),
        0,
        ((2, "plan", "encoding"),),
    ),
    FileCase(
        "ragged-rows",
        _text(f"{HEADER}{GOOD}2,{EMAIL},pro,{TRAIT_VALUE}\n3\n4,di@example.com,basic\n"),
        2,
        ((3, None, "ragged_row"), (4, None, "ragged_row")),
    ),
    FileCase(
        "duplicate-headers",
        _text(f"user_id,email,email\n1,{EMAIL},b@example.com\n"),
        0,
        ((1, "email", "duplicate_header"),),
    ),
    FileCase("bom", _text("\ufeff" + HEADER + GOOD), 1, ()),
    FileCase(
        "quoted-newlines",
        _text(f'{HEADER}1,ada@example.com,"two\nlines"\n2,bo@example.com,pro\n'),
        2,
        (),
    ),
    FileCase(
        "crlf-line-ends",
        _text((HEADER + GOOD + "2,bo@example.com,pro\n").replace("\n", "\r\n")),
        2,
        (),
    ),
    FileCase("empty-file", b"", 0, ((1, None, "empty_file"),)),
    FileCase("header-only", _text(HEADER), 0, ()),
    FileCase(
        # Accepted with a warning: the API stores any string as the email.
        "undeliverable-email",
        _text(f"{HEADER}1,{TRAIT_VALUE}@,pro\n2,bo@example.com,pro\n"),
        2,
        (),
    ),
    FileCase(
        "blank-id",
        _text(f"{HEADER} ,{EMAIL},pro\n2,bo@example.com,pro\n"),
        1,
        ((2, "user_id", "blank_string"),),
    ),
    FileCase(
        "control-character-id",
        _text(f"{HEADER}1\x07,{EMAIL},pro\n2,bo@example.com,pro\n"),
        1,
        ((2, "user_id", "control_character"),),
    ),
    FileCase(
        "no-id-column", _text(f"email,plan\n{EMAIL},pro\n"), 0, ((1, None, "missing_column"),)
    ),
    FileCase(
        "unicode-and-emoji",
        _text(f"{HEADER}1,ada@example.com,caf\u00e9 \U0001f680 \u4e2d\n"),
        1,
        (),
    ),
    FileCase("semicolon-dialect", _text("user_id;email;plan\n1;ada@example.com;pro\n"), 1, ()),
]

JSONL_CASES = [
    FileCase(
        "jsonl-one-broken-line",
        _text(
            '{"user_id":"1","email":"ada@example.com"}\n'
            f'{{"user_id":"2","email":"{EMAIL}", broken\n'
            '{"user_id":"3"}\n'
        ),
        2,
        ((2, None, "json_invalid"),),
        ".jsonl",
    ),
    FileCase(
        "jsonl-not-objects",
        _text(f'[1,2]\n"{TRAIT_VALUE}"\n{{"user_id":"3"}}\n'),
        1,
        ((1, None, "jsonl_not_object"), (2, None, "jsonl_not_object")),
        ".jsonl",
    ),
    FileCase(
        "jsonl-bad-value",
        _text(f'{{"user_id":"1","email":["{TRAIT_VALUE}"]}}\n{{"user_id":"2"}}\n'),
        1,
        ((1, None, "email_type"),),
        ".jsonl",
    ),
    FileCase(
        "jsonl-invalid-utf8",
        b'{"user_id":"1","plan":"\xff\xfe"}\n{"user_id":"2"}\n',
        1,
        ((1, None, ""),),
        ".jsonl",
    ),
]


def _write(tmp_path: Path, case: FileCase) -> Path:
    path = tmp_path / f"input{case.suffix}"
    path.write_bytes(case.content)
    return path


@pytest.mark.parametrize("case", CSV_CASES + JSONL_CASES, ids=lambda case: case.id)
def test_file_errors_are_located_and_valid_rows_survive(tmp_path: Path, case: FileCase) -> None:
    path = _write(tmp_path, case)
    errors_csv = tmp_path / "errors.csv"
    validate_file = validate_csv if case.suffix == ".csv" else validate_jsonl
    result = validate_file(path, kind="identify", errors_csv=errors_csv)
    assert result.valid == case.valid, result.table()
    found = [(detail.row, detail.column, detail.type) for detail in result.errors]
    assert len(found) == len(case.errors), result.table()
    for (row, column, kind), (want_row, want_column, want_kind) in zip(
        found, case.errors, strict=True
    ):
        assert row == want_row, result.table()
        if want_column is not None:
            assert column == want_column, result.table()
        assert want_kind in kind, result.table()
    assert result.ok is (not case.errors)
    texts = [
        ("summary", result.summary()),
        ("table", result.table()),
        ("html", result._repr_html_()),
        ("details", "\n".join(map(str, result.errors))),
    ]
    if errors_csv.exists():
        texts.append(("errors csv", errors_csv.read_text(encoding="utf-8")))
    assert_clean(texts)


@pytest.mark.parametrize("case", CSV_CASES + JSONL_CASES, ids=lambda case: case.id)
def test_reading_yields_every_valid_row_despite_bad_ones(tmp_path: Path, case: FileCase) -> None:
    path = _write(tmp_path, case)
    try:
        rows = list(read_rows(path, kind="identify"))
    except ValidationError as exc:  # file-level problems stop before any row is read
        assert case.valid == 0
        assert exc.errors and exc.errors[0].row == 1
        assert_clean([("error", str(exc))])
        return
    valid = [row for row in rows if row.message is not None]
    assert len(valid) == case.valid
    assert all(not row.errors for row in valid)
    assert all(row.errors for row in rows if row.message is None)


def test_at_least_twenty_file_cases() -> None:
    assert len(CSV_CASES) + len(JSONL_CASES) >= 20
