"""Collects every text a scenario produced, for the canary search of ``_canaries``.

Stores whose purpose is to keep payloads for a later resend (the ``message`` of a
dead letter, an outbox row, the sandbox's ``messages`` table, which stands for the
API's own database) necessarily hold personal data; they are searched for the key only.
Everything meant to be read by people (logs, exceptions, reports and their HTML,
reasons, request logs, state files) is searched for the key and for personal data.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from contextlib import closing
from pathlib import Path
from typing import Any

from cio.delivery import DeliveryError
from tests.reliability._canaries import assert_clean

Texts = list[tuple[str, str]]


def dead_letter_texts(path: Path) -> tuple[Texts, Texts]:
    """(readable parts, payload parts) of a JSON Lines dead-letter file."""
    if not path.exists():
        return [], []
    readable: Texts = []
    payload: Texts = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        record = json.loads(line)
        message = record.pop("message")
        readable.append((f"dead letter {number} record", json.dumps(record)))
        payload.append((f"dead letter {number} message", json.dumps(message)))
    return readable, payload


def dead_letter_seqs(path: Path) -> list[int]:
    """The event numbers (``properties.seq``) held in a dead-letter file."""
    if not path.exists():
        return []
    return [
        json.loads(line)["message"]["properties"]["seq"]
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
    ]


def sqlite_texts(path: Path, payload_tables: Iterable[str] = ()) -> tuple[Texts, Texts]:
    """(readable tables, payload tables) of a SQLite file, each row as text."""
    if not path.exists():
        return [], []
    readable: Texts = []
    payload: Texts = []
    wanted = set(payload_tables)
    with closing(sqlite3.connect(path)) as connection:
        tables = [
            row[0]
            for row in connection.execute("SELECT name FROM sqlite_master WHERE type='table'")
        ]
        for table in tables:
            rows = connection.execute(f'SELECT * FROM "{table}"').fetchall()
            text = "\n".join(map(repr, rows))
            (payload if table in wanted else readable).append((f"{path.name}:{table}", text))
    return readable, payload


def raw_bytes_text(path: Path) -> Texts:
    """A file's raw bytes (SQLite pages, WAL) decoded leniently, for the key search."""
    found: Texts = []
    for candidate in (
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-journal"),
    ):
        if candidate.exists():
            found.append((candidate.name, candidate.read_bytes().decode("latin-1")))
    return found


def sandbox_texts(sandbox: Any) -> Texts:
    """The sandbox's request log, summary and their HTML (no payload table)."""
    summary = sandbox.summary()
    return [
        ("sandbox request log", "\n".join(map(repr, sandbox.requests))),
        ("sandbox dropped reasons", "\n".join(item.reason for item in sandbox.dropped)),
        ("sandbox summary", str(summary)),
        ("sandbox summary html", summary._repr_html_()),
        ("sandbox repr", repr(sandbox)),
        ("sandbox html", sandbox._repr_html_()),
    ]


def report_texts(report: Any) -> Texts:
    """A BatchReport as text and HTML, with each failure and the raised summary."""
    texts: Texts = [("report", str(report)), ("report html", report._repr_html_())]
    texts += [(f"failure {n}", str(failure)) for n, failure in enumerate(report.failures)]
    texts += [
        (f"failure {n} details", "\n".join(map(str, failure.details)))
        for n, failure in enumerate(report.failures)
    ]
    if not report.ok:
        try:
            report.raise_for_failures()
        except DeliveryError as exc:
            texts.append(("raise_for_failures", str(exc)))
    return texts


def check(readable: Texts, payload: Texts = ()) -> None:
    """No key anywhere; no personal data in what people read."""
    assert_clean(readable)
    assert_clean(list(payload), allow_personal=True)
