"""cio: a typed client for the Customer.io Data Pipelines API.

Names are imported on first use (PEP 562), so ``import cio.models`` loads the models
without the HTTP stack, SQLite or the delivery engine; ``from cio import
CustomerIOClient`` works as usual.

Example
-------
>>> import cio
>>> cio.__version__ == cio._version.__version__
True
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from cio._lazy import lazy_exports as _lazy_exports
from cio._version import __version__
from cio.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    CustomerIOError,
    DeliveryError,
    ErrorDetail,
    NetworkError,
    NotFoundError,
    PayloadTooLargeError,
    QueueFullError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
)

if TYPE_CHECKING:
    from cio._retry import RetryPolicy
    from cio._settings import Settings
    from cio._transport import HTTPTransport, Response, Transport
    from cio.client import CustomerIOClient
    from cio.delivery import BatchReport, BufferedSender, DeadLetter, DeliveryFailure, FlushResult
    from cio.services import SendResult

logging.getLogger("cio").addHandler(logging.NullHandler())

# Where each lazily imported name is defined.
_LAZY: dict[str, str] = {
    "BatchReport": "cio.delivery",
    "BufferedSender": "cio.delivery",
    "CustomerIOClient": "cio.client",
    "DeadLetter": "cio.delivery",
    "DeliveryFailure": "cio.delivery",
    "FlushResult": "cio.delivery",
    "HTTPTransport": "cio._transport",
    "Response": "cio._transport",
    "RetryPolicy": "cio._retry",
    "SendResult": "cio.services",
    "Settings": "cio._settings",
    "Transport": "cio._transport",
}


__all__ = [
    "APIError",
    "AuthenticationError",
    "BadRequestError",
    "BatchReport",
    "BufferedSender",
    "ClientClosedError",
    "ConfigurationError",
    "CustomerIOClient",
    "CustomerIOError",
    "DeadLetter",
    "DeliveryError",
    "DeliveryFailure",
    "ErrorDetail",
    "FlushResult",
    "HTTPTransport",
    "NetworkError",
    "NotFoundError",
    "PayloadTooLargeError",
    "QueueFullError",
    "RateLimitError",
    "RequestTimeoutError",
    "Response",
    "RetryPolicy",
    "SendResult",
    "ServerError",
    "Settings",
    "Transport",
    "ValidationError",
    "__version__",
]

__getattr__, __dir__ = _lazy_exports(__name__, _LAZY, globals(), __all__)
