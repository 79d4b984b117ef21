"""Each kind imported end to end into the sandbox, through the real delivery engine."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.cli import main
from cio.io import MessageIds, file_identity, import_csv, import_dataframe
from cio.sandbox import Sandbox

pytestmark = [pytest.mark.slow, pytest.mark.sandbox, pytest.mark.timeout(60)]

CASES = {
    "identify": (
        "user_id,email,plan,seats\n1,ada@example.com,pro,3\n2,grace@example.com,free,1\n",
        "identify",
        None,
    ),
    "track": ("user_id,event,price\n1,Signed Up,9.5\n2,Plan Upgraded,20\n", "track", None),
    "page": ("user_id,name,url\n1,Home,/\n2,Pricing,/pricing\n", "page", None),
    "screen": ("user_id,name\n1,Home\n2,Settings\n", "screen", None),
    "group": ("object_id,object_type_id,name\nacme,1,Acme\nglobex,1,Globex\n", "group", None),
    "relationship": (
        "user_id,object_id,role\n1,acme,admin\n2,acme,member\n",
        "group",
        None,
    ),
    "device": (
        "user_id,token,device_type\n1,tok-a,ios\n2,tok-b,android\n",
        "track",
        "Device Created or Updated",
    ),
    "delete": ("user_id\n1\n2\n", "track", "User Deleted"),
    "suppress": ("user_id\n1\n2\n", "track", "User Suppressed"),
    "unsuppress": ("user_id\n1\n2\n", "track", "User Unsuppressed"),
    "Order Completed": (
        'user_id,order_id,total,currency,products\n1,o-1,30.5,USD,"[{""product_id"": ""p1"", '
        '""price"": 30.5, ""quantity"": 1}]"\n2,o-2,12,EUR,[]\n',
        "track",
        "Order Completed",
    ),
}


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox() as server:
        yield server


@pytest.mark.parametrize("kind", list(CASES))
def test_each_kind_reaches_the_sandbox_with_deterministic_ids(
    kind: str, sandbox: Sandbox, tmp_path: Path
) -> None:
    text, wire_type, event = CASES[kind]
    path = tmp_path / "input.csv"
    path.write_text(text, encoding="utf-8")
    sandbox.reset()
    with sandbox.client() as client:
        report = import_csv(client, path, kind=kind)
    assert report.ok, report.table()
    assert report.sent == 2
    received = sandbox.messages
    assert [m["type"] for m in received] == [wire_type, wire_type]
    if event is not None:
        assert {m["event"] for m in received} == {event}
    ids = MessageIds(file_identity(path), report.kind)
    assert sorted(m["messageId"] for m in received) == sorted([ids(2), ids(3)])
    assert sandbox.dropped == []


def test_dataframe_import(sandbox: Sandbox) -> None:
    pandas = pytest.importorskip("pandas")
    frame = pandas.DataFrame(
        {
            "user_id": ["1", "2", "3"],
            "seats": [3, 5, None],
            "joined": pandas.to_datetime(["2024-01-01", "2024-02-01", "2024-03-01"], utc=True),
        }
    )
    sandbox.reset()
    with sandbox.client() as client:
        report = client.batch.import_dataframe(frame, kind="identify")
        again = import_dataframe(client, frame, kind="identify")
    assert report.sent == again.sent == 3
    traits = {m["userId"]: m["traits"] for m in sandbox.messages}
    assert traits["1"] == {"seats": 3, "joined": "2024-01-01T00:00:00+00:00"}
    assert traits["3"] == {"joined": "2024-03-01T00:00:00+00:00"}
    summary = sandbox.summary()
    assert (summary.total, summary.unique_message_ids) == (6, 3)


def test_cli_import_into_the_sandbox(tmp_path: Path, capsys) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,email\n1,ada@example.com\n   ,broken\n", encoding="utf-8")
    status = main(["import", str(path), "--kind", "identify", "--sandbox", "--no-progress"])
    out = capsys.readouterr().out
    assert status == 1
    assert "2 rows, 1 valid, 1 invalid" in out
    assert "the sandbox received:" in out
    assert "type identify      1" in out


def test_cli_import_to_a_configured_workspace(
    sandbox: Sandbox, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setenv("CIO_API_KEY", sandbox.api_key)
    monkeypatch.setenv("CIO_BASE_URL", sandbox.url)
    path = tmp_path / "people.csv"
    path.write_text("user_id,plan\n1,pro\n2,free\n", encoding="utf-8")
    sandbox.reset()
    assert main(["import", str(path), "--kind", "identify", "--workers", "2"]) == 0
    assert "2 sent" in capsys.readouterr().out
    assert len(sandbox.messages) == 2


def test_client_batch_import_csv_resumes_with_a_state_file(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,plan\n1,pro\n2,free\n3,pro\n", encoding="utf-8")
    state = tmp_path / "people.state"
    sandbox.reset()
    with sandbox.client() as client:
        first = client.batch.import_csv(path, kind="identify", state=state)
        second = client.batch.import_csv(path, kind="identify", state=state)
    assert (first.sent, second.sent, second.skipped) == (3, 0, 3)
    assert len(sandbox.messages) == 3
