"""The ``cio`` side of each scenario, driven through the public API only."""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

from benchmarks._common import API_KEY, measured, order_events, percentile


def _version() -> str:
    import cio

    return cio.__version__


def _client(sink_url: str) -> Any:
    import cio

    return cio.CustomerIOClient(api_key=API_KEY, base_url=sink_url + "/v1")


def _bulk_result(count: int, report: Any, span: Any) -> dict[str, Any]:
    """The figures of one bulk run: what the client reports and what the span measured."""
    return {
        "events": count,
        "accepted": report.sent,
        "dropped": 0,
        "failed": report.failed,
        "rejected": report.rejected,
        **span.fields(),
        "client_requests": report.requests,
        "client_bytes": report.bytes_sent,
        "version": _version(),
    }


def bulk(count: int, sink_url: str, *, workers: int | None = None) -> dict[str, Any]:
    """Scenario 1: plain dicts handed to ``client.batch.send``, which validates each into
    its model (the semantic "Order Completed" model), serializes, packs and delivers."""
    events = order_events(count)
    client = _client(sink_url)
    with measured() as span:
        report = client.batch.send(events, workers=workers)
    client.close()
    return _bulk_result(count, report, span)


def bulk_models(
    count: int, sink_url: str, *, stream: bool = False, workers: int | None = None
) -> dict[str, Any]:
    """Scenario 1 with typed models: the same events as ``OrderCompleted`` models built
    from keyword arguments and handed to ``client.batch.send``. In a list, they are built
    before the measured span, as scenario 1's dicts are; streamed from a generator, each
    is built inside it, while the batches are sent."""
    from cio.models.semantic import OrderCompleted

    events = order_events(count)
    client = _client(sink_url)

    def models() -> Any:
        for event in events:
            yield OrderCompleted(
                user_id=event["userId"],
                timestamp=event["timestamp"],
                properties=event["properties"],
            )

    ready = None if stream else list(models())
    with measured() as span:
        report = client.batch.send(models() if ready is None else ready, workers=workers)
    client.close()
    return _bulk_result(count, report, span)


def bulk_floor(
    count: int, sink_url: str, *, plain: bool, workers: int | None = None
) -> dict[str, Any]:
    """Two floors for scenario 1's models, measured like it (not targets).

    ``plain=False``: the events already encoded (``EncodedMessage``, made before the
    span) handed to ``client.batch.send``: what packing and sending cost on their own.
    ``plain=True``: a plain pydantic model with the same envelope fields and no check
    at all (no id, timestamp or properties check, no warnings), built in a generator
    inside the span and written with orjson, as ``bulk-models-stream`` builds
    ``OrderCompleted``: the least a streamed pydantic model can cost here.
    """
    from datetime import datetime

    import orjson
    from pydantic import BaseModel, ConfigDict, Field

    from cio.models import EncodedMessage, encode_message, new_message_id

    class PlainOrder(BaseModel):
        model_config = ConfigDict(frozen=True)
        type: str = "track"
        event: str = "Order Completed"
        message_id: str = Field(default_factory=new_message_id)
        user_id: str | None = None
        timestamp: datetime | None = None
        properties: dict[str, Any] | None = None

    events = order_events(count)

    def plain_models() -> Any:
        dumps, utc_z = orjson.dumps, orjson.OPT_UTC_Z
        for event in events:
            model = PlainOrder(
                user_id=event["userId"],
                timestamp=event["timestamp"],
                properties=event["properties"],
            )
            wire = {
                "type": model.type,
                "event": model.event,
                "messageId": model.message_id,
                "userId": model.user_id,
                "timestamp": model.timestamp,
                "properties": model.properties,
            }
            yield EncodedMessage(dumps(wire, option=utc_z), model.message_id, model.user_id, ())

    ready = None if plain else [encode_message(event) for event in events]
    client = _client(sink_url)
    with measured() as span:
        report = client.batch.send(plain_models() if ready is None else ready, workers=workers)
    client.close()
    return _bulk_result(count, report, span)


def breakdown(count: int) -> dict[str, Any]:
    """Where one bulk event's CPU goes, stage by stage, on one thread with no network.

    The bulk path (``client.batch.send`` over dicts) validates each dict with the
    compiled dict validator of its model (``cio.models._wire``) and writes the result
    with orjson; both stages are timed here on their own, then the whole per-event
    call (``encode_wire``: dispatch, checks, both stages), messageId generation on its
    own, packing into batch bodies, and for comparison the model path
    (``parse_message(d).to_json()``) that the compiled path replaces.
    """
    import orjson

    from cio.batching import batch_body, pack
    from cio.models import _core, parse_message
    from cio.models._wire import codec_for, encode_wire
    from cio.models.calls import message_model

    events = order_events(count)
    codec = codec_for(message_model(events[0]))
    assert codec is not None
    clock = time.perf_counter_ns
    per_event = 1e-3 / count

    def timed(function: Any, items: Any) -> float:
        started = clock()
        for item in items:
            function(item)
        return (clock() - started) * per_event

    validate = timed(codec.validate, events)
    validated = [codec.validate(event) for event in events]
    serialize = timed(orjson.dumps, validated)
    del validated
    encode = timed(encode_wire, events)
    model_path = timed(lambda event: parse_message(event).to_json(), events)
    started = clock()
    for _ in range(count):
        _core.new_message_id()
    message_id = (clock() - started) * per_event
    bodies = [encode_wire(event)[0] for event in events]
    started = clock()
    batches = len([batch_body(batch) for batch in pack(bodies)])
    pack_time = (clock() - started) * per_event
    return {
        "events": count,
        "validate_us": validate,
        "message_id_us": message_id,
        "serialize_us": serialize,
        "encode_us": encode,
        "model_path_us": model_path,
        "pack_us": pack_time,
        "batches": batches,
        "version": _version(),
    }


def buffered_track(count: int, sink_url: str) -> dict[str, Any]:
    """Scenario 3: time each ``sender.track`` call on the caller's thread."""
    events = order_events(count)
    client = _client(sink_url)
    sender = client.buffered()
    timings = []
    clock = time.perf_counter_ns
    with measured():
        for event in events:
            started = clock()
            sender.track(
                user_id=event["userId"],
                event=event["event"],
                properties=event["properties"],
                timestamp=event["timestamp"],
            )
            timings.append(clock() - started)
    sender.flush(timeout=60)
    sender.close()
    client.close()
    timings_us = sorted(value / 1000 for value in timings)
    return {
        "events": count,
        "accepted": count,
        "dropped": 0,
        "p50_us": percentile(timings_us, 0.50),
        "p99_us": percentile(timings_us, 0.99),
        "mean_us": sum(timings_us) / len(timings_us),
        "version": _version(),
    }


def single_call(count: int, sink_url: str, warmup: int) -> dict[str, Any]:
    """Scenario 4: one synchronous ``track`` per call, validated and sent at once."""
    events = order_events(count + warmup)
    client = _client(sink_url)

    def call(event: dict[str, Any]) -> None:
        client.events.track(
            user_id=event["userId"],
            event=event["event"],
            properties=event["properties"],
            timestamp=event["timestamp"],
        )

    for event in events[:warmup]:
        call(event)
    timings = []
    clock = time.perf_counter_ns
    with measured():
        for event in events[warmup:]:
            started = clock()
            call(event)
            timings.append(clock() - started)
    client.close()
    timings_us = sorted(value / 1000 for value in timings)
    return {
        "events": count + warmup,
        "p50_us": percentile(timings_us, 0.50),
        "p99_us": percentile(timings_us, 0.99),
        "mean_us": sum(timings_us) / len(timings_us),
        "version": _version(),
        "requests_version": requests.__version__,
    }


def import_file(path: Path, rows: int, sink_url: str, *, workers: int | None) -> dict[str, Any]:
    """Scenario 2: ``cio import FILE --kind identify`` run in this process.

    The file is linked into a fresh directory that is also the working directory, so
    whatever the import leaves beside the file or in the current directory (a state file
    for resuming) cannot make a later run skip rows.
    """
    from cio.cli import main

    os.environ["CIO_BASE_URL"] = sink_url + "/v1"
    os.environ["CIO_API_KEY"] = API_KEY
    with tempfile.TemporaryDirectory(prefix="cio-bench-import-") as scratch:
        linked = Path(scratch) / path.name
        linked.symlink_to(path.resolve())
        os.chdir(scratch)
        argv = ["import", str(linked), "--kind", "identify", "--no-progress"]
        if workers is not None:
            argv += ["--workers", str(workers)]
        with measured() as span:
            status = main(argv)
    return {
        "events": rows,
        "exit_status": status,
        **span.fields(),
        "version": _version(),
    }
