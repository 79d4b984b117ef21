"""Importing Parquet keeps pandas out of the process (it would add about 30 MB)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import cio

pytestmark = [pytest.mark.slow, pytest.mark.timeout(60)]

_SCRIPT = """
import sys
from cio.io import import_source
report = import_source(None, sys.argv[1], "identify", dry_run=True)
assert (report.valid, report.invalid, report.warning_count) == (2, 3, 1), report.summary()
print("pandas" in sys.modules)
"""


def test_a_parquet_import_never_imports_pandas(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    table = pa.table(
        {
            "user_id": ["1", " ", "3", None, "5"],
            "email": ["a@example.com", "b@example.com", "c@example", "d@example.com", None],
            "score": [1.0, 2.0, 2.5, 3.0, float("inf")],
            "seen": pa.array([0, 1_500, 3_000, None, 4_000], pa.timestamp("ms", tz="UTC")),
        }
    )
    pq.write_table(table, path)
    # The child imports this cio, wherever the test was started from.
    root = str(Path(cio.__file__).resolve().parent.parent)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([root, os.environ.get("PYTHONPATH", "")])}
    result = subprocess.run(
        [sys.executable, "-c", _SCRIPT, str(path)],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert result.stdout.strip() == "False"
