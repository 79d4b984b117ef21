"""Summaries, targets, profiles, RESULTS.md and the chart for ``benchmarks.run``."""

from __future__ import annotations

import io
import os
import platform
import pstats
import re
import statistics
import subprocess
import sys
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from benchmarks import bench_formats
from benchmarks._common import (
    BUFFERED,
    BULK,
    BULK_DEFAULT_QUEUE,
    BULK_ENCODED,
    BULK_MODELS,
    BULK_MODELS_STREAM,
    BULK_PLAIN_STREAM,
    CIO,
    IMPORT_LARGE,
    IMPORT_SMALL,
    PEERS,
    RAW,
    RAW_POST,
    SANDBOX,
    SINGLE,
)

if TYPE_CHECKING:
    from benchmarks.run import RunRecord

ROOT = Path(__file__).resolve().parent.parent
THROUGHPUT_SCENARIOS = (
    BULK,
    BULK_MODELS,
    BULK_MODELS_STREAM,
    BULK_ENCODED,
    BULK_PLAIN_STREAM,
    BULK_DEFAULT_QUEUE,
    IMPORT_SMALL,
    IMPORT_LARGE,
    *bench_formats.SCENARIOS,
)
LATENCY_SCENARIOS = (BUFFERED, SINGLE)

# Targets from the issue.
BULK_PEER_FACTOR = 8.0
BULK_RAW_FRACTION = 0.60
BULK_CPU_US = 12.0
IMPORT_ROWS_PER_S = 60_000.0
IMPORT_RSS_GROWTH = 1.3
IMPORT_RSS_MB = 150.0
BUFFERED_P50_US = 5.0
SINGLE_OVERHEAD = 1.2

PROFILE_TOP = 15
PROFILE_RATE_HZ = 250
# Leaf frames of a thread that is blocked, not working (py-spy may still sample them).
BLOCKING_FRAMES = ("threading.py", "queue.py", "Event.wait", "Condition.wait")
MIB = 1024 * 1024


@dataclass(frozen=True)
class Stat:
    """Median, minimum and maximum of one metric over the runs."""

    median: float
    low: float
    high: float
    runs: int

    @classmethod
    def of(cls, values: Sequence[float]) -> Stat:
        return cls(statistics.median(values), min(values), max(values), len(values))


Summary = dict[tuple[str, str], dict[str, Stat]]


def _metrics(scenario: str, result: dict[str, Any], sink: dict[str, Any]) -> dict[str, float]:
    if scenario in THROUGHPUT_SCENARIOS:
        events = float(result["events"])
        metrics = {
            "events_per_s": events / result["wall_s"],
            "cpu_us_per_event": result["cpu_s"] * 1e6 / events,
            "wall_s": result["wall_s"],
            "peak_rss_mb": result["peak_rss_mb"],
            "rss_before_mb": result.get("rss_before_mb", 0.0),
            "requests": float(sink.get("requests", 0)),
            "bytes": float(sink.get("bytes", 0)),
            "dropped": float(result.get("dropped", 0)),
            "delivered": float(sink.get("unique_messages", 0)),
        }
        if sink.get("requests"):
            metrics["bytes_per_request"] = sink["bytes"] / sink["requests"]
        return metrics
    if scenario in LATENCY_SCENARIOS:
        return {key: float(result[key]) for key in ("p50_us", "p99_us", "mean_us")} | {
            "peak_rss_mb": result["peak_rss_mb"]
        }
    return {
        key: float(value)
        for key, value in result.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def summarise(records: Sequence[RunRecord]) -> Summary:
    """Median/min/max of every metric per (scenario, library), over successful runs."""
    grouped: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    for record in records:
        if record.error or record.lost or not record.result:
            continue
        grouped[(record.scenario, record.library)].append(
            _metrics(record.scenario, record.result, record.sink)
        )
    summary: Summary = {}
    for key, runs in grouped.items():
        names = set().union(*runs)
        summary[key] = {
            name: Stat.of([run[name] for run in runs if name in run]) for name in sorted(names)
        }
    return summary


def _get(summary: Summary, scenario: str, library: str, metric: str) -> Stat | None:
    return summary.get((scenario, library), {}).get(metric)


def fastest_peer(summary: Summary) -> tuple[str, Stat] | None:
    """The peer with the highest median bulk events/s."""
    candidates = [
        (peer, stat)
        for peer in PEERS
        if (stat := _get(summary, BULK, peer, "events_per_s")) is not None
    ]
    return max(candidates, key=lambda item: item[1].median) if candidates else None


@dataclass(frozen=True)
class Target:
    """One target from the issue and how this run did against it."""

    name: str
    scenario: str
    goal: str
    measured: str
    met: bool | None

    @property
    def verdict(self) -> str:
        return "not measured" if self.met is None else ("met" if self.met else "MISSED")


def targets(summary: Summary) -> list[Target]:
    """Every target with its measured value (``met`` is None when not measured)."""
    found: list[Target] = []

    def add(
        name: str, scenario: str, goal: str, value: float | None, fmt: str, *, ok: bool
    ) -> None:
        if value is None:
            found.append(Target(name, scenario, goal, "-", None))
        else:
            found.append(Target(name, scenario, goal, fmt.format(value), ok))

    cio_rate = _get(summary, BULK, CIO, "events_per_s")
    peer = fastest_peer(summary)
    ratio = cio_rate.median / peer[1].median if cio_rate and peer else None
    add(
        "bulk: events/s vs fastest peer",
        BULK,
        f">= {BULK_PEER_FACTOR:g}x",
        ratio,
        "{:.2f}x",
        ok=ratio is not None and ratio >= BULK_PEER_FACTOR,
    )
    for scenario, how in ((BULK_MODELS, "in a list"), (BULK_MODELS_STREAM, "streamed")):
        models_rate = _get(summary, scenario, CIO, "events_per_s")
        models_ratio = models_rate.median / peer[1].median if models_rate and peer else None
        add(
            f"bulk of models ({how}): events/s vs fastest peer",
            scenario,
            f">= {BULK_PEER_FACTOR:g}x",
            models_ratio,
            "{:.2f}x",
            ok=models_ratio is not None and models_ratio >= BULK_PEER_FACTOR,
        )
    raw = _get(summary, BULK, RAW, "events_per_s")
    fraction = cio_rate.median / raw.median if cio_rate and raw else None
    add(
        "bulk: events/s vs raw lower bound",
        BULK,
        f">= {BULK_RAW_FRACTION:.0%}",
        fraction,
        "{:.0%}",
        ok=fraction is not None and fraction >= BULK_RAW_FRACTION,
    )
    cpu = _get(summary, BULK, CIO, "cpu_us_per_event")
    add(
        "bulk: CPU per event",
        BULK,
        f"<= {BULK_CPU_US:g} us",
        cpu.median if cpu else None,
        "{:.1f} us",
        ok=cpu is not None and cpu.median <= BULK_CPU_US,
    )
    delivered = _get(summary, BULK, CIO, "delivered")
    add(
        "bulk: zero loss",
        BULK,
        "0 lost",
        0.0 if delivered else None,
        "{:.0f} lost",
        ok=True,
    )
    rows = _get(summary, IMPORT_LARGE, CIO, "events_per_s")
    add(
        "import 1M rows: rows/s",
        IMPORT_LARGE,
        f">= {IMPORT_ROWS_PER_S:,.0f}",
        rows.median if rows else None,
        "{:,.0f}",
        ok=rows is not None and rows.median >= IMPORT_ROWS_PER_S,
    )
    big = _get(summary, IMPORT_LARGE, CIO, "peak_rss_mb")
    small = _get(summary, IMPORT_SMALL, CIO, "peak_rss_mb")
    growth = big.median / small.median if big and small else None
    add(
        "import: peak RSS 1M / 100k rows",
        IMPORT_LARGE,
        f"<= {IMPORT_RSS_GROWTH:g}x",
        growth,
        "{:.2f}x",
        ok=growth is not None and growth <= IMPORT_RSS_GROWTH,
    )
    add(
        "import 1M rows: peak RSS",
        IMPORT_LARGE,
        f"< {IMPORT_RSS_MB:g} MB",
        big.median if big else None,
        "{:.0f} MB",
        ok=big is not None and big.median < IMPORT_RSS_MB,
    )
    bench_formats.targets(lambda *key: _get(summary, *key), add)
    p50 = _get(summary, BUFFERED, CIO, "p50_us")
    add(
        "buffered track: p50 on caller's thread",
        BUFFERED,
        f"<= {BUFFERED_P50_US:g} us",
        p50.median if p50 else None,
        "{:.1f} us",
        ok=p50 is not None and p50.median <= BUFFERED_P50_US,
    )
    ours = _get(summary, SINGLE, CIO, "p50_us")
    bare = _get(summary, SINGLE, RAW, "p50_us")
    overhead = ours.median / bare.median if ours and bare else None
    add(
        "single call: p50 vs keep-alive requests",
        SINGLE,
        f"<= {SINGLE_OVERHEAD:g}x",
        overhead,
        "{:.2f}x",
        ok=overhead is not None and overhead <= SINGLE_OVERHEAD,
    )
    return found


def missed_targets(summary: Summary) -> list[Target]:
    """Targets measured and missed."""
    return [target for target in targets(summary) if target.met is False]


def target_table(summary: Summary) -> str:
    """The targets as a Markdown table (also printed by the runner)."""
    lines = ["| target | goal | measured (median) | met / missed |", "| --- | --- | --- | --- |"]
    for target in targets(summary):
        lines.append(f"| {target.name} | {target.goal} | {target.measured} | {target.verdict} |")
    return "\n".join(lines)


# Machine ------------------------------------------------------------------------------


def _read(path: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""


def _field(text: str, name: str) -> str:
    for line in text.splitlines():
        if line.lower().startswith(name.lower()) and ":" in line:
            return line.split(":", 1)[1].strip()
    return ""


def _installed_versions(python: str, packages: Sequence[str]) -> dict[str, str]:
    code = (
        "import sys, importlib.metadata as m\n"
        "for name in sys.argv[1:]:\n"
        "    try: print(name, m.version(name))\n"
        "    except m.PackageNotFoundError: pass\n"
    )
    answer = subprocess.run(
        [python, "-c", code, *packages], capture_output=True, text=True, check=False
    )
    return dict(line.split(" ", 1) for line in answer.stdout.splitlines() if " " in line)


def machine_description(peer_python: str | None) -> dict[str, str]:
    """CPU, cores, memory, OS, Python and library versions of this run."""
    cpuinfo = _read("/proc/cpuinfo")
    meminfo = _read("/proc/meminfo")
    memory_kib = _field(meminfo, "MemTotal").split()
    memory = f"{int(memory_kib[0]) / MIB:.1f} GiB" if memory_kib else "unknown"
    ours = _installed_versions(
        sys.executable, ["cio", "pydantic", "pydantic-core", "orjson", "requests", "urllib3"]
    )
    machine = {
        "CPU": _field(cpuinfo, "model name") or platform.processor() or "unknown",
        "logical cores": str(os.cpu_count()),
        "memory": memory,
        "OS": platform.platform(),
        "Python": platform.python_version() + f" ({platform.python_implementation()})",
        "cio environment": ", ".join(f"{k} {v}" for k, v in sorted(ours.items())),
    }
    if peer_python is not None:
        theirs = _installed_versions(
            peer_python,
            [*PEERS, "requests", "urllib3", "backoff", "python-dateutil"],
        )
        peer_py = subprocess.run(
            [peer_python, "-c", "import platform; print(platform.python_version())"],
            capture_output=True,
            text=True,
            check=False,
        ).stdout.strip()
        machine["peers environment"] = f"Python {peer_py}; " + ", ".join(
            f"{k} {v}" for k, v in sorted(theirs.items())
        )
    return machine


# Profiles -----------------------------------------------------------------------------


def _short(location: str) -> str:
    for marker in ("site-packages/", str(ROOT) + "/"):
        if marker in location:
            return location.split(marker, 1)[1]
    return location


def _is_cio_frame(frame: str) -> bool:
    return "cio/" in frame and "benchmarks/" not in frame and not frame.startswith("<module>")


def summarise_py_spy(path: Path, top: int = PROFILE_TOP) -> str:
    """Where the ``cio`` work went, from py-spy's raw (collapsed stack) output.

    Only samples with a ``cio`` frame on the stack count (input generation, imports and
    threads blocked waiting are left out). Two views: the leaf frame (self time, any
    library), and the innermost ``cio`` frame (the line of ``cio`` to look at).
    """
    self_time: Counter[str] = Counter()
    in_cio: Counter[str] = Counter()
    total = everything = 0
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count = int(count_text)
        everything += count
        frames = stack.split(";")
        cio_frames = [frame for frame in frames if _is_cio_frame(frame)]
        blocked = any(marker in frames[-1] for marker in BLOCKING_FRAMES)
        if not cio_frames or blocked or any("importlib" in frame for frame in frames):
            continue
        total += count
        self_time[_short(frames[-1])] += count
        in_cio[_short(cio_frames[-1])] += count
    if not total:
        return "py-spy recorded no samples in cio code"
    out = [
        f"py-spy at {PROFILE_RATE_HZ} Hz over all threads: {total} of {everything} samples "
        "were busy in cio code (the rest: building the input, imports, waiting). py-spy "
        "samples running threads by wall clock, so system calls (os.urandom, socket I/O) "
        "can weigh more here than in CPU time; the stage breakdown is timed on one busy "
        "thread.",
        "",
        "Self time (leaf frame), share of the busy cio samples:",
        "",
    ]
    out += [f"    {count / total:6.1%}  {frame}" for frame, count in self_time.most_common(top)]
    out += ["", "By innermost cio frame (the cio line under which the time is spent):", ""]
    out += [f"    {count / total:6.1%}  {frame}" for frame, count in in_cio.most_common(top)]
    return "\n".join(out)


def summarise_breakdown(result: dict[str, Any]) -> str:
    """The per-stage CPU cost of one bulk event (single thread, no network)."""
    stages = [
        ("validate a dict with its model's compiled dict validator", "validate_us"),
        ("  of which: generate the messageId (cio.models._core.new_message_id)", "message_id_us"),
        ("write the validated dict as JSON (orjson)", "serialize_us"),
        ("the whole per-event call (encode_wire: dispatch, checks, both above)", "encode_us"),
        ("pack bytes into ~500 KB batch bodies", "pack_us"),
        ("for comparison, the model path: parse_message(d).to_json()", "model_path_us"),
    ]
    lines = [f"Time per event by stage, {result['events']:,} events on one thread, no network:", ""]
    lines += [f"    {result[key]:6.2f} us  {label}" for label, key in stages]
    return "\n".join(lines)


def _short_path(text: str) -> str:
    text = text.replace(str(ROOT) + "/", "")
    text = re.sub(r"\S*/site-packages/", "", text)
    return re.sub(r"\S*/lib/python3\.\d+/", "", text)


def summarise_cprofile(path: Path, top: int = PROFILE_TOP) -> str:
    """The top functions by internal time, from a cProfile dump of the measured region."""
    buffer = io.StringIO()
    stats = pstats.Stats(str(path), stream=buffer)
    stats.sort_stats("tottime").print_stats(top)
    lines = buffer.getvalue().splitlines()
    start = next((i for i, line in enumerate(lines) if "ncalls" in line), 0)
    body = [_short_path(line) for line in lines[start:] if line.strip()]
    return "cProfile of the calling thread, measured region only, top by internal time:\n\n" + (
        "\n".join("    " + line for line in body)
    )


# RESULTS.md -----------------------------------------------------------------------------


def _fmt(stat: Stat | None, spec: str = "{:,.0f}") -> str:
    if stat is None:
        return "-"
    return f"{spec.format(stat.median)} ({spec.format(stat.low)} - {spec.format(stat.high)})"


def _libraries(summary: Summary, scenario: str) -> list[str]:
    order = [CIO, RAW, RAW_POST, *PEERS, SANDBOX]
    present = [library for (name, library) in summary if name == scenario]
    return sorted(present, key=lambda lib: order.index(lib) if lib in order else len(order))


def _bulk_table(summary: Summary) -> list[str]:
    peer = fastest_peer(summary)
    raw = _get(summary, BULK, RAW, "events_per_s")
    lines = [
        "| library | events/s | CPU us/event | peak RSS MB (input data alone) | requests "
        "| MB sent | vs fastest peer | vs raw |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for library in _libraries(summary, BULK):
        stats = summary[(BULK, library)]
        rate = stats["events_per_s"]
        vs_peer = f"{rate.median / peer[1].median:.2f}x" if peer else "-"
        vs_raw = f"{rate.median / raw.median:.0%}" if raw else "-"
        rss = f"{_fmt(stats['peak_rss_mb'])} ({stats['rss_before_mb'].median:.0f})"
        lines.append(
            f"| {library} | {_fmt(rate)} | {_fmt(stats['cpu_us_per_event'], '{:.1f}')} | {rss} "
            f"| {stats['requests'].median:,.0f} | {stats['bytes'].median / 1e6:.1f} "
            f"| {vs_peer} | {vs_raw} |"
        )
    return lines


def _bulk_budget(summary: Summary) -> list[str]:
    """What the bulk targets mean in CPU time per event for a single producer thread."""
    peer = fastest_peer(summary)
    raw = _get(summary, BULK, RAW, "events_per_s")
    if peer is None or raw is None:
        return []
    peer_goal = BULK_PEER_FACTOR * peer[1].median
    raw_goal = BULK_RAW_FRACTION * raw.median
    return [
        f"Read as a budget: {BULK_PEER_FACTOR:g}x the fastest peer is {peer_goal:,.0f} events/s, "
        f"at most {1e6 / peer_goal:.1f} us per event on one thread holding the GIL; "
        f"{BULK_RAW_FRACTION:.0%} of the raw lower bound is {raw_goal:,.0f} events/s, at most "
        f"{1e6 / raw_goal:.1f} us per event, less than validating one event costs (see the "
        "stage breakdown below).",
    ]


# The rows of the models table: scenario and what it hands to client.batch.send.
_MODEL_ROWS = (
    (BULK, "dicts (scenario 1)"),
    (BULK_MODELS, "`OrderCompleted` models, built in a list before the clock"),
    (BULK_MODELS_STREAM, "`OrderCompleted` models, built in a generator"),
    (BULK_ENCODED, "floor: the events already encoded (`EncodedMessage`s in a list)"),
    (BULK_PLAIN_STREAM, "floor: a plain pydantic model, no check at all, built in a generator"),
)


def _models_table(summary: Summary) -> list[str]:
    """Scenario 1 with models, and the two floors that bound what a streamed model can reach."""
    peer = fastest_peer(summary)
    if peer is None or not any((scenario, CIO) in summary for scenario, _ in _MODEL_ROWS[1:]):
        return []
    lines = [
        "| what is sent | events/s | wall us/event | CPU us/event | vs fastest peer |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scenario, what in _MODEL_ROWS:
        stats = summary.get((scenario, CIO))
        if stats is None:
            continue
        rate = stats["events_per_s"]
        lines.append(
            f"| {what} | {_fmt(rate)} | {1e6 / rate.median:.1f} "
            f"| {_fmt(stats['cpu_us_per_event'], '{:.1f}')} | {rate.median / peer[1].median:.2f}x |"
        )
    budget = 1e6 / (BULK_PEER_FACTOR * peer[1].median)
    return [
        *lines,
        "",
        f"The same budget: {BULK_PEER_FACTOR:g}x the fastest peer allows {budget:.1f} us of wall "
        "time per event. The first floor is packing and sending alone; the second adds the "
        "least a streamed pydantic model costs (build it, write it with orjson), without "
        "the library's checks (ids, timestamps, the semantic properties, warnings). A model "
        "built inside the measured span can reach the target only if that floor is under "
        "the budget.",
    ]


def _drops_table(summary: Summary) -> list[str]:
    lines = [
        "| library | dropped of 100,000 (default queue of 10,000) | delivered |",
        "| --- | --- | --- |",
    ]
    for library in _libraries(summary, BULK_DEFAULT_QUEUE):
        stats = summary[(BULK_DEFAULT_QUEUE, library)]
        lines.append(f"| {library} | {_fmt(stats['dropped'])} | {_fmt(stats['delivered'])} |")
    return lines


def _import_table(summary: Summary) -> list[str]:
    lines = [
        "| rows | rows/s | CPU us/row | peak RSS MB | requests |",
        "| --- | --- | --- | --- | --- |",
    ]
    for scenario, rows in ((IMPORT_SMALL, "100,000"), (IMPORT_LARGE, "1,000,000")):
        stats = summary.get((scenario, CIO))
        if stats is None:
            lines.append(f"| {rows} | - | - | - | - |")
            continue
        lines.append(
            f"| {rows} | {_fmt(stats['events_per_s'])} "
            f"| {_fmt(stats['cpu_us_per_event'], '{:.1f}')} "
            f"| {_fmt(stats['peak_rss_mb'])} | {stats['requests'].median:,.0f} |"
        )
    lines.extend(bench_formats.table_rows(summary, _fmt))
    return lines


def _latency_table(summary: Summary, scenario: str, baseline: str | None) -> list[str]:
    base = _get(summary, scenario, baseline, "p50_us") if baseline else None
    header = "| library | p50 us | p99 us | mean us |" + (" p50 vs baseline |" if base else "")
    lines = [header, "| --- | --- | --- | --- |" + (" --- |" if base else "")]
    for library in _libraries(summary, scenario):
        stats = summary[(scenario, library)]
        row = (
            f"| {library} | {_fmt(stats['p50_us'], '{:.1f}')} "
            f"| {_fmt(stats['p99_us'], '{:.1f}')} | {_fmt(stats['mean_us'], '{:.1f}')} |"
        )
        if base:
            row += f" {stats['p50_us'].median / base.median:.2f}x |"
        lines.append(row)
    return lines


def _sandbox_table(summary: Summary) -> list[str]:
    stats = summary.get((SANDBOX, SANDBOX))
    if not stats:
        return ["Not measured (benchmarks/bench_sandbox.py missing or failed)."]
    lines = ["| metric | median (min - max) |", "| --- | --- |"]
    for name, stat in stats.items():
        if name in ("peak_rss_mb",):
            continue
        lines.append(f"| {name} | {_fmt(stat, '{:,.1f}')} |")
    return lines


def _spark_table(summary: Summary) -> list[str]:
    stats = summary.get(("spark", CIO))
    if not stats:
        return ["Not measured (benchmarks/bench_spark.py missing, not selected or failed)."]
    lines = ["| metric | value |", "| --- | --- |"]
    for name, stat in stats.items():
        if name.startswith(("spark_", "single_")):
            lines.append(f"| {name} | {_fmt(stat, '{:,.1f}')} |")
    return lines


def write_markdown(
    summary: Summary,
    machine: dict[str, str],
    profiles: dict[str, str],
    failed: Sequence[RunRecord],
    *,
    duration: float,
    path: Path,
) -> None:
    """Write RESULTS.md."""
    runs = max((stat.runs for stats in summary.values() for stat in stats.values()), default=0)
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    out = [
        "# Benchmark results",
        "",
        f"Generated by `make bench` on {stamp} in {duration:.0f} s. Do not edit by hand.",
        f"Every figure is the median of {runs} runs with (min - max); each run is a fresh "
        "process, against a counting sink in another process on 127.0.0.1.",
        "The sink checks every messageId: a single lost event fails the benchmark.",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        *[f"| {key} | {value} |" for key, value in machine.items()],
        "",
        "## Targets",
        "",
        target_table(summary),
        "",
        "![results](results.png)",
        "",
        '## 1. Bulk: 100,000 "Order Completed" events',
        "",
        "From plain dicts (10 properties, 2 products) to the sink, clock and CPU from the first "
        "dict to the last acknowledged request. `raw` posts the same events pre-serialized in "
        "~500 KB batches over one `requests.Session` (the lower bound). The peers run with a "
        "queue of 1,000,000 so that they drop nothing. Peak RSS includes the 100,000 input "
        "dicts; the figure in brackets is the RSS before the clock started.",
        "",
        *_bulk_table(summary),
        "",
        *_bulk_budget(summary),
        "",
        "### Typed models, and what a streamed model can cost",
        "",
        "The same events through `client.batch.send` in other forms; the floors are "
        "measurements, not targets (`benchmarks/cio_side.py`, `bulk_floor`).",
        "",
        *_models_table(summary),
        "",
        "### The peers at default settings (100,000-event burst)",
        "",
        "Their queue holds 10,000 messages; `track` returns False for the rest, which are "
        "dropped (only a log line says so).",
        "",
        *_drops_table(summary),
        "",
        "## 2. Import: `cio import FILE --kind identify`",
        "",
        "A generated CSV of identify rows, imported in the worker process through the CLI "
        "entry point to the sink.",
        "",
        *_import_table(summary),
        "",
        "## 3. Buffered sender: one `track` call on the caller's thread",
        "",
        "Each call copies the containers it is given (the properties dict, its nested "
        "list of products and their dicts), so a caller that reuses one dict sends every "
        "event with its own values; that copy is part of the figures below.",
        "",
        *_latency_table(summary, BUFFERED, None),
        "",
        "## 4. Single synchronous call",
        "",
        "One event per request. The baseline is `raw`: a keep-alive `requests.Session.post` "
        "of the same bytes; `raw-requests.post` is a bare `requests.post` (new connection "
        "per call). The peers use `sync_mode=True`.",
        "",
        *_latency_table(summary, SINGLE, RAW),
        "",
        "## 5. Sandbox: batch requests per second served",
        "",
        *_sandbox_table(summary),
        "",
        "## 6. Spark: `cio.spark.send` in `local[2]` against a single-process import",
        "",
        "The same 1,000,000 identify rows: `cio.io.import_dataframe` in one process, then "
        "`cio.spark.send` from a cached DataFrame of 8 partitions (Spark start-up not timed). "
        "See `benchmarks/bench_spark.py`.",
        "",
        *_spark_table(summary),
        "",
    ]
    if profiles:
        out += ["## Profiles of missed targets", ""]
        for name, text in profiles.items():
            out += [f"### {name}", "", "```", text, "```", ""]
    if failed:
        out += ["## Runs that failed", ""]
        out += [f"- {r.scenario} / {r.library} run {r.run}: {r.error}" for r in failed]
        out.append("")
    path.write_text("\n".join(out), encoding="utf-8")


# Chart --------------------------------------------------------------------------------


def write_chart(summary: Summary, path: Path) -> None:
    """A 2x3 figure of the main figures, with min-max error bars."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colours = {
        CIO: "#1f77b4",
        RAW: "#7f7f7f",
        RAW_POST: "#bcbd22",
        PEERS[0]: "#ff7f0e",
        PEERS[1]: "#2ca02c",
    }
    figure, axes = plt.subplots(2, 3, figsize=(16, 9))
    figure.suptitle("cio benchmarks: median of runs, error bars min to max", fontsize=14)

    def bars(axis: Any, scenario: str, metric: str, title: str, label: str) -> None:
        libraries = _libraries(summary, scenario)
        for position, library in enumerate(libraries):
            stat = summary[(scenario, library)].get(metric)
            if stat is None:
                continue
            axis.bar(
                position,
                stat.median,
                yerr=[[stat.median - stat.low], [stat.high - stat.median]],
                color=colours.get(library, "#9467bd"),
                label=library,
                capsize=4,
            )
        axis.set_xticks(range(len(libraries)), [""] * len(libraries))
        axis.set_title(title)
        axis.set_ylabel(label)
        axis.set_xlabel("library")
        if libraries:
            axis.legend(fontsize=8)

    bars(axes[0][0], BULK, "events_per_s", "Bulk: 100k events", "throughput (events/s)")
    bars(axes[0][1], BULK, "cpu_us_per_event", "Bulk: client CPU", "CPU per event (us)")
    bars(axes[0][2], BULK, "peak_rss_mb", "Bulk: peak RSS", "peak RSS (MB)")

    latency = axes[1][0]
    libraries = _libraries(summary, BUFFERED)
    width = 0.38
    for offset, metric in ((-width / 2, "p50_us"), (width / 2, "p99_us")):
        values = [summary[(BUFFERED, lib)][metric].median for lib in libraries]
        latency.bar([i + offset for i in range(len(libraries))], values, width, label=metric[:3])
    latency.set_xticks(range(len(libraries)), libraries, rotation=15, fontsize=8)
    latency.set_title("Buffered track: caller's thread")
    latency.set_ylabel("time per call (us)")
    latency.set_xlabel("library")
    latency.legend()

    bars(axes[1][1], SINGLE, "p50_us", "Single synchronous call (p50)", "latency (us)")

    imports = axes[1][2]
    scenarios = [(IMPORT_SMALL, "100k rows"), (IMPORT_LARGE, "1M rows")]
    present = [(s, label) for s, label in scenarios if (s, CIO) in summary]
    rss = [summary[(s, CIO)]["peak_rss_mb"].median for s, _ in present]
    rates = [summary[(s, CIO)]["events_per_s"].median / 1000 for s, _ in present]
    xs = range(len(present))
    imports.bar([x - width / 2 for x in xs], rss, width, label="peak RSS (MB)", color="#1f77b4")
    imports.bar(
        [x + width / 2 for x in xs], rates, width, label="rows/s (thousands)", color="#17becf"
    )
    imports.axhline(IMPORT_RSS_MB, color="red", linestyle="--", label="RSS limit 150 MB")
    imports.set_xticks(list(xs), [label for _, label in present])
    imports.set_title("cio import (identify CSV)")
    imports.set_ylabel("MB  /  thousand rows per second")
    imports.set_xlabel("file size")
    imports.legend(fontsize=8)

    figure.tight_layout(rect=(0, 0, 1, 0.96))
    figure.savefig(path, dpi=90)
    plt.close(figure)
