from __future__ import annotations

import threading
import time

import pytest

from cio._ratelimit import RateLimiter


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_allows_limit_then_waits_for_window() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=3, window=3.0, clock=clock, sleep=clock.sleep)
    assert [limiter.acquire() for _ in range(3)] == [0.0, 0.0, 0.0]
    clock.now = 1.0
    assert limiter.acquire() == pytest.approx(2.0)
    assert clock.now == pytest.approx(3.0)


def test_no_window_ever_exceeds_limit_fake_clock() -> None:
    clock = FakeClock()
    limiter = RateLimiter(limit=10, window=3.0, clock=clock, sleep=clock.sleep)
    stamps = []
    for i in range(100):
        clock.now += 0.05 * (i % 3)
        limiter.acquire()
        stamps.append(clock.now)
    for i, start in enumerate(stamps):
        in_window = [s for s in stamps[i:] if s - start < 3.0 - 1e-9]
        assert len(in_window) <= 10


def test_threads_never_exceed_limit_in_any_window() -> None:
    limiter = RateLimiter(limit=20, window=0.2)
    stamps: list[float] = []
    lock = threading.Lock()

    def worker() -> None:
        for _ in range(15):
            limiter.acquire()
            with lock:
                stamps.append(time.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stamps.sort()
    assert len(stamps) == 60
    for i, start in enumerate(stamps):
        assert sum(1 for s in stamps[i:] if s - start < 0.2 - 1e-3) <= 20


@pytest.mark.parametrize(("limit", "window"), [(0, 1.0), (1, 0.0)])
def test_rejects_nonsense(limit: int, window: float) -> None:
    with pytest.raises(ValueError):
        RateLimiter(limit=limit, window=window)
