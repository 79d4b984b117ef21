"""The ``cio`` command line.

Each command lives in its own module exposing ``register(subparsers)``; this module
only assembles them. Run ``cio --help`` for the list.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from cio._version import __version__
from cio.errors import CustomerIOError

__all__ = ["build_parser", "main"]

# Modules adding sub-commands; each defines register(subparsers) and sets a handler
# with parser.set_defaults(handler=function(args) -> int).
COMMAND_MODULES: tuple[str, ...] = (
    "cio.cli.sandbox_cmd",
    "cio.cli.io_cmd",
    "cio.cli.outbox_cmd",
    "cio.cli.sync_cmd",
)


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser with every registered command.

    Returns
    -------
    argparse.ArgumentParser
    """
    parser = argparse.ArgumentParser(
        prog="cio",
        description="Customer.io Data Pipelines from the command line: validate and import "
        "files, run a local sandbox, inspect outboxes.",
    )
    parser.add_argument("--version", action="version", version=f"cio {__version__}")
    parser.add_argument(
        "-v", "--verbose", action="store_true", help="log requests at DEBUG (no payloads)"
    )
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line.

    Parameters
    ----------
    argv : sequence of str, optional
        Arguments without the program name; defaults to ``sys.argv[1:]``.

    Returns
    -------
    int
        Process exit status.
    """
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.verbose:
        logging.basicConfig(level=logging.DEBUG, format="%(levelname)s %(name)s: %(message)s")
    handler = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 0
    try:
        return int(handler(args))
    except CustomerIOError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
