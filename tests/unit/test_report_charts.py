"""The reports' HTML representations carry their charts (what Jupyter shows)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from cio import CustomerIOClient
from cio.delivery import BatchReport, DeliveryPoint
from cio.io import import_csv, validate
from cio.testing import RecordingTransport

TIMELINE = (
    DeliveryPoint(start=0.0, seconds=0.5, sent=1000, failed=0, retries=0),
    DeliveryPoint(start=0.5, seconds=0.5, sent=800, failed=10, retries=2),
)


def _messy(tmp_path: Path) -> Path:
    lines = ["user_id,timestamp"] + [f"{n},bad{n}" for n in range(30)]
    lines += ["99,2024-05-01T10:00:00Z"]
    path = tmp_path / "messy.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_validation_result_shows_where_the_errors_are(tmp_path: Path) -> None:
    page = validate(_messy(tmp_path), "identify")._repr_html_()
    assert "Row errors by column and type" in page
    assert "timestamp: datetime_parsing" in page
    assert "bad1" not in page


def test_a_clean_result_has_no_error_chart(tmp_path: Path) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("user_id\n1\n", encoding="utf-8")
    assert "<svg" not in validate(path, "identify")._repr_html_()


def test_import_report_shows_delivery_and_errors(tmp_path: Path) -> None:
    with CustomerIOClient(api_key="k", transport=RecordingTransport()) as client:
        report = import_csv(client, _messy(tmp_path), "identify")
    assert report.delivery.timeline  # too short a run for a chart: give it a longer one
    report = replace(report, delivery=replace(report.delivery, timeline=TIMELINE))
    page = report._repr_html_()
    assert page.count("<svg") == 2
    assert "Delivery over time" in page
    assert "Row errors by column and type" in page


def test_batch_report_draws_its_timeline() -> None:
    by_hand = BatchReport(
        sent=1800, failed=10, rejected=0, requests=4, retries=2, bytes_sent=10, duration=1.0
    )
    assert "<svg" not in by_hand._repr_html_()
    assert "Delivery over time" in replace(by_hand, timeline=TIMELINE)._repr_html_()
