"""The delivery engine: lanes of byte-packed batches sent by a small pool of threads.

How a message travels::

    producer thread                    lane k (one per worker)          worker k
    serialized bytes --hash(user)-->   packing batch -> bounded queue -> POST /batch
                                                                         |  400: halve,
                                                                         |  resend both
                                                                         v
                                                               ack / dead-letter store

* Every message for one user (``userId``, else ``anonymousId``) goes to the same lane,
  and each lane is packed and sent in order by one thread, so a user's messages keep
  their relative order across batches and workers.
* Each lane's queue is bounded, so the producer blocks once ``max_in_flight`` packed
  batches are waiting: memory stays constant however long the input is.
* Workers share the client's transport, hence its rate limiter and connection pool.
* A batch answered 400 (strict mode) or 413 is split in halves that are resent in
  order, until the offending messages stand alone: k bad messages among n cost
  ``O(k log n)`` requests and no good message is lost with them.
* A batch that still fails (retries spent, network down) goes to the dead-letter store
  with its reason; nothing is dropped without a record.
"""

from __future__ import annotations

import logging
import math
import os
import queue
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from cio._constants import MAX_BATCH_BYTES, PATH_BATCH
from cio._forksafe import ForkSafeLock
from cio._transport import Response
from cio.batching import BatchPacker, PackedBatch, batch_body
from cio.delivery._constants import (
    DEFAULT_IN_FLIGHT_PER_WORKER,
    DEFAULT_MAX_WORKERS,
    MAX_REPORT_FAILURES,
    WORKERS_PER_CPU,
)
from cio.delivery._deadletters import DeadLetter, DeadLetterStore, utc_now_iso
from cio.delivery._report import BatchReport, DeliveryFailure
from cio.delivery._timeline import DeliveryTimeline
from cio.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    CustomerIOError,
    ErrorDetail,
    NotFoundError,
    PayloadTooLargeError,
    ValidationError,
)

__all__ = ["DeliveryEngine", "Progress", "default_workers"]

logger = logging.getLogger(__name__)

PostFunction = Callable[[str, bytes], Response]

_PUT_POLL_SECONDS = 0.05

# Errors that every later request would hit too: stop instead of failing each batch.
_FATAL_ERRORS: tuple[type[CustomerIOError], ...] = (
    AuthenticationError,
    NotFoundError,
    ClientClosedError,
)
# Answers that blame the content of the batch: split it to find the culprits.
_SPLIT_ERRORS: tuple[type[APIError], ...] = (BadRequestError, PayloadTooLargeError)


def default_workers() -> int:
    """Worker threads used when none is given: ``min(4, 2 * CPUs)``.

    Returns
    -------
    int
    """
    return max(1, min(DEFAULT_MAX_WORKERS, WORKERS_PER_CPU * (os.cpu_count() or 1)))


class Progress(Protocol):
    """What the engine needs from a progress bar (``tqdm`` fits)."""

    def update(self, n: int = 1) -> object:
        """Advance by ``n`` events."""
        ...


class _Lane:
    __slots__ = ("current", "packer", "queue", "thread")

    def __init__(self, capacity: int, max_bytes: int) -> None:
        # The one packer of the library (cio.batching), as its property tests exercise it.
        self.packer = BatchPacker(max_bytes)
        self.current: PackedBatch | None = None
        self.queue: queue.Queue[PackedBatch | None] = queue.Queue(maxsize=capacity)
        self.thread: threading.Thread | None = None


def _failure(
    index: int | None,
    message_id: str | None,
    error: BaseException,
    *,
    attempts: int,
    reason: str | None = None,
) -> DeliveryFailure:
    details: tuple[ErrorDetail, ...] = ()
    if isinstance(error, ValidationError):
        reason = reason or error.summary
        details = error.errors
    return DeliveryFailure(
        index=index,
        message_id=message_id,
        reason=reason if reason is not None else str(error),
        error_type=type(error).__name__,
        status=getattr(error, "status_code", None),
        attempts=attempts,
        details=details,
    )


def _unsent(stop: BaseException) -> str:
    return f"not sent: delivery stopped ({type(stop).__name__})"


class DeliveryEngine:
    """Packs serialized messages into lanes and sends them with a pool of threads.

    One thread at a time may call :meth:`put`, :meth:`reject`, :meth:`flush` and
    :meth:`close` (the producer); the callbacks run on worker threads.

    Parameters
    ----------
    post : callable
        ``post(path, body) -> Response``, normally ``client.post``; it raises
        :mod:`cio.errors` exceptions after the transport's retries.
    dead_letters : DeadLetterStore
        Where undelivered messages go.
    workers : int, optional
        Worker threads (and lanes); default :func:`default_workers`.
    max_in_flight : int, optional
        Packed batches allowed to wait or be sent at once, across lanes; default two
        per worker. The producer blocks beyond it.
    on_ack : callable, optional
        Called with the messageIds of each acknowledged batch, from a worker thread.
    on_settled : callable, optional
        Called with the indices of messages whose fate is known (acknowledged or
        dead-lettered), from a worker thread, after the dead letters are written.
    progress : Progress, optional
        Advanced by the number of messages acknowledged.
    abort_on_fatal : bool
        Stop at the first 401/403/404 (or closed client): every later request would
        fail the same way. Batches not yet sent are dead-lettered as not sent.
    max_bytes : int
        Largest batch body.
    name : str
        Prefix of the worker thread names.

    Example
    -------
    >>> from cio.testing import RecordingTransport
    >>> from cio.delivery import MemoryDeadLetterStore
    >>> transport = RecordingTransport()
    >>> engine = DeliveryEngine(transport.send, dead_letters=MemoryDeadLetterStore(), workers=2)
    >>> engine.put(b'{"type":"identify","messageId":"m1","userId":"1"}', "1", "m1", 0)
    >>> engine.close()
    True
    >>> engine.report(duration=1.0).sent
    1
    """

    def __init__(
        self,
        post: PostFunction,
        *,
        dead_letters: DeadLetterStore,
        workers: int | None = None,
        max_in_flight: int | None = None,
        on_ack: Callable[[Sequence[str]], None] | None = None,
        on_settled: Callable[[Sequence[int]], None] | None = None,
        progress: Progress | None = None,
        abort_on_fatal: bool = True,
        max_bytes: int = MAX_BATCH_BYTES,
        name: str = "cio-delivery",
    ) -> None:
        count = default_workers() if workers is None else workers
        if count < 1:
            raise ValueError("workers must be at least 1")
        in_flight = count * DEFAULT_IN_FLIGHT_PER_WORKER if max_in_flight is None else max_in_flight
        if in_flight < 1:
            raise ValueError("max_in_flight must be at least 1")
        self.workers = count
        self.dead_letters = dead_letters
        self._post = post
        self._on_ack = on_ack
        self._on_settled = on_settled
        self._progress = progress
        self._abort_on_fatal = abort_on_fatal
        self._max_bytes = max_bytes
        self._lock = ForkSafeLock()
        self._stop: BaseException | None = None
        self._crash: BaseException | None = None
        self._closed = False
        self.sent = 0
        self.failed = 0
        self.rejected = 0
        self.requests = 0
        self.retries = 0
        self.bytes_sent = 0
        self.next_index = 0
        self.unrecorded = 0
        self._unstored: list[DeadLetter] = []
        self._failures: list[DeliveryFailure] = []
        self._timeline = DeliveryTimeline()
        capacity = max(1, math.ceil(in_flight / count))
        self._lanes = [_Lane(capacity, max_bytes) for _ in range(count)]
        for number, lane in enumerate(self._lanes):
            lane.thread = threading.Thread(
                target=self._work, args=(lane,), name=f"{name}-{number}", daemon=True
            )
            lane.thread.start()

    # Producer side ----------------------------------------------------------------------

    def put(self, body: bytes, key: str, message_id: str, index: int) -> None:
        """Queue one serialized message (at most 32 KB) for delivery.

        Parameters
        ----------
        body : bytes
            The message's compact JSON.
        key : str
            Ordering key: the userId, else the anonymousId.
        message_id : str
            The message's messageId (reported to ``on_ack`` and dead letters).
        index : int
            Its position in the input (or outbox row), reported in failures.

        Raises
        ------
        CustomerIOError
            The fatal error that stopped delivery (for example ``AuthenticationError``).
        """
        lanes = self._lanes
        lane = lanes[hash(key) % len(lanes)] if len(lanes) > 1 else lanes[0]
        completed = lane.packer.add(body, message_id, index)
        self.next_index = index + 1
        if completed is not None:
            try:
                self._submit(lane, completed, raise_stop=True)
            except BaseException as exc:  # stopped or interrupted: record what was read
                rest = lane.packer.drain()
                if rest.bodies:
                    self._fail_unsent(rest, exc)
                raise

    def reject(
        self, index: int | None, message_id: str | None, error: BaseException
    ) -> DeliveryFailure:
        """Record a message refused before sending (invalid, or over 32 KB).

        Parameters
        ----------
        index : int or None
            Its position in the input.
        message_id : str or None
            Its messageId, when it became a valid message.
        error : BaseException
            Why it was refused (normally a :mod:`cio.errors` exception).

        Returns
        -------
        DeliveryFailure
            The record added to the report.
        """
        record = _failure(index, message_id, error, attempts=0)
        with self._lock:
            self.rejected += 1
            if len(self._failures) < MAX_REPORT_FAILURES:
                self._failures.append(record)
        if index is not None:
            self.next_index = index + 1
        return record

    def _submit(self, lane: _Lane, batch: PackedBatch, *, raise_stop: bool) -> None:
        stop = self._stop
        if raise_stop and self._abort_on_fatal and stop is not None:
            if batch.bodies:
                self._fail_unsent(batch, stop)
            raise stop
        if not batch.bodies:
            return
        try:
            while True:
                stop = self._stop
                if stop is not None:
                    self._fail_unsent(batch, stop)
                    return
                try:
                    lane.queue.put(batch, timeout=_PUT_POLL_SECONDS)
                    return
                except queue.Full:
                    continue
        except BaseException as exc:  # interrupted while waiting for room: record the batch
            self._fail_unsent(batch, exc)
            raise

    def _fail_unsent(self, batch: PackedBatch, stop: BaseException) -> None:
        self._fail(batch.bodies, batch.ids, batch.indices, stop, attempts=0, reason=_unsent(stop))

    def drain_unsent(self) -> int:
        """After :meth:`abort`, dead-letter the batches still waiting in the lanes' queues.

        Workers do this themselves unless one is stuck in a request; this takes the
        batches queued behind it.

        Returns
        -------
        int
            Batches dead-lettered.
        """
        stop = self._stop
        count = 0
        if stop is None:
            return count
        for lane in self._lanes:
            count += self._drain_lane(lane, stop)
        return count

    def _drain_lane(self, lane: _Lane, stop: BaseException) -> int:
        """Dead-letter the batches queued in ``lane``; its stop signal stays queued."""
        count = 0
        sentinels = 0
        while True:
            try:
                batch = lane.queue.get_nowait()
            except queue.Empty:
                break
            if batch is None:
                sentinels += 1  # the worker's stop signal: never discard it, or it never exits
            else:
                self._fail_unsent(batch, stop)
                count += 1
        for _ in range(sentinels):
            lane.queue.put_nowait(None)
        return count

    def flush(self) -> None:
        """Hand every partly packed batch to its worker (without waiting for answers).

        Raises
        ------
        CustomerIOError
            The fatal error that stopped delivery, if any.
        """
        for lane in self._lanes:
            self._submit(lane, lane.packer.drain(), raise_stop=True)

    def abort(self, reason: BaseException) -> None:
        """Stop sending: batches not yet sent are dead-lettered with ``reason``.

        Parameters
        ----------
        reason : BaseException
            Recorded as the cause (for example ``KeyboardInterrupt()``).
        """
        with self._lock:
            if self._stop is None:
                self._stop = reason

    def interrupt(self, reason: BaseException, grace: float) -> int:
        """Stop at once (Ctrl-C): no new request starts, nothing read is left unrecorded.

        Batches not yet sent are dead-lettered as not sent; requests already under way
        get ``grace`` seconds to finish, and those still unanswered are dead-lettered as
        in flight (they may yet be delivered: a replay carries the same messageIds).
        The workers exit after their current request.

        Parameters
        ----------
        reason : BaseException
            Recorded as the cause, for example the ``KeyboardInterrupt``.
        grace : float
            Seconds to wait for requests under way.

        Returns
        -------
        int
            Messages dead-lettered as in flight.
        """
        self.abort(reason)
        stop = self._stop
        assert stop is not None
        for lane in self._lanes:
            batch = lane.packer.drain()
            if batch.bodies:
                self._fail_unsent(batch, stop)
            self._drain_lane(lane, stop)
            if not self._closed:
                try:
                    lane.queue.put_nowait(None)
                except queue.Full:  # refilled by nobody (the producer is here): cannot happen
                    logger.debug("lane queue full while stopping")
        self._closed = True
        deadline = time.monotonic() + grace
        try:
            while time.monotonic() < deadline and any(
                lane.current is not None for lane in self._lanes
            ):
                time.sleep(_PUT_POLL_SECONDS)
        except KeyboardInterrupt:  # a second Ctrl-C: stop waiting
            logger.debug("second interrupt: not waiting for requests under way")
        return self.dead_letter_in_flight(stop)

    def close(self, timeout: float | None = None) -> bool:
        """Send what is packed, stop the workers and wait for them.

        Parameters
        ----------
        timeout : float, optional
            Longest wait for the workers, in seconds; ``None`` waits until done.

        Returns
        -------
        bool
            Whether every worker finished within the timeout.

        Raises
        ------
        BaseException
            An exception raised by a callback (``on_ack``, ``on_settled``) or the dead
            letter store, re-raised here in the producer's thread.
        """
        if not self._closed:
            self._closed = True
            for lane in self._lanes:
                self._submit(lane, lane.packer.drain(), raise_stop=False)
                self._put_sentinel(lane)
        finished = self.join(timeout)
        if self._crash is not None:
            raise self._crash
        return finished

    def _put_sentinel(self, lane: _Lane) -> None:
        while True:
            try:
                lane.queue.put(None, timeout=_PUT_POLL_SECONDS)
                return
            except queue.Full:
                stop = self._stop
                if stop is not None:
                    # A worker stuck in a request: take what waits behind it instead.
                    self._drain_lane(lane, stop)

    def join(self, timeout: float | None = None) -> bool:
        """Wait for the workers to exit after :meth:`close`.

        Parameters
        ----------
        timeout : float, optional
            Longest wait in seconds.

        Returns
        -------
        bool
            Whether all of them exited.
        """
        for lane in self._lanes:
            if lane.thread is not None:
                lane.thread.join(timeout)
        return not any(lane.thread is not None and lane.thread.is_alive() for lane in self._lanes)

    def dead_letter_in_flight(self, reason: BaseException) -> int:
        """Dead-letter the batches workers are still sending (they may yet be delivered).

        Used when a sender must give up waiting; a later acknowledgement is harmless,
        since a replay carries the same messageIds.

        Parameters
        ----------
        reason : BaseException
            Recorded as the reason.

        Returns
        -------
        int
            Messages dead-lettered.
        """
        count = 0
        for lane in self._lanes:
            batch = lane.current
            if batch is not None:
                count += len(batch.ids)
                self._fail(
                    batch.bodies,
                    batch.ids,
                    batch.indices,
                    reason,
                    attempts=0,
                    reason=f"{reason} (it was in flight; it may have been delivered)",
                )
        return count

    @property
    def stopped_by(self) -> BaseException | None:
        """The fatal error or abort reason that stopped sending, if any."""
        return self._stop

    @property
    def settled(self) -> int:
        """Messages delivered, dead-lettered or rejected so far."""
        return self.sent + self.failed + self.rejected

    def report(self, duration: float) -> BatchReport:
        """A snapshot of the counts as a :class:`BatchReport`.

        Parameters
        ----------
        duration : float
            Seconds the run took, as measured by the caller.

        Returns
        -------
        BatchReport
        """
        with self._lock:
            return BatchReport(
                sent=self.sent,
                failed=self.failed,
                rejected=self.rejected,
                requests=self.requests,
                retries=self.retries,
                bytes_sent=self.bytes_sent,
                duration=duration,
                failures=tuple(self._failures),
                dead_letters=self.dead_letters,
                timeline=self._timeline.points(),
                unstored=tuple(self._unstored),
                unrecorded=self.unrecorded,
            )

    # Worker side ------------------------------------------------------------------------

    def _work(self, lane: _Lane) -> None:
        get = lane.queue.get
        while True:
            batch = get()
            if batch is None:
                return
            lane.current = batch
            try:
                stop = self._stop
                if stop is not None:
                    self._fail_unsent(batch, stop)
                else:
                    self._deliver(batch.bodies, batch.ids, batch.indices)
            except BaseException as exc:  # recorded, stops delivery, re-raised by close()
                logger.exception("delivery worker %s stopped delivery", lane.thread)
                with self._lock:
                    if self._crash is None:
                        self._crash = exc
                    if self._stop is None:
                        self._stop = exc
            finally:
                lane.current = None

    def _deliver(self, bodies: list[bytes], ids: list[str], indices: list[int]) -> None:
        stop = self._stop
        if stop is not None:  # stopped while splitting a batch: no new request
            self._fail(bodies, ids, indices, stop, attempts=0, reason=_unsent(stop))
            return
        # batch_body is the one envelope writer (cio.batching), shared with Batch.to_json.
        body = batch_body(bodies)
        try:
            response = self._post(PATH_BATCH, body)
        except _SPLIT_ERRORS as exc:
            self._count(len(body), exc.attempts)
            if len(bodies) > 1:
                middle = len(bodies) // 2
                logger.info(
                    "batch of %d answered %s; resending it in halves",
                    len(bodies),
                    getattr(exc, "status_code", None),
                )
                self._deliver(bodies[:middle], ids[:middle], indices[:middle])
                self._deliver(bodies[middle:], ids[middle:], indices[middle:])
            else:
                self._fail(bodies, ids, indices, exc, attempts=exc.attempts)
        except _FATAL_ERRORS as exc:
            attempts = getattr(exc, "attempts", 1)
            self._count(len(body), attempts)
            if self._abort_on_fatal:
                self.abort(exc)
            logger.error("delivery stopped: %s", exc)
            self._fail(bodies, ids, indices, exc, attempts=attempts)
        except CustomerIOError as exc:
            attempts = getattr(exc, "attempts", 1)
            self._count(len(body), attempts)
            self._fail(bodies, ids, indices, exc, attempts=attempts)
        else:
            self._count(len(body), response.attempts)
            with self._lock:
                self.sent += len(ids)
                self._timeline.add(sent=len(ids))
                if self._progress is not None:
                    self._progress.update(len(ids))
            self._notify(self._on_ack, ids)
            self._notify(self._on_settled, indices)

    def _notify(self, callback: Callable[[Sequence[Any]], None] | None, items: list[Any]) -> None:
        """Call ``on_ack``/``on_settled``; a failing write (state, outbox) is counted, not fatal."""
        if callback is None:
            return
        try:
            callback(items)
        except Exception as exc:
            with self._lock:
                self.unrecorded += len(items)
            logger.error(
                "recording the outcome of %d message(s) failed (%s); delivery goes on, and "
                "the count is in report.unrecorded",
                len(items),
                type(exc).__name__,
            )

    def _count(self, size: int, attempts: int) -> None:
        with self._lock:
            self.requests += 1
            retries = max(attempts - 1, 0)
            self.retries += retries
            self.bytes_sent += size
            self._timeline.add(retries=retries, requests=1)

    def _fail(
        self,
        bodies: list[bytes],
        ids: list[str],
        indices: list[int],
        error: BaseException,
        *,
        attempts: int,
        reason: str | None = None,
    ) -> None:
        text = reason if reason is not None else str(error)
        error_type = type(error).__name__
        status = getattr(error, "status_code", None)
        when = utc_now_iso()
        letters = [
            DeadLetter(body, message_id, text, error_type, status, attempts, index, when)
            for body, message_id, index in zip(bodies, ids, indices, strict=True)
        ]
        try:
            self.dead_letters.add(letters)
        except Exception as exc:  # a full disk must not stop the other messages' delivery
            logger.error(
                "%d dead letter(s) could not be written to %r (%s); they are kept in "
                "report.unstored",
                len(letters),
                self.dead_letters,
                type(exc).__name__,
            )
            with self._lock:
                self._unstored.extend(letters)
        with self._lock:
            self.failed += len(letters)
            self._timeline.add(failed=len(letters))
            room = MAX_REPORT_FAILURES - len(self._failures)
            for letter in letters[: max(room, 0)]:
                self._failures.append(
                    DeliveryFailure(
                        index=letter.index,
                        message_id=letter.message_id,
                        reason=text,
                        error_type=error_type,
                        status=status,
                        attempts=attempts,
                    )
                )
        self._notify(self._on_settled, indices)
