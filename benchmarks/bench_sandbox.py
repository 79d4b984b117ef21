"""How many batch requests per second the sandbox serves, with full validation.

The sandbox runs in this process, as it does behind the notebooks and the tests, and
``cio`` clients in threads send batch requests of 100 small messages each (half
``identify`` with an email trait, half ``track``) over keep-alive connections. Every
message is parsed and validated with the library's models, exactly as in normal use.

Target (issue 10): at least 200 batch requests per second, that is 20,000 validated
messages per second, on the 2-core benchmark machine.

``python -m benchmarks.bench_sandbox [--seconds S] [--threads N]`` prints the figures;
``benchmarks.run`` calls :func:`run`.
"""

from __future__ import annotations

import argparse
import statistics
import threading
import time
from collections.abc import Sequence
from typing import Final

from cio.models import Batch, Identify, Message, Track
from cio.sandbox import Sandbox

MESSAGES_PER_BATCH: Final = 100
DISTINCT_BODIES: Final = 20
DEFAULT_SECONDS: Final = 3.0
DEFAULT_THREADS: Final = 2
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


def _sender(
    sandbox: Sandbox,
    bodies: Sequence[bytes],
    stop_at: float,
    latencies: list[float],
) -> None:
    with sandbox.client(max_retries=0) as client:
        sent = 0
        while time.perf_counter() < stop_at:
            started = time.perf_counter()
            client.post("/batch", bodies[sent % len(bodies)])
            latencies.append(time.perf_counter() - started)
            sent += 1


def run(seconds: float = DEFAULT_SECONDS, threads: int = DEFAULT_THREADS) -> dict[str, float]:
    """Measure the sandbox for ``seconds`` with ``threads`` sending clients.

    Parameters
    ----------
    seconds : float
        Measured duration (after a short warm-up).
    threads : int
        Concurrent client threads, each with its own keep-alive connection.

    Returns
    -------
    dict
        ``requests_per_second``, ``messages_per_second``, ``p50_ms``, ``p99_ms``,
        ``requests``, ``messages_accepted``, ``messages_dropped``, ``target_met``
        (1.0 or 0.0).

    Raises
    ------
    RuntimeError
        When the sandbox did not accept every message it was sent.
    """
    bodies = build_bodies()
    with Sandbox() as sandbox:
        with sandbox.client(max_retries=0) as client:
            for index in range(WARMUP_REQUESTS):
                client.post("/batch", bodies[index % len(bodies)])
        sandbox.reset()
        per_thread: list[list[float]] = [[] for _ in range(threads)]
        started = time.perf_counter()
        stop_at = started + seconds
        workers = [
            threading.Thread(target=_sender, args=(sandbox, bodies, stop_at, latencies))
            for latencies in per_thread
        ]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join()
        elapsed = time.perf_counter() - started
        summary = sandbox.summary()
    latencies = sorted(value for values in per_thread for value in values)
    requests = len(latencies)
    if summary.total != requests * MESSAGES_PER_BATCH or summary.dropped:
        raise RuntimeError(
            f"sandbox accepted {summary.total} of {requests * MESSAGES_PER_BATCH} messages "
            f"({summary.dropped} dropped)"
        )
    rate = requests / elapsed
    return {
        "requests_per_second": rate,
        "messages_per_second": summary.total / elapsed,
        "p50_ms": statistics.median(latencies) * MILLISECONDS,
        "p99_ms": latencies[int(PERCENTILE_99 * (requests - 1))] * MILLISECONDS,
        "requests": float(requests),
        "messages_accepted": float(summary.total),
        "messages_dropped": float(summary.dropped),
        "target_met": 1.0 if rate >= TARGET_REQUESTS_PER_SECOND else 0.0,
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the figures.

    Parameters
    ----------
    argv : sequence of str, optional
        ``--seconds`` and ``--threads``.

    Returns
    -------
    int
        0 when the target is met, 1 otherwise.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=DEFAULT_SECONDS)
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS)
    args = parser.parse_args(argv)
    results = run(args.seconds, args.threads)
    print(
        f"sandbox: {results['requests_per_second']:,.0f} batch requests/s of "
        f"{MESSAGES_PER_BATCH} messages = {results['messages_per_second']:,.0f} validated "
        f"messages/s ({args.threads} client threads, {args.seconds:g} s)"
    )
    print(f"latency p50 {results['p50_ms']:.2f} ms, p99 {results['p99_ms']:.2f} ms")
    verdict = "met" if results["target_met"] else "MISSED"
    print(f"target {TARGET_REQUESTS_PER_SECOND:.0f} requests/s: {verdict}")
    return 0 if results["target_met"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
