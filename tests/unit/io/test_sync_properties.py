"""Incremental sync against a model of what it must do, on generated runs.

Each example is a short history of one source, a CSV, JSON Lines or Parquet file (two to
four snapshots of a few keys, with repeated and empty keys, values that only change their
formatting, and rows the stand-in API refuses), synced in upsert or mirror mode after
each change. After every run the messages sent must be exactly those the model expects:

* every key that appears once, non-empty, and whose content differs from the last content
  the API acknowledged (or that was never acknowledged), once, under the messageId derived
  from its key and both contents;
* in mirror mode, the deletion of every acknowledged key missing from the source;
* nothing for a repeated or an empty key, and the counts in the report agree.

Refused rows are retried on the next run under the same messageId while their content
stays the same. Some runs are interrupted (Ctrl-C) part way and run again: the second run
sends what the first did not get acknowledged, under the same messageIds. Every history
runs three ways (candidates held, cells kept in the work table, the source read again), as
tests/unit/io/test_sync.py does, and half of them with the work table written a few rows
at a time (as a large source is).

Events are append-only: the same histories as event rows must send each event id once
ever, retrying a refused one under its messageId until it is acknowledged.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cio.io import content_hash, run_sync, sync_message_id
from tests.unit.io.test_sync import StandIn

pytestmark = pytest.mark.slow

KEYS = ("1", "2", "3", "4", "5", "")
PLANS = ("free", "pro", "bad")  # the stand-in refuses a person whose plan is "bad"
SCORES = ("1", "1.0", "2.5", "")  # "1" and "1.0" are the same value written two ways
REFUSED_PLAN = "bad"
EVENT_COLUMNS = {"user_id": "u", "event": "Signed Up"}  # event rows: the key is the event id

rows = st.lists(
    st.tuples(st.sampled_from(KEYS), st.sampled_from(PLANS), st.sampled_from(SCORES)),
    max_size=8,
)


def _write(
    folder: Path,
    fmt: str,
    snapshot: list[tuple[str, str, str]],
    key: str = "user_id",
    fixed: dict[str, str] | None = None,
) -> Path:
    """The snapshot as a CSV, JSON Lines or Parquet file: ``fixed`` columns (the same in
    every row), the key column, plan and score (as written in a CSV, a number otherwise)."""
    path = folder / f"source.{fmt}"
    constant = fixed or {}
    columns = [*constant, key, "plan", "score"]
    records = [
        {**constant, key: value, "plan": plan, "score": score if fmt == "csv" else _number(score)}
        for value, plan, score in snapshot
    ]
    if fmt == "csv":
        lines = [",".join(str(record[name]) for name in columns) + "\n" for record in records]
        path.write_text(",".join(columns) + "\n" + "".join(lines), encoding="utf-8")
    elif fmt == "jsonl":
        path.write_text("".join(json.dumps(record) + "\n" for record in records), "utf-8")
    else:
        types = {name: pa.string() for name in columns} | {"score": pa.float64()}
        schema = pa.schema([(name, types[name]) for name in columns])
        pq.write_table(pa.Table.from_pylist(records, schema=schema), path)
    return path


def _number(score: str) -> float | int | None:
    if not score:
        return None
    return float(score) if "." in score else int(score)


def _content(plan: str, score: str) -> tuple[str, float | None]:
    number = _number(score)
    return plan, None if number is None else float(number)


def _refused(message: dict[str, Any]) -> bool:
    return bool(message.get("traits", {}).get("plan") == REFUSED_PLAN)


class _Model:
    """What the API has acknowledged, per key: the content and the message that carried it."""

    def __init__(self) -> None:
        self.acked: dict[str, tuple[tuple[str, float | None], dict[str, Any]]] = {}
        self.refused_ids: dict[tuple[str, str | None, tuple[str, float | None]], str] = {}

    def record(self, messages: list[dict[str, Any]], contents: dict[str, Any]) -> None:
        """Check each message's derived messageId, then apply what the stand-in did."""
        for message in messages:
            key = message["userId"]
            if message["type"] == "track":
                assert message["event"] == "User Deleted"
                del self.acked[key]
                continue
            content = contents[key]
            known = self.acked.get(key)
            previous = content_hash(known[1]) if known else None
            assert message["messageId"] == sync_message_id(
                "identify", key, previous, content_hash(message)
            )
            if _refused(message):
                # Retried on later runs under the same messageId while neither the content
                # nor the acknowledged one before it changed (a deletion in between does).
                retry = (key, previous, content)
                assert (
                    self.refused_ids.setdefault(retry, message["messageId"]) == message["messageId"]
                )
            else:
                self.acked[key] = (content, message)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=st.lists(rows, min_size=2, max_size=4),
    mirror=st.booleans(),
    reading=st.sampled_from(["held", "kept cells", "second pass"]),
    small_writes=st.booleans(),
    fmt=st.sampled_from(["csv", "jsonl", "parquet"]),
    interrupts=st.lists(st.one_of(st.none(), st.integers(0, 6)), min_size=4, max_size=4),
)
# A row without a key between two keyed rows of one INSERT: their row numbers are not
# consecutive, and a second reading of the source must still find each by its number.
@example(
    history=[[], [("1", "free", "1"), ("", "free", "1"), ("2", "free", "1")]],
    mirror=False,
    reading="second pass",
    small_writes=True,
    fmt="csv",
    interrupts=[None] * 4,
)
# A refused change, its key deleted (mirror), then the same change again: a new messageId.
@example(
    history=[[("1", "free", "1")], [("1", "bad", "1")], [], [("1", "bad", "1")]],
    mirror=True,
    reading="held",
    small_writes=False,
    fmt="csv",
    interrupts=[None] * 4,
)
def test_each_run_sends_exactly_what_changed_since_the_last_acknowledgement(
    *,
    history: list[list[tuple[str, str, str]]],
    mirror: bool,
    reading: str,
    small_writes: bool,
    fmt: str,
    interrupts: list[int | None],
) -> None:
    model = _Model()
    options: dict[str, Any] = {"kind": "identify", "key": "user_id"}
    if mirror:
        options.update(mode="mirror", force=True)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        if reading != "kept cells":
            patch.setattr("cio.io._sync.KEEP_CELLS", False)
        if reading != "held":
            patch.setattr("cio.io._sync.MAX_HELD_ROWS", 0)
        if small_writes:
            # A few rows per work-table write and per INSERT, so that a tiny source
            # takes the paths a million rows take.
            patch.setattr("cio.io._sync.WORK_FLUSH_ROWS", 3)
            patch.setattr("cio.io._sync_state._SAFE_VARIABLES", 8)
        state = Path(folder) / "sync.db"
        for snapshot, interrupt in zip(history, interrupts, strict=False):
            source = _write(Path(folder), fmt, snapshot)
            seen = Counter(key for key, _, _ in snapshot if key)
            contents = {key: _content(plan, score) for key, plan, score in snapshot if key}
            if interrupt is not None:
                # Ctrl-C after the stand-in answered ``interrupt`` messages; then run again.
                crashing = StandIn(refuse=_refused, stop_after=interrupt)
                with contextlib.suppress(KeyboardInterrupt):
                    run_sync(crashing, source, state=state, **options)
                model.record(crashing.messages, contents)
            acked = model.acked
            once = {key for key, count in seen.items() if count == 1}
            expected = {key for key in once if key not in acked or acked[key][0] != contents[key]}
            gone = set(acked) - set(seen) if mirror else set()

            send = StandIn(refuse=_refused)
            report = run_sync(send, source, state=state, **options)

            upserts = [m for m in send.messages if m["type"] == "identify"]
            deletions = [m for m in send.messages if m["type"] == "track"]
            assert sorted(m["userId"] for m in upserts) == sorted(expected)
            assert sorted(m["userId"] for m in deletions) == sorted(gone)
            assert (report.new, report.changed, report.unchanged) == (
                len(expected - set(acked)),
                len(expected & set(acked)),
                len(once) - len(expected),
            )
            assert report.duplicate_keys == sum(1 for count in seen.values() if count > 1)
            assert report.empty_keys == sum(1 for key, _, _ in snapshot if not key)
            assert report.failed == sum(1 for m in upserts if _refused(m))
            model.record(send.messages, contents)


def _refused_event(message: dict[str, Any]) -> bool:
    return bool(message.get("properties", {}).get("plan") == REFUSED_PLAN)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    history=st.lists(rows, min_size=2, max_size=4),
    reading=st.sampled_from(["held", "kept cells", "second pass"]),
    fmt=st.sampled_from(["csv", "parquet"]),
)
def test_an_event_row_is_sent_once_ever_and_retried_until_acknowledged(
    history: list[list[tuple[str, str, str]]], reading: str, fmt: str
) -> None:
    acked: set[str] = set()
    first_ids: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as patch:
        if reading != "kept cells":
            patch.setattr("cio.io._sync.KEEP_CELLS", False)
        if reading != "held":
            patch.setattr("cio.io._sync.MAX_HELD_ROWS", 0)
        state = Path(folder) / "sync.db"
        for snapshot in history:
            source = _write(Path(folder), fmt, snapshot, key="event_id", fixed=EVENT_COLUMNS)
            seen = Counter(key for key, _, _ in snapshot if key)
            once = {key for key, count in seen.items() if count == 1}
            contents = {key: _content(plan, score) for key, plan, score in snapshot if key}
            expected = once - acked

            send = StandIn(refuse=_refused_event)
            report = run_sync(send, source, state=state, kind="events", key="event_id")

            # A CSV's event ids are read as numbers there (the key is their text).
            sent = [str(m["properties"]["event_id"]) for m in send.messages]
            assert sorted(sent) == sorted(expected)
            assert (report.new, report.changed, report.unchanged) == (
                len(expected),
                0,
                len(once) - len(expected),
            )
            for key, message in zip(sent, send.messages, strict=True):
                # Events are synced as the track calls they are.
                assert message["messageId"] == sync_message_id(
                    "track", key, None, content_hash(message)
                )
                if _refused_event(message):
                    # The same row, retried, keeps its messageId (a new content gets another).
                    first = first_ids.setdefault(f"{key}:{contents[key]}", message["messageId"])
                    assert first == message["messageId"]
                else:
                    acked.add(key)
