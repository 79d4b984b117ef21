"""The runnable examples of docs/spark.md run as written, offline, against the sandbox."""

from __future__ import annotations

import re
import warnings
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.sandbox,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]


def _blocks() -> list[str]:
    return _BLOCK.findall((ROOT / "docs" / "spark.md").read_text(encoding="utf-8"))


def test_the_guide_has_two_runnable_examples() -> None:
    assert len(_blocks()) == 2


def test_local_use_example(spark: Any, capsys: pytest.CaptureFixture[str]) -> None:
    local = next(block for block in _blocks() if "local_session" in block)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the session exists already
        exec(compile(local, "docs/spark.md", "exec"), {})
    assert capsys.readouterr().out.strip() in {
        "{'sent': 2, 'invalid': 1} 2",
        "{'invalid': 1, 'sent': 2} 2",
    }


def test_other_engines_example(capsys: pytest.CaptureFixture[str]) -> None:
    neutral = next(block for block in _blocks() if "PartitionSender" in block)
    exec(compile(neutral, "docs/spark.md", "exec"), {})
    assert capsys.readouterr().out.strip() == "['sent', 'sent']"
