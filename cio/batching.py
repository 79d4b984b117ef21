"""Packing serialized messages into batch bodies that never exceed the API's limit.

Every message is serialized once, by pydantic-core, to compact JSON bytes. A batch body
is those bytes joined by commas inside ``{"batch":[`` ... ``]}``; nothing is parsed or
serialized again. Packing is greedy and counts the real bytes *before* appending, so a
body is never over :data:`cio._constants.MAX_BATCH_BYTES`, envelope and commas included.

Size bookkeeping: a batch holding messages of lengths ``l1 .. ln`` is
``envelope + l1 + ... + ln + (n - 1)`` bytes long. Starting the count at
``envelope - 1`` (:data:`EMPTY_BATCH_SIZE`) and adding ``len(message) + 1`` per message
gives exactly that, with one addition per message.

Example
-------
>>> from cio.batching import pack, batch_body
>>> [batch_body(batch) for batch in pack([b'{"a":1}', b'{"b":2}'], max_bytes=20)]
[b'{"batch":[{"a":1}]}', b'{"batch":[{"b":2}]}']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import Final

from cio._constants import BATCH_ENVELOPE_PREFIX, BATCH_ENVELOPE_SUFFIX, MAX_BATCH_BYTES
from cio.errors import PayloadTooLargeError

__all__ = ["EMPTY_BATCH_SIZE", "ENVELOPE_BYTES", "BatchPacker", "batch_body", "pack"]

ENVELOPE_BYTES: Final = len(BATCH_ENVELOPE_PREFIX) + len(BATCH_ENVELOPE_SUFFIX)
"""Bytes the ``{"batch":[`` ... ``]}`` envelope adds to a body."""

EMPTY_BATCH_SIZE: Final = ENVELOPE_BYTES - 1
"""Starting count: adding ``len(message) + 1`` per message then gives the body length."""

_COMMA: Final = b","


def batch_body(messages: Sequence[bytes]) -> bytes:
    """Assemble a ``/batch`` request body from serialized messages, without re-serializing.

    Parameters
    ----------
    messages : sequence of bytes
        Each message's compact JSON, in order.

    Returns
    -------
    bytes
        ``{"batch":[m1,m2,...]}``.

    Example
    -------
    >>> batch_body([b'{"type":"identify","userId":"1"}'])
    b'{"batch":[{"type":"identify","userId":"1"}]}'
    """
    return BATCH_ENVELOPE_PREFIX + _COMMA.join(messages) + BATCH_ENVELOPE_SUFFIX


def _too_large(size: int, max_bytes: int) -> PayloadTooLargeError:
    return PayloadTooLargeError(
        f"a message needs a {size}-byte batch on its own; batches are limited to {max_bytes} bytes",
        size=size,
        limit=max_bytes,
    )


class BatchPacker:
    """Greedy packer: collects messages until the next one would overflow the body.

    Parameters
    ----------
    max_bytes : int
        Largest body allowed, envelope and commas included (500 KB by default).

    Example
    -------
    >>> packer = BatchPacker(max_bytes=30)
    >>> packer.add(b'{"a":1}') is None, packer.size
    (True, 19)
    >>> packer.add(b'{"b":"long"}')
    [b'{"a":1}']
    >>> packer.drain()
    [b'{"b":"long"}']
    """

    __slots__ = ("_items", "max_bytes", "size")

    def __init__(self, max_bytes: int = MAX_BATCH_BYTES) -> None:
        self.max_bytes = max_bytes
        self.size = EMPTY_BATCH_SIZE
        """Length in bytes of the body the collected messages would make."""
        self._items: list[bytes] = []

    def __len__(self) -> int:
        return len(self._items)

    def add(self, message: bytes) -> list[bytes] | None:
        """Add one serialized message; return the completed batch when it did not fit.

        Parameters
        ----------
        message : bytes
            One message's compact JSON.

        Returns
        -------
        list of bytes or None
            The messages collected before ``message`` when adding it would have made the
            body too large (``message`` then starts the next batch); otherwise ``None``.

        Raises
        ------
        PayloadTooLargeError
            When ``message`` cannot fit in a batch even on its own.
        """
        grown = self.size + len(message) + 1
        if grown <= self.max_bytes:
            self.size = grown
            self._items.append(message)
            return None
        if not self._items:
            raise _too_large(grown, self.max_bytes)
        completed = self._items
        self._items = []
        self.size = EMPTY_BATCH_SIZE
        self.add(message)
        return completed

    def drain(self) -> list[bytes]:
        """Return the collected messages (possibly none) and start empty.

        Returns
        -------
        list of bytes
        """
        completed = self._items
        self._items = []
        self.size = EMPTY_BATCH_SIZE
        return completed


def pack(messages: Iterable[bytes], *, max_bytes: int = MAX_BATCH_BYTES) -> Iterator[list[bytes]]:
    """Split serialized messages, in order, into the fewest greedy batches.

    Parameters
    ----------
    messages : iterable of bytes
        Each message's compact JSON; consumed lazily.
    max_bytes : int
        Largest body allowed, envelope and commas included.

    Yields
    ------
    list of bytes
        The messages of one batch; pass them to :func:`batch_body`.

    Raises
    ------
    PayloadTooLargeError
        When one message cannot fit in a batch on its own.
    """
    packer = BatchPacker(max_bytes)
    for message in messages:
        completed = packer.add(message)
        if completed is not None:
            yield completed
    rest = packer.drain()
    if rest:
        yield rest
