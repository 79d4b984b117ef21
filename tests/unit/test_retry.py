from __future__ import annotations

from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cio._retry import backoff_delay, parse_retry_after, retry_delay, should_retry

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=timezone.utc)


@pytest.mark.parametrize("status", range(200, 600))
def test_retry_table(status: int) -> None:
    expected = status in (408, 429) or (500 <= status <= 599 and status not in (501, 505))
    assert should_retry(status) is expected


def test_retry_after_seconds_and_date() -> None:
    assert parse_retry_after("3") == 3.0
    assert parse_retry_after("1.5") == 1.5
    later = format_datetime(NOW + timedelta(seconds=10), usegmt=True)
    assert parse_retry_after(later, now=lambda: NOW) == pytest.approx(10.0)
    past = format_datetime(NOW - timedelta(seconds=10), usegmt=True)
    assert parse_retry_after(past, now=lambda: NOW) == 0.0


@pytest.mark.parametrize("value", [None, "", "soon", "nan"])
def test_retry_after_unreadable(value: str | None) -> None:
    assert parse_retry_after(value) is None


def test_retry_after_is_capped() -> None:
    assert parse_retry_after("100000", cap=60) == 60
    assert parse_retry_after("-5") == 0.0


def test_retry_delay_prefers_retry_after() -> None:
    assert retry_delay(1, {"Retry-After": "7"}, random=lambda: 0.0) == 7.0
    assert retry_delay(1, {}, random=lambda: 0.0) == 0.25
    assert retry_delay(3, None, random=lambda: 1.0) == 2.0


@given(attempt=st.integers(min_value=1, max_value=50), jitter=st.floats(0, 1))
def test_backoff_bounds(attempt: int, jitter: float) -> None:
    ceiling = min(30.0, 0.5 * 2 ** (attempt - 1))
    delay = backoff_delay(attempt, random=lambda: jitter)
    assert ceiling / 2 <= delay <= ceiling


def test_backoff_grows_then_caps() -> None:
    delays = [backoff_delay(a, random=lambda: 1.0) for a in range(1, 10)]
    assert delays[:4] == [0.5, 1.0, 2.0, 4.0]
    assert delays[-1] == 30.0
