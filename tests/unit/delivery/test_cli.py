"""``cio outbox show|replay`` and ``cio replay`` against a loopback server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cio.cli import main
from cio.delivery import DeadLetter, JsonLinesDeadLetterStore, Outbox
from cio.models import Track

from ._server import recording_server


def _letters(path: Path, messages: list[Track]) -> None:
    store = JsonLinesDeadLetterStore(path)
    store.add(
        [
            DeadLetter(m.to_json(), m.message_id, "the API failed", "ServerError", 503, 7, n)
            for n, m in enumerate(messages)
        ]
    )
    store.close()


def test_replay_resends_dead_letters_with_their_ids_and_removes_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "key")
    path = tmp_path / "dead.jsonl"
    messages = [Track(user_id="1", event=f"E{n}") for n in range(3)]
    _letters(path, messages)
    with recording_server() as server:
        assert main(["replay", str(path), "--base-url", server.url]) == 0
    assert [m["messageId"] for m in server.delivered] == [m.message_id for m in messages]
    assert not path.exists()
    assert "3 sent" in capsys.readouterr().out


def test_replay_keeps_what_fails_again_including_a_hand_broken_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "key")
    path = tmp_path / "dead.jsonl"
    messages = [Track(user_id="1", event="Good"), Track(user_id="2", event="Refused")]
    _letters(path, messages)
    broken = json.loads(path.read_text().splitlines()[0])
    del broken["message"]["userId"]
    lines = [json.dumps(broken), path.read_text().splitlines()[1]]
    path.write_text("\n".join(lines) + "\n")

    def answer(batch: list[dict[str, object]]) -> int:
        return 400 if any(m.get("event") == "Refused" for m in batch) else 200

    with recording_server(answer=answer) as server:
        assert main(["replay", str(path), "--base-url", server.url]) == 1
    left = list(JsonLinesDeadLetterStore(path))
    assert sorted(letter.message_id for letter in left) == sorted(m.message_id for m in messages)
    assert {letter.error_type for letter in left} == {"ValidationError", "BadRequestError"}


def test_outbox_show_and_replay(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "key")
    path = tmp_path / "outbox.db"
    outbox = Outbox(path)
    messages = [
        Track(user_id="1", event=f"E{n}", properties={"secret": "PRIVATE"}) for n in range(4)
    ]
    for message in messages:
        outbox.add(message.message_id, "1", message.to_json())
    outbox.close()

    assert main(["outbox", "show", str(path), "--limit", "2"]) == 0
    shown = capsys.readouterr().out
    assert "pending:      4" in shown and "... and 2 more" in shown
    assert messages[0].message_id in shown and "PRIVATE" not in shown

    with recording_server() as server:
        assert main(["outbox", "replay", str(path), "--base-url", server.url]) == 0
    assert [m["messageId"] for m in server.delivered] == [m.message_id for m in messages]
    assert len(Outbox(path)) == 0
    assert "4 sent" in capsys.readouterr().out


def test_missing_file_is_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["outbox", "show", str(tmp_path / "nope.db")]) == 2
    assert "no such file" in capsys.readouterr().err
