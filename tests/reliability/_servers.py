"""Small loopback servers for lifecycle tests (127.0.0.1 only, stopped by the tests)."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

LOOPBACK = "127.0.0.1"
POLL_SECONDS = 0.02


class _RecordingHandler(BaseHTTPRequestHandler):
    """Answers 200 to every POST and keeps the parsed bodies."""

    bodies: ClassVar[list[Any]]
    ports: ClassVar[list[int]]
    lock: ClassVar[threading.Lock]
    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(length)
        with self.lock:
            self.bodies.append(json.loads(raw))
            self.ports.append(self.client_address[1])
        payload = b'{"success":true}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, format: str, *args: Any) -> None:
        return


class RecordingServer:
    """A threading HTTP server on 127.0.0.1 that answers 200 and records JSON bodies."""

    def __init__(self) -> None:
        handler = type(
            "Handler", (_RecordingHandler,), {"bodies": [], "ports": [], "lock": threading.Lock()}
        )
        self._handler = handler
        self._server = ThreadingHTTPServer((LOOPBACK, 0), handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(POLL_SECONDS,), daemon=True
        )

    @property
    def url(self) -> str:
        """The API root (with ``/v1``) to give a client as ``base_url``."""
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    @property
    def bodies(self) -> list[Any]:
        """Every JSON body received, in arrival order."""
        with self._handler.lock:
            return list(self._handler.bodies)

    @property
    def ports(self) -> list[int]:
        """The client-side port of the connection each body came on, in the same order."""
        with self._handler.lock:
            return list(self._handler.ports)

    def start(self) -> RecordingServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)


@contextmanager
def recording_server() -> Iterator[RecordingServer]:
    """Run a :class:`RecordingServer` for the duration of the block."""
    server = RecordingServer().start()
    try:
        yield server
    finally:
        server.stop()


@contextmanager
def silent_server() -> Iterator[str]:
    """A socket that accepts connections (through the backlog) and never answers.

    Yields the API root URL. Requests to it time out rather than fail fast.
    """
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind((LOOPBACK, 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    try:
        yield f"http://{LOOPBACK}:{port}/v1"
    finally:
        listener.close()


def closed_port_url() -> str:
    """An API root on a loopback port nothing listens on (connections are refused)."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    probe.bind((LOOPBACK, 0))
    port = probe.getsockname()[1]
    probe.close()
    return f"http://{LOOPBACK}:{port}/v1"
