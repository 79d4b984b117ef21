"""Small charts as inline SVG, and the self-contained HTML page of ``--report``.

No plotting library is needed: the figures are hand-written SVG, so they show in Jupyter
(through the reports' ``_repr_html_``), in any browser from a file, and in e-mail
archives, without scripts, fonts or network requests. Every chart has a title, axis
labels with units and, when it has more than one series, a legend.

The functions take plain data (sequences of points, a tally mapping) so that any layer
can use them without importing another's internals.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

__all__ = [
    "TimelinePoint",
    "delivery_chart",
    "error_chart",
    "nice_ticks",
    "report_page",
]

WIDTH = 640
HEIGHT = 300
MARGIN_LEFT = 72
MARGIN_RIGHT = 20
TITLE_Y = 20
LEGEND_Y = 40
PLOT_TOP = 56
PLOT_BOTTOM = HEIGHT - 52
TICK_COUNT = 5
FONT = "font-family:sans-serif;font-size:12px"
TITLE_FONT = "font-family:sans-serif;font-size:14px;font-weight:bold"
BAR_HEIGHT = 16
BAR_GAP = 6
LABEL_WIDTH = 220
ERROR_BARS_SHOWN = 12
NO_COLUMN = "(none)"
MIN_POINTS = 2

DELIVERED_COLOUR = "#1f77b4"
FAILED_COLOUR = "#d62728"
RETRIES_COLOUR = "#ff7f0e"
BAR_COLOUR = "#d62728"
GRID_COLOUR = "#dddddd"


class TimelinePoint(Protocol):
    """What a delivery chart needs of each point (``cio.delivery.DeliveryPoint`` fits)."""

    @property
    def start(self) -> float:
        """Seconds from the start of the run."""
        ...

    @property
    def seconds(self) -> float:
        """Length of the interval in seconds."""
        ...

    @property
    def sent(self) -> int:
        """Messages acknowledged in the interval."""
        ...

    @property
    def failed(self) -> int:
        """Messages dead-lettered in the interval."""
        ...

    @property
    def retries(self) -> int:
        """Extra attempts in the interval."""
        ...


def nice_ticks(maximum: float, count: int = TICK_COUNT) -> list[float]:
    """Round tick values from 0 to at least ``maximum``: steps of 1, 2 or 5 times 10^n.

    Parameters
    ----------
    maximum : float
        The largest value to show.
    count : int
        About how many intervals.

    Returns
    -------
    list of float

    Example
    -------
    >>> nice_ticks(87)
    [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
    >>> nice_ticks(0)
    [0.0, 1.0]
    """
    if maximum <= 0:
        return [0.0, 1.0]
    raw = maximum / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    ticks = math.ceil(maximum / step)
    values = [float(round(i * step, 10)) for i in range(ticks + 1)]
    if values[-1] < maximum:  # float rounding left the top tick just below the maximum
        values.append(float(round((ticks + 1) * step, 10)))
    return values


def _number(value: float) -> str:
    if value >= 1_000_000:
        return f"{value / 1_000_000:g}M"
    if value >= 10_000:
        return f"{value / 1000:g}k"
    return f"{value:g}"


def _text(x: float, y: float, text: str, *, anchor: str = "start", style: str = FONT) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" style="{style}">'
        f"{html.escape(text)}</text>"
    )


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="{html.escape(title)}">'
        f'<title>{html.escape(title)}</title><rect width="{width}" height="{height}" '
        f'fill="white"/>{"".join(body)}</svg>'
    )


def _legend(entries: Sequence[tuple[str, str, str]], x: float) -> list[str]:
    parts = []
    for label, colour, dash in entries:
        parts.append(
            f'<line x1="{x:.1f}" y1="{LEGEND_Y - 4}" x2="{x + 18:.1f}" y2="{LEGEND_Y - 4}" '
            f'stroke="{colour}" stroke-width="2.5"{dash}/>'
        )
        parts.append(_text(x + 22, LEGEND_Y, label))
        x += 30 + 7 * len(label)
    return parts


def delivery_chart(points: Sequence[TimelinePoint], title: str = "Delivery over time") -> str:
    """A line chart of a delivery run: delivered, failed and retried per second.

    Parameters
    ----------
    points : sequence of TimelinePoint
        ``BatchReport.timeline``.
    title : str
        The chart's title.

    Returns
    -------
    str
        An ``<svg>`` element; empty with fewer than two points (a run too short to
        show a change over time).

    Example
    -------
    >>> from cio.delivery import DeliveryPoint
    >>> points = [DeliveryPoint(0.0, 1.0, 500, 0, 2), DeliveryPoint(1.0, 1.0, 400, 5, 0)]
    >>> svg = delivery_chart(points)
    >>> svg.startswith("<svg") and "events per second" in svg
    True
    """
    if len(points) < MIN_POINTS:
        return ""
    series = [
        ("delivered (events/s)", DELIVERED_COLOUR, "", [p.sent / p.seconds for p in points]),
        ("failed (events/s)", FAILED_COLOUR, "", [p.failed / p.seconds for p in points]),
        (
            "retries (requests/s)",
            RETRIES_COLOUR,
            ' stroke-dasharray="5 3"',
            [p.retries / p.seconds for p in points],
        ),
    ]
    end = max(p.start + p.seconds for p in points)
    y_ticks = nice_ticks(max(max(values) for *_rest, values in series))
    x_ticks = nice_ticks(end)
    plot_right = WIDTH - MARGIN_RIGHT

    def x_of(seconds: float) -> float:
        return MARGIN_LEFT + (plot_right - MARGIN_LEFT) * seconds / x_ticks[-1]

    def y_of(value: float) -> float:
        return PLOT_BOTTOM - (PLOT_BOTTOM - PLOT_TOP) * value / y_ticks[-1]

    body = [_text(WIDTH / 2, TITLE_Y, title, anchor="middle", style=TITLE_FONT)]
    body += _legend([(label, colour, dash) for label, colour, dash, _ in series], MARGIN_LEFT)
    body += _axes(x_ticks, y_ticks, x_of, y_of)
    body.append(_text((MARGIN_LEFT + plot_right) / 2, HEIGHT - 12, "time since start (s)"))
    body.append(
        f'<text transform="translate(16,{(PLOT_TOP + PLOT_BOTTOM) / 2:.1f}) rotate(-90)" '
        f'text-anchor="middle" style="{FONT}">events per second</text>'
    )
    for _label, colour, dash, values in series:
        # A step line: each interval's rate held from its start to its end.
        coords = [
            (x_of(edge), y_of(value))
            for point, value in zip(points, values, strict=True)
            for edge in (point.start, point.start + point.seconds)
        ]
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>'
        )
    return _svg(WIDTH, HEIGHT, title, body)


def _axes(
    x_ticks: Sequence[float],
    y_ticks: Sequence[float],
    x_of: Callable[[float], float],
    y_of: Callable[[float], float],
) -> list[str]:
    plot_right = WIDTH - MARGIN_RIGHT
    parts = []
    for tick in y_ticks:
        y = y_of(tick)
        parts.append(
            f'<line x1="{MARGIN_LEFT}" y1="{y:.1f}" x2="{plot_right}" y2="{y:.1f}" '
            f'stroke="{GRID_COLOUR}"/>'
        )
        parts.append(_text(MARGIN_LEFT - 6, y + 4, _number(tick), anchor="end"))
    for tick in x_ticks:
        x = x_of(tick)
        parts.append(
            f'<line x1="{x:.1f}" y1="{PLOT_BOTTOM}" x2="{x:.1f}" y2="{PLOT_BOTTOM + 4}" '
            'stroke="#333"/>'
        )
        parts.append(_text(x, PLOT_BOTTOM + 18, _number(tick), anchor="middle"))
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{PLOT_BOTTOM}" x2="{plot_right}" y2="{PLOT_BOTTOM}" '
        'stroke="#333"/>'
    )
    parts.append(
        f'<line x1="{MARGIN_LEFT}" y1="{PLOT_TOP}" x2="{MARGIN_LEFT}" y2="{PLOT_BOTTOM}" '
        'stroke="#333"/>'
    )
    return parts


def error_chart(
    tally: Mapping[tuple[str, str], int],
    title: str = "Row errors by column and type",
    limit: int = ERROR_BARS_SHOWN,
) -> str:
    """A horizontal bar chart of errors per (column, error type), largest first.

    Parameters
    ----------
    tally : mapping
        ``(column, type)`` to count, as in ``ValidationResult.tally``.
    title : str
        The chart's title.
    limit : int
        Bars shown; the rest are summed in the last bar.

    Returns
    -------
    str
        An ``<svg>`` element; empty when the tally is empty.

    Example
    -------
    >>> svg = error_chart({("email", "email"): 40, ("", "missing_identity"): 5})
    >>> "email: email" in svg and "(none): missing_identity" in svg
    True
    """
    if not tally:
        return ""
    ranked = sorted(tally.items(), key=lambda item: (-item[1], item[0]))
    bars = [(f"{column or NO_COLUMN}: {kind}", count) for (column, kind), count in ranked]
    if len(bars) > limit:
        rest = sum(count for _label, count in bars[limit - 1 :])
        bars = [*bars[: limit - 1], (f"{len(ranked) - limit + 1} other kinds", rest)]
    plot_left = LABEL_WIDTH
    plot_right = WIDTH - MARGIN_RIGHT - 40
    top = PLOT_TOP - 16
    bottom = top + len(bars) * (BAR_HEIGHT + BAR_GAP)
    height = bottom + 52
    ticks = nice_ticks(max(count for _label, count in bars))

    def x_of(value: float) -> float:
        return plot_left + (plot_right - plot_left) * value / ticks[-1]

    body = [_text(WIDTH / 2, TITLE_Y, title, anchor="middle", style=TITLE_FONT)]
    for tick in ticks:
        x = x_of(tick)
        body.append(
            f'<line x1="{x:.1f}" y1="{top}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID_COLOUR}"/>'
        )
        body.append(_text(x, bottom + 16, _number(tick), anchor="middle"))
    for index, (label, count) in enumerate(bars):
        y = top + index * (BAR_HEIGHT + BAR_GAP) + BAR_GAP / 2
        short = label if len(label) <= 34 else label[:33] + "..."
        body.append(_text(plot_left - 6, y + BAR_HEIGHT - 4, short, anchor="end"))
        body.append(
            f'<rect x="{plot_left}" y="{y:.1f}" width="{x_of(count) - plot_left:.1f}" '
            f'height="{BAR_HEIGHT}" fill="{BAR_COLOUR}"/>'
        )
        body.append(_text(x_of(count) + 4, y + BAR_HEIGHT - 4, f"{count:,}"))
    body.append(
        f'<line x1="{plot_left}" y1="{bottom}" x2="{plot_right}" y2="{bottom}" stroke="#333"/>'
    )
    body.append(_text((plot_left + plot_right) / 2, height - 12, "errors (rows)", anchor="middle"))
    body.append(_text(12, top - 4, "column: error type"))
    return _svg(WIDTH, height, title, body)


_PAGE_STYLE = (
    "body{font-family:sans-serif;margin:24px;color:#222;max-width:980px}"
    "h1{font-size:20px}h2{font-size:16px;margin-top:28px}"
    "pre{background:#f6f8fa;padding:10px;overflow-x:auto;font-size:12px}"
    ".ok{color:#1a7f37}.bad{color:#cf222e}figure{margin:12px 0}"
)


def report_page(
    title: str,
    *,
    ok: bool,
    summary: str,
    figures: Sequence[str] = (),
    tables: Sequence[tuple[str, str]] = (),
) -> str:
    """A complete, self-contained HTML page: summary, figures, then text tables.

    Parameters
    ----------
    title : str
        Page title and heading.
    ok : bool
        Colours the status.
    summary : str
        The command's summary lines (plain text).
    figures : sequence of str
        SVG elements (empty strings are skipped).
    tables : sequence of (heading, text)
        Fixed-width text blocks, such as the error table and the tally.

    Returns
    -------
    str
        The page; it loads nothing from the network.

    Example
    -------
    >>> page = report_page("Import", ok=True, summary="3 rows")
    >>> page.startswith("<!DOCTYPE html>") and "http" not in page.split("<body>")[1]
    True
    """
    status = '<p class="ok">OK</p>' if ok else '<p class="bad">problems found</p>'
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(title)}</title><style>{_PAGE_STYLE}</style></head><body>",
        f"<h1>{html.escape(title)}</h1>{status}",
        f"<pre>{html.escape(summary)}</pre>",
    ]
    parts.extend(f"<figure>{figure}</figure>" for figure in figures if figure)
    for heading, text in tables:
        parts.append(f"<h2>{html.escape(heading)}</h2><pre>{html.escape(text)}</pre>")
    parts.append("</body></html>")
    return "\n".join(parts)
