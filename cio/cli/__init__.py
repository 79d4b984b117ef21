"""The ``cio`` command line.

Each command lives in its own module exposing ``register(subparsers)``; this module
only assembles them. Run ``cio --help`` for the list.

Every failure ends in one line on stderr, ``error: ...``, that names the file, option or
environment variable at fault and how to fix it; the exit status is 2 for a usage or
configuration problem, 1 for bad data or a failed delivery, 130 for Ctrl-C. ``-v`` shows
the traceback of an unexpected error.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from collections.abc import Sequence
from typing import NoReturn

from cio._settings import without_argument_hints
from cio._version import __version__
from cio.errors import (
    APIError,
    AuthenticationError,
    ConfigurationError,
    CustomerIOError,
    NetworkError,
    ValidationError,
)

__all__ = ["EXIT_DATA", "EXIT_INTERRUPTED", "EXIT_USAGE", "CLIParser", "build_parser", "main"]

logger = logging.getLogger(__name__)

EXIT_DATA = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130
EXIT_BROKEN_PIPE = 141

# Arguments that name an input file (positional, so they have no --option to name).
_INPUT_ARGUMENTS = frozenset({"file", "path", "source", "db"})
# Validation errors located at one of these fields blame an option, not the data.
_USAGE_FIELDS = frozenset({"kind"})


class CLIParser(argparse.ArgumentParser):
    """An argument parser whose usage errors are one ``error:`` line (exit status 2)."""

    def error(self, message: str) -> NoReturn:
        """Print ``error: <message> (see <prog> --help)`` and exit with status 2.

        Parameters
        ----------
        message : str
            What argparse found wrong.
        """
        self.exit(EXIT_USAGE, f"error: {message} (see {self.prog} --help)\n")


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
    parser = CLIParser(
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
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # The reader went away (cio ... | head): stop quietly, as other tools do, and
        # point stdout at /dev/null so that the interpreter's final flush cannot complain.
        _silence_stdout()
        return EXIT_BROKEN_PIPE
    except Exception as exc:
        if args.verbose and not isinstance(exc, CustomerIOError):
            raise
        message, status = describe_failure(exc, args)
        logger.debug("command failed", exc_info=True)
        print(f"error: {message}", file=sys.stderr)
        return status


def _silence_stdout() -> None:
    try:
        target = sys.stdout.fileno()
    except (OSError, ValueError):  # not a real file (captured in tests)
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, target)
    finally:
        os.close(devnull)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def _option_holding(args: argparse.Namespace, filename: object) -> str | None:
    """The option (``--errors-csv``) or argument (``FILE``) whose value is ``filename``."""
    if not isinstance(filename, str | os.PathLike):
        return None
    wanted = os.fspath(filename)
    for dest, value in vars(args).items():
        if isinstance(value, str | os.PathLike) and os.fspath(value) == wanted:
            if dest in _INPUT_ARGUMENTS:
                return "the input file" if dest != "db" else "--db"
            return "--" + dest.replace("_", "-")
    return None


def _describe_os_error(exc: OSError, args: argparse.Namespace) -> str:
    reason = (exc.strerror or type(exc).__name__).lower()
    name = os.fspath(exc.filename) if exc.filename is not None else "a file"
    where = _option_holding(args, exc.filename)
    named = f"{name} ({where})" if where else name
    fix = "check the path"
    if isinstance(exc, PermissionError):
        fix = "check the file's permissions"
    elif where is not None and where.startswith("--") and where != "--db":
        fix = "check the path; its folder must exist"
    return f"cannot open {named}: {reason}; {fix}"


def _describe_validation_error(exc: ValidationError) -> tuple[str, int]:
    if not exc.errors:
        return _first_line(exc.summary), EXIT_DATA
    first = exc.errors[0]
    field = str(first.loc[0]) if first.loc else ""
    more = len(exc.errors) - 1
    extra = f" (and {more} more problem(s))" if more else ""
    if field in _USAGE_FIELDS:
        return f"--{field}: {exc.summary}; {first.msg}{extra}", EXIT_USAGE
    where = f"row {first.row}: " if first.row is not None else ""
    return f"{exc.summary}: {where}{first.msg}{extra}", EXIT_DATA


def describe_failure(exc: BaseException, args: argparse.Namespace) -> tuple[str, int]:
    """The one-line message and exit status for an exception that ended a command.

    Parameters
    ----------
    exc : BaseException
        What the command raised.
    args : argparse.Namespace
        The parsed arguments, to name the option that held a bad file name.

    Returns
    -------
    (str, int)
        The message (without the ``error:`` prefix) and the exit status: 2 for usage
        and configuration, 1 for data and delivery.
    """
    if isinstance(exc, ValidationError):
        return _describe_validation_error(exc)
    if isinstance(exc, AuthenticationError):
        return (
            f"{_first_line(str(exc))}; check CIO_API_KEY (and CIO_REGION or CIO_BASE_URL)",
            EXIT_USAGE,
        )
    if isinstance(exc, ConfigurationError):
        return without_argument_hints(_first_line(str(exc))), EXIT_USAGE
    if isinstance(exc, APIError | NetworkError):
        return _first_line(str(exc)), EXIT_DATA
    if isinstance(exc, CustomerIOError):
        return _first_line(str(exc)), EXIT_USAGE
    if isinstance(exc, OSError):
        return _describe_os_error(exc, args), EXIT_USAGE
    if isinstance(exc, ValueError):
        return _first_line(str(exc)), EXIT_USAGE
    return (
        f"unexpected {type(exc).__name__}: {_first_line(str(exc))} (run again with -v for "
        "the traceback, and please report it)",
        EXIT_DATA,
    )
