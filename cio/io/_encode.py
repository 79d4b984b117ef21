"""Record batches to wire bytes a whole column at a time: the fast road of typed sources.

A columnar source (Parquet, Arrow, polars, DuckDB, SQL) gives every column one type, so
most of what intake checks value by value can be decided for a whole record batch at
once with ``pyarrow.compute``: every id has no control character and is not blank, every
``email`` trait is an ordinary address, every number is finite, every row names a
person. For the rows that pass, Arrow assembles the message text from the columns,
exactly as intake writes it (the same keys in the same order, the messageId derived
from the row number, values written as orjson writes them); each is handed on as an
:class:`~cio.models.EncodedMessage`, which intake takes as it is and the delivery engine
sends like any other message: one road, entered with the bytes ready.

The column checks only choose the road. A row they are not sure of (a blank or odd id,
an address that may get a warning, an infinite number, a string JSON must escape, no
identity at all) goes through the plan and intake one by one, so its error or warning
is the one it always gets and the valid rows around it lose nothing. The road is open
only where its bytes are known to equal intake's: kinds listed in :data:`_SECTIONS`,
plans whose columns land as they are (:meth:`cio.io._plan.Plan.plain_columns`), the
compiled codecs on (``CIO_COMPILED_CODECS=0`` sends every row through its model), and
no warning check registered from outside cio. ``tests/unit/io/test_columnar_encoder.py``
compares the two roads byte for byte, errors and warnings included, on fixed and on
generated tables.
"""

from __future__ import annotations

import importlib
import logging
import re
import struct
from collections.abc import Sequence
from functools import cache
from itertools import accumulate, repeat
from types import ModuleType
from typing import Any, Final

import orjson

from cio import models
from cio.io._plan import Plan
from cio.io._state import MessageIds
from cio.models import (
    COMPILED_CODECS,
    EncodedMessage,
    Identify,
    Message,
    has_outside_advisors,
    ordering_key,
)

__all__ = ["ColumnarEncoder", "email_vouched", "identifier_vouched"]

logger = logging.getLogger(__name__)

ENCODE_ROWS: Final = 2_048
"""Rows written at a time: the JSON pieces of a slice are in memory together."""

_SECTIONS: Final[dict[type[Message], tuple[str, str | None]]] = {Identify: ("traits", "email")}
"""Kinds the encoder writes: model -> (its free-form section, the key holding an email)."""

_USER_ID: Final = "userId"
_ANONYMOUS_ID: Final = "anonymousId"
_MESSAGE_ID: Final = "messageId"
_TYPE: Final = "type"
_TIMESTAMP: Final = "timestamp"
_IDENTITIES: Final = (_ANONYMOUS_ID, _USER_ID)
_MEMBER_DEPTH: Final = 2
"""A section member's wire path: the section and the key (``traits.plan``)."""

# Ids: no control character anywhere, and at least one printable ASCII character (which
# is neither blank nor a control character). Stricter than the models' rule, which also
# takes ids made only of other scripts: those rows take the slow road, where it decides.
# No quote or backslash either, so that JSON writes the id between quotes as it is.
_PLAIN_IDENTIFIER: Final = r'^[^"\\\x00-\x1f\x7f]*[!#-\[\]-~][^"\\\x00-\x1f\x7f]*$'

# Email addresses the models vouch for without email-validator (the rule is theirs,
# models.ORDINARY_ADDRESS): anything else takes the slow road, where the address is
# checked and any warning is given.
_DOUBLE_HYPHEN_DOMAIN: Final = r"@.*--"

_TEXT: Final = "text"
_INTEGER: Final = "integer"
_BOOLEAN: Final = "boolean"
_NUMBER: Final = "number"
_NULL: Final = "null"
# What orjson escapes inside a string; anything else it writes as it is.
_JSON_ESCAPED: Final = r'["\\\x00-\x1f]'
_NO_WARNINGS: Final[tuple[Any, ...]] = ()


def _compute() -> Any:
    return importlib.import_module("pyarrow.compute")


def _match(column: Any, pattern: str) -> Any:
    return _compute().match_substring_regex(column, pattern)


def _or_null(compute: Any, checked: Any, column: Any) -> Any:
    """``checked``, with True where ``column`` is null.

    No Python value is passed to Arrow (``fill_null(x, True)`` would convert one, and the
    first conversion makes pyarrow import pandas: 30 MB for nothing).
    """
    return compute.or_kleene(checked, compute.is_null(column))


def identifier_vouched(column: Any) -> Any:
    """Per value of a string array: True where intake surely accepts it as an id.

    And JSON writes it between quotes as it is. Nulls are True (an empty cell is left out).

    Parameters
    ----------
    column : pyarrow.Array
        Strings.

    Returns
    -------
    pyarrow.BooleanArray
    """
    return _or_null(_compute(), _match(column, _PLAIN_IDENTIFIER), column)


@cache
def _special_use_pattern() -> str:
    # The names the models read; a name may hold a dot.
    names = sorted(models.ORDINARY_ADDRESS.special_use)
    return r"(?i)[@.](?:" + "|".join(re.escape(name) for name in names) + r")$"


def _email_matches(column: Any) -> Any:
    compute = _compute()
    pa = importlib.import_module("pyarrow")
    rule = models.ORDINARY_ADDRESS  # loads email-validator: only when an email is checked
    # The pattern takes ASCII only, so lengths in bytes are lengths in characters.
    length = compute.binary_length(column)
    local = compute.find_substring(column, "@")
    vouched = compute.and_(
        _match(column, f"^{rule.pattern}$"),
        compute.less_equal(length, _int_scalar(pa, length.type, rule.max_length)),
    )
    vouched = compute.and_(
        vouched, compute.less_equal(local, _int_scalar(pa, local.type, rule.max_local_length))
    )
    vouched = compute.and_not(vouched, _match(column, _DOUBLE_HYPHEN_DOMAIN))
    return compute.and_not(vouched, _match(column, _special_use_pattern()))


def _int_scalar(pa: ModuleType, data_type: Any, value: int) -> Any:
    """An Arrow integer scalar made from its buffer (no Python value conversion)."""
    packed = struct.pack("<i" if data_type == pa.int32() else "<q", value)
    return pa.Array.from_buffers(data_type, 1, [None, pa.py_buffer(packed)])[0]


def email_vouched(column: Any) -> Any:
    """Per value of a string array: True where intake surely takes it without a warning.

    Nulls are True (an empty cell is left out).

    Parameters
    ----------
    column : pyarrow.Array
        Strings.

    Returns
    -------
    pyarrow.BooleanArray
    """
    return _or_null(_compute(), _email_matches(column), column)


class ColumnarEncoder:
    """Writes the rows of one plan's record batches as wire bytes, column by column.

    Build it with :meth:`for_plan`, which says whether the plan can take this road at all.
    Each message is assembled by Arrow from JSON pieces: the constant keys (written by
    orjson once), the messageIds, strings between quotes (only strings JSON writes as
    they are: no quote, backslash or control character), integers and booleans as Arrow
    writes them (as JSON does), floats as orjson writes them (one call per column). A
    null cell leaves its key out, as the plan does.

    Parameters
    ----------
    pa : module
        pyarrow.
    message_ids : MessageIds
        Row number to messageId.
    type_name : str
        The wire ``type`` of every message.
    identities : list of (int, str, bool)
        Id columns in wire order: index, wire key, whether it holds integers.
    section : str
        The free-form section (``traits``).
    members : list of (int, str, str)
        Section columns in header order: index, key and kind (``text``, ``integer``,
        ``boolean``, ``number`` or ``null``).
    email : int or None
        The index of the column holding the section's email, if any.
    timestamp : int or None
        The index of the ``timestamp`` column (zoned timestamps as ISO text), if any.
    """

    def __init__(
        self,
        pa: ModuleType,
        *,
        message_ids: MessageIds,
        type_name: str,
        identities: list[tuple[int, str, bool]],
        section: str,
        members: list[tuple[int, str, str]],
        email: int | None,
        timestamp: int | None = None,
    ) -> None:
        self._pa = pa
        self._timestamp = timestamp
        self._expected: list[tuple[int, Any]] = []
        """Column index and type for each column used, as the schema says."""
        self._message_ids = message_ids
        self._identities = identities
        self._members = [(index, kind) for index, _key, kind in members if kind != _NULL]
        self._email = email
        opening = b"{" + _json(_TYPE) + b":" + _json(type_name) + b"," + _json(_MESSAGE_ID) + b':"'
        self._text = {
            "open": _text_scalar(pa, opening),
            "quote": _text_scalar(pa, '"'),
            "close": _text_scalar(pa, "}"),
            "": _text_scalar(pa, ""),
            "section": _text_scalar(pa, b"," + _json(section) + b":{"),
            _TIMESTAMP: _text_scalar(pa, b"," + _json(_TIMESTAMP) + b':"'),
        }
        self._quoted_keys = {
            index: _text_scalar(pa, b"," + _json(key) + b':"')
            for index, key in [
                *[(i, k) for i, k, _n in identities],
                *[(i, k) for i, k, _t in members],
            ]
        }
        self._keys = {
            index: _text_scalar(pa, b"," + _json(key) + b":")
            for index, key in [
                *[(i, k) for i, k, _n in identities],
                *[(i, k) for i, k, _t in members],
            ]
        }

    @classmethod
    def for_plan(
        cls, pa: ModuleType, plan: Plan, types: Sequence[Any], zoned: frozenset[int] = frozenset()
    ) -> ColumnarEncoder | None:
        """The encoder for a plan, or ``None`` when its rows must go one by one.

        Parameters
        ----------
        pa : module
            pyarrow.
        plan : Plan
            The compiled plan.
        types : sequence of pyarrow.DataType
            Each column's type as :func:`cio.io._columnar.json_columns` gives it.
        zoned : frozenset of int
            Columns that hold timestamps with a timezone in the source (ISO text in UTC
            in ``json_columns``): one of them may be the ``timestamp`` column.

        Returns
        -------
        ColumnarEncoder or None
        """
        plain = plan.plain_columns()
        if (
            not COMPILED_CODECS
            or plain is None
            or plain.model not in _SECTIONS
            or not isinstance(plain.message_ids, MessageIds)
        ):
            return None
        model = plain.model
        section, email_key = _SECTIONS[model]
        if not _in_wire_order(model, section):
            return None
        identities: list[tuple[int, str, bool]] = []
        members: list[tuple[int, str, str]] = []
        email: int | None = None
        timestamp: int | None = None
        for index, path, converted, type_name in plain.fields:
            data_type = types[index]
            if converted:
                # Only a zoned timestamp column read as the timestamp: intake parses its
                # ISO text back into the same instant and writes it as this text.
                if path != (_TIMESTAMP,) or type_name != _TIMESTAMP or index not in zoned:
                    return None
                timestamp = index
                continue
            if len(path) == 1 and path[0] in _IDENTITIES:
                if not (_is_text(pa, data_type) or pa.types.is_integer(data_type)):
                    return None
                identities.append((index, path[0], pa.types.is_integer(data_type)))
                continue
            kind = _value_kind(pa, data_type)
            if len(path) != _MEMBER_DEPTH or path[0] != section or kind is None:
                return None
            if path[1] == email_key:
                if kind != _TEXT:
                    return None
                email = index
            members.append((index, path[1], kind))
        if not identities:
            return None
        identities.sort(key=lambda item: _IDENTITIES.index(item[1]))
        logger.debug("rows of %s are written column by column", model.__name__)
        encoder = cls(
            pa,
            message_ids=plain.message_ids,
            type_name=model.model_fields[_TYPE].default,
            identities=identities,
            section=section,
            members=members,
            email=email,
            timestamp=timestamp,
        )
        used = [index for index, *_ in identities] + [index for index, *_ in members]
        if timestamp is not None:
            used.append(timestamp)
        encoder._expected = [(index, types[index]) for index in used]
        return encoder

    def encode(
        self, arrays: Sequence[Any], first: int, skipped: Sequence[bool] | None = None
    ) -> list[EncodedMessage | None] | None:
        """Write one record batch: each row's message, or ``None`` for the slow road.

        Parameters
        ----------
        arrays : sequence of pyarrow.Array
            The batch's columns from :func:`cio.io._columnar.json_columns`.
        first : int
            The number of the batch's first row.
        skipped : sequence of bool, optional
            Rows not to write (already sent).

        Returns
        -------
        list or None
            Per row, its :class:`~cio.models.EncodedMessage`, or ``None`` when the row
            goes through the plan (or was skipped); ``None`` when the whole batch does.
        """
        if has_outside_advisors():
            return None  # their checks run on intake's road
        if any(arrays[index].type != expected for index, expected in self._expected):
            return None  # a batch that differs from the schema: row by row
        rows = len(arrays[0]) if arrays else 0
        if rows > ENCODE_ROWS:
            # Slices (no copy): the message texts of a few thousand rows at a time.
            out: list[EncodedMessage | None] = []
            for start in range(0, rows, ENCODE_ROWS):
                part = [array.slice(start, ENCODE_ROWS) for array in arrays]
                chosen = None if skipped is None else skipped[start : start + ENCODE_ROWS]
                written = self.encode(part, first + start, chosen)
                if written is None:
                    return None
                out.extend(written)
            return out
        if rows == 0 or (skipped is not None and all(skipped)):
            return [None] * rows
        compute = _compute()
        identities = [
            compute.cast(arrays[index], self._pa.string())
            for index, _key, _numeric in self._identities
        ]
        refused = self._refused(arrays, identities)
        flags: list[bool] | None = None
        if refused is not None:
            flags = [flag is not True for flag in refused.to_pylist()]
        if skipped is not None:
            flags = [
                ok and not skip for ok, skip in zip(flags or repeat(True), skipped, strict=False)
            ]
        if flags is not None and not any(flags):
            return [None] * rows
        message_ids = self._message_ids.many(range(first, first + rows))
        bodies = self._bodies(arrays, identities, message_ids).to_pylist()
        keys = self._keys_of(identities, message_ids)
        new = tuple.__new__
        if flags is None:
            return [
                new(EncodedMessage, (body, message_id, key, _NO_WARNINGS))
                for body, message_id, key in zip(bodies, message_ids, keys, strict=True)
            ]
        return [
            new(EncodedMessage, (body, message_id, key, _NO_WARNINGS)) if ok else None
            for body, message_id, key, ok in zip(bodies, message_ids, keys, flags, strict=True)
        ]

    def _bodies(self, arrays: Sequence[Any], identities: list[Any], message_ids: list[str]) -> Any:
        """Every row's JSON as a binary array (rows not accepted hold something unused)."""
        pa = self._pa
        compute = _compute()
        join = compute.binary_join_element_wise
        text = self._text
        empty = text[""]
        pieces = [text["open"], _string_array(pa, message_ids), text["quote"]]
        if self._timestamp is not None:
            moments = arrays[self._timestamp]
            pieces.append(join(text[_TIMESTAMP], moments, text["quote"], empty))
        for (index, _key, _numeric), values in zip(self._identities, identities, strict=True):
            pieces.append(join(self._quoted_keys[index], values, text["quote"], empty))
        members = [self._member(arrays[index], index, kind) for index, kind in self._members]
        if members:
            listed = join(*members, empty, null_handling="replace")
            # Drop the comma before the first member (every piece starts with one).
            inner = compute.utf8_slice_codeunits(listed, start=1)
            section = join(text["section"], inner, text["close"], empty)
            if not any(arrays[index].null_count == 0 for index, _kind in self._members):
                # A row whose members are all empty has no section at all.
                present = compute.cast(compute.utf8_length(listed), pa.bool_())
                section = compute.if_else(present, section, empty)
            pieces.append(section)
        pieces.append(text["close"])
        body = join(*pieces, empty, null_handling="replace")
        return compute.cast(body, pa.binary())

    def _member(self, column: Any, index: int, kind: str) -> Any:
        """A section member's ``,"key":value`` text per row (null where the cell is null)."""
        pa = self._pa
        compute = _compute()
        join = compute.binary_join_element_wise
        empty = self._text[""]
        if kind == _TEXT:
            if not pa.types.is_string(column.type):
                column = compute.cast(column, pa.string())
            return join(self._quoted_keys[index], column, self._text["quote"], empty)
        if kind == _NUMBER:
            # orjson writes each float as intake would; a float's text holds no comma.
            written = orjson.dumps(column.to_pylist())[1:-1]
            values = compute.split_pattern(_string_array(pa, [written]), ",").flatten()
            if column.null_count:
                values = compute.if_else(
                    compute.is_null(column), pa.nulls(len(column), pa.string()), values
                )
        else:  # integers and booleans: Arrow writes them as JSON does
            values = compute.cast(column, pa.string())
        return join(self._keys[index], values, empty)

    def _keys_of(self, identities: list[Any], message_ids: list[str]) -> list[Any]:
        """Each row's ordering key: its userId, else its anonymousId."""
        if len(identities) == 1:
            keys: list[Any] = identities[0].to_pylist()
            return keys
        anonymous, users = (values.to_pylist() for values in identities)
        return [
            ordering_key(user, anon, message_id)
            for user, anon, message_id in zip(users, anonymous, message_ids, strict=True)
        ]

    def _refused(self, arrays: Sequence[Any], identities: list[Any]) -> Any | None:
        """Per row, True where a column check is not sure of it; ``None`` when none is.

        Nulls in the result mean the same as False (the cell was empty).
        """
        compute = _compute()
        problems = []
        missing = None
        for (_index, _key, numeric), values in zip(self._identities, identities, strict=True):
            absent = compute.is_null(values)
            missing = absent if missing is None else compute.and_(missing, absent)
            if not numeric:
                problems.append(compute.invert(_match(values, _PLAIN_IDENTIFIER)))
        problems.append(missing)
        if self._email is not None:
            problems.append(compute.invert(_email_matches(arrays[self._email])))
        for index, kind in self._members:
            if kind == _NUMBER:
                problems.append(compute.invert(compute.is_finite(arrays[index])))
            elif kind == _TEXT and index != self._email:
                problems.append(_match(arrays[index], _JSON_ESCAPED))
        found = [problem for problem in problems if compute.any(problem).as_py()]
        if not found:
            return None
        refused = found[0]
        for problem in found[1:]:
            refused = compute.or_kleene(refused, problem)
        return refused


def _json(value: str) -> bytes:
    return orjson.dumps(value)


def _text_scalar(pa: ModuleType, value: str | bytes) -> Any:
    """An Arrow string scalar made from its buffers (no Python value conversion)."""
    return _string_array(pa, [value])[0]


def _string_array(pa: ModuleType, values: Sequence[str | bytes]) -> Any:
    """An Arrow string array made from its buffers.

    ``pa.array(values)`` would convert Python values, and the first conversion makes
    pyarrow import pandas (30 MB more for every columnar import).
    """
    encoded = [value if isinstance(value, bytes) else value.encode() for value in values]
    offsets = struct.pack(f"<{len(encoded) + 1}i", *accumulate(map(len, encoded), initial=0))
    data = b"".join(encoded)
    buffers = [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    return pa.Array.from_buffers(pa.string(), len(encoded), buffers)


def _in_wire_order(model: type[Message], section: str) -> bool:
    """Whether the model writes type, messageId, timestamp, the ids and the section in order."""
    order = [info.serialization_alias or name for name, info in model.model_fields.items()]
    wanted = [_TYPE, _MESSAGE_ID, _TIMESTAMP, *_IDENTITIES, section]
    if any(key not in order for key in wanted):
        return False
    positions = [order.index(key) for key in wanted]
    return positions == sorted(positions)


def _is_text(pa: ModuleType, data_type: Any) -> bool:
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def _value_kind(pa: ModuleType, data_type: Any) -> str | None:
    """How a section column's values are written, or ``None`` when the encoder cannot."""
    types = pa.types
    if _is_text(pa, data_type):
        return _TEXT
    if types.is_integer(data_type):
        return _INTEGER
    if types.is_boolean(data_type):
        return _BOOLEAN
    if types.is_null(data_type):
        return _NULL
    if data_type in (pa.float32(), pa.float64()):
        return _NUMBER
    return None
