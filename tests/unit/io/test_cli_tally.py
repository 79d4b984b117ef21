"""Many bad rows: the first few errors, then a tally by column and error type."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.cli import main
from cio.io import validate

BAD_TIMESTAMPS = 25
MISSING_IDS = 7


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    lines = ["user_id,timestamp"]
    lines += [f"{n},person{n}-yesterday" for n in range(BAD_TIMESTAMPS)]
    lines += [f",2024-01-0{n + 1}T10:00:00Z" for n in range(MISSING_IDS)]
    lines += ["99,2024-02-01T10:00:00Z"]
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _tally_lines(out: str) -> list[list[str]]:
    lines = out.splitlines()
    start = lines.index("errors by column and type:")
    return [line.split() for line in lines[start + 3 :] if line.strip()]


def test_the_result_counts_every_error_by_column_and_type(messy: Path) -> None:
    result = validate(messy, "identify", max_errors=2)
    assert len(result.errors) == 2
    assert result.tally == {
        ("timestamp", "datetime_parsing"): BAD_TIMESTAMPS,
        ("", "missing_identity"): MISSING_IDS,
    }


@pytest.mark.parametrize("command", ["validate", "import"])
def test_a_tally_follows_the_first_errors(
    command: str, messy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    extra = ["--dry-run"] if command == "import" else []
    status = main([command, str(messy), "--kind", "identify", "--max-errors", "3", *extra])
    out = capsys.readouterr().out
    assert status == 1
    assert f"... and {BAD_TIMESTAMPS + MISSING_IDS - 3} more errors" in out
    tally = _tally_lines(out)
    assert tally[0] == [str(BAD_TIMESTAMPS), "timestamp", "datetime_parsing"]
    assert tally[1] == [str(MISSING_IDS), "(none)", "missing_identity"]
    assert "person" not in out


def test_max_errors_zero_prints_no_empty_table(
    messy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(messy), "--kind", "identify", "--max-errors", "0"])
    out = capsys.readouterr().out
    assert status == 1
    assert not any(line.startswith("row ") for line in out.splitlines())
    assert "more errors" not in out
    assert f"{BAD_TIMESTAMPS + MISSING_IDS} errors not listed (--max-errors 0)" in out
    assert _tally_lines(out)[0] == [str(BAD_TIMESTAMPS), "timestamp", "datetime_parsing"]


def test_few_errors_need_no_tally(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "one.csv"
    path.write_text("user_id,timestamp\n1,nope\n", encoding="utf-8")
    assert main(["validate", str(path), "--kind", "identify"]) == 1
    assert "errors by column and type" not in capsys.readouterr().out
