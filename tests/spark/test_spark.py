"""cio.spark.send in PySpark local mode against the sandbox: counts, rate budget, retries."""

from __future__ import annotations

import contextlib
import logging
import os
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

import cio.spark
from cio import Settings
from cio.errors import ValidationError
from cio.sandbox import Injection, Sandbox

pytestmark = [
    pytest.mark.slow,
    pytest.mark.spark,
    pytest.mark.sandbox,
    pytest.mark.filterwarnings("ignore:PySpark does not yet fully support pandas:FutureWarning"),
]

ROWS = 400
SMALL_BATCH_BYTES = 2_000
WINDOW_SECONDS = 3.0
# The limiter counts when a request leaves; the sandbox stamps when it arrives.
ARRIVAL_JITTER_SECONDS = 0.1


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def people(spark: Any, count: int, partitions: int) -> Any:
    return spark.range(count, numPartitions=partitions).selectExpr(
        "concat('u', id) as user_id",
        "concat('person', id, '@example.com') as email",
        "if(id % 2 = 0, 'free', 'pro') as plan",
    )


def test_every_row_has_one_result_and_one_message(spark: Any, sandbox: Sandbox) -> None:
    bad = spark.createDataFrame(
        [
            ("x1", "x1@example.com", "pro", "not-a-date"),
            ("x2", "x2@example.com", "pro", "also bad"),
            (None, "ok@example.com", "pro", None),
        ],
        "user_id string, email string, plan string, timestamp string",
    )
    df = people(spark, ROWS, 2).unionByName(bad, allowMissingColumns=True)

    results = cio.spark.send(
        df, kind="identify", api_key=sandbox.api_key, base_url=sandbox.url, run_id="counts"
    ).collect()

    assert len(results) == ROWS + 3
    by_status: dict[str, int] = defaultdict(int)
    for row in results:
        by_status[row.status] += 1
    assert by_status == {"sent": ROWS, "invalid": 3}
    received = sandbox.messages
    assert len(received) == ROWS
    sent_ids = {row.message_id for row in results if row.status == "sent"}
    assert {message["messageId"] for message in received} == sent_ids
    invalid = [row for row in results if row.status == "invalid"]
    assert all(row.reason and "not-a-date" not in row.reason for row in invalid)


def test_requests_per_window_stay_within_the_budget(spark: Any, sandbox: Sandbox) -> None:
    budget = 16
    df = people(spark, 300, 2)

    results = cio.spark.send(
        df,
        kind="identify",
        api_key=sandbox.api_key,
        base_url=sandbox.url,
        rate_limit=budget,
        workers=1,
        max_batch_bytes=SMALL_BATCH_BYTES,
    ).collect()

    assert {row.status for row in results} == {"sent"}
    stamps = sorted(_arrival(record.received_at) for record in sandbox.requests)
    assert len(stamps) > budget  # more requests than one window allows
    window = WINDOW_SECONDS - ARRIVAL_JITTER_SECONDS
    busiest = max(sum(1 for t in stamps if start <= t < start + window) for start in stamps)
    assert busiest <= budget


@dataclass
class FailOnce:
    """Answer 401 to the n-th request only: the task fails, and Spark runs it again."""

    n: int

    def arm(self, now: float) -> _FailOnceArmed:
        return _FailOnceArmed(self.n)


@dataclass
class _FailOnceArmed:
    n: int
    seen: int = 0
    injected: int = field(default=0)

    def decide(self, now: float) -> Injection | None:
        self.seen += 1
        if self.seen != self.n:
            return None
        self.injected += 1
        return Injection("FailOnce", status=401)


def test_a_retried_task_resends_under_the_same_message_ids(spark: Any, sandbox: Sandbox) -> None:
    rows = 120
    sandbox.set_faults(FailOnce(3))
    # One partition and one delivery thread: requests 1 and 2 are acknowledged before
    # request 3 fails the task's first attempt.
    df = people(spark, rows, 1)

    results = cio.spark.send(
        df,
        kind="identify",
        api_key=sandbox.api_key,
        base_url=sandbox.url,
        run_id="retry",
        workers=1,
        max_batch_bytes=SMALL_BATCH_BYTES,
    ).collect()

    assert sandbox.faults_injected == 1
    assert len(results) == rows
    assert len({row.key for row in results}) == rows
    assert {row.status for row in results} == {"sent"}
    received = sandbox.messages
    assert len(received) > rows  # the first attempt's acknowledged rows arrived twice
    ids_by_user: dict[str, set[str]] = defaultdict(set)
    for message in received:
        ids_by_user[message["userId"]].add(message["messageId"])
    assert len(ids_by_user) == rows
    assert all(len(ids) == 1 for ids in ids_by_user.values())
    assert {row.message_id for row in results} == set().union(*ids_by_user.values())


def test_settings_come_from_spark_conf_and_never_reach_results_or_logs(
    spark: Any, sandbox: Sandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger="cio")
    spark.conf.set("spark.cio.api_key", sandbox.api_key)
    spark.conf.set("spark.cio.base_url", sandbox.url)
    try:
        results = cio.spark.send(people(spark, 10, 1), kind="identify", run_id="conf").collect()
    finally:
        spark.conf.unset("spark.cio.api_key")
        spark.conf.unset("spark.cio.base_url")
    assert [row.status for row in results] == ["sent"] * 10
    assert len(sandbox.messages) == 10
    assert sandbox.api_key not in " ".join(str(row) for row in results)
    assert sandbox.api_key not in caplog.text


def test_the_environment_supplies_the_key(
    spark: Any, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIO_API_KEY", sandbox.api_key)
    monkeypatch.setenv("CIO_BASE_URL", sandbox.url)
    results = cio.spark.send(people(spark, 5, 1), kind="identify").collect()
    assert [row.status for row in results] == ["sent"] * 5


def test_ready_settings_are_used_as_they_are(spark: Any, sandbox: Sandbox) -> None:
    settings = Settings(api_key=sandbox.api_key, base_url=sandbox.url)
    results = cio.spark.send(people(spark, 4, 1), kind="identify", settings=settings).collect()
    assert [row.status for row in results] == ["sent"] * 4
    with pytest.raises(TypeError, match="settings"):
        cio.spark.send(people(spark, 1, 1), kind="identify", settings=settings, timeout=3.0)


def test_columns_that_cannot_become_messages_fail_on_the_driver(spark: Any) -> None:
    df = spark.createDataFrame([("a@example.com",)], "email string")
    with pytest.raises(ValidationError, match="user_id"):
        cio.spark.send(df, kind="identify", api_key="k", base_url="http://127.0.0.1:9/v1")


def _arrival(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


_LISTEN = "0A"
_LOOPBACK_V4 = "0100007F"  # 127.0.0.1 as /proc/net/tcp writes it
_LOOPBACK_V6 = ("00000000000000000000000001000000", "0000000000000000FFFF00000100007F")


def _listening_addresses(pid: int) -> list[str]:
    """Local addresses of the TCP sockets process ``pid`` listens on (Linux /proc)."""
    inodes = set()
    fd_dir = Path(f"/proc/{pid}/fd")
    for fd in fd_dir.iterdir():
        with contextlib.suppress(OSError):
            target = os.readlink(fd)
            if target.startswith("socket:["):
                inodes.add(target[len("socket:[") : -1])
    addresses = []
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            fields = line.split()
            if fields[3] == _LISTEN and fields[9] in inodes:
                addresses.append(fields[1].rsplit(":", 1)[0])
    return addresses


@pytest.mark.skipif(not Path("/proc/net/tcp").exists(), reason="reads Linux /proc")
def test_the_local_spark_listens_on_loopback_only(spark: Any) -> None:
    pid = spark.sparkContext._gateway.proc.pid
    addresses = _listening_addresses(pid)
    assert addresses  # the driver, block manager and Connect server do listen
    assert all(a == _LOOPBACK_V4 or a in _LOOPBACK_V6 for a in addresses), addresses
