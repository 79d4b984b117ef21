"""Packing serialized messages into batch bodies that never exceed the API's limit."""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cio._constants import BATCH_ENVELOPE_PREFIX, BATCH_ENVELOPE_SUFFIX, MAX_BATCH_BYTES
from cio.batching import BatchPacker, batch_body, pack
from cio.errors import PayloadTooLargeError


def _message(size: int, number: int) -> bytes:
    """A JSON object of exactly ``size`` bytes (size >= 20) tagged with ``number``."""
    head = b'{"n":%d,"p":"' % number
    tail = b'"}'
    return head + b"x" * (size - len(head) - len(tail)) + tail


def test_body_is_the_envelope_around_comma_joined_messages() -> None:
    body = batch_body([b'{"a":1}', b'{"b":2}'])
    assert body == b'{"batch":[{"a":1},{"b":2}]}'
    assert json.loads(body) == {"batch": [{"a": 1}, {"b": 2}]}


def test_packer_reports_the_exact_body_size() -> None:
    packer = BatchPacker()
    items = [_message(100, 1), _message(250, 2), _message(31, 3)]
    for item in items:
        assert packer.add(item) is None
    assert packer.size == len(batch_body(items))
    assert packer.drain().bodies == items
    assert packer.drain().bodies == []


def test_a_batch_filled_to_the_last_byte_is_kept_and_one_more_byte_starts_a_new_one() -> None:
    envelope = len(BATCH_ENVELOPE_PREFIX) + len(BATCH_ENVELOPE_SUFFIX)
    limit = 1000
    first = _message(500, 1)
    # Exactly fills the limit: envelope + 500 + comma + rest.
    exact = _message(limit - envelope - 500 - 1, 2)
    batches = list(pack([first, exact], max_bytes=limit))
    assert [len(batch_body(b)) for b in batches] == [limit]
    bigger = _message(limit - envelope - 500, 2)
    batches = list(pack([first, bigger], max_bytes=limit))
    assert [len(b) for b in batches] == [1, 1]


def test_an_item_that_cannot_fit_alone_is_refused() -> None:
    with pytest.raises(PayloadTooLargeError) as info:
        list(pack([_message(2000, 1)], max_bytes=1000))
    assert info.value.limit == 1000
    assert info.value.size == 2000 + len(BATCH_ENVELOPE_PREFIX) + len(BATCH_ENVELOPE_SUFFIX)


def test_empty_input_gives_no_batches() -> None:
    assert list(pack([])) == []


@settings(max_examples=60, deadline=None)
@given(
    sizes=st.lists(st.integers(min_value=20, max_value=32 * 1024), min_size=1, max_size=120),
    limit=st.sampled_from([MAX_BATCH_BYTES, 40_000, 70_000]),
)
def test_batches_never_exceed_the_limit_and_never_split_or_reorder(
    sizes: list[int], limit: int
) -> None:
    items = [_message(size, number) for number, size in enumerate(sizes)]
    batches = list(pack(items, max_bytes=limit))
    assert [item for batch in batches for item in batch] == items
    for batch in batches:
        body = batch_body(batch)
        assert len(body) <= limit
        assert [m["n"] for m in json.loads(body)["batch"]] == [
            json.loads(item)["n"] for item in batch
        ]
    # Greedy: a batch is closed only because the next message did not fit.
    for current, following in itertools.pairwise(batches):
        assert len(batch_body([*current, following[0]])) > limit


@settings(max_examples=25, deadline=None)
@given(pattern=st.lists(st.integers(min_value=20, max_value=1024), min_size=1, max_size=40))
def test_small_messages_fill_batches_at_least_95_percent(pattern: list[int]) -> None:
    # Repeat the drawn sizes until the input needs at least three batches.
    sizes = pattern * (3 * MAX_BATCH_BYTES // sum(pattern) + 1)
    items = [_message(size, number) for number, size in enumerate(sizes)]
    batches = list(pack(items))
    assert len(batches) >= 3
    for batch in batches[:-1]:
        assert len(batch_body(batch)) >= 0.95 * MAX_BATCH_BYTES


def test_a_message_too_large_alone_leaves_the_collected_batch_intact() -> None:
    packer = BatchPacker(max_bytes=1000)
    first = _message(300, 1)
    packer.add(first, "m-1", 0)
    with pytest.raises(PayloadTooLargeError):
        packer.add(_message(2000, 2), "m-2", 1)
    drained = packer.drain()
    assert (drained.bodies, drained.ids, drained.indices) == ([first], ["m-1"], [0])
    assert drained.size == len(drained.body())


def test_the_engine_packs_with_this_packer() -> None:
    from cio.delivery import DeliveryEngine, MemoryDeadLetterStore
    from cio.testing import RecordingTransport

    transport = RecordingTransport()
    engine = DeliveryEngine(
        transport.send, dead_letters=MemoryDeadLetterStore(), workers=1, max_bytes=1000
    )
    items = [_message(size, number) for number, size in enumerate([300, 400, 290, 500, 20])]
    for number, item in enumerate(items):
        engine.put(item, "same-user", f"m-{number}", number)
    engine.close()
    sent = [
        [json.dumps(m, separators=(",", ":")).encode() for m in r.messages]
        for r in transport.requests
    ]
    assert sent == list(pack(items, max_bytes=1000))
