"""Import scenarios by input format: the identify rows as Parquet next to the same rows as CSV.

``make bench`` runs ``cio import FILE.parquet --kind identify`` at 100k and 1M rows (the
same rows as the CSV scenarios, written by pyarrow with their types), and checks two
targets: a Parquet import runs at least 1.5x the rows/s of the CSV import, and the CSV
import does not fall below the rate measured before columnar sources were added.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from benchmarks._common import CIO, IMPORT_LARGE, IMPORT_SMALL
from benchmarks.data import WORK_DIR, identify_csv

IMPORT_PARQUET_SMALL = "import-parquet-100k"
IMPORT_PARQUET_LARGE = "import-parquet-1m"
SCENARIOS = (IMPORT_PARQUET_SMALL, IMPORT_PARQUET_LARGE)
SIZES = {IMPORT_PARQUET_SMALL: 100_000, IMPORT_PARQUET_LARGE: 1_000_000}
CSV_TWIN = {IMPORT_PARQUET_SMALL: IMPORT_SMALL, IMPORT_PARQUET_LARGE: IMPORT_LARGE}

PARQUET_OVER_CSV = 1.5
"""Target: Parquet rows/s over CSV rows/s for the same rows."""
CSV_BASELINE_ROWS_PER_S = 71_000.0
"""CSV identify import rows/s measured before columnar sources (RESULTS.md, 1M rows)."""
ROW_GROUP_ROWS = 64_000


def identify_parquet(rows: int, directory: Path = WORK_DIR) -> Path:
    """The identify CSV's rows as a Parquet file with typed columns, made once and reused.

    The file is written by a child process: pyarrow loaded into the runner would raise
    every worker's peak RSS (Linux keeps the high-water mark across fork and exec).

    Parameters
    ----------
    rows : int
        Data rows.
    directory : Path
        Where the file is written.

    Returns
    -------
    Path
    """
    path = directory / f"identify_{rows}.parquet"
    if not path.exists():
        identify_csv(rows, directory)
        command = [sys.executable, "-m", "benchmarks.bench_formats", str(rows), str(directory)]
        subprocess.run(command, check=True)
    return path


def _write_parquet(rows: int, directory: Path) -> None:
    import pyarrow as pa
    from pyarrow import csv, parquet

    path = directory / f"identify_{rows}.parquet"
    source = identify_csv(rows, directory)
    options = csv.ConvertOptions(
        column_types={"user_id": pa.string(), "created_at": pa.timestamp("s", tz="UTC")},
        strings_can_be_null=False,
    )
    table = csv.read_csv(source, convert_options=options)
    partial = path.with_suffix(".partial")
    parquet.write_table(table, partial, row_group_size=ROW_GROUP_ROWS)
    partial.replace(path)
    return path


def main(argv: list[str] | None = None) -> int:
    """Write the Parquet file: ``python -m benchmarks.bench_formats ROWS DIRECTORY``."""
    rows, directory = (argv if argv is not None else sys.argv[1:])[:2]
    _write_parquet(int(rows), Path(directory))
    return 0


def add_jobs(add: Callable[..., None], scenarios: set[str] | list[str], ours: str) -> None:
    """Add the Parquet import jobs that were asked for.

    Parameters
    ----------
    add : callable
        ``benchmarks.run.plan``'s ``add(scenario, library, args, python)``.
    scenarios : collection of str
        The scenarios asked for.
    ours : str
        The Python running cio.
    """
    for scenario in SCENARIOS:
        if scenario in scenarios:
            rows = SIZES[scenario]
            path = identify_parquet(rows)
            add(scenario, CIO, ["import", CIO, "--events", str(rows), "--file", str(path)], ours)


def targets(get: Callable[[str, str, str], Any], add: Callable[..., None]) -> None:
    """Add the format targets to the target table.

    Parameters
    ----------
    get : callable
        ``(scenario, library, metric) -> Stat or None``.
    add : callable
        ``benchmarks.report.targets``'s ``add(name, scenario, goal, value, fmt, ok=)``.
    """
    parquet = get(IMPORT_PARQUET_LARGE, CIO, "events_per_s")
    csv_rate = get(IMPORT_LARGE, CIO, "events_per_s")
    ratio = parquet.median / csv_rate.median if parquet and csv_rate else None
    add(
        "import 1M rows: Parquet rows/s vs CSV",
        IMPORT_PARQUET_LARGE,
        f">= {PARQUET_OVER_CSV:g}x",
        ratio,
        "{:.2f}x",
        ok=ratio is not None and ratio >= PARQUET_OVER_CSV,
    )
    add(
        "import 1M rows: CSV rows/s not slower than before",
        IMPORT_LARGE,
        f">= {CSV_BASELINE_ROWS_PER_S:,.0f}",
        csv_rate.median if csv_rate else None,
        "{:,.0f}",
        ok=csv_rate is not None and csv_rate.median >= CSV_BASELINE_ROWS_PER_S,
    )


def table_rows(
    summary: dict[tuple[str, str], dict[str, Any]], fmt: Callable[..., str]
) -> list[str]:
    """Rows for the import table: Parquet at 100k and 1M rows.

    Parameters
    ----------
    summary : dict
        ``benchmarks.report.summarise`` output.
    fmt : callable
        ``benchmarks.report._fmt``.

    Returns
    -------
    list of str
    """
    lines = []
    for scenario in SCENARIOS:
        label = f"{SIZES[scenario]:,} (Parquet)"
        stats = summary.get((scenario, CIO))
        if stats is None:
            lines.append(f"| {label} | - | - | - | - |")
            continue
        lines.append(
            f"| {label} | {fmt(stats['events_per_s'])} "
            f"| {fmt(stats['cpu_us_per_event'], '{:.1f}')} "
            f"| {fmt(stats['peak_rss_mb'])} | {stats['requests'].median:,.0f} |"
        )
    return lines


if __name__ == "__main__":
    sys.exit(main())
