"""The fields every Data Pipelines message shares."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AwareDatetime, Field

from cio._constants import MAX_MESSAGE_BYTES
from cio.errors import PayloadTooLargeError
from cio.models._core import CIOModel, Identifier, new_message_id
from cio.models.context import Context

__all__ = ["Message"]


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
    timestamp: AwareDatetime | None = None
    """When the action happened (timezone-aware); defaults to when the API received it."""
    sent_at: AwareDatetime | None = None
    """When a library sent the message (timezone-aware); optional."""
    original_timestamp: AwareDatetime | None = None
    """The time on the sending device when the call was made (timezone-aware); optional."""
    context: Context | None = None
    """Information about the environment: ip, locale, page, device, library, ..."""
    integrations: dict[str, bool] | None = None
    """Destinations to enable or disable for this message, by name."""
    anonymous_id: Identifier | None = None
    """An id for a person you do not know yet."""
    user_id: Identifier | None = None
    """Your id for the person."""

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
        data = self.to_json_unchecked()
        if len(data) > MAX_MESSAGE_BYTES:
            raise PayloadTooLargeError(
                f"{self.type} message is {len(data)} bytes; the API accepts at most "
                f"{MAX_MESSAGE_BYTES} bytes per message",
                size=len(data),
                limit=MAX_MESSAGE_BYTES,
            )
        return data
