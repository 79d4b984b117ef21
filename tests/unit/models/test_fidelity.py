"""The API decides: accept what it accepts, warn about likely mistakes, never rewrite.

Every case is checked on both roads a message can take (the model, and the compiled
dict path of ``encode_message``), which must agree byte for byte and warning for warning.
"""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cio
from cio.models import (
    SEMANTIC_EVENTS,
    Alias,
    Group,
    Identify,
    Message,
    Page,
    Screen,
    Track,
    advise,
    encode_message,
    parse_message,
)
from cio.models._intake import COMPILED_CODECS
from tests.contract.factories import build_messages

ALL_MODELS = [Identify, Track, Page, Screen, Group, Alias, *dict.fromkeys(SEMANTIC_EVENTS.values())]

SECRET = "zz-secret-value-zz"


def _both(data: dict[str, Any]) -> tuple[bytes, tuple[cio.ErrorDetail, ...]]:
    """The body and warnings, after checking the model and compiled roads agree."""
    data = {"messageId": "m-1", **data}
    model = parse_message(data)
    encoded = encode_message(data)
    assert encoded.body == model.to_json()
    assert encoded.warnings == model.warnings
    return encoded.body, encoded.warnings


def _fields(warnings: tuple[cio.ErrorDetail, ...]) -> list[tuple[str, str]]:
    return [(warning.field, warning.type) for warning in warnings]


def test_browser_sdk_and_openapi_example_envelope_fields_are_accepted_as_written() -> None:
    data = {
        "type": "page",
        "anonymousId": "507f191e810c19729de860ea",
        "channel": "browser",
        "writeKey": "wk",
        "_metadata": {"bundled": ["Customer.io Data Pipelines"], "unbundled": []},
        "receivedAt": "2015-02-23T22:28:55.387Z",
        "version": 1.1,
        "integrations": {"All": True, "Mixpanel": False},
        "name": "Home",
    }
    body, warnings = _both(data)
    sent = json.loads(body)
    for key in ("channel", "writeKey", "_metadata", "version", "integrations"):
        assert sent[key] == data[key]
    assert warnings == ()


def test_an_unknown_top_level_key_is_sent_and_warned_about_at_its_place() -> None:
    body, warnings = _both({"type": "track", "userId": "u", "event": "E", "userID": "x"})
    assert json.loads(body)["userID"] == "x"
    assert _fields(warnings) == [("userID", "unknown_field")]
    assert "x" not in warnings[0].msg.split()


def test_a_misspelt_keyword_argument_is_still_an_error() -> None:
    with pytest.raises(pydantic.ValidationError, match="propertys"):
        Track(user_id="u", event="E", propertys={})  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("qa+signup@shop.test", "special-use"),
        ("ada.example.com", "no @"),
        ("ada @example.com", "whitespace"),
        ("a@b@example.com", "more than one @"),
        ("ada@localhost", "special-use"),
        ("ada@", "nothing after"),
    ],
)
def test_an_email_that_cannot_receive_mail_is_kept_and_warned_with_a_reason(
    address: str, reason: str
) -> None:
    body, warnings = _both({"type": "identify", "userId": "u", "traits": {"email": address}})
    assert json.loads(body)["traits"]["email"] == address
    assert _fields(warnings) == [("traits.email", "email_undeliverable")]
    assert reason in warnings[0].msg
    assert address not in warnings[0].msg


def test_the_email_warning_never_quotes_the_address() -> None:
    warnings = Identify(user_id="u", traits={"email": f"{SECRET}@x.test"}).warnings
    assert warnings and SECRET not in str(warnings) and "x.test" not in str(warnings)


def test_an_ordinary_email_gets_no_warning() -> None:
    assert (
        _both({"type": "identify", "userId": "u", "traits": {"email": "ada@example.com"}})[1] == ()
    )


def test_a_context_traits_email_is_checked_too() -> None:
    data = {"type": "track", "userId": "u", "event": "E", "context": {"traits": {"email": "a"}}}
    assert _fields(_both(data)[1]) == [("context.traits.email", "email_undeliverable")]


def test_a_track_for_a_group_needs_no_person() -> None:
    body, _ = _both({"type": "track", "groupId": "acme", "event": "Plan Changed"})
    assert json.loads(body)["groupId"] == "acme"
    with pytest.raises(pydantic.ValidationError, match="groupId"):
        parse_message({"type": "track", "event": "Plan Changed"})


def test_group_object_type_id_is_sent_as_written_and_no_default_is_added() -> None:
    written = {"type": "group", "groupId": "g", "traits": {"object_type_id": "2", "name": "A"}}
    assert json.loads(_both(written)[0])["traits"] == {"object_type_id": "2", "name": "A"}
    assert "traits" not in json.loads(Group(group_id="g").to_json())


@pytest.mark.parametrize(
    "data",
    [
        {"type": "identify", "userId": "u", "integrations": {"Salesforce": "false"}},
        {"type": "identify", "userId": "u", "timestamp": 1700000000},
        {"type": "identify", "userId": "u", "timestamp": "1700000000.5"},
        {"type": "identify", "userId": "u", "sentAt": 1700000000},
    ],
)
def test_values_the_api_would_misread_are_refused_not_coerced(data: dict[str, Any]) -> None:
    with pytest.raises(pydantic.ValidationError):
        parse_message(data)
    with pytest.raises(pydantic.ValidationError):
        encode_message(data)


def test_integration_options_objects_are_accepted() -> None:
    data = {"type": "track", "userId": "u", "event": "E"}
    data["integrations"] = {"Actions Amplitude": {"session_id": 1}, "All": True}
    assert json.loads(_both(data)[0])["integrations"] == data["integrations"]


def test_warnings_become_errors_per_call() -> None:
    data = {"type": "identify", "userId": "u", "traits": {"email": "nope"}}
    with pytest.raises(cio.ValidationError) as caught:
        encode_message(data, warnings="error")
    assert caught.value.errors[0].field == "traits.email"
    with pytest.raises(cio.ValidationError):
        parse_message(data).to_json(warnings="error")


def test_warnings_become_errors_by_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"type": "identify", "userId": "u", "traits": {"email": "nope"}}
    monkeypatch.setenv("CIO_WARNINGS", "error")
    with pytest.raises(cio.ValidationError, match="CIO_WARNINGS"):
        encode_message(data)
    assert encode_message(data, warnings="warn").warnings
    assert encode_message({"type": "identify", "userId": "u"}).warnings == ()


def test_an_unknown_policy_is_a_configuration_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_WARNINGS", "loud")
    with pytest.raises(cio.ConfigurationError, match="CIO_WARNINGS"):
        encode_message({"type": "identify", "userId": "u", "traits": {"email": "nope"}})


@pytest.mark.skipif(
    not COMPILED_CODECS, reason="this run turns the compiled codecs off (CIO_COMPILED_CODECS=0)"
)
def test_a_track_for_a_group_takes_the_compiled_path(monkeypatch: pytest.MonkeyPatch) -> None:
    data = {"type": "track", "groupId": "acme", "event": "Plan Changed", "messageId": "m"}
    expected = parse_message(data).to_json()

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("went through the model")

    monkeypatch.setattr(Track, "model_validate", refuse)
    assert encode_message(data).body == expected
    with pytest.raises(AssertionError):  # no person and no group: the model decides
        encode_message({"type": "track", "event": "Plan Changed"})


@pytest.mark.parametrize("email", [42, ["ada@example.com"], {"at": "x"}])
def test_a_non_string_email_is_refused_at_traits_email(email: object) -> None:
    data = {"type": "identify", "userId": "u", "traits": {"email": email}}
    for build in (parse_message, encode_message):
        with pytest.raises(pydantic.ValidationError) as caught:
            build(data)
        assert [(e["loc"], e["type"]) for e in caught.value.errors()] == [
            (("traits", "email"), "email_type")
        ]


@pytest.mark.parametrize("model", ALL_MODELS, ids=lambda model: model.__name__)
def test_both_roads_give_the_same_warnings(model: type[Message]) -> None:
    for message in build_messages(model, 1):
        payload = message.to_payload()
        context = {**payload.get("context", {}), "traits": {"email": "x@y.test"}}
        for extra in ({}, {"zzExtra": 1}, {"context": context}):
            data = {**payload, **extra}
            encoded = encode_message(data)
            assert encoded.warnings == parse_message(data).warnings
            assert encoded.body == parse_message(data).to_json()


@pytest.mark.parametrize(
    ("event", "meant"),
    [
        ("Order Complete", "Order Completed"),
        ("order completed", "Order Completed"),
        ("ProductAdded", "Product Added"),
        ("product_viewed", "Product Viewed"),
    ],
)
def test_a_near_miss_of_a_semantic_event_is_sent_as_written_with_a_warning(
    event: str, meant: str
) -> None:
    body, warnings = _both({"type": "track", "userId": "u", "event": event})
    assert json.loads(body)["event"] == event
    assert _fields(warnings) == [("event", "semantic_event_near_miss")]
    assert repr(meant) in warnings[0].msg


def test_ordinary_and_exact_semantic_names_get_no_near_miss_warning() -> None:
    assert _both({"type": "track", "userId": "u", "event": "Signed Up"})[1] == ()
    exact = {"type": "track", "userId": "u", "event": "Order Completed", "properties": {}}
    assert _both(exact)[1] == ()


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(
            st.sampled_from(["email", "traits", "context", "x"]), children, max_size=3
        )
    ),
    max_leaves=12,
)


@settings(max_examples=50, deadline=None)
@given(
    kind=st.sampled_from(["identify", "track", "group", "page", None, 3]),
    body=st.dictionaries(st.sampled_from(["event", "traits", "context", "zz"]), _JSON, max_size=4),
)
def test_advisors_never_raise_and_never_quote_values(kind: Any, body: dict[str, Any]) -> None:
    message = {**body, "type": kind}
    for warning in advise(message):
        assert isinstance(warning, cio.ErrorDetail)
        assert warning.loc and warning.msg
