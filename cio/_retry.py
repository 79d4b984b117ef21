"""The retry policy as data, the pure functions it is made of, and the loop that applies it.

:class:`RetryPolicy` is a frozen value: how many retries, the backoff base and ceiling,
the longest ``Retry-After`` honoured, the deadline of one call, and the retryable
statuses. :class:`cio.CustomerIOClient` builds one from its settings and wraps whatever
transport it has in a :class:`RetryingTransport`, so a custom transport gets retries and
rate limiting as the HTTP one does. A transport makes exactly one attempt per call.

Retryable: connection errors (including a response cut off mid-body), timeouts, 408,
429 and 5xx except 501 and 505. Never retried: any other 4xx (the request itself is
wrong and would fail again). The body, and so every messageId in it, is the same on
every attempt.
"""

from __future__ import annotations

import dataclasses
import email.utils
import logging
import math
import random as _random_module
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, ClassVar, Final, Protocol

from cio._constants import DEFAULT_MAX_RETRIES, HEADER_RETRY_AFTER
from cio._ratelimit import RateLimiter
from cio.errors import APIError, ClientClosedError, NetworkError

if TYPE_CHECKING:
    from cio._transport import Response, Transport

__all__ = [
    "RetryPolicy",
    "RetryingTransport",
    "backoff_delay",
    "parse_retry_after",
    "retry_delay",
    "should_retry",
]

logger = logging.getLogger(__name__)

DEFAULT_DEADLINE_SECONDS: Final = 60.0
BACKOFF_BASE_SECONDS: Final = 0.5
BACKOFF_CAP_SECONDS: Final = 30.0
RETRY_AFTER_CAP_SECONDS: Final = 30.0
"""A longer Retry-After means waiting this long and retrying (below the deadline)."""
RETRYABLE_STATUSES: Final = frozenset({408, 429})
NON_RETRYABLE_SERVER_STATUSES: Final = frozenset({501, 505})

_SERVER_ERRORS = range(500, 600)
DEFAULT_RETRYABLE_STATUSES: frozenset[int] = RETRYABLE_STATUSES | frozenset(
    status for status in _SERVER_ERRORS if status not in NON_RETRYABLE_SERVER_STATUSES
)
"""408, 429 and every 5xx but 501 (not implemented) and 505 (HTTP version)."""


class _Settings(Protocol):
    @property
    def max_retries(self) -> int: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """When and how long to wait before trying a request again.

    Parameters
    ----------
    max_retries : int
        Retries after the first attempt (``CIO_MAX_RETRIES``); 0 turns retrying off.
    backoff_base : float
        Ceiling of the first backoff wait, in seconds; it doubles on each retry.
    backoff_cap : float
        Largest backoff ceiling, in seconds.
    retry_after_cap : float
        Longest ``Retry-After`` honoured, in seconds: a longer one (even ``inf``) means
        waiting this long and trying again.
    deadline : float
        Longest time one call may spend, waits included: no wait is started that would
        end after it.
    retryable_statuses : frozenset of int
        HTTP statuses worth another attempt.

    Example
    -------
    >>> policy = RetryPolicy(max_retries=2)
    >>> policy.should_retry(503), policy.should_retry(400)
    (True, False)
    >>> policy.delay(1, "120", random=lambda: 0.0)
    30.0
    """

    max_retries: int = DEFAULT_MAX_RETRIES
    backoff_base: float = BACKOFF_BASE_SECONDS
    backoff_cap: float = BACKOFF_CAP_SECONDS
    retry_after_cap: float = RETRY_AFTER_CAP_SECONDS
    deadline: float = DEFAULT_DEADLINE_SECONDS
    retryable_statuses: frozenset[int] = DEFAULT_RETRYABLE_STATUSES

    def __post_init__(self) -> None:
        if self.max_retries < 0:
            raise ValueError("max_retries must be 0 or more")
        for name in ("backoff_base", "backoff_cap", "retry_after_cap", "deadline"):
            value = getattr(self, name)
            if not value >= 0 or math.isinf(value):
                raise ValueError(f"{name} must be a finite number of seconds, 0 or more")

    @classmethod
    def from_settings(cls, settings: _Settings) -> RetryPolicy:
        """The policy configured by a :class:`cio.Settings` (its ``max_retries``).

        Parameters
        ----------
        settings : Settings
            The client's settings.

        Returns
        -------
        RetryPolicy
        """
        return cls(max_retries=settings.max_retries)

    def should_retry(self, status_code: int) -> bool:
        """Whether an HTTP status is worth another attempt under this policy.

        Parameters
        ----------
        status_code : int

        Returns
        -------
        bool
        """
        return status_code in self.retryable_statuses

    def delay(
        self,
        attempt: int,
        retry_after: str | None,
        *,
        random: Callable[[], float],
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> float:
        """The wait after failed attempt ``attempt``: ``Retry-After`` when given, else backoff.

        Parameters
        ----------
        attempt : int
            Attempts made so far (1 after the first).
        retry_after : str or None
            The ``Retry-After`` header of the answer, if any.
        random : callable
            Jitter source, returning a float in [0, 1).
        now : callable, optional
            Current time, for ``Retry-After`` given as an HTTP date.

        Returns
        -------
        float
            Seconds, at most ``retry_after_cap`` for a ``Retry-After`` and at most
            ``backoff_cap`` for a backoff.
        """
        waited = parse_retry_after(retry_after, now=now, cap=self.retry_after_cap)
        if waited is not None:
            return waited
        return backoff_delay(attempt, random=random, base=self.backoff_base, cap=self.backoff_cap)


_DEFAULT_POLICY = RetryPolicy()


class RetryingTransport:
    """Applies a :class:`RetryPolicy` and a rate limiter around any transport.

    The client wraps its transport in one; the wrapped transport makes one attempt per
    call. The rate limiter is taken before every attempt, retries included.

    Parameters
    ----------
    transport : Transport
        Makes one attempt per ``send``.
    policy : RetryPolicy
        When to retry and how long to wait.
    rate_limiter : RateLimiter, optional
        Shared by everything using one client; ``None`` sends without limiting.
    sleep, clock, random : callables
        Injected by tests so waits are asserted without waiting.

    Example
    -------
    >>> from cio.testing import RecordingTransport
    >>> sender = RetryingTransport(RecordingTransport(statuses=[503]), RetryPolicy(),
    ...                            sleep=lambda _: None)
    >>> sender.send("/track", b"{}").attempts
    2
    """

    handles_retries: ClassVar[bool] = True
    """A client given one as its transport does not wrap it again."""

    def __init__(
        self,
        transport: Transport,
        policy: RetryPolicy,
        *,
        rate_limiter: RateLimiter | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        random: Callable[[], float] | None = None,
    ) -> None:
        self.transport = transport
        self.policy = policy
        self.rate_limiter = rate_limiter
        self._sleep = sleep
        self._clock = clock
        # A private generator: a library must not draw from (and so perturb) the global
        # random state that the application or its tests may have seeded.
        self._random = random if random is not None else _random_module.Random().random
        # A transport that can bound one attempt (HTTPTransport) is given what is left of
        # the deadline, so no call outlasts it.
        self._bounded = getattr(transport, "accepts_timeout", False) is True

    def __repr__(self) -> str:
        return f"RetryingTransport({self.transport!r}, {self.policy!r})"

    def send(self, path: str, body: bytes) -> Response:
        """Send ``body`` to ``path``, retrying what the policy says is worth retrying.

        Parameters
        ----------
        path : str
            API path such as ``/batch``.
        body : bytes
            Sent as is on every attempt.

        Returns
        -------
        Response
            With ``attempts`` and ``elapsed`` of the whole call.

        Raises
        ------
        NetworkError, APIError, ClientClosedError
            The last attempt's error, with ``attempts`` set, once retries or the
            deadline are spent (or at once when the error is not retryable).
        """
        policy = self.policy
        clock = self._clock
        started = clock()
        deadline_at = started + policy.deadline
        attempt = 0
        while True:
            attempt += 1
            if self.rate_limiter is not None:
                self.rate_limiter.acquire()
            retry_after: str | None = None
            attempt_started = clock()
            try:
                if self._bounded:
                    remaining = max(deadline_at - clock(), 0.001)
                    response = self.transport.send(path, body, timeout=remaining)  # type: ignore[call-arg]
                else:
                    response = self.transport.send(path, body)
            except ClientClosedError:
                raise
            except NetworkError as exc:
                error: NetworkError | APIError = exc
                retryable = exc.retryable
                outcome = type(exc).__name__
            except APIError as exc:
                error = exc
                status = exc.status_code
                retryable = status is not None and policy.should_retry(status)
                retry_after = exc.retry_after
                outcome = str(status)
            else:
                self._log(path, str(response.status_code), attempt, len(body), attempt_started)
                return dataclasses.replace(response, attempts=attempt, elapsed=clock() - started)
            self._log(path, outcome, attempt, len(body), attempt_started)
            error.attempts = attempt
            if not retryable or attempt > policy.max_retries:
                raise error
            delay = policy.delay(attempt, retry_after, random=self._random)
            if clock() + delay >= deadline_at:
                logger.debug(
                    "POST %s giving up: the next wait %.2fs passes the deadline", path, delay
                )
                raise error
            logger.debug("POST %s retry in %.2fs (attempt %d failed)", path, delay, attempt)
            self._sleep(delay)

    def _log(self, path: str, outcome: str, attempt: int, size: int, since: float) -> None:
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "POST %s status=%s attempt=%d bytes=%d elapsed=%.3fs",
                path,
                outcome,
                attempt,
                size,
                self._clock() - since,
            )

    def close(self) -> None:
        """Close the wrapped transport."""
        self.transport.close()


def should_retry(status_code: int) -> bool:
    """Whether an HTTP status is worth another attempt.

    Parameters
    ----------
    status_code : int
        The response status.

    Returns
    -------
    bool
        True for 408, 429 and 5xx other than 501 and 505.

    Example
    -------
    >>> should_retry(503), should_retry(400), should_retry(501)
    (True, False, False)
    """
    return status_code in DEFAULT_RETRYABLE_STATUSES


def parse_retry_after(
    value: str | None,
    *,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    cap: float = RETRY_AFTER_CAP_SECONDS,
) -> float | None:
    """Read a ``Retry-After`` header given in seconds or as an HTTP date.

    Parameters
    ----------
    value : str or None
        The header value.
    now : callable, optional
        Returns the current aware datetime (injected by tests).
    cap : float, optional
        Longest wait honoured, in seconds.

    Returns
    -------
    float or None
        Seconds to wait (0 or more, at most ``cap``), or None when absent or unreadable.

    Example
    -------
    >>> parse_retry_after("2")
    2.0
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=timezone.utc)
        seconds = (when - now()).total_seconds()
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), cap)


def backoff_delay(
    attempt: int,
    *,
    random: Callable[[], float],
    base: float = BACKOFF_BASE_SECONDS,
    cap: float = BACKOFF_CAP_SECONDS,
) -> float:
    """Capped exponential backoff with jitter, for the wait after failed attempt ``attempt``.

    The ceiling is ``min(cap, base * 2 ** (attempt - 1))``; the delay is drawn uniformly
    from the upper half of it, so waits grow but never synchronise between clients.

    Parameters
    ----------
    attempt : int
        1 for the wait after the first failure, 2 after the second, ...
    random : callable
        Returns a float in [0, 1) (a private ``random.Random`` in production).
    base, cap : float
        Base delay and ceiling, in seconds.

    Returns
    -------
    float
        Seconds to wait, between half the ceiling and the ceiling.

    Example
    -------
    >>> backoff_delay(3, random=lambda: 1.0, base=0.5, cap=30)
    2.0
    """
    ceiling: float = min(cap, base * (2.0 ** max(attempt - 1, 0)))
    return ceiling / 2 + random() * ceiling / 2


def retry_delay(
    attempt: int,
    headers: Mapping[str, str] | None,
    *,
    random: Callable[[], float],
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
) -> float:
    """The wait before the next attempt: ``Retry-After`` when given, else backoff.

    Parameters
    ----------
    attempt : int
        Number of attempts made so far (1 after the first).
    headers : mapping or None
        Response headers (case-insensitive mapping from requests), if any.
    random : callable
        Jitter source.
    now : callable, optional
        Current time for HTTP-date ``Retry-After`` values.

    Returns
    -------
    float
        Seconds to wait.
    """
    value = headers.get(HEADER_RETRY_AFTER) if headers else None
    return _DEFAULT_POLICY.delay(attempt, value, random=random, now=now)
