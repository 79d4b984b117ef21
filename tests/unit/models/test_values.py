"""The JSON-safety table for free-form values (traits, properties, context extras)."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID

import numpy as np
import pandas as pd
import pydantic
import pydantic_core
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cio.models import Identify, Track
from cio.models._constants import MAX_NESTING_DEPTH

SECRET = "s3cr3t-4417"


class Colour(enum.Enum):
    RED = "red"
    PRICE = Decimal("2.50")


class Opaque:
    def __repr__(self) -> str:
        return SECRET


def sent(value: Any) -> Any:
    message = Track(user_id="u", event="e", properties={"v": value})
    return json.loads(message.to_json())["properties"]["v"]


def refused(value: Any) -> str:
    with pytest.raises(pydantic.ValidationError) as caught:
        Track(user_id="u", event="e", properties={"outer": {"v": value}})
    text = str(caught.value)
    assert SECRET not in text
    assert "outer.v" in text
    assert caught.value.errors()[0]["loc"] == ("properties",)
    return text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (7, 7),
        (True, True),
        (None, None),
        (1.25, 1.25),
        (Decimal("9.50"), 9.5),
        (Decimal("10"), 10),
        (UUID("12345678-1234-5678-1234-567812345678"), "12345678-1234-5678-1234-567812345678"),
        (Colour.RED, "red"),
        (Colour.PRICE, 2.5),
        ({"b", "a", "c"}, ["a", "b", "c"]),
        (frozenset({3, 1}), [1, 3]),
        ((1, "x"), [1, "x"]),
        ([1, [2, {"k": (3,)}]], [1, [2, {"k": [3]}]]),
        (datetime(2024, 5, 1, 12, 30, tzinfo=timezone.utc), "2024-05-01T12:30:00+00:00"),
        (
            datetime(2024, 5, 1, 12, 30, tzinfo=timezone(timedelta(hours=2))),
            "2024-05-01T12:30:00+02:00",
        ),
        (date(2024, 5, 1), "2024-05-01"),
        (np.int64(5), 5),
        (np.float32(0.5), 0.5),
        (np.bool_(True), True),
        (np.str_("s"), "s"),
        (pd.Timestamp("2024-05-01T12:30:00Z"), "2024-05-01T12:30:00+00:00"),
    ],
)
def test_conversion_table(value: Any, expected: Any) -> None:
    result = sent(value)
    assert result == expected
    assert type(result) is type(expected)


def test_unsortable_set_is_kept_as_a_list() -> None:
    assert sorted(sent({1, "a"}), key=str) == [1, "a"]


@pytest.mark.parametrize(
    "value",
    [
        float("nan"),
        float("inf"),
        -float("inf"),
        Decimal("NaN"),
        Decimal("Infinity"),
        np.float64("nan"),
        np.float64("inf"),
        pd.NaT,
        pd.NA,
    ],
)
def test_nan_and_infinities_are_refused(value: Any) -> None:
    refused(value)


def test_naive_datetimes_are_refused_not_guessed() -> None:
    text = refused(datetime(2024, 5, 1, 12, 30))
    assert "timezone" in text
    refused(pd.Timestamp("2024-05-01T12:30:00"))
    refused(np.datetime64("2024-05-01T12:30:00"))


def test_bytes_and_custom_objects_are_refused_with_location() -> None:
    assert "bytes" in refused(SECRET.encode())
    assert "Opaque" in refused(Opaque())


def test_non_string_keys_are_refused() -> None:
    refused({1: "x"})


def test_nesting_limit() -> None:
    value: Any = "leaf"
    for _ in range(MAX_NESTING_DEPTH + 2):
        value = {"k": value}
    with pytest.raises(pydantic.ValidationError):
        Track(user_id="u", event="e", properties=value)


def test_traits_follow_the_same_table_and_keep_explicit_none() -> None:
    message = Identify(
        user_id="u", traits={"score": Decimal("1.5"), "gone": None, "tags": {"b", "a"}}
    )
    assert json.loads(message.to_json())["traits"] == {
        "score": 1.5,
        "gone": None,
        "tags": ["a", "b"],
    }


def test_context_extras_follow_the_same_table() -> None:
    message = Track(user_id="u", event="e", context={"batch": Decimal("3"), "ip": "203.0.113.1"})
    assert json.loads(message.to_json())["context"] == {"ip": "203.0.113.1", "batch": 3}


def test_semantic_property_extras_follow_the_same_table() -> None:
    message = Track(
        user_id="u", event="Order Completed", properties={"total": 1, "note": {"x", "y"}}
    )
    assert json.loads(message.to_json())["properties"] == {"total": 1.0, "note": ["x", "y"]}
    with pytest.raises(pydantic.ValidationError) as caught:
        Track(user_id="u", event="Order Completed", properties={"raw": SECRET.encode()})
    assert SECRET not in str(caught.value)


def test_generated_message_ids_are_distinct_version_4_uuids() -> None:
    from uuid import RFC_4122

    ids = {Track(user_id="u", event="e").message_id for _ in range(2000)}
    assert len(ids) == 2000
    for value in list(ids)[:200]:
        parsed = UUID(value)
        assert parsed.version == 4
        assert parsed.variant == RFC_4122
        assert str(parsed) == value


class _Text(str):
    pass


_LEAVES = st.one_of(
    st.text(max_size=3),
    st.integers(),
    st.booleans(),
    st.none(),
    st.floats(),
    st.builds(_Text, st.text(max_size=2)),
    st.decimals(allow_nan=False, allow_infinity=False, places=2),
    st.sampled_from([Colour.RED, np.int64(3), np.float64(1.5), (1, 2), frozenset({"a"})]),
)
_JSONISH = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(st.one_of(st.text(max_size=2), st.integers()), inner, max_size=3)
    ),
    max_leaves=12,
)


def _outcome(function: Any, value: Any) -> Any:
    try:
        converted = function(value)
    except pydantic_core.PydanticCustomError as exc:
        return ("refused", exc.type)
    return ("ok", json.dumps(converted, sort_keys=True), converted == value)


@settings(max_examples=120, deadline=None)
@given(st.dictionaries(st.text(max_size=3), _JSONISH, max_size=4))
def test_the_plain_json_fast_path_agrees_with_the_table(value: dict[str, Any]) -> None:
    from cio.models._core import _check_free_form
    from cio.models._values import json_safe_mapping

    assert _outcome(_check_free_form, value) == _outcome(json_safe_mapping, value)


def test_the_fast_path_keeps_the_nesting_limit() -> None:
    from cio.models._core import _check_free_form

    nested: Any = 1
    for _ in range(MAX_NESTING_DEPTH):
        nested = [nested]
    with pytest.raises(pydantic_core.PydanticCustomError):
        _check_free_form({"v": nested})
    assert _check_free_form({"v": nested[0]}) == {"v": nested[0]}
