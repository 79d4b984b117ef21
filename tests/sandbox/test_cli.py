"""``cio sandbox`` in a subprocess: start, print, log, stop on SIGINT/SIGTERM; ``show``."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from cio.cli import main
from cio.models import Track
from cio.sandbox import Sandbox, load_summary
from tests.sandbox.conftest import basic

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(60)]

KEY = "cli-test-key"
STARTUP_SECONDS = 20


class Running:
    def __init__(self, process: subprocess.Popen[str], lines: list[str]) -> None:
        self.process = process
        self.lines = lines

    @property
    def url(self) -> str:
        for line in self.lines:
            match = re.search(r"export CIO_BASE_URL=(\S+)", line)
            if match:
                return match.group(1)
        raise AssertionError("no URL printed")

    def read_until(self, pattern: str) -> str:
        assert self.process.stdout is not None
        deadline = time.monotonic() + STARTUP_SECONDS
        while time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            self.lines.append(line)
            if re.search(pattern, line):
                return line
        raise AssertionError(f"{pattern!r} not printed; got {self.lines!r}")


@pytest.fixture
def cli_sandbox(tmp_path: Path) -> Iterator[Running]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    process = subprocess.Popen(
        [sys.executable, "-m", "cio.cli", "sandbox", "--api-key", KEY, "--db", "run.db"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    running = Running(process, [])
    try:
        running.read_until("Press Ctrl-C")
        yield running
    finally:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=10)


def send_track(url: str) -> requests.Response:
    body = Track(user_id="u1", event="Signed Up").to_json()
    return requests.post(
        url + "/track", data=body, headers={"Authorization": basic(KEY)}, timeout=5
    )


def show(cwd: Path, *options: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "cio.cli", "sandbox", "show", "--db", "run.db", *options],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    return result.stdout


def test_cli_start_log_show_and_stop_on_sigint(cli_sandbox: Running, tmp_path: Path) -> None:
    printed = "".join(cli_sandbox.lines)
    assert re.search(r"listening on http://127\.0\.0\.1:\d+/v1", printed)
    assert f"export CIO_API_KEY={KEY}" in printed
    assert send_track(cli_sandbox.url).status_code == 200
    logged = cli_sandbox.read_until(r"/v1/track")
    assert re.search(r"POST /v1/track 200 bytes=\d+ messages=1$", logged)
    assert KEY not in logged
    shown = show(tmp_path)  # from another process while the sandbox runs
    assert f"sandbox run at {cli_sandbox.url}" in shown
    assert re.search(r"messages accepted\s+1", shown)
    assert re.search(r"event Signed Up\s+1", shown)
    cli_sandbox.process.send_signal(signal.SIGINT)
    stdout, stderr = cli_sandbox.process.communicate(timeout=10)
    assert cli_sandbox.process.returncode == 0, stderr
    assert "sandbox stopped: 1 requests, 1 messages accepted, 0 dropped" in stdout
    assert "Traceback" not in stderr
    summary = load_summary(tmp_path / "run.db")
    assert (summary.total, summary.requests, summary.by_event) == (1, 1, {"Signed Up": 1})


def test_cli_stops_on_sigterm(cli_sandbox: Running) -> None:
    assert send_track(cli_sandbox.url).status_code == 200
    cli_sandbox.process.send_signal(signal.SIGTERM)
    stdout, stderr = cli_sandbox.process.communicate(timeout=10)
    assert cli_sandbox.process.returncode == 0, stderr
    assert "sandbox stopped: 1 requests" in stdout


def test_show_as_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox(api_key=KEY, db_path=tmp_path / "run.db") as sandbox:
        send_track(sandbox.url)
    assert main(["sandbox", "show", "--db", str(tmp_path / "run.db"), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["total"], data["by_status"]) == (1, {"200": 1})


def test_show_missing_database_is_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sandbox", "show", "--db", str(tmp_path / "none.db")]) == 2
    assert "no sandbox database" in capsys.readouterr().err


def test_port_in_use_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    with Sandbox() as sandbox:
        assert main(["sandbox", "--port", str(sandbox.port)]) == 2
    assert "cannot listen" in capsys.readouterr().err
