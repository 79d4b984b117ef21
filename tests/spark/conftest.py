"""One local SparkSession (local[2], tasks retried once) for the whole test session."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import pytest

SPARK_THREADS = 2
SPARK_MAX_FAILURES = 2


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """A SparkSession bound to 127.0.0.1; Spark retries a failed task once, as clusters do."""
    import cio.spark

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        session = cio.spark.local_session(SPARK_THREADS, max_failures=SPARK_MAX_FAILURES)
    yield session
    session.stop()
