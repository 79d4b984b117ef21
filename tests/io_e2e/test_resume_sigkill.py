"""An import killed with SIGKILL and resumed delivers every valid row exactly once by id.

The sandbox runs in this process; the import runs as ``python -m cio.cli import`` in a
child process pointed at it. Each response is delayed so the child is killed part way.
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

from cio.io import MessageIds, file_identity
from cio.sandbox import Sandbox
from cio.sandbox.faults import Delay

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.timeout(120)]

ROWS = 3000
INVALID_ROWS = frozenset({10, 1500, 2999})  # spreadsheet row numbers
PADDING = "x" * 1500  # makes each batch hold a few hundred rows, so there are many batches
KILL_AFTER_MESSAGES = 600


def _write_people(path: Path) -> None:
    lines = ["user_id,email,bio"]
    for row in range(2, ROWS + 2):
        # A blank user id is refused (an odd email would only be a warning).
        user = "   " if row in INVALID_ROWS else f"u{row}"
        lines.append(f"{user},p{row}@example.com,{PADDING}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _import(path: Path, state: Path, sandbox: Sandbox) -> subprocess.Popen[bytes]:
    env = {
        **os.environ,
        "CIO_API_KEY": sandbox.api_key,
        "CIO_BASE_URL": sandbox.url,
    }
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cio.cli",
            "import",
            str(path),
            "--kind",
            "identify",
            "--state",
            str(state),
            "--workers",
            "1",
            "--no-progress",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def test_sigkill_then_resume_delivers_each_valid_row_once(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    state = tmp_path / "people.state"
    _write_people(path)
    with Sandbox(faults=[Delay(0.15)]) as sandbox:
        child = _import(path, state, sandbox)
        deadline = time.monotonic() + 60
        while len(sandbox.messages) < KILL_AFTER_MESSAGES:
            assert child.poll() is None, child.communicate()
            assert time.monotonic() < deadline
            time.sleep(0.02)
        child.send_signal(signal.SIGKILL)
        child.communicate()
        assert child.returncode == -signal.SIGKILL
        delivered_before = len({m["messageId"] for m in sandbox.messages})
        assert delivered_before < ROWS - len(INVALID_ROWS)
        sandbox.set_faults()
        resumed = _import(path, state, sandbox)
        out, err = resumed.communicate(timeout=60)
        assert resumed.returncode == 1, err.decode()  # the invalid rows are reported
        assert "skipped (already sent)" in out.decode()
        received = Counter(m["messageId"] for m in sandbox.messages)
    ids = MessageIds(file_identity(path), "identify")
    expected = {ids(row) for row in range(2, ROWS + 2) if row not in INVALID_ROWS}
    assert set(received) == expected
    # Rows acknowledged before the kill are never sent again; only a batch in flight at
    # the moment of the kill may arrive twice, under the same messageId.
    duplicates = sum(count - 1 for count in received.values())
    assert duplicates <= KILL_AFTER_MESSAGES
