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

from email_validator import SPECIAL_USE_DOMAIN_NAMES, EmailNotValidError, validate_email

__all__ = ["is_valid_email"]

_MAX_ADDRESS_LENGTH = 254
_MAX_LOCAL_LENGTH = 64
_ATEXT = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_ADDRESS = re.compile(
    rf"(?P<local>{_ATEXT}+(?:\.{_ATEXT}+)*)@(?P<domain>(?:{_LABEL}\.)+(?P<tld>[A-Za-z]{{2,63}}))"
)
_SPECIAL_USE = frozenset(name.lower() for name in SPECIAL_USE_DOMAIN_NAMES)
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
