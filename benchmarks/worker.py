"""One measurement in a fresh process: ``python -m benchmarks.worker SCENARIO LIBRARY``.

The runner starts one worker per run so that peak RSS and CPU time belong to that run
alone. The result is printed as a single ``BENCH-RESULT {json}`` line. With
``--profile FILE`` the measured region runs under cProfile and the statistics are dumped
to FILE (timings are then not representative).
"""

from __future__ import annotations

import argparse
import cProfile
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks import _common
from benchmarks._common import emit

CIO = "cio"
RAW = "raw"
RAW_NO_KEEPALIVE = "raw-requests.post"
SCENARIOS = (
    "bulk",
    "bulk-models",
    "bulk-models-stream",
    "bulk-encoded",
    "bulk-plain-stream",
    "breakdown",
    "import",
    "buffered",
    "single",
    "sandbox",
    "spark",
)


def _dispatch(args: argparse.Namespace) -> Callable[[], dict[str, Any]]:
    scenario, library, sink = args.scenario, args.library, args.sink
    if library == CIO:
        from benchmarks import cio_side

        if scenario == "bulk":
            return lambda: cio_side.bulk(args.events, sink, workers=args.workers)
        if scenario in ("bulk-models", "bulk-models-stream"):
            stream = scenario == "bulk-models-stream"
            return lambda: cio_side.bulk_models(
                args.events, sink, stream=stream, workers=args.workers
            )
        if scenario in ("bulk-encoded", "bulk-plain-stream"):
            plain = scenario == "bulk-plain-stream"
            return lambda: cio_side.bulk_floor(args.events, sink, plain=plain, workers=args.workers)
        if scenario == "breakdown":
            return lambda: cio_side.breakdown(args.events)
        if scenario == "buffered":
            return lambda: cio_side.buffered_track(args.events, sink)
        if scenario == "single":
            return lambda: cio_side.single_call(args.events, sink, args.warmup)
        if scenario == "import":
            return lambda: cio_side.import_file(args.file, args.events, sink, workers=args.workers)
        if scenario == "spark":
            from benchmarks import bench_spark

            return lambda: bench_spark.run(args.events, sink)
    elif library in (RAW, RAW_NO_KEEPALIVE):
        from benchmarks import raw

        if scenario == "bulk" and library == RAW:
            return lambda: raw.bulk(args.events, sink)
        if scenario == "single":
            keep_alive = library == RAW
            return lambda: raw.single_call(args.events, sink, args.warmup, keep_alive=keep_alive)
    elif library == "sandbox":
        if scenario == "sandbox":
            from benchmarks import bench_sandbox

            return lambda: dict(bench_sandbox.run(args.seconds))
    else:
        from benchmarks import peers

        if library not in peers.PEERS:
            raise SystemExit(f"unknown library {library!r}")
        if scenario == "bulk":
            return lambda: peers.bulk(library, args.events, sink, queue_size=args.queue_size)
        if scenario == "buffered":
            return lambda: peers.buffered_track(library, args.events, sink)
        if scenario == "single":
            return lambda: peers.single_call(library, args.events, sink, args.warmup)
    raise SystemExit(f"no scenario {scenario!r} for {library!r}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("scenario", choices=SCENARIOS)
    parser.add_argument("library")
    parser.add_argument("--sink", default="", help="sink root URL, e.g. http://127.0.0.1:8000")
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--warmup", type=int, default=50)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--queue-size", type=int, default=None)
    parser.add_argument("--file", type=Path, default=None)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--profile", type=Path, default=None)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    work = _dispatch(args)
    if args.profile is None:
        result = work()
    else:
        _common.PROFILER = cProfile.Profile()
        result = work()
        _common.PROFILER.dump_stats(str(args.profile))
    result.update(scenario=args.scenario, library=args.library)
    emit(result)
    return 0


if __name__ == "__main__":
    sys.exit(main())
