"""One local Spark (local[2], tasks retried once) for the whole test session.

Its JVM also serves Spark Connect on a free 127.0.0.1 port, so the same suite checks
``cio.spark`` through a classic session and through a Spark Connect session.
"""

from __future__ import annotations

import socket
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

SPARK_THREADS = 2
SPARK_MAX_FAILURES = 2
LOOPBACK = "127.0.0.1"
CONNECT_PLUGIN = "org.apache.spark.sql.connect.SparkConnectPlugin"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind((LOOPBACK, 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def connect_port() -> int:
    """The port the session's Spark Connect server listens on."""
    return _free_port()


@pytest.fixture(scope="session")
def spark(connect_port: int) -> Iterator[Any]:
    """A classic SparkSession bound to 127.0.0.1; Spark retries a failed task once."""
    import cio.spark

    conf = {
        "spark.plugins": CONNECT_PLUGIN,
        "spark.connect.grpc.binding.address": LOOPBACK,
        "spark.connect.grpc.binding.port": str(connect_port),
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = cio.spark.local_session(SPARK_THREADS, max_failures=SPARK_MAX_FAILURES, conf=conf)
    yield session
    session.stop()


@pytest.fixture(scope="session")
def spark_connect(spark: Any, connect_port: int) -> Iterator[Any]:
    """A Spark Connect session to the same local Spark, as Databricks serverless gives."""
    from pyspark.sql.connect.session import SparkSession as ConnectSession

    session = ConnectSession.builder.remote(f"sc://{LOOPBACK}:{connect_port}").create()
    yield session
    session.stop()
