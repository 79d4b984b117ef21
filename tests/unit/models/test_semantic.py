"""Semantic event models: registry, wire names, identity rules, plain-track checks."""

from __future__ import annotations

import json

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
from cio.models.semantic import (
    DeviceCreatedOrUpdated,
    ExperimentViewed,
    GroupDeleted,
    ObjectDeleted,
    OrderCompleted,
    Product,
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


def test_ecommerce_wire_names_are_snake_case_and_camel_input_is_accepted() -> None:
    message = OrderCompleted(user_id="u1", properties=ORDER)
    body = wire(message)
    assert body["event"] == "Order Completed"
    products = body["properties"]["products"]  # type: ignore[index]
    assert products[1] == {
        "product_id": "p-2",
        "price": 9.0,
        "image_url": "https://example.com/p2.png",
    }
    assert isinstance(
        message.properties, OrderCompleted.model_fields["properties"].annotation.__args__[0]
    )  # type: ignore[union-attr]
    assert message.properties is not None
    assert isinstance(message.properties.products[0], Product)  # type: ignore[index]


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


def test_plain_track_with_semantic_name_is_checked_and_locates_the_field() -> None:
    bad = {**ORDER, "products": [{"product_id": "p", "price": "secret-not-a-number"}]}
    with pytest.raises(pydantic.ValidationError) as caught:
        Track(user_id="u1", event="Order Completed", properties=bad)
    locations = [error["loc"] for error in caught.value.errors()]
    assert ("properties", "products", 0, "price") in locations
    assert "secret-not-a-number" not in str(caught.value)


def test_plain_track_with_semantic_name_sends_the_documented_spelling() -> None:
    message = Track(
        user_id="u1", event="Order Completed", properties={"orderId": "o", "total": "12.5"}
    )
    assert wire(message)["properties"] == {"order_id": "o", "total": 12.5}


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
    message = ObjectDeleted(properties={"object_id": "acme", "objectTypeId": "2"})
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
    message = VideoQualityUpdated(
        user_id="u", properties={"startup_time": 3, "dropped_frames": 1, "bitrate": 10}
    )
    assert wire(message)["properties"] == {"startupTime": 3, "droppedFrames": 1, "bitrate": 10}


def test_experiment_viewed_uses_variation_names() -> None:
    message = ExperimentViewed(user_id="u", properties={"experiment_id": "e", "variationId": "v"})
    assert wire(message)["properties"] == {"experiment_id": "e", "variation_id": "v"}


def test_video_sound_range_is_enforced() -> None:
    with pytest.raises(pydantic.ValidationError) as caught:
        semantic_event("Video Playback Started", user_id="u", properties={"sound": 101})
    assert ("properties", "sound") in [error["loc"] for error in caught.value.errors()]
