"""encode_message: the models' bytes and errors, without building model instances.

The compiled dict path is an optimisation of ``parse_message(data).to_json()``; these
tests hold it to exactly that: the same bytes for everything the model accepts, the
model's own error for everything it refuses, never accepting what the model refuses.
"""

from __future__ import annotations

import json
import math
import tracemalloc
from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum, IntEnum
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic.alias_generators import to_camel, to_snake

import cio
from cio.models import (
    SEMANTIC_EVENTS,
    Alias,
    EncodedMessage,
    Group,
    Identify,
    Message,
    Page,
    Screen,
    Track,
    encode_message,
    intake,
    parse_message,
)
from cio.models._intake import COMPILED_CODECS
from tests.contract.factories import build_messages

CALLS: tuple[type[Message], ...] = (Identify, Track, Page, Screen, Group, Alias)
ALL_MODELS = [*CALLS, *dict.fromkeys(SEMANTIC_EVENTS.values())]
ORDER = {
    "type": "track",
    "userId": "user-7",
    "event": "Order Completed",
    "messageId": "m-1",
    "timestamp": datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc),
    "properties": {
        "order_id": "o-1",
        "total": 12.5,
        "currency": "USD",
        "gift_wrap": True,
        "products": [{"product_id": "p-1", "price": 2.5, "quantity": 5, "colour": "red"}],
    },
}


def _outcome(function: Any, data: Any) -> tuple[str, Any]:
    try:
        return "ok", function(data)
    except pydantic.ValidationError as exc:
        return "pydantic", exc.errors(include_url=False)
    except cio.CustomerIOError as exc:
        return type(exc).__name__, str(exc)


def _by_model(data: Any) -> Any:
    message = parse_message(data)
    # intake of a built model: its warnings from the values it holds (Message.warnings
    # parses its own JSON back, where an integer over 64 bits becomes a float).
    return message.to_json(), message.message_id, intake(message).warnings


def _by_encoder(data: Any) -> Any:
    encoded = encode_message(data, warnings="warn")
    return encoded.body, encoded.message_id, encoded.warnings


def _payloads(model: type[Message], count: int) -> Iterator[dict[str, Any]]:
    for message in build_messages(model, count):
        yield message.to_payload()
        # The snake_case spelling of the same message, Python values and all.
        yield message.model_dump(by_alias=False, exclude_none=True)


def test_an_order_is_the_models_bytes_and_its_identity() -> None:
    encoded = encode_message(ORDER)
    assert isinstance(encoded, EncodedMessage)
    assert encoded.body == parse_message(ORDER).to_json()
    assert (encoded.message_id, encoded.key) == ("m-1", "user-7")


def test_the_key_falls_back_to_anonymous_id_then_message_id() -> None:
    anonymous = encode_message({"type": "page", "anonymousId": "anon-1", "messageId": "m"})
    assert anonymous.key == "anon-1"
    group = encode_message({"type": "group", "groupId": "acme", "messageId": "m-9"})
    assert group.key == "m-9"


def test_a_generated_message_id_is_in_the_body() -> None:
    encoded = encode_message({"type": "identify", "userId": "u"})
    assert json.loads(encoded.body)["messageId"] == encoded.message_id
    assert UUID(encoded.message_id).version == 4


def test_a_model_is_encoded_as_it_serializes() -> None:
    message = Identify(user_id="u", traits={"plan": "pro"})
    assert encode_message(message) == (message.to_json(), message.message_id, "u", ())


@pytest.mark.skipif(
    not COMPILED_CODECS, reason="this run turns the compiled codecs off (CIO_COMPILED_CODECS=0)"
)
@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_valid_messages_never_build_a_model(
    model: type[Message], monkeypatch: pytest.MonkeyPatch
) -> None:
    payloads = list(_payloads(model, 1))
    expected = [parse_message(payload).to_json() for payload in payloads]

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"{model.__name__} went through its model")

    for cls in {model, *CALLS}:
        monkeypatch.setattr(cls, "model_validate", refuse)
    assert [encode_message(payload).body for payload in payloads] == expected


@pytest.mark.parametrize(
    "data",
    [
        {"type": "track", "event": "Signed Up"},
        {"type": "track", "userId": " ", "event": "Signed Up"},
        {"type": "track", "userId": "a\x00b", "event": "Signed Up"},
        {"type": "identify", "userId": "u", "traits": {"email": 12345}},
        {"type": "identify", "userId": "u", "timestamp": 1700000000},
        {"type": "identify", "userId": "u", "timestamp": "1700000000"},
        {"type": "identify", "userId": "u", "integrations": {"Salesforce": "false"}},
        {"type": "identify", "userId": "u", "traits": {"score": math.nan}},
        {"type": "identify", "userId": "u", "timestamp": datetime(2024, 1, 1)},
        {"type": "identify", "userID": "typo"},
        {**ORDER, "properties": {"products": [{"price": b"cheap"}]}},
        {**ORDER, "properties": {"total": math.inf}},
        {"type": "group", "groupId": "g", "traits": {"objectTypeId": "x"}},
        {"type": "alias", "userId": "u"},
        {"type": "unknown"},
        {"type": "track", "userId": "u", "event": "Order Completed", "properties": []},
    ],
    ids=lambda data: str(sorted(data))[:40],
)
def test_refused_input_gets_the_models_own_error(data: dict[str, Any]) -> None:
    expected = _outcome(_by_model, data)
    assert expected[0] != "ok"
    assert _outcome(_by_encoder, data) == expected


def test_a_lone_surrogate_is_located_like_the_model_does() -> None:
    data = {"type": "track", "userId": "u", "event": "x", "properties": {"note": "a\udcffb"}}
    assert _outcome(_by_encoder, data) == _outcome(_by_model, data)
    with pytest.raises(cio.ValidationError) as caught:
        encode_message(data)
    assert caught.value.errors[0].loc == ("properties", "note")


@pytest.mark.parametrize(
    ("event", "properties", "expected"),
    [
        ("Order Completed", {"total": "forty-two"}, [("properties", "total")]),
        (
            "Order Completed",
            {"products": [{"quantity": 1.5}]},
            [("properties", "products", 0, "quantity")],
        ),
        ("Order Completed", {"orderId": "o", "total": None}, [("properties", "orderId")]),
        (
            "Product Added",
            {"quantity": 1.5, "price": True},
            [("properties", "quantity"), ("properties", "price")],
        ),
        ("Product Viewed", {"product_id": 7, "custom": [1, 2]}, [("properties", "product_id")]),
        ("Order Completed", {"order_id": "o-1", "total": 1, "gift_wrap": True}, []),
    ],
)
def test_semantic_properties_are_advised_on_both_roads(
    event: str, properties: dict[str, Any], expected: list[tuple[Any, ...]]
) -> None:
    data = {"type": "track", "userId": "u-1", "messageId": "m-1", "event": event}
    data["properties"] = properties
    by_model = _outcome(_by_model, data)
    assert by_model[0] == "ok"
    assert sorted(warning.loc for warning in by_model[1][2]) == sorted(expected)
    assert _outcome(_by_encoder, data) == by_model


def test_a_plain_track_asked_for_by_class_is_still_checked_as_its_semantic_event() -> None:
    from cio.models._wire import encode_wire

    data = {**ORDER, "event": "Relationship Deleted", "properties": {"objectTypeId": 1}}
    with pytest.raises(pydantic.ValidationError):
        encode_wire(data, Track)
    valid = {key: value for key, value in ORDER.items() if key != "type"}
    assert encode_wire(valid, Track)[0] == Track.model_validate(valid).to_json()


def test_a_message_over_32_kb_is_refused_with_its_kind() -> None:
    data = {"type": "identify", "userId": "u", "traits": {"bio": "x" * 40_000}}
    with pytest.raises(cio.PayloadTooLargeError, match="identify message is"):
        encode_message(data)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_generated_messages_encode_to_the_models_bytes(model: type[Message]) -> None:
    for payload in _payloads(model, 2):
        assert _outcome(_by_encoder, payload) == _outcome(_by_model, payload)


class Colour(Enum):
    RED = "red"


class Size(str, Enum):
    LARGE = "large"


class Rank(IntEnum):
    FIRST = 1


odd_offsets = st.sampled_from([timedelta(seconds=-90), timedelta(seconds=30), timedelta(0)])


odd_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(),
    st.text(max_size=6),
    st.sampled_from(["", "  ", " x ", "a\x00", "\udcff", "12", "1e3", "2024-01-01", "true"]),
    st.sampled_from(["2024-06-01T12:00:00Z", "2024-06-01T12:00:00", "ada@example.com"]),
    st.sampled_from([Decimal("1.5"), Decimal("NaN"), Colour.RED, b"raw", (1, 2), {1, 2}]),
    st.sampled_from([Size.LARGE, Rank.FIRST, UUID(int=7), date(2024, 1, 2)]),
    st.datetimes(timezones=st.none() | st.just(timezone.utc) | st.timezones()),
    st.builds(datetime.now, odd_offsets.map(timezone)),
    st.lists(st.integers() | st.text(max_size=3), max_size=3),
    st.dictionaries(st.text(max_size=4), st.integers() | st.none() | st.text(max_size=3)),
)


def _paths(value: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _paths(item, (*path, index))


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: _replace(value[head], rest, new) if rest else new}
    copied = list(value)
    copied[head] = _replace(copied[head], rest, new)
    return copied


def _seeds() -> list[dict[str, Any]]:
    seeds = [ORDER]
    for model in ALL_MODELS:
        seeds.extend(_payloads(model, 1))
    return seeds


SEEDS = _seeds()


@pytest.mark.slow
@pytest.mark.timeout(120)
@settings(max_examples=1500, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(
    seed=st.sampled_from(SEEDS),
    choice=st.integers(min_value=0),
    value=odd_values,
    how=st.sampled_from(["replace", "extra", "respell"]),
)
def test_mutated_messages_agree_with_the_models(
    seed: dict[str, Any], choice: int, value: Any, how: str
) -> None:
    paths = [path for path in _paths(seed) if path]
    path = paths[choice % len(paths)]
    if not isinstance(path[-1], int) and how != "replace":
        # A new key next to an existing one: undeclared, or the other spelling of it.
        other = to_snake(path[-1]) if how == "respell" else "zz_extra"
        if other == path[-1]:
            other = to_camel(path[-1])
        path = (*path[:-1], other)
    try:
        data = _replace(seed, path, value)
    except (KeyError, IndexError, TypeError):
        return
    assert _outcome(_by_encoder, data) == _outcome(_by_model, data)


def test_a_class_given_by_the_caller_fills_its_defaults_like_the_model() -> None:
    from cio.models._wire import encode_wire

    row = {"userId": "u", "traits": {"plan": "pro"}, "messageId": "m"}
    assert encode_wire(row, Identify)[0] == Identify.model_validate(row).to_json()


def _space_or_control(code: int) -> bool:
    return chr(code).isspace() or code < 0x20 or code == 0x7F


SPACES_AND_CONTROLS = [chr(code) for code in range(0x110000) if _space_or_control(code)]


@pytest.mark.parametrize("field", ["userId", "anonymousId", "messageId"])
def test_ids_made_of_any_space_or_control_character_are_judged_like_the_model(field: str) -> None:
    for character in SPACES_AND_CONTROLS:
        for value in (character, f"a{character}", f"{character}a{character}"):
            data = {"type": "identify", "userId": "u", "messageId": "m", field: value}
            assert _outcome(_by_encoder, data) == _outcome(_by_model, data), hex(ord(character))


@settings(max_examples=200)
@given(value=st.text(max_size=6) | st.integers())
def test_any_id_is_judged_like_the_model(value: Any) -> None:
    data = {"type": "track", "userId": value, "event": "e", "messageId": "m"}
    assert _outcome(_by_encoder, data) == _outcome(_by_model, data)


TRICKY = {
    "both spellings of a property": {
        **ORDER,
        "properties": {"products": [{"product_id": "a", "productId": "b"}]},
    },
    "both spellings of a context key": {
        **ORDER,
        "context": {"userAgent": "a", "user_agent": "b"},
    },
    "an int over 64 bits": {**ORDER, "properties": {"big": 2**70}},
    "explicit None envelope field": {**ORDER, "anonymousId": None, "sentAt": None},
    "a trait cleared with None": {
        "type": "identify",
        "userId": "u",
        "messageId": "m",
        "traits": {"plan": None},
    },
    "None in a product": {**ORDER, "properties": {"products": [{"price": None, "x": None}]}},
    "a str enum and an int enum": {
        **ORDER,
        "properties": {"currency": Size.LARGE, "n": Rank.FIRST},
    },
    "an offset with seconds": {
        **ORDER,
        "timestamp": datetime(2024, 1, 1, tzinfo=timezone(timedelta(seconds=-90))),
    },
}


@pytest.mark.parametrize("data", TRICKY.values(), ids=TRICKY.keys())
def test_tricky_inputs_give_the_models_bytes(data: dict[str, Any]) -> None:
    assert _outcome(_by_encoder, data) == _outcome(_by_model, data)


def test_an_offset_with_seconds_is_sent_as_the_same_instant_in_utc() -> None:
    paris_1850 = datetime(1850, 1, 1, tzinfo=ZoneInfo("Europe/Paris"))  # +00:09:21
    data = {"type": "identify", "userId": "u", "messageId": "m", "timestamp": paris_1850}
    sent = json.loads(encode_message(data).body)["timestamp"]
    assert sent == "1849-12-31T23:50:39Z"
    assert datetime.fromisoformat(sent) == paris_1850
    assert parse_message(data).to_json() == encode_message(data).body


def test_both_spellings_of_a_property_keep_both_values() -> None:
    data = {**ORDER, "properties": {"products": [{"product_id": "a", "productId": "b"}]}}
    product = json.loads(encode_message(data).body)["properties"]["products"][0]
    assert product == {"product_id": "a", "productId": "b"}


def test_encoded_bodies_take_about_their_own_size_in_memory() -> None:
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        bodies = [encode_message({**ORDER, "messageId": f"m-{n}"}).body for n in range(500)]
        held = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    assert held < 2 * sum(len(body) for body in bodies)


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_a_built_model_is_written_as_pydantic_writes_it(model: type[Message]) -> None:
    for built in build_messages(model, 3):
        # Without a context (a nested model) the message is written by orjson.
        for message in (built, built.model_copy(update={"context": None})):
            expected = message.__pydantic_serializer__.to_json(
                message, by_alias=True, exclude_none=True
            )
            assert message.to_json_unchecked() == expected
    built = Track(user_id="u", event="x", properties={"big": 2**70, "when": None})
    assert json.loads(built.to_json_unchecked())["properties"] == {"big": 2**70, "when": None}


class _CountingSerializer:
    """Stands in for a model's pydantic serializer, counting the calls."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.calls = 0

    def to_json(self, *args: Any, **kwargs: Any) -> bytes:
        self.calls += 1
        result: bytes = self.inner.to_json(*args, **kwargs)
        return result


def test_a_message_without_context_or_extra_keys_is_written_by_orjson(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = Track(user_id="u", event="Signed Up", properties={"plan": "pro", "n": 1.5})
    with_extra = parse_message({"type": "track", "userId": "u", "event": "x", "userID": "t"})
    expected = [
        message.__pydantic_serializer__.to_json(message, by_alias=True, exclude_none=True)
        for message in (order, with_extra)
    ]
    counting = _CountingSerializer(Track.__pydantic_serializer__)
    monkeypatch.setattr(Track, "__pydantic_serializer__", counting)
    assert order.to_json_unchecked() == expected[0]
    assert counting.calls == 0
    # Extra keys are written by pydantic (after the fields, as it orders them).
    assert with_extra.to_json_unchecked() == expected[1]
    assert counting.calls == 1


def test_an_enum_where_an_object_type_id_goes_is_read_as_its_value() -> None:
    class Kind(str, Enum):
        ACCOUNT = "2"
        OTHER = "red"

    data = {
        "type": "track",
        "userId": "u",
        "messageId": "m-1",
        "event": "Relationship Deleted",
        "properties": {"objectId": "o-1", "objectTypeId": Kind.ACCOUNT},
    }
    assert json.loads(_by_encoder(data)[0])["properties"]["objectTypeId"] == 2
    refused = {**data, "properties": {"objectId": "o-1", "objectTypeId": Kind.OTHER}}
    assert _outcome(_by_encoder, refused)[0] == "pydantic"
    assert _outcome(_by_encoder, refused) == _outcome(_by_model, refused)
