"""A thread-safe limiter allowing at most N requests in any window of W seconds.

The API's limit is 3000 requests per 3 seconds. A classic token bucket of capacity N
refilled at N/W per second can let through almost 2N requests in one window (a full
bucket plus a window of refill), so this limiter keeps the times of the last N
acquisitions instead (a sliding-window log): a request may go when fewer than N
happened in the last W seconds. That is exact, O(1) per request, and N floats of memory.
"""

from __future__ import annotations

import os
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable

from cio._constants import DEFAULT_RATE_LIMIT, RATE_LIMIT_WINDOW_SECONDS

__all__ = ["RateLimiter"]

_TOLERANCE_SECONDS = 1e-9


class RateLimiter:
    """At most ``limit`` acquisitions in any ``window`` seconds, shared across threads.

    Parameters
    ----------
    limit : int
        Requests allowed per window (3000 by default).
    window : float
        Window length in seconds (3 by default).
    clock : callable, optional
        Monotonic clock in seconds; injected by tests.
    sleep : callable, optional
        Sleep function; injected by tests.

    Example
    -------
    >>> limiter = RateLimiter(limit=2, window=1.0)
    >>> limiter.acquire(), limiter.acquire()
    (0.0, 0.0)
    """

    def __init__(
        self,
        limit: int = DEFAULT_RATE_LIMIT,
        window: float = RATE_LIMIT_WINDOW_SECONDS,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        if window <= 0:
            raise ValueError("window must be positive")
        self.limit = limit
        self.window = window
        self._clock = clock
        self._sleep = sleep
        self._stamps: deque[float] = deque()
        self._lock = threading.Lock()
        _new_lock_in_forked_children(self)

    def reset_after_fork(self) -> None:
        """Recreate the lock in a forked child (a parent's thread may have held it)."""
        self._lock = threading.Lock()

    def _reserve(self) -> float:
        """Record an acquisition now if allowed and return 0, else return the wait needed."""
        with self._lock:
            now = self._clock()
            stamps = self._stamps
            # A small tolerance keeps float rounding from leaving a wait of ~1e-16 s
            # that a clock can never advance past.
            while stamps and now - stamps[0] >= self.window - _TOLERANCE_SECONDS:
                stamps.popleft()
            if len(stamps) < self.limit:
                stamps.append(now)
                return 0.0
            return self.window - (now - stamps[0])

    def acquire(self) -> float:
        """Block until a request may be made; return the seconds spent waiting.

        Returns
        -------
        float
            Total time slept (0.0 when a slot was free).
        """
        waited = 0.0
        while True:
            wait = self._reserve()
            if wait <= 0:
                return waited
            self._sleep(wait)
            waited += wait


def _new_lock_in_forked_children(limiter: RateLimiter) -> None:
    """Give ``limiter`` a fresh lock in any child forked from this process."""
    if not hasattr(os, "register_at_fork"):
        return
    ref = weakref.ref(limiter)

    def reset() -> None:
        alive = ref()
        if alive is not None:
            alive.reset_after_fork()

    os.register_at_fork(after_in_child=reset)
