"""Shared fixtures: no test sees the developer's CIO_* settings or .env file."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _isolated_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Strip CIO_* variables and run from an empty directory so no .env is read."""
    for name in list(os.environ):
        if name.startswith("CIO_") and name not in {"CIO_OPENAPI_SPEC", "CIO_INTEGRATION"}:
            monkeypatch.delenv(name, raising=False)
    # A buffered sender writes undelivered messages to a default file: keep it here.
    monkeypatch.setenv("CIO_DEAD_LETTER_DIR", str(tmp_path / "dead-letters"))
    monkeypatch.chdir(tmp_path)
    yield
