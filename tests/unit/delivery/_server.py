"""A tiny recording API server on 127.0.0.1 for delivery tests (standard library only).

Every ``POST`` is parsed and its messages recorded in arrival order, with the time the
request arrived. ``answer(messages) -> status`` decides the status (200 by default) and
``delay`` (seconds, or a callable) slows answers down. ``hang`` makes it accept requests
and never answer, until the server stops.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[list[dict[str, Any]]], int]


@dataclass
class Arrival:
    path: str
    messages: list[dict[str, Any]]
    at: float
    status: int


@dataclass
class RecordingServer:
    answer: Answer = lambda messages: 200
    delay: float | Callable[[], float] = 0.0
    hang: bool = False
    arrivals: list[Arrival] = field(default_factory=list)
    url: str = ""
    lock: threading.Lock = field(default_factory=threading.Lock)
    stopping: threading.Event = field(default_factory=threading.Event)

    @property
    def delivered(self) -> list[dict[str, Any]]:
        """Messages of requests answered 2xx, in arrival order."""
        with self.lock:
            return [m for a in self.arrivals if a.status < 300 for m in a.messages]


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        state = self.server.state
        length = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(length)
        arrived = time.monotonic()
        if state.hang:
            state.stopping.wait(30)
            return
        data = json.loads(body)
        messages = list(data["batch"]) if "batch" in data else [data]
        delay = state.delay() if callable(state.delay) else state.delay
        if delay:
            time.sleep(delay)
        status = state.answer(messages)
        with state.lock:
            state.arrivals.append(Arrival(self.path, messages, arrived, status))
        payload = b'{"success":true}' if status < 300 else b'{"error":"refused"}'
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Keep test output quiet."""


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    state: RecordingServer


@contextmanager
def recording_server(**options: Any) -> Iterator[RecordingServer]:
    """Start a server on a free 127.0.0.1 port; ``state.url`` is its ``/v1`` root."""
    state = RecordingServer(**options)
    server = _Server(("127.0.0.1", 0), _Handler)
    server.state = state
    state.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02})
    thread.daemon = True
    thread.start()
    try:
        yield state
    finally:
        state.stopping.set()
        server.shutdown()
        server.server_close()
        thread.join(5)
