"""Parquet datasets, polars frames and SQL queries imported end to end into the sandbox."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cio.cli import main
from cio.io import SqlQuery
from cio.sandbox import Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.timeout(120)]

ROWS = 2_500


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    root = tmp_path / "orders"
    for part, start in enumerate(range(0, ROWS, 1000)):
        ids = [str(n) for n in range(start, min(start + 1000, ROWS))]
        table = pa.table({"user_id": ids, "total": [float(n) for n in range(len(ids))]})
        (root / f"region={'eu' if part % 2 else 'us'}").mkdir(parents=True, exist_ok=True)
        pq.write_table(table, root / f"region={'eu' if part % 2 else 'us'}" / f"{part}.parquet")
    return root


def test_a_parquet_dataset_import_resumes_without_duplicates(orders: Path, tmp_path: Path) -> None:
    state = tmp_path / "orders.state"
    with Sandbox() as sandbox, sandbox.client() as client:
        first = client.batch.import_source(orders, kind="identify", state=state)
        again = client.batch.import_source(orders, kind="identify", state=state)
        summary = sandbox.summary()
    assert (first.sent, first.invalid) == (ROWS, 0)
    assert (again.sent, again.skipped) == (0, ROWS)
    assert summary.unique_message_ids == ROWS
    assert first.column_types == {"user_id": "string", "total": "number", "region": "string"}


def test_a_polars_lazyframe_and_a_sql_query(orders: Path) -> None:
    lazy = pl.scan_parquet(orders / "**" / "*.parquet").filter(pl.col("total") < 10)
    query = SqlQuery(f"select user_id, total from read_parquet('{orders}/**/*.parquet')")
    with Sandbox() as sandbox, sandbox.client() as client:
        from_polars = client.batch.import_source(lazy, kind="identify")
        from_sql = client.batch.import_source(query, kind="identify")
    assert from_polars.sent == 30
    assert from_sql.sent == ROWS
    assert from_polars.import_id != from_sql.import_id


def test_cli_import_sql_into_the_sandbox(orders: Path, capsys) -> None:
    query = f"select user_id, total from read_parquet('{orders}/**/*.parquet') where total < 5"
    status = main(["import", "--sql", query, "--kind", "identify", "--sandbox", "--no-progress"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "15 rows, 15 valid, 0 invalid" in out
