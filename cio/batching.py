"""Packing serialized messages into batch bodies that never exceed the API's limit.

The one packer and the one batch-envelope writer of the library: the delivery engine
(``client.batch.send``, the buffered sender, imports) packs with :class:`BatchPacker`,
and :meth:`cio.models.Batch.to_json` writes its body with :func:`batch_body`.

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

__all__ = [
    "EMPTY_BATCH_SIZE",
    "ENVELOPE_BYTES",
    "BatchPacker",
    "PackedBatch",
    "batch_body",
    "pack",
]

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


class PackedBatch:
    """The messages of one batch, as parallel lists (no object per message).

    Attributes
    ----------
    bodies : list of bytes
        Each message's compact JSON, in order.
    ids : list of str
        Their messageIds (empty strings when the caller gave none).
    indices : list of int
        Their positions in the input (or outbox rows), for reports and dead letters.
    size : int
        Length in bytes of the body :meth:`body` returns.
    """

    __slots__ = ("bodies", "ids", "indices", "size")

    def __init__(self) -> None:
        self.bodies: list[bytes] = []
        self.ids: list[str] = []
        self.indices: list[int] = []
        self.size = EMPTY_BATCH_SIZE

    def __len__(self) -> int:
        return len(self.bodies)

    def body(self) -> bytes:
        """The ``/batch`` request body of these messages.

        Returns
        -------
        bytes
        """
        return batch_body(self.bodies)


class BatchPacker:
    """Greedy packer: collects messages until the next one would overflow the body.

    The delivery engine runs one per lane; :func:`pack` runs one over an iterable.

    Parameters
    ----------
    max_bytes : int
        Largest body allowed, envelope and commas included (500 KB by default).

    Example
    -------
    >>> packer = BatchPacker(max_bytes=30)
    >>> packer.add(b'{"a":1}') is None, packer.size
    (True, 19)
    >>> packer.add(b'{"b":"long"}').bodies
    [b'{"a":1}']
    >>> packer.drain().bodies
    [b'{"b":"long"}']
    """

    __slots__ = ("_batch", "max_bytes")

    def __init__(self, max_bytes: int = MAX_BATCH_BYTES) -> None:
        self.max_bytes = max_bytes
        self._batch = PackedBatch()

    def __len__(self) -> int:
        return len(self._batch.bodies)

    @property
    def size(self) -> int:
        """Length in bytes of the body the collected messages would make."""
        return self._batch.size

    def add(self, message: bytes, message_id: str = "", index: int = 0) -> PackedBatch | None:
        """Add one serialized message; return the completed batch when it did not fit.

        Parameters
        ----------
        message : bytes
            One message's compact JSON.
        message_id : str, optional
            Its messageId, kept alongside.
        index : int, optional
            Its position in the input, kept alongside.

        Returns
        -------
        PackedBatch or None
            The batch collected before ``message`` when adding it would have made the
            body too large (``message`` then starts the next batch); otherwise ``None``.

        Raises
        ------
        PayloadTooLargeError
            When ``message`` cannot fit in a batch even on its own (nothing changes).
        """
        batch = self._batch
        grown = batch.size + len(message) + 1
        completed = None
        if grown > self.max_bytes:
            alone = EMPTY_BATCH_SIZE + len(message) + 1
            if alone > self.max_bytes:
                raise _too_large(alone, self.max_bytes)
            if batch.bodies:
                completed = batch
                batch = self._batch = PackedBatch()
            grown = alone
        batch.size = grown
        batch.bodies.append(message)
        batch.ids.append(message_id)
        batch.indices.append(index)
        return completed

    def drain(self) -> PackedBatch:
        """Return the collected messages (possibly none) and start empty.

        Returns
        -------
        PackedBatch
        """
        completed = self._batch
        self._batch = PackedBatch()
        return completed


def pack(messages: Iterable[bytes], *, max_bytes: int = MAX_BATCH_BYTES) -> Iterator[list[bytes]]:
    """Split serialized messages, in order, into the fewest greedy batches.

    Runs the :class:`BatchPacker` the delivery engine runs.

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
            yield completed.bodies
    rest = packer.drain()
    if rest.bodies:
        yield rest.bodies
