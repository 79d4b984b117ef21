"""Fixtures for the sandbox tests: a running sandbox and a raw HTTP helper."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest
import requests

from cio.sandbox import Sandbox

KEY = "sandbox-test-key"


def basic(key: str = KEY) -> str:
    return "Basic " + base64.b64encode(f"{key}:".encode()).decode()


class Raw:
    """Sends hand-made requests to a sandbox over one keep-alive session."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.session = requests.Session()

    def url(self, path: str) -> str:
        return self.sandbox.url + path

    def post(
        self,
        path: str,
        body: bytes | dict[str, Any] | list[Any],
        *,
        auth: str | None = basic(),
        strict: bool = False,
        method: str = "POST",
        timeout: float = 5.0,
    ) -> requests.Response:
        data = body if isinstance(body, bytes) else requests.compat.json.dumps(body).encode()
        headers = {"Content-Type": "application/json"}
        if auth is not None:
            headers["Authorization"] = auth
        if strict:
            headers["X-Strict-Mode"] = "1"
        return self.session.request(
            method, self.url(path), data=data, headers=headers, timeout=timeout
        )

    def close(self) -> None:
        self.session.close()


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(api_key=KEY) as running:
        yield running


@pytest.fixture
def raw(sandbox: Sandbox) -> Iterator[Raw]:
    client = Raw(sandbox)
    yield client
    client.close()
