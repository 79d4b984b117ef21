"""What the sandbox records and shows: summary, HTML, DataFrames, SQLite persistence."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cio.errors import ConfigurationError
from cio.models import Batch, Group, Identify, Track
from cio.sandbox import FailEveryNth, Sandbox, SandboxSummary, load_summary
from tests.sandbox.conftest import KEY, Raw

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(30)]


def send_mixed(sandbox: Sandbox) -> None:
    """Three requests: identify, a duplicate track, and a batch with one invalid item."""
    raw = Raw(sandbox)
    try:
        raw.post("/identify", Identify(user_id="u1", message_id="i1").to_json())
        track = Track(user_id="u1", event="Signed Up", message_id="t1").to_json()
        raw.post("/track", track)
        raw.post("/track", track)
        batch = {
            "batch": [
                Track(user_id="u2", event=" Signed Up ", message_id="t2").to_payload(),
                Group(
                    user_id="u2", group_id="acme", message_id="g1", traits={"name": "Acme"}
                ).to_payload(),
                {"type": "track", "userId": "u3"},
            ]
        }
        raw.post("/batch", batch)
        raw.post("/track", b"{", auth=None)
    finally:
        raw.close()


EXPECTED = SandboxSummary(
    total=5,
    unique_message_ids=4,
    duplicates=1,
    by_type={"identify": 1, "track": 3, "group": 1},
    by_event={"Signed Up": 3},
    dropped=1,
    requests=5,
    by_status={200: 4, 401: 1},
    faults_injected=0,
)


def test_summary_counts_exactly(sandbox: Sandbox) -> None:
    send_mixed(sandbox)
    assert sandbox.summary() == EXPECTED
    assert [record.status for record in sandbox.requests] == [200, 200, 200, 200, 401]
    assert [record.message_count for record in sandbox.requests] == [1, 1, 1, 3, 0]


def test_summary_text_and_html(sandbox: Sandbox) -> None:
    send_mixed(sandbox)
    summary = sandbox.summary()
    text = str(summary)
    assert "messages accepted  5" in text.replace("   ", "  ")
    assert "duplicates" in text and "event Signed Up" in text
    page = summary._repr_html_()
    assert page.startswith("<table>") and "<td style='text-align:right'>5</td>" in page
    sandbox_page = sandbox._repr_html_()
    assert sandbox.url in sandbox_page and "Sandbox summary" not in sandbox_page
    assert "cio sandbox" in sandbox_page


def test_html_escapes_event_names(raw: Raw, sandbox: Sandbox) -> None:
    raw.post("/track", {"userId": "u1", "event": "<b>x</b>"})
    page = sandbox.summary()._repr_html_()
    assert "<b>x</b>" not in page and "&lt;b&gt;x&lt;/b&gt;" in page


def test_summary_to_dict_is_json_ready(sandbox: Sandbox) -> None:
    send_mixed(sandbox)
    data = sandbox.summary().to_dict()
    assert json.loads(json.dumps(data))["by_status"] == {"200": 4, "401": 1}


def test_dataframes(sandbox: Sandbox) -> None:
    send_mixed(sandbox)
    messages = sandbox.to_dataframe()
    assert list(messages["messageId"]) == ["i1", "t1", "t1", "t2", "g1"]
    assert list(messages.columns[:4]) == ["receivedAt", "type", "event", "messageId"]
    assert "groupId" in messages.columns and "traits" in messages.columns
    dropped = sandbox.to_dataframe("dropped")
    assert list(dropped.columns) == ["path", "index", "reason"]
    assert dropped.iloc[0]["index"] == 2
    requests_frame = sandbox.to_dataframe("requests")
    assert list(requests_frame["status"]) == [200, 200, 200, 200, 401]
    with pytest.raises(ConfigurationError, match="kind"):
        sandbox.to_dataframe("other")


def test_dataframe_without_pandas_is_a_clear_error(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ConfigurationError, match=r"pip install 'cio\[pandas\]'"):
        sandbox.to_dataframe()


def test_empty_dataframe_has_columns(sandbox: Sandbox) -> None:
    frame = sandbox.to_dataframe()
    assert len(frame) == 0 and "messageId" in frame.columns


def test_reset_clears_records(sandbox: Sandbox) -> None:
    send_mixed(sandbox)
    sandbox.reset()
    assert sandbox.summary() == SandboxSummary()
    assert sandbox.messages == [] and sandbox.dropped == [] and sandbox.requests == []


def test_records_survive_stop(sandbox: Sandbox) -> None:
    send_mixed(sandbox)
    sandbox.stop()
    assert sandbox.summary() == EXPECTED


def test_on_request_callback_sees_every_request() -> None:
    seen: list[tuple[str, int | None]] = []
    with Sandbox(api_key=KEY, on_request=lambda r: seen.append((r.path, r.status))) as sandbox:
        send_mixed(sandbox)
    assert seen == [("/v1/identify", 200)] + [("/v1/track", 200)] * 2 + [
        ("/v1/batch", 200),
        ("/v1/track", 401),
    ]


def test_persistence_is_readable_from_another_process(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with Sandbox(api_key=KEY, db_path=db, faults=[FailEveryNth(6)]) as sandbox:
        send_mixed(sandbox)
        raw = Raw(sandbox)
        raw.post("/track", {"userId": "u9", "event": "Late"})
        raw.close()
        in_memory = sandbox.summary()
        code = (
            "import json, sys; from cio.sandbox import load_summary; "
            "print(json.dumps(load_summary(sys.argv[1]).to_dict()))"
        )
        result = subprocess.run(
            [sys.executable, "-c", code, str(db)],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    assert in_memory.faults_injected == 1
    assert json.loads(result.stdout) == in_memory.to_dict()
    assert load_summary(db) == in_memory
    assert KEY not in db.read_bytes().decode("latin-1")


def test_persistence_starts_fresh_and_follows_reset(tmp_path: Path) -> None:
    db = tmp_path / "sandbox.db"
    with Sandbox(api_key=KEY, db_path=db) as sandbox:
        send_mixed(sandbox)
    assert load_summary(db) == EXPECTED
    with Sandbox(api_key=KEY, db_path=db) as sandbox:
        assert load_summary(db) == SandboxSummary()
        send_mixed(sandbox)
        sandbox.reset()
        assert load_summary(db) == SandboxSummary()


def test_load_summary_of_a_missing_or_foreign_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationError, match="no sandbox database"):
        load_summary(tmp_path / "missing.db")
    foreign = tmp_path / "foreign.db"
    foreign.write_text("not a database")
    with pytest.raises(ConfigurationError, match="not a sandbox database"):
        load_summary(foreign)


def test_batch_model_bytes_are_accepted(raw: Raw, sandbox: Sandbox) -> None:
    batch = Batch(batch=[Identify(user_id="u1"), Track(user_id="u1", event="A")])
    assert raw.post("/batch", batch.to_json()).status_code == 200
    assert [message["type"] for message in sandbox.messages] == ["identify", "track"]


def test_benchmark_script_runs_and_checks_every_message() -> None:
    from benchmarks import bench_sandbox

    results = bench_sandbox.run(0.2, connections=1)
    assert results["requests"] > 0
    assert results["messages_accepted"] == results["requests"] * bench_sandbox.MESSAGES_PER_BATCH
    assert results["in_process_requests_per_second"] > 0
    assert set(results) >= {"requests_per_second", "messages_per_second", "p50_ms", "p99_ms"}
    assert all(isinstance(value, float) for value in results.values())
