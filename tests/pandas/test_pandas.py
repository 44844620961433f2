"""typeflow-pandas: DataFrames as parquet structured datasets, installed as a wheel."""

from __future__ import annotations

import datetime as dt
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
from hypothesis.extra.pandas import column, data_frames, indexes, range_indexes

import typeflow
from typeflow import TransformContext
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import SimpleType
from typeflow_pandas import Columns, Format, StructuredDataset, codecs_for, register_decoder, register_encoder

from ..helpers import roundtrip


def _uri(ctx: TransformContext, frame: object, t: object = pd.DataFrame) -> str:
    lv = ctx.engine.to_literal(ctx, frame, t)
    assert lv.scalar is not None and lv.scalar.structured_dataset is not None
    return lv.scalar.structured_dataset.uri


def _run(code: str) -> object:
    proc = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.strip().splitlines()[-1])


HEAVY = ("pandas", "pyarrow", "typeflow_pandas", "typeflow_pandas.plugin")


def test_plugin_is_found_through_its_entry_point_only_when_a_frame_is_converted(tmp_path: Path) -> None:
    before, loaded, distribution, path = _run(
        f"""
        import json, sys
        import typeflow
        typeflow.to_literal([1], list[int])
        before = sorted(m for m in {HEAVY!r} if m in sys.modules)
        import pandas as pd
        engine = typeflow.TypeEngine()
        ctx = engine.context(storage={str(tmp_path)!r})
        engine.to_literal(ctx, pd.DataFrame({{"a": [1]}}), pd.DataFrame)
        source = engine.resolve(pd.DataFrame).source
        import typeflow_pandas
        print(json.dumps([before, "typeflow_pandas.plugin" in sys.modules, source.distribution, typeflow_pandas.__file__]))
        """
    )
    assert before == [] and loaded and distribution == "typeflow-pandas"
    assert "site-packages" in path  # type: ignore[operator]


def test_an_arrow_table_loads_the_plugin_through_the_pyarrow_entry_point(tmp_path: Path) -> None:
    loaded, plugin = _run(
        f"""
        import json, sys
        import pyarrow as pa
        import typeflow
        engine = typeflow.TypeEngine()
        lv = engine.to_literal(engine.context(storage={str(tmp_path)!r}), pa.table({{"a": [1]}}), pa.Table)
        print(json.dumps(["typeflow_pandas.plugin" in sys.modules, engine.resolve(pa.Table).source.plugin]))
        """
    )
    assert loaded and plugin in ("pandas", "pyarrow", "typeflow_pandas")


def test_importing_typeflow_pandas_does_not_import_pandas_and_opening_a_handle_loads_the_plugin(tmp_path: Path) -> None:
    pq.write_table(pa.table({"a": [1, 2]}), tmp_path / "t.parquet")
    heavy_after_import, handle_is_core, loaded_for_type, loaded_after_open, columns = _run(
        f"""
        import json, sys
        heavy = []
        import typeflow
        from typeflow_pandas import StructuredDataset
        import typeflow.datasets
        heavy += sorted(m for m in ("pandas", "pyarrow", "typeflow_pandas.plugin") if m in sys.modules)
        engine = typeflow.TypeEngine()
        engine.to_literal_type(StructuredDataset)  # the handle is core's: no plugin needed for its type
        for_type = "typeflow_pandas.plugin" in sys.modules
        import pandas as pd
        frame = StructuredDataset(uri={str(tmp_path / "t.parquet")!r}, engine=engine).open(pd.DataFrame).all()
        print(json.dumps([heavy, StructuredDataset is typeflow.datasets.StructuredDataset, for_type,
                          "typeflow_pandas.plugin" in sys.modules, list(frame.columns)]))
        """
    )
    assert heavy_after_import == [] and handle_is_core
    assert not loaded_for_type and loaded_after_open and columns == ["a"]


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


def test_categoricals_keep_unused_categories_and_their_order(ctx: TransformContext) -> None:
    frame = pd.DataFrame(
        {
            "size": pd.Categorical(["s", "l"], categories=["s", "m", "l"], ordered=True),
            "code": pd.Categorical([3, 1], categories=[1, 2, 3]),
        }
    )
    back = roundtrip(ctx, frame, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame)  # type: ignore[arg-type]
    assert back["size"].cat.ordered and list(back["size"].cat.categories) == ["s", "m", "l"]  # type: ignore[index]


def test_index_is_preserved(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"v": [1, 2, 3]}, index=pd.Index(["a", "b", "c"], name="key"))
    pd.testing.assert_frame_equal(roundtrip(ctx, frame, pd.DataFrame), frame)  # type: ignore[arg-type]


def _with_tz_and_category(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    frame["t"] = frame["t"].dt.tz_localize("UTC").dt.tz_convert("America/New_York")
    # fixed categories: a categorical with none has no value type to store, also for df.to_parquet
    frame["c"] = pd.Categorical(frame["c"], categories=["red", "green", "blue"])
    return frame


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    frame=data_frames(
        [
            column("i", dtype="int64"),
            column("f", elements=st.floats(allow_nan=True, allow_infinity=True)),
            column("s", elements=st.text(max_size=5)),
            column("b", dtype=bool),
            column("t", dtype="datetime64[ns]", elements=st.datetimes(min_value=dt.datetime(1970, 1, 1))),
            column("c", elements=st.sampled_from(["red", "green", "blue"])),
        ],
        index=st.one_of(range_indexes(max_size=20), indexes(elements=st.text(max_size=3), max_size=20, unique=True)),
    ).map(_with_tz_and_category)
)
def test_hypothesis_frames_round_trip_with_their_dtypes_and_index(ctx: TransformContext, frame: pd.DataFrame) -> None:
    back = roundtrip(ctx, frame, pd.DataFrame)
    pd.testing.assert_frame_equal(back, frame, check_index_type=False)  # type: ignore[arg-type]
    assert isinstance(back.dtypes["c"], pd.CategoricalDtype)  # type: ignore[union-attr]
    assert str(back.dtypes["t"].tz) == "America/New_York"  # type: ignore[union-attr]


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
    with pytest.raises(TypeTransformerFailedError, match=r"has no column\(s\) \['z'\]; it has \['a'\]") as info:
        ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(z=int)])
    assert lv.scalar.structured_dataset.uri in str(info.value)  # type: ignore[union-attr]


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


def _corrupt_column_chunk(path: str, column_name: str) -> None:
    """Overwrite the bytes of one column's data in a parquet file, leaving the others and the footer intact."""
    meta = pq.ParquetFile(path).metadata
    index = meta.schema.to_arrow_schema().get_field_index(column_name)
    chunk = meta.row_group(0).column(index)
    start = chunk.dictionary_page_offset if chunk.has_dictionary_page else chunk.data_page_offset
    with open(path, "r+b") as f:
        f.seek(start)
        f.write(b"\xff" * chunk.total_compressed_size)


def test_a_declared_subset_reads_only_those_columns_from_the_file(ctx: TransformContext) -> None:
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": np.arange(1000), "big": rng.random(1000), "s": ["x"] * 1000})
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    _corrupt_column_chunk(lv.scalar.structured_dataset.uri, "big")  # type: ignore[union-attr]
    subset = ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(s=str, a=int)])
    pd.testing.assert_frame_equal(subset, frame[["s", "a"]])
    with pytest.raises(StorageError, match="corrupt"):  # reading everything touches the damaged column
        ctx.engine.to_python_value(ctx, lv, pd.DataFrame)


def test_index_behaviour_named_range_and_multi_index(ctx: TransformContext) -> None:
    frames = [
        pd.DataFrame({"v": [1, 2, 3]}, index=pd.RangeIndex(10, 16, 2, name="row")),
        pd.DataFrame({"v": [1, 2]}, index=pd.MultiIndex.from_tuples([("a", 1), ("b", 2)], names=["k", "n"])),
        pd.DataFrame({"v": [1.0, 2.0]}, index=pd.DatetimeIndex(["2024-01-01", "2024-01-02"], tz="UTC")),
    ]
    for frame in frames:
        pd.testing.assert_frame_equal(roundtrip(ctx, frame, pd.DataFrame), frame)  # type: ignore[arg-type]
    keyed = pd.DataFrame({"v": [1, 2], "w": [3, 4]}, index=pd.Index(["a", "b"], name="key"))
    lv = ctx.engine.to_literal(ctx, keyed, pd.DataFrame)
    recorded = lv.scalar.structured_dataset.metadata.structured_dataset_type.columns  # type: ignore[union-attr]
    assert [c.name for c in recorded] == ["v", "w"]  # the index is stored, but is not a declared column
    subset = ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(w=int)])
    pd.testing.assert_frame_equal(subset, keyed[["w"]])  # a subset keeps the index


def test_declared_column_types_must_match_the_stored_ones(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"age": [1.5, np.nan], "name": ["a", "b"]})
    with pytest.raises(TypeTransformerFailedError, match="age: declared"):
        ctx.engine.to_literal(ctx, frame, Annotated[pd.DataFrame, Columns(age=int)])
    lv = ctx.engine.to_literal(ctx, frame, pd.DataFrame)
    with pytest.raises(TypeTransformerFailedError, match="name: declared") as info:
        ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(name=bool)])
    assert lv.scalar.structured_dataset.uri in str(info.value)  # type: ignore[union-attr]
    back = ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(age=float)])
    assert list(back.columns) == ["age"]


def test_columns_take_a_mapping_for_names_that_are_not_identifiers(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"first name": ["Ada"], "age": [36]})
    t = Annotated[pd.DataFrame, Columns({"first name": str})]
    back = roundtrip(ctx, frame, t)
    pd.testing.assert_frame_equal(back, frame[["first name"]])  # type: ignore[arg-type]
    assert Columns({"a": int}, b=str).names == ["a", "b"]
    with pytest.raises(ValueError, match="at least one column"):
        Columns()


def test_guess_python_type_keeps_declared_columns(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Annotated[pd.DataFrame, Columns(a=int, b=str)])
    guessed = ctx.engine.guess_python_type(lt)
    assert guessed == Annotated[pd.DataFrame, Columns(a=int, b=str)]


def test_duplicate_column_names_are_refused(ctx: TransformContext) -> None:
    frame = pd.DataFrame([[1, 2]], columns=["a", "a"])
    with pytest.raises(TypeTransformerFailedError, match="unique"):
        ctx.engine.to_literal(ctx, frame, pd.DataFrame)


def test_attrs_survive(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1]})
    frame.attrs = {"source": "sensor-7", "version": 2}
    assert roundtrip(ctx, frame, pd.DataFrame).attrs == frame.attrs  # type: ignore[attr-defined]


def test_a_non_dataset_literal_is_refused(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, 3, int)
    with pytest.raises(TypeTransformerFailedError, match="structured dataset literal"):
        ctx.engine.to_python_value(ctx, lv, pd.DataFrame)


def test_a_handle_on_a_uri_reads_through_the_given_engine(ctx: TransformContext) -> None:
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    uri = _uri(ctx, frame)
    handle = StructuredDataset(uri=uri, columns=["b"], engine=ctx.engine)
    assert "uri=" in repr(handle) and "columns=['b']" in repr(handle)
    pd.testing.assert_frame_equal(handle.open(pd.DataFrame).all(), frame[["b"]])
    with pytest.raises(ValueError, match="open"):
        StructuredDataset(uri=uri, engine=ctx.engine).all()
    with pytest.raises(StorageError, match="blob not found"):
        StructuredDataset(uri=uri + ".gone", engine=ctx.engine).open(pa.Table).all()


def _write_csv(frame: pd.DataFrame, f: object, columns: list[str] | None) -> None:
    frame.to_csv(f, columns=columns, index=False)  # type: ignore[call-overload]


def _read_csv(source: object, columns: list[str] | None) -> pd.DataFrame:
    return pd.read_csv(source, usecols=columns)  # type: ignore[call-overload]


def typeflow_register_transformers(registry: object) -> None:
    """The hook a CSV plugin would ship: it adds a format without touching typeflow_pandas."""
    register_encoder(registry, pd.DataFrame, "csv", lambda df, f, cols: _write_csv(df, f, cols))
    register_decoder(registry, pd.DataFrame, "csv", _read_csv)


def test_another_plugin_adds_a_format_through_its_hook(ctx: TransformContext, tmp_path: Path) -> None:
    ctx.engine.get_transformer(pd.DataFrame)  # this plugin loaded first, or not: the order does not matter
    typeflow_register_transformers(ctx.engine.registry)
    frame = pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})
    t = Annotated[pd.DataFrame, Format("csv")]
    lv = ctx.engine.to_literal(ctx, frame, t)
    uri = lv.scalar.structured_dataset.uri  # type: ignore[union-attr]
    assert uri.endswith(".csv") and Path(uri).read_text().splitlines()[0] == "a,b"
    assert lv.scalar.structured_dataset.metadata.structured_dataset_type.format == "csv"  # type: ignore[union-attr]
    pd.testing.assert_frame_equal(ctx.engine.to_python_value(ctx, lv, pd.DataFrame), frame)
    narrow = ctx.engine.to_python_value(ctx, lv, Annotated[pd.DataFrame, Columns(b=str)])
    assert list(narrow.columns) == ["b"]
    # a second engine runs the hook again (a fresh lambda): each engine has its own table, no conflict
    other = typeflow.TypeEngine()
    typeflow_register_transformers(other.registry)
    assert codecs_for(other).encoder(pd.DataFrame, "csv") is not codecs_for(ctx.engine).encoder(pd.DataFrame, "csv")
    with pytest.raises(TypeflowError, match="override=True"):
        register_decoder(ctx.engine.registry, pd.DataFrame, "csv", lambda source, cols: None)
    fresh = typeflow.TypeEngine()
    with pytest.raises(TypeTransformerFailedError, match=r"no encoder writes pandas\.DataFrame as 'csv'"):
        fresh.to_literal(fresh.context(storage=str(tmp_path / "fresh")), frame, t)


def _dictionary_encoded(path: str) -> dict[str, bool]:
    meta = pq.ParquetFile(path).metadata
    group = meta.row_group(0)
    return {group.column(i).path_in_schema: group.column(i).has_dictionary_page for i in range(group.num_columns)}


def test_dictionary_encoding_only_where_values_repeat(ctx: TransformContext) -> None:
    rng = np.random.default_rng(3)
    n = 50_000
    frame = pd.DataFrame(
        {
            "unique_f": rng.random(n),
            "unique_s": [f"id-{i}" for i in range(n)],
            "status": rng.choice(["ok", "failed", "retry"], n),
            "code": rng.integers(0, 5, n),
            "cat": pd.Categorical(rng.choice(["a", "b"], n), categories=["a", "b", "c"]),
            "flag": rng.random(n) > 0.5,
            "sparse": pd.array([None] * (n - 1) + ["x"], dtype="string"),
        }
    )
    uri = _uri(ctx, frame)
    encoded = _dictionary_encoded(uri)
    assert encoded == {
        "unique_f": False,
        "unique_s": False,
        "status": True,
        "code": True,
        "cat": True,
        "flag": False,
        "sparse": True,
    }
    pd.testing.assert_frame_equal(roundtrip(ctx, frame, pd.DataFrame), frame)  # type: ignore[arg-type]


def test_nested_columns_keep_the_default_dictionary_encoding(ctx: TransformContext) -> None:
    table = pa.table({"xs": [[1, 2], [1], []] * 100, "v": [1.5, 2.5, 3.5] * 100})
    uri = _uri(ctx, table, pa.Table)
    assert _dictionary_encoded(uri) == {"xs.list.element": True, "v": True}
    assert roundtrip(ctx, table, pa.Table).equals(table)
