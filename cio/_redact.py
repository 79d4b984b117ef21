"""Masking of personal data in anything that may be logged or shown."""

from __future__ import annotations

import re

__all__ = ["mask_emails"]

_EMAIL = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9.-]+\.[A-Za-z]{2,})")


def mask_emails(text: str) -> str:
    """Replace the local part of every email address in ``text`` with ``***``.

    Parameters
    ----------
    text : str
        Any text, for example a JSON request body.

    Returns
    -------
    str
        The text with ``jane@example.com`` shown as ``j***@example.com``.

    Example
    -------
    >>> mask_emails('{"email":"jane@example.com"}')
    '{"email":"j***@example.com"}'
    """
    return _EMAIL.sub(r"\1***@\2", text)
