from __future__ import annotations

import base64
import logging
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import pytest
import requests
import requests_mock

from cio import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    NetworkError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
)
from cio._ratelimit import RateLimiter
from cio._retry import RetryingTransport, RetryPolicy
from cio._transport import HTTPTransport

BASE = "https://api.test/v1"
SECRET = "top-secret-key"
AUTH = "Basic " + base64.b64encode(f"{SECRET}:".encode()).decode()


class Waits:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


_POLICY_FIELDS = ("max_retries", "deadline", "retry_after_cap")


def make(waits: Waits, **kwargs: Any) -> RetryingTransport:
    """The HTTP transport inside the retry loop the client puts around it."""
    policy = RetryPolicy(
        **{"max_retries": 3, **{k: kwargs.pop(k) for k in _POLICY_FIELDS if k in kwargs}}
    )
    limiter = kwargs.pop("rate_limiter", None)
    return RetryingTransport(
        HTTPTransport(BASE, authorization=AUTH, **kwargs),
        policy,
        rate_limiter=limiter,
        sleep=waits.sleep,
        clock=waits.clock,
        random=lambda: 1.0,
    )


def test_sends_bytes_with_headers() -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=200, text="{}")
        response = make(waits, strict=True).send("/track", b'{"a":1}')
        sent = mock.request_history[0]
    assert response.status_code == 200 and response.attempts == 1
    assert sent.body == b'{"a":1}'
    assert sent.headers["Authorization"] == AUTH
    assert sent.headers["Content-Type"] == "application/json"
    assert sent.headers["User-Agent"].startswith("cio-python/")
    assert sent.headers["X-Strict-Mode"] == "1"


def test_no_strict_header_by_default() -> None:
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=200)
        make(Waits()).send("/track", b"{}")
        assert "X-Strict-Mode" not in mock.request_history[0].headers


@pytest.mark.parametrize(
    ("status", "error"),
    [
        (400, BadRequestError),
        (401, AuthenticationError),
        (403, AuthenticationError),
        (404, NotFoundError),
        (413, PayloadTooLargeError),
        (422, APIError),
        (429, RateLimitError),
        (500, ServerError),
        (501, ServerError),
        (503, ServerError),
    ],
)
def test_status_maps_to_error(status: int, error: type[APIError]) -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=status, text="x" * 2000)
        with pytest.raises(error) as info:
            make(waits).send("/track", b"{}")
    assert info.value.status_code == status
    assert len(info.value.body) <= 500
    assert SECRET not in str(info.value)


@pytest.mark.parametrize("status", [400, 401, 403, 404, 413, 422, 501, 505])
def test_non_retryable_statuses_are_tried_once(status: int) -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=status)
        with pytest.raises(APIError):
            make(waits).send("/track", b"{}")
        assert mock.call_count == 1
    assert waits.sleeps == []


def test_retries_then_succeeds_with_same_body() -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(
            f"{BASE}/batch",
            [{"status_code": 503}, {"status_code": 500}, {"status_code": 200}],
        )
        response = make(waits).send("/batch", b'{"messageId":"fixed"}')
        bodies = [request.body for request in mock.request_history]
    assert response.attempts == 3
    assert bodies == [b'{"messageId":"fixed"}'] * 3
    assert waits.sleeps == [0.5, 1.0]


def test_retry_after_seconds_is_honoured() -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(
            f"{BASE}/track",
            [{"status_code": 429, "headers": {"Retry-After": "4"}}, {"status_code": 200}],
        )
        make(waits).send("/track", b"{}")
    assert waits.sleeps == [4.0]


def test_retries_spent_raises_last_error() -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=429)
        with pytest.raises(RateLimitError) as info:
            make(waits, max_retries=2).send("/track", b"{}")
        assert mock.call_count == 3
    assert info.value.attempts == 3


def test_connection_errors_and_timeouts_are_retried_and_translated() -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(
            f"{BASE}/track",
            [{"exc": requests.ConnectionError("reset")}, {"exc": requests.ReadTimeout("slow")}],
        )
        with pytest.raises(RequestTimeoutError) as info:
            make(waits, max_retries=1).send("/track", b"{}")
    assert isinstance(info.value.__cause__, requests.ReadTimeout)
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", exc=requests.ConnectionError("refused"))
        with pytest.raises(NetworkError) as net:
            make(waits, max_retries=0).send("/track", b"{}")
    assert isinstance(net.value.__cause__, requests.ConnectionError)


def test_deadline_stops_retrying() -> None:
    waits = Waits()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=503)
        with pytest.raises(ServerError):
            make(waits, max_retries=50, deadline=10.0).send("/track", b"{}")
    assert sum(waits.sleeps) <= 10.0
    assert len(waits.sleeps) < 50


def test_rate_limiter_taken_for_every_attempt() -> None:
    waits = Waits()
    limiter = RateLimiter(limit=1000, window=3.0, clock=waits.clock, sleep=waits.sleep)
    taken: list[int] = []
    original = limiter.acquire

    def counting() -> float:
        taken.append(1)
        return original()

    limiter.acquire = counting  # type: ignore[method-assign]
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", [{"status_code": 500}, {"status_code": 200}])
        make(waits, rate_limiter=limiter).send("/track", b"{}")
    assert len(taken) == 2


def test_closed_transport_refuses() -> None:
    transport = make(Waits())
    transport.close()
    transport.close()
    with pytest.raises(ClientClosedError):
        transport.send("/track", b"{}")


def test_debug_logs_never_show_key_or_payload(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="cio"), requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", [{"status_code": 500}, {"status_code": 200}])
        make(Waits()).send("/track", b'{"traits":{"email":"ada@example.com"}}')
    text = caplog.text
    assert "POST /track status=500 attempt=1" in text
    assert "status=200 attempt=2" in text
    assert SECRET not in text and AUTH not in text
    assert "ada@example.com" not in text


def test_payload_logging_opt_in_masks_emails(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.DEBUG, logger="cio"), requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=200)
        make(Waits(), log_payloads=True).send("/track", b'{"email":"ada@example.com"}')
    assert "a***@example.com" in caplog.text
    assert "ada@example.com" not in caplog.text


# A real server on 127.0.0.1 proves the retry loop works on a socket, not only on mocks.
class _FlakyHandler(BaseHTTPRequestHandler):
    statuses: ClassVar[list[int]] = []
    bodies: ClassVar[list[bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers["Content-Length"])
        type(self).bodies.append(self.rfile.read(length))
        status = type(self).statuses.pop(0) if type(self).statuses else 200
        self.send_response(status)
        if status == 429:
            self.send_header("Retry-After", "0")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture
def flaky_server() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _FlakyHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/v1"
    server.shutdown()
    server.server_close()


def test_retries_against_a_real_loopback_server(flaky_server: str) -> None:
    _FlakyHandler.statuses = [503, 429, 200]
    _FlakyHandler.bodies = []
    waits = Waits()
    transport = RetryingTransport(
        HTTPTransport(flaky_server, authorization=AUTH),
        RetryPolicy(max_retries=3),
        sleep=waits.sleep,
        random=lambda: 0.0,
    )
    response = transport.send("/track", b'{"messageId":"m-1"}')
    assert response.attempts == 3
    assert _FlakyHandler.bodies == [b'{"messageId":"m-1"}'] * 3
    assert waits.sleeps == [0.25, 0.0]
    transport.close()


def test_connection_refused_is_network_error() -> None:
    transport = RetryingTransport(
        HTTPTransport("http://127.0.0.1:9/v1", authorization=AUTH),
        RetryPolicy(max_retries=1),
        sleep=lambda _: None,
    )
    with pytest.raises(NetworkError) as info:
        transport.send("/track", b"{}")
    assert info.value.attempts == 2


def test_proxy_and_ca_bundle_come_from_the_environment_once(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", "/etc/corporate-ca.pem")
    transport = make(Waits())
    monkeypatch.delenv("HTTPS_PROXY")
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=200)
        transport.send("/track", b"{}")
        sent = mock.request_history[0]
    assert sent.verify == "/etc/corporate-ca.pem"
    assert sent.proxies.get("https") == "http://proxy.internal:3128"


@pytest.mark.parametrize("value", ["", None])
def test_verification_stays_on_without_a_bundle(
    monkeypatch: pytest.MonkeyPatch, value: str | None
) -> None:
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    if value is None:
        monkeypatch.delenv("REQUESTS_CA_BUNDLE", raising=False)
    else:
        monkeypatch.setenv("REQUESTS_CA_BUNDLE", value)
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=200)
        make(Waits()).send("/track", b"{}")
        assert mock.request_history[0].verify is True


def test_no_proxy_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    monkeypatch.setenv("NO_PROXY", "api.test")
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", status_code=200)
        make(Waits()).send("/track", b"{}")
        assert not mock.request_history[0].proxies.get("https")


def test_retry_jitter_leaves_the_global_random_state_alone() -> None:
    import random

    state = random.getstate()
    with requests_mock.Mocker() as mock:
        mock.post(f"{BASE}/track", [{"status_code": 503}, {"status_code": 200}])
        RetryingTransport(
            HTTPTransport(BASE, authorization=AUTH), RetryPolicy(), sleep=lambda _: None
        ).send("/track", b"{}")
    assert random.getstate() == state


def test_reset_after_fork_only_acts_in_a_new_process() -> None:
    import os

    transport = make(Waits()).transport
    assert isinstance(transport, HTTPTransport)
    session = transport._session
    transport.reset_after_fork()
    assert transport._session is session  # same process: nothing to reset
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        first = transport._session  # the at-fork hook already gave the child a new pool
        transport.reset_after_fork()  # a second hook (a buffered sender's) is a no-op
        os.write(write_end, b"%d%d" % (first is not session, transport._session is first))
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end, "rb") as pipe:
        answer = pipe.read()
    os.waitpid(pid, 0)
    assert answer == b"11"
