"""The peer libraries' side of each scenario: customerio-cdp-analytics and Segment's.

Both share one design (a bounded in-memory queue drained by a consumer thread that posts
batches of up to 100 messages). They are driven through their public ``Client`` with
their default settings, except the queue size where a scenario says so. Imported only in
the peers' environment, where these packages are installed.
"""

from __future__ import annotations

import logging
import time
from typing import Any

import requests

from benchmarks._common import API_KEY, measured, order_events, percentile

PEERS = {
    "customerio-cdp-analytics": ("customerio.analytics", "customerio"),
    "segment-analytics-python": ("segment.analytics", "segment"),
}
# Large enough that a 100,000-event burst never fills the queue.
NO_DROP_QUEUE_SIZE = 1_000_000


def _client_class(library: str) -> Any:
    module_name, logger_name = PEERS[library]
    module = __import__(module_name, fromlist=["Client"])
    # A full queue logs one warning per dropped event; the drops are counted from the
    # return values instead, so keep stderr quiet.
    logging.getLogger(logger_name).setLevel(logging.CRITICAL)
    return module.Client


def _version(library: str) -> str:
    from importlib.metadata import version

    return version(library)


def _track(client: Any, event: dict[str, Any]) -> bool:
    ok, _ = client.track(
        user_id=event["userId"],
        event=event["event"],
        properties=event["properties"],
        timestamp=event["timestamp"],
    )
    return bool(ok)


def bulk(library: str, count: int, sink_url: str, *, queue_size: int | None) -> dict[str, Any]:
    """Scenario 1: enqueue ``count`` events, then flush until the queue is empty."""
    events = order_events(count)
    options: dict[str, Any] = {"host": sink_url}
    if queue_size is not None:
        options["max_queue_size"] = queue_size
    client = _client_class(library)(API_KEY, **options)
    with measured() as span:
        accepted = 0
        for event in events:
            accepted += _track(client, event)
        client.flush()
    client.join()
    return {
        "events": count,
        "accepted": accepted,
        "dropped": count - accepted,
        "failed": 0,
        **span.fields(),
        "version": _version(library),
    }


def buffered_track(library: str, count: int, sink_url: str) -> dict[str, Any]:
    """Scenario 3: time each ``track`` call on the caller's thread."""
    events = order_events(count)
    client = _client_class(library)(API_KEY, host=sink_url, max_queue_size=NO_DROP_QUEUE_SIZE)
    timings = []
    clock = time.perf_counter_ns
    accepted = 0
    for event in events:
        started = clock()
        accepted += _track(client, event)
        timings.append(clock() - started)
    client.flush()
    client.join()
    timings_us = sorted(value / 1000 for value in timings)
    return {
        "events": count,
        "accepted": accepted,
        "dropped": count - accepted,
        "p50_us": percentile(timings_us, 0.50),
        "p99_us": percentile(timings_us, 0.99),
        "mean_us": sum(timings_us) / len(timings_us),
        "version": _version(library),
    }


def single_call(library: str, count: int, sink_url: str, warmup: int) -> dict[str, Any]:
    """Scenario 4: synchronous mode, one blocking request per ``track``."""
    events = order_events(count + warmup)
    client = _client_class(library)(API_KEY, host=sink_url, sync_mode=True)
    for event in events[:warmup]:
        _track(client, event)
    timings = []
    clock = time.perf_counter_ns
    for event in events[warmup:]:
        started = clock()
        _track(client, event)
        timings.append(clock() - started)
    timings_us = sorted(value / 1000 for value in timings)
    return {
        "events": count + warmup,
        "p50_us": percentile(timings_us, 0.50),
        "p99_us": percentile(timings_us, 0.99),
        "mean_us": sum(timings_us) / len(timings_us),
        "version": _version(library),
        "requests_version": requests.__version__,
    }
