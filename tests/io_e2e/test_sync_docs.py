"""docs/sync.md: its Python examples run in order, as written, against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(60)]

DOC = Path(__file__).resolve().parents[2] / "docs" / "sync.md"
CODE_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_the_examples_run_in_order(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    blocks = CODE_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 5
    namespace: dict[str, object] = {"__name__": "docs_sync"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    out = capsys.readouterr().out
    assert "would delete 2 of 3 known keys" in out
    assert "example.com" not in out
