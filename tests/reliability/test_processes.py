"""Process lifecycle: exit without flush, SIGKILL mid-import then resume, fork, flush deadline.

Child processes run the real library (and the ``cio`` command line) against a sandbox
owned by the test, so what arrived is counted after the child is gone.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
import warnings
from pathlib import Path

import pytest

from cio import CustomerIOClient
from cio.sandbox import Delay, FailEveryNth, Sandbox
from tests.reliability._canaries import API_KEY, EMAIL, PROPERTY_VALUE
from tests.reliability._leakscan import (
    check,
    dead_letter_texts,
    report_texts,
    sandbox_texts,
    sqlite_texts,
)
from tests.reliability._report import EVENTS_PER_SCENARIO, ResultBook
from tests.reliability._scenarios import EVENT_NAME, PADDING_BYTES, result_for, tally, user_of
from tests.reliability._servers import silent_server

pytestmark = [pytest.mark.reliability, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
FLUSH_TIMEOUT = 1.0
FLUSH_MARGIN = 0.5


def _child_env(sandbox: Sandbox) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIO_")}
    env.update(
        {
            "PYTHONPATH": str(REPO_ROOT),
            "CIO_API_KEY": API_KEY,
            "CIO_BASE_URL": sandbox.url,
            "CIO_MAX_RETRIES": "10",
        }
    )
    return env


EXIT_SCRIPT = textwrap.dedent(
    """
    import logging, sys
    from cio import CustomerIOClient
    from tests.reliability._scenarios import EVENT_NAME, event_properties, user_of

    logging.basicConfig(level=logging.DEBUG, stream=sys.stderr)
    client = CustomerIOClient()
    sender = client.buffered(flush_interval=0.05, exit_timeout=60)
    for seq in range(int(sys.argv[1])):
        sender.track(user_of(seq), EVENT_NAME, event_properties(seq))
    print("queued", sender.pending, flush=True)
    # No flush() and no close(): the interpreter's exit must deliver what is queued.
    """
)


@pytest.mark.sandbox
@pytest.mark.timeout(120)
def test_process_exiting_without_flush_delivers_everything(
    tmp_path: Path, scenario_results: ResultBook
) -> None:
    script = tmp_path / "exit_without_flush.py"
    script.write_text(EXIT_SCRIPT, encoding="utf-8")
    db_path = tmp_path / "sandbox.db"
    with Sandbox(api_key=API_KEY, db_path=db_path, faults=(FailEveryNth(3),)) as sandbox:
        started = time.perf_counter()
        child = subprocess.run(
            [sys.executable, str(script), str(EVENTS_PER_SCENARIO)],
            env=_child_env(sandbox),
            capture_output=True,
            text=True,
            timeout=100,
            check=False,
        )
        wall = time.perf_counter() - started
        counted = tally(sandbox.messages)
        injected = sandbox.faults_injected
        readable = sandbox_texts(sandbox)
    told = (
        f"nothing: the script never called flush(); exit code {child.returncode}, "
        f"{child.stderr.count('ERROR')} ERROR log lines"
    )
    result = result_for("buffered/exit-without-flush", counted, wall_seconds=wall, told=told)
    scenario_results.add(result)
    assert child.returncode == 0, child.stderr[-2000:]
    assert injected > 0
    assert result.delivered == EVENTS_PER_SCENARIO and result.lost == 0, result
    assert result.multi_id_events == 0 and result.duplicate_ids == 0, result
    db_readable, db_payload = sqlite_texts(db_path, payload_tables=("messages",))
    check(
        [*readable, *db_readable, ("child stdout", child.stdout), ("child stderr", child.stderr)],
        db_payload,
    )


INVALID_ROWS = {100: " ", 2000: "", 4000: "\x07bad"}  # seq -> bad user_id, rows kept apart


def _write_import_file(path: Path) -> None:
    lines = ["user_id,event,seq,ref,contact,note"]
    for seq in range(EVENTS_PER_SCENARIO):
        if seq in INVALID_ROWS:
            lines.append(f"{INVALID_ROWS[seq]},{EVENT_NAME},-{seq},{PROPERTY_VALUE},{EMAIL},bad")
        lines.append(
            f"{user_of(seq)},{EVENT_NAME},{seq},{PROPERTY_VALUE},{EMAIL},{'x' * PADDING_BYTES}"
        )
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _acknowledged_rows(state: Path | str) -> int:
    """Rows an import's state file records as acknowledged (after its header line)."""
    if isinstance(state, Path):
        state = state.read_text(encoding="utf-8") if state.exists() else ""
    count = 0
    for line in state.splitlines()[1:]:
        first, _, last = line.partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            count += int(last) - int(first) + 1 if last else 1
    return count


def _import_command(source: Path, state: Path, dead: Path) -> list[str]:
    return [
        sys.executable, "-m", "cio.cli", "-v", "import", str(source), "--kind", "track",
        "--state", str(state), "--dead-letters", str(dead), "--workers", "4", "--no-progress",
    ]  # fmt: skip


@pytest.mark.sandbox
@pytest.mark.timeout(150)
@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="SIGKILL is POSIX only")
def test_sigkill_mid_import_then_resume(tmp_path: Path, scenario_results: ResultBook) -> None:
    source, state, dead = (
        tmp_path / "events.csv",
        tmp_path / "import.state",
        tmp_path / "dead.jsonl",
    )
    _write_import_file(source)
    db_path = tmp_path / "sandbox.db"
    command = _import_command(source, state, dead)
    with Sandbox(api_key=API_KEY, db_path=db_path, faults=(Delay(0.2),)) as sandbox:
        env = _child_env(sandbox)
        started = time.perf_counter()
        first = subprocess.Popen(
            command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        give_up = time.monotonic() + 60
        while time.monotonic() < give_up and _acknowledged_rows(state) < EVENTS_PER_SCENARIO // 4:
            time.sleep(0.01)
        first.send_signal(signal.SIGKILL)
        first_out, first_err = first.communicate(timeout=30)
        time.sleep(0.5)  # requests the sandbox was still delaying finish and are recorded
        before_resume = len(sandbox.messages)
        state_after_kill = state.read_text(encoding="utf-8") if state.exists() else ""
        acknowledged = _acknowledged_rows(state_after_kill)
        sandbox.set_faults()
        second = subprocess.run(
            command, env=env, capture_output=True, text=True, timeout=100, check=False
        )
        wall = time.perf_counter() - started
        counted = tally(sandbox.messages)
        resent = len(sandbox.messages) - before_resume
        readable = sandbox_texts(sandbox)
    summary = second.stdout.strip().splitlines()[0] if second.stdout.strip() else "no output"
    told = (
        f"first run: killed (exit {first.returncode}) with {acknowledged} rows in its state "
        f"file; resumed run: exit {second.returncode}, " + summary.replace(str(source), source.name)
    )
    result = result_for("import/sigkill-resume", counted, wall_seconds=wall, told=told)
    scenario_results.add(result)
    assert first.returncode == -signal.SIGKILL
    assert 0 < before_resume < EVENTS_PER_SCENARIO, "the kill did not land mid-import"
    assert acknowledged >= EVENTS_PER_SCENARIO // 4, "the kill came before any progress"
    assert second.returncode == 1, second.stderr[-2000:]  # 1: some rows were invalid
    assert result.delivered == EVENTS_PER_SCENARIO and result.lost == 0, result
    assert result.multi_id_events == 0, result
    assert resent < EVENTS_PER_SCENARIO, "the second run started over instead of resuming"
    # Only batches in flight at the kill can arrive twice (same messageIds, dropped by the API).
    assert result.duplicate_ids <= before_resume - acknowledged, result
    error_rows = {
        int(line.split()[0])
        for line in second.stdout.splitlines()
        if line.split() and line.split()[0].isdigit()
    }
    # each bad row is reported with its row number (header is row 1) and column, no value
    assert error_rows == {seq + 2 + sorted(INVALID_ROWS).index(seq) for seq in INVALID_ROWS}
    letters_readable, letters_payload = dead_letter_texts(dead)
    db_readable, db_payload = sqlite_texts(db_path, payload_tables=("messages",))
    check(
        [
            *readable,
            *db_readable,
            *letters_readable,
            ("state file", state.read_text(encoding="utf-8")),
            ("first stdout", first_out),
            ("first stderr", first_err),
            ("second stdout", second.stdout),
            ("second stderr", second.stderr),
        ],
        [*letters_payload, *db_payload],
    )


@pytest.mark.timeout(30)
def test_flush_against_a_server_that_never_answers_keeps_its_deadline() -> None:
    with silent_server() as url:
        client = CustomerIOClient(api_key=API_KEY, base_url=url, timeout=30.0)
        sender = client.buffered(flush_interval=0.05)
        for seq in range(50):
            sender.track(user_of(seq), EVENT_NAME, {"seq": seq})
        started = time.monotonic()
        result = sender.flush(timeout=FLUSH_TIMEOUT)
        elapsed = time.monotonic() - started
        assert elapsed < FLUSH_TIMEOUT + FLUSH_MARGIN, elapsed
        assert result.timed_out and result.pending == 50
        started = time.monotonic()
        closed = sender.close(timeout=FLUSH_TIMEOUT)
        elapsed = time.monotonic() - started
        client.close()
    assert elapsed < FLUSH_TIMEOUT + FLUSH_MARGIN + 1.0, elapsed
    assert closed.pending == 50
    report = sender.report()
    assert report.failed == 50  # nothing vanished: every call is a dead letter
    assert len(sender.dead_letters) == 50  # type: ignore[arg-type]
    check(report_texts(report))


@pytest.mark.sandbox
@pytest.mark.timeout(60)
@pytest.mark.skipif(not hasattr(os, "fork"), reason="os.fork is POSIX only")
def test_buffered_sender_keeps_working_in_a_forked_child() -> None:
    with Sandbox(api_key=API_KEY) as sandbox:
        client = CustomerIOClient(api_key=API_KEY, base_url=sandbox.url)
        sender = client.buffered(flush_interval=0.05)
        for seq in range(100):
            sender.track(user_of(seq), EVENT_NAME, {"seq": seq})
        assert sender.flush(timeout=10).done
        read_end, write_end = os.pipe()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # 3.12+: fork with threads
            pid = os.fork()
        if pid == 0:
            outcome: dict[str, object] = {}
            try:
                for seq in range(1000, 1100):
                    sender.track(user_of(seq), EVENT_NAME, {"seq": seq})
                result = sender.close(timeout=20)
                outcome = {"pending": result.pending, "sent": sender.report().sent}
            except BaseException as exc:
                outcome = {"error": type(exc).__name__}
            os.write(write_end, json.dumps(outcome).encode())
            os._exit(0)
        os.close(write_end)
        for seq in range(100, 200):
            sender.track(user_of(seq), EVENT_NAME, {"seq": seq})
        parent_result = sender.close(timeout=20)
        _, status = os.waitpid(pid, 0)
        child_outcome = json.loads(os.read(read_end, 1000) or b"{}")
        os.close(read_end)
        client.close()
        counted = tally(sandbox.messages)
    assert os.waitstatus_to_exitcode(status) == 0
    assert child_outcome == {"pending": 0, "sent": 100}, child_outcome
    assert parent_result.pending == 0
    assert counted.seqs == frozenset([*range(200), *range(1000, 1100)])
    assert counted.multi_id_events == 0 and counted.duplicate_ids == 0
