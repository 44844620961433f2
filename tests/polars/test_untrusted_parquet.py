"""Parquet files from someone else's literal, read as polars frames: bounded before polars allocates, lazily too.

A ``LazyFrame`` reads its data only when collected, after typeflow has handed
it out; so the budget is checked when it is read from the literal, for every
column its scan can read (its declared columns, or all), and its strings are
measured then. A later ``collect()`` reads nothing the budget has not seen.
"""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Annotated

import polars as pl
import pytest

from typeflow import TypeEngine
from typeflow.errors import ReadBudgetError, TypeTransformerFailedError
from typeflow.literals import (
    DatasetColumn,
    LiteralType,
    SimpleType,
)
from typeflow_polars import Columns
from typeflow_polars import StructuredDataset as Handle

from ..parquet_forge import (
    ATTACKS,
    INT64,
    ForgedColumn,
    dataset_literal,
    forge,
    forge_int_run,
    in_storage,
    read_in_fresh_process,
)

FRAME_TYPES = [pl.DataFrame, pl.LazyFrame]
#: what a refused read may cost: an interpreter with polars loaded
SMALL_MIB = 300


def collected(value: pl.DataFrame | pl.LazyFrame) -> pl.DataFrame:
    return value.collect() if isinstance(value, pl.LazyFrame) else value


@pytest.mark.parametrize("python_type", ["polars.DataFrame", "polars.LazyFrame"])
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_tiny_parquet_blob_that_decodes_to_gigabytes_is_refused_cheaply(tmp_path: Path, attack: str, python_type: str) -> None:
    data = ATTACKS[attack]()
    assert len(data) < 2048
    path = in_storage(tmp_path, data)
    result = read_in_fresh_process(str(path), str(tmp_path / "storage"), python_type)
    assert result["error"] == "ReadBudgetError", result
    assert "TYPEFLOW_READ_BUDGET" in str(result["message"])
    assert float(result["peak_mib"]) < SMALL_MIB, result  # type: ignore[arg-type]


def test_an_inline_data_parquet_listed_as_a_read_root_is_still_bounded(tmp_path: Path) -> None:
    uri = "data:application/octet-stream;base64," + base64.b64encode(forge_int_run(150_000_000)).decode()
    for python_type in ("polars.DataFrame", "polars.LazyFrame"):
        result = read_in_fresh_process(uri, str(tmp_path), python_type, read_roots=["data:"])
        assert result["error"] == "ReadBudgetError", result
        assert float(result["peak_mib"]) < SMALL_MIB, result  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- lazy frames


def two_columns(tmp_path: Path) -> Path:
    """A small column "a" next to a column "big" of 150,000,000 rows' worth of pages."""
    zero = b"\x00" * 8
    return in_storage(
        tmp_path, forge([ForgedColumn("a", INT64, zero, 1, 150_000_000), ForgedColumn("big", INT64, zero, 1, 150_000_000)])
    )


def test_a_lazy_frame_is_checked_at_conversion_for_every_column_its_scan_can_read(tmp_path: Path) -> None:
    path = two_columns(tmp_path)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="2GB")  # one column fits, both do not
    with pytest.raises(ReadBudgetError):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), pl.LazyFrame)  # nothing collected yet: refused now
    ints = (DatasetColumn("a", LiteralType(simple=SimpleType.INTEGER)),)
    lazy = ctx.engine.to_python_value(ctx, dataset_literal(str(path), ints), Annotated[pl.LazyFrame, Columns(a=int)])
    assert lazy.collect_schema().names() == ["a"]  # its scan cannot reach "big"
    with pytest.raises(pl.exceptions.ColumnNotFoundError):
        lazy.select("big").collect()


def test_a_lazy_frames_strings_are_measured_when_it_is_read(tmp_path: Path) -> None:
    frame = pl.DataFrame({"label": [("a" * 1000, "b" * 1000, "c" * 1000)[i % 3] for i in range(20_000)], "n": range(20_000)})
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    lv = ctx.engine.to_literal(ctx, frame, pl.DataFrame)
    tight = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="12MB")
    for t in FRAME_TYPES:
        with pytest.raises(ReadBudgetError, match=r"strings of column 'label' \(measured\)"):
            tight.engine.to_python_value(tight, lv, t)
    enough = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="40MB")
    for t in FRAME_TYPES:
        assert collected(enough.engine.to_python_value(enough, lv, t)).equals(frame)


def test_a_remote_lazy_frame_charges_the_copy_it_keeps(tmp_path: Path) -> None:
    buf = io.BytesIO()
    pl.DataFrame({"a": list(range(200_000))}).write_parquet(buf, compression="uncompressed")
    uri = "data:application/octet-stream;base64," + base64.b64encode(buf.getvalue()).decode()
    ctx = TypeEngine().context(storage=str(tmp_path), read_roots=["data:"], read_budget="2.5MB")
    assert collected(ctx.engine.to_python_value(ctx, dataset_literal(uri), pl.DataFrame))["a"].sum() == sum(range(200_000))
    with pytest.raises(ReadBudgetError, match="a copy of the file in memory"):
        ctx.engine.to_python_value(ctx, dataset_literal(uri), pl.LazyFrame)


# ---------------------------------------------------------------------------- declared columns, folders


@pytest.mark.parametrize("t", FRAME_TYPES)
def test_declared_columns_are_checked_against_the_parquet_schema_not_the_literals_claim(tmp_path: Path, t: type) -> None:
    path = tmp_path / "storage" / "ab" / "ints.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"a": [1, 2, 3]}).write_parquet(path)
    claims = (DatasetColumn("a", LiteralType(simple=SimpleType.STRING)),)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(TypeTransformerFailedError, match=r"declared column types differ \(a: declared STRING"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path), claims), Annotated[t, Columns(a=str)])


def flytekit_folder(tmp_path: Path, *frames: pl.DataFrame) -> Path:
    folder = tmp_path / "storage" / "cd" / "dataset"
    folder.mkdir(parents=True)
    for i, frame in enumerate(frames):
        frame.write_parquet(folder / f"{i:05}")
    return folder


@pytest.mark.parametrize("t", FRAME_TYPES)
def test_a_folder_of_parquet_files_reads_as_one_frame(tmp_path: Path, t: type) -> None:
    folder = flytekit_folder(tmp_path, pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}), pl.DataFrame({"a": [3], "b": ["z"]}))
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    got = collected(ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), t))
    assert got.equals(pl.DataFrame({"a": [1, 2, 3], "b": ["x", "y", "z"]}))
    subset = collected(ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Annotated[t, Columns(b=str)]))
    assert subset.columns == ["b"]
    handle = ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Handle)
    assert collected(handle.open(t).all())["a"].to_list() == [1, 2, 3]
