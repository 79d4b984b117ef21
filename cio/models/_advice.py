"""Warnings: what the API accepts but is probably a mistake.

A message has three outcomes (see ``docs/models.md``): refused with a located error,
accepted with located warnings, or accepted. Warnings are :class:`cio.errors.ErrorDetail`
values, located like errors and never carrying the input value. They are computed from
the wire form of a message (camelCase envelope, properties and traits as written), so the
model path and the compiled dict path give the same warnings.

Checks register themselves with :func:`register_advisor`; :func:`advise` runs them all.
An advisor must be cheap (it runs for every message it is asked about) and must not raise
for any JSON value.

The compiled dict path of :mod:`cio.models._wire` runs no message-level advisor on its
fast path: it is stricter than the models wherever one could apply (an unknown top-level
key, an email it cannot vouch for), so such a message falls back to the model path, which
is where :func:`advise` runs. A new advisor must keep that true (see ``docs/models.md``).
The one exception is a semantic event's properties, which the API takes whatever they
hold: the check of their recommended types is also registered by event name with
:func:`register_properties_checks`, and both the compiled path and a built model ask it
directly (:func:`properties_check`, :func:`advise_properties`), with the same result as
:func:`advise`.

Warnings become errors with the policy ``"error"``: per call (``warnings="error"``), or
for the whole process with the environment variable ``CIO_WARNINGS=error``
(:func:`warning_policy`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal, Protocol, TypeAlias, get_args

import orjson

from cio.errors import ConfigurationError, ErrorDetail, ValidationError

__all__ = [
    "VOUCHED_KEY",
    "VOUCHED_PROPERTIES",
    "WARNINGS_ENV",
    "Advisor",
    "PropertiesCheck",
    "WarningPolicy",
    "advise",
    "advise_body",
    "advise_outside",
    "advise_properties",
    "enforce_policy",
    "has_advisors",
    "has_outside_advisors",
    "properties_check",
    "register_advisor",
    "register_properties_checks",
    "warning_policy",
]

Advisor: TypeAlias = Callable[[Mapping[str, Any]], Iterable[ErrorDetail]]
"""A check of one message in wire form; yields located warnings."""


class PropertiesCheck(Protocol):
    """The check of one event's ``properties``."""

    def clean(self, properties: Any) -> bool:
        """Whether ``properties`` are plain JSON with nothing to advise.

        A shortcut: ``False`` may still mean no warnings (see :meth:`advise`), but
        ``True`` means none, and that :func:`cio.models._core.is_plain_json` holds.
        """
        ...

    def warnings(self, properties: Any) -> tuple[ErrorDetail, ...]:
        """The located warnings about ``properties`` (``None`` when there are none)."""
        ...

    def advise(self, properties: Any) -> tuple[ErrorDetail, ...]:
        """:meth:`warnings`, or none at once when :meth:`clean` holds."""
        ...


PropertiesChecks: TypeAlias = Callable[[str], "PropertiesCheck | None"]
"""Finds the check of a track's ``properties`` by its event name."""

VOUCHED_PROPERTIES: list[Any] = [None]
"""The properties object a semantic event's validator last found as recommended (plain
JSON, nothing to advise). Its model's after-validator, which runs next in the same
validation, keeps it under :data:`VOUCHED_KEY` when it is the very object the model
holds, so intake need not check the properties again. An identity check, so another
thread's validation in between can only cost that shortcut, never give a wrong one."""

VOUCHED_KEY = "_cio_vouched_properties"
"""Key in a built semantic event's ``__dict__``: its properties object when they were
found as recommended at validation (pydantic ignores keys starting with ``_`` there)."""

WarningPolicy: TypeAlias = Literal["warn", "error"]
"""What to do with warnings: ``"warn"`` (accept and report them) or ``"error"`` (refuse)."""

WARNINGS_ENV = "CIO_WARNINGS"
"""The environment variable that sets the default :data:`WarningPolicy`."""

_POLICIES: tuple[str, ...] = get_args(WarningPolicy)
_DEFAULT_POLICY: WarningPolicy = "warn"

# Nineteen digits in a row: perhaps an integer orjson cannot hold (it reads it as a float).
_LONG_NUMBER = re.compile(rb"\d{19}")

_ADVISORS: list[Advisor] = []
# Checks registered from outside the package. The compiled dict codecs refuse (and so
# send through the model, where every check runs) whatever the library's own checks could
# warn about; they cannot know what another check looks for, so they run these themselves.
_OUTSIDE_ADVISORS: list[Advisor] = []
_PROPERTIES_CHECKS: list[PropertiesChecks] = []


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
        if not str(getattr(advisor, "__module__", "")).startswith("cio."):
            _OUTSIDE_ADVISORS.append(advisor)
    return advisor


def register_properties_checks(lookup: PropertiesChecks) -> PropertiesChecks:
    """Add a lookup of the checks of a track's properties by event name.

    The same checks must also run in an advisor registered with :func:`register_advisor`
    (as checks of the whole message) and give the same warnings both ways: built models
    and the compiled dict path call them through :func:`properties_check` and
    :func:`advise_properties`, the rest through :func:`advise`.

    Parameters
    ----------
    lookup : callable
        Takes an event name; returns its :class:`PropertiesCheck`, or ``None``.

    Returns
    -------
    callable
        ``lookup`` itself, so this can be used as a decorator.
    """
    if lookup not in _PROPERTIES_CHECKS:
        _PROPERTIES_CHECKS.append(lookup)
    return lookup


def properties_check(event: str) -> PropertiesCheck | None:
    """The check of the ``properties`` of a track named ``event``, if one is registered.

    Parameters
    ----------
    event : str

    Returns
    -------
    PropertiesCheck or None
    """
    for lookup in _PROPERTIES_CHECKS:
        found = lookup(event)
        if found is not None:
            return found
    return None


def advise_properties(event: str, properties: Any) -> tuple[ErrorDetail, ...]:
    """The warnings about a track's ``properties``, as :func:`advise` gives them.

    Parameters
    ----------
    event : str
        The track's event name.
    properties : Any
        Its properties as sent (``None`` when it has none).

    Returns
    -------
    tuple of ErrorDetail
        Located at ``("properties", ...)``; empty when nothing looks wrong.

    Example
    -------
    >>> advise_properties("Signed Up", {"plan": "pro"})
    ()
    """
    check = properties_check(event)
    return () if check is None else check.advise(properties)


def has_outside_advisors() -> bool:
    """Whether a check was registered from outside ``cio`` (see :func:`advise_outside`).

    Returns
    -------
    bool
    """
    return bool(_OUTSIDE_ADVISORS)


def advise_outside(message: Mapping[str, Any]) -> tuple[ErrorDetail, ...]:
    """The warnings of the checks registered from outside ``cio`` (see :func:`advise`).

    Parameters
    ----------
    message : Mapping
        The message as sent.

    Returns
    -------
    tuple of ErrorDetail
    """
    if not _OUTSIDE_ADVISORS:
        return ()
    found: list[ErrorDetail] = []
    for advisor in _OUTSIDE_ADVISORS:
        found.extend(advisor(message))
    return tuple(found)


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


def advise_body(body: bytes) -> tuple[ErrorDetail, ...]:
    """The warnings for one message's compact JSON: the one place encoded messages are advised.

    Every encode path that builds a model (``Message.to_json``, ``Message.warnings``, the
    model fallback of the compiled dict path) calls this, so the intake of a message has
    one hook to move.

    Parameters
    ----------
    body : bytes
        The message as sent.

    Returns
    -------
    tuple of ErrorDetail

    Example
    -------
    >>> [w.field for w in advise_body(b'{"type":"identify","userId":"1","traits":{"email":"a"}}')]
    ['traits.email']
    """
    if _LONG_NUMBER.search(body) is not None:
        # orjson reads an integer beyond 64 bits as a float; the standard parser keeps it.
        return advise(json.loads(body))
    return advise(orjson.loads(body))


def warning_policy(option: str | None = None) -> WarningPolicy:
    """The policy in force: ``option`` when given, else ``CIO_WARNINGS``, else ``"warn"``.

    Parameters
    ----------
    option : {"warn", "error"}, optional
        A per-call choice.

    Returns
    -------
    {"warn", "error"}

    Raises
    ------
    cio.ConfigurationError
        When the option or ``CIO_WARNINGS`` is neither ``warn`` nor ``error``.

    Example
    -------
    >>> warning_policy("error")
    'error'
    """
    source = "warnings="
    if option is None:
        option = os.environ.get(WARNINGS_ENV)
        source = WARNINGS_ENV
        if option is None or not option.strip():
            return _DEFAULT_POLICY
    value = option.strip().lower()
    if value == "warn":
        return "warn"
    if value == "error":
        return "error"
    raise ConfigurationError(f"{source} must be one of {', '.join(_POLICIES)}")


def enforce_policy(
    warnings: tuple[ErrorDetail, ...], option: str | None, summary: str
) -> tuple[ErrorDetail, ...]:
    """``warnings`` unchanged, or a :class:`cio.ValidationError` when the policy is ``error``.

    Cheap when there is nothing to report: the policy is only looked up for warnings.

    Parameters
    ----------
    warnings : tuple of ErrorDetail
        What :func:`advise` found.
    option : {"warn", "error"}, optional
        A per-call policy; ``None`` reads ``CIO_WARNINGS``.
    summary : str
        The error's one-line summary, for example ``"invalid identify message"``.

    Returns
    -------
    tuple of ErrorDetail

    Raises
    ------
    cio.ValidationError
        When there are warnings and the policy is ``"error"``; its ``errors`` are the
        warnings.

    Example
    -------
    >>> enforce_policy((), "error", "invalid message")
    ()
    """
    if warnings and warning_policy(option) == "error":
        raise ValidationError(f"{summary} (warnings are errors: {WARNINGS_ENV}=error)", warnings)
    return warnings
