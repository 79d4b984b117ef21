"""Validate and import CSV files, JSON Lines files and pandas DataFrames.

Each row becomes a model of the chosen kind or a row error that says where (row,
column, field) and why, never with the cell's value. Imports give every row a
messageId derived from the file's identity and the row number, and can record
acknowledged rows in a state file, so re-running or resuming never creates duplicates.
See ``docs/import.md``.

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

from cio.io._import import (
    ImportReport,
    import_csv,
    import_dataframe,
    import_jsonl,
    import_source,
    run_import,
)
from cio.io._infer import COLUMN_TYPES, converter_for
from cio.io._plan import KINDS, ColumnMapping, Row, describe_kinds
from cio.io._state import ImportState, MessageIds, file_identity
from cio.io._validate import (
    ValidationResult,
    format_error_table,
    read_rows,
    validate,
    validate_csv,
    validate_dataframe,
    validate_jsonl,
)

__all__ = [
    "COLUMN_TYPES",
    "KINDS",
    "ColumnMapping",
    "ImportReport",
    "ImportState",
    "MessageIds",
    "Row",
    "ValidationResult",
    "converter_for",
    "describe_kinds",
    "file_identity",
    "format_error_table",
    "import_csv",
    "import_dataframe",
    "import_jsonl",
    "import_source",
    "read_rows",
    "run_import",
    "validate",
    "validate_csv",
    "validate_dataframe",
    "validate_jsonl",
]
