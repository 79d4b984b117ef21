"""open_source: one abstraction over every input (name, size, identity, types, records)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cio.io import SqlQuery, open_source


def test_a_csv_file_reads_as_typed_records(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,zip,seats\n1,01234,3\n\n,,\n2,80331,x\n", encoding="utf-8")
    source = open_source(path)
    assert (source.name, source.format, source.total_rows) == (str(path), "csv", None)
    assert source.total_bytes == path.stat().st_size
    records = list(source.records())
    assert source.column_types == {"user_id": "integer", "zip": "string", "seats": "string"}
    assert [(r.number, dict(r.values)) for r in records] == [
        (2, {"user_id": 1, "zip": "01234", "seats": "3"}),
        (5, {"user_id": 2, "zip": "80331", "seats": "x"}),
    ]
    assert source.identity().startswith("sha256:")


def test_a_csv_misfit_cell_is_an_error_of_its_record(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_text("user_id,seats\n1,3\n2,4\n3,many\n", encoding="utf-8")
    records = list(open_source(path, sample_rows=2).records())
    assert records[2].values == {"user_id": 3}
    assert [(e.row, e.column, e.type) for e in records[2].errors] == [(4, "seats", "column_type")]


def test_a_jsonl_file(tmp_path: Path) -> None:
    path = tmp_path / "people.jsonl"
    path.write_text('{"user_id": "1", "n": null}\n[1]\n', encoding="utf-8")
    records = list(open_source(path).records())
    assert records[0].values == {"user_id": "1"}
    assert records[1].errors[0].type == "jsonl_not_object"


def test_a_labelled_dataframe_gives_labels(tmp_path: Path) -> None:
    frame = pd.DataFrame({"user_id": ["1", "2"]}, index=["ada", "grace"])
    source = open_source(frame)
    assert (source.name, source.total_rows) == ("DataFrame", 2)
    assert [(r.number, r.label) for r in source.records()] == [(0, "ada"), (1, "grace")]


@pytest.mark.parametrize(
    "make",
    [
        lambda path: path,
        pq.read_table,
        pl.read_parquet,
        lambda path: SqlQuery(f"select * from '{path}'"),
    ],
)
def test_columnar_sources_share_one_shape(tmp_path: Path, make) -> None:
    path = tmp_path / "people.parquet"
    pq.write_table(pa.table({"user_id": ["1", "2"], "seats": [3, None]}), path)
    source = open_source(make(path))
    assert source.column_types == {"user_id": "string", "seats": "integer"}
    assert [dict(r.values) for r in source.records()] == [
        {"user_id": "1", "seats": 3},
        {"user_id": "2"},
    ]
    assert source.identity().startswith("sha256:")


def test_an_unsupported_object_is_a_type_error() -> None:
    with pytest.raises(TypeError, match="cannot read a set"):
        open_source({1, 2})


def test_columnar_sources_give_record_batches_and_text_files_do_not(tmp_path: Path) -> None:
    table = pa.table({"user_id": [str(n) for n in range(10_000)]})
    batches = list(open_source(table).batches())
    assert sum(batch.num_rows for batch in batches) == 10_000
    assert all(batch.schema == table.schema for batch in batches)
    path = tmp_path / "people.csv"
    path.write_text("user_id\n1\n", encoding="utf-8")
    with pytest.raises(TypeError, match="use records"):
        open_source(path).batches()
