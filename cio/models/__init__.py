"""Pydantic models for every Data Pipelines payload.

Build a message, validate it, and serialize it once::

    from cio.models import Identify
    message = Identify(user_id="42", traits={"email": "ada@example.com"})
    message.to_json()
"""

from cio.models._core import CIOModel, new_message_id
from cio.models.base import Message
from cio.models.calls import (
    SEMANTIC_EVENTS,
    Alias,
    AnyMessage,
    Batch,
    Group,
    Identify,
    Page,
    Screen,
    Track,
    parse_message,
)
from cio.models.context import Context, ContextDevice

__all__ = [
    "SEMANTIC_EVENTS",
    "Alias",
    "AnyMessage",
    "Batch",
    "CIOModel",
    "Context",
    "ContextDevice",
    "Group",
    "Identify",
    "Message",
    "Page",
    "Screen",
    "Track",
    "new_message_id",
    "parse_message",
]
