"""cio: a typed client for the Customer.io Data Pipelines API.

Example
-------
>>> import cio
>>> cio.__version__ == cio._version.__version__
True
"""

import logging

from cio._retry import RetryPolicy
from cio._settings import Settings
from cio._transport import HTTPTransport, Response, Transport
from cio._version import __version__
from cio.client import CustomerIOClient
from cio.delivery import (
    BatchReport,
    BufferedSender,
    DeadLetter,
    DeliveryError,
    DeliveryFailure,
    FlushResult,
    QueueFullError,
)
from cio.errors import (
    APIError,
    AuthenticationError,
    BadRequestError,
    ClientClosedError,
    ConfigurationError,
    CustomerIOError,
    ErrorDetail,
    NetworkError,
    NotFoundError,
    PayloadTooLargeError,
    RateLimitError,
    RequestTimeoutError,
    ServerError,
    ValidationError,
)
from cio.services import SendResult

logging.getLogger("cio").addHandler(logging.NullHandler())

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
