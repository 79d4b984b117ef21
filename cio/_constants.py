"""Every limit, URL, header and reserved name the library uses, in one place.

The figures come from the Data Pipelines API reference: a message may be at most
32 KB, a batch request at most 500 KB, and the API accepts about 3000 requests per
3 seconds. The real API answers 200 to an oversized payload and drops it, so the
client enforces these limits itself.
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
DEFAULT_CONNECT_TIMEOUT_SECONDS: Final = 5.0
DEFAULT_MAX_RETRIES: Final = 6
DEFAULT_DEADLINE_SECONDS: Final = 60.0
BACKOFF_BASE_SECONDS: Final = 0.5
BACKOFF_CAP_SECONDS: Final = 30.0
RETRY_AFTER_CAP_SECONDS: Final = 30.0
"""A longer Retry-After means waiting this long and retrying (below the deadline)."""
RETRYABLE_STATUSES: Final = frozenset({408, 429})
NON_RETRYABLE_SERVER_STATUSES: Final = frozenset({501, 505})
DEFAULT_POOL_SIZE: Final = 32
ERROR_BODY_MAX_CHARS: Final = 500

# Headers.
HEADER_AUTHORIZATION: Final = "Authorization"
HEADER_CONTENT_TYPE: Final = "Content-Type"
HEADER_USER_AGENT: Final = "User-Agent"
HEADER_STRICT_MODE: Final = "X-Strict-Mode"
HEADER_RETRY_AFTER: Final = "Retry-After"
CONTENT_TYPE_JSON: Final = "application/json"
USER_AGENT_PREFIX: Final = "cio-python/"

# Settings.
ENV_PREFIX: Final = "CIO_"
ENV_API_KEY: Final = "CIO_API_KEY"
ENV_FILE: Final = ".env"
ENV_REQUESTS_CA_BUNDLE: Final = "REQUESTS_CA_BUNDLE"
ENV_CURL_CA_BUNDLE: Final = "CURL_CA_BUNDLE"

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

# Free-form values (traits, properties, context extras).
MAX_NESTING_DEPTH: Final = 32

# File import (cio.io) ------------------------------------------------------------------
IMPORT_NAMESPACE: Final = "7e546ada-3f03-4f6c-a4a9-07962f340bea"
"""UUID namespace from which each import's deterministic messageIds are derived (uuid5)."""
IMPORT_ID_HASH_PREFIX: Final = "sha256:"
CSV_SNIFF_BYTES: Final = 64 * 1024
CSV_DELIMITERS: Final = ",;\t|"
FILE_HASH_CHUNK_BYTES: Final = 1024 * 1024
DEFAULT_MAX_ROW_ERRORS: Final = 1000
"""Row errors kept in a validation result or import report (all are counted)."""
DEFAULT_SHOWN_ROW_ERRORS: Final = 20
"""Row errors the CLI prints as a table."""
MAX_INFERRED_INTEGER_DIGITS: Final = 15
"""Longer digit strings (phone, card or account numbers) stay strings."""
IMPORT_STATE_VERSION: Final = 1

# Sandbox (cio.sandbox) -----------------------------------------------------------------
SANDBOX_HOST: Final = "127.0.0.1"
"""The only address the sandbox ever binds."""
API_PATH_PREFIX: Final = "/v1"
SANDBOX_KEY_PREFIX: Final = "sandbox-"
SANDBOX_KEY_HEX_BYTES: Final = 12
SANDBOX_MAX_BODY_BYTES: Final = 16 * 1024 * 1024
"""Bodies larger than this are refused with 413 before being read."""
SANDBOX_POLL_INTERVAL_SECONDS: Final = 0.01
"""How often the idle server checks for stop(); also bounds how long stop() takes."""
SANDBOX_REQUEST_QUEUE_SIZE: Final = 128
HEADER_CONTENT_LENGTH: Final = "Content-Length"
HEADER_TRANSFER_ENCODING: Final = "Transfer-Encoding"
HEADER_WWW_AUTHENTICATE: Final = "WWW-Authenticate"
HEADER_ALLOW: Final = "Allow"
ENV_BASE_URL: Final = "CIO_BASE_URL"

# Delivery engine (cio.delivery) --------------------------------------------------------
DEFAULT_MAX_WORKERS: Final = 4
"""Upper bound of the default worker count (the default is min(4, 2 * CPUs))."""
WORKERS_PER_CPU: Final = 2
DEFAULT_IN_FLIGHT_PER_WORKER: Final = 2
"""Packed batches allowed to wait per worker; bounds memory whatever the input size."""
MAX_REPORT_FAILURES: Final = 10_000
"""Failure records a BatchReport keeps (all are counted; dead letters keep every one)."""
DEFAULT_BUFFER_MAX_QUEUE: Final = 100_000
"""Calls a buffered sender holds before it blocks or raises."""
DEFAULT_BUFFER_FLUSH_INTERVAL_SECONDS: Final = 0.5
DEFAULT_BUFFER_WAKE_AT: Final = 2_000
"""Queued calls that wake the buffered sender's thread before the interval is up."""
DEFAULT_FLUSH_TIMEOUT_SECONDS: Final = 10.0
DEFAULT_EXIT_FLUSH_SECONDS: Final = 5.0
"""Bound on the flush run at interpreter exit for each open buffered sender."""
OUTBOX_BUSY_TIMEOUT_MS: Final = 5_000
OUTBOX_LOAD_ROWS: Final = 5_000
"""Outbox rows read per query when resending what a previous run left."""
DEAD_LETTER_SUFFIX: Final = ".deadletters.jsonl"

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
# How many close matches an unknown semantic event name suggests.
SEMANTIC_NAME_SUGGESTIONS: Final = 3

# Message ids: random bytes drawn per thread in blocks of this many ids.
MESSAGE_ID_RANDOM_BLOCK: Final = 256

# Errors about items of a bulk input are located at ("messages", index, ...).
BULK_INPUT_LOCATION: Final = "messages"
