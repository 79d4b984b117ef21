"""``--report FILE``: the result of ``cio validate`` or ``cio import`` as one HTML page.

The page holds the summary, the charts (delivery over time, errors by column and type)
as inline SVG, the first row errors and the tally; it loads nothing from the network,
so it can be attached to a ticket or opened offline.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from cio._charts import delivery_chart, error_chart, report_page
from cio.io import format_error_tally

__all__ = ["render_report", "write_report"]

logger = logging.getLogger(__name__)

ERRORS_LISTED = 50


def render_report(result: Any, title: str) -> str:
    """The page for a :class:`~cio.io.ValidationResult` or :class:`~cio.io.ImportReport`.

    Parameters
    ----------
    result : ValidationResult or ImportReport
        What the command produced.
    title : str
        The page heading, for example ``cio import people.csv``.

    Returns
    -------
    str
        A complete HTML document.
    """
    delivery = getattr(result, "delivery", None)
    timeline = getattr(delivery, "timeline", ()) if delivery is not None else ()
    tables: list[tuple[str, str]] = []
    if result.error_count:
        tables.append(("First row errors", result.table(ERRORS_LISTED)))
        tables.append(("Errors by column and type", format_error_tally(result.tally)))
    return report_page(
        title,
        ok=bool(result.ok),
        summary=result.summary(),
        figures=[delivery_chart(timeline), error_chart(result.tally)],
        tables=tables,
    )


def write_report(path: str | os.PathLike[str], result: Any, title: str) -> None:
    """Write :func:`render_report`'s page to ``path`` (UTF-8).

    Parameters
    ----------
    path : str or path-like
        The HTML file to create or replace.
    result : ValidationResult or ImportReport
        What the command produced.
    title : str
        The page heading.

    Raises
    ------
    OSError
        When the file cannot be written.
    """
    with open(path, "w", encoding="utf-8") as handle:
        handle.write(render_report(result, title))
    logger.info("report written to %s", os.fspath(path))
