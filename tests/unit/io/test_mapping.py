"""Default column roles per kind, explicit mapping, nesting, and where errors point."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from cio.errors import ValidationError
from cio.io import read_rows, validate_csv
from cio.models import Group, Identify, Page, Screen, Track


def rows_of(text: str, tmp_path, kind: str, **options):
    path = tmp_path / "input.csv"
    path.write_text(text, encoding="utf-8")
    return list(read_rows(path, kind=kind, **options))


def one(text: str, tmp_path, kind: str, **options):
    (row,) = rows_of(text, tmp_path, kind, **options)
    assert not row.errors, row.errors
    return row.message


@pytest.mark.parametrize("header", ["user_id", "userId", "id", "User ID", "USER-ID"])
def test_user_id_spellings(header: str, tmp_path) -> None:
    message = one(f"{header},plan\n42,pro\n", tmp_path, "identify")
    assert message.user_id == "42"
    assert message.traits == {"plan": "pro"}


def test_identify_envelope_columns(tmp_path) -> None:
    message = one(
        "anonymous_id,Email,timestamp,messageId\nanon-1,ada@example.com,2024-05-01T10:00:00Z,m-1\n",
        tmp_path,
        "identify",
    )
    assert isinstance(message, Identify)
    assert message.anonymous_id == "anon-1"
    assert message.traits == {"email": "ada@example.com"}
    assert message.timestamp == datetime(2024, 5, 1, 10, tzinfo=timezone.utc)
    assert message.message_id == "m-1"


def test_ids_are_never_inferred_as_numbers(tmp_path) -> None:
    message = one("user_id,plan\n00042,pro\n", tmp_path, "identify")
    assert message.user_id == "00042"


def test_dotted_headers_nest_and_context_is_envelope(tmp_path) -> None:
    message = one(
        "user_id,address.city,address.zip,context.ip,integrations.Slack\n1,Oslo,0150,203.0.113.7,false\n",
        tmp_path,
        "identify",
    )
    assert message.traits == {"address": {"city": "Oslo", "zip": "0150"}}
    assert message.context.ip == "203.0.113.7"
    assert message.integrations == {"Slack": False}


def test_track_kind(tmp_path) -> None:
    message = one("user_id,event,price\n1,Signed Up,9.5\n", tmp_path, "track")
    assert isinstance(message, Track)
    assert (message.event, message.properties) == ("Signed Up", {"price": 9.5})


def test_track_without_event_column_is_a_file_error(tmp_path) -> None:
    path = tmp_path / "events.csv"
    path.write_text("user_id,price\n1,9.5\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_rows(path, kind="track")
    assert info.value.errors[0].type == "missing_column"
    assert "event" in info.value.errors[0].msg


def test_track_with_a_constant_event(tmp_path) -> None:
    message = one("user_id,price\n1,9.5\n", tmp_path, "track", constants={"event": "Plan Upgraded"})
    assert message.event == "Plan Upgraded"


@pytest.mark.parametrize(("kind", "model"), [("page", Page), ("screen", Screen)])
def test_page_and_screen(kind: str, model: type, tmp_path) -> None:
    message = one("user_id,name,category,url\n1,Home,Docs,/home\n", tmp_path, kind)
    assert isinstance(message, model)
    assert (message.name, message.category, message.properties) == (
        "Home",
        "Docs",
        {"url": "/home"},
    )


def test_group_kind_builds_objects(tmp_path) -> None:
    message = one("object_id,object_type_id,name,employees\nacme,2,Acme,120\n", tmp_path, "group")
    assert isinstance(message, Group)
    assert message.group_id == "acme"
    assert message.user_id is None
    assert message.traits == {"name": "Acme", "employees": 120, "objectTypeId": "2"}


def test_relationship_kind(tmp_path) -> None:
    message = one(
        "user_id,object_id,object_type_id,role,traits.name\n42,acme,1,admin,Acme\n",
        tmp_path,
        "relationship",
    )
    assert message.user_id == "42"
    assert message.group_id == "acme"
    assert message.traits == {
        "objectTypeId": "1",
        "relationshipAttributes": {"role": "admin"},
        "name": "Acme",
    }


def test_relationship_row_without_a_user_is_a_row_error(tmp_path) -> None:
    rows = rows_of("user_id,object_id\n,acme\n42,acme\n", tmp_path, "relationship")
    (error,) = rows[0].errors
    assert (error.row, error.column, error.type) == (2, "user_id", "missing")
    assert rows[1].message is not None


def test_device_kind(tmp_path) -> None:
    message = one("user_id,token,device_type,app_version\n42,tok-1,ios,1.2.0\n", tmp_path, "device")
    payload = message.to_payload()
    assert payload["event"] == "Device Created or Updated"
    assert payload["context"]["device"] == {"token": "tok-1", "type": "ios"}
    assert payload["properties"] == {"app_version": "1.2.0"}


@pytest.mark.parametrize(
    ("kind", "event"),
    [
        ("delete", "User Deleted"),
        ("suppress", "User Suppressed"),
        ("unsuppress", "User Unsuppressed"),
    ],
)
def test_person_operations(kind: str, event: str, tmp_path) -> None:
    message = one("user_id\n42\n", tmp_path, kind)
    assert message.to_payload()["event"] == event
    assert message.user_id == "42"


def test_rename_drop_and_constants(tmp_path) -> None:
    message = one(
        "cust_no,Email Address,notes,City\n7,ada@example.com,secret,Oslo\n",
        tmp_path,
        "identify",
        mapping={
            "cust_no": "user_id",
            "Email Address": "email",
            "notes": None,
            "City": "address.city",
        },
        constants={"plan": "pro", "context.ip": "203.0.113.7"},
    )
    assert message.user_id == "7"
    assert message.traits == {
        "email": "ada@example.com",
        "address": {"city": "Oslo"},
        "plan": "pro",
    }
    assert message.context.ip == "203.0.113.7"


def test_two_columns_filling_one_field_is_a_file_error(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,id\n1,2\n", encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        read_rows(path, kind="identify")
    assert info.value.errors[0].type == "conflicting_columns"


def test_a_value_and_its_nested_keys_conflict(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,address,address.city\n1,x,y\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="both fill"):
        read_rows(path, kind="identify")


def test_mapping_an_absent_column_is_a_file_error(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id\n1\n", encoding="utf-8")
    with pytest.raises(ValidationError, match="not in the header"):
        read_rows(path, kind="identify", mapping={"nope": "plan"})


def test_people_kinds_need_an_identity_column(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("name\nAda\n", encoding="utf-8")
    result = validate_csv(path, kind="identify")
    assert result.errors[0].type == "missing_column"
    assert result.errors[0].row == 1


def test_unnamed_columns_are_ignored_when_empty(tmp_path) -> None:
    rows = rows_of("user_id,plan,\n1,pro,\n2,free,oops\n", tmp_path, "identify")
    assert rows[0].message.traits == {"plan": "pro"}
    (error,) = rows[1].errors
    assert error.type == "unnamed_column"


def test_errors_point_at_the_column_and_never_echo_the_value(tmp_path) -> None:
    rows = rows_of(
        "user_id,email,plan\n1,ada-at-example,pro\n,grace@example.com,free\n"
        "   ,x@example.com,pro\n",
        tmp_path,
        "identify",
    )
    # An email that cannot receive mail is accepted (the API stores it) with a warning.
    assert rows[0].errors == ()
    (bad_email,) = rows[0].message.warnings
    assert (bad_email.field, bad_email.type) == ("traits.email", "email_undeliverable")
    assert "ada-at-example" not in str(bad_email)
    no_identity = rows[1].errors[0]
    assert (no_identity.row, no_identity.column, no_identity.type) == (3, None, "missing_identity")
    blank = rows[2].errors[0]
    assert (blank.row, blank.column, blank.type) == (4, "user_id", "blank_string")


def test_object_type_error_points_at_its_column(tmp_path) -> None:
    rows = rows_of("object_id,object_type_id\nacme,company\n", tmp_path, "group")
    (error,) = rows[0].errors
    assert (error.column, error.type) == ("object_type_id", "object_type_id")


def test_validation_result_summary_table_and_html(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,email\n1,a@example.com\n   ,<b>not-an-email</b>\n", encoding="utf-8")
    result = validate_csv(path, kind="identify")
    assert (result.rows, result.valid, result.invalid, result.ok) == (2, 1, 1, False)
    assert result.columns == {"user_id": "userId", "email": "traits.email"}
    assert "1 invalid" in str(result)
    table = result.table()
    assert table.splitlines()[0].split() == ["row", "column", "field", "type", "message"]
    assert "3" in table.splitlines()[2]
    page = result._repr_html_()
    assert "<table>" in page
    assert "not-an-email" not in page


def test_errors_csv_holds_every_error_but_the_result_keeps_max_errors(tmp_path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id\n" + "\n".join(" " for _ in range(30)) + "\n", encoding="utf-8")
    out = tmp_path / "errors.csv"
    result = validate_csv(path, kind="identify", max_errors=5, errors_csv=out)
    assert result.error_count == 30
    assert len(result.errors) == 5
    lines = out.read_text(encoding="utf-8").splitlines()
    assert lines[0] == "row,column,field,type,message"
    assert len(lines) == 31
    assert "... and 25 more errors" in result.table()
