"""Constants of the delivery engine, buffered sender and outbox (:mod:`cio.delivery`)."""

from __future__ import annotations

from typing import Final

DEFAULT_MAX_WORKERS: Final = 4
"""Upper bound of the default worker count (the default is min(4, 2 * CPUs))."""
WORKERS_PER_CPU: Final = 2
DEFAULT_IN_FLIGHT_PER_WORKER: Final = 2
"""Packed batches allowed to wait per worker; bounds memory whatever the input size."""
MAX_REPORT_FAILURES: Final = 10_000
"""Failure records a BatchReport keeps (all are counted; dead letters keep every one)."""
DEFAULT_BUFFER_WAKE_AT: Final = 2_000
"""Queued calls that wake the buffered sender's thread before the interval is up."""
OUTBOX_BUSY_TIMEOUT_MS: Final = 5_000
OUTBOX_LOAD_ROWS: Final = 5_000
"""Outbox rows read per query when resending what a previous run left."""
MAX_TRACKED_GIVEN_IDS: Final = 100_000
"""Caller-given messageIds one batch.send remembers to warn about a reuse (bounds memory:
an import gives every row its own id)."""
