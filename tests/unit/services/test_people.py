"""client.people: identify, delete, suppress, unsuppress, merge."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

import cio
from cio import CustomerIOClient, SendResult, ValidationError
from cio.models import Alias, Identify, Track
from cio.testing import RecordingTransport
from tests.unit.services.openapi import OpenAPISchemas

WHEN = datetime(2024, 5, 1, 12, 0, tzinfo=timezone.utc)


def only_message(transport: RecordingTransport) -> dict[str, object]:
    assert len(transport.requests) == 1
    return transport.requests[0].json  # type: ignore[no-any-return]


class TestIdentify:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        result = client.people.identify(
            "42",
            {"email": "ada@example.com", "plan": "pro"},
            timestamp=WHEN,
            context={"ip": "203.0.113.7"},
            integrations={"All": True},
            message_id="m-1",
        )
        assert transport.requests[0].path == "/identify"
        body = only_message(transport)
        assert body == {
            "type": "identify",
            "messageId": "m-1",
            "timestamp": "2024-05-01T12:00:00Z",
            "context": {"ip": "203.0.113.7"},
            "integrations": {"All": True},
            "userId": "42",
            "traits": {"email": "ada@example.com", "plan": "pro"},
        }
        openapi.check_path("/identify", body)
        assert result == SendResult(
            message_ids=("m-1",), status_code=200, path="/identify", attempts=1
        )

    def test_result_is_frozen_and_exported(self, client: CustomerIOClient) -> None:
        result = client.people.identify("42")
        assert isinstance(result, cio.SendResult)
        with pytest.raises(AttributeError):
            result.status_code = 500  # type: ignore[misc]
        assert result.message_id == result.message_ids[0]

    def test_anonymous(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.people.identify(anonymous_id="anon-1", traits={"source": "ad"})
        body = only_message(transport)
        assert body["anonymousId"] == "anon-1"
        assert "userId" not in body
        openapi.check_path("/identify", body)

    def test_email_keyword_lands_in_traits(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        client.people.identify("42", email="ada@example.com")
        assert only_message(transport)["traits"] == {"email": "ada@example.com"}

    def test_email_alone_needs_explicit_choice(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.people.identify(email="ada@example.com")
        assert info.value.errors[0].loc == ("user_id",)
        assert "email_as_user_id" in str(info.value)
        assert "ada@example.com" not in str(info.value)
        assert transport.requests == []

    def test_email_as_user_id(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        client.people.identify(email="ada@example.com", email_as_user_id=True)
        body = only_message(transport)
        assert body["userId"] == "ada@example.com"
        assert body["traits"] == {"email": "ada@example.com"}
        openapi.check_path("/identify", body)

    def test_email_as_user_id_conflicts_with_user_id(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(ValidationError):
            client.people.identify("42", email="ada@example.com", email_as_user_id=True)
        with pytest.raises(ValidationError):
            client.people.identify(email_as_user_id=True)
        assert transport.requests == []

    def test_email_keyword_conflicts_with_trait(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.people.identify("42", {"email": "one@example.com"}, email="two@example.com")
        assert info.value.errors[0].loc == ("traits", "email")
        assert "example.com" not in str(info.value)
        assert transport.requests == []

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        message = Identify(user_id="7", traits={"plan": "free"}, message_id="ready")
        result = client.people.identify(message)
        assert result.message_ids == ("ready",)
        assert transport.requests[0].body == message.to_json()

    def test_model_and_keywords_together_refused(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(TypeError):
            client.people.identify(Identify(user_id="7"), traits={"plan": "free"})
        assert transport.requests == []

    def test_wrong_model_type(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.people.identify(Track(user_id="7", event="Signed Up"))  # type: ignore[arg-type]
        assert info.value.errors[0].type == "model_type"
        assert transport.requests == []

    @pytest.mark.parametrize(
        ("args", "kwargs", "loc"),
        [
            ((), {}, ("user_id",)),
            (("",), {}, ("user_id",)),
            ((["42"],), {}, ("user_id",)),
            (("42", "not a dict"), {}, ("traits",)),
            (("42", {"email": 42}), {}, ("traits", "email")),
            (("42",), {"email": 42}, ("traits", "email")),
            (("42",), {"timestamp": datetime(2024, 1, 1)}, ("timestamp",)),
        ],
    )
    def test_bad_arguments(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        args: tuple[object, ...],
        kwargs: dict[str, object],
        loc: tuple[str, ...] | None,
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.people.identify(*args, **kwargs)  # type: ignore[arg-type]
        if loc is not None:
            assert info.value.errors[0].loc == loc
        assert "not-an-email" not in str(info.value)
        assert transport.requests == []


PERSON_EVENTS = [
    ("delete", "User Deleted", "delete_person"),
    ("suppress", "User Suppressed", "suppress_person"),
    ("unsuppress", "User Unsuppressed", "unsuppress_person"),
]


@pytest.mark.parametrize("case", PERSON_EVENTS, ids=[case[0] for case in PERSON_EVENTS])
class TestReservedPersonEvents:
    def test_wire_payload(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        openapi: OpenAPISchemas,
        case: tuple[str, str, str],
    ) -> None:
        method, event, component = case
        result = getattr(client.people, method)("42", timestamp=WHEN, message_id="m-9")
        assert transport.requests[0].path == "/track"
        body = only_message(transport)
        assert body["type"] == "track"
        assert body["event"] == event
        assert body["userId"] == "42"
        assert body["messageId"] == "m-9"
        assert body["timestamp"] == "2024-05-01T12:00:00Z"
        openapi.check_path("/track", body)
        openapi.check_component(component, body)
        assert result.path == "/track"
        assert result.message_ids == ("m-9",)

    def test_properties_pass_through(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        case: tuple[str, str, str],
    ) -> None:
        method, _event, _component = case
        getattr(client.people, method)("42", properties={"reason": "request"})
        assert only_message(transport)["properties"] == {"reason": "request"}

    @pytest.mark.parametrize("user_id", [None, "", "  ", ["42"]])
    def test_missing_or_bad_id(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        case: tuple[str, str, str],
        user_id: object,
    ) -> None:
        method, _, _ = case
        with pytest.raises(ValidationError) as info:
            getattr(client.people, method)(user_id)
        assert info.value.errors[0].loc == ("user_id",)
        assert transport.requests == []

    def test_accepts_ready_model(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        case: tuple[str, str, str],
    ) -> None:
        method, event, _component = case
        message = Track(user_id="42", event=event, message_id="ready")
        assert getattr(client.people, method)(message).message_ids == ("ready",)
        assert only_message(transport)["event"] == event

    def test_refuses_model_for_another_event(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        case: tuple[str, str, str],
    ) -> None:
        method, event, _component = case
        with pytest.raises(ValidationError) as info:
            getattr(client.people, method)(Track(user_id="42", event="Signed Up"))
        assert info.value.errors[0].loc == ("event",)
        assert event in str(info.value)
        assert transport.requests == []


class TestMerge:
    def test_wire_payload(
        self, client: CustomerIOClient, transport: RecordingTransport, openapi: OpenAPISchemas
    ) -> None:
        result = client.people.merge("primary-1", "secondary-2", message_id="m-3")
        assert transport.requests[0].path == "/alias"
        body = only_message(transport)
        assert body == {
            "type": "alias",
            "messageId": "m-3",
            "userId": "primary-1",
            "previousId": "secondary-2",
        }
        openapi.check_path("/alias", body)
        assert result.path == "/alias"

    def test_accepts_ready_model(
        self, client: CustomerIOClient, transport: RecordingTransport
    ) -> None:
        client.people.merge(Alias(user_id="a", previous_id="b"))
        assert only_message(transport)["previousId"] == "b"

    @pytest.mark.parametrize(
        ("primary", "secondary", "loc"),
        [
            (None, "b", ("user_id",)),
            ("a", None, ("previous_id",)),
            ("a", "", ("previous_id",)),
            ("same", "same", ("previous_id",)),
        ],
    )
    def test_bad_arguments(
        self,
        client: CustomerIOClient,
        transport: RecordingTransport,
        primary: str | None,
        secondary: str | None,
        loc: tuple[str, ...],
    ) -> None:
        with pytest.raises(ValidationError) as info:
            client.people.merge(primary, secondary)  # type: ignore[arg-type]
        assert info.value.errors[0].loc == loc
        assert transport.requests == []
