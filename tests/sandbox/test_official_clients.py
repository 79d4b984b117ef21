"""Customer.io's and Segment's own Python libraries, driven into the sandbox.

Every call type and every semantic event (with every property its model documents,
which follow Customer.io's docs and the Segment spec) goes through
``customerio-cdp-analytics`` and ``segment-analytics-python``, in sync and background
mode, against a permissive and a strict sandbox. Everything must be accepted, and what
the sandbox recorded must equal what the library sent (captured on the wire).

Nothing reaches the internet: each library's host is the sandbox, its HTTP session is
replaced by one that records each request and refuses any other address, and OAuth (the
only other network feature, in Segment's library) is left unconfigured.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pytest
import requests

from cio.models import SEMANTIC_EVENTS
from cio.sandbox import Sandbox

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(120)]

LIBRARIES = ("customerio.analytics", "segment.analytics")
KEY = "sandbox-official-clients"
WHEN = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
SAMPLE_TEXT = "sample"
SAMPLE_INTEGER = 2
SAMPLE_NUMBER = 1.5
SAMPLE_DATE_TIME = "2024-06-01T12:00:00Z"
SAMPLE_DATE = "1991-08-13"


class _RecordingSession(requests.Session):
    """A session that keeps every request body and only talks to the sandbox."""

    def __init__(self, allowed_prefix: str) -> None:
        super().__init__()
        self.allowed_prefix = allowed_prefix
        self.bodies: list[dict[str, Any]] = []

    def post(self, url: Any, data: Any = None, json: Any = None, **kwargs: Any) -> Any:  # type: ignore[override]
        if not str(url).startswith(self.allowed_prefix):
            raise AssertionError("an official library tried to reach another host")
        self.bodies.append(_loads(data))
        return super().post(url, data=data, json=json, **kwargs)


def _loads(data: Any) -> dict[str, Any]:
    return json.loads(data.decode() if isinstance(data, bytes) else data)  # type: ignore[no-any-return]


# Example values from a JSON schema -------------------------------------------------------


def _example(schema: dict[str, Any], defs: dict[str, Any], *, everything: bool) -> Any:
    if "$ref" in schema:
        return _example(defs[schema["$ref"].rsplit("/", 1)[-1]], defs, everything=everything)
    for key in ("const",):
        if key in schema:
            return schema[key]
    if "enum" in schema:
        return schema["enum"][0]
    if "anyOf" in schema:
        choices = [choice for choice in schema["anyOf"] if choice.get("type") != "null"]
        return _example(choices[0], defs, everything=everything) if choices else None
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        wanted = schema.get("properties", {})
        required = set(schema.get("required", ()))
        return {
            key: _example(value, defs, everything=everything)
            for key, value in wanted.items()
            if everything or key in required
        }
    if kind == "array":
        return [_example(schema.get("items", {}), defs, everything=everything)]
    if kind == "string":
        return {"date-time": SAMPLE_DATE_TIME, "date": SAMPLE_DATE}.get(
            schema.get("format", ""), SAMPLE_TEXT
        )
    return {"integer": SAMPLE_INTEGER, "number": SAMPLE_NUMBER, "boolean": True}.get(
        str(kind), SAMPLE_TEXT
    )


def _semantic_calls() -> list[tuple[str, dict[str, Any]]]:
    """``("track", kwargs)`` for every semantic event, with every documented property."""
    calls = []
    for index, (name, model) in enumerate(sorted(SEMANTIC_EVENTS.items())):
        schema = model.model_json_schema()
        defs = schema.get("$defs", {})
        fields = schema["properties"]
        properties = _example(fields["properties"], defs, everything=True) or {}
        kwargs: dict[str, Any] = {
            "user_id": f"person-{index}",
            "event": name,
            "properties": properties,
            "timestamp": WHEN,
        }
        required = schema.get("required", ())
        if "context" in required:
            kwargs["context"] = _example(fields["context"], defs, everything=False)
        if model.model_fields["anonymous_id"].default is not None:
            # Object deletion: the API requires an anonymousId (the model has a default).
            kwargs["anonymous_id"] = f"anonymous-{index}"
        calls.append(("track", kwargs))
    return calls


PLAIN_CALLS: list[tuple[str, dict[str, Any]]] = [
    ("identify", {"user_id": "u1", "traits": {"email": "ada@example.com", "plan": "pro"}}),
    ("identify", {"anonymous_id": "anon-1", "traits": {"visits": 3, "cleared": None}}),
    ("track", {"user_id": "u1", "event": "Signed Up", "properties": {"plan": "pro"}}),
    ("track", {"anonymous_id": "anon-1", "event": "Viewed", "timestamp": WHEN}),
    ("page", {"user_id": "u1", "category": "Docs", "name": "Home", "properties": {"a": 1}}),
    ("screen", {"anonymous_id": "anon-1", "name": "Settings", "properties": {"tab": "x"}}),
    ("group", {"user_id": "u1", "group_id": "acme", "traits": {"name": "Acme"}}),
    ("group", {"user_id": "u1", "group_id": "acme", "traits": {"object_type_id": "2"}}),
    ("alias", {"user_id": "u1", "previous_id": "anon-1"}),
    (
        "track",
        {
            "user_id": "u1",
            "event": "Configured",
            "integrations": {"All": True, "Salesforce": False},
            "context": {"ip": "203.0.113.7", "locale": "en-US"},
        },
    ),
]
CALLS = PLAIN_CALLS + _semantic_calls()


@pytest.fixture(params=[False, True], ids=["permissive", "strict"])
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    with Sandbox(api_key=KEY, strict=request.param) as running:
        yield running


@pytest.mark.parametrize("sync_mode", [True, False], ids=["sync", "background"])
@pytest.mark.parametrize("library", LIBRARIES)
def test_every_call_is_accepted_and_recorded_as_sent(
    sandbox: Sandbox, library: str, sync_mode: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = sandbox.url.removesuffix("/v1")
    session = _RecordingSession(root + "/")
    monkeypatch.setattr(importlib.import_module(library + ".request"), "_session", session)
    errors: list[Exception] = []
    client = importlib.import_module(library).Client(
        KEY,
        host=root,
        sync_mode=sync_mode,
        max_retries=0,
        upload_interval=0.05,
        on_error=lambda error, _batch: errors.append(error),
    )
    try:
        for method, kwargs in CALLS:
            getattr(client, method)(**kwargs)
        client.flush()
    finally:
        if client.consumers:  # customerio's shutdown() fails in sync mode (no consumers)
            client.shutdown()
    assert errors == []
    sent = [message for body in session.bodies for message in body["batch"]]
    assert len(sent) == len(CALLS)
    assert all("sentAt" in body for body in session.bodies)
    assert sandbox.dropped == []
    assert {record.status for record in sandbox.requests} == {200}
    recorded = [
        {key: value for key, value in message.items() if key != "receivedAt"}
        for message in sandbox.messages
    ]
    assert recorded == sent
    assert sandbox.summary().by_event.keys() >= set(SEMANTIC_EVENTS)
