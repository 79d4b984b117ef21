"""``make demo``: the main job against the local sandbox (grows with the import issue)."""

from __future__ import annotations

import sys


def main() -> int:
    """Run the demo.

    Returns
    -------
    int
        Exit status.
    """
    print("cio demo: not yet (the sandbox and import issues build it)", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
