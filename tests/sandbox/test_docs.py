"""docs/sandbox.md: every Python example runs as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(60)]

DOC = Path(__file__).resolve().parents[2] / "docs" / "sandbox.md"
CODE_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
BLOCKS = CODE_BLOCK.findall(DOC.read_text(encoding="utf-8"))


def test_the_doc_has_examples() -> None:
    assert len(BLOCKS) >= 5


@pytest.mark.parametrize("block", BLOCKS, ids=[f"example-{n}" for n in range(len(BLOCKS))])
def test_example_runs(block: str) -> None:
    exec(compile(block, str(DOC), "exec"), {"__name__": "docs_sandbox"})
