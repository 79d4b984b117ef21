"""``import cio.models`` builds no semantic model and loads no family module (issue 21)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from cio.models import SEMANTIC_EVENTS, SEMANTIC_FAMILIES
from cio.models._semantic_names import FAMILY_NAMES, MODULES

pytestmark = pytest.mark.slow

_PROBE = """
import json, sys
import cio.models
before = sorted(name for name in sys.modules if name.startswith("cio.models.semantic."))
email_loaded = "email_validator" in sys.modules
# The compiled dict path first, before any model has built its schema.
encoded = cio.models.encode_message(
    {"type": "track", "userId": "u", "event": "Order Completed", "properties": {"total": 1}}
)
assert encoded.key == "u"
message = cio.models.parse_message(
    {"type": "track", "userId": "u", "event": "Order Completed", "properties": {"total": 1}}
)
after = sorted(name for name in sys.modules if name.startswith("cio.models.semantic."))
print(json.dumps([before, email_loaded, type(message).__name__, after]))
"""


def test_families_load_on_first_use() -> None:
    done = subprocess.run(
        [sys.executable, "-c", _PROBE], capture_output=True, text=True, check=True, timeout=60
    )
    before, email_loaded, kind, after = json.loads(done.stdout)
    families = set(MODULES.values())
    assert families.isdisjoint(before)
    assert not email_loaded
    assert kind == "OrderCompleted"
    assert set(after) & families == {MODULES["ecommerce"]}


def test_the_names_table_matches_the_classes() -> None:
    loaded = {name: SEMANTIC_EVENTS[name] for name in SEMANTIC_EVENTS}
    for family, names in FAMILY_NAMES.items():
        for name in names:
            model = loaded[name]
            assert model.__module__ == MODULES[family]
            assert name in model.event_names()
            assert model.family == family
    assert dict(SEMANTIC_FAMILIES) == FAMILY_NAMES
    registered = {name for model in loaded.values() for name in model.event_names()}
    assert registered == set(SEMANTIC_EVENTS)
