"""Warnings: what the API accepts but is probably a mistake.

A message has three outcomes (see ``docs/models.md``): refused with a located error,
accepted with located warnings, or accepted. Warnings are :class:`cio.errors.ErrorDetail`
values, located like errors and never carrying the input value. They are computed from
the wire form of a message (camelCase envelope, properties and traits as written), so the
model path and the compiled dict path give the same warnings.

Checks register themselves with :func:`register_advisor`; :func:`advise` runs them all.
An advisor must be cheap (it runs for every message) and must not raise for any JSON
value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeAlias

from cio.errors import ErrorDetail

__all__ = ["Advisor", "advise", "has_advisors", "register_advisor"]

Advisor: TypeAlias = Callable[[Mapping[str, Any]], Iterable[ErrorDetail]]
"""A check of one message in wire form; yields located warnings."""

_ADVISORS: list[Advisor] = []


def register_advisor(advisor: Advisor) -> Advisor:
    """Add a check that :func:`advise` runs on every message.

    Parameters
    ----------
    advisor : callable
        Takes the wire form of a message, yields :class:`~cio.errors.ErrorDetail` warnings.

    Returns
    -------
    callable
        ``advisor`` itself, so this can be used as a decorator.
    """
    if advisor not in _ADVISORS:
        _ADVISORS.append(advisor)
    return advisor


def has_advisors() -> bool:
    """Whether any check is registered (intake skips :func:`advise` when none is).

    Returns
    -------
    bool
    """
    return bool(_ADVISORS)


def advise(message: Mapping[str, Any]) -> tuple[ErrorDetail, ...]:
    """The warnings for one message in wire form, from every registered check.

    Parameters
    ----------
    message : Mapping
        The message as sent (camelCase envelope keys).

    Returns
    -------
    tuple of ErrorDetail
        Located warnings; empty when nothing looks wrong.

    Example
    -------
    >>> advise({"type": "track", "userId": "1", "event": "Signed Up"})
    ()
    """
    found: list[ErrorDetail] = []
    for advisor in _ADVISORS:
        found.extend(advisor(message))
    return tuple(found)
