"""Parquet files from someone else's literal, read as pandas frames or Arrow tables: bounded before pyarrow allocates.

The attack files are hand-made (``tests/parquet_forge.py``): a few hundred
bytes to a couple of KiB that pyarrow would decode to gigabytes. Each read is
run in a fresh interpreter, so its peak memory is measured on its own.
"""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from typeflow import TransformContext, TypeEngine, wire
from typeflow.errors import PluginError, ReadBudgetError, StorageError, TypeTransformerFailedError
from typeflow.literals import (
    DatasetColumn,
    LiteralType,
    SimpleType,
)
from typeflow_pandas import Columns
from typeflow_pandas import StructuredDataset as Handle
from typeflow_pandas.plugin import check_pyarrow_version

from ..parquet_forge import ATTACKS, dataset_literal, forge_int_run, in_storage, read_in_fresh_process

#: what a read that was refused before pyarrow allocated may cost: an interpreter with pandas and pyarrow loaded
SMALL_MIB = 400


@pytest.mark.parametrize("python_type", ["pandas.DataFrame", "pyarrow.Table"])
@pytest.mark.parametrize("attack", list(ATTACKS))
def test_a_tiny_parquet_blob_in_storage_that_decodes_to_gigabytes_is_refused_cheaply(
    tmp_path: Path, attack: str, python_type: str
) -> None:
    data = ATTACKS[attack]()
    assert len(data) < 2048
    path = in_storage(tmp_path, data)
    result = read_in_fresh_process(str(path), str(tmp_path / "storage"), python_type)
    assert result["error"] == "ReadBudgetError", result
    assert "read budget of 1073741824 bytes" in str(result["message"]) and "TYPEFLOW_READ_BUDGET" in str(result["message"])
    assert float(result["peak_mib"]) < SMALL_MIB, result  # type: ignore[arg-type]


def test_the_same_blob_reads_once_the_budget_allows_it(tmp_path: Path) -> None:
    path = in_storage(tmp_path, forge_int_run(1_000_000))
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="4MB")
    with pytest.raises(ReadBudgetError):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), pd.DataFrame)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="64MB")
    frame = ctx.engine.to_python_value(ctx, dataset_literal(str(path)), pd.DataFrame)
    assert len(frame) == 1_000_000 and int(frame["a"].sum()) == 0


def test_a_dataframe_read_is_charged_the_pandas_copy_too(tmp_path: Path) -> None:
    path = in_storage(tmp_path, forge_int_run(80_000_000))  # 640 MB decoded: under 1 GiB once, over it twice
    # the expansion limit would refuse this tiny file first; it is off here to show the copy is charged
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), read_expansion=0)
    with pytest.raises(ReadBudgetError, match="a second copy while it is converted"):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path)), pd.DataFrame)


def test_an_inline_data_parquet_in_a_small_wire_literal_is_refused_and_bounded_when_listed(tmp_path: Path) -> None:
    uri = "data:application/octet-stream;base64," + base64.b64encode(forge_int_run(150_000_000)).decode()
    raw = wire.dumps(dataset_literal(uri))
    assert len(raw) < 450
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(StorageError, match=r"refused to read.*'data:'"):
        ctx.engine.to_python_value(ctx, wire.loads(raw), pd.DataFrame)
    result = read_in_fresh_process(uri, str(tmp_path), "pandas.DataFrame", read_roots=["data:"])
    assert result["error"] == "ReadBudgetError", result
    assert float(result["peak_mib"]) < SMALL_MIB, result  # type: ignore[arg-type]


# ---------------------------------------------------------------------------- strings measured, frames unchanged


def frame_with_repeated_strings(rows: int) -> pd.DataFrame:
    labels = ["a" * 1000, "b" * 1000, "c" * 1000]
    return pd.DataFrame(
        {
            "label": [labels[i % 3] for i in range(rows)],
            "kind": pd.Categorical([("x", "y")[i % 2] for i in range(rows)]),
            "n": range(rows),
        },
        index=pd.Index([f"row-{i % 7}" for i in range(rows)], name="key"),
    )


def test_dictionary_strings_are_measured_before_they_are_materialised(tmp_path: Path) -> None:
    frame = frame_with_repeated_strings(20_000)  # "label" holds 20 MB of strings in a few KiB of pages
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    tight = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="12MB")
    with pytest.raises(ReadBudgetError, match=r"strings of column 'label' \(measured\)"):
        tight.engine.to_python_value(tight, lv, pd.DataFrame)
    enough = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="60MB")
    got = enough.engine.to_python_value(enough, lv, pd.DataFrame)
    pd.testing.assert_frame_equal(got, frame)
    uri = lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    pd.testing.assert_frame_equal(got, pd.read_parquet(uri))  # what a plain read gives: same dtypes, same index
    table = enough.engine.to_python_value(enough, lv, pa.Table)
    assert table.equals(pq.read_table(uri))


def test_a_categorical_column_is_not_charged_as_expanded_strings(tmp_path: Path) -> None:
    frame = pd.DataFrame({"kind": pd.Categorical(["x" * 1000, "y" * 1000] * 10_000)})  # 20 MB if expanded
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), read_budget="8MB")
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    pd.testing.assert_frame_equal(ctx.engine.to_python_value(ctx, lv, pd.DataFrame), frame)


# ---------------------------------------------------------------------------- declared columns against the file


def test_declared_columns_are_checked_against_the_parquet_schema_not_the_literals_claim(tmp_path: Path) -> None:
    path = tmp_path / "storage" / "ab" / "ints.parquet"
    path.parent.mkdir(parents=True)
    pd.DataFrame({"a": [1, 2, 3]}).to_parquet(path)
    claims = (DatasetColumn("a", LiteralType(simple=SimpleType.STRING)),)  # the literal says "a" holds strings
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(
        TypeTransformerFailedError, match=r"declared column types differ \(a: declared STRING, stored (DURATION or )?INTEGER\)"
    ):
        ctx.engine.to_python_value(ctx, dataset_literal(str(path), claims), Annotated[pd.DataFrame, Columns(a=str)])
    with pytest.raises(TypeTransformerFailedError, match=r"has no column\(s\) \['b'\]; it has \['a'\]"):
        ctx.engine.to_python_value(
            ctx,
            dataset_literal(str(path), (DatasetColumn("b", LiteralType(simple=SimpleType.INTEGER)),)),
            Annotated[pd.DataFrame, Columns(b=int)],
        )


@pytest.mark.parametrize(
    ("values", "declared"),
    [
        (pd.Series([1.5]), float),
        (pd.Series(["x"]), str),
        (pd.Series([True]), bool),
        (pd.Series(pd.to_datetime(["2024-01-01"], utc=True)), pd.Timestamp),
        (pd.Series(pd.to_timedelta(["1s"])), pd.Timedelta),
        (pd.Series([b"raw"]), bytes),
        (pd.Series(pd.Categorical(["x"])), str),
    ],
    ids=["float", "str", "bool", "datetime", "timedelta", "bytes", "categorical"],
)
def test_a_declared_column_of_its_stored_type_is_read(tmp_path: Path, values: Any, declared: Any) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    t = Annotated[pd.DataFrame, Columns(c=declared)]
    lv = ctx.engine.to_literal(ctx, pd.DataFrame({"c": values}), t)
    pd.testing.assert_frame_equal(ctx.engine.to_python_value(ctx, lv, t), pd.DataFrame({"c": values}))


# ---------------------------------------------------------------------------- flytekit's folder form


def flytekit_folder(tmp_path: Path, *frames: pd.DataFrame) -> Path:
    folder = tmp_path / "storage" / "cd" / "dataset"
    folder.mkdir(parents=True)
    for i, frame in enumerate(frames):
        frame.to_parquet(folder / f"{i:05}")  # flytekit's PandasToParquetEncodingHandler names its file 00000
    return folder


def test_a_folder_of_one_parquet_file_reads_as_that_frame(tmp_path: Path) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    folder = flytekit_folder(tmp_path, frame)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    pd.testing.assert_frame_equal(ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), pd.DataFrame), frame)
    subset = ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Annotated[pd.DataFrame, Columns(b=str)])
    pd.testing.assert_frame_equal(subset, frame[["b"]])
    handle = ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), Handle)
    pd.testing.assert_frame_equal(handle.open(pd.DataFrame).all(), frame)
    assert ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), pa.Table).to_pydict() == {"a": [1, 2], "b": ["x", "y"]}


def test_a_folder_of_several_files_reads_as_their_rows_in_file_order(tmp_path: Path) -> None:
    first, second = pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"a": [3]})
    folder = flytekit_folder(tmp_path, first, second)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    got = ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), pd.DataFrame)
    pd.testing.assert_frame_equal(got, pd.DataFrame({"a": [1, 2, 3]}))
    assert ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), pa.Table).to_pydict() == {"a": [1, 2, 3]}


def test_a_folder_holding_a_tiny_attack_file_is_refused_by_the_budget(tmp_path: Path) -> None:
    folder = tmp_path / "storage" / "cd" / "dataset"
    folder.mkdir(parents=True)
    (folder / "00000").write_bytes(forge_int_run(150_000_000))
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(ReadBudgetError):
        ctx.engine.to_python_value(ctx, dataset_literal(str(folder)), pd.DataFrame)


# ---------------------------------------------------------------------------- pyarrow itself


@pytest.mark.parametrize("version", ["14.0.0", "13.0.0", "0.14.1", "14.0.0.dev87"])
def test_a_pyarrow_that_unpickles_parquet_metadata_is_refused(version: str) -> None:
    with pytest.raises(PluginError, match=r"pyarrow>=14\.0\.1.*CVE-2023-47248"):
        check_pyarrow_version(version)


@pytest.mark.parametrize("version", ["14.0.1", "14.0.2", "15.0.0", pa.__version__])
def test_a_fixed_pyarrow_is_accepted(version: str) -> None:
    check_pyarrow_version(version)


def test_the_package_requires_a_fixed_pyarrow() -> None:
    from importlib.metadata import requires

    assert any(r.replace(" ", "").startswith("pyarrow>=14.0.1") for r in requires("typeflow-pandas") or [])


def test_a_handle_opened_later_is_bounded_too(tmp_path: Path, ctx: TransformContext) -> None:
    path = in_storage(tmp_path, forge_int_run(150_000_000))
    handle = ctx.engine.to_python_value(ctx, dataset_literal(str(path)), Handle)
    with pytest.raises(ReadBudgetError):
        handle.open(pd.DataFrame).all()
