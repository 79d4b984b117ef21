"""Email syntax checks: a fast path for ordinary addresses, email-validator for the rest.

email-validator (syntax only, no network) takes about 20 microseconds per address, which
dominates the validation of an identify with an ``email`` trait. Most real addresses are
plain ASCII dot-atoms such as ``jane.doe+tag@example.com``; for those a regular
expression plus the library's length and special-use rules decides the same way in
about a microsecond. Anything the fast path does not fully understand (unicode, quoted
local parts, odd domains) goes to email-validator, so its verdict is the reference; a
property test checks the fast path never disagrees with it.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

__all__ = ["ORDINARY_ADDRESS", "OrdinaryAddress", "email_problem", "is_valid_email"]


class OrdinaryAddress(NamedTuple):
    """The rule of the fast path: an address it accepts, email-validator accepts.

    Attributes
    ----------
    pattern : str
        The whole address (``fullmatch``): an ASCII dot-atom local part ``@`` LDH labels
        under a letters-only top-level label; groups ``local``, ``domain`` and ``tld``.
        Python's and RE2's (Arrow's) syntax alike.
    max_length : int
        Characters in the whole address.
    max_local_length : int
        Characters before the ``@``.
    special_use : frozenset of str
        Domains (lower case) that are never ordinary, nor any domain under them.

    A domain holding ``--`` is not ordinary either.
    """

    pattern: str
    max_length: int
    max_local_length: int
    special_use: frozenset[str]


_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
ORDINARY_ADDRESS = OrdinaryAddress(
    pattern=(
        rf"(?P<local>{_ATEXT}+(?:\.{_ATEXT}+)*)@"
        rf"(?P<domain>(?:{_LABEL}\.)+(?P<tld>[A-Za-z]{{2,63}}))"
    ),
    max_length=254,
    max_local_length=64,
    special_use=frozenset(name.lower() for name in SPECIAL_USE_DOMAIN_NAMES),
)
"""What the fast path vouches for; the column checks of typed imports use it too."""

_MAX_ADDRESS_LENGTH = ORDINARY_ADDRESS.max_length
_MAX_LOCAL_LENGTH = ORDINARY_ADDRESS.max_local_length
_PLAIN_ADDRESS = re.compile(ORDINARY_ADDRESS.pattern)
_SPECIAL_USE = ORDINARY_ADDRESS.special_use
# Every special-use name is a single label today, so the top-level label decides; should
# a dotted name appear in a later email-validator, the suffix loop takes over.
_SPECIAL_USE_BY_TLD = all("." not in name for name in _SPECIAL_USE)


def _plain_and_valid(address: str) -> bool:
    """True only when the address is an ordinary one that email-validator accepts."""
    match = _PLAIN_ADDRESS.fullmatch(address)
    if match is None or len(address) > _MAX_ADDRESS_LENGTH:
        return False
    domain = match["domain"]
    if len(match["local"]) > _MAX_LOCAL_LENGTH or "--" in domain:
        return False
    if _SPECIAL_USE_BY_TLD:
        return match["tld"].lower() not in _SPECIAL_USE
    domain = domain.lower()
    return not any(domain == name or domain.endswith("." + name) for name in _SPECIAL_USE)


def is_valid_email(address: str) -> bool:
    """Whether ``address`` is a syntactically valid email address (no DNS look-up).

    Parameters
    ----------
    address : str
        The address to check.

    Returns
    -------
    bool
        The same verdict as ``email_validator.validate_email(address,
        check_deliverability=False)``.

    Example
    -------
    >>> is_valid_email("ada@example.com"), is_valid_email("ada@")
    (True, False)
    """
    if _plain_and_valid(address):
        return True
    try:
        validate_email(address, check_deliverability=False)
    except EmailNotValidError:
        return False
    return True


_WHITESPACE = frozenset(" \t\r\n\f\v\u00a0")
_AT = "@"
_LABEL_SEPARATOR = "."
# Reasons, never quoting the address (it is personal data).
REASON_WHITESPACE = "contains whitespace"
REASON_NO_AT = "has no @"
REASON_MANY_AT = "has more than one @ (outside quotes)"
REASON_NO_LOCAL = "has nothing before the @"
REASON_NO_DOMAIN = "has nothing after the @"
REASON_NO_DOT = "has a domain without a dot (for example example.com)"
REASON_SPECIAL_USE = (
    "has a special-use or reserved domain (such as .test, .example, .invalid, "
    ".localhost) that cannot receive mail"
)
REASON_DOTS = "has a dot at the start or end of a part, or two dots in a row"
REASON_SYNTAX = "is not a deliverable address (invalid characters or lengths)"


def email_problem(address: str) -> str | None:
    """Why ``address`` cannot receive mail, or ``None`` when it looks deliverable.

    The API stores any string as the ``email`` trait; this is the reason for a warning,
    never for refusing the message. The reason never quotes the address.

    Parameters
    ----------
    address : str
        The address to check (syntax only, no DNS look-up).

    Returns
    -------
    str or None
        A short reason such as ``"has no @"``.

    Example
    -------
    >>> email_problem("ada@example.com") is None, email_problem("ada.example.com")
    (True, 'has no @')
    """
    if is_valid_email(address):
        return None
    if not _WHITESPACE.isdisjoint(address):
        return REASON_WHITESPACE
    ats = address.count(_AT)
    if ats == 0:
        return REASON_NO_AT
    local, _, domain = address.rpartition(_AT)
    if ats > 1 and not local.startswith('"'):
        return REASON_MANY_AT
    if not local:
        return REASON_NO_LOCAL
    if not domain:
        return REASON_NO_DOMAIN
    if local.startswith(".") or local.endswith(".") or ".." in address:
        return REASON_DOTS
    lowered = domain.lower().rstrip(_LABEL_SEPARATOR)
    if any(lowered == name or lowered.endswith("." + name) for name in _SPECIAL_USE):
        return REASON_SPECIAL_USE
    if _LABEL_SEPARATOR not in lowered:
        return REASON_NO_DOT
    return REASON_SYNTAX
