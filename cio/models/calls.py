"""The six Data Pipelines calls, the batch envelope, and parsing of wire dicts.

``identify``, ``track``, ``page`` and ``screen`` need a ``userId`` or an ``anonymousId``;
``group`` needs a ``groupId``; ``alias`` needs ``userId`` and ``previousId``.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Annotated, Any, ClassVar, Literal, TypeAlias, TypeVar, get_args

import pydantic
from pydantic import Field, field_validator, model_validator
from pydantic_core import PydanticCustomError

from cio._constants import (
    MAX_BATCH_BYTES,
    PATH_ALIAS,
    PATH_BATCH,
    PATH_GROUP,
    PATH_IDENTIFY,
    PATH_PAGE,
    PATH_SCREEN,
    PATH_TRACK,
)
from cio.batching import batch_body
from cio.errors import ErrorDetail, PayloadTooLargeError
from cio.models._advice import (
    VOUCHED_KEY,
    VOUCHED_PROPERTIES,
    advise_body,
    advise_properties,
    has_outside_advisors,
    register_advisor,
)
from cio.models._core import (
    CIOModel,
    EventName,
    FreeForm,
    Identifier,
    Traits,
    returns_none_only_for_none,
)
from cio.models._email import email_problem
from cio.models._semantic_names import FAMILY_NAMES, MODULES
from cio.models.base import Message

__all__ = [
    "SEMANTIC_EVENTS",
    "SEMANTIC_FAMILIES",
    "Alias",
    "AnyMessage",
    "Batch",
    "Group",
    "Identify",
    "Page",
    "Screen",
    "Track",
    "message_model",
    "parse_message",
    "register_semantic_event",
]


class _IdentifiedMessage(Message):
    """A message about a person: needs ``userId`` or ``anonymousId``.

    A ``track`` may name a ``groupId`` instead (the ``/track`` group alternative).
    """

    requires_identity: ClassVar[bool] = True

    @model_validator(mode="after")
    def _require_identity(self) -> _IdentifiedMessage:
        if (
            self.requires_identity
            and self.user_id is None
            and self.anonymous_id is None
            and getattr(self, "group_id", None) is None
        ):
            raise PydanticCustomError("missing_identity", _MISSING_IDENTITY[self.type])
        return self


_MISSING_IDENTITY = {
    kind: "either userId or anonymousId is required" for kind in ("identify", "page", "screen")
} | {"track": "one of userId, anonymousId or groupId is required"}


class Identify(_IdentifiedMessage):
    """Create or update a person and their traits (``POST /identify``).

    Example
    -------
    >>> Identify(user_id="42", traits={"email": "ada@example.com", "plan": "pro"}).path
    '/identify'
    """

    path: ClassVar[str] = PATH_IDENTIFY
    type: Literal["identify"] = "identify"
    traits: Traits = None
    """Attributes of the person; ``None`` as a value clears that trait."""


# Lower-cased spellings close to a semantic name (other case, no spaces, underscores,
# "Complete" for "Completed"), mapped to that name: a plain track so named is sent as
# written, with a warning that it will not act as the semantic event.
_NEAR_MISSES: dict[str, str] = {}
_PAST_TENSE_ENDINGS = ("ed", "d")


class _SemanticRegistry(Mapping[str, "type[Track]"]):
    """Event name to semantic class; a built-in family's module is imported on first use.

    The names come from :mod:`cio.models._semantic_names`, so listing or testing names
    imports nothing; looking a name up imports its family module, whose classes register
    themselves with :func:`register_semantic_event`.
    """

    def __init__(self) -> None:
        self._classes: dict[str, type[Track]] = {}
        self._modules = {
            name: MODULES[family] for family, names in FAMILY_NAMES.items() for name in names
        }

    def __getitem__(self, name: str) -> type[Track]:
        found = self._classes.get(name)
        if found is None:
            module = self._modules.get(name)
            if module is None:
                raise KeyError(name)
            importlib.import_module(module)
            found = self._classes[name]
        return found

    def get(self, name: str, default: Any = None) -> Any:
        """The class of ``name``, or ``default`` (a fast path for the common miss).

        Parameters
        ----------
        name : str
            An event name.
        default : Any, optional
            Returned when ``name`` is not a semantic event name.

        Returns
        -------
        type or Any
        """
        found = self._classes.get(name)
        if found is not None:
            return found
        if name in self._modules:
            return self[name]
        return default

    def __contains__(self, name: object) -> bool:
        return name in self._classes or name in self._modules

    def __iter__(self) -> Iterator[str]:
        return iter({**self._modules, **self._classes})

    def __len__(self) -> int:
        return len(self._modules.keys() | self._classes.keys())

    def register(self, name: str, cls: type[Track]) -> None:
        """Map ``name`` to ``cls`` (what :func:`register_semantic_event` calls)."""
        self._classes[name] = cls


_SEMANTIC = _SemanticRegistry()
_FAMILIES: dict[str, tuple[str, ...]] = dict(FAMILY_NAMES)

SEMANTIC_EVENTS: Mapping[str, type[Track]] = _SEMANTIC
"""Every semantic event name mapped to its model class (read-only; a family's classes
are imported the first time one of its names is looked up)."""

SEMANTIC_FAMILIES: Mapping[str, tuple[str, ...]] = MappingProxyType(_FAMILIES)
"""Semantic event names grouped by family (``"cio"``, ``"ecommerce"``, ...), read-only."""


class Track(_IdentifiedMessage):
    """Record something a person did (``POST /track``).

    A plain ``Track`` whose event name is a semantic one (for example
    ``"Order Completed"``) is checked against that event's model: the same rules and
    the same warnings, with ``properties`` sent as written.

    Example
    -------
    >>> Track(user_id="42", event="Signed Up", properties={"plan": "pro"}).event
    'Signed Up'
    """

    path: ClassVar[str] = PATH_TRACK
    family: ClassVar[str | None] = None
    """The semantic family of a registered subclass (``None`` for a plain ``Track``)."""

    type: Literal["track"] = "track"
    event: EventName
    """Event name; surrounding spaces are trimmed, as the API does."""
    properties: FreeForm = None
    """Event properties (free-form JSON object)."""
    group_id: Identifier | None = None
    """The group (object) the event is attributed to; with it, ``userId`` and
    ``anonymousId`` may be left out (the ``/track`` group alternative)."""

    @model_validator(mode="after")
    def _check_semantic(self) -> Track:
        if type(self) is Track:
            semantic = _SEMANTIC.get(self.event)
            if semantic is not None:
                checked = semantic.check_plain_track(self)
                # Only Customer.io's own action events convert a value (objectTypeId).
                self.__dict__["properties"] = checked.properties
            return self
        # A semantic event whose properties its validator just found as recommended
        # keeps that verdict, so intake does not check them again.
        properties = self.properties
        if properties is not None and VOUCHED_PROPERTIES[0] is properties:
            self.__dict__[VOUCHED_KEY] = properties
        return self

    @classmethod
    def event_names(cls) -> tuple[str, ...]:
        """The event names this class accepts; the first is its default.

        Returns
        -------
        tuple of str
            Empty for a plain ``Track`` (any name).

        Example
        -------
        >>> from cio.models.semantic import OrderCompleted
        >>> OrderCompleted.event_names()
        ('Order Completed',)
        """
        names = get_args(cls.model_fields["event"].annotation)
        return tuple(name for name in names if isinstance(name, str))

    @classmethod
    def check_plain_track(cls, message: Track) -> Track:
        """Validate a plain ``Track`` carrying this semantic event's name.

        Semantic subclasses inherit this: it re-validates the message's wire form with
        the subclass and lets its errors (which locate the field, for example
        ``properties.products.0.price``) propagate.

        Parameters
        ----------
        message : Track
            The plain track message.

        Returns
        -------
        Track
            The message as an instance of this class.

        Raises
        ------
        pydantic.ValidationError
            When the message does not fit this event's model.
        """
        return cls.model_validate(message.to_payload())


def _near_spellings(name: str) -> set[str]:
    """Lower-cased spellings a person might type for ``name`` by mistake."""
    lowered = name.lower()
    spellings = {lowered, lowered.replace(" ", ""), lowered.replace(" ", "_")}
    for ending in _PAST_TENSE_ENDINGS:
        spellings |= {
            spelling.removesuffix(ending)
            for spelling in list(spellings)
            if spelling.endswith(ending)
        }
    return spellings


_SemanticTrack = TypeVar("_SemanticTrack", bound="Track")


def register_semantic_event(cls: type[_SemanticTrack]) -> type[_SemanticTrack]:
    """Class decorator adding a semantic ``Track`` subclass to :data:`SEMANTIC_EVENTS`.

    Every name in the class's ``event`` literal is registered (the first is its
    default); a ``family`` class variable adds the names to :data:`SEMANTIC_FAMILIES`.

    Parameters
    ----------
    cls : type
        A ``Track`` subclass whose ``event`` field is a ``Literal`` of one or more names.

    Returns
    -------
    type
        ``cls`` unchanged.

    Raises
    ------
    TypeError
        When ``event`` is not a literal with a default among its names.
    """
    names = cls.event_names()
    if not names or cls.model_fields["event"].default not in names:
        raise TypeError(f"{cls.__name__} needs a fixed event name")
    for name in names:
        _SEMANTIC.register(name, cls)
        for spelling in _near_spellings(name):
            _NEAR_MISSES.setdefault(spelling, name)
    if cls.family is not None:
        known = _FAMILIES.get(cls.family, ())
        _FAMILIES[cls.family] = known + tuple(name for name in names if name not in known)
    return cls


# Near misses of every built-in name, from the name table (no family module is imported).
for _name in _SEMANTIC:
    for _spelling in _near_spellings(_name):
        _NEAR_MISSES.setdefault(_spelling, _name)


class Page(_IdentifiedMessage):
    """Record a web page view (``POST /page``)."""

    path: ClassVar[str] = PATH_PAGE
    type: Literal["page"] = "page"
    name: str | None = None
    """Page name."""
    category: str | None = None
    """Page category."""
    properties: FreeForm = None
    """Page properties such as url, path, title, referrer."""


class Screen(_IdentifiedMessage):
    """Record a mobile screen view (``POST /screen``)."""

    path: ClassVar[str] = PATH_SCREEN
    type: Literal["screen"] = "screen"
    name: str | None = None
    """Screen name."""
    category: str | None = None
    """Screen category."""
    properties: FreeForm = None
    """Screen properties."""


_OBJECT_TYPE_KEYS = ("objectTypeId", "object_type_id")


class Group(Message):
    """Create or update an object and, with a ``userId``, relate a person to it.

    The object type goes in ``traits.object_type_id`` (the OpenAPI document's
    spelling) or ``traits.objectTypeId`` (Customer.io's docs' spelling): a stringified
    integer, sent as written; the API assumes ``"1"`` when neither is given.
    Relationship attributes go in ``traits.relationshipAttributes``.

    Example
    -------
    >>> traits = {"name": "Acme", "object_type_id": "2"}
    >>> Group(group_id="acme", user_id="42", traits=traits).to_payload()["traits"]
    {'name': 'Acme', 'object_type_id': '2'}
    """

    path: ClassVar[str] = PATH_GROUP
    type: Literal["group"] = "group"
    group_id: Identifier
    """The object's id."""
    traits: Traits = None
    """Object attributes, plus ``object_type_id`` and ``relationshipAttributes``."""

    @field_validator("traits", mode="after")
    @classmethod
    @returns_none_only_for_none
    def _check_object_type(cls, traits: dict[str, Any] | None) -> dict[str, Any] | None:
        if not traits:
            return traits
        given = [(key, traits[key]) for key in _OBJECT_TYPE_KEYS if key in traits]
        for key, value in given:
            if isinstance(value, bool) or not str(value).strip().isdigit():
                raise PydanticCustomError(
                    "object_type_id",
                    "{key} must be a positive integer (as a string)",
                    {"key": key},
                )
        if len(given) > 1 and int(str(given[0][1])) != int(str(given[1][1])):
            raise PydanticCustomError(
                "object_type_conflict", "objectTypeId and object_type_id disagree"
            )
        relationship = traits.get("relationshipAttributes")
        if relationship is not None and not isinstance(relationship, dict):
            raise PydanticCustomError(
                "relationship_attributes", "relationshipAttributes must be an object"
            )
        return traits


class Alias(Message):
    """Merge two identities: ``previousId`` into ``userId`` (``POST /alias``)."""

    path: ClassVar[str] = PATH_ALIAS
    type: Literal["alias"] = "alias"
    user_id: Identifier
    """The id that remains (the primary profile)."""
    previous_id: Identifier
    """The id merged into ``userId`` (the secondary profile)."""


AnyMessage: TypeAlias = Annotated[
    Identify | Track | Page | Screen | Group | Alias, Field(discriminator="type")
]
"""Any single message, discriminated on ``type``."""

_MODELS_BY_TYPE: dict[str, type[Message]] = {
    "identify": Identify,
    "track": Track,
    "page": Page,
    "screen": Screen,
    "group": Group,
    "alias": Alias,
}


class Batch(CIOModel):
    """Several messages in one request (``POST /batch``), at most 500 KB in all.

    Example
    -------
    >>> batch = Batch(batch=[Identify(user_id="1"), Track(user_id="1", event="Signed Up")])
    >>> len(batch.batch)
    2
    """

    path: ClassVar[str] = PATH_BATCH
    batch: list[AnyMessage] = Field(min_length=1)
    """The messages; each keeps its own ``type``."""

    def to_json(self) -> bytes:
        """Serialize the batch from each message's bytes, checking both size limits.

        Returns
        -------
        bytes

        Raises
        ------
        PayloadTooLargeError
            When a message is over 32 KB or the whole body over 500 KB.
        """
        body = batch_body([message.to_json() for message in self.batch])
        if len(body) > MAX_BATCH_BYTES:
            raise PayloadTooLargeError(
                f"batch of {len(self.batch)} messages is {len(body)} bytes; the API accepts "
                f"at most {MAX_BATCH_BYTES} bytes per batch (client.batch.send splits for you)",
                size=len(body),
                limit=MAX_BATCH_BYTES,
            )
        return body


def parse_message(data: Mapping[str, Any]) -> Message:
    """Validate a wire-form (or snake_case) dict into the right model.

    Track messages whose event is a semantic name become that event's model.

    Parameters
    ----------
    data : mapping
        One message, with a ``type`` key.

    Returns
    -------
    Message
        ``Identify``, ``Track`` (or a semantic subclass), ``Page``, ``Screen``,
        ``Group`` or ``Alias``.

    Raises
    ------
    pydantic.ValidationError
        When the dict is not a valid message.

    Example
    -------
    >>> parse_message({"type": "identify", "userId": "42"}).user_id
    '42'
    """
    # Validating with the class itself keeps error locations free of the union tag.
    return message_model(data).model_validate(data)


def message_model(data: Mapping[str, Any]) -> type[Message]:
    """The model class :func:`parse_message` validates ``data`` with.

    Parameters
    ----------
    data : mapping
        One message, with a ``type`` key.

    Returns
    -------
    type
        The class for its ``type``; for a track message whose event is a semantic name,
        that event's class.

    Raises
    ------
    pydantic.ValidationError
        When ``data`` is not a mapping or its ``type`` is missing or unknown (the error
        never quotes the value).

    Example
    -------
    >>> message_model({"type": "track", "event": "Order Completed"}).__name__
    'OrderCompleted'
    """
    # type() first: an exact dict is the common case and skips the slower ABC check.
    if type(data) is not dict and not isinstance(data, Mapping):
        raise _message_error("model_type", "a message must be a JSON object", ())
    kind = data.get("type")
    if kind == "track":
        event = data.get("event")
        semantic: type[Track] | None = (
            _SEMANTIC.get(event.strip()) if isinstance(event, str) else None
        )
        if semantic is not None:
            return semantic
    model = _MODELS_BY_TYPE.get(kind) if isinstance(kind, str) else None
    if model is not None:
        return model
    # Pydantic's own error for an unknown tag quotes the input; say it without the value.
    allowed = ", ".join(sorted(_MODELS_BY_TYPE))
    if kind is None:
        raise _message_error("missing", f"'type' is required: one of {allowed}", ("type",))
    raise _message_error("union_tag_invalid", f"'type' must be one of {allowed}", ("type",))


def _message_error(kind: str, message: str, loc: tuple[str, ...]) -> pydantic.ValidationError:
    """A pydantic ValidationError that states the problem without the input value."""
    return pydantic.ValidationError.from_exception_data(
        "Message",
        [{"type": PydanticCustomError(kind, message), "loc": loc, "input": None}],
        hide_input=True,
    )


# Advisors: accepted by the API, but probably a mistake -------------------------------


def model_warnings(message: Message, body: bytes) -> tuple[ErrorDetail, ...]:
    """The warnings of a built message: ``advise_body(body)``, mostly without parsing it.

    The library's checks look at four things: top-level keys the model does not know
    (kept as extras), a plain track's event name, ``email`` in ``traits`` or
    ``context.traits``, and a semantic event's properties. A model shows the first three
    in its fields, so the body is parsed only when one of them may warn; a semantic
    event's properties are checked as the model holds them (already JSON values, keys as
    written), which is what its body carries. ``tests/unit/models/test_model_warnings.py``
    compares the two on generated and mutated messages.

    Parameters
    ----------
    message : Message
        The validated message.
    body : bytes
        Its wire bytes.

    Returns
    -------
    tuple of ErrorDetail
    """
    if has_outside_advisors() or message.__pydantic_extra__ or message.context is not None:
        return advise_body(body)
    if type(message) in _TRAIT_MODELS:
        # Only the email check looks at a person's or an object's traits, as held.
        email = _email_warning(message.traits, _TRAIT_HOLDERS[0])  # type: ignore[attr-defined]
        return () if email is None else (email,)
    if not isinstance(message, Track):
        return ()
    event = message.event
    if type(message) is Track and event not in _SEMANTIC:
        return advise_body(body) if event.lower() in _NEAR_MISSES else ()
    # Properties a semantic event found as recommended when it was built need no second
    # look (a plain Track never keeps that verdict).
    properties = message.properties
    if properties is not None and message.__dict__.get(VOUCHED_KEY) is properties:
        return ()
    return advise_properties(event, properties)


_WIRE_KEYS: dict[type[Message], frozenset[str]] = {}
_TRAIT_MODELS: frozenset[type[Message]] = frozenset({Identify, Group})
_EMAIL_TRAITS = "email"
_TRAIT_HOLDERS: tuple[tuple[str, ...], ...] = (("traits",), ("context", "traits"))


def _wire_keys(model: type[Message]) -> frozenset[str]:
    known = _WIRE_KEYS.get(model)
    if known is None:
        known = frozenset(info.alias or name for name, info in model.model_fields.items())
        _WIRE_KEYS[model] = known
    return known


@register_advisor
def _unknown_top_level_keys(message: Mapping[str, Any]) -> tuple[ErrorDetail, ...]:
    """Top-level keys the API does not know: it ignores them, so they are likely typos."""
    kind = message.get("type")
    model = _MODELS_BY_TYPE.get(kind) if isinstance(kind, str) else None
    if model is None:
        return ()
    unknown = message.keys() - _wire_keys(model)
    return tuple(
        ErrorDetail(
            (key,),
            f"not a field of a {kind} call: the API ignores it (check the spelling)",
            "unknown_field",
        )
        for key in sorted(unknown)
    )


@register_advisor
def _near_miss_of_a_semantic_event(message: Mapping[str, Any]) -> tuple[ErrorDetail, ...]:
    """A track named almost like a semantic event: it will not act as one."""
    event = message.get("event")
    if message.get("type") != "track" or not isinstance(event, str) or event in _SEMANTIC:
        return ()
    name = _NEAR_MISSES.get(event.lower())
    if name is None:
        return ()
    return (
        ErrorDetail(
            ("event",),
            f"close to the semantic event {name!r}, which must be spelled exactly to act as "
            "one; sent as written",
            "semantic_event_near_miss",
        ),
    )


@register_advisor
def _undeliverable_email(message: Mapping[str, Any]) -> tuple[ErrorDetail, ...]:
    """An ``email`` trait the API stores but that cannot receive mail, with the reason."""
    found: list[ErrorDetail] = []
    for path in _TRAIT_HOLDERS:
        holder: Any = message
        for key in path:
            holder = holder.get(key) if isinstance(holder, dict) else None
        warning = _email_warning(holder, path)
        if warning is not None:
            found.append(warning)
    return tuple(found)


def _email_warning(holder: Any, path: tuple[str, ...]) -> ErrorDetail | None:
    """The warning about the ``email`` trait of ``holder`` (the traits at ``path``), if any."""
    email = holder.get(_EMAIL_TRAITS) if isinstance(holder, dict) else None
    if not isinstance(email, str):
        return None
    problem = email_problem(email)
    if problem is None:
        return None
    return ErrorDetail(
        (*path, _EMAIL_TRAITS),
        f"this address cannot receive mail: it {problem} (the API stores it as written)",
        "email_undeliverable",
    )
