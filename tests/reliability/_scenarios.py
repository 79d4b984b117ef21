"""Running 5,000 numbered events through a faulty sandbox and counting what arrived.

Every event carries ``properties.seq``, its identity. The tally compares the sandbox's
accepted messages with what was sent: an event is *delivered* when its seq arrived, it
is *under several messageIds* when its seq arrived with two or more different ids (a
real duplicate event), and a *duplicate messageId* is a second acceptance of an id that
was already accepted (harmless: Customer.io drops it; only a timeout can cause it).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from email.message import Message as HeaderMessage
from pathlib import Path
from typing import Any

from cio import CustomerIOClient
from cio.delivery import BatchReport, FlushResult
from cio.models import Track
from cio.sandbox import Sandbox
from tests.reliability._canaries import API_KEY, EMAIL, PROPERTY_VALUE
from tests.reliability._report import EVENTS_PER_SCENARIO, ScenarioResult

EVENT_NAME = "Reliability Tick"
POISON_EVENT = "Poison Pill"
PADDING_BYTES = 2000  # about 22 full batches per 5,000 events, so faults hit many requests
USERS = 97
WORKERS = 4


def event_properties(seq: int) -> dict[str, Any]:
    """The properties of event ``seq``: its identity, canary personal data, padding."""
    return {"seq": seq, "ref": PROPERTY_VALUE, "contact": EMAIL, "note": "x" * PADDING_BYTES}


def user_of(seq: int) -> str:
    return f"user-{seq % USERS}"


def event_name(seq: int, poison_at: int | None) -> str:
    return POISON_EVENT if seq == poison_at else EVENT_NAME


def track_events(count: int, poison_at: int | None = None) -> Iterator[Track]:
    """Lazily built Track models for the bulk path."""
    for seq in range(count):
        yield Track(
            user_id=user_of(seq),
            event=event_name(seq, poison_at),
            properties=event_properties(seq),
        )


class PoisonSandbox(Sandbox):
    """A sandbox whose strict validation fails one particular event, as the API would.

    The client accepts the ``Poison Pill`` event; on arrival its name is blanked, so the
    sandbox's own strict-mode validation answers 400 for any batch holding it. This is
    the situation bisection exists for: one invalid event inside a large batch.
    """

    def dispatch(self, method: str, path: str, headers: HeaderMessage, body: bytes) -> Any:
        marker = f'"event":"{POISON_EVENT}"'.encode()
        return super().dispatch(method, path, headers, body.replace(marker, b'"event":" "'))


def client_for(sandbox: Sandbox, **overrides: Any) -> CustomerIOClient:
    """A client against ``sandbox`` with retry settings that outlast the faults."""
    options: dict[str, Any] = {"api_key": API_KEY, "base_url": sandbox.url, "max_retries": 10}
    options.update(overrides)
    return CustomerIOClient(**options)


@dataclass(frozen=True)
class Run:
    """What the calling code received from one path, and how long it took."""

    told: str
    failed: int
    wall_seconds: float
    report: BatchReport
    flush: FlushResult | None = None


def run_bulk(
    client: CustomerIOClient, dead_letters: Path, count: int, poison_at: int | None = None
) -> Run:
    """Send ``count`` events with ``client.batch.send``."""
    started = time.perf_counter()
    report = client.batch.send(
        track_events(count, poison_at), workers=WORKERS, dead_letters=dead_letters
    )
    wall = time.perf_counter() - started
    return Run(
        told="batch.send returned " + describe(report),
        failed=report.failed + report.rejected,
        wall_seconds=wall,
        report=report,
    )


def run_buffered(
    client: CustomerIOClient,
    dead_letters: Path,
    count: int,
    poison_at: int | None = None,
    close_timeout: float = 60.0,
) -> Run:
    """Send ``count`` events with ``client.buffered()``, then close it."""
    started = time.perf_counter()
    sender = client.buffered(dead_letters=dead_letters, workers=WORKERS, flush_interval=0.05)
    for seq in range(count):
        sender.track(user_of(seq), event_name(seq, poison_at), event_properties(seq))
    flush = sender.close(timeout=close_timeout)
    wall = time.perf_counter() - started
    report = sender.report()
    return Run(
        told=(
            f"close() returned pending={flush.pending}, timed_out={flush.timed_out}; "
            f"report(): {describe(report)}"
        ),
        failed=report.failed + report.rejected + flush.pending,
        wall_seconds=wall,
        report=report,
        flush=flush,
    )


def describe(report: BatchReport) -> str:
    """A short, stable account of a report for the results table."""
    text = (
        f"{report.sent} sent, {report.failed} failed, {report.rejected} rejected, "
        f"{report.requests} requests, {report.retries} retries"
    )
    if report.failures:
        first = report.failures[0]
        status = f" HTTP {first.status}" if first.status is not None else ""
        text += f"; failure: {first.error_type}{status} for message {first.index}"
    return text


@dataclass(frozen=True)
class Tally:
    """What the sandbox accepted, counted by event identity and by messageId."""

    delivered: int
    multi_id_events: int
    duplicate_ids: int
    seqs: frozenset[int]


def tally(messages: Iterable[Mapping[str, Any]]) -> Tally:
    ids_by_seq: dict[int, set[str]] = defaultdict(set)
    accepted = 0
    distinct_ids: set[str] = set()
    for message in messages:
        seq = message["properties"]["seq"]
        ids_by_seq[seq].add(message["messageId"])
        distinct_ids.add(message["messageId"])
        accepted += 1
    return Tally(
        delivered=len(ids_by_seq),
        multi_id_events=sum(1 for ids in ids_by_seq.values() if len(ids) > 1),
        duplicate_ids=accepted - len(distinct_ids),
        seqs=frozenset(ids_by_seq),
    )


def result_for(
    scenario: str,
    counted: Tally,
    *,
    wall_seconds: float,
    told: str,
    reported_lost: Sequence[int] = (),
    events: int = EVENTS_PER_SCENARIO,
) -> ScenarioResult:
    """Turn a tally into a table row; ``reported_lost`` are events the caller was told of."""
    unaccounted = set(range(events)) - counted.seqs - set(reported_lost)
    return ScenarioResult(
        scenario=scenario,
        events=events,
        delivered=counted.delivered,
        lost=len(unaccounted),
        multi_id_events=counted.multi_id_events,
        duplicate_ids=counted.duplicate_ids,
        wall_seconds=wall_seconds,
        told=told,
    )
