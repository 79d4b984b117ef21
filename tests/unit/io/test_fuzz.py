"""Hypothesis: whatever bytes a CSV or JSON Lines file holds, reading yields rows or errors."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cio.errors import ValidationError
from cio.io import read_rows

# The delimiters, quotes, line ends, digits, NUL and some non-ASCII text.
ALPHABET = "ab@.,;|\t\"' \r\n0129-:TZ+\x00\u00e9\u4e2d\U0001f680"
CELL = st.text(alphabet=ALPHABET, max_size=12) | st.sampled_from(
    ["", "42", "0042", "1.5", "true", "2024-05-01T10:00:00Z", "2024-05-01 10:00", '{"a":', "[1]"]
)
HEADERS = st.lists(
    st.sampled_from(["user_id", "email", "timestamp", "plan", "a.b", "a", "event", "", "id"]),
    min_size=1,
    max_size=5,
)


def _read_all(path: Path, kind: str) -> None:
    try:
        rows = read_rows(path, kind=kind)
    except ValidationError as exc:
        # File-level errors sit on the header row (row 1 unless blank lines precede it).
        assert exc.errors and exc.errors[0].row is not None and exc.errors[0].row >= 1
        return
    for row in rows:
        assert (row.message is None) == bool(row.errors)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    header=HEADERS,
    rows=st.lists(st.lists(CELL, max_size=6), max_size=6),
    delimiter=st.sampled_from([",", ";", "\t"]),
    kind=st.sampled_from(["identify", "track", "group", "Order Completed"]),
)
def test_generated_csv_only_ever_gives_rows_or_row_errors(header, rows, delimiter, kind) -> None:
    def quote(cell: str) -> str:
        return '"' + cell.replace('"', '""') + '"' if any(c in cell for c in '",;\t\r\n') else cell

    text = "\n".join(delimiter.join(quote(c) for c in line) for line in [header, *rows])
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "fuzz.csv"
        path.write_text(text, encoding="utf-8")
        _read_all(path, kind)


@settings(max_examples=30, deadline=None)
@given(content=st.binary(max_size=300), suffix=st.sampled_from([".csv", ".jsonl"]))
def test_arbitrary_bytes_never_raise_anything_else(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(content)
        _read_all(path, "identify")
