"""typeflow-polars: polars frames as parquet structured datasets, written and read by polars, installed as a wheel."""

from __future__ import annotations

import datetime as dt
import importlib.util
import json
import os
import subprocess
import sys
import textwrap
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal
from polars.testing.parametric import dataframes

import typeflow
from typeflow import TransformContext, TypeEngine
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import SimpleType, StructuredDatasetType
from typeflow_polars import Columns, Format, StructuredDataset

from ..helpers import roundtrip


def _run(code: str) -> Any:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _uri(ctx: TransformContext, frame: object, t: object = pl.DataFrame) -> str:
    lv = ctx.engine.to_literal(ctx, frame, t)
    assert lv.scalar is not None and lv.scalar.structured_dataset is not None
    return lv.scalar.structured_dataset.uri


def every_dtype() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "i8": pl.Series([1, None, -3], dtype=pl.Int8),
            "u64": pl.Series([1, 2, 2**63], dtype=pl.UInt64),
            "f32": pl.Series([1.5, float("nan"), float("inf")], dtype=pl.Float32),
            "f64": [0.1, None, -0.0],
            "b": [True, None, False],
            "s": ["a", None, "🙂"],
            "t": pl.Series([dt.datetime(2024, 1, 1, 12), None, dt.datetime(1970, 1, 1)]).dt.replace_time_zone("Europe/Berlin"),
            "d": [dt.date(2024, 1, 1), None, dt.date(1, 1, 1)],
            "dur": [dt.timedelta(seconds=3), None, dt.timedelta(days=-1)],
            "tm": [dt.time(1, 2, 3), None, dt.time(23, 59)],
            "cat": pl.Series(["x", "y", "x"], dtype=pl.Categorical),
            "enum": pl.Series(["lo", "hi", None], dtype=pl.Enum(["lo", "mid", "hi"])),
            "lst": [[1, 2], [], None],
            "st": [{"a": 1, "b": "x"}, {"a": 2, "b": None}, None],
            "dec": pl.Series(["1.50", "2.25", None]).str.to_decimal(),
            "bin": [b"\x00", b"x", None],
            "nul": pl.Series([None, None, None], dtype=pl.Null),
        }
    )


# ---------------------------------------------------------------------------- discovery and dependencies


def test_the_plugin_is_found_through_its_entry_point_only_when_a_frame_is_converted(tmp_path: Path) -> None:
    before, after_import, loaded, source, plugin_file = _run(
        f"""
        import json, sys
        import typeflow
        typeflow.to_literal([1], list[int])
        before = sorted(m for m in ("polars", "typeflow_polars.plugin") if m in sys.modules)
        import typeflow_polars
        after_import = sorted(m for m in ("polars", "typeflow_polars.plugin") if m in sys.modules)
        import polars as pl
        engine = typeflow.TypeEngine()
        engine.to_literal(engine.context(storage={str(tmp_path)!r}), pl.DataFrame({{"a": [1]}}), pl.DataFrame)
        source = engine.resolve(pl.DataFrame).source
        print(json.dumps([before, after_import, "typeflow_polars.plugin" in sys.modules,
                          [source.plugin, source.distribution], sys.modules["typeflow_polars.plugin"].__file__]))
        """
    )
    assert before == [] and after_import == [] and loaded
    assert source == ["polars", "typeflow-polars"]
    checkout = os.environ.get("TYPEFLOW_CHECKOUT")
    if checkout:  # from the installed wheel, not the source tree
        assert not Path(plugin_file).resolve().is_relative_to(Path(checkout, "plugins").resolve())


def test_typeflow_polars_needs_neither_pandas_nor_pyarrow() -> None:
    requires = [r.split(";")[0].strip() for r in metadata.requires("typeflow-polars") or []]
    assert sorted(r.split(">")[0].split("<")[0].split("=")[0] for r in requires) == ["polars", "typeflow"]
    # this env installs core and this plugin only: the round trips here ran without pandas or pyarrow
    assert importlib.util.find_spec("pandas") is None and importlib.util.find_spec("pyarrow") is None
    modules = _run(
        """
        import json, sys, tempfile
        import polars as pl, typeflow
        ctx = typeflow.TypeEngine().context(storage=tempfile.mkdtemp())
        lv = ctx.engine.to_literal(ctx, pl.DataFrame({"a": [1]}), pl.DataFrame)
        ctx.engine.to_python_value(ctx, lv, pl.LazyFrame).collect()
        print(json.dumps(sorted(m for m in ("pandas", "pyarrow", "numpy") if m in sys.modules)))
        """
    )
    assert modules == []


# ---------------------------------------------------------------------------- round trips


def test_every_parquet_dtype_round_trips(ctx: TransformContext) -> None:
    frame = every_dtype()
    back = roundtrip(ctx, frame, pl.DataFrame)
    assert_frame_equal(back, frame)  # type: ignore[arg-type]
    assert back.schema == frame.schema  # type: ignore[attr-defined]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(frame=dataframes(max_cols=6, max_size=20, excluded_dtypes=[pl.Object]))
def test_hypothesis_frames_round_trip_with_their_dtypes(ctx: TransformContext, frame: pl.DataFrame) -> None:
    assert_frame_equal(roundtrip(ctx, frame, pl.DataFrame), frame)  # type: ignore[arg-type]


def test_a_lazy_frame_round_trips(ctx: TransformContext) -> None:
    frame = every_dtype()
    back = roundtrip(ctx, frame.lazy(), pl.LazyFrame)
    assert isinstance(back, pl.LazyFrame)
    assert_frame_equal(back.collect(), frame)


def test_the_blob_is_plain_parquet_written_by_polars(ctx: TransformContext) -> None:
    uri = _uri(ctx, pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))
    assert uri.endswith(".parquet")
    data = Path(uri).read_bytes()
    assert data[:4] == data[-4:] == b"PAR1"
    assert b"Polars" in data[-2048:] and b"pandas" not in data  # polars' writer, no pandas metadata
    assert_frame_equal(pl.read_parquet(uri), pl.DataFrame({"a": [1, 2], "b": ["x", "y"]}))


def test_literal_types_are_flytekits_and_values_record_their_columns(ctx: TransformContext) -> None:
    for t in (pl.DataFrame, pl.LazyFrame):
        assert ctx.engine.to_literal_type(t).structured_dataset_type == StructuredDatasetType()
        assert ctx.engine.get_transformer(t).name == "StructuredDataset Transformer"
    lv = ctx.engine.to_literal(ctx, every_dtype(), pl.DataFrame)
    sdt = lv.scalar.structured_dataset.metadata.structured_dataset_type  # type: ignore[union-attr]
    assert sdt.format == "parquet"
    simple = {c.name: c.literal_type.simple for c in sdt.columns}
    assert simple == {
        "i8": SimpleType.INTEGER,
        "u64": SimpleType.INTEGER,
        "f32": SimpleType.FLOAT,
        "f64": SimpleType.FLOAT,
        "b": SimpleType.BOOLEAN,
        "s": SimpleType.STRING,
        "t": SimpleType.DATETIME,
        "d": SimpleType.DATETIME,
        "dur": SimpleType.DURATION,
        "tm": SimpleType.STRUCT,
        "cat": SimpleType.STRING,
        "enum": SimpleType.STRING,
        "lst": SimpleType.STRUCT,
        "st": SimpleType.STRUCT,
        "dec": SimpleType.STRUCT,
        "bin": SimpleType.BINARY,
        "nul": SimpleType.NONE,
    }
    declared = ctx.engine.to_literal_type(Annotated[pl.DataFrame, Columns(a=int, b=str), Format("parquet")])
    assert declared.structured_dataset_type is not None and declared.structured_dataset_type.format == "parquet"
    assert [(c.name, c.literal_type.simple) for c in declared.structured_dataset_type.columns] == [
        ("a", SimpleType.INTEGER),
        ("b", SimpleType.STRING),
    ]


def test_declared_columns_write_and_read_only_those_columns(ctx: TransformContext) -> None:
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.1, 0.2]})
    full = ctx.engine.to_literal(ctx, frame, pl.DataFrame)
    subset = ctx.engine.to_python_value(ctx, full, Annotated[pl.DataFrame, Columns(c=float, a=int)])
    assert_frame_equal(subset, frame.select("c", "a"))
    lazy = ctx.engine.to_python_value(ctx, full, Annotated[pl.LazyFrame, Columns(b=str)])
    assert "PROJECT 1/3 COLUMNS" in lazy.explain()  # the scan reads one column chunk of three
    assert_frame_equal(lazy.collect(), frame.select("b"))
    written = _uri(ctx, frame, Annotated[pl.DataFrame, Columns(b=str)])
    assert pl.read_parquet(written).columns == ["b"]


def test_declared_columns_that_are_missing_or_of_another_type_are_refused(ctx: TransformContext) -> None:
    frame = pl.DataFrame({"a": [1], "f": [0.5]})
    with pytest.raises(TypeTransformerFailedError, match="not in the frame"):
        ctx.engine.to_literal(ctx, frame, Annotated[pl.DataFrame, Columns(z=int)])
    with pytest.raises(TypeTransformerFailedError, match="f: declared"):
        ctx.engine.to_literal(ctx, frame, Annotated[pl.DataFrame, Columns(f=int)])
    lv = ctx.engine.to_literal(ctx, frame, pl.DataFrame)
    for t in (pl.DataFrame, pl.LazyFrame):
        with pytest.raises(TypeTransformerFailedError, match=r"has no column\(s\) \['z'\]") as info:
            ctx.engine.to_python_value(ctx, lv, Annotated[t, Columns(z=int)])
        assert lv.scalar.structured_dataset.uri in str(info.value)  # type: ignore[union-attr]


def test_a_declared_column_the_file_lacks_is_refused_when_nothing_was_recorded(ctx: TransformContext, tmp_path: Path) -> None:
    path = Path(ctx.storage.url) / "elsewhere.parquet"
    path.parent.mkdir(parents=True, exist_ok=True)
    pl.DataFrame({"a": [1]}).write_parquet(path)
    handle = StructuredDataset(uri=str(path), engine=ctx.engine, context=ctx)  # no metadata: nothing to check first
    for t in (pl.DataFrame, pl.LazyFrame):
        handle.columns = ["zz"]
        with pytest.raises(TypeTransformerFailedError, match=r"has no column\(s\) \[.zz.\]") as info:
            handle.open(t).all()
        assert str(path) in str(info.value)


# ---------------------------------------------------------------------------- lazy frames


def test_a_lazy_frame_reads_only_the_footer_until_collected_and_then_only_the_columns_it_needs(ctx: TransformContext) -> None:
    frame = pl.DataFrame({"a": list(range(1000)), "b": [f"row {i}" for i in range(1000)]})
    lv = ctx.engine.to_literal(ctx, frame, pl.DataFrame)
    lazy = ctx.engine.to_python_value(ctx, lv, pl.LazyFrame)
    assert isinstance(lazy, pl.LazyFrame) and "Parquet SCAN" in lazy.explain()
    uri = lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    with open(uri, "r+b") as f:  # damage the first column chunk (column "a", right after the magic), after the conversion
        f.seek(4)
        f.write(b"\xff" * 64)
    assert_frame_equal(lazy.select("b").collect(), frame.select("b"))  # "a" is never read
    with pytest.raises(pl.exceptions.PolarsError):
        lazy.collect()  # reading everything touches the damaged chunk: data is read only now


def test_writing_a_lazy_frame_runs_its_query_into_the_blob(ctx: TransformContext) -> None:
    source = _uri(ctx, pl.DataFrame({"a": list(range(10)), "b": [str(i) for i in range(10)]}))
    query = pl.scan_parquet(source).filter(pl.col("a") % 2 == 0).with_columns(c=pl.col("a") * 10)
    lv = ctx.engine.to_literal(ctx, query, Annotated[pl.LazyFrame, Columns(a=int, c=int)])
    recorded = lv.scalar.structured_dataset.metadata.structured_dataset_type.columns  # type: ignore[union-attr]
    assert [c.name for c in recorded] == ["a", "c"]
    back = ctx.engine.to_python_value(ctx, lv, pl.DataFrame)
    assert back.to_dict(as_series=False) == {"a": [0, 2, 4, 6, 8], "c": [0, 20, 40, 60, 80]}


# ---------------------------------------------------------------------------- the handle


def test_a_handle_holds_a_polars_frame_and_opens_as_either_polars_type(ctx: TransformContext) -> None:
    frame = pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    lv = ctx.engine.to_literal(ctx, StructuredDataset(dataframe=frame), StructuredDataset)
    handle = ctx.engine.to_python_value(ctx, lv, StructuredDataset)
    assert handle.dataframe is None and handle.uri == lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    assert_frame_equal(handle.open(pl.DataFrame).all(), frame)
    assert_frame_equal(handle.open(pl.LazyFrame).all().collect(), frame)
    narrow = ctx.engine.to_python_value(ctx, lv, Annotated[StructuredDataset, Columns(b=str)])
    assert narrow.open(pl.DataFrame).all().columns == ["b"]
    assert ctx.engine.to_literal(ctx, handle, StructuredDataset) == lv  # by reference: no copy
    lazy_handle = StructuredDataset(dataframe=frame.lazy())
    written = ctx.engine.to_literal(ctx, lazy_handle, StructuredDataset)
    assert_frame_equal(ctx.engine.to_python_value(ctx, written, pl.DataFrame), frame)


def test_a_fresh_engine_opens_a_handle_as_polars_by_loading_the_plugin(tmp_path: Path) -> None:
    path = tmp_path / "data.parquet"
    pl.DataFrame({"a": [1, 2]}).write_parquet(path)
    engine = TypeEngine()
    assert not engine.plugin_states()
    frame = StructuredDataset(uri=str(path), engine=engine).open(pl.DataFrame).all()
    assert frame["a"].to_list() == [1, 2]
    assert any(e.name == "polars" for e in engine.plugin_states())


def test_a_dataset_type_is_guessed_as_the_handle_without_typeflow_pandas(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Annotated[pl.DataFrame, Columns(a=int)])
    assert ctx.engine.guess_python_type(lt) == Annotated[StructuredDataset, Columns(a=int)]
    lv = ctx.engine.to_literal(ctx, pl.DataFrame({"a": [1]}), pl.DataFrame)
    guessed = ctx.engine.to_python_value(ctx, lv, ctx.engine.guess_python_type(ctx.engine.to_literal_type(pl.DataFrame)))
    assert guessed.open(pl.DataFrame).all()["a"].to_list() == [1]


# ---------------------------------------------------------------------------- bad input


def test_a_value_of_another_type_is_refused_with_the_path_and_the_fix(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.dict_to_literal_map(ctx, {"df": {"a": [1]}}, {"df": pl.DataFrame})
    assert info.value.location == "$.df"
    assert "expected a polars.DataFrame" in str(info.value) and "pl.DataFrame(data)" in str(info.value)
    with pytest.raises(TypeTransformerFailedError, match=r"(?s)expected a polars\.LazyFrame.*df\.lazy\(\)"):
        ctx.engine.to_literal(ctx, pl.DataFrame({"a": [1]}), pl.LazyFrame)


def test_object_columns_are_refused_with_the_path_and_the_fix(ctx: TransformContext) -> None:
    frame = pl.DataFrame({"ok": [1], "obj": [object()]}, schema={"ok": pl.Int64, "obj": pl.Object})
    for value, t in ((frame, pl.DataFrame), (frame.lazy(), pl.LazyFrame)):
        with pytest.raises(TypeTransformerFailedError) as info:
            ctx.engine.dict_to_literal_map(ctx, {"df": value}, {"df": t})
        assert info.value.location == "$.df.columns[1]"
        assert "pl.Object" in str(info.value) and "cast(pl.String)" in str(info.value)
    storage = Path(ctx.storage.url)
    assert not storage.exists() or [p for p in storage.rglob("*") if p.is_file()] == []  # nothing half-written


def test_missing_and_corrupt_blobs_name_the_uri(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, pl.DataFrame({"a": [1, 2, 3]}), pl.DataFrame)
    uri = lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    Path(uri).write_bytes(b"PAR1 this is not parquet")
    for t in (pl.DataFrame, pl.LazyFrame):
        with pytest.raises(StorageError, match="corrupt") as info:
            ctx.engine.to_python_value(ctx, lv, t)
        assert info.value.uri == uri
    os.remove(uri)
    for t in (pl.DataFrame, pl.LazyFrame):
        with pytest.raises(StorageError) as missing:
            ctx.engine.to_python_value(ctx, lv, t)
        assert missing.value.uri == uri


def test_a_non_dataset_literal_is_refused(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, 3, int)
    with pytest.raises(TypeTransformerFailedError, match="structured dataset literal"):
        ctx.engine.to_python_value(ctx, lv, pl.DataFrame)


def test_through_a_task_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path))

    @typeflow.task
    def double(df: pl.LazyFrame) -> Annotated[pl.DataFrame, Columns(v=int)]:
        return df.with_columns(v=pl.col("v") * 2).collect()

    out = double(df=pl.DataFrame({"v": [1, 2], "other": ["a", "b"]}).lazy())
    assert out.columns == ["v"] and out["v"].to_list() == [2, 4]
    with pytest.raises(TypeflowError):
        double(df={"v": [1]})
