"""Constants of file import (:mod:`cio.io`): names, formats and limits of its own."""

from __future__ import annotations

from typing import Final

IMPORT_NAMESPACE: Final = "7e546ada-3f03-4f6c-a4a9-07962f340bea"
"""UUID namespace from which each import's deterministic messageIds are derived (uuid5)."""
IMPORT_ID_HASH_PREFIX: Final = "sha256:"
CSV_SNIFF_BYTES: Final = 64 * 1024
CSV_DELIMITERS: Final = ",;\t|"
FILE_HASH_CHUNK_BYTES: Final = 1024 * 1024
MAX_INFERRED_INTEGER_DIGITS: Final = 15
"""Longer digit strings (phone, card or account numbers) stay strings."""
IMPORT_STATE_VERSION: Final = 1
