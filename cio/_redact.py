"""Masking of secrets and personal data in anything that may be logged or shown.

* :func:`mask_emails` masks email addresses of any script (``jörg@bücher.de``,
  ``user@пример.рф``), for payload logs;
* :func:`redact` masks the API key in every encoding the library sends it (raw, the
  base64 token of a Basic header, a Bearer token), any ``Basic``/``Bearer`` credential,
  emails and phone numbers, and caps the length: for text that came from outside, such
  as an API error body;
* :func:`api_error_text` keeps only the structured part of an API error body (the
  documented ``errors`` and ``meta.errors`` shapes), redacted and capped.
"""

from __future__ import annotations

import base64
import json
import re
import threading
from typing import Any, Final
from urllib.parse import quote

__all__ = ["ERROR_BODY_MAX_CHARS", "api_error_text", "mask_emails", "redact", "register_secret"]

ERROR_BODY_MAX_CHARS: Final = 500
"""The most characters of an API error body kept in errors, reports and logs."""

MASK = "***"
_MIN_SECRET_CHARS = 6
_MIN_PHONE_DIGITS = 7
_MAX_PHONE_DIGITS = 15
_MAX_ERROR_ITEMS = 20
_FIELD_MAX_CHARS = 200
_MIN_ECHO_CHARS = 4
_MAX_SENT_VALUES = 100_000
# Envelope keys whose values are not personal data (and appear in useful error texts).
_NOT_PERSONAL = frozenset({"type", "messageId", "event", "timestamp", "sentAt", "objectTypeId"})

# Local part and domain in any script: \w is Unicode-aware for str patterns.
_EMAIL = re.compile(r"(?<![\w.%+-])([\w%+-])[\w.%+-]*@((?:[\w-]+\.)+[\w-]{2,})")
_CREDENTIAL = re.compile(r"\b(Basic|Bearer)(\s+|%20)[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
_PHONE = re.compile(r"(?<![\w.+-])\+?\(?\d[\d ().\-/]{5,}\d(?![\w])")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DECIMAL = re.compile(r"\d+\.\d+")

_secrets: set[str] = set()
_secret_pattern: re.Pattern[str] | None = None
_secrets_lock = threading.Lock()


def register_secret(authorization: str) -> None:
    """Remember an ``Authorization`` header value so :func:`redact` masks the key in it.

    The header value, its token, the key itself and the key's base64 forms (with and
    without the trailing colon of a Basic token) are all masked from then on.

    Parameters
    ----------
    authorization : str
        ``"Basic <base64 of key:>"`` or ``"Bearer <key>"``.
    """
    global _secret_pattern  # noqa: PLW0603 - one process-wide table, rebuilt rarely
    scheme, _, token = authorization.partition(" ")
    key = token
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(token, validate=True).decode("utf-8")
        except ValueError:
            decoded = ""
        key = decoded[:-1] if decoded.endswith(":") else decoded.partition(":")[0]
    forms = {authorization, token}
    if key:
        for raw in (key, f"{key}:"):
            encoded = raw.encode("utf-8")
            forms.update(
                {
                    raw,
                    quote(raw, safe=""),
                    base64.b64encode(encoded).decode("ascii"),
                    base64.b64encode(encoded).decode("ascii").rstrip("="),
                    base64.urlsafe_b64encode(encoded).decode("ascii").rstrip("="),
                }
            )
    with _secrets_lock:
        before = len(_secrets)
        _secrets.update(form for form in forms if len(form) >= _MIN_SECRET_CHARS)
        if len(_secrets) != before:
            ordered = sorted(_secrets, key=len, reverse=True)
            _secret_pattern = re.compile("|".join(re.escape(form) for form in ordered))


def mask_emails(text: str) -> str:
    """Replace the local part of every email address in ``text`` with ``***``.

    Parameters
    ----------
    text : str
        Any text, for example a JSON request body.

    Returns
    -------
    str
        The text with ``jane@example.com`` shown as ``j***@example.com``; addresses in
        any script are masked alike.

    Example
    -------
    >>> mask_emails('{"email":"jane@example.com","other":"jörg.müller@bücher.de"}')
    '{"email":"j***@example.com","other":"j***@bücher.de"}'
    """
    return _EMAIL.sub(r"\1***@\2", text)


def _mask_phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(character.isdigit() for character in text)
    if not _MIN_PHONE_DIGITS <= digits <= _MAX_PHONE_DIGITS:
        return text
    if _DATE.match(text) or _DECIMAL.fullmatch(text):
        return text
    return MASK


def redact(text: str, limit: int | None = ERROR_BODY_MAX_CHARS) -> str:
    """Mask the API key, credentials, emails and phone numbers in ``text``; cap it.

    Parameters
    ----------
    text : str
        Text from outside the library (an error body, a reason).
    limit : int, optional
        Longest result in characters (``None``: no cap).

    Returns
    -------
    str

    Example
    -------
    >>> redact("call +49 30 1234567 or mail jörg@bücher.de; Authorization: Basic ZG9jOg==")
    'call *** or mail j***@bücher.de; Authorization: Basic ***'
    """
    text = _CREDENTIAL.sub(lambda match: f"{match.group(1)} {MASK}", text)
    pattern = _secret_pattern
    if pattern is not None:
        text = pattern.sub(MASK, text)
    text = _EMAIL.sub(r"\1***@\2", text)
    text = _PHONE.sub(_mask_phone, text)
    if limit is not None and len(text) > limit:
        text = text[: max(limit - 3, 0)] + "..."
    return text


def _strings(value: Any) -> str | None:
    if isinstance(value, str):
        return value[:_FIELD_MAX_CHARS]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return None


def _describe(item: Any) -> str | None:
    if isinstance(item, str):
        return item[:_FIELD_MAX_CHARS]
    if not isinstance(item, dict):
        return None
    parts = [
        text
        for text in (_strings(item.get(name)) for name in ("field", "reason", "message"))
        if text
    ]
    index = item.get("index")
    if isinstance(index, int) and not isinstance(index, bool):
        parts.insert(0, f"message {index}")
    return ": ".join(parts) or None


def _sent_values(sent: bytes, found: set[str]) -> None:
    """Collect the string values of a request body (the payload an error may echo)."""
    try:
        stack: list[Any] = [json.loads(sent)]
    except (ValueError, RecursionError):
        return
    while stack and len(found) < _MAX_SENT_VALUES:
        value = stack.pop()
        if isinstance(value, dict):
            stack.extend(item for key, item in value.items() if key not in _NOT_PERSONAL)
        elif isinstance(value, list):
            stack.extend(value)
        elif isinstance(value, str) and len(value) >= _MIN_ECHO_CHARS:
            found.add(value)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            text = str(value)
            if len(text) >= _MIN_PHONE_DIGITS:
                found.add(text)


def _mask_values(text: str, sent: bytes) -> str:
    values: set[str] = set()
    _sent_values(sent, values)
    for value in sorted(values, key=len, reverse=True):
        if value in text:
            text = text.replace(value, MASK)
    return text


def api_error_text(body: str | bytes, sent: bytes = b"") -> str:
    """The structured error of an API error body, redacted and capped; else ``""``.

    Only the documented shapes are kept: ``{"errors": [{"field", "reason", "message"}]}``
    and ``{"meta": {"errors": ["..."]}}`` (and a top-level ``"error"`` string). Anything
    else, such as a body that echoes the payload or the request headers, is dropped.

    Parameters
    ----------
    body : str or bytes
        The response body.
    sent : bytes, optional
        The request body: any of its values quoted by the error is masked too.

    Returns
    -------
    str

    Example
    -------
    >>> api_error_text('{"errors":[{"field":"email","reason":"invalid","message":"a@b.io"}]}')
    'email: invalid: a***@b.io'
    >>> api_error_text("<html>echo of jane@example.com</html>")
    ''
    """
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):
        return ""
    if not isinstance(data, dict):
        return ""
    found: list[str] = []
    error = data.get("error")
    if isinstance(error, str):
        found.append(error[:_FIELD_MAX_CHARS])
    meta = data.get("meta")
    items: list[Any] = []
    if isinstance(meta, dict) and isinstance(meta.get("errors"), list):
        items.extend(meta["errors"])
    if isinstance(data.get("errors"), list):
        items.extend(data["errors"])
    for item in items[:_MAX_ERROR_ITEMS]:
        text = _describe(item)
        if text:
            found.append(text)
    if len(items) > _MAX_ERROR_ITEMS:
        found.append(f"... and {len(items) - _MAX_ERROR_ITEMS} more")
    text = "; ".join(found)
    if sent:
        text = _mask_values(text, sent)
    return redact(text)
