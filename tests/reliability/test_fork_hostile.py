"""A child forked while a parent thread writes a dead letter must not deadlock."""

from __future__ import annotations

import logging
import logging.handlers
import os
import signal
import threading
import time
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

import pytest

from cio.delivery import DeadLetter, JsonLinesDeadLetterStore, MemoryDeadLetterStore, Outbox

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.timeout(60),
    pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork"),
]

FORKS = 20
CHILD_DEADLINE_SECONDS = 3.0
_LETTER = DeadLetter(
    b'{"type":"identify","messageId":"m1","userId":"1"}', "m1", "failed", "ServerError", 503, 1
)


def _child_finishes(pid: int) -> bool:
    """Whether the child exits 0 in time; a stuck child is killed and reaped."""
    try:
        deadline = time.monotonic() + CHILD_DEADLINE_SECONDS
        while time.monotonic() < deadline:
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status) == 0
            time.sleep(0.01)
        return False
    finally:
        with suppress(ChildProcessError, ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)


@pytest.fixture
def logs_in_memory() -> Iterator[None]:
    """Keep cio's log records off streams: a stream's buffer has a lock of its own that a
    child forked mid-write inherits held (Python's, not the library's)."""
    cio_logger = logging.getLogger("cio")
    handler = logging.handlers.BufferingHandler(capacity=10**9)
    cio_logger.addHandler(handler)
    cio_logger.propagate = False
    try:
        yield
    finally:
        cio_logger.propagate = True
        cio_logger.removeHandler(handler)


@pytest.mark.usefixtures("logs_in_memory")
@pytest.mark.parametrize("kind", ["jsonl", "memory", "outbox"])
def test_a_child_forked_mid_write_can_write_dead_letters(tmp_path: Path, kind: str) -> None:
    if kind == "jsonl":
        store: object = JsonLinesDeadLetterStore(tmp_path / "dead.jsonl")
    elif kind == "memory":
        store = MemoryDeadLetterStore()
    else:
        store = Outbox(tmp_path / "outbox.db").dead_letter_store
    stop = threading.Event()

    def write_forever() -> None:
        while not stop.is_set():
            store.add([_LETTER] * 50)  # type: ignore[attr-defined]

    writer = threading.Thread(target=write_forever, daemon=True)
    writer.start()
    stuck = 0
    try:
        for _ in range(FORKS):
            time.sleep(0.005)
            pid = os.fork()
            if pid == 0:  # the child: one write, then leave at once
                try:
                    store.add([_LETTER])  # type: ignore[attr-defined]
                finally:
                    os._exit(0)
            if not _child_finishes(pid):
                stuck += 1
    finally:
        stop.set()
        writer.join(5)
        store.close()  # type: ignore[attr-defined]
    assert stuck == 0, f"{stuck} of {FORKS} children deadlocked on the store's lock"
