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


def _ended_within(process: subprocess.Popen[str], seconds: float) -> bool:
    try:
        process.communicate(timeout=seconds)
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        return False
    return True


def test_ctrl_c_ends_an_import_within_seconds_every_time(tmp_path: Path) -> None:
    source = tmp_path / "events.csv"
    _write(source)
    stuck = []
    with hostile_server(lambda number, request: Answer(delay=0.2)) as server:
        for run in range(RUNS):
            before = len(server.requests)
            process = _start(source, server.url, tmp_path / f"run-{run}.state")
            assert wait_until(lambda b=before: len(server.requests) > b, timeout=30)
            time.sleep(0.05 * run)  # a different moment each run
            process.send_signal(signal.SIGINT)
            if not _ended_within(process, EXIT_WITHIN_SECONDS):
                stuck.append(run)
                continue
            assert process.returncode == EXIT_INTERRUPTED, process.stderr
    assert not stuck, f"runs {stuck} did not end within {EXIT_WITHIN_SECONDS} s of Ctrl-C"


def test_a_401_ends_an_import_within_seconds(tmp_path: Path) -> None:
    source = tmp_path / "events.csv"
    _write(source)
    answer = Answer(401, b'{"errors":[{"reason":"unauthorized"}]}', delay=0.2)
    with hostile_server(lambda number, request: answer) as server:
        process = _start(source, server.url, tmp_path / "import.state")
        assert _ended_within(process, 20), "the import did not end after a 401"
    assert process.returncode not in (0, None)
