"""The client: settings in, one transport, and the services that use it."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Mapping
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

from typing_extensions import Self

from cio._constants import (
    DEFAULT_BUFFER_FLUSH_INTERVAL_SECONDS,
    DEFAULT_BUFFER_MAX_QUEUE,
    DEFAULT_EXIT_FLUSH_SECONDS,
)
from cio._ratelimit import RateLimiter
from cio._retry import RetryPolicy
from cio._settings import Region, Settings
from cio._transport import Response, Transport
from cio._wiring import http_transport, settings_sender
from cio.delivery import BufferedSender, DeadLetterStore, DeliveryFailure
from cio.errors import ClientClosedError, ErrorDetail, ValidationError
from cio.models import Alias, Group, Identify, Message, Page, Screen, Track, intake
from cio.services import (
    DevicesService,
    EventsService,
    ObjectsService,
    PeopleService,
    SendResult,
)
from cio.services.batch import BatchService

if TYPE_CHECKING:
    from cio.io import SyncReport

__all__ = ["CustomerIOClient"]

logger = logging.getLogger(__name__)

# The API path of a single message, by its "type".
_PATHS: dict[str, str] = {
    model.model_fields["type"].default: model.path
    for model in (Identify, Track, Page, Screen, Group, Alias)
}


class CustomerIOClient:
    """A client for the Customer.io Data Pipelines API.

    Arguments left as ``None`` come from ``CIO_*`` environment variables, then from a
    ``.env`` file, then from defaults (see :class:`cio.Settings`).

    Parameters
    ----------
    api_key : str, optional
        The source's API key (``CIO_API_KEY``).
    region : {"us", "eu"}, optional
        Data centre (``CIO_REGION``).
    base_url : str, optional
        Full API root including ``/v1`` (``CIO_BASE_URL``); the sandbox uses it.
    timeout : float, optional
        Read timeout per attempt in seconds (``CIO_TIMEOUT``).
    max_retries : int, optional
        Retries for retryable failures (``CIO_MAX_RETRIES``).
    strict : bool, optional
        Ask the API to answer 400 for invalid events (``CIO_STRICT``).
    rate_limit : int, optional
        Requests per 3-second window (``CIO_RATE_LIMIT``).
    warnings : {"warn", "error"}, optional
        ``error`` refuses messages the API accepts but that are probably a mistake
        (``CIO_WARNINGS``); by default they are sent and their warnings reported.
    transport : Transport, optional
        Replaces the HTTP transport (for example ``cio.testing.RecordingTransport``).
        It makes one attempt per request; the client applies the retry policy and the
        rate limiter around it, unless the transport sets ``handles_retries = True``.
    retry_policy : RetryPolicy, optional
        When and how long to retry; by default built from the settings
        (``RetryPolicy.from_settings``). ``RetryPolicy(max_retries=0)`` turns retries off.
    settings : Settings, optional
        Ready settings; the other configuration arguments are then not allowed.

    Raises
    ------
    ConfigurationError
        When no API key is configured, or its region contradicts ``region``.

    Example
    -------
    >>> from cio.testing import RecordingTransport
    >>> with CustomerIOClient(api_key="test-key", transport=RecordingTransport()) as client:
    ...     client.settings.resolved_base_url
    'https://cdp.customer.io/v1'
    """

    def __init__(
        self,
        api_key: str | None = None,
        region: Region | None = None,
        *,
        base_url: str | None = None,
        timeout: float | None = None,
        max_retries: int | None = None,
        strict: bool | None = None,
        rate_limit: int | None = None,
        warnings: str | None = None,
        transport: Transport | None = None,
        settings: Settings | None = None,
        retry_policy: RetryPolicy | None = None,
    ) -> None:
        explicit: dict[str, Any] = {
            name: value
            for name, value in {
                "api_key": api_key,
                "region": region,
                "base_url": base_url,
                "timeout": timeout,
                "max_retries": max_retries,
                "strict": strict,
                "rate_limit": rate_limit,
                "warnings": warnings,
            }.items()
            if value is not None
        }
        if settings is not None and explicit:
            raise TypeError("pass either settings= or individual settings, not both")
        self.settings = settings if settings is not None else Settings(**explicit)
        self.rate_limiter = RateLimiter(self.settings.rate_limit)
        self.retry_policy = (
            retry_policy if retry_policy is not None else RetryPolicy.from_settings(self.settings)
        )
        self.transport: Transport = (
            transport if transport is not None else http_transport(self.settings)
        )
        self._sender: Transport = settings_sender(
            self.settings,
            self.transport,
            retry_policy=self.retry_policy,
            rate_limiter=self.rate_limiter,
        )
        self._closed = False
        self.people = PeopleService(self)
        """People: identify, delete, suppress, unsuppress, merge."""
        self.events = EventsService(self)
        """Events: track, page, screen and the semantic event families."""
        self.objects = ObjectsService(self)
        """Objects (groups) and their relationships to people."""
        self.devices = DevicesService(self)
        """Push devices of people."""
        self.batch = BatchService(self)
        """Bulk sending through ``/batch`` (see ``docs/delivery.md``)."""

    def __repr__(self) -> str:
        return (
            f"CustomerIOClient(base_url={self.settings.resolved_base_url!r}, "
            f"strict={self.settings.strict}, closed={self._closed})"
        )

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def post(self, path: str, body: bytes) -> Response:
        """Send JSON bytes to an API path through the client's transport, with retries.

        Services and the delivery engine call this; most users call the services
        instead. The retry policy and the rate limiter apply to every attempt.

        Parameters
        ----------
        path : str
            API path such as ``/track``.
        body : bytes
            Serialized JSON body.

        Returns
        -------
        Response

        Raises
        ------
        ClientClosedError
            After :meth:`close`.
        """
        if self._closed:
            raise ClientClosedError("this client is closed; create a new CustomerIOClient")
        return self._sender.send(path, body)

    def send(self, message: Message | Mapping[str, Any]) -> SendResult:
        """Send one message model to its endpoint.

        ``Identify`` goes to ``/identify``, ``Track`` (and every semantic event) to
        ``/track``, and likewise ``Page``, ``Screen``, ``Group`` and ``Alias``. A dict in
        wire form (with a ``type`` key) is validated into the right model first.

        Parameters
        ----------
        message : Message or mapping
            One message; use ``client.batch`` for many.

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when ``message`` is not a valid single message.
        PayloadTooLargeError
            When the message is over 32 KB (nothing is sent).
        APIError, NetworkError, ClientClosedError
            When sending fails.

        Example
        -------
        >>> from cio.models import Track
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.send(Track(user_id="42", event="Signed Up")).path
        '/track'
        """
        summary = "invalid client.send call"
        policy = self.settings.warnings
        if isinstance(message, Message):
            accepted = intake(message, summary=summary, warnings=policy)
            path = message.path
        elif isinstance(message, Mapping):
            accepted = intake(message, summary=summary, warnings=policy)
            path = _PATHS[json.loads(accepted.body)["type"]]
        else:
            detail = ErrorDetail(
                ("message",),
                "expected one message model (Identify, Track, Page, Screen, Group, Alias) or "
                "a dict in wire form",
                "model_type",
            )
            raise ValidationError(summary, [detail])
        response = self.post(path, accepted.body)
        return SendResult(
            message_ids=(accepted.message_id,),
            status_code=response.status_code,
            path=path,
            attempts=response.attempts,
            warnings=accepted.warnings,
        )

    def identify(
        self,
        user_id: str | Identify | None = None,
        traits: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> SendResult:
        """Create or update a person; a shortcut for :meth:`cio.services.PeopleService.identify`.

        Parameters
        ----------
        user_id : str or Identify, optional
            Your id for the person (or a ready model).
        traits : mapping, optional
            Attributes of the person.
        **kwargs
            Any other keyword of ``client.people.identify`` (``anonymous_id``,
            ``email``, ``timestamp``, ``context``, ...).

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, for bad arguments.

        Example
        -------
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.identify("42", {"plan": "pro"}).status_code
        200
        """
        return self.people.identify(user_id, traits, **kwargs)

    def track(
        self,
        user_id: str | None = None,
        event: str | None = None,
        properties: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> SendResult:
        """Record an event; a shortcut for :meth:`cio.services.EventsService.track`.

        Parameters
        ----------
        user_id : str, optional
            Your id for the person (or pass ``anonymous_id=``).
        event : str
            The event name.
        properties : mapping, optional
            Event properties.
        **kwargs
            Any other keyword of ``client.events.track``.

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, for bad arguments.

        Example
        -------
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.track("42", "Signed Up", {"plan": "pro"}).path
        '/track'
        """
        return self.events.track(user_id, event, properties, **kwargs)

    def delete(self, user_id: str, **kwargs: Any) -> SendResult:
        """Delete a person; a shortcut for :meth:`cio.services.PeopleService.delete`.

        Parameters
        ----------
        user_id : str
            The person's id.
        **kwargs
            Any other keyword of ``client.people.delete``.

        Returns
        -------
        SendResult

        Raises
        ------
        ValidationError
            Before sending, when the id is missing or invalid.

        Example
        -------
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> _ = client.delete("42")
        >>> transport.requests[0].json["event"]
        'User Deleted'
        """
        return self.people.delete(user_id, **kwargs)

    def sync(
        self,
        source: Any,
        *,
        kind: str,
        key: str | list[str] | tuple[str, ...],
        state: str | Path,
        **options: Any,
    ) -> SyncReport:
        """Send only the rows of ``source`` that changed since the last sync (``docs/sync.md``).

        A thin wrapper over :func:`cio.io.sync` with this client.

        Parameters
        ----------
        source : path or DataFrame
            Anything the importer reads.
        kind : str
            ``identify``, ``group``, ``relationships``, ``devices`` or ``events``.
        key : str or sequence of str
            The column(s) identifying a row.
        state : str or path-like
            The SQLite state database (created when missing).
        **options
            ``mode`` (``"upsert"`` or ``"mirror"``), ``dry_run``, ``force``,
            ``max_delete_share``, ``mapping``, ... (see :func:`cio.io.run_sync`).

        Returns
        -------
        cio.io.SyncReport
        """
        from cio.io import sync  # noqa: PLC0415 - cio.io builds on the services

        return sync(self, source, kind=kind, key=key, state=state, **options)

    def buffered(
        self,
        *,
        max_queue: int = DEFAULT_BUFFER_MAX_QUEUE,
        on_full: Literal["block", "raise"] = "block",
        flush_interval: float = DEFAULT_BUFFER_FLUSH_INTERVAL_SECONDS,
        outbox: str | Path | None = None,
        dead_letters: str | Path | DeadLetterStore | None = None,
        workers: int | None = None,
        on_error: Callable[[DeliveryFailure], None] | None = None,
        exit_timeout: float = DEFAULT_EXIT_FLUSH_SECONDS,
    ) -> BufferedSender:
        """A sender whose calls enqueue in microseconds while a thread sends in batches.

        See :class:`cio.delivery.BufferedSender` for the parameters and guarantees.

        Returns
        -------
        BufferedSender
            Use it as a context manager (leaving it flushes and closes).

        Example
        -------
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> with client.buffered() as sender:
        ...     sender.track("42", "Signed Up")
        >>> len(client.transport.messages)
        1
        """
        return BufferedSender(
            self,
            max_queue=max_queue,
            on_full=on_full,
            flush_interval=flush_interval,
            outbox=outbox,
            dead_letters=dead_letters,
            workers=workers,
            on_error=on_error,
            exit_timeout=exit_timeout,
        )

    def close(self) -> None:
        """Close the transport's connections. Calling it twice is harmless."""
        if not self._closed:
            self._closed = True
            self.transport.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
