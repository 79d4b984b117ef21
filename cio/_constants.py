"""Facts about the API, shared by several subpackages: limits, URLs, paths, headers, names.

A constant used by one subpackage only lives in it (``cio/io/_constants.py``,
``cio/delivery/_constants.py``, ``cio/sandbox/_constants.py``,
``cio/models/_constants.py``); the retry policy's defaults live in ``cio/_retry.py`` and
the HTTP transport's in ``cio/_transport.py``.

The figures come from the Data Pipelines API reference: a message may be at most 32 KB,
a batch request at most 500 KB, and the API accepts about 3000 requests per 3 seconds.
The real API answers 200 to an oversized payload and drops it, so the client enforces
these limits itself.
"""

from __future__ import annotations

from typing import Final

# Endpoints ---------------------------------------------------------------------------
US_BASE_URL: Final = "https://cdp.customer.io/v1"
EU_BASE_URL: Final = "https://cdp-eu.customer.io/v1"
BASE_URLS: Final = {"us": US_BASE_URL, "eu": EU_BASE_URL}
DEFAULT_REGION: Final = "us"

PATH_IDENTIFY: Final = "/identify"
PATH_TRACK: Final = "/track"
PATH_PAGE: Final = "/page"
PATH_SCREEN: Final = "/screen"
PATH_GROUP: Final = "/group"
PATH_ALIAS: Final = "/alias"
PATH_BATCH: Final = "/batch"

# Size limits (bytes). The API documents "32KB" and "500KB"; we read KB as 1024 bytes
# for messages and, to stay safe against a decimal reading, 500 * 1000 for batches.
MAX_MESSAGE_BYTES: Final = 32 * 1024
MAX_BATCH_BYTES: Final = 500 * 1000
BATCH_ENVELOPE_PREFIX: Final = b'{"batch":['
BATCH_ENVELOPE_SUFFIX: Final = b"]}"

# Rate limit: requests per window.
DEFAULT_RATE_LIMIT: Final = 3000
RATE_LIMIT_WINDOW_SECONDS: Final = 3.0

# Timeouts and retries.
DEFAULT_TIMEOUT_SECONDS: Final = 10.0
DEFAULT_MAX_RETRIES: Final = 6

# Headers.
HEADER_AUTHORIZATION: Final = "Authorization"
HEADER_CONTENT_TYPE: Final = "Content-Type"
HEADER_USER_AGENT: Final = "User-Agent"
HEADER_STRICT_MODE: Final = "X-Strict-Mode"
HEADER_RETRY_AFTER: Final = "Retry-After"
CONTENT_TYPE_JSON: Final = "application/json"

# Settings.
ENV_PREFIX: Final = "CIO_"
ENV_API_KEY: Final = "CIO_API_KEY"
ENV_FILE: Final = ".env"

# Reserved (semantic) event names that act on Customer.io itself.
EVENT_USER_DELETED: Final = "User Deleted"
EVENT_USER_SUPPRESSED: Final = "User Suppressed"
EVENT_USER_UNSUPPRESSED: Final = "User Unsuppressed"
EVENT_DEVICE_CREATED_OR_UPDATED: Final = "Device Created or Updated"
EVENT_DEVICE_DELETED: Final = "Device Deleted"
EVENT_OBJECT_DELETED: Final = "Object Deleted"
EVENT_GROUP_DELETED: Final = "Group Deleted"
EVENT_RELATIONSHIP_DELETED: Final = "Relationship Deleted"
EVENT_REPORT_DELIVERY: Final = "Report Delivery Event"
EVENT_REPORT_CONTENT: Final = "Report Content Event"
EVENT_EXPERIMENT_VIEWED: Final = "Experiment Viewed"

DEFAULT_OBJECT_TYPE_ID: Final = "1"

# File import (cio.io and the cio import command) ----------------------------------------
DEFAULT_MAX_ROW_ERRORS: Final = 1000
"""Row errors kept in a validation result or import report (all are counted)."""

# Sandbox (cio.sandbox and the cio sandbox command) --------------------------------------
API_PATH_PREFIX: Final = "/v1"
HEADER_CONTENT_LENGTH: Final = "Content-Length"
HEADER_TRANSFER_ENCODING: Final = "Transfer-Encoding"
HEADER_WWW_AUTHENTICATE: Final = "WWW-Authenticate"
HEADER_ALLOW: Final = "Allow"
ENV_BASE_URL: Final = "CIO_BASE_URL"

# Buffered sender defaults (cio.delivery, the client and the CLI) ------------------------
DEFAULT_BUFFER_MAX_QUEUE: Final = 100_000
"""Calls a buffered sender holds before it blocks or raises."""
DEFAULT_BUFFER_FLUSH_INTERVAL_SECONDS: Final = 0.5
DEFAULT_FLUSH_TIMEOUT_SECONDS: Final = 10.0
DEFAULT_EXIT_FLUSH_SECONDS: Final = 5.0
"""Bound on the flush run at interpreter exit for each open buffered sender."""

# Semantic event families (keys of cio.models.SEMANTIC_FAMILIES).
SEMANTIC_FAMILY_CIO: Final = "cio"
SEMANTIC_FAMILY_AB_TEST: Final = "ab_test"
SEMANTIC_FAMILY_ECOMMERCE: Final = "ecommerce"
SEMANTIC_FAMILY_EMAIL: Final = "email"
SEMANTIC_FAMILY_LIVE_CHAT: Final = "live_chat"
SEMANTIC_FAMILY_MOBILE: Final = "mobile"
SEMANTIC_FAMILY_VIDEO: Final = "video"
# "Object Deleted" must carry an anonymousId that Customer.io ignores; this is ours.
OBJECT_DELETION_ANONYMOUS_ID: Final = "cio-python-object-deletion"
# Errors about items of a bulk input are located at ("messages", index, ...).
BULK_INPUT_LOCATION: Final = "messages"

# The one message for a date-time without a timezone, wherever it is found (model fields,
# traits and properties, file cells): what is wrong and every way to fix it.
NAIVE_DATETIME_MESSAGE: Final = (
    "date-time has no timezone; give it one: an offset in text (2024-05-01T09:30:00Z, "
    "+01:00), tzinfo=timezone.utc in Python, or --assume-timezone UTC "
    '(assume_timezone="UTC") when reading a file or DataFrame'
)
