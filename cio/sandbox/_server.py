"""The HTTP layer of the sandbox: a threaded stdlib server speaking HTTP/1.1 keep-alive.

The handler only reads the request and writes the answer; :class:`Dispatcher` (the
sandbox) decides the answer. Every answer carries ``Content-Length`` so ``requests``
keeps its pooled connections open.
"""

from __future__ import annotations

import logging
import socket
import struct
import threading
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from cio._constants import CONTENT_TYPE_JSON, HEADER_CONTENT_LENGTH, HEADER_TRANSFER_ENCODING
from cio.sandbox._constants import SANDBOX_MAX_BODY_BYTES, SANDBOX_REQUEST_QUEUE_SIZE
from cio.sandbox._processing import error_body

__all__ = ["Dispatcher", "Reply", "SandboxHTTPServer"]

logger = logging.getLogger(__name__)

_LINGER_RESET = struct.pack("ii", 1, 0)  # SO_LINGER on, 0 s: close() sends RST
_HTTP_VERSION = "HTTP/1.1"
_UNKNOWN_REASON = "Error"


@dataclass(frozen=True, slots=True)
class Reply:
    """An answer: status, JSON body, extra headers; or ``reset`` to hang up instead."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = field(default=())
    reset: bool = False
    close: bool = False


class Dispatcher(Protocol):
    """Decides the answer to one request (implemented by the sandbox)."""

    def dispatch(self, method: str, path: str, headers: Any, body: bytes) -> Reply:
        """Answer ``method path`` with ``headers`` (an ``email.message.Message``) and ``body``."""
        ...

    def refuse(self, method: str, path: str, reply: Reply, size: int) -> None:
        """Record a request refused before its body could be read."""
        ...


class _Handler(BaseHTTPRequestHandler):
    protocol_version = _HTTP_VERSION
    disable_nagle_algorithm = True
    server: SandboxHTTPServer

    def do_POST(self) -> None:
        self._serve()

    def do_GET(self) -> None:
        self._serve()

    def do_PUT(self) -> None:
        self._serve()

    def do_PATCH(self) -> None:
        self._serve()

    def do_DELETE(self) -> None:
        self._serve()

    def do_HEAD(self) -> None:
        self._serve()

    def do_OPTIONS(self) -> None:
        self._serve()

    def _serve(self) -> None:
        path = self.path.split("?", 1)[0]
        body, refused = self._read_body()
        dispatcher = self.server.dispatcher
        if refused is not None:
            dispatcher.refuse(self.command, path, refused, body_size(self.headers))
            self._write(refused)
            return
        try:
            reply = dispatcher.dispatch(self.command, path, self.headers, body)
        except Exception:
            # A bug in the sandbox must show as a 500 (and in the log), not a hang-up.
            logger.exception("sandbox: failed to answer %s %s", self.command, path)
            reply = Reply(HTTPStatus.INTERNAL_SERVER_ERROR, _error(b"sandbox error"), close=True)
        if reply.reset:
            self.close_connection = True
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, _LINGER_RESET)
            return
        self._write(reply)

    def _read_body(self) -> tuple[bytes, Reply | None]:
        if self.headers.get(HEADER_TRANSFER_ENCODING):
            return b"", Reply(
                HTTPStatus.LENGTH_REQUIRED, _error(b"send a Content-Length"), close=True
            )
        raw = self.headers.get(HEADER_CONTENT_LENGTH)
        if raw is None:
            return b"", None
        try:
            length = int(raw)
        except ValueError:
            length = -1
        if length < 0:
            return b"", Reply(HTTPStatus.BAD_REQUEST, _error(b"invalid Content-Length"), close=True)
        if length > SANDBOX_MAX_BODY_BYTES:
            return b"", Reply(
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE, _error(b"body too large"), close=True
            )
        return self.rfile.read(length), None

    def _write(self, reply: Reply) -> None:
        lines = [
            f"{_HTTP_VERSION} {reply.status} {_reason_phrase(reply.status)}",
            f"Content-Type: {CONTENT_TYPE_JSON}",
            f"{HEADER_CONTENT_LENGTH}: {len(reply.body)}",
        ]
        lines.extend(f"{name}: {value}" for name, value in reply.headers)
        if reply.close:
            self.close_connection = True
            lines.append("Connection: close")
        head = ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")
        self.wfile.write(head if self.command == "HEAD" else head + reply.body)

    def log_message(self, format: str, *args: Any) -> None:
        logger.debug("sandbox http: " + format, *args)


def _reason_phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:  # a fault may use any 4xx/5xx, registered or not
        return _UNKNOWN_REASON


def _error(text: bytes) -> bytes:
    return error_body(text.decode("ascii"))


def body_size(headers: Any) -> int:
    """The declared body size, or 0 when missing or invalid.

    Parameters
    ----------
    headers : email.message.Message

    Returns
    -------
    int
    """
    try:
        return max(int(headers.get(HEADER_CONTENT_LENGTH, 0)), 0)
    except ValueError:
        return 0


class SandboxHTTPServer(ThreadingHTTPServer):
    """A thread per connection; remembers open connections so ``stop`` can close them.

    Parameters
    ----------
    address : tuple
        ``(host, port)`` to bind.
    dispatcher : Dispatcher
        Decides every answer.
    """

    daemon_threads = True
    request_queue_size = SANDBOX_REQUEST_QUEUE_SIZE

    def __init__(self, address: tuple[str, int], dispatcher: Dispatcher) -> None:
        self.dispatcher = dispatcher
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def process_request(self, request: Any, client_address: Any) -> None:
        """Remember the connection, then serve it on its own thread."""
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        """Forget the connection and close it."""
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        """Shut down every open connection, including idle keep-alive ones."""
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                logger.debug("sandbox: connection already closed")

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Log at DEBUG instead of printing a traceback (clients hang up all the time)."""
        logger.debug("sandbox: error while serving a connection", exc_info=True)
