"""Dead letters: every message that could not be delivered, with why, kept for replay.

A dead letter holds the message exactly as it was sent (its JSON, so its ``messageId``
is kept and a replay cannot create a duplicate event), the reason, the HTTP status and
the number of attempts. It never holds the API key. Stores:

* :class:`MemoryDeadLetterStore`: a list, the default when no store is given (a
  buffered sender writes what it holds at close or exit to
  :func:`default_dead_letter_path`, so nothing vanishes with the process);
* :class:`JsonLinesDeadLetterStore`: one JSON object per line in a file
  (``cio replay FILE`` resends them);
* the ``dead_letters`` table of a SQLite outbox (:class:`cio.delivery.Outbox`).
"""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Protocol, runtime_checkable

from cio._forksafe import ForkSafeLock
from cio.errors import CustomerIOError

__all__ = [
    "DeadLetter",
    "DeadLetterStore",
    "JsonLinesDeadLetterStore",
    "MemoryDeadLetterStore",
    "default_dead_letter_path",
    "utc_now_iso",
]

logger = logging.getLogger(__name__)

_MESSAGE_KEY = b',"message":'
ENV_DEAD_LETTER_DIR = "CIO_DEAD_LETTER_DIR"


def default_dead_letter_path() -> Path:
    """Where a buffered sender without a dead-letter store writes what it could not deliver.

    The directory is ``$CIO_DEAD_LETTER_DIR`` when set, else
    ``$XDG_STATE_HOME/cio/dead-letters``, else ``~/.local/state/cio/dead-letters``; the
    file is named after the UTC time and the process id, so runs never mix.

    Returns
    -------
    Path
    """
    directory = os.environ.get(ENV_DEAD_LETTER_DIR)
    if directory:
        base = Path(directory)
    else:
        state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
        base = Path(state) / "cio" / "dead-letters"
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
    return base / f"dead-letters-{stamp}-{os.getpid()}.jsonl"


def utc_now_iso() -> str:
    """The current UTC time in ISO 8601 with seconds precision.

    Returns
    -------
    str
    """
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message that was not delivered, with what happened to it.

    Parameters
    ----------
    message : bytes
        The message's JSON, exactly as it was sent.
    message_id : str
        Its ``messageId``.
    reason : str
        Why it was not delivered (no input values, never the API key).
    error_type : str
        The :mod:`cio.errors` class name, for example ``"ServerError"``.
    status : int or None
        HTTP status of the last answer; ``None`` for network errors or unsent messages.
    attempts : int
        Attempts made by the request that failed last (0 when never sent).
    index : int or None
        Position in the input of ``client.batch.send`` (or the outbox row), when known.
    failed_at : str
        UTC time of the failure, ISO 8601.

    Example
    -------
    >>> letter = DeadLetter(b'{"type":"identify","messageId":"m1","userId":"1"}', "m1",
    ...                     "the API failed", "ServerError", 503, 7, 0, "2024-01-01T00:00:00+00:00")
    >>> DeadLetter.from_json_line(letter.to_json_line()) == letter
    True
    >>> letter.payload()["userId"]
    '1'
    """

    message: bytes
    message_id: str
    reason: str
    error_type: str
    status: int | None
    attempts: int
    index: int | None = None
    failed_at: str = ""

    def payload(self) -> dict[str, Any]:
        """The message as a dict (wire form, camelCase keys).

        Returns
        -------
        dict
        """
        data: dict[str, Any] = json.loads(self.message)
        return data

    def to_json_line(self) -> bytes:
        """One line of a dead-letter file: the record, then the message as sent.

        Returns
        -------
        bytes
            JSON object followed by a newline.
        """
        meta = json.dumps(
            {
                "messageId": self.message_id,
                "reason": self.reason,
                "errorType": self.error_type,
                "status": self.status,
                "attempts": self.attempts,
                "index": self.index,
                "failedAt": self.failed_at,
            },
            separators=(",", ":"),
        ).encode()
        return meta[:-1] + _MESSAGE_KEY + self.message + b"}\n"

    @classmethod
    def from_json_line(cls, line: bytes | str) -> DeadLetter:
        """Read a line written by :meth:`to_json_line` (or edited by hand).

        Parameters
        ----------
        line : bytes or str
            One JSON object.

        Returns
        -------
        DeadLetter

        Raises
        ------
        CustomerIOError
            When the line is not a dead-letter record.
        """
        try:
            data = json.loads(line)
            message = data["message"]
            if not isinstance(message, dict):
                raise TypeError("message is not an object")
            return cls(
                message=json.dumps(message, separators=(",", ":"), ensure_ascii=False).encode(),
                message_id=str(data.get("messageId") or message.get("messageId", "")),
                reason=str(data.get("reason", "")),
                error_type=str(data.get("errorType", "")),
                status=data.get("status"),
                attempts=int(data.get("attempts") or 0),
                index=data.get("index"),
                failed_at=str(data.get("failedAt", "")),
            )
        except (ValueError, KeyError, TypeError) as exc:
            raise CustomerIOError(
                f"not a dead-letter record ({type(exc).__name__}); expected a JSON object "
                "with a 'message' object"
            ) from None


@runtime_checkable
class DeadLetterStore(Protocol):
    """Where undelivered messages go. Implementations must accept calls from any thread."""

    def add(self, letters: Sequence[DeadLetter]) -> None:
        """Record undelivered messages durably before returning."""
        ...

    def __iter__(self) -> Iterator[DeadLetter]:
        """Every dead letter recorded so far."""
        ...

    def __len__(self) -> int:
        """How many dead letters are recorded."""
        ...

    def close(self) -> None:
        """Release files or connections."""
        ...


class MemoryDeadLetterStore:
    """Dead letters kept in a list (lost when the process ends).

    Example
    -------
    >>> store = MemoryDeadLetterStore()
    >>> len(store)
    0
    """

    def __init__(self) -> None:
        self._letters: list[DeadLetter] = []
        self._lock = ForkSafeLock()

    def add(self, letters: Sequence[DeadLetter]) -> None:
        """Append dead letters.

        Parameters
        ----------
        letters : sequence of DeadLetter
        """
        with self._lock:
            self._letters.extend(letters)

    def __iter__(self) -> Iterator[DeadLetter]:
        with self._lock:
            return iter(list(self._letters))

    def __len__(self) -> int:
        return len(self._letters)

    def __repr__(self) -> str:
        return f"MemoryDeadLetterStore({len(self)} letters)"

    def write(self, path: str | Path) -> Path:
        """Append the dead letters to a JSON Lines file for ``cio replay``.

        Parameters
        ----------
        path : str or Path
            The file; created when missing.

        Returns
        -------
        Path
        """
        store = JsonLinesDeadLetterStore(path)
        try:
            store.add(list(self))
        finally:
            store.close()
        return store.path

    def close(self) -> None:
        """Nothing to release."""


class JsonLinesDeadLetterStore:
    """Dead letters appended to a JSON Lines file, one record per line.

    The file is created on the first dead letter (so a run without failures leaves no
    file) and flushed after every write. It holds message payloads, which are personal
    data: keep it where you would keep the source data.

    Parameters
    ----------
    path : str or Path
        The file.

    Example
    -------
    >>> import tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "failed.jsonl"
    >>> store = JsonLinesDeadLetterStore(path)
    >>> store.add([DeadLetter(b'{"type":"identify","messageId":"m1","userId":"1"}', "m1",
    ...                       "the API failed", "ServerError", 503, 7)])
    >>> [letter.message_id for letter in store], path.exists()
    (['m1'], True)
    >>> store.close()
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._file: IO[bytes] | None = None
        self._pid = os.getpid()
        self._lock = ForkSafeLock(quiesce_at_fork=True)
        self._closed = False

    def __repr__(self) -> str:
        return f"JsonLinesDeadLetterStore({str(self.path)!r})"

    def add(self, letters: Sequence[DeadLetter]) -> None:
        """Append dead letters and flush them to the file.

        Parameters
        ----------
        letters : sequence of DeadLetter
        """
        if not letters:
            return
        data = b"".join(letter.to_json_line() for letter in letters)
        with self._lock:
            if self._closed:
                # A worker finishing after close() (for example a request that outlived
                # the close deadline) still records its letters, without leaving a file open.
                self._append_once(data)
            else:
                if self._file is None or self._pid != os.getpid():
                    self._pid = os.getpid()
                    self.path.parent.mkdir(parents=True, exist_ok=True)
                    self._file = self.path.open("ab")
                self._file.write(data)
                self._file.flush()
                os.fsync(self._file.fileno())
        logger.warning("%d message(s) written to dead-letter file %s", len(letters), self.path)

    def _append_once(self, data: bytes) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())

    def __iter__(self) -> Iterator[DeadLetter]:
        if not self.path.exists():
            return iter(())
        return self._read()

    def _read(self) -> Iterator[DeadLetter]:
        with self.path.open("rb") as handle:
            for number, line in enumerate(handle, start=1):
                if not line.strip():
                    continue
                try:
                    yield DeadLetter.from_json_line(line)
                except CustomerIOError as exc:
                    raise CustomerIOError(f"{self.path}, line {number}: {exc}") from None

    def __len__(self) -> int:
        if not self.path.exists():
            return 0
        with self.path.open("rb") as handle:
            return sum(1 for line in handle if line.strip())

    def close(self) -> None:
        """Close the file; a later :meth:`add` still appends, opening it only briefly."""
        with self._lock:
            self._closed = True
            if self._file is not None:
                self._file.close()
                self._file = None
