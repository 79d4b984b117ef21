"""Pure functions deciding whether and when to retry a request.

Retryable: connection errors, timeouts, 408, 429 and 5xx except 501 and 505.
Never retried: any other 4xx (the request itself is wrong and would fail again).
"""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable, Mapping
from datetime import datetime, timezone

from cio._constants import (
    BACKOFF_BASE_SECONDS,
    BACKOFF_CAP_SECONDS,
    HEADER_RETRY_AFTER,
    NON_RETRYABLE_SERVER_STATUSES,
    RETRY_AFTER_CAP_SECONDS,
    RETRYABLE_STATUSES,
)

__all__ = ["backoff_delay", "parse_retry_after", "retry_delay", "should_retry"]


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
    if status_code in RETRYABLE_STATUSES:
        return True
    return 500 <= status_code <= 599 and status_code not in NON_RETRYABLE_SERVER_STATUSES


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
    retry_after = parse_retry_after(headers.get(HEADER_RETRY_AFTER) if headers else None, now=now)
    if retry_after is not None:
        return retry_after
    return float(backoff_delay(attempt, random=random))
