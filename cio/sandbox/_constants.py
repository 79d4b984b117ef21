"""Constants of the local sandbox server (:mod:`cio.sandbox`)."""

from __future__ import annotations

from typing import Final

SANDBOX_HOST: Final = "127.0.0.1"
"""The only address the sandbox ever binds."""
SANDBOX_KEY_PREFIX: Final = "sandbox-"
SANDBOX_KEY_HEX_BYTES: Final = 12
SANDBOX_MAX_BODY_BYTES: Final = 16 * 1024 * 1024
"""Bodies larger than this are refused with 413 before being read."""
SANDBOX_POLL_INTERVAL_SECONDS: Final = 0.01
"""How often the idle server checks for stop(); also bounds how long stop() takes."""
SANDBOX_REQUEST_QUEUE_SIZE: Final = 128
