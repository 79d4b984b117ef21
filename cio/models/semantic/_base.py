"""Building blocks shared by the semantic event families.

Property models keep the document's exact wire names. Python attribute names are
always snake_case; the serialization alias is the wire name, and both the snake_case
and the camelCase spelling are accepted on input. Keys a model does not declare are
kept (the document never closes a properties object), after the same JSON-safety
conversion as free-form properties.
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import AliasChoices, AliasGenerator, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel
from pydantic_core import PydanticCustomError

from cio.models._core import CIOModel
from cio.models._values import JsonSafe

__all__ = [
    "CamelCaseProperties",
    "ObjectTypeId",
    "SnakeCaseProperties",
]


def _same(name: str) -> str:
    return name


def _check_object_type_id(value: Any) -> Any:
    # bool is an int subclass; refuse it explicitly rather than send 1 for True.
    if isinstance(value, bool):
        raise PydanticCustomError("object_type_id", "objectTypeId must be a positive integer")
    return value


class _OpenProperties(CIOModel):
    """A properties object: declared keys typed, other keys kept and made JSON-safe."""

    model_config = ConfigDict(extra="allow")

    # Undeclared keys are validated in pydantic-core by this type, only when present.
    __pydantic_extra__: dict[str, JsonSafe] = Field(init=False)


def _wire_then_camel(name: str) -> AliasChoices:
    return AliasChoices(name, to_camel(name))


class SnakeCaseProperties(_OpenProperties):
    """Properties whose wire names are snake_case (ecommerce, email, video, ...).

    ``product_id`` is sent as ``product_id``; ``productId`` is accepted on input too.
    When both are given, ``product_id`` is the field and ``productId`` is kept as an
    extra key under its own name (rather than writing ``product_id`` twice).
    """

    model_config = ConfigDict(
        alias_generator=AliasGenerator(validation_alias=_wire_then_camel, serialization_alias=_same)
    )


class CamelCaseProperties(_OpenProperties):
    """Properties whose wire names are camelCase (Customer.io's own events).

    ``object_id`` is sent as ``objectId``; ``object_id`` is accepted on input too.
    """


ObjectTypeId = Annotated[int, BeforeValidator(_check_object_type_id), Field(gt=0)]
"""An object type id: a positive integer; a string of digits is accepted on input."""
