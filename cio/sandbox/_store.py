"""Optional persistence of the sandbox's records to SQLite, readable from another process.

The file uses write-ahead logging, so ``cio sandbox show --db FILE`` can read it while
the sandbox keeps writing. Starting a sandbox on an existing file clears it: one file
holds one run.
"""

from __future__ import annotations

import json
import logging
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cio.errors import ConfigurationError
from cio.sandbox._records import DroppedMessage, FlaggedMessage, RequestRecord, SandboxSummary

__all__ = ["SQLiteStore", "load_summary"]

_SCHEMA = """
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    method TEXT NOT NULL,
    path TEXT NOT NULL,
    status INTEGER,
    bytes INTEGER NOT NULL,
    message_count INTEGER NOT NULL,
    faults TEXT NOT NULL,
    fault_count INTEGER NOT NULL,
    received_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS messages (
    id INTEGER PRIMARY KEY,
    message_id TEXT,
    type TEXT,
    event TEXT,
    received_at TEXT,
    body TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS dropped (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    item_index INTEGER,
    reason TEXT NOT NULL,
    body TEXT
);
CREATE TABLE IF NOT EXISTS warnings (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL,
    item_index INTEGER,
    message_id TEXT,
    reason TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
"""
logger = logging.getLogger(__name__)

_TABLES = ("requests", "messages", "dropped", "warnings", "meta")
_FAULT_SEPARATOR = "+"


class SQLiteStore:
    """Writes the sandbox's records to a SQLite file (WAL), one transaction per request.

    Parameters
    ----------
    path : str or Path
        The database file; created if missing, cleared if present.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._lock = threading.Lock()
        self._closed = False
        self._connection = sqlite3.connect(self.path, check_same_thread=False)
        self._connection.execute("PRAGMA journal_mode=WAL")
        self._connection.execute("PRAGMA synchronous=NORMAL")
        self._connection.executescript(_SCHEMA)
        self.clear()

    def clear(self) -> None:
        """Delete every record."""
        with self._lock, self._connection:
            for table in _TABLES:
                self._connection.execute(f"DELETE FROM {table}")  # table names are constants

    def set_meta(self, key: str, value: str) -> None:
        """Store a piece of run information such as the URL (never the API key).

        Parameters
        ----------
        key, value : str
        """
        with self._lock, self._connection:
            self._connection.execute(
                "INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value)
            )

    def write(
        self,
        request: RequestRecord,
        accepted: Sequence[dict[str, Any]],
        dropped: Sequence[DroppedMessage],
        flagged: Sequence[FlaggedMessage] = (),
    ) -> None:
        """Record one request with its accepted, dropped and warned-about messages.

        Parameters
        ----------
        request : RequestRecord
        accepted : sequence of dict
        dropped : sequence of DroppedMessage
        flagged : sequence of FlaggedMessage
            Accepted messages (or envelopes) with warnings; their reasons carry no values.
        """
        message_rows = [
            (
                _text(message.get("messageId")),
                _text(message.get("type")),
                _text(message.get("event")),
                _text(message.get("receivedAt")),
                json.dumps(message, separators=(",", ":")),
            )
            for message in accepted
        ]
        dropped_rows = [
            (
                item.path,
                item.index,
                item.reason,
                None if item.message is None else json.dumps(item.message, separators=(",", ":")),
            )
            for item in dropped
        ]
        warning_rows = [(item.path, item.index, item.message_id, item.reason) for item in flagged]
        with self._lock:
            if self._closed:
                logger.debug("sandbox store: request after close not written")
                return
            self._insert(request, message_rows, dropped_rows, warning_rows)

    def _insert(
        self,
        request: RequestRecord,
        message_rows: Sequence[tuple[str | None, ...]],
        dropped_rows: Sequence[tuple[str | int | None, ...]],
        warning_rows: Sequence[tuple[str | int | None, ...]] = (),
    ) -> None:
        with self._connection:
            self._connection.execute(
                "INSERT INTO requests (method, path, status, bytes, message_count, faults, "
                "fault_count, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    request.method,
                    request.path,
                    request.status,
                    request.bytes,
                    request.message_count,
                    _FAULT_SEPARATOR.join(request.faults),
                    len(request.faults),
                    request.received_at,
                ),
            )
            if message_rows:
                self._connection.executemany(
                    "INSERT INTO messages (message_id, type, event, received_at, body) "
                    "VALUES (?, ?, ?, ?, ?)",
                    message_rows,
                )
            if dropped_rows:
                self._connection.executemany(
                    "INSERT INTO dropped (path, item_index, reason, body) VALUES (?, ?, ?, ?)",
                    dropped_rows,
                )
            if warning_rows:
                self._connection.executemany(
                    "INSERT INTO warnings (path, item_index, message_id, reason) "
                    "VALUES (?, ?, ?, ?)",
                    warning_rows,
                )

    def close(self) -> None:
        """Close the connection (the file stays)."""
        with self._lock:
            self._closed = True
            self._connection.close()


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


def load_summary(db_path: str | Path) -> SandboxSummary:
    """Read the summary of a sandbox run from its SQLite file, from any process.

    Parameters
    ----------
    db_path : str or Path
        The file given to ``Sandbox(db_path=...)`` or ``cio sandbox --db``.

    Returns
    -------
    SandboxSummary

    Raises
    ------
    ConfigurationError
        When the file does not exist or is not a sandbox database.
    """
    path = Path(db_path)
    if not path.is_file():
        raise ConfigurationError(f"no sandbox database at {path}")
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return _summary_from(connection)
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"{path} is not a sandbox database ({exc})") from exc
    finally:
        connection.close()


def load_meta(db_path: str | Path) -> dict[str, str]:
    """Read the run information (URL, start time) stored with a sandbox run.

    Parameters
    ----------
    db_path : str or Path

    Returns
    -------
    dict
    """
    path = Path(db_path)
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return {str(key): str(value) for key, value in connection.execute("SELECT * FROM meta")}
    finally:
        connection.close()


def _summary_from(connection: sqlite3.Connection) -> SandboxSummary:
    total, unique = connection.execute(
        "SELECT COUNT(*), COUNT(DISTINCT COALESCE(message_id, '')) FROM messages"
    ).fetchone()
    by_type = dict(connection.execute("SELECT type, COUNT(*) FROM messages GROUP BY type"))
    by_event = dict(
        connection.execute(
            "SELECT TRIM(event), COUNT(*) FROM messages "
            "WHERE type = 'track' AND event IS NOT NULL GROUP BY TRIM(event)"
        )
    )
    (dropped,) = connection.execute("SELECT COUNT(*) FROM dropped").fetchone()
    (warned,) = connection.execute("SELECT COUNT(*) FROM warnings").fetchone()
    requests, faults = connection.execute(
        "SELECT COUNT(*), COALESCE(SUM(fault_count), 0) FROM requests"
    ).fetchone()
    by_status = dict(
        connection.execute("SELECT COALESCE(status, 0), COUNT(*) FROM requests GROUP BY 1")
    )
    return SandboxSummary(
        total=int(total),
        unique_message_ids=int(unique) if total else 0,
        duplicates=int(total) - (int(unique) if total else 0),
        by_type={str(key): int(value) for key, value in by_type.items()},
        by_event={str(key): int(value) for key, value in by_event.items()},
        dropped=int(dropped),
        warned=int(warned),
        requests=int(requests),
        by_status={int(key): int(value) for key, value in by_status.items()},
        faults_injected=int(faults),
    )
