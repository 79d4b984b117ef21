"""docs/errors.md: its Python example prints what the comment under it says."""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest

from cio.cli import main

DOC = Path(__file__).resolve().parents[2] / "docs" / "errors.md"


def _blocks(language: str) -> list[str]:
    """Fenced blocks of one language ("" for plain fences), pairing fences in order."""
    blocks: list[str] = []
    current: list[str] | None = None
    kind = ""
    for line in DOC.read_text(encoding="utf-8").splitlines():
        if current is None and line.startswith("```"):
            current, kind = [], line.removeprefix("```").strip()
        elif current is not None and line.strip() == "```":
            if kind == language:
                blocks.append("\n".join(current) + "\n")
            current = None
        elif current is not None:
            current.append(line)
    return blocks


def test_configuration_error_example_prints_its_comment(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (block,) = _blocks("python")
    exec(compile(block, str(DOC), "exec"), {})
    expected = " ".join(
        line.removeprefix("# ") for line in block.splitlines() if line.startswith("# ")
    )
    assert capsys.readouterr().out.strip() == expected


def test_command_line_examples_print_what_the_doc_shows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "people.csv").write_text("user_id\n1\n", encoding="utf-8")
    (session,) = [b for b in _blocks("") if b.startswith("$ cio")]
    lines = session.splitlines()
    for command, shown in zip(lines[::2], lines[1::2], strict=True):
        words = command.removeprefix("$ ").split()
        env = {}
        while "=" in words[0]:
            name, value = words.pop(0).split("=", 1)
            env[name] = value
        with monkeypatch.context() as patch:
            patch.setenv("CIO_API_KEY", "my-test-key")
            for name, value in env.items():
                patch.setenv(name, value)
            with contextlib.suppress(SystemExit):
                main(words[1:])
        err = capsys.readouterr().err.strip()
        assert err.startswith(shown.removesuffix("...")), (command, err)
