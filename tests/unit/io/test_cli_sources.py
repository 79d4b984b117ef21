"""``cio validate`` / ``cio import`` with Parquet files, datasets and SQL queries."""

from __future__ import annotations

import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cio.cli import main


@pytest.fixture
def orders(tmp_path: Path) -> Path:
    directory = tmp_path / "orders"
    directory.mkdir()
    table = pa.table({"user_id": ["1", "2", ""], "total": [9.5, 12.0, 3.0]})
    pq.write_table(table, directory / "part-0.parquet")
    return directory


def test_validate_a_parquet_file_prints_the_column_types(orders: Path, capsys) -> None:
    status = main(["validate", str(orders / "part-0.parquet"), "--kind", "identify"])
    out = capsys.readouterr().out
    assert status == 1
    assert "3 rows, 2 valid, 1 invalid" in out
    assert "column types: user_id string, total number" in out


def test_validate_a_dataset_directory(orders: Path, capsys) -> None:
    assert main(["validate", str(orders), "--kind", "identify"]) == 1
    assert "3 rows" in capsys.readouterr().out


@pytest.mark.sandbox
def test_import_a_sql_query_into_the_sandbox(orders: Path, capsys) -> None:
    query = f"select user_id, total from '{orders}/*.parquet' where user_id <> ''"
    status = main(["import", "--sql", query, "--kind", "identify", "--sandbox"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "SQL query as identify: 2 rows, 2 valid" in out


def test_a_file_and_sql_together_are_refused(orders: Path, capsys) -> None:
    status = main(["validate", str(orders), "--sql", "select 1", "--kind", "identify"])
    assert status == 2
    assert "either a FILE or --sql" in capsys.readouterr().err


def test_neither_file_nor_sql_is_refused(capsys) -> None:
    assert main(["validate", "--kind", "identify"]) == 2
    assert "--sql" in capsys.readouterr().err


def test_a_missing_duckdb_is_one_line_naming_the_install(
    monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    monkeypatch.setitem(sys.modules, "duckdb", None)
    status = main(["validate", "--sql", "select 1 as user_id", "--kind", "identify"])
    err = capsys.readouterr().err
    assert status == 2
    assert err.strip().count("\n") == 0
    assert "pip install 'cio[duckdb]'" in err


def test_progress_is_quiet_when_not_a_terminal_and_shown_when_asked(orders: Path, capsys) -> None:
    path = str(orders / "part-0.parquet")
    main(["validate", path, "--kind", "identify"])
    assert capsys.readouterr().err == ""
    main(["validate", path, "--kind", "identify", "--progress"])
    err = capsys.readouterr().err
    assert "part-0.parquet" in err
    assert "100%" in err
    assert "3/3" in err


def test_validate_prints_the_type_chosen_for_each_csv_column(tmp_path: Path, capsys) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id;zip;seats;seen\n1;01234;3;15.03.2024\n2;80331;4;16.03.2024\n")
    status = main(["validate", str(path), "--kind", "identify", "--date-format", "%d.%m.%Y"])
    out = capsys.readouterr().out
    assert status == 0, out
    assert "column types: user_id string, zip string, seats integer, seen date" in out


def test_a_decimal_comma_makes_a_number_column(tmp_path: Path, capsys) -> None:
    path = tmp_path / "people.csv"
    path.write_text('user_id;amount\n1;"1.234,56"\n2;0,5\n')
    assert main(["validate", str(path), "--kind", "identify", "--decimal", ","]) == 0
    assert "amount number" in capsys.readouterr().out
    assert main(["validate", str(path), "--kind", "identify"]) == 0
    assert "amount string" in capsys.readouterr().out


def test_import_prints_the_column_types_too(orders: Path, capsys) -> None:
    status = main(["import", str(orders), "--kind", "identify", "--dry-run"])
    out = capsys.readouterr().out
    assert status == 1
    assert "column types: user_id string, total number" in out
