"""Every example the OpenAPI document gives, as messages a client would send.

Three sources: the request-body and schema ``example`` values; the JSON bodies of the
cURL samples (``x-codeSamples``); and the SDK samples (``x-codeSamples`` and the fenced
``javascript`` blocks in the descriptions), whose object literals are read as JSON
(bare keys quoted, single quotes made double) and whose positional arguments are mapped
to fields the way each library's call does. A sample that does not parse stays in the
list with ``message=None`` and the parse problem, so it is classified too.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from tests.contract import openapi_doc as doc

_CURL_BODY = re.compile(r"(?:--data-raw|-d)\s+'(.*?)'", re.S)
_CURL_PATH = re.compile(r"--url\s+\S+/v1(/\w+)")
_CALL = re.compile(r"analytics\.(\w+)\((.*)\)\s*;?\s*$", re.S)
_FENCED_JS = re.compile(r"```javascript\n(.*?)```", re.S)
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_$][\w$]*)\s*:")
_SINGLE_QUOTED = re.compile(r"'((?:[^'\\]|\\.)*)'")
# The anonymousId a browser SDK adds to a call made without a user.
BROWSER_ANONYMOUS_ID = "browser-anonymous-id"

# Positional arguments of each library's calls, by sample label.
_BROWSER_ARGS = {
    "identify": ("userId", "traits"),
    "track": ("event", "properties"),
    "page": ("category", "name", "properties"),
    "group": ("groupId", "traits"),
    "alias": ("userId", "previousId"),
}
_PYTHON_ARGS = {
    "identify": ("userId", "traits"),
    "track": ("userId", "event", "properties"),
    "page": ("userId", "category", "name", "properties"),
    "group": ("userId", "groupId", "traits"),
    "alias": ("previousId", "userId"),
}


@dataclass(frozen=True)
class Example:
    """One example from the document, as the message (or batch body) a client sends."""

    label: str
    path: str
    message: Any
    problem: str = ""


def _json_from_literal(text: str) -> Any:
    """A JavaScript/Python literal read as JSON; raises ValueError when it is not one."""
    quoted = _SINGLE_QUOTED.sub(lambda match: json.dumps(match.group(1)), text)
    keyed = _BARE_KEY.sub(lambda match: f'{match.group(1)}"{match.group(2)}":', quoted)
    return json.loads(keyed)


def _sdk_message(label: str, source: str, python: bool) -> Example:
    match = _CALL.search(source.strip())
    if match is None:
        return Example(label, "", None, "not a call of the analytics library")
    kind, arguments = match.group(1), match.group(2)
    path = "/" + kind
    try:
        values = _json_from_literal(f"[{arguments}]")
    except ValueError:
        return Example(
            label, path, None, "the sample is not valid JSON (missing commas or variables)"
        )
    if len(values) == 1 and isinstance(values[0], dict):  # NodeJS: one object
        return Example(label, path, {"type": kind, **values[0]})
    names = (_PYTHON_ARGS if python else _BROWSER_ARGS)[kind]
    message: dict[str, Any] = {"type": kind, **dict(zip(names, values, strict=False))}
    if not python and "userId" not in message and kind != "alias":
        message["anonymousId"] = BROWSER_ANONYMOUS_ID
    return Example(label, path, message)


def _code_samples() -> Iterator[Example]:
    for path, operations in doc.document()["paths"].items():
        for sample in operations["post"].get("x-codeSamples", []):
            label = f"{path} {sample.get('label', sample['lang'])} sample"
            source = sample["source"]
            if sample["lang"] == "shell":
                body = _CURL_BODY.search(source)
                url = _CURL_PATH.search(source)
                assert body is not None and url is not None, label
                yield Example(label, url.group(1), json.loads(body.group(1)))
            elif sample["lang"] in ("javascript", "python"):
                yield _sdk_message(label, source, python=sample["lang"] == "python")


def _description_samples() -> Iterator[Example]:
    text = doc.document()["info"]["description"]
    for number, source in enumerate(_FENCED_JS.findall(text)):
        yield _sdk_message(f"info.description javascript block {number}", source, python=False)


def _schema_examples() -> Iterator[Example]:
    for path in doc.REQUEST_PATHS:
        example = doc.request_example(path)
        if example is not None:
            yield Example(f"{path} request example", path, example)
    for name, schema in doc.document()["components"]["schemas"].items():
        example = schema.get("example")
        if isinstance(example, dict) and isinstance(example.get("type"), str):
            yield Example(f"components.schemas.{name} example", "/" + example["type"], example)


def all_examples() -> list[Example]:
    """Every example, in document order: schema examples, code samples, description blocks."""
    if doc.spec_path() is None:
        return []
    return [*_schema_examples(), *_code_samples(), *_description_samples()]
