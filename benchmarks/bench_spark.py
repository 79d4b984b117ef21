"""Rows per second through ``cio.spark.send`` in ``local[2]``, against a single-process import.

The same generated rows (identify: user id, email, name, plan, seats) are sent twice to
the counting sink:

1. by ``cio.io.import_dataframe`` in this process (the single-machine path, one pandas
   DataFrame);
2. by ``cio.spark.send`` in a local Spark with two task slots, from a cached DataFrame of
   the same rows in ``PARTITIONS`` partitions, the result aggregated by status in Spark
   (nothing but the counts reaches the driver).

Spark's start-up and the caching of the input are not timed; the first job's Python
worker start-up is. Each phase must deliver every row (the sink counts distinct
messageIds), or the run fails.

``python -m benchmarks.bench_spark [--rows N]`` starts its own sink and prints the
figures; ``benchmarks.run`` calls :func:`run` through ``benchmarks.worker``.
"""

from __future__ import annotations

import argparse
import json
import time
import urllib.request
from typing import Any, Final

import pandas as pd

import cio.spark
from cio import CustomerIOClient
from cio.io import import_dataframe

DEFAULT_ROWS: Final = 1_000_000
SPARK_THREADS: Final = 2
PARTITIONS: Final = 8
API_KEY: Final = "bench-key"
PLANS: Final = ("free", "pro", "team")
FIRST_NAMES: Final = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald")
STATS_PATH: Final = "/__stats"
RESET_PATH: Final = "/__reset"
STATUS_SENT: Final = "sent"


class LostRowsError(RuntimeError):
    """A phase did not deliver every row."""


def people(rows: int) -> pd.DataFrame:
    """The benchmark rows: one person per row, the same for both phases.

    Parameters
    ----------
    rows : int
        How many.

    Returns
    -------
    pandas.DataFrame
    """
    numbers = pd.RangeIndex(rows).to_series()
    text = numbers.astype(str)
    return pd.DataFrame(
        {
            "user_id": "user-" + text,
            "email": "person" + text + "@example.com",
            "first_name": numbers.map(lambda n: FIRST_NAMES[n % len(FIRST_NAMES)]),
            "plan": numbers.map(lambda n: PLANS[n % len(PLANS)]),
            "seats": (numbers % 50 + 1).astype("int64"),
        }
    ).reset_index(drop=True)


def _sink(url: str, path: str, method: str) -> dict[str, Any]:
    request = urllib.request.Request(
        url + path, method=method, data=b"" if method == "POST" else None
    )
    with urllib.request.urlopen(request) as answer:  # the local sink only
        body = answer.read()
    return json.loads(body) if body else {}


def _delivered(sink_url: str, rows: int, phase: str) -> int:
    stats = _sink(sink_url, STATS_PATH, "GET")
    unique = int(stats["unique_messages"])
    if unique != rows:
        raise LostRowsError(f"{phase}: the sink received {unique} distinct messages of {rows}")
    return int(stats["requests"])


def run(rows: int, sink_url: str) -> dict[str, Any]:
    """Measure both phases; the sink holds the Spark phase's messages at the end.

    Parameters
    ----------
    rows : int
        Rows to send in each phase.
    sink_url : str
        The counting sink's root URL (``http://127.0.0.1:PORT``).

    Returns
    -------
    dict
        ``events`` (rows), the wall seconds and rows per second of each phase, the
        Spark speed-up, and the requests each phase made.

    Raises
    ------
    LostRowsError
        When a phase does not deliver every row.
    """
    base_url = sink_url + "/v1"
    frame = people(rows)
    _sink(sink_url, RESET_PATH, "POST")
    with CustomerIOClient(api_key=API_KEY, base_url=base_url) as client:
        started = time.perf_counter()
        report = import_dataframe(client, frame, "identify")
        single_wall = time.perf_counter() - started
    if report.sent != rows:
        raise LostRowsError(f"single process: {report.sent} of {rows} acknowledged")
    single_requests = _delivered(sink_url, rows, "single process")

    spark = cio.spark.local_session(SPARK_THREADS)
    try:
        data = spark.createDataFrame(frame).repartition(PARTITIONS).cache()
        data.count()
        del frame
        _sink(sink_url, RESET_PATH, "POST")
        started = time.perf_counter()
        results = cio.spark.send(
            data, kind="identify", api_key=API_KEY, base_url=base_url, run_id="bench"
        )
        counts = {
            row["status"]: row["count"] for row in results.groupBy("status").count().collect()
        }
        spark_wall = time.perf_counter() - started
    finally:
        spark.stop()
    if counts.get(STATUS_SENT) != rows:
        raise LostRowsError(f"spark: statuses {counts} for {rows} rows")
    spark_requests = _delivered(sink_url, rows, "spark")
    return {
        "events": rows,
        "wall_s": spark_wall,
        "spark_rows_per_s": rows / spark_wall,
        "single_rows_per_s": rows / single_wall,
        "spark_wall_s": spark_wall,
        "single_wall_s": single_wall,
        "spark_speedup": single_wall / spark_wall,
        "spark_requests": spark_requests,
        "single_requests": single_requests,
        "partitions": PARTITIONS,
        "spark_threads": SPARK_THREADS,
    }


def main(argv: list[str] | None = None) -> int:
    """Run standalone against a sink of its own and print the figures."""
    from benchmarks.sink import SinkProcess

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=DEFAULT_ROWS)
    args = parser.parse_args(argv)
    with SinkProcess() as sink:
        result = run(args.rows, sink.url)
    for key, value in result.items():
        shown = f"{value:,.1f}" if isinstance(value, float) else f"{value:,}"
        print(f"{key:<20} {shown}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
