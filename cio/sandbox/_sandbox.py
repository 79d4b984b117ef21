"""The :class:`Sandbox`: a local Data Pipelines server that shows what it received."""

from __future__ import annotations

import base64
import binascii
import hmac
import importlib
import logging
import secrets
import threading
import time
from collections.abc import Callable, Sequence
from datetime import datetime, timezone
from http import HTTPStatus
from pathlib import Path
from types import MappingProxyType, TracebackType
from typing import Any

from typing_extensions import Self

from cio._constants import (
    API_PATH_PREFIX,
    HEADER_ALLOW,
    HEADER_AUTHORIZATION,
    HEADER_RETRY_AFTER,
    HEADER_STRICT_MODE,
    HEADER_WWW_AUTHENTICATE,
    PATH_ALIAS,
    PATH_BATCH,
    PATH_GROUP,
    PATH_IDENTIFY,
    PATH_PAGE,
    PATH_SCREEN,
    PATH_TRACK,
)
from cio.client import CustomerIOClient
from cio.errors import ConfigurationError, SandboxError
from cio.sandbox._constants import (
    SANDBOX_HOST,
    SANDBOX_KEY_HEX_BYTES,
    SANDBOX_KEY_PREFIX,
    SANDBOX_POLL_INTERVAL_SECONDS,
)
from cio.sandbox._processing import Outcome, error_body, process_body
from cio.sandbox._records import (
    DroppedMessage,
    FlaggedMessage,
    RequestRecord,
    SandboxSummary,
    render_table,
    summarize,
)
from cio.sandbox._server import Reply, SandboxHTTPServer
from cio.sandbox._store import SQLiteStore
from cio.sandbox.faults import ArmedFault, EnforceRateLimit, Fault, Injection

__all__ = ["Sandbox", "SandboxError"]

logger = logging.getLogger(__name__)

_ENDPOINT_TYPES: MappingProxyType[str, str | None] = MappingProxyType(
    {
        API_PATH_PREFIX + PATH_IDENTIFY: "identify",
        API_PATH_PREFIX + PATH_TRACK: "track",
        API_PATH_PREFIX + PATH_PAGE: "page",
        API_PATH_PREFIX + PATH_SCREEN: "screen",
        API_PATH_PREFIX + PATH_GROUP: "group",
        API_PATH_PREFIX + PATH_ALIAS: "alias",
        API_PATH_PREFIX + PATH_BATCH: None,
    }
)
_METHOD_POST = "POST"
_STRICT_ON = frozenset({"1", "true", "yes", "on"})
_STRICT_OFF = frozenset({"0", "false", "no", "off"})
_BEARER = "bearer "
_BASIC = "basic "
_AUTH_REALM = 'Basic realm="cio sandbox"'
_DATAFRAME_KINDS = ("messages", "dropped", "requests", "warnings")
_SHOWN_WARNINGS = 10
_MESSAGE_COLUMNS = (
    "receivedAt",
    "type",
    "event",
    "messageId",
    "userId",
    "anonymousId",
    "groupId",
    "previousId",
    "timestamp",
)


def _json_reply(status: int, error: str, *headers: tuple[str, str]) -> Reply:
    return Reply(status, error_body(error), headers)


_NOT_FOUND = _json_reply(HTTPStatus.NOT_FOUND, "no such path")
_NOT_ALLOWED = _json_reply(HTTPStatus.METHOD_NOT_ALLOWED, "use POST", (HEADER_ALLOW, _METHOD_POST))
_UNAUTHORIZED = _json_reply(
    HTTPStatus.UNAUTHORIZED, "missing or wrong API key", (HEADER_WWW_AUTHENTICATE, _AUTH_REALM)
)


def _now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _new_key() -> str:
    return SANDBOX_KEY_PREFIX + secrets.token_hex(SANDBOX_KEY_HEX_BYTES)


class Sandbox:
    """A local HTTP server that behaves like the Data Pipelines API and records what it got.

    It binds 127.0.0.1 only, checks auth, sizes and every message with the library's own
    models, answers like the API (permissive by default, strict with ``X-Strict-Mode: 1``),
    and can inject faults. See ``docs/sandbox.md``.

    Parameters
    ----------
    api_key : str, optional
        The key clients must send (Basic username or Bearer token); a random
        ``sandbox-...`` key when not given.
    port : int
        Port to bind; 0 picks a free one.
    strict : bool
        Strict mode for every request (a request's ``X-Strict-Mode`` header overrides it).
    faults : sequence of Fault
        Faults to inject, evaluated in order (see :mod:`cio.sandbox.faults`).
    db_path : str or Path, optional
        Also write every record to this SQLite file (cleared at start).
    enforce_rate_limit : bool
        Add :class:`~cio.sandbox.faults.EnforceRateLimit` (3000 requests per 3 s).
    on_request : callable, optional
        Called with each :class:`RequestRecord` after it is recorded (the CLI prints it).

    Raises
    ------
    ConfigurationError
        When ``api_key`` is blank.

    Example
    -------
    >>> from cio.models import Track
    >>> with Sandbox() as sandbox, sandbox.client() as client:
    ...     response = client.post("/track", Track(user_id="u1", event="Signed Up").to_json())
    ...     sandbox.summary().by_event
    {'Signed Up': 1}
    """

    def __init__(
        self,
        *,
        api_key: str | None = None,
        port: int = 0,
        strict: bool = False,
        faults: Sequence[Fault] = (),
        db_path: str | Path | None = None,
        enforce_rate_limit: bool = False,
        on_request: Callable[[RequestRecord], None] | None = None,
    ) -> None:
        if api_key is not None and not api_key.strip():
            raise ConfigurationError("the sandbox API key must not be blank")
        self._api_key = api_key if api_key is not None else _new_key()
        self._port = port
        self.strict = strict
        self.db_path = Path(db_path) if db_path is not None else None
        self._on_request = on_request
        self._fault_specs: tuple[Fault, ...] = tuple(faults)
        if enforce_rate_limit:
            self._fault_specs += (EnforceRateLimit(),)
        self._armed: list[ArmedFault] = []
        self._armed_specs: tuple[Fault, ...] | None = None
        self._faults_lock = threading.Lock()
        self._records_lock = threading.Lock()
        self._messages: list[dict[str, Any]] = []
        self._dropped: list[DroppedMessage] = []
        self._flagged: list[FlaggedMessage] = []
        self._requests: list[RequestRecord] = []
        self._faults_injected = 0
        self._server: SandboxHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._store: SQLiteStore | None = None
        self._accepted_credentials = self._credentials(self._api_key)

    @staticmethod
    def _credentials(key: str) -> tuple[bytes, bytes]:
        basic = base64.b64encode(f"{key}:".encode()).decode("ascii")
        return (f"Basic {basic}".encode(), f"Bearer {key}".encode())

    # Lifecycle ---------------------------------------------------------------------------

    def start(self) -> Self:
        """Bind 127.0.0.1 and serve on a background thread. Starting twice is harmless.

        Returns
        -------
        Sandbox
            ``self``, so ``sandbox = Sandbox().start()`` works.

        Raises
        ------
        SandboxError
            When the port cannot be bound (for example it is in use).
        """
        if self._server is not None:
            return self
        try:
            server = SandboxHTTPServer((SANDBOX_HOST, self._port), self)
        except OSError as exc:
            raise SandboxError(
                f"cannot listen on {SANDBOX_HOST}:{self._port} ({exc.strerror or exc})"
            ) from exc
        if self.db_path is not None:
            self._store = SQLiteStore(self.db_path)
        self._server = server
        self._arm(self._fault_specs)
        if self._store is not None:
            self._store.set_meta("url", self.url)
            self._store.set_meta("started_at", _now_iso())
        self._thread = threading.Thread(
            target=server.serve_forever,
            kwargs={"poll_interval": SANDBOX_POLL_INTERVAL_SECONDS},
            name=f"cio-sandbox-{self.port}",
            daemon=True,
        )
        self._thread.start()
        logger.info("sandbox listening on %s", self.url)
        return self

    def stop(self) -> None:
        """Stop serving and close every connection; the records stay. Stopping twice is harmless."""
        server, self._server = self._server, None
        if server is None:
            return
        server.shutdown()
        server.close_connections()
        server.server_close()
        if self._thread is not None:
            self._thread.join()
            self._thread = None
        if self._store is not None:
            self._store.close()
            self._store = None
        logger.info("sandbox stopped")

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the sandbox is serving."""
        return self._server is not None

    def _require_server(self) -> SandboxHTTPServer:
        if self._server is None:
            raise SandboxError("the sandbox is not running; call start() or use it in a with block")
        return self._server

    @property
    def host(self) -> str:
        """The address the sandbox binds: always 127.0.0.1."""
        return SANDBOX_HOST

    @property
    def port(self) -> int:
        """The bound port (the requested one before :meth:`start`)."""
        if self._server is None:
            return self._port
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """The API root clients use, for example ``http://127.0.0.1:49152/v1``.

        Raises
        ------
        SandboxError
            Before :meth:`start` when the port is chosen at start.
        """
        if self._server is None and self._port == 0:
            raise SandboxError("the sandbox picks its port when it starts; call start() first")
        return f"http://{SANDBOX_HOST}:{self.port}{API_PATH_PREFIX}"

    @property
    def api_key(self) -> str:
        """The key the sandbox accepts."""
        return self._api_key

    @property
    def authorization(self) -> str:
        """An ``Authorization`` header value the sandbox accepts (Basic)."""
        return self._accepted_credentials[0].decode("ascii")

    def client(self, **kwargs: Any) -> CustomerIOClient:
        """A client pointed at this sandbox.

        Parameters
        ----------
        **kwargs
            Further :class:`cio.CustomerIOClient` arguments (``strict``, ``max_retries``,
            ``timeout`` ...); ``api_key`` and ``base_url`` are filled in.

        Returns
        -------
        CustomerIOClient

        Raises
        ------
        SandboxError
            When the sandbox is not running.
        """
        self._require_server()
        kwargs.setdefault("api_key", self.api_key)
        kwargs.setdefault("base_url", self.url)
        return CustomerIOClient(**kwargs)

    # Faults ------------------------------------------------------------------------------

    def _arm(self, specs: Sequence[Fault]) -> None:
        now = time.monotonic()
        with self._faults_lock:
            self._armed = [spec.arm(now) for spec in specs]
            self._armed_specs = tuple(specs)

    @property
    def faults(self) -> tuple[Fault, ...]:
        """The configured faults, in evaluation order."""
        return self._fault_specs

    def set_faults(self, *faults: Fault) -> None:
        """Replace the faults; they are armed now (time windows start now).

        Parameters
        ----------
        *faults : Fault
            The new faults; none to stop injecting.
        """
        self._fault_specs = tuple(faults)
        self._arm(self._fault_specs)

    @property
    def faults_injected(self) -> int:
        """How many times a fault interfered with a request since start or :meth:`reset`."""
        return self._faults_injected

    @property
    def fault_counts(self) -> tuple[tuple[Fault, int], ...]:
        """Each configured fault with how many requests it hit since it was armed.

        Example
        -------
        >>> from cio.sandbox import Outage
        >>> Sandbox(faults=[Outage(1.0)]).fault_counts
        ((Outage(seconds=1.0, status=503, start_after=0.0), 0),)
        """
        with self._faults_lock:
            if self._armed_specs is None:  # not started: nothing armed yet
                return tuple((spec, 0) for spec in self._fault_specs)
            counts = [armed.injected for armed in self._armed]
            return tuple(zip(self._armed_specs, counts, strict=True))

    def _decide_faults(self) -> list[Injection]:
        injections: list[Injection] = []
        now = time.monotonic()
        with self._faults_lock:
            for armed in self._armed:
                injection = armed.decide(now)
                if injection is not None:
                    injections.append(injection)
                    if injection.terminal:
                        break
            self._faults_injected += len(injections)
        return injections

    # Serving -----------------------------------------------------------------------------

    def dispatch(self, method: str, path: str, headers: Any, body: bytes) -> Reply:
        """Answer one request (called by the HTTP server's threads).

        Parameters
        ----------
        method : str
            HTTP method.
        path : str
            Request path without query string.
        headers : email.message.Message
            Request headers.
        body : bytes
            Request body.

        Returns
        -------
        Reply
        """
        received_at = _now_iso()
        if path not in _ENDPOINT_TYPES:
            return self._finish(method, path, body, received_at, _NOT_FOUND)
        if method != _METHOD_POST:
            return self._finish(method, path, body, received_at, _NOT_ALLOWED)
        injections = self._decide_faults() if self._armed else []
        faults = tuple(injection.fault for injection in injections)
        delay = sum(injection.delay for injection in injections)
        if delay:
            time.sleep(delay)
        final = injections[-1] if injections and injections[-1].terminal else None
        if final is not None:
            reply = self._fault_reply(final)
            return self._finish(method, path, body, received_at, reply, faults=faults)
        if not self._authorized(headers.get(HEADER_AUTHORIZATION)):
            return self._finish(method, path, body, received_at, _UNAUTHORIZED, faults=faults)
        outcome = process_body(
            _ENDPOINT_TYPES[path], body, strict=self._strict_for(headers.get(HEADER_STRICT_MODE))
        )
        reply = Reply(outcome.status, outcome.body)
        return self._finish(method, path, body, received_at, reply, faults=faults, outcome=outcome)

    def refuse(self, method: str, path: str, reply: Reply, size: int) -> None:
        """Record a request the HTTP layer refused before reading its body.

        Parameters
        ----------
        method, path : str
        reply : Reply
            The answer sent.
        size : int
            Declared body size.
        """
        record = RequestRecord(method, path, reply.status, size, 0, (), _now_iso())
        self._record(record, None, (), ())

    @staticmethod
    def _fault_reply(injection: Injection) -> Reply:
        if injection.reset or injection.status is None:
            return Reply(0, reset=True)
        headers: tuple[tuple[str, str], ...] = ()
        if injection.retry_after is not None:
            headers = ((HEADER_RETRY_AFTER, str(injection.retry_after)),)
        return _json_reply(injection.status, f"injected fault: {injection.fault}", *headers)

    def _authorized(self, header: str | None) -> bool:
        if not header:
            return False
        given = header.strip()
        lowered = given.lower()
        bearer = self._accepted_credentials[1]
        if lowered.startswith(_BEARER):
            candidate = "Bearer " + given[len(_BEARER) :].strip()
            return hmac.compare_digest(candidate.encode(), bearer)
        if lowered.startswith(_BASIC):
            try:
                decoded = base64.b64decode(given[len(_BASIC) :].strip(), validate=True)
            except (binascii.Error, ValueError):
                return False
            username = decoded.split(b":", 1)[0]
            return hmac.compare_digest(username, self._api_key.encode())
        return False

    def _strict_for(self, header: str | None) -> bool:
        if header is None:
            return self.strict
        value = header.strip().lower()
        if value in _STRICT_ON:
            return True
        if value in _STRICT_OFF:
            return False
        return self.strict

    def _finish(
        self,
        method: str,
        path: str,
        body: bytes,
        received_at: str,
        reply: Reply,
        *,
        faults: tuple[str, ...] = (),
        outcome: Outcome | None = None,
    ) -> Reply:
        record = RequestRecord(
            method=method,
            path=path,
            status=None if reply.reset else reply.status,
            bytes=len(body),
            message_count=outcome.message_count if outcome is not None else 0,
            faults=faults,
            received_at=received_at,
        )
        accepted: list[dict[str, Any]] | None = None
        dropped: tuple[DroppedMessage, ...] = ()
        flagged: tuple[FlaggedMessage, ...] = ()
        if outcome is not None:
            accepted = outcome.accepted
            for message in accepted:
                message["receivedAt"] = received_at
            dropped = tuple(
                DroppedMessage(path, failure.reason, failure.message, failure.index, failure.errors)
                for failure in outcome.failures
            )
            if outcome.status == HTTPStatus.OK:
                flagged = tuple(
                    FlaggedMessage(path, advice.index, advice.message_id, advice.warnings)
                    for advice in outcome.advice
                )
        self._record(record, accepted, dropped, flagged)
        return reply

    def _record(
        self,
        record: RequestRecord,
        accepted: list[dict[str, Any]] | None,
        dropped: Sequence[DroppedMessage],
        flagged: Sequence[FlaggedMessage],
    ) -> None:
        with self._records_lock:
            self._requests.append(record)
            if accepted:
                self._messages.extend(accepted)
            if dropped:
                self._dropped.extend(dropped)
            if flagged:
                self._flagged.extend(flagged)
        store = self._store
        if store is not None:
            store.write(record, accepted or (), dropped, flagged)
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "sandbox %s %s status=%s bytes=%d messages=%d faults=%s",
                record.method,
                record.path,
                record.status,
                record.bytes,
                record.message_count,
                record.fault,
            )
        if self._on_request is not None:
            self._on_request(record)

    # Records -----------------------------------------------------------------------------

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Accepted messages in arrival order: the wire form as received plus ``receivedAt``.

        ``type`` and ``messageId`` are filled in when a message left them out, as the API
        does; batch-level ``context``/``integrations`` are copied into each message.
        """
        with self._records_lock:
            return list(self._messages)

    @property
    def dropped(self) -> list[DroppedMessage]:
        """Messages answered 200 but dropped (permissive mode), with the reason."""
        with self._records_lock:
            return list(self._dropped)

    @property
    def warnings(self) -> list[FlaggedMessage]:
        """Accepted messages (and batch envelopes) with warnings: what the API accepts but
        is probably a mistake, located (``batch.3.traits.email``), never with values."""
        with self._records_lock:
            return list(self._flagged)

    @property
    def requests(self) -> list[RequestRecord]:
        """Every request received, in order (never with its ``Authorization`` header)."""
        with self._records_lock:
            return list(self._requests)

    def summary(self) -> SandboxSummary:
        """Counts per type and event, unique messageIds vs total, drops, requests, faults.

        Returns
        -------
        SandboxSummary
        """
        with self._records_lock:
            messages, dropped, requests, flagged = (
                list(self._messages),
                list(self._dropped),
                list(self._requests),
                list(self._flagged),
            )
        return summarize(messages, dropped, requests, flagged)

    def reset(self) -> None:
        """Forget every record and re-arm the faults (counters and time windows restart)."""
        with self._records_lock:
            self._messages.clear()
            self._dropped.clear()
            self._flagged.clear()
            self._requests.clear()
        with self._faults_lock:
            self._faults_injected = 0
        self._arm(self._fault_specs)
        if self._store is not None:
            self._store.clear()
            self._store.set_meta("url", self.url)

    def to_dataframe(self, kind: str = "messages") -> Any:
        """The records as a pandas DataFrame.

        Parameters
        ----------
        kind : {"messages", "dropped", "requests", "warnings"}
            Which records: accepted messages (one column per top-level field, in wire
            names), dropped messages (path, index, reason), the request log, or the
            warnings (path, index, messageId, field, type, message).

        Returns
        -------
        pandas.DataFrame

        Raises
        ------
        ConfigurationError
            When pandas is not installed (``pip install 'cio[pandas]'``), or for an
            unknown ``kind``.
        """
        if kind not in _DATAFRAME_KINDS:
            raise ConfigurationError(f"kind must be one of {', '.join(_DATAFRAME_KINDS)}")
        try:
            pandas = importlib.import_module("pandas")  # optional dependency
        except ImportError as exc:
            raise ConfigurationError(
                "Sandbox.to_dataframe needs pandas: pip install 'cio[pandas]'"
            ) from exc
        if kind == "dropped":
            rows: list[dict[str, Any]] = [
                {"path": item.path, "index": item.index, "reason": item.reason}
                for item in self.dropped
            ]
            return pandas.DataFrame(rows, columns=["path", "index", "reason"])
        if kind == "warnings":
            rows = [
                {
                    "path": item.path,
                    "index": item.index,
                    "messageId": item.message_id,
                    "field": detail.field,
                    "type": detail.type,
                    "message": detail.msg,
                }
                for item in self.warnings
                for detail in item.warnings
            ]
            columns = ["path", "index", "messageId", "field", "type", "message"]
            return pandas.DataFrame(rows, columns=columns)
        if kind == "requests":
            rows = [
                {
                    "received_at": record.received_at,
                    "method": record.method,
                    "path": record.path,
                    "status": record.status,
                    "bytes": record.bytes,
                    "message_count": record.message_count,
                    "fault": record.fault,
                }
                for record in self.requests
            ]
            columns = ["received_at", "method", "path", "status", "bytes", "message_count"]
            return pandas.DataFrame(rows, columns=[*columns, "fault"])
        messages = self.messages
        extra = sorted({key for message in messages for key in message} - set(_MESSAGE_COLUMNS))
        return pandas.DataFrame(messages, columns=[*_MESSAGE_COLUMNS, *extra])

    def __repr__(self) -> str:
        where = self.url if self.running or self._port else "not started"
        return f"Sandbox({where}, strict={self.strict}, faults={len(self._fault_specs)})"

    def _repr_html_(self) -> str:
        state = self.url if self.running else "stopped"
        rows = [("url", state), ("strict", str(self.strict))]
        rows.extend(("fault", repr(fault)) for fault in self._fault_specs)
        rows.extend(self.summary().rows())
        page = render_table("cio sandbox", rows)
        flagged = [
            (f"{item.path} {'' if item.index is None else item.index}".strip(), str(detail))
            for item in self.warnings[:_SHOWN_WARNINGS]
            for detail in item.warnings
        ]
        if flagged:
            page += render_table("Warnings (accepted, probably a mistake)", flagged)
        return page
