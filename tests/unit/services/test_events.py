"""client.events: track, page, screen, the semantic families, experiment_viewed, report_delivery."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from typing import Any

import pytest

from cio import CustomerIOClient, ValidationError
from cio.models import SEMANTIC_FAMILIES, Page, Screen, Track
from cio.testing import RecordingTransport
from tests.unit.services.openapi import OpenAPISchemas

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)

FAMILY_METHODS = {
    "ecommerce": "ecommerce",
    "email": "email",
    "mobile": "mobile",
    "video": "video",
    "live_chat": "live_chat",
}

# Properties each family's events accept (the email family needs an email_id).
FAMILY_PROPERTIES: dict[str, dict[str, Any]] = {
    "ecommerce": {},
    "email": {"email_id": "e-1"},
    "mobile": {},
    "video": {},
    "live_chat": {},
}


def only_message(transport: RecordingTransport) -> dict[str, Any]:
    assert len(transport.requests) == 1
    return transport.requests[0].json  # type: ignore[no-any-return]


class TestTrack:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        result = client.events.track(
            "42",
            "Signed Up",
            {"plan": "pro", "seats": 3},
            timestamp=WHEN,
            context={"locale": "en-GB"},
            integrations={"Mixpanel": False},
            message_id="m-1",
        )
        assert transport.requests[0].path == "/track"
        body = only_message(transport)
        assert body == {
            "type": "track",
            "messageId": "m-1",
            "timestamp": "2024-05-01T12:00:00Z",
            "context": {"locale": "en-GB"},
            "integrations": {"Mixpanel": False},
            "userId": "42",
            "event": "Signed Up",
            "properties": {"plan": "pro", "seats": 3},
        }
        openapi.check_path("/track", body)
        assert (result.path, result.status_code, result.message_ids) == ("/track", 200, ("m-1",))

    def test_anonymous(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.events.track(event="Viewed Pricing", anonymous_id="anon-1")
        body = only_message(transport)
        assert body["anonymousId"] == "anon-1"
        assert "userId" not in body
        openapi.check_path("/track", body)

    def test_semantic_name_checked_by_its_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(ValidationError):
            client.events.track("42", "Relationship Deleted")  # needs properties.objectId
        assert transport.requests == []

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        message = Track(user_id="42", event="Signed Up", message_id="ready")
        assert client.events.track(message).message_ids == ("ready",)
        assert transport.requests[0].body == message.to_json()

    @pytest.mark.parametrize(
        ("args", "kwargs", "loc"),
        [
            ((None, "Signed Up"), {}, ("user_id",)),
            (("42",), {}, ("event",)),
            (("42", ""), {}, ("event",)),
            (("42", 7.5j), {}, ("event",)),
            (("42", "Signed Up", ["not", "a", "dict"]), {}, ("properties",)),
            (("42", "Signed Up"), {"integrations": {"All": ["yes"]}}, ("integrations", "All")),
            (("42", "Signed Up"), {"context": "ip"}, ("context",)),
        ],
    )
    def test_bad_arguments(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        loc: tuple[str, ...],
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.events.track(*args, **kwargs)
        assert info.value.errors[0].loc == loc
        assert transport.requests == []


VIEWS = [("page", Page, "/page"), ("screen", Screen, "/screen")]


@pytest.mark.parametrize("case", VIEWS, ids=["page", "screen"])
class TestViews:
    def test_wire_payload(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        case: tuple[str, type[Page | Screen], str],
    ) -> None:
        method, _model, path = case
        result = getattr(client.events, method)(
            "42", "Pricing", {"title": "Plans"}, category="marketing", message_id="m-2"
        )
        assert transport.requests[0].path == path
        body = only_message(transport)
        assert body == {
            "type": method,
            "messageId": "m-2",
            "userId": "42",
            "name": "Pricing",
            "category": "marketing",
            "properties": {"title": "Plans"},
        }
        openapi.check_path(path, body)
        assert result.path == path

    def test_anonymous_and_ready_model(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        case: tuple[str, type[Page | Screen], str],
    ) -> None:
        method, model, path = case
        getattr(client.events, method)(anonymous_id="anon-1")
        getattr(client.events, method)(model(user_id="7", name="Home"))
        first, second = (request.json for request in transport.requests)
        assert first["anonymousId"] == "anon-1"
        assert second["name"] == "Home"
        openapi.check_path(path, first)

    def test_bad_arguments(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        case: tuple[str, type[Page | Screen], str],
    ) -> None:
        method, _model, _path = case
        with pytest.raises(ValidationError) as info:
            getattr(client.events, method)(name="Home")
        assert info.value.errors[0].loc == ("user_id",)
        with pytest.raises(ValidationError):
            getattr(client.events, method)("42", ["Home"])
        with pytest.raises(ValidationError):
            getattr(client.events, method)(Track(user_id="7", event="x"))
        assert transport.requests == []


def _family_cases() -> list[tuple[str, str]]:
    return [(family, name) for family in FAMILY_METHODS for name in SEMANTIC_FAMILIES[family]]


class TestFamilies:
    def test_every_family_has_events(self) -> None:
        for family in FAMILY_METHODS:
            assert SEMANTIC_FAMILIES[family], family

    @pytest.mark.parametrize(("family", "name"), _family_cases())
    def test_every_family_event_is_sent(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        family: str,
        name: str,
    ) -> None:
        method = getattr(client.events, FAMILY_METHODS[family])
        result = method(name, "42", FAMILY_PROPERTIES[family], timestamp=WHEN)
        body = only_message(transport)
        assert transport.requests[0].path == "/track"
        assert body["event"] == name
        assert body["userId"] == "42"
        assert body["timestamp"] == "2024-05-01T12:00:00Z"
        openapi.check_path("/track", body)
        assert result.message_ids == (body["messageId"],)

    @pytest.mark.parametrize("family", list(FAMILY_METHODS))
    def test_name_outside_family_is_refused_with_valid_names(
        self, client: CustomerIOClient, transport: RecordingTransport, family: str
    ) -> None:
        method = getattr(client.events, FAMILY_METHODS[family])
        outsider = next(
            name for other, names in SEMANTIC_FAMILIES.items() if other != family for name in names
        )
        for wrong in (outsider, "Signed Up", "order completed"):
            with pytest.raises(ValidationError) as info:
                method(wrong, "42")
            assert info.value.errors[0].loc == ("event",)
            assert info.value.errors[0].type == "event_name"
            for valid in SEMANTIC_FAMILIES[family]:
                assert repr(valid) in info.value.errors[0].msg
        assert transport.requests == []

    @pytest.mark.parametrize("family", list(FAMILY_METHODS))
    def test_ready_model_must_be_in_family(
        self, client: CustomerIOClient, transport: RecordingTransport, family: str
    ) -> None:
        method = getattr(client.events, FAMILY_METHODS[family])
        inside = SEMANTIC_FAMILIES[family][0]
        message = Track(user_id="42", event=inside, properties=FAMILY_PROPERTIES[family] or None)
        method(message)
        assert only_message(transport)["event"] == inside
        with pytest.raises(ValidationError):
            method(Track(user_id="42", event="Signed Up"))
        assert len(transport.requests) == 1

    @pytest.mark.parametrize("family", list(FAMILY_METHODS))
    def test_missing_arguments(
        self, client: CustomerIOClient, transport: RecordingTransport, family: str
    ) -> None:
        method = getattr(client.events, FAMILY_METHODS[family])
        name = SEMANTIC_FAMILIES[family][0]
        with pytest.raises(ValidationError) as info:
            method(name)
        assert info.value.errors[0].loc == ("user_id",)
        with pytest.raises(ValidationError) as info:
            method(None, "42")
        assert info.value.errors[0].loc == ("event",)
        assert transport.requests == []

    def test_ecommerce_properties_are_typed(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.events.ecommerce(
            "Order Completed",
            user_id="42",
            properties={"order_id": "o-1", "total": 30.5, "products": [{"product_id": "p-1"}]},
        )
        body = only_message(transport)
        assert body["properties"]["order_id"] == "o-1"
        assert body["properties"]["products"] == [{"product_id": "p-1"}]
        openapi.check_path("/track", body)
        openapi.check_component("order_completed", body["properties"])
        # Semantic properties are recommendations: another type is sent as given (a
        # warning, see docs/models.md), never refused.
        client.events.ecommerce("Order Completed", "42", {"total": "lots"})
        assert json.loads(transport.requests[1].body)["properties"] == {"total": "lots"}

    def test_email_event_without_email_id_is_sent(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        # The API accepts it; the missing recommended email_id is a warning.
        name = SEMANTIC_FAMILIES["email"][0]
        client.events.email(name, "42")
        assert only_message(transport)["event"] == name


class TestExperimentViewed:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.events.experiment_viewed(
            "42",
            {"source": "web"},
            experiment_id="exp-1",
            experiment_name="Pricing test",
            variation_id="b",
            variation_name="Cheaper",
        )
        body = only_message(transport)
        assert body["event"] == "Experiment Viewed"
        assert body["properties"] == {
            "source": "web",
            "experiment_id": "exp-1",
            "experiment_name": "Pricing test",
            "variation_id": "b",
            "variation_name": "Cheaper",
        }
        openapi.check_path("/track", body)
        openapi.check_component("experiment_viewed", body["properties"])

    def test_is_the_ab_test_family(self) -> None:
        assert "Experiment Viewed" in SEMANTIC_FAMILIES["ab_test"]

    def test_bad_arguments(self, client: CustomerIOClient, transport: RecordingTransport) -> None:
        with pytest.raises(ValidationError) as info:
            client.events.experiment_viewed(experiment_id="exp-1")
        assert info.value.errors[0].loc == ("user_id",)
        with pytest.raises(ValidationError) as info:
            client.events.experiment_viewed("42", {"experiment_id": "a"}, experiment_id="b")
        assert info.value.errors[0].loc == ("properties", "experiment_id")
        with pytest.raises(ValidationError):
            client.events.experiment_viewed(Track(user_id="42", event="Signed Up"))
        assert transport.requests == []


class TestReportDelivery:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.events.report_delivery(
            "dlv-1",
            "clicked",
            recipient="device-token",
            action_value="enable_push",
            href="myapp://settings",
            anonymous_id="anon-1",
        )
        body = only_message(transport)
        assert body["event"] == "Report Delivery Event"
        assert body["properties"] == {
            "deliveryId": "dlv-1",
            "metric": "clicked",
            "recipient": "device-token",
            "actionValue": "enable_push",
            "href": "myapp://settings",
        }
        openapi.check_path("/track", body)
        openapi.check_component("report_delivery_event", body)

    @pytest.mark.parametrize(
        ("args", "loc"),
        [
            ((None, "opened"), ("properties", "deliveryId")),
            (("dlv-1", None), ("properties", "metric")),
            (("dlv-1", "bounced"), ("properties", "metric")),
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
            client.events.report_delivery(*args, user_id="42")
        assert info.value.errors[0].loc == loc
        assert transport.requests == []
