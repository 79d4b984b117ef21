"""Declarative faults the sandbox injects, for tests and the reliability notebook.

A fault is a small frozen object describing *what* should go wrong. When a sandbox
starts (or :meth:`cio.sandbox.Sandbox.set_faults` is called) each fault is *armed*:
:meth:`Fault.arm` returns an :class:`ArmedFault` holding the counters and the start of
the time windows. For every request to a known endpoint the sandbox asks the armed
faults, in order, whether to interfere:

* a :class:`Delay` waits and lets the request carry on normally;
* the other faults answer instead of the API (a status such as 500, 503 or 429) or
  close the connection without answering; the first one that does stops the
  evaluation, so later faults do not see that request.

A request a fault answered is never recorded as accepted. Each armed fault counts what
it injected; the sandbox reports the total.

Example
-------
>>> from cio.sandbox.faults import FailEveryNth
>>> armed = FailEveryNth(2, status=502).arm(now=0.0)
>>> [armed.decide(now=0.0) is not None for _ in range(4)]
[False, True, False, True]
>>> armed.injected
2
"""

from __future__ import annotations

import math
from collections import deque
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from cio._constants import DEFAULT_RATE_LIMIT, RATE_LIMIT_WINDOW_SECONDS
from cio.errors import ConfigurationError

__all__ = [
    "ArmedFault",
    "ConnectionReset",
    "Delay",
    "EnforceRateLimit",
    "FailEveryNth",
    "Fault",
    "Injection",
    "Outage",
    "RateLimitWindow",
]

_STATUS_TOO_MANY_REQUESTS = 429
_STATUS_SERVICE_UNAVAILABLE = 503
_STATUS_INTERNAL_ERROR = 500
_MIN_ERROR_STATUS = 400
_MAX_STATUS = 599


@dataclass(frozen=True, slots=True)
class Injection:
    """What one fault does to one request.

    Parameters
    ----------
    fault : str
        Name of the fault (its class name), recorded in the request log.
    status : int or None
        Answer with this status instead of processing the request.
    retry_after : int or None
        Seconds to send in a ``Retry-After`` header with ``status``.
    delay : float
        Seconds to wait before carrying on (or before answering ``status``).
    reset : bool
        Close the connection without answering.
    """

    fault: str
    status: int | None = None
    retry_after: int | None = None
    delay: float = 0.0
    reset: bool = False

    @property
    def terminal(self) -> bool:
        """Whether the request stops here (a status answer or a reset)."""
        return self.status is not None or self.reset


@runtime_checkable
class ArmedFault(Protocol):
    """A fault in action: decides per request and counts what it injected.

    The sandbox calls :meth:`decide` under its own lock, one request at a time.
    """

    @property
    def injected(self) -> int:
        """How many requests this fault interfered with."""
        ...

    def decide(self, now: float) -> Injection | None:
        """Return what to do to the current request, or ``None`` to leave it alone."""
        ...


@runtime_checkable
class Fault(Protocol):
    """A declarative fault: anything with ``arm(now) -> ArmedFault`` can be given to a sandbox."""

    def arm(self, now: float) -> ArmedFault:
        """Start the fault at monotonic time ``now`` and return its counting state."""
        ...


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ConfigurationError(message)


def _check_status(status: int) -> None:
    _require(
        _MIN_ERROR_STATUS <= status <= _MAX_STATUS,
        f"a fault status must be between {_MIN_ERROR_STATUS} and {_MAX_STATUS}",
    )


class _EveryNth:
    """Armed state shared by the faults that hit every nth request."""

    def __init__(self, every_nth: int, injection: Injection) -> None:
        self._every_nth = every_nth
        self._injection = injection
        self._seen = 0
        self._injected = 0

    @property
    def injected(self) -> int:
        return self._injected

    def decide(self, now: float) -> Injection | None:
        self._seen += 1
        if self._seen % self._every_nth:
            return None
        self._injected += 1
        return self._injection


class _Window:
    """Armed state shared by the faults that hit every request inside a time window."""

    def __init__(self, start: float, end: float, injection: Injection) -> None:
        self._start = start
        self._end = end
        self._injection = injection
        self._injected = 0

    @property
    def injected(self) -> int:
        return self._injected

    def decide(self, now: float) -> Injection | None:
        if not self._start <= now < self._end:
            return None
        self._injected += 1
        return self._injection


@dataclass(frozen=True, slots=True)
class FailEveryNth:
    """Answer every ``n``-th request with an error status.

    Parameters
    ----------
    n : int
        The 1st, ..., ``n``-th request passes except the ``n``-th, which fails; 1 fails all.
    status : int
        The status to answer (500 by default); 4xx and 5xx are allowed.

    Raises
    ------
    ConfigurationError
        When ``n`` is below 1 or ``status`` is not an error status.

    Example
    -------
    >>> FailEveryNth(3)
    FailEveryNth(n=3, status=500)
    """

    n: int
    status: int = _STATUS_INTERNAL_ERROR

    def __post_init__(self) -> None:
        _require(self.n >= 1, "FailEveryNth needs n >= 1")
        _check_status(self.status)

    def arm(self, now: float) -> ArmedFault:
        """Start counting requests.

        Parameters
        ----------
        now : float
            Monotonic time (unused: this fault counts, it does not time).

        Returns
        -------
        ArmedFault
        """
        return _EveryNth(self.n, Injection(type(self).__name__, status=self.status))


@dataclass(frozen=True, slots=True)
class RateLimitWindow:
    """Answer 429 with ``Retry-After`` to every request for a while after arming.

    Parameters
    ----------
    seconds : float
        Length of the window, starting when the sandbox starts or the fault is set.
    retry_after : int
        Value of the ``Retry-After`` header, in seconds.

    Raises
    ------
    ConfigurationError
        When ``seconds`` is negative or ``retry_after`` below 0.

    Example
    -------
    >>> RateLimitWindow(0.5, retry_after=1).arm(now=10.0).decide(now=10.2).status
    429
    """

    seconds: float
    retry_after: int = 1

    def __post_init__(self) -> None:
        _require(self.seconds >= 0, "RateLimitWindow needs seconds >= 0")
        _require(self.retry_after >= 0, "RateLimitWindow needs retry_after >= 0")

    def arm(self, now: float) -> ArmedFault:
        """Open the window at ``now``.

        Parameters
        ----------
        now : float
            Monotonic time the window starts.

        Returns
        -------
        ArmedFault
        """
        injection = Injection(
            type(self).__name__, status=_STATUS_TOO_MANY_REQUESTS, retry_after=self.retry_after
        )
        return _Window(now, now + self.seconds, injection)


@dataclass(frozen=True, slots=True)
class Outage:
    """Answer every request with a 5xx (503 by default) during a time window.

    Parameters
    ----------
    seconds : float
        How long the outage lasts.
    status : int
        Status answered during the outage.
    start_after : float
        Seconds after arming before the outage begins.

    Raises
    ------
    ConfigurationError
        For negative durations or a status that is not an error status.

    Example
    -------
    >>> armed = Outage(1.0, start_after=2.0).arm(now=0.0)
    >>> armed.decide(now=1.0) is None, armed.decide(now=2.5).status
    (True, 503)
    """

    seconds: float
    status: int = _STATUS_SERVICE_UNAVAILABLE
    start_after: float = 0.0

    def __post_init__(self) -> None:
        _require(self.seconds >= 0, "Outage needs seconds >= 0")
        _require(self.start_after >= 0, "Outage needs start_after >= 0")
        _check_status(self.status)

    def arm(self, now: float) -> ArmedFault:
        """Schedule the outage relative to ``now``.

        Parameters
        ----------
        now : float
            Monotonic time of arming.

        Returns
        -------
        ArmedFault
        """
        start = now + self.start_after
        return _Window(start, start + self.seconds, Injection(type(self).__name__, self.status))


@dataclass(frozen=True, slots=True)
class Delay:
    """Wait before answering every ``every_nth`` request, then process it normally.

    A client whose timeout is shorter than the delay gives up and may resend; the
    sandbox then records the message twice, and :meth:`Sandbox.summary` shows the
    duplicate messageId.

    Parameters
    ----------
    seconds : float
        How long to wait.
    every_nth : int
        Delay every request (1), every second request (2), ...

    Raises
    ------
    ConfigurationError
        When ``seconds`` is negative or ``every_nth`` below 1.

    Example
    -------
    >>> Delay(0.25).arm(now=0.0).decide(now=0.0).delay
    0.25
    """

    seconds: float
    every_nth: int = 1

    def __post_init__(self) -> None:
        _require(self.seconds >= 0, "Delay needs seconds >= 0")
        _require(self.every_nth >= 1, "Delay needs every_nth >= 1")

    def arm(self, now: float) -> ArmedFault:
        """Start counting requests.

        Parameters
        ----------
        now : float
            Monotonic time (unused).

        Returns
        -------
        ArmedFault
        """
        return _EveryNth(self.every_nth, Injection(type(self).__name__, delay=self.seconds))


@dataclass(frozen=True, slots=True)
class ConnectionReset:
    """Read every ``every_nth`` request, then close the connection without answering.

    The client cannot know whether the request arrived; nothing from it is recorded.

    Parameters
    ----------
    every_nth : int
        Reset every request (1), every second request (2), ...

    Raises
    ------
    ConfigurationError
        When ``every_nth`` is below 1.

    Example
    -------
    >>> ConnectionReset(1).arm(now=0.0).decide(now=0.0).reset
    True
    """

    every_nth: int = 1

    def __post_init__(self) -> None:
        _require(self.every_nth >= 1, "ConnectionReset needs every_nth >= 1")

    def arm(self, now: float) -> ArmedFault:
        """Start counting requests.

        Parameters
        ----------
        now : float
            Monotonic time (unused).

        Returns
        -------
        ArmedFault
        """
        return _EveryNth(self.every_nth, Injection(type(self).__name__, reset=True))


class _SlidingLimit:
    """Armed :class:`EnforceRateLimit`: a sliding log of the requests it let through."""

    def __init__(self, limit: int, window: float, name: str) -> None:
        self._limit = limit
        self._window = window
        self._name = name
        self._admitted: deque[float] = deque()
        self._injected = 0

    @property
    def injected(self) -> int:
        return self._injected

    def decide(self, now: float) -> Injection | None:
        admitted = self._admitted
        while admitted and admitted[0] <= now - self._window:
            admitted.popleft()
        if len(admitted) < self._limit:
            admitted.append(now)
            return None
        self._injected += 1
        wait = max(1, math.ceil(admitted[0] + self._window - now))
        return Injection(self._name, status=_STATUS_TOO_MANY_REQUESTS, retry_after=wait)


@dataclass(frozen=True, slots=True)
class EnforceRateLimit:
    """Answer 429 once more than ``limit`` requests arrived in the last ``window`` seconds.

    This is the API's documented limit (3000 requests per 3 seconds) by default.
    Refused requests do not count against the limit; ``Retry-After`` says when the
    oldest counted request leaves the window.

    Parameters
    ----------
    limit : int
        Requests allowed per window.
    window : float
        Window length in seconds.

    Raises
    ------
    ConfigurationError
        When ``limit`` is below 1 or ``window`` is not positive.

    Example
    -------
    >>> armed = EnforceRateLimit(limit=2, window=1.0).arm(now=0.0)
    >>> [getattr(armed.decide(now=0.1), "status", None) for _ in range(3)]
    [None, None, 429]
    """

    limit: int = DEFAULT_RATE_LIMIT
    window: float = RATE_LIMIT_WINDOW_SECONDS

    def __post_init__(self) -> None:
        _require(self.limit >= 1, "EnforceRateLimit needs limit >= 1")
        _require(self.window > 0, "EnforceRateLimit needs window > 0")

    def arm(self, now: float) -> ArmedFault:
        """Start with an empty window.

        Parameters
        ----------
        now : float
            Monotonic time (unused: the window slides with the requests).

        Returns
        -------
        ArmedFault
        """
        return _SlidingLimit(self.limit, self.window, type(self).__name__)
