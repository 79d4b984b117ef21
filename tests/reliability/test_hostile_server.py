"""The hostile server itself: every behaviour the reliability suite relies on works."""

from __future__ import annotations

import time

import pytest
import requests
from requests.exceptions import ChunkedEncodingError

from tests.reliability._hostile import Answer, Reset, Silence, always, hostile_server

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(30)]

SHORT = 0.5


def test_any_status_headers_and_body() -> None:
    answer = Answer(418, b"teapot", headers={"X-Odd": "yes", "Retry-After": "inf"})
    with hostile_server(always(answer)) as server:
        response = requests.post(f"{server.url}/batch", data=b"{}", timeout=SHORT)
        assert server.requests[0].path == "/v1/batch"
    assert response.status_code == 418 and response.content == b"teapot"
    assert response.headers["X-Odd"] == "yes" and response.headers["Retry-After"] == "inf"


def test_truncated_body_reset_and_delay() -> None:
    truncated = always(Answer(200, b"x" * 100, truncate_at=10))
    with hostile_server(truncated) as server, pytest.raises(ChunkedEncodingError):
        requests.post(server.url, data=b"{}", timeout=SHORT)
    with hostile_server(always(Reset())) as server, pytest.raises(requests.ConnectionError):
        requests.post(server.url, data=b"{}", timeout=SHORT)
    with hostile_server(always(Answer(delay=SHORT))) as server:
        started = time.monotonic()
        assert requests.post(server.url, data=b"{}", timeout=5).status_code == 200
        assert time.monotonic() - started >= SHORT


def test_silence_times_out_and_stop_ends_it() -> None:
    started = time.monotonic()
    with hostile_server(always(Silence())) as server, pytest.raises(requests.ReadTimeout):
        requests.post(server.url, data=b"{}", timeout=SHORT)
    assert time.monotonic() - started < SHORT + 5  # stop() did not wait for the silence
