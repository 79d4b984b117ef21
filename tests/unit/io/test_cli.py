"""``cio validate`` and ``cio import`` from the command line (no network, no sandbox)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cio.cli import main

BROKEN = (
    "user_id,email,zip\n1,ada@example.com,02134\n   ,grace-at-example,10001\n,linus@example.com,1\n"
)


@pytest.fixture
def broken(tmp_path: Path) -> Path:
    path = tmp_path / "people.csv"
    path.write_text(BROKEN, encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["validate", "import"])
def test_help_lists_the_kinds(command: str, capsys) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--kind" in out
    assert "relationship" in out
    assert "Order Completed" in out


def test_validate_prints_summary_and_error_table_and_exits_1(broken: Path, capsys) -> None:
    status = main(["validate", str(broken), "--kind", "identify"])
    out = capsys.readouterr().out
    assert status == 1
    assert "3 rows, 1 valid, 2 invalid" in out
    lines = out.splitlines()
    header = next(i for i, line in enumerate(lines) if line.startswith("row "))
    assert lines[header + 2].split()[:4] == ["3", "user_id", "userId", "blank_string"]
    assert lines[header + 3].split()[:2] == ["4", "missing_identity"]
    assert "grace-at-example" not in out


def test_validate_a_clean_file_exits_0(tmp_path: Path, capsys) -> None:
    path = tmp_path / "ok.csv"
    path.write_text("user_id,plan\n1,pro\n", encoding="utf-8")
    assert main(["validate", str(path), "--kind", "identify"]) == 0
    assert "OK" in capsys.readouterr().out


def test_validate_mapping_options(tmp_path: Path, capsys) -> None:
    path = tmp_path / "people.csv"
    path.write_text("cust,notes,zip\n1,x,0150\n", encoding="utf-8")
    status = main(
        [
            "validate",
            str(path),
            "--kind",
            "identify",
            "--map",
            "cust=user_id",
            "--map",
            "notes=",
            "--type",
            "zip=string",
            "--set",
            "plan=pro",
        ]
    )
    out = capsys.readouterr().out
    assert status == 0, out
    assert "cust -> userId" in out
    assert "notes" not in out.split("columns:")[1]


def test_validate_errors_csv_and_max_errors(broken: Path, tmp_path: Path, capsys) -> None:
    out_csv = tmp_path / "errors.csv"
    status = main(
        [
            "validate",
            str(broken),
            "--kind",
            "identify",
            "--errors-csv",
            str(out_csv),
            "--max-errors",
            "1",
        ]
    )
    out = capsys.readouterr().out
    assert status == 1
    assert "... and 1 more errors" in out
    assert len(out_csv.read_text(encoding="utf-8").splitlines()) == 3


def test_validate_file_level_error(tmp_path: Path, capsys) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("", encoding="utf-8")
    assert main(["validate", str(path), "--kind", "identify"]) == 1
    assert "empty_file" in capsys.readouterr().out


def test_unknown_kind_is_refused(broken: Path, capsys) -> None:
    assert main(["validate", str(broken), "--kind", "people"]) == 2
    assert "unknown kind" in capsys.readouterr().err


def test_bad_type_name_is_refused(broken: Path, capsys) -> None:
    assert main(["validate", str(broken), "--kind", "identify", "--type", "zip=decimal"]) == 2
    assert "unknown column type" in capsys.readouterr().err


def test_import_without_a_key_refuses_and_explains(broken: Path, capsys) -> None:
    status = main(["import", str(broken), "--kind", "identify"])
    err = capsys.readouterr().err
    assert status == 2
    assert "--sandbox" in err
    assert "CIO_API_KEY" in err


def test_import_dry_run_needs_no_key(broken: Path, capsys) -> None:
    status = main(["import", str(broken), "--kind", "identify", "--dry-run"])
    out = capsys.readouterr().out
    assert status == 1
    assert "dry run" in out
    assert "3 rows, 1 valid, 2 invalid" in out
