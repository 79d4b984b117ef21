"""Incremental syncs: send only the rows that changed since the last run, mirror deletions.

A sync reads a source (anything the importer reads) keyed by one or more columns and
compares it with a SQLite state database of what the API acknowledged before:

1. **First pass**: every row's key and a fast hash of its raw cells go into a temporary
   table, without converting the row. Empty and duplicate keys are found here.
2. **Diff in SQLite**: rows whose raw hash matches the acknowledged one are unchanged
   and cost nothing more; new keys and rows whose raw cells differ are candidates.
   Memory stays flat: the comparison streams through SQLite a page at a time.
3. **Second pass**: only the candidates are converted and validated. Each payload gets
   a content hash of its canonical form (sorted keys, floats without formatting noise,
   no messageId); a candidate whose content hash equals the acknowledged one (the same
   values written differently) is unchanged and not sent.
4. **Send**: new and changed rows, then (mirror mode) the documented deletion of each
   key that left the source, through ``client.batch.send``. Each messageId is derived
   from the kind, the key, the previous and the new content hash, so a re-run after a
   crash sends each pending change once more under the same messageId.
5. **Record**: the state advances only for acknowledged messages; refused and failed
   ones are kept in the ``rejected`` table (status and reason, never values) and sent
   again on the next run until they succeed.

See ``docs/sync.md``.
"""

from __future__ import annotations

import bisect
import hashlib
import html
import logging
import operator
import os
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import tzinfo
from typing import TYPE_CHECKING, Any, Final, Literal

import orjson

from cio._constants import (
    DEFAULT_MAX_ROW_ERRORS,
    DEFAULT_OBJECT_TYPE_ID,
    EVENT_DEVICE_DELETED,
    EVENT_OBJECT_DELETED,
    EVENT_RELATIONSHIP_DELETED,
    EVENT_USER_DELETED,
)
from cio.errors import (
    ConfigurationError,
    CustomerIOError,
    DeletionLimitError,
    ErrorDetail,
    SyncError,
    ValidationError,
)
from cio.io._constants import IMPORT_NAMESPACE
from cio.io._infer import DEFAULT_READING, ReadingOptions, resolve_timezone
from cio.io._plan import ColumnMapping, KindSpec, Plan, Row, RowScreen, resolve_kind
from cio.io._source import Format, TabularSource, open_source
from cio.io._sync_state import (
    Known,
    RejectedKey,
    SyncRun,
    SyncState,
    format_history,
    read_history,
)
from cio.io._validate import Source, _ErrorSink, format_error_table, open_rows
from cio.models import EncodedMessage, encode_message

if TYPE_CHECKING:
    from cio.client import CustomerIOClient


def _source_name(source: Source, fmt: Format | None) -> str:
    """The name runs are recorded under: the path, ``DataFrame``, ``SQL query``..."""
    if isinstance(source, TabularSource):
        return source.name
    return open_source(source, format=fmt).name


__all__ = [
    "DEFAULT_MAX_DELETE_SHARE",
    "SYNC_KINDS",
    "DeletionLimitError",
    "SyncError",
    "SyncHistory",
    "SyncReport",
    "content_hash",
    "run_sync",
    "sync",
    "sync_history",
    "sync_message_id",
]

logger = logging.getLogger(__name__)

Mode = Literal["upsert", "mirror"]
MODES: Final = ("upsert", "mirror")
DEFAULT_MAX_DELETE_SHARE: Final = 0.1
"""Mirror mode refuses to delete more than this share of the known keys unless forced."""
DEFAULT_SAMPLES: Final = 3
WORK_FLUSH_ROWS: Final = 5_000
MAX_HELD_ROWS: Final = 25_000
"""Candidate rows held from the first pass; past this the cells of every row are kept as
text in the temporary work table (or, for rows that are not all text, read again)."""
KEEP_CELLS: Final = True
"""Keep rows' cells in the work table when they cannot be held, instead of a second pass."""
MAX_HELD_STATE: Final = 200_000
"""Known keys up to which the first pass compares each chunk at once (random lookups stay
cheap while the state fits in cache); larger states are compared in one merge in key
order, and a second pass converts the candidates."""
KEY_SEPARATOR: Final = "\x1f"
KEY_DISPLAY_SEPARATOR: Final = "|"
CONTENT_HASH_CHARS: Final = 32
SHOWN_EXAMPLES: Final = 5
FLOAT_DIGITS: Final = 15
_KEY_HASH_BYTES: Final = 8
_SEED_BYTES: Final = 16
_HTTP_CLIENT_ERRORS: Final = range(400, 500)
_MASK: Final = "<{}>"
_MESSAGE_ID_FIELD: Final = b'"messageId":"'
SYNC_NAMESPACE: Final = uuid.uuid5(uuid.UUID(IMPORT_NAMESPACE), "cio-sync")
"""The namespace of sync messageIds (see :func:`sync_message_id`)."""

_PERSON_IDS: Final = ("userId", "anonymousId")
_OBJECT_ID: Final = "objectId"
_OBJECT_TYPE_ID: Final = "objectTypeId"

# The sync kinds and the import kind each one reads rows as.
SYNC_KINDS: Final[Mapping[str, str]] = {
    "identify": "identify",
    "people": "identify",
    "group": "group",
    "objects": "group",
    "relationship": "relationship",
    "relationships": "relationship",
    "device": "device",
    "devices": "device",
    "events": "track",
    "track": "track",
}
"""Sync kind names and the import kind rows become; semantic event names, ``page`` and
``screen`` are accepted too and, like ``events``, are append-only."""

_SHAPING_OPTIONS: Final = ("kind", "key", "mapping", "types", "assume_timezone")
_MIRRORED: Final = frozenset({"identify", "group", "relationship", "device"})
_NOT_SYNCABLE: Final = frozenset({"delete", "suppress", "unsuppress"})


# Hashing -----------------------------------------------------------------------------------


def _canonical(value: Any) -> Any:
    kind = type(value)
    if kind is dict:
        return {key: _canonical(item) for key, item in value.items()}
    if kind is list:
        return [_canonical(item) for item in value]
    if kind is float:
        if value.is_integer():
            return int(value)
        return float(f"{value:.{FLOAT_DIGITS}g}")
    return value


def content_hash(payload: Mapping[str, Any]) -> str:
    """The content hash of a message in wire form: stable under formatting noise.

    Keys are sorted at every level (so the order of columns and of keys in JSON cells
    does not count), floats are compared to 15 significant digits and ``2.0`` equals
    ``2``, and ``messageId`` is left out.

    Parameters
    ----------
    payload : mapping
        The message as sent (wire names).

    Returns
    -------
    str
        32 hexadecimal characters.

    Example
    -------
    >>> a = {"type": "identify", "userId": "1", "traits": {"plan": "pro", "seats": 3.0}}
    >>> b = {"traits": {"seats": 3, "plan": "pro"}, "userId": "1", "type": "identify"}
    >>> content_hash(a) == content_hash(b)
    True
    >>> content_hash(a) == content_hash({**a, "traits": {"plan": "free", "seats": 3}})
    False
    """
    data = {key: value for key, value in payload.items() if key != "messageId"}
    encoded = orjson.dumps(_canonical(data), option=orjson.OPT_SORT_KEYS)
    return hashlib.sha256(encoded).hexdigest()[:CONTENT_HASH_CHARS]


def sync_message_id(kind: str, key: str, previous: str | None, content: str) -> str:
    """The messageId of one change: derived from the kind, the key and both content hashes.

    The previous content hash is part of it, so a key that changes back to an earlier
    content gets a new messageId (the API drops repeated messageIds), while a re-run
    after a crash, whose state did not advance, derives the same one.

    Parameters
    ----------
    kind : str
        The import kind (``identify``, ``group``, ...).
    key : str
        The key as shown (columns joined by ``|``).
    previous : str or None
        The acknowledged content hash, ``None`` for a new key.
    content : str
        The new content hash (``deleted:<previous>`` for a deletion).

    Returns
    -------
    str
        A UUID (version 5).

    Example
    -------
    >>> first = sync_message_id("identify", "42", None, "ab")
    >>> first == sync_message_id("identify", "42", None, "ab")
    True
    >>> first == sync_message_id("identify", "42", "ab", "cd")
    False
    """
    name = KEY_SEPARATOR.join((kind, key, previous or "", content))
    return str(uuid.uuid5(SYNC_NAMESPACE, name))


def _key_text(value: Any) -> str:
    if value is None:
        return ""
    if type(value) is str:
        return value.strip()
    if isinstance(value, float):
        if value != value:  # noqa: PLR0124 - NaN is a missing key
            return ""
        if value.is_integer():
            return str(int(value))
    text = str(value).strip()
    return "" if text in {"nan", "NaT", "<NA>", "None"} else text


@dataclass(frozen=True)
class _Layout:
    key_indexes: tuple[int, ...] | None
    single: int | None
    pick: Callable[[Sequence[Any]], Sequence[Any]]
    width: int
    raw_hasher: Any
    """A blake2b state seeded with this header and the shaping options, copied per row."""
    unpick: Callable[[Sequence[Any]], Sequence[Any]]
    """Cells in column-name order back to header order."""


def _pick_all(cells: Sequence[Any]) -> Sequence[Any]:
    return cells


_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes
_KEY_HASHER: Final = hashlib.blake2b(digest_size=_KEY_HASH_BYTES)
"""Copied for each key: a copy is much cheaper than a new hasher with parameters, and
hashes exactly as ``blake2b(key, digest_size=8)`` (the state's key hash)."""


def _text_bytes(text: str) -> bytes:
    try:
        return text.encode()
    except UnicodeEncodeError:  # undecodable input bytes kept as surrogates
        return text.encode("utf-8", "surrogateescape")


class _Rows:
    """Both passes' ``screen``: knows each header's key columns and hashes raw rows.

    The key hash is ``blake2b(key, digest_size=8)`` of the key text (columns joined by
    ``\\x1f``), the raw hash ``blake2b(cells, digest_size=8, person=seed)`` of the cells in
    column-name order joined by ``\\x1f``, where the seed hashes the shaping options and
    the header. Both are kept in the state, so they must not change between versions.
    """

    def __init__(self, key: Sequence[str], fingerprint: str) -> None:
        self.key = tuple(key)
        self.fingerprint = fingerprint
        self._layouts: dict[tuple[str, ...], _Layout] = {}
        self._last_plan: Plan | None = None
        self._last_layout: _Layout | None = None
        self.key_column_seen = False
        self.plans: list[Plan] = []
        """The plan of each header seen, in order (one for a single file)."""

    def current(self, plan: Plan) -> _Layout | None:
        """The layout of ``plan`` when it is the one the last row had (else ``None``)."""
        return self._last_layout if plan is self._last_plan else None

    def layout(self, plan: Plan) -> _Layout:
        if plan is self._last_plan and self._last_layout is not None:
            return self._last_layout
        header = plan.header
        found = self._layouts.get(header)
        if found is None:
            positions = {name: index for index, name in enumerate(header)}
            indexes = tuple(positions.get(name, -1) for name in self.key)
            keyed = all(index >= 0 for index in indexes)
            self.key_column_seen = self.key_column_seen or keyed
            order = sorted(range(len(header)), key=header.__getitem__)
            pick = operator.itemgetter(*order) if len(order) > 1 else _pick_all
            inverse = sorted(range(len(order)), key=order.__getitem__)
            unpick = operator.itemgetter(*inverse) if len(order) > 1 else _pick_all
            seed = (self.fingerprint + KEY_SEPARATOR.join(sorted(header))).encode()
            digest = _blake2b(seed, digest_size=_SEED_BYTES).digest()
            hasher = _blake2b(digest_size=_KEY_HASH_BYTES, person=digest)
            single = indexes[0] if keyed and len(indexes) == 1 else None
            found = _Layout(indexes if keyed else None, single, pick, len(header), hasher, unpick)
            self._layouts[header] = found
            self.plans.append(plan)
        self._last_plan, self._last_layout = plan, found
        return found

    def identify(self, plan: Plan, cells: Sequence[Any]) -> tuple[str, int, int]:
        """The row's key text (empty when missing), key hash and raw hash."""
        key, key_hash, raw, _text = self.identify_text(plan, cells)
        return key, key_hash, raw

    def identify_text(self, plan: Plan, cells: Sequence[Any]) -> tuple[str, int, int, str | None]:
        """As :meth:`identify`, plus the cells as one text (``None`` unless they are all text).

        The text joins the cells in column-name order with ``\\x1f``; :meth:`cells_of`
        splits it back. It is ``None`` when a cell is not a string or the row is ragged;
        a text that splits into more cells than the header has (a cell holding ``\\x1f``)
        is found before use. Such rows are read again from the source when converted.
        """
        layout = self._last_layout if plan is self._last_plan else None
        if layout is None:
            layout = self.layout(plan)
        single = layout.single
        width = len(cells) == layout.width
        if single is not None and width:
            value = cells[single]
            key = value.strip() if type(value) is str else _key_text(value)
            if not key:
                return "", 0, 0, None
            key_text = key
        else:
            indexes = layout.key_indexes
            if indexes is None:
                return "", 0, 0, None
            parts = [_key_text(cells[index]) if index < len(cells) else "" for index in indexes]
            if not all(parts):
                return "", 0, 0, None
            key = KEY_DISPLAY_SEPARATOR.join(parts)
            key_text = KEY_SEPARATOR.join(parts)
        # A ragged row is hashed as it is, converted (and refused) later.
        ordered = layout.pick(cells) if width else cells
        try:
            text = KEY_SEPARATOR.join(ordered)
            kept: str | None = text
        except TypeError:
            text = KEY_SEPARATOR.join(cell if type(cell) is str else repr(cell) for cell in ordered)
            kept = None
        if not width:
            kept = None
        # Inlined (this runs for every row): copies of seeded states, see _KEY_HASHER.
        key_hasher = _KEY_HASHER.copy()
        raw_hasher = layout.raw_hasher.copy()
        try:
            key_hasher.update(key_text.encode())
            raw_hasher.update(text.encode())
        except UnicodeEncodeError:  # not valid Unicode: hashed as is, never kept as text
            kept = None
            key_hasher, raw_hasher = _KEY_HASHER.copy(), layout.raw_hasher.copy()
            key_hasher.update(_text_bytes(key_text))
            raw_hasher.update(_text_bytes(text))
        key_hash = _from_bytes(key_hasher.digest(), "little", signed=True)
        return key, key_hash, _from_bytes(raw_hasher.digest(), "little", signed=True), kept

    def cells_of(self, plan: Plan, text: str) -> Sequence[Any]:
        """The cells :meth:`identify_text` joined into ``text``, in header order."""
        return self.layout(plan).unpick(text.split(KEY_SEPARATOR))


@dataclass
class _Candidate:
    row: int
    key_hash: int
    key: str
    raw: int
    known_content: str | None


class _FirstPass:
    """Records ``(row, key hash, raw hash)`` of every row; converts none.

    Every ``WORK_FLUSH_ROWS`` rows the chunk is written to the work table. A text source
    (CSV) keeps each row's cells as text there too, and only the candidates' are read
    back after the diff. For a typed source, while the state is small, each chunk is
    compared with it at once and the raw cells of its candidate rows are held, up to
    ``MAX_HELD_ROWS``, so that a run with few changes converts them without reading the
    source a second time; past either limit the cells are kept as text when they are
    all text, and otherwise the candidates are read again from the source.
    """

    def __init__(self, rows: _Rows, state: SyncState, *, append_only: bool, hold: bool) -> None:
        self.rows = rows
        self.state = state
        self.append_only = append_only
        self.buffer: list[Any] = []
        self.chunk: list[tuple[Plan, Sequence[Any], str]] = []
        self.held: list[tuple[_Candidate, Plan, Sequence[Any]]] | None = [] if hold else None
        self.keep = KEEP_CELLS and not hold
        self.decided = False
        self._fast_plan: Plan | None = None
        self._fast: _Layout | None = None
        self._fast_key = 0
        """The plan (and its layout) whose rows take the inlined path of :attr:`screen`."""
        self.keyed = 0
        self.empty = 0
        self.empty_rows: list[int] = []
        self.screen = self._inlined()
        """What the source is read with (:meth:`__call__`, its common case inlined)."""

    def _inlined(self) -> RowScreen:
        """This screen with its common case inlined: one text key column, a full row,
        cells kept (what :meth:`_Rows.identify_text` computes, without its calls).

        The values the common case needs are the closure's own variables rather than
        attributes: this runs for every row of the source. Any other row goes through
        :meth:`__call__`, which also finds the plan whose rows take this path.
        """
        general = self.__call__
        fast_plan: Plan | None = None
        width = key_at = 0
        pick: Callable[[Sequence[Any]], Sequence[Any]] = _pick_all
        raw_seed = key_seed = _KEY_HASHER
        separator, from_bytes = KEY_SEPARATOR, _from_bytes

        def screen(plan: Plan, number: int, cells: Sequence[Any]) -> bool:
            nonlocal fast_plan, width, key_at, pick, raw_seed
            if plan is fast_plan and len(cells) == width:
                value = cells[key_at]
                if type(value) is str and (stripped := value.strip()):
                    try:
                        joined = separator.join(pick(cells))
                        key_bytes, text_bytes = stripped.encode(), joined.encode()
                    except (TypeError, UnicodeEncodeError):
                        pass
                    else:
                        key_hasher = key_seed.copy()
                        key_hasher.update(key_bytes)
                        raw_hasher = raw_seed.copy()
                        raw_hasher.update(text_bytes)
                        buffer = self.buffer
                        buffer.append(
                            (
                                number,
                                from_bytes(key_hasher.digest(), "little", signed=True),
                                from_bytes(raw_hasher.digest(), "little", signed=True),
                                joined,
                            )
                        )
                        if len(buffer) >= WORK_FLUSH_ROWS:
                            self.flush()
                        return False
            passed = general(plan, number, cells)
            layout = self._fast
            if layout is not None and self._fast_plan is not fast_plan:
                fast_plan, width, key_at = self._fast_plan, layout.width, self._fast_key
                pick, raw_seed = layout.pick, layout.raw_hasher
            return passed

        return screen

    def __call__(self, plan: Plan, number: int, cells: Sequence[Any]) -> bool:
        if not self.decided:
            # A text source (CSV) keeps its cells from the first row: reading them back
            # for the candidates is cheaper than comparing each chunk with the state.
            self.decided = True
            if KEEP_CELLS and not plan.typed and not self.buffer:
                self.keep, self.held = True, None
        rows = self.rows
        key, key_hash, raw, text = rows.identify_text(plan, cells)
        if self.keep:
            found = rows.current(plan)
            if found is not None and found.single is not None:
                self._fast_plan, self._fast, self._fast_key = plan, found, found.single
        if not key:
            self.empty += 1
            if len(self.empty_rows) < SHOWN_EXAMPLES:
                self.empty_rows.append(number)
            return False
        if self.keep:
            self.buffer.append((number, key_hash, raw, text))
        else:
            self.buffer.append((number, key_hash, raw))
            if self.held is not None:
                self.chunk.append((plan, cells, key))
        if len(self.buffer) >= WORK_FLUSH_ROWS:
            self.flush()
        return False

    @property
    def seen(self) -> int:
        """Rows this screen was shown (all the source's rows but those refused before):
        each has a key (written to the work table when flushed) or has none."""
        return self.keyed + len(self.buffer) + self.empty

    def flush(self) -> None:
        buffer, chunk = self.buffer, self.chunk
        if not buffer:
            return
        self.buffer, self.chunk = [], []
        self.keyed += len(buffer)
        self.state.add_work(buffer)
        held = self.held
        if held is None:
            return
        changed = self.state.changed_rows(buffer[0][0], buffer[-1][0], append_only=self.append_only)
        for row, known in changed:
            index = bisect.bisect_left(buffer, row, key=_first)
            _row, key_hash, raw = buffer[index]
            plan, cells, key = chunk[index]
            held.append((_Candidate(row, key_hash, key, raw, known), plan, cells))
        if len(held) > MAX_HELD_ROWS:
            # Too many to hold: keep the cells of these (and of every later row) as text.
            self.held = None
            if KEEP_CELLS:
                self.keep = True
                self.state.keep_cells(
                    [
                        (self.rows.identify_text(plan, cells)[3], candidate.row)
                        for candidate, plan, cells in held
                    ]
                )

    def without(self, rows: frozenset[int]) -> list[tuple[_Candidate, Plan, Sequence[Any]]]:
        """The held candidates, less the given rows (those of duplicated keys)."""
        assert self.held is not None
        return [item for item in self.held if item[0].row not in rows]


def _first(item: tuple[int, int, int]) -> int:
    return item[0]


def _kept_rows(
    rows: _Rows, plan: Plan, kept: Iterator[tuple[int, int, str | None, str]]
) -> Iterator[tuple[_Candidate, Row]]:
    """Convert the candidates from the cells the first pass kept in the work table."""
    for number, key_hash, known, text in kept:
        cells = rows.cells_of(plan, text)
        key, again, raw = rows.identify(plan, cells)
        if again != key_hash:  # pragma: no cover - the kept text is the row as read
            raise SyncError(f"row {number} was not kept as read; nothing more is sent")
        yield _Candidate(number, key_hash, key, raw, known), plan.convert(number, cells)


def _held_rows(
    held: Sequence[tuple[_Candidate, Plan, Sequence[Any]]],
) -> Iterator[tuple[_Candidate, Row]]:
    for candidate, plan, cells in held:
        yield candidate, plan.convert(candidate.row, cells)


class _SecondPass:
    """Lets only the candidate rows through to conversion, checking their keys."""

    def __init__(self, rows: _Rows, candidates: Iterator[tuple[int, int, str | None, str | None]]):
        self.rows = rows
        self._candidates = candidates
        self._next = next(candidates, None)
        self.current: _Candidate | None = None

    def skip(self, number: int) -> bool:
        """Whether the reader may pass over row ``number`` without converting it."""
        expected = self._next
        return expected is None or number < expected[0]

    def __call__(self, plan: Plan, number: int, cells: Sequence[Any]) -> bool:
        expected = self._next
        if expected is None or number < expected[0]:
            return False
        key, key_hash, raw = self.rows.identify(plan, cells)
        if number > expected[0] or key_hash != expected[1]:
            raise SyncError(
                f"the source changed while it was being synced (row {number} is not the row "
                "the first pass read); nothing more is sent, re-run the sync"
            )
        self._next = next(self._candidates, None)
        self.current = _Candidate(number, key_hash, key, raw, expected[3])
        return True

    def pairs(self, rows: Iterator[Row]) -> Iterator[tuple[_Candidate, Row]]:
        """Each converted candidate row with what the state knows of it."""
        for row in rows:
            candidate = self.current
            if candidate is None or row.number != candidate.row:
                continue
            self.current = None
            yield candidate, row
        if self._next is not None:
            raise SyncError(
                "the source changed while it was being synced (it has fewer rows than the "
                "first pass read); nothing more is sent, re-run the sync"
            )


# Deletions and identifiers ----------------------------------------------------------------


def _ident(kind: str, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The identifiers a later deletion of this key needs."""
    ident: dict[str, Any] = {name: payload[name] for name in _PERSON_IDS if name in payload}
    if kind in {"group", "relationship"}:
        traits = payload.get("traits") or {}
        ident["groupId"] = payload.get("groupId")
        ident[_OBJECT_TYPE_ID] = traits.get(_OBJECT_TYPE_ID, DEFAULT_OBJECT_TYPE_ID)
        if kind == "group":
            ident.pop("anonymousId", None)
    elif kind == "device":
        device = (payload.get("context") or {}).get("device") or {}
        ident["token"] = device.get("token")
        if device.get("type") is not None:
            ident["type"] = device["type"]
    return ident


def _deletion(kind: str, ident: Mapping[str, Any], message_id: str) -> dict[str, Any]:
    """The documented deletion for a key that left the source (as the services build it)."""
    person = {name: ident[name] for name in _PERSON_IDS if ident.get(name) is not None}
    base: dict[str, Any] = {"type": "track", "messageId": message_id}
    if kind == "identify":
        return {**base, **person, "event": EVENT_USER_DELETED}
    target = {_OBJECT_ID: ident.get("groupId"), _OBJECT_TYPE_ID: ident.get(_OBJECT_TYPE_ID)}
    if kind == "group":
        return {**base, "event": EVENT_OBJECT_DELETED, "properties": target}
    if kind == "relationship":
        return {**base, **person, "event": EVENT_RELATIONSHIP_DELETED, "properties": target}
    device = {"token": ident.get("token")}
    if ident.get("type") is not None:
        device["type"] = ident["type"]
    return {**base, **person, "event": EVENT_DEVICE_DELETED, "context": {"device": device}}


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _mask(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return _MASK.format(type(value).__name__)


_STRUCTURAL_FIELDS: Final = frozenset({"type", "event", "messageId"})


def _sample(payload: dict[str, Any], show_values: bool) -> dict[str, Any]:
    if show_values:
        return payload
    return {
        key: value if key in _STRUCTURAL_FIELDS else _mask(value) for key, value in payload.items()
    }


# Reports --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SyncReport:
    """What a sync did (or, for a dry run, would do).

    Attributes
    ----------
    source : str
        The source's name.
    kind : str
        The import kind rows became (``identify``, ``group``, ...).
    key : tuple of str
        The key columns.
    mode : str
        ``upsert`` or ``mirror``.
    dry_run : bool
        Nothing was sent and the state did not advance.
    run_id : int
        The run's number in the state database's history.
    rows : int
        Rows read from the source.
    new, changed, unchanged : int
        Rows with a key the state did not know, rows whose content changed, rows
        whose content is as acknowledged (sent or not, they cost no request).
    to_delete : int
        Known keys missing from the source (mirror mode sends their deletion).
    deleted : int
        Deletions the API acknowledged.
    invalid : int
        Rows not sent because of them: empty keys, duplicated keys, validation errors.
    empty_keys, duplicate_rows, duplicate_keys : int
        The key problems among ``invalid``.
    sent : int
        Messages the API acknowledged (changes and deletions).
    failed : int
        Messages refused or not delivered; retried on the next run.
    errors : tuple of ErrorDetail
        The first row errors, located, without values.
    error_count : int
        Every row error.
    error_summary : str
        Lines about key problems, invalid rows and refusals (kept in the history).
    samples : tuple of dict
        A few payloads that are (or would be) sent, values masked unless asked for.
    delivery : BatchReport or None
        The delivery engine's report; ``None`` for a dry run.
    refused : bool
        The deletion safety limit stopped the run (dry run: would stop it).
    duration : float
        Seconds.
    rejected : tuple of RejectedKey
        The keys still waiting for a successful retry (the first ones).
    """

    source: str
    kind: str
    key: tuple[str, ...]
    mode: str
    dry_run: bool
    run_id: int
    rows: int
    new: int
    changed: int
    unchanged: int
    to_delete: int
    deleted: int
    invalid: int
    empty_keys: int
    duplicate_rows: int
    duplicate_keys: int
    sent: int
    failed: int
    errors: tuple[ErrorDetail, ...]
    error_count: int
    error_summary: str
    samples: tuple[dict[str, Any], ...]
    delivery: Any
    refused: bool
    duration: float
    rejected: tuple[RejectedKey, ...] = field(default=())

    @property
    def ok(self) -> bool:
        """True when no row was invalid, nothing failed and nothing was refused."""
        return self.invalid == 0 and self.failed == 0 and not self.refused

    def counts(self) -> dict[str, int]:
        """The counts kept in the history.

        Returns
        -------
        dict of str to int
        """
        return {
            "rows": self.rows,
            "new": self.new,
            "changed": self.changed,
            "unchanged": self.unchanged,
            "to_delete": self.to_delete,
            "deleted": self.deleted,
            "invalid": self.invalid,
            "sent": self.sent,
            "failed": self.failed,
        }

    def summary(self) -> str:
        """A few lines of counts, then the error summary.

        Returns
        -------
        str
        """
        action = "dry run of the sync" if self.dry_run else "sync"
        lines = [
            f"{action} of {self.source} as {self.kind} keyed by {', '.join(self.key)} "
            f"({self.mode}, run {self.run_id}): {self.rows} rows, {self.new} new, "
            f"{self.changed} changed, {self.unchanged} unchanged, {self.to_delete} to delete, "
            f"{self.invalid} invalid, {self.duration:.2f} s"
        ]
        if not self.dry_run:
            lines.append(f"sent {self.sent} (deletions {self.deleted}), failed {self.failed}")
        if self.error_summary:
            lines.append(self.error_summary)
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.summary()

    def table(self, limit: int | None = None) -> str:
        """The first ``limit`` row errors as a text table.

        Parameters
        ----------
        limit : int, optional
            How many to show.

        Returns
        -------
        str
        """
        return format_error_table(self.errors, limit, total=self.error_count)

    def _repr_html_(self) -> str:
        cells = "".join(
            f"<tr><th style='text-align:left'>{name}</th><td>{value}</td></tr>"
            for name, value in self.counts().items()
        )
        title = "dry run" if self.dry_run else "sync"
        head = (
            f"<p><b>{title}</b> of {html.escape(self.source)} as "
            f"<code>{html.escape(self.kind)}</code> ({html.escape(self.mode)}, run "
            f"{self.run_id})</p>"
        )
        notes = f"<pre>{html.escape(self.error_summary)}</pre>" if self.error_summary else ""
        return f"{head}<table>{cells}</table>{notes}"


@dataclass(frozen=True)
class SyncHistory:
    """The runs of a state database and the keys still rejected.

    Attributes
    ----------
    runs : tuple of SyncRun
        Oldest first.
    rejected : tuple of RejectedKey
        Keys waiting for a successful retry.
    """

    runs: tuple[SyncRun, ...]
    rejected: tuple[RejectedKey, ...]

    def __str__(self) -> str:
        return format_history(self.runs, self.rejected)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"


def sync_history(
    state: str | os.PathLike[str], *, rejected_limit: int | None = None
) -> SyncHistory:
    """Read the history of a sync state database.

    Parameters
    ----------
    state : str or path-like
        The state database.
    rejected_limit : int, optional
        At most this many rejected keys.

    Returns
    -------
    SyncHistory
        Print it for a table of runs and rejected keys.

    Raises
    ------
    ConfigurationError
        When the file is missing or not a sync state database.
    """
    runs, rejected = read_history(state, rejected_limit=rejected_limit)
    return SyncHistory(tuple(runs), tuple(rejected))


# The run ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class _SyncKind:
    name: str
    spec: KindSpec
    append_only: bool


def _resolve_sync_kind(kind: str) -> _SyncKind:
    wanted = kind.strip().lower()
    spec = resolve_kind(SYNC_KINDS.get(wanted, kind))
    if spec.name in _NOT_SYNCABLE:
        raise ValidationError(
            f"kind {kind!r} cannot be synced",
            [
                ErrorDetail(
                    ("kind",),
                    f"use one of {', '.join(SYNC_KINDS)}, page, screen or a semantic event name",
                    "unknown_kind",
                )
            ],
        )
    return _SyncKind(spec.name, spec, spec.name not in _MIRRORED)


def _key_columns(key: str | Sequence[str]) -> tuple[str, ...]:
    columns = tuple(
        part.strip() for part in (key.split(",") if isinstance(key, str) else key) if part.strip()
    )
    if not columns:
        raise ConfigurationError("a sync needs a key: name the column(s) that identify a row")
    return columns


class _Tracker:
    """Messages in flight: messageId to what to record when the API answers."""

    def __init__(self, state: SyncState | None, run_id: int) -> None:
        self.state = state
        self.run_id = run_id
        self.pending: dict[str, tuple[str, int, str, int, str, str]] = {}
        self.lock = threading.Lock()
        self.acknowledged = 0
        self.deleted = 0
        self.refused = 0

    def expect(self, message_id: str, item: tuple[str, int, str, int, str, str]) -> None:
        """Remember ``(op, key hash, key, raw, content, ident)`` until the API answers."""
        with self.lock:
            self.pending[message_id] = item

    def on_ack(self, message_ids: Sequence[str]) -> None:
        upserts: list[tuple[int, str, int, str, str]] = []
        deletions: list[int] = []
        with self.lock:
            for message_id in message_ids:
                item = self.pending.pop(message_id, None)
                if item is None:
                    continue
                op, key_hash, key, raw, content, ident = item
                if op == "delete":
                    deletions.append(key_hash)
                else:
                    upserts.append((key_hash, key, raw, content, ident))
            self.acknowledged += len(upserts) + len(deletions)
            self.deleted += len(deletions)
        if self.state is not None:
            self.state.acknowledge(upserts, deletions, self.run_id)

    def not_delivered(
        self, message_id: str, status: str, http: int | None, error_type: str, reason: str
    ) -> None:
        with self.lock:
            item = self.pending.pop(message_id, None)
            if item is None:
                return
            self.refused += 1
        op, key_hash, key, _raw, _content, _ident = item
        if self.state is not None:
            self.state.reject(
                [(key_hash, key, op, status, http, error_type, reason, message_id)], self.run_id
            )

    def leftovers(self) -> list[str]:
        with self.lock:
            return list(self.pending)


class _StateLetters:
    """A dead-letter store that records undelivered changes in the sync state (no bodies)."""

    def __init__(self, tracker: _Tracker) -> None:
        self._tracker = tracker
        self._count = 0
        self._lock = threading.Lock()

    def add(self, letters: Sequence[Any]) -> None:
        for letter in letters:
            status = "refused" if letter.status in _HTTP_CLIENT_ERRORS else "failed"
            self._tracker.not_delivered(
                letter.message_id, status, letter.status, letter.error_type, letter.reason
            )
        with self._lock:
            self._count += len(letters)

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __len__(self) -> int:
        return self._count

    def close(self) -> None:
        """Nothing to release: the records are in the state database."""


@dataclass
class _Counts:
    rows: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    invalid_rows: int = 0
    samples: list[dict[str, Any]] = field(default_factory=list)
    noise: list[tuple[int, int]] = field(default_factory=list)


def sync(
    client: CustomerIOClient | None,
    source: Source,
    *,
    kind: str,
    key: str | Sequence[str],
    state: str | os.PathLike[str],
    **options: Any,
) -> SyncReport:
    """Send the rows of ``source`` that changed since the last sync recorded in ``state``.

    Parameters
    ----------
    client : CustomerIOClient or None
        Where to send; ``None`` only with ``dry_run=True``.
    source : path or DataFrame
        Anything the importer reads (CSV, JSON Lines, DataFrame, ...).
    kind : str
        ``identify`` (people), ``group`` (objects), ``relationships``, ``devices`` or
        ``events`` (append-only; also ``page``, ``screen`` and semantic event names).
    key : str or sequence of str
        The column(s) identifying a row (``"user_id"``, ``"user_id,object_id"``).
    state : str or path-like
        The SQLite state database (created when missing).
    **options
        As for :func:`run_sync`.

    Returns
    -------
    SyncReport

    Raises
    ------
    ConfigurationError
        No client for a real sync, or a state database of another sync.
    DeletionLimitError
        Mirror mode would delete more than ``max_delete_share`` of the known keys.
    """
    dry_run = bool(options.get("dry_run"))
    if client is None and not dry_run:
        raise ConfigurationError("a client is needed to sync (or pass dry_run=True)")
    send = None if client is None else client.batch.send
    return run_sync(send, source, kind=kind, key=key, state=state, **options)


def run_sync(
    send: Callable[..., Any] | None,
    source: Source,
    *,
    kind: str,
    key: str | Sequence[str],
    state: str | os.PathLike[str],
    mode: Mode = "upsert",
    dry_run: bool = False,
    force: bool = False,
    max_delete_share: float = DEFAULT_MAX_DELETE_SHARE,
    mapping: ColumnMapping | Mapping[str, str | None] | None = None,
    constants: Mapping[str, Any] | None = None,
    types: Mapping[str, str] | None = None,
    assume_timezone: str | tzinfo | None = None,
    format: Format | None = None,
    encoding: str = "utf-8",
    delimiter: str | None = None,
    date_formats: Sequence[str] = (),
    decimal: str = ".",
    workers: int | None = None,
    progress: bool = False,
    max_in_flight: int | None = None,
    max_errors: int = DEFAULT_MAX_ROW_ERRORS,
    samples: int = DEFAULT_SAMPLES,
    show_values: bool = False,
) -> SyncReport:
    """:func:`sync` with the sending function given directly (``client.batch.send``).

    Parameters
    ----------
    send : callable or None
        ``client.batch.send``; ``None`` for a dry run.
    source, kind, key, state
        As for :func:`sync`.
    mode : {"upsert", "mirror"}
        ``mirror`` also deletes the keys that left the source.
    dry_run : bool
        Count new, changed, unchanged, to-delete and invalid rows; send nothing, change
        no key in the state (the run is recorded in the history). Works offline.
    force : bool
        Mirror mode: delete even over the safety limit.
    max_delete_share : float
        Mirror mode: refuse to delete more than this share of the known keys (0.1).
    mapping, constants, types, assume_timezone, format, encoding, delimiter
        As for :func:`cio.io.read_rows`.
    date_formats, decimal
        How text cells are read: ``strptime`` formats for dates that are not ISO 8601,
        and the decimal separator (as for :func:`cio.io.read_rows`).
    workers, progress, max_in_flight
        Passed to ``client.batch.send``.
    max_errors : int
        Row errors kept in the report (all are counted).
    samples : int
        Payloads kept in the report as examples.
    show_values : bool
        Keep the sample payloads' values (masked by default, since they are personal).

    Returns
    -------
    SyncReport

    Raises
    ------
    ConfigurationError
        For a missing client, a bad mode or a state database of another sync.
    DeletionLimitError
        Mirror mode would delete more than ``max_delete_share`` of the known keys
        (nothing is sent).
    SyncError
        The source changed between the two passes.
    """
    started = time.perf_counter()
    if mode not in MODES:
        raise ConfigurationError(f"unknown sync mode {mode!r}; use upsert or mirror")
    if send is None and not dry_run:
        raise ConfigurationError("a client is needed to sync (or pass dry_run=True)")
    sync_kind = _resolve_sync_kind(kind)
    if mode == "mirror" and sync_kind.append_only:
        raise ConfigurationError(
            f"kind {sync_kind.name!r} is append-only (each event is sent once, ever): "
            "mirror mode has nothing to delete; use upsert mode"
        )
    columns = _key_columns(key)
    column_mapping = ColumnMapping.coerce(mapping, constants=constants, types=types)
    timezone = resolve_timezone(assume_timezone)
    reading = ReadingOptions(tuple(date_formats), decimal)
    name = _source_name(source, format)
    run_options: dict[str, Any] = {
        "kind": sync_kind.name,
        "key": list(columns),
        "mapping": {k: v for k, v in column_mapping.columns.items()},
        "constants": sorted(column_mapping.constants),
        "types": dict(column_mapping.types),
        "assume_timezone": None if timezone is None else str(timezone),
        "date_formats": list(reading.date_formats),
        "decimal": reading.decimal,
        "force": force,
        "max_delete_share": max_delete_share,
    }
    # What shapes the payloads (not force or the deletion limit): the raw fast path is
    # only trusted while it is unchanged.
    shaping: dict[str, Any] = {name: run_options[name] for name in _SHAPING_OPTIONS}
    shaping["constants"] = {k: repr(v) for k, v in column_mapping.constants.items()}
    if reading != DEFAULT_READING:  # left out by default: earlier states' raw hashes hold
        shaping["reading"] = [list(reading.date_formats), reading.decimal]
    fingerprint = orjson.dumps(shaping, option=orjson.OPT_SORT_KEYS).decode()

    def open_source(screen: RowScreen, skip: Callable[[int], bool] | None = None) -> Iterator[Row]:
        _targets, rows = open_rows(
            source,
            sync_kind.spec,
            column_mapping,
            fmt=format,
            encoding=encoding,
            delimiter=delimiter,
            assume_timezone=timezone,
            encoded=True,
            screen=screen,
            skip=skip,
            reading=reading,
        )
        return rows

    store = SyncState(state, kind=sync_kind.name, key=columns)
    run_id = store.start_run(mode=mode, dry_run=dry_run, source=name, options=run_options)
    status = "failed"
    summary_lines: list[str] = []
    report: SyncReport | None = None
    try:
        report = _run(
            store,
            run_id,
            send=send,
            open_source=open_source,
            sync_kind=sync_kind,
            columns=columns,
            fingerprint=fingerprint,
            name=name,
            mode=mode,
            dry_run=dry_run,
            force=force,
            max_delete_share=max_delete_share,
            send_options={
                "workers": workers,
                "progress": progress,
                "max_in_flight": max_in_flight,
            },
            max_errors=max_errors,
            samples=samples,
            show_values=show_values,
            started=started,
        )
        status = "refused" if report.refused and not dry_run else "completed"
        return report
    except DeletionLimitError as exc:
        status = "refused"
        summary_lines.append(str(exc))
        raise
    except KeyboardInterrupt:
        status = "interrupted"
        summary_lines.append("interrupted (Ctrl-C); acknowledged changes are recorded")
        raise
    except Exception as exc:  # recorded in the run's history, then re-raised
        summary_lines.append(f"{type(exc).__name__}: {exc}")
        raise
    finally:
        counts = report.counts() if report is not None else {}
        errors = report.error_summary if report is not None else "\n".join(summary_lines)
        store.finish_run(run_id, status=status, counts=counts, errors=errors)
        store.close()


def _run(
    store: SyncState,
    run_id: int,
    *,
    send: Callable[..., Any] | None,
    open_source: Callable[..., Iterator[Row]],
    sync_kind: _SyncKind,
    columns: tuple[str, ...],
    fingerprint: str,
    name: str,
    mode: str,
    dry_run: bool,
    force: bool,
    max_delete_share: float,
    send_options: Mapping[str, Any],
    max_errors: int,
    samples: int,
    show_values: bool,
    started: float,
) -> SyncReport:
    rows_screen = _Rows(columns, fingerprint)
    sink = _ErrorSink(max_errors, None)
    counts = _Counts()
    # Pass 1: keys and raw hashes of every row, nothing converted.
    store.begin_work()
    append_only = sync_kind.append_only
    # Upsert mode only needs to know whether the state is small (mirror mode counts all).
    known = store.count_known(None if mode == "mirror" else MAX_HELD_STATE + 1)
    first = _FirstPass(rows_screen, store, append_only=append_only, hold=known <= MAX_HELD_STATE)
    for row in open_source(first.screen):
        # Rows the screen saw are counted by it (readers do not yield them);
        # what comes here besides is a row refused before it (a CSV or encoding error).
        if row.errors:
            counts.rows += 1
            counts.invalid_rows += 1
            sink.add(row.errors)
    first.flush()
    counts.rows += first.seen
    logger.debug("sync first pass: %d rows in %.2f s", counts.rows, time.perf_counter() - started)
    if counts.rows and not rows_screen.key_column_seen:
        raise ValidationError(
            "the key column is not in the source",
            [
                ErrorDetail(
                    (),
                    f"no column named {', '.join(columns)}: the key must name source columns",
                    "missing_column",
                    row=1,
                    column=columns[0],
                )
            ],
        )
    duplicate_rows, duplicate_keys, duplicate_examples = store.index_work()
    held = first.held if duplicate_rows <= MAX_HELD_ROWS else None
    marked = 0
    if held is not None:
        duplicates = store.duplicate_rows() if duplicate_rows else frozenset()
        held = first.without(duplicates)
        counts.unchanged = first.keyed - duplicate_rows - len(held)
    else:
        marked = store.mark_candidates(append_only=append_only)
        counts.unchanged = first.keyed - duplicate_rows - marked
    to_delete = store.count_gone() if mode == "mirror" else 0
    refused = bool(
        mode == "mirror" and known and not force and to_delete / known > max_delete_share
    )
    if refused and not dry_run:
        raise DeletionLimitError(to_delete, known, max_delete_share)
    logger.debug("sync diff done after %.2f s", time.perf_counter() - started)
    tracker = _Tracker(None if dry_run else store, run_id)
    if held is not None:
        pairs = _held_rows(held)
    elif not marked:
        pairs = iter(())
    elif len(rows_screen.plans) == 1 and not store.candidates_without_cells(
        rows_screen.plans[0].width, KEY_SEPARATOR
    ):
        pairs = _kept_rows(rows_screen, rows_screen.plans[0], store.candidate_cells())
    else:
        second = _SecondPass(rows_screen, store.candidates())
        pairs = second.pairs(open_source(second, second.skip))
    changes = _changes(
        pairs,
        kind=sync_kind.name,
        counts=counts,
        sink=sink,
        tracker=tracker,
        store=store,
        run_id=run_id,
        dry_run=dry_run,
        samples=samples,
        show_values=show_values,
    )
    delivery = None
    if dry_run:
        for _message in changes:
            pass
    else:
        assert send is not None
        deletions = _deletions(store, sync_kind.name, tracker) if mode == "mirror" else iter(())
        delivery = send(
            _chain(changes, deletions),
            dead_letters=_StateLetters(tracker),
            on_ack=tracker.on_ack,
            **send_options,
        )
        for failure in delivery.failures:
            if failure.rejected and failure.message_id is not None:
                tracker.not_delivered(
                    failure.message_id, "rejected", None, failure.error_type, failure.reason
                )
        for message_id in tracker.leftovers():
            tracker.not_delivered(message_id, "failed", None, "NotDelivered", "not delivered")
        store.refresh_raw(counts.noise)
        store.forget_rejected_outside_source()
    rejected = tuple(store.rejected(SHOWN_EXAMPLES * 2))
    failed = 0 if delivery is None else int(delivery.failed) + int(delivery.rejected)
    empty = first.empty
    invalid = counts.invalid_rows + empty + duplicate_rows
    summary = _error_summary(
        columns,
        empty=empty,
        empty_rows=first.empty_rows,
        duplicate_rows=duplicate_rows,
        duplicate_keys=duplicate_keys,
        duplicate_examples=duplicate_examples,
        invalid_rows=counts.invalid_rows,
        errors=sink.kept,
        failed=failed,
        refused_limit=(to_delete, known, max_delete_share) if refused else None,
    )
    sink.close()
    report = SyncReport(
        source=name,
        kind=sync_kind.name,
        key=columns,
        mode=mode,
        dry_run=dry_run,
        run_id=run_id,
        rows=counts.rows,
        new=counts.new,
        changed=counts.changed,
        unchanged=counts.unchanged,
        to_delete=to_delete,
        deleted=tracker.deleted,
        invalid=invalid,
        empty_keys=empty,
        duplicate_rows=duplicate_rows,
        duplicate_keys=duplicate_keys,
        sent=0 if delivery is None else int(delivery.sent),
        failed=failed,
        errors=tuple(sorted(sink.kept, key=lambda detail: detail.row or 0)),
        error_count=sink.count,
        error_summary=summary,
        samples=tuple(counts.samples),
        delivery=delivery,
        refused=refused,
        duration=time.perf_counter() - started,
        rejected=rejected,
    )
    logger.info(
        "synced %s as %s: %d rows, %d new, %d changed, %d unchanged, %d to delete, %d invalid",
        name,
        sync_kind.name,
        report.rows,
        report.new,
        report.changed,
        report.unchanged,
        report.to_delete,
        report.invalid,
    )
    return report


def _chain(*parts: Iterator[EncodedMessage]) -> Iterator[EncodedMessage]:
    for part in parts:
        yield from part


def _changes(
    pairs: Iterator[tuple[_Candidate, Row]],
    *,
    kind: str,
    counts: _Counts,
    sink: _ErrorSink,
    tracker: _Tracker,
    store: SyncState,
    run_id: int,
    dry_run: bool,
    samples: int,
    show_values: bool,
) -> Iterator[EncodedMessage]:
    """Convert the candidate rows; yield the changed ones with their derived messageIds."""
    for candidate, row in pairs:
        message = row.message
        if not isinstance(message, EncodedMessage):
            counts.invalid_rows += 1
            sink.add(row.errors)
            if not dry_run:
                store.reject([_invalid(candidate, row.errors)], run_id)
            continue
        payload = orjson.loads(message.body)
        content = content_hash(payload)
        previous = candidate.known_content
        if previous == content:
            counts.unchanged += 1
            if not dry_run:
                counts.noise.append((candidate.raw, candidate.key_hash))
                if len(counts.noise) >= WORK_FLUSH_ROWS:
                    store.refresh_raw(counts.noise)
                    counts.noise.clear()
            continue
        if previous is None:
            counts.new += 1
        else:
            counts.changed += 1
        message_id = sync_message_id(kind, candidate.key, previous, content)
        payload["messageId"] = message_id
        if len(counts.samples) < samples:
            counts.samples.append(_sample(payload, show_values))
        if dry_run:
            continue
        ident = orjson.dumps(_ident(kind, payload)).decode()
        tracker.expect(
            message_id,
            ("upsert", candidate.key_hash, candidate.key, candidate.raw, content, ident),
        )
        yield _with_message_id(message, message_id)


def _with_message_id(message: EncodedMessage, message_id: str) -> EncodedMessage:
    old = _MESSAGE_ID_FIELD + message.message_id.encode() + b'"'
    new = _MESSAGE_ID_FIELD + message_id.encode() + b'"'
    body = message.body.replace(old, new, 1)
    key = message_id if message.key == message.message_id else message.key
    return EncodedMessage(body, message_id, key)


def _invalid(
    candidate: _Candidate, errors: Sequence[ErrorDetail]
) -> tuple[int, str, str, str, int | None, str, str, str | None]:
    first = errors[0] if errors else ErrorDetail((), "invalid row", "invalid")
    where = f"row {first.row}" + (f", column {first.column}" if first.column else "")
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    reason = f"{where}: {first.msg}{more}"
    return (candidate.key_hash, candidate.key, "upsert", "invalid", None, first.type, reason, None)


def _deletions(store: SyncState, kind: str, tracker: _Tracker) -> Iterator[EncodedMessage]:
    """The deletion of each known key missing from the source."""
    for known in store.gone():
        yield from _deletion_message(store, kind, known, tracker)


def _deletion_message(
    store: SyncState, kind: str, known: Known, tracker: _Tracker
) -> Iterator[EncodedMessage]:
    message_id = sync_message_id(kind, known.key, known.content, "deleted")
    data = _deletion(kind, orjson.loads(known.ident), message_id)
    try:
        encoded = encode_message(data)
    except (ValueError, CustomerIOError) as exc:
        reason = f"the stored identifiers do not make a valid deletion ({type(exc).__name__})"
        store.reject(
            [(known.kh, known.key, "delete", "invalid", None, "invalid", reason, message_id)],
            tracker.run_id,
        )
        return
    tracker.expect(message_id, ("delete", known.kh, known.key, 0, known.content, known.ident))
    yield encoded


def _error_summary(
    columns: Sequence[str],
    *,
    empty: int,
    empty_rows: Sequence[int],
    duplicate_rows: int,
    duplicate_keys: int,
    duplicate_examples: Sequence[tuple[int, int, str]],
    invalid_rows: int,
    errors: Sequence[ErrorDetail],
    failed: int,
    refused_limit: tuple[int, int, float] | None,
) -> str:
    lines = []
    key = ", ".join(columns)
    if empty:
        rows = ", ".join(str(row) for row in empty_rows)
        lines.append(f"{empty} rows have an empty key ({key}); first rows: {rows}")
    if duplicate_rows:
        groups = "; ".join(
            f"rows {rows_} ({count} rows)" for _kh, count, rows_ in duplicate_examples
        )
        lines.append(
            f"{duplicate_rows} rows share a key ({key}) with another row ({duplicate_keys} "
            f"keys); nothing is sent for those keys; first: {groups}"
        )
    if invalid_rows:
        shown = sorted(errors, key=lambda detail: detail.row or 0)[:SHOWN_EXAMPLES]
        where = "; ".join(
            f"row {detail.row}"
            + (f" column {detail.column}" if detail.column else "")
            + f": {detail.msg}"
            for detail in shown
        )
        lines.append(f"{invalid_rows} rows are invalid and were not sent; first: {where}")
    if failed:
        lines.append(
            f"{failed} changes were refused or not delivered; they are retried on the next run "
            "(`cio sync history STATE` lists them)"
        )
    if refused_limit is not None:
        would, known, limit = refused_limit
        lines.append(
            f"the deletion safety limit would refuse this run: {would} of {known} known keys "
            f"would be deleted, over {limit:.0%}"
        )
    return "\n".join(lines)
