"""client.buffered(): quick enqueue, background sending, backpressure, flush, outbox."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from cio import (
    ClientClosedError,
    CustomerIOClient,
    DeliveryFailure,
    QueueFullError,
    ValidationError,
)
from cio._transport import Response
from cio.delivery import JsonLinesDeadLetterStore, Outbox
from cio.models import Identify, Track
from cio.testing import RecordingTransport


class Gate(RecordingTransport):
    """Holds every request until ``opened`` is set (an unresponsive API, without a socket)."""

    def __init__(self) -> None:
        super().__init__()
        self.opened = threading.Event()
        self.entered = threading.Event()

    def send(self, path: str, body: bytes) -> Response:
        self.entered.set()
        self.opened.wait(10)
        return super().send(path, body)


BLOCKING_CALLS = 300


def client_with(transport: object) -> CustomerIOClient:
    return CustomerIOClient(api_key="key", transport=transport)  # type: ignore[arg-type]


def test_calls_of_every_kind_are_sent_in_order_on_close() -> None:
    transport = RecordingTransport()
    with client_with(transport).buffered(workers=1) as sender:
        sender.identify("42", {"plan": "pro"})
        sender.track("42", "Signed Up", {"source": "ads"})
        sender.page("42", "Home", {"url": "https://example.com"})
        sender.screen(None, "Settings", anonymous_id="a-1")
        sender.group("acme", "42", {"name": "Acme"})
        sender.alias("42", "a-1")
        sender.send(Identify(user_id="43"))
        sender.send({"type": "track", "userId": "43", "event": "Opened"})
    assert [m["type"] for m in transport.messages] == [
        "identify",
        "track",
        "page",
        "screen",
        "group",
        "alias",
        "identify",
        "track",
    ]
    assert all(r.path == "/batch" for r in transport.requests)
    result = sender.close()
    assert (result.pending, result.sent) == (0, 8)
    with pytest.raises(ClientClosedError):
        sender.track("42", "Late")


def test_invalid_arguments_are_reported_off_the_callers_thread_and_the_rest_sent() -> None:
    transport = RecordingTransport()
    errors: list[DeliveryFailure] = []
    with client_with(transport).buffered(on_error=errors.append, workers=1) as sender:
        sender.track("1", "Fine")
        sender.identify("2", {"email": ["PRIVATE-not-a-string"]})
        sender.track(None, "Nobody")
        sender.track("3", "Fine too")
    assert [m["event"] for m in transport.messages] == ["Fine", "Fine too"]
    assert [failure.index for failure in errors] == [1, 2]
    assert all(f.error_type == "ValidationError" for f in errors)
    assert "PRIVATE" not in repr(errors)
    report = sender.report()
    assert (report.sent, report.rejected) == (2, 2)


def test_full_queue_raises_when_configured_and_nothing_is_dropped() -> None:
    transport = Gate()
    sender = client_with(transport).buffered(
        max_queue=3, on_full="raise", workers=1, flush_interval=0.02
    )
    sender.track("1", "E0")
    assert transport.entered.wait(2)  # the first call is now held in flight
    for number in range(1, 4):
        sender.track("1", f"E{number}")
    with pytest.raises(QueueFullError):
        sender.track("1", "E4")
    transport.opened.set()
    result = sender.close(timeout=5)
    assert result.pending == 0
    assert [m["event"] for m in transport.messages] == ["E0", "E1", "E2", "E3"]


def test_full_queue_blocks_the_caller_until_there_is_room() -> None:
    transport = Gate()
    sender = client_with(transport).buffered(max_queue=2, workers=1, flush_interval=0.02)
    calls = 0

    def caller() -> None:
        nonlocal calls
        for number in range(BLOCKING_CALLS):
            sender.track("1", f"E{number}", {"pad": "x" * 20_000})
            calls += 1

    thread = threading.Thread(target=caller)
    thread.start()
    assert transport.entered.wait(2)
    thread.join(0.3)
    assert thread.is_alive(), "calls should block while the API holds the queue full"
    # Bounded: the queue (2 calls) plus the in-flight batches of 500 KB (about 25 calls each).
    assert calls < BLOCKING_CALLS
    transport.opened.set()
    thread.join(5)
    assert calls == BLOCKING_CALLS
    assert sender.close(timeout=5).pending == 0
    assert [m["event"] for m in transport.messages] == [f"E{n}" for n in range(BLOCKING_CALLS)]


def test_flush_returns_by_its_deadline_and_says_what_is_pending(tmp_path: Path) -> None:
    transport = Gate()
    dead = tmp_path / "dead.jsonl"
    sender = client_with(transport).buffered(workers=1, dead_letters=dead)
    for number in range(5):
        sender.track("1", f"E{number}")
    started = time.monotonic()
    result = sender.flush(timeout=0.2)
    assert 0.15 <= time.monotonic() - started < 1.0
    assert (result.pending, result.timed_out, result.done) == (5, True, False)
    result = sender.close(timeout=0.1)
    assert result.pending == 5
    # Nothing is lost silently: every undelivered message is a dead letter.
    letters = list(JsonLinesDeadLetterStore(dead))
    assert sorted(letter.payload()["event"] for letter in letters) == [f"E{n}" for n in range(5)]
    transport.opened.set()


def test_flush_waits_for_acknowledgement() -> None:
    transport = RecordingTransport()
    sender = client_with(transport).buffered(flush_interval=30)
    for number in range(100):
        sender.track(str(number % 3), "E", {"n": number})
    result = sender.flush(timeout=5)
    assert (result.pending, result.sent, result.timed_out) == (0, 100, False)
    assert len(transport.messages) == 100
    sender.close()


def test_outbox_keeps_messages_until_acknowledged_and_a_new_sender_sends_them(
    tmp_path: Path,
) -> None:
    path = tmp_path / "outbox.db"
    stuck = Gate()
    first = client_with(stuck).buffered(outbox=path, workers=1)
    sent = [Track(user_id="1", event=f"E{n}") for n in range(20)]
    for message in sent:
        first.send(message)
    assert len(Outbox(path)) == 20  # written before send() returned
    assert first.close(timeout=0.2).pending == 20
    stuck.opened.set()

    transport = RecordingTransport()
    with client_with(transport).buffered(outbox=path) as second:
        second.track("2", "After restart")
    resent = [m["messageId"] for m in transport.messages if m["userId"] == "1"]
    assert resent == [m.message_id for m in sent]
    assert [m["event"] for m in transport.messages if m["userId"] == "2"] == ["After restart"]
    assert len(Outbox(path)) == 0


def test_outbox_mode_validates_on_the_callers_thread(tmp_path: Path) -> None:
    with client_with(RecordingTransport()).buffered(outbox=tmp_path / "o.db") as sender:
        with pytest.raises(ValidationError):
            sender.track(None, "Nobody")
        with pytest.raises(ValidationError):
            sender.send({"type": "identify"})


def test_failed_messages_in_outbox_mode_move_to_its_dead_letter_table(tmp_path: Path) -> None:
    path = tmp_path / "o.db"
    transport = RecordingTransport(default_status=503)
    with client_with(transport).buffered(outbox=path) as sender:
        sender.track("1", "E")
    outbox = Outbox(path)
    assert (outbox.stats().pending, outbox.stats().dead_letters) == (0, 1)
    (letter,) = outbox.dead_letter_store
    assert (letter.status, letter.payload()["event"]) == (503, "E")
