"""Syncs end to end into the sandbox through the real delivery engine.

Covers a first sync, a change, a second sync that sends only it, a mirror deletion
held back by the safety limit, API refusals retried under the same messageId, the
``--sandbox`` command line, and a sync killed with SIGKILL part way and run again.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from cio.cli import main
from cio.io import DeletionLimitError, content_hash, sync_history, sync_message_id
from cio.sandbox import Delay, FailEveryNth, Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.timeout(120)]

BAD_REQUEST = 400


def _people(rows: int, plan: str = "pro", changed: frozenset[int] = frozenset()) -> str:
    lines = ["user_id,email,plan"]
    for n in range(1, rows + 1):
        lines.append(f"u{n},p{n}@example.com,{'free' if n in changed else plan}")
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as server:
        yield server


def test_first_sync_change_second_sync_then_mirror_deletion(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.reset()
    source, state = tmp_path / "people.csv", tmp_path / "people.db"
    source.write_text(_people(50), encoding="utf-8")
    with sandbox.client() as client:
        first = client.sync(source, kind="identify", key="user_id", state=state)
        assert (first.new, first.sent) == (50, 50)
        source.write_text(_people(50, changed=frozenset({7})), encoding="utf-8")
        second = client.sync(source, kind="identify", key="user_id", state=state)
        assert (second.changed, second.unchanged, second.sent) == (1, 49, 1)
        source.write_text(_people(40), encoding="utf-8")
        with pytest.raises(DeletionLimitError, match="would delete 10 of 50"):
            client.sync(source, kind="identify", key="user_id", state=state, mode="mirror")
        received_before_force = len(sandbox.messages)
        third = client.sync(
            source, kind="identify", key="user_id", state=state, mode="mirror", force=True
        )
    assert received_before_force == 51
    assert (third.changed, third.deleted) == (1, 10)
    received = sandbox.messages
    assert len(received) == 62
    assert received[50]["userId"] == "u7"
    assert received[50]["traits"]["plan"] == "free"
    deletions = [m for m in received if m.get("event") == "User Deleted"]
    assert sorted(m["userId"] for m in deletions) == sorted(f"u{n}" for n in range(41, 51))
    assert len({m["messageId"] for m in received}) == len(received)
    statuses = [run.status for run in sync_history(state).runs]
    assert statuses == ["completed", "completed", "refused", "completed"]


def test_refused_changes_are_listed_and_retried_under_the_same_message_id(
    tmp_path: Path,
) -> None:
    source, state = tmp_path / "people.csv", tmp_path / "people.db"
    source.write_text(_people(4), encoding="utf-8")
    with Sandbox(faults=[FailEveryNth(1, status=BAD_REQUEST)]) as sandbox:
        with sandbox.client() as client:
            refused = client.sync(source, kind="identify", key="user_id", state=state)
        assert (refused.sent, refused.failed) == (0, 4)
        rejected = sync_history(state).rejected
        assert {(item.status, item.http_status) for item in rejected} == {("refused", 400)}
        tried = {item.key: item.message_id for item in rejected}
        sandbox.set_faults()
        with sandbox.client() as client:
            retried = client.sync(source, kind="identify", key="user_id", state=state)
        assert (retried.new, retried.sent) == (4, 4)
        received = {m["userId"]: m["messageId"] for m in sandbox.messages}
        assert received == tried
        for message in sandbox.messages:
            sent = {name: value for name, value in message.items() if name != "receivedAt"}
            expected = sync_message_id("identify", sent["userId"], None, content_hash(sent))
            assert sent["messageId"] == expected
    assert sync_history(state).rejected == ()


def test_cli_sync_into_the_sandbox(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    source, state = tmp_path / "people.csv", tmp_path / "people.db"
    source.write_text(_people(3), encoding="utf-8")
    args = ["sync", str(source), "--kind", "identify", "--key", "user_id", "--state", str(state)]
    assert main([*args, "--sandbox"]) == 0
    out = capsys.readouterr().out
    assert "3 new" in out
    assert "sent 3" in out
    assert main([*args, "--sandbox"]) == 0
    assert "3 unchanged" in capsys.readouterr().out


KILL_ROWS = 3000
KILL_AFTER_MESSAGES = 1500
SETTLE_SECONDS = 1.0
PADDING = "x" * 1500  # a few hundred rows per batch, so there are many batches


def _sync_child(source: Path, state: Path, sandbox: Sandbox) -> subprocess.Popen[bytes]:
    env = {**os.environ, "CIO_API_KEY": sandbox.api_key, "CIO_BASE_URL": sandbox.url}
    command = [
        sys.executable,
        "-m",
        "cio.cli",
        "sync",
        str(source),
        "--kind",
        "identify",
        "--key",
        "user_id",
        "--state",
        str(state),
        "--workers",
        "1",
        "--no-progress",
    ]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_sigkill_then_rerun_sends_each_pending_change_once_under_the_same_id(
    tmp_path: Path,
) -> None:
    source, state = tmp_path / "people.csv", tmp_path / "people.db"
    lines = ["user_id,email,bio"]
    lines += [f"u{n},p{n}@example.com,{PADDING}" for n in range(KILL_ROWS)]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    with Sandbox(faults=[Delay(0.15)]) as sandbox:
        child = _sync_child(source, state, sandbox)
        deadline = time.monotonic() + 60
        while len(sandbox.messages) < KILL_AFTER_MESSAGES:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.communicate()
        assert child.returncode == -signal.SIGKILL
        time.sleep(SETTLE_SECONDS)  # a request in flight at the kill is still recorded
        before = Counter(m["userId"] for m in sandbox.messages)
        assert len(before) < KILL_ROWS
        history = sync_history(state)
        assert [run.status for run in history.runs] == ["running"]
        sandbox.set_faults()
        rerun = _sync_child(source, state, sandbox)
        out, err = rerun.communicate(timeout=60)
        assert rerun.returncode == 0, err.decode()
        received = sandbox.messages
    ids_by_user: dict[str, set[str]] = {}
    for message in received:
        ids_by_user.setdefault(message["userId"], set()).add(message["messageId"])
    assert len(ids_by_user) == KILL_ROWS
    # Every change travelled under one messageId, however often it was sent.
    assert all(len(ids) == 1 for ids in ids_by_user.values())
    runs = sync_history(state).runs
    assert [run.status for run in runs] == ["interrupted", "completed"]
    sent_again = runs[1].counts["sent"]
    assert f"sent {sent_again}" in out.decode()
    # The re-run sent only what the killed run had not recorded as acknowledged: the
    # rows it never sent, plus those acknowledged in the last moments before the kill
    # (acknowledgements are committed in groups) and those in flight. Each of these
    # arrived twice under the same messageId, which the API drops.
    recorded = runs[1].counts["unchanged"]
    assert recorded > 0
    assert sent_again == KILL_ROWS - recorded
    duplicates = len(received) - KILL_ROWS
    assert duplicates == sent_again - (KILL_ROWS - len(before))
