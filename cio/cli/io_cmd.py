"""``cio validate`` and ``cio import``: check a file, then load it into Customer.io.

Both read CSV (any sniffable dialect, UTF-8 with or without BOM), JSON Lines, Parquet
(files and dataset directories) and Arrow IPC / Feather files, or the rows of a DuckDB
query (``--sql``); see ``docs/import.md`` for the column rules.
"""

from __future__ import annotations

import argparse
import codecs
import os
import sys
from typing import Any, Final

from cio._constants import DEFAULT_MAX_ROW_ERRORS, ENV_API_KEY
from cio.cli._html_report import write_report
from cio.errors import ConfigurationError
from cio.io import (
    COLUMN_TYPES,
    ColumnMapping,
    SqlQuery,
    converter_for,
    describe_kinds,
    format_error_tally,
    import_source,
    validate,
)

__all__ = ["register"]

DEFAULT_SHOWN_ROW_ERRORS: Final = 20
"""Row errors the CLI prints as a table."""

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_REFUSED = 2
EXIT_INTERRUPTED = 130
_SHOWN_DELIVERY_FAILURES = 3

_NO_KEY_MESSAGE = (
    f"{ENV_API_KEY} is not set, so there is no Customer.io workspace to send to: add "
    "--sandbox to try the import locally, --dry-run to only check the file, or "
    f"export {ENV_API_KEY}=... (or put it in a .env file) to send to Customer.io"
)


def _kinds_epilog() -> str:
    lines = ["kinds:"]
    lines.extend(f"  {name:<13} {description}" for name, description in describe_kinds())
    lines.append("  or any semantic event name, for example 'Order Completed'")
    lines.append("")
    lines.append("column types for --type: " + ", ".join(sorted(COLUMN_TYPES)))
    lines.append("see docs/import.md for the default column mapping and the inference rules")
    return "\n".join(lines)


def name_value_pair(text: str) -> tuple[str, str]:
    """Parse a ``NAME=VALUE`` option (``--map``, ``--set``, ``--type``).

    Parameters
    ----------
    text : str
        The option's value.

    Returns
    -------
    tuple of (str, str)

    Raises
    ------
    argparse.ArgumentTypeError
        When there is no ``=`` or no name.
    """
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def _add_reading_options(parser: argparse.ArgumentParser) -> None:
    """The options of ``cio validate`` and ``cio import``: FILE, --kind, reading, reports."""
    parser.add_argument(
        "file",
        nargs="?",
        help="a CSV (.csv, .tsv, ...), JSON Lines (.jsonl), Parquet (.parquet, or a dataset "
        "directory) or Arrow IPC / Feather (.arrow, .feather) file",
    )
    parser.add_argument(
        "--kind",
        required=True,
        help="what each row becomes: identify, track, page, screen, group, relationship, "
        "device, delete, suppress, unsuppress, or a semantic event name",
    )
    add_source_options(parser)
    parser.add_argument(
        "--errors-csv", metavar="OUT", help="write every row error to this CSV file"
    )
    parser.add_argument(
        "--report",
        metavar="HTML",
        help="also write the summary, charts and errors to this self-contained HTML page",
    )


def add_source_options(parser: argparse.ArgumentParser) -> None:
    """Add the reading options every command that reads a source shares.

    ``cio validate``, ``cio import`` and ``cio sync`` read the same sources the same way:
    ``--sql``/``--database``, ``--map``/``--set``/``--type``, ``--assume-timezone``,
    ``--format``, ``--encoding``, ``--delimiter``, ``--date-format``, ``--decimal``,
    ``--max-errors`` and ``--progress``. :func:`source_from_args` and
    :func:`source_options` read them back.

    Parameters
    ----------
    parser : argparse.ArgumentParser
        The command's parser (it adds its own positional source argument).
    """
    group = parser.add_argument_group("reading the source")
    group.add_argument(
        "--sql",
        metavar="QUERY",
        help="read the rows of a DuckDB query instead of a FILE, for example "
        "\"select * from 'orders/*.parquet'\" (needs pip install 'cio[duckdb]')",
    )
    group.add_argument(
        "--database",
        metavar="DB",
        help="the DuckDB database file --sql runs against, opened read-only "
        "(default: in-memory, reading files named in the query)",
    )
    group.add_argument(
        "--map",
        dest="mapping",
        action="append",
        type=name_value_pair,
        default=[],
        metavar="COLUMN=TARGET",
        help="rename a column (cust_no=user_id, City=address.city, ip=context.ip) or drop "
        "it (notes=); repeatable",
    )
    group.add_argument(
        "--set",
        dest="constants",
        action="append",
        type=name_value_pair,
        default=[],
        metavar="TARGET=VALUE",
        help="give every row a value (plan=pro, event='Signed Up', object_type_id=2); "
        "values are inferred like cells; repeatable",
    )
    group.add_argument(
        "--type",
        dest="types",
        action="append",
        type=name_value_pair,
        default=[],
        metavar="COLUMN=TYPE",
        help="override type inference for a column (zip=string, joined=unix); repeatable",
    )
    group.add_argument(
        "--assume-timezone",
        metavar="TZ",
        help="timezone for date-times without one (UTC, Europe/Berlin); without it a naive "
        "timestamp is a row error",
    )
    group.add_argument(
        "--format",
        choices=["csv", "jsonl", "parquet", "arrow"],
        help="default: from the extension (a directory is a Parquet dataset)",
    )
    group.add_argument("--encoding", default="utf-8", help="text encoding (default utf-8)")
    group.add_argument("--delimiter", help="CSV delimiter (default: sniffed)")
    group.add_argument(
        "--date-format",
        dest="date_formats",
        action="append",
        default=[],
        metavar="FORMAT",
        help="a strptime format for dates and date-times that are not ISO 8601, tried in "
        "order (%%d/%%m/%%Y, '%%m/%%d/%%Y %%I:%%M %%p'); repeatable",
    )
    group.add_argument(
        "--decimal",
        choices=[".", ","],
        default=".",
        help="decimal separator of numbers in CSV cells (',' reads 1.234,56; default '.')",
    )
    group.add_argument(
        "--max-errors",
        type=_at_least(0),
        default=DEFAULT_SHOWN_ROW_ERRORS,
        metavar="N",
        help=f"row errors to print (default {DEFAULT_SHOWN_ROW_ERRORS})",
    )
    group.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show a progress bar: total, percentage, rate, ETA (default: when stderr is a "
        "terminal)",
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
        description="Validate every row of a file (CSV, JSON Lines, Parquet, Arrow) or of a "
        "DuckDB query (--sql) as the given kind. Prints a summary, the type each column is "
        "read as, and the first row errors (row, column, field, type, message; never the "
        "cell's value). Exits 1 when any row is invalid.",
        epilog=_kinds_epilog(),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_reading_options(validate_parser)
    validate_parser.set_defaults(handler=run_validate)

    import_parser = subparsers.add_parser(
        "import",
        help="validate a file and send its valid rows",
        description="Validate a file (CSV, JSON Lines, Parquet, Arrow) or a DuckDB query "
        "(--sql) row by row and send the valid rows "
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
    import_parser.add_argument("--workers", type=_at_least(1), metavar="N", help="sending threads")
    import_parser.add_argument(
        "--dead-letters", metavar="FILE", help="JSON Lines file for messages that failed"
    )
    import_parser.set_defaults(handler=run_import)


def source_from_args(args: argparse.Namespace, file: str | None) -> Any:
    """The source the options of :func:`add_source_options` name: ``file`` or ``--sql``.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.
    file : str or None
        The command's positional source argument.

    Returns
    -------
    str or SqlQuery

    Raises
    ------
    ValueError
        Both or neither of a file and ``--sql``, or ``--database`` without ``--sql``.
    """
    if args.sql is not None and file is not None:
        raise ValueError("give either a FILE or --sql QUERY, not both")
    if args.sql is not None:
        return SqlQuery(args.sql, database=args.database)
    if file is None:
        raise ValueError("give a FILE to read, or --sql QUERY")
    if args.database is not None:
        raise ValueError("--database goes with --sql")
    return file


def source_options(args: argparse.Namespace) -> dict[str, Any]:
    """The reading keyword arguments of :func:`add_source_options`' options.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    dict
        ``mapping``, ``assume_timezone``, ``format``, ``encoding``, ``delimiter``,
        ``date_formats``, ``decimal`` and ``max_errors``.

    Raises
    ------
    ValueError
        For an unknown encoding.
    """
    try:
        codecs.lookup(args.encoding)
    except LookupError:
        raise ValueError(
            f"--encoding {args.encoding}: unknown encoding; use a codec name such as utf-8, "
            "utf-16, latin-1 or cp1252"
        ) from None
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
        "date_formats": tuple(args.date_formats),
        "decimal": args.decimal,
        "max_errors": max(args.max_errors, DEFAULT_MAX_ROW_ERRORS),
    }


def _source(args: argparse.Namespace) -> Any:
    return source_from_args(args, args.file)


def _reading_options(args: argparse.Namespace) -> dict[str, Any]:
    options = source_options(args)
    if args.report and not os.path.isdir(os.path.dirname(os.path.abspath(args.report))):
        raise ValueError(f"--report {args.report}: its folder does not exist; create it first")
    options["errors_csv"] = args.errors_csv
    return options


def _print_errors(result: Any, shown: int) -> None:
    """The first ``shown`` row errors, then, when some are not listed, a tally."""
    count = result.error_count
    if not count:
        return
    print()
    if shown > 0:
        print(result.table(shown))
    else:
        print(f"{count} errors not listed (--max-errors 0); the tally below counts them")
    if count > min(shown, len(result.errors)) and result.tally:
        print()
        print("errors by column and type:")
        print(format_error_tally(result.tally))


def _print_warnings(result: Any, shown: int) -> None:
    """The first ``shown`` warnings (accepted and sent, probably a mistake)."""
    if result.warning_count and shown > 0:
        print()
        print(result.warnings_table(shown))


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
        source = _source(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    result = validate(source, args.kind, progress=progress, **options)
    print(result.summary())
    if result.columns:
        print("columns: " + ", ".join(f"{c} -> {t}" for c, t in result.columns.items()))
    _print_column_types(result.column_types)
    _print_errors(result, args.max_errors)
    _print_warnings(result, args.max_errors)
    if args.errors_csv:
        print(f"\nall {result.error_count} errors written to {args.errors_csv}")
    _write_report(args, result, "validate")
    return EXIT_OK if result.ok else EXIT_INVALID


def _write_report(args: argparse.Namespace, result: Any, command: str) -> None:
    if args.report:
        source = args.file if args.file is not None else "--sql QUERY"
        write_report(args.report, result, f"cio {command} {source} --kind {args.kind}")
        print(f"\nreport written to {args.report}")


def _print_column_types(types: Any) -> None:
    if types:
        print("column types: " + ", ".join(f"{c} {t}" for c, t in types.items()))


def _print_import(report: Any, shown: int) -> None:
    print(report.summary())
    _print_column_types(report.column_types)
    _print_delivery_failures(report.delivery)
    _print_errors(report, shown)
    _print_warnings(report, shown)


def _print_delivery_failures(delivery: Any) -> None:
    """Why messages were not delivered: counts by error, and the first few reasons."""
    if delivery is None or not delivery.failures:
        return
    counts = ", ".join(f"{n} {name}" for name, n in sorted(delivery.error_counts().items()))
    print(f"\nnot delivered ({counts}):")
    for failure in delivery.failures[:_SHOWN_DELIVERY_FAILURES]:
        print(f"  {failure}")
    hidden = len(delivery.failures) - _SHOWN_DELIVERY_FAILURES
    if hidden > 0:
        print(f"  ... and {hidden} more; --dead-letters FILE keeps them for `cio replay FILE`")


def _at_least(minimum: int) -> Any:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}, got {value}")
        return value

    return parse


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
        source = _source(args)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_REFUSED
    progress = sys.stderr.isatty() if args.progress is None else args.progress
    options.update(
        import_id=args.import_id,
        state=args.state,
        workers=args.workers,
        dead_letters=args.dead_letters,
        progress=progress,
        dry_run=args.dry_run,
    )
    try:
        if args.dry_run:
            report = import_source(None, source, args.kind, **options)
            _print_import(report, args.max_errors)
        elif args.sandbox:
            report = _import_into_sandbox(args, source, options)
        else:
            report = _import_into_workspace(args, source, options)
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
    _write_report(args, report, "import")
    return EXIT_OK if report.ok else EXIT_INVALID


def _import_into_sandbox(args: argparse.Namespace, source: Any, options: dict[str, Any]) -> Any:
    from cio.sandbox import Sandbox  # noqa: PLC0415 - only this option needs the server

    with Sandbox() as sandbox, sandbox.client() as client:
        print(f"sandbox listening on {sandbox.url}")
        settings = client.settings
        print(
            f"sending to {settings.resolved_base_url} (local sandbox, key {settings.key_hint})",
            flush=True,
        )
        report = import_source(client, source, args.kind, **options)
        _print_import(report, args.max_errors)
        print()
        print("the sandbox received:")
        print(sandbox.summary())
    return report


def _import_into_workspace(args: argparse.Namespace, source: Any, options: dict[str, Any]) -> Any:
    from cio.client import CustomerIOClient  # noqa: PLC0415 - keeps --help fast

    try:
        client = CustomerIOClient()
    except ConfigurationError as exc:
        if ENV_API_KEY in str(exc):
            print(f"error: {_NO_KEY_MESSAGE}", file=sys.stderr)
            return None
        raise
    print(f"sending to {client.settings.destination}", flush=True)
    with client:
        report = import_source(client, source, args.kind, **options)
    _print_import(report, args.max_errors)
    return report
