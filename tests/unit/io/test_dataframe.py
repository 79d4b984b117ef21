"""pandas DataFrames of every dtype: nullable, categorical, tz-aware; index labels in errors."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
import pytest

from cio import CustomerIOClient
from cio.io import read_rows, validate_dataframe
from cio.testing import RecordingTransport


def _nullable_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "user_id": pd.array(["1", "2", "3"], dtype="string"),
            "seats": pd.array([3, pd.NA, 5], dtype="Int64"),
            "active": pd.array([True, pd.NA, False], dtype="boolean"),
            "nick": pd.array(["ada", pd.NA, "lin"], dtype="string"),
            "plan": pd.Categorical(["pro", "free", None]),
            "score": pd.array([1.5, pd.NA, 2.0], dtype="Float64"),
        }
    )


def test_nullable_dtypes_with_na_are_omitted_not_a_crash() -> None:
    result = validate_dataframe(_nullable_frame(), kind="identify")
    assert (result.valid, result.invalid) == (3, 0)
    traits = [row.message.traits for row in read_rows(_nullable_frame(), kind="identify")]
    assert traits == [
        {"seats": 3, "active": True, "nick": "ada", "plan": "pro", "score": 1.5},
        {"plan": "free"},
        {"seats": 5, "active": False, "nick": "lin", "score": 2.0},
    ]


def test_nullable_frame_imports_through_the_client() -> None:
    transport = RecordingTransport()
    client = CustomerIOClient(api_key="k", transport=transport)
    report = client.batch.import_dataframe(_nullable_frame(), kind="identify")
    assert (report.sent, report.invalid) == (3, 0)
    by_user = {message["userId"]: message for message in transport.messages}
    assert by_user["2"]["traits"] == {"plan": "free"}


def test_tz_aware_timestamps_are_kept_and_naive_ones_need_a_zone() -> None:
    frame = pd.DataFrame(
        {
            "user_id": ["1", "2"],
            "timestamp": pd.to_datetime(["2024-05-01T10:00:00Z", "2024-05-02T11:30:00Z"]),
            "seen": pd.to_datetime(["2024-05-01 10:00", None]),
        }
    )
    rows = list(read_rows(frame, kind="identify"))
    assert [(e.row, e.column) for e in rows[0].errors] == [(0, "seen")]
    assert rows[1].message.timestamp == datetime(2024, 5, 2, 11, 30, tzinfo=timezone.utc)
    assumed = list(read_rows(frame, kind="identify", assume_timezone="UTC"))
    assert assumed[0].message.traits["seen"] == "2024-05-01T10:00:00+00:00"


def test_errors_give_the_index_label_of_a_labelled_frame() -> None:
    frame = pd.DataFrame(
        {"user_id": ["1", "2", "3"], "timestamp": ["2024-05-01T10:00:00Z", "nope", None]},
        index=pd.Index(["ada", "grace", "lin"], name="nick"),
    )
    result = validate_dataframe(frame, kind="identify")
    (error,) = result.errors
    assert (error.row, error.column) == ("grace", "timestamp")


def test_warnings_give_the_index_label_too() -> None:
    frame = pd.DataFrame(
        {"user_id": ["1", "2"], "email": ["a@example.com", "nope"]},
        index=pd.Index(["ada", "grace"], name="nick"),
    )
    (warning,) = validate_dataframe(frame, kind="identify").warnings
    assert (warning.row, warning.column, warning.type) == ("grace", "email", "email_undeliverable")


def test_errors_give_integer_labels_not_positions() -> None:
    frame = pd.DataFrame({"user_id": ["1", ""], "plan": ["pro", "free"]}, index=[1001, 1002])
    (error,) = validate_dataframe(frame, kind="identify").errors
    assert error.row == 1002


def test_a_default_range_index_gives_positions() -> None:
    frame = pd.DataFrame({"user_id": ["1", ""]})
    (error,) = validate_dataframe(frame, kind="identify").errors
    assert error.row == 1


@pytest.mark.parametrize("dtype", ["Int64", "boolean", "string"])
def test_an_all_na_identity_column_is_a_row_error_per_row(dtype: str) -> None:
    frame = pd.DataFrame({"user_id": pd.array([pd.NA, pd.NA], dtype=dtype)})
    result = validate_dataframe(frame, kind="identify")
    assert (result.valid, result.invalid) == (0, 2)


def test_the_column_types_come_from_the_dtypes() -> None:
    frame = _nullable_frame().assign(
        seen=pd.to_datetime(["2024-05-01T10:00:00Z"] * 3),
        naive=pd.to_datetime(["2024-05-01 10:00"] * 3),
        raw=[1, "a", None],
    )
    types = validate_dataframe(frame, kind="identify").column_types
    assert dict(types) == {
        "user_id": "string",
        "seats": "integer",
        "active": "boolean",
        "nick": "string",
        "plan": "string",
        "score": "number",
        "seen": "datetime",
        "naive": "datetime (naive)",
        "raw": "object",
    }
