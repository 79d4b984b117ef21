"""The fields every Data Pipelines message shares."""

from __future__ import annotations

import json
from typing import ClassVar

from pydantic import Field, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from cio._constants import MAX_MESSAGE_BYTES
from cio.errors import PayloadTooLargeError
from cio.models._core import CIOModel, Identifier, Timestamp, new_message_id
from cio.models.context import Context

__all__ = ["Message", "check_message_size", "message_too_large"]

_USER_ID, _ANONYMOUS_ID = "userId", "anonymousId"


class Message(CIOModel):
    """Fields common to every Data Pipelines call.

    Subclasses set ``type`` and ``path``. ``messageId`` is generated when the model is
    created, so retrying a send never creates a second event.
    """

    path: ClassVar[str]
    """The API path a single message of this kind is sent to, for example ``/track``."""

    type: str
    """The call type; fixed by each subclass (``identify``, ``track``, ...)."""
    message_id: Identifier = Field(default_factory=new_message_id)
    """Unique id of this message; Customer.io uses it to drop duplicates."""
    timestamp: Timestamp | None = None
    """When the action happened (timezone-aware); defaults to when the API received it."""
    sent_at: Timestamp | None = None
    """When a library sent the message (timezone-aware); optional."""
    original_timestamp: Timestamp | None = None
    """The time on the sending device when the call was made (timezone-aware); optional."""
    context: Context | None = None
    """Information about the environment: ip, locale, page, device, library, ..."""
    integrations: dict[str, bool] | None = None
    """Destinations to enable or disable for this message, by name."""
    anonymous_id: Identifier | None = None
    """An id for a person you do not know yet."""
    user_id: Identifier | None = None
    """Your id for the person."""

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        """The model's JSON Schema, with the identity rule a field list cannot express.

        Parameters
        ----------
        core_schema : CoreSchema
            The model's core schema.
        handler : GetJsonSchemaHandler
            Pydantic's JSON Schema generator.

        Returns
        -------
        dict
            For a message that needs a person, ``anyOf`` requires ``userId`` or
            ``anonymousId``, as the model does.
        """
        json_schema = handler(core_schema)
        if getattr(cls, "requires_identity", False):
            target = handler.resolve_ref_schema(json_schema)
            target["anyOf"] = [
                {"required": [key], "properties": {key: {"type": "string"}}}
                for key in (_USER_ID, _ANONYMOUS_ID)
            ]
        return json_schema

    def to_json(self) -> bytes:
        """The wire form as compact JSON bytes, refusing messages over 32 KB.

        Returns
        -------
        bytes

        Raises
        ------
        PayloadTooLargeError
            When the message is larger than the API accepts (it would answer 200 and
            drop it).

        Example
        -------
        >>> from cio.models import Track
        >>> Track(user_id="u1", event="Signed Up", message_id="m1").to_json()
        b'{"type":"track","messageId":"m1","userId":"u1","event":"Signed Up"}'
        """
        return check_message_size(self.to_json_unchecked())


def check_message_size(body: bytes) -> bytes:
    """``body`` unchanged when the API accepts its size.

    Parameters
    ----------
    body : bytes
        One message's compact JSON.

    Returns
    -------
    bytes
        ``body``.

    Raises
    ------
    PayloadTooLargeError
        When it is over 32 KB: the API would answer 200 and drop it.

    Example
    -------
    >>> check_message_size(b'{"type":"track"}')
    b'{"type":"track"}'
    """
    if len(body) > MAX_MESSAGE_BYTES:
        raise message_too_large(body)
    return body


def message_too_large(body: bytes) -> PayloadTooLargeError:
    """The error for a message body over 32 KB, naming its kind and size.

    Parameters
    ----------
    body : bytes
        The message's compact JSON.

    Returns
    -------
    PayloadTooLargeError
    """
    # Only on this rare path is the body read back, to name the kind of message.
    kind = json.loads(body).get("type", "a")
    return PayloadTooLargeError(
        f"{kind} message is {len(body)} bytes; the API accepts at most "
        f"{MAX_MESSAGE_BYTES} bytes per message",
        size=len(body),
        limit=MAX_MESSAGE_BYTES,
    )
