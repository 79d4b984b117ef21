"""The SQLite state of an incremental sync: what was acknowledged, what was refused, every run.

One state database belongs to one sync (its kind and key columns). Tables:

* ``keys``: one row per key the API acknowledged: the key, its content hash, a fast
  hash of its raw cells, and the identifiers a mirror deletion needs;
* ``rejected``: keys whose last change was invalid, refused or not delivered, with a
  status and a reason (never a value), kept until the key is acknowledged;
* ``runs``: every run with its start, end, status, source, options, counts and error
  summary (``cio sync history STATE.db`` prints it);
* ``meta``: the state's version, kind and key columns.

Writes happen only when the API acknowledged a change, inside one transaction per
acknowledged batch, in WAL mode: after a crash or SIGKILL the database holds every
acknowledgement that was committed, and nothing else.
"""

from __future__ import annotations

import itertools
import json
import logging
import os
import sqlite3
import threading
import time
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any, Final

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

from cio.errors import ConfigurationError

__all__ = ["RejectedKey", "SyncRun", "SyncState", "format_history", "read_history"]

logger = logging.getLogger(__name__)

STATE_VERSION: Final = "1"
STATUS_RUNNING: Final = "running"
STATUS_INTERRUPTED: Final = "interrupted"
PAGE_ROWS: Final = 5_000
LOCK_SUFFIX: Final = ".lock"
ACK_FLUSH_ROWS: Final = 20_000
ACK_FLUSH_SECONDS: Final = 0.5
CACHE_KIB: Final = 16_384
TEMP_PAGE_BYTES: Final = 16_384
"""Page size of the run's temporary tables (set before the first is made). The work table
of a million rows outgrows its cache and is written to a temporary file and read back,
with its index; pages four times the default size cost fewer reads and writes (a
second sync of a million unchanged rows is 0.1 to 0.2 s faster) for about 5 MB more
memory at the peak."""
_MIN_INT64: Final = -(2**63)
_BUSY_TIMEOUT_SECONDS: Final = 30.0
_REASON_CHARS: Final = 300
_WORK_WITH_CELLS: Final = 4
"""Items of a work tuple that carries its cells."""
_SAFE_VARIABLES: Final = 999
"""Parameters one statement may bind in every SQLite build (newer ones allow more)."""
_chain: Final = itertools.chain.from_iterable

_SCHEMA: Final = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS keys (
    kh INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    raw INTEGER,
    content TEXT NOT NULL,
    ident TEXT NOT NULL,
    run INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS rejected (
    kh INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    op TEXT NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER,
    error_type TEXT NOT NULL,
    reason TEXT NOT NULL,
    message_id TEXT,
    first_run INTEGER NOT NULL,
    last_run INTEGER NOT NULL,
    attempts INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started TEXT NOT NULL,
    ended TEXT,
    status TEXT NOT NULL,
    mode TEXT NOT NULL,
    dry_run INTEGER NOT NULL,
    source TEXT NOT NULL,
    options TEXT NOT NULL,
    counts TEXT NOT NULL DEFAULT '{}',
    errors TEXT NOT NULL DEFAULT ''
);
"""

_WORK_SCHEMA: Final = """
DROP TABLE IF EXISTS temp.work;
CREATE TEMP TABLE work (row INTEGER PRIMARY KEY, kh INTEGER NOT NULL, raw INTEGER NOT NULL,
                        dup INTEGER NOT NULL DEFAULT 0, cells TEXT);
"""


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the second.

    Returns
    -------
    str
    """
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass(frozen=True)
class SyncRun:
    """One run recorded in a state database.

    Attributes
    ----------
    id : int
        Run number, from 1.
    started, ended : str
        UTC times (``ended`` is empty for a run that never finished).
    status : str
        ``completed``, ``failed``, ``refused``, ``interrupted`` or ``running``.
    mode : str
        ``upsert`` or ``mirror``.
    dry_run : bool
        Nothing was sent.
    source : str
        The source's name (path, ``DataFrame``, ...).
    options : dict
        Kind, key, mapping and the other options of the run.
    counts : dict
        new, changed, unchanged, deleted, invalid, sent, failed, ...
    errors : str
        The error summary (counts and row numbers, never values).
    """

    id: int
    started: str
    ended: str
    status: str
    mode: str
    dry_run: bool
    source: str
    options: dict[str, Any]
    counts: dict[str, int]
    errors: str


@dataclass(frozen=True)
class RejectedKey:
    """A key whose last change was not acknowledged, and why (never the row's values).

    Attributes
    ----------
    key : str
        The key (its columns' values joined by ``|``).
    op : str
        ``upsert`` or ``delete``.
    status : str
        ``invalid`` (the row failed validation), ``refused`` (the API answered 4xx),
        ``failed`` (not delivered: retries spent, network) or ``rejected`` (refused
        before sending, for example over 32 KB).
    http_status : int or None
        The API's status, when it answered.
    error_type : str
        The error class or validation error type.
    reason : str
        What went wrong, located, without values.
    first_run, last_run : int
        Runs in which it was first and last rejected.
    attempts : int
        Runs that tried it.
    message_id : str or None
        The messageId the change was sent under (the retry uses the same one).
    """

    key: str
    op: str
    status: str
    http_status: int | None
    error_type: str
    reason: str
    first_run: int
    last_run: int
    attempts: int
    message_id: str | None = None


@dataclass(frozen=True)
class Known:
    """What the state knows of one key (for the diff)."""

    kh: int
    key: str
    content: str
    ident: str


class SyncState:
    """The state database of one sync, opened for a run.

    Parameters
    ----------
    path : str or path-like
        The SQLite file; created when missing.
    kind : str
        The sync's kind; an existing state of another kind is refused.
    key : sequence of str
        The key columns; an existing state keyed otherwise is refused.

    Raises
    ------
    ConfigurationError
        When the file belongs to another sync or is not a sync state database.
    """

    def __init__(self, path: str | os.PathLike[str], *, kind: str, key: Sequence[str]) -> None:
        self.path = Path(path)
        self._lock = threading.RLock()
        self._lock_file = _exclusive(self.path)
        self._acked: list[tuple[int, str, int, str, str, int]] = []
        self._deleted: list[tuple[int]] = []
        self._flushed_at = time.monotonic()
        self._work_last = 0
        """The largest row number in the work table."""
        try:
            self._db = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT_SECONDS, check_same_thread=False
            )
        except sqlite3.Error as exc:
            self._lock_file.close()
            raise ConfigurationError(f"cannot open the sync state {self.path}: {exc}") from None
        try:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute(f"PRAGMA temp.page_size = {TEMP_PAGE_BYTES}")
            self._db.executescript(_SCHEMA)
            self._check_meta(kind, list(key))
            self._db.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
            self._has_rejected = bool(self._db.execute("SELECT 1 FROM rejected LIMIT 1").fetchall())
        except sqlite3.DatabaseError as exc:
            self._db.close()
            self._lock_file.close()
            raise ConfigurationError(
                f"{self.path} is not a cio sync state database ({exc})"
            ) from None
        except BaseException:
            self._db.close()
            self._lock_file.close()
            raise

    def _check_meta(self, kind: str, key: list[str]) -> None:
        meta = dict(self._db.execute("SELECT name, value FROM meta").fetchall())
        wanted = {"version": STATE_VERSION, "kind": kind, "key": json.dumps(key)}
        if not meta:
            with self._db:
                self._db.executemany("INSERT INTO meta VALUES (?, ?)", wanted.items())
            return
        if meta.get("version") != STATE_VERSION:
            raise ConfigurationError(f"{self.path} is not a cio sync state database")
        if meta.get("kind") != kind or meta.get("key") != wanted["key"]:
            raise ConfigurationError(
                f"the sync state {self.path} belongs to a sync of kind {meta.get('kind')!r} "
                f"keyed by {', '.join(json.loads(meta.get('key', '[]')))}; use a new --state "
                "file for this one"
            )

    # Runs --------------------------------------------------------------------------------

    def start_run(
        self, *, mode: str, dry_run: bool, source: str, options: Mapping[str, Any]
    ) -> int:
        """Record the start of a run; earlier runs left ``running`` become ``interrupted``.

        Parameters
        ----------
        mode : str
            ``upsert`` or ``mirror``.
        dry_run : bool
            Whether nothing will be sent.
        source : str
            The source's name.
        options : mapping
            The run's options (JSON-serializable, no values).

        Returns
        -------
        int
            The run id.
        """
        with self._lock, self._db:
            self._db.execute(
                "UPDATE runs SET status = ? WHERE status = ?", (STATUS_INTERRUPTED, STATUS_RUNNING)
            )
            cursor = self._db.execute(
                "INSERT INTO runs (started, status, mode, dry_run, source, options) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (utc_now(), STATUS_RUNNING, mode, int(dry_run), source, json.dumps(dict(options))),
            )
            run_id = cursor.lastrowid
        assert run_id is not None
        return run_id

    def finish_run(
        self, run_id: int, *, status: str, counts: Mapping[str, int], errors: str
    ) -> None:
        """Record the end of a run.

        Parameters
        ----------
        run_id : int
            From :meth:`start_run`.
        status : str
            ``completed``, ``failed``, ``refused`` or ``interrupted``.
        counts : mapping
            The run's counts.
        errors : str
            The error summary, without values.
        """
        with self._lock, self._db:
            self._flush()
            self._db.execute(
                "UPDATE runs SET ended = ?, status = ?, counts = ?, errors = ? WHERE id = ?",
                (utc_now(), status, json.dumps(dict(counts)), errors, run_id),
            )

    # The work table: this run's source keys ------------------------------------------------

    def begin_work(self) -> None:
        """Create this run's (temporary) table of source rows."""
        with self._lock:
            self._db.executescript(_WORK_SCHEMA)
            self._work_last = 0

    def add_work(
        self, rows: Sequence[tuple[int, int, int]] | Sequence[tuple[int, int, int, str | None]]
    ) -> None:
        """Add ``(row number, key hash, raw hash[, cells])`` tuples of source rows.

        Parameters
        ----------
        rows : sequence of tuple
            One tuple per source row with a key; the optional fourth item is the row's
            cells as text (see :meth:`candidate_cells`), kept only in this temporary table.
        """
        if not rows:
            return
        width = len(rows[0])
        columns = "row, kh, raw, cells" if width == _WORK_WITH_CELLS else "row, kh, raw"
        one = "(" + ", ".join("?" * width) + ")"
        # Many rows per INSERT: a quarter less work than one statement step per row.
        per = _SAFE_VARIABLES // width
        whole = len(rows) - len(rows) % per
        statement = f"INSERT INTO work ({columns}) VALUES " + ", ".join((one,) * per)
        # Rows numbered one after another past every row written so far (the usual case)
        # bind only the first number: SQLite numbers a NULL row (the rowid) one past the
        # largest in the table, which is then the row before.
        after = "(NULL, " + ", ".join("?" * (width - 1)) + ")"
        following = f"INSERT INTO work ({columns}) VALUES {one}, " + ", ".join((after,) * (per - 1))
        with self._lock:
            for start in range(0, whole, per):
                values = list(_chain(rows[start : start + per]))
                first, last = rows[start][0], rows[start + per - 1][0]
                if first > self._work_last and last - first == per - 1:
                    del values[width::width]
                    self._db.execute(following, values)
                else:
                    self._db.execute(statement, values)
                    last = max(row[0] for row in rows[start : start + per])
                self._work_last = max(self._work_last, last)
            if whole < len(rows):
                rest = rows[whole:]
                self._db.executemany(f"INSERT INTO work ({columns}) VALUES {one}", rest)
                self._work_last = max(self._work_last, *(row[0] for row in rest))

    def keep_cells(self, rows: Sequence[tuple[str | None, int]]) -> None:
        """Keep the cells (as text) of rows already in the work table: ``(cells, row)``.

        Parameters
        ----------
        rows : sequence of (str or None, int)
        """
        with self._lock:
            self._db.executemany("UPDATE work SET cells = ? WHERE row = ?", rows)

    def candidates_without_cells(self, width: int, separator: str) -> int:
        """How many rows :meth:`mark_candidates` found have no usable kept cells.

        Kept cells are usable when they split into ``width`` cells at the separator
        (a cell that holds the separator itself makes them unusable).

        Parameters
        ----------
        width : int
            The header's number of columns.
        separator : str
            What the cells are joined with.

        Returns
        -------
        int
        """
        # CROSS JOIN keeps the (small) candidate table outermost: SQLite would otherwise
        # scan the whole work table.
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM candidate c CROSS JOIN work w ON w.row = c.row "
                "WHERE w.cells IS NULL OR "
                "length(w.cells) - length(replace(w.cells, ?, '')) <> ?",
                (separator, width - 1),
            ).fetchone()
        return int(count)

    def candidate_cells(self) -> Iterator[tuple[int, int, str | None, str]]:
        """The candidate rows with their kept cells, in row order, a page at a time.

        Returns
        -------
        iterator of (row, key hash, known content, cells)
        """
        query = (
            "SELECT c.row, c.kh, c.content, w.cells FROM candidate c CROSS JOIN work w "
            "ON w.row = c.row WHERE c.row > ? ORDER BY c.row LIMIT ?"
        )
        return self._pages(query)

    def index_work(self) -> tuple[int, int, list[tuple[int, int, str]]]:
        """Index the work table and mark rows whose key appears more than once.

        Returns
        -------
        (int, int, list of (int, int, str))
            Rows with a duplicated key, how many keys are duplicated, and for the first
            of them: the key hash, how many rows share it and their row numbers.
        """
        with self._lock, self._db:
            self._db.execute("CREATE INDEX temp.work_kh ON work (kh, raw, dup)")
            duplicated = self._db.execute(
                "SELECT 1 FROM work GROUP BY kh HAVING COUNT(*) > 1 LIMIT 1"
            ).fetchall()
            if not duplicated:
                return 0, 0, []
            self._db.execute(
                "UPDATE work SET dup = 1 WHERE kh IN "
                "(SELECT kh FROM work GROUP BY kh HAVING COUNT(*) > 1)"
            )
            rows, keys = self._db.execute(
                "SELECT COUNT(*), COUNT(DISTINCT kh) FROM work WHERE dup = 1"
            ).fetchone()
            examples = self._db.execute(
                "SELECT kh, COUNT(*), group_concat(row, ', ') FROM "
                "(SELECT kh, row FROM work WHERE dup = 1 ORDER BY row) GROUP BY kh "
                "ORDER BY MIN(row) LIMIT 5"
            ).fetchall()
        shown = [(int(kh), int(n), str(rows_)) for kh, n, rows_ in examples]
        return int(rows), int(keys), shown

    def mark_candidates(self, *, append_only: bool) -> int:
        """Find every candidate row in one merge over both tables, in key order.

        A row is a candidate when its key is new, or (unless ``append_only``) its raw
        cells differ from what was acknowledged. Walking the work index in key order
        reads each page of the state once, however large it is.

        Parameters
        ----------
        append_only : bool
            Only new keys are candidates.

        Returns
        -------
        int
            How many rows are candidates.
        """
        condition = "s.kh IS NULL" if append_only else "(s.kh IS NULL OR s.raw IS NOT w.raw)"
        with self._lock, self._db:
            self._db.executescript(
                "DROP TABLE IF EXISTS temp.candidate; CREATE TEMP TABLE candidate "
                "(row INTEGER PRIMARY KEY, kh INTEGER NOT NULL, content TEXT);"
            )
            cursor = self._db.execute(
                "INSERT INTO candidate SELECT w.row, w.kh, s.content FROM work w "
                "INDEXED BY work_kh LEFT JOIN keys s ON s.kh = w.kh "
                f"WHERE w.dup = 0 AND {condition}"
            )
        return int(cursor.rowcount)

    def candidates(self) -> Iterator[tuple[int, int, str | None, str | None]]:
        """The rows :meth:`mark_candidates` found, in row order, a page at a time.

        Returns
        -------
        iterator of (row, key hash, None, known content)
        """
        query = "SELECT row, kh, NULL, content FROM candidate WHERE row > ? ORDER BY row LIMIT ?"
        return self._pages(query)

    def changed_rows(
        self, first: int, last: int, *, append_only: bool
    ) -> list[tuple[int, str | None]]:
        """Candidate rows among rows ``first`` to ``last``: ``(row, known content)``.

        Parameters
        ----------
        first, last : int
            Row numbers (inclusive).
        append_only : bool
            Only new keys are candidates.

        Returns
        -------
        list of (int, str or None)
        """
        condition = "s.kh IS NULL" if append_only else "(s.kh IS NULL OR s.raw IS NOT w.raw)"
        query = (
            "SELECT w.row, s.content FROM work w LEFT JOIN keys s ON s.kh = w.kh "
            f"WHERE w.row BETWEEN ? AND ? AND {condition} ORDER BY w.row"
        )
        with self._lock:
            self._flush()
            return self._db.execute(query, (first, last)).fetchall()

    def duplicate_rows(self) -> frozenset[int]:
        """Row numbers whose key appears more than once.

        Returns
        -------
        frozenset of int
        """
        with self._lock:
            rows = self._db.execute("SELECT row FROM work WHERE dup = 1").fetchall()
        return frozenset(row for (row,) in rows)

    def count_known(self, at_most: int | None = None) -> int:
        """Keys the state holds as acknowledged.

        Parameters
        ----------
        at_most : int, optional
            Count no further than this (counting every key reads the whole table).

        Returns
        -------
        int
        """
        with self._lock:
            if at_most is None:
                (count,) = self._db.execute("SELECT COUNT(*) FROM keys").fetchone()
            else:
                (count,) = self._db.execute(
                    "SELECT COUNT(*) FROM (SELECT 1 FROM keys LIMIT ?)", (at_most,)
                ).fetchone()
        return int(count)

    def count_gone(self) -> int:
        """Known keys that are not in this run's source.

        Returns
        -------
        int
        """
        with self._lock:
            (count,) = self._db.execute(
                "SELECT COUNT(*) FROM keys s WHERE NOT EXISTS "
                "(SELECT 1 FROM work w INDEXED BY work_kh WHERE w.kh = s.kh)"
            ).fetchone()
        return int(count)

    def gone(self) -> Iterator[Known]:
        """Known keys not in this run's source, by key hash, a page at a time.

        Returns
        -------
        iterator of Known
        """
        query = (
            "SELECT kh, key, content, ident FROM keys s WHERE kh {} ? AND NOT EXISTS "
            "(SELECT 1 FROM work w INDEXED BY work_kh WHERE w.kh = s.kh) ORDER BY kh LIMIT ?"
        )
        last, compare = _MIN_INT64, ">="
        while True:
            with self._lock:
                page = self._db.execute(query.format(compare), (last, PAGE_ROWS)).fetchall()
            compare = ">"
            for kh, key, content, ident in page:
                yield Known(kh, key, content, ident)
            if len(page) < PAGE_ROWS:
                return
            last = page[-1][0]

    def _pages(self, query: str) -> Iterator[tuple[Any, ...]]:
        """The rows of ``query`` (``... WHERE row > ? ORDER BY row LIMIT ?``), a page at a time."""
        last = -1
        while True:
            with self._lock:
                page = self._db.execute(query, (last, PAGE_ROWS)).fetchall()
            yield from page
            if len(page) < PAGE_ROWS:
                return
            last = page[-1][0]

    # Recording outcomes --------------------------------------------------------------------

    def acknowledge(
        self,
        upserts: Sequence[tuple[int, str, int, str, str]],
        deletions: Sequence[int],
        run_id: int,
    ) -> None:
        """Record acknowledged changes; committed in groups (see :meth:`flush`).

        Acknowledgements are gathered and committed together once ``ACK_FLUSH_ROWS``
        are waiting or ``ACK_FLUSH_SECONDS`` have passed, and always before the run
        ends. A process killed in between loses at most that group: those changes are
        sent again under the same messageIds, which the API drops as duplicates.

        Parameters
        ----------
        upserts : sequence of (kh, key, raw, content, ident)
            Keys whose new content was acknowledged.
        deletions : sequence of int
            Key hashes whose deletion was acknowledged.
        run_id : int
            The current run.
        """
        with self._lock:
            self._acked.extend((*row, run_id) for row in upserts)
            self._deleted.extend((kh,) for kh in deletions)
            waiting = len(self._acked) + len(self._deleted)
            if (
                waiting >= ACK_FLUSH_ROWS
                or time.monotonic() - self._flushed_at >= ACK_FLUSH_SECONDS
            ):
                self._flush()

    def flush(self) -> None:
        """Commit the acknowledgements gathered so far."""
        with self._lock:
            self._flush()

    def _flush(self) -> None:
        self._flushed_at = time.monotonic()
        if not self._acked and not self._deleted:
            return
        upserts, self._acked = sorted(self._acked), []
        deletions, self._deleted = sorted(self._deleted), []
        with self._db:
            if upserts:
                self._db.executemany(
                    "INSERT INTO keys (kh, key, raw, content, ident, run) "
                    "VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (kh) DO UPDATE SET key = excluded.key, "
                    "raw = excluded.raw, content = excluded.content, ident = excluded.ident, "
                    "run = excluded.run",
                    upserts,
                )
            if deletions:
                self._db.executemany("DELETE FROM keys WHERE kh = ?", deletions)
            if self._has_rejected:
                done = [(row[0],) for row in upserts] + deletions
                self._db.executemany("DELETE FROM rejected WHERE kh = ?", done)

    def refresh_raw(self, rows: Sequence[tuple[int, int]]) -> None:
        """Store new raw hashes of keys whose content did not change (formatting noise).

        Parameters
        ----------
        rows : sequence of (raw, kh)
        """
        if not rows:
            return
        with self._lock, self._db:
            self._db.executemany("UPDATE keys SET raw = ? WHERE kh = ?", rows)

    def reject(
        self,
        rows: Iterable[tuple[int, str, str, str, int | None, str, str, str | None]],
        run_id: int,
    ) -> None:
        """Record keys whose change was not acknowledged.

        Parameters
        ----------
        rows : iterable of tuple
            ``(kh, key, op, status, http_status, error_type, reason, message_id)``.
        run_id : int
            The current run.
        """
        values = [
            (kh, key, op, status, http, etype, reason[:_REASON_CHARS], mid, run_id, run_id)
            for kh, key, op, status, http, etype, reason, mid in rows
        ]
        if not values:
            return
        with self._lock, self._db:
            self._has_rejected = True
            self._db.executemany(
                "INSERT INTO rejected (kh, key, op, status, http_status, error_type, reason, "
                "message_id, first_run, last_run, attempts) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (kh) DO UPDATE SET "
                "key = excluded.key, op = excluded.op, status = excluded.status, "
                "http_status = excluded.http_status, error_type = excluded.error_type, "
                "reason = excluded.reason, message_id = excluded.message_id, "
                "last_run = excluded.last_run, attempts = rejected.attempts + "
                "(rejected.last_run <> excluded.last_run)",
                values,
            )

    def forget_rejected_outside_source(self) -> int:
        """Drop rejected upserts whose key left the source (nothing is left to retry).

        Returns
        -------
        int
            How many were dropped.
        """
        with self._lock, self._db:
            self._flush()
            cursor = self._db.execute(
                "DELETE FROM rejected WHERE op = 'upsert' AND NOT EXISTS "
                "(SELECT 1 FROM work w INDEXED BY work_kh WHERE w.kh = rejected.kh)"
            )
        return int(cursor.rowcount)

    def rejected(self, limit: int | None = None) -> list[RejectedKey]:
        """Keys whose last change was not acknowledged, oldest first.

        Parameters
        ----------
        limit : int, optional
            At most this many.

        Returns
        -------
        list of RejectedKey
        """
        self.flush()
        return _rejected(self._db, self._lock, limit)

    def close(self) -> None:
        """Commit what is gathered, close the database and release the run's lock."""
        with self._lock:
            try:
                self._flush()
            finally:
                try:
                    self._db.close()
                finally:
                    self._lock_file.close()


def _exclusive(path: Path) -> IO[bytes]:
    """Hold an exclusive lock beside the database for the run (released even on SIGKILL)."""
    handle = open(path.with_name(path.name + LOCK_SUFFIX), "a+b")  # noqa: SIM115
    if fcntl is None:  # pragma: no cover - Windows: no advisory lock
        return handle
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise ConfigurationError(
            f"another sync is running with the state {path}; wait for it to finish"
        ) from None
    return handle


def _rejected(
    db: sqlite3.Connection, lock: threading.RLock | None, limit: int | None
) -> list[RejectedKey]:
    query = (
        "SELECT key, op, status, http_status, error_type, reason, first_run, last_run, "
        "attempts, message_id FROM rejected ORDER BY first_run, key LIMIT ?"
    )
    if lock is None:
        rows = db.execute(query, (-1 if limit is None else limit,)).fetchall()
    else:
        with lock:
            rows = db.execute(query, (-1 if limit is None else limit,)).fetchall()
    return [RejectedKey(*row) for row in rows]


def read_history(
    path: str | os.PathLike[str], *, rejected_limit: int | None = None
) -> tuple[list[SyncRun], list[RejectedKey]]:
    """Every run recorded in a state database, and the keys still rejected.

    Parameters
    ----------
    path : str or path-like
        The state database.
    rejected_limit : int, optional
        At most this many rejected keys.

    Returns
    -------
    (list of SyncRun, list of RejectedKey)

    Raises
    ------
    ConfigurationError
        When the file is missing or not a sync state database.
    """
    location = Path(path)
    if not location.is_file():
        raise ConfigurationError(f"no sync state database at {location}")
    db = sqlite3.connect(f"{location.resolve().as_uri()}?mode=ro", uri=True)
    try:
        rows = db.execute(
            "SELECT id, started, ended, status, mode, dry_run, source, options, counts, errors "
            "FROM runs ORDER BY id"
        ).fetchall()
        rejected = _rejected(db, None, rejected_limit)
    except sqlite3.DatabaseError as exc:
        raise ConfigurationError(f"{location} is not a cio sync state database ({exc})") from None
    finally:
        db.close()
    runs = [
        SyncRun(
            id=row[0],
            started=row[1],
            ended=row[2] or "",
            status=row[3],
            mode=row[4],
            dry_run=bool(row[5]),
            source=row[6],
            options=json.loads(row[7]),
            counts=json.loads(row[8]),
            errors=row[9],
        )
        for row in rows
    ]
    return runs, rejected


_HISTORY_COUNTS: Final = (
    "new",
    "changed",
    "unchanged",
    "to_delete",
    "deleted",
    "invalid",
    "sent",
    "failed",
)


def format_history(runs: Sequence[SyncRun], rejected: Sequence[RejectedKey]) -> str:
    """Render runs and rejected keys as text tables.

    Parameters
    ----------
    runs : sequence of SyncRun
        From :func:`read_history`.
    rejected : sequence of RejectedKey
        From :func:`read_history`.

    Returns
    -------
    str
    """
    header = ("run", "started", "ended", "status", "mode", *_HISTORY_COUNTS, "source")
    table: list[tuple[str, ...]] = [header]
    for run in runs:
        status = run.status + (" (dry run)" if run.dry_run else "")
        if run.status == STATUS_RUNNING:
            status = "running or killed"
        counts = tuple(str(run.counts.get(name, "")) for name in _HISTORY_COUNTS)
        table.append(
            (str(run.id), run.started, run.ended or "-", status, run.mode, *counts, run.source)
        )
    lines = _columns(table)
    errors = [(run.id, run.errors) for run in runs if run.errors]
    if errors:
        lines.append("")
        lines.append("errors by run:")
        for run_id, text in errors:
            for number, line in enumerate(text.splitlines()):
                lines.append(f"  {run_id if number == 0 else '':>3}  {line}")
    lines.append("")
    if not rejected:
        lines.append("no rejected keys")
        return "\n".join(lines)
    lines.append(f"rejected keys ({len(rejected)} shown): retried on the next run")
    rows = [("key", "op", "status", "http", "error", "runs", "reason")]
    rows.extend(
        (
            item.key,
            item.op,
            item.status,
            "" if item.http_status is None else str(item.http_status),
            item.error_type,
            f"{item.first_run}-{item.last_run}",
            item.reason,
        )
        for item in rejected
    )
    lines.extend(_columns(rows))
    return "\n".join(lines)


def _columns(rows: Sequence[Sequence[str]]) -> list[str]:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    out = [
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    ]
    out.insert(1, "  ".join("-" * width for width in widths))
    return out
