from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cio import CustomerIOClient, NetworkError, Response, ServerError, Settings
from cio._retry import (
    RetryingTransport,
    RetryPolicy,
    backoff_delay,
    parse_retry_after,
    retry_delay,
    should_retry,
)
from cio.errors import error_for_status

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


# The policy as data, and the client applying it around any transport ----------------------


class _Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class _ScriptedTransport:
    """A user's transport: one attempt per call, answering from a script of outcomes."""

    def __init__(self, *outcomes: int | Exception) -> None:
        self.outcomes = list(outcomes)
        self.calls = 0

    def send(self, path: str, body: bytes) -> Response:
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else 200
        if isinstance(outcome, Exception):
            raise outcome
        if outcome >= 400:
            raise error_for_status(outcome, path=path, retry_after=None)
        return Response(status_code=outcome)

    def close(self) -> None:
        return None


def test_the_policy_is_frozen_data_built_from_the_settings() -> None:
    policy = RetryPolicy.from_settings(Settings(api_key="k", max_retries=2))
    assert policy == RetryPolicy(max_retries=2)
    assert policy.retryable_statuses == frozenset(
        status for status in range(200, 600) if should_retry(status)
    )
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.max_retries = 5  # type: ignore[misc]
    with pytest.raises(ValueError, match="deadline"):
        RetryPolicy(deadline=float("inf"))


@pytest.mark.parametrize("value", ["61", "120", "1e12", "inf"])
def test_a_retry_after_beyond_the_cap_waits_the_cap(value: str) -> None:
    clock = _Clock()
    limited = error_for_status(429, retry_after=value)
    transport = _ScriptedTransport(limited)
    sender = RetryingTransport(
        transport, RetryPolicy(), sleep=clock.sleep, clock=lambda: clock.now, random=lambda: 0.0
    )
    assert sender.send("/track", b"{}").attempts == 2
    assert clock.sleeps == [RetryPolicy().retry_after_cap]
    assert RetryPolicy().retry_after_cap < RetryPolicy().deadline


def test_no_wait_is_started_that_would_end_after_the_deadline() -> None:
    clock = _Clock()
    transport = _ScriptedTransport(*[error_for_status(503)] * 10)
    policy = RetryPolicy(max_retries=9, backoff_base=4.0, backoff_cap=4.0, deadline=10.0)
    sender = RetryingTransport(
        transport, policy, sleep=clock.sleep, clock=lambda: clock.now, random=lambda: 1.0
    )
    with pytest.raises(ServerError) as caught:
        sender.send("/track", b"{}")
    assert clock.sleeps == [4.0, 4.0]  # a third wait of 4 s would end at 12 s
    assert caught.value.attempts == transport.calls == 3


def test_a_network_error_that_another_attempt_cannot_fix_is_not_retried() -> None:
    error = NetworkError("invalid URL")
    error.retryable = False
    transport = _ScriptedTransport(error)
    with pytest.raises(NetworkError):
        RetryingTransport(transport, RetryPolicy(), sleep=lambda _: None).send("/track", b"{}")
    assert transport.calls == 1


def test_a_custom_transport_gets_the_clients_retries_and_rate_limiter() -> None:
    transport = _ScriptedTransport(503, NetworkError("reset"), 200)
    policy = RetryPolicy(backoff_base=0.001, backoff_cap=0.001)
    client = CustomerIOClient(api_key="k", transport=transport, retry_policy=policy)
    taken: list[float] = []
    original = client.rate_limiter.acquire
    client.rate_limiter.acquire = lambda: taken.append(original()) or 0.0  # type: ignore[method-assign]
    result = client.track("u1", "Signed Up")
    assert (result.attempts, transport.calls, len(taken)) == (3, 3, 3)


def test_retries_are_off_with_max_retries_zero_or_a_transport_that_handles_them() -> None:
    transport = _ScriptedTransport(503)
    client = CustomerIOClient(api_key="k", transport=transport, max_retries=0)
    with pytest.raises(ServerError):
        client.track("u1", "Signed Up")
    assert transport.calls == 1

    class SelfRetrying(_ScriptedTransport):
        handles_retries = True

    own = SelfRetrying(503)
    client = CustomerIOClient(api_key="k", transport=own)
    with pytest.raises(ServerError):
        client.track("u1", "Signed Up")
    assert own.calls == 1
