"""Semantic event models: registry, wire names, identity rules, plain-track checks."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pydantic
import pytest

import cio
from cio.models import (
    SEMANTIC_EVENTS,
    SEMANTIC_FAMILIES,
    Track,
    parse_message,
    semantic_event,
)
from cio.models._advice import advise
from cio.models.semantic import (
    DeviceCreatedOrUpdated,
    ExperimentViewed,
    GroupDeleted,
    ObjectDeleted,
    OrderCompleted,
    RelationshipDeleted,
    ReportContentEvent,
    ReportDeliveryEvent,
    VideoPlaybackInterrupted,
    VideoQualityUpdated,
)

ORDER = {
    "order_id": "o-1",
    "total": 30,
    "currency": "USD",
    "products": [
        {"product_id": "p-1", "price": 10.5, "quantity": 2},
        {"productId": "p-2", "price": 9, "imageUrl": "https://example.com/p2.png"},
    ],
}


def wire(message: Track) -> dict[str, object]:
    return json.loads(message.to_json())  # type: ignore[no-any-return]


def test_every_registered_class_is_a_track_with_its_name_fixed() -> None:
    for name, cls in SEMANTIC_EVENTS.items():
        assert issubclass(cls, Track)
        assert name in cls.event_names()


def test_families_cover_every_registered_name_once() -> None:
    assert set(SEMANTIC_FAMILIES) == {
        "cio",
        "ab_test",
        "ecommerce",
        "email",
        "live_chat",
        "mobile",
        "video",
    }
    listed = [name for names in SEMANTIC_FAMILIES.values() for name in names]
    assert sorted(listed) == sorted(SEMANTIC_EVENTS)
    assert len(SEMANTIC_FAMILIES["ecommerce"]) == 28
    assert "Order Completed" in SEMANTIC_FAMILIES["ecommerce"]


def test_semantic_properties_are_sent_exactly_as_written() -> None:
    properties = {**ORDER, "coupon": None}
    message = OrderCompleted(user_id="u1", properties=properties)
    body = wire(message)
    assert body["event"] == "Order Completed"
    # productId and imageUrl keep their spelling; the explicit null is kept.
    assert body["properties"] == properties
    assert message.properties == properties
    warnings = advise(body)
    assert [(w.loc, w.type) for w in warnings] == [
        (("properties", "products", 1, "productId"), "semantic_property_spelling"),
        (("properties", "products", 1, "imageUrl"), "semantic_property_spelling"),
    ]
    assert "product_id" in warnings[0].msg


def test_extra_property_keys_are_kept() -> None:
    message = OrderCompleted(user_id="u1", properties={**ORDER, "gift_wrap": True})
    assert wire(message)["properties"]["gift_wrap"] is True  # type: ignore[index]


def test_semantic_event_builds_by_name() -> None:
    message = semantic_event("Order Completed", user_id="u1", properties=ORDER)
    assert type(message) is OrderCompleted


def test_semantic_event_unknown_name_lists_close_matches() -> None:
    with pytest.raises(cio.ValidationError) as caught:
        semantic_event("Order Complete", user_id="u1")
    assert "Order Completed" in str(caught.value)


def test_parse_message_returns_semantic_class() -> None:
    message = parse_message(
        {"type": "track", "userId": "u", "event": "Order Completed", "properties": ORDER}
    )
    assert type(message) is OrderCompleted


def test_plain_track_with_semantic_name_is_accepted_with_a_located_warning() -> None:
    bad = {**ORDER, "products": [{"product_id": "p", "price": "secret-not-a-number"}]}
    message = Track(user_id="u1", event="Order Completed", properties=bad)
    assert wire(message)["properties"] == bad
    warnings = advise(wire(message))
    assert [w.loc for w in warnings] == [("properties", "products", 0, "price")]
    assert "secret-not-a-number" not in repr(warnings)
    assert advise(wire(OrderCompleted(user_id="u1", properties=bad))) == warnings


def test_plain_track_with_semantic_name_sends_keys_and_values_as_written() -> None:
    message = Track(
        user_id="u1", event="Order Completed", properties={"orderId": "o", "total": "12.5"}
    )
    assert wire(message)["properties"] == {"orderId": "o", "total": "12.5"}
    assert [w.type for w in advise(wire(message))] == [
        "semantic_property_spelling",
        "semantic_property_type",
    ]


def test_wrong_event_name_for_class_is_refused() -> None:
    with pytest.raises(pydantic.ValidationError):
        OrderCompleted(user_id="u1", event="Order Updated")


def test_device_event_needs_token_in_context() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        DeviceCreatedOrUpdated(user_id="u1", context={"device": {"type": "ios"}})
    assert ("context", "device", "token") in [error["loc"] for error in caught.value.errors()]
    message = DeviceCreatedOrUpdated(
        user_id="u1", context={"device": {"token": "t", "type": "ios"}}
    )
    assert wire(message)["context"] == {"device": {"token": "t", "type": "ios"}}


def test_device_event_needs_user_id() -> None:
    with pytest.raises(pydantic.ValidationError):
        DeviceCreatedOrUpdated(anonymous_id="a", context={"device": {"token": "t"}})


def test_object_deleted_defaults_anonymous_id_and_sends_integer_type_id() -> None:
    message = ObjectDeleted(properties={"objectId": "acme", "objectTypeId": "2"})
    body = wire(message)
    assert body["anonymousId"]
    assert body["properties"] == {"objectId": "acme", "objectTypeId": 2}


def test_object_type_id_must_be_a_positive_integer() -> None:
    for bad in ("x", 0, -1, True, "1.5"):
        with pytest.raises(pydantic.ValidationError):
            ObjectDeleted(properties={"objectId": "acme", "objectTypeId": bad})


def test_group_deleted_is_the_legacy_name_for_object_deleted() -> None:
    message = GroupDeleted(properties={"objectId": "acme"})
    assert type(message.properties) is type(ObjectDeleted(properties={"objectId": "x"}).properties)
    assert wire(message)["event"] == "Group Deleted"


def test_relationship_deleted_needs_user_and_object() -> None:
    with pytest.raises(pydantic.ValidationError):
        RelationshipDeleted(anonymous_id="a", properties={"objectId": "acme"})
    with pytest.raises(pydantic.ValidationError):
        RelationshipDeleted(user_id="u", properties={})
    assert RelationshipDeleted(user_id="u", properties={"objectId": "acme"}).user_id == "u"


def test_report_events_need_no_identity() -> None:
    delivery = ReportDeliveryEvent(properties={"deliveryId": "d", "metric": "clicked"})
    assert "userId" not in wire(delivery)
    content = ReportContentEvent(properties={"actionType": "viewed_content", "contentId": 5})
    assert wire(content)["properties"] == {"actionType": "viewed_content", "contentId": 5}
    with pytest.raises(pydantic.ValidationError):
        ReportContentEvent(properties={"contentId": 5})


def test_identity_still_required_for_ordinary_semantic_events() -> None:
    with pytest.raises(pydantic.ValidationError):
        OrderCompleted(properties=ORDER)


def test_video_interrupted_accepts_the_table_spelling() -> None:
    assert SEMANTIC_EVENTS["Video Playback interrupted"] is VideoPlaybackInterrupted
    message = parse_message(
        {
            "type": "track",
            "userId": "u",
            "event": "Video Playback interrupted",
            "properties": {"method": "network"},
        }
    )
    assert type(message) is VideoPlaybackInterrupted
    assert VideoPlaybackInterrupted(user_id="u").event == "Video Playback Interrupted"


def test_mixed_case_wire_names_in_video_quality() -> None:
    documented = {"startupTime": 3, "droppedFrames": 1, "bitrate": 10}
    message = VideoQualityUpdated(user_id="u", properties=documented)  # type: ignore[typeddict-item]
    assert wire(message)["properties"] == documented
    assert advise(wire(message)) == ()
    snake = Track(user_id="u", event="Video Quality Updated", properties={"startup_time": 3})
    assert wire(snake)["properties"] == {"startup_time": 3}
    assert [w.msg for w in advise(wire(snake))] == [
        "the recommended spelling is 'startupTime'; sent as written"
    ]


def test_experiment_viewed_recommends_variation_names() -> None:
    properties = {"experiment_id": "e", "variationId": "v"}
    message = ExperimentViewed(user_id="u", properties=properties)  # type: ignore[typeddict-unknown-key]
    assert wire(message)["properties"] == properties
    assert [w.loc for w in advise(wire(message))] == [("properties", "variationId")]


# What the API accepts although the recommended schema types it otherwise (issue 16).
ACCEPTED_WITH_WARNING = [
    ("Product Added", {"quantity": 1.5}, ("properties", "quantity")),
    ("Product Reviewed", {"rating": 4.5}, ("properties", "rating")),
    ("Video Content Started", {"airdate": "1991-08-13"}, ("properties", "airdate")),
    ("Video Quality Updated", {"framerate": 29.97}, ("properties", "framerate")),
    ("Products Searched", {"query": {"text": "shoes"}}, ("properties", "query")),
    ("Video Playback Started", {"sound": "loud"}, ("properties", "sound")),
]


@pytest.mark.parametrize(("name", "properties", "loc"), ACCEPTED_WITH_WARNING)
def test_values_of_another_type_are_sent_with_a_located_warning(
    name: str, properties: dict[str, object], loc: tuple[str, ...]
) -> None:
    for message in (
        semantic_event(name, user_id="u", properties=properties),
        parse_message({"type": "track", "userId": "u", "event": name, "properties": properties}),
    ):
        body = wire(message)
        assert body["properties"] == properties
        warnings = advise(body)
        assert [(w.loc, w.type) for w in warnings] == [(loc, "semantic_property_type")]
        assert "recommended type" in warnings[0].msg


def test_values_as_recommended_give_no_warning() -> None:
    when = datetime(1991, 8, 13, 20, 0, tzinfo=timezone.utc)
    for name, properties in [
        ("Order Completed", ORDER | {"products": [ORDER["products"][0]]}),  # type: ignore[index]
        ("Video Content Started", {"airdate": when, "position": 3, "livestream": False}),
        ("Video Content Started", {"airdate": "1991-08-13T20:00:00Z"}),
        ("Product Reviewed", {"rating": 4, "review_body": None}),
        ("Signed Up", {"anything": 1.5}),
    ]:
        message = Track(user_id="u", event=name, properties=properties)
        assert advise(message.to_payload()) == (), name


def test_a_missing_recommended_key_is_a_warning_not_an_error() -> None:
    message = semantic_event("Email Opened", user_id="u")
    assert message.properties is None
    assert [(w.loc, w.type) for w in advise(wire(message))] == [
        (("properties", "email_id"), "semantic_property_missing")
    ]
