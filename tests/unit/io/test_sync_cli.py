"""``cio sync`` and ``cio sync history`` from the command line, offline (dry runs, history)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cio.cli import build_parser, main

PEOPLE = "user_id,email,plan\n1,a@example.com,pro\n2,b@example.com,free\n2,c@example.com,pro\n"


@pytest.fixture
def files(tmp_path: Path) -> tuple[str, str]:
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE, encoding="utf-8")
    return str(source), str(tmp_path / "people.db")


def _sync(source: str, state: str, *extra: str) -> int:
    return main(
        ["sync", source, "--kind", "identify", "--key", "user_id", "--state", state, *extra]
    )


def test_dry_run_prints_counts_key_problems_and_masked_samples(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, state = files
    assert _sync(source, state, "--dry-run") == 1
    out = capsys.readouterr().out
    assert "1 new, 0 changed, 0 unchanged, 0 to delete, 2 invalid" in out
    assert "2 rows share a key (user_id)" in out
    assert "rows 3, 4" in out
    assert '"email": "<str>"' in out
    assert "example.com" not in out


def test_history_lists_every_run(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, state = files
    _sync(source, state, "--dry-run")
    _sync(source, state, "--dry-run", "--mode", "mirror")
    capsys.readouterr()
    assert main(["sync", "history", state]) == 0
    out = capsys.readouterr().out
    assert out.count("completed (dry run)") == 2
    assert "mirror" in out
    assert "rows share a key" in out


def test_missing_options_and_state_are_clear_errors(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, state = files
    assert main(["sync", source, "--kind", "identify"]) == 2
    assert "missing --key, --state" in capsys.readouterr().err
    assert main(["sync", "history", state + ".missing"]) == 2
    assert "no sync state database" in capsys.readouterr().err


def test_without_a_key_the_sync_refuses_and_says_how(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(Path(files[0]).parent)
    source, state = files
    assert _sync(source, state) == 2
    err = capsys.readouterr().err
    assert "CIO_API_KEY is not set" in err
    assert "--sandbox" in err


def _option_strings(command: str) -> set[str]:
    parser = build_parser()
    commands = next(
        action for action in parser._actions if isinstance(action, argparse._SubParsersAction)
    )
    sub = commands.choices[command]
    return {option for action in sub._actions for option in action.option_strings}


def test_sync_reads_with_every_reading_option_of_import_and_validate() -> None:
    reading = {
        "--sql",
        "--database",
        "--map",
        "--set",
        "--type",
        "--assume-timezone",
        "--format",
        "--encoding",
        "--delimiter",
        "--date-format",
        "--decimal",
        "--max-errors",
        "--progress",
    }
    for command in ("validate", "import", "sync"):
        assert reading <= _option_strings(command), command


def test_sync_reads_a_sql_query(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    parquet = tmp_path / "people.parquet"
    pq.write_table(pa.table({"user_id": ["u1", "u2"], "plan": ["pro", "free"]}), parquet.as_posix())
    query = f"select * from '{parquet.as_posix()}' order by user_id"
    state = str(tmp_path / "s.db")
    argv = ["sync", "--sql", query, "--kind", "identify", "--key", "user_id", "--state", state]
    assert main([*argv, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "SQL query" in out
    assert "2 rows, 2 new" in out


def test_sync_reads_dates_and_decimals_as_told(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "people.csv"
    source.write_text("user_id;signed_up;spent\n1;31/12/2024;1.234,50\n", encoding="utf-8")
    state = str(tmp_path / "s.db")
    options = ["--date-format", "%d/%m/%Y", "--decimal", ",", "--dry-run", "--show-values"]
    assert _sync(str(source), state, *options) == 0
    out = capsys.readouterr().out
    assert '"signed_up": "2024-12-31"' in out
    assert '"spent": 1234.5' in out


def test_sync_refuses_a_file_and_a_query_together(
    files: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    source, state = files
    assert _sync(source, state, "--sql", "select 1 as user_id", "--dry-run") == 2
    assert "either a FILE or --sql" in capsys.readouterr().err
    assert _sync(source, state, "--database", "x.duckdb", "--dry-run") == 2
    assert "--database goes with --sql" in capsys.readouterr().err
    argv = ["sync", "--kind", "identify", "--key", "user_id", "--state", state, "--dry-run"]
    assert main(argv) == 2
    assert "give a FILE to read, or --sql QUERY" in capsys.readouterr().err
