"""Every failure of the ``cio`` command is one ``error:`` line naming what to fix."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cio.cli import main

EXIT_DATA = 1
EXIT_USAGE = 2


@pytest.fixture
def people(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text("user_id,plan\n1,pro\n", encoding="utf-8")
    return path


def _one_error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1, err
    assert lines[0].startswith("error: "), err
    assert "Traceback" not in err
    return lines[0]


def test_missing_input_file_names_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", "nope.csv", "--kind", "identify"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "nope.csv" in line
    assert "no such file" in line
    assert "check the path" in line


def test_a_directory_as_input_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(tmp_path), "--kind", "identify"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "is a directory" in line


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("CIO_REGION", "europe", "CIO_REGION must be us or eu"),
        ("CIO_TIMEOUT", "abc", "CIO_TIMEOUT must be a number of seconds"),
        ("CIO_BASE_URL", "localhost", "CIO_BASE_URL must start with http://"),
    ],
)
def test_bad_environment_variable_for_import(
    people: Path,
    *,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    variable: str,
    value: str,
    expected: str,
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "a-test-key-1234")
    monkeypatch.setenv(variable, value)
    status = main(["import", str(people), "--kind", "identify"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert expected in line
    assert value not in line.replace(expected, "")
    assert "argument" not in line
    assert "a-test-key" not in line


def test_import_without_a_key_is_one_line_with_three_ways_out(
    people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["import", str(people), "--kind", "identify"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "CIO_API_KEY" in line
    assert "--sandbox" in line
    assert "--dry-run" in line
    assert "api_key=" not in line


def test_unknown_kind_names_the_option(people: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["validate", str(people), "--kind", "people"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "--kind" in line
    assert "identify" in line


def test_unknown_encoding_names_the_option(
    people: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["validate", str(people), "--kind", "identify", "--encoding", "klingon"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "--encoding" in line
    assert "utf-8" in line


def test_unwritable_errors_csv_names_the_option(
    people: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "errors.csv"
    status = main(["validate", str(people), "--kind", "identify", "--errors-csv", str(target)])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "--errors-csv" in line
    assert "no such file" in line


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["validate", "people.csv"], "--kind"),
        (["import", "people.csv", "--kind", "identify", "--max-errors", "lots"], "--max-errors"),
        (["frobnicate"], "frobnicate"),
    ],
)
def test_usage_errors_are_one_line(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(argv)
    line = _one_error_line(capsys.readouterr().err)
    assert info.value.code == EXIT_USAGE
    assert expected in line
    assert "--help" in line


def test_file_level_problem_in_import_is_a_data_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("user_id,plan,plan\n1,pro,pro\n", encoding="utf-8")
    status = main(["import", str(path), "--kind", "identify", "--dry-run"])
    captured = capsys.readouterr()
    assert status == EXIT_DATA
    assert "Traceback" not in captured.err


def test_missing_sandbox_database(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status = main(["sandbox", "show", "--db", str(tmp_path / "run.db")])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "run.db" in line


@pytest.mark.slow
def test_real_process_prints_no_traceback(tmp_path: Path) -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("CIO_")}
    env["CIO_API_KEY"] = "a-test-key-1234"
    env["CIO_REGION"] = "europe"
    people = tmp_path / "people.csv"
    people.write_text("user_id\n1\n", encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-m", "cio.cli", "import", str(people), "--kind", "identify"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == EXIT_USAGE
    assert _one_error_line(done.stderr).startswith("error: CIO_REGION must be us or eu")


def test_configuration_messages_use_environment_variables_not_arguments(
    people: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "pk_us_0123456789")
    monkeypatch.setenv("CIO_REGION", "eu")
    status = main(["import", str(people), "--kind", "identify"])
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert "CIO_REGION" in line
    assert "region=" not in line
    assert "argument" not in line


def test_undecodable_file_points_to_the_encoding_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "latin.csv"
    path.write_bytes("user_id,city\n1,K\u00f6ln\n".encode("latin-1"))
    status = main(["validate", str(path), "--kind", "identify"])
    out = capsys.readouterr().out
    assert status == EXIT_DATA
    assert "--encoding" in out
    assert main(["validate", str(path), "--kind", "identify", "--encoding", "latin-1"]) == 0


def test_a_closed_pipe_stops_quietly(
    people: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import cio.cli.io_cmd

    def closed_pipe(*args: object, **kwargs: object) -> None:
        raise BrokenPipeError(32, "Broken pipe")

    monkeypatch.setattr(cio.cli.io_cmd, "validate", closed_pipe)
    monkeypatch.setattr("sys.stdout", __import__("io").StringIO())
    assert main(["validate", str(people), "--kind", "identify"]) == 141
    assert capsys.readouterr().err == ""


@pytest.mark.parametrize(
    ("option", "value", "expected"),
    [("--workers", "0", "must be at least 1"), ("--max-errors", "-1", "must be at least 0")],
)
def test_counts_out_of_range_name_the_option(
    people: Path, capsys: pytest.CaptureFixture[str], *, option: str, value: str, expected: str
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["import", str(people), "--kind", "identify", "--dry-run", option, value])
    line = _one_error_line(capsys.readouterr().err)
    assert info.value.code == EXIT_USAGE
    assert option in line
    assert expected in line


def test_undelivered_messages_say_why(
    people: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CIO_API_KEY", "a-test-key-1234")
    monkeypatch.setenv("CIO_BASE_URL", "http://127.0.0.1:9/v1")  # nothing listens there
    monkeypatch.setenv("CIO_MAX_RETRIES", "0")
    status = main(["import", str(people), "--kind", "identify"])
    out = capsys.readouterr().out
    assert status == EXIT_DATA
    assert "not delivered (1 NetworkError):" in out
    assert "message 0" in out


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["sandbox", "--port", "99999"], "--port"),
        (["sandbox", "--port", "http"], "--port"),
        (["sandbox", "--db", "/no/such/folder/run.db"], "--db /no/such/folder/run.db"),
    ],
)
def test_sandbox_options_are_checked_before_starting(
    argv: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    try:
        status = main(argv)
    except SystemExit as exit_:
        status = int(exit_.code or 0)
    line = _one_error_line(capsys.readouterr().err)
    assert status == EXIT_USAGE
    assert expected in line
