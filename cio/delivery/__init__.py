"""High-throughput delivery: byte-packed batches, worker threads, dead letters, outbox.

* :func:`cio.services.batch.BatchService.send` (``client.batch.send``) is the bulk
  path for iterables of any size;
* :class:`BufferedSender` (``client.buffered()``) is the path for application code;
* :class:`Outbox` makes the buffered sender durable across crashes;
* dead-letter stores keep what could not be delivered, for ``cio replay``.

See ``docs/delivery.md`` for how batching, ordering, bisection and replay work.
"""

from cio.delivery._buffered import BufferedSender, QueueFullError
from cio.delivery._bulk import DeadLettersOption, MessageInput, open_dead_letters, send_messages
from cio.delivery._deadletters import (
    DeadLetter,
    DeadLetterStore,
    JsonLinesDeadLetterStore,
    MemoryDeadLetterStore,
    utc_now_iso,
)
from cio.delivery._engine import DeliveryEngine, default_workers
from cio.delivery._outbox import Outbox, OutboxDeadLetterStore, OutboxRow, OutboxStats
from cio.delivery._report import (
    BatchReport,
    DeliveryError,
    DeliveryFailure,
    DeliveryInterrupted,
    FlushResult,
)
from cio.delivery._timeline import DeliveryPoint

__all__ = [
    "BatchReport",
    "BufferedSender",
    "DeadLetter",
    "DeadLetterStore",
    "DeadLettersOption",
    "DeliveryEngine",
    "DeliveryError",
    "DeliveryFailure",
    "DeliveryInterrupted",
    "DeliveryPoint",
    "FlushResult",
    "JsonLinesDeadLetterStore",
    "MemoryDeadLetterStore",
    "MessageInput",
    "Outbox",
    "OutboxDeadLetterStore",
    "OutboxRow",
    "OutboxStats",
    "QueueFullError",
    "default_workers",
    "open_dead_letters",
    "send_messages",
    "utc_now_iso",
]
