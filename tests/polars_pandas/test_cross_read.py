"""typeflow-polars and typeflow-pandas share one codec table: a frame written by one reads as the other's type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from polars.testing import assert_frame_equal as assert_polars_equal
from polars.testing.parametric import dataframes

from typeflow import TransformContext, TypeEngine
from typeflow.datasets import Columns, StructuredDataset, codecs_for
from typeflow.errors import TypeTransformerFailedError


def pandas_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [0.5, float("nan"), -1.0],
            "s": ["a", "b", "ü"],
            "b": [True, False, True],
            "t": pd.date_range("2024-01-01", periods=3, freq="h", tz="UTC"),
            "c": pd.Categorical(["x", "y", "x"]),
        }
    )


def polars_frame() -> pl.DataFrame:
    return pl.DataFrame(
        {
            "i": [1, 2, 3],
            "f": [0.5, None, -1.0],
            "s": ["a", "b", "ü"],
            "b": [True, False, True],
            "t": pl.datetime_range(dt.datetime(2024, 1, 1), dt.datetime(2024, 1, 1, 2), "1h", time_zone="UTC", eager=True),
            "c": pl.Series(["x", "y", "x"], dtype=pl.Categorical),
        }
    )


def test_both_plugins_register_their_parquet_codecs_in_one_table(ctx: TransformContext) -> None:
    ctx.engine.get_transformer(pl.DataFrame)
    ctx.engine.get_transformer(pd.DataFrame)
    readers = codecs_for(ctx.engine).types("parquet", writing=False)
    assert {pd.DataFrame, pa.Table, pl.DataFrame, pl.LazyFrame} <= set(readers)


def test_a_pandas_frame_reads_as_polars_frames(ctx: TransformContext) -> None:
    frame = pandas_frame()
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    expected = pl.from_pandas(frame)
    assert_polars_equal(ctx.engine.to_python_value(ctx, lv, pl.DataFrame), expected, check_dtypes=False)
    lazy = ctx.engine.to_python_value(ctx, lv, Annotated[pl.LazyFrame, Columns(s=str, i=int)])
    assert "Parquet SCAN" in lazy.explain()
    assert lazy.collect().to_dict(as_series=False) == {"s": ["a", "b", "ü"], "i": [1, 2, 3]}
    back = ctx.engine.to_python_value(ctx, lv, pl.DataFrame)
    when = back.schema["t"]
    assert isinstance(when, pl.Datetime) and when.time_zone == "UTC" and back.schema["c"] == pl.Categorical


def test_a_polars_frame_reads_as_a_pandas_frame_and_an_arrow_table(ctx: TransformContext) -> None:
    frame = polars_frame()
    lv = ctx.engine.to_literal(ctx, frame, pl.DataFrame)
    back = ctx.engine.to_python_value(ctx, lv, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame.to_pandas(), check_dtype=False, check_categorical=False)
    assert isinstance(back.dtypes["c"], pd.CategoricalDtype) and str(back.dtypes["t"].tz) == "UTC"
    subset = ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(f=float)])
    assert list(subset.columns) == ["f"] and subset["f"].isna().tolist() == [False, True, False]
    table = ctx.engine.to_python_value(ctx, lv, pa.Table)
    assert table.column("i").to_pylist() == [1, 2, 3]


def test_declared_column_types_are_checked_the_same_way_whoever_wrote_the_frame(ctx: TransformContext) -> None:
    from_pandas = ctx.engine.to_literal(ctx, pandas_frame(), pd.DataFrame)
    from_polars = ctx.engine.to_literal(ctx, polars_frame(), pl.DataFrame)
    pandas_columns = from_pandas.scalar.structured_dataset.metadata.structured_dataset_type.columns  # type: ignore[union-attr]
    polars_columns = from_polars.scalar.structured_dataset.metadata.structured_dataset_type.columns  # type: ignore[union-attr]
    assert pandas_columns == polars_columns  # the same literal types for the same data
    for lv in (from_pandas, from_polars):
        for t in (pd.DataFrame, pl.DataFrame, pl.LazyFrame):
            with pytest.raises(TypeTransformerFailedError, match="s: declared"):
                ctx.engine.to_python_value(ctx, lv, Annotated[t, Columns(s=int)])


def test_a_pandas_index_is_left_out_by_polars_unless_it_is_named(ctx: TransformContext) -> None:
    unnamed = pd.DataFrame({"v": [1, 2]}, index=pd.Index(["a", "b"]))  # stored as __index_level_0__
    named = pd.DataFrame({"v": [1, 2]}, index=pd.Index(["a", "b"], name="key"))
    for t in (pl.DataFrame, pl.LazyFrame):
        first = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, unnamed, pd.DataFrame), t)
        second = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, named, pd.DataFrame), t)
        first, second = (f.collect() if isinstance(f, pl.LazyFrame) else f for f in (first, second))
        assert first.columns == ["v"]
        assert second.to_dict(as_series=False) == {"v": [1, 2], "key": ["a", "b"]}


def test_a_handle_opens_as_any_frame_type_whoever_wrote_it(ctx: TransformContext) -> None:
    for value, t in ((pandas_frame(), pd.DataFrame), (polars_frame(), pl.DataFrame)):
        handle = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, value, t), StructuredDataset)
        assert handle.open(pd.DataFrame).all()["i"].tolist() == [1, 2, 3]
        assert handle.open(pl.DataFrame).all()["i"].to_list() == [1, 2, 3]
        assert handle.open(pl.LazyFrame).all().select("s").collect()["s"].to_list() == ["a", "b", "ü"]
        assert handle.open(pa.Table).all().num_rows == 3
    holding_polars = StructuredDataset(dataframe=polars_frame())
    lv = ctx.engine.to_literal(ctx, holding_polars, StructuredDataset)
    assert ctx.engine.to_python_value(ctx, lv, pd.DataFrame)["s"].tolist() == ["a", "b", "ü"]


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    frame=dataframes(
        max_cols=5,
        max_size=20,
        allowed_dtypes=[pl.Int64, pl.Float64, pl.String, pl.Boolean, pl.Date, pl.Datetime("us", "UTC")],
        allow_null=False,
    )
)
def test_hypothesis_polars_frames_read_back_through_pandas(ctx: TransformContext, frame: pl.DataFrame) -> None:
    lv = ctx.engine.to_literal(ctx, frame, pl.DataFrame)
    through_pandas = ctx.engine.to_literal(ctx, ctx.engine.to_python_value(ctx, lv, pd.DataFrame), pd.DataFrame)
    back = ctx.engine.to_python_value(ctx, through_pandas, pl.DataFrame)
    # pandas has one missing value for floats: a NaN comes back from it as null (pyarrow's from_pandas)
    assert_polars_equal(back, frame.with_columns(pl.col(pl.Float64).fill_nan(None)), check_dtypes=False)


def test_a_dataset_type_is_guessed_as_a_pandas_frame_also_on_an_engine_that_only_saw_polars(tmp_path: Path) -> None:
    engine = TypeEngine()
    lt = engine.to_literal_type(Annotated[pl.DataFrame, Columns(a=int)])  # loads typeflow-polars only
    assert [e.name for e in engine.plugin_states()] == ["polars"]
    assert engine.guess_python_type(lt) == Annotated[pd.DataFrame, Columns(a=int)]


def test_a_pandas_frame_with_non_str_column_names_is_refused_with_the_path_and_the_fix(tmp_path: Path) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path))
    bad = pd.DataFrame({0: [1], "ok": [2]})
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.dict_to_literal_map(ctx, {"df": StructuredDataset(dataframe=bad)}, {"df": StructuredDataset})
    assert info.value.location == "$.df.columns[0]" and "astype(str)" in str(info.value)
    with pytest.raises(TypeTransformerFailedError) as wrong:
        ctx.engine.dict_to_literal_map(ctx, {"df": bad}, {"df": pl.DataFrame})
    assert wrong.value.location == "$.df" and "pl.from_pandas(df)" in str(wrong.value)
