"""Customer.io's own semantic events: they act on people, devices, objects and metrics.

Where each event keeps its data:

* ``Device Created or Updated`` / ``Device Deleted``: ``userId`` and the device in
  ``context.device`` (``token`` required, ``type`` ``ios`` or ``android``).
* ``User Deleted`` / ``User Suppressed`` / ``User Unsuppressed``: ``userId`` only (it may
  be an email address); properties are optional and free-form.
* ``Relationship Deleted``: ``userId`` plus ``properties.objectId`` and
  ``properties.objectTypeId``.
* ``Object Deleted`` (and its older name ``Group Deleted``): ``properties.objectId`` and
  ``properties.objectTypeId``; the ``anonymousId`` the API demands is filled with a fixed
  placeholder when you give none (Customer.io ignores its value).
* ``Report Delivery Event`` / ``Report Content Event``: metrics; no person id needed.

``objectTypeId`` in these events is an integer on the wire, as the document's schema
types it; a string of digits is accepted on input (see ``docs/openapi-quirks.md``).
"""

from enum import Enum
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    with_config,
)
from pydantic_core import PydanticCustomError
from typing_extensions import Required, TypedDict

from cio._constants import OBJECT_DELETION_ANONYMOUS_ID, SEMANTIC_FAMILY_CIO
from cio.models._core import Identifier, returns_none_only_for_none
from cio.models._values import json_safe_mapping
from cio.models.calls import Track, register_semantic_event
from cio.models.context import Context, ContextDevice
from cio.models.semantic import _advisor  # noqa: F401 - registers the properties warnings
from cio.models.semantic._base import add_help

__all__ = [
    "DeviceContext",
    "DeviceCreatedOrUpdated",
    "DeviceDeleted",
    "GroupDeleted",
    "GroupDeletedProperties",
    "ObjectDeleted",
    "ObjectDeletedProperties",
    "ObjectTypeId",
    "PushDevice",
    "RelationshipDeleted",
    "RelationshipDeletedProperties",
    "ReportContentEvent",
    "ReportContentEventProperties",
    "ReportDeliveryEvent",
    "ReportDeliveryEventProperties",
    "UserDeleted",
    "UserSuppressed",
    "UserUnsuppressed",
]


def _check_object_type_id(value: Any) -> Any:
    # bool is an int subclass; refuse it explicitly rather than send 1 for True.
    if isinstance(value, bool):
        raise PydanticCustomError("object_type_id", "objectTypeId must be a positive integer")
    if isinstance(value, Enum):
        # An enum stands for its value, as in free-form data; pydantic would otherwise
        # compare a str enum with the bound and raise TypeError instead of an error.
        return _check_object_type_id(value.value)
    return value


ObjectTypeId = Annotated[int, BeforeValidator(_check_object_type_id), Field(gt=0)]
"""An object type id: a positive integer; a string of digits is accepted on input."""

# Customer.io's own events are actions the API performs, so their properties are checked
# as rules (a missing objectId is refused), unlike the recommendations of other families.
_ACTION_CONFIG = ConfigDict(
    extra="allow",
    coerce_numbers_to_str=True,
    allow_inf_nan=False,
    hide_input_in_errors=True,
    use_attribute_docstrings=True,
)


@returns_none_only_for_none
def _json_safe_properties(value: dict[str, Any]) -> dict[str, Any]:
    # The declared keys are checked; the others are made JSON-safe like free-form ones.
    return json_safe_mapping(value) or {}


def _as_validated(value: dict[str, Any]) -> dict[str, Any]:
    return value


_T = TypeVar("_T")
Checked = Annotated[
    _T,
    AfterValidator(_json_safe_properties),
    # Written as the plain dict it was validated into: an explicit null is kept.
    PlainSerializer(_as_validated, return_type=dict[str, Any]),
]
"""``Checked[X]``: properties validated by the TypedDict ``X`` (declared keys as rules)."""


class PushDevice(ContextDevice):
    """A push device: its token is required."""

    token: Identifier
    """The device token (APNs or FCM)."""
    type: Literal["ios", "android"] | None = None
    """The device platform: ``ios`` or ``android``."""


class DeviceContext(Context):
    """Context of a device event: ``device`` is required."""

    device: PushDevice
    """The device being added, updated or deleted."""


class _CioEvent(Track):
    family: ClassVar[str | None] = SEMANTIC_FAMILY_CIO


class _PersonEvent(_CioEvent):
    user_id: Identifier
    """The person's id (or their email address) in your workspace."""


class _DeviceEvent(_PersonEvent):
    context: DeviceContext
    """Context carrying the device in ``context.device``."""


@register_semantic_event
class DeviceCreatedOrUpdated(_DeviceEvent):
    """Add a device to a person, or update it when the token is known.

    Example
    -------
    >>> message = DeviceCreatedOrUpdated(
    ...     user_id="42", context={"device": {"token": "abc", "type": "ios"}}
    ... )
    >>> message.to_payload()["context"]
    {'device': {'type': 'ios', 'token': 'abc'}}
    """

    event: Literal["Device Created or Updated"] = "Device Created or Updated"
    """Always ``Device Created or Updated``."""


@register_semantic_event
class DeviceDeleted(_DeviceEvent):
    """Remove a device (by ``context.device.token``) from a person."""

    event: Literal["Device Deleted"] = "Device Deleted"
    """Always ``Device Deleted``."""


@register_semantic_event
class UserDeleted(_PersonEvent):
    """Delete a person from the workspace.

    Example
    -------
    >>> UserDeleted(user_id="42").to_payload()["event"]
    'User Deleted'
    """

    event: Literal["User Deleted"] = "User Deleted"
    """Always ``User Deleted``."""


@register_semantic_event
class UserSuppressed(_PersonEvent):
    """Delete a person and refuse their identifier from now on (compliance requests)."""

    event: Literal["User Suppressed"] = "User Suppressed"
    """Always ``User Suppressed``."""


@register_semantic_event
class UserUnsuppressed(_PersonEvent):
    """Allow a suppressed identifier to be added again (nothing is restored)."""

    event: Literal["User Unsuppressed"] = "User Unsuppressed"
    """Always ``User Unsuppressed``."""


@with_config(_ACTION_CONFIG)
class RelationshipDeletedProperties(TypedDict, total=False):
    """Which object the person leaves."""

    objectId: Required[Identifier]
    """The object (group) the person is removed from."""
    objectTypeId: ObjectTypeId
    """The object's type as an integer; Customer.io assumes 1 when it is left out."""


@register_semantic_event
class RelationshipDeleted(_PersonEvent):
    """Remove the relationship between a person and an object.

    Example
    -------
    >>> RelationshipDeleted(
    ...     user_id="42", properties={"objectId": "acme", "objectTypeId": "1"}
    ... ).to_payload()["properties"]
    {'objectId': 'acme', 'objectTypeId': 1}
    """

    event: Literal["Relationship Deleted"] = "Relationship Deleted"
    """Always ``Relationship Deleted``."""
    properties: Checked[RelationshipDeletedProperties]  # type: ignore[assignment]
    """The object to remove the person from."""


@with_config(_ACTION_CONFIG)
class ObjectDeletedProperties(TypedDict, total=False):
    """Which object to delete."""

    objectId: Required[Identifier]
    """The object (group) to delete."""
    objectTypeId: ObjectTypeId
    """The object's type as an integer; Customer.io assumes 1 when it is left out."""


class _ObjectDeletion(_CioEvent):
    requires_identity: ClassVar[bool] = False

    anonymous_id: Identifier = OBJECT_DELETION_ANONYMOUS_ID
    """Required by the API but unused; a fixed placeholder is sent unless you set one."""


@register_semantic_event
class ObjectDeleted(_ObjectDeletion):
    """Delete an object (a company, account, class, ...).

    Example
    -------
    >>> ObjectDeleted(properties={"objectId": "acme"}).to_payload()["properties"]
    {'objectId': 'acme'}
    """

    event: Literal["Object Deleted"] = "Object Deleted"
    """Always ``Object Deleted``."""
    properties: Checked[ObjectDeletedProperties]  # type: ignore[assignment]
    """The object to delete."""


@with_config(_ACTION_CONFIG)
class GroupDeletedProperties(ObjectDeletedProperties, total=False):
    """Which object to delete (``Group Deleted`` is the older name of ``Object Deleted``)."""


@register_semantic_event
class GroupDeleted(_ObjectDeletion):
    """``Object Deleted`` under the older name the document's table still lists."""

    event: Literal["Group Deleted"] = "Group Deleted"
    """Always ``Group Deleted``."""
    properties: Checked[GroupDeletedProperties]  # type: ignore[assignment]
    """The object to delete."""


@with_config(_ACTION_CONFIG)
class ReportDeliveryEventProperties(TypedDict, total=False):
    """A metric for one message delivery."""

    deliveryId: str
    """The id of the message delivery."""
    metric: Literal["delivered", "clicked", "converted", "opened"]
    """What happened to the delivery."""
    recipient: str
    """Who received it: device id (in-app), phone number (SMS) or device token (push)."""
    reason: str
    """Why the message failed, when it did."""
    actionValue: str
    """For a clicked in-app message: the value of the action clicked."""
    href: str
    """For a clicked in-app message: the link clicked."""


@register_semantic_event
class ReportDeliveryEvent(_CioEvent):
    """Report a delivery metric (delivered, opened, clicked, converted); no person id needed.

    Example
    -------
    >>> ReportDeliveryEvent(
    ...     properties={"deliveryId": "d-1", "metric": "opened"}
    ... ).to_payload()["properties"]
    {'deliveryId': 'd-1', 'metric': 'opened'}
    """

    requires_identity: ClassVar[bool] = False
    event: Literal["Report Delivery Event"] = "Report Delivery Event"
    """Always ``Report Delivery Event``."""
    properties: Checked[ReportDeliveryEventProperties]  # type: ignore[assignment]
    """The delivery and its metric."""


@with_config(_ACTION_CONFIG)
class ReportContentEventProperties(TypedDict, total=False):
    """A view or click on an anonymous in-app message."""

    actionType: Required[Literal["viewed_content", "clicked_content"]]
    """What happened to the message."""
    contentId: int
    """The id of the anonymous in-app message."""
    templateId: int
    """The id of the message inside ``contentId``."""


@register_semantic_event
class ReportContentEvent(_CioEvent):
    """Report a view or click on an anonymous in-app message; no person id needed."""

    requires_identity: ClassVar[bool] = False
    event: Literal["Report Content Event"] = "Report Content Event"
    """Always ``Report Content Event``."""
    properties: Checked[ReportContentEventProperties]  # type: ignore[assignment]
    """The activity and the message it concerns."""


add_help(globals())
