"""The columnar road (whole record batches to wire bytes) against intake's row-by-row road.

Every test imports the same typed rows twice, once with the encoder of
``cio.io._encode`` and once with it turned off (every row through the plan and intake),
and expects the very same rows: numbers, bytes, messageIds, ordering keys, errors and
warnings. With ``CIO_COMPILED_CODECS=0`` the encoder stays off, and the tests compare
the row-by-row road with itself (the suite runs them in that mode as well).
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cio import CustomerIOClient
from cio.errors import ErrorDetail
from cio.io import import_source
from cio.io._encode import ENCODE_ROWS, ColumnarEncoder, email_vouched, identifier_vouched
from cio.io._plan import ColumnMapping, Plan, Row, compile_plan, resolve_kind
from cio.io._state import MessageIds
from cio.io._validate import open_rows
from cio.models import COMPILED_CODECS, Identify, intake
from cio.models._advice import _ADVISORS, _OUTSIDE_ADVISORS, register_advisor
from cio.models._email import is_valid_email
from cio.testing import RecordingTransport

IDENTIFY = resolve_kind("identify")
BATCH_ROWS = 4
"""Small record batches, so that every table spans several."""

only_with_codecs = pytest.mark.skipif(
    not COMPILED_CODECS, reason="CIO_COMPILED_CODECS=0 keeps the columnar encoder off"
)


def rows_of(
    table: pa.Table, *, encoder: bool, skip: Any = None, batch_rows: int = BATCH_ROWS
) -> list[Row]:
    """Every row of an identify import of ``table``, on the road asked for."""
    mapping = ColumnMapping()
    ids = MessageIds("sha256:same", "identify")
    source = pa.Table.from_batches(table.to_batches(max_chunksize=batch_rows), table.schema)
    if encoder:
        _targets, rows = open_rows(
            source, IDENTIFY, mapping, message_ids=ids, encoded=True, skip=skip
        )
        return list(rows)
    original = ColumnarEncoder.for_plan
    ColumnarEncoder.for_plan = classmethod(lambda cls, *args: None)  # type: ignore[assignment,method-assign]
    try:
        _targets, rows = open_rows(
            source, IDENTIFY, mapping, message_ids=ids, encoded=True, skip=skip
        )
        return list(rows)
    finally:
        ColumnarEncoder.for_plan = original  # type: ignore[method-assign]


def assert_same_roads(table: pa.Table, skip: Any = None) -> list[Row]:
    fast = rows_of(table, encoder=True, skip=skip)
    slow = rows_of(table, encoder=False, skip=skip)
    assert fast == slow
    return fast


PEOPLE = pa.table(
    {
        "user_id": ["u1", None, "   ", "a\x01b", "u5", "u6", None, None, "Ünï", "\u2003", "u11"],
        "anonymous_id": [None, None, None, None, None, None, None, "anon", "a9", None, "a11"],
        "email": [
            "ada@example.com",
            None,
            "blank@example.com",
            "ctl@example.com",
            "ada@example",
            "Zoë@exämple.com",
            "nobody@example.com",
            "",
            "UPPER@EXAMPLE.COM",
            "em@example.com",
            "x..y@example.com",
        ],
        "age": pa.array([36, None, 1, 2, 3, 4, 5, 6, 7, 8, 2**63 - 1], pa.int64()),
        "score": [1.5, None, 2.0, 3.25, math.inf, -7.0, 0.1, math.nan, 1e300, -0.0, 5e-324],
        "vip": [True, None, False, True, False, None, True, False, None, True, False],
    }
)


def test_good_and_bad_rows_are_the_same_on_both_roads() -> None:
    rows = assert_same_roads(PEOPLE)
    assert [row.number for row in rows] == list(range(PEOPLE.num_rows))
    refused = {row.number: {d.type for d in row.errors} for row in rows if row.errors}
    assert refused == {
        1: {"missing_identity"},
        2: {"blank_string"},
        3: {"control_character"},
        4: {"finite_number"},
        6: {"missing_identity"},
        9: {"blank_string"},
    }
    warned = {row.number: [d.type for d in row.message.warnings] for row in rows if row.message}
    assert warned[10] == ["email_undeliverable"]
    assert warned[0] == warned[5] == warned[7] == warned[8] == []


@pytest.fixture
def converted(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The numbers of the rows the plan converts one by one (not written by the encoder)."""
    numbers: list[int] = []
    from_clean = Plan.from_clean

    def spy(plan: Plan, number: int, values: Any) -> Row:
        numbers.append(number)
        return from_clean(plan, number, values)

    monkeypatch.setattr(Plan, "from_clean", spy)
    return numbers


@only_with_codecs
def test_the_encoder_writes_the_plain_rows_and_hands_the_others_to_the_plan(
    converted: list[int],
) -> None:
    rows_of(PEOPLE, encoder=True)
    # Written column by column: rows 0, 7 and 8; the rest are unsure and take the plan.
    assert converted == [1, 2, 3, 4, 5, 6, 9, 10]


def test_skipped_rows_are_skipped_on_both_roads() -> None:
    done = {0, 3, 7}
    rows = assert_same_roads(PEOPLE, skip=done.__contains__)
    assert [row.number for row in rows] == [n for n in range(PEOPLE.num_rows) if n not in done]


def test_numeric_ids_are_written_as_their_decimal_text() -> None:
    table = pa.table(
        {"user_id": pa.array([7, -2, None, 0], pa.int64()), "plan": ["a", "b", "c", ""]}
    )
    rows = assert_same_roads(table)
    assert [row.message.key if row.message else None for row in rows] == ["7", "-2", None, "0"]
    assert rows[3].message is not None
    assert rows[3].message.body.endswith(b'"userId":"0"}')


def test_rows_without_any_other_column_and_all_null_columns() -> None:
    table = pa.table(
        {
            "user_id": ["1", "2"],
            "nothing": pa.nulls(2),
            "note": pa.array(["", ""], pa.large_string()),
        }
    )
    rows = assert_same_roads(table)
    assert [row.message.body.count(b"traits") for row in rows if row.message] == [0, 0]


def test_an_empty_table() -> None:
    assert assert_same_roads(PEOPLE.slice(0, 0)) == []


@only_with_codecs
def test_other_kinds_and_mapped_or_converted_columns_keep_the_row_road() -> None:
    ids = MessageIds("sha256:same", "identify")
    header = ["user_id", "email", "signed_up"]
    types = [pa.string(), pa.string(), pa.timestamp("us")]
    everything = frozenset(header)
    drop = {"signed_up": None}
    assert _encoder(header, types, everything, ColumnMapping(columns=drop), ids=ids)
    # A naive timestamp column is converted (its timezone rule): the row road.
    assert _encoder(header, types, everything - {"signed_up"}, ColumnMapping(), ids=ids) is None
    nested = ColumnMapping(columns={**drop, "email": "address.email"})
    assert _encoder(header, types, everything, nested, ids=ids) is None
    constant = ColumnMapping(columns=drop, constants={"plan": "pro"})
    assert _encoder(header, types, everything, constant, ids=ids) is None
    typed = ColumnMapping(columns=drop, types={"email": "string"})
    assert _encoder(header, types, everything, typed, ids=ids) is None
    page = resolve_kind("page")
    assert (
        _encoder(header, types, everything, ColumnMapping(columns=drop), kind=page, ids=ids) is None
    )
    # No messageIds from the row number (models get random ones): the row road.
    assert _encoder(header, types, everything, ColumnMapping(columns=drop), ids=None) is None
    # The timestamp column: on the road when the source holds zoned timestamps.
    stamped = ["user_id", "timestamp"]
    text = [pa.string(), pa.string()]
    both = frozenset(stamped)
    assert _encoder(stamped, text, both, ColumnMapping(), ids=ids, zoned=frozenset({1}))
    assert _encoder(stamped, text, both, ColumnMapping(), ids=ids) is None
    # An email held in a number column is the model's error to give.
    numeric_email = [pa.string(), pa.int64(), pa.string()]
    assert _encoder(header, numeric_email, everything, ColumnMapping(columns=drop), ids=ids) is None


def _encoder(
    header: list[str],
    types: list[Any],
    plain: frozenset[str],
    mapping: ColumnMapping,
    *,
    kind: Any = IDENTIFY,
    ids: Any = None,
    zoned: frozenset[int] = frozenset(),
) -> ColumnarEncoder | None:
    plan = compile_plan(
        header,
        kind,
        mapping,
        typed_source=True,
        plain_columns=plain,
        clean_values=True,
        encoded=True,
        message_ids=ids,
    )
    return ColumnarEncoder.for_plan(pa, plan, types, zoned)


def _shout(message: Any) -> Iterator[ErrorDetail]:
    if message.get("userId") == "u1":
        yield ErrorDetail(("userId",), "a check from outside cio", "outside_check")


def test_checks_registered_outside_cio_see_every_row() -> None:
    register_advisor(_shout)
    try:
        rows = assert_same_roads(PEOPLE)
    finally:
        _ADVISORS.remove(_shout)
        _OUTSIDE_ADVISORS.remove(_shout)
    assert rows[0].message is not None
    assert [d.type for d in rows[0].message.warnings] == ["outside_check"]


def test_an_import_sends_the_same_requests_on_both_roads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "people.parquet"
    pq.write_table(PEOPLE, path, row_group_size=BATCH_ROWS)

    def run() -> tuple[Any, list[bytes]]:
        transport = RecordingTransport()
        client = CustomerIOClient(api_key="k", transport=transport)
        report = import_source(client, path, "identify", workers=1)
        return report, [request.body for request in transport.requests]

    fast_report, fast_bodies = run()
    monkeypatch.setattr(ColumnarEncoder, "for_plan", classmethod(lambda cls, *args: None))
    slow_report, slow_bodies = run()
    assert fast_bodies == slow_bodies
    assert fast_report.errors == slow_report.errors
    assert fast_report.warnings == slow_report.warnings
    assert (
        (fast_report.sent, fast_report.invalid)
        == (slow_report.sent, slow_report.invalid)
        == (
            5,
            6,
        )
    )


# Generated tables --------------------------------------------------------------------

_ID_CHARACTERS = ["a", "Z", "7", "-", " ", "\t", "\n", "\x00", "\x1f", "\x7f", "\x85", "\xa0"]
_ID_CHARACTERS += ["\u2003", "\u3000", "\u200b", "é", "中", "\ufeff", "~", "!"]
ids_strategy = st.one_of(st.none(), st.text(st.sampled_from(_ID_CHARACTERS), max_size=5))
_LOCALS = ["ada", "a.b", "a..b", ".a", "a.", "a+b", "ä", "a b", "x" * 64, "x" * 65, '"q"', ""]
_DOMAINS = ["example.com", "localhost", "ex--ample.com", "a.test", "EXAMPLE.COM", "exämple.com"]
_DOMAINS += ["example", "a.b.c.io", "-a.com", "example.c0m", "x.local", "y.onion", "a.arpa"]
_DOMAINS += ["b" * 63 + ".com", "b" * 64 + ".com", "mail.invalid", "a.co", "e.x"]
# With a 64-character local part: 254 characters in all, and 255.
_DOMAINS += [f"{'c' * 63}.{'d' * 63}.{'e' * tail}.com" for tail in (57, 58)]
emails_strategy = st.one_of(
    st.none(),
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.sampled_from(_LOCALS),
        st.sampled_from(_DOMAINS),
    ),
    st.text(st.sampled_from(["a", "@", ".", "-", " ", "é", "1", "\x00"]), max_size=8),
)
numbers_strategy = st.one_of(
    st.none(),
    st.floats(),
    st.sampled_from([math.inf, -math.inf, math.nan, -0.0, 1e16, 1e-7, 5e-324, 1.5e300]),
)
_TEXT = st.one_of(
    st.none(), st.text(max_size=6), st.sampled_from(['"', "\\", "a,b", "😀", "\u2028"])
)
COLUMNS: dict[str, tuple[Any, Any]] = {
    "user_id": (pa.string(), ids_strategy),
    "anonymous_id": (pa.large_string(), ids_strategy),
    "email": (pa.string(), emails_strategy),
    "score": (pa.float64(), numbers_strategy),
    "age": (pa.int64(), st.one_of(st.none(), st.integers(-(2**63), 2**63 - 1))),
    "vip": (pa.bool_(), st.one_of(st.none(), st.booleans())),
    'say "hi"': (pa.large_string(), _TEXT),
    "ratio\\32": (pa.float32(), st.one_of(st.none(), st.floats(width=32, allow_nan=False))),
    "größe": (pa.uint64(), st.one_of(st.none(), st.integers(0, 2**64 - 1))),
    "nothing": (pa.null(), st.none()),
    "timestamp": (
        None,  # a unit and a zone drawn per table
        st.one_of(
            st.none(),
            st.datetimes(
                datetime(1900, 1, 1), datetime(2200, 1, 1), timezones=st.just(timezone.utc)
            ),
        ),
    ),
}
_ZONED = st.builds(
    pa.timestamp,
    st.sampled_from(["s", "ms", "us", "ns"]),
    tz=st.sampled_from(["UTC", "Europe/Berlin", "-03:30"]),
)
LAYOUTS = [
    ("user_id",),
    ("anonymous_id",),
    ("user_id", "anonymous_id"),
    ("anonymous_id", "user_id", "email", "score", "age", "vip"),
    ("user_id", "email", "vip"),
    ("user_id", 'say "hi"', "ratio\\32", "größe", "nothing", "email"),
    ("anonymous_id", "score", 'say "hi"'),
    ("user_id", "timestamp", "email", "age"),
    ("timestamp", "anonymous_id", "user_id"),
]


@st.composite
def tables(draw: Any) -> pa.Table:
    layout = draw(st.sampled_from(LAYOUTS))
    rows = draw(st.integers(0, 10))
    columns = {}
    for name in layout:
        data_type, values = COLUMNS[name]
        drawn = [draw(values) for _ in range(rows)]
        if data_type is None:
            exact = pa.array(drawn, pa.timestamp("us", tz="UTC"))
            zoned = draw(_ZONED)
            columns[name] = exact.cast(pa.timestamp(zoned.unit, tz="UTC"), safe=False).cast(zoned)
        else:
            columns[name] = pa.array(drawn, data_type)
    return pa.table(columns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(tables())
def test_generated_tables_are_the_same_on_both_roads(table: pa.Table) -> None:
    assert_same_roads(table)


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(emails_strategy, st.text(max_size=12)), min_size=1, max_size=20))
def test_an_email_the_columns_vouch_for_is_valid_for_the_models(values: list[str | None]) -> None:
    vouched = email_vouched(pa.array(values, pa.string())).to_pylist()
    for value, ok in zip(values, vouched, strict=True):
        if ok and value is not None:
            assert is_valid_email(value), "vouched for an address the models do not"


@settings(max_examples=80, deadline=None)
@given(st.lists(st.one_of(ids_strategy, st.text(max_size=6)), min_size=1, max_size=20))
def test_an_id_the_columns_vouch_for_is_accepted_by_intake(values: list[str | None]) -> None:
    vouched = identifier_vouched(pa.array(values, pa.string())).to_pylist()
    for value, ok in zip(values, vouched, strict=True):
        if ok and value is not None:
            accepted = intake({"userId": value, "anonymousId": value}, model=Identify)
            assert accepted.key == value


@only_with_codecs
def test_a_string_json_must_escape_takes_the_plan(converted: list[int]) -> None:
    table = pa.table(
        {
            "user_id": ["1", "2", "3", "4", "5"],
            'say "hi"': ['a "quote"', "back\\slash", "tab\there", "😀 fine", "\u2028 fine"],
            "ratio": pa.array([0.5, 1e16, None, -0.0, 5e-324], pa.float32()),
        }
    )
    rows = rows_of(table, encoder=True)
    assert converted == [0, 1, 2]
    assert rows == rows_of(table, encoder=False)
    assert all(row.message is not None for row in rows)


@only_with_codecs
def test_a_zoned_timestamp_column_is_written_column_by_column(
    converted: list[int],
) -> None:
    moments = [
        datetime(2024, 5, 1, 10, tzinfo=timezone.utc),
        None,
        datetime(1969, 7, 20, 20, 17, 40, 500000, tzinfo=timezone.utc),
    ]
    table = pa.table(
        {
            "user_id": ["1", "2", "3"],
            "timestamp": pa.array(moments, pa.timestamp("ms", tz="America/New_York")),
        }
    )
    rows = rows_of(table, encoder=True)
    assert converted == []
    assert rows == rows_of(table, encoder=False)
    assert [row.message.body for row in rows if row.message][2].startswith(
        b'{"type":"identify","messageId":"'
    )
    assert b'"timestamp":"1969-07-20T20:17:40.500000Z","userId":"3"}' in rows[2].message.body


# Trait names people send (Segment's reserved traits and common ones): a check keyed on
# one of them, added to the models later, must show up here as a difference.
TRAIT_NAMES = [
    "address", "age", "avatar", "birthday", "company", "created_at", "createdAt",
    "description", "email", "firstName", "first_name", "gender", "lastName",
    "name", "phone", "title", "username", "website", "plan", "logins", "unsubscribed",
    "cio_subscription_preferences", "objectTypeId", "relationshipAttributes", "type",
]  # fmt: skip
_TRAIT_TYPES = [
    (pa.string(), st.one_of(st.none(), st.text(max_size=12), st.sampled_from(["1", "true"]))),
    (pa.int64(), st.one_of(st.none(), st.integers(-(10**12), 10**12))),
    (pa.float64(), st.one_of(st.none(), st.floats(allow_nan=False))),
    (pa.bool_(), st.one_of(st.none(), st.booleans())),
]


@st.composite
def trait_tables(draw: Any) -> pa.Table:
    names = draw(st.lists(st.sampled_from(TRAIT_NAMES), min_size=1, max_size=5, unique=True))
    rows = draw(st.integers(1, 6))
    columns = {"user_id": pa.array([f"u{n}" for n in range(rows)], pa.string())}
    for name in names:
        data_type, values = draw(st.sampled_from(_TRAIT_TYPES))
        columns[name] = pa.array([draw(values) for _ in range(rows)], data_type)
    return pa.table(columns)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trait_tables())
def test_any_trait_name_and_type_is_the_same_on_both_roads(table: pa.Table) -> None:
    assert_same_roads(table)


def test_a_record_batch_larger_than_a_slice_is_written_slice_by_slice() -> None:
    rows = ENCODE_ROWS * 2 + 5
    ids = [f"u{n}" for n in range(rows)]
    for bad in (ENCODE_ROWS - 1, ENCODE_ROWS, rows - 1):
        ids[bad] = " "
    table = pa.table({"user_id": ids, "n": pa.array(range(rows), pa.int64())})
    done = {0, ENCODE_ROWS + 1, rows - 2}
    fast = rows_of(table, encoder=True, skip=done.__contains__, batch_rows=rows)
    assert fast == rows_of(table, encoder=False, skip=done.__contains__, batch_rows=rows)
    assert [row.number for row in fast if row.errors] == [ENCODE_ROWS - 1, ENCODE_ROWS, rows - 1]
    assert len(fast) == rows - len(done)


@only_with_codecs
def test_a_batch_whose_types_differ_from_the_schema_goes_row_by_row() -> None:
    plan = compile_plan(
        ["user_id", "n"],
        IDENTIFY,
        ColumnMapping(),
        typed_source=True,
        plain_columns=frozenset({"user_id", "n"}),
        clean_values=True,
        encoded=True,
        message_ids=MessageIds("sha256:same", "identify"),
    )
    encoder = ColumnarEncoder.for_plan(pa, plan, [pa.string(), pa.int64()])
    assert encoder is not None
    same = [pa.array(["1"], pa.string()), pa.array([1], pa.int64())]
    other = [pa.array(["1"], pa.string()), pa.array([1.0], pa.float64())]
    assert encoder.encode(same, 0) is not None
    assert encoder.encode(other, 0) is None
