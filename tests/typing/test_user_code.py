"""User code checked by mypy and pyright with the configuration docs/models.md recommends.

``cases/accepted.py`` must pass both checkers; every line of ``cases/refused.py`` marked
``# error`` must be reported by both, and no other line. The checkers run from the
repository root, so they read this checkout's ``cio`` and its pyproject configuration.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
CASES = Path(__file__).resolve().parent / "cases"
ACCEPTED = CASES / "accepted.py"
REFUSED = CASES / "refused.py"
CHECKER_TIMEOUT_SECONDS = 240
_MYPY_LINE = re.compile(r"^(?P<file>[^:]+):(?P<line>\d+): error: ")


def _expected_lines(path: Path) -> set[int]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return {number for number, line in enumerate(lines, start=1) if "  # error: " in line}


def _run(command: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=CHECKER_TIMEOUT_SECONDS,
        check=False,
    )


def _mypy_errors(tmp_path: Path) -> dict[str, set[int]]:
    result = _run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--follow-imports=silent",
            "--cache-dir",
            str(tmp_path / "mypy-cache"),
            str(ACCEPTED.relative_to(ROOT)),
            str(REFUSED.relative_to(ROOT)),
        ]
    )
    found: dict[str, set[int]] = {}
    for line in result.stdout.splitlines():
        match = _MYPY_LINE.match(line)
        if match:
            found.setdefault(Path(match["file"]).name, set()).add(int(match["line"]))
    assert result.returncode in (0, 1), result.stdout + result.stderr
    return found


def _pyright_errors() -> dict[str, set[int]]:
    pyright = Path(sys.executable).with_name("pyright")
    command = [str(pyright)] if pyright.exists() else [sys.executable, "-m", "pyright"]
    result = _run(
        [
            *command,
            "--outputjson",
            "--pythonpath",
            sys.executable,
            str(ACCEPTED.relative_to(ROOT)),
            str(REFUSED.relative_to(ROOT)),
        ]
    )
    report = json.loads(result.stdout)
    found: dict[str, set[int]] = {}
    for diagnostic in report["generalDiagnostics"]:
        if diagnostic["severity"] == "error":
            line = diagnostic["range"]["start"]["line"] + 1
            found.setdefault(Path(diagnostic["file"]).name, set()).add(line)
    return found


def test_the_refused_file_marks_the_mistakes_users_make() -> None:
    assert len(_expected_lines(REFUSED)) >= 8
    assert _expected_lines(ACCEPTED) == set()


def test_mypy_accepts_good_code_and_reports_each_mistake(tmp_path: Path) -> None:
    errors = _mypy_errors(tmp_path)
    assert errors.get(ACCEPTED.name, set()) == set()
    assert errors.get(REFUSED.name, set()) == _expected_lines(REFUSED)


def test_pyright_accepts_good_code_and_reports_each_mistake() -> None:
    errors = _pyright_errors()
    assert errors.get(ACCEPTED.name, set()) == set()
    assert errors.get(REFUSED.name, set()) == _expected_lines(REFUSED)
