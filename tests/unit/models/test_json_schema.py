"""model_json_schema() describes what each message model accepts (issue 21, item 5).

Every sample is judged twice, by the model and by its JSON Schema (with format checking,
as a tool validating timestamps would): both must accept it or both refuse it.
"""

from __future__ import annotations

from datetime import datetime, timezone
from functools import cache
from typing import Any

import pydantic
import pytest
from jsonschema import Draft202012Validator

from cio.models import SEMANTIC_EVENTS, Alias, Group, Identify, Message, Page, Screen, Track
from tests.contract.factories import build_messages

pytestmark = pytest.mark.slow

CALLS: tuple[type[Message], ...] = (Identify, Track, Page, Screen, Group, Alias)
MODELS = [*CALLS, *dict.fromkeys(SEMANTIC_EVENTS.values())]
WHEN = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


@cache
def _validator(model: type[Message]) -> Draft202012Validator:
    schema = model.model_json_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


def _model_accepts(model: type[Message], sample: dict[str, Any]) -> bool:
    try:
        model.model_validate(sample)
    except pydantic.ValidationError:
        return False
    return True


def _agree(model: type[Message], sample: dict[str, Any], expected: bool) -> None:
    assert _model_accepts(model, sample) is expected, sample
    assert _validator(model).is_valid(sample) is expected, sample


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_valid_message_fits_its_schema(model: type[Message]) -> None:
    for message in build_messages(model, 3):
        payload = message.to_payload()
        errors = [error.message for error in _validator(model).iter_errors(payload)]
        assert errors == [], payload


TRACK = {"type": "track", "userId": "u-1", "event": "Signed Up"}

SAMPLES: list[tuple[type[Message], dict[str, Any], bool]] = [
    (Track, TRACK, True),
    (Track, {**TRACK, "timestamp": "2024-06-01T12:00:00+02:00"}, True),
    (Track, {"type": "track", "anonymousId": "a-1", "event": "x"}, True),
    # identity: userId or anonymousId, as a non-blank string
    (Track, {"type": "track", "event": "Signed Up"}, False),
    (Track, {"type": "track", "userId": None, "event": "Signed Up"}, False),
    (Track, {**TRACK, "userId": "   "}, False),
    (Track, {**TRACK, "userId": "a\u0000b"}, False),
    # timestamps carry an offset
    (Track, {**TRACK, "timestamp": "2024-06-01T12:00:00"}, False),
    (Track, {**TRACK, "timestamp": "next tuesday"}, False),
    # an unknown top-level field is accepted (the API ignores it; a warning says so);
    # the wrong kind of properties is not
    (Track, {**TRACK, "userID": "u-1"}, True),
    (Track, {**TRACK, "properties": ["not", "an", "object"]}, False),
    (Identify, {"type": "identify", "userId": "u-1", "traits": {"plan": None}}, True),
    (Alias, {"type": "alias", "userId": "u-1"}, False),
    (Alias, {"type": "alias", "userId": "u-1", "previousId": "a-1"}, True),
    (Group, {"type": "group", "groupId": "acme"}, True),
    (Group, {"type": "group"}, False),
]


def _semantic(name: str, properties: Any, **envelope: Any) -> tuple[type[Message], dict[str, Any]]:
    model = SEMANTIC_EVENTS[name]
    return model, {
        "type": "track",
        "userId": "u-1",
        "event": name,
        "properties": properties,
        **envelope,
    }


# Semantic properties are recommendations: other types and keys are accepted (warned).
for name, properties, accepted in [
    ("Order Completed", {"total": 12.5, "products": [{"product_id": "p", "quantity": 2}]}, True),
    ("Product Added", {"quantity": 1.5, "productId": "p"}, True),
    ("Product Reviewed", {"rating": 4.5}, True),
    ("Video Content Started", {"airdate": "1991-08-13"}, True),
    ("Products Searched", {"query": {"text": "shoes"}}, True),
    ("Order Completed", "not an object", False),
]:
    SAMPLES.append((*_semantic(name, properties), accepted))
SAMPLES += [
    (*_semantic("Order Completed", None, event="Order Updated"), False),
    (SEMANTIC_EVENTS["Relationship Deleted"], {**TRACK, "event": "Relationship Deleted"}, False),
]


@pytest.mark.parametrize(("model", "sample", "accepted"), SAMPLES)
def test_model_and_schema_agree(
    model: type[Message], sample: dict[str, Any], accepted: bool
) -> None:
    _agree(model, sample, accepted)


def test_semantic_properties_are_described_key_by_key() -> None:
    order = SEMANTIC_EVENTS["Order Completed"].model_json_schema()
    choices = order["properties"]["properties"]["anyOf"]
    described = next(choice for choice in choices if choice.get("type") == "object")
    assert described["title"] == "OrderCompletedProperties"
    assert described["additionalProperties"] is True
    total = described["properties"]["total"]
    assert total["description"] == "The order total."
    assert total["x-recommended"]["type"] == "number"
    products = described["properties"]["products"]["x-recommended"]
    assert products["items"]["properties"]["quantity"]["type"] == "integer"


def test_model_dump_json_is_the_wire_form_once_unset_fields_are_excluded() -> None:
    for model in MODELS:
        for message in build_messages(model, 2):
            assert message.to_payload() == message.model_dump(mode="json", exclude_none=True)
    # Without exclude_none, declared fields left unset are written as null.
    assert Identify(user_id="u").model_dump(mode="json")["timestamp"] is None
    assert "timestamp" not in Identify(user_id="u").to_payload()
