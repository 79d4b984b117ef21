"""The one road to the network: a pooled ``requests`` session with our own retry loop.

Services hand a path and the JSON bytes of a payload to a :class:`Transport`; nothing
else in the library touches HTTP. The retry loop lives here rather than in urllib3's
``Retry`` because urllib3 does not retry POST by default and requests-mock bypasses it;
the decisions themselves are the pure functions of :mod:`cio._retry`.
"""

from __future__ import annotations

import logging
import os
import random as _random_module
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

import requests
from requests.adapters import HTTPAdapter

from cio._constants import (
    CONTENT_TYPE_JSON,
    DEFAULT_CONNECT_TIMEOUT_SECONDS,
    DEFAULT_DEADLINE_SECONDS,
    DEFAULT_MAX_RETRIES,
    DEFAULT_POOL_SIZE,
    DEFAULT_TIMEOUT_SECONDS,
    ENV_CURL_CA_BUNDLE,
    ENV_REQUESTS_CA_BUNDLE,
    HEADER_AUTHORIZATION,
    HEADER_CONTENT_TYPE,
    HEADER_STRICT_MODE,
    HEADER_USER_AGENT,
    USER_AGENT_PREFIX,
)
from cio._ratelimit import RateLimiter
from cio._redact import mask_emails, register_secret
from cio._retry import retry_delay, should_retry
from cio._version import __version__
from cio.errors import (
    APIError,
    ClientClosedError,
    ConfigurationError,
    NetworkError,
    RequestTimeoutError,
    error_for_status,
)

__all__ = ["HTTPTransport", "Response", "Transport"]

logger = logging.getLogger(__name__)


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
        How many attempts it took (1 when no retry was needed).
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
    """What services need from the network: send JSON bytes to a path, and close.

    ``send`` returns a :class:`Response` for a 2xx answer and raises a
    :class:`cio.errors.CustomerIOError` subclass for anything else.
    """

    def send(self, path: str, body: bytes) -> Response:
        """POST ``body`` (JSON bytes) to ``path`` (for example ``/track``)."""
        ...

    def close(self) -> None:
        """Release connections; later ``send`` calls raise ``ClientClosedError``."""
        ...


class HTTPTransport:
    """Sends requests with keep-alive, timeouts, rate limiting and retries.

    Parameters
    ----------
    base_url : str
        API root including ``/v1``.
    authorization : str
        Value of the ``Authorization`` header (never logged).
    timeout : float
        Read timeout per attempt, in seconds.
    max_retries : int
        Retries after the first attempt.
    strict : bool
        Send ``X-Strict-Mode: 1``.
    rate_limiter : RateLimiter, optional
        Shared limiter; taken before every attempt, retries included.
    deadline : float
        Longest time one ``send`` may take, waits and retries included.
    pool_size : int
        Connections kept per host, enough for concurrent senders.
    log_payloads : bool
        Log request bodies at DEBUG with emails masked.
    sleep, clock, random : callables
        Injected by tests so retry waits are asserted without waiting.

    Example
    -------
    >>> transport = HTTPTransport("http://127.0.0.1:9/v1", authorization="Basic eDo=")
    >>> transport.close()
    """

    def __init__(
        self,
        base_url: str,
        *,
        authorization: str,
        timeout: float = DEFAULT_TIMEOUT_SECONDS,
        max_retries: int = DEFAULT_MAX_RETRIES,
        strict: bool = False,
        rate_limiter: RateLimiter | None = None,
        deadline: float = DEFAULT_DEADLINE_SECONDS,
        pool_size: int = DEFAULT_POOL_SIZE,
        log_payloads: bool = False,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.max_retries = max_retries
        self.deadline = deadline
        self.rate_limiter = rate_limiter or RateLimiter()
        self.log_payloads = log_payloads
        self._sleep = sleep
        self._clock = clock
        # A private generator: a library must not draw from (and so perturb) the global
        # random state that the application or its tests may have seeded.
        self._random = random if random is not None else _random_module.Random().random
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
        return f"HTTPTransport(base_url={self.base_url!r}, max_retries={self.max_retries})"

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
        self.rate_limiter = RateLimiter(self.rate_limiter.limit, self.rate_limiter.window)

    def close(self) -> None:
        """Close pooled connections. Safe to call more than once."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._session.close()

    def send(self, path: str, body: bytes) -> Response:
        """POST ``body`` to ``path``, retrying what is worth retrying.

        Parameters
        ----------
        path : str
            API path such as ``/batch``.
        body : bytes
            JSON request body, already serialized (it is sent as is on every attempt,
            so the messageIds inside never change between retries).

        Returns
        -------
        Response
            For a 2xx answer.

        Raises
        ------
        ClientClosedError
            The transport was closed.
        NetworkError, RequestTimeoutError
            Connection failures and timeouts once retries or the deadline are spent.
        APIError
            A subclass mapped from the status (see :mod:`cio.errors`).
        """
        if self._closed:
            raise ClientClosedError("this client is closed; create a new CustomerIOClient")
        url = self.base_url + path
        started = self._clock()
        deadline_at = started + self.deadline
        attempt = 0
        if self.log_payloads and logger.isEnabledFor(logging.DEBUG):
            logger.debug("POST %s payload=%s", path, mask_emails(body.decode("utf-8", "replace")))
        while True:
            attempt += 1
            self.rate_limiter.acquire()
            remaining = max(deadline_at - self._clock(), 0.001)
            timeout = (
                min(DEFAULT_CONNECT_TIMEOUT_SECONDS, remaining),
                min(self.timeout, remaining),
            )
            attempt_started = self._clock()
            error: NetworkError | APIError
            headers: Mapping[str, str] | None = None
            cause: BaseException | None = None
            try:
                http = self._session.post(
                    url,
                    data=body,
                    headers=self._headers,
                    timeout=timeout,
                    verify=self._verify,
                    allow_redirects=False,
                )
            except requests.Timeout as exc:
                cause = exc
                error = RequestTimeoutError(f"POST {path}: timed out after {timeout[1]:.1f}s")
                self._log_attempt(path, "timeout", attempt, len(body), attempt_started)
            except requests.ConnectionError as exc:
                cause = exc
                error = NetworkError(f"POST {path}: connection failed ({type(exc).__name__})")
                self._log_attempt(path, "connection error", attempt, len(body), attempt_started)
            except requests.RequestException as exc:
                raise NetworkError(f"POST {path}: request failed ({type(exc).__name__})") from exc
            except OSError as exc:
                # requests raises a bare OSError when the CA bundle it was given (for
                # example through REQUESTS_CA_BUNDLE) cannot be read. Verification stays on.
                raise ConfigurationError(
                    f"POST {path}: TLS could not be set up; check that REQUESTS_CA_BUNDLE or "
                    "CURL_CA_BUNDLE, if set, name a readable CA bundle file"
                ) from exc
            else:
                status = http.status_code
                self._log_attempt(path, str(status), attempt, len(body), attempt_started)
                if 200 <= status < 300:
                    return Response(
                        status_code=status,
                        body=http.content,
                        headers=dict(http.headers),
                        attempts=attempt,
                        elapsed=self._clock() - started,
                    )
                error = error_for_status(status, http.text, path=path, sent=body)
                if not should_retry(status):
                    error.attempts = attempt
                    raise error
                headers = http.headers
            error.attempts = attempt
            if attempt > self.max_retries:
                raise error from cause
            delay = retry_delay(attempt, headers, random=self._random)
            if self._clock() + delay > deadline_at:
                logger.debug("POST %s giving up: next wait %.2fs passes the deadline", path, delay)
                raise error from cause
            logger.debug("POST %s retry in %.2fs (attempt %d failed)", path, delay, attempt)
            self._sleep(delay)

    def _log_attempt(self, path: str, outcome: str, attempt: int, size: int, since: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s status=%s attempt=%d bytes=%d elapsed=%.3fs",
                path,
                outcome,
                attempt,
                size,
                self._clock() - since,
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
