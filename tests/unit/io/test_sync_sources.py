"""Incremental sync over the columnar sources the importer reads (Parquet, polars, SQL).

A sync must see every source through the same road as an import; a columnar reader
that skipped the sync's row screen sent nothing and reported the key column missing.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cio.io import SqlQuery, run_sync

from .test_sync import StandIn


def _people(plans: list[str]) -> pa.Table:
    return pa.table(
        {
            "user_id": [f"u{n}" for n in range(len(plans))],
            "email": [f"p{n}@example.com" for n in range(len(plans))],
            "plan": plans,
        }
    )


def _parquet(tmp_path: Path, plans: list[str]) -> Any:
    path = tmp_path / "people.parquet"
    pq.write_table(_people(plans), path)
    return path


def _polars(tmp_path: Path, plans: list[str]) -> Any:
    return pl.from_arrow(_people(plans))


def _sql(tmp_path: Path, plans: list[str]) -> Any:
    path = tmp_path / "people.parquet"
    pq.write_table(_people(plans), path)
    return SqlQuery(f"select * from '{path.as_posix()}' order by user_id")


@pytest.mark.parametrize("make", [_parquet, _polars, _sql], ids=["parquet", "polars", "sql"])
def test_a_columnar_source_sends_only_its_changed_row(tmp_path: Path, make: Any) -> None:
    state = tmp_path / "sync.db"
    send = StandIn()
    first = run_sync(
        send, make(tmp_path, ["free", "pro", "pro"]), kind="identify", key="user_id", state=state
    )
    assert (first.new, first.sent) == (3, 3)
    second = run_sync(
        send, make(tmp_path, ["free", "pro", "free"]), kind="identify", key="user_id", state=state
    )
    assert (second.new, second.changed, second.unchanged, second.sent) == (0, 1, 2, 1)
    assert send.messages[-1]["userId"] == "u2"
    assert send.messages[-1]["traits"]["plan"] == "free"


def test_date_formats_and_decimal_shape_the_payloads_and_stay_unchanged(tmp_path: Path) -> None:
    source = tmp_path / "people.csv"
    source.write_text("user_id;signed_up;spent\nu1;31/12/2024;1.234,50\n", encoding="utf-8")
    state = tmp_path / "sync.db"
    send = StandIn()
    reading: dict[str, Any] = {"date_formats": ["%d/%m/%Y"], "decimal": ","}
    first = run_sync(send, source, kind="identify", key="user_id", state=state, **reading)
    assert first.sent == 1
    assert send.messages[-1]["traits"] == {"signed_up": "2024-12-31", "spent": 1234.5}
    again = run_sync(send, source, kind="identify", key="user_id", state=state, **reading)
    assert (again.unchanged, again.sent) == (1, 0)
