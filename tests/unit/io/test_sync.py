"""Incremental sync: hashing, diffing, deletions, the safety limit, keys, state and history.

Delivery is replaced by a stand-in with ``client.batch.send``'s signature that acks
or refuses each message, so these tests run in milliseconds; tests/io_e2e runs the
real engine against the sandbox, including a SIGKILL part way.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import pytest

from cio.delivery import BatchReport, DeadLetter
from cio.errors import ConfigurationError, ValidationError
from cio.io import (
    DeletionLimitError,
    SyncError,
    content_hash,
    run_sync,
    sync,
    sync_history,
    sync_message_id,
)
from cio.models import EncodedMessage

PEOPLE = "user_id,email,plan,score\n" + "".join(
    f"{n},p{n}@example.com,pro,{n}.5\n" for n in range(1, 11)
)


class StandIn:
    """Acks every message like ``client.batch.send``, except those ``refuse`` picks."""

    def __init__(
        self,
        refuse: Callable[[dict[str, Any]], bool] = lambda message: False,
        stop_after: int | None = None,
    ) -> None:
        self.refuse = refuse
        self.stop_after = stop_after
        self.messages: list[dict[str, Any]] = []
        self.calls = 0

    def __call__(self, messages: Iterable[EncodedMessage], **options: Any) -> BatchReport:
        self.calls += 1
        on_ack = options["on_ack"]
        letters = options["dead_letters"]
        sent = failed = 0
        for message in messages:
            if self.stop_after is not None and len(self.messages) >= self.stop_after:
                raise KeyboardInterrupt
            payload = json.loads(message.body)
            assert payload["messageId"] == message.message_id
            self.messages.append(payload)
            if self.refuse(payload):
                letters.add(
                    [DeadLetter(message.body, message.message_id, "bad", "BadRequestError", 400, 1)]
                )
                failed += 1
            else:
                on_ack([message.message_id])
                sent += 1
        return BatchReport(sent, failed, 0, 1, 0, 0, 0.0)


@pytest.fixture(autouse=True, params=["held", "kept cells", "second pass"])
def reading(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Every test runs three ways: candidates held from the first pass, their cells kept
    in the work table (even a typed source's, past the held limit), and read again."""
    if request.param != "kept cells":
        monkeypatch.setattr("cio.io._sync.KEEP_CELLS", False)
    if request.param != "held":
        monkeypatch.setattr("cio.io._sync.MAX_HELD_ROWS", 0)
    return str(request.param)


def _run(path: Path | Any, state: Path, send: StandIn | None = None, **options: Any) -> Any:
    options.setdefault("kind", "identify")
    options.setdefault("key", "user_id")
    return run_sync(send, path, state=state, **options)


@pytest.fixture
def files(tmp_path: Path) -> tuple[Path, Path]:
    source = tmp_path / "people.csv"
    source.write_text(PEOPLE, encoding="utf-8")
    return source, tmp_path / "sync.db"


def test_first_run_sends_every_row_and_second_sends_nothing(files: tuple[Path, Path]) -> None:
    source, state = files
    send = StandIn()
    first = _run(source, state, send)
    assert (first.new, first.changed, first.unchanged, first.sent) == (10, 0, 0, 10)
    second = _run(source, state, send)
    assert (second.new, second.changed, second.unchanged, second.sent) == (0, 0, 10, 0)
    assert len(send.messages) == 10
    assert first.ok and second.ok


def test_only_the_changed_row_is_sent_under_a_derived_message_id(
    files: tuple[Path, Path],
) -> None:
    source, state = files
    send = StandIn()
    _run(source, state, send)
    before = {m["userId"]: m for m in send.messages}
    source.write_text(PEOPLE.replace("3,p3@example.com,pro", "3,p3@example.com,free"))
    report = _run(source, state, send)
    assert (report.new, report.changed, report.unchanged, report.sent) == (0, 1, 9, 1)
    changed = send.messages[-1]
    assert changed["userId"] == "3"
    assert changed["traits"]["plan"] == "free"
    previous = content_hash(before["3"])
    expected = sync_message_id("identify", "3", previous, content_hash(changed))
    assert changed["messageId"] == expected


def test_column_order_float_noise_and_json_key_order_are_not_changes(tmp_path: Path) -> None:
    source, state = tmp_path / "a.csv", tmp_path / "s.db"
    source.write_text('user_id,score,meta\n1,1.50,"{""a"": 1, ""b"": 2}"\n2,2,x\n')
    send = StandIn()
    assert _run(source, state, send, types={"meta": "auto"}).sent == 2
    source.write_text('meta,user_id,score\n"{""b"": 2, ""a"": 1}",1,1.5\nx,2,2.0\n')
    report = _run(source, state, send, types={"meta": "auto"})
    assert (report.unchanged, report.changed, report.sent) == (2, 0, 0)
    # The new spelling is remembered: the next run takes the fast path.
    again = _run(source, state, send, types={"meta": "auto"})
    assert (again.unchanged, again.sent) == (2, 0)


def test_a_changed_mapping_is_compared_by_content(files: tuple[Path, Path]) -> None:
    source, state = files
    send = StandIn()
    _run(source, state, send)
    report = _run(source, state, send, mapping={"score": None})
    assert report.changed == 10
    assert all("score" not in m["traits"] for m in send.messages[10:])


def test_empty_and_duplicate_keys_are_reported_and_the_rest_proceeds(tmp_path: Path) -> None:
    source, state = tmp_path / "p.csv", tmp_path / "s.db"
    source.write_text(
        "user_id,plan\n1,pro\n,free\n2,pro\n2,free\n3,pro\n  ,pro\n4,pro\n2,pro\n",
        encoding="utf-8",
    )
    send = StandIn()
    report = _run(source, state, send)
    assert {m["userId"] for m in send.messages} == {"1", "3", "4"}
    assert (report.empty_keys, report.duplicate_rows, report.invalid) == (2, 3, 5)
    assert report.duplicate_keys == 1
    assert "2 rows have an empty key (user_id); first rows: 3, 7" in report.error_summary
    assert "3 rows share a key (user_id)" in report.error_summary
    assert "rows 4, 5, 9" in report.error_summary
    assert not report.ok


def test_the_key_column_must_exist(files: tuple[Path, Path]) -> None:
    source, state = files
    with pytest.raises(ValidationError, match="key column"):
        _run(source, state, StandIn(), key="customer")


def test_invalid_rows_are_kept_as_rejected_and_retried_until_valid(tmp_path: Path) -> None:
    source, state = tmp_path / "p.csv", tmp_path / "s.db"
    source.write_text("user_id,timestamp\n1,2024-05-01T10:00:00Z\n2,last-tuesday\n")
    send = StandIn()
    report = _run(source, state, send)
    assert (report.sent, report.invalid) == (1, 1)
    (rejected,) = sync_history(state).rejected
    assert (rejected.key, rejected.status, rejected.error_type) == (
        "2",
        "invalid",
        "datetime_parsing",
    )
    assert "last-tuesday" not in rejected.reason
    assert "row 3, column timestamp" in rejected.reason
    assert _run(source, state, send).invalid == 1
    source.write_text("user_id,timestamp\n1,2024-05-01T10:00:00Z\n2,2024-05-02T10:00:00Z\n")
    fixed = _run(source, state, send)
    assert (fixed.new, fixed.sent) == (1, 1)
    assert sync_history(state).rejected == ()


def test_refused_rows_are_listed_then_retried_under_the_same_message_id(
    files: tuple[Path, Path],
) -> None:
    source, state = files
    refusing = StandIn(refuse=lambda message: message["userId"] in {"4", "7"})
    report = _run(source, state, refusing)
    assert (report.sent, report.failed) == (8, 2)
    history = sync_history(state)
    assert sorted(item.key for item in history.rejected) == ["4", "7"]
    assert {item.status for item in history.rejected} == {"refused"}
    assert {item.http_status for item in history.rejected} == {400}
    first_ids = {m["userId"]: m["messageId"] for m in refusing.messages}
    accepting = StandIn()
    retry = _run(source, state, accepting)
    assert (retry.new, retry.sent, retry.unchanged) == (2, 2, 8)
    assert {m["userId"]: m["messageId"] for m in accepting.messages} == {
        "4": first_ids["4"],
        "7": first_ids["7"],
    }
    assert sync_history(state).rejected == ()


def test_an_interrupted_run_resends_each_pending_change_once_with_the_same_id(
    files: tuple[Path, Path],
) -> None:
    source, state = files
    crashing = StandIn(stop_after=4)
    with pytest.raises(KeyboardInterrupt):
        _run(source, state, crashing)
    acknowledged = {m["userId"]: m["messageId"] for m in crashing.messages}
    resumed = StandIn()
    report = _run(source, state, resumed)
    assert report.sent == 6
    assert not set(acknowledged) & {m["userId"] for m in resumed.messages}
    history = sync_history(state)
    assert [run.status for run in history.runs] == ["interrupted", "completed"]
    # The same change always gets the same messageId.
    replay = StandIn()
    _run(source, tmp_state := state.with_name("other.db"), replay)
    again = {m["userId"]: m["messageId"] for m in replay.messages}
    assert {user: again[user] for user in acknowledged} == acknowledged
    assert tmp_state.exists()


def test_mirror_deletes_keys_that_left_the_source(files: tuple[Path, Path]) -> None:
    source, state = files
    send = StandIn()
    _run(source, state, send, mode="mirror")
    source.write_text(PEOPLE.replace("10,p10@example.com,pro,10.5\n", ""))
    report = _run(source, state, send, mode="mirror")
    assert (report.to_delete, report.deleted, report.sent) == (1, 1, 1)
    deletion = send.messages[-1]
    assert (deletion["event"], deletion["userId"]) == ("User Deleted", "10")
    assert _run(source, state, send, mode="mirror").to_delete == 0


def test_mirror_safety_limit_refuses_and_says_how_many(files: tuple[Path, Path]) -> None:
    source, state = files
    send = StandIn()
    _run(source, state, send, mode="mirror")
    source.write_text("user_id,email,plan,score\n1,p1@example.com,pro,1.5\n")
    preview = _run(source, state, None, mode="mirror", dry_run=True)
    assert (preview.to_delete, preview.refused) == (9, True)
    with pytest.raises(DeletionLimitError, match="would delete 9 of 10 known keys") as caught:
        _run(source, state, send, mode="mirror")
    assert caught.value.would_delete == 9
    assert len(send.messages) == 10
    assert sync_history(state).runs[-1].status == "refused"
    forced = _run(source, state, send, mode="mirror", force=True)
    assert forced.deleted == 9
    events = {m["event"] for m in send.messages[10:]}
    assert events == {"User Deleted"}


def test_upsert_mode_never_deletes(files: tuple[Path, Path]) -> None:
    source, state = files
    send = StandIn()
    _run(source, state, send)
    source.write_text("user_id,email,plan,score\n1,p1@example.com,pro,1.5\n")
    report = _run(source, state, send)
    assert (report.to_delete, report.sent, report.unchanged) == (0, 0, 1)


DeletionCase = tuple[str, str, str, str, Callable[[dict[str, Any]], bool]]
DELETION_CASES: dict[str, DeletionCase] = {
    "objects": (
        "objects",
        "object_id",
        "object_id,object_type_id,name\nacme,2,Acme\nglobex,1,Globex\n",
        "Object Deleted",
        lambda m: m["properties"] == {"objectId": "globex", "objectTypeId": 1},
    ),
    "relationships": (
        "relationships",
        "user_id,object_id",
        "user_id,object_id,role\n1,acme,admin\n2,acme,member\n",
        "Relationship Deleted",
        lambda m: (m["userId"], m["properties"]["objectId"]) == ("2", "acme"),
    ),
    "devices": (
        "devices",
        "token",
        "user_id,token,device_type\n1,tok-a,ios\n2,tok-b,android\n",
        "Device Deleted",
        lambda m: (
            (m["userId"], m["context"]["device"]) == ("2", {"token": "tok-b", "type": "android"})
        ),
    ),
}


@pytest.mark.parametrize("case", list(DELETION_CASES))
def test_each_kind_sends_its_documented_deletion(tmp_path: Path, case: str) -> None:
    kind, key, text, event, check = DELETION_CASES[case]
    source, state = tmp_path / "in.csv", tmp_path / "s.db"
    source.write_text(text)
    send = StandIn()
    assert _run(source, state, send, kind=kind, key=key, mode="mirror").sent == 2
    source.write_text(text.rsplit("\n", 2)[0] + "\n")
    report = _run(source, state, send, kind=kind, key=key, mode="mirror", force=True)
    assert report.deleted == 1
    deletion = send.messages[-1]
    assert deletion["event"] == event
    assert check(deletion)


def test_events_are_sent_once_ever(tmp_path: Path) -> None:
    source, state = tmp_path / "events.csv", tmp_path / "s.db"
    source.write_text("event_id,user_id,event,price\ne1,1,Signed Up,1\ne2,2,Signed Up,2\n")
    send = StandIn()
    assert _run(source, state, send, kind="events", key="event_id").sent == 2
    source.write_text("event_id,user_id,event,price\ne1,1,Signed Up,9\ne3,3,Signed Up,3\n")
    report = _run(source, state, send, kind="events", key="event_id")
    assert (report.new, report.unchanged, report.sent) == (1, 1, 1)
    assert send.messages[-1]["properties"]["price"] == 3
    with pytest.raises(ConfigurationError, match="append-only"):
        _run(source, state, send, kind="events", key="event_id", mode="mirror")


def test_dry_run_counts_masks_samples_and_changes_no_key(files: tuple[Path, Path]) -> None:
    source, state = files
    preview = _run(source, state, None, dry_run=True)
    assert (preview.new, preview.sent, preview.delivery) == (10, 0, None)
    assert len(preview.samples) == 3
    sample = preview.samples[0]
    assert sample["traits"] == {"email": "<str>", "plan": "<str>", "score": "<float>"}
    assert "example.com" not in str(preview) + json.dumps(preview.samples)
    shown = _run(source, state, None, dry_run=True, show_values=True)
    assert shown.samples[0]["traits"]["email"] == "p1@example.com"
    send = StandIn()
    assert _run(source, state, send).sent == 10
    runs = sync_history(state).runs
    assert [(run.dry_run, run.counts["new"]) for run in runs] == [
        (True, 10),
        (True, 10),
        (False, 10),
    ]


def test_history_keeps_every_run_with_source_options_and_errors(tmp_path: Path) -> None:
    source, state = tmp_path / "p.csv", tmp_path / "s.db"
    source.write_text("user_id,email\n1,a@example.com\n1,b@example.com\n2,c@example.com\n")
    _run(source, state, StandIn(), mapping={"email": "email"})
    (run,) = sync_history(state).runs
    assert run.status == "completed"
    assert run.source == str(source)
    assert run.options["key"] == ["user_id"]
    assert run.options["mapping"] == {"email": "email"}
    assert run.counts["sent"] == 1
    assert "2 rows share a key" in run.errors
    text = str(sync_history(state))
    assert "completed" in text
    assert "example.com" not in text


def test_a_state_of_another_sync_is_refused(files: tuple[Path, Path]) -> None:
    source, state = files
    _run(source, state, StandIn())
    with pytest.raises(ConfigurationError, match="keyed by user_id"):
        _run(source, state, StandIn(), key="email")
    state.with_name("junk.db").write_text("not a database at all, just text" * 100)
    with pytest.raises(ConfigurationError, match="not a cio sync state"):
        _run(source, state.with_name("junk.db"), StandIn())


def test_the_state_keeps_identifiers_not_values(files: tuple[Path, Path]) -> None:
    source, state = files
    _run(source, state, StandIn(refuse=lambda message: message["userId"] == "2"))
    dump = "\n".join(sqlite3.connect(state).iterdump())
    assert "example.com" not in dump
    assert "pro" not in dump.replace("process", "")


def test_a_dataframe_source(tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"user_id": [1, 2, 3], "seats": [1.0, 2.5, None]})
    state = tmp_path / "s.db"
    send = StandIn()
    assert _run(frame, state, send).sent == 3
    frame.loc[1, "seats"] = 4.0
    report = _run(frame, state, send)
    assert (report.changed, report.unchanged, report.sent) == (1, 2, 1)
    assert send.messages[-1]["traits"] == {"seats": 4}


def test_the_public_function_needs_a_client_unless_dry_run(files: tuple[Path, Path]) -> None:
    source, state = files
    with pytest.raises(ConfigurationError, match="client"):
        sync(None, source, kind="identify", key="user_id", state=state)
    assert sync(None, source, kind="people", key="user_id", state=state, dry_run=True).new == 10


def test_a_json_lines_source_ignores_key_order(tmp_path: Path) -> None:
    source, state = tmp_path / "people.jsonl", tmp_path / "s.db"
    source.write_text(
        '{"user_id": "1", "plan": "pro", "seats": 2}\n{"user_id": "2", "plan": "free"}\n'
    )
    send = StandIn()
    assert _run(source, state, send).sent == 2
    source.write_text(
        '{"seats": 2.0, "plan": "pro", "user_id": "1"}\n{"user_id": "2", "plan": "team"}\n'
    )
    report = _run(source, state, send)
    assert (report.unchanged, report.changed, report.sent) == (1, 1, 1)
    assert send.messages[-1]["traits"] == {"plan": "team"}


def test_a_source_that_changes_between_the_two_passes_stops_the_sync(
    tmp_path: Path, reading: str
) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame({"user_id": ["1", "2", "3"], "plan": ["pro", "pro", "pro"]})
    state = tmp_path / "s.db"
    _run(frame, state, StandIn())
    frame["plan"] = "team"

    class Rewriting(StandIn):
        def __call__(self, messages: Iterable[EncodedMessage], **options: Any) -> BatchReport:
            frame.loc[1, "user_id"] = "22"  # before the second pass reads the frame
            return super().__call__(messages, **options)

    if reading != "second pass":  # read once: the change comes too late to matter
        assert _run(frame, state, Rewriting()).changed == 3
        return
    with pytest.raises(SyncError, match="source changed while it was being synced"):
        _run(frame, state, Rewriting())
    assert sync_history(state).runs[-1].status == "failed"


def test_key_and_raw_hashes_keep_the_formula_earlier_states_were_written_with() -> None:
    # A state database written by an earlier version must still match: the key hash is the
    # state's primary key, and the raw hash decides the fast path for unchanged rows.
    import hashlib

    from cio.io._plan import ColumnMapping, compile_plan
    from cio.io._sync import _resolve_sync_kind, _Rows

    def signed(data: bytes, **params: Any) -> int:
        digest = hashlib.blake2b(data, digest_size=8, **params).digest()
        return int.from_bytes(digest, "little", signed=True)

    header = ("user_id", "plan", "email")
    spec = _resolve_sync_kind("identify").spec
    plan = compile_plan(header, spec, ColumnMapping.coerce(None))
    rows = _Rows(("user_id",), "fingerprint")
    cells = [" 42 ", "pro", "ada@example.com"]
    seed = hashlib.blake2b(b"fingerprint" + "\x1f".join(sorted(header)).encode(), digest_size=16)
    expected_raw = signed(b"ada@example.com\x1fpro\x1f 42 ", person=seed.digest())
    assert rows.identify(plan, cells) == ("42", signed(b"42"), expected_raw)
    two = _Rows(("user_id", "plan"), "fingerprint")
    key, key_hash, raw = two.identify(plan, cells)
    assert (key, key_hash, raw) == ("42|pro", signed(b"42\x1fpro"), expected_raw)


def test_the_state_is_keyed_by_the_key_hash_of_earlier_versions(files: tuple[Path, Path]) -> None:
    import hashlib

    source, state = files
    _run(source, state, StandIn())
    with sqlite3.connect(state) as db:
        stored = dict(db.execute("SELECT key, kh FROM keys").fetchall())
    digest = hashlib.blake2b(b"7", digest_size=8).digest()
    assert stored["7"] == int.from_bytes(digest, "little", signed=True)
    assert len(stored) == 10


def test_a_cell_holding_the_separator_is_converted_as_read(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("user_id,plan\n1,pro\n2,pro\n", encoding="utf-8")
    state = tmp_path / "s.db"
    send = StandIn()
    _run(source, state, send)
    source.write_text("user_id,plan\n1,pro\n2,a\x1fb\n", encoding="utf-8")
    report = _run(source, state, send)
    assert (report.changed, report.unchanged, report.sent) == (1, 1, 1)
    assert send.messages[-1]["traits"] == {"plan": "a\x1fb"}


def test_unchanged_rows_are_never_converted_again(
    files: tuple[Path, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    # The first run stores each row's raw hash; the next run must find the same one for
    # every row (whichever way its candidates were converted), so nothing is converted.
    from cio.io._plan import Plan

    source, state = files
    _run(source, state, StandIn())
    converted: list[int] = []
    for name in ("convert", "_from_cells", "_from_values", "_from_clean"):
        original = getattr(Plan, name)

        def counting(self: Plan, number: int, cells: Any, original: Any = original) -> Any:
            converted.append(number)
            return original(self, number, cells)

        monkeypatch.setattr(Plan, name, counting)
    monkeypatch.setattr("cio.io._sync.MAX_HELD_STATE", 0)  # the merge path, too
    report = _run(source, state, StandIn())
    assert (report.unchanged, report.sent, converted) == (10, 0, [])


def test_cells_that_are_not_valid_unicode_are_synced(tmp_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    state = tmp_path / "s.db"
    send = StandIn()
    people = {"user_id": ["1", "2"], "plan": ["pro", "pro"]}
    _run(pandas.DataFrame(people, dtype=object), state, send)
    people["plan"] = ["pro", "caf\udce9"]  # an undecodable byte kept as a surrogate
    report = _run(pandas.DataFrame(people, dtype=object), state, send)
    assert (report.unchanged, report.changed + report.invalid) == (1, 1)


def test_a_source_of_many_rows_is_diffed_whole(tmp_path: Path) -> None:
    # More rows than one write of the work table holds (SQLite binds at most 999
    # parameters in some builds), with a key repeated across writes and one empty key.
    rows = [f"{n},p{n}@example.com,pro\n" for n in range(1, 701)]
    rows[650] = "3,p3@example.com,free\n"  # key 3 again, hundreds of rows later
    rows[400] = ",nobody@example.com,pro\n"
    source, state = tmp_path / "p.csv", tmp_path / "s.db"
    source.write_text("user_id,email,plan\n" + "".join(rows), encoding="utf-8")
    send = StandIn()
    report = _run(source, state, send)
    assert (report.rows, report.new, report.duplicate_rows, report.empty_keys) == (700, 697, 2, 1)
    assert "rows 4, 652 (2 rows)" in report.error_summary
    rows[9] = "10,p10@example.com,free\n"
    source.write_text("user_id,email,plan\n" + "".join(rows), encoding="utf-8")
    again = _run(source, state, send)
    assert (again.changed, again.unchanged, again.new, again.duplicate_rows) == (1, 696, 0, 2)
    assert send.messages[-1]["userId"] == "10"


def test_the_work_table_keeps_each_row_number_whatever_their_order(tmp_path: Path) -> None:
    # Rows written in runs of consecutive numbers, a later write numbered below an
    # earlier one, gaps: each row keeps its number (the rows of duplicate keys and the
    # candidates are reported and read back by it).
    from cio.io._sync_state import SyncState

    state = SyncState(tmp_path / "s.db", kind="identify", key=["user_id"])
    try:
        state.begin_work()
        runs = [range(1000, 1600), range(1, 300), range(5000, 5400, 2), range(1700, 1701)]
        runs.append(range(6000, 6300))  # consecutive again, past every earlier row
        numbers = [number for run in runs for number in run]
        for run in runs:
            state.add_work([(number, number * 7, number * 11, f"c{number}") for number in run])
        assert state.index_work() == (0, 0, [])
        assert state.mark_candidates(append_only=False) == len(numbers)  # the state is empty
        stored = list(state.candidate_cells())
    finally:
        state.close()
    assert stored == sorted((n, n * 7, None, f"c{n}") for n in numbers)
