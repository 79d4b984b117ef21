"""A fast counting HTTP sink on 127.0.0.1 for the benchmarks.

It runs in its own process (``python -m benchmarks.sink``) so its CPU time is not charged
to the client being measured. It speaks just enough HTTP/1.1 with keep-alive: every
``POST`` under ``/v1/`` (``/v1/batch`` and the single-call paths) is answered 200 and its
messages are counted by the ``"messageId"`` values in the body; duplicates are counted
apart so a retry can never hide a loss. Two control paths serve the runner:
``GET /__stats`` (JSON counters) and ``POST /__reset``.

Only the standard library is used, so it also runs under the peers' environment.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["SinkProcess", "SinkStats", "serve"]

HOST = "127.0.0.1"
STATS_PATH = "/__stats"
RESET_PATH = "/__reset"
API_PREFIX = "/v1/"
HEADER_END = b"\r\n\r\n"
CONTENT_LENGTH = b"content-length:"
CONNECTION_CLOSE = b"connection: close"
MESSAGE_ID = re.compile(rb'"messageId"\s*:\s*"([^"]*)"')
OK_BODY = b'{"success":true}'
READY_PREFIX = "SINK-PORT "
START_TIMEOUT_SECONDS = 15.0


def _response(status: str, body: bytes, *, close: bool = False) -> bytes:
    head = f"HTTP/1.1 {status}\r\nContent-Type: application/json\r\nContent-Length: {len(body)}\r\n"
    if close:
        head += "Connection: close\r\n"
    return head.encode("ascii") + b"\r\n" + body


OK_RESPONSE = _response("200 OK", OK_BODY)


@dataclass
class Counters:
    """What the sink has received since the last reset."""

    requests: int = 0
    messages: int = 0
    bytes: int = 0
    paths: dict[str, int] = field(default_factory=dict)
    seen: set[bytes] = field(default_factory=set)
    connections: int = 0
    first_at: float = 0.0
    last_at: float = 0.0

    def record(self, path: str, body: bytes) -> None:
        now = time.monotonic()
        if not self.requests:
            self.first_at = now
        self.last_at = now
        self.requests += 1
        self.bytes += len(body)
        self.paths[path] = self.paths.get(path, 0) + 1
        ids = MESSAGE_ID.findall(body)
        self.messages += len(ids)
        self.seen.update(ids)

    def reset(self) -> None:
        self.requests = self.messages = self.bytes = 0
        self.paths = {}
        self.seen = set()
        self.first_at = self.last_at = 0.0

    def snapshot(self) -> dict[str, Any]:
        return {
            "requests": self.requests,
            "messages": self.messages,
            "unique_messages": len(self.seen),
            "duplicates": self.messages - len(self.seen),
            "bytes": self.bytes,
            "paths": dict(self.paths),
            "connections": self.connections,
            "active_seconds": max(self.last_at - self.first_at, 0.0),
        }


class _SinkProtocol(asyncio.Protocol):
    """One keep-alive connection: parse requests as bytes arrive, answer each in order."""

    def __init__(self, counters: Counters) -> None:
        self.counters = counters
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None
        self.head_end = -1
        self.needed = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self.counters.connections += 1

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self._handle_one():
            pass

    def _handle_one(self) -> bool:
        buffer = self.buffer
        if self.head_end < 0:
            end = buffer.find(HEADER_END)
            if end < 0:
                return False
            self.head_end = end
            head = bytes(buffer[:end]).lower()
            start = head.find(CONTENT_LENGTH)
            length = 0
            if start >= 0:
                stop = head.find(b"\r\n", start)
                stop = len(head) if stop < 0 else stop
                length = int(head[start + len(CONTENT_LENGTH) : stop].strip() or b"0")
            self.needed = end + len(HEADER_END) + length
        if len(buffer) < self.needed:
            return False
        head_bytes = bytes(buffer[: self.head_end])
        body = bytes(buffer[self.head_end + len(HEADER_END) : self.needed])
        del buffer[: self.needed]
        self.head_end = -1
        self.needed = 0
        self._answer(head_bytes, body)
        return True

    def _answer(self, head: bytes, body: bytes) -> None:
        assert self.transport is not None
        request_line = head.split(b"\r\n", 1)[0].decode("latin-1")
        parts = request_line.split(" ")
        method, path = (parts[0], parts[1]) if len(parts) >= 2 else ("", "")
        close = CONNECTION_CLOSE in head.lower()
        if method == "POST" and path.startswith(API_PREFIX):
            self.counters.record(path, body)
            reply = _response("200 OK", OK_BODY, close=True) if close else OK_RESPONSE
        elif method == "GET" and path == STATS_PATH:
            reply = _response("200 OK", json.dumps(self.counters.snapshot()).encode(), close=close)
        elif method == "POST" and path == RESET_PATH:
            self.counters.reset()
            reply = _response("200 OK", b"{}", close=close)
        else:
            reply = _response("404 Not Found", b'{"error":"not found"}', close=close)
        self.transport.write(reply)
        if close:
            self.transport.close()


async def _serve(port: int, ready: Path | None) -> None:
    counters = Counters()
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: _SinkProtocol(counters), HOST, port, reuse_address=True, backlog=512
    )
    bound = server.sockets[0].getsockname()[1]
    print(f"{READY_PREFIX}{bound}", flush=True)
    if ready is not None:
        ready.write_text(str(bound))
    stop = asyncio.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    async with server:
        await stop.wait()


def serve(port: int = 0, ready: Path | None = None) -> None:
    """Run the sink until SIGTERM or SIGINT.

    Parameters
    ----------
    port : int
        Port on 127.0.0.1; 0 picks a free one (printed as ``SINK-PORT <n>``).
    ready : Path, optional
        File the chosen port is also written to.
    """
    asyncio.run(_serve(port, ready))


@dataclass(frozen=True)
class SinkStats:
    """Counters read from a running sink."""

    requests: int
    messages: int
    unique_messages: int
    duplicates: int
    bytes: int
    paths: dict[str, int]
    connections: int
    active_seconds: float


class SinkProcess:
    """Start the sink in a child process and talk to it.

    Parameters
    ----------
    python : str
        Interpreter to run it with.
    cwd : Path
        Directory containing the ``benchmarks`` package.

    Example
    -------
    ``with SinkProcess() as sink: sink.reset(); ...; sink.stats().unique_messages``
    """

    def __init__(self, python: str = sys.executable, cwd: Path | None = None) -> None:
        root = cwd or Path(__file__).resolve().parent.parent
        env = dict(os.environ)
        env["PYTHONPATH"] = str(root) + os.pathsep + env.get("PYTHONPATH", "")
        self._process = subprocess.Popen(
            [python, "-m", "benchmarks.sink", "--port", "0"],
            cwd=root,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        assert self._process.stdout is not None
        line = self._process.stdout.readline().strip()
        if not line.startswith(READY_PREFIX):
            self.close()
            raise RuntimeError(f"the sink did not start (said {line!r})")
        self.port = int(line[len(READY_PREFIX) :])
        self.url = f"http://{HOST}:{self.port}"
        self.pid = self._process.pid

    def __enter__(self) -> SinkProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _call(self, method: str, path: str) -> dict[str, Any]:
        request = urllib.request.Request(self.url + path, method=method, data=None)
        if method == "POST":
            request.data = b""
        with urllib.request.urlopen(request, timeout=START_TIMEOUT_SECONDS) as answer:
            return json.loads(answer.read())  # type: ignore[no-any-return]

    def stats(self) -> SinkStats:
        """The counters since the last reset."""
        return SinkStats(**self._call("GET", STATS_PATH))

    def reset(self) -> None:
        """Zero the counters and forget the message ids seen."""
        self._call("POST", RESET_PATH)

    def close(self) -> None:
        """Stop the sink process (the one this object started)."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            try:
                self._process.wait(timeout=START_TIMEOUT_SECONDS)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
        if self._process.stdout is not None:
            with contextlib.suppress(OSError):
                self._process.stdout.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Counting HTTP sink for the benchmarks")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--ready-file", type=Path, default=None)
    args = parser.parse_args(argv)
    serve(args.port, args.ready_file)
    return 0


if __name__ == "__main__":
    sys.exit(main())
