"""Smoke version of the sync benchmark: small sources, real sink, fresh processes.

It asserts what the scenario checks besides speed (everything sent once, then only the
changed rows), never how fast it went: speed lives in ``make bench``.
"""

from __future__ import annotations

import pytest

from benchmarks import bench_sync

pytestmark = [pytest.mark.slow, pytest.mark.timeout(180)]

SMOKE_ROWS = 2_000


def test_sync_scenario_sends_everything_then_only_the_changes() -> None:
    text, _met = bench_sync.report(SMOKE_ROWS)
    assert "| second run sends only the changed rows | 20 sent, 20 changed | yes |" in text
    assert f"| first run sends every row | {SMOKE_ROWS:,} of {SMOKE_ROWS:,} | yes |" in text
