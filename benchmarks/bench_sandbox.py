"""How many batch requests per second the sandbox serves, with full validation.

The sandbox runs in this process, as it does behind the notebooks and the tests, and
receives batch requests of 100 small messages each (half ``identify`` with an email
trait, half ``track``) over keep-alive connections: first from a separate process, so
the figure is the sandbox's own capacity, then from a ``cio`` client in this process, as
a notebook sends. Every message is parsed and validated with the library's models,
exactly as in normal use.

Target (issue 10): at least 200 batch requests per second, that is 20,000 validated
messages per second, on the 2-core benchmark machine.

``python -m benchmarks.bench_sandbox [--seconds S] [--connections N]`` prints the figures;
``benchmarks.run`` calls :func:`run`.
"""

from __future__ import annotations

import argparse
import http.client
import multiprocessing
import statistics
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

from cio.models import Batch, Identify, Message, Track
from cio.sandbox import Sandbox
from cio.sandbox._constants import SANDBOX_HOST

MESSAGES_PER_BATCH: Final = 100
DISTINCT_BODIES: Final = 20
DEFAULT_SECONDS: Final = 3.0
DEFAULT_CONNECTIONS: Final = 2
SENDER_GRACE_SECONDS: Final = 60.0
BATCH_PATH: Final = "/v1/batch"
HTTP_OK: Final = 200
TARGET_REQUESTS_PER_SECOND: Final = 200.0
WARMUP_REQUESTS: Final = 20
MILLISECONDS: Final = 1000.0
PERCENTILE_99: Final = 0.99


def _message(body: int, index: int) -> Message:
    user = f"user-{body}-{index}"
    if index % 2:
        return Track(
            user_id=user, event="Item Viewed", properties={"sku": f"sku-{index}", "price": 9.5}
        )
    return Identify(user_id=user, traits={"email": f"{user}@example.com", "plan": "pro"})


def build_bodies(count: int = DISTINCT_BODIES) -> list[bytes]:
    """Serialized batch bodies of ``MESSAGES_PER_BATCH`` small messages each.

    Parameters
    ----------
    count : int
        How many different bodies to prepare.

    Returns
    -------
    list of bytes
    """
    return [
        Batch(batch=[_message(body, index) for index in range(MESSAGES_PER_BATCH)]).to_json()
        for body in range(count)
    ]


@dataclass(frozen=True)
class SenderJob:
    """What the external sender process needs (picklable)."""

    port: int
    authorization: str
    bodies: Sequence[bytes]
    seconds: float
    connections: int


def _external_sender(job: SenderJob, results: Any) -> None:
    """Runs in a child process: keep-alive ``http.client`` connections posting batches."""
    port, bodies, connections = job.port, job.bodies, job.connections
    authorization, seconds = job.authorization, job.seconds
    stop_at = time.perf_counter() + seconds
    per_connection: list[list[float]] = [[] for _ in range(connections)]
    failures: list[int] = []
    headers = {"Authorization": authorization, "Content-Type": "application/json"}

    def send(latencies: list[float]) -> None:
        connection = http.client.HTTPConnection(SANDBOX_HOST, port)
        sent = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            connection.request("POST", BATCH_PATH, bodies[sent % len(bodies)], headers)
            response = connection.getresponse()
            response.read()
            latencies.append(time.perf_counter() - started)
            if response.status != HTTP_OK:
                failures.append(response.status)
            sent += 1
        connection.close()

    threads = [threading.Thread(target=send, args=(values,)) for values in per_connection]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put(([value for values in per_connection for value in values], failures))


def _measure_external(
    sandbox: Sandbox, bodies: Sequence[bytes], seconds: float, connections: int
) -> tuple[list[float], float, float]:
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    sender = context.Process(
        target=_external_sender,
        args=(
            SenderJob(sandbox.port, sandbox.authorization, bodies, seconds, connections),
            results,
        ),
    )
    sender.start()
    cpu_started, started = time.process_time(), time.perf_counter()
    latencies, failures = results.get(timeout=seconds + SENDER_GRACE_SECONDS)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    sender.join()
    if failures:
        raise RuntimeError(f"{len(failures)} requests failed, statuses {sorted(set(failures))}")
    return sorted(latencies), elapsed, cpu


def _measure_in_process(sandbox: Sandbox, bodies: Sequence[bytes], seconds: float) -> int:
    sent = 0
    with sandbox.client(max_retries=0) as client:
        stop_at = time.perf_counter() + seconds
        while time.perf_counter() < stop_at:
            client.post(BATCH_PATH.removeprefix("/v1"), bodies[sent % len(bodies)])
            sent += 1
    return sent


def _check_all_accepted(sandbox: Sandbox, requests: int) -> int:
    summary = sandbox.summary()
    if summary.total != requests * MESSAGES_PER_BATCH or summary.dropped:
        raise RuntimeError(
            f"sandbox accepted {summary.total} of {requests * MESSAGES_PER_BATCH} messages "
            f"({summary.dropped} dropped)"
        )
    return summary.total


def run(
    seconds: float = DEFAULT_SECONDS, connections: int = DEFAULT_CONNECTIONS
) -> dict[str, float]:
    """Measure the sandbox: ``seconds`` of external load, then ``seconds`` in-process.

    First a separate process (so the sandbox has this process to itself, as when a
    notebook or ``cio sandbox`` serves other programs) sends over ``connections``
    keep-alive connections; then a ``cio`` client in this process sends alone, as a
    notebook does with its embedded sandbox.

    Parameters
    ----------
    seconds : float
        Duration of each of the two phases (after a short warm-up).
    connections : int
        Concurrent keep-alive connections of the external sender.

    Returns
    -------
    dict
        ``requests_per_second`` and ``messages_per_second`` (external load),
        ``p50_ms``/``p99_ms`` request latency, ``server_cpu_ms_per_request`` (this
        process's CPU per request), ``in_process_requests_per_second``, ``requests``,
        ``messages_accepted`` and ``target_met`` (1.0 or 0.0).

    Raises
    ------
    RuntimeError
        When a request failed or the sandbox did not accept every message.
    """
    bodies = build_bodies()
    with Sandbox() as sandbox:
        with sandbox.client(max_retries=0) as client:
            for index in range(WARMUP_REQUESTS):
                client.post("/batch", bodies[index % len(bodies)])
        sandbox.reset()
        latencies, elapsed, cpu = _measure_external(sandbox, bodies, seconds, connections)
        requests = len(latencies)
        accepted = _check_all_accepted(sandbox, requests)
        sandbox.reset()
        in_process_started = time.perf_counter()
        in_process = _measure_in_process(sandbox, bodies, seconds)
        in_process_elapsed = time.perf_counter() - in_process_started
        _check_all_accepted(sandbox, in_process)
    rate = requests / elapsed
    return {
        "requests_per_second": rate,
        "messages_per_second": accepted / elapsed,
        "p50_ms": statistics.median(latencies) * MILLISECONDS,
        "p99_ms": latencies[int(PERCENTILE_99 * (requests - 1))] * MILLISECONDS,
        "server_cpu_ms_per_request": cpu / requests * MILLISECONDS,
        "in_process_requests_per_second": in_process / in_process_elapsed,
        "requests": float(requests),
        "messages_accepted": float(accepted),
        "target_met": 1.0 if rate >= TARGET_REQUESTS_PER_SECOND else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures.

    Parameters
    ----------
    argv : sequence of str, optional
        ``--seconds`` and ``--connections``.

    Returns
    -------
    int
        0 when the target is met, 1 otherwise.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS)
    parser.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    args = parser.parse_args(argv)
    results = run(args.seconds, args.connections)
    print(
        f"sandbox: {results['requests_per_second']:,.0f} batch requests/s of "
        f"{MESSAGES_PER_BATCH} messages = {results['messages_per_second']:,.0f} validated "
        f"messages/s ({args.connections} connections from another process, {args.seconds:g} s)"
    )
    print(
        f"latency p50 {results['p50_ms']:.2f} ms, p99 {results['p99_ms']:.2f} ms; "
        f"sandbox CPU {results['server_cpu_ms_per_request']:.2f} ms per request"
    )
    print(
        f"in-process, one cio client: {results['in_process_requests_per_second']:,.0f} "
        "batch requests/s"
    )
    verdict = "met" if results["target_met"] else "MISSED"
    print(f"target {TARGET_REQUESTS_PER_SECOND:.0f} requests/s: {verdict}")
    return 0 if results["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
