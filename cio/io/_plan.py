"""Kinds, column mapping, and the per-file column plan that turns rows into models.

A plan is compiled once per file from the header, the kind and the mapping. Converting
a row is then a loop over precomputed ``(column index, parents, leaf, converter)``
entries, one model validation, and nothing else.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, tzinfo
from functools import partial
from types import MappingProxyType
from typing import Any, Final, NamedTuple

import pydantic

from cio._constants import (
    EVENT_DEVICE_CREATED_OR_UPDATED,
    EVENT_DEVICE_DELETED,
    EVENT_USER_DELETED,
    EVENT_USER_SUPPRESSED,
    EVENT_USER_UNSUPPRESSED,
)
from cio.errors import ErrorDetail, ValidationError
from cio.io._infer import (
    COLUMN_TYPES,
    DEFAULT_READING,
    CellError,
    Converter,
    ReadingOptions,
    column_converter,
    converter_for,
    infer_column,
    timestamp_converter,
)
from cio.models import (
    SEMANTIC_EVENTS,
    EncodedMessage,
    Group,
    Identify,
    Message,
    Page,
    Screen,
    Track,
    intake,
    parse_message,
    warning_policy,
)

__all__ = [
    "KINDS",
    "SCREENED",
    "ColumnMapping",
    "PlainColumns",
    "PlainField",
    "Plan",
    "Row",
    "RowScreen",
    "compile_plan",
    "resolve_kind",
]

logger = logging.getLogger(__name__)

Path = tuple[str, ...]
RowScreen = Callable[["Plan", int, Sequence[Any]], bool]
"""``screen(plan, number, cells) -> bool``: whether to convert a row (see compile_plan)."""

# Roles: a normalised header (lower case, without spaces, "_" and "-") -> role name.
_PERSON_ROLES: Final = {
    "userid": "user_id",
    "id": "user_id",
    "anonymousid": "anonymous_id",
    "timestamp": "timestamp",
    "messageid": "message_id",
}
_OBJECT_ROLES: Final = {
    "userid": "user_id",
    "anonymousid": "anonymous_id",
    "timestamp": "timestamp",
    "messageid": "message_id",
    "objectid": "object_id",
    "groupid": "object_id",
    "objecttypeid": "object_type_id",
}
_DEVICE_ROLES: Final = {
    **_PERSON_ROLES,
    "token": "token",
    "devicetoken": "token",
    "devicetype": "device_type",
    "platform": "device_type",
}

# Where each role lands in the wire dict.
_ROLE_PATHS: Final[Mapping[str, Path]] = {
    "user_id": ("userId",),
    "anonymous_id": ("anonymousId",),
    "timestamp": ("timestamp",),
    "message_id": ("messageId",),
    "event": ("event",),
    "name": ("name",),
    "category": ("category",),
    "object_id": ("groupId",),
    "object_type_id": ("traits", "objectTypeId"),
    "token": ("context", "device", "token"),
    "device_type": ("context", "device", "type"),
    "email": ("traits", "email"),
}
_ENVELOPE_SECTIONS: Final = frozenset({"context", "integrations"})


def _normalise(header: str) -> str:
    return re.sub(r"[\s_\-]+", "", header.strip().lower())


@dataclass(frozen=True)
class KindSpec:
    """What one import kind builds.

    Parameters
    ----------
    name : str
        The kind's name as users type it.
    model : type or None
        The message class each row becomes; ``None`` for the ``track`` kind, whose rows
        become the semantic event their name says, or a plain ``Track``.
    section : tuple of str
        Where columns without a role go (``("traits",)``, ``("properties",)``...).
    roles : mapping
        Normalised header to role name.
    fixed : mapping
        Wire fields every row gets (for example the event name).
    required : tuple of (path, role)
        Fields each row must have, checked before validation.
    sections : frozenset of str
        Top-level free-form fields a dotted header may address directly.
    """

    name: str
    model: type[Message] | None
    section: Path
    roles: Mapping[str, str]
    fixed: Mapping[str, Any] = field(default_factory=dict)
    required: tuple[tuple[Path, str], ...] = ()
    sections: frozenset[str] = frozenset()
    description: str = ""


_NEEDS_USER: Final = (("userId",), "user_id")
_NEEDS_TOKEN: Final = (("context", "device", "token"), "token")
_NEEDS_EVENT: Final = (("event",), "event")


def _model_row(model: type[Message] | None, data: dict[str, Any]) -> Message:
    if model is None:
        data["type"] = "track"
        return parse_message(data)
    return model.model_validate(data)


_new_encoded = tuple.__new__


def _encoded_row(model: type[Message] | None, data: dict[str, Any]) -> EncodedMessage:
    if model is None:
        data["type"] = "track"
    return _new_encoded(EncodedMessage, intake(data, model=model, check_size=False))


def _event_kind(
    name: str,
    event: str,
    roles: Mapping[str, str],
    description: str,
    required: tuple[tuple[Path, str], ...] = (),
) -> KindSpec:
    model = SEMANTIC_EVENTS.get(event, Track)
    return KindSpec(
        name=name,
        model=model,
        section=("properties",),
        roles={**roles, "event": "event"},
        fixed={"event": event},
        required=required,
        sections=frozenset({"properties"}),
        description=description,
    )


def _builtin_kinds() -> dict[str, KindSpec]:
    person_sections = frozenset({"properties"})
    kinds = {
        "identify": KindSpec(
            "identify",
            Identify,
            ("traits",),
            {**_PERSON_ROLES, "email": "email"},
            sections=frozenset({"traits"}),
            description="create or update people; other columns become traits",
        ),
        "track": KindSpec(
            "track",
            None,
            ("properties",),
            {**_PERSON_ROLES, "event": "event"},
            required=(_NEEDS_EVENT,),
            sections=person_sections,
            description="custom events named by the event column; other columns are properties",
        ),
        "page": KindSpec(
            "page",
            Page,
            ("properties",),
            {**_PERSON_ROLES, "name": "name", "category": "category"},
            sections=person_sections,
            description="page views; other columns are properties",
        ),
        "screen": KindSpec(
            "screen",
            Screen,
            ("properties",),
            {**_PERSON_ROLES, "name": "name", "category": "category"},
            sections=person_sections,
            description="screen views; other columns are properties",
        ),
        "group": KindSpec(
            "group",
            Group,
            ("traits",),
            _OBJECT_ROLES,
            required=((("groupId",), "object_id"),),
            sections=frozenset({"traits"}),
            description="objects (companies, accounts); other columns are object attributes",
        ),
        "relationship": KindSpec(
            "relationship",
            Group,
            ("traits", "relationshipAttributes"),
            _OBJECT_ROLES,
            required=(_NEEDS_USER, (("groupId",), "object_id")),
            sections=frozenset({"traits"}),
            description="person-object relationships; other columns are relationship attributes",
        ),
        "device": _event_kind(
            "device",
            EVENT_DEVICE_CREATED_OR_UPDATED,
            _DEVICE_ROLES,
            "add or update push devices (token, device_type); other columns are properties",
            (_NEEDS_USER, _NEEDS_TOKEN),
        ),
        "delete": _event_kind(
            "delete", EVENT_USER_DELETED, _PERSON_ROLES, "delete people", (_NEEDS_USER,)
        ),
        "suppress": _event_kind(
            "suppress", EVENT_USER_SUPPRESSED, _PERSON_ROLES, "suppress people", (_NEEDS_USER,)
        ),
        "unsuppress": _event_kind(
            "unsuppress",
            EVENT_USER_UNSUPPRESSED,
            _PERSON_ROLES,
            "unsuppress people",
            (_NEEDS_USER,),
        ),
    }
    return kinds


KINDS: Final = (
    "identify",
    "track",
    "page",
    "screen",
    "group",
    "relationship",
    "device",
    "delete",
    "suppress",
    "unsuppress",
)
"""The built-in kinds; any semantic event name (``cio.models.SEMANTIC_EVENTS``) also works."""


def resolve_kind(kind: str) -> KindSpec:
    """Find the spec for a kind name or a semantic event name (case-insensitive).

    Parameters
    ----------
    kind : str
        ``identify``, ``track``, ... or a semantic event such as ``Order Completed``.

    Returns
    -------
    KindSpec

    Raises
    ------
    ValidationError
        For an unknown kind; the message lists the valid ones.
    """
    wanted = kind.strip().lower()
    builtins = _builtin_kinds()
    if wanted in builtins:
        return builtins[wanted]
    for event in SEMANTIC_EVENTS:
        if event.lower() == wanted:
            roles = (
                _DEVICE_ROLES
                if event in {EVENT_DEVICE_CREATED_OR_UPDATED, EVENT_DEVICE_DELETED}
                else _PERSON_ROLES
            )
            required = (_NEEDS_USER, _NEEDS_TOKEN) if roles is _DEVICE_ROLES else ()
            return _event_kind(event, event, roles, f"the semantic event {event!r}", required)
    raise ValidationError(
        f"unknown kind {kind!r}",
        [
            ErrorDetail(
                ("kind",),
                f"use one of {', '.join(KINDS)}, or a semantic event name such as "
                "'Order Completed' (cio.models.SEMANTIC_EVENTS lists them)",
                "unknown_kind",
            )
        ],
    )


@dataclass(frozen=True)
class ColumnMapping:
    """How columns map to fields, beyond the defaults.

    Parameters
    ----------
    columns : mapping of str to str or None
        Rename a column (``{"Email Address": "email", "cust_no": "user_id",
        "City": "address.city", "ip": "context.ip"}``) or drop it (``{"notes": None}``).
        Targets read like headers: a role name or a dotted path.
    constants : mapping of str to Any
        Values every row gets, by target (``{"plan": "pro", "object_type_id": "2"}``).
    types : mapping of str to str
        Per-column type overrides by column name (see ``COLUMN_TYPES``):
        ``auto``, ``string``, ``integer``, ``number``, ``boolean``, ``json``, ``date``,
        ``datetime``, ``unix``.

    Raises
    ------
    ValueError
        For an unknown type name.

    Example
    -------
    >>> ColumnMapping(columns={"notes": None}, types={"zip": "string"}).types["zip"]
    'string'
    """

    columns: Mapping[str, str | None] = field(default_factory=dict)
    constants: Mapping[str, Any] = field(default_factory=dict)
    types: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for column, type_name in self.types.items():
            if type_name not in COLUMN_TYPES:
                raise ValueError(
                    f"unknown column type {type_name!r} for column {column!r}; "
                    f"use one of {', '.join(sorted(COLUMN_TYPES))}"
                )
        object.__setattr__(self, "columns", MappingProxyType(dict(self.columns)))
        object.__setattr__(self, "constants", MappingProxyType(dict(self.constants)))
        object.__setattr__(self, "types", MappingProxyType(dict(self.types)))

    @classmethod
    def coerce(
        cls,
        mapping: ColumnMapping | Mapping[str, str | None] | None = None,
        *,
        constants: Mapping[str, Any] | None = None,
        types: Mapping[str, str] | None = None,
    ) -> ColumnMapping:
        """Build a mapping from the loose arguments the public functions take.

        Parameters
        ----------
        mapping : ColumnMapping or mapping, optional
            Ready mapping, or the ``columns`` part.
        constants, types : mapping, optional
            Merged over the ready mapping's own.

        Returns
        -------
        ColumnMapping
        """
        base = mapping if isinstance(mapping, ColumnMapping) else cls(columns=mapping or {})
        if not constants and not types:
            return base
        return cls(
            columns=base.columns,
            constants={**base.constants, **(constants or {})},
            types={**base.types, **(types or {})},
        )


class PlainField(NamedTuple):
    """One mapped column of a :class:`PlainColumns` plan.

    Attributes
    ----------
    position : int
        The column's index in the header.
    path : tuple of str
        The wire path its value lands at.
    converted : bool
        Whether its values are converted (a ``timestamp`` column, an explicit type, a
        naive date-time) rather than sent as they are.
    type_name : str
        The type its values are read as (``timestamp`` for the ``timestamp`` role).
    """

    position: int
    path: Path
    converted: bool
    type_name: str


class PlainColumns(NamedTuple):
    """A plan whose rows are their columns' values and nothing else (:meth:`Plan.plain_columns`).

    Attributes
    ----------
    model : type or None
        The message class every row becomes (``None`` for the ``track`` kind).
    fields : tuple of PlainField
        Each mapped column: index, wire path, whether it is converted, its type.
    message_ids : callable
        Row number to messageId.
    """

    model: type[Message] | None
    fields: tuple[PlainField, ...]
    message_ids: Callable[[int], str]


class Row(NamedTuple):
    """The outcome of one input row: a model, or the errors that stopped it.

    Attributes
    ----------
    number : int
        The row as a spreadsheet counts it (the header is row 1); for JSON Lines the
        line number; for DataFrames the position (``df.iloc[number]``).
    message : Message, EncodedMessage or None
        The validated model when the row is valid (its wire bytes, ``EncodedMessage``,
        when the plan was compiled for sending).
    errors : tuple of ErrorDetail
        Empty when the row is valid.
    """

    number: int
    message: Message | EncodedMessage | None
    errors: tuple[ErrorDetail, ...]


SCREENED: Final = Row(0, None, ())
"""What a plan returns for a row its ``screen`` passed over: readers drop it (the screen
saw the row, and nothing was converted)."""


@dataclass(frozen=True)
class _Entry:
    index: int
    column: str
    parents: Path
    leaf: str
    text: Converter
    value: Callable[[Any], Any]
    type_name: str = "auto"
    plain: bool = False


def _file_error(message: str, error_type: str, column: str | None = None) -> ValidationError:
    return ValidationError(message, [ErrorDetail((), message, error_type, row=1, column=column)])


def _identity(value: Any) -> Any:
    return value


def _value_converter(text: Converter, typed: bool, assume: tzinfo | None) -> Callable[[Any], Any]:
    """For sources that already carry types (JSON Lines, DataFrames)."""

    def convert(value: Any) -> Any:
        if isinstance(value, str):
            return text(value) if typed else value
        if assume is not None and isinstance(value, datetime) and value.tzinfo is None:
            return value.replace(tzinfo=assume)
        return value

    return convert


class Plan:
    """A compiled mapping from one header to one kind's wire fields.

    Build it with :func:`compile_plan`; then :meth:`from_cells` (CSV text) or
    :meth:`from_values` (typed values) converts each row.
    """

    def __init__(
        self,
        kind: KindSpec,
        *,
        header: Sequence[str],
        entries: list[_Entry],
        constants: list[tuple[Path, Any]],
        unnamed: list[int],
        message_ids: Callable[[int], str] | None,
        encoded: bool = False,
        screen: RowScreen | None = None,
        typed: bool = False,
        clean: bool = False,
    ) -> None:
        self.kind = kind
        self._screen = screen
        self._clean = clean
        """Rows arrive through :meth:`from_clean` (columnar sources)."""
        self.typed = typed
        """Rows arrive as typed values (:meth:`from_values`) rather than text."""
        self.header = tuple(header)
        self.width = len(header)
        # Text entries: no call for cells kept as they are; each section's dict is found
        # once per row through its slot, not by walking the path for every cell.
        as_is = converter_for("string", None)
        slots: dict[Path, int] = {}
        self._entries = tuple(
            (
                e.index,
                e.parents,
                e.leaf,
                None if e.text is as_is else e.text,
                e.column,
                slots.setdefault(e.parents, len(slots)),
            )
            for e in entries
        )
        self._no_nodes: list[dict[str, Any] | None] = [None] * len(slots)
        self._value_entries = tuple(
            (e.index, e.parents, e.leaf, e.value, e.column) for e in entries
        )
        self._clean_entries = tuple(
            (e.index, e.parents, e.leaf, None if e.plain else e.value, e.column) for e in entries
        )
        self._constants = tuple(constants)
        self._unnamed = tuple(unnamed)
        self._message_ids = message_ids
        self._build = partial(_encoded_row if encoded else _model_row, kind.model)
        self._encoded = encoded
        self._fixed = tuple(kind.fixed.items())
        self._required = kind.required
        self._columns_by_path: dict[Path, str] = {(*e.parents, e.leaf): e.column for e in entries}
        self.targets: Mapping[str, str] = MappingProxyType(
            {e.column: ".".join((*e.parents, e.leaf)) for e in entries}
        )
        """Column name to the wire field it fills (for summaries)."""
        self.column_types: Mapping[str, str] = MappingProxyType(
            {e.column: e.type_name for e in entries}
        )
        """Column name to the type its cells are read as."""

    def plain_columns(self) -> PlainColumns | None:
        """The plan as whole columns, when each row is its columns' values and nothing else.

        That is: rows become wire bytes (``encoded``) with messageIds derived from the
        row number, no screen looks at them, and no constant or fixed value is added.
        Each column lands where it says, converted or not (see ``plain_columns`` of
        :func:`compile_plan`). An encoder that converts whole record batches
        (:mod:`cio.io._encode`) then needs only this; otherwise ``None``.

        Returns
        -------
        PlainColumns or None
        """
        if (
            not self._encoded
            or self._message_ids is None
            or self._screen is not None
            or self._constants
            or self._fixed
        ):
            return None
        return PlainColumns(
            model=self.kind.model,
            fields=tuple(
                PlainField(index, (*parents, leaf), convert is not None, self.column_types[column])
                for index, parents, leaf, convert, column in self._clean_entries
            ),
            message_ids=self._message_ids,
        )

    # Row conversion -------------------------------------------------------------------
    def _start(self) -> dict[str, Any]:
        data: dict[str, Any] = {}
        for path, value in self._constants:
            _assign(data, path[:-1], path[-1], value)
        for key, value in self._fixed:
            data[key] = value
        return data

    @property
    def screen(self) -> RowScreen | None:
        """What sees each row's raw cells before conversion (``None`` when nothing does).

        A reader that calls it itself converts the rows it lets through with
        :meth:`convert`, not :meth:`from_cells` (which would call it again).
        """
        return self._screen

    def from_cells(self, number: int, cells: Sequence[str]) -> Row:
        """Convert one CSV row of text cells.

        Parameters
        ----------
        number : int
            The row number to report.
        cells : sequence of str
            The row's cells, in header order.

        Returns
        -------
        Row
            :data:`SCREENED` when the plan's ``screen`` passed over it (readers do not
            yield that row).
        """
        if self._screen is not None and not self._screen(self, number, cells):
            return SCREENED
        return self._from_cells(number, cells)

    def convert(self, number: int, cells: Sequence[Any]) -> Row:
        """Convert a row this plan's ``screen`` passed over (text or typed, as the plan reads).

        Parameters
        ----------
        number : int
            The row number to report.
        cells : sequence
            The row's cells, as the screen saw them.

        Returns
        -------
        Row
        """
        if self._clean:
            return self._from_clean(number, cells)
        return self._from_values(number, cells) if self.typed else self._from_cells(number, cells)

    def _from_cells(self, number: int, cells: Sequence[str]) -> Row:
        if len(cells) != self.width:
            return Row(
                number,
                None,
                (
                    ErrorDetail(
                        (),
                        f"row has {len(cells)} cells but the header has {self.width} columns",
                        "ragged_row",
                        row=number,
                    ),
                ),
            )
        data = self._start() if (self._constants or self._fixed) else {}
        errors: list[ErrorDetail] | None = None
        nodes = self._no_nodes.copy()
        for index, parents, leaf, convert, column, slot in self._entries:
            value = cells[index]
            if not value:
                continue
            if convert is not None:
                try:
                    value = convert(value)
                except CellError as exc:
                    if errors is None:
                        errors = []
                    errors.append(
                        ErrorDetail((*parents, leaf), exc.message, exc.error_type, number, column)
                    )
                    continue
            node = nodes[slot]
            if node is None:
                node = data
                for part in parents:
                    child = node.get(part)
                    if child is None:
                        child = node[part] = {}
                    node = child
                nodes[slot] = node
            node[leaf] = value
        for index in self._unnamed:
            if cells[index]:
                if errors is None:
                    errors = []
                errors.append(
                    ErrorDetail(
                        (),
                        f"column {index + 1} has a value but no header name",
                        "unnamed_column",
                        number,
                    )
                )
        if errors:
            return Row(number, None, tuple(errors))
        return self._finish(number, data)

    def from_values(self, number: int, values: Sequence[Any]) -> Row:
        """Convert one row of typed values (JSON Lines, DataFrame); ``None``/NaN omitted.

        Parameters
        ----------
        number : int
            The row number to report.
        values : sequence
            The row's values, in header order.

        Returns
        -------
        Row
            :data:`SCREENED` when the plan's ``screen`` passed over it (readers do not
            yield that row).
        """
        if self._screen is not None and not self._screen(self, number, values):
            return SCREENED
        return self._from_values(number, values)

    def _from_values(self, number: int, values: Sequence[Any]) -> Row:
        data = self._start()
        errors: list[ErrorDetail] = []
        for index, parents, leaf, convert, column in self._value_entries:
            value = values[index]
            # pd.NA refuses comparisons (``NA == ""`` is NA), so strings are tested by type.
            if value is None or (value.__class__ is str and not value) or _is_missing(value):
                continue
            try:
                value = convert(value)
            except CellError as exc:
                errors.append(
                    ErrorDetail((*parents, leaf), exc.message, exc.error_type, number, column)
                )
                continue
            _assign(data, parents, leaf, value)
        if errors:
            return Row(number, None, tuple(errors))
        return self._finish(number, data)

    def from_clean(self, number: int, values: Sequence[Any]) -> Row:
        """Convert one row of typed values whose empty cells are already ``None``.

        The fast path for columnar sources: nulls, NaN and empty strings were turned into
        ``None`` column by column, and columns compiled as ``plain`` need no conversion.

        Parameters
        ----------
        number : int
            The row number to report.
        values : sequence
            The row's values, in header order.

        Returns
        -------
        Row
            :data:`SCREENED` when the plan's ``screen`` passed over it (readers do not
            yield that row).
        """
        if self._screen is not None and not self._screen(self, number, values):
            return SCREENED
        return self._from_clean(number, values)

    def _from_clean(self, number: int, values: Sequence[Any]) -> Row:
        data = self._start() if (self._constants or self._fixed) else {}
        errors: list[ErrorDetail] | None = None
        for index, parents, leaf, convert, column in self._clean_entries:
            value = values[index]
            if value is None:
                continue
            if convert is not None:
                try:
                    value = convert(value)
                except CellError as exc:
                    if errors is None:
                        errors = []
                    errors.append(
                        ErrorDetail((*parents, leaf), exc.message, exc.error_type, number, column)
                    )
                    continue
            if parents:
                node = data
                for part in parents:
                    child = node.get(part)
                    if child is None:
                        child = node[part] = {}
                    node = child
                node[leaf] = value
            else:
                data[leaf] = value
        if errors:
            return Row(number, None, tuple(errors))
        return self._finish(number, data)

    def _finish(self, number: int, data: dict[str, Any]) -> Row:
        for path, role in self._required:
            if not _has(data, path):
                column = self._columns_by_path.get(path)
                return Row(
                    number,
                    None,
                    (
                        ErrorDetail(
                            path,
                            f"{role} is required for kind {self.kind.name!r}",
                            "missing",
                            number,
                            column,
                        ),
                    ),
                )
        if "messageId" not in data and self._message_ids is not None:
            data["messageId"] = self._message_ids(number)
        try:
            message = self._build(data)
        except pydantic.ValidationError as exc:
            return Row(number, None, self._details(number, exc))
        except ValidationError as exc:  # text that cannot be written as UTF-8
            return Row(number, None, self._located(number, exc.errors))
        if type(message) is EncodedMessage and message.warnings:
            # Accepted, probably a mistake: located like errors; errors if CIO_WARNINGS=error.
            found = self._located(number, message.warnings)
            if warning_policy() == "error":
                return Row(number, None, found)
            message = message._replace(warnings=found)
        return Row(number, message, ())

    def _details(self, number: int, exc: pydantic.ValidationError) -> tuple[ErrorDetail, ...]:
        details = []
        for err in exc.errors(include_url=False, include_input=False, include_context=False):
            loc = tuple(err["loc"])
            # A discriminated union (track kind) puts the tag first: drop it.
            if loc and loc[0] == "track":
                loc = loc[1:]
            details.append(
                ErrorDetail(loc, err["msg"], err["type"], number, self._column_for(loc, err["msg"]))
            )
        return tuple(details)

    def _located(self, number: int, details: Sequence[ErrorDetail]) -> tuple[ErrorDetail, ...]:
        return tuple(
            replace(detail, row=number, column=self._column_for(detail.loc, detail.msg))
            for detail in details
        )

    def _column_for(self, loc: tuple[Any, ...], msg: str) -> str | None:
        columns = self._columns_by_path
        path = tuple(str(part) for part in loc)
        for end in range(len(path), 0, -1):
            column = columns.get(path[:end])
            if column is not None:
                if end == len(path) and end < 3:
                    # A section-level error names the key at the start of its message.
                    for candidate, name in columns.items():
                        if candidate[:end] == path and len(candidate) > end:
                            key = ".".join(candidate[end:])
                            if msg.startswith((key + ":", key + " ")):
                                return name
                return column
        for candidate, name in columns.items():
            if candidate[: len(path)] == path and len(candidate) > len(path):
                key = ".".join(candidate[len(path) :])
                if msg.startswith((key + ":", key + " ")):
                    return name
        return None


def _is_missing(value: Any) -> bool:
    if isinstance(value, str | int | bool | dict | list):
        return False
    try:
        return bool(value != value)  # noqa: PLR0124 - NaN and NaT differ from themselves
    except (TypeError, ValueError):
        return type(value).__name__ in {"NAType", "NaTType"}


def _has(data: dict[str, Any], path: Path) -> bool:
    node: Any = data
    for part in path:
        if not isinstance(node, dict) or part not in node:
            return False
        node = node[part]
    return True


def _assign(data: dict[str, Any], parents: Path, leaf: str, value: Any) -> None:
    node = data
    for part in parents:
        child = node.get(part)
        if not isinstance(child, dict):
            child = node[part] = {}
        node = child
    node[leaf] = value


def _target_path(target: str, kind: KindSpec) -> tuple[Path, str | None]:
    """Where a header (or mapping target) lands, and its role if it has one."""
    role = kind.roles.get(_normalise(target))
    if role is not None:
        return _ROLE_PATHS[role], role
    parts = tuple(target.split(".")) if "." in target else (target,)
    if len(parts) > 1 and all(parts):
        head = parts[0]
        if head in _ENVELOPE_SECTIONS or head in kind.sections:
            return parts, None
        return (*kind.section, *parts), None
    return (*kind.section, target), None


def compile_plan(
    header: Sequence[str],
    kind: KindSpec,
    mapping: ColumnMapping,
    *,
    assume_timezone: tzinfo | None = None,
    message_ids: Callable[[int], str] | None = None,
    typed_source: bool = False,
    encoded: bool = False,
    screen: RowScreen | None = None,
    plain_columns: frozenset[str] = frozenset(),
    clean_values: bool = False,
    sample: Sequence[Sequence[str]] | None = None,
    reading: ReadingOptions = DEFAULT_READING,
) -> Plan:
    """Compile the plan for one header.

    Parameters
    ----------
    header : sequence of str
        Column names in order.
    kind : KindSpec
        What to build.
    mapping : ColumnMapping
        Renames, drops, constants and type overrides.
    assume_timezone : tzinfo, optional
        Timezone for naive date-times.
    message_ids : callable, optional
        Row number to messageId; without it models get random ids.
    typed_source : bool
        Values are already typed (JSON Lines, DataFrames): strings are not inferred
        unless the column has a role or an explicit type.
    encoded : bool
        Rows become :class:`~cio.models.EncodedMessage` (wire bytes, for sending)
        rather than models; see :func:`cio.models.encode_message`.
    screen : callable, optional
        ``screen(plan, number, cells)`` is called with each row's raw cells (text or
        typed values) before conversion; when it returns ``False`` the row is passed
        over without converting it, and :meth:`Plan.convert` can convert it later
        (incremental syncs compare raw rows this way).
    plain_columns : frozenset of str
        Columns of a typed source whose values are sent as they are (no text, no naive
        date-time): :meth:`Plan.from_clean` skips their converter unless the column has
        a role that converts or an explicit type.
    clean_values : bool
        Rows will arrive through :meth:`Plan.from_clean` (a columnar source), so
        :meth:`Plan.convert` converts a row passed over by the screen the same way.
    sample : sequence of rows of str, optional
        The first rows of a CSV file: each column without a role or an explicit type
        gets the one type its sample cells fit (:func:`~cio.io._infer.infer_column`);
        without a sample, cells are inferred one by one (``auto``).
    reading : ReadingOptions
        Date formats and the decimal separator.

    Returns
    -------
    Plan

    Raises
    ------
    ValidationError
        For duplicate headers, two columns filling one field, unknown mapped columns,
        or a kind's required field that no column or constant provides. Each error is
        located at row 1 (the header).
    """
    seen: dict[str, int] = {}
    for index, name in enumerate(header):
        if name and name in seen:
            raise _file_error(
                f"duplicate column name in the header (columns {seen[name] + 1} and "
                f"{index + 1}); rename one of them",
                "duplicate_header",
                name,
            )
        seen[name] = index
    unknown = [name for name in (*mapping.columns, *mapping.types) if name not in seen]
    if unknown:
        raise _file_error(
            f"the mapping names columns that are not in the header: {', '.join(unknown)}",
            "unknown_column",
            unknown[0],
        )
    timestamp = timestamp_converter(assume_timezone, reading)
    entries: list[_Entry] = []
    unnamed: list[int] = []
    claimed: dict[Path, str] = {}
    for index, name in enumerate(header):
        if not name.strip():
            unnamed.append(index)
            continue
        target = mapping.columns.get(name, name)
        if target is None or target == "":
            continue
        path, role = _target_path(target, kind)
        type_name = mapping.types.get(name)
        if type_name is not None and type_name != "auto":
            text = converter_for(type_name, assume_timezone, reading)
            shown = type_name
        elif role == "timestamp":
            text = timestamp
            shown = "timestamp"
        elif role is not None:
            text = converter_for("string", assume_timezone)
            shown = "string"
        elif sample is not None and type_name is None:
            cells = [row[index] for row in sample if index < len(row) and row[index]]
            shown = infer_column(cells, reading)
            text = column_converter(shown, name, assume_timezone, reading)
        else:
            text = converter_for("auto", assume_timezone)
            shown = "auto"
        typed = role == "timestamp" or (type_name is not None and type_name != "auto")
        value = _value_converter(text, typed, assume_timezone) if typed_source else _identity
        _claim(claimed, path, name)
        plain = name in plain_columns and not typed
        entries.append(_Entry(index, name, path[:-1], path[-1], text, value, shown, plain))
    constants: list[tuple[Path, Any]] = []
    for target, value in mapping.constants.items():
        path, _role = _target_path(target, kind)
        _claim(claimed, path, f"constant {target}")
        constants.append((path, value))
    _check_required(kind, claimed)
    return Plan(
        kind,
        header=header,
        entries=entries,
        constants=constants,
        unnamed=unnamed,
        message_ids=message_ids,
        encoded=encoded,
        screen=screen,
        typed=typed_source,
        clean=clean_values,
    )


def _claim(claimed: dict[Path, str], path: Path, source: str) -> None:
    for other_path, other in claimed.items():
        shorter = min(len(path), len(other_path))
        if path[:shorter] == other_path[:shorter]:
            raise _file_error(
                f"{other!r} and {source!r} both fill {'.'.join(path[:shorter])}; "
                "rename or drop one of them with the mapping",
                "conflicting_columns",
                source,
            )
    claimed[path] = source


def _check_required(kind: KindSpec, claimed: Mapping[Path, str]) -> None:
    provided = set(claimed) | {(key,) for key in kind.fixed}
    for path, role in kind.required:
        if path not in provided:
            raise _file_error(
                f"no column provides {role}, which kind {kind.name!r} needs; name a column "
                f"{role} or map one to it",
                "missing_column",
            )
    person = {("userId",), ("anonymousId",)}
    if kind.name not in {"group", "relationship"} and not person & provided:
        raise _file_error(
            f"no column provides user_id or anonymous_id, which kind {kind.name!r} "
            "needs; name a column user_id or map one to it",
            "missing_column",
        )


def describe_kinds() -> Iterable[tuple[str, str]]:
    """The built-in kinds with one line each, for ``--help``.

    Returns
    -------
    iterable of (str, str)
    """
    kinds = _builtin_kinds()
    return [(name, kinds[name].description) for name in KINDS]
