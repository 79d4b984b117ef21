"""``cio replay`` and ``cio outbox``: never delete an undelivered letter; work without a key
against a sandbox; show what only dead letters hold."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from cio.cli import main
from cio.delivery import DeadLetter, JsonLinesDeadLetterStore, Outbox
from tests.reliability._hostile import Answer, hostile_server
from tests.reliability._report import ResultBook, counted_result

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(120)]

BEYOND_THE_REPORT_CAP = 10_010
VALID = 5


def _letter(number: int, message: dict[str, object]) -> DeadLetter:
    body = json.dumps({"messageId": f"m-{number}", **message}).encode()
    return DeadLetter(body, f"m-{number}", "the API failed", "ServerError", 503, 7, number)


def _write(path: Path, letters: list[DeadLetter]) -> None:
    store = JsonLinesDeadLetterStore(path)
    store.add(letters)
    store.close()


def test_replay_keeps_every_refused_letter_beyond_the_report_cap(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    scenario_results: ResultBook,
) -> None:
    started = time.perf_counter()
    monkeypatch.setenv("CIO_API_KEY", "test-key")
    letters = [_letter(n, {"type": "track"}) for n in range(BEYOND_THE_REPORT_CAP)]
    letters += [
        _letter(BEYOND_THE_REPORT_CAP + n, {"type": "track", "userId": "1", "event": "E"})
        for n in range(VALID)
    ]
    path = tmp_path / "failed.jsonl"
    _write(path, letters)
    with hostile_server(lambda number, request: Answer(200)) as server:
        status = main(["replay", str(path), "--base-url", server.url])
        delivered = server.delivered_ids()
    assert status == 1
    assert sorted(delivered) == sorted(letter.message_id for letter in letters[-VALID:])
    kept = list(JsonLinesDeadLetterStore(path))
    assert len(kept) == BEYOND_THE_REPORT_CAP
    assert {letter.message_id for letter in kept} == {
        letter.message_id for letter in letters[:BEYOND_THE_REPORT_CAP]
    }
    err = capsys.readouterr().err
    assert f"{BEYOND_THE_REPORT_CAP} message(s) were not delivered" in err
    scenario_results.add(
        counted_result(
            "replay/refused-beyond-report-cap",
            events=len(letters),
            delivered=set(delivered),
            reported={letter.message_id for letter in kept},
            wall_seconds=time.perf_counter() - started,
            told=f"exit {status}; stderr: {err.strip().replace(str(path), 'FILE')}; the file "
            f"holds all {len(kept)}",
            deliveries=len(delivered),
        )
    )


def test_replay_stopped_by_a_401_keeps_every_letter(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "test-key")
    letters = [_letter(n, {"type": "track", "userId": str(n), "event": "E"}) for n in range(50)]
    path = tmp_path / "failed.jsonl"
    _write(path, letters)
    with hostile_server(lambda number, request: Answer(401, b'{"errors":[]}')) as server:
        status = main(["replay", str(path), "--base-url", server.url])
    assert status != 0
    assert [letter.message_id for letter in JsonLinesDeadLetterStore(path)] == [
        letter.message_id for letter in letters
    ]


def test_replay_into_the_sandbox_needs_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)  # no .env here
    letters = [_letter(n, {"type": "track", "userId": str(n), "event": "E"}) for n in range(3)]
    path = tmp_path / "failed.jsonl"
    _write(path, letters)
    assert main(["replay", str(path), "--sandbox"]) == 0
    assert not path.exists()
    assert "3 sent" in capsys.readouterr().out


def test_outbox_replay_into_the_sandbox_needs_no_key(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("CIO_API_KEY", raising=False)
    monkeypatch.chdir(tmp_path)
    outbox = Outbox(tmp_path / "outbox.db")
    outbox.add("m-1", "1", b'{"type":"identify","messageId":"m-1","userId":"1"}')
    outbox.close()
    status = main(["outbox", "replay", str(tmp_path / "outbox.db"), "--sandbox"])
    assert status == 0, capsys.readouterr()
    assert "1 sent" in capsys.readouterr().out


def test_outbox_show_with_only_dead_letters_shows_ages_ids_and_types(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outbox = Outbox(tmp_path / "outbox.db")
    store = outbox.dead_letter_store
    store.add(
        [
            DeadLetter(
                b'{"type":"track","messageId":"dead-1","userId":"1","event":"Paid"}',
                "dead-1",
                "the API failed",
                "ServerError",
                503,
                7,
                0,
                "2026-01-02T03:04:05+00:00",
            )
        ]
    )
    outbox.close()
    assert main(["outbox", "show", str(tmp_path / "outbox.db")]) == 0
    out = capsys.readouterr().out
    assert "dead-1" in out and "track (Paid)" in out
    assert "2026-01-02T03:04:05+00:00" in out
    assert "oldest dead letter" in out
