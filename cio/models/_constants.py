"""Constants of the models (:mod:`cio.models`) that are not API facts."""

from __future__ import annotations

from typing import Final

SEMANTIC_NAME_SUGGESTIONS: Final = 3
MESSAGE_ID_RANDOM_BLOCK: Final = 256
