"""Delivery over time: acknowledged, failed and retried counts in time slices, for charts.

The engine adds to a :class:`DeliveryTimeline` once per request (not per message), under
the lock it already holds, so keeping it costs a clock read and three list additions per
batch. Slices start at 10 ms; when a run outgrows :data:`MAX_SLICES` slices, neighbouring
slices are merged and the slice width doubles, so memory stays bounded however long the
run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import NamedTuple

__all__ = ["DeliveryPoint", "DeliveryTimeline"]

FIRST_SLICE_SECONDS = 0.01
MAX_SLICES = 2048
DEFAULT_POINTS = 60
# Shortest interval a point covers: a rate over one 10 ms slice (one batch acknowledged)
# would be a spike, not a throughput.
MIN_POINT_SECONDS = 0.1
# Requests a point averages over at least, for the same reason: with a few large requests,
# fewer and wider intervals show the trend instead of each acknowledgement.
MIN_REQUESTS_PER_POINT = 3


class DeliveryPoint(NamedTuple):
    """What happened during one interval of a delivery run.

    Parameters
    ----------
    start : float
        Seconds from the start of the run to the start of the interval.
    seconds : float
        The interval's length in seconds.
    sent : int
        Messages acknowledged by the API in the interval.
    failed : int
        Messages dead-lettered in the interval.
    retries : int
        Extra attempts (retried requests) in the interval.

    Example
    -------
    >>> DeliveryPoint(start=0.0, seconds=0.5, sent=100, failed=0, retries=1).rate
    200.0
    """

    start: float
    seconds: float
    sent: int
    failed: int
    retries: int

    @property
    def rate(self) -> float:
        """Acknowledged messages per second in the interval."""
        return self.sent / self.seconds if self.seconds > 0 else 0.0


class DeliveryTimeline:
    """Counts of a delivery run per time slice; not thread-safe (the engine's lock guards it).

    Parameters
    ----------
    clock : callable, optional
        Monotonic seconds; :func:`time.monotonic` by default.

    Example
    -------
    >>> ticks = iter([0.0, 0.25, 0.75])
    >>> timeline = DeliveryTimeline(clock=lambda: next(ticks))
    >>> timeline.add(sent=10)
    >>> timeline.add(sent=5, retries=1)
    >>> [(p.sent, p.retries) for p in timeline.points(max_points=2)]
    [(10, 0), (5, 1)]
    """

    __slots__ = ("_clock", "_failed", "_requests", "_retries", "_sent", "_start", "_width")

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._start = clock()
        self._width = FIRST_SLICE_SECONDS
        self._sent: list[int] = []
        self._failed: list[int] = []
        self._retries: list[int] = []
        self._requests = 0

    def add(self, *, sent: int = 0, failed: int = 0, retries: int = 0, requests: int = 0) -> None:
        """Count what one request achieved, at the current time.

        Parameters
        ----------
        sent, failed, retries : int
            Messages acknowledged, messages dead-lettered, extra attempts.
        requests : int
            Requests answered (they set how finely :meth:`points` slices the run).
        """
        self._requests += requests
        elapsed = self._clock() - self._start
        slot = int(elapsed / self._width)
        while slot >= MAX_SLICES:
            self._coarsen()
            slot = int(elapsed / self._width)
        missing = slot + 1 - len(self._sent)
        if missing > 0:
            padding = [0] * missing
            self._sent.extend(padding)
            self._failed.extend(padding)
            self._retries.extend(padding)
        self._sent[slot] += sent
        self._failed[slot] += failed
        self._retries[slot] += retries

    def _coarsen(self) -> None:
        def halve(values: list[int]) -> list[int]:
            return [sum(values[i : i + 2]) for i in range(0, len(values), 2)]

        self._sent = halve(self._sent)
        self._failed = halve(self._failed)
        self._retries = halve(self._retries)
        self._width *= 2

    def points(self, max_points: int = DEFAULT_POINTS) -> tuple[DeliveryPoint, ...]:
        """The run as at most ``max_points`` intervals, from the start to the last count.

        Each interval but the last (which ends with the last count) lasts at least 0.1 s
        and, when requests were counted, covers about three requests or more, so that a
        rate is a throughput rather than one answer.

        Parameters
        ----------
        max_points : int
            Largest number of intervals.

        Returns
        -------
        tuple of DeliveryPoint
            Empty when nothing was counted.
        """
        slices = len(self._sent)
        if slices == 0:
            return ()
        if self._requests:
            max_points = min(max_points, max(1, self._requests // MIN_REQUESTS_PER_POINT))
        group = max(-(-slices // max(1, max_points)), round(MIN_POINT_SECONDS / self._width))
        return tuple(
            DeliveryPoint(
                start=round(index * self._width, 6),
                # the last interval ends with the last count, not a full interval later
                seconds=min(group, slices - index) * self._width,
                sent=sum(self._sent[index : index + group]),
                failed=sum(self._failed[index : index + group]),
                retries=sum(self._retries[index : index + group]),
            )
            for index in range(0, slices, group)
        )
