"""Fault injection: each fault through the server, counters, run-time changes."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
import requests

from cio.errors import ConfigurationError, NetworkError, ServerError
from cio.models import Track
from cio.sandbox import (
    ConnectionReset,
    Delay,
    EnforceRateLimit,
    FailEveryNth,
    Fault,
    Outage,
    RateLimitWindow,
    Sandbox,
)
from tests.sandbox.conftest import KEY, Raw

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(30)]

TRACK = {"type": "track", "userId": "u1", "event": "Signed Up"}


@pytest.fixture
def faulty(request: pytest.FixtureRequest) -> Iterator[tuple[Sandbox, Raw]]:
    faults: tuple[Fault, ...] = request.param
    with Sandbox(api_key=KEY, faults=faults) as sandbox:
        raw = Raw(sandbox)
        yield sandbox, raw
        raw.close()


def statuses(raw: Raw, count: int) -> list[int]:
    return [raw.post("/track", TRACK).status_code for _ in range(count)]


@pytest.mark.parametrize("faulty", [(FailEveryNth(1, status=599),)], indirect=True)
def test_any_error_status_can_be_injected(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    response = raw.post("/track", TRACK)
    assert response.status_code == 599
    answer = response.json()
    assert (answer["success"], answer["error"]) == (False, "injected fault: FailEveryNth")
    # The documented error shape, and the keys the official Python libraries read.
    assert answer["meta"]["errors"] == ["injected fault: FailEveryNth"]
    assert answer["message"] == "injected fault: FailEveryNth"
    assert sandbox.messages == []


@pytest.mark.parametrize("faulty", [(FailEveryNth(3, status=502),)], indirect=True)
def test_fail_every_nth(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    assert statuses(raw, 7) == [200, 200, 502, 200, 200, 502, 200]
    assert len(sandbox.messages) == 5
    assert sandbox.faults_injected == 2
    assert [record.fault for record in sandbox.requests].count("FailEveryNth") == 2
    assert sandbox.summary().faults_injected == 2
    assert sandbox.summary().by_status == {200: 5, 502: 2}


@pytest.mark.parametrize("faulty", [(RateLimitWindow(0.3, retry_after=2),)], indirect=True)
def test_rate_limit_window(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    response = raw.post("/track", TRACK)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "2"
    assert sandbox.messages == []
    time.sleep(0.35)
    assert raw.post("/track", TRACK).status_code == 200
    assert sandbox.faults_injected == 1
    assert len(sandbox.messages) == 1


@pytest.mark.parametrize("faulty", [(Outage(0.3, start_after=0.2),)], indirect=True)
def test_outage_window(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    assert raw.post("/track", TRACK).status_code == 200
    time.sleep(0.25)
    assert statuses(raw, 2) == [503, 503]
    time.sleep(0.3)
    assert raw.post("/track", TRACK).status_code == 200
    assert sandbox.faults_injected == 2
    assert len(sandbox.messages) == 2


@pytest.mark.parametrize("faulty", [(Delay(0.2, every_nth=2),)], indirect=True)
def test_delay_then_normal_processing(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    started = time.monotonic()
    assert raw.post("/track", TRACK).status_code == 200
    fast = time.monotonic() - started
    assert raw.post("/track", TRACK).status_code == 200
    slow = time.monotonic() - started - fast
    assert slow >= 0.2 > fast
    assert len(sandbox.messages) == 2
    assert [record.fault for record in sandbox.requests] == [None, "Delay"]


@pytest.mark.parametrize("faulty", [(Delay(0.5),)], indirect=True)
def test_delay_longer_than_client_timeout_shows_a_duplicate(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    body = Track(user_id="u1", event="Signed Up", message_id="m-1").to_json()
    with pytest.raises(requests.Timeout):
        raw.post("/track", body, timeout=0.1)
    sandbox.set_faults()
    assert raw.post("/track", body).status_code == 200
    deadline = time.monotonic() + 5
    while len(sandbox.messages) < 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    summary = sandbox.summary()
    assert (summary.total, summary.unique_message_ids, summary.duplicates) == (2, 1, 1)


@pytest.mark.parametrize("faulty", [(ConnectionReset(2),)], indirect=True)
def test_connection_reset(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    assert raw.post("/track", TRACK).status_code == 200
    with pytest.raises(requests.ConnectionError):
        raw.post("/track", TRACK)
    assert raw.post("/track", TRACK).status_code == 200
    assert len(sandbox.messages) == 2
    reset = sandbox.requests[1]
    assert (reset.status, reset.fault) == (None, "ConnectionReset")
    assert sandbox.summary().by_status == {200: 2, 0: 1}


@pytest.mark.parametrize("faulty", [(EnforceRateLimit(limit=3, window=0.4),)], indirect=True)
def test_enforce_rate_limit(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    responses = [raw.post("/track", TRACK) for _ in range(5)]
    assert [response.status_code for response in responses] == [200, 200, 200, 429, 429]
    assert responses[3].headers["Retry-After"] == "1"
    time.sleep(0.45)
    assert raw.post("/track", TRACK).status_code == 200
    assert len(sandbox.messages) == 4
    assert sandbox.faults_injected == 2


def test_enforce_rate_limit_flag_uses_the_api_limit() -> None:
    sandbox = Sandbox(enforce_rate_limit=True)
    assert sandbox.faults == (EnforceRateLimit(limit=3000, window=3.0),)


@pytest.mark.parametrize("faulty", [(Delay(0.05), FailEveryNth(2))], indirect=True)
def test_faults_combine_in_order(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    assert statuses(raw, 2) == [200, 500]
    assert [record.fault for record in sandbox.requests] == ["Delay", "Delay+FailEveryNth"]
    assert sandbox.faults_injected == 3
    assert sandbox.fault_counts == ((Delay(0.05), 2), (FailEveryNth(2), 1))


@pytest.mark.parametrize("faulty", [(FailEveryNth(1),)], indirect=True)
def test_set_faults_and_reset(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, raw = faulty
    assert statuses(raw, 2) == [500, 500]
    sandbox.set_faults()
    assert statuses(raw, 1) == [200]
    assert sandbox.faults_injected == 2
    sandbox.set_faults(Outage(10, status=504))
    assert statuses(raw, 1) == [504]
    sandbox.reset()
    assert sandbox.faults_injected == 0
    assert sandbox.requests == [] and sandbox.messages == []
    assert statuses(raw, 1) == [504]


@pytest.mark.parametrize("faulty", [(FailEveryNth(2),)], indirect=True)
def test_client_retries_through_a_failure(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, _ = faulty
    with sandbox.client(max_retries=2) as client:
        client.post("/track", Track(user_id="u1", event="A", message_id="m1").to_json())
        response = client.post("/track", Track(user_id="u1", event="B", message_id="m2").to_json())
    assert response.attempts == 2
    summary = sandbox.summary()
    assert (summary.total, summary.duplicates, summary.faults_injected) == (2, 0, 1)


@pytest.mark.parametrize("faulty", [(ConnectionReset(1),)], indirect=True)
def test_client_sees_a_network_error_after_resets(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, _ = faulty
    with sandbox.client(max_retries=0) as client, pytest.raises(NetworkError):
        client.post("/track", Track(user_id="u1", event="A").to_json())
    assert sandbox.messages == []


@pytest.mark.parametrize("faulty", [(Outage(5),)], indirect=True)
def test_client_sees_a_server_error_in_an_outage(faulty: tuple[Sandbox, Raw]) -> None:
    sandbox, _ = faulty
    with sandbox.client(max_retries=0) as client, pytest.raises(ServerError) as caught:
        client.post("/track", Track(user_id="u1", event="A").to_json())
    assert caught.value.status_code == 503


@pytest.mark.parametrize(
    "build",
    [
        lambda: FailEveryNth(0),
        lambda: FailEveryNth(2, status=200),
        lambda: RateLimitWindow(-1),
        lambda: Outage(1, status=302),
        lambda: Outage(1, start_after=-1),
        lambda: Delay(-0.1),
        lambda: Delay(1, every_nth=0),
        lambda: ConnectionReset(0),
        lambda: EnforceRateLimit(limit=0),
        lambda: EnforceRateLimit(window=0),
    ],
)
def test_invalid_fault_arguments(build: object) -> None:
    with pytest.raises(ConfigurationError):
        build()  # type: ignore[operator]


def test_faults_are_frozen_and_comparable() -> None:
    fault = Outage(2.0)
    with pytest.raises(AttributeError):
        fault.seconds = 3.0  # type: ignore[misc]
    assert fault == Outage(2.0, status=503, start_after=0.0)
    assert isinstance(fault, Fault)
