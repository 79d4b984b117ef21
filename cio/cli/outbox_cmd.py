"""``cio outbox show|replay PATH`` and ``cio replay FILE``: inspect and drain what is left.

The API key comes from ``CIO_API_KEY`` (or ``.env``), as for every command; ``--base-url``
points the commands at another API root, and ``--sandbox`` sends to an in-process local
sandbox (no key needed).
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from cio._constants import DEFAULT_FLUSH_TIMEOUT_SECONDS
from cio.delivery import (
    BatchReport,
    DeadLetter,
    JsonLinesDeadLetterStore,
    MemoryDeadLetterStore,
    Outbox,
    utc_now_iso,
)

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
        help=f"pending messages and dead letters to list (default {_DEFAULT_SHOWN} each; "
        "ids and types only)",
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
    target = parser.add_mutually_exclusive_group()
    target.add_argument(
        "--base-url", metavar="URL", help="API root including /v1 (for example the sandbox)"
    )
    target.add_argument(
        "--sandbox",
        action="store_true",
        help="send to an in-process local sandbox and print what it received "
        "(no CIO_API_KEY needed)",
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


@contextmanager
def _client(args: argparse.Namespace) -> Iterator[Any]:
    """A client for the API, or for an in-process sandbox with ``--sandbox`` (no key)."""
    if getattr(args, "sandbox", False):
        from cio.sandbox import Sandbox  # noqa: PLC0415 - only this option needs the server

        with Sandbox() as sandbox, sandbox.client() as client:
            print(f"sandbox listening on {sandbox.url}")
            try:
                yield client
            finally:
                print("the sandbox received:")
                print(sandbox.summary())
        return
    from cio.client import CustomerIOClient  # noqa: PLC0415 - keeps --help fast

    with CustomerIOClient(base_url=args.base_url) as client:
        yield client


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
        if stats.pending:
            print(f"  oldest pending:     {_when(stats.oldest)}")
            print(f"  newest pending:     {_when(stats.newest)}")
        if stats.dead_letters:
            oldest, newest = outbox.dead_letter_times()
            print(f"  oldest dead letter: {oldest or '-'}")
            print(f"  newest dead letter: {newest or '-'}")
        for shown, row in enumerate(outbox.rows()):
            if shown >= args.limit:
                print(f"  ... and {stats.pending - shown} more pending")
                break
            if shown == 0:
                print("  pending (seq  messageId  type):")
            print(f"    {row.seq}  {row.message_id}  {_message_type(row.body)}")
        letters = outbox.dead_letter_store.entries(limit=args.limit)
        if letters:
            print("  dead letters (failed at  messageId  type  error):")
        for _, letter in letters:
            status = f" HTTP {letter.status}" if letter.status is not None else ""
            print(
                f"    {letter.failed_at}  {letter.message_id}  {_message_type(letter.message)}  "
                f"{letter.error_type}{status}"
            )
        if stats.dead_letters > len(letters):
            print(f"  ... and {stats.dead_letters - len(letters)} more dead letters")
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
                outcome = _Replay([letter for _, letter in entries])
                try:
                    report = outcome.run(client)
                finally:
                    # Add the new records first, then delete: a crash in between leaves
                    # two copies of a letter, never none.
                    changed = outcome.changed()
                    store.add(list(changed.values()))
                    outbox.remove_dead_letters(
                        [
                            row_id
                            for number, (row_id, letter) in enumerate(entries)
                            if number in changed or letter.message_id in outcome.acknowledged
                        ]
                    )
            finally:
                outbox.close()
            print(f"dead letters: {report}")
            ok = ok and report.ok
    return 0 if ok else 1


class _Replay:
    """Resend dead letters, then tell which to keep: every one not acknowledged."""

    def __init__(self, letters: list[DeadLetter]) -> None:
        self.letters = letters
        self.acknowledged: set[str] = set()
        self.failed_again = MemoryDeadLetterStore()
        self.report: BatchReport | None = None

    def run(self, client: Any) -> BatchReport:
        """Send the letters with their messageIds, recording each acknowledgement."""
        report: BatchReport = client.batch.send(
            [letter.payload() for letter in self.letters],
            dead_letters=self.failed_again,
            on_ack=self.acknowledged.update,
        )
        self.report = report
        return report

    def changed(self) -> dict[int, DeadLetter]:
        """New records, by position, of the letters that failed again for a known reason."""
        changed: dict[int, DeadLetter] = {}
        for letter in self.failed_again:
            if letter.index is not None:
                old = self.letters[letter.index]
                changed[letter.index] = DeadLetter(
                    letter.message,
                    letter.message_id,
                    letter.reason,
                    letter.error_type,
                    letter.status,
                    letter.attempts,
                    old.index,
                    letter.failed_at,
                )
        for failure in self.report.failures if self.report is not None else ():
            if failure.rejected and failure.index is not None:
                old = self.letters[failure.index]
                changed[failure.index] = DeadLetter(
                    old.message,
                    old.message_id,
                    f"replay refused it: {failure.reason}",
                    failure.error_type,
                    None,
                    0,
                    old.index,
                    utc_now_iso(),
                )
        return {
            number: letter
            for number, letter in changed.items()
            if letter.message_id not in self.acknowledged
        }

    def remaining(self) -> list[DeadLetter]:
        """What stays: the new record where one exists, else the letter as it was."""
        changed = self.changed()
        return [
            changed.get(number, letter)
            for number, letter in enumerate(self.letters)
            if letter.message_id not in self.acknowledged
        ]


def run_replay(args: argparse.Namespace) -> int:
    """Resend a dead-letter file; afterwards it holds every message not delivered.

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
    outcome = _Replay(letters)
    remaining = letters
    try:
        with _client(args) as client:
            report = outcome.run(client)
    finally:
        # Whatever happened (an error, an interrupt), keep every letter not acknowledged.
        remaining = outcome.remaining()
        _rewrite(args.file, remaining)
    print(f"replayed {len(letters)} dead letter(s) from {args.file}: {report}")
    if remaining:
        print(
            f"{len(remaining)} message(s) were not delivered; they are in {args.file}",
            file=sys.stderr,
        )
    return 0 if report.ok and not remaining else 1


def _rewrite(path: Path, letters: list[DeadLetter]) -> None:
    if not letters:
        path.unlink(missing_ok=True)
        return
    partial = path.with_name(path.name + ".replaying")
    partial.unlink(missing_ok=True)
    store = JsonLinesDeadLetterStore(partial)
    try:
        store.add(letters)
    finally:
        store.close()
    os.replace(partial, path)
