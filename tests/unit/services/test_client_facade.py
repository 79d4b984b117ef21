"""The client facade: send(), the identify/track/delete shortcuts, errors and closing."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

import cio
from cio import (
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    CustomerIOClient,
    PayloadTooLargeError,
    RateLimitError,
    ServerError,
    ValidationError,
)
from cio._constants import MAX_MESSAGE_BYTES
from cio.models import Alias, Group, Identify, Message, Page, Screen, Track, semantic_event
from cio.testing import RecordingTransport
from tests.unit.services.openapi import OpenAPISchemas

MESSAGES: list[tuple[Message, str]] = [
    (Identify(user_id="1", traits={"plan": "pro"}), "/identify"),
    (Track(user_id="1", event="Signed Up"), "/track"),
    (Page(user_id="1", name="Home"), "/page"),
    (Screen(anonymous_id="a", name="Home"), "/screen"),
    (Group(group_id="acme", user_id="1"), "/group"),
    (Alias(user_id="1", previous_id="0"), "/alias"),
    (semantic_event("User Deleted", user_id="1"), "/track"),
]


class TestSend:
    @pytest.mark.parametrize(("message", "path"), MESSAGES, ids=[m.type for m, _ in MESSAGES])
    def test_each_model_goes_to_its_path(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        message: Message,
        path: str,
    ) -> None:
        result = client.send(message)
        [request] = transport.requests
        assert request.path == path
        assert request.body == message.to_json()
        openapi.check_path(path, request.json)
        assert result == cio.SendResult(
            message_ids=(message.message_id,), status_code=200, path=path, attempts=1
        )

    def test_wire_dict_is_validated_first(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        client.send({"type": "identify", "userId": "42", "messageId": "m-1"})
        assert transport.requests[0].path == "/identify"
        assert transport.requests[0].json == {
            "type": "identify",
            "messageId": "m-1",
            "userId": "42",
        }

    @pytest.mark.parametrize(
        "bad",
        [
            {"type": "identify"},
            {"type": "unknown", "userId": "1"},
            {"type": "track", "userId": "1", "event": "x", "timestamp": "typo"},
            "identify",
            42,
            None,
        ],
    )
    def test_bad_input_is_refused_before_sending(
        self, client: CustomerIOClient, transport: RecordingTransport, bad: Any
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.send(bad)
        assert "typo" not in str(info.value)
        assert transport.requests == []

    def test_oversized_message_is_refused_before_sending(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        big = Track(user_id="1", event="Big", properties={"blob": "x" * MAX_MESSAGE_BYTES})
        with pytest.raises(PayloadTooLargeError) as info:
            client.send(big)
        assert info.value.limit == MAX_MESSAGE_BYTES
        with pytest.raises(PayloadTooLargeError):
            client.events.track("1", "Big", {"blob": "x" * MAX_MESSAGE_BYTES})
        assert transport.requests == []


class TestShortcuts:
    def test_identify(self, client: CustomerIOClient, transport: RecordingTransport) -> None:
        client.identify("42", {"plan": "pro"}, message_id="m-1")
        assert transport.requests[0].path == "/identify"
        assert transport.requests[0].json == {
            "type": "identify",
            "messageId": "m-1",
            "userId": "42",
            "traits": {"plan": "pro"},
        }

    def test_track(self, client: CustomerIOClient, transport: RecordingTransport) -> None:
        client.track("42", "Signed Up", {"plan": "pro"}, message_id="m-2")
        assert transport.requests[0].json == {
            "type": "track",
            "messageId": "m-2",
            "userId": "42",
            "event": "Signed Up",
            "properties": {"plan": "pro"},
        }

    def test_delete(self, client: CustomerIOClient, transport: RecordingTransport) -> None:
        client.delete("42")
        body = transport.requests[0].json
        assert (transport.requests[0].path, body["event"], body["userId"]) == (
            "/track",
            "User Deleted",
            "42",
        )

    def test_bad_arguments(self, client: CustomerIOClient, transport: RecordingTransport) -> None:
        with pytest.raises(ValidationError):
            client.identify(traits={"plan": "pro"})
        with pytest.raises(ValidationError):
            client.track("42")
        with pytest.raises(ValidationError):
            client.delete(None)  # type: ignore[arg-type]
        with pytest.raises(TypeError):
            client.track("42", "x", unknown_keyword=1)
        assert transport.requests == []

    def test_services_are_attributes(self, client: CustomerIOClient) -> None:
        assert isinstance(client.people, cio.services.PeopleService)
        assert isinstance(client.events, cio.services.EventsService)
        assert isinstance(client.objects, cio.services.ObjectsService)
        assert isinstance(client.devices, cio.services.DevicesService)


CALLS: list[tuple[str, Callable[[CustomerIOClient], object]]] = [
    ("send", lambda c: c.send(Track(user_id="1", event="x"))),
    ("identify", lambda c: c.people.identify("1")),
    ("delete", lambda c: c.people.delete("1")),
    ("merge", lambda c: c.people.merge("1", "2")),
    ("track", lambda c: c.events.track("1", "x")),
    ("page", lambda c: c.events.page("1")),
    ("ecommerce", lambda c: c.events.ecommerce("Order Completed", "1")),
    ("object", lambda c: c.objects.create("acme")),
    ("relationship", lambda c: c.objects.delete_relationship("1", "acme")),
    ("device", lambda c: c.devices.add("1", "tok")),
]


@pytest.mark.parametrize(("name", "call"), CALLS, ids=[name for name, _ in CALLS])
class TestErrors:
    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (400, BadRequestError),
            (401, AuthenticationError),
            (429, RateLimitError),
            (503, ServerError),
        ],
    )
    def test_api_errors_propagate_as_mapped_errors(
        self,
        *,
        name: str,
        call: Callable[[CustomerIOClient], object],
        status: int,
        error: type[Exception],
    ) -> None:
        transport = RecordingTransport(statuses=[status])
        client = CustomerIOClient(api_key="test-key", transport=transport)
        with pytest.raises(error) as info:
            call(client)
        assert getattr(info.value, "status_code", None) == status
        assert len(transport.requests) == 1

    def test_closed_client_refuses(
        self, name: str, call: Callable[[CustomerIOClient], object]
    ) -> None:
        transport = RecordingTransport()
        client = CustomerIOClient(api_key="test-key", transport=transport)
        client.close()
        with pytest.raises(ClientClosedError):
            call(client)
        assert transport.requests == []
