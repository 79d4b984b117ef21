"""A durable outbox: a SQLite file (WAL) holding messages until the API acknowledges them.

A buffered sender with ``outbox="path.db"`` writes each message (its JSON, messageId
and ordering key) in its own committed transaction before the call returns, and deletes
it only after the API acknowledged it, or after it was moved to the ``dead_letters``
table. A process killed at any moment leaves every unacknowledged message in the file;
the next sender opened on the same file sends them first, with the same messageIds, so
the API drops any that had in fact arrived.

``synchronous=NORMAL`` with WAL survives the process being killed (the usual failure);
surviving power loss would need ``FULL``, at a large cost per message.
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from cio._forksafe import ForkSafeLock
from cio.delivery._constants import OUTBOX_BUSY_TIMEOUT_MS, OUTBOX_LOAD_ROWS
from cio.delivery._deadletters import DeadLetter
from cio.errors import ClientClosedError, CustomerIOError

__all__ = ["Outbox", "OutboxDeadLetterStore", "OutboxRow", "OutboxStats"]

logger = logging.getLogger(__name__)

_SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    route_key TEXT NOT NULL,
    body BLOB NOT NULL,
    created_at REAL NOT NULL DEFAULT ((julianday('now') - 2440587.5) * 86400.0)
);
CREATE TABLE IF NOT EXISTS dead_letters (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    message_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    error_type TEXT NOT NULL,
    status INTEGER,
    attempts INTEGER NOT NULL,
    input_index INTEGER,
    failed_at TEXT NOT NULL,
    body BLOB NOT NULL
);
"""


@dataclass(frozen=True, slots=True)
class OutboxRow:
    """One message waiting in the outbox.

    Parameters
    ----------
    seq : int
        Row number; increases in the order messages were written.
    message_id : str
        The message's messageId.
    key : str
        Ordering key (userId, else anonymousId).
    body : bytes
        The message's JSON.
    """

    seq: int
    message_id: str
    key: str
    body: bytes


@dataclass(frozen=True, slots=True)
class OutboxStats:
    """What an outbox holds.

    Parameters
    ----------
    pending : int
        Messages not yet acknowledged.
    dead_letters : int
        Messages moved to the dead-letter table.
    oldest, newest : float or None
        Unix times the oldest and newest pending messages were written.
    """

    pending: int
    dead_letters: int
    oldest: float | None
    newest: float | None


class Outbox:
    """A SQLite outbox file; safe to share between threads of one process.

    Parameters
    ----------
    path : str or Path
        The database file; created with its tables when missing.

    Example
    -------
    >>> import tempfile, pathlib
    >>> outbox = Outbox(pathlib.Path(tempfile.mkdtemp()) / "outbox.db")
    >>> seq = outbox.add("m1", "user-1", b'{"type":"identify","messageId":"m1","userId":"user-1"}')
    >>> len(outbox), [row.message_id for row in outbox.rows()]
    (1, ['m1'])
    >>> outbox.remove([seq]); len(outbox)
    0
    >>> outbox.close()
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = ForkSafeLock(quiesce_at_fork=True)
        self._closed = False
        self._pid = os.getpid()
        self._connection = self._connect()

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(
            self.path, isolation_level=None, check_same_thread=False, timeout=30.0
        )
        try:
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=NORMAL")
            connection.execute(f"PRAGMA busy_timeout={OUTBOX_BUSY_TIMEOUT_MS}")
            connection.executescript(_SCHEMA)
        except sqlite3.DatabaseError as exc:
            connection.close()
            raise CustomerIOError(f"{self.path} is not a usable outbox ({exc})") from exc
        return connection

    def _db(self) -> sqlite3.Connection:
        if self._closed:
            raise ClientClosedError(f"outbox {self.path} is closed")
        if self._pid != os.getpid():
            # A forked child must not use its parent's connection: open its own.
            self._pid = os.getpid()
            self._lock = ForkSafeLock(quiesce_at_fork=True)
            self._connection = self._connect()
        return self._connection

    def __repr__(self) -> str:
        return f"Outbox({str(self.path)!r})"

    def add(self, message_id: str, key: str, body: bytes) -> int:
        """Write one message and commit before returning.

        Parameters
        ----------
        message_id : str
            Its messageId.
        key : str
            Ordering key.
        body : bytes
            Its JSON.

        Returns
        -------
        int
            The row's ``seq``.
        """
        db = self._db()
        with self._lock:
            cursor = db.execute(
                "INSERT INTO outbox (message_id, route_key, body) VALUES (?, ?, ?)",
                (message_id, key, body),
            )
            return int(cursor.lastrowid or 0)

    def remove(self, seqs: Sequence[int]) -> None:
        """Delete acknowledged (or dead-lettered) rows. A closed outbox ignores this.

        Parameters
        ----------
        seqs : sequence of int
        """
        if self._closed or not seqs:
            return
        db = self._db()
        with self._lock:
            db.execute("BEGIN")
            try:
                db.executemany("DELETE FROM outbox WHERE seq = ?", [(seq,) for seq in seqs])
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def max_seq(self) -> int:
        """The highest ``seq`` written so far (0 for an empty outbox).

        Returns
        -------
        int
        """
        db = self._db()
        with self._lock:
            row = db.execute("SELECT COALESCE(MAX(seq), 0) FROM outbox").fetchone()
        return int(row[0])

    def count(self, up_to: int | None = None) -> int:
        """Pending rows, optionally only those with ``seq <= up_to``.

        Parameters
        ----------
        up_to : int, optional

        Returns
        -------
        int
        """
        db = self._db()
        with self._lock:
            if up_to is None:
                row = db.execute("SELECT COUNT(*) FROM outbox").fetchone()
            else:
                row = db.execute("SELECT COUNT(*) FROM outbox WHERE seq <= ?", (up_to,)).fetchone()
        return int(row[0])

    def __len__(self) -> int:
        return self.count()

    def rows(
        self, *, up_to: int | None = None, chunk: int = OUTBOX_LOAD_ROWS
    ) -> Iterator[OutboxRow]:
        """Pending rows in write order, read in chunks.

        Parameters
        ----------
        up_to : int, optional
            Stop after this ``seq``.
        chunk : int
            Rows per query.

        Yields
        ------
        OutboxRow
        """
        last = 0
        limit = up_to if up_to is not None else -1
        while True:
            db = self._db()
            with self._lock:
                found = db.execute(
                    "SELECT seq, message_id, route_key, body FROM outbox "
                    "WHERE seq > ? AND (? < 0 OR seq <= ?) ORDER BY seq LIMIT ?",
                    (last, limit, limit, chunk),
                ).fetchall()
            if not found:
                return
            for seq, message_id, key, body in found:
                yield OutboxRow(int(seq), str(message_id), str(key), bytes(body))
            last = int(found[-1][0])

    def stats(self) -> OutboxStats:
        """Counts and ages of what the outbox holds.

        Returns
        -------
        OutboxStats
        """
        db = self._db()
        with self._lock:
            pending, oldest, newest = db.execute(
                "SELECT COUNT(*), MIN(created_at), MAX(created_at) FROM outbox"
            ).fetchone()
            (dead,) = db.execute("SELECT COUNT(*) FROM dead_letters").fetchone()
        return OutboxStats(int(pending), int(dead), oldest, newest)

    @property
    def dead_letter_store(self) -> OutboxDeadLetterStore:
        """The ``dead_letters`` table as a :class:`cio.delivery.DeadLetterStore`."""
        return OutboxDeadLetterStore(self)

    def _add_dead_letters(self, letters: Sequence[DeadLetter]) -> None:
        db = self._db()
        with self._lock:
            db.execute("BEGIN")
            try:
                db.executemany(
                    "INSERT INTO dead_letters (message_id, reason, error_type, status, attempts, "
                    "input_index, failed_at, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            letter.message_id,
                            letter.reason,
                            letter.error_type,
                            letter.status,
                            letter.attempts,
                            letter.index,
                            letter.failed_at,
                            letter.message,
                        )
                        for letter in letters
                    ],
                )
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def dead_letter_times(self) -> tuple[str | None, str | None]:
        """When the oldest and newest dead letters failed (ISO 8601), or ``None``.

        Returns
        -------
        tuple of (str or None, str or None)
        """
        db = self._db()
        with self._lock:
            oldest, newest = db.execute(
                "SELECT MIN(failed_at), MAX(failed_at) FROM dead_letters"
            ).fetchone()
        return oldest, newest

    def _dead_letters(self, limit: int = -1) -> list[tuple[int, DeadLetter]]:
        db = self._db()
        with self._lock:
            found = db.execute(
                "SELECT id, message_id, reason, error_type, status, attempts, input_index, "
                "failed_at, body FROM dead_letters ORDER BY id LIMIT ?",
                (limit,),
            ).fetchall()
        return [
            (
                int(row[0]),
                DeadLetter(
                    message=bytes(row[8]),
                    message_id=str(row[1]),
                    reason=str(row[2]),
                    error_type=str(row[3]),
                    status=row[4],
                    attempts=int(row[5]),
                    index=row[6],
                    failed_at=str(row[7]),
                ),
            )
            for row in found
        ]

    def remove_dead_letters(self, ids: Sequence[int]) -> None:
        """Delete dead-letter rows (after a successful replay).

        Parameters
        ----------
        ids : sequence of int
            Their row ids, as given by :meth:`OutboxDeadLetterStore.entries`.
        """
        if not ids:
            return
        db = self._db()
        with self._lock:
            db.executemany("DELETE FROM dead_letters WHERE id = ?", [(i,) for i in ids])

    def close(self) -> None:
        """Close the connection; later writes raise ``ClientClosedError``."""
        with self._lock:
            if not self._closed:
                self._closed = True
                if self._pid == os.getpid():
                    self._connection.close()


class OutboxDeadLetterStore:
    """The outbox's ``dead_letters`` table, as a dead-letter store.

    Parameters
    ----------
    outbox : Outbox
        The outbox whose table is used.
    """

    def __init__(self, outbox: Outbox) -> None:
        self.outbox = outbox

    def __repr__(self) -> str:
        return f"OutboxDeadLetterStore({str(self.outbox.path)!r})"

    def add(self, letters: Sequence[DeadLetter]) -> None:
        """Insert dead letters in one transaction.

        Parameters
        ----------
        letters : sequence of DeadLetter
        """
        if letters:
            self.outbox._add_dead_letters(letters)
            logger.warning("%d message(s) moved to the dead letters of %s", len(letters), self)

    def entries(self, limit: int | None = None) -> list[tuple[int, DeadLetter]]:
        """Every dead letter with its row id (for :meth:`Outbox.remove_dead_letters`).

        Parameters
        ----------
        limit : int, optional
            Return only the first ``limit`` (oldest first).

        Returns
        -------
        list of (int, DeadLetter)
        """
        return self.outbox._dead_letters(-1 if limit is None else limit)

    def __iter__(self) -> Iterator[DeadLetter]:
        return iter([letter for _, letter in self.entries()])

    def __len__(self) -> int:
        return self.outbox.stats().dead_letters

    def close(self) -> None:
        """Close the outbox."""
        self.outbox.close()
