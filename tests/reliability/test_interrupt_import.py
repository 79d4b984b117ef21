"""``cio import`` ends within seconds after Ctrl-C or a 401, every time (a bounded loop).

Each run imports a file large enough for several full lanes against the hostile server
(slow answers), sends SIGINT at a varying moment once requests flow, and waits a few
seconds for the process to end.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.reliability._hostile import Answer, hostile_server, wait_until
from tests.reliability._report import ResultBook, counted_result

pytestmark = [
    pytest.mark.reliability,
    pytest.mark.slow,
    pytest.mark.timeout(120),
    pytest.mark.skipif(not hasattr(signal, "SIGINT"), reason="needs POSIX signals"),
]

REPO = Path(__file__).resolve().parents[2]
ROWS = 4000
PADDING = "x" * 2000
RUNS = 6
EXIT_WITHIN_SECONDS = 5.0
EXIT_INTERRUPTED = 130


def _write(path: Path) -> None:
    lines = ["user_id,event,seq,note"]
    lines.extend(f"user-{n % 31},Imported,{n},{PADDING}" for n in range(ROWS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _start(source: Path, url: str, state: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "CIO_API_KEY": "test-key", "CIO_BASE_URL": url, "PYTHONPATH": str(REPO)}
    command = [
        sys.executable, "-m", "cio.cli", "import", str(source), "--kind", "track",
        "--workers", "4", "--no-progress", "--state", str(state),
    ]  # fmt: skip
    return subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def _ended_within(process: subprocess.Popen[str], seconds: float) -> str | None:
    """The process's stderr if it ended within ``seconds``; else kill it and return None."""
    try:
        _, err = process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return None
    return err


def test_ctrl_c_ends_an_import_within_seconds_every_time(
    tmp_path: Path, scenario_results: ResultBook
) -> None:
    source = tmp_path / "events.csv"
    _write(source)
    stuck = []
    waits: list[float] = []
    started = time.perf_counter()
    hint = ""
    with hostile_server(lambda number, request: Answer(delay=0.2)) as server:
        for run in range(RUNS):
            before = len(server.requests)
            state = tmp_path / f"run-{run}.state"  # each run a separate trial from row 1
            process = _start(source, server.url, state)
            assert wait_until(lambda b=before: len(server.requests) > b, timeout=30)
            time.sleep(0.05 * run)  # a different moment each run
            process.send_signal(signal.SIGINT)
            signalled = time.perf_counter()
            err = _ended_within(process, EXIT_WITHIN_SECONDS)
            if err is None:
                stuck.append(run)
                continue
            hint = err
            waits.append(time.perf_counter() - signalled)
            assert process.returncode == EXIT_INTERRUPTED, err
        assert not stuck, f"runs {stuck} did not end within {EXIT_WITHIN_SECONDS} s of Ctrl-C"
        finish = _start(source, server.url, state)  # the same command resumes the last run
        assert _ended_within(finish, 60) is not None
        delivered = server.delivered_ids(since=before)  # the last run and its resumption
    assert finish.returncode == 0
    assert len(set(delivered)) == ROWS
    told = next((line for line in hint.splitlines() if line.startswith("interrupted")), "")
    scenario_results.add(
        counted_result(
            "import/ctrl-c-6-runs",
            events=ROWS,
            delivered=set(delivered),
            reported=set(),
            wall_seconds=time.perf_counter() - started,
            told=f"each run: exit {EXIT_INTERRUPTED} within {max(waits):.1f} s of SIGINT "
            f"({RUNS} of {RUNS}), stderr '{told.replace(str(state), 'FILE')}'; the same "
            f"command then finished the last run's import (exit {finish.returncode}); counts "
            "are of that last run and its resumption",
            deliveries=len(delivered),
        )
    )


def test_a_401_ends_an_import_within_seconds(tmp_path: Path) -> None:
    source = tmp_path / "events.csv"
    _write(source)
    answer = Answer(401, b'{"errors":[{"reason":"unauthorized"}]}', delay=0.2)
    with hostile_server(lambda number, request: answer) as server:
        process = _start(source, server.url, tmp_path / "import.state")
        assert _ended_within(process, 20) is not None, "the import did not end after a 401"
    assert process.returncode not in (0, None)
