"""The API key never leaks; personal data only with payload logging; TLS always verified."""

from __future__ import annotations

import json
import logging
import shutil
import ssl
import subprocess
import threading
import traceback
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer

import pydantic
import pytest
import requests
import requests_mock

from cio import (
    ConfigurationError,
    CustomerIOClient,
    CustomerIOError,
    NetworkError,
    Settings,
)
from cio.models import Identify, Track
from tests.reliability._canaries import (
    API_KEY,
    BASIC_TOKEN,
    EMAIL,
    PROPERTY_VALUE,
    REGIONAL_API_KEY,
    TRAIT_VALUE,
    assert_clean,
    leaks,
)
from tests.reliability._servers import POLL_SECONDS, closed_port_url, recording_server

pytestmark = pytest.mark.reliability

MOCK_ROOT = "https://api.reliability.test/v1"


def _identify() -> bytes:
    return Identify(user_id="u1", traits={"email": EMAIL, "plan": TRAIT_VALUE}).to_json()


def _track() -> bytes:
    return Track(user_id="u1", event="Viewed", properties={"ref": PROPERTY_VALUE}).to_json()


def _full_text(exc: BaseException) -> str:
    """The exception as a user sees it in a traceback, causes included."""
    return "".join(traceback.format_exception(exc))


# --- settings, client and transport objects ------------------------------------------


@pytest.mark.parametrize("key", [API_KEY, REGIONAL_API_KEY])
def test_key_absent_from_every_representation(key: str) -> None:
    settings = Settings(api_key=key, base_url=MOCK_ROOT)
    client = CustomerIOClient(settings=settings)
    texts = [
        ("repr(settings)", repr(settings)),
        ("str(settings)", str(settings)),
        ("settings.model_dump_json()", settings.model_dump_json()),
        ("settings.model_dump()", str(settings.model_dump())),
        ("repr(client)", repr(client)),
        ("repr(transport)", repr(client.transport)),
        (
            "vars(transport)",
            str({k: v for k, v in vars(client.transport).items() if k != "_headers"}),
        ),
    ]
    client.close()
    assert_clean(texts)
    assert settings.authorization.endswith((BASIC_TOKEN, key))  # the key is really in use


def test_region_mismatch_error_does_not_name_the_key() -> None:
    with pytest.raises(ConfigurationError) as info:
        Settings(api_key=REGIONAL_API_KEY, region="eu")
    assert "region" in str(info.value)
    assert_clean([("error", _full_text(info.value))])


def test_key_from_environment_stays_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIO_API_KEY", API_KEY)
    monkeypatch.setenv("CIO_BASE_URL", "ftp://not-http")
    with pytest.raises((pydantic.ValidationError, ConfigurationError)) as info:
        CustomerIOClient()
    assert "base_url" in str(info.value)
    assert_clean([("error", _full_text(info.value))])


def test_missing_key_names_the_variable_not_a_value() -> None:
    with pytest.raises(ConfigurationError) as info:
        CustomerIOClient(base_url=MOCK_ROOT)
    assert "CIO_API_KEY" in str(info.value)


# --- logs and errors while sending ---------------------------------------------------


def test_debug_logs_of_successful_sends_hold_no_key_or_personal_data(debug_log) -> None:  # type: ignore[no-untyped-def]
    root = logging.getLogger()
    previous = root.level
    root.setLevel(logging.DEBUG)
    root.addHandler(debug_log)  # urllib3 and requests too
    try:
        with recording_server() as server:
            client = CustomerIOClient(api_key=API_KEY, base_url=server.url)
            with client:
                client.post("/identify", _identify())
                client.post("/track", _track())
            assert len(server.bodies) == 2
    finally:
        root.removeHandler(debug_log)
        root.setLevel(previous)
    assert "/identify" in debug_log.text  # the capture really saw the requests
    assert_clean([("DEBUG log", debug_log.text)])


def test_payload_logging_shows_payloads_masks_emails_never_the_key(debug_log) -> None:  # type: ignore[no-untyped-def]
    with recording_server() as server:
        settings = Settings(api_key=API_KEY, base_url=server.url, log_payloads=True)
        with CustomerIOClient(settings=settings) as client:
            client.post("/identify", _identify())
    assert TRAIT_VALUE in debug_log.text  # payload logging was really on
    assert EMAIL not in debug_log.text
    assert_clean([("DEBUG log", debug_log.text)], allow_personal=True)


@pytest.mark.parametrize(
    ("status", "body"),
    [
        (400, '{"errors":[{"message":"invalid"}]}'),
        (401, '{"error":"unauthorized"}'),
        (413, "too large"),
        (429, "slow down"),
        (503, "<html>unavailable</html>"),
    ],
)
def test_api_errors_and_their_logs_hold_no_key_or_payload(
    debug_log, status: int, body: str
) -> None:  # type: ignore[no-untyped-def]
    client = CustomerIOClient(api_key=API_KEY, base_url=MOCK_ROOT, max_retries=2)
    with requests_mock.Mocker() as mock:
        mock.post(
            f"{MOCK_ROOT}/identify", status_code=status, text=body, headers={"Retry-After": "0"}
        )
        with pytest.raises(CustomerIOError) as info:
            client.post("/identify", _identify())
        sent = mock.request_history[0]
    assert sent.headers["Authorization"] == f"Basic {BASIC_TOKEN}"
    assert getattr(info.value, "status_code", None) == status
    assert_clean([("exception", _full_text(info.value)), ("DEBUG log", debug_log.text)])


def test_network_errors_and_their_causes_hold_no_key_or_payload(debug_log) -> None:  # type: ignore[no-untyped-def]
    client = CustomerIOClient(api_key=API_KEY, base_url=closed_port_url(), max_retries=0)
    with pytest.raises(NetworkError) as info:
        client.post("/identify", _identify())
    assert_clean([("exception", _full_text(info.value)), ("DEBUG log", debug_log.text)])


def test_an_echoing_server_does_not_put_emails_into_exception_messages() -> None:
    client = CustomerIOClient(api_key=API_KEY, base_url=MOCK_ROOT, max_retries=0)
    echo = json.dumps({"error": "invalid traits", "input": {"email": EMAIL}})
    with requests_mock.Mocker() as mock:
        mock.post(f"{MOCK_ROOT}/identify", status_code=400, text=echo)
        with pytest.raises(CustomerIOError) as info:
            client.post("/identify", _identify())
    assert leaks(_full_text(info.value)) == []


# --- TLS verification ---------------------------------------------------------------

ENV_VARIANTS: list[dict[str, str]] = [
    {},
    {"REQUESTS_CA_BUNDLE": ""},
    {"CURL_CA_BUNDLE": ""},
    {"REQUESTS_CA_BUNDLE": "", "CURL_CA_BUNDLE": ""},
    {"REQUESTS_CA_BUNDLE": "0"},
    {"CURL_CA_BUNDLE": "false"},
    {"REQUESTS_CA_BUNDLE": "False", "CURL_CA_BUNDLE": "no"},
    {"PYTHONHTTPSVERIFY": "0"},
    {"CIO_VERIFY": "false", "CIO_VERIFY_SSL": "0", "CIO_SSL_VERIFY": "no", "CIO_INSECURE": "1"},
]


def _apply(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)


@pytest.mark.parametrize(
    "env", ENV_VARIANTS, ids=lambda env: ",".join(f"{k}={v!r}" for k, v in env.items()) or "clean"
)
def test_environment_cannot_switch_verification_off(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    _apply(monkeypatch, env)
    client = CustomerIOClient(api_key=API_KEY, base_url=MOCK_ROOT)
    with requests_mock.Mocker() as mock:
        mock.post(f"{MOCK_ROOT}/track", status_code=200, text="{}")
        client.post("/track", _track())
        verify = mock.request_history[0].verify
    # True, or a CA bundle path chosen by the environment: verification either way.
    assert verify is True or (isinstance(verify, str) and verify != "")


def test_unusable_ca_bundle_from_environment_gives_a_library_error(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _apply(monkeypatch, {"REQUESTS_CA_BUNDLE": "0"})
    client = CustomerIOClient(api_key=API_KEY, base_url="https://127.0.0.1:9/v1", max_retries=0)
    with pytest.raises(CustomerIOError):
        client.post("/track", _track())


class _OkHandler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, format: str, *args: object) -> None:
        return


@pytest.fixture(scope="module")
def self_signed_https(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """An HTTPS server on 127.0.0.1 whose certificate no CA bundle trusts."""
    openssl = shutil.which("openssl")
    if openssl is None:
        pytest.skip("openssl is not installed; the adapter-level verify checks still ran")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "1",
         "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=30,
    )  # fmt: skip
    server = HTTPServer(("127.0.0.1", 0), _OkHandler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS,), daemon=True)
    thread.start()
    try:
        yield f"https://127.0.0.1:{server.server_address[1]}/v1"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.mark.slow
@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "env",
    [{}, {"REQUESTS_CA_BUNDLE": ""}, {"CURL_CA_BUNDLE": ""}, {"PYTHONHTTPSVERIFY": "0"}],
    ids=["clean", "empty-requests-bundle", "empty-curl-bundle", "pythonhttpsverify-0"],
)
def test_untrusted_certificate_is_refused(
    self_signed_https: str, monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    _apply(monkeypatch, env)
    client = CustomerIOClient(api_key=API_KEY, base_url=self_signed_https, max_retries=0)
    with pytest.raises(NetworkError) as info:
        client.post("/track", _track())
    assert isinstance(info.value.__cause__, requests.exceptions.SSLError)
    assert_clean([("exception", _full_text(info.value))])
