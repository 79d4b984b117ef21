"""``cio validate`` and ``cio import``: check a file, then load it into Customer.io.

Both read CSV (any sniffable dialect, UTF-8 with or without BOM) or JSON Lines files;
see ``docs/import.md`` for the column rules.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from cio._constants import DEFAULT_MAX_ROW_ERRORS, DEFAULT_SHOWN_ROW_ERRORS, ENV_API_KEY
from cio.errors import ConfigurationError
from cio.io import COLUMN_TYPES, ColumnMapping, import_source, validate
from cio.io._infer import converter_for
from cio.io._plan import describe_kinds

__all__ = ["register"]

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130

_NO_KEY_MESSAGE = (
    f"refusing to import: {ENV_API_KEY} is not set, so there is no Customer.io workspace to "
    "send to.\n"
    "  - to try the import locally, add --sandbox (an in-process sandbox receives it);\n"
    "  - to check the file without sending, add --dry-run or use `cio validate`;\n"
    f"  - to send to Customer.io, set the source's key: export {ENV_API_KEY}=... "
    "(or put it in a .env file)."
)


def _kinds_epilog() -> str:
    lines = ["kinds:"]
    lines.extend(f"  {name:<13} {description}" for name, description in describe_kinds())
    lines.append("  or any semantic event name, for example 'Order Completed'")
    lines.append("")
    lines.append("column types for --type: " + ", ".join(sorted(COLUMN_TYPES)))
    lines.append("see docs/import.md for the default column mapping and the inference rules")
    return "\n".join(lines)


def _pair(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the CSV (.csv, .tsv, ...) or JSON Lines (.jsonl) file")
    parser.add_argument(
        "--kind",
        required=True,
        help="what each row becomes: identify, track, page, screen, group, relationship, "
        "device, delete, suppress, unsuppress, or a semantic event name",
    )
    parser.add_argument(
        "--map",
        dest="mapping",
        action="append",
        type=_pair,
        default=[],
        metavar="COLUMN=TARGET",
        help="rename a column (cust_no=user_id, City=address.city, ip=context.ip) or drop "
        "it (notes=); repeatable",
    )
    parser.add_argument(
        "--set",
        dest="constants",
        action="append",
        type=_pair,
        default=[],
        metavar="TARGET=VALUE",
        help="give every row a value (plan=pro, event='Signed Up', object_type_id=2); "
        "values are inferred like cells; repeatable",
    )
    parser.add_argument(
        "--type",
        dest="types",
        action="append",
        type=_pair,
        default=[],
        metavar="COLUMN=TYPE",
        help="override type inference for a column (zip=string, joined=unix); repeatable",
    )
    parser.add_argument(
        "--assume-timezone",
        metavar="TZ",
        help="timezone for date-times without one (UTC, Europe/Berlin); without it a naive "
        "timestamp is a row error",
    )
    parser.add_argument("--format", choices=["csv", "jsonl"], help="default: from the extension")
    parser.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")
    parser.add_argument("--delimiter", help="CSV delimiter (default: sniffed)")
    parser.add_argument(
        "--errors-csv", metavar="OUT", help="write every row error to this CSV file"
    )
    parser.add_argument(
        "--max-errors",
        type=int,
        default=DEFAULT_SHOWN_ROW_ERRORS,
        metavar="N",
        help=f"row errors to print (default {DEFAULT_SHOWN_ROW_ERRORS})",
    )


def register(subparsers: Any) -> None:
    """Add the ``validate`` and ``import`` commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`cio.cli.build_parser`.
    """
    validate_parser = subparsers.add_parser(
        "validate",
        help="check every row of a file without sending anything",
        description="Validate every row of a CSV or JSON Lines file as the given kind. "
        "Prints a summary and the first row errors (row, column, field, type, message; "
        "never the cell's value). Exits 1 when any row is invalid.",
        epilog=_kinds_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_reading_options(validate_parser)
    validate_parser.set_defaults(handler=run_validate)

    import_parser = subparsers.add_parser(
        "import",
        help="validate a file and send its valid rows",
        description="Validate a CSV or JSON Lines file row by row and send the valid rows "
        "through the batch delivery engine, then print the report. messageIds come from "
        "the file's content and the row number, so running the same import again creates "
        "no new events; with --state an interrupted import resumes where it stopped.",
        epilog=_kinds_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_reading_options(import_parser)
    import_parser.add_argument(
        "--sandbox",
        action="store_true",
        help="send to an in-process local sandbox and print what it received",
    )
    import_parser.add_argument(
        "--dry-run", action="store_true", help="validate and count, send nothing"
    )
    import_parser.add_argument(
        "--state",
        metavar="FILE",
        help="record acknowledged rows here; rerun with the same FILE to resume",
    )
    import_parser.add_argument(
        "--import-id",
        metavar="ID",
        help="derive messageIds from ID instead of the file's content hash",
    )
    import_parser.add_argument("--workers", type=int, metavar="N", help="sending threads")
    import_parser.add_argument(
        "--dead-letters", metavar="FILE", help="JSON Lines file for messages that failed"
    )
    import_parser.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar (default: when stderr is a terminal)",
    )
    import_parser.set_defaults(handler=run_import)


def _reading_options(args: argparse.Namespace) -> dict[str, Any]:
    infer = converter_for("auto", None)
    mapping = ColumnMapping(
        columns={name: (target or None) for name, target in args.mapping},
        constants={name: infer(value) if value else value for name, value in args.constants},
        types=dict(args.types),
    )
    return {
        "mapping": mapping,
        "assume_timezone": args.assume_timezone,
        "format": args.format,
        "encoding": args.encoding,
        "delimiter": args.delimiter,
        "errors_csv": args.errors_csv,
        "max_errors": max(args.max_errors, DEFAULT_MAX_ROW_ERRORS),
    }


def _print_errors(table: str, count: int) -> None:
    if count:
        print()
        print(table)


def run_validate(args: argparse.Namespace) -> int:
    """Handle ``cio validate``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        0 when every row is valid, 1 otherwise.
    """
    try:
        options = _reading_options(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    result = validate(args.file, args.kind, **options)
    print(result.summary())
    if result.columns:
        print("columns: " + ", ".join(f"{c} -> {t}" for c, t in result.columns.items()))
    _print_errors(result.table(args.max_errors), result.error_count)
    _print_errors(result.warnings_table(args.max_errors), result.warning_count)
    if args.errors_csv:
        print(f"\nall {result.error_count} errors written to {args.errors_csv}")
    return EXIT_OK if result.ok else EXIT_INVALID


def _print_import(report: Any, shown: int) -> None:
    print(report.summary())
    _print_errors(report.table(shown), report.error_count)
    _print_errors(report.warnings_table(shown), report.warning_count)


def run_import(args: argparse.Namespace) -> int:
    """Handle ``cio import``.

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
    try:
        options = _reading_options(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    options.update(
        import_id=args.import_id,
        state=args.state,
        workers=args.workers,
        dead_letters=args.dead_letters,
        progress=progress and not args.dry_run,
        dry_run=args.dry_run,
    )
    try:
        if args.dry_run:
            report = import_source(None, args.file, args.kind, **options)
            _print_import(report, args.max_errors)
        elif args.sandbox:
            report = _import_into_sandbox(args, options)
        else:
            report = _import_into_workspace(args, options)
            if report is None:
                return EXIT_REFUSED
    except KeyboardInterrupt:
        hint = (
            f"run the same command again with --state {args.state} to resume"
            if args.state
            else "rows sent so far keep their messageIds; use --state FILE to resume next time"
        )
        print(f"\ninterrupted: {hint}", file=sys.stderr)
        return EXIT_INTERRUPTED
    return EXIT_OK if report.ok else EXIT_INVALID


def _import_into_sandbox(args: argparse.Namespace, options: dict[str, Any]) -> Any:
    from cio.sandbox import Sandbox  # noqa: PLC0415 - only this option needs the server

    with Sandbox() as sandbox, sandbox.client() as client:
        print(f"sandbox listening on {sandbox.url}")
        report = import_source(client, args.file, args.kind, **options)
        _print_import(report, args.max_errors)
        print()
        print("the sandbox received:")
        print(sandbox.summary())
    return report


def _import_into_workspace(args: argparse.Namespace, options: dict[str, Any]) -> Any:
    from cio.client import CustomerIOClient  # noqa: PLC0415 - keeps --help fast

    try:
        client = CustomerIOClient()
    except ConfigurationError as exc:
        if ENV_API_KEY in str(exc):
            print(_NO_KEY_MESSAGE, file=sys.stderr)
            return None
        raise
    with client:
        report = import_source(client, args.file, args.kind, **options)
    _print_import(report, args.max_errors)
    return report
