"""The sandbox's HTTP behaviour: auth, routing, bodies, sizes, both modes."""

from __future__ import annotations

import json
import socket
from typing import Any

import pytest
import requests

from cio._constants import MAX_BATCH_BYTES, MAX_MESSAGE_BYTES
from cio.sandbox import Sandbox, SandboxError
from tests.sandbox.conftest import KEY, Raw, basic

pytestmark = [pytest.mark.sandbox, pytest.mark.slow, pytest.mark.timeout(30)]

PATHS = ["/identify", "/track", "/page", "/screen", "/group", "/alias", "/batch"]
VALID: dict[str, dict[str, Any]] = {
    "/identify": {"type": "identify", "userId": "u1", "traits": {"plan": "pro"}},
    "/track": {"type": "track", "userId": "u1", "event": "Signed Up"},
    "/page": {"type": "page", "userId": "u1", "name": "Home"},
    "/screen": {"type": "screen", "anonymousId": "a1", "name": "Settings"},
    "/group": {"type": "group", "userId": "u1", "groupId": "acme"},
    "/alias": {"type": "alias", "userId": "u1", "previousId": "a1"},
}
SECRET_VALUE = "ada.secret@example.com"


def valid_body(path: str) -> dict[str, Any]:
    if path == "/batch":
        return {"batch": [VALID["/identify"], VALID["/track"]]}
    return dict(VALID[path])


# Auth ------------------------------------------------------------------------------------


def test_basic_auth_with_the_key_as_username(raw: Raw, sandbox: Sandbox) -> None:
    response = raw.post("/track", VALID["/track"], auth=basic())
    assert response.status_code == 200
    assert response.json() == {"success": True}
    assert len(sandbox.messages) == 1


def test_bearer_auth(raw: Raw, sandbox: Sandbox) -> None:
    assert raw.post("/track", VALID["/track"], auth=f"Bearer {KEY}").status_code == 200
    assert len(sandbox.messages) == 1


@pytest.mark.parametrize(
    "auth",
    [
        None,
        basic("wrong-key"),
        f"Bearer {KEY}x",
        "Bearer ",
        "Basic not-base64!",
        f"Token {KEY}",
        basic(""),
    ],
)
def test_missing_or_wrong_key_is_401(raw: Raw, sandbox: Sandbox, auth: str | None) -> None:
    response = raw.post("/track", VALID["/track"], auth=auth)
    assert response.status_code == 401
    assert response.json()["success"] is False
    assert sandbox.messages == []
    assert sandbox.requests[-1].status == 401


def test_sandbox_client_sends_an_accepted_key(sandbox: Sandbox) -> None:
    assert sandbox.api_key == KEY
    assert sandbox.authorization == basic()


def test_generated_key_looks_like_a_sandbox_key() -> None:
    first, second = Sandbox(), Sandbox()
    assert first.api_key.startswith("sandbox-")
    assert len(first.api_key) > len("sandbox-") + 16
    assert first.api_key != second.api_key


# Routing ---------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PATHS)
def test_every_endpoint_accepts_a_valid_post(raw: Raw, sandbox: Sandbox, path: str) -> None:
    response = raw.post(path, valid_body(path))
    assert response.status_code == 200, response.text
    expected = 2 if path == "/batch" else 1
    assert len(sandbox.messages) == expected
    assert sandbox.requests[-1].path == "/v1" + path
    assert sandbox.requests[-1].message_count == expected


@pytest.mark.parametrize("path", PATHS)
@pytest.mark.parametrize("method", ["GET", "PUT", "PATCH", "DELETE"])
def test_other_methods_are_405(raw: Raw, sandbox: Sandbox, path: str, method: str) -> None:
    response = raw.post(path, valid_body(path), method=method)
    assert response.status_code == 405
    assert response.headers["Allow"] == "POST"
    assert sandbox.messages == []


def test_head_is_405_without_body(raw: Raw) -> None:
    response = raw.session.head(raw.url("/track"), timeout=5)
    assert response.status_code == 405
    assert response.content == b""


@pytest.mark.parametrize("path", ["/nope", "/v2/track", "/track/extra", ""])
def test_unknown_paths_are_404(raw: Raw, sandbox: Sandbox, path: str) -> None:
    url = f"http://127.0.0.1:{sandbox.port}{path if path.startswith('/v2') else '/v1' + path}"
    response = raw.session.post(url, data=b"{}", headers={"Authorization": basic()}, timeout=5)
    assert response.status_code == 404
    assert sandbox.requests[-1].status == 404


def test_query_string_is_ignored(raw: Raw, sandbox: Sandbox) -> None:
    assert raw.post("/track?x=1", VALID["/track"]).status_code == 200
    assert sandbox.requests[-1].path == "/v1/track"


# Bodies ----------------------------------------------------------------------------------


@pytest.mark.parametrize("strict", [False, True])
@pytest.mark.parametrize(
    "body",
    [b"", b"{", b"not json", b"\xff\xfe", b"[1, 2]", b'"text"', b"null", b"[" * 100_000],
    ids=["empty", "open", "text", "bytes", "array", "string", "null", "deep"],
)
def test_malformed_single_bodies_are_400_in_both_modes(
    raw: Raw, sandbox: Sandbox, body: bytes, strict: bool
) -> None:
    response = raw.post("/track", body, strict=strict)
    assert response.status_code == 400
    assert response.json()["success"] is False
    assert sandbox.messages == [] and sandbox.dropped == []


@pytest.mark.parametrize(
    "body",
    [
        {"batch": []},
        {"batch": {"type": "track"}},
        {"items": [VALID["/track"]]},
        {"batch": [VALID["/track"]], "sentAt": 1700000000},
        {"batch": [VALID["/track"]], "sentAt": "yesterday"},
        {"batch": [VALID["/track"]], "writeKey": 42},
        {"batch": [VALID["/track"]], "context": "web"},
        [VALID["/track"]],
    ],
)
def test_malformed_batch_envelopes_are_400(raw: Raw, sandbox: Sandbox, body: Any) -> None:
    response = raw.post("/batch", body)
    assert response.status_code == 400
    assert sandbox.messages == []


def test_missing_type_is_taken_from_the_endpoint(raw: Raw, sandbox: Sandbox) -> None:
    message = {"userId": "u1", "event": "Signed Up", "messageId": "m1"}
    assert raw.post("/track", message).status_code == 200
    (received,) = sandbox.messages
    assert received["type"] == "track"
    assert received["messageId"] == "m1"
    assert received["receivedAt"].endswith("Z")


def test_missing_message_id_is_filled_in(raw: Raw, sandbox: Sandbox) -> None:
    raw.post("/track", {"userId": "u1", "event": "Signed Up"})
    raw.post("/track", {"userId": "u1", "event": "Signed Up"})
    ids = [message["messageId"] for message in sandbox.messages]
    assert len(set(ids)) == 2
    assert sandbox.summary().duplicates == 0


def test_batch_context_applies_to_every_message(raw: Raw, sandbox: Sandbox) -> None:
    body = {
        "batch": [VALID["/identify"], {**VALID["/track"], "context": {"ip": "10.0.0.1"}}],
        "context": {"locale": "en-GB"},
    }
    assert raw.post("/batch", body).status_code == 200
    first, second = sandbox.messages
    assert first["context"] == {"locale": "en-GB"}
    assert second["context"] == {"ip": "10.0.0.1"}


# Invalid and oversized messages in both modes ----------------------------------------------


def test_permissive_invalid_single_message_is_200_and_dropped(raw: Raw, sandbox: Sandbox) -> None:
    message = {"type": "identify", "traits": {"email": SECRET_VALUE}}
    response = raw.post("/identify", message)
    assert response.status_code == 200
    assert sandbox.messages == []
    (dropped,) = sandbox.dropped
    assert dropped.path == "/v1/identify"
    assert dropped.index is None
    assert dropped.message == message
    assert "userId or anonymousId" in dropped.reason
    assert SECRET_VALUE not in dropped.reason


def test_permissive_batch_keeps_the_valid_messages(raw: Raw, sandbox: Sandbox) -> None:
    body = {
        "batch": [
            VALID["/identify"],
            {"type": "track", "userId": "u1"},
            {"type": "identify", "userId": "u2", "traits": {"email": [SECRET_VALUE]}},
            "not an object",
            {"type": "bogus", "userId": SECRET_VALUE},
            VALID["/alias"],
        ]
    }
    response = raw.post("/batch", body)
    assert response.status_code == 200
    assert [message["type"] for message in sandbox.messages] == ["identify", "alias"]
    dropped = sandbox.dropped
    assert [item.index for item in dropped] == [1, 2, 3, 4]
    assert dropped[0].errors[0].field == "batch.1.event"
    assert dropped[0].errors[0].type == "missing"
    assert dropped[1].errors[0].field == "batch.2.traits.email"
    assert dropped[2].message is None
    assert "type must be one of" in dropped[3].reason
    assert all(SECRET_VALUE not in item.reason for item in dropped)
    assert sandbox.requests[-1].message_count == 6


def test_strict_invalid_batch_is_400_naming_items_and_accepts_nothing(
    raw: Raw, sandbox: Sandbox
) -> None:
    body = {
        "batch": [
            VALID["/identify"],
            {"type": "track", "userId": "u1"},
            {"type": "identify", "userId": "u2", "traits": {"email": [SECRET_VALUE]}},
        ]
    }
    response = raw.post("/batch", body, strict=True)
    assert response.status_code == 400
    assert SECRET_VALUE not in response.text
    answer = response.json()
    assert answer["success"] is False
    assert "2 of 3" in answer["error"]
    assert [(error["index"], error["field"], error["type"]) for error in answer["errors"]] == [
        (1, "batch.1.event", "missing"),
        (2, "batch.2.traits.email", "email_type"),
    ]
    assert sandbox.messages == [] and sandbox.dropped == []


def test_strict_server_default_and_header_override(raw: Raw) -> None:
    with Sandbox(api_key=KEY, strict=True) as strict_sandbox:
        other = Raw(strict_sandbox)
        try:
            bad = {"type": "track", "userId": "u1"}
            assert other.post("/track", bad).status_code == 400
            response = other.session.post(
                other.url("/track"),
                data=json.dumps(bad),
                headers={"Authorization": basic(), "X-Strict-Mode": "0"},
                timeout=5,
            )
            assert response.status_code == 200
            assert len(strict_sandbox.dropped) == 1
        finally:
            other.close()


@pytest.mark.parametrize("strict", [False, True])
def test_endpoint_must_match_message_type(raw: Raw, sandbox: Sandbox, strict: bool) -> None:
    response = raw.post("/track", VALID["/identify"], strict=strict)
    assert sandbox.messages == []
    if strict:
        assert response.status_code == 400
        assert response.json()["errors"][0]["field"] == "type"
        assert response.json()["errors"][0]["type"] == "type_mismatch"
    else:
        assert response.status_code == 200
        assert sandbox.dropped[0].errors[0].type == "type_mismatch"


def big_track(size: int, **extra: Any) -> dict[str, Any]:
    return {
        "type": "track",
        "userId": "u1",
        "event": "Big",
        "properties": {"blob": "x" * size},
        **extra,
    }


@pytest.mark.parametrize("strict", [False, True])
def test_single_message_over_32_kb(raw: Raw, sandbox: Sandbox, strict: bool) -> None:
    response = raw.post("/track", big_track(MAX_MESSAGE_BYTES), strict=strict)
    assert sandbox.messages == []
    if strict:
        assert response.status_code == 400
        assert response.json()["errors"][0]["type"] == "message_too_large"
        assert sandbox.dropped == []
    else:
        assert response.status_code == 200
        assert sandbox.dropped[0].errors[0].type == "message_too_large"


def test_single_message_just_under_32_kb_is_accepted(raw: Raw, sandbox: Sandbox) -> None:
    message = big_track(0)
    overhead = len(json.dumps(message).encode())
    message = big_track(MAX_MESSAGE_BYTES - overhead)
    body = json.dumps(message).encode()
    assert len(body) == MAX_MESSAGE_BYTES
    assert raw.post("/track", body).status_code == 200
    assert len(sandbox.messages) == 1


@pytest.mark.parametrize("strict", [False, True])
def test_batch_item_over_32_kb(raw: Raw, sandbox: Sandbox, strict: bool) -> None:
    body = {"batch": [VALID["/identify"], big_track(MAX_MESSAGE_BYTES), VALID["/track"]]}
    response = raw.post("/batch", body, strict=strict)
    if strict:
        assert response.status_code == 400
        assert [error["index"] for error in response.json()["errors"]] == [1]
        assert sandbox.messages == []
    else:
        assert response.status_code == 200
        assert [message["type"] for message in sandbox.messages] == ["identify", "track"]
        assert [(item.index, item.errors[0].type) for item in sandbox.dropped] == [
            (1, "message_too_large")
        ]


@pytest.mark.parametrize("strict", [False, True])
def test_batch_over_500_kb(raw: Raw, sandbox: Sandbox, strict: bool) -> None:
    items = [big_track(30_000, messageId=f"m{i}") for i in range(MAX_BATCH_BYTES // 30_000 + 1)]
    response = raw.post("/batch", {"batch": items}, strict=strict)
    assert sandbox.messages == []
    if strict:
        assert response.status_code == 400
        assert response.json()["errors"][0]["type"] == "batch_too_large"
        assert sandbox.dropped == []
    else:
        assert response.status_code == 200
        assert len(sandbox.dropped) == len(items)
        assert {item.errors[0].type for item in sandbox.dropped} == {"batch_too_large"}


def test_body_without_length_is_refused(sandbox: Sandbox) -> None:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as connection:
        connection.sendall(
            b"POST /v1/track HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
            b"2\r\n{}\r\n0\r\n\r\n"
        )
        answer = connection.recv(4096)
    assert answer.startswith(b"HTTP/1.1 411 ")
    assert sandbox.requests[-1].status == 411


# Connections and binding --------------------------------------------------------------------


def test_keep_alive_reuses_one_connection(raw: Raw, sandbox: Sandbox) -> None:
    with socket.create_connection(("127.0.0.1", sandbox.port), timeout=5) as connection:
        stream = connection.makefile("rb")
        body = json.dumps(VALID["/track"]).encode()
        request = (
            f"POST /v1/track HTTP/1.1\r\nHost: x\r\nAuthorization: {basic()}\r\n"
            f"Content-Length: {len(body)}\r\n\r\n"
        ).encode() + body
        for _ in range(3):
            connection.sendall(request)
            status = stream.readline()
            headers = {}
            while (line := stream.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode().partition(":")
                headers[name.lower()] = value.strip()
            stream.read(int(headers["content-length"]))
            assert status.startswith(b"HTTP/1.1 200")
            assert "close" not in headers.get("connection", "")
    assert len(sandbox.messages) == 3


def listening_addresses(port: int) -> set[str]:
    """Local addresses of the sockets listening on ``port``, from the kernel's tables."""
    found = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as lines:
            next(lines)
            for line in lines:
                local, state = line.split()[1], line.split()[3]
                address, port_hex = local.split(":")
                if state == "0A" and int(port_hex, 16) == port:
                    raw = bytes.fromhex(address)
                    if len(raw) == 4:
                        found.add(socket.inet_ntop(socket.AF_INET, raw[::-1]))
                    else:
                        found.add("ipv6:" + address)
    return found


def test_binds_loopback_only(sandbox: Sandbox) -> None:
    assert sandbox.host == "127.0.0.1"
    assert sandbox.url == f"http://127.0.0.1:{sandbox.port}/v1"
    assert listening_addresses(sandbox.port) == {"127.0.0.1"}
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), None)}
    for address in addresses - {"127.0.0.1", "127.0.1.1", "::1"}:
        family = socket.AF_INET6 if ":" in address else socket.AF_INET
        with socket.socket(family) as probe:
            probe.settimeout(0.5)
            assert probe.connect_ex((address, sandbox.port)) != 0


def test_fixed_port_and_port_in_use(sandbox: Sandbox) -> None:
    with pytest.raises(SandboxError, match="cannot listen"):
        Sandbox(port=sandbox.port).start()


def test_stop_closes_keep_alive_connections(raw: Raw, sandbox: Sandbox) -> None:
    assert raw.post("/track", VALID["/track"]).status_code == 200
    url = raw.url("/track")
    sandbox.stop()
    assert not sandbox.running
    with pytest.raises(requests.ConnectionError):
        raw.session.post(url, data=b"{}", headers={"Authorization": basic()}, timeout=2)
    assert len(sandbox.messages) == 1


def test_url_and_client_need_a_running_sandbox() -> None:
    idle = Sandbox()
    with pytest.raises(SandboxError, match="start"):
        _ = idle.url
    with pytest.raises(SandboxError, match="not running"):
        idle.client()
    assert "not started" in repr(idle)


def test_requests_never_record_the_key(raw: Raw, sandbox: Sandbox) -> None:
    raw.post("/track", VALID["/track"])
    raw.post("/track", VALID["/track"], auth=basic("wrong"))
    assert KEY not in repr(sandbox.requests)
    assert KEY not in repr(sandbox.summary())


def test_a_sandbox_bug_answers_500_not_a_hang_up(
    raw: Raw, sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import cio.sandbox._sandbox as module

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(module, "process_body", broken)
    with caplog.at_level("ERROR", logger="cio.sandbox"):
        response = raw.post("/track", VALID["/track"])
    assert response.status_code == 500
    assert "failed to answer POST /v1/track" in caplog.text
