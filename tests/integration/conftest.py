"""Integration tests: the real API when asked for, the sandbox otherwise.

They run against the real Customer.io API only when ``CIO_INTEGRATION=1`` and
``CIO_API_KEY`` are both set (use a test workspace's key, never production's); otherwise
the very same tests run against an in-process sandbox. Each test deletes the people,
objects and devices it created.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from cio import CustomerIOClient
from cio.sandbox import Sandbox

# Read before the autouse fixture strips CIO_* variables from each test's environment.
_REAL_KEY = os.environ.get("CIO_API_KEY")
_REAL_REGION = os.environ.get("CIO_REGION")
_USE_REAL_API = os.environ.get("CIO_INTEGRATION") == "1" and bool(_REAL_KEY)


@dataclass
class Api:
    """A client, the sandbox behind it (None against the real API), and a clean-up list."""

    client: CustomerIOClient
    sandbox: Sandbox | None
    run_id: str = field(default_factory=lambda: uuid.uuid4().hex[:10])
    cleanups: list[Callable[[], Any]] = field(default_factory=list)

    def person(self, label: str) -> str:
        """A unique user id for this run, deleted when the test ends."""
        user_id = f"cio-it-{self.run_id}-{label}"
        self.cleanups.append(lambda: self.client.people.delete(user_id))
        return user_id

    def received(self) -> list[dict[str, Any]]:
        """Messages the sandbox accepted (empty against the real API, which shows nothing)."""
        return self.sandbox.messages if self.sandbox is not None else []


@pytest.fixture
def api() -> Iterator[Api]:
    if _USE_REAL_API:
        client = CustomerIOClient(api_key=_REAL_KEY, region=_REAL_REGION)  # type: ignore[arg-type]
        handle = Api(client=client, sandbox=None)
        try:
            yield handle
        finally:
            for cleanup in reversed(handle.cleanups):
                cleanup()
            client.close()
        return
    with Sandbox() as sandbox, sandbox.client() as client:
        handle = Api(client=client, sandbox=sandbox)
        try:
            yield handle
        finally:
            for cleanup in reversed(handle.cleanups):
                cleanup()
