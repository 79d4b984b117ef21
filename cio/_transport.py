"""The one road to the network: the :class:`Transport` protocol and a pooled ``requests`` session.

Services hand a path and the JSON bytes of a payload to the client, which hands them to
its transport; nothing else in the library touches HTTP. A transport makes exactly one
attempt per call: retries, waits, the deadline and the rate limiter are the client's
(:class:`cio._retry.RetryingTransport` applies the :class:`cio._retry.RetryPolicy`), so
any transport gets them. urllib3's own ``Retry`` is off: it skips POST by default, and
requests-mock bypasses it, so it would be untested.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import ClassVar, Final, Protocol, runtime_checkable

import requests
from requests.adapters import HTTPAdapter

from cio._constants import (
    CONTENT_TYPE_JSON,
    DEFAULT_TIMEOUT_SECONDS,
    HEADER_AUTHORIZATION,
    HEADER_CONTENT_TYPE,
    HEADER_RETRY_AFTER,
    HEADER_STRICT_MODE,
    HEADER_USER_AGENT,
)
from cio._redact import mask_emails, register_secret
from cio._version import __version__
from cio.errors import (
    ClientClosedError,
    ConfigurationError,
    NetworkError,
    RequestTimeoutError,
    error_for_status,
)

__all__ = ["HTTPTransport", "Response", "Transport"]

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 5.0
DEFAULT_POOL_SIZE: Final = 32
USER_AGENT_PREFIX: Final = "cio-python/"
ENV_REQUESTS_CA_BUNDLE: Final = "REQUESTS_CA_BUNDLE"
ENV_CURL_CA_BUNDLE: Final = "CURL_CA_BUNDLE"


@dataclass(frozen=True, slots=True)
class Response:
    """A successful (2xx) answer from the API.

    Parameters
    ----------
    status_code : int
        HTTP status.
    body : bytes
        Response body.
    headers : mapping
        Response headers.
    attempts : int
        How many attempts the call took, retries included (1 when none was needed).
    elapsed : float
        Seconds from the first attempt to the answer, waits included.
    """

    status_code: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    attempts: int = 1
    elapsed: float = 0.0


@runtime_checkable
class Transport(Protocol):
    """What the client needs from the network: send JSON bytes to a path, and close.

    ``send`` makes exactly one attempt. It returns a :class:`Response` for a 2xx answer
    and raises a :class:`cio.errors.CustomerIOError` subclass for anything else: an
    :class:`~cio.errors.APIError` built with :func:`cio.errors.error_for_status` (with
    the ``Retry-After`` header) for an error status, a
    :class:`~cio.errors.NetworkError` for a failed connection. The client retries
    around it and takes its rate limiter before each attempt. A transport that retries
    and limits by itself sets a class attribute ``handles_retries = True``; the client
    then calls it once per request.
    """

    def send(self, path: str, body: bytes) -> Response:
        """POST ``body`` (JSON bytes) to ``path`` (for example ``/track``)."""
        ...

    def close(self) -> None:
        """Release connections; later ``send`` calls raise ``ClientClosedError``."""
        ...


class HTTPTransport:
    """Sends one request per call with keep-alive, timeouts and TLS verification.

    Retries and the rate limit are applied around it by the client (see
    :class:`cio._retry.RetryPolicy`).

    Parameters
    ----------
    base_url : str
        API root including ``/v1``.
    authorization : str
        Value of the ``Authorization`` header (never logged).
    timeout : float
        Read timeout of an attempt, in seconds.
    strict : bool
        Send ``X-Strict-Mode: 1``.
    pool_size : int
        Connections kept per host, enough for concurrent senders.
    log_payloads : bool
        Log request bodies at DEBUG with emails masked.
    clock : callable
        Monotonic clock for the elapsed time returned.

    Example
    -------
    >>> transport = HTTPTransport("http://127.0.0.1:9/v1", authorization="Basic eDo=")
    >>> transport.close()
    """

    accepts_timeout: ClassVar[bool] = True
    """``send`` takes a ``timeout=`` keyword: the client passes what is left of its deadline."""

    def __init__(
        self,
        base_url: str,
        *,
        authorization: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        strict: bool = False,
        pool_size: int = DEFAULT_POOL_SIZE,
        log_payloads: bool = False,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.log_payloads = log_payloads
        self._clock = clock
        register_secret(authorization)  # error texts from outside never show the key
        self._headers = {
            HEADER_AUTHORIZATION: authorization,
            HEADER_CONTENT_TYPE: CONTENT_TYPE_JSON,
            HEADER_USER_AGENT: f"{USER_AGENT_PREFIX}{__version__}",
        }
        if strict:
            self._headers[HEADER_STRICT_MODE] = "1"
        self._pool_size = pool_size
        self._session = self._new_session()
        self._pid = os.getpid()
        self._closed = False
        self._lock = threading.Lock()
        _reset_in_forked_children(self)

    def _new_session(self) -> requests.Session:
        session = requests.Session()
        adapter = HTTPAdapter(pool_connections=2, pool_maxsize=self._pool_size, max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        # requests reads proxy and CA settings from the environment on every request
        # (scanning all of os.environ twice); read them once here instead, with the
        # same meaning: HTTPS_PROXY/NO_PROXY apply, and REQUESTS_CA_BUNDLE or
        # CURL_CA_BUNDLE may name another CA bundle but can never turn verification off.
        session.trust_env = False
        session.proxies.update(requests.utils.get_environ_proxies(self.base_url))
        self._verify: bool | str = (
            os.environ.get(ENV_REQUESTS_CA_BUNDLE) or os.environ.get(ENV_CURL_CA_BUNDLE) or True
        )
        return session

    def __repr__(self) -> str:
        return f"HTTPTransport(base_url={self.base_url!r}, timeout={self.timeout})"

    @property
    def closed(self) -> bool:
        """Whether :meth:`close` was called."""
        return self._closed

    def reset_after_fork(self) -> None:
        """Give a forked child its own connection pool (the parent's sockets are shared).

        The parent's session is dropped, not closed: closing it here would act on
        sockets the parent is still using. Locks are recreated because a thread of the
        parent may have held them at the moment of the fork. Calling it again in the
        same process does nothing, so every fork hook that knows the transport (its
        own, a buffered sender's) may call it.
        """
        if self._pid == os.getpid():
            return
        self._pid = os.getpid()
        self._session = self._new_session()
        self._lock = threading.Lock()

    def close(self) -> None:
        """Close pooled connections. Safe to call more than once."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._session.close()

    def send(self, path: str, body: bytes, *, timeout: float | None = None) -> Response:
        """POST ``body`` to ``path``: one attempt.

        Parameters
        ----------
        path : str
            API path such as ``/batch``.
        body : bytes
            JSON request body, already serialized.
        timeout : float, optional
            Longest this attempt may take, when less than the read timeout (the client
            passes what is left of its deadline).

        Returns
        -------
        Response
            For a 2xx answer.

        Raises
        ------
        ClientClosedError
            The transport was closed.
        NetworkError, RequestTimeoutError
            The connection failed, was reset, timed out, or the answer was cut off
            mid-body (all retryable: the outcome is unknown, and the same body carries
            the same messageIds).
        APIError
            A subclass mapped from the status (see :mod:`cio.errors`), carrying the
            ``Retry-After`` header.
        """
        if self._closed:
            raise ClientClosedError("this client is closed; create a new CustomerIOClient")
        if self.log_payloads and logger.isEnabledFor(logging.DEBUG):
            logger.debug("POST %s payload=%s", path, mask_emails(body.decode("utf-8", "replace")))
        read = self.timeout if timeout is None else min(self.timeout, timeout)
        limits = (min(DEFAULT_CONNECT_TIMEOUT_SECONDS, read), read)
        started = self._clock()
        try:
            http = self._session.post(
                self.base_url + path,
                data=body,
                headers=self._headers,
                timeout=limits,
                verify=self._verify,
                allow_redirects=False,
            )
        except requests.Timeout as exc:
            raise RequestTimeoutError(f"POST {path}: timed out after {read:.1f}s") from exc
        except (requests.ConnectionError, requests.exceptions.ChunkedEncodingError) as exc:
            # ChunkedEncodingError: the answer was cut off mid-body, like a reset.
            raise NetworkError(f"POST {path}: connection failed ({type(exc).__name__})") from exc
        except requests.RequestException as exc:
            error = NetworkError(f"POST {path}: request failed ({type(exc).__name__})")
            error.retryable = False
            raise error from exc
        except OSError as exc:
            # requests raises a bare OSError when the CA bundle it was given (for
            # example through REQUESTS_CA_BUNDLE) cannot be read. Verification stays on.
            raise ConfigurationError(
                f"POST {path}: TLS could not be set up; check that REQUESTS_CA_BUNDLE or "
                "CURL_CA_BUNDLE, if set, name a readable CA bundle file"
            ) from exc
        status = http.status_code
        if 200 <= status < 300:
            return Response(
                status_code=status,
                body=http.content,
                headers=dict(http.headers),
                elapsed=self._clock() - started,
            )
        raise error_for_status(
            status,
            http.text,
            path=path,
            sent=body,
            retry_after=http.headers.get(HEADER_RETRY_AFTER),
        )


def _reset_in_forked_children(transport: HTTPTransport) -> None:
    """Give ``transport`` fresh connections in any child forked from this process.

    A forked child would otherwise share the parent's pooled keep-alive sockets, and
    requests and responses of the two processes would cross. A weak reference keeps the
    registration from holding the transport alive.
    """
    if not hasattr(os, "register_at_fork"):
        return
    ref = weakref.ref(transport)

    def reset() -> None:
        alive = ref()
        if alive is not None and not alive.closed:
            alive.reset_after_fork()

    os.register_at_fork(after_in_child=reset)
