"""The library's client end to end against the sandbox, with the summary checked exactly."""

from __future__ import annotations

import pytest

from cio.errors import AuthenticationError, BadRequestError
from cio.models import Batch, Identify, Page, Track
from cio.sandbox import Sandbox, SandboxSummary

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(30)]


def test_identify_track_and_batch_with_post(sandbox: Sandbox) -> None:
    identify = Identify(user_id="u1", traits={"email": "ada@example.com"}, message_id="i1")
    track = Track(user_id="u1", event="Signed Up", message_id="t1")
    batch = Batch(
        batch=[
            Track(user_id="u1", event="Item Viewed", message_id="b1"),
            Track(user_id="u2", event="Item Viewed", message_id="b2"),
            Page(user_id="u2", name="Home", message_id="b3"),
        ]
    )
    with sandbox.client() as client:
        assert client.post("/identify", identify.to_json()).status_code == 200
        assert client.post("/track", track.to_json()).status_code == 200
        assert client.post("/batch", batch.to_json()).status_code == 200
    assert sandbox.summary() == SandboxSummary(
        total=5,
        unique_message_ids=5,
        duplicates=0,
        by_type={"identify": 1, "track": 3, "page": 1},
        by_event={"Signed Up": 1, "Item Viewed": 2},
        dropped=0,
        requests=3,
        by_status={200: 3},
        faults_injected=0,
    )
    first = sandbox.messages[0]
    assert first["traits"] == {"email": "ada@example.com"}
    assert {key for key in first} == {"type", "messageId", "userId", "traits", "receivedAt"}


def test_a_resent_message_shows_as_a_duplicate(sandbox: Sandbox) -> None:
    body = Track(user_id="u1", event="Signed Up", message_id="same").to_json()
    with sandbox.client() as client:
        client.post("/track", body)
        client.post("/track", body)
    summary = sandbox.summary()
    assert (summary.total, summary.unique_message_ids, summary.duplicates) == (2, 1, 1)


def test_wrong_key_raises_authentication_error(sandbox: Sandbox) -> None:
    with sandbox.client(api_key="not-the-key") as client, pytest.raises(AuthenticationError):
        client.post("/track", Track(user_id="u1", event="A").to_json())
    assert sandbox.messages == []


def test_regional_key_uses_bearer() -> None:
    with Sandbox(api_key="pk_us_sandbox") as sandbox, sandbox.client() as client:
        assert client.settings.authorization.startswith("Bearer ")
        client.post("/track", Track(user_id="u1", event="A").to_json())
        assert len(sandbox.messages) == 1


def test_strict_client_gets_bad_request(sandbox: Sandbox) -> None:
    body = b'{"type":"track","userId":"u1"}'
    with sandbox.client(strict=True) as client, pytest.raises(BadRequestError) as caught:
        client.post("/track", body)
    assert caught.value.status_code == 400
    assert "event" in caught.value.body
    with sandbox.client() as client:
        assert client.post("/track", body).status_code == 200
    assert len(sandbox.dropped) == 1 and sandbox.messages == []


def test_client_identify_and_track(sandbox: Sandbox) -> None:
    with sandbox.client() as client:
        client.identify("u1", {"plan": "pro"})
        client.track("u1", "Signed Up", {"source": "ads"})
    summary = sandbox.summary()
    assert (summary.total, summary.unique_message_ids) == (2, 2)
    assert summary.by_type == {"identify": 1, "track": 1}
    assert summary.by_event == {"Signed Up": 1}
    assert summary.dropped == 0


def test_client_batch_send(sandbox: Sandbox) -> None:
    messages = [
        Track(user_id=f"u{n}", event="Item Viewed", message_id=f"m{n}") for n in range(250)
    ] + [Identify(user_id="u0", message_id="i0")]
    with sandbox.client() as client:
        report = client.batch.send(messages, workers=2)
    assert (report.sent, report.failed, report.rejected) == (251, 0, 0)
    assert sandbox.summary() == SandboxSummary(
        total=251,
        unique_message_ids=251,
        duplicates=0,
        by_type={"track": 250, "identify": 1},
        by_event={"Item Viewed": 250},
        dropped=0,
        requests=report.requests,
        by_status={200: report.requests},
        faults_injected=0,
    )
    assert all(record.path == "/v1/batch" for record in sandbox.requests)
