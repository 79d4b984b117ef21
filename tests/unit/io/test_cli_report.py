"""``--report FILE`` writes a self-contained HTML page with the summary and charts."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.cli import main


@pytest.fixture
def messy(tmp_path: Path) -> Path:
    # 30 rows with a timestamp that is not a date (the API refuses those), one with no id.
    lines = ["user_id,email,timestamp"]
    lines += [f"{n},ok{n}@example.com,bad{n}" for n in range(30)] + [",ok@example.com,"]
    lines += [f"{n},ok{n}@example.com,2024-05-01T09:30:00Z" for n in range(100, 160)]
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>")
    for reference in ("src=", "href=", "url(", "<script", "<link"):
        assert reference not in page


def test_validate_report(messy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "report.html"
    assert main(["validate", str(messy), "--kind", "identify", "--report", str(out)]) == 1
    assert f"report written to {out}" in capsys.readouterr().out
    page = out.read_text(encoding="utf-8")
    _self_contained(page)
    assert page.count("<svg") == 1
    assert "Row errors by column and type" in page
    assert "missing_identity" in page
    assert "bad1" not in page


def test_import_dry_run_report(messy: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    main(["import", str(messy), "--kind", "identify", "--dry-run", "--report", str(out)])
    page = out.read_text(encoding="utf-8")
    _self_contained(page)
    assert "dry run of" in page


def test_report_in_a_missing_folder_is_refused_before_reading(
    messy: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "nowhere" / "report.html"
    assert main(["validate", str(messy), "--kind", "identify", "--report", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: --report")
    assert len(err.strip().splitlines()) == 1


@pytest.mark.sandbox
def test_sandbox_import_report(messy: Path, tmp_path: Path) -> None:
    # (a run this short has no delivery chart; tests/unit/test_report_browser.py has one)
    out = tmp_path / "report.html"
    argv = ["import", str(messy), "--kind", "identify", "--sandbox", "--report", str(out)]
    assert main(argv) == 1
    page = out.read_text(encoding="utf-8")
    _self_contained(page)
    assert "Row errors by column and type" in page
    assert "60 sent" in page
