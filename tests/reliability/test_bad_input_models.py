"""Bad input at the model level: every refusal names where, never echoes the value.

Each refused case plants a canary value (see ``_canaries``) where possible, then checks
that the error is one of the library's, that it names the field, and that neither the
pydantic error nor its ``cio.ValidationError`` translation contains the value.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
import pydantic
import pytest

from cio import PayloadTooLargeError, ValidationError
from cio._constants import MAX_BATCH_BYTES, MAX_MESSAGE_BYTES
from cio.models import Alias, Batch, Group, Identify, Page, Screen, Track, parse_message
from cio.models._constants import MAX_NESTING_DEPTH
from tests.reliability._canaries import EMAIL, PROPERTY_VALUE, TRAIT_VALUE, assert_clean

pytestmark = pytest.mark.reliability

UTC = timezone.utc


class _Opaque:
    """A custom object with no JSON form; its repr carries a canary."""

    def __repr__(self) -> str:
        return PROPERTY_VALUE


def _nested(depth: int) -> dict[str, Any]:
    value: dict[str, Any] = {"leaf": PROPERTY_VALUE}
    for _ in range(depth):
        value = {"k": value}
    return value


def _track(**properties: Any) -> Track:
    return Track(user_id="u1", event="Viewed", properties=properties)


# (case id, builder that must raise, text the located error must contain)
REFUSED: list[tuple[str, Callable[[], object], str]] = [
    ("nan", lambda: _track(score=float("nan")), "score"),
    ("positive-infinity", lambda: _track(score=math.inf), "score"),
    ("negative-infinity", lambda: _track(score=-math.inf), "score"),
    ("nan-in-list", lambda: _track(scores=[1.0, float("nan")]), "scores.1"),
    ("decimal-nan", lambda: _track(price=Decimal("NaN")), "price"),
    ("decimal-infinity", lambda: _track(price=Decimal("-Infinity")), "price"),
    ("numpy-nan", lambda: _track(ratio=np.float64("nan")), "ratio"),
    ("pandas-na", lambda: _track(missing=pd.NA), "missing"),
    ("pandas-nat", lambda: _track(when=pd.NaT), "when"),
    ("bytes", lambda: _track(blob=PROPERTY_VALUE.encode()), "blob"),
    ("bytearray", lambda: _track(blob=bytearray(PROPERTY_VALUE.encode())), "blob"),
    ("custom-object", lambda: _track(thing=_Opaque()), "thing"),
    ("custom-object-in-set", lambda: _track(things={_Opaque()}), "things"),
    ("naive-datetime-property", lambda: _track(at=datetime(2024, 5, 1, 9, 30)), "at"),
    (
        "naive-numpy-datetime64",
        lambda: _track(at=np.datetime64("2024-05-01T09:30")),
        "at",
    ),
    (
        "naive-timestamp",
        lambda: Track(user_id="u1", event="Viewed", timestamp=datetime(2024, 5, 1, 9, 30)),
        "timestamp",
    ),
    (
        "naive-timestamp-string",
        lambda: Track(user_id="u1", event="Viewed", timestamp="2024-05-01T09:30:00"),
        "timestamp",
    ),
    (
        "timestamp-not-a-date",
        lambda: Track(user_id="u1", event="V", timestamp=TRAIT_VALUE),
        "timestamp",
    ),
    ("empty-event", lambda: Track(user_id="u1", event=""), "event"),
    ("whitespace-event", lambda: Track(user_id="u1", event=" \t "), "event"),
    ("control-character-event", lambda: Track(user_id="u1", event="Sign\x00ed"), "event"),
    ("empty-user-id", lambda: Identify(user_id=""), "user_id"),
    ("whitespace-user-id", lambda: Identify(user_id="   "), "user_id"),
    ("whitespace-anonymous-id", lambda: Identify(anonymous_id="\n"), "anonymous_id"),
    ("control-character-user-id", lambda: Identify(user_id="u\x1b1"), "user_id"),
    ("empty-message-id", lambda: Identify(user_id="u1", message_id=""), "message_id"),
    ("empty-group-id", lambda: Group(group_id=" "), "group_id"),
    ("missing-identity-identify", lambda: Identify(traits={"plan": TRAIT_VALUE}), "userId"),
    ("missing-identity-track", lambda: Track(event="Viewed"), "userId"),
    ("missing-identity-page", lambda: Page(name="Home"), "userId"),
    ("missing-identity-screen", lambda: Screen(name="Home"), "userId"),
    ("alias-missing-previous-id", lambda: Alias(user_id="u1"), "previousId"),
    # An email that cannot receive mail is a warning, not an error (see test_warnings_*).
    ("email-a-list", lambda: Identify(user_id="u1", traits={"email": [TRAIT_VALUE]}), "email"),
    (
        "email-an-object",
        lambda: Identify(user_id="u1", traits={"email": {"at": f"{EMAIL}@x"}}),
        "email",
    ),
    ("email-not-a-string", lambda: Identify(user_id="u1", traits={"email": 7}), "email"),
    ("user-id-list", lambda: Identify(user_id=[TRAIT_VALUE]), "user_id"),
    ("user-id-bool", lambda: Identify(user_id=True), "user_id"),
    ("anonymous-id-dict", lambda: Identify(anonymous_id={"a": TRAIT_VALUE}), "anonymous_id"),
    ("event-list", lambda: Track(user_id="u1", event=[TRAIT_VALUE]), "event"),
    ("traits-list", lambda: Identify(user_id="u1", traits=[TRAIT_VALUE]), "traits"),
    ("traits-string", lambda: Identify(user_id="u1", traits=TRAIT_VALUE), "traits"),
    (
        "properties-string",
        lambda: Track(user_id="u1", event="V", properties=TRAIT_VALUE),
        "properties",
    ),
    ("context-string", lambda: Track(user_id="u1", event="V", context=TRAIT_VALUE), "context"),
    (
        "integrations-not-bool",
        lambda: Track(user_id="u1", event="V", integrations={"Slack": TRAIT_VALUE}),
        "integrations.Slack",
    ),
    ("page-name-dict", lambda: Page(user_id="u1", name={"x": TRAIT_VALUE}), "name"),
    ("screen-category-list", lambda: Screen(user_id="u1", category=[TRAIT_VALUE]), "category"),
    ("type-mismatch", lambda: Track(type="identify", user_id="u1", event="V"), "type"),
    ("misspelt-user-id", lambda: Identify(userID="u1"), "userID"),
    ("misspelt-traits", lambda: Identify(user_id="u1", trait={"plan": TRAIT_VALUE}), "trait"),
    ("too-deep", lambda: _track(tree=_nested(MAX_NESTING_DEPTH + 1)), "tree"),
    ("nested-non-string-key", lambda: _track(tree={"a": {(1, 2): TRAIT_VALUE}}), "tree.a"),
    (
        "group-object-type-not-integer",
        lambda: Group(group_id="g1", traits={"objectTypeId": TRAIT_VALUE}),
        "traits",
    ),
    (
        "group-relationship-not-object",
        lambda: Group(group_id="g1", traits={"relationshipAttributes": TRAIT_VALUE}),
        "traits",
    ),
    ("parse-unknown-type", lambda: parse_message({"type": "unknown", "userId": "u1"}), "type"),
    ("parse-missing-type", lambda: parse_message({"userId": "u1"}), "type"),
    (
        "parse-unix-timestamp",
        lambda: parse_message({"type": "identify", "userId": "u1", "timestamp": 1700000000}),
        "timestamp",
    ),
    ("empty-batch", lambda: Batch(batch=[]), "batch"),
    (
        "batch-item-invalid",
        lambda: Batch(batch=[{"type": "track", "userId": "u1"}]),
        "batch.0",
    ),
]


def _located_text(exc: BaseException) -> str:
    """What a user reads: our ValidationError's rendering of the error."""
    if isinstance(exc, pydantic.ValidationError):
        return str(ValidationError.from_pydantic(exc))
    return str(exc)


@pytest.mark.parametrize(
    ("build", "where"),
    [pytest.param(build, where, id=case) for case, build, where in REFUSED],
)
def test_refused_with_location_and_without_value(build: Callable[[], object], where: str) -> None:
    with pytest.raises((pydantic.ValidationError, ValidationError)) as info:
        build()
    located = _located_text(info.value)
    assert where in located, located
    assert_clean([("pydantic error", str(info.value)), ("cio error", located)])


def test_at_least_thirty_distinct_refusals() -> None:
    assert len({case for case, _, _ in REFUSED}) >= 30


def test_message_over_32_kb_is_refused_naming_size_and_limit() -> None:
    big = Track(user_id="u1", event="Viewed", properties={"text": PROPERTY_VALUE * 3000})
    with pytest.raises(PayloadTooLargeError) as info:
        big.to_json()
    assert info.value.size is not None and info.value.size > MAX_MESSAGE_BYTES
    assert info.value.limit == MAX_MESSAGE_BYTES
    assert "track" in str(info.value)
    assert_clean([("error", str(info.value))])


def test_message_exactly_at_the_limit_is_accepted() -> None:
    probe = Track(user_id="u1", event="Viewed", message_id="m", properties={"text": ""})
    filler = MAX_MESSAGE_BYTES - len(probe.to_json_unchecked())
    at_limit = probe.model_copy(update={"properties": {"text": "x" * filler}})
    assert len(at_limit.to_json()) == MAX_MESSAGE_BYTES
    over = probe.model_copy(update={"properties": {"text": "x" * (filler + 1)}})
    with pytest.raises(PayloadTooLargeError):
        over.to_json()


def test_batch_over_500_kb_is_refused_before_sending() -> None:
    messages = [
        Track(user_id=f"u{i}", event="Viewed", properties={"text": "x" * 20_000}) for i in range(30)
    ]
    with pytest.raises(PayloadTooLargeError) as info:
        Batch(batch=messages).to_json()
    assert info.value.limit == MAX_BATCH_BYTES
    assert info.value.size is not None and info.value.size > MAX_BATCH_BYTES
    assert "30 messages" in str(info.value)


def test_batch_with_one_oversized_message_is_refused() -> None:
    messages = [
        Track(user_id="u1", event="Viewed", properties={"t": "x" * (MAX_MESSAGE_BYTES + 1)})
    ]
    with pytest.raises(PayloadTooLargeError) as info:
        Batch(batch=messages).to_json()
    assert info.value.limit == MAX_MESSAGE_BYTES


class _Plan(Enum):
    PRO = "pro"


# (case id, value given, value sent) for values the table converts rather than refuses
CONVERTED: list[tuple[str, Any, Any]] = [
    ("set", {"b", "a", "c"}, ["a", "b", "c"]),
    ("frozenset-of-ints", frozenset({3, 1, 2}), [1, 2, 3]),
    ("mixed-set-unsortable", {1, "a"}, None),
    ("tuple", (1, "a"), [1, "a"]),
    ("decimal-integral", Decimal("12.000"), 12),
    ("decimal-fraction", Decimal("9.50"), 9.5),
    ("uuid", UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
    ("numpy-int64", np.int64(7), 7),
    ("numpy-float32", np.float32(1.5), 1.5),
    ("numpy-bool", np.bool_(True), True),
    ("enum", _Plan.PRO, "pro"),
    ("date", date(2024, 5, 1), "2024-05-01"),
    ("aware-datetime-utc", datetime(2024, 5, 1, 9, 30, tzinfo=UTC), "2024-05-01T09:30:00+00:00"),
    (
        "aware-datetime-offset",
        datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=-5))),
        "2024-05-01T09:30:00-05:00",
    ),
    (
        "pandas-timestamp-aware",
        pd.Timestamp("2024-05-01T09:30", tz="UTC"),
        "2024-05-01T09:30:00+00:00",
    ),
    ("unicode", "Zoë Ørsted \u4e2d\u6587 \u0627\u0644\u0639\u0631\u0628\u064a\u0629", None),
    ("emoji", "launch \U0001f680 \U0001f469\u200d\U0001f4bb", None),
    ("control-characters-in-value", "line1\nline2\ttab\x00nul\x7f", None),
    ("none-clears", None, None),
    ("nested-at-limit", _nested(MAX_NESTING_DEPTH - 3), None),
]


@pytest.mark.parametrize(
    ("given", "sent"), [pytest.param(given, sent, id=case) for case, given, sent in CONVERTED]
)
def test_converted_values_round_trip_as_json(given: Any, sent: Any) -> None:
    message = Track(user_id="u1", event="Viewed", properties={"value": given})
    wire = json.loads(message.to_json())
    value = wire["properties"]["value"]
    if sent is not None:
        assert value == sent
    elif isinstance(given, set):
        assert sorted(map(str, value)) == sorted(map(str, given))
    else:
        assert value == (given if not isinstance(given, dict) else json.loads(json.dumps(given)))


def test_aware_timestamp_keeps_its_instant() -> None:
    moment = datetime(2024, 5, 1, 9, 30, tzinfo=timezone(timedelta(hours=2)))
    wire = json.loads(Track(user_id="u1", event="V", timestamp=moment).to_json())
    assert datetime.fromisoformat(wire["timestamp"].replace("Z", "+00:00")) == moment


def test_numbers_given_as_ids_become_strings() -> None:
    wire = json.loads(Identify(user_id=42, message_id=7).to_json())
    assert wire["userId"] == "42" and wire["messageId"] == "7"


def test_event_name_spaces_are_trimmed() -> None:
    assert Track(user_id="u1", event="  Signed Up ").event == "Signed Up"


def test_every_error_is_listed_not_just_the_first() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        Identify(user_id="", anonymous_id=" ", traits={"email": [TRAIT_VALUE]}, userID="x")
    fields = {detail.field for detail in ValidationError.from_pydantic(info.value).errors}
    assert {"user_id", "anonymous_id", "traits.email", "userID"} <= fields


def test_row_is_attached_when_the_message_came_from_a_file() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        Identify(user_id="")
    error = ValidationError.from_pydantic(info.value, row=12, loc_prefix=("batch", 3))
    assert "row 12" in str(error) and "batch.3.user_id" in str(error)


def test_lone_surrogate_is_refused_by_a_library_error_naming_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        Track(user_id="u1", event="V", properties={"note": "ok \ud800"}).to_json()
    assert "note" in str(info.value)


def test_numpy_arrays_become_lists_and_bad_items_are_located() -> None:
    wire = json.loads(_track(vector=np.array([[1, 2], [3, 4]])).to_json())
    assert wire["properties"]["vector"] == [[1, 2], [3, 4]]
    with pytest.raises(pydantic.ValidationError) as info:
        _track(vector=np.array([1.0, np.nan]))
    assert "vector" in _located_text(info.value)


@pytest.mark.parametrize("data", [[], "identify", 7, None])
def test_parse_message_refuses_non_objects_with_a_validation_error(data: Any) -> None:
    with pytest.raises((pydantic.ValidationError, ValidationError)):
        parse_message(data)


def test_unknown_type_is_refused_without_echoing_it() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        parse_message({"type": TRAIT_VALUE, "userId": "u1"})
    assert_clean([("pydantic error", str(info.value)), ("cio error", _located_text(info.value))])


@pytest.mark.parametrize("address", [TRAIT_VALUE, f"{EMAIL}@x", f"{TRAIT_VALUE}@shop.test"])
def test_warnings_about_an_email_never_carry_the_value(address: str) -> None:
    message = parse_message(
        {"type": "identify", "userID": "u1", "userId": "u1", "traits": {"email": address}}
    )
    warnings = message.warnings
    assert {warning.field for warning in warnings} == {"traits.email", "userID"}
    assert address not in repr(warnings) and TRAIT_VALUE not in repr(warnings)
