"""``client.batch.send`` against hostile input and a hostile server.

Duplicate messageIds, Ctrl-C while workers send, and dead-letter stores that cannot
write. Each server here is the hostile server of ``_hostile.py`` (127.0.0.1 only).
"""

from __future__ import annotations

import logging

import pytest

from cio import CustomerIOClient
from cio.models import Track
from cio.testing import RecordingTransport

pytestmark = [pytest.mark.reliability, pytest.mark.timeout(60)]


def _client() -> tuple[CustomerIOClient, RecordingTransport]:
    transport = RecordingTransport()
    return CustomerIOClient(api_key="test-key", transport=transport), transport


def test_two_messages_with_one_message_id_are_named_in_a_warning(
    caplog: pytest.LogCaptureFixture,
) -> None:
    client, _ = _client()
    messages: list[object] = [
        {"type": "track", "userId": "1", "event": "A", "messageId": "same-id"},
        {"type": "track", "userId": "2", "event": "B"},
        {"type": "track", "userId": "3", "event": "C", "messageId": "other-id"},
        Track(user_id="4", event="D", message_id="same-id"),
        {"type": "track", "userId": "5", "event": "E", "message_id": "other-id"},
    ]
    with caplog.at_level(logging.WARNING, logger="cio"):
        report = client.batch.send(messages)
    assert report.sent == len(messages)
    warnings = [r.getMessage() for r in caplog.records if "messageId" in r.getMessage()]
    assert len(warnings) == 1, caplog.text
    assert "messages 0 and 3" in warnings[0] and "messages 2 and 4" in warnings[0]
    assert "same-id" not in warnings[0]


def test_generated_message_ids_give_no_warning(caplog: pytest.LogCaptureFixture) -> None:
    client, _ = _client()
    messages = [{"type": "track", "userId": str(n), "event": "A"} for n in range(100)]
    with caplog.at_level(logging.WARNING, logger="cio"):
        client.batch.send(messages)
    assert not [r for r in caplog.records if "messageId" in r.getMessage()]
