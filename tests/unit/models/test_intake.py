"""Intake: one function turns every input into wire bytes, or a located error."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from cio import CustomerIOClient
from cio.errors import ErrorDetail, PayloadTooLargeError, ValidationError
from cio.models import (
    Accepted,
    EncodedMessage,
    Identify,
    Track,
    _advice,
    encode_message,
    intake,
    ordering_key,
    parse_message,
)
from cio.testing import RecordingTransport

TRACK = {"type": "track", "userId": "42", "event": "Signed Up", "messageId": "m-1"}


def test_a_dict_and_its_model_give_the_same_bytes_id_and_key() -> None:
    from_dict = intake(TRACK)
    from_model = intake(parse_message(TRACK))
    assert from_dict == from_model
    assert from_dict.body == parse_message(TRACK).to_json()
    assert (from_dict.message_id, from_dict.key, from_dict.warnings) == ("m-1", "42", ())


def test_an_encoded_message_passes_through_unchanged() -> None:
    encoded = encode_message(TRACK)
    assert intake(encoded) == Accepted(*encoded)


@pytest.mark.parametrize(
    ("identities", "expected"),
    [
        ({"userId": "u"}, "u"),
        ({"anonymousId": "a"}, "a"),
        ({"userId": "u", "anonymousId": "a"}, "u"),
    ],
)
def test_the_ordering_key_is_user_then_anonymous_id(
    identities: dict[str, str], expected: str
) -> None:
    message = {"type": "identify", "messageId": "m-9", **identities}
    assert intake(message).key == expected
    assert ordering_key(None, None, "m-9") == "m-9"


def test_errors_are_located_at_the_index_and_never_echo_the_value() -> None:
    with pytest.raises(ValidationError) as caught:
        intake({"type": "track", "event": "x", "userId": "secret\x00"}, index=7)
    assert caught.value.summary == "invalid message 7"
    assert all(detail.loc[:2] == ("messages", 7) for detail in caught.value.errors)
    assert "secret" not in str(caught.value)


def test_a_value_that_is_not_a_message_is_a_located_error() -> None:
    with pytest.raises(ValidationError) as caught:
        intake(42, index=3)
    assert caught.value.errors[0].loc == ("messages", 3)
    assert caught.value.errors[0].type == "message_type"


def test_over_32_kb_is_refused_naming_the_message_id() -> None:
    big = {**TRACK, "properties": {"blob": "x" * 40_000}}
    with pytest.raises(PayloadTooLargeError) as caught:
        intake(big)
    assert caught.value.message_id == "m-1"
    assert intake(big, check_size=False).message_id == "m-1"


def test_a_model_class_validates_rows_without_a_type() -> None:
    accepted = intake({"user_id": "1", "traits": {"plan": "pro"}}, model=Identify)
    assert json.loads(accepted.body)["type"] == "identify"


@pytest.fixture
def advisor() -> Iterator[None]:
    def warn_on_test_event(message: Mapping[str, Any]) -> Iterator[ErrorDetail]:
        if message.get("event") == "Test":
            yield ErrorDetail(("event",), "looks like a test event", "test_event")

    _advice.register_advisor(warn_on_test_event)
    try:
        yield
    finally:
        _advice._ADVISORS.remove(warn_on_test_event)


@pytest.mark.usefixtures("advisor")
def test_warnings_come_from_the_registered_advisors() -> None:
    assert intake({**TRACK, "event": "Test"}).warnings[0].type == "test_event"
    assert intake(Track(user_id="1", event="Test")).warnings[0].loc == ("event",)
    assert intake(TRACK).warnings == ()


def _entry_point_errors(message: dict[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    """The (location, type) pairs each entry point reports for one invalid message."""
    client = CustomerIOClient(api_key="k", transport=RecordingTransport())
    found: list[tuple[tuple[str | int, ...], str]] = []
    with pytest.raises(ValidationError) as caught:
        client.send(message)
    found.extend((d.loc, d.type) for d in caught.value.errors)
    report = client.batch.send([message])
    found.extend((d.loc[2:], d.type) for d in report.failures[0].details)
    row = {key: value for key, value in message.items() if key != "type"}
    report = client.batch.track([row])
    found.extend((d.loc[2:], d.type) for d in report.failures[0].details)
    return found


@pytest.mark.parametrize(
    "message",
    [
        {"type": "track", "event": "Signed Up"},
        {"type": "track", "userId": "1", "event": "Order Completed", "properties": ["x"]},
        {"type": "track", "userId": 5, "event": "Signed Up", "timestamp": "yesterday"},
    ],
)
def test_every_entry_point_refuses_a_dict_with_the_same_errors(message: dict[str, Any]) -> None:
    errors = _entry_point_errors(message)
    third = len(errors) // 3
    assert third > 0
    assert errors[:third] == errors[third : 2 * third] == errors[2 * third :]


@pytest.mark.slow
def test_the_switch_turns_the_compiled_codecs_off_with_the_same_result() -> None:
    code = (
        "import json, sys; from cio.models import intake, _intake; "
        "body = intake(json.loads(sys.argv[1])).body.decode(); "
        "print(json.dumps([_intake.COMPILED_CODECS, body]))"
    )
    results = []
    for value in ("0", "1"):
        env = {**os.environ, "CIO_COMPILED_CODECS": value}
        out = subprocess.run(
            [sys.executable, "-c", code, json.dumps(TRACK)],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        results.append(json.loads(out))
    assert [flag for flag, _ in results] == [False, True]
    assert results[0][1] == results[1][1] == intake(TRACK).body.decode()


def test_the_encoded_message_type_is_unchanged() -> None:
    assert EncodedMessage._fields == ("body", "message_id", "key", "warnings")
