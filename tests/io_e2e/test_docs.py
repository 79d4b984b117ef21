"""docs/import.md: its Python examples run in order, as written, against the sandbox."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(60)]

DOC = Path(__file__).resolve().parents[2] / "docs" / "import.md"
CODE_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def test_the_examples_run_in_order(capsys) -> None:
    blocks = CODE_BLOCK.findall(DOC.read_text(encoding="utf-8"))
    assert len(blocks) >= 4
    namespace: dict[str, object] = {"__name__": "docs_import"}
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), namespace)
    assert "grace-at-example" not in capsys.readouterr().out
