"""docs/services.md and docs/seed-mapping.md: every example runs, every call is covered."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import cio.models
from cio import CustomerIOClient, SendResult
from cio.testing import RecordingTransport

DOCS = Path(__file__).resolve().parents[3] / "docs"
SERVICES_DOC = DOCS / "services.md"
SEED_DOC = DOCS / "seed-mapping.md"

CODE_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)
TABLE_ROW = re.compile(r"^\| `(\w+)` \| `(\w+\.py)` \| `([\w.]+)` \| `(.+)` \|$", re.MULTILINE)

SEED_FUNCTIONS = {
    "people_manager.py": {
        "identify_user",
        "delete_user",
        "suppress_user",
        "unsuppress_user",
        "merge_users",
    },
    "event_manager.py": {
        "track_event",
        "track_page_view",
        "track_screen_view",
        "track_ecommerce_event",
        "track_email_event",
        "track_mobile_event",
        "track_video_event",
        "track_live_chat_event",
        "track_experiment_viewed",
    },
    "object_manager.py": {
        "create_object",
        "update_object",
        "delete_object",
        "create_relationship",
        "delete_relationship",
    },
    "device_manager.py": {"add_device", "update_device", "delete_device"},
    "batch_manager.py": {"batch_identify", "batch_track", "batch_delete", "send_batch"},
}

SERVICE_METHODS = {
    "people": ["identify", "delete", "suppress", "unsuppress", "merge"],
    "events": [
        "track",
        "page",
        "screen",
        "ecommerce",
        "email",
        "mobile",
        "video",
        "live_chat",
        "experiment_viewed",
        "report_delivery",
    ],
    "objects": ["create", "update", "delete", "create_relationship", "delete_relationship"],
    "devices": ["add", "update", "delete"],
}


def seed_rows() -> list[tuple[str, str, str, str]]:
    return TABLE_ROW.findall(SEED_DOC.read_text(encoding="utf-8"))


class TestServicesDoc:
    def test_blocks_run_in_order(self) -> None:
        blocks = CODE_BLOCK.findall(SERVICES_DOC.read_text(encoding="utf-8"))
        assert len(blocks) > 20
        namespace: dict[str, Any] = {"__name__": "services_doc"}
        for number, block in enumerate(blocks):
            try:
                exec(compile(block, f"{SERVICES_DOC.name} block {number}", "exec"), namespace)
            except Exception as exc:  # re-raised with the failing block named
                raise AssertionError(f"block {number} failed:\n{block}") from exc
        transport = namespace["transport"]
        assert isinstance(transport, RecordingTransport)
        paths = {request.path for request in transport.requests}
        assert paths == {"/identify", "/track", "/page", "/screen", "/group", "/alias"}

    @pytest.mark.parametrize(
        "call",
        [
            f"client.{service}.{method}("
            for service, methods in SERVICE_METHODS.items()
            for method in methods
        ]
        + ["client.send(", "client.identify(", "client.track(", "client.delete("],
    )
    def test_every_method_has_an_example(self, call: str) -> None:
        code = "\n".join(CODE_BLOCK.findall(SERVICES_DOC.read_text(encoding="utf-8")))
        assert call in code

    def test_every_public_method_is_listed(self) -> None:
        client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        for service, methods in SERVICE_METHODS.items():
            public = {name for name in dir(getattr(client, service)) if not name.startswith("_")}
            assert public == set(methods), service


class TestSeedMapping:
    def test_table_covers_every_seed_function_once(self) -> None:
        rows = seed_rows()
        found: dict[str, set[str]] = {}
        for function, module, _, _ in rows:
            found.setdefault(module, set()).add(function)
        assert found == SEED_FUNCTIONS
        assert len(rows) == sum(len(names) for names in SEED_FUNCTIONS.values())

    @pytest.mark.parametrize(("function", "module", "call", "example"), seed_rows())
    def test_example_runs_and_sends(
        self, *, function: str, module: str, call: str, example: str
    ) -> None:
        assert example.startswith(f"{call}("), f"{function}: example does not use {call}"
        transport = RecordingTransport()
        client = CustomerIOClient(api_key="test-key", transport=transport)
        namespace = {"client": client, "Identify": cio.models.Identify, "Track": cio.models.Track}
        result = eval(example, namespace)  # the example is one expression
        assert transport.requests, f"{function}: nothing was sent"
        if isinstance(result, SendResult):
            assert result.status_code == 200
        else:
            assert result.sent >= 1
            assert (result.failed, result.rejected) == (0, 0)
