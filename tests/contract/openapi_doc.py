"""The OpenAPI document as the contract tests read it, and its documented corrections.

The document lives outside the repository: ``$CIO_OPENAPI_SPEC`` or
``../shared/cio_pipelines_api.json`` next to the repository root. Every correction
applied here is listed, with the reason, in ``docs/openapi-quirks.md``.

Conversion of OpenAPI 3.0 schemas to JSON Schema (2020-12):

* ``nullable: true`` adds ``"null"`` to ``type``;
* ``readOnly`` properties are dropped (and no longer required): a request never
  carries them;
* ``example``, ``description``, ``title`` and ``x-`` keys are dropped;
* ``oneOf`` becomes ``anyOf``: the document's alternatives overlap (none closes its
  properties), so a message with both ``userId`` and ``anonymousId``, which the API
  accepts, would match two branches and fail a strict ``oneOf``;
* ``$ref`` is kept and resolved against the document's ``components``.
"""

from __future__ import annotations

import copy
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

REPO_ROOT = Path(__file__).resolve().parents[2]
SPEC_ENV = "CIO_OPENAPI_SPEC"
DEFAULT_SPEC = REPO_ROOT.parent / "shared" / "cio_pipelines_api.json"
REQUEST_PATHS = ("/identify", "/track", "/page", "/screen", "/group", "/alias", "/batch")
TABLE_MARKER = "complete list of all the semantic event names"
SCHEMA_REF = re.compile(r'schemaRef="#/components/schemas/([^"]+)"')
DROPPED_KEYS = frozenset({"example", "examples", "description", "title"})

# Events the document points at the wrong schema, or at none (docs/openapi-quirks.md).
SCHEMA_OVERRIDES = {
    "Product List Viewed": "product_list_viewed",  # the document points at product_viewed
    "Product Viewed": "product_viewed",  # the document points at product_clicked
    "Video Ad Started": "video_ad_started",  # no schema reference in the document
    "Video Ad Completed": "video_ad_completed",  # no schema reference in the document
    "Group Deleted": "group_deleted",  # table name; the schema's event is Object Deleted
    "Video Quality Updated": "video_quality_updated",  # schema without a table row
}


def spec_path() -> Path | None:
    """Where the document is, or ``None`` when it is absent."""
    configured = os.environ.get(SPEC_ENV)
    path = Path(configured) if configured else DEFAULT_SPEC
    return path if path.is_file() else None


@cache
def raw_document() -> dict[str, Any]:
    """The document as published (parsed JSON)."""
    path = spec_path()
    assert path is not None
    return json.loads(path.read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def _corrected(document: dict[str, Any]) -> dict[str, Any]:
    """Apply the schema corrections listed in docs/openapi-quirks.md."""
    fixed = copy.deepcopy(document)
    schemas = fixed["components"]["schemas"]
    # Report Content Event requires "activityType" but defines (and its example sends)
    # "actionType": the required name is a typo.
    content = schemas["report_content_event"]["properties"]["properties"]
    content["required"] = [
        "actionType" if name == "activityType" else name for name in content["required"]
    ]
    # "Group Deleted" (in the table) is the same operation as "Object Deleted".
    schemas["group_deleted"]["properties"]["event"]["enum"].append("Group Deleted")
    return fixed


@cache
def document() -> dict[str, Any]:
    """The document with the documented corrections applied."""
    return _corrected(raw_document())


def to_json_schema(node: Any) -> Any:
    """Convert one OpenAPI 3.0 schema node (recursively) to JSON Schema."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    result: dict[str, Any] = {}
    read_only = {
        name
        for name, sub in node.get("properties", {}).items()
        if isinstance(sub, dict) and sub.get("readOnly")
    }
    for key, value in node.items():
        if key in DROPPED_KEYS or key.startswith("x-") or key in {"nullable", "readOnly"}:
            continue
        if key == "properties":
            result[key] = {
                name: to_json_schema(sub) for name, sub in value.items() if name not in read_only
            }
        elif key == "required":
            result[key] = [name for name in value if name not in read_only]
        elif key == "oneOf":
            result["anyOf"] = to_json_schema(value)
        elif key == "additionalProperties" and isinstance(value, dict):
            result[key] = to_json_schema(value)
        else:
            result[key] = to_json_schema(value)
    if node.get("nullable") and "type" in result:
        result["type"] = [result["type"], "null"]
    return result


@cache
def _components() -> dict[str, Any]:
    return {"schemas": to_json_schema(document()["components"]["schemas"])}


_VALIDATORS: dict[int, jsonschema.protocols.Validator] = {}


def validator_for(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    """A 2020-12 validator for a converted schema, ``$ref`` resolved in the document."""
    key = id(schema)
    if key not in _VALIDATORS:
        _VALIDATORS[key] = _build_validator(schema)
    return _VALIDATORS[key]


def _build_validator(schema: dict[str, Any]) -> jsonschema.protocols.Validator:
    rooted = {**to_json_schema(schema), "components": _components()}
    return jsonschema.Draft202012Validator(
        rooted, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    )


def request_schema(path: str) -> dict[str, Any]:
    """The request body schema of one path."""
    body = document()["paths"][path]["post"]["requestBody"]["content"]["application/json"]
    return body["schema"]  # type: ignore[no-any-return]


def request_example(path: str) -> dict[str, Any] | None:
    """The request body example of one path, if the document gives one."""
    return request_schema(path).get("example")


def semantic_table() -> dict[str, tuple[str, ...]]:
    """The table of semantic event names in info.description, by row label."""
    text = document()["info"]["description"]
    table = text[text.index(TABLE_MARKER) :]
    rows: dict[str, tuple[str, ...]] = {}
    for line in table.splitlines()[1:]:
        if not line.startswith("|"):
            if rows:
                break
            continue
        cells = [cell.strip() for cell in line.strip("|").split("|")]
        names = tuple(re.findall(r"`([^`]+)`", cells[-1]))
        if names:
            rows[cells[0]] = names
    return rows


def _referenced_schemas() -> Iterator[tuple[str, str]]:
    """(heading or tag text, schema name) for every schemaRef in the prose."""
    texts = [document()["info"]["description"]]
    texts += [tag.get("description", "") for tag in document().get("tags", [])]
    for text in texts:
        for section in re.split(r"\n#+ ", text):
            heading = section.splitlines()[0].strip() if section else ""
            for name in SCHEMA_REF.findall(section):
                yield heading, name


def _event_enum(schema: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    for branch in schema.get("oneOf", [schema]):
        names.update(branch.get("properties", {}).get("event", {}).get("enum", []))
    return names


def tagged_event_names() -> set[str]:
    """Event names fixed by the schemas the prose references (Customer.io's own, mobile)."""
    schemas = document()["components"]["schemas"]
    names: set[str] = set()
    for _, name in _referenced_schemas():
        names |= _event_enum(schemas[name])
    return names


def documented_event_names() -> set[str]:
    """Every semantic event name the document defines: the table plus tagged schemas."""
    table = {name for names in semantic_table().values() for name in names}
    return table | tagged_event_names()


@dataclass(frozen=True)
class EventSchema:
    """Where an event's schema is and what part of a message it describes."""

    name: str
    schema_name: str
    whole_message: bool

    @property
    def schema(self) -> dict[str, Any]:
        return document()["components"]["schemas"][self.schema_name]  # type: ignore[no-any-return]


def _describes_whole_message(schema: dict[str, Any]) -> bool:
    for branch in schema.get("oneOf", [schema]):
        if {"event", "properties", "context"} & set(branch.get("properties", {})):
            return True
    return False


def event_schema(name: str) -> EventSchema | None:
    """The schema for a semantic event name: override, event enum, heading or name."""
    schemas = document()["components"]["schemas"]
    schema_name = SCHEMA_OVERRIDES.get(name)
    if schema_name is None:
        for heading, referenced in _referenced_schemas():
            if name in _event_enum(schemas[referenced]) or heading.lower() == name.lower():
                schema_name = referenced
                break
    if schema_name is None:  # for example "Experiment Viewed" -> experiment_viewed
        snake = re.sub(r"\W+", "_", name.lower())
        schema_name = snake if snake in schemas else None
    if schema_name is None:
        return None
    return EventSchema(name, schema_name, _describes_whole_message(schemas[schema_name]))
