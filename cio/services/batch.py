"""Bulk sending through ``/batch``: any iterable of messages, any size.

``client.batch.send(messages)`` validates each message once, serializes it once, packs
the bytes into batches of at most 500 KB and sends them with a few worker threads,
keeping each person's messages in order. It returns a :class:`BatchReport`; it raises
only when the API refuses the key or the path (every request would fail alike).
See ``docs/delivery.md``.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from cio._constants import BULK_INPUT_LOCATION, EVENT_USER_DELETED
from cio.delivery import BatchReport, DeadLettersOption, MessageInput, send_messages
from cio.errors import ErrorDetail, ValidationError
from cio.models import Accepted, Identify, Message, Track, intake
from cio.services._base import Poster, warning_setting

if TYPE_CHECKING:
    from cio.io import ImportReport

__all__ = ["BatchReport", "BatchService"]


def _not_a_row(index: int, item: object, expected: str) -> ValidationError:
    return ValidationError(
        f"invalid row {index}",
        [
            ErrorDetail(
                loc=(BULK_INPUT_LOCATION, index),
                msg=f"expected {expected}, got {type(item).__name__}",
                type="row_type",
            )
        ],
    )


def _identify_row(row: object, index: int) -> Accepted:
    if not isinstance(row, (Message, Mapping)):
        raise _not_a_row(index, row, "a Identify model or a mapping of its fields")
    return intake(row, model=Identify, index=index, summary="invalid identify row")


def _track_row(row: object, index: int) -> Accepted:
    if isinstance(row, Mapping):
        row = {**row, "type": "track"}
    elif not isinstance(row, Message):
        raise _not_a_row(index, row, "a Track model or a mapping of its fields")
    return intake(row, index=index, summary="invalid track row")


def _delete_row(user_id: object, index: int) -> Accepted:
    row = {"type": "track", "userId": user_id, "event": EVENT_USER_DELETED}
    return intake(row, index=index, summary="invalid user id")


class BatchService:
    """Send many messages through ``/batch`` (``client.batch``).

    Parameters
    ----------
    client : Poster
        The client whose ``post`` (and so transport, rate limiter and connection pool)
        is used.

    Example
    -------
    >>> from cio import CustomerIOClient
    >>> from cio.testing import RecordingTransport
    >>> transport = RecordingTransport()
    >>> client = CustomerIOClient(api_key="test-key", transport=transport)
    >>> rows = [{"user_id": "1"}, {"user_id": "2", "traits": {"plan": "pro"}}]
    >>> report = client.batch.identify(rows)
    >>> report.sent, {request.path for request in transport.requests}
    (2, {'/batch'})
    """

    def __init__(self, client: Poster) -> None:
        self._client = client

    def send(
        self,
        messages: Iterable[MessageInput],
        *,
        workers: int | None = None,
        progress: bool = False,
        dead_letters: DeadLettersOption = None,
        on_ack: Callable[[Sequence[str]], None] | None = None,
        max_in_flight: int | None = None,
        warnings: str | None = None,
    ) -> BatchReport:
        """Send any number of messages, of any kinds, through ``/batch``.

        Parameters
        ----------
        messages : iterable of Message, mapping or EncodedMessage
            Models (``Identify``, ``Track``, semantic events, ``Page``, ``Screen``,
            ``Group``, ``Alias``, mixed), wire-form dicts with a ``type`` key, or
            messages already validated by :func:`cio.models.encode_message`. Read
            lazily: a generator of millions is never held in memory. Dicts are
            validated by their model's rules without building model instances, which
            is the fastest way in.
        workers : int, optional
            Sending threads; default ``min(4, 2 * CPUs)``. Each person's messages go
            through one thread, so they keep their order.
        progress : bool
            Show a ``tqdm`` bar (it renders as a widget in notebooks).
        dead_letters : str, Path or DeadLetterStore, optional
            Where messages the API did not accept go: a JSON Lines file (replay it with
            ``cio replay FILE``), a ``.db`` outbox's table, or a store. By default they
            are kept in memory, in ``report.dead_letters``.
        on_ack : callable, optional
            Called with the messageIds of each batch the API acknowledged, from a worker
            thread (for example to record progress of a resumable import).
        max_in_flight : int, optional
            Packed batches allowed to wait or be in flight; default two per worker.
        warnings : {"warn", "error"}, optional
            ``"error"`` rejects messages that have warnings (accepted by the API but
            probably a mistake); the default comes from ``CIO_WARNINGS`` (``warn``:
            send them and list the warnings in ``report.warnings``).

        Returns
        -------
        BatchReport
            Counts, bytes, requests, retries, duration, throughput and every failure
            (index or messageId, reason, error type, status). Invalid messages are
            ``rejected`` with a located :class:`cio.ErrorDetail`; messages over 32 KB
            are rejected with ``PayloadTooLargeError``; the rest go through.

        Raises
        ------
        AuthenticationError, NotFoundError, ClientClosedError
            When the API refuses the key or the path. Messages already read are in the
            dead-letter store; the rest of the input is left unread.

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.models import Track
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> report = client.batch.send(
        ...     [Track(user_id="1", event="Signed Up"), {"type": "identify", "userId": ""}]
        ... )
        >>> report.sent, report.rejected, report.failures[0].details[0].field
        (1, 1, 'messages.1.userId')
        """
        return send_messages(
            self._client.post,
            messages,
            workers=workers,
            progress=progress,
            dead_letters=dead_letters,
            on_ack=on_ack,
            max_in_flight=max_in_flight,
            warnings=warnings if warnings is not None else warning_setting(self._client),
        )

    def identify(self, rows: Iterable[Identify | Mapping[str, Any]], **options: Any) -> BatchReport:
        """Identify many people: each row is a dict of ``Identify`` fields, or a model.

        Models are sent as they are (whatever their kind).

        Parameters
        ----------
        rows : iterable of Identify or mapping
            For example ``{"user_id": "42", "traits": {"plan": "pro"}}`` (snake_case or
            camelCase keys).
        **options
            Any keyword argument of :meth:`send`.

        Returns
        -------
        BatchReport

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.batch.identify([{"user_id": "42", "traits": {"plan": "pro"}}]).sent
        1
        """
        return self._send_rows(rows, _identify_row, options)

    def track(self, rows: Iterable[Track | Mapping[str, Any]], **options: Any) -> BatchReport:
        """Track many events: each row is a dict of ``Track`` fields, or a model.

        Models are sent as they are (whatever their kind).

        Semantic event names (for example ``"Order Completed"``) are validated as those
        events.

        Parameters
        ----------
        rows : iterable of Track or mapping
            For example ``{"user_id": "42", "event": "Signed Up"}``.
        **options
            Any keyword argument of :meth:`send`.

        Returns
        -------
        BatchReport

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.batch.track([{"user_id": "42", "event": "Signed Up"}]).sent
        1
        """
        return self._send_rows(rows, _track_row, options)

    def delete(self, user_ids: Iterable[str], **options: Any) -> BatchReport:
        """Delete many people (a ``User Deleted`` event each).

        Parameters
        ----------
        user_ids : iterable of str
            The people's ids.
        **options
            Any keyword argument of :meth:`send`.

        Returns
        -------
        BatchReport

        Example
        -------
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> transport = RecordingTransport()
        >>> client = CustomerIOClient(api_key="test-key", transport=transport)
        >>> client.batch.delete(["1", "2"]).sent, transport.messages[0]["event"]
        (2, 'User Deleted')
        """
        return self._send_rows(user_ids, _delete_row, options)

    def import_csv(
        self, path: str | os.PathLike[str], *, kind: str, **options: Any
    ) -> ImportReport:
        """Validate a CSV (or JSON Lines) file row by row and send its valid rows.

        A thin wrapper over :func:`cio.io.import_source` with this client's ``send``;
        see ``docs/import.md`` for the columns, inference, messageIds and resuming.

        Parameters
        ----------
        path : str or path-like
            The file (``.jsonl``/``.ndjson`` files are read as JSON Lines).
        kind : str
            ``identify``, ``track``, ``page``, ``screen``, ``group``, ``relationship``,
            ``device``, ``delete``, ``suppress``, ``unsuppress``, or a semantic event name.
        **options
            ``mapping``, ``constants``, ``types``, ``assume_timezone``, ``state``,
            ``import_id``, ``dry_run``, ``workers``, ``progress``, ... (see
            :func:`cio.io.import_source`).

        Returns
        -------
        cio.io.ImportReport

        Example
        -------
        >>> import pathlib, tempfile
        >>> from cio import CustomerIOClient
        >>> from cio.testing import RecordingTransport
        >>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
        >>> _ = path.write_text("user_id,plan\\n1,pro\\n2,free\\n")
        >>> client = CustomerIOClient(api_key="test-key", transport=RecordingTransport())
        >>> client.batch.import_csv(path, kind="identify").sent
        2
        """
        from cio.io import run_import  # noqa: PLC0415 - loads the readers only when asked

        return run_import(self.send, path, kind, **options)

    def import_dataframe(self, frame: Any, *, kind: str, **options: Any) -> ImportReport:
        """Validate a pandas DataFrame row by row and send its valid rows.

        Errors give the index label of a labelled frame, else the position
        (``df.iloc[row]``); see :meth:`import_csv` for the options.

        Parameters
        ----------
        frame : pandas.DataFrame
            The data; column labels work like CSV headers.
        kind : str
            What each row becomes.
        **options
            As for :meth:`import_csv`.

        Returns
        -------
        cio.io.ImportReport
        """
        from cio.io import run_import  # noqa: PLC0415 - loads the readers only when asked

        return run_import(self.send, frame, kind, format="dataframe", **options)

    def import_source(self, source: Any, *, kind: str, **options: Any) -> ImportReport:
        """Validate any supported source row by row and send its valid rows.

        Sources: CSV, JSON Lines, Parquet (a file or a dataset directory) and Arrow IPC /
        Feather files; pandas and polars DataFrames, polars LazyFrames; pyarrow Tables
        and RecordBatchReaders; DuckDB relations; :class:`cio.io.SqlQuery`. See
        :meth:`import_csv` for the options.

        Parameters
        ----------
        source : path or object
            What to import.
        kind : str
            What each row becomes.
        **options
            As for :meth:`import_csv`.

        Returns
        -------
        cio.io.ImportReport
        """
        from cio.io import run_import  # noqa: PLC0415 - loads the readers only when asked

        return run_import(self.send, source, kind, **options)

    def _send_rows(
        self,
        rows: Iterable[object],
        convert: Callable[[object, int], Accepted],
        options: Mapping[str, Any],
    ) -> BatchReport:
        options = {"warnings": warning_setting(self._client), **options}
        return send_messages(self._client.post, rows, convert=convert, **options)
