"""The buffered sender against hostile callers: reused dicts, raising callbacks and Mappings."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import suppress
from typing import Any

import pytest

from cio import CustomerIOClient
from cio.delivery import DeliveryFailure
from cio.errors import CustomerIOError
from cio.testing import RecordingTransport

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(60)]

CALLS = 50


def _client() -> tuple[CustomerIOClient, RecordingTransport]:
    transport = RecordingTransport()
    return CustomerIOClient(api_key="test-key", transport=transport), transport


def test_a_reused_dict_is_sent_as_it_was_at_each_call() -> None:
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


class _Exploding(Mapping[str, Any]):
    """A Mapping whose reads raise (user code gone wrong)."""

    def __getitem__(self, key: str) -> Any:
        raise RuntimeError("user mapping broke")

    def __iter__(self) -> Iterator[str]:
        raise RuntimeError("user mapping broke")

    def __len__(self) -> int:
        return 1


def test_a_raising_on_error_callback_does_not_stop_delivery() -> None:
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
