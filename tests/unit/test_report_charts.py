"""The reports' HTML representations carry their charts (what Jupyter shows)."""

from __future__ import annotations

from pathlib import Path

from cio import CustomerIOClient
from cio.delivery import BatchReport
from cio.io import import_csv, validate
from cio.testing import RecordingTransport


def _messy(tmp_path: Path) -> Path:
    lines = ["user_id,email"] + [f"{n},bad{n}" for n in range(30)] + ["99,ok@example.com"]
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validation_result_shows_where_the_errors_are(tmp_path: Path) -> None:
    page = validate(_messy(tmp_path), "identify")._repr_html_()
    assert "Row errors by column and type" in page
    assert "email: email" in page
    assert "bad1" not in page


def test_a_clean_result_has_no_error_chart(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("user_id\n1\n", encoding="utf-8")
    assert "<svg" not in validate(path, "identify")._repr_html_()


def test_import_report_shows_delivery_and_errors(tmp_path: Path) -> None:
    with CustomerIOClient(api_key="k", transport=RecordingTransport()) as client:
        report = import_csv(client, _messy(tmp_path), "identify")
    page = report._repr_html_()
    assert page.count("<svg") == 2
    assert "Delivery over time" in page
    assert "Row errors by column and type" in page


def test_batch_report_by_hand_has_no_chart_and_a_sent_one_does() -> None:
    by_hand = BatchReport(
        sent=1, failed=0, rejected=0, requests=1, retries=0, bytes_sent=10, duration=0.1
    )
    assert "<svg" not in by_hand._repr_html_()
    with CustomerIOClient(api_key="k", transport=RecordingTransport()) as client:
        report = client.batch.send([{"type": "identify", "userId": "1"}])
    assert "Delivery over time" in report._repr_html_()
