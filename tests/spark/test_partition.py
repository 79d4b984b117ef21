"""The engine-neutral partition sender, without Spark: chunks in, one result per row out."""

from __future__ import annotations

import pickle
import random
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest

from cio import AuthenticationError, Settings
from cio.errors import ConfigurationError, ValidationError
from cio.io import RESULT_COLUMNS, ColumnMapping, PartitionSender, rate_share
from cio.sandbox import FailEveryNth, RateLimitWindow, Sandbox

RUN = "run-2024-06-01"
SMALL_BATCH_BYTES = 1_500
WINDOW_SECONDS = 3.0
# The limiter counts when a request leaves; the sandbox stamps when it arrives.
ARRIVAL_JITTER_SECONDS = 0.1


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox() as running:
        yield running


def settings_for(sandbox: Sandbox, **overrides: Any) -> Settings:
    return Settings(api_key=sandbox.api_key, base_url=sandbox.url, **overrides)


def people(start: int, count: int) -> pa.RecordBatch:
    numbers = list(range(start, start + count))
    return pa.RecordBatch.from_pydict(
        {
            "user_id": [f"u{n}" for n in numbers],
            "email": [f"person{n}@example.com" for n in numbers],
            "plan": ["pro" if n % 2 else "free" for n in numbers],
        }
    )


def arrival(stamp: str) -> float:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")).timestamp()


def results(batches: Iterator[Any]) -> pa.Table:
    return pa.Table.from_batches(list(batches))


def test_every_row_gets_one_result_and_arrives_once(sandbox: Sandbox) -> None:
    sender = PartitionSender("identify", run_id=RUN, settings=settings_for(sandbox), workers=1)
    chunks = [people(start, 10) for start in range(0, 50, 10)]

    table = results(sender(chunks))

    assert table.column_names == list(RESULT_COLUMNS)
    assert table.num_rows == 50
    assert table.column("status").to_pylist() == ["sent"] * 50
    assert table.column("key").to_pylist() == [f"u{n}" for n in range(50)]
    received = sandbox.messages
    assert len(received) == 50
    assert {m["messageId"] for m in received} == set(table.column("message_id").to_pylist())
    # Packed across the whole partition: five small chunks, one request.
    assert len(sandbox.requests) == 1


def test_results_stream_per_chunk_in_input_order(sandbox: Sandbox) -> None:
    sender = PartitionSender("identify", run_id=RUN, settings=settings_for(sandbox))
    batches = list(sender([people(0, 3), people(3, 4)]))
    assert [batch.num_rows for batch in batches] == [3, 4]


def test_invalid_rows_are_reported_without_values_and_cost_nothing(sandbox: Sandbox) -> None:
    batch = pa.RecordBatch.from_pydict(
        {
            "user_id": ["u1", "u2", None],
            "email": ["a@example.com", "b@example.com", "c@x.io"],
            "timestamp": [None, "secret-not-a-date", None],
        }
    )
    sender = PartitionSender("identify", run_id=RUN, settings=settings_for(sandbox))

    rows = results(sender([batch])).to_pylist()

    assert [row["status"] for row in rows] == ["sent", "invalid", "invalid"]
    assert rows[1]["message_id"] is None
    assert rows[1]["error_code"]
    assert "timestamp" in rows[1]["reason"]
    assert "secret-not-a-date" not in rows[1]["reason"]
    assert rows[2]["key"] is None
    assert len(sandbox.messages) == 1


def test_message_ids_depend_on_content_and_run_not_on_position(sandbox: Sandbox) -> None:
    settings = settings_for(sandbox)
    frame = people(0, 20).to_pandas()
    shuffled = frame.sample(frac=1.0, random_state=random.Random(7).randint(0, 99))

    def ids(data: pd.DataFrame, run_id: str) -> dict[str, str]:
        sender = PartitionSender("identify", run_id=run_id, settings=settings)
        table = results(sender([data]))
        return dict(
            zip(
                table.column("key").to_pylist(), table.column("message_id").to_pylist(), strict=True
            )
        )

    first = ids(frame, RUN)
    assert ids(shuffled, RUN) == first
    assert len(set(first.values())) == 20
    assert set(ids(frame, "another-run").values()).isdisjoint(first.values())


def test_pandas_chunks_and_an_explicit_key_column(sandbox: Sandbox) -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "row_key": [101, 102], "event": ["Signed Up"] * 2})
    sender = PartitionSender(
        "track", run_id=RUN, settings=settings_for(sandbox), key_column="row_key"
    )
    table = results(sender([frame]))
    assert table.column("key").to_pylist() == ["101", "102"]
    assert sorted(m["userId"] for m in sandbox.messages) == ["a", "b"]


def test_undelivered_rows_are_failed_with_the_error_type(sandbox: Sandbox) -> None:
    sandbox.set_faults(FailEveryNth(1, status=503))
    sender = PartitionSender(
        "identify", run_id=RUN, settings=settings_for(sandbox, max_retries=0), workers=1
    )
    rows = results(sender([people(0, 3)])).to_pylist()
    assert {row["status"] for row in rows} == {"failed"}
    assert {row["error_code"] for row in rows} == {"ServerError"}
    assert all("503" in row["reason"] for row in rows)
    assert all(row["message_id"] for row in rows)


def test_a_refused_key_fails_the_partition(sandbox: Sandbox) -> None:
    settings = Settings(api_key="wrong-key", base_url=sandbox.url)
    sender = PartitionSender("identify", run_id=RUN, settings=settings)
    with pytest.raises(AuthenticationError):
        results(sender([people(0, 3)]))


def test_columns_are_checked_before_sending() -> None:
    sender = PartitionSender("identify", run_id=RUN)
    sender.check_columns(["user_id", "email"])
    with pytest.raises(ValidationError, match="user_id"):
        sender.check_columns(["email", "plan"])
    with pytest.raises(ConfigurationError, match="key_column"):
        PartitionSender("identify", run_id=RUN, key_column="nope").check_columns(["user_id"])


def test_the_rate_budget_is_split_across_simultaneous_tasks() -> None:
    assert rate_share(3000, 8) == 375
    assert rate_share(10, 20) == 1
    sender = PartitionSender(
        "identify", run_id=RUN, settings=Settings(api_key="k", rate_limit=600), concurrency=4
    )
    assert sender.rate_share == 150
    assert PartitionSender("identify", run_id=RUN, concurrency=3).rate_share == 1000
    with pytest.raises(ConfigurationError):
        rate_share(3000, 0)


def test_a_sender_pickles_for_shipping_to_workers() -> None:
    sender = PartitionSender(
        "identify",
        run_id=RUN,
        mapping={"Email Address": "email"},
        settings=Settings(api_key="k", base_url="http://127.0.0.1:9/v1"),
    )
    copy = pickle.loads(pickle.dumps(sender))
    assert copy == sender
    assert copy.settings is not None
    assert copy.settings.api_key is not None
    assert copy.settings.api_key.get_secret_value() == "k"


def test_a_blank_run_id_is_refused() -> None:
    with pytest.raises(ConfigurationError, match="run_id"):
        PartitionSender("identify", run_id=" ")


@pytest.mark.slow
def test_consecutive_partitions_of_one_process_share_the_task_budget(sandbox: Sandbox) -> None:
    budget = 2
    sender = PartitionSender(
        "identify",
        run_id=RUN,
        settings=settings_for(sandbox, rate_limit=budget),
        workers=1,
        max_batch_bytes=SMALL_BATCH_BYTES,
    )
    results(sender([people(0, 20)]))
    results(sender([people(20, 20)]))

    stamps = sorted(arrival(record.received_at) for record in sandbox.requests)
    assert len(stamps) > budget
    window = WINDOW_SECONDS - ARRIVAL_JITTER_SECONDS
    assert max(sum(1 for t in stamps if s <= t < s + window) for s in stamps) <= budget


def test_arrow_timestamps_and_structs_keep_their_types(sandbox: Sandbox) -> None:
    moment = datetime(2024, 6, 1, 9, 30, tzinfo=timezone.utc)
    batch = pa.RecordBatch.from_pydict(
        {
            "user_id": ["u1"],
            "event": ["Order Completed"],
            "timestamp": pa.array([moment], pa.timestamp("us", tz="UTC")),
            "total": [12.5],
            "address": [{"city": "Lyon", "zip": "69001"}],
        }
    )
    sender = PartitionSender("track", run_id=RUN, settings=settings_for(sandbox))
    assert results(sender([batch])).column("status").to_pylist() == ["sent"]
    (message,) = sandbox.messages
    assert message["timestamp"].startswith("2024-06-01T09:30:00")
    assert message["properties"]["total"] == 12.5
    assert message["properties"]["address"] == {"city": "Lyon", "zip": "69001"}


def test_a_ready_column_mapping_brings_its_constants_and_types(sandbox: Sandbox) -> None:
    mapping = ColumnMapping(
        columns={"Customer": "user_id"}, constants={"source": "crm"}, types={"zip": "string"}
    )
    sender = PartitionSender(
        "identify", run_id=RUN, mapping=mapping, settings=settings_for(sandbox)
    )
    assert pickle.loads(pickle.dumps(sender)) == sender
    frame = pd.DataFrame({"Customer": ["c1"], "zip": ["02134"]})
    assert results(sender([frame])).column("status").to_pylist() == ["sent"]
    (message,) = sandbox.messages
    assert message["userId"] == "c1"
    assert message["traits"] == {"source": "crm", "zip": "02134"}


@pytest.mark.slow
def test_429_answers_are_waited_out_and_retried(sandbox: Sandbox) -> None:
    sandbox.set_faults(RateLimitWindow(0.5, retry_after=1))
    sender = PartitionSender("identify", run_id=RUN, settings=settings_for(sandbox), workers=1)
    table = results(sender([people(0, 30)]))
    assert table.column("status").to_pylist() == ["sent"] * 30
    assert sandbox.faults_injected >= 1
    assert len({m["messageId"] for m in sandbox.messages}) == 30


def test_rows_sent_with_warnings_say_which_and_where_without_values(sandbox: Sandbox) -> None:
    batch = pa.RecordBatch.from_pydict(
        {"user_id": ["u1", "u2"], "email": ["a@example.com", "secret at example"]}
    )
    sender = PartitionSender("identify", run_id=RUN, settings=settings_for(sandbox))

    rows = results(sender([batch])).to_pylist()

    assert [row["status"] for row in rows] == ["sent", "sent"]
    assert rows[0]["warnings"] is None
    assert "traits.email" in rows[1]["warnings"]
    assert "secret" not in rows[1]["warnings"]
    assert len(sandbox.messages) == 2
