"""Property-based tests: round trips, located errors, and nothing but ValidationError."""

from __future__ import annotations

import json
import math
from datetime import datetime, timedelta, timezone
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from polyfactory.factories.pydantic_factory import ModelFactory

from cio.models import (
    SEMANTIC_EVENTS,
    Alias,
    Group,
    Identify,
    Message,
    Page,
    Screen,
    Track,
    parse_message,
)
from cio.models._advice import advise

SEED = 1234
CALLS: tuple[type[Message], ...] = (Identify, Track, Page, Screen, Group, Alias)
SECRET = "s3cr3t-value-7731"

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)
json_objects = st.dictionaries(st.text(max_size=8), json_values, max_size=6)
identifiers = st.text(min_size=1, max_size=20).filter(
    lambda text: text.strip() == text and text.strip() and text.isprintable()
)
aware_datetimes = st.datetimes(min_value=datetime(1990, 1, 1), max_value=datetime(2100, 1, 1)).map(
    lambda value: value.replace(tzinfo=timezone(timedelta(hours=value.hour % 5)))
)


class _Factory(ModelFactory[Any]):
    __is_base_factory__ = True
    __random_seed__ = SEED
    __use_defaults__ = False
    __allow_none_optionals__ = True


def _instances(model: type[Message], count: int = 4) -> list[Message]:
    factory = _Factory.create_factory(model)
    identity = {"user_id": "u-1"} if getattr(model, "requires_identity", False) else {}
    return [factory.build(**identity) for _ in range(count)]


ALL_MODELS = [*CALLS, *dict.fromkeys(SEMANTIC_EVENTS.values())]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_factory_instances_round_trip_through_json(model: type[Message]) -> None:
    for message in _instances(model):
        again = parse_message(json.loads(message.to_json()))
        assert type(again) is type(message)
        assert again == message
        assert again.to_json() == message.to_json()


@pytest.mark.slow
@pytest.mark.timeout(60)
@settings(max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(
    user_id=identifiers,
    event=identifiers,
    properties=json_objects,
    timestamp=aware_datetimes,
)
def test_track_round_trips(
    user_id: str, event: str, properties: dict[str, Any], timestamp: datetime
) -> None:
    if event in SEMANTIC_EVENTS:
        return
    message = Track(user_id=user_id, event=event, properties=properties, timestamp=timestamp)
    again = parse_message(json.loads(message.to_json()))
    assert again == message
    assert again.timestamp == timestamp


@pytest.mark.slow
@pytest.mark.timeout(60)
@settings(max_examples=60)
@given(anonymous_id=identifiers, traits=json_objects)
def test_identify_round_trips_and_keeps_explicit_none(
    anonymous_id: str, traits: dict[str, Any]
) -> None:
    traits = {key: value for key, value in traits.items() if key != "email"}
    traits["cleared"] = None
    message = Identify(anonymous_id=anonymous_id, traits=traits)
    body = json.loads(message.to_json())
    assert body["traits"] == traits
    assert parse_message(body) == message


not_numbers = st.text(min_size=1, max_size=12).filter(
    lambda text: _not_a_number(text) and SECRET not in text
)


def _not_a_number(text: str) -> bool:
    try:
        return not math.isfinite(float(text))
    except ValueError:
        return True


@settings(max_examples=40)
@given(bad=not_numbers, index=st.integers(min_value=0, max_value=2))
def test_a_product_price_as_text_is_sent_and_warned_by_field_not_value(
    bad: str, index: int
) -> None:
    products: list[dict[str, Any]] = [{"product_id": f"p{n}", "price": 1.0} for n in range(3)]
    products[index]["price"] = SECRET + bad
    wire = {
        "type": "track",
        "userId": "u",
        "event": "Order Completed",
        "properties": {"products": products},
    }
    message = parse_message(wire)
    assert json.loads(message.to_json())["properties"] == {"products": products}
    warnings = advise(message.to_payload())
    assert [w.loc for w in warnings] == [("properties", "products", index, "price")]
    assert SECRET not in repr(warnings)


@settings(max_examples=40)
@given(
    value=st.sampled_from(["", "   ", "a\x00b", "x\ny"]),
    field=st.sampled_from(["userId", "anonymousId"]),
)
def test_invalid_ids_name_the_field(value: str, field: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        parse_message({"type": "identify", field: value})
    assert (field,) in [error["loc"] for error in caught.value.errors()]


odd_values = (
    json_values | st.just(float("nan")) | st.binary(max_size=4) | st.sets(st.integers(), max_size=3)
)
message_keys = st.sampled_from(
    [
        "type",
        "userId",
        "anonymousId",
        "event",
        "properties",
        "traits",
        "context",
        "groupId",
        "previousId",
        "timestamp",
        "messageId",
        "integrations",
        "name",
        "user_id",
    ]
) | st.text(max_size=6)
message_types = st.sampled_from(["identify", "track", "page", "screen", "group", "alias", "batch"])
event_names = st.sampled_from(sorted(SEMANTIC_EVENTS)) | st.text(max_size=10)


@pytest.mark.slow
@pytest.mark.timeout(60)
@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    data=st.dictionaries(message_keys, odd_values, max_size=8),
    kind=message_types,
    event=event_names,
    properties=st.dictionaries(st.text(max_size=10), odd_values, max_size=5) | odd_values,
)
def test_parse_message_raises_only_validation_error(
    data: dict[str, Any], kind: str, event: str, properties: Any
) -> None:
    candidate = {**data, "type": kind, "event": event, "properties": properties}
    for payload in (data, candidate):
        try:
            message = parse_message(payload)
        except pydantic.ValidationError:
            continue
        assert isinstance(message, Message)
        message.to_payload()


@pytest.mark.parametrize(
    ("build", "field"),
    [
        (lambda: Identify(user_id="u", traits={"email": 12345}), "traits"),
        (lambda: Group(group_id="g", traits={"objectTypeId": SECRET}), "traits"),
        (
            lambda: Track(user_id="u", event="e", properties={"when": datetime(2024, 1, 1)}),
            "properties",
        ),
        (lambda: Track(user_id="u", event="e", properties={"raw": SECRET.encode()}), "properties"),
        (lambda: Track(user_id="u", event="e", properties={"v": float("nan")}), "properties"),
        (lambda: Track(user_id=SECRET + "\x00", event="e"), "user_id"),
        (lambda: Track(user_id="u", event="e", timestamp=datetime(2024, 1, 1)), "timestamp"),
        (
            lambda: parse_message(
                {
                    "type": "track",
                    "userId": "u",
                    "event": "Relationship Deleted",
                    "properties": {"objectId": "o", "objectTypeId": SECRET},
                }
            ),
            "properties",
        ),
        (
            lambda: parse_message(
                {
                    "type": "track",
                    "userId": "u",
                    "event": "Email Opened",
                    "properties": {"email_id": "m"},
                    "context": {"traits": {"email": 12345}, "secret": SECRET.encode()},
                }
            ),
            "context",
        ),
    ],
)
def test_error_text_never_contains_the_input(build: Any, field: str) -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        build()
    text = str(caught.value)
    assert SECRET not in text
    assert "12345" not in text
    assert field in text or field in {str(part) for e in caught.value.errors() for part in e["loc"]}
