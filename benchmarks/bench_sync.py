"""Incremental sync at scale: a 1,000,000-key source, then the same source with 1% changed.

Each phase runs ``cio sync`` in a fresh process against the counting sink, so its peak
RSS is its own:

1. the first sync of the source (every row is new and sent);
2. the second sync after 1% of the rows changed: it must send exactly those rows and
   finish at least 10 times sooner than the first;
3. the same second sync on a source a tenth the size, to show memory stays flat (the
   comparison streams against SQLite rather than holding the keys).

Targets (issue 18): second run >= 10x faster than the first, sends only the changed
rows, peak RSS of the 1M-row second run within 1.5x of the 100k-row one.

``python -m benchmarks.bench_sync [--rows N]`` prints the table; ``benchmarks.run``
(``make bench``) calls :func:`run_and_record` when the ``sync`` scenario is selected,
which also writes ``benchmarks/RESULTS_SYNC.md``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Final

from benchmarks._common import API_KEY
from benchmarks.data import WORK_DIR, identify_csv
from benchmarks.sink import SinkProcess

ROWS: Final = 1_000_000
SMALL_DIVISOR: Final = 10
CHANGE_EVERY: Final = 100  # 1% of the rows
TARGET_SPEEDUP: Final = 10.0
TARGET_RSS_RATIO: Final = 1.5
PHASE_TIMEOUT_SECONDS: Final = 600.0
PLAN_COLUMN: Final = 4
CHANGED_PLAN: Final = "changed"
RESULT_PREFIX: Final = "BENCH-SYNC "
KIB_PER_MIB: Final = 1024
ROOT: Final = Path(__file__).resolve().parent.parent
RESULTS_MD: Final = ROOT / "benchmarks" / "RESULTS_SYNC.md"


def changed_copy(path: Path) -> tuple[Path, int]:
    """The source with every 100th row's plan changed, generated once; and how many."""
    target = path.with_name(path.stem + "_changed.csv")
    changed = 0
    partial = target.with_suffix(".partial")
    with path.open(newline="", encoding="utf-8") as source:
        reader = csv.reader(source)
        rows = iter(reader)
        header = next(rows)
        with partial.open("w", newline="", encoding="utf-8") as out:
            writer = csv.writer(out)
            writer.writerow(header)
            for index, row in enumerate(rows):
                if index % CHANGE_EVERY == 0:
                    row[PLAN_COLUMN] = CHANGED_PLAN
                    changed += 1
                writer.writerow(row)
    partial.replace(target)
    return target, changed


def phase(source: Path, state: Path, sink_url: str) -> dict[str, Any]:
    """One sync in this process (what the child runs); its figures."""
    from cio.cli import main

    os.environ["CIO_BASE_URL"] = sink_url + "/v1"
    os.environ["CIO_API_KEY"] = API_KEY
    argv = ["sync", str(source), "--kind", "identify", "--key", "user_id"]
    argv += ["--state", str(state), "--no-progress"]
    started = time.perf_counter()
    status = main(argv)
    wall = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / KIB_PER_MIB
    from cio.io import sync_history

    counts = sync_history(state).runs[-1].counts
    return {"exit_status": status, "wall_s": wall, "peak_rss_mb": peak, **counts}


def _child(source: Path, state: Path, sink: SinkProcess) -> dict[str, Any]:
    sink.reset()
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIO_")}
    env["PYTHONPATH"] = str(ROOT)
    command = [sys.executable, "-m", "benchmarks.bench_sync", "--phase", str(source)]
    command += ["--state", str(state), "--sink", sink.url]
    finished = subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=PHASE_TIMEOUT_SECONDS,
        check=False,
    )
    for line in reversed(finished.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            result: dict[str, Any] = json.loads(line[len(RESULT_PREFIX) :])
            result["sink_unique"] = sink.stats().unique_messages
            return result
    raise RuntimeError(f"sync phase failed: {finished.stderr.strip()[-2000:]}")


def measure(rows: int, sink: SinkProcess) -> dict[str, Any]:
    """First and second sync of a ``rows``-row source; the figures of both."""
    base = identify_csv(rows)
    changed, changed_rows = changed_copy(base)
    with tempfile.TemporaryDirectory(prefix="cio-bench-sync-") as scratch:
        state = Path(scratch) / "sync.db"
        first = _child(base, state, sink)
        second = _child(changed, state, sink)
    return {"rows": rows, "changed_rows": changed_rows, "first": first, "second": second}


def report(rows: int = ROWS) -> tuple[str, bool]:
    """Run the scenario; the result table and whether every target was met."""
    with SinkProcess(cwd=ROOT) as sink:
        large = measure(rows, sink)
        small = measure(rows // SMALL_DIVISOR, sink)
    first, second = large["first"], large["second"]
    speedup = first["wall_s"] / second["wall_s"]
    rss_ratio = second["peak_rss_mb"] / small["second"]["peak_rss_mb"]
    only_changes = second["sent"] == large["changed_rows"] == second["sink_unique"]
    complete = first["sent"] == rows == first["sink_unique"]
    checks = [
        (
            f"second run >= {TARGET_SPEEDUP:.0f}x faster",
            f"{speedup:.1f}x",
            speedup >= TARGET_SPEEDUP,
        ),
        (
            "second run sends only the changed rows",
            f"{second['sent']:,} sent, {large['changed_rows']:,} changed",
            only_changes,
        ),
        ("first run sends every row", f"{first['sent']:,} of {rows:,}", complete),
        (
            f"peak RSS flat (1M vs 100k second run <= {TARGET_RSS_RATIO}x)",
            f"{second['peak_rss_mb']:.0f} MB vs {small['second']['peak_rss_mb']:.0f} MB "
            f"({rss_ratio:.2f}x)",
            rss_ratio <= TARGET_RSS_RATIO,
        ),
    ]
    lines = [
        f"sync of {rows:,} identify rows, then the same rows with 1% changed",
        f"  first run:  {first['wall_s']:.1f} s, {rows / first['wall_s']:,.0f} rows/s, "
        f"peak RSS {first['peak_rss_mb']:.0f} MB",
        f"  second run: {second['wall_s']:.2f} s, {second['unchanged']:,} unchanged, "
        f"{second['changed']:,} changed, peak RSS {second['peak_rss_mb']:.0f} MB",
        f"  {rows // SMALL_DIVISOR:,}-row source: first {small['first']['wall_s']:.1f} s, "
        f"second {small['second']['wall_s']:.2f} s, peak RSS "
        f"{small['second']['peak_rss_mb']:.0f} MB",
        "",
        "| target | measured | met |",
        "| --- | --- | --- |",
    ]
    lines += [f"| {name} | {value} | {'yes' if met else 'NO'} |" for name, value, met in checks]
    return "\n".join(lines), all(met for _name, _value, met in checks)


def run_and_record(rows: int = ROWS, *, write: bool = True) -> str:
    """Run the scenario for ``benchmarks.run``; write ``RESULTS_SYNC.md``; return the table."""
    text, _met = report(rows)
    if write:
        RESULTS_MD.write_text(f"# Incremental sync benchmark\n\n```\n{text}\n```\n", "utf-8")
    return text


def main(argv: list[str] | None = None) -> int:
    """Command line: the whole scenario, or one phase (``--phase SOURCE``) in a child."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--rows", type=int, default=ROWS)
    parser.add_argument("--phase", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--state", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--sink", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase is not None:
        result = phase(args.phase, args.state, args.sink)
        print(RESULT_PREFIX + json.dumps(result), flush=True)
        return 0
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    text, met = report(args.rows)
    print(text)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
