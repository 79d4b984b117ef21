"""Live chat semantic events: conversations between a person and an agent."""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from typing_extensions import TypedDict

from cio._constants import SEMANTIC_FAMILY_LIVE_CHAT
from cio.models.calls import Track, register_semantic_event
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import RECOMMENDED, add_help

__all__ = [
    "LiveChatConversationEnded",
    "LiveChatConversationEndedProperties",
    "LiveChatConversationStarted",
    "LiveChatConversationStartedProperties",
    "LiveChatMessageReceived",
    "LiveChatMessageReceivedProperties",
    "LiveChatMessageSent",
    "LiveChatMessageSentProperties",
    "LiveChatProperties",
]


class LiveChatProperties(TypedDict, total=False):
    """The conversation, the agent and the message."""

    agent_id: str
    """The agent's id."""
    agent_name: str
    """The agent's real name."""
    agent_username: str
    """The agent's username."""
    conversation_id: str
    """The conversation's id."""
    conversation_duration: int
    """Seconds into the conversation (0 when it starts)."""
    message_id: str
    """The chat message's id (not the API ``messageId``)."""


class _LiveChat(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_LIVE_CHAT
    properties: Annotated[LiveChatProperties | None, RECOMMENDED] = None  # type: ignore[assignment]
    """The conversation."""


class LiveChatConversationStartedProperties(LiveChatProperties, total=False):
    """Recommended properties of ``Live Chat Conversation Started``."""


@register_semantic_event
class LiveChatConversationStarted(_LiveChat):
    """A person started a conversation with an agent.

    Example
    -------
    >>> LiveChatConversationStarted(
    ...     user_id="42", properties={"conversation_id": "c-1", "conversation_duration": 0}
    ... ).to_payload()["properties"]
    {'conversation_id': 'c-1', 'conversation_duration': 0}
    """

    event: Literal["Live Chat Conversation Started"] = "Live Chat Conversation Started"
    """Always ``Live Chat Conversation Started``."""
    properties: Annotated[LiveChatConversationStartedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``LiveChatConversationStartedProperties``)."""


class LiveChatConversationEndedProperties(LiveChatProperties, total=False):
    """Recommended properties of ``Live Chat Conversation Ended``."""


@register_semantic_event
class LiveChatConversationEnded(_LiveChat):
    """A conversation ended."""

    event: Literal["Live Chat Conversation Ended"] = "Live Chat Conversation Ended"
    """Always ``Live Chat Conversation Ended``."""
    properties: Annotated[LiveChatConversationEndedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``LiveChatConversationEndedProperties``)."""


class LiveChatMessageSentProperties(LiveChatProperties, total=False):
    """Recommended properties of ``Live Chat Message Sent``."""


@register_semantic_event
class LiveChatMessageSent(_LiveChat):
    """An agent sent a message to the person."""

    event: Literal["Live Chat Message Sent"] = "Live Chat Message Sent"
    """Always ``Live Chat Message Sent``."""
    properties: Annotated[LiveChatMessageSentProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``LiveChatMessageSentProperties``)."""


class LiveChatMessageReceivedProperties(LiveChatProperties, total=False):
    """Recommended properties of ``Live Chat Message Received``."""


@register_semantic_event
class LiveChatMessageReceived(_LiveChat):
    """You received a message from the person."""

    event: Literal["Live Chat Message Received"] = "Live Chat Message Received"
    """Always ``Live Chat Message Received``."""

    properties: Annotated[LiveChatMessageReceivedProperties | None, RECOMMENDED] = None
    """Recommended properties (see ``LiveChatMessageReceivedProperties``)."""


add_help(globals())
