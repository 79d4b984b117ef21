"""Sending one partition of a distributed DataFrame: the engine-neutral core of ``cio.spark``.

A :class:`PartitionSender` is a small, picklable description of a send (kind, mapping,
settings, run id, rate share). Called with the chunks of one partition (Arrow record
batches or pandas DataFrames) it does, inside the worker that holds the partition:

1. validate and encode each row with the import path's column plan (the same rules,
   errors and wire bytes as :func:`cio.io.import_dataframe`);
2. pack every valid message of the whole partition into ``/batch`` bodies with one
   :class:`cio.delivery.DeliveryEngine`, so chunk boundaries never cut a batch short;
3. send through the worker process's sender (:func:`worker_sender`), whose rate
   limiter holds one task's share of the workspace budget (see :func:`rate_share`),
   also across consecutive tasks of that process; 429 answers are still retried;
4. yield Arrow record batches of results, one row per input row and in input order:
   ``key``, ``message_id``, ``status``, ``error_code``, ``reason``, ``warnings``. Results
   never carry input values: only the key column the caller chose, and the locations of
   errors and warnings.

messageIds come from the row's content (its values and the column names), the kind and
a run id, not from its position: a re-executed or speculative task sends the same rows
under the same ids, whatever order or partitioning it sees them in, and Customer.io
drops the duplicates. Two rows identical in every column are one message.
"""

from __future__ import annotations

import hashlib
import importlib
import logging
import os
import threading
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Final

import orjson

from cio._constants import DEFAULT_RATE_LIMIT, MAX_BATCH_BYTES, MAX_MESSAGE_BYTES
from cio._settings import Settings
from cio._transport import Response, Transport
from cio._wiring import settings_sender
from cio.delivery import DeadLetter, DeliveryEngine
from cio.errors import ConfigurationError, CustomerIOError, ErrorDetail
from cio.io._infer import resolve_timezone
from cio.io._plan import ColumnMapping, Plan, compile_plan, resolve_kind
from cio.io._state import MessageIds
from cio.models import EncodedMessage
from cio.models.base import message_too_large

if TYPE_CHECKING:
    from cio.client import CustomerIOClient

__all__ = [
    "RESULT_COLUMNS",
    "STATUS_FAILED",
    "STATUS_INVALID",
    "STATUS_SENT",
    "PartitionSender",
    "rate_share",
    "result_schema",
    "worker_sender",
]

logger = logging.getLogger(__name__)

STATUS_SENT: Final = "sent"
"""The API acknowledged the row's message."""
STATUS_INVALID: Final = "invalid"
"""The row did not become a valid message (or was over 32 KB): nothing was sent."""
STATUS_FAILED: Final = "failed"
"""The row's message was valid but not acknowledged (retries spent, or delivery stopped)."""

RESULT_COLUMNS: Final = ("key", "message_id", "status", "error_code", "reason", "warnings")
"""The result columns, all strings; ``message_id`` is null for invalid rows, ``warnings``
for rows without any."""

_KEY_TARGETS: Final = ("userId", "anonymousId", "groupId")
"""Without ``key_column``, the key is the column that fills the first of these."""
_CODE_TOO_LARGE: Final = "message_too_large"
_FINGERPRINT_BYTES: Final = 16
_FINGERPRINT_OPTIONS: Final = orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY
_PENDING: Final = 0
_SENT: Final = 1
_FAILED: Final = 2
_INVALID: Final = 3


def result_schema() -> Any:
    """The Arrow schema of the result batches (every column a nullable string).

    Returns
    -------
    pyarrow.Schema

    Example
    -------
    >>> result_schema().names
    ['key', 'message_id', 'status', 'error_code', 'reason', 'warnings']
    """
    pa = importlib.import_module("pyarrow")
    return pa.schema([(name, pa.string()) for name in RESULT_COLUMNS])


def rate_share(budget: int, concurrency: int) -> int:
    """The requests per 3-second window one of ``concurrency`` simultaneous tasks may make.

    The rule: ``max(1, budget // concurrency)``, so the tasks together never exceed the
    workspace's budget (at worst, with more tasks than requests, one each).

    Parameters
    ----------
    budget : int
        The workspace's requests per window (``Settings.rate_limit``, 3000 by default).
    concurrency : int
        How many tasks send at the same time.

    Returns
    -------
    int

    Raises
    ------
    ConfigurationError
        When ``budget`` or ``concurrency`` is below 1.

    Example
    -------
    >>> rate_share(3000, 8)
    375
    """
    if budget < 1 or concurrency < 1:
        raise ConfigurationError("the rate budget and the concurrency must be at least 1")
    return max(1, budget // concurrency)


@dataclass(frozen=True)
class PartitionSender:
    """Validate, pack and send the rows of one partition; yield one result per row.

    Instances are picklable: build one on the driver and call it in each task (it is
    the function ``cio.spark.send`` gives ``mapInArrow``). It works for any engine that
    hands a worker an iterator of Arrow record batches or pandas DataFrames.

    Parameters
    ----------
    kind : str
        What each row becomes (as for :func:`cio.io.import_dataframe`).
    run_id : str
        The identity of this run: with the row's content and the kind it fixes the
        row's messageId. Use the same run id to re-send the same rows without
        duplicates (a re-run of a job); a new one to send them again on purpose.
    mapping : ColumnMapping or mapping of str to str or None, optional
        Column renames and drops, as for :func:`cio.io.read_rows` (a ready
        :class:`~cio.io.ColumnMapping` brings its constants and types too).
    constants : mapping, optional
        Values every row gets.
    types : mapping of str to str, optional
        Per-column type overrides.
    assume_timezone : str, optional
        Timezone name for naive date-times (``"UTC"``).
    settings : Settings, optional
        Where and how to send; ``None`` reads ``CIO_*`` variables in the worker.
        ``settings.rate_limit`` is the budget shared by all simultaneous tasks.
    concurrency : int
        How many tasks send at the same time; each gets
        ``rate_share(settings.rate_limit, concurrency)`` requests per window.
    workers : int, optional
        Delivery threads per task (:func:`cio.delivery.default_workers` by default).
    key_column : str, optional
        The input column copied to the result's ``key``; by default the column that
        fills ``userId``, else ``anonymousId``, else the object id.
    max_batch_bytes : int
        Largest ``/batch`` body (the API's 500 KB by default).

    Raises
    ------
    ValidationError
        For an unknown kind.
    ConfigurationError
        For a blank run id or a concurrency below 1.

    Example
    -------
    >>> sender = PartitionSender("identify", run_id="2024-06-01", concurrency=4)
    >>> sender.kind, sender.run_id
    ('identify', '2024-06-01')
    """

    kind: str
    run_id: str
    mapping: ColumnMapping | Mapping[str, str | None] | None = None
    constants: Mapping[str, Any] | None = None
    types: Mapping[str, str] | None = None
    assume_timezone: str | None = None
    settings: Settings | None = None
    concurrency: int = 1
    workers: int | None = None
    key_column: str | None = None
    max_batch_bytes: int = MAX_BATCH_BYTES
    _spec_name: str = field(default="", init=False, repr=False)

    def __post_init__(self) -> None:
        if not self.run_id.strip():
            raise ConfigurationError("run_id must not be blank")
        if self.concurrency < 1:
            raise ConfigurationError("concurrency must be at least 1")
        # Plain dicts: a ColumnMapping holds mapping proxies, which do not pickle.
        if isinstance(self.mapping, ColumnMapping):
            ready = ColumnMapping.coerce(self.mapping, constants=self.constants, types=self.types)
            object.__setattr__(self, "mapping", dict(ready.columns))
            object.__setattr__(self, "constants", dict(ready.constants))
            object.__setattr__(self, "types", dict(ready.types))
        for name in ("mapping", "constants", "types"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, dict(value))
        object.__setattr__(self, "_spec_name", resolve_kind(self.kind).name)

    # Configuration ----------------------------------------------------------------------

    @property
    def rate_share(self) -> int:
        """Requests per 3-second window each task may make (see :func:`rate_share`).

        Returns
        -------
        int
        """
        budget = self.settings.rate_limit if self.settings is not None else DEFAULT_RATE_LIMIT
        return rate_share(budget, self.concurrency)

    def check_columns(self, columns: Sequence[str]) -> None:
        """Check that rows with these columns can become messages, before any task runs.

        Parameters
        ----------
        columns : sequence of str
            The DataFrame's column names.

        Raises
        ------
        ValidationError
            For duplicate columns, mapped columns that do not exist, a field filled
            twice, a missing required column, or a ``key_column`` that is not there.
        """
        self._plan([str(name) for name in columns], None)

    def _plan(self, header: Sequence[str], message_ids: Callable[[int], str] | None) -> Plan:
        spec = resolve_kind(self.kind)
        plan = compile_plan(
            header,
            spec,
            ColumnMapping.coerce(self.mapping, constants=self.constants, types=self.types),
            assume_timezone=resolve_timezone(self.assume_timezone),
            message_ids=message_ids,
            typed_source=True,
            encoded=True,
        )
        if self.key_column is not None and self.key_column not in header:
            raise ConfigurationError(f"key_column {self.key_column!r} is not a column")
        return plan

    def _key_index(self, plan: Plan) -> int | None:
        header = plan.header
        if self.key_column is not None:
            return header.index(self.key_column)
        by_target = {target: column for column, target in plan.targets.items()}
        for target in _KEY_TARGETS:
            column = by_target.get(target)
            if column is not None:
                return header.index(column)
        return None

    # Sending ----------------------------------------------------------------------------

    def __call__(self, chunks: Iterable[Any]) -> Iterator[Any]:
        """Send one partition; the function to give ``mapInArrow`` (see :meth:`send`).

        Parameters
        ----------
        chunks : iterable of pyarrow.RecordBatch or pandas.DataFrame
            The partition.

        Returns
        -------
        iterator of pyarrow.RecordBatch
        """
        return self.send(chunks)

    def send(
        self, chunks: Iterable[Any], *, client: CustomerIOClient | None = None
    ) -> Iterator[Any]:
        """Send one partition and yield its results, one row per input row, in order.

        A result batch is yielded once every row of the matching input chunk is settled
        (acknowledged, refused or failed), so memory stays bounded by what is in flight.

        Parameters
        ----------
        chunks : iterable of pyarrow.RecordBatch or pandas.DataFrame
            The partition's rows, chunk by chunk, all with the same columns.
        client : CustomerIOClient, optional
            Send through this client (and its own rate limiter) instead of this
            process's client for ``settings`` with the task's rate share.

        Returns
        -------
        iterator of pyarrow.RecordBatch
            With the columns of :data:`RESULT_COLUMNS`.

        Raises
        ------
        ValidationError
            When the columns cannot become messages (see :meth:`check_columns`).
        AuthenticationError, NotFoundError
            When the API refuses the key or the path: the task should fail (and be
            retried, resending under the same messageIds).
        """
        post: Callable[[str, bytes], Response]
        if client is not None:
            post = client.post
        else:
            settings = self.settings if self.settings is not None else Settings()
            post = worker_sender(settings.model_copy(update={"rate_limit": self.rate_share}))
        yield from _PartitionRun(self, post).run(chunks)


class _SenderCache:
    """The senders of this process, by settings."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        # Also after fork: a child must not share its parent's connections or lock.
        self.lock = threading.Lock()
        self.senders: dict[str, Transport] = {}


_SENDERS = _SenderCache()
os.register_at_fork(after_in_child=_SENDERS.reset)


def worker_sender(settings: Settings) -> Callable[[str, bytes], Response]:
    """This process's ``post`` for these settings, created on first use.

    Tasks run one after another in a worker process (Spark reuses its Python workers),
    so the tasks of one process share one sender: its rate limiter keeps the task's
    share per window across consecutive tasks, and its connections are reused.

    Parameters
    ----------
    settings : Settings
        Where and how to send, with ``rate_limit`` set to the task's share.

    Returns
    -------
    callable
        ``post(path, body) -> Response`` with retries and rate limiting; it lives as
        long as the process.
    """
    identity = hashlib.sha256(
        (settings.model_dump_json() + "\n" + settings.authorization).encode()
    ).hexdigest()
    with _SENDERS.lock:
        sender = _SENDERS.senders.get(identity)
        if sender is None:
            sender = _SENDERS.senders[identity] = settings_sender(settings)
        return sender.send


@dataclass
class _Chunk:
    """Results of one input chunk while its rows are in flight."""

    start: int
    keys: list[str | None]
    ids: list[str | None]
    states: bytearray
    codes: dict[int, tuple[str, str]] = field(default_factory=dict)
    notes: dict[int, str] = field(default_factory=dict)
    pending: int = 0

    @property
    def end(self) -> int:
        return self.start + len(self.keys)


class _Failures:
    """The dead-letter store of one partition: records why each failed row failed."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_index: dict[int, tuple[str, str]] = {}
        self._count = 0

    def add(self, letters: Sequence[DeadLetter]) -> None:
        with self.lock:
            for letter in letters:
                self._count += 1
                status = f" (HTTP {letter.status})" if letter.status is not None else ""
                reason = (
                    f"not acknowledged: {letter.error_type}{status} after "
                    f"{letter.attempts} attempt(s)"
                )
                if letter.index is not None:
                    self.by_index[letter.index] = (letter.error_type, reason)

    def __iter__(self) -> Iterator[DeadLetter]:
        return iter(())

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        return None


class _PartitionRun:
    """The state of sending one partition: plan, engine, and the chunks in flight."""

    def __init__(self, sender: PartitionSender, post: Callable[[str, bytes], Response]) -> None:
        self.sender = sender
        self.post = post
        self.failures = _Failures()
        self.chunks: deque[_Chunk] = deque()
        self.lock = threading.Lock()
        self.rows = 0
        self._plans: dict[tuple[str, ...], tuple[Plan, int | None, _ContentIds]] = {}
        self._current: Sequence[Any] = ()
        self._ids: _ContentIds | None = None
        self._base = 0

    def run(self, chunks: Iterable[Any]) -> Iterator[Any]:
        engine = DeliveryEngine(
            self.post,
            dead_letters=self.failures,
            workers=self.sender.workers,
            on_settled=self._settled,
            abort_on_fatal=True,
            max_bytes=self.sender.max_batch_bytes,
            name="cio-partition",
        )
        try:
            for chunk in chunks:
                self._send_chunk(engine, chunk)
                yield from self._ready()
            engine.close()
        except BaseException as exc:
            engine.abort(exc)
            engine.close()
            raise
        stopped = engine.stopped_by
        if isinstance(stopped, CustomerIOError):
            raise stopped
        yield from self._ready(final=True)
        logger.info(
            "partition sent: %d rows, %d requests, %d failed",
            self.rows,
            engine.requests,
            engine.failed,
        )

    def _plan_for(self, header: tuple[str, ...]) -> tuple[Plan, int | None, _ContentIds]:
        found = self._plans.get(header)
        if found is None:
            ids = _ContentIds(self.sender.run_id, self.sender._spec_name, header)
            plan = self.sender._plan(header, self._message_id)
            found = (plan, self.sender._key_index(plan), ids)
            self._plans[header] = found
        return found

    def _message_id(self, number: int) -> str:
        # The plan asks for the id of row ``number`` of the chunk being converted.
        assert self._ids is not None
        return self._ids(self._current[number - self._base])

    def _send_chunk(self, engine: DeliveryEngine, chunk: Any) -> None:
        header, rows = _rows_of(chunk)
        plan, key_index, ids = self._plan_for(header)
        self._ids = ids
        self._current = rows
        start = self._base = self.rows
        count = len(rows)
        result = _Chunk(start, [None] * count, [None] * count, bytearray(count))
        with self.lock:
            self.chunks.append(result)
        convert = plan.from_values
        put = engine.put
        for offset, values in enumerate(rows):
            number = start + offset
            if key_index is not None:
                key = values[key_index]
                result.keys[offset] = None if key is None else str(key)
            row = convert(number, values)
            message = row.message
            if message is None:
                result.states[offset] = _INVALID
                result.codes[offset] = _invalid_reason(row.errors)
                continue
            assert isinstance(message, EncodedMessage)
            body, message_id, order_key, warnings = message
            if len(body) > MAX_MESSAGE_BYTES:
                error = message_too_large(body)
                result.states[offset] = _INVALID
                result.codes[offset] = (_CODE_TOO_LARGE, str(error))
                continue
            result.ids[offset] = message_id
            if warnings:
                result.notes[offset] = _described(warnings)
            with self.lock:
                result.pending += 1
            put(body, order_key, message_id, number)
        self.rows += count
        self._current = ()

    def _settled(self, indices: Sequence[int]) -> None:
        failed = self.failures.by_index
        with self.lock:
            chunks = self.chunks
            for index in indices:
                for chunk in chunks:
                    if chunk.start <= index < chunk.end:
                        offset = index - chunk.start
                        reason = failed.get(index)
                        if reason is None:
                            chunk.states[offset] = _SENT
                        else:
                            chunk.states[offset] = _FAILED
                            chunk.codes[offset] = reason
                        chunk.pending -= 1
                        break

    def _ready(self, *, final: bool = False) -> Iterator[Any]:
        while True:
            with self.lock:
                if not self.chunks or (self.chunks[0].pending and not final):
                    return
                chunk = self.chunks.popleft()
            yield _result_batch(chunk)


class _ContentIds:
    """messageIds from a row's values, the column names, the kind and the run id."""

    def __init__(self, run_id: str, kind: str, header: Sequence[str]) -> None:
        self._ids = MessageIds(run_id, kind)
        self._base = hashlib.blake2b(orjson.dumps(list(header)), digest_size=_FINGERPRINT_BYTES)

    def __call__(self, values: Sequence[Any]) -> str:
        digest = self._base.copy()
        digest.update(orjson.dumps(values, default=str, option=_FINGERPRINT_OPTIONS))
        return self._ids(int.from_bytes(digest.digest(), "big"))


def _rows_of(chunk: Any) -> tuple[tuple[str, ...], Sequence[Any]]:
    """The column names and the rows (tuples of Python values) of one chunk."""
    if hasattr(chunk, "itertuples"):  # pandas
        header = tuple(str(label) for label in chunk.columns)
        return header, list(chunk.itertuples(index=False, name=None))
    columns = [column.to_pylist() for column in chunk.columns]
    header = tuple(chunk.schema.names)
    if not columns:
        return header, [()] * chunk.num_rows
    return header, list(zip(*columns, strict=True))


def _invalid_reason(errors: Sequence[ErrorDetail]) -> tuple[str, str]:
    if not errors:
        return ("invalid", "the row is not a valid message")
    return (errors[0].type, _described(errors))


def _described(details: Sequence[ErrorDetail]) -> str:
    # Row numbers are positions inside a partition: the key says which row it is.
    return "; ".join(str(replace(detail, row=None)) for detail in details)


_STATUS_NAMES: Final = {_SENT: STATUS_SENT, _FAILED: STATUS_FAILED, _INVALID: STATUS_INVALID}


def _result_batch(chunk: _Chunk) -> Any:
    pa = importlib.import_module("pyarrow")
    statuses = [_STATUS_NAMES.get(state, STATUS_FAILED) for state in chunk.states]
    codes = [chunk.codes.get(offset) for offset in range(len(chunk.states))]
    return pa.RecordBatch.from_arrays(
        [
            pa.array(chunk.keys, pa.string()),
            pa.array(chunk.ids, pa.string()),
            pa.array(statuses, pa.string()),
            pa.array([None if code is None else code[0] for code in codes], pa.string()),
            pa.array([None if code is None else code[1] for code in codes], pa.string()),
            pa.array([chunk.notes.get(offset) for offset in range(len(codes))], pa.string()),
        ],
        schema=result_schema(),
    )
