"""Delivery over time: the timeline the reports chart."""

from __future__ import annotations

from cio.delivery import BatchReport, DeliveryPoint, MemoryDeadLetterStore
from cio.delivery._timeline import MAX_SLICES, DeliveryTimeline
from cio.testing import RecordingTransport


class _Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_counts_land_in_their_interval_and_totals_are_kept() -> None:
    clock = _Clock()
    timeline = DeliveryTimeline(clock=clock)
    for second in range(10):
        clock.now = 100.0 + second + 0.5
        timeline.add(sent=100 * (second + 1), retries=second % 2, failed=1 if second == 9 else 0)
    points = timeline.points(max_points=10)
    assert len(points) == 10
    assert [p.sent for p in points] == [100 * (n + 1) for n in range(10)]
    assert sum(p.retries for p in points) == 5
    assert points[-1].failed == 1
    width = points[0].seconds
    assert all(p.seconds == width for p in points[:-1])
    assert points[-1].seconds <= width
    assert 0.9 <= width <= 1.0
    assert points[3].rate == 400 / width
    assert [p.start for p in points] == sorted(p.start for p in points)


def test_a_long_run_keeps_bounded_memory_and_every_count() -> None:
    clock = _Clock()
    timeline = DeliveryTimeline(clock=clock)
    for step in range(5000):
        clock.now = 100.0 + step * 0.7
        timeline.add(sent=1)
    assert len(timeline._sent) <= MAX_SLICES
    points = timeline.points()
    assert sum(p.sent for p in points) == 5000
    assert len(points) <= 60
    assert points[-1].start + points[-1].seconds >= 5000 * 0.7 - 1


def test_an_empty_run_has_no_points() -> None:
    assert DeliveryTimeline().points() == ()


def test_the_bulk_report_carries_the_timeline() -> None:
    from cio.delivery import send_messages

    transport = RecordingTransport()
    messages = [{"type": "track", "userId": str(n), "event": "Seen"} for n in range(500)]
    report = send_messages(
        transport.send, messages, dead_letters=MemoryDeadLetterStore(), workers=2
    )
    assert isinstance(report, BatchReport)
    assert report.timeline
    assert all(isinstance(point, DeliveryPoint) for point in report.timeline)
    assert sum(point.sent for point in report.timeline) == report.sent == 500


def test_few_large_requests_make_few_wide_points() -> None:
    clock = _Clock()
    timeline = DeliveryTimeline(clock=clock)
    for step in range(12):
        clock.now = 100.0 + step * 0.25
        timeline.add(sent=3000, requests=1)
    points = timeline.points()
    assert len(points) <= 4
    assert sum(p.sent for p in points) == 36_000


def test_a_short_run_is_one_point_as_long_as_the_run() -> None:
    clock = _Clock()
    timeline = DeliveryTimeline(clock=clock)
    clock.now = 100.025
    timeline.add(sent=30, requests=1)
    (point,) = timeline.points()
    assert point.seconds == 0.03
    assert point.rate == 1000.0
