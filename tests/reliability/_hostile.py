"""A hostile HTTP/1.1 server for the reliability suite, written apart from ``cio.sandbox``.

It binds 127.0.0.1 only and answers each request as a *plan* says: any status with any
headers and body, a body cut off mid-way, a delay, a connection reset, or no answer at
all. Everything is bounded in time: a silent or delayed answer ends when the server
stops, and :meth:`HostileServer.stop` closes every connection.

Example::

    def plan(number: int, request: Request) -> Action:
        return Reset() if number % 4 == 3 else Answer(200, body=b'{}')

    with hostile_server(plan) as server:
        client = CustomerIOClient(api_key="k", base_url=server.url)
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from typing import Any

LOOPBACK = "127.0.0.1"
_POLL_SECONDS = 0.05
_MAX_HEADER_BYTES = 64 * 1024
_LONGEST_HOLD_SECONDS = 60.0
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 429: "Too Many Requests"}


@dataclass(frozen=True)
class Request:
    """One request as received: method, path, headers (lower-case names) and body."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    received_at: float = 0.0

    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    def message_ids(self) -> list[str]:
        """The messageIds of a ``/batch`` body (or of a single message)."""
        data = self.json()
        messages = data["batch"] if isinstance(data, dict) and "batch" in data else [data]
        return [str(message.get("messageId")) for message in messages]


@dataclass(frozen=True)
class Answer:
    """Answer ``status`` with ``headers`` and ``body``.

    ``delay`` holds the answer back (seconds); ``truncate_at`` sends only that many body
    bytes (the Content-Length still announces the whole body), then closes.
    """

    status: int = 200
    body: bytes = b'{"success":true}'
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})
    delay: float = 0.0
    truncate_at: int | None = None


@dataclass(frozen=True)
class Reset:
    """Reset the connection (TCP RST) after reading the request, optionally after a delay."""

    delay: float = 0.0


@dataclass(frozen=True)
class Silence:
    """Never answer: hold the connection open until the server stops."""


Action = Answer | Reset | Silence
Plan = Callable[[int, Request], Action]


def always(action: Action) -> Plan:
    """A plan that answers every request with ``action``."""
    return lambda number, request: action


class HostileServer:
    """Serves ``plan`` on 127.0.0.1; records every request it read, in arrival order."""

    def __init__(self, plan: Plan) -> None:
        self.plan = plan
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((LOOPBACK, 0))
        self._listener.listen(128)
        self._listener.settimeout(_POLL_SECONDS)
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._requests: list[Request] = []
        self._actions: list[Action] = []
        self._connections: list[socket.socket] = []
        self._threads: list[threading.Thread] = []
        self._acceptor = threading.Thread(target=self._accept, name="hostile-accept", daemon=True)

    @property
    def url(self) -> str:
        """The API root (with ``/v1``) to give a client as ``base_url``."""
        port = self._listener.getsockname()[1]
        return f"http://{LOOPBACK}:{port}/v1"

    @property
    def requests(self) -> list[Request]:
        """Every request read so far."""
        with self._lock:
            return list(self._requests)

    def delivered_ids(self, since: int = 0) -> list[str]:
        """messageIds of the requests (from number ``since`` on) answered 2xx in full."""
        with self._lock:
            pairs = list(zip(self._requests, self._actions, strict=False))[since:]
        ids: list[str] = []
        for request, action in pairs:
            if isinstance(action, Answer) and action.status < 300 and action.truncate_at is None:
                ids.extend(request.message_ids())
        return ids

    def delivered_messages(self) -> list[dict[str, Any]]:
        """Every message of the requests that the plan answered 2xx in full."""
        with self._lock:
            pairs = list(zip(self._requests, self._actions, strict=False))
        found: list[dict[str, Any]] = []
        for request, action in pairs:
            if isinstance(action, Answer) and action.status < 300 and action.truncate_at is None:
                data = request.json()
                found.extend(
                    data["batch"] if isinstance(data, dict) and "batch" in data else [data]
                )
        return found

    def start(self) -> HostileServer:
        """Start accepting connections."""
        self._acceptor.start()
        return self

    def stop(self) -> None:
        """Stop: silent and delayed answers end, every connection is closed."""
        self._stop.set()
        self._acceptor.join(timeout=5)
        self._listener.close()
        with self._lock:
            connections = list(self._connections)
            threads = list(self._threads)
        for connection in connections:
            with suppress(OSError):
                connection.close()
        for thread in threads:
            thread.join(timeout=5)

    def _accept(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            thread = threading.Thread(
                target=self._serve, args=(connection,), name="hostile-conn", daemon=True
            )
            with self._lock:
                self._connections.append(connection)
                self._threads.append(thread)
            thread.start()

    def _serve(self, connection: socket.socket) -> None:
        connection.settimeout(_POLL_SECONDS)
        buffer = b""
        try:
            while not self._stop.is_set():
                request, buffer = self._read(connection, buffer)
                if request is None:
                    return
                with self._lock:
                    number = len(self._requests)
                    action = self.plan(number, request)
                    self._requests.append(request)
                    self._actions.append(action)
                if not self._act(connection, action):
                    return
        except OSError:
            return
        finally:
            with suppress(OSError):
                connection.close()

    def _read(self, connection: socket.socket, buffer: bytes) -> tuple[Request | None, bytes]:
        while b"\r\n\r\n" not in buffer:
            chunk = self._recv(connection)
            if not chunk or len(buffer) > _MAX_HEADER_BYTES:
                return None, b""
            buffer += chunk
        head, _, rest = buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        method, path, _ = lines[0].split(" ", 2)
        headers = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0"))
        while len(rest) < length:
            chunk = self._recv(connection)
            if not chunk:
                return None, b""
            rest += chunk
        return Request(method, path, headers, rest[:length], time.monotonic()), rest[length:]

    def _recv(self, connection: socket.socket) -> bytes:
        while not self._stop.is_set():
            try:
                return connection.recv(65536)
            except TimeoutError:
                continue
        return b""

    def _wait(self, seconds: float) -> bool:
        """Sleep ``seconds`` unless the server stops first; whether it is still running."""
        return not self._stop.wait(min(seconds, _LONGEST_HOLD_SECONDS))

    def _act(self, connection: socket.socket, action: Action) -> bool:
        if isinstance(action, Silence):
            self._wait(_LONGEST_HOLD_SECONDS)
            return False
        if isinstance(action, Reset):
            if action.delay and not self._wait(action.delay):
                return False
            connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            return False
        if action.delay and not self._wait(action.delay):
            return False
        reason = _REASONS.get(action.status, "Status")
        lines = [f"HTTP/1.1 {action.status} {reason}"]
        headers = {"Content-Length": str(len(action.body)), **action.headers}
        lines.extend(f"{name}: {value}" for name, value in headers.items())
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        body = action.body if action.truncate_at is None else action.body[: action.truncate_at]
        connection.sendall(head + body)
        return action.truncate_at is None


@contextmanager
def hostile_server(plan: Plan) -> Iterator[HostileServer]:
    """Run a :class:`HostileServer` for the duration of the block."""
    server = HostileServer(plan).start()
    try:
        yield server
    finally:
        server.stop()


def wait_until(condition: Callable[[], bool], timeout: float) -> bool:
    """Poll ``condition`` until it holds or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(_POLL_SECONDS)
    return condition()
