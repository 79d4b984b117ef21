"""Pydantic models for every Data Pipelines payload.

Build a message, validate it, and serialize it once::

    from cio.models import Identify
    message = Identify(user_id="42", traits={"email": "ada@example.com"})
    message.to_json()

Semantic events (``Order Completed``, ``Device Created or Updated``, ...) are
:class:`Track` subclasses in :mod:`cio.models.semantic`; look them up by name in
:data:`SEMANTIC_EVENTS` or build one with :func:`semantic_event`.

Importing this package is cheap: each name is imported from its module the first time
it is used (PEP 562), and each semantic family the first time one of its events is.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cio._lazy import lazy_exports as _lazy_exports

if TYPE_CHECKING:
    from cio.models import semantic as semantic
    from cio.models._advice import (
        WARNINGS_ENV,
        WarningPolicy,
        advise,
        enforce_policy,
        has_outside_advisors,
        warning_policy,
    )
    from cio.models._core import CIOModel, new_message_id
    from cio.models._email import ORDINARY_ADDRESS, OrdinaryAddress
    from cio.models._intake import COMPILED_CODECS, Accepted, encode_message, intake
    from cio.models._wire import EncodedMessage
    from cio.models.base import Message, ordering_key
    from cio.models.calls import (
        SEMANTIC_EVENTS,
        SEMANTIC_FAMILIES,
        Alias,
        AnyMessage,
        Batch,
        Group,
        Identify,
        Page,
        Screen,
        Track,
        parse_message,
        register_semantic_event,
    )
    from cio.models.context import Context, ContextDevice
    from cio.models.registry import SemanticEventName, semantic_event, semantic_event_class

_ADVICE = "cio.models._advice"
_CALLS = "cio.models.calls"
_INTAKE = "cio.models._intake"
_LAZY: dict[str, str] = {
    "semantic": "cio.models.semantic",
    "WARNINGS_ENV": _ADVICE,
    "WarningPolicy": _ADVICE,
    "advise": _ADVICE,
    "enforce_policy": _ADVICE,
    "has_outside_advisors": _ADVICE,
    "warning_policy": _ADVICE,
    "CIOModel": "cio.models._core",
    "new_message_id": "cio.models._core",
    "ORDINARY_ADDRESS": "cio.models._email",
    "OrdinaryAddress": "cio.models._email",
    "COMPILED_CODECS": _INTAKE,
    "Accepted": _INTAKE,
    "encode_message": _INTAKE,
    "intake": _INTAKE,
    "EncodedMessage": "cio.models._wire",
    "Message": "cio.models.base",
    "ordering_key": "cio.models.base",
    "SEMANTIC_EVENTS": _CALLS,
    "SEMANTIC_FAMILIES": _CALLS,
    "Alias": _CALLS,
    "AnyMessage": _CALLS,
    "Batch": _CALLS,
    "Group": _CALLS,
    "Identify": _CALLS,
    "Page": _CALLS,
    "Screen": _CALLS,
    "Track": _CALLS,
    "parse_message": _CALLS,
    "register_semantic_event": _CALLS,
    "Context": "cio.models.context",
    "ContextDevice": "cio.models.context",
    "SemanticEventName": "cio.models.registry",
    "semantic_event": "cio.models.registry",
    "semantic_event_class": "cio.models.registry",
}


__all__ = [
    "COMPILED_CODECS",
    "ORDINARY_ADDRESS",
    "SEMANTIC_EVENTS",
    "SEMANTIC_FAMILIES",
    "WARNINGS_ENV",
    "Accepted",
    "Alias",
    "AnyMessage",
    "Batch",
    "CIOModel",
    "Context",
    "ContextDevice",
    "EncodedMessage",
    "Group",
    "Identify",
    "Message",
    "OrdinaryAddress",
    "Page",
    "Screen",
    "SemanticEventName",
    "Track",
    "WarningPolicy",
    "advise",
    "encode_message",
    "enforce_policy",
    "has_outside_advisors",
    "intake",
    "new_message_id",
    "ordering_key",
    "parse_message",
    "register_semantic_event",
    "semantic",
    "semantic_event",
    "semantic_event_class",
    "warning_policy",
]

__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, globals(), __all__)
