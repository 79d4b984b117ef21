"""client.objects: create, update, delete, create_relationship, delete_relationship."""

from __future__ import annotations

import uuid
from datetime import datetime, timezone
from typing import Any

import pytest

from cio import CustomerIOClient, ValidationError
from cio._constants import OBJECT_DELETION_ANONYMOUS_ID
from cio.models import Group, Track
from cio.testing import RecordingTransport
from tests.unit.services.openapi import OpenAPISchemas

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def only_message(transport: RecordingTransport) -> dict[str, Any]:
    assert len(transport.requests) == 1
    return transport.requests[0].json  # type: ignore[no-any-return]


@pytest.mark.parametrize("method", ["create", "update"])
class TestUpsert:
    def test_object_only(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        method: str,
    ) -> None:
        result = getattr(client.objects, method)(
            "acme", "2", {"name": "Acme", "seats": 40}, timestamp=WHEN, message_id="m-1"
        )
        assert transport.requests[0].path == "/group"
        body = only_message(transport)
        assert body["type"] == "group"
        assert body["groupId"] == "acme"
        assert body["traits"] == {"name": "Acme", "seats": 40, "objectTypeId": "2"}
        assert "userId" not in body
        uuid.UUID(body["anonymousId"])  # a fresh random id, not a fixed one
        assert body["timestamp"] == "2024-05-01T12:00:00Z"
        openapi.check_path("/group", body)
        assert (result.path, result.message_ids) == ("/group", ("m-1",))

    def test_fresh_anonymous_id_per_call_unless_given(
        self, client: CustomerIOClient, transport: RecordingTransport, method: str
    ) -> None:
        getattr(client.objects, method)("acme")
        getattr(client.objects, method)("acme")
        getattr(client.objects, method)("acme", anonymous_id="mine")
        ids = [request.json["anonymousId"] for request in transport.requests]
        assert ids[0] != ids[1]
        assert ids[2] == "mine"

    def test_defaults_and_integer_type(
        self, client: CustomerIOClient, transport: RecordingTransport, method: str
    ) -> None:
        getattr(client.objects, method)("acme")
        getattr(client.objects, method)("acme", 3)
        first, second = (request.json for request in transport.requests)
        assert first["traits"] == {"objectTypeId": "1"}
        assert second["traits"] == {"objectTypeId": "3"}

    def test_with_user_relates_the_person(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        method: str,
    ) -> None:
        getattr(client.objects, method)("acme", attributes={"plan": "pro"}, user_id="42")
        body = only_message(transport)
        assert body["userId"] == "42"
        assert "anonymousId" not in body
        openapi.check_path("/group", body)

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport, method: str
    ) -> None:
        message = Group(group_id="acme", user_id="42", message_id="ready")
        assert getattr(client.objects, method)(message).message_ids == ("ready",)
        assert transport.requests[0].body == message.to_json()
        with pytest.raises(TypeError):
            getattr(client.objects, method)(message, attributes={"a": 1})
        with pytest.raises(ValidationError):
            getattr(client.objects, method)(Track(user_id="42", event="x"))
        assert len(transport.requests) == 1

    @pytest.mark.parametrize(
        ("args", "kwargs", "loc"),
        [
            ((None,), {}, ("group_id",)),
            (("",), {}, ("group_id",)),
            (("acme", "zero"), {}, ("traits", "objectTypeId")),
            (("acme", 0), {}, ("traits", "objectTypeId")),
            (("acme", True), {}, ("traits", "objectTypeId")),
            (("acme", "1", "not a dict"), {}, ("traits",)),
            (("acme", "1", {"objectTypeId": "2"}), {}, ("traits", "objectTypeId")),
            (
                ("acme", "1", {"relationshipAttributes": {}}),
                {},
                ("traits", "relationshipAttributes"),
            ),
            (("acme", "1", {"email": 42}), {}, ("traits", "email")),
            (("acme",), {"user_id": ["42"]}, ("user_id",)),
        ],
    )
    def test_bad_arguments(
        self,
        *,
        client: CustomerIOClient,
        transport: RecordingTransport,
        method: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        loc: tuple[str, ...],
    ) -> None:
        with pytest.raises(ValidationError) as info:
            getattr(client.objects, method)(*args, **kwargs)
        assert info.value.errors[0].loc == loc
        assert transport.requests == []


class TestDelete:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        result = client.objects.delete("acme", "2", message_id="m-2")
        assert transport.requests[0].path == "/track"
        body = only_message(transport)
        assert body["event"] == "Object Deleted"
        assert body["anonymousId"] == OBJECT_DELETION_ANONYMOUS_ID
        assert "userId" not in body
        assert body["properties"] == {"objectId": "acme", "objectTypeId": 2}
        openapi.check_path("/track", body)
        openapi.check_component("group_deleted", body)
        assert result.message_ids == ("m-2",)

    def test_default_type_and_own_anonymous_id(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.objects.delete("acme", anonymous_id="mine")
        body = only_message(transport)
        assert body["anonymousId"] == "mine"
        assert body["properties"] == {"objectId": "acme", "objectTypeId": 1}
        openapi.check_component("group_deleted", body)

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        message = Track(anonymous_id="x", event="Object Deleted", properties={"objectId": "acme"})
        client.objects.delete(message)
        assert only_message(transport)["properties"]["objectId"] == "acme"
        with pytest.raises(ValidationError):
            client.objects.delete(Track(user_id="42", event="Signed Up"))

    @pytest.mark.parametrize(
        ("args", "loc"),
        [
            ((None,), ("properties", "objectId")),
            (("",), ("properties", "objectId")),
            (("acme", "-1"), ("properties", "objectTypeId")),
            (("acme", 1.5), ("properties", "objectTypeId")),
        ],
    )
    def test_bad_arguments(
        self,
        *,
        client: CustomerIOClient,
        transport: RecordingTransport,
        args: tuple[Any, ...],
        loc: tuple[str, ...],
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.objects.delete(*args)
        assert info.value.errors[0].loc == loc
        assert transport.requests == []


class TestRelationships:
    def test_create_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        result = client.objects.create_relationship(
            "42", "acme", "2", {"role": "admin"}, message_id="m-3"
        )
        assert transport.requests[0].path == "/group"
        body = only_message(transport)
        assert body["userId"] == "42"
        assert body["groupId"] == "acme"
        assert body["traits"] == {
            "objectTypeId": "2",
            "relationshipAttributes": {"role": "admin"},
        }
        openapi.check_path("/group", body)
        assert result.path == "/group"

    def test_create_without_attributes(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        client.objects.create_relationship("42", "acme")
        assert only_message(transport)["traits"] == {"objectTypeId": "1"}

    def test_create_ready_model_needs_a_person(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.objects.create_relationship(Group(group_id="acme", anonymous_id="a"))
        assert info.value.errors[0].loc == ("user_id",)
        client.objects.create_relationship(Group(group_id="acme", user_id="42"))
        assert only_message(transport)["userId"] == "42"

    def test_delete_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.objects.delete_relationship("42", "acme", 2, timestamp=WHEN)
        assert transport.requests[0].path == "/track"
        body = only_message(transport)
        assert body["event"] == "Relationship Deleted"
        assert body["userId"] == "42"
        assert body["properties"] == {"objectId": "acme", "objectTypeId": 2}
        openapi.check_path("/track", body)
        openapi.check_component("relationship_deleted", body)

    def test_delete_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        message = Track(user_id="42", event="Relationship Deleted", properties={"objectId": "acme"})
        client.objects.delete_relationship(message)
        assert only_message(transport)["event"] == "Relationship Deleted"
        with pytest.raises(ValidationError):
            client.objects.delete_relationship(Track(user_id="42", event="User Deleted"))

    @pytest.mark.parametrize("name", ["create_relationship", "delete_relationship"])
    @pytest.mark.parametrize(
        ("args", "kwargs", "loc"),
        [
            ((None, "acme"), {}, ("user_id",)),
            (("", "acme"), {}, ("user_id",)),
            (("42", None), {}, "object"),
            (("42", "acme", "x"), {}, "type"),
            (("42", "acme"), {"timestamp": "not a time"}, ("timestamp",)),
        ],
    )
    def test_bad_arguments(
        self,
        *,
        client: CustomerIOClient,
        transport: RecordingTransport,
        name: str,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        loc: tuple[str, ...] | str,
    ) -> None:
        # Object ids land in traits for a group call and in properties for the event.
        where = "traits" if name == "create_relationship" else "properties"
        expected = {
            "object": ("group_id",) if name == "create_relationship" else (where, "objectId"),
            "type": (where, "objectTypeId"),
        }
        with pytest.raises(ValidationError) as info:
            getattr(client.objects, name)(*args, **kwargs)
        assert info.value.errors[0].loc == (expected[loc] if isinstance(loc, str) else loc)
        assert transport.requests == []
