"""Invalid messages never hold back valid ones, on the bulk path and the buffered sender."""

from __future__ import annotations

import math
from typing import Any

import pytest

from cio._constants import MAX_MESSAGE_BYTES
from cio.delivery import DeliveryFailure
from cio.models import Identify, Track
from cio.sandbox import Sandbox
from tests.reliability._canaries import API_KEY, EMAIL, TRAIT_VALUE
from tests.reliability._leakscan import check, report_texts, sandbox_texts
from tests.reliability._scenarios import client_for, tally

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.sandbox]

VALID = 200


def _valid(seq: int) -> Track:
    return Track(user_id=f"u{seq}", event="Tick", properties={"seq": seq, "contact": EMAIL})


# (input position, bad item, field the report must name)
BAD_ITEMS: list[tuple[int, Any, str]] = [
    (3, {"type": "identify", "userId": " ", "traits": {"email": EMAIL}}, "userId"),
    (17, {"type": "track", "userId": "u", "event": ""}, "event"),
    (40, {"type": "track", "event": "Tick", "properties": {"plan": TRAIT_VALUE}}, "userId"),
    (41, {"type": "identify", "userId": "u", "traits": {"email": [TRAIT_VALUE]}}, "traits"),
    (77, {"type": "track", "userId": "u", "event": "T", "properties": {"x": math.nan}}, "x"),
    (90, {"type": "nope", "userId": "u"}, "type"),
    (91, {"type": "identify", "userId": "u", "timestamp": 1700000000}, "timestamp"),
    (120, Track(user_id="u", event="Big", properties={"t": "x" * MAX_MESSAGE_BYTES}), ""),
]


def _mixed() -> list[Any]:
    items: list[Any] = [_valid(seq) for seq in range(VALID)]
    for position, item, _ in BAD_ITEMS:
        items.insert(position, item)
    return items


@pytest.mark.timeout(60)
def test_bulk_path_delivers_the_valid_and_locates_the_invalid() -> None:
    with Sandbox(api_key=API_KEY) as sandbox, client_for(sandbox) as client:
        report = client.batch.send(_mixed(), workers=2)
        counted = tally(sandbox.messages)
        readable = sandbox_texts(sandbox)
    assert counted.seqs == frozenset(range(VALID))
    assert report.sent == VALID and report.rejected == len(BAD_ITEMS) and report.failed == 0
    by_index = {failure.index: failure for failure in report.failures}
    assert set(by_index) == {position for position, _, _ in BAD_ITEMS}
    for position, _, field in BAD_ITEMS:
        failure = by_index[position]
        located = str(failure) + " ".join(str(detail) for detail in failure.details)
        assert f"message {position}" in str(failure)
        assert field in located, located
    assert by_index[120].error_type == "PayloadTooLargeError"
    check([*readable, *report_texts(report)])


@pytest.mark.timeout(60)
def test_buffered_sender_delivers_the_valid_and_reports_the_invalid() -> None:
    told: list[DeliveryFailure] = []
    with Sandbox(api_key=API_KEY) as sandbox, client_for(sandbox) as client:
        with client.buffered(flush_interval=0.05, on_error=told.append) as sender:
            for item in _mixed():
                sender.send(item)
            sender.identify(" ", {"email": EMAIL})  # keyword-call form, blank id
            sender.track("u", "", {"plan": TRAIT_VALUE})  # blank event name
        report = sender.report()
        counted = tally(
            message for message in sandbox.messages if "seq" in message.get("properties", {})
        )
        readable = sandbox_texts(sandbox)
    assert counted.seqs == frozenset(range(VALID))
    assert report.sent == VALID
    assert report.rejected == len(BAD_ITEMS) + 2 == len(told)
    assert all(failure.rejected for failure in told)
    check(
        [*readable, *report_texts(report), *((f"on_error {n}", str(f)) for n, f in enumerate(told))]
    )


def test_identify_with_the_canary_email_is_valid() -> None:
    assert Identify(user_id="u1", traits={"email": EMAIL}).traits == {"email": EMAIL}
