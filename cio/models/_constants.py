"""Constants of the models (:mod:`cio.models`) that are not API facts."""

from __future__ import annotations

from typing import Final

SEMANTIC_NAME_SUGGESTIONS: Final = 3
"""How many close matches an unknown semantic event name suggests."""
MESSAGE_ID_RANDOM_BLOCK: Final = 256
"""Message ids: random bytes are drawn per thread in blocks of this many ids."""
MAX_NESTING_DEPTH: Final = 32
"""Free-form values (traits, properties, context extras) nest at most this deep."""
