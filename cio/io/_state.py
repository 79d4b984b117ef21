"""Deterministic messageIds and the append-only state file that makes imports resumable.

The state file is plain text. Its first line is a JSON header naming the import (its id
and kind); every later line is a range of acknowledged rows, ``first-last``. Lines are
appended, flushed and fsync'd after each acknowledged batch, so after a crash (even
SIGKILL) the file holds every acknowledgement that was recorded, plus at most one torn
last line, which is ignored. Rows not recorded are sent again with the same messageIds,
and Customer.io drops the duplicates of any that had arrived.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import logging
import os
import threading
import uuid
from collections.abc import Iterable
from typing import Any, Final

from cio.errors import ConfigurationError
from cio.io._constants import (
    FILE_HASH_CHUNK_BYTES,
    IMPORT_ID_HASH_PREFIX,
    IMPORT_NAMESPACE,
    IMPORT_STATE_VERSION,
)

__all__ = ["ImportState", "MessageIds", "dataframe_identity", "file_identity"]

logger = logging.getLogger(__name__)

_HEADER_KEY: Final = "cio_import_state"
_TORN_MARK: Final = "!"
MAX_STATE_ROW: Final = 1_000_000_000
_HEX_DIGITS: Final = "0123456789abcdef"
_VARIANT_MASK: Final = 0x3
_VARIANT_DIGITS: Final = "89ab"
# A UUID's variant digit (RFC 4122: the two high bits 10) from the hash's digit there.
_VARIANT: Final = {digit: _VARIANT_DIGITS[int(digit, 16) & _VARIANT_MASK] for digit in _HEX_DIGITS}
"""Row numbers beyond this in a state file mean it is damaged (one bit per row in memory)."""


def file_identity(path: str | os.PathLike[str]) -> str:
    """The identity of a file's content: ``sha256:<hex>``, read in chunks.

    Parameters
    ----------
    path : str or path-like
        The file.

    Returns
    -------
    str
    """
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(FILE_HASH_CHUNK_BYTES):
            digest.update(chunk)
    return IMPORT_ID_HASH_PREFIX + digest.hexdigest()


def dataframe_identity(frame: Any) -> str:
    """The identity of a DataFrame's content (labels, index and values).

    Parameters
    ----------
    frame : pandas.DataFrame
        The data.

    Returns
    -------
    str
    """
    # pandas is optional; importlib keeps the import lazy and untyped.
    hash_pandas_object = importlib.import_module("pandas.util").hash_pandas_object
    digest = hashlib.sha256()
    digest.update(json.dumps([str(label) for label in frame.columns]).encode())
    digest.update(hash_pandas_object(frame, index=True).to_numpy().tobytes())
    return IMPORT_ID_HASH_PREFIX + digest.hexdigest()


class MessageIds:
    """messageIds derived from an import's identity, its kind and the row number.

    ``MessageIds(import_id, kind)(row)`` equals
    ``str(uuid.uuid5(uuid.uuid5(IMPORT_NAMESPACE, f"{import_id}/{kind}"), str(row)))``,
    computed without building UUID objects (this runs once per row).

    Parameters
    ----------
    import_id : str
        The file's identity (``sha256:...``) or an explicit import id.
    kind : str
        The import's kind.

    Example
    -------
    >>> ids = MessageIds("sha256:abc", "identify")
    >>> ids(2) == ids(2) != ids(3)
    True
    """

    def __init__(self, import_id: str, kind: str) -> None:
        self.namespace = uuid.uuid5(uuid.UUID(IMPORT_NAMESPACE), f"{import_id}/{kind}")
        self._base = hashlib.sha1(self.namespace.bytes, usedforsecurity=False)
        self._copy = self._base.copy

    def many(self, rows: Iterable[int]) -> list[str]:
        """The messageIds of many rows at once (what calling this for each row gives).

        Parameters
        ----------
        rows : iterable of int
            Row numbers.

        Returns
        -------
        list of str
        """
        copy = self._copy
        ids: list[str] = []
        append = ids.append
        for row in rows:
            digest = copy()
            digest.update(b"%d" % row)
            append(_text_id(digest.hexdigest()))
        return ids

    def __call__(self, row: int) -> str:
        digest = self._copy()
        digest.update(b"%d" % row)
        return _text_id(digest.hexdigest())


def _text_id(text: str) -> str:
    """A UUID from a hex digest: its first 16 bytes, version digit 5, variant bits 10."""
    return f"{text[:8]}-{text[8:12]}-5{text[13:16]}-{_VARIANT[text[16]]}{text[17:20]}-{text[20:32]}"


class ImportState:
    """The acknowledged rows of one import, kept in an append-only, fsync'd file.

    Parameters
    ----------
    path : str or path-like
        The state file; created when missing.
    import_id : str
        The import's identity; a file written for another import is refused.
    kind : str
        The import's kind; must match too.

    Raises
    ------
    ConfigurationError
        When the file belongs to another import or is not a state file.
    """

    def __init__(self, path: str | os.PathLike[str], *, import_id: str, kind: str) -> None:
        self.path = os.fspath(path)
        self.import_id = import_id
        self.kind = kind
        self._lock = threading.Lock()
        # One bit per row: a million rows take 125 KB, however scattered the
        # acknowledgements are (the engine groups messages by user, not by row).
        self._bits = bytearray()
        self._load()
        self.acknowledged_before = int.from_bytes(self._bits, "little").bit_count()
        self._handle = open(self.path, "a", encoding="utf-8")  # noqa: SIM115
        if not self._exists_with_header:
            self._write(
                json.dumps(
                    {_HEADER_KEY: IMPORT_STATE_VERSION, "import_id": import_id, "kind": kind}
                )
                + "\n"
            )
        elif self._needs_newline:
            # End the torn line so that it stays invalid ("1" + "!" is not a row).
            self._write(_TORN_MARK + "\n")

    def _load(self) -> None:
        self._exists_with_header = False
        self._needs_newline = False
        try:
            handle = open(self.path, encoding="utf-8", newline="\n")  # noqa: SIM115
        except FileNotFoundError:
            return
        with handle:
            try:
                first_line = handle.readline()
            except UnicodeDecodeError:
                raise ConfigurationError(f"{self.path} is not a cio import state file") from None
            if not first_line.strip():
                return
            self._check_header(first_line)
            self._exists_with_header = True
            self._needs_newline = not first_line.endswith("\n")
            try:
                self._load_ranges(handle)
            except UnicodeDecodeError:
                raise self._damaged("a line is not valid UTF-8") from None

    def _load_ranges(self, handle: Any) -> None:
        for number, line in enumerate(handle, start=2):
            # Only newline-terminated lines count: a line cut short by a crash could
            # read as another row number ("12" from "123").
            if not line.endswith("\n"):
                self._needs_newline = True
                break
            text = line.strip()
            if not text or text.endswith(_TORN_MARK):
                continue  # a line a crash cut short, ended by a later run
            first, _, last = text.partition("-")
            if not (_is_row(first) and (not last or _is_row(last))):
                raise self._damaged(f"line {number} is not a range of rows")
            start, end = int(first), int(last or first)
            if end > MAX_STATE_ROW:
                raise self._damaged(f"line {number} names a row beyond {MAX_STATE_ROW:,}")
            if start <= end:
                self._mark(start, end)

    def _damaged(self, why: str) -> ConfigurationError:
        return ConfigurationError(
            f"the state file {self.path} is damaged ({why}); move it away to start the import "
            "over (rows sent again keep their messageIds, so Customer.io drops duplicates)"
        )

    def _check_header(self, line: str) -> None:
        try:
            header = json.loads(line)
        except ValueError:
            header = None
        if not isinstance(header, dict) or header.get(_HEADER_KEY) != IMPORT_STATE_VERSION:
            raise ConfigurationError(f"{self.path} is not a cio import state file")
        if header.get("import_id") != self.import_id or header.get("kind") != self.kind:
            raise ConfigurationError(
                f"the state file {self.path} belongs to another import (a different file "
                "content, import id or kind); use a new --state file for this one"
            )

    def _mark(self, start: int, end: int) -> None:
        if end >= len(self._bits) * 8:
            self._bits.extend(bytes(end // 8 + 1 - len(self._bits)))
        bits = self._bits
        for row in range(start, end + 1):
            bits[row >> 3] |= 1 << (row & 7)

    def done(self, row: int) -> bool:
        """Whether ``row`` was acknowledged in an earlier run.

        Parameters
        ----------
        row : int
            Row number.

        Returns
        -------
        bool
        """
        index = row >> 3
        return index < len(self._bits) and bool(self._bits[index] & (1 << (row & 7)))

    def record(self, rows: Iterable[int]) -> None:
        """Append acknowledged rows and make them durable (flush and fsync).

        Parameters
        ----------
        rows : iterable of int
            Row numbers the API acknowledged.
        """
        ranges = _merge((row, row) for row in rows)
        if not ranges:
            return
        text = "".join(
            f"{start}\n" if start == end else f"{start}-{end}\n" for start, end in ranges
        )
        with self._lock:
            self._write(text)

    def _write(self, text: str) -> None:
        self._handle.write(text)
        self._handle.flush()
        os.fsync(self._handle.fileno())

    def close(self) -> None:
        """Close the file."""
        with self._lock:
            self._handle.close()


def _is_row(text: str) -> bool:
    return text.isascii() and text.isdigit()


def _merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1] + 1:
            if end > merged[-1][1]:
                merged[-1] = (merged[-1][0], end)
        else:
            merged.append((start, end))
    return merged
