"""The charts of the reports: hand-written SVG with title, axis labels and legend."""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET

from hypothesis import given
from hypothesis import strategies as st

from cio._charts import delivery_chart, error_chart, nice_ticks, report_page
from cio.delivery import DeliveryPoint

SVG = "{http://www.w3.org/2000/svg}"

POINTS = [
    DeliveryPoint(start=0.0, seconds=0.5, sent=1000, failed=0, retries=0),
    DeliveryPoint(start=0.5, seconds=0.5, sent=600, failed=50, retries=3),
    DeliveryPoint(start=1.0, seconds=0.5, sent=900, failed=0, retries=0),
]


def _texts(svg: str) -> list[str]:
    root = ET.fromstring(svg)
    return ["".join(node.itertext()) for node in root.iter(f"{SVG}text")]


def test_delivery_chart_has_title_axis_labels_with_units_and_a_legend() -> None:
    svg = delivery_chart(POINTS)
    texts = _texts(svg)
    assert "Delivery over time" in texts
    assert "time since start (s)" in texts
    assert "events per second" in texts
    assert {"delivered (events/s)", "failed (events/s)", "retries (requests/s)"} <= set(texts)
    root = ET.fromstring(svg)
    lines = root.findall(f"{SVG}polyline")
    assert len(lines) == 3
    delivered = [tuple(map(float, xy.split(","))) for xy in lines[0].get("points", "").split()]
    assert len(delivered) == 2 * len(POINTS)  # a step per interval
    heights = [y for _x, y in delivered[::2]]
    # 2000, 1200 and 1800 events/s: the middle step is lowest (largest y), the first highest
    assert heights[1] > heights[2] > heights[0]
    assert max(float(t) for t in texts if re.fullmatch(r"[0-9.]+", t)) >= 2000


def test_no_chart_for_fewer_than_two_points() -> None:
    assert delivery_chart([]) == ""
    assert delivery_chart(POINTS[:1]) == ""
    assert error_chart({}) == ""


def test_error_chart_bars_are_ranked_and_the_rest_summed() -> None:
    tally = {(f"col{n}", "int_parsing"): n + 1 for n in range(20)}
    svg = error_chart(tally, limit=5)
    root = ET.fromstring(svg)
    bars = root.findall(f"{SVG}rect")[1:]  # the first rect is the background
    assert len(bars) == 5
    widths = [float(bar.get("width", "0")) for bar in bars]
    assert widths[:4] == sorted(widths[:4], reverse=True)
    texts = _texts(svg)
    assert "col19: int_parsing" in texts
    assert "16 other kinds" in texts
    assert str(sum(range(1, 17))) in texts
    assert "errors (rows)" in texts
    assert "Row errors by column and type" in texts


def test_labels_are_escaped() -> None:
    svg = error_chart({("<b>&", "x"): 1})
    assert "<b>" not in svg
    ET.fromstring(svg)


def test_report_page_is_self_contained() -> None:
    page = report_page(
        "cio import",
        ok=False,
        summary="3 rows <1 invalid>",
        figures=[delivery_chart(POINTS), error_chart({("email", "email"): 2})],
        tables=[("Errors", "row  column\n2    email")],
    )
    assert page.startswith("<!DOCTYPE html>")
    assert page.count("<svg") == 2
    for reference in ("src=", "href=", "url(", "<script", "<link", "@import"):
        assert reference not in page
    assert "&lt;1 invalid&gt;" in page


@given(st.floats(min_value=0.001, max_value=1e9))
def test_ticks_cover_the_maximum_with_round_steps(maximum: float) -> None:
    ticks = nice_ticks(maximum)
    assert ticks[0] == 0
    assert ticks[-1] >= maximum
    assert 2 <= len(ticks) <= 12
    step = ticks[1]
    mantissa = step / 10 ** math.floor(math.log10(step))
    assert round(mantissa, 6) in {1.0, 2.0, 5.0, 10.0}
