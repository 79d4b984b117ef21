"""Progress bars for long commands: total, percentage, rate, ETA and the source's name.

:func:`make_progress` is the reusable helper (``cio validate``, ``cio import`` and
``cio replay`` use it): a ``tqdm`` bar on stderr when it is a terminal (a widget in
notebooks), and a no-op object otherwise or when switched off.
"""

from __future__ import annotations

import importlib
import logging
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, Final, Protocol

if TYPE_CHECKING:
    from cio.io._plan import Row
    from cio.io._source import TabularSource

__all__ = ["ProgressBar", "make_progress", "progress_bar", "track_rows"]

logger = logging.getLogger(__name__)

BYTES_UNIT: Final = "B"
BYTES_DIVISOR: Final = 1024
_MAX_NAME: Final = 40
_BYTES_REFRESH_ROWS: Final = 512
_SCALE_FROM: Final = 10_000


class ProgressBar(Protocol):
    """What the commands need from a bar (``tqdm`` fits)."""

    n: float

    def update(self, n: float = 1) -> object:
        """Advance by ``n`` units."""
        ...

    def refresh(self) -> object:
        """Redraw."""
        ...

    def close(self) -> None:
        """Finish the bar."""
        ...


class _Quiet:
    """A bar that shows nothing."""

    n: float = 0

    def update(self, n: float = 1) -> object:
        self.n += n
        return None

    def refresh(self) -> object:
        return None

    def close(self) -> None:
        return None


def _short(name: str) -> str:
    return name if len(name) <= _MAX_NAME else "..." + name[-(_MAX_NAME - 3) :]


def make_progress(
    *,
    total: int | None,
    unit: str,
    name: str,
    enabled: bool | None = None,
) -> ProgressBar:
    """A progress bar with total, percentage, rate and ETA, or a quiet stand-in.

    Parameters
    ----------
    total : int or None
        How many units there are (rows, events, or bytes); ``None`` when unknown.
    unit : str
        ``row``, ``event``, or ``B`` for bytes (scaled as KB, MB, ...).
    name : str
        What is being processed (a file name); shortened to 40 characters.
    enabled : bool, optional
        ``True`` or ``False`` to force; by default shown only when stderr is a terminal.

    Returns
    -------
    ProgressBar
        ``update(n)`` and ``close()``.

    Example
    -------
    >>> bar = make_progress(total=10, unit="row", name="people.csv", enabled=False)
    >>> _ = bar.update(3)
    >>> bar.n
    3
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        return _Quiet()
    tqdm = importlib.import_module("tqdm.auto").tqdm
    scaled = unit == BYTES_UNIT
    # Small counts read better unscaled ("3/3", not "3.00/3.00").
    scale = scaled or (total is not None and total >= _SCALE_FROM)
    bar: ProgressBar = tqdm(
        total=total,
        unit=unit,
        unit_scale=scale,
        unit_divisor=BYTES_DIVISOR if scaled else 1000,
        desc=_short(name),
        file=sys.stderr,
        dynamic_ncols=True,
    )
    return bar


class _Progress:
    """A bar bound to one source: counts rows, or the bytes read when rows are unknown."""

    def __init__(self, bar: ProgressBar, counter: Any) -> None:
        self.bar = bar
        self.counter = counter

    def close(self) -> None:
        if self.counter is not None:
            self.bar.update(self.counter.count - self.bar.n)
        self.bar.close()


def progress_bar(source: TabularSource, enabled: bool | None, *, unit_name: str) -> _Progress:
    """The bar for reading one source: rows when the count is known, else bytes.

    Parameters
    ----------
    source : TabularSource
        The opened source (its name, total rows or bytes).
    enabled : bool or None
        As for :func:`make_progress`.
    unit_name : str
        The unit when counting rows.

    Returns
    -------
    object
        With ``bar`` and ``close()``; pass it to :func:`track_rows`.
    """
    by_bytes = source.total_rows is None and source.bytes_read is not None
    if by_bytes:
        bar = make_progress(
            total=source.total_bytes, unit=BYTES_UNIT, name=source.name, enabled=enabled
        )
        return _Progress(bar, source.bytes_read)
    bar = make_progress(total=source.total_rows, unit=unit_name, name=source.name, enabled=enabled)
    return _Progress(bar, None)


def track_rows(rows: Iterator[Row], progress: _Progress) -> Iterator[Row]:
    """Pass rows through, advancing the bar (no cost when the bar is quiet).

    Parameters
    ----------
    rows : iterator of Row
        The rows.
    progress : object
        From :func:`progress_bar`.

    Returns
    -------
    iterator of Row
    """
    if isinstance(progress.bar, _Quiet):
        return rows
    return _tracked(rows, progress)


def _tracked(rows: Iterator[Row], progress: _Progress) -> Iterator[Row]:
    bar, counter = progress.bar, progress.counter
    if counter is None:
        for row in rows:
            bar.update(1)
            yield row
        return
    for seen, row in enumerate(rows):
        if seen % _BYTES_REFRESH_ROWS == 0:
            bar.update(counter.count - bar.n)
        yield row
