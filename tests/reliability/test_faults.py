"""Fault scenarios: 5,000 events through the bulk path and the buffered sender.

Each scenario starts its own sandbox with one fault, sends 5,000 numbered events, and
checks: nothing lost (every event delivered, or reported to the caller and kept in the
dead-letter file), no event under two messageIds, duplicate messageIds only where a
timeout made an outcome unknowable, and no key or personal data in anything readable.
The measured figures feed the table of docs/reliability.md (see ``_report``).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from cio.sandbox import (
    ConnectionReset,
    Delay,
    FailEveryNth,
    Fault,
    Outage,
    RateLimitWindow,
    Sandbox,
)
from tests.reliability._canaries import API_KEY
from tests.reliability._leakscan import (
    check,
    dead_letter_seqs,
    dead_letter_texts,
    raw_bytes_text,
    report_texts,
    sandbox_texts,
    sqlite_texts,
)
from tests.reliability._report import EVENTS_PER_SCENARIO, PATHS, ResultBook, ScenarioResult
from tests.reliability._scenarios import (
    PoisonSandbox,
    Run,
    client_for,
    result_for,
    run_buffered,
    run_bulk,
    tally,
)
from tests.reliability.conftest import LogCapture

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.sandbox]

POISON_AT = 2500
OUTAGE_SECONDS = 20.0


@dataclass(frozen=True)
class Spec:
    """How one fault scenario is set up and what it may do."""

    faults: Callable[[], tuple[Fault, ...]]
    client: dict[str, Any] = field(default_factory=dict)
    duplicates_allowed: bool = False
    strict: bool = False
    poison_at: int | None = None
    sandbox: type[Sandbox] = Sandbox
    close_timeout: float = 60.0


SPECS: dict[str, Spec] = {
    "every-3rd-500": Spec(lambda: (FailEveryNth(3, status=500),)),
    "429-first-2s": Spec(lambda: (RateLimitWindow(2.0, retry_after=1),)),
    "slow-every-5th": Spec(
        lambda: (Delay(0.6, every_nth=5),), client={"timeout": 0.3}, duplicates_allowed=True
    ),
    "reset-every-4th": Spec(lambda: (ConnectionReset(every_nth=4),)),
    "strict-400-one-batch": Spec(
        lambda: (), strict=True, poison_at=POISON_AT, sandbox=PoisonSandbox
    ),
    "outage-20s-503": Spec(lambda: (Outage(OUTAGE_SECONDS, status=503),), close_timeout=90.0),
}
RUNNERS = {"bulk": run_bulk, "buffered": run_buffered}


@dataclass(frozen=True)
class Outcome:
    """Everything one scenario run produced."""

    result: ScenarioResult
    run: Run
    dead_seqs: list[int]
    injected: int
    bad_requests: int
    readable: list[tuple[str, str]]
    payload: list[tuple[str, str]]


def run_scenario(name: str, path: str, folder: Path) -> Outcome:
    """Run scenario ``name`` through ``path`` ("bulk" or "buffered") in ``folder``."""
    spec = SPECS[name]
    folder.mkdir(parents=True, exist_ok=True)
    db_path = folder / "sandbox.db"
    dead = folder / "dead-letters.jsonl"
    with spec.sandbox(api_key=API_KEY, strict=spec.strict, db_path=db_path) as sandbox:
        sandbox.set_faults(*spec.faults())  # armed now: windows start with the run
        with client_for(sandbox, **spec.client) as client:
            if path == "bulk":
                run = run_bulk(client, dead, EVENTS_PER_SCENARIO, spec.poison_at)
            else:
                run = run_buffered(
                    client, dead, EVENTS_PER_SCENARIO, spec.poison_at, spec.close_timeout
                )
        counted = tally(sandbox.messages)
        injected = sandbox.faults_injected
        bad_requests = sum(1 for record in sandbox.requests if record.status == 400)
        readable = sandbox_texts(sandbox)
    dead_seqs = dead_letter_seqs(dead)
    result = result_for(
        f"{path}/{name}",
        counted,
        wall_seconds=run.wall_seconds,
        told=run.told,
        reported_lost=dead_seqs,
    )
    letters_readable, letters_payload = dead_letter_texts(dead)
    db_readable, db_payload = sqlite_texts(db_path, payload_tables=("messages",))
    readable += [("told", run.told), *report_texts(run.report), *letters_readable, *db_readable]
    payload = [*letters_payload, *db_payload, *raw_bytes_text(db_path)]
    return Outcome(result, run, dead_seqs, injected, bad_requests, readable, payload)


def verify(name: str, outcome: Outcome, log: LogCapture) -> None:
    """The promise, checked for one scenario."""
    spec = SPECS[name]
    result = outcome.result
    if spec.poison_at is None:
        assert outcome.injected > 0, "the fault never fired"
    else:
        assert outcome.bad_requests > 1, "strict mode never refused a batch"
    assert result.lost == 0, result
    assert result.multi_id_events == 0, result
    if not spec.duplicates_allowed:
        assert result.duplicate_ids == 0, result
    if spec.poison_at is None:
        assert result.delivered == EVENTS_PER_SCENARIO, result
        assert outcome.run.failed == 0 and outcome.dead_seqs == [], result
    else:
        assert result.delivered == EVENTS_PER_SCENARIO - 1, result
        assert outcome.dead_seqs == [spec.poison_at], result
        assert [f.error_type for f in outcome.run.report.failures] == ["BadRequestError"]
    check([*outcome.readable, ("DEBUG log", log.text)], outcome.payload)


QUICK = [name for name in SPECS if name != "outage-20s-503"]


@pytest.mark.timeout(120)
@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("name", QUICK)
def test_fault_scenario(
    name: str, path: str, tmp_path: Path, debug_log: LogCapture, scenario_results: ResultBook
) -> None:
    outcome = run_scenario(name, path, tmp_path)
    scenario_results.add(outcome.result)
    verify(name, outcome, debug_log)


@pytest.mark.timeout(180)
def test_twenty_second_outage_on_both_paths_at_once(
    tmp_path: Path, debug_log: LogCapture, scenario_results: ResultBook
) -> None:
    """Both paths ride out the same 20 s outage, in parallel so the suite stays short."""
    name = "outage-20s-503"
    outcomes: dict[str, Outcome] = {}
    errors: list[BaseException] = []

    def one(path: str) -> None:
        try:
            outcomes[path] = run_scenario(name, path, tmp_path / path)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=one, args=(path,)) for path in PATHS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=170)
    assert not errors, errors
    assert set(outcomes) == set(PATHS)
    for path in PATHS:
        scenario_results.add(outcomes[path].result)
    for path in PATHS:
        verify(name, outcomes[path], debug_log)
        assert outcomes[path].result.wall_seconds >= OUTAGE_SECONDS - 1
