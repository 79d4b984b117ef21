"""cio.notebook: connecting a notebook, and explaining errors without personal data."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pydantic
import pytest

import cio
from cio.models import Identify
from cio.notebook import CountMismatchError, connect, explain, find_env_file

SECRET_VALUE = "ada.secret@example.com"


def test_explain_api_error_names_status_attempts_and_recovery() -> None:
    error = cio.AuthenticationError("POST /identify: key refused", status_code=401)
    error.attempts = 1
    explanation = explain(error)
    text = str(explanation)
    assert text.splitlines()[0] == "AuthenticationError (HTTP 401, 1 attempt)"
    assert "CIO_API_KEY" in explanation.hint
    assert "How to recover:" in text


def test_explain_converts_pydantic_errors_and_never_shows_values() -> None:
    naive = dt.datetime(2024, 1, 1)  # naive timestamps are refused
    with pytest.raises(pydantic.ValidationError) as caught:
        Identify(user_id=SECRET_VALUE, timestamp=naive)
    explanation = explain(caught.value)
    assert explanation.kind == "ValidationError"
    assert any("timestamp" in detail for detail in explanation.details)
    assert SECRET_VALUE not in str(explanation)
    assert "fix the fields" in explanation.hint


def test_explain_picks_the_most_specific_hint() -> None:
    too_large = explain(cio.PayloadTooLargeError("too big", size=40000, limit=32768))
    assert "32 KB" in too_large.hint
    assert too_large.attempts is None  # found before sending
    timeout = explain(cio.RequestTimeoutError("timed out"))
    assert "unknown" in timeout.hint
    assert timeout.attempts == 1
    assert "not a cio error" in explain(KeyError("x")).hint


def test_explanation_html_is_escaped() -> None:
    rendered = explain(cio.BadRequestError("<b>bad</b>", status_code=400))._repr_html_()
    assert "<b>bad</b>" not in rendered
    assert "&lt;b&gt;bad&lt;/b&gt;" in rendered


def test_find_env_file_walks_up_to_the_nearest(tmp_path: Path) -> None:
    nested = tmp_path / "project" / "notebooks"
    nested.mkdir(parents=True)
    assert find_env_file(nested) is None or not str(find_env_file(nested)).startswith(str(tmp_path))
    (tmp_path / "project" / ".env").write_text("CIO_REGION=eu\n")
    assert find_env_file(nested) == tmp_path / "project" / ".env"


def test_connect_uses_the_real_api_when_the_key_is_in_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "env-key")
    with connect(region="eu") as conn:
        assert conn.mode == "api"
        assert conn.sandbox is None
        assert conn.base_url == "https://cdp-eu.customer.io/v1"
        assert "comes from the environment" in conn.describe()
        assert "env-key" not in conn.describe() + repr(conn) + conn._repr_html_()
        assert conn.received_count() is None
        assert "no sandbox to compare with" in conn.check_received(3)
    assert conn.client.closed


def test_connect_reads_the_key_from_a_parent_env_file(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CIO_API_KEY=file-key\n")
    nested = tmp_path / "notebooks"
    nested.mkdir()
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(nested)
        conn = connect()
    assert conn.mode == "api"
    assert "the .env file" in conn.describe()
    assert conn.client.settings.api_key is not None
    assert conn.client.settings.api_key.get_secret_value() == "file-key"
    conn.close()


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.timeout(30)
def test_connect_starts_a_sandbox_without_a_key_and_counts_messages(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("CIO_API_KEY=\n")  # copied from .env.example, left blank
    conn = connect(env_file=tmp_path / ".env")
    try:
        assert conn.mode == "sandbox"
        assert conn.sandbox is not None
        assert "local sandbox" in conn.describe()
        assert conn.sandbox.api_key not in conn.describe() + conn._repr_html_()
        conn.client.post("/identify", Identify(user_id="u-1").to_json())
        assert conn.received_count() == 1
        assert "received 1 message," in conn.check_received(1)
        with pytest.raises(CountMismatchError):
            conn.check_received(2)
    finally:
        conn.close()
    conn.close()


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.timeout(30)
def test_with_faults_arms_the_connection_sandbox_and_clears_it_after() -> None:
    from cio.sandbox import FailEveryNth

    with connect() as conn:
        assert conn.sandbox is not None
        with conn.with_faults(FailEveryNth(1, status=503), max_retries=0) as flaky:
            assert flaky is not conn.client
            with pytest.raises(cio.ServerError):
                flaky.people.identify("u-1")
        assert flaky.closed
        assert conn.sandbox.faults == ()
        conn.client.people.identify("u-2")
        assert conn.received_count() == 1


@pytest.mark.slow
@pytest.mark.sandbox
@pytest.mark.timeout(30)
def test_with_faults_uses_a_temporary_sandbox_against_the_real_api(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from cio.sandbox import FailEveryNth

    monkeypatch.setenv("CIO_API_KEY", "env-key")
    with connect() as conn, conn.with_faults(FailEveryNth(2, status=503), max_retries=0) as flaky:
        assert flaky.settings.resolved_base_url.startswith("http://127.0.0.1:")
        flaky.people.identify("u-1")
        with pytest.raises(cio.ServerError):
            flaky.people.identify("u-2")
    assert "temporary local sandbox" in capsys.readouterr().out
