"""docs/models.md is current, and its code runs."""

from __future__ import annotations

import re
from pathlib import Path

from cio.models import SEMANTIC_EVENTS
from cio.models._docs import DOC_PATH, main, render

REPO_ROOT = Path(__file__).resolve().parents[3]
DOC = REPO_ROOT / DOC_PATH


def test_committed_models_doc_is_current() -> None:
    assert DOC.read_text(encoding="utf-8") == render(), (
        "docs/models.md is stale: run `python -m cio.models._docs` from the repository root"
    )


def test_generator_writes_the_file(tmp_path: Path) -> None:
    target = tmp_path / "models.md"
    assert main([str(target)]) == 0
    assert target.read_text(encoding="utf-8") == render()


def test_every_semantic_event_is_listed() -> None:
    text = render()
    for name, cls in SEMANTIC_EVENTS.items():
        assert f"#### {cls.event_names()[0]}" in text
        assert name in text


def test_code_blocks_run() -> None:
    blocks = re.findall(r"```python\n(.*?)```", DOC.read_text(encoding="utf-8"), re.S)
    assert blocks
    for block in blocks:
        exec(compile(block, str(DOC), "exec"), {})
