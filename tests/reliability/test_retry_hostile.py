"""Retries against a hostile loopback server (not cio.sandbox): issue 15, items 9 and 10.

The server answers a script of replies, one per request: any status, any headers, any
body, and a body cut off mid-way (the Content-Length promises more than is sent before
the connection closes). Every test sends through a real client and socket.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest

from cio import CustomerIOClient, RateLimitError, RetryPolicy
from cio.models import Track

LOOPBACK = "127.0.0.1"
_ACCEPT_TIMEOUT = 0.05
_READ_CHUNK = 65536

pytestmark = pytest.mark.reliability


@dataclass
class Reply:
    """One scripted answer; ``cut`` sends only that many body bytes, then closes."""

    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b'{"success":true}'
    cut: int | None = None


class HostileServer:
    """A raw-socket HTTP/1.1 server on 127.0.0.1 that plays a script of replies."""

    def __init__(self, script: list[Reply]) -> None:
        self.script = list(script)
        self.bodies: list[bytes] = []
        self._socket = socket.create_server((LOOPBACK, 0))
        self._socket.settimeout(_ACCEPT_TIMEOUT)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self.url = f"http://{LOOPBACK}:{self._socket.getsockname()[1]}/v1"

    def __enter__(self) -> HostileServer:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._socket.close()

    def _serve(self) -> None:
        handlers: list[threading.Thread] = []
        while not self._stop.is_set():
            try:
                conn, _ = self._socket.accept()
            except TimeoutError:
                continue
            handler = threading.Thread(target=self._connection, args=(conn,), daemon=True)
            handler.start()
            handlers.append(handler)
        for handler in handlers:
            handler.join()

    def _connection(self, conn: socket.socket) -> None:
        conn.settimeout(_ACCEPT_TIMEOUT)
        with conn:
            while not self._stop.is_set():
                try:
                    if not self._answer(conn):
                        return
                except TimeoutError:
                    continue

    def _answer(self, conn: socket.socket) -> bool:
        data = conn.recv(_READ_CHUNK)
        if not data:
            return False
        conn.settimeout(None)
        while b"\r\n\r\n" not in data:
            chunk = conn.recv(_READ_CHUNK)
            if not chunk:
                return False
            data += chunk
        head, _, rest = data.partition(b"\r\n\r\n")
        length = next(
            int(line.split(b":", 1)[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length:")
        )
        while len(rest) < length:
            rest += conn.recv(_READ_CHUNK)
        with self._lock:
            self.bodies.append(rest[:length])
            reply = self.script.pop(0) if self.script else Reply()
        lines = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {len(reply.body)}"]
        lines += [f"{name}: {value}" for name, value in reply.headers.items()]
        body = reply.body if reply.cut is None else reply.body[: reply.cut]
        conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        conn.settimeout(_ACCEPT_TIMEOUT)
        return reply.cut is None


@contextmanager
def hostile(
    script: list[Reply], policy: RetryPolicy
) -> Iterator[tuple[HostileServer, CustomerIOClient]]:
    with HostileServer(script) as server:
        client = CustomerIOClient(api_key="key", base_url=server.url, retry_policy=policy)
        try:
            yield server, client
        finally:
            client.close()


FAST = RetryPolicy(
    max_retries=3, backoff_base=0.01, backoff_cap=0.01, retry_after_cap=0.05, deadline=5
)


@pytest.mark.parametrize("retry_after", ["61", "120", "1e12", "inf"])
def test_a_retry_after_beyond_the_cap_means_wait_the_cap_and_retry(retry_after: str) -> None:
    script = [Reply(429, {"Retry-After": retry_after}, b'{"error":"slow down"}')]
    with hostile(script, FAST) as (server, client):
        result = client.track("u1", "Signed Up")
    assert result.attempts == 2
    assert len(server.bodies) == 2


def test_retry_after_gives_up_only_when_the_deadline_allows_no_other_attempt() -> None:
    policy = RetryPolicy(max_retries=5, retry_after_cap=0.2, deadline=0.3)
    script = [Reply(429, {"Retry-After": "120"}, b"{}")] * 5
    with hostile(script, policy) as (server, client), pytest.raises(RateLimitError) as caught:
        client.track("u1", "Signed Up")
    assert caught.value.attempts == 2  # one wait of 0.2 s fits in 0.3 s, a second does not
    assert len(server.bodies) == 2


@pytest.mark.parametrize("status", [503, 200])
def test_a_response_cut_off_mid_body_is_retried_with_the_same_message_ids(status: int) -> None:
    script = [Reply(status, body=b'{"success":true,"padding":"' + b"x" * 500 + b'"}', cut=10)]
    with hostile(script, FAST) as (server, client):
        result = client.track("u1", "Signed Up")
    assert result.attempts == 2
    assert server.bodies[0] == server.bodies[1]
    assert json.loads(server.bodies[0])["messageId"] == result.message_id


def test_a_truncated_batch_answer_is_retried_and_nothing_is_dead_lettered() -> None:
    script = [
        Reply(503, body=b"{" + b" " * 200 + b"}", cut=5),
        Reply(200, body=b"{" + b" " * 200 + b"}", cut=5),
    ]
    messages = [Track(user_id=f"u{n}", event="Step") for n in range(20)]
    with hostile(script, FAST) as (server, client):
        report = client.batch.send(messages, workers=1)
    assert (report.sent, report.failed, report.retries) == (20, 0, 2)
    assert len(server.bodies) == 3 and len(set(server.bodies)) == 1
    sent = {m["messageId"] for m in json.loads(server.bodies[-1])["batch"]}
    assert sent == {m.message_id for m in messages}
