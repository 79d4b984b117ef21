"""The warnings of a built model equal those of its wire bytes, computed without parsing them.

``intake`` of a model used to parse the model's own JSON back to run the advisors, which
cost more than building the model; it now reads the model's fields and parses only when
a check needs the whole message. Every case here compares with ``advise_body``.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cio.errors import CustomerIOError
from cio.models import Group, Identify, Message, Track, intake, parse_message
from cio.models import _advice as advice_module
from cio.models._advice import advise_body, properties_check
from cio.models.semantic import OrderCompleted
from tests.contract.factories import build_messages
from tests.unit.models.test_wire import ALL_MODELS, SEEDS, _paths, _replace, odd_values


def _agree(message: Message) -> None:
    assert intake(message).warnings == advise_body(message.to_json_unchecked())


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_generated_messages(model: type[Message]) -> None:
    for message in build_messages(model, 3):
        _agree(message)


@pytest.mark.parametrize(
    "message",
    [
        Track(user_id="1", event="Order Complete"),
        Track(user_id="1", event="order_completed"),
        Track(user_id="1", event="Order Completed", properties={"total": "forty-two"}),
        Track(user_id="1", event="Order Completed", properties={"productId": "p", "total": None}),
        OrderCompleted(user_id="1", properties={"products": [{"quantity": 1.5}]}),  # type: ignore[typeddict-item]
        Identify(user_id="1", traits={"email": "no-at-sign"}),
        Identify(user_id="1", traits={"email": "ada@example.com"}),
        Identify(user_id="1", traits={"name": "Ada", "age": 36}),
        Identify(user_id="1", traits={}),
        Group(user_id="1", group_id="g", traits={"email": "billing@@shop.test"}),
        Group(user_id="1", group_id="g", traits={"email": "billing@shop.test"}),
        Identify(user_id="1", context={"traits": {"email": "qa@shop.test"}}),
        Track(user_id="1", event="Signed Up", context={"traits": {"email": "x y@example.com"}}),
        parse_message({"type": "identify", "userId": "1", "userID": "typo"}),
        parse_message({"type": "track", "groupId": "g", "event": "Plan Changed"}),
    ],
    ids=lambda message: type(message).__name__,
)
def test_messages_with_and_without_warnings(message: Message) -> None:
    _agree(message)


@pytest.mark.slow
@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(seed=st.sampled_from(SEEDS), choice=st.integers(min_value=0), value=odd_values)
def test_mutated_messages(seed: dict[str, Any], choice: int, value: Any) -> None:
    paths = list(_paths(seed))
    data = _replace(seed, paths[choice % len(paths)], value) if len(paths) > 1 else seed
    try:
        message = parse_message(data)
        message.to_json_unchecked()
    except (pydantic.ValidationError, CustomerIOError):  # refused: nothing to advise
        return
    _agree(message)


def test_an_integer_beyond_64_bits_is_advised_as_an_integer_on_every_road() -> None:
    data = {
        "type": "track",
        "userId": "1",
        "event": "Video Playback Paused",
        "context": {"ip": "10.0.0.1"},
        "properties": {"position": -(2**63) - 1, "sound": 2**64},
    }
    message = parse_message(data)
    assert message.warnings == ()
    assert intake(message).warnings == ()
    assert intake(data).warnings == ()
    odd = {**data, "properties": {"position": 1.5}}
    assert [w.loc for w in intake(odd).warnings] == [("properties", "position")]


ORDER_PROPERTIES: dict[str, Any] = {
    "order_id": "o-1",
    "total": 12.5,
    "products": [{"product_id": "p-1", "price": 2.5, "quantity": 5}],
}


def test_a_model_built_with_recommended_properties_is_not_checked_again(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    order = OrderCompleted(user_id="1", properties=ORDER_PROPERTIES)  # type: ignore[arg-type]
    check = properties_check("Order Completed")
    assert check is not None
    # Checks registered from outside cio (other tests add some) see every message whole.
    monkeypatch.setattr(advice_module, "_OUTSIDE_ADVISORS", [])
    looked: list[object] = []
    monkeypatch.setattr(
        type(check), "advise", lambda self, properties: looked.append(properties) or ()
    )
    assert intake(order).warnings == ()
    assert looked == []


def test_a_copy_with_other_properties_is_checked_on_its_own() -> None:
    order = OrderCompleted(user_id="1", properties=ORDER_PROPERTIES)  # type: ignore[arg-type]
    changed = order.model_copy(update={"properties": {"total": "forty-two"}})
    assert [w.loc for w in intake(changed).warnings] == [("properties", "total")]
    assert intake(order).warnings == ()
    assert changed == changed.model_copy() and order != changed


def test_properties_found_odd_when_built_keep_their_warnings() -> None:
    odd = OrderCompleted(user_id="1", properties={"total": True})  # type: ignore[typeddict-item]
    assert [w.loc for w in intake(odd).warnings] == [("properties", "total")]
    assert "_cio_vouched_properties" not in dict(odd)


def test_models_built_on_many_threads_keep_their_own_verdicts() -> None:
    def build(start: int) -> list[OrderCompleted]:
        return [
            OrderCompleted(  # type: ignore[misc]
                user_id=str(number),
                properties={"total": 1.5 if number % 2 else "odd"},  # type: ignore[typeddict-item]
            )
            for number in range(start, start + 400)
        ]

    with ThreadPoolExecutor(max_workers=4) as pool:
        built = [order for orders in pool.map(build, range(0, 1600, 400)) for order in orders]
    for order in built:
        odd = int(order.user_id or "0") % 2 == 0
        assert bool(intake(order).warnings) == odd
