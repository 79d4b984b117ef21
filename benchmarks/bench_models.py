"""Typed models against the compiled dict path, and the cost of importing them (issue 21).

A notebook user builds models into a list, then sends them. This measures, each in a
fresh process with the garbage collector at its defaults:

Times are CPU time of the measuring process (the benchmark machine is shared), except
the import times, which are wall times of whole launches (best of several).

* ``build+hold``: building 100,000 models from keyword arguments and keeping them in a
  list, one third each of ``OrderCompleted`` (two products), ``Identify`` (two traits)
  and a custom ``Track``; per event. Also with the collector off, for comparison.
* ``dict path``: :func:`cio.models.encode_message` on the equivalent dicts (built the
  same way, results kept), per event: the compiled path the targets compare with.
* ``to bytes``: ``model.to_json()`` of each built model, per event.
* ``import``: ``python -c "import cio.models"`` against ``python -c "import pydantic"``,
  wall time of the whole process (best of several launches), and the first use of a
  model in a fresh process (its schema is built then).

Targets: build+hold at most 2x the dict path; to bytes no slower than the dict path;
``import cio.models`` at most 1.5x ``import pydantic``.

``python -m benchmarks.bench_models`` prints the table and writes
``benchmarks/MODELS.md``; ``benchmarks.run`` calls :func:`main` after the other
scenarios.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Final

ROOT: Final = Path(__file__).resolve().parent.parent
RESULTS: Final = ROOT / "benchmarks" / "MODELS.md"
PYCACHE: Final = ROOT / "benchmarks" / ".work" / "pycache"
EVENTS: Final = 100_000
RUNS: Final = 3
IMPORT_LAUNCHES: Final = 7
WARMUP: Final = 30
MICROSECONDS: Final = 1e6
MILLISECONDS: Final = 1e3
IMPORTTIME_COLUMNS: Final = 3
BUILD_TARGET: Final = 2.0
IMPORT_TARGET: Final = 1.5
KINDS: Final = 3
BASE_TIME: Final = datetime(2024, 6, 1, tzinfo=timezone.utc)
MEASURES: Final = ("models", "models-nogc", "dicts", "first-use")


def _properties(index: int) -> dict[str, Any]:
    return {
        "order_id": f"order-{index}",
        "total": 27.5,
        "currency": "USD",
        "products": [
            {
                "product_id": f"p-{index}",
                "sku": "S-1",
                "name": "Book",
                "price": 10.5,
                "quantity": 2,
            },
            {"product_id": f"q-{index}", "sku": "S-2", "name": "Pen", "price": 3.25, "quantity": 2},
        ],
    }


def build_models(count: int) -> list[Any]:
    """``count`` models from keyword arguments, as a notebook builds them."""
    from cio.models import Identify, Track
    from cio.models.semantic import OrderCompleted

    built: list[Any] = []
    append = built.append
    for index in range(count):
        user = f"user-{index}"
        kind = index % KINDS
        if kind == 0:
            when = BASE_TIME + timedelta(seconds=index)
            append(OrderCompleted(user_id=user, timestamp=when, properties=_properties(index)))
        elif kind == 1:
            append(Identify(user_id=user, traits={"email": f"{user}@example.com", "plan": "pro"}))
        else:
            append(Track(user_id=user, event="Signed Up", properties={"plan": "pro", "n": index}))
    return built


def encode_dicts(count: int) -> list[Any]:
    """The same messages as dicts, through the compiled dict path; results kept."""
    from cio.models import encode_message

    encoded: list[Any] = []
    append = encoded.append
    for index in range(count):
        user = f"user-{index}"
        kind = index % KINDS
        if kind == 0:
            data = {
                "type": "track",
                "userId": user,
                "event": "Order Completed",
                "timestamp": BASE_TIME + timedelta(seconds=index),
                "properties": _properties(index),
            }
        elif kind == 1:
            data = {
                "type": "identify",
                "userId": user,
                "traits": {"email": f"{user}@example.com", "plan": "pro"},
            }
        else:
            data = {
                "type": "track",
                "userId": user,
                "event": "Signed Up",
                "properties": {"plan": "pro", "n": index},
            }
        append(encode_message(data))
    return encoded


def _timed(function: Callable[[], Any]) -> tuple[float, Any]:
    """CPU seconds of this process spent in ``function`` (the machine may be shared)."""
    started = time.process_time()
    result = function()
    return time.process_time() - started, result


def measure(kind: str, count: int) -> dict[str, float]:
    """One measurement in this process (run it in a fresh one)."""
    if kind == "first-use":
        started = time.perf_counter()
        from cio.models.semantic import OrderCompleted

        imported = time.perf_counter()
        OrderCompleted(user_id="u", properties=_properties(0)).to_json()
        used = time.perf_counter()
        return {
            "import_ms": (imported - started) * MILLISECONDS,
            "first_ms": (used - imported) * MILLISECONDS,
        }
    # Warm up: compile the codecs and build each model's schema before timing.
    build_models(WARMUP)
    encode_dicts(WARMUP)
    gc.collect()
    if kind == "dicts":
        seconds, _ = _timed(lambda: encode_dicts(count))
        return {"us_per_event": seconds / count * MICROSECONDS}
    if kind == "models-nogc":
        gc.disable()
    seconds, models = _timed(lambda: build_models(count))
    gc.enable()
    to_bytes, _ = _timed(lambda: [model.to_json() for model in models])
    return {
        "us_per_event": seconds / count * MICROSECONDS,
        "to_json_us": to_bytes / count * MICROSECONDS,
    }


def _fresh(arguments: Sequence[str]) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    # Byte-code cached outside the tree, as an installed package has it.
    env |= {"PYTHONPATH": str(ROOT), "PYTHONHASHSEED": "0", "PYTHONPYCACHEPREFIX": str(PYCACHE)}
    return subprocess.run(
        [sys.executable, *arguments], cwd=ROOT, env=env, capture_output=True, text=True, check=True
    )


def _in_fresh_process(kind: str, count: int) -> dict[str, float]:
    done = _fresh(["-m", "benchmarks.bench_models", "--measure", kind, "--events", str(count)])
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _launch_seconds(statement: str) -> float:
    """Best wall time of ``python -c statement`` over several fresh launches."""
    _fresh(["-c", statement])  # writes the byte-code cache
    times = []
    for _ in range(IMPORT_LAUNCHES):
        started = time.perf_counter()
        _fresh(["-c", statement])
        times.append(time.perf_counter() - started)
    return min(times)


def own_import_ms(package: str = "cio.models") -> float:
    """Milliseconds spent in ``package``'s own modules while importing it (``-X importtime``
    self times), best of several launches: what it costs beyond what it imports."""
    best = float("inf")
    for _ in range(IMPORT_LAUNCHES):
        done = _fresh(["-X", "importtime", "-c", f"import {package}"])
        total = 0
        for line in done.stderr.splitlines():
            parts = line.split("|")
            if len(parts) == IMPORTTIME_COLUMNS and parts[2].strip().startswith(package):
                total += int(parts[0].split(":")[1])
        best = min(best, total / MILLISECONDS)
    return best


def collect(count: int = EVENTS, runs: int = RUNS) -> dict[str, float]:
    """Every figure, each the median of ``runs`` fresh processes."""
    figures: dict[str, float] = {}
    for kind in ("models", "models-nogc", "dicts"):
        results = [_in_fresh_process(kind, count) for _ in range(runs)]
        for key in results[0]:
            figures[f"{kind}.{key}"] = statistics.median(result[key] for result in results)
    first = [_in_fresh_process("first-use", 1) for _ in range(runs)]
    figures["first_use_ms"] = statistics.median(result["first_ms"] for result in first)
    figures["import_pydantic_s"] = _launch_seconds("import pydantic")
    figures["import_cio_models_s"] = _launch_seconds("import cio.models")
    figures["python_start_s"] = _launch_seconds("pass")
    figures["own_import_ms"] = own_import_ms()
    return figures


def table(figures: dict[str, float]) -> str:
    """The results as a Markdown table with each target and whether it is met."""
    dict_path = figures["dicts.us_per_event"]
    built = figures["models.us_per_event"]
    to_json = figures["models.to_json_us"]
    imported = figures["import_cio_models_s"]
    pydantic = figures["import_pydantic_s"]
    rows = [
        (
            "build+hold a model (GC on), us/event",
            f"{built:.2f}",
            f"<= {BUILD_TARGET:.0f}x dict path",
            built <= BUILD_TARGET * dict_path,
        ),
        (
            "build+hold a model (GC off), us/event",
            f"{figures['models-nogc.us_per_event']:.2f}",
            "",
            None,
        ),
        ("dict path (encode_message), us/event", f"{dict_path:.2f}", "", None),
        (
            "build+hold / dict path",
            f"{built / dict_path:.2f}x",
            f"<= {BUILD_TARGET:.1f}x",
            built <= BUILD_TARGET * dict_path,
        ),
        (
            "built model to bytes (to_json), us/event",
            f"{to_json:.2f}",
            "<= dict path",
            to_json <= dict_path,
        ),
        ("python -c 'import pydantic', s", f"{pydantic:.3f}", "", None),
        (
            "python -c 'import cio.models', s",
            f"{imported:.3f}",
            f"<= {IMPORT_TARGET}x pydantic",
            imported <= IMPORT_TARGET * pydantic,
        ),
        ("python -c 'pass', s", f"{figures['python_start_s']:.3f}", "", None),
        (
            "cio.models' own modules during that import, ms",
            f"{figures['own_import_ms']:.1f}",
            "",
            None,
        ),
        (
            "first OrderCompleted built and serialized, ms",
            f"{figures['first_use_ms']:.1f}",
            "",
            None,
        ),
    ]
    lines = ["| measure | value | target | met |", "|---|---|---|---|"]
    for label, value, target, met in rows:
        verdict = "" if met is None else ("yes" if met else "NO")
        lines.append(f"| {label} | {value} | {target} | {verdict} |")
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Measure (or, with ``--measure``, take one measurement); print and write the table.

    Parameters
    ----------
    argv : sequence of str, optional
        Command-line arguments.

    Returns
    -------
    int
        0.
    """
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--measure", choices=MEASURES)
    parser.add_argument("--events", type=int, default=EVENTS)
    parser.add_argument("--runs", type=int, default=RUNS)
    parser.add_argument("--no-write", action="store_true", help="print only")
    args = parser.parse_args(argv)
    if args.measure:
        print(json.dumps(measure(args.measure, args.events)))
        return 0
    text = table(collect(args.events, args.runs))
    print(text)
    if not args.no_write:
        heading = "# Typed models against the dict path (benchmarks/bench_models.py)\n\n"
        note = (
            "\nGenerated by `make bench`. CPU times of one process per measurement, median of "
            f"{args.runs} runs; import times are wall times of whole launches, best of "
            f"{IMPORT_LAUNCHES}. `import cio.models` also runs `cio/__init__.py`, whose imports "
            "(client, settings, HTTP, SQLite) are most of that launch; the models' own "
            "modules cost the line below it.\n"
        )
        RESULTS.write_text(heading + text + "\n" + note, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
