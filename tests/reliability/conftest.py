"""Fixtures of the reliability suite: DEBUG log capture and the scenario result book."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from tests.reliability._report import ResultBook


class LogCapture(logging.Handler):
    """Keeps every formatted record of the ``cio`` loggers, tracebacks included."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))

    @property
    def text(self) -> str:
        """All captured output as one string."""
        return "\n".join(self.lines)


@pytest.fixture
def debug_log() -> Iterator[LogCapture]:
    """Turn the ``cio`` logger to DEBUG and capture everything it writes."""
    capture = LogCapture()
    cio_logger = logging.getLogger("cio")
    previous = cio_logger.level
    cio_logger.setLevel(logging.DEBUG)
    cio_logger.addHandler(capture)
    try:
        yield capture
    finally:
        cio_logger.removeHandler(capture)
        cio_logger.setLevel(previous)


_BOOK = ResultBook()


@pytest.fixture(scope="session")
def scenario_results() -> Iterator[ResultBook]:
    """The session's fault results; written to docs/reliability.md only when asked."""
    yield _BOOK
    _BOOK.write_if_asked()
