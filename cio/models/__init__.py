"""Pydantic models for every Data Pipelines payload.

Build a message, validate it, and serialize it once::

    from cio.models import Identify
    message = Identify(user_id="42", traits={"email": "ada@example.com"})
    message.to_json()

Semantic events (``Order Completed``, ``Device Created or Updated``, ...) are
:class:`Track` subclasses in :mod:`cio.models.semantic`; look them up by name in
:data:`SEMANTIC_EVENTS` or build one with :func:`semantic_event`.
"""

from cio.models import semantic as semantic
from cio.models._advice import (
    WARNINGS_ENV,
    WarningPolicy,
    advise,
    enforce_policy,
    warning_policy,
)
from cio.models._core import CIOModel, new_message_id
from cio.models._intake import Accepted, encode_message, intake
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
from cio.models.registry import semantic_event, semantic_event_class

__all__ = [
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
    "Page",
    "Screen",
    "Track",
    "WarningPolicy",
    "advise",
    "encode_message",
    "enforce_policy",
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
