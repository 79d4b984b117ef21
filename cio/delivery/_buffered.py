"""A buffered sender for application code: calls enqueue in microseconds, a thread sends.

On the caller's thread a call such as ``sender.track("42", "Signed Up")`` only appends
its arguments to a bounded queue. A background thread validates them into models,
serializes each once and feeds the delivery engine (see :mod:`cio.delivery._engine`).

Nothing is dropped silently:

* a full queue blocks the caller (``on_full="block"``, the default) or raises
  :class:`QueueFullError` (``on_full="raise"``);
* arguments that do not validate are counted, logged (location only), recorded in
  :meth:`BufferedSender.report` and passed to ``on_error``; to get the error raised at
  the call instead, build the model yourself and pass it to :meth:`BufferedSender.send`,
  or use an outbox (which validates on the caller's thread);
* messages the API does not accept go to the dead-letter store;
* :meth:`BufferedSender.close` (and leaving the ``with`` block) flushes, and at
  interpreter exit every open sender is closed with a bounded deadline; what is still
  undelivered then is dead-lettered (memory mode) or stays in the outbox file;
* after ``os.fork()`` the child gets a fresh, empty sender with its own thread and
  connections; the parent keeps sending its own queue.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
import time
import weakref
from collections import deque
from collections.abc import Callable, Mapping
from datetime import date, datetime
from datetime import time as time_of_day
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal
from uuid import UUID

import pydantic
from typing_extensions import Self

from cio._constants import (
    DEFAULT_BUFFER_FLUSH_INTERVAL_SECONDS,
    DEFAULT_BUFFER_MAX_QUEUE,
    DEFAULT_EXIT_FLUSH_SECONDS,
    DEFAULT_FLUSH_TIMEOUT_SECONDS,
)
from cio.delivery._bulk import Advice, DeadLettersOption, open_dead_letters
from cio.delivery._constants import DEFAULT_BUFFER_WAKE_AT
from cio.delivery._deadletters import (
    DeadLetterStore,
    MemoryDeadLetterStore,
    default_dead_letter_path,
)
from cio.delivery._engine import DeliveryEngine
from cio.delivery._outbox import Outbox
from cio.delivery._report import BatchReport, DeliveryFailure, FlushResult
from cio.errors import ClientClosedError, CustomerIOError, QueueFullError, ValidationError
from cio.models import (
    SEMANTIC_EVENTS,
    Alias,
    Group,
    Identify,
    Message,
    Page,
    Screen,
    Track,
    intake,
)

if TYPE_CHECKING:
    from cio.client import CustomerIOClient

__all__ = ["BufferedSender", "QueueFullError"]

logger = logging.getLogger(__name__)

OnFull = Literal["block", "raise"]

# Kinds of queued call. Each queued item is a tuple (kind, a, b, c, fields).
_IDENTIFY = 0
_TRACK = 1
_PAGE = 2
_SCREEN = 3
_GROUP = 4
_ALIAS = 5
_MESSAGE = 6
_STORED = 7  # already validated, serialized and written to the outbox: (kind, seq, id, key, body)

_ROOM_POLL_SECONDS = 0.05
# At exit, a flush window outlasts a request's timeout by this much before giving up.
_EXIT_WINDOW_MARGIN_SECONDS = 1.0
# At exit, never keep the process alive longer than this while requests succeed.
_EXIT_LONGEST_SECONDS = 300.0
# Types whose values cannot change after the call: kept as they are, never copied.
_IMMUTABLE: frozenset[type] = frozenset(
    {str, int, float, bool, type(None), bytes, datetime, date, time_of_day, Decimal, UUID}
)
# Nesting beyond this is not copied further (validation refuses it as too deep anyway).
_SNAPSHOT_MAX_DEPTH = 64


def _build(kind: int, a: Any, b: Any, c: Any, fields: dict[str, Any]) -> Message | Any:
    """Turn queued call arguments into a validated model (raises pydantic errors).

    A queued ``send()`` of a model or mapping is returned as it is, for intake.
    """
    if kind == _TRACK:
        model = SEMANTIC_EVENTS.get(b, Track) if isinstance(b, str) else Track
        if model is Track:
            return Track(user_id=a, event=b, properties=c, **fields)
        return model(user_id=a, properties=c, **fields)
    if kind == _IDENTIFY:
        return Identify(user_id=a, traits=b, **fields)
    if kind == _PAGE:
        return Page(user_id=a, name=b, properties=c, **fields)
    if kind == _SCREEN:
        return Screen(user_id=a, name=b, properties=c, **fields)
    if kind == _GROUP:
        return Group(group_id=a, user_id=b, traits=c, **fields)
    if kind == _ALIAS:
        return Alias(user_id=a, previous_id=b, **fields)
    return a


def _snapshot(value: Any, depth: int = 0) -> Any:
    """Copy the containers of ``value`` so later changes by the caller do not leak in.

    Dicts, lists, tuples, sets and other mappings are copied (recursively); scalars and
    other objects are kept. A flat dict of scalars costs one ``dict.copy()``.
    """
    kind = type(value)
    if kind in _IMMUTABLE:
        return value
    if depth > _SNAPSHOT_MAX_DEPTH:
        return value
    if kind is dict:
        copy = value.copy()
        for key, item in copy.items():
            if type(item) not in _IMMUTABLE:
                copy[key] = _snapshot(item, depth + 1)
        return copy
    if kind is list or kind is tuple:
        return kind(
            item if type(item) in _IMMUTABLE else _snapshot(item, depth + 1) for item in value
        )
    if isinstance(value, Mapping):
        return {key: _snapshot(item, depth + 1) for key, item in value.items()}
    if isinstance(value, (set, frozenset)):
        return set(value)
    return value


def _snapshot_fields(fields: dict[str, Any]) -> dict[str, Any]:
    for name, value in fields.items():
        if type(value) not in _IMMUTABLE:
            fields[name] = _snapshot(value)
    return fields


def _warn_loudly(text: str) -> None:
    """Log a WARNING; also print it to stderr when no logging is configured to show it.

    The library's logger has only a ``NullHandler`` unless the application configures
    logging, and undelivered messages must never go unmentioned.
    """
    logger.warning("%s", text)
    current: logging.Logger | None = logger
    while current is not None:
        if any(not isinstance(handler, logging.NullHandler) for handler in current.handlers):
            return
        current = current.parent if current.propagate else None
    sys.stderr.write(f"cio: WARNING: {text}\n")


def _drop_none(fields: dict[str, Any]) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


class BufferedSender:
    """Queue calls on the caller's thread; validate, pack and send them on another.

    Create it with :meth:`cio.CustomerIOClient.buffered`. Use it as a context manager,
    or call :meth:`close` when done.

    Parameters
    ----------
    client : CustomerIOClient
        The client whose transport (rate limiter, connection pool) is used.
    max_queue : int
        Calls held before ``on_full`` applies.
    on_full : {"block", "raise"}
        What a call does when the queue is full: wait for room, or raise
        :class:`QueueFullError`. Never drop.
    flush_interval : float
        Longest time, in seconds, a queued call waits before the thread sends it.
    outbox : str or Path, optional
        A SQLite file: each call is validated, serialized and committed to it before
        returning, and deleted once acknowledged; what a previous process left there is
        sent first.
    dead_letters : str, Path, DeadLetterStore, optional
        Where undelivered messages go: a JSON Lines path, a store, or by default the
        outbox's table (with an outbox) or memory.
    workers : int, optional
        Sending threads; default ``min(4, 2 * CPUs)``.
    on_error : callable, optional
        Called (on the sender's thread) with a :class:`DeliveryFailure` for each call
        whose arguments did not validate.
    exit_timeout : float
        Deadline, in seconds, of the flush run for this sender at interpreter exit.

    Example
    -------
    >>> from cio import CustomerIOClient
    >>> from cio.testing import RecordingTransport
    >>> transport = RecordingTransport()
    >>> client = CustomerIOClient(api_key="test-key", transport=transport)
    >>> with client.buffered() as sender:
    ...     sender.identify("42", {"plan": "pro"})
    ...     sender.track("42", "Signed Up", {"source": "ads"})
    >>> [message["type"] for message in transport.messages]
    ['identify', 'track']
    """

    def __init__(
        self,
        client: CustomerIOClient,
        *,
        max_queue: int = DEFAULT_BUFFER_MAX_QUEUE,
        on_full: OnFull = "block",
        flush_interval: float = DEFAULT_BUFFER_FLUSH_INTERVAL_SECONDS,
        outbox: str | Path | None = None,
        dead_letters: DeadLettersOption = None,
        workers: int | None = None,
        on_error: Callable[[DeliveryFailure], None] | None = None,
        exit_timeout: float = DEFAULT_EXIT_FLUSH_SECONDS,
    ) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        if on_full not in ("block", "raise"):
            raise ValueError("on_full must be 'block' or 'raise'")
        if flush_interval <= 0:
            raise ValueError("flush_interval must be positive")
        self._client = client
        # The client's warnings setting (CIO_WARNINGS): "error" rejects such calls.
        self._warning_option: str | None = getattr(
            getattr(client, "settings", None), "warnings", None
        )
        self.max_queue = max_queue
        self.on_full: OnFull = on_full
        self.flush_interval = flush_interval
        self.exit_timeout = exit_timeout
        self._workers = workers
        self._on_error = on_error
        self._wake_at = min(DEFAULT_BUFFER_WAKE_AT, max_queue)
        self.outbox = Outbox(outbox) if outbox is not None else None
        self._owns_dead_letters = False
        # Memory by default; written to a durable file at close so nothing vanishes.
        self._persist_at_close = dead_letters is None and self.outbox is None
        if dead_letters is None and self.outbox is not None:
            self.dead_letters: DeadLetterStore = self.outbox.dead_letter_store
        else:
            self.dead_letters, self._owns_dead_letters = open_dead_letters(dead_letters)
        self._closed = False
        self._last_result: FlushResult | None = None
        self.dead_letter_file: Path | None = None
        self._reset_state()
        self._backlog_until = self.outbox.max_seq() if self.outbox is not None else 0
        self._backlog = self.outbox.count(self._backlog_until) if self.outbox is not None else 0
        if self._backlog:
            logger.info(
                "outbox %s holds %d unsent message(s); sending them first", outbox, self._backlog
            )
        self._start()
        _LIVE.add(self)

    def _reset_state(self) -> None:
        self._queue: deque[tuple[Any, ...]] = deque()
        self._take_lock = threading.Lock()
        self._wakeup = threading.Event()
        self._room = threading.Condition()
        self._settled = threading.Condition()
        self._taken = 0
        self._calls = 0
        self._advice = Advice(self._warning_option)
        self._stopping = False
        self._flushing = False
        self._engine: DeliveryEngine | None = None
        self._thread: threading.Thread | None = None
        self._running = False
        self._crash: BaseException | None = None
        self._started_at = time.perf_counter()

    def _start(self) -> None:
        self._engine = DeliveryEngine(
            self._client.post,
            dead_letters=self.dead_letters,
            workers=self._workers,
            on_settled=self._settle,
            abort_on_fatal=False,
            name="cio-buffered",
        )
        self._thread = threading.Thread(target=self._run, name="cio-buffered-packer", daemon=True)
        self._running = True
        self._thread.start()

    def __repr__(self) -> str:
        where = f", outbox={str(self.outbox.path)!r}" if self.outbox is not None else ""
        return f"BufferedSender(queued={len(self._queue)}, closed={self._closed}{where})"

    # Caller side: as little work as possible ------------------------------------------------

    def _put(self, item: tuple[Any, ...]) -> None:
        if not self._running:
            self._ensure_running()
        queue = self._queue
        if len(queue) >= self.max_queue:
            self._wait_for_room()
        queue.append(item)
        if len(queue) >= self._wake_at and not self._wakeup.is_set():
            self._wakeup.set()

    def _ensure_running(self) -> None:
        if self._closed:
            raise ClientClosedError("this buffered sender is closed; create a new one")
        if self._crash is not None:
            self._raise_crashed()
        if self._thread is None:  # a forked child: start its own thread lazily
            self._start()

    def _raise_crashed(self) -> None:
        crash = self._crash
        raise CustomerIOError(
            f"the buffered sender's thread stopped ({type(crash).__name__}); calls are no "
            "longer sent. close() reports and dead-letters what is pending; create a new "
            "sender to go on"
        )

    def _wait_for_room(self) -> None:
        if self.on_full == "raise":
            raise QueueFullError(
                f"the buffered sender's queue is full ({self.max_queue} calls); the API is "
                "slower than the calls, or unreachable. Use on_full='block' to wait instead"
            )
        with self._room:
            while len(self._queue) >= self.max_queue:
                if self._closed:
                    raise ClientClosedError("this buffered sender was closed while waiting")
                if self._crash is not None:
                    self._raise_crashed()
                self._wakeup.set()
                self._room.wait(_ROOM_POLL_SECONDS)

    def _put_checked(self, message: object, index: int | None = None) -> None:
        """Outbox mode: validate, serialize and commit on the caller's thread."""
        if not self._running:
            self._ensure_running()
        assert self.outbox is not None
        body, message_id, key, found = intake(message, index=index)
        if found:
            self._advice.add(self._calls, found)
        queue = self._queue
        if len(queue) >= self.max_queue:
            self._wait_for_room()
        seq = self.outbox.add(message_id, key, body)
        queue.append((_STORED, seq, message_id, key, body))
        if len(queue) >= self._wake_at and not self._wakeup.is_set():
            self._wakeup.set()

    def _call(self, kind: int, a: Any, b: Any, c: Any, fields: dict[str, Any]) -> None:
        if self.outbox is None:
            # The data as it is now: a caller that reuses one dict must not change this call.
            if type(b) not in _IMMUTABLE:
                b = _snapshot(b)
            if type(c) not in _IMMUTABLE:
                c = _snapshot(c)
            self._put((kind, a, b, c, _snapshot_fields(fields) if fields else fields))
            return
        try:
            message = _build(kind, a, b, c, _drop_none(fields))
        except pydantic.ValidationError as exc:
            raise ValidationError.from_pydantic(exc) from None
        self._put_checked(message)

    def identify(
        self, user_id: str | None = None, traits: Mapping[str, Any] | None = None, **fields: Any
    ) -> None:
        """Queue an identify call.

        Parameters
        ----------
        user_id : str, optional
            Your id for the person (or pass ``anonymous_id=``).
        traits : mapping, optional
            Attributes of the person.
        **fields
            Other :class:`cio.models.Identify` fields (``anonymous_id``, ``timestamp``,
            ``context``, ``integrations``, ``message_id``).
        """
        self._call(_IDENTIFY, user_id, traits, None, fields)

    def track(
        self,
        user_id: str | None,
        event: str,
        properties: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Queue a track call (semantic event names get their semantic model).

        Parameters
        ----------
        user_id : str or None
            Your id for the person; ``None`` with ``anonymous_id=``.
        event : str
            Event name.
        properties : mapping, optional
            Event properties.
        **fields
            Other :class:`cio.models.Track` fields.
        """
        self._call(_TRACK, user_id, event, properties, fields)

    def page(
        self,
        user_id: str | None,
        name: str | None = None,
        properties: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Queue a page view.

        Parameters
        ----------
        user_id : str or None
            Your id for the person; ``None`` with ``anonymous_id=``.
        name : str, optional
            Page name.
        properties : mapping, optional
            Page properties.
        **fields
            Other :class:`cio.models.Page` fields.
        """
        self._call(_PAGE, user_id, name, properties, fields)

    def screen(
        self,
        user_id: str | None,
        name: str | None = None,
        properties: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Queue a screen view.

        Parameters
        ----------
        user_id : str or None
            Your id for the person; ``None`` with ``anonymous_id=``.
        name : str, optional
            Screen name.
        properties : mapping, optional
            Screen properties.
        **fields
            Other :class:`cio.models.Screen` fields.
        """
        self._call(_SCREEN, user_id, name, properties, fields)

    def group(
        self,
        group_id: str,
        user_id: str | None = None,
        traits: Mapping[str, Any] | None = None,
        **fields: Any,
    ) -> None:
        """Queue a group call (create or update an object, relate a person to it).

        Parameters
        ----------
        group_id : str
            The object's id.
        user_id : str, optional
            The person to relate.
        traits : mapping, optional
            Object attributes (``objectTypeId`` defaults to ``"1"``).
        **fields
            Other :class:`cio.models.Group` fields.
        """
        self._call(_GROUP, group_id, user_id, traits, fields)

    def alias(self, user_id: str, previous_id: str, **fields: Any) -> None:
        """Queue an alias call (merge ``previous_id`` into ``user_id``).

        Parameters
        ----------
        user_id : str
            The id that remains.
        previous_id : str
            The id merged into it.
        **fields
            Other :class:`cio.models.Alias` fields.
        """
        self._call(_ALIAS, user_id, previous_id, None, fields)

    def send(self, message: Message | Mapping[str, Any]) -> None:
        """Queue a ready model (already validated) or a wire-form dict.

        Parameters
        ----------
        message : Message or mapping
            Any single message.

        Raises
        ------
        ValidationError
            With an outbox, when a dict does not validate (without one, the sender's
            thread reports it; see the module documentation).
        """
        if self.outbox is None:
            if not isinstance(message, Message):
                message = _snapshot(message)
            self._put((_MESSAGE, message, None, None, None))
            return
        self._put_checked(message, self._calls)

    # Background side ------------------------------------------------------------------------

    def _run(self) -> None:
        engine = self._engine
        assert engine is not None
        try:
            if self._backlog:
                self._send_backlog(engine)
            while True:
                timed_out = False
                if len(self._queue) < self._wake_at and not (self._stopping or self._flushing):
                    timed_out = not self._wakeup.wait(self.flush_interval)
                self._wakeup.clear()
                # Partial batches go out when the interval passed or a flush was asked for;
                # a burst that woke the thread early only fills batches.
                send_partial = timed_out or self._flushing or self._stopping
                self._flushing = False
                with self._take_lock:
                    count = len(self._queue)
                    items = [self._queue.popleft() for _ in range(count)]
                    self._taken += count
                if count:
                    with self._room:
                        self._room.notify_all()
                    self._feed(engine, items)
                if send_partial:
                    engine.flush()
                    if self._stopping and not self._queue:
                        return
        except BaseException as exc:  # recorded: the next call raises, close() accounts
            self._crash = exc
            self._running = False  # callers take the slow path, which raises
            logger.exception("the buffered sender's thread stopped")
            with self._room:
                self._room.notify_all()
            with self._settled:
                self._settled.notify_all()

    def _send_backlog(self, engine: DeliveryEngine) -> None:
        assert self.outbox is not None
        for row in self.outbox.rows(up_to=self._backlog_until):
            engine.put(row.body, row.key, row.message_id, row.seq)
        engine.flush()

    def _feed(self, engine: DeliveryEngine, items: list[tuple[Any, ...]]) -> None:
        put = engine.put
        number = self._calls
        for kind, a, b, c, fields in items:
            number += 1
            if kind == _STORED:
                put(fields, c, b, a)  # (kind, seq, message_id, key, body)
                continue
            try:
                if kind == _MESSAGE:
                    message = a
                else:
                    message = _build(kind, a, b, c, _drop_none(fields) if fields else {})
                body, message_id, key, found = intake(message, index=None)
                if found:
                    self._advice.add(number - 1, found)
            except pydantic.ValidationError as exc:
                self._reject(engine, number - 1, None, ValidationError.from_pydantic(exc))
                continue
            except CustomerIOError as exc:
                self._reject(engine, number - 1, None, exc)
                continue
            except Exception as exc:  # user data (a Mapping whose reads raise, a bad __str__)
                error = ValidationError(
                    f"invalid call {number - 1}: reading its arguments raised {type(exc).__name__}"
                )
                self._reject(engine, number - 1, None, error)
                continue
            put(body, key, message_id, number - 1)
        self._calls = number

    def _reject(
        self, engine: DeliveryEngine, index: int, message_id: str | None, error: CustomerIOError
    ) -> None:
        record = engine.reject(index, message_id, error)
        logger.warning("buffered call %d refused: %s", index, record.reason)
        if self._on_error is not None:
            try:
                self._on_error(record)
            except BaseException:  # the caller's callback must not stop delivery
                logger.exception("the on_error callback raised; ignored, delivery goes on")
        self._settle(())

    def _settle(self, indices: Any) -> None:
        if self.outbox is not None and indices:
            self.outbox.remove(indices)
        with self._settled:
            self._settled.notify_all()

    # Flushing and closing ---------------------------------------------------------------------

    def _target(self) -> int:
        with self._take_lock:
            return self._backlog + self._taken + len(self._queue)

    def _result(self, target: int, timed_out: bool) -> FlushResult:
        engine = self._engine
        settled = engine.settled if engine is not None else 0
        pending = max(target - settled, 0)
        return FlushResult(
            pending=pending,
            sent=engine.sent if engine is not None else 0,
            failed=engine.failed if engine is not None else 0,
            rejected=engine.rejected if engine is not None else 0,
            timed_out=timed_out and pending > 0,
        )

    @property
    def pending(self) -> int:
        """Calls accepted but not yet delivered, dead-lettered or refused."""
        return self._result(self._target(), False).pending

    def flush(self, timeout: float | None = DEFAULT_FLUSH_TIMEOUT_SECONDS) -> FlushResult:
        """Send everything queued so far and wait, at most ``timeout`` seconds.

        Parameters
        ----------
        timeout : float, optional
            Longest wait in seconds. ``None`` waits until done (it still ends, because
            every request has the transport's deadline).

        Returns
        -------
        FlushResult
            What is still pending (and the running totals).
        """
        target = self._target()
        engine = self._engine
        if engine is None:
            return self._result(target, False)
        deadline = None if timeout is None else time.monotonic() + timeout
        self._flushing = True
        self._wakeup.set()
        with self._settled:
            while engine.settled < target:
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    break
                self._settled.wait(
                    _ROOM_POLL_SECONDS if remaining is None else min(remaining, _ROOM_POLL_SECONDS)
                )
                if self._thread is not None and not self._thread.is_alive():
                    break
        return self._result(target, True)

    def close(self, timeout: float | None = DEFAULT_FLUSH_TIMEOUT_SECONDS) -> FlushResult:
        """Flush with a deadline, stop the threads, and account for anything left.

        Messages still undelivered at the deadline are dead-lettered (memory mode) or
        left in the outbox file for the next run. Calling it again returns the first
        result.

        Parameters
        ----------
        timeout : float, optional
            Deadline of the final flush in seconds.

        Returns
        -------
        FlushResult
        """
        if self._closed:
            assert self._last_result is not None
            return self._last_result
        self._closed = True
        self._running = False  # later calls take the slow path and raise
        _LIVE.discard(self)
        if self._engine is None or self._thread is None:
            self._last_result = self._result(self._target(), False)
            return self._last_result
        result = self.flush(timeout)
        self._stopping = True
        self._wakeup.set()
        with self._room:
            self._room.notify_all()
        if result.pending:
            self._abandon(result.pending)
        else:
            self._thread.join(_ROOM_POLL_SECONDS * 10)
            self._engine.close(_ROOM_POLL_SECONDS * 10)
        if self._persist_at_close:
            self._persist_dead_letters()
        if self._owns_dead_letters:
            self.dead_letters.close()
        if self.outbox is not None:
            self.outbox.close()
        self._last_result = result
        return result

    def _persist_dead_letters(self) -> None:
        """Write the in-memory dead letters to the default file and say where."""
        store = self.dead_letters
        if not isinstance(store, MemoryDeadLetterStore) or not len(store):
            return
        count = len(store)
        path = default_dead_letter_path()
        try:
            store.write(path)
        except OSError as exc:
            logger.error(
                "%d undelivered message(s) could not be written to %s (%s); they are only "
                "in this process's memory (sender.dead_letters)",
                count,
                path,
                type(exc).__name__,
            )
            return
        self.dead_letter_file = path
        _warn_loudly(
            f"{count} message(s) could not be delivered; they are in {path} "
            f"(resend them with: cio replay {path})"
        )

    def _close_at_exit(self) -> FlushResult:
        """At interpreter exit: keep flushing while requests succeed, then close.

        Each window lasts ``exit_timeout`` or a request's timeout and a second, whichever
        is longer; a window without any answer ends it. What is left is dead-lettered
        and written to the default file.
        """
        if self._closed:
            return self.close()
        settings = getattr(self._client, "settings", None)
        request_timeout = float(getattr(settings, "timeout", DEFAULT_FLUSH_TIMEOUT_SECONDS))
        window = max(self.exit_timeout, request_timeout + _EXIT_WINDOW_MARGIN_SECONDS)
        give_up = time.monotonic() + _EXIT_LONGEST_SECONDS
        engine = self._engine
        before = engine.settled if engine is not None else 0
        result = self.flush(window)
        if engine is None or engine.settled == before:
            return self.close(0.0)  # not a single answer in a whole window
        while result.pending and time.monotonic() < give_up:
            engine = self._engine
            before = engine.settled if engine is not None else 0
            result = self.flush(min(window, max(give_up - time.monotonic(), 0.0)))
            if engine is None or engine.settled == before:
                break  # a whole window without any answer: the API is not answering
        return self.close(0.0)

    def _abandon(self, pending: int) -> None:
        assert self._engine is not None and self._thread is not None
        if self.outbox is not None:
            logger.warning(
                "closing with %d message(s) undelivered; they stay in outbox %s for the next run",
                pending,
                self.outbox.path,
            )
            return
        # Memory mode: record every message not yet acknowledged so none is lost unseen.
        # The packer thread feeds what is queued to the stopped engine, which dead-letters
        # it instead of sending; batches behind a stuck request are taken from the queues.
        reason = ClientClosedError("the sender was closed before the API acknowledged this message")
        self._engine.abort(reason)
        self._thread.join(_ROOM_POLL_SECONDS * 10)
        if not self._thread.is_alive() and self._queue:
            # The packer died: dead-letter what it left queued from this thread instead.
            with self._take_lock:
                items = list(self._queue)
                self._queue.clear()
                self._taken += len(items)
            self._feed(self._engine, items)
            self._engine.flush()
        self._engine.drain_unsent()
        self._engine.close(_ROOM_POLL_SECONDS)
        self._engine.dead_letter_in_flight(reason)
        logger.error(
            "buffered sender closed with %d message(s) undelivered; they are in %r",
            pending,
            self.dead_letters,
        )

    def report(self) -> BatchReport:
        """Totals since the sender started, as a :class:`BatchReport`.

        Returns
        -------
        BatchReport
        """
        engine = self._engine
        duration = time.perf_counter() - self._started_at
        if engine is None:
            return BatchReport(0, 0, 0, 0, 0, 0, duration)
        return self._advice.applied_to(engine.report(duration))

    def _after_fork_in_child(self) -> None:
        """Forget the parent's queue and threads; start afresh on the next call."""
        self._reset_state()
        self._backlog = 0
        self._backlog_until = 0

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


_LIVE: weakref.WeakSet[BufferedSender] = weakref.WeakSet()


def _close_all_at_exit() -> None:
    for sender in list(_LIVE):
        try:
            sender._close_at_exit()
        except CustomerIOError:
            logger.exception("closing a buffered sender at exit failed")


def _reset_all_in_child() -> None:
    transports: list[object] = []
    for sender in list(_LIVE):
        transport = sender._client.transport
        reset = getattr(transport, "reset_after_fork", None)
        if reset is not None and all(transport is not seen for seen in transports):
            transports.append(transport)
            reset()
        sender._after_fork_in_child()


atexit.register(_close_all_at_exit)
os.register_at_fork(after_in_child=_reset_all_in_child)
