"""Values planted in every reliability scenario so that a leak can be searched for.

The API key and the personal data below are unusual enough that finding one of them in
a log line, an exception message, a report or a file on disk can only mean a leak.
"""

from __future__ import annotations

import base64
from collections.abc import Iterable

API_KEY = "rel-canary-key-5f0c2b9e41d7"
"""A Basic-auth style key (no region prefix)."""

REGIONAL_API_KEY = "sk_us_rel-canary-bearer-93ad1e"
"""A Bearer style key (region prefix)."""

EMAIL = "canary.person.7731@example.org"
TRAIT_VALUE = "CanaryTrait-Zq81Lm"
PROPERTY_VALUE = "CanaryProp-Hx44Rt"

BASIC_TOKEN = base64.b64encode(f"{API_KEY}:".encode()).decode("ascii")
"""The key as it appears inside a Basic Authorization header."""

SECRETS: tuple[str, ...] = (API_KEY, REGIONAL_API_KEY, BASIC_TOKEN)
PERSONAL: tuple[str, ...] = (EMAIL, TRAIT_VALUE, PROPERTY_VALUE)
_EMAIL_LOCAL_PART = EMAIL.split("@", maxsplit=1)[0]


def leaks(text: str, *, allow_personal: bool = False) -> list[str]:
    """Return a description of each canary found in ``text`` (empty when clean)."""
    found = [f"secret {index}" for index, secret in enumerate(SECRETS) if secret in text]
    if not allow_personal:
        found += [f"personal {index}" for index, value in enumerate(PERSONAL) if value in text]
        if _EMAIL_LOCAL_PART in text:
            found.append("email local part")
    return found


def assert_clean(texts: Iterable[tuple[str, str]], *, allow_personal: bool = False) -> None:
    """Fail naming every (source, canary) pair where a canary was found."""
    problems = [
        f"{source}: {what}"
        for source, text in texts
        for what in leaks(text, allow_personal=allow_personal)
    ]
    assert not problems, "leaked: " + "; ".join(problems)
