"""typeflow-pandas: DataFrames as parquet structured datasets, installed as a wheel."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Annotated

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.pandas import column, data_frames, range_indexes

import typeflow
from typeflow import TransformContext
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import SimpleType
from typeflow_pandas import Columns, StructuredDataset

from ..helpers import roundtrip


def _uri(ctx: TransformContext, frame: object, t: object = pd.DataFrame) -> str:
    lv = ctx.engine.to_literal(ctx, frame, t)
    assert lv.scalar is not None and lv.scalar.structured_dataset is not None
    return lv.scalar.structured_dataset.uri


def test_plugin_is_found_through_its_entry_point_only_when_a_frame_is_converted(tmp_path: Path) -> None:
    code = textwrap.dedent(
        f"""
        import json, sys
        import typeflow
        typeflow.to_literal([1], list[int])
        before = sorted(m for m in ("pandas", "pyarrow", "typeflow_pandas.plugin") if m in sys.modules)
        import pandas as pd
        engine = typeflow.TypeEngine()
        ctx = engine.context(storage={str(tmp_path)!r})
        engine.to_literal(ctx, pd.DataFrame({{"a": [1]}}), pd.DataFrame)
        source = engine.resolve(pd.DataFrame).source
        import typeflow_pandas
        print(json.dumps([before, "typeflow_pandas.plugin" in sys.modules, source.distribution, typeflow_pandas.__file__]))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    before, loaded, distribution, path = json.loads(proc.stdout)
    assert before == [] and loaded and distribution == "typeflow-pandas"
    assert "site-packages" in path


def test_round_trip_keeps_dtypes(ctx: TransformContext) -> None:
    frame = pd.DataFrame(
        {
            "i": np.arange(5, dtype="int64"),
            "f": [1.5, np.nan, 3.0, np.inf, -0.0],
            "s": ["a", "b", "", "ü", "🙂"],
            "b": [True, False, True, True, False],
            "t": pd.date_range("2024-01-01", periods=5, freq="h", tz="Europe/Berlin"),
            "c": pd.Categorical(["x", "y", "x", "z", "y"]),
        }
    )
    back = roundtrip(ctx, frame, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame)  # type: ignore[arg-type]


def test_index_is_preserved(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"v": [1, 2, 3]}, index=pd.Index(["a", "b", "c"], name="key"))
    pd.testing.assert_frame_equal(roundtrip(ctx, frame, pd.DataFrame), frame)  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    frame=data_frames(
        [
            column("i", dtype="int64"),
            column("f", dtype="float64"),
            column("s", elements=st.text(max_size=5)),
            column("b", dtype=bool),
        ],
        index=range_indexes(max_size=20),
    )
)
def test_hypothesis_frames_round_trip(ctx: TransformContext, frame: pd.DataFrame) -> None:
    back = roundtrip(ctx, frame, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame, check_index_type=False)  # type: ignore[arg-type]


def test_the_blob_is_plain_parquet(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    table = pq.read_table(_uri(ctx, frame))
    assert table.column_names[:2] == ["a", "b"] and table.column("b").to_pylist() == ["x", "y"]


def test_literal_type_records_format_and_column_types(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1], "b": ["x"], "c": [0.5]})
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    sdt = lv.scalar.structured_dataset.metadata.structured_dataset_type  # type: ignore[union-attr]
    assert sdt.format == "parquet"
    assert [(c.name, c.literal_type.simple) for c in sdt.columns] == [
        ("a", SimpleType.INTEGER),
        ("b", SimpleType.STRING),
        ("c", SimpleType.FLOAT),
    ]
    declared = ctx.engine.to_literal_type(Annotated[pd.DataFrame, Columns(a=int, b=str)])
    assert [(c.name, c.literal_type.simple) for c in declared.structured_dataset_type.columns] == [  # type: ignore[union-attr]
        ("a", SimpleType.INTEGER),
        ("b", SimpleType.STRING),
    ]


def test_declared_columns_write_and_read_only_those_columns(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.1, 0.2]})
    full = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    subset = ctx.engine.to_python_value(ctx, full, Annotated[pd.DataFrame, Columns(c=float, a=int)])
    assert list(subset.columns) == ["c", "a"]
    written = _uri(ctx, frame, Annotated[pd.DataFrame, Columns(b=str)])
    assert pq.read_table(written).column_names == ["b"]


def test_declaring_a_missing_column_is_refused(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1]})
    with pytest.raises(TypeTransformerFailedError, match="not in the frame"):
        ctx.engine.to_literal(ctx, frame, Annotated[pd.DataFrame, Columns(z=int)])
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    with pytest.raises(TypeTransformerFailedError, match="lacks a declared column"):
        ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(z=int)])


def test_handle_opens_lazily_as_frame_or_arrow_table(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    lv = ctx.engine.to_literal(ctx, StructuredDataset(dataframe=frame), StructuredDataset)
    handle = ctx.engine.to_python_value(ctx, lv, StructuredDataset)
    assert handle.dataframe is None and handle.uri == lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    pd.testing.assert_frame_equal(handle.open(pd.DataFrame).all(), frame)
    table = handle.open(pa.Table).all()
    assert isinstance(table, pa.Table) and table.column("a").to_pylist() == [1, 2]
    narrow = ctx.engine.to_python_value(ctx, lv, Annotated[StructuredDataset, Columns(b=str)])
    assert list(narrow.open(pd.DataFrame).all().columns) == ["b"]
    again = ctx.engine.to_literal(ctx, handle, StructuredDataset)  # by reference: no copy
    assert again.scalar.structured_dataset.uri == handle.uri  # type: ignore[union-attr]


def test_arrow_tables_round_trip(ctx: TransformContext) -> None:
    table = pa.table({"a": [1, 2, 3], "b": ["x", None, "z"]})
    assert roundtrip(ctx, table, pa.Table).equals(table)  # type: ignore[attr-defined]


def test_non_string_column_names_are_refused_with_the_fix(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="column names must be str"):
        ctx.engine.to_literal(ctx, pd.DataFrame({0: [1], 1: [2]}), pd.DataFrame)


def test_wrong_value_type_is_a_transform_error(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="expected a pandas"):
        ctx.engine.to_literal(ctx, {"a": [1]}, pd.DataFrame)
    with pytest.raises(TypeTransformerFailedError, match="cannot write the frame"):
        ctx.engine.to_literal(ctx, pd.DataFrame({"mixed": [1, "x", 2.5]}), pd.DataFrame)


def test_missing_and_corrupt_blobs_name_the_uri(ctx: TransformContext) -> None:
    uri = _uri(ctx, pd.DataFrame({"a": [1, 2, 3]}))
    lv = ctx.engine.to_literal(ctx, pd.DataFrame({"a": [1, 2, 3]}), pd.DataFrame)
    uri = lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    Path(uri).write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(StorageError) as info:
        ctx.engine.to_python_value(ctx, lv, pd.DataFrame)
    assert uri in str(info.value) and info.value.uri == uri
    os.remove(uri)
    with pytest.raises(StorageError, match="blob not found") as missing:
        ctx.engine.to_python_value(ctx, lv, pd.DataFrame)
    assert missing.value.uri == uri


def test_no_partial_file_after_a_failed_write(ctx: TransformContext, tmp_path: Path) -> None:
    with pytest.raises(TypeflowError):
        ctx.engine.to_literal(ctx, pd.DataFrame({"mixed": [1, "x"]}), pd.DataFrame)
    storage = Path(ctx.storage.url)
    assert not storage.exists() or [p for p in storage.rglob("*") if p.is_file()] == []


def test_guess_python_type_is_a_dataframe(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(pd.DataFrame)
    assert ctx.engine.guess_python_type(lt) is pd.DataFrame


def test_through_a_task_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path))

    @typeflow.task
    def double(df: pd.DataFrame) -> Annotated[pd.DataFrame, Columns(v=int)]:
        return df.assign(v=df["v"] * 2)

    frame = pd.DataFrame({"v": [1, 2], "other": ["a", "b"]})
    out = double(df=frame)
    assert list(out.columns) == ["v"] and out["v"].tolist() == [2, 4]
