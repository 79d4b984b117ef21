"""``make demo``: check a people file, then load a small shop into a local sandbox.

Steps: validate ``examples/people.csv`` (it has a few broken rows on purpose), then
import people, orders (the semantic ``Order Completed`` event), companies (objects),
who works where (relationships) and phones (devices) into an in-process sandbox, and
print what the sandbox received. Nothing leaves the machine; no API key is needed.

Run ``python -m cio.demo [EXAMPLES_DIR]``.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from pathlib import Path

from cio.io import import_csv, validate_csv
from cio.sandbox import Sandbox

__all__ = ["IMPORTS", "main"]

EXAMPLES_DIR = Path(__file__).resolve().parent.parent / "examples"
PEOPLE_FILE = "people.csv"
SHOWN_ERRORS = 10

IMPORTS: tuple[tuple[str, str], ...] = (
    (PEOPLE_FILE, "identify"),
    ("orders.csv", "Order Completed"),
    ("companies.csv", "group"),
    ("relationships.csv", "relationship"),
    ("devices.csv", "device"),
)
"""The sample files and the kind each is imported as, in order."""


def _heading(text: str) -> None:
    print()
    print(text)
    print("=" * len(text))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the demo.

    Parameters
    ----------
    argv : sequence of str, optional
        An optional examples directory (default: ``examples/`` beside the package).

    Returns
    -------
    int
        0 when every valid row was delivered, 1 otherwise.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    folder = Path(args[0]) if args else EXAMPLES_DIR
    if not (folder / PEOPLE_FILE).exists():
        print(f"no sample files in {folder}; run python examples/generate.py", file=sys.stderr)
        return 1
    started = time.perf_counter()

    _heading(f"1. cio validate {PEOPLE_FILE} --kind identify")
    result = validate_csv(folder / PEOPLE_FILE, kind="identify")
    print(result.summary())
    print()
    print(result.table(SHOWN_ERRORS))
    if result.warning_count:
        print()
        print(result.warnings_table(SHOWN_ERRORS))

    _heading("2. cio import ... --sandbox (people, orders, companies, relationships, devices)")
    delivered_everything = True
    with Sandbox() as sandbox, sandbox.client() as client:
        print(f"sandbox listening on {sandbox.url}")
        for name, kind in IMPORTS:
            report = import_csv(client, folder / name, kind=kind)
            print()
            print(report.summary())
            delivered_everything = delivered_everything and report.delivery.ok
        _heading("3. what the sandbox received")
        print(sandbox.summary())
    print()
    print(f"demo finished in {time.perf_counter() - started:.1f} s")
    if not delivered_everything:
        print("some valid rows were not delivered; see the reports above", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
