"""``cio sandbox``: run the local Data Pipelines sandbox in the foreground, or show a run.

``cio sandbox [--port N] [--strict] [--db FILE] [--api-key KEY]`` prints the URL, the key
and the environment variables to export, then one line per request (path, status,
bytes, messages; never the key) until Ctrl-C or SIGTERM.

``cio sandbox show --db FILE`` prints the summary of a run recorded with ``--db``, from
any process, even while that sandbox is still running.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import threading
from types import FrameType
from typing import Any

from cio._constants import ENV_API_KEY, ENV_BASE_URL
from cio.errors import ConfigurationError
from cio.sandbox import RequestRecord, Sandbox, load_meta, load_summary

__all__ = ["register"]

MAX_PORT = 65535


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= MAX_PORT:
        raise argparse.ArgumentTypeError(f"must be 0 (any free port) to {MAX_PORT}, got {value}")
    return value


def register(subparsers: Any) -> None:
    """Add the ``sandbox`` command (and ``sandbox show``) to the CLI.

    Parameters
    ----------
    subparsers : argparse._SubParsersAction
        The CLI's sub-command collection.
    """
    parser = subparsers.add_parser(
        "sandbox",
        help="run a local Data Pipelines sandbox (no account needed)",
        description="Run a local server that behaves like the Data Pipelines API on "
        "127.0.0.1 and logs what it receives. Stop it with Ctrl-C.",
    )
    parser.add_argument("--port", type=_port, default=0, help="port to bind (default: a free one)")
    parser.add_argument(
        "--strict", action="store_true", help="answer 400 for invalid messages (X-Strict-Mode)"
    )
    parser.add_argument("--db", metavar="FILE", help="also record everything in this SQLite file")
    parser.add_argument("--api-key", help="key clients must send (default: a random one)")
    parser.set_defaults(handler=run_sandbox)
    commands = parser.add_subparsers(title="sandbox commands", metavar="COMMAND")
    show = commands.add_parser(
        "show",
        help="print the summary of a run recorded with --db",
        description="Print the summary of a sandbox run recorded with --db.",
    )
    show.add_argument("--db", metavar="FILE", required=True, help="the run's SQLite file")
    show.add_argument("--json", action="store_true", help="print the summary as JSON")
    show.set_defaults(handler=show_summary)


def _print_request(record: RequestRecord) -> None:
    status = "reset" if record.status is None else str(record.status)
    fault = f" fault={record.fault}" if record.fault else ""
    print(
        f"{record.received_at} {record.method} {record.path} {status} "
        f"bytes={record.bytes} messages={record.message_count}{fault}",
        flush=True,
    )


def _stop_on_sigterm(stop: threading.Event) -> None:
    def handler(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, handler)


def run_sandbox(args: argparse.Namespace) -> int:
    """Run a sandbox until Ctrl-C or SIGTERM.

    Parameters
    ----------
    args : argparse.Namespace
        ``port``, ``strict``, ``db``, ``api_key``.

    Returns
    -------
    int
        0 after a clean stop.

    Raises
    ------
    SandboxError
        When the port cannot be bound.
    ConfigurationError
        When the ``--db`` file's folder does not exist.
    """
    if args.db and not os.path.isdir(os.path.dirname(os.path.abspath(args.db))):
        raise ConfigurationError(f"--db {args.db}: its folder does not exist; create it first")
    sandbox = Sandbox(
        api_key=args.api_key,
        port=args.port,
        strict=args.strict,
        db_path=args.db,
        on_request=_print_request,
    )
    stop = threading.Event()
    with sandbox:
        if threading.current_thread() is threading.main_thread():
            _stop_on_sigterm(stop)
        mode = "strict" if args.strict else "permissive"
        print(f"cio sandbox listening on {sandbox.url} ({mode} mode)")
        print(f"API key: {sandbox.api_key}")
        if args.db:
            print(f"recording to {args.db} (cio sandbox show --db {args.db})")
        print("In another shell:")
        print(f"  export {ENV_BASE_URL}={sandbox.url}")
        print(f"  export {ENV_API_KEY}={sandbox.api_key}")
        print("Press Ctrl-C to stop.", flush=True)
        try:
            while not stop.wait(0.5):
                pass
        except KeyboardInterrupt:
            stop.set()
    summary = sandbox.summary()
    print(
        f"sandbox stopped: {summary.requests} requests, {summary.total} messages accepted, "
        f"{summary.dropped} dropped",
        flush=True,
    )
    return 0


def show_summary(args: argparse.Namespace) -> int:
    """Print the summary of a recorded run.

    Parameters
    ----------
    args : argparse.Namespace
        ``db`` and ``json``.

    Returns
    -------
    int
        0.

    Raises
    ------
    ConfigurationError
        When the file is missing or not a sandbox database.
    """
    summary = load_summary(args.db)
    if args.json:
        print(json.dumps(summary.to_dict(), indent=2, sort_keys=True))
        return 0
    url = load_meta(args.db).get("url")
    if url:
        print(f"sandbox run at {url}")
    print(summary)
    sys.stdout.flush()
    return 0
