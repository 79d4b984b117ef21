"""The client: settings in, one transport, and the services that use it."""

from __future__ import annotations

import logging
from types import TracebackType
from typing import Any

from typing_extensions import Self

from cio._ratelimit import RateLimiter
from cio._settings import Region, Settings
from cio._transport import HTTPTransport, Response, Transport
from cio.errors import ClientClosedError

__all__ = ["CustomerIOClient"]

logger = logging.getLogger(__name__)


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
    transport : Transport, optional
        Replaces the HTTP transport (for example ``cio.testing.RecordingTransport``).
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
        transport: Transport | None = None,
        settings: Settings | None = None,
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
            }.items()
            if value is not None
        }
        if settings is not None and explicit:
            raise TypeError("pass either settings= or individual settings, not both")
        self.settings = settings if settings is not None else Settings(**explicit)
        self.rate_limiter = RateLimiter(self.settings.rate_limit)
        self.transport: Transport = transport if transport is not None else self._http_transport()
        self._closed = False

    def _http_transport(self) -> HTTPTransport:
        settings = self.settings
        return HTTPTransport(
            settings.resolved_base_url,
            authorization=settings.authorization,
            timeout=settings.timeout,
            max_retries=settings.max_retries,
            strict=settings.strict,
            rate_limiter=self.rate_limiter,
            log_payloads=settings.log_payloads,
        )

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
        """Send JSON bytes to an API path through the client's transport.

        Services call this; most users call the services instead.

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
        return self.transport.send(path, body)

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
