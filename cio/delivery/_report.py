"""What a delivery run reports: counts, timings and located failures, never payloads."""

from __future__ import annotations

import html
from collections import Counter
from dataclasses import dataclass, field

from cio._charts import delivery_chart
from cio.delivery._deadletters import DeadLetter, DeadLetterStore
from cio.delivery._timeline import DeliveryPoint
from cio.errors import DeliveryError, DeliveryInterrupted, ErrorDetail

__all__ = [
    "BatchReport",
    "DeliveryError",
    "DeliveryFailure",
    "DeliveryInterrupted",
    "FlushResult",
]

_SHOWN_FAILURES = 10


@dataclass(frozen=True, slots=True)
class DeliveryFailure:
    """One message that was not delivered, located by input index and/or messageId.

    Parameters
    ----------
    index : int or None
        Position of the message in the input iterable (counting from 0), when known.
    message_id : str or None
        The message's ``messageId``; ``None`` when it never became a valid message.
    reason : str
        What went wrong, without any input value.
    error_type : str
        Name of the :mod:`cio.errors` class, for example ``"ValidationError"``.
    status : int or None
        HTTP status of the last answer, or ``None`` when nothing was sent.
    attempts : int
        Requests that carried the message (0 when it was refused before sending).
    details : tuple of ErrorDetail
        Located validation problems, for rejected messages.
    """

    index: int | None
    message_id: str | None
    reason: str
    error_type: str
    status: int | None = None
    attempts: int = 0
    details: tuple[ErrorDetail, ...] = ()

    @property
    def rejected(self) -> bool:
        """Whether the message was refused before sending (invalid or too large)."""
        return self.attempts == 0

    def __str__(self) -> str:
        where = []
        if self.index is not None:
            where.append(f"message {self.index}")
        if self.message_id is not None:
            where.append(f"messageId {self.message_id}")
        status = f" HTTP {self.status}" if self.status is not None else ""
        return f"{', '.join(where) or 'message'}: {self.error_type}{status}: {self.reason}"


@dataclass(frozen=True, slots=True)
class BatchReport:
    """The outcome of :meth:`cio.services.batch.BatchService.send`.

    Parameters
    ----------
    sent : int
        Messages the API acknowledged.
    failed : int
        Messages sent but not acknowledged (each is in the dead-letter store).
    rejected : int
        Messages refused before sending: invalid, or over 32 KB.
    requests : int
        ``/batch`` requests made (retries not counted; bisection halves counted).
    retries : int
        Extra attempts the transport made after retryable failures.
    bytes_sent : int
        Bytes of request bodies sent (each request counted once).
    duration : float
        Seconds from the first message read to the last answer.
    failures : tuple of DeliveryFailure
        The failed and rejected messages, in no particular order (the first
        ``MAX_REPORT_FAILURES`` of them; the counts are always complete).
    dead_letters : DeadLetterStore, optional
        The dead-letter store that holds the failed messages (iterate it, or ``write`` a
        memory store to a file for ``cio replay``).
    timeline : tuple of DeliveryPoint
        Delivery over time (acknowledged, failed, retried per interval), for charts;
        empty for reports built by hand.
    unstored : tuple of DeadLetter
        Dead letters the store could not write (a full disk, a read-only directory):
        kept here so they are not lost; write them elsewhere.
    unrecorded : int
        Messages whose outcome could not be recorded by ``on_ack``/``on_settled`` (an
        import's state file or an outbox that could not be written); delivery went on.
    warnings : tuple of ErrorDetail
        What the API accepted but is probably a mistake, located like rejections
        (``messages.<index>.<field>``); the first ``MAX_REPORT_FAILURES`` of them.
    warning_count : int
        Every warning found.

    Example
    -------
    >>> report = BatchReport(sent=3, failed=0, rejected=0, requests=1, retries=0,
    ...                      bytes_sent=300, duration=0.5, failures=())
    >>> report.ok, report.throughput
    (True, 6.0)
    >>> print(report)
    BatchReport: 3 sent, 0 failed, 0 rejected in 1 request(s) (0 retries), 300 bytes,
    0.50 s, 6 events/s
    """

    sent: int
    failed: int
    rejected: int
    requests: int
    retries: int
    bytes_sent: int
    duration: float
    failures: tuple[DeliveryFailure, ...] = ()
    dead_letters: DeadLetterStore | None = field(default=None, repr=False, compare=False)
    timeline: tuple[DeliveryPoint, ...] = field(default=(), repr=False, compare=False)
    unstored: tuple[DeadLetter, ...] = field(default=(), repr=False)
    unrecorded: int = 0
    warnings: tuple[ErrorDetail, ...] = ()
    warning_count: int = 0

    @property
    def ok(self) -> bool:
        """Whether every message was delivered (nothing failed or was rejected)."""
        return self.failed == 0 and self.rejected == 0

    @property
    def total(self) -> int:
        """Messages read from the input."""
        return self.sent + self.failed + self.rejected

    @property
    def throughput(self) -> float:
        """Delivered messages per second."""
        return self.sent / self.duration if self.duration > 0 else 0.0

    def error_counts(self) -> dict[str, int]:
        """How many recorded failures there are per error type.

        Returns
        -------
        dict of str to int
        """
        return dict(Counter(failure.error_type for failure in self.failures))

    def raise_for_failures(self) -> None:
        """Raise :class:`DeliveryError` when any message failed or was rejected.

        Raises
        ------
        DeliveryError
            With a summary; ``exc.report`` is this report.

        Example
        -------
        >>> BatchReport(sent=1, failed=0, rejected=0, requests=1, retries=0,
        ...             bytes_sent=10, duration=0.1).raise_for_failures()
        """
        if self.ok:
            return
        counts = ", ".join(f"{count} {name}" for name, count in sorted(self.error_counts().items()))
        lines = [
            f"{self.failed + self.rejected} of {self.total} messages not delivered "
            f"({self.failed} failed, {self.rejected} rejected): {counts}"
        ]
        lines.extend(f"  {failure}" for failure in self.failures[:_SHOWN_FAILURES])
        if len(self.failures) > _SHOWN_FAILURES:
            lines.append(f"  ... and {len(self.failures) - _SHOWN_FAILURES} more")
        raise DeliveryError("\n".join(lines), self)

    def __str__(self) -> str:
        text = (
            f"BatchReport: {self.sent} sent, {self.failed} failed, {self.rejected} rejected "
            f"in {self.requests} request(s) ({self.retries} retries), {self.bytes_sent} bytes, "
            f"{self.duration:.2f} s, {self.throughput:.0f} events/s"
            + (
                f", {self.warning_count} warning{'' if self.warning_count == 1 else 's'}"
                if self.warning_count
                else ""
            )
        )
        if self.unstored:
            text += (
                f"; {len(self.unstored)} dead letter(s) could not be written to the store "
                "(kept in report.unstored)"
            )
        if self.unrecorded:
            text += f"; the outcome of {self.unrecorded} message(s) could not be recorded"
        return text

    def _repr_html_(self) -> str:
        rows = [
            ("sent", self.sent),
            ("failed", self.failed),
            ("rejected", self.rejected),
            ("requests", self.requests),
            ("retries", self.retries),
            ("bytes sent", self.bytes_sent),
            ("duration", f"{self.duration:.2f} s"),
            ("throughput", f"{self.throughput:,.0f} events/s"),
        ]
        if self.warning_count:
            rows.append(("warnings", self.warning_count))
        cells = "".join(
            f"<tr><th style='text-align:left'>{name}</th><td>{value}</td></tr>"
            for name, value in rows
        )
        parts = [f"<table><caption>BatchReport</caption>{cells}</table>"]
        parts.append(delivery_chart(self.timeline))
        if self.failures:
            items = "".join(
                f"<tr><td>{'' if f.index is None else f.index}</td>"
                f"<td>{html.escape(f.message_id or '')}</td><td>{html.escape(f.error_type)}</td>"
                f"<td>{'' if f.status is None else f.status}</td>"
                f"<td>{html.escape(f.reason)}</td></tr>"
                for f in self.failures[:_SHOWN_FAILURES]
            )
            more = len(self.failures) - _SHOWN_FAILURES
            note = f"<p>... and {more} more failures</p>" if more > 0 else ""
            parts.append(
                "<table><caption>Failures</caption><tr><th>index</th><th>messageId</th>"
                f"<th>error</th><th>status</th><th>reason</th></tr>{items}</table>{note}"
            )
        if self.warnings:
            items = "".join(
                f"<tr><td>{html.escape(w.field)}</td><td>{html.escape(w.type)}</td>"
                f"<td>{html.escape(w.msg)}</td></tr>"
                for w in self.warnings[:_SHOWN_FAILURES]
            )
            more = self.warning_count - min(len(self.warnings), _SHOWN_FAILURES)
            note = f"<p>... and {more} more warnings</p>" if more > 0 else ""
            parts.append(
                "<table><caption>Warnings (sent; probably a mistake)</caption><tr>"
                f"<th>field</th><th>type</th><th>message</th></tr>{items}</table>{note}"
            )
        return "".join(parts)


@dataclass(frozen=True, slots=True)
class FlushResult:
    """What :meth:`cio.delivery.BufferedSender.flush` achieved before its deadline.

    Parameters
    ----------
    pending : int
        Messages accepted by the sender but not yet settled (delivered or dead-lettered).
    sent : int
        Messages delivered since the sender started.
    failed : int
        Messages dead-lettered since the sender started.
    rejected : int
        Calls whose arguments did not validate since the sender started.
    timed_out : bool
        Whether the deadline passed with messages still pending.

    Example
    -------
    >>> FlushResult(pending=0, sent=5, failed=0, rejected=0, timed_out=False).done
    True
    """

    pending: int
    sent: int
    failed: int
    rejected: int
    timed_out: bool

    @property
    def done(self) -> bool:
        """Whether nothing was left pending."""
        return self.pending == 0
