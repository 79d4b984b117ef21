"""Warnings appear wherever errors do, and one switch turns them into errors.

A message the API accepts but that is probably a mistake (here, an email that cannot
receive mail) is sent, and its located warning shows up in every report; with
``warnings="error"`` or ``CIO_WARNINGS=error`` it is refused like an invalid message.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import cio
from cio import CustomerIOClient
from cio.cli import main
from cio.io import validate_csv
from cio.testing import RecordingTransport

UNDELIVERABLE = "ada-at-example"
PEOPLE = f"user_id,email\n1,ada@example.com\n2,{UNDELIVERABLE}\n"


@pytest.fixture
def transport() -> RecordingTransport:
    return RecordingTransport()


@pytest.fixture
def client(transport: RecordingTransport) -> CustomerIOClient:
    return CustomerIOClient(api_key="test-key", transport=transport, max_retries=0)


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    return path


def _messages() -> list[dict[str, object]]:
    return [
        {"type": "identify", "userId": "1", "traits": {"email": "ada@example.com"}},
        {"type": "identify", "userId": "2", "traits": {"email": UNDELIVERABLE}},
    ]


def test_a_single_send_carries_its_warnings(client: CustomerIOClient) -> None:
    result = client.people.identify("2", {"email": UNDELIVERABLE})
    assert [(w.field, w.type) for w in result.warnings] == [("traits.email", "email_undeliverable")]
    assert client.people.identify("1", {"email": "ada@example.com"}).warnings == ()


def test_a_bulk_send_reports_warnings_at_the_message_and_sends_it(
    client: CustomerIOClient, transport: RecordingTransport
) -> None:
    report = client.batch.send(_messages())
    assert (report.sent, report.rejected, report.warning_count) == (2, 0, 1)
    assert report.warnings[0].field == "messages.1.traits.email"
    assert "1 warning" in str(report) and "1 warnings" not in str(report)
    page = report._repr_html_()
    assert "Warnings" in page and "traits.email" in page
    assert UNDELIVERABLE not in page + str(report)
    assert len(transport.messages) == 2


def test_warnings_error_rejects_the_message_in_bulk(client: CustomerIOClient) -> None:
    report = client.batch.send(_messages(), warnings="error")
    assert (report.sent, report.rejected) == (1, 1)
    assert report.failures[0].details[0].field == "messages.1.traits.email"


def test_cio_warnings_error_refuses_a_single_send(
    transport: RecordingTransport, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIO_WARNINGS", "error")
    client = CustomerIOClient(api_key="test-key", transport=transport)
    with pytest.raises(cio.ValidationError) as caught:
        client.people.identify("2", {"email": UNDELIVERABLE})
    assert caught.value.errors[0].field == "traits.email"
    assert transport.requests == []


def test_validation_locates_warnings_by_row_and_column(people: Path) -> None:
    result = validate_csv(people, kind="identify")
    assert (result.valid, result.invalid, result.ok, result.warning_count) == (2, 0, True, 1)
    (warning,) = result.warnings
    assert (warning.row, warning.column, warning.field) == (3, "email", "traits.email")
    assert "1 warning" in result.summary() and "1 warnings" not in result.summary()
    assert "email_undeliverable" in result.warnings_table()
    assert "Warnings" in result._repr_html_()
    assert UNDELIVERABLE not in result.warnings_table() + result._repr_html_()


def test_validation_with_warnings_as_errors(people: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_WARNINGS", "error")
    result = validate_csv(people, kind="identify")
    assert (result.valid, result.invalid) == (1, 1)
    assert result.errors[0].column == "email"


def test_an_import_reports_warnings(client: CustomerIOClient, people: Path) -> None:
    report = client.batch.import_csv(people, kind="identify")
    assert (report.sent, report.warning_count) == (2, 1)
    assert report.warnings[0].row == 3
    assert "email_undeliverable" in report.warnings_table()
    assert "1 warning" in report.summary() and "1 warnings" not in report.summary()


def test_the_cli_prints_the_warnings_table(
    people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["validate", str(people), "--kind", "identify"]) == 0
    out = capsys.readouterr().out
    assert "warnings (accepted, probably a mistake)" in out
    assert "email_undeliverable" in out
    assert UNDELIVERABLE not in out


def test_the_client_setting_makes_warnings_errors(transport: RecordingTransport) -> None:
    strict = CustomerIOClient(api_key="test-key", transport=transport, warnings="error")
    assert strict.settings.warnings == "error"
    with pytest.raises(cio.ValidationError):
        strict.people.identify("2", {"email": UNDELIVERABLE})
    report = strict.batch.send(_messages())
    assert (report.sent, report.rejected) == (1, 1)
    assert strict.batch.send(_messages(), warnings="warn").sent == 2


def test_an_unknown_setting_value_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_WARNINGS", "loud")
    with pytest.raises((cio.ConfigurationError, ValueError)):
        CustomerIOClient(api_key="test-key", transport=RecordingTransport())


def test_the_buffered_sender_reports_warnings(client: CustomerIOClient) -> None:
    with client.buffered(workers=1) as sender:
        sender.identify("1", {"email": "ada@example.com"})
        sender.identify("2", {"email": UNDELIVERABLE})
    report = sender.report()
    assert (report.sent, report.warning_count) == (2, 1)
    assert report.warnings[0].field == "messages.1.traits.email"
