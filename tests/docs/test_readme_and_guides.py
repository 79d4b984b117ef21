"""The README's quickstart and the configuration guide's examples run as written."""

from __future__ import annotations

import logging
import re
from pathlib import Path

import pytest

from cio.sandbox import Sandbox

ROOT = Path(__file__).resolve().parents[2]
_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)

pytestmark = [pytest.mark.sandbox]


def _python_blocks(name: str) -> list[str]:
    return _BLOCK.findall((ROOT / name).read_text(encoding="utf-8"))


def test_readme_quickstart_runs_against_the_sandbox(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (quickstart,) = [b for b in _python_blocks("README.md") if "CustomerIOClient()" in b]
    with Sandbox() as sandbox:
        monkeypatch.setenv("CIO_API_KEY", sandbox.api_key)
        monkeypatch.setenv("CIO_BASE_URL", sandbox.url)
        exec(compile(quickstart, "README.md", "exec"), {})
        summary = sandbox.summary()
    assert summary.total == summary.unique_message_ids == 10_003
    assert summary.by_event == {"Signed Up": 1, "Order Completed": 1}
    assert "10001 sent, 0 failed" in capsys.readouterr().out


def test_configuration_guide_examples_run(tmp_path: Path) -> None:
    (tmp_path / ".env.production").write_text("CIO_API_KEY=production-key\nCIO_REGION=eu\n")
    blocks = _python_blocks("docs/configuration.md")
    assert len(blocks) == 5
    namespace: dict[str, object] = {}
    root_handlers = list(logging.getLogger().handlers)
    try:
        for block in blocks:
            exec(compile(block, "docs/configuration.md", "exec"), namespace)
    finally:
        # The logging example configures the root logger; undo it for the other tests.
        logging.getLogger().handlers[:] = root_handlers
    assert namespace["client"].retry_policy.max_retries == 3  # type: ignore[attr-defined]
    settings = namespace["settings"]
    assert settings.resolved_base_url == "https://cdp-eu.customer.io/v1"  # type: ignore[attr-defined]
    assert logging.getLogger("cio").level == logging.DEBUG
    logging.getLogger("cio").setLevel(logging.NOTSET)
