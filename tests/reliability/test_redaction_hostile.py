"""A hostile API echoes payloads and credentials in its error bodies: none of it may leak.

Every place an error body can reach is searched: the exception (message and ``body``),
the batch report (text and HTML), the dead-letter reasons, the log lines, and the CLI's
stdout and stderr. The planted values are an API key (raw, as the base64 token of the
Basic header, as a Bearer token), emails in several scripts, a phone number and a name.
"""

from __future__ import annotations

import base64
import json
import time
from pathlib import Path

import pytest

from cio import CustomerIOClient
from cio._settings import Settings
from cio.cli import main
from cio.delivery import JsonLinesDeadLetterStore
from cio.errors import APIError
from tests.reliability._hostile import Answer, Request, hostile_server
from tests.reliability._report import ResultBook, counted_result
from tests.reliability.conftest import LogCapture

pytestmark = [pytest.mark.reliability, pytest.mark.slow, pytest.mark.timeout(60)]

API_KEY = "sk-hostile-SECRET-4242"
BASIC_TOKEN = base64.b64encode(f"{API_KEY}:".encode()).decode()
EMAILS = ("jörg.müller@bücher.de", "user.name@пример.рф", "plain.person@example.com")
LOCAL_PARTS = ("jörg.müller", "user.name", "plain.person")
PHONE = "+49 30 1234 5678"
NAME = "Zoë Hostile-Canary"
CANARIES = (API_KEY, BASIC_TOKEN, base64.b64encode(API_KEY.encode()).decode(), *EMAILS, PHONE)
CANARIES += (*LOCAL_PARTS, NAME)


def _leaks(text: str) -> list[str]:
    return [canary for canary in CANARIES if canary in text]


def _payload(number: int) -> dict[str, object]:
    return {
        "type": "identify",
        "userId": f"user-{number}",
        "traits": {"email": EMAILS[number % 3], "phone": PHONE, "name": NAME},
    }


def _echo_payload(number: int, request: Request) -> Answer:
    """A 400 whose body is the request itself, headers included (not the documented shape)."""
    echo = {"received": request.json(), "headers": request.headers}
    return Answer(400, json.dumps(echo, ensure_ascii=False).encode())


def _structured_with_values(number: int, request: Request) -> Answer:
    """The documented shape, but its messages quote the payload and the credentials."""
    text = f"{EMAILS[0]} / {EMAILS[1]} is invalid for {NAME}, call {PHONE}; sent {API_KEY}"
    body = {
        "errors": [
            {"field": "traits.email", "reason": "invalid", "message": text},
            {"reason": "auth", "message": f"Authorization: Basic {BASIC_TOKEN}"},
        ],
        "meta": {"errors": [f"Bearer {API_KEY} rejected", "x" * 5000]},
    }
    return Answer(400, json.dumps(body, ensure_ascii=False).encode())


@pytest.mark.parametrize("plan", [_echo_payload, _structured_with_values])
def test_error_bodies_leak_nothing_anywhere(
    plan: object, tmp_path: Path, debug_log: LogCapture, scenario_results: ResultBook
) -> None:
    started = time.perf_counter()
    dead = tmp_path / "dead.jsonl"
    with hostile_server(plan) as server:  # type: ignore[arg-type]
        client = CustomerIOClient(api_key=API_KEY, base_url=server.url, max_retries=0)
        with pytest.raises(APIError) as caught:
            client.post("/identify", json.dumps(_payload(0)).encode())
        report = client.batch.send([_payload(n) for n in range(6)], dead_letters=dead)
        client.close()
    assert report.failed == 6
    reasons = [letter.reason for letter in JsonLinesDeadLetterStore(dead)]
    places = {
        "exception": f"{caught.value}\n{caught.value.body}\n{caught.value!r}",
        "report": str(report) + "\n".join(str(failure) for failure in report.failures),
        "report HTML": report._repr_html_(),
        "dead-letter reasons": "\n".join(reasons),
        "log": debug_log.text,
    }
    leaks = {place: _leaks(text) for place, text in places.items() if _leaks(text)}
    assert not leaks
    assert len(str(caught.value)) < 700  # capped
    if plan is _structured_with_values:
        assert "traits.email: invalid" in caught.value.body  # the useful part stays
        return
    scenario_results.add(
        counted_result(
            "bulk/400-echoing-payload-and-headers",
            events=len(reasons),
            delivered=set(),
            reported={letter.message_id for letter in JsonLinesDeadLetterStore(dead)},
            wall_seconds=time.perf_counter() - started,
            told=f"{type(caught.value).__name__}: {caught.value}; batch.send: {report.failed} "
            "failed, in the dead-letter file; no key, email, phone or name in the exception, "
            "report, HTML, dead-letter reasons or log",
        )
    )


def test_a_401_echoing_the_authorization_header_leaks_nothing_on_the_cli(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    source = tmp_path / "people.csv"
    source.write_text(f"user_id,email\n1,{EMAILS[0]}\n2,{EMAILS[1]}\n", encoding="utf-8")

    def echo_headers(number: int, request: Request) -> Answer:
        body = {
            "errors": [{"reason": "unauthorized", "message": request.headers["authorization"]}],
            "echo": request.headers,
        }
        return Answer(401, json.dumps(body).encode())

    with hostile_server(echo_headers) as server:
        monkeypatch.setenv("CIO_API_KEY", API_KEY)
        monkeypatch.setenv("CIO_BASE_URL", server.url)
        status = main(["import", str(source), "--kind", "identify", "--no-progress"])
        assert server.requests, "the import never reached the server"
    out = capsys.readouterr()
    assert status != 0
    assert not _leaks(out.out + out.err), out.err


def test_payload_logging_masks_emails_of_every_script(debug_log: LogCapture) -> None:
    with hostile_server(lambda number, request: Answer(200)) as server:
        settings = Settings(api_key=API_KEY, base_url=server.url, log_payloads=True)
        with CustomerIOClient(settings=settings) as client:
            client.post("/identify", json.dumps(_payload(0), ensure_ascii=False).encode())
            client.post("/identify", json.dumps(_payload(1), ensure_ascii=False).encode())
    assert "user-1" in debug_log.text  # payload logging was really on
    assert not [email for email in EMAILS if email in debug_log.text]
    assert not [local for local in LOCAL_PARTS if local in debug_log.text]
    assert API_KEY not in debug_log.text and BASIC_TOKEN not in debug_log.text
