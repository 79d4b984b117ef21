"""The results table of ``docs/reliability.md``, fed by the fault scenarios.

Each fault test builds a :class:`ScenarioResult` and hands it to the session's
:class:`ResultBook` (the ``scenario_results`` fixture). Nothing is written during a
normal run. With ``CIO_WRITE_RELIABILITY_DOC=1`` the book rewrites the table between
the two markers in ``docs/reliability.md`` at the end of the session, keeping rows of
scenarios that did not run this time.

Run ``python -m tests.reliability._report`` to print the committed table's scenario ids.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

WRITE_ENV = "CIO_WRITE_RELIABILITY_DOC"
DOC_PATH = Path(__file__).resolve().parents[2] / "docs" / "reliability.md"
START_MARKER = "<!-- reliability-table:start -->"
END_MARKER = "<!-- reliability-table:end -->"
EVENTS_PER_SCENARIO = 5000


@dataclass(frozen=True)
class Scenario:
    """A fault scenario: its id (first column of the table) and what it injects."""

    id: str
    fault: str


_FAULTS: tuple[tuple[str, str], ...] = (
    ("every-3rd-500", "every 3rd request answered 500"),
    ("429-first-2s", "429 with Retry-After: 1 for the first 2 s"),
    ("outage-20s-503", "20 s outage answering 503"),
    ("slow-every-5th", "every 5th response delayed past the client timeout"),
    ("reset-every-4th", "connection reset on every 4th request"),
    ("strict-400-one-batch", "strict mode, one batch answered 400 (bisection)"),
)
PATHS: tuple[str, ...] = ("bulk", "buffered")

SCENARIOS: tuple[Scenario, ...] = (
    *(Scenario(f"{path}/{name}", fault) for name, fault in _FAULTS for path in PATHS),
    Scenario(
        "buffered/exit-without-flush",
        "process exits without calling flush(); every 3rd request answered 500",
    ),
    Scenario("import/sigkill-resume", "SIGKILL mid-import, then a resumed run"),
)
# Scenarios against the hostile server of _hostile.py (issue 15), each with a smaller
# event count chosen to keep its test file at a few seconds.
HOSTILE_SCENARIOS: tuple[Scenario, ...] = (
    Scenario("buffered/reused-dict", "the caller reuses one dict (nested too) for every call"),
    Scenario("buffered/raising-on-error", "every 10th call invalid; on_error raises each time"),
    Scenario(
        "buffered/undeliverable-at-exit",
        "script exits without flush(); batches holding one user's events answered 400",
    ),
    Scenario(
        "buffered/slow-api-at-exit",
        "script exits without flush(); every answer takes 0.7 s, exit deadline 1 s",
    ),
    Scenario(
        "bulk/dead-letters-disk-full", "dead-letter store on a full disk; 1 message in 50 refused"
    ),
    Scenario(
        "bulk/dead-letters-not-writable",
        "dead-letter path under a regular file; 1 message in 50 refused",
    ),
    Scenario(
        "buffered/dead-letters-not-writable",
        "dead-letter path under a regular file; 1 message in 50 refused",
    ),
    Scenario("bulk/ctrl-c-mid-send", "SIGINT 1 s into batch.send; every answer takes 0.3 s"),
    Scenario("import/ctrl-c-6-runs", "SIGINT into cio import at 6 different moments"),
    Scenario(
        "replay/refused-beyond-report-cap",
        "cio replay of 10,015 letters, 10,010 of which no longer validate",
    ),
    Scenario(
        "bulk/400-echoing-payload-and-headers",
        "every answer 400, echoing the payload and the request headers",
    ),
    Scenario("bulk/duplicate-message-ids", "two pairs of messages share a caller-given messageId"),
)
SCENARIOS = (*SCENARIOS, *HOSTILE_SCENARIOS)
SCENARIO_IDS: tuple[str, ...] = tuple(scenario.id for scenario in SCENARIOS)
_FAULT_OF = {scenario.id: scenario.fault for scenario in SCENARIOS}

HEADER = (
    "| scenario | fault | events | delivered | lost | events under >1 messageId "
    "| duplicate messageIds | wall time (s) | what the caller was told |"
)
RULE = "|---|---|---:|---:|---:|---:|---:|---:|---|"


@dataclass(frozen=True)
class ScenarioResult:
    """What one scenario measured.

    ``lost`` and ``multi_id_events`` must be zero; ``duplicate_ids`` counts deliveries
    of an already delivered messageId (the server deduplicates these), allowed only
    where a timeout or a kill made the outcome of a request unknowable.
    """

    scenario: str
    events: int
    delivered: int
    lost: int
    multi_id_events: int
    duplicate_ids: int
    wall_seconds: float
    told: str

    def row(self) -> str:
        """This result as a markdown table row."""
        told = self.told.replace("|", "/").replace("\n", " ")
        cells = (
            self.scenario,
            _FAULT_OF.get(self.scenario, ""),
            str(self.events),
            str(self.delivered),
            str(self.lost),
            str(self.multi_id_events),
            str(self.duplicate_ids),
            f"{self.wall_seconds:.1f}",
            told,
        )
        return "| " + " | ".join(cells) + " |"


def counted_result(
    scenario: str,
    *,
    events: int,
    delivered: set[str],
    reported: set[str],
    wall_seconds: float,
    told: str,
    deliveries: int | None = None,
    multi_id_events: int = 0,
) -> ScenarioResult:
    """A result from event keys (messageIds, or the event's own number): those the server
    accepted and those reported to the caller (dead letters, rejections).

    ``lost`` counts events neither delivered nor reported; ``deliveries`` (total
    acceptances of messageIds, when known) gives the duplicate count.
    """
    accounted = len(delivered | reported)
    return ScenarioResult(
        scenario=scenario,
        events=events,
        delivered=len(delivered),
        lost=max(events - accounted, 0),
        multi_id_events=multi_id_events,
        duplicate_ids=0 if deliveries is None else max(deliveries - len(delivered), 0),
        wall_seconds=wall_seconds,
        told=told,
    )


class ResultBook:
    """Collects results during a session; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._results: dict[str, ScenarioResult] = {}

    def add(self, result: ScenarioResult) -> None:
        """Keep ``result`` (an unknown scenario id is a mistake in the test)."""
        if result.scenario not in _FAULT_OF:
            raise KeyError(f"unknown scenario {result.scenario!r}; add it to SCENARIOS")
        with self._lock:
            self._results[result.scenario] = result

    @property
    def results(self) -> dict[str, ScenarioResult]:
        with self._lock:
            return dict(self._results)

    def write_if_asked(self, doc: Path = DOC_PATH) -> bool:
        """Rewrite the table in ``doc`` when ``CIO_WRITE_RELIABILITY_DOC=1``."""
        if os.environ.get(WRITE_ENV) != "1" or not self._results:
            return False
        write_table(doc, self.results.values())
        return True


def table_rows(text: str) -> dict[str, str]:
    """The rows of the table between the markers, keyed by scenario id."""
    start = text.index(START_MARKER) + len(START_MARKER)
    end = text.index(END_MARKER)
    rows: dict[str, str] = {}
    for line in text[start:end].splitlines():
        match = re.match(r"^\|\s*([a-z0-9][a-z0-9/-]*)\s*\|", line)
        if match and match.group(1) != "scenario":
            rows[match.group(1)] = line
    return rows


def render_table(rows: dict[str, str]) -> str:
    """The table in scenario order; scenarios without a result say so."""
    lines = [HEADER, RULE]
    for scenario in SCENARIOS:
        missing = f"| {scenario.id} | {scenario.fault} | | | | | | | not run yet |"
        lines.append(rows.get(scenario.id, missing))
    return "\n".join(lines)


def write_table(doc: Path, results: Iterable[ScenarioResult]) -> None:
    """Replace the table section of ``doc`` with the old rows updated by ``results``."""
    text = doc.read_text(encoding="utf-8")
    rows = table_rows(text)
    rows.update({result.scenario: result.row() for result in results})
    before = text[: text.index(START_MARKER) + len(START_MARKER)]
    after = text[text.index(END_MARKER) :]
    doc.write_text(f"{before}\n{render_table(rows)}\n{after}", encoding="utf-8")


if __name__ == "__main__":
    for scenario_id in table_rows(DOC_PATH.read_text(encoding="utf-8")):
        print(scenario_id)
