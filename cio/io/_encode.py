"""Record batches to wire bytes a whole column at a time: the fast road of typed sources.

A columnar source (Parquet, Arrow, polars, DuckDB, SQL) gives every column one type, so
most of what intake checks value by value can be decided for a whole record batch at
once with ``pyarrow.compute``: every id has no control character and is not blank, every
``email`` trait is an ordinary address, every number is finite, every row names a
person. A row that passes is written here exactly as intake writes it (the same keys in
the same order, its messageId from the row number, compact JSON by orjson) and handed
on as an :class:`~cio.models.EncodedMessage`, which intake takes as it is and the
delivery engine sends like any other message: one road, entered with the bytes ready.

The column checks only choose the road. A row they are not sure of (a blank or odd id,
an address that may get a warning, an infinite number, no identity at all) goes through
the plan and intake one by one, so its error or warning is the one it always gets and
the valid rows around it lose nothing. The road is open only where its bytes are known
to equal intake's: kinds listed in :data:`_SECTIONS`, plans whose columns land as they
are (:meth:`cio.io._plan.Plan.plain_columns`), the compiled codecs on
(``CIO_COMPILED_CODECS=0`` sends every row through its model), and no warning check
registered from outside cio. ``tests/unit/io/test_columnar_encoder.py`` compares the two
roads byte for byte, errors and warnings included.
"""

from __future__ import annotations

import importlib
import logging
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import repeat
from types import ModuleType
from typing import Any, Final

import orjson

from cio.io._plan import Plan
from cio.models import (
    COMPILED_CODECS,
    EncodedMessage,
    Identify,
    Message,
    has_outside_advisors,
    ordering_key,
)

__all__ = ["ColumnarEncoder", "email_vouched", "finite", "identifier_vouched"]

logger = logging.getLogger(__name__)

_SECTIONS: Final[dict[type[Message], tuple[str, str | None]]] = {Identify: ("traits", "email")}
"""Kinds the encoder writes: model -> (its free-form section, the key holding an email)."""

_USER_ID: Final = "userId"
_ANONYMOUS_ID: Final = "anonymousId"
_MESSAGE_ID: Final = "messageId"
_TYPE: Final = "type"
_IDENTITIES: Final = (_ANONYMOUS_ID, _USER_ID)
_MEMBER_DEPTH: Final = 2
"""A section member's wire path: the section and the key (``traits.plan``)."""

# Ids: no control character anywhere, and at least one printable ASCII character (which
# is neither blank nor a control character). Stricter than the models' rule, which also
# takes ids made only of other scripts: those rows take the slow road, where it decides.
_CONTROL: Final = r"[\x00-\x1f\x7f]"
_PRINTABLE_ASCII: Final = r"[!-~]"

# Email addresses the models vouch for without email-validator: an ASCII dot-atom local
# part of at most 64 characters, a domain of LDH labels under a letters-only top-level
# label without "--", at most 254 characters, and no special-use domain. Anything else
# takes the slow road, where the address is checked and any warning is given.
_ATEXT: Final = r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]"
_LABEL: Final = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_PLAIN_EMAIL: Final = rf"^{_ATEXT}+(?:\.{_ATEXT}+)*@(?:{_LABEL}\.)+[A-Za-z]{{2,63}}$"
_SHORT_LOCAL: Final = r"^[^@]{1,64}@"
_DOUBLE_HYPHEN_DOMAIN: Final = r"@.*--"
_MAX_EMAIL_LENGTH: Final = 254
_NOT_TOO_LONG: Final = rf"^.{{1,{_MAX_EMAIL_LENGTH}}}$"

_DUMPS_OPTIONS: Final = orjson.OPT_UTC_Z
_NO_WARNINGS: Final[tuple[Any, ...]] = ()


def _compute() -> Any:
    return importlib.import_module("pyarrow.compute")


def identifier_vouched(column: Any) -> Any:
    """Per value of a string array: True where intake surely accepts it as an id.

    Nulls are True (an empty cell is left out).

    Parameters
    ----------
    column : pyarrow.Array
        Strings.

    Returns
    -------
    pyarrow.BooleanArray
    """
    compute = _compute()
    clean = compute.invert(compute.match_substring_regex(column, _CONTROL))
    visible = compute.match_substring_regex(column, _PRINTABLE_ASCII)
    return _or_null(compute, compute.and_(clean, visible), column)


def _or_null(compute: Any, checked: Any, column: Any) -> Any:
    """``checked``, with True where ``column`` is null.

    No Python value is passed to Arrow (``fill_null(x, True)`` would convert one, and the
    first conversion makes pyarrow import pandas: 30 MB for nothing).
    """
    return compute.or_kleene(checked, compute.is_null(column))


def _special_use_pattern() -> str:
    # email-validator's list is the one the models read; a name may hold a dot.
    names = importlib.import_module("email_validator").SPECIAL_USE_DOMAIN_NAMES
    return r"(?i)[@.](?:" + "|".join(re.escape(name) for name in sorted(names)) + r")$"


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
    compute = _compute()
    match = compute.match_substring_regex
    vouched = compute.and_(match(column, _PLAIN_EMAIL), match(column, _NOT_TOO_LONG))
    vouched = compute.and_(vouched, match(column, _SHORT_LOCAL))
    vouched = compute.and_not(vouched, match(column, _DOUBLE_HYPHEN_DOMAIN))
    vouched = compute.and_not(vouched, match(column, _special_use_pattern()))
    return _or_null(compute, vouched, column)


def finite(column: Any) -> Any:
    """Per value of a floating-point array: True where it is finite or null.

    Parameters
    ----------
    column : pyarrow.Array
        Numbers.

    Returns
    -------
    pyarrow.BooleanArray
    """
    compute = _compute()
    return _or_null(compute, compute.is_finite(column), column)


class ColumnarEncoder:
    """Writes the rows of one plan's record batches as wire bytes, column by column.

    Build it with :meth:`for_plan`, which says whether the plan can take this road at all.

    Parameters
    ----------
    pa : module
        pyarrow.
    message_ids : callable
        Row number to messageId.
    type_name : str
        The wire ``type`` of every message.
    identities : list of (int, str, bool)
        Id columns in wire order: index, wire key, whether it holds integers.
    section : str
        The free-form section (``traits``).
    members : list of (int, str)
        Section columns in header order: index and key.
    email : int or None
        The index of the column holding the section's email, if any.
    numbers : list of int
        Indices of floating-point columns.
    """

    def __init__(
        self,
        pa: ModuleType,
        *,
        message_ids: Callable[[int], str],
        type_name: str,
        identities: list[tuple[int, str, bool]],
        section: str,
        members: list[tuple[int, str]],
        email: int | None,
        numbers: list[int],
    ) -> None:
        self._pa = pa
        self._message_ids = message_ids
        self._type = type_name
        self._identities = identities
        self._section = section
        self._members = members
        self._email = email
        self._numbers = numbers

    @classmethod
    def for_plan(cls, pa: ModuleType, plan: Plan, types: Sequence[Any]) -> ColumnarEncoder | None:
        """The encoder for a plan, or ``None`` when its rows must go one by one.

        Parameters
        ----------
        pa : module
            pyarrow.
        plan : Plan
            The compiled plan.
        types : sequence of pyarrow.DataType
            Each column's type as :func:`cio.io._columnar.json_columns` gives it.

        Returns
        -------
        ColumnarEncoder or None
        """
        plain = plan.plain_columns()
        if not COMPILED_CODECS or plain is None or plain.model not in _SECTIONS:
            return None
        model = plain.model
        section, email_key = _SECTIONS[model]
        if not _in_wire_order(model, section):
            return None
        identities: list[tuple[int, str, bool]] = []
        members: list[tuple[int, str]] = []
        email: int | None = None
        numbers: list[int] = []
        for index, path in plain.fields:
            data_type = types[index]
            if len(path) == 1 and path[0] in _IDENTITIES:
                if not (_is_text(pa, data_type) or pa.types.is_integer(data_type)):
                    return None
                identities.append((index, path[0], pa.types.is_integer(data_type)))
                continue
            if len(path) != _MEMBER_DEPTH or path[0] != section or not _is_plain(pa, data_type):
                return None
            if path[1] == email_key:
                if not _is_text(pa, data_type):
                    return None
                email = index
            if pa.types.is_floating(data_type):
                numbers.append(index)
            members.append((index, path[1]))
        if not identities:
            return None
        identities.sort(key=lambda item: _IDENTITIES.index(item[1]))
        type_name = model.model_fields[_TYPE].default
        logger.debug("rows of kind %s are written column by column", type_name)
        return cls(
            pa,
            message_ids=plain.message_ids,
            type_name=type_name,
            identities=identities,
            section=section,
            members=members,
            email=email,
            numbers=numbers,
        )

    def encode(
        self,
        arrays: Sequence[Any],
        columns: Sequence[list[Any]],
        first: int,
        skipped: Sequence[bool] | None = None,
    ) -> list[EncodedMessage | None] | None:
        """Write one record batch: each row's message, or ``None`` for the slow road.

        Parameters
        ----------
        arrays : sequence of pyarrow.Array
            The batch's columns from :func:`cio.io._columnar.json_columns`.
        columns : sequence of list
            The same columns as Python values.
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
        rows = len(arrays[0]) if arrays else 0
        accepted = self._accepted(arrays, rows)
        if skipped is not None:
            accepted = [
                ok and not skip
                for ok, skip in zip(accepted or repeat(True, rows), skipped, strict=True)
            ]
        sections = self._sections(arrays, columns, rows)
        values = [
            self._identity_values(arrays, columns, index, numeric)
            for index, _k, numeric in self._identities
        ]
        if len(values) == 1:
            return self._write_one(self._identities[0][1], values[0], sections, accepted, first)
        return self._write_two(values[0], values[1], sections, accepted, first)

    def _write_one(
        self,
        key: str,
        values: list[Any],
        sections: Iterable[dict[str, Any] | None],
        accepted: list[bool] | None,
        first: int,
    ) -> list[EncodedMessage | None]:
        """Rows with one id column (accepted rows all have it)."""
        next_id = iter(self._ids(first, len(values), accepted)).__next__
        type_name = self._type
        section = self._section
        dumps = orjson.dumps
        new = tuple.__new__
        out: list[EncodedMessage | None] = []
        append = out.append
        for identity, members, ok in zip(values, sections, accepted or repeat(True), strict=False):
            if not ok:
                append(None)
                continue
            message_id = next_id()
            message = {_TYPE: type_name, _MESSAGE_ID: message_id, key: identity}
            if members:
                message[section] = members
            body = memoryview(dumps(message, option=_DUMPS_OPTIONS)).tobytes()
            append(new(EncodedMessage, (body, message_id, identity, _NO_WARNINGS)))
        return out

    def _write_two(
        self,
        anonymous: list[Any],
        users: list[Any],
        sections: Iterable[dict[str, Any] | None],
        accepted: list[bool] | None,
        first: int,
    ) -> list[EncodedMessage | None]:
        """Rows with an anonymousId and a userId column (accepted rows have one of them)."""
        next_id = iter(self._ids(first, len(users), accepted)).__next__
        type_name = self._type
        section = self._section
        dumps = orjson.dumps
        new = tuple.__new__
        out: list[EncodedMessage | None] = []
        append = out.append
        for anonymous_id, user_id, members, ok in zip(
            anonymous, users, sections, accepted or repeat(True), strict=False
        ):
            if not ok:
                append(None)
                continue
            message_id = next_id()
            message: dict[str, Any] = {_TYPE: type_name, _MESSAGE_ID: message_id}
            if anonymous_id is not None:
                message[_ANONYMOUS_ID] = anonymous_id
            if user_id is not None:
                message[_USER_ID] = user_id
            if members:
                message[section] = members
            body = memoryview(dumps(message, option=_DUMPS_OPTIONS)).tobytes()
            key = ordering_key(user_id, anonymous_id, message_id)
            append(new(EncodedMessage, (body, message_id, key, _NO_WARNINGS)))
        return out

    def _ids(self, first: int, rows: int, accepted: list[bool] | None) -> list[str]:
        """The messageIds of the accepted rows, in order."""
        numbers: Iterable[int] = range(first, first + rows)
        if accepted is not None:
            numbers = [number for number, ok in zip(numbers, accepted, strict=True) if ok]
        many = getattr(self._message_ids, "many", None)
        if many is not None:
            found: list[str] = many(numbers)
            return found
        return [self._message_ids(number) for number in numbers]

    def _accepted(self, arrays: Sequence[Any], rows: int) -> list[bool] | None:
        """Per row, whether every column check passes; ``None`` when all rows pass."""
        compute = _compute()
        present = None
        checks = []
        for index, _key, numeric in self._identities:
            column = arrays[index]
            valid = compute.is_valid(column)
            present = valid if present is None else compute.or_(present, valid)
            if not numeric:
                checks.append(identifier_vouched(column))
        checks.append(present)
        if self._email is not None:
            checks.append(email_vouched(arrays[self._email]))
        for index in self._numbers:
            checks.append(finite(arrays[index]))
        accepted = checks[0]
        for check in checks[1:]:
            accepted = compute.and_(accepted, check)
        if rows == 0 or compute.all(accepted).as_py():
            return None
        flags: list[bool] = accepted.to_pylist()
        return flags

    def _identity_values(
        self, arrays: Sequence[Any], columns: Sequence[list[Any]], index: int, numeric: bool
    ) -> list[Any]:
        if not numeric:
            return columns[index]
        # intake writes a numeric id as its decimal text, as Arrow does.
        values: list[Any] = _compute().cast(arrays[index], self._pa.string()).to_pylist()
        return values

    def _sections(
        self, arrays: Sequence[Any], columns: Sequence[list[Any]], rows: int
    ) -> Iterable[dict[str, Any] | None]:
        """Per row, the section's members without empty cells (``None`` or ``{}`` if none)."""
        if not self._members:
            return repeat(None, rows)
        keys = [key for _index, key in self._members]
        values = [columns[index] for index, _key in self._members]
        if any(arrays[index].null_count for index, _key in self._members):
            return [
                {key: value for key, value in zip(keys, row, strict=True) if value is not None}
                for row in zip(*values, strict=True)
            ]
        return [dict(zip(keys, row, strict=True)) for row in zip(*values, strict=True)]


def _in_wire_order(model: type[Message], section: str) -> bool:
    """Whether the model writes type, messageId, the ids and the section in that order."""
    order = [info.serialization_alias or name for name, info in model.model_fields.items()]
    wanted = [_TYPE, _MESSAGE_ID, *_IDENTITIES, section]
    if any(key not in order for key in wanted):
        return False
    positions = [order.index(key) for key in wanted]
    return positions == sorted(positions)


def _is_text(pa: ModuleType, data_type: Any) -> bool:
    return bool(pa.types.is_string(data_type) or pa.types.is_large_string(data_type))


def _is_plain(pa: ModuleType, data_type: Any) -> bool:
    """Types whose Python values intake passes on unchanged (numbers checked finite)."""
    types = pa.types
    return bool(
        _is_text(pa, data_type)
        or types.is_integer(data_type)
        or types.is_boolean(data_type)
        or types.is_null(data_type)
        or data_type in (pa.float32(), pa.float64())
    )
