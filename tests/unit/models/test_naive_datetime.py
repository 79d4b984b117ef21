"""A naive datetime gets the same message, with the fix, on every path."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pandas
import pydantic
import pytest

from cio import CustomerIOClient
from cio.errors import ValidationError
from cio.io import validate
from cio.models import Identify, encode_message
from cio.testing import RecordingTransport

NAIVE = datetime(2024, 5, 1, 9, 30)
FIX_WORDS = ("has no timezone", "2024-05-01T09:30:00Z", "tzinfo=timezone.utc", "--assume-timezone")


def _assert_the_message(text: str) -> None:
    for words in FIX_WORDS:
        assert words in text, text
    assert "Input should have timezone info" not in text


def _message_from_model(**fields: object) -> str:
    with pytest.raises(pydantic.ValidationError) as info:
        Identify(user_id="1", **fields)
    (error,) = info.value.errors()
    return str(error["msg"])


def test_model_timestamp_field() -> None:
    _assert_the_message(_message_from_model(timestamp=NAIVE))
    _assert_the_message(_message_from_model(timestamp="2024-05-01T09:30:00"))


def test_trait_value() -> None:
    _assert_the_message(_message_from_model(traits={"joined": NAIVE}))


def test_wire_path_for_dicts() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        encode_message({"type": "identify", "userId": "1", "timestamp": NAIVE})
    _assert_the_message(str(info.value))


def test_client_call() -> None:
    client = CustomerIOClient(api_key="k", transport=RecordingTransport())
    with client, pytest.raises(ValidationError) as info:
        client.identify("1", timestamp=NAIVE)
    _assert_the_message(str(info.value))


def test_csv_cell(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,event,timestamp\n1,Signed Up,2024-05-01T09:30:00\n", encoding="utf-8")
    (error,) = validate(path, "track").errors
    _assert_the_message(error.msg)


def test_aware_values_still_pass() -> None:
    aware = datetime(2024, 5, 1, 9, 30, tzinfo=timezone.utc)
    message = Identify(user_id="1", timestamp=aware, traits={"joined": aware})
    assert message.timestamp == aware


def test_dataframe_cell() -> None:
    frame = pandas.DataFrame({"user_id": ["1"], "event": ["Signed Up"], "timestamp": [NAIVE]})
    (error,) = validate(frame, "track").errors
    _assert_the_message(error.msg)
