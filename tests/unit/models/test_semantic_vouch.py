"""The shortcut of the semantic properties check agrees with the full check.

Plain JSON properties of the recommended types are vouched for by one walk (``clean``)
that builds no location; anything it cannot vouch for runs the full check, which words
the warnings. These tests hold the shortcut to the full check on generated properties
(recommended values, wrong types, respelled and custom keys, nulls, nesting, values
that are not plain JSON): whatever it vouches for has no warnings and is plain JSON.
"""

from __future__ import annotations

from typing import Any, Literal, get_args, get_origin

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typing_extensions import get_type_hints, is_typeddict

from cio.errors import ErrorDetail
from cio.models import SEMANTIC_EVENTS
from cio.models._core import is_plain_json
from cio.models.semantic._advisor import _check_for
from cio.models.semantic._base import advised_properties

ADVISED = sorted(
    {model for model in SEMANTIC_EVENTS.values() if advised_properties(model) is not None},
    key=lambda model: model.__name__,
)

json_leaves = st.one_of(
    st.none(),
    st.sampled_from([float("nan"), (1, 2), b"x"]),
    st.booleans(),
    st.integers(min_value=-(2**40), max_value=2**40),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=5),
    st.sampled_from(["2024-06-01T12:00:00Z", "2024-06-01", "linear", "pre-roll"]),
)
json_values = st.recursive(
    json_leaves,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)


def _recommended(annotation: Any) -> st.SearchStrategy[Any]:
    """Values of the recommended type (and sometimes not, through ``json_values``)."""
    metadata = getattr(annotation, "__metadata__", None)
    if metadata is not None:
        return st.integers(min_value=-5, max_value=120)
    if is_typeddict(annotation):
        return _properties(annotation)
    origin = get_origin(annotation)
    if origin is Literal:
        return st.sampled_from(get_args(annotation))
    if origin is list:
        item = _recommended(get_args(annotation)[0])
        return st.lists(item, max_size=3) | st.lists(item | json_values, max_size=3)
    simple: dict[Any, st.SearchStrategy[Any]] = {
        str: st.text(max_size=5),
        bool: st.booleans(),
        int: st.integers(min_value=-100, max_value=100),
        float: st.floats(allow_nan=False, allow_infinity=False) | st.integers(-5, 5),
    }
    return simple.get(annotation, json_values)


def _respelled(key: str) -> st.SearchStrategy[str]:
    parts = key.split("_")
    camel = parts[0] + "".join(part.title() for part in parts[1:])
    return st.sampled_from([key, camel, key.upper(), key.replace("_", "-")])


@st.composite
def _properties(draw: st.DrawFn, typed: Any) -> dict[str, Any]:
    hints = get_type_hints(typed)
    chosen = draw(st.lists(st.sampled_from(sorted(hints)), unique=True, max_size=len(hints)))
    result: dict[str, Any] = {}
    for key in chosen:
        name = draw(_respelled(key)) if draw(st.integers(0, 9)) == 0 else key
        result[name] = draw(_recommended(hints[key]) if draw(st.integers(0, 4)) else json_values)
    result.update(
        draw(st.dictionaries(st.sampled_from(["custom", "note", "x"]), json_values, max_size=2))
    )
    return result


@st.composite
def _cases(draw: st.DrawFn) -> tuple[type, Any]:
    model = draw(st.sampled_from(ADVISED))
    typed = advised_properties(model)
    properties = draw(_properties(typed) | json_values)
    return model, properties


def _python_check(model: type, properties: Any) -> tuple[ErrorDetail, ...]:
    """The full checks, without the shortcut."""
    check = _check_for(model)
    assert check is not None
    return check.warnings(properties)


@pytest.mark.slow
@settings(max_examples=800, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(case=_cases())
def test_the_shortcut_gives_the_full_checks_warnings(case: tuple[type, Any]) -> None:
    model, properties = case
    check = _check_for(model)
    assert check is not None
    full = _python_check(model, properties)
    assert check.advise(properties) == full
    if check.clean(properties):
        assert full == ()
        assert is_plain_json(properties, -1)


@pytest.mark.parametrize("model", ADVISED, ids=lambda model: model.__name__)
def test_each_events_shortcut_vouches_for_its_recommended_properties(model: type) -> None:
    check = _check_for(model)
    assert check is not None
    typed = advised_properties(model)
    required = {key: "x" for key in getattr(typed, "__required_keys__", ())}
    assert check.clean(required) == (_python_check(model, required) == ())
    assert not check.clean([1, 2])


def test_an_order_as_recommended_is_vouched_for_without_the_full_check() -> None:
    check = _check_for(SEMANTIC_EVENTS["Order Completed"])
    assert check is not None
    order = {
        "order_id": "o-1",
        "total": 12.5,
        "currency": "USD",
        "products": [{"product_id": "p-1", "price": 2, "quantity": 5, "colour": "red"}],
        "gift_wrap": {"note": [1, None]},
    }
    assert check.clean(order)
    assert check.advise(order) == ()


@pytest.mark.parametrize(
    ("changed", "where"),
    [
        ({"products": [None]}, ("properties", "products", 0)),
        ({"products": [{"productId": "p-1"}]}, ("properties", "products", 0, "productId")),
        ({"total": True}, ("properties", "total")),
        ({"orderId": "o-1"}, ("properties", "orderId")),
    ],
)
def test_what_the_shortcut_cannot_vouch_for_gets_its_warning(
    changed: dict[str, Any], where: tuple[Any, ...]
) -> None:
    check = _check_for(SEMANTIC_EVENTS["Order Completed"])
    assert check is not None
    properties = {"order_id": "o-1", "total": 1.5, **changed}
    assert not check.clean(properties)
    assert [warning.loc for warning in check.advise(properties)] == [where]


def test_values_that_are_not_plain_json_are_never_vouched_for() -> None:
    check = _check_for(SEMANTIC_EVENTS["Order Completed"])
    assert check is not None
    for odd in (float("nan"), (1, 2), {"a": {1: 2}}, [b"x"]):
        assert not check.clean({"order_id": "o-1", "custom": odd})
    assert not check.clean({"total": float("inf")})
