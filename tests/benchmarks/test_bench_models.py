"""Smoke test of benchmarks/bench_models.py: both sides build the same messages."""

from __future__ import annotations

import json

import pytest

from benchmarks import bench_models

pytestmark = pytest.mark.slow

SMOKE_EVENTS = 30


def _without_ids(body: bytes) -> dict[str, object]:
    message = json.loads(body)
    message.pop("messageId")
    return message  # type: ignore[no-any-return]


def test_models_and_dicts_are_the_same_messages() -> None:
    models = bench_models.build_models(SMOKE_EVENTS)
    encoded = bench_models.encode_dicts(SMOKE_EVENTS)
    assert [_without_ids(model.to_json()) for model in models] == [
        _without_ids(item.body) for item in encoded
    ]


def test_each_measure_reports_cpu_time_per_event() -> None:
    for kind in ("models", "models-nogc", "dicts"):
        figures = bench_models.measure(kind, SMOKE_EVENTS)
        assert figures["us_per_event"] > 0
    first = bench_models.measure("first-use", 1)
    assert first["first_ms"] > 0


def test_the_table_judges_each_target() -> None:
    figures = {
        "models.us_per_event": 9.0,
        "models.to_json_us": 1.5,
        "models-nogc.us_per_event": 5.0,
        "dicts.us_per_event": 5.0,
        "import_pydantic_s": 0.05,
        "import_cio_models_s": 0.2,
        "python_start_s": 0.02,
        "own_import_ms": 20.0,
        "first_use_ms": 0.3,
    }
    text = bench_models.table(figures)
    assert "| build+hold / dict path | 1.80x | <= 2.0x | yes |" in text
    assert "import cio.models', s | 0.200 | <= 1.5x pydantic | NO |" in text
