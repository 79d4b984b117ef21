"""client.devices: add, update, delete."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import pytest

from cio import CustomerIOClient, ValidationError
from cio.models import Context, Track
from cio.testing import RecordingTransport
from tests.unit.services.openapi import OpenAPISchemas

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def only_message(transport: RecordingTransport) -> dict[str, Any]:
    assert len(transport.requests) == 1
    return transport.requests[0].json  # type: ignore[no-any-return]


@pytest.mark.parametrize("method", ["add", "update"])
class TestAddOrUpdate:
    def test_wire_payload(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        method: str,
    ) -> None:
        result = getattr(client.devices, method)(
            "42", "apns-token", "ios", {"app_version": "2.1"}, timestamp=WHEN, message_id="m-1"
        )
        assert transport.requests[0].path == "/track"
        body = only_message(transport)
        assert body["event"] == "Device Created or Updated"
        assert body["userId"] == "42"
        assert body["context"] == {"device": {"token": "apns-token", "type": "ios"}}
        assert body["properties"] == {"app_version": "2.1"}
        assert body["timestamp"] == "2024-05-01T12:00:00Z"
        openapi.check_path("/track", body)
        openapi.check_component("create_update_device", body)
        assert (result.path, result.message_ids) == ("/track", ("m-1",))

    def test_token_only(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        method: str,
    ) -> None:
        getattr(client.devices, method)("42", "fcm-token")
        body = only_message(transport)
        assert body["context"] == {"device": {"token": "fcm-token"}}
        assert "properties" not in body
        openapi.check_component("create_update_device", body)

    def test_context_is_merged(
        self, client: CustomerIOClient, transport: RecordingTransport, method: str
    ) -> None:
        getattr(client.devices, method)(
            "42",
            "tok",
            "android",
            context={"ip": "203.0.113.7", "device": {"model": "Pixel"}},
        )
        getattr(client.devices, method)("42", "tok", context=Context(locale="de-DE"))
        first, second = (request.json["context"] for request in transport.requests)
        assert first == {
            "ip": "203.0.113.7",
            "device": {"model": "Pixel", "type": "android", "token": "tok"},
        }
        assert second == {"locale": "de-DE", "device": {"token": "tok"}}

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport, method: str
    ) -> None:
        message = Track(
            user_id="42",
            event="Device Created or Updated",
            context={"device": {"token": "tok"}},
            message_id="ready",
        )
        assert getattr(client.devices, method)(message).message_ids == ("ready",)
        with pytest.raises(ValidationError):
            getattr(client.devices, method)(
                Track(user_id="42", event="Device Deleted", context={"device": {"token": "t"}})
            )
        assert len(transport.requests) == 1

    @pytest.mark.parametrize(
        ("args", "kwargs", "loc"),
        [
            ((None, "tok"), {}, ("user_id",)),
            (("", "tok"), {}, ("user_id",)),
            (("42", None), {}, ("context", "device", "token")),
            (("42", ""), {}, ("context", "device", "token")),
            (("42", "tok", "windows"), {}, ("context", "device", "type")),
            (("42", "tok", None, "not a dict"), {}, ("properties",)),
            (
                ("42", "tok"),
                {"context": {"device": {"token": "other"}}},
                ("context", "device", "token"),
            ),
            (
                ("42", "tok", "ios"),
                {"context": {"device": {"type": "android"}}},
                ("context", "device", "type"),
            ),
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
            getattr(client.devices, method)(*args, **kwargs)
        assert info.value.errors[0].loc == loc
        assert "other" not in str(info.value)
        assert transport.requests == []


class TestDelete:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        result = client.devices.delete("42", "apns-token", "ios", message_id="m-2")
        assert transport.requests[0].path == "/track"
        body = only_message(transport)
        assert body["event"] == "Device Deleted"
        assert body["userId"] == "42"
        assert body["context"]["device"] == {"token": "apns-token", "type": "ios"}
        openapi.check_path("/track", body)
        openapi.check_component("delete_device", body)
        assert result.message_ids == ("m-2",)

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        message = Track(user_id="42", event="Device Deleted", context={"device": {"token": "t"}})
        client.devices.delete(message)
        assert only_message(transport)["context"]["device"]["token"] == "t"

    @pytest.mark.parametrize(
        ("args", "loc"),
        [
            ((None, "tok"), ("user_id",)),
            (("42", None), ("context", "device", "token")),
            ((["42"], "tok"), ("user_id",)),
        ],
    )
    def test_bad_arguments(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        args: tuple[Any, ...],
        loc: tuple[str, ...],
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.devices.delete(*args)
        assert info.value.errors[0].loc == loc
        assert transport.requests == []
