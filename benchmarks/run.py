"""Run every benchmark scenario for ``cio``, the peers and the baselines; write the results.

``python -m benchmarks.run`` (what ``make bench`` calls):

1. installs the peers (``benchmarks/requirements-peers.txt``) into their own environment
   in ``benchmarks/.work/venv-peers`` the first time;
2. starts the counting sink in its own process;
3. runs each scenario, for each library, in a fresh worker process, several times;
4. checks every run against the sink: a single lost event stops the run with exit
   status 2, and nothing is written to RESULTS.md;
5. profiles ``cio`` where a target is missed, then writes ``benchmarks/RESULTS.md`` and
   ``benchmarks/results.png`` and prints the target table.

Exit status: 0 all measured (targets met or not, see RESULTS.md), 1 a run failed,
2 an event was lost.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
import venv
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

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
    RESULT_PREFIX,
    SANDBOX,
    SINGLE,
)
from benchmarks.data import WORK_DIR, identify_csv
from benchmarks.sink import SinkProcess

ROOT = Path(__file__).resolve().parent.parent
BENCH_DIR = ROOT / "benchmarks"
PEERS_VENV = WORK_DIR / "venv-peers"
PEERS_REQUIREMENTS = BENCH_DIR / "requirements-peers.txt"
RAW_RESULTS = WORK_DIR / "results.json"
RESULTS_MD = BENCH_DIR / "RESULTS.md"
RESULTS_PNG = BENCH_DIR / "results.png"

PEER_LIBRARIES = PEERS
SANDBOX_SCENARIO = "sandbox"
SPARK_SCENARIO = "spark"
MODELS_SCENARIO = "models"  # benchmarks/bench_models.py: typed models against the dict path
SCENARIOS = (
    BULK,
    BULK_MODELS,
    BULK_MODELS_STREAM,
    BULK_ENCODED,
    BULK_PLAIN_STREAM,
    BULK_DEFAULT_QUEUE,
    IMPORT_SMALL,
    IMPORT_LARGE,
    *bench_formats.SCENARIOS,
    BUFFERED,
    SINGLE,
)
SYNC_SCENARIO = "sync"  # benchmarks/bench_sync.py, run after the others
ALL_SCENARIOS = (*SCENARIOS, SANDBOX_SCENARIO, SPARK_SCENARIO, SYNC_SCENARIO, MODELS_SCENARIO)

BULK_EVENTS = 100_000
IMPORT_ROWS_SMALL = 100_000
IMPORT_ROWS_LARGE = 1_000_000
BUFFERED_CALLS = 20_000
SINGLE_CALLS = 1_000
SINGLE_WARMUP = 50
SANDBOX_SECONDS = 3.0
SPARK_ROWS = 1_000_000
SPARK_RUNS = 1  # a run sends the rows twice (Spark, then one process) and starts a JVM
NO_DROP_QUEUE_SIZE = 1_000_000
DEFAULT_RUNS = 3
WORKER_TIMEOUT_SECONDS = 300.0
# Past this many seconds of measuring, missed targets are not profiled (keeps the whole
# of `make bench` under 10 minutes on the 2-core machine).
PROFILE_DEADLINE_SECONDS = 450.0

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_LOST = 2


@dataclass
class Job:
    """One (scenario, library) pair, run ``runs`` times in fresh worker processes."""

    scenario: str
    library: str
    worker_args: list[str]
    python: str
    check_loss: bool = True
    runs: int = DEFAULT_RUNS


@dataclass
class RunRecord:
    """One run: the worker's own figures plus what the sink received."""

    scenario: str
    library: str
    run: int
    result: dict[str, Any] = field(default_factory=dict)
    sink: dict[str, Any] = field(default_factory=dict)
    error: str = ""
    lost: int = 0


def log(message: str) -> None:
    """Progress on stderr, so stdout stays the summary."""
    print(message, file=sys.stderr, flush=True)


def peers_python(install: bool = True) -> str | None:
    """The peers' interpreter, creating their environment on first use."""
    python = PEERS_VENV / "bin" / "python"
    stamp = PEERS_VENV / ".installed"
    wanted = PEERS_REQUIREMENTS.read_text()
    if python.exists() and stamp.exists() and stamp.read_text() == wanted:
        return str(python)
    if not install:
        return None
    log(f"installing the peers into {PEERS_VENV.relative_to(ROOT)} ...")
    if PEERS_VENV.exists():
        shutil.rmtree(PEERS_VENV)
    venv.EnvBuilder(with_pip=True, clear=True).create(PEERS_VENV)
    pip = [str(python), "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
    subprocess.run([*pip, "-r", str(PEERS_REQUIREMENTS)], check=True)
    stamp.write_text(wanted)
    return str(python)


def py_spy() -> str | None:
    """The py-spy executable from the peers' environment, if it installed there."""
    candidate = PEERS_VENV / "bin" / "py-spy"
    return str(candidate) if candidate.exists() else None


def plan(
    scenarios: Sequence[str],
    libraries: Sequence[str],
    runs: int,
    bulk_events: int,
    peer_python: str | None,
) -> list[Job]:
    """The jobs to run, in order."""
    ours = sys.executable
    jobs: list[Job] = []
    wanted = set(libraries)

    def add(scenario: str, library: str, args: list[str], python: str | None, **kw: Any) -> None:
        if scenario in scenarios and library in wanted and python is not None:
            jobs.append(Job(scenario, library, args, python, runs=runs, **kw))

    bulk_args = ["bulk", "--events", str(bulk_events)]
    add(BULK, CIO, [*bulk_args[:1], CIO, *bulk_args[1:]], ours)
    add(BULK, RAW, [*bulk_args[:1], RAW, *bulk_args[1:]], ours)
    for models in (BULK_MODELS, BULK_MODELS_STREAM, BULK_ENCODED, BULK_PLAIN_STREAM):
        add(models, CIO, [models, CIO, *bulk_args[1:]], ours)
    for peer in PEER_LIBRARIES:
        queue = ["--queue-size", str(NO_DROP_QUEUE_SIZE)]
        add(BULK, peer, [*bulk_args[:1], peer, *bulk_args[1:], *queue], peer_python)
        add(BULK_DEFAULT_QUEUE, peer, [*bulk_args[:1], peer, *bulk_args[1:]], peer_python)
    if IMPORT_SMALL in scenarios or IMPORT_LARGE in scenarios:
        for scenario, rows in (
            (IMPORT_SMALL, IMPORT_ROWS_SMALL),
            (IMPORT_LARGE, IMPORT_ROWS_LARGE),
        ):
            if scenario in scenarios and CIO in wanted:
                path = identify_csv(rows)
                args = ["import", CIO, "--events", str(rows), "--file", str(path)]
                add(scenario, CIO, args, ours)
    if CIO in wanted:
        bench_formats.add_jobs(add, scenarios, ours)
    calls = ["--events", str(BUFFERED_CALLS)]
    add(BUFFERED, CIO, [BUFFERED, CIO, *calls], ours)
    for peer in PEER_LIBRARIES:
        add(BUFFERED, peer, [BUFFERED, peer, *calls], peer_python)
    single = ["--events", str(SINGLE_CALLS), "--warmup", str(SINGLE_WARMUP)]
    add(SINGLE, CIO, [SINGLE, CIO, *single], ours)
    add(SINGLE, RAW, [SINGLE, RAW, *single], ours)
    add(SINGLE, RAW_POST, [SINGLE, RAW_POST, *single], ours)
    for peer in PEER_LIBRARIES:
        add(SINGLE, peer, [SINGLE, peer, *single], peer_python)
    if (BENCH_DIR / "bench_sandbox.py").exists():
        sandbox_args = [SANDBOX_SCENARIO, SANDBOX, "--seconds", str(SANDBOX_SECONDS)]
        add(SANDBOX_SCENARIO, SANDBOX, sandbox_args, ours, check_loss=False)
    if (BENCH_DIR / "bench_spark.py").exists() and SPARK_SCENARIO in scenarios and CIO in wanted:
        spark_args = [SPARK_SCENARIO, CIO, "--events", str(SPARK_ROWS)]
        jobs.append(Job(SPARK_SCENARIO, CIO, spark_args, ours, runs=SPARK_RUNS))
    return jobs


def _worker_env() -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIO_")}
    env["PYTHONPATH"] = str(ROOT)
    env["PYTHONHASHSEED"] = "0"
    return env


def run_worker(
    job: Job, sink: SinkProcess, extra: Sequence[str] = (), wrapper: Sequence[str] = ()
) -> tuple[dict[str, Any], str]:
    """Run one worker; return its result dict (empty on failure) and an error text."""
    command = [*wrapper, job.python, "-m", "benchmarks.worker", *job.worker_args]
    command += ["--sink", sink.url, *extra]
    try:
        finished = subprocess.run(
            command,
            cwd=ROOT,
            env=_worker_env(),
            capture_output=True,
            text=True,
            timeout=WORKER_TIMEOUT_SECONDS,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {}, f"timed out after {WORKER_TIMEOUT_SECONDS:.0f}s"
    for line in reversed(finished.stdout.splitlines()):
        if line.startswith(RESULT_PREFIX):
            return json.loads(line[len(RESULT_PREFIX) :]), ""
    tail = (finished.stderr or finished.stdout).strip().splitlines()[-8:]
    return {}, f"exit status {finished.returncode}: " + " | ".join(tail)


def expected_messages(job: Job, result: dict[str, Any]) -> int:
    """How many distinct messages the sink must hold after this run."""
    if "accepted" in result:
        return int(result["accepted"])
    return int(result["events"])


def loss_of(job: Job, result: dict[str, Any], sink: dict[str, Any]) -> tuple[int, str]:
    """Events lost in a run, and why; zero when everything arrived."""
    events = int(result["events"])
    unique = int(sink["unique_messages"])
    reasons = []
    lost = 0
    if job.scenario != BULK_DEFAULT_QUEUE and int(result.get("dropped", 0)):
        reasons.append(f"the library dropped {result['dropped']}")
        lost = max(lost, int(result["dropped"]))
    for key in ("failed", "rejected"):
        if int(result.get(key) or 0):
            reasons.append(f"the library reported {result[key]} {key}")
            lost = max(lost, int(result[key]))
    if int(result.get("exit_status", 0)):
        reasons.append(f"the command exited with status {result['exit_status']}")
        lost = max(lost, 1)
    wanted = expected_messages(job, result) if job.scenario == BULK_DEFAULT_QUEUE else events
    if unique < wanted:
        reasons.append(f"the sink received {unique} distinct messages of {wanted}")
        lost = max(lost, wanted - unique)
    return lost, "; ".join(reasons)


def execute(jobs: Sequence[Job], sink: SinkProcess) -> list[RunRecord]:
    """Run every job; stop at the first lost event."""
    records: list[RunRecord] = []
    started = time.monotonic()
    for job in jobs:
        for run in range(1, job.runs + 1):
            sink.reset()
            result, error = run_worker(job, sink)
            record = RunRecord(job.scenario, job.library, run, result, asdict(sink.stats()), error)
            records.append(record)
            elapsed = time.monotonic() - started
            label = f"[{elapsed:6.1f}s] {job.scenario:<18} {job.library:<26} run {run}"
            if error:
                log(f"{label}: FAILED ({error})")
                break
            if job.check_loss:
                record.lost, why = loss_of(job, result, record.sink)
                if record.lost:
                    log(f"{label}: LOST {record.lost} EVENTS ({why})")
                    return records
            log(f"{label}: {describe(job.scenario, result)}")
    return records


def describe(scenario: str, result: dict[str, Any]) -> str:
    """One progress line for a run."""
    if scenario in (
        BULK,
        BULK_MODELS,
        BULK_MODELS_STREAM,
        BULK_ENCODED,
        BULK_PLAIN_STREAM,
        BULK_DEFAULT_QUEUE,
        IMPORT_SMALL,
        IMPORT_LARGE,
        *bench_formats.SCENARIOS,
    ):
        rate = result["events"] / result["wall_s"]
        cpu = result["cpu_s"] * 1e6 / result["events"]
        text = f"{rate:,.0f}/s, {cpu:.1f} CPU us/event, peak RSS {result['peak_rss_mb']:.0f} MB"
        if result.get("dropped"):
            text += f", dropped {result['dropped']:,}"
        return text
    if scenario in (BUFFERED, SINGLE):
        return f"p50 {result['p50_us']:.1f} us, p99 {result['p99_us']:.1f} us"
    return json.dumps(result)[:160]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=DEFAULT_RUNS, help="runs per measurement")
    parser.add_argument(
        "--scenarios", nargs="+", choices=ALL_SCENARIOS, default=list(ALL_SCENARIOS)
    )
    parser.add_argument(
        "--libraries",
        nargs="+",
        default=[CIO, RAW, RAW_POST, *PEER_LIBRARIES, SANDBOX],
        help="libraries to measure (cio, raw, raw-requests.post, the peers, sandbox)",
    )
    parser.add_argument("--bulk-events", type=int, default=BULK_EVENTS)
    parser.add_argument("--no-report", action="store_true", help="do not write RESULTS.md/png")
    parser.add_argument("--no-profile", action="store_true", help="skip profiling missed targets")
    parser.add_argument("--json", type=Path, default=RAW_RESULTS, help="where to keep every run")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    from benchmarks import report

    started = time.monotonic()
    load_at_start = os.getloadavg()
    needs_peers = any(library in PEER_LIBRARIES for library in args.libraries)
    peer_python = peers_python() if needs_peers else None
    jobs = plan(args.scenarios, args.libraries, args.runs, args.bulk_events, peer_python)
    with SinkProcess(cwd=ROOT) as sink:
        records = execute(jobs, sink)
        summary = report.summarise(records)
        lost = [record for record in records if record.lost]
        failed = [record for record in records if record.error]
        profiles: dict[str, str] = {}
        if not lost and not args.no_profile and not args.no_report:
            profiles = profile_missed(summary, jobs, sink, time.monotonic() - started)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps([asdict(record) for record in records], indent=1))
    if lost:
        log("")
        log("EVENTS WERE LOST; no results are written. Lost runs:")
        for record in lost:
            log(f"  {record.scenario} / {record.library} run {record.run}: {record.lost} lost")
        return EXIT_LOST
    duration = time.monotonic() - started
    if not args.no_report:
        machine = report.machine_description(peer_python)
        machine["load average 1/5/15 min (start; end)"] = "; ".join(
            " ".join(f"{value:.2f}" for value in loads)
            for loads in (load_at_start, os.getloadavg())
        )
        report.write_markdown(
            summary, machine, profiles, failed, duration=duration, path=RESULTS_MD
        )
        report.write_chart(summary, RESULTS_PNG)
        log(f"wrote {RESULTS_MD.relative_to(ROOT)} and {RESULTS_PNG.relative_to(ROOT)}")
    print(report.target_table(summary))
    if SYNC_SCENARIO in args.scenarios and CIO in args.libraries:
        from benchmarks import bench_sync

        log("running the sync scenario (benchmarks/bench_sync.py) ...")
        print(bench_sync.run_and_record(write=not args.no_report))
    if MODELS_SCENARIO in args.scenarios and CIO in args.libraries:
        from benchmarks import bench_models

        bench_models.main(["--no-write"] if args.no_report else [])
    log(f"benchmarks took {duration:.0f}s")
    if failed:
        log("some runs failed:")
        for record in failed:
            log(f"  {record.scenario} / {record.library}: {record.error}")
        return EXIT_FAILED
    return EXIT_OK


def profile_missed(
    summary: Any, jobs: Sequence[Job], sink: SinkProcess, elapsed: float
) -> dict[str, str]:
    """Profile cio once per scenario with a missed target; heading -> profile text."""
    from benchmarks import report

    missed: dict[str, list[str]] = {}
    for target in report.missed_targets(summary):
        # The 100k-row import runs the same code as the 1M one, ten times sooner.
        scenario = IMPORT_SMALL if target.scenario == IMPORT_LARGE else target.scenario
        missed.setdefault(scenario, []).append(target.name)
    profiles: dict[str, str] = {}
    for scenario, names in missed.items():
        heading = f"{scenario} (missed: {'; '.join(names)})"
        job = next((j for j in jobs if j.scenario == scenario and j.library == CIO), None)
        if job is None:
            continue
        if elapsed > PROFILE_DEADLINE_SECONDS:
            profiles[heading] = (
                f"Not profiled: the measurements took {elapsed:.0f} s, and profiling would "
                "push `make bench` past 10 minutes. Run `python -m benchmarks.run "
                f"--scenarios {scenario} --libraries cio --runs 1` to profile it alone."
            )
            continue
        log(f"profiling {scenario} for cio ...")
        began = time.monotonic()
        profiles[heading] = profile(job, sink)
        elapsed += time.monotonic() - began
    return profiles


def profile(job: Job, sink: SinkProcess) -> str:
    """Profile one ``cio`` run: py-spy over all threads (when it installed) and cProfile
    of the calling thread; for the bulk scenario also the per-stage CPU breakdown."""
    from benchmarks import report

    WORK_DIR.mkdir(parents=True, exist_ok=True)
    parts: list[str] = []
    if job.scenario == BULK:
        stages = Job("breakdown", CIO, ["breakdown", CIO, "--events", "20000"], job.python)
        result, error = run_worker(stages, sink)
        parts.append(report.summarise_breakdown(result) if result else f"breakdown: {error}")
    spy = py_spy()
    if spy is not None:
        sink.reset()
        out = WORK_DIR / f"profile-{job.scenario}.txt"
        wrapper = [spy, "record", "--format", "raw", "--rate", str(report.PROFILE_RATE_HZ)]
        wrapper += ["--output", str(out), "--"]
        _, error = run_worker(job, sink, wrapper=wrapper)
        ok = not error and out.exists()
        parts.append(report.summarise_py_spy(out) if ok else f"py-spy failed: {error}")
    sink.reset()
    out = WORK_DIR / f"profile-{job.scenario}.pstats"
    _, error = run_worker(job, sink, extra=["--profile", str(out)])
    ok = not error and out.exists()
    parts.append(report.summarise_cprofile(out) if ok else f"cProfile failed: {error}")
    return "\n\n".join(parts)


if __name__ == "__main__":
    sys.exit(main())
