"""``cio outbox show|replay PATH`` and ``cio replay FILE``: inspect and drain what is left.

The API key comes from ``CIO_API_KEY`` (or ``.env``), as for every command; ``--base-url``
points the commands at the local sandbox.
"""

from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cio._constants import DEFAULT_FLUSH_TIMEOUT_SECONDS
from cio.delivery import BatchReport, DeadLetter, JsonLinesDeadLetterStore, Outbox, utc_now_iso

__all__ = ["register"]

_DEFAULT_SHOWN = 20
_SQLITE_SUFFIXES = (".db", ".sqlite", ".sqlite3")


def register(subparsers: Any) -> None:
    """Add the ``outbox`` and ``replay`` commands.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        From :func:`cio.cli.build_parser`.
    """
    outbox = subparsers.add_parser(
        "outbox",
        help="inspect or drain a buffered sender's SQLite outbox",
        description="A buffered sender created with outbox=PATH keeps every message in "
        "that SQLite file until the API acknowledges it. 'show' counts what is left, "
        "'replay' sends it (same messageIds, so nothing is duplicated).",
    )
    actions = outbox.add_subparsers(title="actions", metavar="ACTION")
    show = actions.add_parser("show", help="count pending messages and dead letters")
    show.add_argument("path", type=Path, metavar="PATH")
    show.add_argument(
        "--limit",
        type=int,
        default=_DEFAULT_SHOWN,
        metavar="N",
        help=f"pending messages to list (default {_DEFAULT_SHOWN}; ids and types only)",
    )
    show.set_defaults(handler=run_show)
    replay = actions.add_parser("replay", help="send the pending messages and wait")
    replay.add_argument("path", type=Path, metavar="PATH")
    replay.add_argument(
        "--dead-letters",
        action="store_true",
        help="also resend the messages in the outbox's dead-letter table",
    )
    _add_client_options(replay)
    replay.set_defaults(handler=run_outbox_replay)
    outbox.set_defaults(handler=lambda args: _help(outbox))

    dead = subparsers.add_parser(
        "replay",
        help="resend the messages of a dead-letter file",
        description="Resend every message of a dead-letter file (JSON Lines, as written "
        "by dead_letters=PATH) with its original messageId. Afterwards FILE holds only the "
        "messages that failed again (it is removed when none did). You may fix a message "
        "in the file by hand before replaying it.",
    )
    dead.add_argument("file", type=Path, metavar="FILE")
    _add_client_options(dead, timeout=False)
    dead.set_defaults(handler=run_replay)


def _help(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return 0


def _add_client_options(parser: argparse.ArgumentParser, *, timeout: bool = True) -> None:
    parser.add_argument(
        "--base-url", metavar="URL", help="API root including /v1 (for example the sandbox)"
    )
    if not timeout:
        return
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_FLUSH_TIMEOUT_SECONDS * 6,
        metavar="SECONDS",
        help="longest wait for the API before giving up (what is left stays recorded)",
    )


def _client(args: argparse.Namespace) -> Any:
    from cio.client import CustomerIOClient  # noqa: PLC0415 - keeps --help fast

    return CustomerIOClient(base_url=args.base_url)


def _when(stamp: float | None) -> str:
    if stamp is None:
        return "-"
    return datetime.fromtimestamp(stamp, timezone.utc).isoformat(timespec="seconds")


def _require(path: Path) -> None:
    if not path.exists():
        from cio.errors import CustomerIOError  # noqa: PLC0415

        raise CustomerIOError(f"{path}: no such file")


def run_show(args: argparse.Namespace) -> int:
    """Print what an outbox holds: counts, ages, and the first pending ids.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``path``, ``limit``).

    Returns
    -------
    int
        0.
    """
    _require(args.path)
    outbox = Outbox(args.path)
    try:
        stats = outbox.stats()
        print(f"outbox {args.path}")
        print(f"  pending:      {stats.pending}")
        print(f"  dead letters: {stats.dead_letters}")
        print(f"  oldest:       {_when(stats.oldest)}")
        print(f"  newest:       {_when(stats.newest)}")
        for shown, row in enumerate(outbox.rows()):
            if shown >= args.limit:
                print(f"  ... and {stats.pending - shown} more")
                break
            if shown == 0:
                print("  seq  messageId  type")
            print(f"  {row.seq}  {row.message_id}  {_message_type(row.body)}")
    finally:
        outbox.close()
    return 0


def _message_type(body: bytes) -> str:
    import json  # noqa: PLC0415

    try:
        data = json.loads(body)
    except ValueError:
        return "?"
    kind = str(data.get("type", "?"))
    if kind == "track" and isinstance(data.get("event"), str):
        return f"track ({data['event']})"
    return kind


def run_outbox_replay(args: argparse.Namespace) -> int:
    """Send an outbox's pending messages (and optionally its dead letters).

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments.

    Returns
    -------
    int
        0 when everything was delivered, 1 otherwise.
    """
    _require(args.path)
    with _client(args) as client:
        sender = client.buffered(outbox=args.path)
        result = sender.close(timeout=args.timeout)
        print(
            f"outbox {args.path}: {result.sent} sent, {result.failed} failed, "
            f"{result.pending} still pending"
        )
        ok = result.pending == 0 and result.failed == 0
        if args.dead_letters:
            outbox = Outbox(args.path)
            try:
                store = outbox.dead_letter_store
                entries = store.entries()
                report = _resend([letter for _, letter in entries], client, store)
                outbox.remove_dead_letters([row_id for row_id, _ in entries])
            finally:
                outbox.close()
            print(f"dead letters: {report}")
            ok = ok and report.ok
    return 0 if ok else 1


def _resend(letters: list[DeadLetter], client: Any, store: Any) -> BatchReport:
    """Send dead letters again; whatever fails again (or no longer validates) goes to store."""
    report: BatchReport = client.batch.send(
        [letter.payload() for letter in letters], dead_letters=store
    )
    refused = [
        DeadLetter(
            letters[failure.index].message,
            letters[failure.index].message_id,
            f"replay refused it: {failure.reason}",
            failure.error_type,
            None,
            0,
            failure.index,
            utc_now_iso(),
        )
        for failure in report.failures
        if failure.rejected and failure.index is not None
    ]
    store.add(refused)
    return report


def run_replay(args: argparse.Namespace) -> int:
    """Resend a dead-letter file; afterwards it holds only what failed again.

    Parameters
    ----------
    args : argparse.Namespace
        Parsed arguments (``file``, ``base_url``, ``timeout``).

    Returns
    -------
    int
        0 when every message was delivered, 1 otherwise.
    """
    _require(args.file)
    if args.file.suffix.lower() in _SQLITE_SUFFIXES:
        args.path = args.file
        args.dead_letters = True
        args.timeout = DEFAULT_FLUSH_TIMEOUT_SECONDS * 6
        return run_outbox_replay(args)
    letters = list(JsonLinesDeadLetterStore(args.file))
    remaining = args.file.with_name(args.file.name + ".replaying")
    remaining.unlink(missing_ok=True)
    store = JsonLinesDeadLetterStore(remaining)
    try:
        with _client(args) as client:
            report = _resend(letters, client, store)
    finally:
        store.close()
    if remaining.exists():
        os.replace(remaining, args.file)
    else:
        args.file.unlink()
    print(f"replayed {len(letters)} dead letter(s) from {args.file}: {report}")
    if not report.ok:
        print(
            f"{report.failed + report.rejected} message(s) failed again; they are in {args.file}",
            file=sys.stderr,
        )
    return 0 if report.ok else 1
