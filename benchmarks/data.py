"""Generated input files for the import scenario (kept in benchmarks/.work/, not in git)."""

from __future__ import annotations

import csv
import random
from pathlib import Path

from benchmarks._common import SEED

WORK_DIR = Path(__file__).resolve().parent / ".work"
IDENTIFY_COLUMNS = (
    "user_id",
    "email",
    "first_name",
    "last_name",
    "plan",
    "city",
    "country",
    "age",
    "lifetime_value",
    "created_at",
)
PLANS = ("free", "starter", "pro", "enterprise")
CITIES = (("Lisbon", "PT"), ("Berlin", "DE"), ("Austin", "US"), ("Osaka", "JP"), ("Lyon", "FR"))
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "Ken")
LAST_NAMES = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen")


def identify_csv(rows: int, directory: Path = WORK_DIR) -> Path:
    """A CSV of ``rows`` identify rows (one person per row), generated once and reused.

    Parameters
    ----------
    rows : int
        Data rows, header excluded.
    directory : Path
        Where the file is written.

    Returns
    -------
    Path
        The file; its name carries the row count, so each size is generated once.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"identify_{rows}.csv"
    if path.exists():
        return path
    rng = random.Random(SEED + rows)
    partial = path.with_suffix(".partial")
    with partial.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(IDENTIFY_COLUMNS)
        for index in range(rows):
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            city, country = rng.choice(CITIES)
            writer.writerow(
                (
                    f"user-{index}",
                    f"{first.lower()}.{last.lower()}.{index}@example.com",
                    first,
                    last,
                    rng.choice(PLANS),
                    city,
                    country,
                    rng.randint(18, 90),
                    f"{rng.uniform(0, 5000):.2f}",
                    f"2023-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T10:00:00Z",
                )
            )
    partial.replace(path)
    return path
