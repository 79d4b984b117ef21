"""The buffered sender against hostile callers: reused dicts, raising callbacks and Mappings."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import suppress
from pathlib import Path
from typing import Any

import pytest

from cio import CustomerIOClient
from cio.cli import main
from cio.delivery import DeliveryFailure, JsonLinesDeadLetterStore
from cio.errors import CustomerIOError
from cio.testing import RecordingTransport
from tests.reliability._hostile import Answer, Request, hostile_server
from tests.reliability._report import ResultBook, counted_result

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(60)]

CALLS = 50
REPO = Path(__file__).resolve().parents[2]


def _client() -> tuple[CustomerIOClient, RecordingTransport]:
    transport = RecordingTransport()
    return CustomerIOClient(api_key="test-key", transport=transport), transport


def _by_number(messages: list[dict[str, Any]]) -> tuple[set[str], int]:
    """Event numbers (``properties.n``) delivered, and how many came under >1 messageId."""
    ids: dict[str, set[str]] = {}
    for message in messages:
        ids.setdefault(str(message["properties"]["n"]), set()).add(message["messageId"])
    return set(ids), sum(1 for found in ids.values() if len(found) > 1)


def test_a_reused_dict_is_sent_as_it_was_at_each_call(scenario_results: ResultBook) -> None:
    started = time.perf_counter()
    client, transport = _client()
    properties: dict[str, Any] = {"nested": {"items": []}}
    traits: dict[str, Any] = {}
    with client.buffered(flush_interval=30) as sender:
        for number in range(CALLS):
            properties["n"] = number
            properties["nested"]["items"].append(number)
            traits["n"] = number
            sender.track("user-1", "Reused", properties)
            sender.identify("user-1", traits, context={"extra": properties["nested"]})
    tracks = [m for m in transport.messages if m["type"] == "track"]
    identifies = [m for m in transport.messages if m["type"] == "identify"]
    assert [m["properties"]["n"] for m in tracks] == list(range(CALLS))
    assert [len(m["properties"]["nested"]["items"]) for m in tracks] == list(range(1, CALLS + 1))
    assert [m["traits"]["n"] for m in identifies] == list(range(CALLS))
    assert [len(m["context"]["extra"]["items"]) for m in identifies] == list(range(1, CALLS + 1))
    scenario_results.add(
        counted_result(
            "buffered/reused-dict",
            events=2 * CALLS,
            delivered={m["messageId"] for m in transport.messages},
            reported=set(),
            wall_seconds=time.perf_counter() - started,
            told=f"nothing needed: each of the {2 * CALLS} events carried the values of its "
            "own call",
            deliveries=len(transport.messages),
        )
    )


class _Exploding(Mapping[str, Any]):
    """A Mapping whose reads raise (user code gone wrong)."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("user mapping broke")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("user mapping broke")

    def __len__(self) -> int:
        return 1


def test_a_raising_on_error_callback_does_not_stop_delivery(
    scenario_results: ResultBook,
) -> None:
    started = time.perf_counter()
    client, transport = _client()
    seen: list[DeliveryFailure] = []

    def on_error(failure: DeliveryFailure) -> None:
        seen.append(failure)
        raise RuntimeError("callback broke")

    sender = client.buffered(flush_interval=0.05, max_queue=4, on_error=on_error)
    for number in range(CALLS):
        if number % 10 == 0:
            sender.track("", "Invalid", {"n": number})  # empty userId: refused
        else:
            sender.track("user-1", "Valid", {"n": number})
    result = sender.close(timeout=10)
    delivered = sorted(m["properties"]["n"] for m in transport.messages)
    assert delivered == [n for n in range(CALLS) if n % 10]
    assert len(seen) == CALLS // 10
    assert result.pending == 0 and result.rejected == CALLS // 10
    assert result.sent == CALLS - CALLS // 10
    delivered_numbers, multi = _by_number(transport.messages)
    scenario_results.add(
        counted_result(
            "buffered/raising-on-error",
            events=CALLS,
            delivered=delivered_numbers,
            reported={str(failure.index) for failure in sender.report().failures},
            wall_seconds=time.perf_counter() - started,
            told=f"on_error called {len(seen)} times (each raise logged, ignored); close() "
            f"returned pending={result.pending}, sent={result.sent}, "
            f"rejected={result.rejected}",
            deliveries=len(transport.messages),
            multi_id_events=multi,
        )
    )


def test_a_mapping_whose_reads_raise_is_one_refused_call() -> None:
    client, transport = _client()
    sender = client.buffered(flush_interval=0.05, max_queue=4)
    for number in range(CALLS):
        if number == CALLS // 2:
            with suppress(RuntimeError):  # refusing it at the call is fine too
                sender.track("user-1", "Broken", _Exploding())
        sender.track("user-1", "Valid", {"n": number})
    result = sender.close(timeout=10)
    assert sorted(m["properties"]["n"] for m in transport.messages) == list(range(CALLS))
    assert result.pending == 0 and result.sent == CALLS


def test_a_dead_thread_makes_the_next_call_raise() -> None:
    client, _ = _client()
    sender = client.buffered(flush_interval=0.05)
    sender.track("user-1", "First")
    assert sender.flush(timeout=5).pending == 0
    thread = sender._thread
    assert thread is not None

    def crash(*args: Any) -> None:
        raise SystemExit("simulated crash of the packer")

    sender._feed = crash  # type: ignore[method-assign]
    sender.track("user-1", "Kills The Thread")
    thread.join(5)
    assert not thread.is_alive()
    with pytest.raises(CustomerIOError, match="thread"):
        sender.track("user-1", "After The Crash")
    del sender._feed
    result = sender.close(timeout=1)
    assert result.sent == 1 and result.pending == 1  # the call the crash took is counted


EXIT_SCRIPT = """
import sys
from cio import CustomerIOClient
client = CustomerIOClient(max_retries=0)
sender = client.buffered(flush_interval=30, exit_timeout=float(sys.argv[1]))
for number in range(int(sys.argv[2])):
    sender.track(f"user-{number % 7}", "Exit Test", {"n": number, "pad": "x" * 2000})
# No flush, no close: the exit hook must deliver or persist everything.
"""


def _run_script(url: str, dead_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "CIO_API_KEY": "test-key",
        "CIO_BASE_URL": url,
        "CIO_DEAD_LETTER_DIR": str(dead_dir),
        "PYTHONPATH": str(REPO),
    }
    return subprocess.run(
        [sys.executable, "-c", EXIT_SCRIPT, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _refuse_user_0(number: int, request: Request) -> Answer:
    """400 for any batch holding a message of user-0 (bisected down to them), else 200."""
    return Answer(400, b'{"errors":[]}') if b'"user-0"' in request.body else Answer(200)


def test_undelivered_messages_go_to_a_durable_file_named_in_a_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario_results: ResultBook
) -> None:
    dead_dir = tmp_path / "dead"
    started = time.perf_counter()
    with hostile_server(_refuse_user_0) as server:
        result = _run_script(server.url, dead_dir, "5", "300")
        delivered = set(server.delivered_ids())
        delivered_numbers, multi = _by_number(server.delivered_messages())
    wall = time.perf_counter() - started
    files = list(dead_dir.glob("*.jsonl"))
    assert result.returncode == 0, result.stderr
    assert len(files) == 1, result.stderr
    letters = list(JsonLinesDeadLetterStore(files[0]))
    assert letters and len(delivered) + len(letters) == 300
    assert f"{len(letters)} message(s) could not be delivered" in result.stderr
    assert str(files[0]) in result.stderr and "cio replay" in result.stderr
    warning = next(line for line in result.stderr.splitlines() if "could not be delivered" in line)
    with hostile_server(lambda number, request: Answer(200)) as good:
        monkeypatch.setenv("CIO_API_KEY", "test-key")
        assert main(["replay", str(files[0]), "--base-url", good.url]) == 0
        replayed = set(good.delivered_ids())
    assert replayed == {letter.message_id for letter in letters}
    assert not files[0].exists()
    scenario_results.add(
        counted_result(
            "buffered/undeliverable-at-exit",
            events=300,
            delivered=delivered_numbers,
            reported={str(letter.payload()["properties"]["n"]) for letter in letters},
            wall_seconds=wall,
            told=f"exit code {result.returncode}; stderr: "
            + warning.replace(str(files[0]), "$CIO_DEAD_LETTER_DIR/dead-letters-TIME-PID.jsonl")
            + f"; cio replay then delivered all {len(replayed)}",
            multi_id_events=multi,
        )
    )


def test_a_slow_api_at_exit_loses_nothing(tmp_path: Path, scenario_results: ResultBook) -> None:
    """Answers take 0.7 s; 1,500 events need about 3 s of them; the exit deadline is 1 s."""
    dead_dir = tmp_path / "dead"
    started = time.perf_counter()
    with hostile_server(lambda number, request: Answer(delay=0.7)) as server:
        result = _run_script(server.url, dead_dir, "1", "1500")
        delivered = server.delivered_ids()
        delivered_numbers, multi = _by_number(server.delivered_messages())
    wall = time.perf_counter() - started
    assert result.returncode == 0, result.stderr
    persisted = [m for f in dead_dir.glob("*.jsonl") for m in JsonLinesDeadLetterStore(f)]
    assert len(set(delivered)) + len(persisted) == 1500
    assert len(set(delivered)) == 1500, "requests were succeeding: exit should have waited"
    scenario_results.add(
        counted_result(
            "buffered/slow-api-at-exit",
            events=1500,
            delivered=delivered_numbers,
            reported={str(letter.payload()["properties"]["n"]) for letter in persisted},
            wall_seconds=wall,
            told=f"nothing: the script never called flush(); exit code {result.returncode} "
            f"after the exit hook kept flushing while answers came; {len(persisted)} persisted",
            deliveries=len(delivered),
            multi_id_events=multi,
        )
    )
