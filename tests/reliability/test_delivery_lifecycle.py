"""Delivery engine lifecycle: interpreter exit, fork, SIGKILL with an outbox, a hung API.

Each scenario runs the sender in a separate Python process (so exit, fork and SIGKILL
are real) against a recording server on 127.0.0.1 in the test process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections import defaultdict
from pathlib import Path

import pytest

from cio import CustomerIOClient
from cio.delivery import JsonLinesDeadLetterStore, Outbox
from tests.unit.delivery._server import recording_server

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(90)]

REPO = Path(__file__).resolve().parents[2]


def _script(body: str) -> str:
    return textwrap.dedent(body)


def _run(
    script: str, url: str, *args: str, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CIO_API_KEY": "key", "CIO_BASE_URL": url, "PYTHONPATH": str(REPO)}
    return subprocess.run(
        [sys.executable, "-c", _script(script), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


EXIT_WITHOUT_FLUSH = """
    from cio import CustomerIOClient
    client = CustomerIOClient()
    sender = client.buffered(flush_interval=30)
    for number in range(500):
        sender.track(f"user-{number % 7}", "Exit Test", {"n": number})
    # No flush, no close, no with-block: the exit hook must deliver everything.
"""


def test_interpreter_exit_without_flush_loses_nothing() -> None:
    with recording_server() as server:
        result = _run(EXIT_WITHOUT_FLUSH, server.url)
        assert result.returncode == 0, result.stderr
        delivered = server.delivered
    assert sorted(m["properties"]["n"] for m in delivered) == list(range(500))


FORK = """
    import os, sys
    from cio import CustomerIOClient
    client = CustomerIOClient()
    sender = client.buffered(flush_interval=30)
    sender.track("parent", "Before Fork")
    pid = os.fork()
    if pid == 0:
        for number in range(3):
            sender.track("child", "In Child", {"n": number})
        sys.exit(0)  # the child's exit hook flushes the child's own sender
    _, status = os.waitpid(pid, 0)
    sender.track("parent", "After Fork")
    sender.close()
    print("child status", status)
"""


def test_a_forked_child_gets_a_fresh_sender_that_sends() -> None:
    with recording_server() as server:
        result = _run(FORK, server.url)
        assert result.returncode == 0, result.stderr
        assert "child status 0" in result.stdout
        delivered = server.delivered
    events = [(m["userId"], m["event"]) for m in delivered]
    assert sorted(events) == sorted(
        [("parent", "Before Fork"), ("parent", "After Fork")] + [("child", "In Child")] * 3
    )
    assert len({m["messageId"] for m in delivered}) == 5


OUTBOX_WRITER = """
    import sys, time
    from cio import CustomerIOClient
    client = CustomerIOClient()
    sender = client.buffered(outbox=sys.argv[1], workers=1, flush_interval=0.05)
    for number in range(int(sys.argv[2])):
        sender.track(f"user-{number % 5}", "Outbox Test", {"n": number, "pad": "x" * 5000})
    print("WRITTEN", flush=True)
    time.sleep(60)
"""

OUTBOX_RESUMER = """
    import sys
    from cio import CustomerIOClient
    client = CustomerIOClient()
    result = client.buffered(outbox=sys.argv[1]).close(timeout=30)
    print("pending", result.pending, "sent", result.sent)
"""


def test_sigkill_mid_run_then_resume_delivers_everything_with_the_same_ids(
    tmp_path: Path,
) -> None:
    outbox = tmp_path / "outbox.db"
    count = 1500
    with recording_server(delay=0.15) as server:
        env = {**os.environ, "CIO_API_KEY": "key", "CIO_BASE_URL": server.url}
        env["PYTHONPATH"] = str(REPO)
        writer = subprocess.Popen(
            [sys.executable, "-c", _script(OUTBOX_WRITER), str(outbox), str(count)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            assert writer.stdout is not None
            assert writer.stdout.readline().strip() == "WRITTEN"
            time.sleep(0.4)  # some batches delivered, one in flight, the rest waiting
        finally:
            writer.send_signal(signal.SIGKILL)
            writer.communicate(timeout=10)
        assert writer.returncode == -signal.SIGKILL
        first_run = len(server.delivered)
        left = Outbox(outbox)
        assert 0 < len(left) <= count
        left.close()
        assert first_run < count, "the writer should have been killed mid-run"

        server.delay = 0.0
        result = _run(OUTBOX_RESUMER, server.url, str(outbox))
        assert result.returncode == 0, result.stderr
        assert "pending 0" in result.stdout
        delivered = server.delivered
    ids_by_number: dict[int, set[str]] = defaultdict(set)
    for message in delivered:
        ids_by_number[message["properties"]["n"]].add(message["messageId"])
    assert sorted(ids_by_number) == list(range(count))
    # A message may arrive twice (killed in flight) but always under its one messageId.
    assert all(len(ids) == 1 for ids in ids_by_number.values())
    assert len(Outbox(outbox)) == 0


def test_flush_and_close_keep_their_deadlines_when_the_api_never_answers(
    tmp_path: Path,
) -> None:
    dead = tmp_path / "dead.jsonl"
    with recording_server(hang=True) as server:
        client = CustomerIOClient(api_key="key", base_url=server.url, max_retries=0, timeout=30)
        sender = client.buffered(dead_letters=dead, workers=1)
        for number in range(10):
            sender.track("u", "Hang", {"n": number})
        started = time.monotonic()
        flushed = sender.flush(timeout=0.5)
        assert 0.4 < time.monotonic() - started < 2.0
        assert flushed.pending == 10 and flushed.timed_out
        started = time.monotonic()
        closed = sender.close(timeout=0.3)
        assert time.monotonic() - started < 3.0
        assert closed.pending == 10
    letters = list(JsonLinesDeadLetterStore(dead))
    assert sorted({letter.payload()["properties"]["n"] for letter in letters}) == list(range(10))
    client.close()
