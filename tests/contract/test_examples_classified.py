"""Every example in the OpenAPI document, classified: accepted, or refused for a reason.

The examples are the request-body and schema examples, the JSON bodies of the cURL
samples, and the SDK samples (see :mod:`tests.contract.examples`). Each is given to
``encode_message`` exactly as the document writes it. The API decides what is valid,
so an example is expected to be accepted unless the document itself shows why not;
each such case is listed in ``REFUSED`` with that reason (and in
``docs/openapi-quirks.md``). An accepted example is sent as written: the same keys and
values, apart from a generated ``messageId``, the RFC 3339 spelling of date-times and an
envelope field given as ``null`` (left out, as the API treats it).
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

import pydantic
import pytest

from cio.models import SEMANTIC_EVENTS, encode_message
from tests.contract import openapi_doc as doc
from tests.contract.examples import Example, all_examples

pytestmark = [
    pytest.mark.skipif(
        doc.spec_path() is None,
        reason="OpenAPI document not found: set CIO_OPENAPI_SPEC (see openapi_doc.py)",
    ),
    pytest.mark.timeout(60),
]

NOT_JSON = "not_json"
TRAILING_COMMA = "the example's date-times end with a comma (format: date-time)"
# label -> (error types expected, the reason the document itself gives)
REFUSED: dict[str, tuple[frozenset[str], str]] = {
    "/group request example": (frozenset({"datetime_from_date_parsing"}), TRAILING_COMMA),
    "components.schemas.group example": (
        frozenset({"datetime_from_date_parsing"}),
        TRAILING_COMMA,
    ),
    "/identify Python sample": (frozenset({NOT_JSON}), "a comma is missing after 'email'"),
    "/track JavaScript sample": (frozenset({NOT_JSON}), "commas are missing between properties"),
    "/track NodeJS sample": (frozenset({NOT_JSON}), "a comma is missing after 'qty'"),
    "/alias Python sample": (frozenset({NOT_JSON}), "its arguments are variables, not data"),
    "info.description javascript block 2": (
        frozenset({NOT_JSON}),
        "commas are missing between the Product Viewed properties",
    ),
    "info.description javascript block 0": (
        frozenset({"missing"}),
        "Device Created or Updated needs userId and context.device.token (its schema's "
        "required list); the snippet puts the device in properties",
    ),
}
DATE_TIMES = ("timestamp", "sentAt", "receivedAt", "originalTimestamp")
EXAMPLES = all_examples()
ACCEPTED = [example for example in EXAMPLES if example.label not in REFUSED]


def _messages(example: Example) -> list[dict[str, Any]]:
    items = example.message["batch"] if example.path == "/batch" else [example.message]
    # A single-message endpoint sets "type" from its path, as the API does.
    return [{"type": example.path.strip("/"), **item} for item in items]


def _outcome(example: Example) -> frozenset[str]:
    """Empty when every message is accepted, else the error types found."""
    if example.message is None:
        return frozenset({NOT_JSON})
    found: set[str] = set()
    for message in _messages(example):
        try:
            encode_message(message)
        except pydantic.ValidationError as exc:
            found.update(error["type"] for error in exc.errors())
    return frozenset(found)


def _canonical(message: dict[str, Any]) -> dict[str, Any]:
    result = {key: value for key, value in message.items() if value is not None}
    for key in DATE_TIMES:
        if isinstance(result.get(key), str):
            result[key] = datetime.fromisoformat(result[key].replace("Z", "+00:00"))
    if result.get("event") in SEMANTIC_EVENTS:
        # Semantic properties have their own fidelity tests (tests/unit/models).
        result.pop("properties", None)
    return result


def test_the_document_has_examples_of_every_kind() -> None:
    labels = " ".join(example.label for example in EXAMPLES)
    assert len(EXAMPLES) >= 40
    for kind in ("request example", "schemas.", "cURL sample", "NodeJS sample", "block"):
        assert kind in labels


def test_every_refusal_names_an_example_that_exists() -> None:
    assert set(REFUSED) <= {example.label for example in EXAMPLES}


@pytest.mark.parametrize("example", EXAMPLES, ids=[example.label for example in EXAMPLES])
def test_each_example_is_accepted_or_refused_for_its_stated_reason(example: Example) -> None:
    expected, _reason = REFUSED.get(example.label, (frozenset(), ""))
    assert _outcome(example) == expected


@pytest.mark.parametrize("example", ACCEPTED, ids=[example.label for example in ACCEPTED])
def test_an_accepted_example_is_sent_as_written(example: Example) -> None:
    for message in _messages(example):
        sent = json.loads(encode_message(message).body)
        if "messageId" not in message:
            sent.pop("messageId")
        assert _canonical(sent) == _canonical(message)
