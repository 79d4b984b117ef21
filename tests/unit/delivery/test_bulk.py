"""client.batch.send: validation once, byte-bounded batches, bisection, dead letters."""

from __future__ import annotations

import json
import math
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from cio import (
    AuthenticationError,
    BatchReport,
    CustomerIOClient,
    DeliveryError,
    PayloadTooLargeError,
    ServerError,
)
from cio._constants import MAX_BATCH_BYTES, PATH_BATCH
from cio._transport import Response
from cio.delivery import JsonLinesDeadLetterStore, MemoryDeadLetterStore
from cio.errors import BadRequestError, error_for_status
from cio.models import Identify, Track, encode_message
from cio.testing import RecordingTransport

SECRET = "secret-api-key-123"


def client_with(transport: object) -> CustomerIOClient:
    return CustomerIOClient(api_key=SECRET, transport=transport)  # type: ignore[arg-type]


def tracks(count: int, users: int = 10, size: int = 0) -> Iterator[Track]:
    for number in range(count):
        properties = {"n": number, "pad": "x" * size} if size else {"n": number}
        yield Track(
            user_id=f"user-{number % users}", event="Order Completed", properties=properties
        )


class ContentTransport:
    """Answers 400 for any request containing a message marked bad (like strict mode)."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.delivered: list[dict[str, object]] = []
        self.lock = threading.Lock()

    def send(self, path: str, body: bytes) -> Response:
        assert path == PATH_BATCH
        with self.lock:
            self.bodies.append(body)
        messages = json.loads(body)["batch"]
        if any(m.get("properties", {}).get("bad") for m in messages):
            error = error_for_status(400, '{"error":"invalid event"}', path=path)
            raise error
        with self.lock:
            self.delivered.extend(messages)
        return Response(200)

    def close(self) -> None:
        pass


def test_mixed_models_and_dicts_are_sent_once_each_in_batches() -> None:
    transport = RecordingTransport()
    messages: list[object] = [
        Identify(user_id="1", traits={"plan": "pro"}),
        {"type": "track", "userId": "1", "event": "Signed Up"},
        {"type": "page", "anonymous_id": "a-1", "name": "Home"},
        {"type": "alias", "userId": "1", "previousId": "a-1"},
    ]
    report = client_with(transport).batch.send(messages, workers=1)
    assert (report.sent, report.failed, report.rejected, report.requests) == (4, 0, 0, 1)
    assert [m["type"] for m in transport.messages] == ["identify", "track", "page", "alias"]
    assert report.bytes_sent == len(transport.requests[0].body)
    assert report.ok


def test_invalid_items_are_rejected_with_their_index_and_never_their_value() -> None:
    transport = RecordingTransport()
    messages: list[object] = [
        {"type": "identify", "userId": "ok-1"},
        {"type": "identify", "userId": "1", "traits": {"email": ["not-a-string-PRIVATE"]}},
        {"type": "track", "userId": "2"},
        42,
        {"type": "identify", "userId": "ok-2"},
    ]
    report = client_with(transport).batch.send(messages)
    assert (report.sent, report.rejected) == (2, 3)
    by_index = {failure.index: failure for failure in report.failures}
    assert sorted(by_index) == [1, 2, 3]
    field = by_index[2].details[0].field
    assert field.startswith("messages.2.") and field.endswith("event")
    assert all(f.error_type == "ValidationError" and f.rejected for f in report.failures)
    assert "PRIVATE" not in str(report.failures) + report._repr_html_()
    with pytest.raises(DeliveryError, match="3 of 5 messages not delivered") as info:
        report.raise_for_failures()
    assert "PRIVATE" not in str(info.value)
    assert info.value.report is report


def test_a_message_over_32_kb_is_rejected_before_sending_and_the_rest_go_through() -> None:
    transport = RecordingTransport()
    big = Track(user_id="1", event="Huge", properties={"blob": "x" * 40_000})
    report = client_with(transport).batch.send([Track(user_id="1", event="A"), big])
    assert (report.sent, report.rejected) == (1, 1)
    failure = report.failures[0]
    assert (failure.index, failure.message_id, failure.error_type) == (
        1,
        big.message_id,
        PayloadTooLargeError.__name__,
    )
    assert [m["event"] for m in transport.messages] == ["A"]


def test_every_body_is_within_the_limit_and_well_filled() -> None:
    transport = RecordingTransport()
    report = client_with(transport).batch.send(tracks(6000, users=3, size=400), workers=1)
    sizes = [len(request.body) for request in transport.requests]
    assert report.sent == 6000
    assert max(sizes) <= MAX_BATCH_BYTES
    assert all(size >= 0.95 * MAX_BATCH_BYTES for size in sizes[:-1])
    assert report.bytes_sent == sum(sizes)
    assert [m["properties"]["n"] for m in transport.messages] == list(range(6000))


@pytest.mark.parametrize(("count", "bad"), [(1000, [7]), (1000, [3, 500, 998]), (64, [0, 63])])
def test_a_400_is_bisected_until_only_the_bad_messages_fail(count: int, bad: list[int]) -> None:
    transport = ContentTransport()
    messages = [
        Track(user_id=f"u{n % 5}", event="E", properties={"n": n, "bad": n in bad})
        for n in range(count)
    ]
    report = client_with(transport).batch.send(messages, workers=1)
    assert report.sent == count - len(bad)
    assert report.failed == len(bad)
    assert sorted(f.index for f in report.failures if f.index is not None) == bad
    assert {f.status for f in report.failures} == {400}
    assert sorted(m["properties"]["n"] for m in transport.delivered) == sorted(
        set(range(count)) - set(bad)
    )
    # O(k log n): at most two requests per level of the halving tree for each bad message.
    assert report.requests == len(transport.bodies)
    assert report.requests <= 1 + 2 * len(bad) * math.ceil(math.log2(count))
    assert report.dead_letters is not None
    letters = list(report.dead_letters)
    assert sorted(letter.payload()["properties"]["n"] for letter in letters) == bad


def test_failed_batches_go_to_a_dead_letter_file_without_the_api_key(tmp_path: Path) -> None:
    transport = RecordingTransport(statuses=[503], default_status=200)
    path = tmp_path / "dead.jsonl"
    messages = list(tracks(10, users=1))
    report = client_with(transport).batch.send(
        messages, workers=1, max_in_flight=1, dead_letters=path
    )
    assert (report.sent, report.failed) == (0, 10)
    text = path.read_text()
    assert SECRET not in text
    letters = list(JsonLinesDeadLetterStore(path))
    assert [letter.message_id for letter in letters] == [m.message_id for m in messages]
    assert {(letter.status, letter.error_type) for letter in letters} == {(503, "ServerError")}
    assert letters[0].payload() == messages[0].to_payload()
    assert report.failures[0].error_type == ServerError.__name__


def test_an_authentication_error_stops_delivery_and_leaves_the_input_unread() -> None:
    transport = RecordingTransport(statuses=[401])
    consumed = 0

    def endless() -> Iterator[Track]:
        nonlocal consumed
        while True:
            consumed += 1
            yield Track(user_id=str(consumed % 50), event="E", properties={"pad": "x" * 200})

    store = MemoryDeadLetterStore()
    with pytest.raises(AuthenticationError):
        client_with(transport).batch.send(endless(), workers=2, dead_letters=store)
    assert 0 < consumed < 50_000
    assert len(store) > 0
    assert {letter.error_type for letter in store} == {"AuthenticationError"}


def test_memory_stays_bounded_a_generator_is_read_only_as_far_as_in_flight_allows() -> None:
    release = threading.Event()
    consumed = 0
    per_batch = 0

    class Blocking(RecordingTransport):
        def send(self, path: str, body: bytes) -> Response:
            release.wait(5)
            return super().send(path, body)

    def endless(limit: int) -> Iterator[Track]:
        nonlocal consumed
        for number in range(limit):
            consumed = number + 1
            yield Track(user_id=str(number % 8), event="E", properties={"pad": "x" * 1000})

    transport = Blocking()
    one = len(Track(user_id="0", event="E", properties={"pad": "x" * 1000}).to_json()) + 1
    per_batch = MAX_BATCH_BYTES // one
    result: list[BatchReport] = []
    thread = threading.Thread(
        target=lambda: result.append(
            client_with(transport).batch.send(endless(5_000), workers=2, max_in_flight=2)
        )
    )
    thread.start()
    try:
        deadline = threading.Event()
        deadline.wait(0.2)
        # Two lanes: each holds one batch in flight, one queued and one being packed.
        assert per_batch * 2 < consumed <= 2 * 3 * per_batch + 1
    finally:
        release.set()
        thread.join(10)
    assert consumed == 5_000
    assert result[0].sent == 5_000


def test_on_ack_gets_the_ids_of_each_acknowledged_batch() -> None:
    transport = RecordingTransport()
    acked: list[list[str]] = []
    lock = threading.Lock()

    def on_ack(ids: object) -> None:
        with lock:
            acked.append(list(ids))  # type: ignore[call-overload]

    messages = list(tracks(3000, users=20, size=300))
    report = client_with(transport).batch.send(messages, workers=3, on_ack=on_ack)
    assert report.sent == 3000
    assert len(acked) == report.requests
    assert sorted(i for ids in acked for i in ids) == sorted(m.message_id for m in messages)
    by_request = sorted(sorted(m["messageId"] for m in r.messages) for r in transport.requests)
    assert sorted(sorted(ids) for ids in acked) == by_request


def test_retries_and_requests_are_counted() -> None:
    class Retrying(RecordingTransport):
        def send(self, path: str, body: bytes) -> Response:
            super().send(path, body)
            return Response(200, attempts=3)

    report = client_with(Retrying()).batch.send(tracks(5), workers=1)
    assert (report.requests, report.retries) == (1, 2)
    assert "1 request(s) (2 retries)" in str(report)
    assert "<table>" in report._repr_html_()


def test_a_bad_request_of_one_message_is_not_retried_forever() -> None:
    transport = RecordingTransport(default_status=400)
    report = client_with(transport).batch.send(tracks(4, users=1), workers=1)
    assert report.failed == 4
    assert report.requests == 7  # 4 + 2 + 1: the halving tree of four messages
    assert {f.error_type for f in report.failures} == {BadRequestError.__name__}


def test_progress_bar_counts_events(capsys: pytest.CaptureFixture[str]) -> None:
    report = client_with(RecordingTransport()).batch.send(list(tracks(50)), progress=True)
    assert report.sent == 50
    assert "100%" in capsys.readouterr().err


def test_conveniences_build_identify_track_and_delete_messages() -> None:
    transport = RecordingTransport()
    client = client_with(transport)
    assert (
        client.batch.identify([{"user_id": "1", "traits": {"plan": "pro"}}, {"userId": "2"}]).sent
        == 2
    )
    report = client.batch.track([{"user_id": "1", "event": "Signed Up"}, {"user_id": "1"}])
    assert (report.sent, report.rejected, report.failures[0].index) == (1, 1, 1)
    assert client.batch.delete(["1", ""]).rejected == 1
    events = sorted((m["type"], m.get("event") or "") for m in transport.messages)
    assert events == [
        ("identify", ""),
        ("identify", ""),
        ("track", "Signed Up"),
        ("track", "User Deleted"),
    ]


def test_messages_encoded_ahead_are_sent_as_they_are() -> None:
    transport = RecordingTransport()
    encoded = encode_message({"type": "identify", "userId": "1", "traits": {"plan": "pro"}})
    report = client_with(transport).batch.send([encoded, {"type": "identify", "userId": "2"}])
    assert (report.sent, report.rejected) == (2, 0)
    assert json.loads(encoded.body) in transport.messages
