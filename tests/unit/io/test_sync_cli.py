"""``cio sync`` and ``cio sync history`` from the command line, offline (dry runs, history)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.cli import main

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
