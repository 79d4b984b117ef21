"""Test helpers for users of ``cio``: a transport that records instead of sending.

Example
-------
>>> from cio import CustomerIOClient
>>> from cio.testing import RecordingTransport
>>> transport = RecordingTransport()
>>> client = CustomerIOClient(api_key="test-key", transport=transport)
>>> transport.requests
[]
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, ClassVar

from cio._constants import PATH_BATCH
from cio._transport import Response
from cio.errors import ClientClosedError, error_for_status

__all__ = ["RecordedRequest", "RecordingTransport"]

_OK_BODY = b'{"success":true}'


@dataclass(frozen=True, slots=True)
class RecordedRequest:
    """One request the :class:`RecordingTransport` received.

    Parameters
    ----------
    path : str
        API path, for example ``/track``.
    body : bytes
        The exact JSON bytes that would have been sent.
    status_code : int
        The status the transport answered.
    """

    path: str
    body: bytes
    status_code: int

    @property
    def json(self) -> Any:
        """The body parsed as JSON."""
        return json.loads(self.body)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """The messages in this request: the batch items, or the one message."""
        data = self.json
        if self.path == PATH_BATCH:
            return list(data["batch"])
        return [data]


class RecordingTransport:
    """A :class:`cio.Transport` that records requests and answers like the API.

    Parameters
    ----------
    statuses : iterable of int, optional
        Statuses to answer, in order; once used up every request gets ``default_status``.
        A status of 400 or more raises the mapped :mod:`cio.errors` exception, as the
        real transport does after its retries.
    default_status : int
        Status answered when ``statuses`` is exhausted (200).

    Example
    -------
    >>> transport = RecordingTransport(statuses=[401])
    >>> transport.send("/track", b"{}")
    Traceback (most recent call last):
    ...
    cio.errors.AuthenticationError: POST /track: the API key was not accepted; ...
    """

    handles_retries: ClassVar[bool] = True
    """Its statuses are final outcomes, as after the client's retries: the client calls it
    once per request, without retrying or rate limiting."""

    def __init__(self, statuses: Iterable[int] = (), *, default_status: int = 200) -> None:
        self._statuses: deque[int] = deque(statuses)
        self.default_status = default_status
        self.requests: list[RecordedRequest] = []
        self.closed = False
        self._lock = threading.Lock()

    def send(self, path: str, body: bytes) -> Response:
        """Record the request and answer with the next status.

        Parameters
        ----------
        path : str
            API path.
        body : bytes
            JSON body.

        Returns
        -------
        Response

        Raises
        ------
        APIError
            For statuses of 400 or more.
        """
        with self._lock:
            if self.closed:
                raise ClientClosedError("this client is closed; create a new CustomerIOClient")
            status = self._statuses.popleft() if self._statuses else self.default_status
            self.requests.append(RecordedRequest(path=path, body=bytes(body), status_code=status))
        if status >= 400:
            raise error_for_status(status, f'{{"error":"HTTP {status}"}}', path=path)
        return Response(status_code=status, body=_OK_BODY)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Every message sent with a 2xx answer, in order, batches flattened."""
        return [
            message
            for request in self.requests
            if request.status_code < 400
            for message in request.messages
        ]

    def close(self) -> None:
        """Mark the transport closed; later sends raise ``ClientClosedError``."""
        self.closed = True
