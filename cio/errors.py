"""The exception tree of the library.

Every error the library raises on purpose derives from :class:`CustomerIOError`::

    CustomerIOError
    +-- ConfigurationError          bad or missing settings (for example no CIO_API_KEY)
    +-- ClientClosedError           a closed client or sender was used
    +-- QueueFullError              a buffered sender's queue is full (on_full="raise")
    +-- DeliveryError               BatchReport.raise_for_failures: messages not delivered
    +-- SandboxError                the local sandbox could not start, or is not running
    +-- CountMismatchError          a notebook check: the sandbox did not get what was sent
    +-- CellError                   a file cell could not be converted (becomes a row error)
    +-- SyncError                   a sync could not go on (cio.io.sync)
    |   +-- DeletionLimitError      mirror mode would delete more than the safety limit
    +-- ValidationError (ValueError)  a payload or input row is invalid; carries ErrorDetail
    +-- NetworkError                connection failed or timed out (after retries)
    |   +-- RequestTimeoutError
    +-- APIError                    the API answered with an error status (after retries)
        +-- BadRequestError         400
        +-- AuthenticationError     401, 403
        +-- NotFoundError           404
        +-- PayloadTooLargeError    413, and the client-side 32 KB / 500 KB checks
        +-- RateLimitError          429 once retries are spent
        +-- ServerError             5xx

``DeliveryInterrupted`` (Ctrl-C during ``client.batch.send``, with what was done) is a
``KeyboardInterrupt``, not a ``CustomerIOError``, so a cell or a script stops as usual.

No error message contains an API key or an input value: values may be personal data.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cio._redact import api_error_text

if TYPE_CHECKING:
    import pydantic

    from cio.delivery import BatchReport

__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "CellError",
    "ClientClosedError",
    "ConfigurationError",
    "CountMismatchError",
    "CustomerIOError",
    "DeletionLimitError",
    "DeliveryError",
    "DeliveryInterrupted",
    "ErrorDetail",
    "NetworkError",
    "NotFoundError",
    "PayloadTooLargeError",
    "QueueFullError",
    "RateLimitError",
    "RequestTimeoutError",
    "SandboxError",
    "ServerError",
    "SyncError",
    "ValidationError",
    "error_for_status",
]


Location = tuple[str | int, ...]


class CustomerIOError(Exception):
    """Base class of every error raised by ``cio``."""


class ConfigurationError(CustomerIOError):
    """The client's settings are missing or contradict each other."""


class ClientClosedError(CustomerIOError):
    """A client, transport or sender was used after ``close()``."""


class QueueFullError(CustomerIOError):
    """A buffered sender's queue is full and it was created with ``on_full="raise"``."""


class SandboxError(CustomerIOError):
    """The sandbox could not start, or was used while not running."""


class CountMismatchError(CustomerIOError):
    """The sandbox did not receive the number of messages a notebook says it sent."""


class CellError(CustomerIOError):
    """A cell could not be converted; carries an error type and a value-free message.

    Internal: the row reader turns it into a row error, so users never see it raised.
    """

    def __init__(self, error_type: str, message: str) -> None:
        super().__init__(message)
        self.error_type = error_type
        self.message = message


class DeliveryError(CustomerIOError):
    """Raised by :meth:`cio.BatchReport.raise_for_failures` when messages were not delivered.

    Parameters
    ----------
    message : str
        Summary with counts per error type.
    report : BatchReport
        The full report.
    """

    def __init__(self, message: str, report: BatchReport) -> None:
        self.report = report
        super().__init__(message)


class DeliveryInterrupted(KeyboardInterrupt):
    """Ctrl-C (``KeyboardInterrupt``) during ``client.batch.send``, with what was done.

    It is a ``KeyboardInterrupt``, so a notebook cell or a script stops as usual; catch
    it to resume. When it is raised no new request starts; every message read from the
    input is either acknowledged (counted in ``report.sent``) or in the dead-letter
    store (``report.dead_letters``: not sent, or in flight with an unknown outcome), or
    was rejected; the input from ``next_index`` on was not read.

    Parameters
    ----------
    report : BatchReport
        Counts and failures when the interrupt was handled.
    next_index : int
        Position in the input of the first message not read (resume from there).
    in_flight : int
        Messages whose request was under way and unanswered (dead-lettered; they may
        have been delivered, so resend them with their messageIds, for example with
        ``cio replay``, never as new messages).
    """

    def __init__(self, report: BatchReport, next_index: int, in_flight: int) -> None:
        self.report = report
        self.next_index = next_index
        self.in_flight = in_flight
        super().__init__(
            f"interrupted: {report.sent} acknowledged, {report.failed} not acknowledged "
            f"(dead-lettered, {in_flight} of them in flight), {report.rejected} rejected; "
            f"input read up to index {next_index}"
        )


class SyncError(CustomerIOError):
    """A sync could not go on (for example the source changed between its two passes)."""


class DeletionLimitError(SyncError):
    """Mirror mode would delete more than the allowed share of the known keys.

    Parameters
    ----------
    would_delete : int
        Known keys missing from the source.
    known : int
        Keys the state holds as acknowledged.
    limit : float
        The allowed share.

    Attributes
    ----------
    would_delete, known, limit
        As given.
    """

    def __init__(self, would_delete: int, known: int, limit: float) -> None:
        self.would_delete = would_delete
        self.known = known
        self.limit = limit
        share = would_delete / known if known else 0.0
        super().__init__(
            f"refusing to sync: mirror mode would delete {would_delete} of {known} known keys "
            f"({share:.0%}), over the safety limit of {limit:.0%}; nothing was sent. Check the "
            "source (an empty or partial export?), then re-run with --force (force=True) or "
            "a higher --max-delete-share to delete them"
        )


@dataclass(frozen=True, slots=True)
class ErrorDetail:
    """One problem found in an input, located but without the offending value.

    Parameters
    ----------
    loc : tuple of str or int
        Path to the problem, for example ``("traits", "email")``.
    msg : str
        Human readable explanation; never contains the input value.
    type : str
        Machine readable error type, for example ``"missing"`` or ``"value_error"``.
    row : int, str or None
        The input row (as a spreadsheet counts it) when the input came from a file; a
        DataFrame's index label when the frame has a labelled index.
    column : str or None
        The input column when the input came from a file.
    """

    loc: Location
    msg: str
    type: str
    row: int | str | None = None
    column: str | None = None

    @property
    def field(self) -> str:
        """The location as a dotted path, for example ``traits.email`` or ``batch.3.userId``."""
        return ".".join(str(part) for part in self.loc) or "(message)"

    def __str__(self) -> str:
        where = []
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column!r}")
        if self.loc:
            where.append(f"field {self.field}")
        prefix = ", ".join(where) or "input"
        return f"{prefix}: {self.msg} [{self.type}]"


class ValidationError(CustomerIOError, ValueError):
    """An input did not validate; ``errors`` says where and why, never with the value.

    Parameters
    ----------
    message : str
        A one-line summary.
    errors : iterable of ErrorDetail
        Every problem found.

    Example
    -------
    >>> from cio.errors import ValidationError, ErrorDetail
    >>> err = ValidationError("invalid identify", [ErrorDetail(("userId",), "missing", "missing")])
    >>> err.errors[0].field
    'userId'
    """

    def __init__(self, message: str, errors: Iterable[ErrorDetail] = ()) -> None:
        self.errors: tuple[ErrorDetail, ...] = tuple(errors)
        self.summary = message
        super().__init__(self._render())

    def _render(self) -> str:
        if not self.errors:
            return self.summary
        lines = [f"{self.summary} ({len(self.errors)} error(s))"]
        lines.extend(f"  {detail}" for detail in self.errors[:20])
        if len(self.errors) > 20:
            lines.append(f"  ... and {len(self.errors) - 20} more")
        return "\n".join(lines)

    @classmethod
    def from_pydantic(
        cls,
        exc: pydantic.ValidationError,
        *,
        summary: str | None = None,
        row: int | None = None,
        loc_prefix: Location = (),
    ) -> ValidationError:
        """Convert pydantic's error into ours, dropping input values.

        Parameters
        ----------
        exc : pydantic.ValidationError
            The error raised by a model.
        summary : str, optional
            First line of the message; defaults to naming the model.
        row : int, optional
            Input row to attach to every detail.
        loc_prefix : tuple, optional
            Prepended to every location (for example ``("batch", 3)``).

        Returns
        -------
        ValidationError
        """
        details = [
            ErrorDetail(
                loc=loc_prefix + tuple(err["loc"]),
                msg=err["msg"],
                type=err["type"],
                row=row,
            )
            for err in exc.errors(include_url=False, include_input=False, include_context=False)
        ]
        return cls(summary or f"invalid {exc.title}", details)


class NetworkError(CustomerIOError):
    """The request could not be completed: connection refused, reset, or DNS failure.

    ``attempts`` says how many attempts were made before giving up. ``retryable`` is
    false for failures another attempt cannot fix (for example an invalid URL).
    """

    attempts: int = 1
    retryable: bool = True


class RequestTimeoutError(NetworkError):
    """The request timed out, so its outcome is unknown (the API may have received it)."""


class APIError(CustomerIOError):
    """The API answered with an error status.

    Parameters
    ----------
    message : str
        Summary.
    status_code : int or None
        HTTP status; ``None`` for errors detected before sending.
    body : str
        The structured error of the response body (its ``errors`` / ``meta.errors``),
        with the API key, emails and phone numbers masked, capped at 500 characters;
        empty when the body had no such part.
    sent : bytes, optional
        The request body; values of it quoted by the error body are masked.
    retry_after : str or None
        The answer's ``Retry-After`` header, read by the retry policy.
    """

    attempts: int = 1

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        body: str = "",
        sent: bytes = b"",
        retry_after: str | None = None,
    ) -> None:
        self.status_code = status_code
        self.retry_after = retry_after
        # A server may echo the payload or the request headers back: keep only the
        # documented error shape, with the key, emails, phone numbers and any value of
        # the request masked, capped.
        self.body = api_error_text(body, sent) if body else ""
        text = message if status_code is None else f"{message} (HTTP {status_code})"
        if self.body:
            text = f"{text}: {self.body}"
        super().__init__(text)


class BadRequestError(APIError):
    """400: the API refused the payload (strict mode reports invalid events this way)."""


class AuthenticationError(APIError):
    """401 or 403: the API key is wrong, revoked, or for another region."""


class NotFoundError(APIError):
    """404: the path does not exist (usually a wrong base URL)."""


class PayloadTooLargeError(APIError):
    """A message over 32 KB or a batch over 500 KB, refused by the client or answered 413.

    Parameters
    ----------
    message : str
        Summary naming the message kind.
    size : int or None
        Size in bytes of what was too large.
    limit : int or None
        The limit in bytes.
    message_id : str or None
        The ``messageId`` of the message refused before sending, when there is one.
    """

    def __init__(
        self,
        message: str,
        *,
        size: int | None = None,
        limit: int | None = None,
        status_code: int | None = None,
        body: str = "",
        sent: bytes = b"",
        message_id: str | None = None,
    ) -> None:
        self.size = size
        self.limit = limit
        self.message_id = message_id
        super().__init__(message, status_code=status_code, body=body, sent=sent)


class RateLimitError(APIError):
    """429 after every retry was spent."""


class ServerError(APIError):
    """5xx after every retry was spent, or a 5xx that is never retried (501, 505)."""


_STATUS_ERRORS: Mapping[int, type[APIError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    413: PayloadTooLargeError,
    429: RateLimitError,
}
_STATUS_MESSAGES: Mapping[type[APIError], str] = {
    BadRequestError: "the API rejected the request",
    AuthenticationError: "the API key was not accepted; check CIO_API_KEY and the region",
    NotFoundError: "no such API path; check CIO_BASE_URL",
    PayloadTooLargeError: "the request was too large",
    RateLimitError: "rate limited by the API and retries are spent",
    ServerError: "the API failed",
    APIError: "unexpected API response",
}


def error_for_status(
    status_code: int,
    body: str = "",
    *,
    path: str = "",
    sent: bytes = b"",
    retry_after: str | None = None,
) -> APIError:
    """Build the exception that stands for an HTTP error status.

    Parameters
    ----------
    status_code : int
        The HTTP status (400 or above).
    body : str, optional
        Response text; truncated in the error.
    path : str, optional
        The API path, named in the message.
    sent : bytes, optional
        The request body, whose values are masked where the answer quotes them.
    retry_after : str, optional
        The answer's ``Retry-After`` header.

    Returns
    -------
    APIError
        An instance of the subclass mapped from ``status_code``.

    Example
    -------
    >>> type(error_for_status(401)).__name__
    'AuthenticationError'
    """
    cls = _STATUS_ERRORS.get(status_code)
    if cls is None:
        cls = ServerError if status_code >= 500 else APIError
    message = _STATUS_MESSAGES[cls]
    if path:
        message = f"POST {path}: {message}"
    error = cls(message, status_code=status_code, body=body, sent=sent)
    error.retry_after = retry_after
    return error
