"""``cio import`` says where it sends, with a masked key, before the first request."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import cio.cli.io_cmd
from cio.cli import main

KEY = "sk-secret-value-9f3a"


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("user_id,plan\n1,pro\n", encoding="utf-8")
    return path


@pytest.fixture
def no_sending(monkeypatch: pytest.MonkeyPatch) -> None:
    def fake_import(client: Any, *args: Any, **kwargs: Any) -> Any:
        print("FIRST REQUEST")
        raise KeyboardInterrupt

    monkeypatch.setattr(cio.cli.io_cmd, "import_source", fake_import)


@pytest.mark.usefixtures("no_sending")
@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"CIO_REGION": "eu"}, "sending to https://cdp-eu.customer.io/v1 (region eu, key ...9f3a)"),
        ({}, "sending to https://cdp.customer.io/v1 (region us, key ...9f3a)"),
        (
            {"CIO_BASE_URL": "http://127.0.0.1:9/v1"},
            "sending to http://127.0.0.1:9/v1 (custom base URL, key ...9f3a)",
        ),
    ],
)
def test_destination_is_printed_before_the_first_request(
    people: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    *,
    env: dict[str, str],
    expected: str,
) -> None:
    monkeypatch.setenv("CIO_API_KEY", KEY)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    main(["import", str(people), "--kind", "identify"])
    out = capsys.readouterr().out.splitlines()
    assert expected in out
    assert out.index(expected) < out.index("FIRST REQUEST")
    assert "sk-secret" not in "\n".join(out)


@pytest.mark.sandbox
def test_sandbox_import_names_the_local_destination(
    people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["import", str(people), "--kind", "identify", "--sandbox"]) == 0
    lines = capsys.readouterr().out.splitlines()
    sending = next(line for line in lines if line.startswith("sending to http://127.0.0.1:"))
    assert "(local sandbox, key " in sending
    assert lines.index(sending) < next(i for i, line in enumerate(lines) if "import of" in line)
