"""Seeded polyfactory factories that build valid instances of every message model."""

from __future__ import annotations

from typing import Any, ClassVar

from polyfactory.factories.pydantic_factory import ModelFactory

from cio.models import Message

SEED = 20240611
INSTANCES_PER_MODEL = 6


class _Base(ModelFactory[Any]):
    __is_base_factory__ = True
    __random_seed__ = SEED
    __use_defaults__ = False
    __allow_none_optionals__ = True


def build_messages(model: type[Message], count: int = INSTANCES_PER_MODEL) -> list[Message]:
    """``count`` random valid instances of ``model`` (seeded, so reproducible).

    Identity is forced where the model needs it, since the factory may leave both
    ``userId`` and ``anonymousId`` empty.
    """
    factory = _Base.create_factory(model)
    # The document types integration settings as booleans only; destination option
    # objects (also accepted, see docs/openapi-quirks.md) are tested on their own.
    identity: dict[str, Any] = {"integrations": _integrations()}
    requires: ClassVar[bool] | bool = getattr(model, "requires_identity", False)
    if requires:
        identity["user_id"] = "user-1"
    return [factory.build(**identity) for _ in range(count)]


def _integrations() -> dict[str, bool]:
    return {"All": True, "Salesforce": False}
