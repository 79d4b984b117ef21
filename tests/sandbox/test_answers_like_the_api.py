"""The sandbox accepts every envelope and message the API accepts, and answers like it.

The official libraries' batch envelope (``sentAt``, ``writeKey``), browser-SDK message
fields and the OpenAPI examples' fields are accepted in both modes; what is accepted but
probably a mistake is recorded as a warning; strict mode answers 400 with the documented
error body (plus the ``code`` and ``message`` the official Python libraries read).
"""

from __future__ import annotations

from typing import Any

import pytest

from cio.sandbox import Sandbox
from tests.sandbox.conftest import Raw

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(30)]

SENT_AT = "2026-11-30T09:00:00.123456+00:00"
BROWSER_PAGE: dict[str, Any] = {
    "type": "page",
    "anonymousId": "507f191e810c19729de860ea",
    "channel": "browser",
    "writeKey": "browser-write-key",
    "_metadata": {"bundled": ["Customer.io Data Pipelines"], "unbundled": []},
    "context": {"ip": "203.0.113.7", "device": {"type": "web"}},
    "integrations": {"All": True, "Mixpanel": False},
    "messageId": "ajs-1",
    "name": "Home",
    "properties": {"title": "Welcome", "url": "https://www.example.com"},
    "receivedAt": "2015-02-23T22:28:55.387Z",
    "sentAt": "2015-02-23T22:28:55.111Z",
    "timestamp": "2015-02-23T22:28:55.111Z",
    "version": 1.1,
}
UNDELIVERABLE = "qa+signup@shop.test"


def _recorded(sandbox: Sandbox) -> list[dict[str, Any]]:
    return [
        {key: value for key, value in message.items() if key != "receivedAt"}
        for message in sandbox.messages
    ]


@pytest.mark.parametrize("strict", [False, True])
def test_the_official_libraries_batch_envelope_is_accepted(
    raw: Raw, sandbox: Sandbox, strict: bool
) -> None:
    message = {"type": "track", "userId": "u1", "event": "Signed Up", "messageId": "m1"}
    body = {"batch": [message], "sentAt": SENT_AT, "writeKey": "segment-style-key"}
    response = raw.post("/batch", body, strict=strict)
    assert response.status_code == 200
    assert _recorded(sandbox) == [message]
    assert sandbox.warnings == []


@pytest.mark.parametrize("strict", [False, True])
def test_browser_sdk_and_example_fields_are_accepted_as_sent(
    raw: Raw, sandbox: Sandbox, strict: bool
) -> None:
    response = raw.post("/page", BROWSER_PAGE, strict=strict)
    assert response.status_code == 200
    (recorded,) = sandbox.messages
    assert {key: value for key, value in recorded.items() if key != "receivedAt"} == {
        key: value for key, value in BROWSER_PAGE.items() if key != "receivedAt"
    }
    assert sandbox.warnings == []


@pytest.mark.parametrize("strict", [False, True])
def test_accepted_but_probably_wrong_is_recorded_as_a_warning(
    raw: Raw, sandbox: Sandbox, strict: bool
) -> None:
    identify = {"type": "identify", "userId": "u1", "traits": {"email": UNDELIVERABLE}}
    body = {"batch": [identify, {**identify, "userID": "typo"}], "sendAt": SENT_AT}
    assert raw.post("/batch", body, strict=strict).status_code == 200
    assert len(sandbox.messages) == 2
    found = {
        (item.index, detail.field, detail.type)
        for item in sandbox.warnings
        for detail in item.warnings
    }
    assert found == {
        (None, "sendAt", "unknown_field"),
        (0, "batch.0.traits.email", "email_undeliverable"),
        (1, "batch.1.traits.email", "email_undeliverable"),
        (1, "batch.1.userID", "unknown_field"),
    }
    assert all(UNDELIVERABLE not in item.reason for item in sandbox.warnings)
    assert sandbox.summary().warned == 3
    frame = sandbox.to_dataframe("warnings")
    assert set(frame["field"]) == {field for _, field, _ in found}


def test_strict_mode_answers_the_documented_error_body(raw: Raw, sandbox: Sandbox) -> None:
    body = {"batch": [{"type": "track", "userId": "u1"}], "sentAt": SENT_AT}
    response = raw.post("/batch", body, strict=True)
    assert response.status_code == 400
    answer = response.json()
    assert answer["meta"]["errors"] == ["batch.0.event: Field required"]
    assert answer["code"] == "invalid_request"
    assert "1 of 1" in answer["message"]
    assert sandbox.messages == []


def test_permissive_mode_answers_200_and_records_what_it_dropped(
    raw: Raw, sandbox: Sandbox
) -> None:
    body = {"batch": [{"type": "track", "userId": "u1"}], "sentAt": SENT_AT}
    assert raw.post("/batch", body).status_code == 200
    (dropped,) = sandbox.dropped
    assert dropped.errors[0].field == "batch.0.event"


def test_a_track_for_a_group_and_unix_timestamps(raw: Raw, sandbox: Sandbox) -> None:
    group_track = {"type": "track", "groupId": "acme", "event": "Plan Changed"}
    assert raw.post("/track", group_track, strict=True).status_code == 200
    unix = {"type": "track", "userId": "u1", "event": "E", "timestamp": 1700000000}
    response = raw.post("/track", unix, strict=True)
    assert response.status_code == 400
    assert response.json()["errors"][0]["type"] == "timestamp_number"


def test_warnings_are_persisted_with_the_records(tmp_path: Any) -> None:
    from cio.sandbox import load_summary

    db = tmp_path / "sandbox.db"
    with Sandbox(db_path=db) as sandbox:
        raw = Raw(sandbox)
        identify = {"type": "identify", "userId": "u1", "traits": {"email": UNDELIVERABLE}}
        assert raw.post("/identify", identify, auth=sandbox.authorization).status_code == 200
        raw.close()
    assert load_summary(db).warned == 1


def _browser_sdk_message(kind: str, **fields: Any) -> dict[str, Any]:
    """A message shaped like those Customer.io's browser SDK (cdp-analytics-js) builds."""
    return {
        "type": kind,
        "messageId": f"ajs-next-{kind}-1",
        "timestamp": "2024-06-01T12:00:00.000Z",
        "sentAt": "2024-06-01T12:00:00.120Z",
        "userId": None,
        "anonymousId": "0f4c7d1e-7a7b-4e59-9d36-3a1f0f3c2b11",
        "integrations": {},
        "writeKey": "browser-write-key",
        "_metadata": {"bundled": ["Customer.io Data Pipelines"], "unbundled": [], "bundledIds": []},
        "context": {
            "userAgent": "Mozilla/5.0",
            "locale": "en-US",
            "library": {"name": "analytics.js", "version": "npm:next-0.0.0"},
            "page": {
                "path": "/",
                "referrer": "",
                "search": "",
                "title": "Home",
                "url": "https://example.com/",
            },
            "campaign": {"source": "newsletter", "name": "spring"},
            "amp": {"id": "amp-123"},
            "referrer": {"id": "ad-1", "type": "dataxu"},
        },
        **fields,
    }


@pytest.mark.parametrize("strict", [False, True])
def test_a_browser_sdk_batch_is_accepted_as_sent(raw: Raw, sandbox: Sandbox, strict: bool) -> None:
    messages = [
        _browser_sdk_message("page", name=None, properties={"path": "/", "title": "Home"}),
        _browser_sdk_message("track", event="Signed Up", properties={"plan": "pro"}),
        _browser_sdk_message("identify", traits={"plan": "pro"}),
    ]
    body = {"batch": messages, "writeKey": "browser-write-key"}
    assert raw.post("/batch", body, strict=strict).status_code == 200
    assert _recorded(sandbox) == messages
    assert sandbox.warnings == []


def test_the_notebook_view_lists_warnings_without_values(raw: Raw, sandbox: Sandbox) -> None:
    identify = {"type": "identify", "userId": "u1", "traits": {"email": UNDELIVERABLE}}
    assert raw.post("/identify", identify).status_code == 200
    page = sandbox._repr_html_()
    assert "Warnings" in page and "traits.email" in page
    assert UNDELIVERABLE not in page
