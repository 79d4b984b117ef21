"""docs/reliability.md: its table is generated from the suite and lists every scenario."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.reliability._report import (
    DOC_PATH,
    END_MARKER,
    SCENARIO_IDS,
    START_MARKER,
    WRITE_ENV,
    ResultBook,
    ScenarioResult,
    table_rows,
)

pytestmark = pytest.mark.reliability


def _cells(row: str) -> list[str]:
    return [cell.strip() for cell in row.strip().strip("|").split("|")]


def test_committed_table_lists_every_scenario_with_figures() -> None:
    rows = table_rows(DOC_PATH.read_text(encoding="utf-8"))
    assert list(rows) == list(SCENARIO_IDS)
    for scenario, row in rows.items():
        cells = _cells(row)
        assert "not run yet" not in row, f"{scenario} has no figures; regenerate the table"
        events, delivered, lost, multi_ids = (int(cell) for cell in cells[2:6])
        assert lost == 0 and multi_ids == 0, scenario
        assert delivered <= events, scenario
        assert re.fullmatch(r"\d+\.\d", cells[7]), scenario


def _result(scenario: str, delivered: int) -> ScenarioResult:
    return ScenarioResult(
        scenario=scenario,
        events=10,
        delivered=delivered,
        lost=10 - delivered,
        multi_id_events=0,
        duplicate_ids=0,
        wall_seconds=1.25,
        told="BatchReport(sent=10)",
    )


def test_writer_updates_rows_and_keeps_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "reliability.md"
    doc.write_text(f"intro\n{START_MARKER}\n{END_MARKER}\nafter\n", encoding="utf-8")
    first, second = SCENARIO_IDS[0], SCENARIO_IDS[1]
    book = ResultBook()
    book.add(_result(first, 10))
    monkeypatch.setenv(WRITE_ENV, "1")
    assert book.write_if_asked(doc)
    later = ResultBook()
    later.add(_result(second, 9))
    assert later.write_if_asked(doc)
    text = doc.read_text(encoding="utf-8")
    rows = table_rows(text)
    assert list(rows) == list(SCENARIO_IDS)
    assert _cells(rows[first])[3] == "10" and _cells(rows[second])[3] == "9"
    assert "not run yet" in rows[SCENARIO_IDS[2]]
    assert text.startswith("intro\n") and text.endswith("after\n")


def test_normal_runs_do_not_write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(WRITE_ENV, raising=False)
    doc = tmp_path / "reliability.md"
    doc.write_text(f"{START_MARKER}\n{END_MARKER}\n", encoding="utf-8")
    book = ResultBook()
    book.add(_result(SCENARIO_IDS[0], 10))
    assert not book.write_if_asked(doc)
    assert doc.read_text(encoding="utf-8") == f"{START_MARKER}\n{END_MARKER}\n"


def test_unknown_scenarios_are_refused() -> None:
    with pytest.raises(KeyError):
        ResultBook().add(_result("bulk/not-a-scenario", 1))
