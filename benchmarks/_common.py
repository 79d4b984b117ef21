"""Workload data and measurement helpers shared by every library's worker.

Standard library only: the peers' environment imports this module too.
"""

from __future__ import annotations

import cProfile
import gc
import json
import random
import resource
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

# Library and scenario names, as they appear in RESULTS.md.
CIO = "cio"
RAW = "raw"
RAW_POST = "raw-requests.post"
SANDBOX = "sandbox"
PEERS = ("customerio-cdp-analytics", "segment-analytics-python")
BULK = "bulk"
BULK_DEFAULT_QUEUE = "bulk-default-queue"
BULK_MODELS = "bulk-models"  # scenario 1 with OrderCompleted models built in a list
BULK_MODELS_STREAM = "bulk-models-stream"  # ... streamed from a generator
BULK_ENCODED = "bulk-encoded"  # floor: the events already encoded (packing and sending alone)
BULK_PLAIN_STREAM = "bulk-plain-stream"  # floor: a plain pydantic model without checks, streamed
IMPORT_SMALL = "import-100k"
IMPORT_LARGE = "import-1m"
BUFFERED = "buffered"
SINGLE = "single"

EVENT_NAME = "Order Completed"
SEED = 20240611
API_KEY = "bench-key"
RESULT_PREFIX = "BENCH-RESULT "
BASE_TIME = datetime(2024, 6, 1, 12, 0, 0, tzinfo=timezone.utc)
CATEGORIES = ("books", "games", "garden", "kitchen", "music", "outdoor")
COUPONS = ("SUMMER10", "WELCOME", "VIP20", "")


def order_completed(index: int, rng: random.Random) -> dict[str, Any]:
    """One "Order Completed" event as a plain dict (wire spelling), 10 properties.

    Two products sit in a list, as the e-commerce spec describes them.
    """
    products = []
    subtotal = 0.0
    for position in range(2):
        price = round(rng.uniform(3, 120), 2)
        quantity = rng.randint(1, 4)
        subtotal += price * quantity
        products.append(
            {
                "product_id": f"sku-{rng.randint(1000, 99999)}",
                "sku": f"SKU-{rng.randint(100000, 999999)}",
                "name": f"Product {rng.randint(1, 5000)}",
                "category": rng.choice(CATEGORIES),
                "price": price,
                "quantity": quantity,
                "position": position + 1,
            }
        )
    shipping = round(rng.uniform(0, 15), 2)
    tax = round(subtotal * 0.08, 2)
    discount = round(rng.uniform(0, 10), 2)
    return {
        "type": "track",
        "userId": f"user-{index % 50_000}",
        "event": EVENT_NAME,
        "timestamp": BASE_TIME + timedelta(seconds=index),
        "properties": {
            "order_id": f"order-{index}",
            "checkout_id": f"checkout-{rng.randint(1, 10**9)}",
            "total": round(subtotal + shipping + tax - discount, 2),
            "revenue": round(subtotal, 2),
            "shipping": shipping,
            "tax": tax,
            "discount": discount,
            "coupon": rng.choice(COUPONS),
            "currency": "USD",
            "products": products,
        },
    }


def order_events(count: int, seed: int = SEED) -> list[dict[str, Any]]:
    """``count`` deterministic "Order Completed" dicts."""
    rng = random.Random(seed)
    return [order_completed(index, rng) for index in range(count)]


def wire_json(event: dict[str, Any], message_id: str | None = None) -> bytes:
    """The compact wire JSON of an event dict, with a fresh messageId (raw baseline)."""
    payload = dict(event)
    payload["messageId"] = message_id or str(uuid.uuid4())
    payload["timestamp"] = event["timestamp"].isoformat()
    return json.dumps(payload, separators=(",", ":")).encode()


def peak_rss_mb() -> float:
    """Peak resident set size of this process in MiB (ru_maxrss is KiB on Linux)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    divisor = 1024 * 1024 if sys.platform == "darwin" else 1024
    return peak / divisor


def current_rss_mb() -> float:
    """Resident set size of this process right now in MiB (Linux; 0.0 elsewhere)."""
    try:
        with open("/proc/self/statm", encoding="ascii") as statm:
            pages = int(statm.read().split()[1])
    except (OSError, IndexError, ValueError):
        return 0.0
    return pages * resource.getpagesize() / (1024 * 1024)


def cpu_seconds() -> float:
    """User plus system CPU time of this process, all threads."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


@dataclass
class Span:
    """Wall and CPU time of a measured region."""

    wall: float = 0.0
    cpu: float = 0.0
    rss_before_mb: float = 0.0

    def fields(self) -> dict[str, float]:
        """The span as result fields."""
        return {"wall_s": self.wall, "cpu_s": self.cpu, "rss_before_mb": self.rss_before_mb}


# Set by ``benchmarks.worker --profile``: then only the measured regions are profiled.
PROFILER: cProfile.Profile | None = None


@contextmanager
def measured() -> Iterator[Span]:
    """Measure wall and process CPU time of the ``with`` body (garbage collected first)."""
    gc.collect()
    span = Span(rss_before_mb=current_rss_mb())
    cpu0 = cpu_seconds()
    wall0 = time.perf_counter()
    if PROFILER is not None:
        PROFILER.enable()
    try:
        yield span
    finally:
        if PROFILER is not None:
            PROFILER.disable()
        span.wall = time.perf_counter() - wall0
        span.cpu = cpu_seconds() - cpu0


def percentile(sorted_values: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted values."""
    if not sorted_values:
        return float("nan")
    rank = min(len(sorted_values) - 1, max(0, round(fraction * len(sorted_values)) - 1))
    return sorted_values[rank]


def emit(result: dict[str, Any]) -> None:
    """Print the worker's result as one tagged JSON line for the runner."""
    result.setdefault("peak_rss_mb", peak_rss_mb())
    print(RESULT_PREFIX + json.dumps(result), flush=True)
