"""Smoke version of the benchmarks, so the harness cannot rot between ``make bench`` runs.

Scenario 1 (bulk) with 2,000 events through ``cio`` only, against the real counting sink
in its own process; it asserts that nothing is lost, never how fast it went.
"""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import pytest

from benchmarks import report, run
from benchmarks._common import (
    BULK,
    BULK_ENCODED,
    BULK_MODELS,
    BULK_MODELS_STREAM,
    BULK_PLAIN_STREAM,
    CIO,
    PEERS,
    order_events,
    wire_json,
)
from benchmarks.sink import SinkProcess

pytestmark = [pytest.mark.slow, pytest.mark.timeout(120)]

SMOKE_EVENTS = 2_000


def _post(url: str, body: bytes) -> int:
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        return int(answer.status)


def test_sink_counts_distinct_message_ids_and_duplicates_apart() -> None:
    events = order_events(3)
    first, second, third = (wire_json(event, f"id-{n}") for n, event in enumerate(events))
    with SinkProcess() as sink:
        assert _post(sink.url + "/v1/batch", b'{"batch":[' + first + b"," + second + b"]}") == 200
        assert _post(sink.url + "/v1/track", third) == 200
        assert _post(sink.url + "/v1/track", third) == 200
        stats = sink.stats()
        assert (stats.requests, stats.messages, stats.unique_messages) == (3, 4, 3)
        assert stats.duplicates == 1
        assert stats.paths == {"/v1/batch": 1, "/v1/track": 2}
        sink.reset()
        assert sink.stats().unique_messages == 0


def test_a_run_missing_events_at_the_sink_counts_as_lost() -> None:
    job = run.Job(BULK, CIO, [], "python")
    result = {"events": 100, "accepted": 100, "failed": 0, "rejected": 0}
    assert run.loss_of(job, result, {"unique_messages": 100}) == (0, "")
    lost, why = run.loss_of(job, result, {"unique_messages": 97})
    assert lost == 3
    assert "97" in why
    lost, why = run.loss_of(job, {**result, "failed": 2}, {"unique_messages": 100})
    assert lost == 2
    assert "failed" in why


def test_bulk_scenario_for_cio_delivers_every_event(tmp_path: Path) -> None:
    results = tmp_path / "runs.json"
    options = ["--bulk-events", str(SMOKE_EVENTS), "--no-report", "--json", str(results)]
    status = run.main(["--scenarios", BULK, "--libraries", CIO, "--runs", "1", *options])
    assert status == run.EXIT_OK
    (record,) = json.loads(results.read_text())
    assert (record["scenario"], record["library"], record["error"]) == (BULK, CIO, "")
    assert record["lost"] == 0
    assert record["sink"]["unique_messages"] == SMOKE_EVENTS
    assert record["sink"]["duplicates"] == 0
    assert record["result"]["accepted"] == SMOKE_EVENTS
    assert record["result"]["client_requests"] == record["sink"]["requests"]


def test_model_scenarios_and_their_floors_deliver_every_event_and_are_reported(
    tmp_path: Path,
) -> None:
    scenarios = [BULK_MODELS, BULK_MODELS_STREAM, BULK_ENCODED, BULK_PLAIN_STREAM]
    results = tmp_path / "runs.json"
    options = ["--bulk-events", str(SMOKE_EVENTS), "--no-report", "--json", str(results)]
    status = run.main(["--scenarios", *scenarios, "--libraries", CIO, "--runs", "1", *options])
    assert status == run.EXIT_OK
    records = json.loads(results.read_text())
    assert sorted(record["scenario"] for record in records) == sorted(scenarios)
    for record in records:
        assert record["error"] == ""
        assert record["lost"] == 0
        assert record["sink"]["unique_messages"] == SMOKE_EVENTS
        assert record["result"]["accepted"] == SMOKE_EVENTS
    # The models' table compares with the fastest peer: pretend one ran at a known rate.
    summary = report.summarise([run.RunRecord(**record) for record in records])
    peer = {**summary[(BULK_MODELS, CIO)], "events_per_s": report.Stat.of([1_000.0])}
    summary[(BULK, PEERS[0])] = peer
    markdown = tmp_path / "RESULTS.md"
    report.write_markdown(summary, {}, {}, [], duration=1.0, path=markdown)
    text = markdown.read_text()
    for scenario in scenarios:
        rate = summary[(scenario, CIO)]["events_per_s"].median
        assert f"| {rate / 1_000:.2f}x |" in text
    assert "floor: a plain pydantic model, no check at all" in text
