"""Locks that a forked child gets afresh.

``os.fork()`` copies a lock in whatever state it had: a lock held by another thread of
the parent at that moment stays held forever in the child, which has no such thread.
:class:`ForkSafeLock` notices that it crossed a fork and starts over with a new lock.
"""

from __future__ import annotations

import os
import threading
import weakref
from types import TracebackType

__all__ = ["ForkSafeLock"]

# The number of forks this process descends from; a list so the hook can change it.
_FORKS = [0]
# Locks that guard a file or database: fork waits (briefly) until no thread holds them.
_QUIESCED: weakref.WeakSet[ForkSafeLock] = weakref.WeakSet()
_HELD_AT_FORK: list[threading.Lock] = []
_FORK_WAIT_SECONDS = 2.0


def _before_fork() -> None:
    for lock in list(_QUIESCED):
        raw = lock._lock
        if raw.acquire(timeout=_FORK_WAIT_SECONDS):
            _HELD_AT_FORK.append(raw)


def _after_fork_in_parent() -> None:
    while _HELD_AT_FORK:
        _HELD_AT_FORK.pop().release()


def _after_fork_in_child() -> None:
    _HELD_AT_FORK.clear()
    _FORKS[0] += 1


class ForkSafeLock:
    """A ``threading.Lock`` that is re-created, released, in a forked child.

    Parameters
    ----------
    quiesce_at_fork : bool
        Make ``os.fork()`` wait (at most two seconds) until no thread holds the lock,
        so the child never sees the file or database it guards half-written, nor a
        library mutex held by a thread it does not have.

    Example
    -------
    >>> lock = ForkSafeLock()
    >>> with lock:
    ...     lock.locked()
    True
    """

    __slots__ = ("__weakref__", "_generation", "_lock")

    def __init__(self, *, quiesce_at_fork: bool = False) -> None:
        self._lock = threading.Lock()
        self._generation = _FORKS[0]
        if quiesce_at_fork:
            _QUIESCED.add(self)

    def _current(self) -> threading.Lock:
        if self._generation != _FORKS[0]:
            self._lock = threading.Lock()
            self._generation = _FORKS[0]
        return self._lock

    def acquire(self, blocking: bool = True, timeout: float = -1) -> bool:
        """Acquire the lock, as ``threading.Lock.acquire``.

        Parameters
        ----------
        blocking : bool
            Wait for the lock.
        timeout : float
            Longest wait in seconds (-1: no limit).

        Returns
        -------
        bool
            Whether the lock was acquired.
        """
        return self._current().acquire(blocking, timeout)

    def release(self) -> None:
        """Release the lock."""
        self._lock.release()

    def locked(self) -> bool:
        """Whether the lock is held (in this process).

        Returns
        -------
        bool
        """
        return self._current().locked()

    def __enter__(self) -> bool:
        return self._current().acquire()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._lock.release()


if hasattr(os, "register_at_fork"):
    os.register_at_fork(
        before=_before_fork,
        after_in_parent=_after_fork_in_parent,
        after_in_child=_after_fork_in_child,
    )
