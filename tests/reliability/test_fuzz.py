"""Property-based fuzzing: models, the file readers and the sandbox's request parser.

Nothing may raise anything but the library's own errors. ``pydantic.ValidationError``
is accepted only where a model (or ``parse_message``, which documents it) validates
input directly. The sandbox must answer every request with 200 or a 4xx and stay up.
"""

from __future__ import annotations

import json
import logging
import math
import socket
import string
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

import pydantic
import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cio import CustomerIOError, PayloadTooLargeError, ValidationError
from cio.io import read_rows, validate_csv, validate_jsonl
from cio.models import Alias, Group, Identify, Page, Screen, Track, parse_message
from cio.sandbox import Sandbox
from tests.reliability._canaries import API_KEY

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(240)]

FUZZ = settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

FIELD_NAMES = [
    "type", "messageId", "message_id", "timestamp", "context", "integrations",
    "userId", "user_id", "anonymousId", "anonymous_id", "event", "properties",
    "traits", "name", "category", "groupId", "group_id", "previousId", "previous_id",
    "userID", "batch",
]  # fmt: skip
TYPES = ["identify", "track", "page", "screen", "group", "alias", "Track", "", "batch"]

json_scalars = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
python_oddities = st.sampled_from(
    [
        float("nan"),
        math.inf,
        Decimal("1.5"),
        Decimal("NaN"),
        UUID(int=7),
        b"bytes",
        {"a", "b"},
        frozenset({1}),
        datetime(2024, 1, 1),
        datetime(2024, 1, 1, tzinfo=timezone.utc),
        timedelta(seconds=3),
        object(),
        (1, 2),
        {1: "int key"},
    ]
)
any_values = (
    json_values
    | python_oddities
    | st.dictionaries(st.text(max_size=6), python_oddities, max_size=3)
)
messages = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES)},
    optional={name: any_values for name in FIELD_NAMES if name != "type"},
)

MODEL_ERRORS = (pydantic.ValidationError, CustomerIOError)


@FUZZ
@given(data=messages)
def test_parse_message_raises_only_validation_errors(data: dict[str, Any]) -> None:
    try:
        message = parse_message(data)
    except MODEL_ERRORS:
        return
    try:
        wire = message.to_json()
    except PayloadTooLargeError:
        return
    again = parse_message(json.loads(wire))
    assert again.to_json() == wire


@FUZZ
@given(model=st.sampled_from([Identify, Track, Page, Screen, Group, Alias]), data=messages)
def test_direct_construction_raises_only_validation_errors(
    model: Any, data: dict[str, Any]
) -> None:
    data = {key: value for key, value in data.items() if key != "type"}
    try:
        built = model(**data)
    except MODEL_ERRORS:
        return
    try:
        json.loads(built.to_json())
    except PayloadTooLargeError:
        return


# --- files --------------------------------------------------------------------------

cells = st.text(alphabet=string.printable + "\u00e9\u4e2d\ufeff\x00\u2028", max_size=12)
csv_headers = st.lists(
    st.sampled_from(["user_id", "email", "plan", "anonymous_id", "timestamp", "seats", "", "x y"]),
    min_size=1,
    max_size=5,
)


def _fuzz_file(suffix: str, data: bytes) -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(data)
        yield path


def _check_file(path: Path, validate: Any) -> None:
    try:
        result = validate(path, kind="identify")
    except ValidationError:
        return
    assert result.valid + result.invalid == result.rows
    try:
        rows = list(read_rows(path, kind="identify"))
    except ValidationError:
        return
    assert all((row.message is None) == bool(row.errors) for row in rows)


@FUZZ
@given(data=st.binary(max_size=400))
def test_csv_reader_on_arbitrary_bytes(data: bytes) -> None:
    for path in _fuzz_file(".csv", data):
        _check_file(path, validate_csv)


@FUZZ
@given(
    header=csv_headers, rows=st.lists(st.lists(cells, max_size=6), max_size=6), crlf=st.booleans()
)
def test_csv_reader_on_csv_shaped_text(
    header: list[str], rows: list[list[str]], crlf: bool
) -> None:
    def line(values: list[str]) -> str:
        return ",".join(
            '"' + value.replace('"', '""') + '"' if "," in value else value for value in values
        )

    text = ("\r\n" if crlf else "\n").join([line(header), *map(line, rows)])
    for path in _fuzz_file(".csv", text.encode("utf-8", "surrogatepass")):
        _check_file(path, validate_csv)


@FUZZ
@given(
    lines=st.lists(
        st.binary(max_size=60) | json_values.map(lambda v: json.dumps(v).encode()), max_size=8
    )
)
def test_jsonl_reader_on_arbitrary_lines(lines: list[bytes]) -> None:
    for path in _fuzz_file(".jsonl", b"\n".join(lines)):
        _check_file(path, validate_jsonl)


# --- the sandbox's request parser -----------------------------------------------------


class _ServerErrors(logging.Handler):
    """Counts tracebacks the sandbox's HTTP layer swallowed (a 500 in disguise)."""

    def __init__(self) -> None:
        super().__init__(level=logging.DEBUG)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if record.exc_info:
            self.count += 1


@pytest.fixture(scope="module")
def fuzz_sandbox() -> Iterator[tuple[Sandbox, _ServerErrors]]:
    watcher = _ServerErrors()
    sandbox_logger = logging.getLogger("cio.sandbox")
    previous = sandbox_logger.level
    sandbox_logger.setLevel(logging.DEBUG)
    sandbox_logger.addHandler(watcher)
    try:
        with Sandbox(api_key=API_KEY) as sandbox:
            yield sandbox, watcher
    finally:
        sandbox_logger.removeHandler(watcher)
        sandbox_logger.setLevel(previous)


PATHS = [
    "/v1/batch",
    "/v1/track",
    "/v1/identify",
    "/v1/page",
    "/v1/screen",
    "/v1/group",
    "/v1/alias",
]
bodies = (
    st.binary(max_size=300)
    | json_values.map(lambda value: json.dumps(value).encode())
    | st.lists(
        messages.map(lambda m: {k: v for k, v in m.items() if _jsonable(v)}), max_size=4
    ).map(lambda items: json.dumps({"batch": items}).encode())
    | messages.map(lambda m: json.dumps({k: v for k, v in m.items() if _jsonable(v)}).encode())
)


def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return False
    return True


def _assert_still_up(sandbox: Sandbox) -> None:
    probe = Track(user_id="u1", event="Probe").to_json()
    answer = requests.post(
        sandbox.url + "/track",
        data=probe,
        headers={"Authorization": sandbox.authorization, "Content-Type": "application/json"},
        timeout=5,
    )
    assert answer.status_code == 200


@FUZZ
@given(path=st.sampled_from(PATHS), body=bodies, strict=st.sampled_from([None, "1", "0", "maybe"]))
def test_sandbox_answers_arbitrary_bodies_with_200_or_4xx(
    fuzz_sandbox: tuple[Sandbox, _ServerErrors], path: str, body: bytes, strict: str | None
) -> None:
    sandbox, watcher = fuzz_sandbox
    headers = {"Authorization": sandbox.authorization, "Content-Type": "application/json"}
    if strict is not None:
        headers["X-Strict-Mode"] = strict
    answer = requests.post(
        sandbox.url.removesuffix("/v1") + path, data=body, headers=headers, timeout=5
    )
    assert answer.status_code == 200 or 400 <= answer.status_code < 500, answer.status_code
    answer.json()  # always a JSON answer
    assert watcher.count == 0


@FUZZ
@given(raw=st.binary(min_size=1, max_size=300))
def test_sandbox_survives_arbitrary_bytes_on_the_socket(
    fuzz_sandbox: tuple[Sandbox, _ServerErrors], raw: bytes
) -> None:
    sandbox, watcher = fuzz_sandbox
    with socket.create_connection((sandbox.host, sandbox.port), timeout=5) as connection:
        connection.sendall(raw)
        connection.shutdown(socket.SHUT_WR)
        try:
            answer = connection.recv(64)
        except (TimeoutError, ConnectionResetError):
            answer = b""
    if answer.startswith(b"HTTP/"):
        status = int(answer.split()[1])
        assert status < 500 or status in {501, 505}, answer
    _assert_still_up(sandbox)
    assert watcher.count == 0
