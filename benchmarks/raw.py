"""Baselines with no client library: what the wire and ``requests`` cost on their own.

* Bulk lower bound: the events are serialized and packed into ~500 KB batch bodies before
  the clock starts; the timed part only posts them, one after another, over a single
  keep-alive ``requests.Session``.
* Single call: the same bytes a client would send for one event, posted with a
  keep-alive ``requests.Session`` and with a bare ``requests.post`` (new connection each
  time).
"""

from __future__ import annotations

import time
from typing import Any

import requests

from benchmarks._common import API_KEY, measured, order_events, percentile, wire_json

BATCH_LIMIT_BYTES = 500 * 1000
ENVELOPE_PREFIX = b'{"batch":['
ENVELOPE_SUFFIX = b"]}"
HEADERS = {"Content-Type": "application/json"}


def pack_batches(encoded: list[bytes], limit: int = BATCH_LIMIT_BYTES) -> list[bytes]:
    """Greedy packing of encoded messages into batch bodies of at most ``limit`` bytes."""
    bodies: list[bytes] = []
    current: list[bytes] = []
    size = len(ENVELOPE_PREFIX) + len(ENVELOPE_SUFFIX)
    for item in encoded:
        extra = len(item) + (1 if current else 0)
        if current and size + extra > limit:
            bodies.append(ENVELOPE_PREFIX + b",".join(current) + ENVELOPE_SUFFIX)
            current, size = [], len(ENVELOPE_PREFIX) + len(ENVELOPE_SUFFIX)
            extra = len(item)
        current.append(item)
        size += extra
    if current:
        bodies.append(ENVELOPE_PREFIX + b",".join(current) + ENVELOPE_SUFFIX)
    return bodies


def bulk(count: int, sink_url: str) -> dict[str, Any]:
    """Scenario 1 lower bound: post pre-serialized batches over one session."""
    bodies = pack_batches([wire_json(event) for event in order_events(count)])
    session = requests.Session()
    session.auth = (API_KEY, "")
    url = sink_url + "/v1/batch"
    with measured() as span:
        for body in bodies:
            answer = session.post(url, data=body, headers=HEADERS, timeout=30)
            answer.raise_for_status()
    session.close()
    return {
        "events": count,
        "accepted": count,
        "dropped": 0,
        "failed": 0,
        **span.fields(),
        "client_requests": len(bodies),
        "client_bytes": sum(map(len, bodies)),
        "version": requests.__version__,
    }


def single_call(count: int, sink_url: str, warmup: int, *, keep_alive: bool) -> dict[str, Any]:
    """Scenario 4 baseline: one event's bytes per request, timed per call."""
    events = order_events(count + warmup)
    bodies = [wire_json(event) for event in events]
    url = sink_url + "/v1/track"
    session = requests.Session()
    post = session.post if keep_alive else requests.post
    auth = (API_KEY, "")
    for body in bodies[:warmup]:
        post(url, data=body, headers=HEADERS, auth=auth, timeout=30).raise_for_status()
    timings = []
    clock = time.perf_counter_ns
    for body in bodies[warmup:]:
        started = clock()
        post(url, data=body, headers=HEADERS, auth=auth, timeout=30).raise_for_status()
        timings.append(clock() - started)
    session.close()
    timings_us = sorted(value / 1000 for value in timings)
    return {
        "events": count + warmup,
        "p50_us": percentile(timings_us, 0.50),
        "p99_us": percentile(timings_us, 0.99),
        "mean_us": sum(timings_us) / len(timings_us),
        "version": requests.__version__,
    }
