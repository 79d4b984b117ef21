"""``client.batch.send`` against hostile input and a hostile server.

Duplicate messageIds, Ctrl-C while workers send, and dead-letter stores that cannot
write. Each server here is the hostile server of ``_hostile.py`` (127.0.0.1 only).
"""

from __future__ import annotations

import errno
import logging
import os
import signal
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from cio import CustomerIOClient
from cio.delivery import DeadLetter, DeliveryInterrupted
from cio.models import Track
from cio.testing import RecordingTransport
from tests.reliability._hostile import Answer, Request, hostile_server
from tests.reliability._report import ResultBook, counted_result

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(60)]


def _client() -> tuple[CustomerIOClient, RecordingTransport]:
    transport = RecordingTransport()
    return CustomerIOClient(api_key="test-key", transport=transport), transport


def test_two_messages_with_one_message_id_are_named_in_a_warning(
    caplog: pytest.LogCaptureFixture, scenario_results: ResultBook
) -> None:
    started = time.perf_counter()
    client, transport = _client()
    messages: list[object] = [
        {"type": "track", "userId": "1", "event": "A", "messageId": "same-id"},
        {"type": "track", "userId": "2", "event": "B"},
        {"type": "track", "userId": "3", "event": "C", "messageId": "other-id"},
        Track(user_id="4", event="D", message_id="same-id"),
        {"type": "track", "userId": "5", "event": "E", "message_id": "other-id"},
    ]
    with caplog.at_level(logging.WARNING, logger="cio"):
        report = client.batch.send(messages)
    assert report.sent == len(messages)
    warnings = [r.getMessage() for r in caplog.records if "messageId" in r.getMessage()]
    assert len(warnings) == 1, caplog.text
    assert "messages 0 and 3" in warnings[0] and "messages 2 and 4" in warnings[0]
    assert "same-id" not in warnings[0]
    scenario_results.add(
        counted_result(
            "bulk/duplicate-message-ids",
            events=len(messages),
            delivered={str(number) for number in range(len(transport.messages))},
            reported=set(),
            wall_seconds=time.perf_counter() - started,
            told=f"batch.send returned {report.sent} sent; WARNING: {warnings[0]}",
        )
    )


def test_generated_message_ids_give_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = _client()
    messages = [{"type": "track", "userId": str(n), "event": "A"} for n in range(100)]
    with caplog.at_level(logging.WARNING, logger="cio"):
        client.batch.send(messages)
    assert not [r for r in caplog.records if "messageId" in r.getMessage()]


SLOW_ANSWER_SECONDS = 0.3
INTERRUPT_AFTER_SECONDS = 1.0
MESSAGES = 10_000
PADDING = "x" * 2000  # about 250 messages per batch: 40 batches, 6 s of answers


def _interrupt_later(seconds: float) -> threading.Timer:
    timer = threading.Timer(seconds, os.kill, args=(os.getpid(), signal.SIGINT))
    timer.start()
    return timer


@pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs SIGINT")
def test_ctrl_c_in_batch_send_stops_requests_and_says_what_was_acknowledged(
    scenario_results: ResultBook,
) -> None:
    messages = [
        {
            "type": "track",
            "userId": f"user-{n % 97}",
            "event": "E",
            "messageId": f"m-{n}",
            "properties": {"pad": PADDING},
        }
        for n in range(MESSAGES)
    ]
    with hostile_server(lambda number, request: Answer(delay=SLOW_ANSWER_SECONDS)) as server:
        client = CustomerIOClient(api_key="test-key", base_url=server.url)
        timer = _interrupt_later(INTERRUPT_AFTER_SECONDS)
        started = time.monotonic()
        with pytest.raises(KeyboardInterrupt) as caught:
            client.batch.send(messages, workers=2, max_in_flight=2)
        raised_at = time.monotonic()
        timer.join()
        time.sleep(SLOW_ANSWER_SECONDS * 3)  # anything still running would show up now
        requests = server.requests
        delivered = set(server.delivered_ids())
        client.close()
    assert raised_at - started < INTERRUPT_AFTER_SECONDS + 3
    assert isinstance(caught.value, DeliveryInterrupted)
    stop = caught.value
    assert not [r for r in requests if r.received_at > raised_at], "a request started after"
    letters = {letter.message_id: letter for letter in stop.report.dead_letters or ()}
    read = {f"m-{n}" for n in range(stop.next_index)}
    assert stop.report.sent + stop.report.failed > 0 and stop.next_index < MESSAGES
    # Every message read is acknowledged or dead-lettered; nothing beyond was sent.
    assert stop.report.sent + stop.report.failed >= stop.next_index
    assert delivered <= read
    assert read - delivered <= set(letters)
    in_flight = [letter for letter in letters.values() if "in flight" in letter.reason]
    assert len(in_flight) == stop.in_flight
    # Acknowledged messages are not dead-lettered, except those recorded as in flight.
    assert not (delivered & set(letters)) - {letter.message_id for letter in in_flight}
    unread = {f"m-{n}" for n in range(stop.next_index, MESSAGES)}
    scenario_results.add(
        counted_result(
            "bulk/ctrl-c-mid-send",
            events=MESSAGES,
            delivered=delivered,
            reported=set(letters) | unread,
            wall_seconds=raised_at - started,
            told=f"DeliveryInterrupted {raised_at - started - INTERRUPT_AFTER_SECONDS:.1f} s "
            f"after SIGINT: {stop}; no request started after it",
            deliveries=len(server.delivered_ids()),
        )
    )


class _FullDisk:
    """A dead-letter store on a full disk: every write fails."""

    def __init__(self) -> None:
        self.attempts = 0

    def add(self, letters: Sequence[DeadLetter]) -> None:
        self.attempts += 1
        raise OSError(errno.ENOSPC, "No space left on device")

    def __iter__(self) -> Iterator[DeadLetter]:
        return iter(())

    def __len__(self) -> int:
        return 0

    def close(self) -> None:
        return None


def _refuse_poison(number: int, request: Request) -> Answer:
    """400 for any batch holding the poison message (bisection isolates it), else 200."""
    if b'"poison"' in request.body:
        return Answer(400, b'{"errors":[{"field":"userId","reason":"refused"}]}')
    return Answer(200)


POISON_EVERY = 50
DISK_MESSAGES = 400


def _disk_messages() -> list[dict[str, object]]:
    return [
        {
            "type": "track",
            "userId": "poison" if n % POISON_EVERY == 0 else f"user-{n % 13}",
            "event": "E",
            "messageId": f"m-{n}",
        }
        for n in range(DISK_MESSAGES)
    ]


@pytest.mark.parametrize("where", ["full-disk", "not-a-directory"])
def test_a_dead_letter_store_that_cannot_write_never_stops_delivery(
    tmp_path: Path, where: str, scenario_results: ResultBook
) -> None:
    started = time.perf_counter()
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    store: object = _FullDisk() if where == "full-disk" else blocker / "dead.jsonl"
    with hostile_server(_refuse_poison) as server:
        client = CustomerIOClient(api_key="test-key", base_url=server.url, strict=True)
        report = client.batch.send(_disk_messages(), dead_letters=store, workers=2)  # type: ignore[arg-type]
        delivered = set(server.delivered_ids())
        client.close()
    poisoned = DISK_MESSAGES // POISON_EVERY
    assert len(delivered) == DISK_MESSAGES - poisoned
    assert report.sent == DISK_MESSAGES - poisoned and report.failed == poisoned
    assert sorted(letter.message_id for letter in report.unstored) == sorted(
        f"m-{n}" for n in range(0, DISK_MESSAGES, POISON_EVERY)
    )
    assert "could not be written" in str(report)
    scenario_results.add(
        counted_result(
            "bulk/dead-letters-disk-full"
            if where == "full-disk"
            else "bulk/dead-letters-not-writable",
            events=DISK_MESSAGES,
            delivered=delivered,
            reported={letter.message_id for letter in report.unstored},
            wall_seconds=time.perf_counter() - started,
            told=f"batch.send returned {report}",
        )
    )


def test_the_buffered_sender_keeps_delivering_when_dead_letters_cannot_be_written(
    tmp_path: Path, scenario_results: ResultBook
) -> None:
    started = time.perf_counter()
    blocker = tmp_path / "a-file"
    blocker.write_text("x", encoding="utf-8")
    with hostile_server(_refuse_poison) as server:
        client = CustomerIOClient(api_key="test-key", base_url=server.url, strict=True)
        sender = client.buffered(dead_letters=blocker / "dead.jsonl", flush_interval=0.05)
        for message in _disk_messages():
            sender.send(message)
        result = sender.close(timeout=20)
        report = sender.report()
        delivered = set(server.delivered_ids())
        client.close()
    poisoned = DISK_MESSAGES // POISON_EVERY
    assert len(delivered) == DISK_MESSAGES - poisoned
    assert result.pending == 0 and result.sent == DISK_MESSAGES - poisoned
    assert len(report.unstored) == poisoned
    scenario_results.add(
        counted_result(
            "buffered/dead-letters-not-writable",
            events=DISK_MESSAGES,
            delivered=delivered,
            reported={letter.message_id for letter in report.unstored},
            wall_seconds=time.perf_counter() - started,
            told=f"close() returned pending={result.pending}, sent={result.sent}, "
            f"failed={result.failed}; report(): {report}",
        )
    )


def test_a_failing_acknowledgement_record_never_stops_delivery() -> None:
    """An import's state file (or an outbox) that cannot be written: on_ack raises."""
    calls = []

    def state_on_full_disk(ids: Sequence[str]) -> None:
        calls.append(len(ids))
        raise OSError(errno.ENOSPC, "No space left on device")

    with hostile_server(lambda number, request: Answer(200)) as server:
        client = CustomerIOClient(api_key="test-key", base_url=server.url)
        report = client.batch.send(_disk_messages(), on_ack=state_on_full_disk, workers=2)
        delivered = set(server.delivered_ids())
        client.close()
    assert len(delivered) == DISK_MESSAGES and report.sent == DISK_MESSAGES
    assert report.unrecorded == sum(calls) == DISK_MESSAGES
    assert "could not be recorded" in str(report)


def test_reused_ids_are_tracked_in_bounded_memory(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    # An import of millions of rows gives every row its own messageId: remembering them
    # all to spot a reuse made peak memory grow with the input. Only the first ids are
    # remembered; a later message reusing one of them is still named.
    monkeypatch.setattr("cio.delivery._bulk.MAX_TRACKED_GIVEN_IDS", 3)
    client, _ = _client()
    messages = [
        {"type": "track", "userId": str(n), "event": "A", "messageId": f"m-{n}"} for n in range(6)
    ]
    messages += [
        {"type": "track", "userId": "x", "event": "A", "messageId": "m-1"},  # remembered
        {"type": "track", "userId": "y", "event": "A", "messageId": "m-5"},  # not remembered
    ]
    with caplog.at_level(logging.WARNING, logger="cio"):
        client.batch.send(messages)
    (warning,) = [r.getMessage() for r in caplog.records if "messageId" in r.getMessage()]
    assert "messages 1 and 6" in warning
    assert "and 7" not in warning
