"""Read the Data Pipelines OpenAPI document and check wire payloads against it.

The document is not part of the repository. It is read from ``$CIO_OPENAPI_SPEC`` or
from ``../shared/cio_pipelines_api.json`` next to the repository root.

The conversion to JSON Schema is deliberately small:

* ``nullable: true`` becomes a ``"null"`` alternative of ``type``;
* ``oneOf`` becomes ``anyOf``. The document uses ``oneOf`` for alternatives that
  overlap ("Known User" needs ``userId``, "Anonymous User" needs ``anonymousId``), so a
  message carrying both ids, which the API accepts, would match two branches and fail
  a strict ``oneOf``.

Everything else (``x-`` keys, ``example``, ``readOnly``) is ignored by jsonschema.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jsonschema
import jsonschema.protocols
import jsonschema.validators

REPO_ROOT = Path(__file__).resolve().parents[3]
SPEC_ENV = "CIO_OPENAPI_SPEC"
DEFAULT_SPEC = REPO_ROOT.parent / "shared" / "cio_pipelines_api.json"
# The document is OpenAPI 3.1, whose schema dialect is JSON Schema 2020-12.
DEFAULT_DIALECT = jsonschema.Draft202012Validator


def spec_path() -> Path | None:
    """Where the OpenAPI document is, or ``None`` when it is not available."""
    configured = os.environ.get(SPEC_ENV)
    path = Path(configured) if configured else DEFAULT_SPEC
    return path if path.is_file() else None


def to_json_schema(node: Any) -> Any:
    """Convert an OpenAPI 3 schema fragment to plain JSON Schema (see module docstring)."""
    if isinstance(node, list):
        return [to_json_schema(item) for item in node]
    if not isinstance(node, dict):
        return node
    result = {
        ("anyOf" if key == "oneOf" else key): to_json_schema(value)
        for key, value in node.items()
        if key != "nullable"
    }
    if node.get("nullable") is True and "type" in result:
        kind = result["type"]
        result["type"] = [*kind, "null"] if isinstance(kind, list) else [kind, "null"]
    return result


@dataclass(frozen=True)
class OpenAPISchemas:
    """The request-body schemas per path and the named component schemas."""

    paths: dict[str, Any]
    components: dict[str, Any]
    _validators: dict[tuple[str, str], jsonschema.protocols.Validator] = field(
        default_factory=dict, repr=False
    )

    def _validator(self, kind: str, name: str) -> jsonschema.protocols.Validator:
        key = (kind, name)
        if key not in self._validators:
            schema = (self.paths if kind == "path" else self.components)[name]
            validator_class = jsonschema.validators.validator_for(schema, default=DEFAULT_DIALECT)
            validator_class.check_schema(schema)
            self._validators[key] = validator_class(schema)
        return self._validators[key]

    def check_path(self, path: str, payload: dict[str, Any]) -> None:
        """Validate a request body against the schema of ``POST path``."""
        self._validator("path", path).validate(payload)

    def check_component(self, name: str, payload: dict[str, Any]) -> None:
        """Validate a payload against ``components.schemas[name]``."""
        self._validator("component", name).validate(payload)


def load_schemas() -> OpenAPISchemas | None:
    """Load and convert the document, or ``None`` when it is not available."""
    path = spec_path()
    if path is None:
        return None
    document = json.loads(path.read_text(encoding="utf-8"))
    paths = {
        name: to_json_schema(item["post"]["requestBody"]["content"]["application/json"]["schema"])
        for name, item in document["paths"].items()
    }
    components = {
        name: to_json_schema(schema) for name, schema in document["components"]["schemas"].items()
    }
    return OpenAPISchemas(paths=paths, components=components)
