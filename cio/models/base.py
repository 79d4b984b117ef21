"""The fields every Data Pipelines message shares."""

from __future__ import annotations

import json
from typing import Annotated, Any, ClassVar

import pydantic
from pydantic import ConfigDict, Field, GetJsonSchemaHandler, PlainValidator, StrictFloat, StrictInt
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError

from cio._constants import MAX_MESSAGE_BYTES
from cio.errors import ErrorDetail, PayloadTooLargeError
from cio.models._advice import advise_body, enforce_policy, warning_policy
from cio.models._core import (
    CIOModel,
    Identifier,
    Timestamp,
    new_message_id,
    returns_none_only_for_none,
    share_fields_set,
)
from cio.models._values import JsonSafe, json_safe_mapping
from cio.models.context import Context

__all__ = ["Message", "check_message_size", "message_too_large", "ordering_key"]


@returns_none_only_for_none
def _check_integration(value: Any) -> Any:
    if isinstance(value, bool):
        return value
    if isinstance(value, dict):
        return json_safe_mapping(value)
    raise PydanticCustomError(
        "integration_setting",
        "must be true, false or an object of that destination's options "
        "(a string such as 'false' is not read as a boolean)",
    )


# The type says what editors and factories should offer; the function decides.
IntegrationSetting = Annotated[bool | dict[str, Any], PlainValidator(_check_integration)]
"""One destination's setting in ``integrations``: on/off, or that destination's options."""

_USER_ID, _ANONYMOUS_ID = "userId", "anonymousId"


class Message(CIOModel):
    """Fields common to every Data Pipelines call.

    Subclasses set ``type`` and ``path``. ``messageId`` is generated when the model is
    created, so retrying a send never creates a second event.

    A wire-form dict may carry top-level keys the API ignores (as Customer.io's own
    SDKs sometimes do): they are kept, sent as written, and reported as warnings
    (:attr:`warnings`). Keyword arguments are Python's: a misspelt one is an error.
    """

    # Unknown top-level keys of a wire dict are kept (the API ignores them) and warned
    # about; each must still be a JSON value.
    model_config = ConfigDict(extra="allow")
    __pydantic_extra__: dict[str, JsonSafe] = Field(init=False)

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
    integrations: dict[str, IntegrationSetting] | None = None
    """Destinations to enable (``true``) or disable (``false``) for this message, by
    name, or a destination's options as an object; strings such as ``"false"`` are
    refused rather than guessed at."""
    anonymous_id: Identifier | None = None
    """An id for a person you do not know yet."""
    user_id: Identifier | None = None
    """Your id for the person."""
    write_key: str | None = None
    """The source's write key, as Customer.io's browser SDK and Segment's libraries
    put it in each message; the API authenticates by the request's header instead."""
    sdk_metadata: dict[str, JsonSafe] | None = Field(default=None, alias="_metadata")
    """``_metadata``: what Customer.io's browser SDK says about its bundled destinations."""
    channel: str | None = None
    """Where the message came from (``browser``, ``server``, ``mobile``), as in the API
    document's examples."""
    received_at: Timestamp | None = None
    """When the API received the message; the API sets it (read-only there)."""
    version: StrictInt | StrictFloat | None = None
    """The message format version some libraries send (the API document's examples
    carry ``1.1``)."""

    def __init__(self, /, **data: Any) -> None:
        known = _KEYWORDS.get(type(self)) or _accepted_keywords(type(self))
        if known.issuperset(data):
            # CIOModel.__init__, inline: a message is built for every event.
            self.__pydantic_validator__.validate_python(data, self_instance=self)
            share_fields_set(self, tuple(data))
            return
        unknown = [key for key in data if key not in known]
        # Report the misspelt keywords together with every other problem of the call.
        errors: list[Any] = []
        try:
            super().__init__(**{key: value for key, value in data.items() if key in known})
        except pydantic.ValidationError as exc:
            errors = [
                {
                    "type": PydanticCustomError(error["type"], error["msg"]),
                    "loc": error["loc"],
                    "input": None,
                }
                for error in exc.errors(include_url=False, include_input=False)
            ]
        name = type(self).__name__
        errors += [
            {
                "type": PydanticCustomError(
                    "unexpected_keyword",
                    "not a parameter of {model}; check the spelling",
                    {"model": name},
                ),
                "loc": (key,),
                "input": None,
            }
            for key in unknown
        ]
        raise pydantic.ValidationError.from_exception_data(name, errors, hide_input=True)

    # Not a custom __init__ for pydantic: model_validate() (the wire path) skips it.
    __init__.__pydantic_base_init__ = True  # type: ignore[attr-defined]

    @property
    def warnings(self) -> tuple[ErrorDetail, ...]:
        """What the API accepts here but is probably a mistake, located (see ``docs/models.md``).

        Returns
        -------
        tuple of ErrorDetail
            Empty when nothing looks wrong.

        Example
        -------
        >>> from cio.models import Identify
        >>> [w.field for w in Identify(user_id="1", traits={"email": "ada"}).warnings]
        ['traits.email']
        """
        return advise_body(self.to_json_unchecked())

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

    def to_json(self, *, warnings: str | None = None) -> bytes:
        """The wire form as compact JSON bytes, refusing messages over 32 KB.

        Parameters
        ----------
        warnings : {"warn", "error"}, optional
            ``"error"`` refuses a message that has :attr:`warnings`; the default comes
            from ``CIO_WARNINGS`` (``warn``: send it).

        Returns
        -------
        bytes

        Raises
        ------
        PayloadTooLargeError
            When the message is larger than the API accepts (it would answer 200 and
            drop it).
        cio.ValidationError
            When it has warnings and the policy is ``error``.

        Example
        -------
        >>> from cio.models import Track
        >>> Track(user_id="u1", event="Signed Up", message_id="m1").to_json()
        b'{"type":"track","messageId":"m1","userId":"u1","event":"Signed Up"}'
        """
        body = check_message_size(self.to_json_unchecked())
        # Warnings change nothing in the bytes; they are looked for only to refuse them.
        if warning_policy(warnings) == "error":
            enforce_policy(advise_body(body), warnings, f"{self.type} message refused")
        return body

    def to_json_with_warnings(
        self, *, warnings: str | None = None
    ) -> tuple[bytes, tuple[ErrorDetail, ...]]:
        """:meth:`to_json` and the message's :attr:`warnings`, from one serialization.

        Parameters
        ----------
        warnings : {"warn", "error"}, optional
            As for :meth:`to_json`.

        Returns
        -------
        tuple of (bytes, tuple of ErrorDetail)

        Raises
        ------
        PayloadTooLargeError
            When the message is over 32 KB.
        cio.ValidationError
            When it has warnings and the policy is ``error``.
        """
        body = check_message_size(self.to_json_unchecked())
        found = advise_body(body)
        return body, enforce_policy(found, warnings, f"{self.type} message refused")


_KEYWORDS: dict[type[Message], frozenset[str]] = {}


def _accepted_keywords(model: type[Message]) -> frozenset[str]:
    """The keyword arguments ``model(...)`` takes: field names and their wire aliases."""
    known = _KEYWORDS.get(model)
    if known is None:
        names = {
            alias
            for name, info in model.model_fields.items()
            for alias in (name, info.alias)
            if alias is not None
        }
        known = _KEYWORDS[model] = frozenset(names)
    return known


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


def ordering_key(user_id: str | None, anonymous_id: str | None, message_id: str) -> str:
    """The key that keeps one person's messages in order: userId, anonymousId, messageId.

    The one place this rule lives: intake, the compiled codecs and the delivery engine's
    lanes all use it.

    Parameters
    ----------
    user_id, anonymous_id : str or None
        The message's identities.
    message_id : str
        Its ``messageId``, the key of a message with neither identity.

    Returns
    -------
    str

    Example
    -------
    >>> ordering_key(None, "anon-1", "m-1")
    'anon-1'
    """
    return user_id or anonymous_id or message_id
