"""cio.spark.send through a Spark Connect session (what Databricks serverless provides)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

import cio.spark
from cio.sandbox import Sandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.sandbox,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

ROWS = 60


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def test_send_works_under_spark_connect(
    spark_connect: Any, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING, logger="cio")
    df = spark_connect.range(ROWS, numPartitions=2).selectExpr("concat('u', id) as user_id")
    assert type(df).__module__.startswith("pyspark.sql.connect")

    results = cio.spark.send(
        df, kind="identify", api_key=sandbox.api_key, base_url=sandbox.url, run_id="connect"
    ).collect()

    assert len(results) == ROWS
    assert {row.status for row in results} == {"sent"}
    assert len({message["messageId"] for message in sandbox.messages}) == ROWS
    # Spark Connect cannot say how many cores there are: the fallback is logged.
    assert "concurrency" in caplog.text


def test_spark_connect_reads_settings_from_its_conf(spark_connect: Any, sandbox: Sandbox) -> None:
    spark_connect.conf.set("spark.cio.api_key", sandbox.api_key)
    spark_connect.conf.set("spark.cio.base_url", sandbox.url)
    spark_connect.conf.set("spark.cio.concurrency", "2")
    try:
        df = spark_connect.range(5).selectExpr("concat('u', id) as user_id")
        results = cio.spark.send(df, kind="identify", run_id="connect-conf").collect()
    finally:
        for name in ("api_key", "base_url", "concurrency"):
            spark_connect.conf.unset(f"spark.cio.{name}")
    assert [row.status for row in results] == ["sent"] * 5
