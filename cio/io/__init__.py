"""Validate, import and incrementally sync CSV, JSON Lines, Parquet and Arrow files, DataFrames
and SQL queries.

Each row becomes a model of the chosen kind or a row error that says where (row,
column, field) and why, never with the cell's value. Imports give every row a
messageId derived from the file's identity and the row number, and can record
acknowledged rows in a state file, so re-running or resuming never creates duplicates.
See ``docs/import.md``; :func:`sync` sends only what changed since its last run and can
mirror deletions (``docs/sync.md``).

Example
-------
>>> import tempfile, pathlib
>>> from cio.io import validate_csv
>>> path = pathlib.Path(tempfile.mkdtemp()) / "people.csv"
>>> _ = path.write_text("user_id,email,zip\\n1,ada@example.com,02134\\n")
>>> result = validate_csv(path, kind="identify")
>>> result.ok, result.valid
(True, 1)
"""

from cio.io._columnar import SqlQuery
from cio.io._import import (
    ImportReport,
    import_csv,
    import_dataframe,
    import_jsonl,
    import_source,
    run_import,
)
from cio.io._infer import COLUMN_TYPES, converter_for
from cio.io._partition import RESULT_COLUMNS, PartitionSender, rate_share
from cio.io._plan import KINDS, ColumnMapping, Row, describe_kinds
from cio.io._progress import ProgressBar, make_progress
from cio.io._source import Record, TabularSource, open_source
from cio.io._state import ImportState, MessageIds, file_identity
from cio.io._sync import (
    DEFAULT_MAX_DELETE_SHARE,
    SYNC_KINDS,
    DeletionLimitError,
    SyncError,
    SyncHistory,
    SyncReport,
    content_hash,
    run_sync,
    sync,
    sync_history,
    sync_message_id,
)
from cio.io._sync_state import RejectedKey, SyncRun
from cio.io._validate import (
    ValidationResult,
    format_error_table,
    format_error_tally,
    read_rows,
    validate,
    validate_csv,
    validate_dataframe,
    validate_jsonl,
)

__all__ = [
    "COLUMN_TYPES",
    "DEFAULT_MAX_DELETE_SHARE",
    "KINDS",
    "RESULT_COLUMNS",
    "SYNC_KINDS",
    "ColumnMapping",
    "DeletionLimitError",
    "ImportReport",
    "ImportState",
    "MessageIds",
    "PartitionSender",
    "ProgressBar",
    "Record",
    "RejectedKey",
    "Row",
    "SqlQuery",
    "SyncError",
    "SyncHistory",
    "SyncReport",
    "SyncRun",
    "TabularSource",
    "ValidationResult",
    "content_hash",
    "converter_for",
    "describe_kinds",
    "file_identity",
    "format_error_table",
    "format_error_tally",
    "import_csv",
    "import_dataframe",
    "import_jsonl",
    "import_source",
    "make_progress",
    "open_source",
    "rate_share",
    "read_rows",
    "run_import",
    "run_sync",
    "sync",
    "sync_history",
    "sync_message_id",
    "validate",
    "validate_csv",
    "validate_dataframe",
    "validate_jsonl",
]
