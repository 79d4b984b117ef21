"""``cio sync``: send only what changed since the last run; ``cio sync history`` lists runs.

``cio sync SOURCE --kind KIND --key COLUMN --state STATE.db [--mode upsert|mirror]
[--dry-run] [--sandbox]`` compares the source with the state database of earlier runs
and sends new and changed rows (and, in mirror mode, deletions). ``cio sync history
STATE.db`` prints every recorded run and the keys still waiting for a retry. See
``docs/sync.md``.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Final

from cio._constants import ENV_API_KEY
from cio.cli.io_cmd import add_source_options, source_from_args, source_options
from cio.errors import ConfigurationError
from cio.io import (
    DEFAULT_MAX_DELETE_SHARE,
    SYNC_KINDS,
    DeletionLimitError,
    SyncReport,
    sync,
    sync_history,
)

__all__ = ["register"]

EXIT_OK: Final = 0
EXIT_INVALID: Final = 1
EXIT_REFUSED: Final = 2
EXIT_INTERRUPTED: Final = 130
HISTORY_COMMAND: Final = "history"
SHOWN_REJECTED: Final = 20

_NO_KEY_MESSAGE: Final = (
    f"refusing to sync: {ENV_API_KEY} is not set, so there is no Customer.io workspace to "
    "send to.\n"
    "  - to try the sync locally, add --sandbox (an in-process sandbox receives it);\n"
    "  - to see what would be sent, add --dry-run (works offline);\n"
    f"  - to send to Customer.io, set the source's key: export {ENV_API_KEY}=... "
    "(or put it in a .env file)."
)

_EPILOG: Final = (
    "kinds: "
    + ", ".join(SYNC_KINDS)
    + " (events are append-only: each event row is sent once, ever)\n\n"
    "examples:\n"
    "  cio sync people.csv --kind identify --key user_id --state people.db --dry-run\n"
    "  cio sync people.csv --kind identify --key user_id --state people.db --mode mirror\n"
    "  cio sync members.csv --kind relationships --key user_id,object_id --state m.db\n"
    "  cio sync --sql \"select * from 'people.parquet'\" --kind identify --key user_id "
    "--state p.db\n"
    "  cio sync history people.db\n\n"
    "see docs/sync.md for how changes are found and what is kept in the state"
)


def register(subparsers: Any) -> None:
    """Add the ``sync`` command (and its ``sync history STATE.db`` form).

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`cio.cli.build_parser`.
    """
    parser = subparsers.add_parser(
        "sync",
        help="send only the rows that changed since the last sync; mirror deletions",
        description="Compare SOURCE with the state database of earlier runs and send only "
        "new and changed rows (mirror mode also deletes keys that left the source). The "
        "state advances only for acknowledged rows, so an interrupted sync is simply run "
        "again. `cio sync history STATE.db` prints every run.",
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "source",
        nargs="?",
        help="a CSV, JSON Lines, Parquet or Arrow file (or --sql QUERY); or: history",
    )
    parser.add_argument("history_state", nargs="?", metavar="STATE", help=argparse.SUPPRESS)
    parser.add_argument("--kind", help="identify, group, relationships, devices or events")
    parser.add_argument("--key", help="the column(s) that identify a row: user_id or a,b")
    parser.add_argument("--state", metavar="STATE.db", help="the SQLite state database")
    parser.add_argument("--mode", choices=["upsert", "mirror"], default="upsert")
    parser.add_argument("--dry-run", action="store_true", help="count and preview, send nothing")
    parser.add_argument(
        "--force", action="store_true", help="mirror mode: delete even over the safety limit"
    )
    parser.add_argument(
        "--max-delete-share",
        type=float,
        default=DEFAULT_MAX_DELETE_SHARE,
        metavar="SHARE",
        help="mirror mode: refuse to delete more than this share of the known keys "
        f"(default {DEFAULT_MAX_DELETE_SHARE})",
    )
    parser.add_argument(
        "--sandbox", action="store_true", help="send to an in-process local sandbox"
    )
    parser.add_argument(
        "--show-values", action="store_true", help="show sample payloads with their values"
    )
    parser.add_argument("--workers", type=int, metavar="N", help="sending threads")
    add_source_options(parser)
    parser.set_defaults(handler=run_sync_command)


def run_sync_command(args: argparse.Namespace) -> int:
    """Handle ``cio sync`` and ``cio sync history``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        0 when every row was valid and delivered, 1 otherwise, 2 when refused,
        130 when interrupted.
    """
    if args.source == HISTORY_COMMAND and args.history_state and args.sql is None:
        print(sync_history(args.history_state, rejected_limit=SHOWN_REJECTED))
        return EXIT_OK
    missing = [f"--{name}" for name in ("kind", "key", "state") if not getattr(args, name)]
    if args.history_state or missing:
        problem = (
            f"missing {', '.join(missing)}"
            if missing
            else f"unexpected argument {args.history_state!r}"
        )
        print(
            f"error: {problem}; usage: cio sync SOURCE --kind KIND --key COLUMN --state "
            "STATE.db, or cio sync history STATE.db",
            file=sys.stderr,
        )
        return EXIT_REFUSED
    try:
        options = _options(args)
        source = source_from_args(args, args.source)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    try:
        if args.dry_run:
            report = sync(None, source, **options)
        elif args.sandbox:
            report = _into_sandbox(args, source, options)
        else:
            sent = _into_workspace(source, options)
            if sent is None:
                return EXIT_REFUSED
            report = sent
    except DeletionLimitError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    except KeyboardInterrupt:
        print(
            "\ninterrupted: acknowledged changes are recorded; run the same command again "
            "to send the rest (each pending change keeps its messageId)",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if not args.sandbox:
        _print_report(report, args)
    return EXIT_OK if report.ok else EXIT_INVALID


def _options(args: argparse.Namespace) -> dict[str, Any]:
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    return {
        **source_options(args),
        "kind": args.kind,
        "key": args.key,
        "state": args.state,
        "mode": args.mode,
        "dry_run": args.dry_run,
        "force": args.force,
        "max_delete_share": args.max_delete_share,
        "workers": args.workers,
        "progress": progress and not args.dry_run,
        "show_values": args.show_values,
    }


def _print_report(report: SyncReport, args: argparse.Namespace) -> None:
    print(report.summary())
    if report.error_count:
        print()
        print(report.table(args.max_errors))
    if report.dry_run and report.samples:
        print()
        masked = "" if args.show_values else " (values masked; --show-values to see them)"
        print(f"sample payloads{masked}:")
        for sample in report.samples:
            print("  " + json.dumps(sample, default=str))
    if report.rejected:
        print()
        print(f"keys waiting for a retry (see cio sync history {args.state}):")
        for item in report.rejected:
            print(f"  {item.key}: {item.status}: {item.reason}")


def _into_sandbox(args: argparse.Namespace, source: Any, options: dict[str, Any]) -> SyncReport:
    from cio.sandbox import Sandbox  # noqa: PLC0415 - only this option needs the server

    with Sandbox() as sandbox, sandbox.client() as client:
        print(f"sandbox listening on {sandbox.url}")
        report = sync(client, source, **options)
        _print_report(report, args)
        print()
        print("the sandbox received:")
        print(sandbox.summary())
    return report


def _into_workspace(source: Any, options: dict[str, Any]) -> SyncReport | None:
    from cio.client import CustomerIOClient  # noqa: PLC0415 - keeps --help fast

    try:
        client = CustomerIOClient()
    except ConfigurationError as exc:
        if ENV_API_KEY in str(exc):
            print(_NO_KEY_MESSAGE, file=sys.stderr)
            return None
        raise
    with client:
        return sync(client, source, **options)
