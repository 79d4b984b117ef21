"""Import orchestration: deterministic messageIds, dry runs, the state file and resuming.

The delivery engine is replaced by a small stand-in with the same ``batch.send``
signature, so these tests run in milliseconds; tests/io_e2e runs the real engine
against the sandbox.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import SimpleNamespace

import pytest

from cio.errors import ConfigurationError
from cio.io import ImportState, MessageIds, file_identity, import_csv, import_jsonl
from cio.io._constants import IMPORT_NAMESPACE

PEOPLE = "user_id,email,plan\n" + "".join(
    f"{n},p{n}@example.com,pro\n" if n != 5 else "   ,not-an-email,pro\n" for n in range(1, 11)
)


class StandInBatch:
    """Consumes messages like client.batch.send; acks in groups; can stop part way."""

    def __init__(self, group: int = 3, stop_after: int | None = None) -> None:
        self.group = group
        self.stop_after = stop_after
        self.sent: list[str] = []
        self.calls: list[dict[str, object]] = []

    def send(
        self,
        messages: Iterable[object],
        *,
        on_ack: Callable[[Sequence[str]], None] | None = None,
        **options: object,
    ) -> SimpleNamespace:
        self.calls.append(options)
        waiting: list[str] = []
        for message in messages:
            waiting.append(message.message_id)
            if len(waiting) == self.group:
                self._ack(waiting, on_ack)
                waiting = []
        self._ack(waiting, on_ack)
        return SimpleNamespace(sent=len(self.sent), ok=True)

    def _ack(self, ids: list[str], on_ack) -> None:
        if self.stop_after is not None and len(self.sent) >= self.stop_after:
            raise KeyboardInterrupt
        self.sent.extend(ids)
        if on_ack is not None and ids:
            on_ack(list(ids))


def client_with(batch: StandInBatch) -> SimpleNamespace:
    return SimpleNamespace(batch=batch)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    return path


def test_message_ids_are_uuid5_of_the_import_and_the_row() -> None:
    ids = MessageIds("sha256:abc", "identify")
    namespace = uuid.uuid5(uuid.UUID(IMPORT_NAMESPACE), "sha256:abc/identify")
    # Every variant digit (8, 9, a, b) occurs among these rows.
    rows = [*range(2000), 10**6, 10**9 + 7]
    assert [ids(row) for row in rows] == [str(uuid.uuid5(namespace, str(row))) for row in rows]
    assert ids.many(rows) == [ids(row) for row in rows]


def test_rerunning_sends_the_same_ids_and_other_content_other_ids(people: Path, tmp_path) -> None:
    first, second = StandInBatch(), StandInBatch()
    import_csv(client_with(first), people, kind="identify")
    import_csv(client_with(second), people, kind="identify")
    assert first.sent == second.sent
    assert len(set(first.sent)) == 9
    changed = tmp_path / "changed.csv"
    changed.write_text(PEOPLE.replace("pro", "free", 1), encoding="utf-8")
    third = StandInBatch()
    report = import_csv(client_with(third), changed, kind="identify")
    assert set(third.sent).isdisjoint(first.sent)
    assert report.import_id == file_identity(changed) != file_identity(people)


def test_an_explicit_import_id_and_the_kind_decide_the_ids(people: Path) -> None:
    a, b, c = StandInBatch(), StandInBatch(), StandInBatch()
    import_csv(client_with(a), people, kind="identify", import_id="migration-1")
    import_csv(client_with(b), people, kind="identify", import_id="migration-2")
    import_csv(client_with(c), people, kind="delete", import_id="migration-1")
    assert a.sent[0] == MessageIds("migration-1", "identify")(2)
    assert set(a.sent).isdisjoint(b.sent)
    assert set(a.sent).isdisjoint(c.sent)


def test_report_counts_and_passes_options_to_the_engine(people: Path, capsys) -> None:
    batch = StandInBatch()
    report = import_csv(client_with(batch), people, kind="identify", workers=2, progress=True)
    assert (report.rows, report.valid, report.invalid, report.skipped) == (10, 9, 1, 0)
    assert report.sent == 9
    assert not report.ok
    assert report.errors[0].row == 6
    assert batch.calls[0]["workers"] == 2
    # The import draws its own bar (the file's name, bytes read, percentage, rate, ETA).
    assert batch.calls[0]["progress"] is False
    bar = capsys.readouterr().err
    assert "people.csv" in bar
    assert "100%" in bar
    assert "10 rows, 9 valid, 1 invalid" in str(report)
    assert "not-an-email" not in report._repr_html_() + report.table()


def test_dry_run_needs_no_client_and_sends_nothing(people: Path) -> None:
    report = import_csv(None, people, kind="identify", dry_run=True)
    assert (report.valid, report.invalid, report.delivery, report.sent) == (9, 1, None, 0)


def test_a_real_import_needs_a_client(people: Path) -> None:
    with pytest.raises(ConfigurationError):
        import_csv(None, people, kind="identify")


def test_interrupted_import_resumes_from_the_state_file(people: Path, tmp_path) -> None:
    state = tmp_path / "people.state"
    interrupted = StandInBatch(group=3, stop_after=6)
    with pytest.raises(KeyboardInterrupt):
        import_csv(client_with(interrupted), people, kind="identify", state=state)
    assert len(interrupted.sent) == 6
    resumed = StandInBatch(group=3)
    report = import_csv(client_with(resumed), people, kind="identify", state=state)
    assert report.skipped == 6
    assert len(resumed.sent) == 3
    everything = StandInBatch()
    import_csv(client_with(everything), people, kind="identify")
    assert sorted(interrupted.sent + resumed.sent) == sorted(everything.sent)
    again = StandInBatch()
    final = import_csv(client_with(again), people, kind="identify", state=state)
    assert again.sent == []
    assert final.skipped == 9


def test_state_file_of_another_import_is_refused(people: Path, tmp_path) -> None:
    state = tmp_path / "people.state"
    import_csv(client_with(StandInBatch()), people, kind="identify", state=state)
    with pytest.raises(ConfigurationError, match="another import"):
        import_csv(client_with(StandInBatch()), people, kind="delete", state=state)
    other = tmp_path / "not-state.txt"
    other.write_text("hello\n", encoding="utf-8")
    with pytest.raises(ConfigurationError, match="not a cio import state file"):
        ImportState(other, import_id="x", kind="identify")


def test_a_torn_last_line_is_ignored_and_appending_goes_on(tmp_path) -> None:
    path = tmp_path / "s.state"
    state = ImportState(path, import_id="x", kind="identify")
    state.record([2, 3, 4, 7])
    state.close()
    with open(path, "a", encoding="utf-8") as handle:
        handle.write("1")  # a write of "11" cut short by a crash
    reopened = ImportState(path, import_id="x", kind="identify")
    assert [row for row in range(1, 12) if reopened.done(row)] == [2, 3, 4, 7]
    assert reopened.acknowledged_before == 4
    reopened.record([8])
    reopened.close()
    last = ImportState(path, import_id="x", kind="identify")
    assert [row for row in range(1, 12) if last.done(row)] == [2, 3, 4, 7, 8]
    last.close()


def test_state_holds_scattered_rows(tmp_path) -> None:
    path = tmp_path / "big.state"
    state = ImportState(path, import_id="x", kind="identify")
    state.record(range(2, 100_002, 2))
    state.close()
    reopened = ImportState(path, import_id="x", kind="identify")
    assert reopened.acknowledged_before == 50_000
    assert reopened.done(100_000)
    assert not reopened.done(99_999)
    assert not reopened.done(5_000_000)
    reopened.close()


def test_jsonl_import_uses_line_numbers(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_text(
        '{"user_id": "1", "event": "Signed Up"}\n{"user_id": "2", "event": "Signed Up"}\n',
        encoding="utf-8",
    )
    batch = StandInBatch()
    report = import_jsonl(client_with(batch), path, kind="track")
    ids = MessageIds(report.import_id, "track")
    assert batch.sent == [ids(1), ids(2)]


def test_text_that_cannot_be_written_as_utf8_is_a_row_error_and_the_rest_go(tmp_path) -> None:
    path = tmp_path / "events.jsonl"
    lines = ['{"user_id": "1", "event": "A"}', '{"user_id": "2", "event": "B", "note": "\\udcff"}']
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    batch = StandInBatch()
    report = import_jsonl(client_with(batch), path, kind="track")
    assert (report.valid, report.invalid, len(batch.sent)) == (1, 1, 1)
    (error,) = report.errors
    assert (error.row, error.column, error.loc) == (2, "note", ("properties", "note"))
