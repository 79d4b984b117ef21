"""What the sandbox records: request log entries, dropped messages, and the summary."""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from cio.errors import ErrorDetail

__all__ = ["DroppedMessage", "FlaggedMessage", "RequestRecord", "SandboxSummary", "summarize"]


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One request the sandbox received (the ``Authorization`` header is never kept).

    Parameters
    ----------
    method : str
        HTTP method.
    path : str
        Path as requested, for example ``/v1/batch``.
    status : int or None
        Status answered; ``None`` when a fault closed the connection without answering.
    bytes : int
        Size of the request body.
    message_count : int
        Messages in the body (0 when the request was refused before the body was read
        as JSON: auth, routing, faults, malformed JSON).
    faults : tuple of str
        Names of the faults injected into this request.
    received_at : str
        When the request arrived, ISO 8601 in UTC.
    """

    method: str
    path: str
    status: int | None
    bytes: int
    message_count: int
    faults: tuple[str, ...] = ()
    received_at: str = ""

    @property
    def fault(self) -> str | None:
        """The injected fault names joined by ``+``, or ``None`` for a normal request."""
        return "+".join(self.faults) if self.faults else None


@dataclass(frozen=True, slots=True)
class DroppedMessage:
    """A message the sandbox answered 200 to but did not accept, as the real API drops it.

    Parameters
    ----------
    path : str
        Path of the request it came in, for example ``/v1/batch``.
    reason : str
        Why it was dropped: field and problem, never the value.
    message : dict or None
        The message as received, or ``None`` when it was not a JSON object.
    index : int or None
        Position in the batch, ``None`` for a single-message endpoint.
    errors : tuple of ErrorDetail
        The problems found, one per field.
    """

    path: str
    reason: str
    message: dict[str, Any] | None
    index: int | None = None
    errors: tuple[ErrorDetail, ...] = ()


@dataclass(frozen=True, slots=True)
class FlaggedMessage:
    """An accepted message (or batch envelope) with warnings: accepted, probably a mistake.

    Parameters
    ----------
    path : str
        Path of the request it came in, for example ``/v1/batch``.
    index : int or None
        Position in the batch; ``None`` for a single-message endpoint or the envelope.
    message_id : str or None
        Its ``messageId``; ``None`` for the envelope.
    warnings : tuple of ErrorDetail
        The warnings, located (``batch.3.traits.email``), never with values.
    """

    path: str
    index: int | None
    message_id: str | None
    warnings: tuple[ErrorDetail, ...]

    @property
    def reason(self) -> str:
        """The warnings as one line, without values."""
        return "; ".join(str(detail) for detail in self.warnings)


@dataclass(frozen=True, slots=True)
class SandboxSummary:
    """Counts of what the sandbox received.

    Parameters
    ----------
    total : int
        Accepted messages, duplicates included.
    unique_message_ids : int
        Distinct ``messageId`` values among the accepted messages.
    duplicates : int
        ``total - unique_message_ids``: messages received more than once.
    by_type : dict
        Accepted messages per type (``identify``, ``track``, ...).
    by_event : dict
        Accepted track messages per event name.
    dropped : int
        Messages answered 200 but dropped (invalid or oversized, permissive mode).
    warned : int
        Accepted messages (and envelopes) with warnings.
    requests : int
        Requests received, whatever their outcome.
    by_status : dict
        Requests per answered status; ``0`` counts connections closed without answer.
    faults_injected : int
        Injections by the configured faults.

    Example
    -------
    >>> summary = summarize([{"type": "track", "event": "A", "messageId": "m1"}], [], [])
    >>> summary.by_event, summary.duplicates
    ({'A': 1}, 0)
    """

    total: int = 0
    unique_message_ids: int = 0
    duplicates: int = 0
    by_type: dict[str, int] = field(default_factory=dict)
    by_event: dict[str, int] = field(default_factory=dict)
    dropped: int = 0
    warned: int = 0
    requests: int = 0
    by_status: dict[int, int] = field(default_factory=dict)
    faults_injected: int = 0

    def to_dict(self) -> dict[str, Any]:
        """The summary as plain JSON-ready data.

        Returns
        -------
        dict
        """
        data = asdict(self)
        data["by_status"] = {str(status): count for status, count in self.by_status.items()}
        return data

    def rows(self) -> list[tuple[str, str]]:
        """The summary as (label, value) rows, as the CLI and notebooks show it.

        Returns
        -------
        list of tuple
        """
        rows = [
            ("messages accepted", str(self.total)),
            ("unique messageIds", str(self.unique_message_ids)),
            ("duplicates", str(self.duplicates)),
            ("messages dropped", str(self.dropped)),
            ("with warnings", str(self.warned)),
            ("requests", str(self.requests)),
            ("faults injected", str(self.faults_injected)),
        ]
        rows.extend((f"type {name}", str(count)) for name, count in _by_count(self.by_type))
        rows.extend((f"event {name}", str(count)) for name, count in _by_count(self.by_event))
        rows.extend(
            (f"status {status or 'no answer'}", str(count))
            for status, count in sorted(self.by_status.items())
        )
        return rows

    def __str__(self) -> str:
        rows = self.rows()
        width = max(len(label) for label, _ in rows)
        return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)

    def _repr_html_(self) -> str:
        return render_table("Sandbox summary", self.rows())


def _by_count(counts: Mapping[Any, int]) -> list[tuple[Any, int]]:
    return sorted(counts.items(), key=lambda item: (-item[1], str(item[0])))


def render_table(caption: str, rows: Iterable[tuple[str, str]]) -> str:
    """An escaped two-column HTML table for notebooks.

    Parameters
    ----------
    caption : str
        Table caption.
    rows : iterable of (str, str)
        Label and value.

    Returns
    -------
    str
    """
    body = "".join(
        f"<tr><th style='text-align:left'>{html.escape(label)}</th>"
        f"<td style='text-align:right'>{html.escape(value)}</td></tr>"
        for label, value in rows
    )
    return f"<table><caption>{html.escape(caption)}</caption>{body}</table>"


def summarize(
    messages: Iterable[Mapping[str, Any]],
    dropped: Iterable[object],
    requests: Iterable[RequestRecord],
    flagged: Iterable[object] = (),
) -> SandboxSummary:
    """Count accepted messages, dropped messages and requests.

    Parameters
    ----------
    messages : iterable of mapping
        Accepted messages in wire form (``type``, ``event``, ``messageId``).
    dropped : iterable
        Dropped messages (only counted).
    requests : iterable of RequestRecord
        The request log.
    flagged : iterable
        Accepted messages with warnings (only counted).

    Returns
    -------
    SandboxSummary
    """
    by_type: Counter[str] = Counter()
    by_event: Counter[str] = Counter()
    ids: set[Any] = set()
    total = 0
    for message in messages:
        total += 1
        kind = message.get("type")
        by_type[str(kind)] += 1
        event = message.get("event")
        if kind == "track" and isinstance(event, str):
            by_event[event.strip()] += 1
        ids.add(message.get("messageId"))
    by_status: Counter[int] = Counter()
    request_count = 0
    faults = 0
    for record in requests:
        request_count += 1
        by_status[record.status or 0] += 1
        faults += len(record.faults)
    return SandboxSummary(
        total=total,
        unique_message_ids=len(ids),
        duplicates=total - len(ids),
        by_type=dict(by_type),
        by_event=dict(by_event),
        dropped=sum(1 for _ in dropped),
        warned=sum(1 for _ in flagged),
        requests=request_count,
        by_status=dict(by_status),
        faults_injected=faults,
    )
