"""Set-up and display helpers for Jupyter notebooks.

Every notebook starts with :func:`connect`: it returns a client for the real API when
``CIO_API_KEY`` is configured (environment or a ``.env`` file), and otherwise starts a
local sandbox and says so in plain words, so the same notebook runs offline and online.
:func:`explain` turns any ``cio`` error into a short account of what went wrong and how
to recover, without the input values (they may be personal data).

Example
-------
>>> from cio.notebook import explain
>>> from cio.errors import AuthenticationError
>>> print(explain(AuthenticationError("the API key was not accepted", status_code=401)))
AuthenticationError (HTTP 401, 1 attempt)
  the API key was not accepted (HTTP 401)
How to recover: check CIO_API_KEY ...
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any, Literal

import pydantic
from dotenv import dotenv_values
from typing_extensions import Self

from cio._constants import ENV_API_KEY, ENV_FILE
from cio._settings import Settings
from cio.client import CustomerIOClient
from cio.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    CountMismatchError,
    CustomerIOError,
    NetworkError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
)

if TYPE_CHECKING:
    from cio.sandbox import Fault, Sandbox

__all__ = [
    "ConnectionMode",
    "CountMismatchError",
    "ErrorExplanation",
    "NotebookConnection",
    "connect",
    "explain",
    "find_env_file",
]

logger = logging.getLogger(__name__)

ConnectionMode = Literal["sandbox", "api"]

_MESSAGE_ID_FIELD = "messageId"

# First matching class wins, so subclasses come before their parents.
_RECOVERY_HINTS: tuple[tuple[type[BaseException], str], ...] = (
    (
        ValidationError,
        "fix the fields named above and send again; nothing was sent",
    ),
    (
        AuthenticationError,
        "check CIO_API_KEY (environment or .env) and the region; nothing was accepted, so "
        "send again once the key is right",
    ),
    (
        PayloadTooLargeError,
        "keep each message under 32 KB by moving bulky data out of traits and properties; "
        "for requests over 500 KB, send through client.batch.send, which splits them",
    ),
    (
        RateLimitError,
        "retries were spent: lower rate_limit or send more slowly, then send the same "
        "message objects again (they keep their messageId)",
    ),
    (
        BadRequestError,
        "the API refused the payload (strict mode reports invalid events this way); read "
        "the response body above, fix the message and send it again",
    ),
    (NotFoundError, "check CIO_BASE_URL and CIO_REGION: the API path does not exist"),
    (
        ServerError,
        "the API failed after every retry; send the same message objects again later "
        "(they keep their messageId)",
    ),
    (
        APIError,
        "read the status and body above; send the same message objects again once the "
        "cause is fixed",
    ),
    (
        RequestTimeoutError,
        "the outcome is unknown: the API may have the request; send the same message "
        "objects again so their messageId lets the API recognise a repeat",
    ),
    (
        NetworkError,
        "check the network and CIO_BASE_URL, then send the same message objects again",
    ),
    (
        ConfigurationError,
        "fix the setting the message names, in the environment, the .env file or the "
        "arguments; an API key belongs in CIO_API_KEY, never in a notebook",
    ),
    (ClientClosedError, "create a new client (or call connect() again)"),
    (CustomerIOError, "read the message above; it names what went wrong and where"),
)


_ROW_HINT = " (rows are counted as in a spreadsheet, the header being row 1)"


@dataclass(frozen=True, slots=True)
class ErrorExplanation:
    """A ``cio`` error, told in a few lines: its kind, what it says, how to recover.

    Parameters
    ----------
    kind : str
        The exception class name.
    status_code : int or None
        The HTTP status for API errors.
    attempts : int or None
        How many attempts were made, for API and network errors.
    summary : str
        The error message (it never contains input values).
    details : tuple of str
        One line per located problem, for validation errors.
    hint : str
        What to do next.
    """

    kind: str
    status_code: int | None
    attempts: int | None
    summary: str
    details: tuple[str, ...]
    hint: str

    def _heading(self) -> str:
        facts = []
        if self.status_code is not None:
            facts.append(f"HTTP {self.status_code}")
        if self.attempts is not None:
            facts.append(f"{self.attempts} attempt{'' if self.attempts == 1 else 's'}")
        return f"{self.kind} ({', '.join(facts)})" if facts else self.kind

    def __str__(self) -> str:
        lines = [self._heading(), f"  {self.summary}"]
        lines.extend(f"  - {detail}" for detail in self.details)
        lines.append(f"How to recover: {self.hint}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        items = "".join(f"<li>{html.escape(detail)}</li>" for detail in self.details)
        listing = f"<ul>{items}</ul>" if items else ""
        return (
            f"<div><strong>{html.escape(self._heading())}</strong>"
            f"<p>{html.escape(self.summary)}</p>{listing}"
            f"<p><em>How to recover:</em> {html.escape(self.hint)}</p></div>"
        )


def explain(error: BaseException) -> ErrorExplanation:
    """Explain a ``cio`` error (or pydantic's, from building a model) and how to recover.

    Parameters
    ----------
    error : BaseException
        The caught exception. A ``pydantic.ValidationError`` is converted to
        :class:`cio.ValidationError` first, which drops the input values.

    Returns
    -------
    ErrorExplanation
        Printable (``print(explain(error))``) and shown as HTML in a notebook.

    Example
    -------
    >>> from cio.errors import ValidationError, ErrorDetail
    >>> detail = ErrorDetail(("userId",), "missing", "missing")
    >>> explain(ValidationError("invalid Identify", [detail])).details
    ('field userId: missing [missing]',)
    """
    if isinstance(error, pydantic.ValidationError):
        error = ValidationError.from_pydantic(error)
    details: tuple[str, ...] = ()
    hint_suffix = ""
    summary = str(error)
    if isinstance(error, ValidationError):
        summary = error.summary
        details = tuple(str(detail) for detail in error.errors)
        if any(detail.row is not None for detail in error.errors):
            hint_suffix = _ROW_HINT
    status_code = error.status_code if isinstance(error, APIError) else None
    # An APIError without a status was detected before sending: no attempt was made.
    sent = isinstance(error, NetworkError) or status_code is not None
    attempts = error.attempts if isinstance(error, APIError | NetworkError) and sent else None
    hint = next(
        (text for cls, text in _RECOVERY_HINTS if isinstance(error, cls)),
        "this is not a cio error; read the traceback",
    )
    hint += hint_suffix
    return ErrorExplanation(
        kind=type(error).__name__,
        status_code=status_code,
        attempts=attempts,
        summary=summary,
        details=details,
        hint=hint,
    )


def find_env_file(start: Path | None = None) -> Path | None:
    """Find the nearest ``.env`` file in ``start`` or one of its parent folders.

    Notebooks run from ``notebooks/``, while the ``.env`` file usually sits at the
    project root, so the search walks upwards.

    Parameters
    ----------
    start : Path, optional
        Folder to start from (the working directory by default).

    Returns
    -------
    Path or None
        The file, or ``None`` when there is none.

    Example
    -------
    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     find_env_file(Path(folder)) is None or find_env_file(Path(folder)).is_file()
    True
    """
    folder = (start or Path.cwd()).resolve()
    for candidate in (folder, *folder.parents):
        path = candidate / ENV_FILE
        if path.is_file():
            return path
    return None


def _has_key(variables: Mapping[str, str | None]) -> bool:
    """Whether CIO_API_KEY is set and not blank, in any letter case (as settings read it)."""
    wanted = ENV_API_KEY.casefold()
    return any(
        name.casefold() == wanted and bool((value or "").strip())
        for name, value in variables.items()
    )


@dataclass(frozen=True, slots=True)
class NotebookConnection:
    """A client and, when no API key is configured, the local sandbox behind it.

    Build it with :func:`connect`. Use ``with`` or call :meth:`close` at the end.

    Parameters
    ----------
    client : CustomerIOClient
        The client to send with.
    sandbox : Sandbox or None
        The running sandbox, or ``None`` against the real API.
    mode : {"sandbox", "api"}
        Where messages go.
    env_file : str or None
        The name of the ``.env`` file the settings were read from, if any.
    """

    client: CustomerIOClient
    sandbox: Sandbox | None
    mode: ConnectionMode
    env_file: str | None = None

    @property
    def base_url(self) -> str:
        """The API root the client sends to."""
        return self.client.settings.resolved_base_url

    def describe(self) -> str:
        """Say in plain words where this notebook's messages go.

        Returns
        -------
        str
        """
        if self.sandbox is not None:
            return (
                f"No {ENV_API_KEY} is configured (environment or .env), so this notebook "
                f"runs against a local sandbox at {self.base_url}. Nothing leaves this "
                "machine: the sandbox checks requests like the real API and keeps every "
                "message it accepts, so the notebook can count them."
            )
        source = f"the {self.env_file} file" if self.env_file else "the environment"
        return (
            f"{ENV_API_KEY} comes from {source}, so this notebook sends to the real "
            f"Customer.io API at {self.base_url} (region {self.client.settings.resolved_region}). "
            "Every message lands in that workspace: use a test workspace."
        )

    def received_count(self) -> int | None:
        """How many distinct messages the sandbox accepted, or ``None`` against the real API.

        Messages are counted by ``messageId``: a message sent again after a lost answer
        arrives twice on the wire but is one message, as the API treats it.

        Returns
        -------
        int or None
        """
        if self.sandbox is None:
            return None
        return len({message.get(_MESSAGE_ID_FIELD) for message in self.sandbox.messages})

    def check_received(self, expected: int) -> str:
        """Check that the sandbox received exactly ``expected`` messages.

        Parameters
        ----------
        expected : int
            The number of messages the notebook says it sent.

        Returns
        -------
        str
            A sentence saying what was checked.

        Raises
        ------
        CountMismatchError
            When the sandbox holds a different number of messages.
        """
        received = self.received_count()
        noun = "message" if expected == 1 else "messages"
        if received is None:
            return (
                f"This notebook counted {expected} {noun} sent. Against the real API there is "
                "no sandbox to compare with: check the workspace's activity log (messages "
                "sent inside with_faults blocks went to a temporary local sandbox instead)."
            )
        if received != expected:
            raise CountMismatchError(
                f"the sandbox received {received} messages but the notebook expected {expected}"
            )
        return f"The sandbox received {received} {noun}, exactly what this notebook sent."

    @contextmanager
    def with_faults(self, *faults: Fault, **client_options: Any) -> Iterator[CustomerIOClient]:
        """Send through a sandbox that injects ``faults``, to watch errors and recovery live.

        In sandbox mode the connection's own sandbox gets the faults (so what arrives is
        counted with everything else) and they are cleared on leaving the block. The real
        API cannot be told to fail, so against it a temporary local sandbox is started
        for the block, and a line says so.

        Parameters
        ----------
        *faults : Fault
            Faults from :mod:`cio.sandbox.faults`, such as ``FailEveryNth(3)``.
        **client_options
            Settings for the client used inside the block (for example ``max_retries=0``);
            without any, the connection's client is used.

        Yields
        ------
        CustomerIOClient
            A client whose requests meet the faults.

        Example
        -------
        In a notebook::

            with conn.with_faults(FailEveryNth(2, status=503), max_retries=2) as flaky:
                report = flaky.batch.send(messages)
        """
        from cio.sandbox import Sandbox  # noqa: PLC0415 - the real-API case needs one

        own = self.sandbox
        sandbox = own if own is not None else Sandbox(faults=faults).start()
        if own is None:
            print(  # noqa: T201 - the notebook reader must see where these requests go
                "Faults cannot be injected into the real API, so this block sends to a "
                "temporary local sandbox instead."
            )
        else:
            own.set_faults(*faults)
        client = sandbox.client(**client_options) if client_options or own is None else None
        try:
            yield client if client is not None else self.client
        finally:
            if client is not None:
                client.close()
            if own is None:
                sandbox.stop()
            else:
                own.set_faults()

    def close(self) -> None:
        """Close the client and stop the sandbox (if any). Calling it twice is harmless."""
        self.client.close()
        if self.sandbox is not None:
            self.sandbox.stop()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def __str__(self) -> str:
        return self.describe()

    def __repr__(self) -> str:
        return f"NotebookConnection(mode={self.mode!r}, base_url={self.base_url!r})"

    def _repr_html_(self) -> str:
        title = "Local sandbox" if self.sandbox is not None else "Customer.io API"
        return f"<div><strong>{title}</strong><p>{html.escape(self.describe())}</p></div>"


def connect(*, env_file: str | Path | None = None, **client_options: Any) -> NotebookConnection:
    """Connect a notebook: the real API when ``CIO_API_KEY`` is configured, else a sandbox.

    The key is looked for in the environment and in the nearest ``.env`` file (this folder
    or a parent). Without one, a local sandbox is started on 127.0.0.1 and the client
    sends to it; the connection's text says which of the two happened.

    Parameters
    ----------
    env_file : str or Path, optional
        A ``.env`` file to read instead of searching for one.
    **client_options
        Client settings such as ``strict=True`` or ``max_retries=2``.

    Returns
    -------
    NotebookConnection

    Raises
    ------
    ConfigurationError
        When a key is configured but the settings contradict each other.

    Example
    -------
    In the first code cell of a notebook::

        from cio.notebook import connect
        conn = connect()
        client = conn.client
        conn  # says whether this is the sandbox or the real API
    """
    path = Path(env_file) if env_file is not None else find_env_file()
    in_environment = _has_key(os.environ)
    if in_environment or (path is not None and _has_key(dotenv_values(path))):
        settings = Settings(_env_file=path, **client_options)
        logger.info("notebook connection: real API at %s", settings.resolved_base_url)
        return NotebookConnection(
            client=CustomerIOClient(settings=settings),
            sandbox=None,
            mode="api",
            env_file=None if in_environment or path is None else path.name,
        )
    from cio.sandbox import Sandbox  # noqa: PLC0415 - only needed without a key

    sandbox = Sandbox()
    sandbox.start()
    logger.info("notebook connection: no API key, local sandbox at %s", sandbox.url)
    client = sandbox.client(**client_options)
    return NotebookConnection(client=client, sandbox=sandbox, mode="sandbox")
