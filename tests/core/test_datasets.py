"""typeflow.datasets: the structured-dataset layer every DataFrame plugin shares, tested without any of them.

``Rows`` is a minimal frame type (named columns of Python values) with CSV
codecs from the standard library, registered the way typeflow-pandas and
typeflow-polars register theirs: so the core's part (codec tables, declared
columns, formats, the handle, errors) is tested in the core env, where no
DataFrame library is installed.
"""

from __future__ import annotations

import csv
import io
import json
import pickle
from pathlib import Path
from typing import IO, Annotated, Any, Optional

import pytest

from typeflow import TransformContext, TypeEngine, wire
from typeflow.datasets import (
    Columns,
    DatasetTransformer,
    Format,
    StructuredDataset,
    codecs_for,
    register_decoder,
    register_encoder,
)
from typeflow.errors import PluginError, StorageError, TypeTransformerFailedError
from typeflow.literals import DatasetColumn, Literal, LiteralType, Primitive, Scalar, SimpleType

from .dists import run_python


class Rows:
    """Named columns of equal length."""

    def __init__(self, data: dict[Any, list[Any]]) -> None:
        self.data = dict(data)

    @property
    def columns(self) -> list[Any]:
        return list(self.data)

    def equals(self, other: Rows) -> bool:
        return self.data == other.data

    def __repr__(self) -> str:
        return f"Rows({self.data!r})"


def write_csv(frame: Rows, f: IO[bytes], columns: list[str] | None) -> list[DatasetColumn]:
    names = columns or frame.columns
    text = io.StringIO()
    writer = csv.writer(text)
    writer.writerow(names)
    writer.writerows(zip(*(frame.data[n] for n in names)))
    f.write(text.getvalue().encode())
    return [DatasetColumn(n, LiteralType(simple=SimpleType.STRING)) for n in names]


def read_csv(source: str | IO[bytes], columns: list[str] | None) -> Rows:
    raw = open(source, "rb").read() if isinstance(source, str) else source.read()  # noqa: SIM115
    reader = csv.reader(io.StringIO(raw.decode()))
    header = next(reader)
    body = list(reader)
    names = columns or header
    missing = [n for n in names if n not in header]
    if missing:
        raise KeyError(missing)
    return Rows({n: [row[header.index(n)] for row in body] for n in names})


CSV = Annotated[Rows, Format("csv")]


@pytest.fixture
def rows_engine(engine: TypeEngine) -> TypeEngine:
    register_encoder(engine.registry, Rows, "csv", write_csv)
    register_decoder(engine.registry, Rows, "csv", read_csv)
    engine.register(DatasetTransformer(Rows))
    return engine


@pytest.fixture
def rctx(rows_engine: TypeEngine, tmp_path: Path) -> TransformContext:
    return rows_engine.context(storage=str(tmp_path / "storage"))


def _frame() -> Rows:
    return Rows({"name": ["ada", "bo"], "age": ["36", "41"], "city": ["x", "y"]})


def _uri(lv: Literal) -> str:
    assert lv.scalar is not None and lv.scalar.structured_dataset is not None
    return lv.scalar.structured_dataset.uri


def test_importing_the_dataset_layer_imports_no_frame_library() -> None:
    proc = run_python(
        """
        import json, sys, tempfile
        import typeflow
        from typeflow.datasets import Columns, StructuredDataset, codecs_for
        engine = typeflow.TypeEngine()
        engine.to_literal_type(StructuredDataset)
        print(json.dumps(sorted(m for m in ("pandas", "pyarrow", "polars", "numpy") if m in sys.modules)))
        """,
        None,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == []


def test_the_handle_is_built_in_with_flytekits_literal_type(engine: TypeEngine) -> None:
    lt = engine.to_literal_type(StructuredDataset)
    assert lt.structured_dataset_type is not None
    assert (lt.structured_dataset_type.format, lt.structured_dataset_type.columns) == ("", ())
    assert engine.get_transformer(StructuredDataset).name == "StructuredDataset Transformer"
    declared = engine.to_literal_type(Annotated[StructuredDataset, Columns(age=int), Format("csv")])
    assert declared.structured_dataset_type is not None
    assert declared.structured_dataset_type.format == "csv"
    assert [(c.name, c.literal_type.simple) for c in declared.structured_dataset_type.columns] == [("age", SimpleType.INTEGER)]


def test_flytekit_spellings_declare_columns_and_format(engine: TypeEngine) -> None:
    from collections import OrderedDict

    ported = engine.to_literal_type(Annotated[StructuredDataset, OrderedDict(age=int), "csv"])
    native = engine.to_literal_type(Annotated[StructuredDataset, Columns(age=int), Format("csv")])
    assert ported == native
    assert engine.to_literal_type(Annotated[StructuredDataset, {}]) == engine.to_literal_type(StructuredDataset)
    with pytest.raises(TypeTransformerFailedError, match="format is declared twice"):
        engine.to_literal_type(Annotated[StructuredDataset, Format("csv"), "parquet"])
    with pytest.raises(TypeTransformerFailedError, match="names must be str"):
        Columns({1: int})  # type: ignore[dict-item]


def test_a_frame_type_round_trips_through_its_registered_codecs(rctx: TransformContext) -> None:
    lv = rctx.engine.to_literal(rctx, _frame(), CSV)
    uri = _uri(lv)
    assert uri.endswith(".csv") and Path(uri).read_text().splitlines()[0] == "name,age,city"
    sdt = lv.scalar.structured_dataset.metadata.structured_dataset_type  # type: ignore[union-attr]
    assert sdt.format == "csv" and [c.name for c in sdt.columns] == ["name", "age", "city"]
    back = rctx.engine.to_python_value(rctx, wire.loads(wire.dumps(lv)), Rows)  # the literal's format picks the decoder
    assert back.equals(_frame())


def test_declared_columns_write_and_read_a_subset(rctx: TransformContext) -> None:
    lv = rctx.engine.to_literal(rctx, _frame(), Annotated[Rows, Format("csv"), Columns(age=str, name=str)])
    assert Path(_uri(lv)).read_text().splitlines()[0] == "age,name"
    back = rctx.engine.to_python_value(rctx, lv, Annotated[Rows, Columns(name=str)])
    assert back.columns == ["name"]
    with pytest.raises(TypeTransformerFailedError, match=r"has no column\(s\) \['city'\]") as info:
        rctx.engine.to_python_value(rctx, lv, Annotated[Rows, Columns(city=str)])
    assert _uri(lv) in str(info.value)
    with pytest.raises(TypeTransformerFailedError, match="age: declared"):
        rctx.engine.to_python_value(rctx, lv, Annotated[Rows, Columns(age=int)])


def test_non_str_column_names_are_refused_with_the_path_and_the_fix(rctx: TransformContext) -> None:
    bad = Rows({"a": [1], 2: [3]})
    with pytest.raises(TypeTransformerFailedError) as info:
        rctx.engine.to_literal(rctx, bad, CSV)
    assert info.value.location == "$.columns[1]"
    assert "column names must be str" in str(info.value) and "astype(str)" in str(info.value)
    with pytest.raises(TypeTransformerFailedError) as nested:
        rctx.engine.dict_to_literal_map(rctx, {"df": bad}, {"df": CSV})
    assert nested.value.location == "$.df.columns[1]"
    storage = Path(rctx.storage.url)
    assert not storage.exists() or not [p for p in storage.rglob("*") if p.is_file()]  # nothing half-written


def test_duplicate_column_names_point_at_the_second_one(rctx: TransformContext) -> None:
    class Dup(Rows):
        @property
        def columns(self) -> list[Any]:
            return ["a", "b", "a"]

    with pytest.raises(TypeTransformerFailedError, match="unique") as info:
        rctx.engine.to_literal(rctx, Dup({"a": [1]}), CSV)
    assert info.value.location == "$.columns[2]"


def test_a_value_of_another_type_is_a_transform_error(rctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected a .*Rows"):
        rctx.engine.to_literal(rctx, {"a": [1]}, CSV)
    with pytest.raises(TypeTransformerFailedError, match="structured dataset literal"):
        rctx.engine.to_python_value(rctx, Literal(scalar=Scalar(primitive=Primitive(integer=1))), Rows)


def test_missing_codecs_say_which_formats_exist(rctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"no encoder writes .*Rows as 'parquet'") as info:
        rctx.engine.to_literal(rctx, _frame(), Rows)  # no format declared: parquet, which Rows cannot write
    assert "['csv']" in str(info.value)
    lv = rctx.engine.to_literal(rctx, _frame(), CSV)
    handle = rctx.engine.to_python_value(rctx, lv, StructuredDataset)
    with pytest.raises(TypeTransformerFailedError, match=r"no decoder reads format 'csv' as .*str"):
        handle.open(str).all()


def test_codec_registration_conflicts_need_override(engine: TypeEngine) -> None:
    codecs = codecs_for(engine)
    codecs.register_encoder(Rows, "csv", write_csv)
    codecs.register_encoder(Rows, "csv", write_csv)  # the same function again is not a conflict
    with pytest.raises(PluginError, match="override=True"):
        codecs.register_encoder(Rows, "csv", lambda v, f, c: None)
    codecs.provide_encoder(Rows, "csv", lambda v, f, c: None)  # a plugin's default never replaces what is there
    assert codecs.encoder(Rows, "csv") is write_csv
    with pytest.raises(PluginError, match="format name"):
        codecs.register_decoder(Rows, "", read_csv)
    with pytest.raises(PluginError, match="callable"):
        codecs.register_decoder(Rows, "csv", "read_csv")  # type: ignore[arg-type]
    assert codecs_for(TypeEngine()).encoder(Rows, "csv") is None  # each engine has its own table
    assert codecs.types("csv", writing=True) == [Rows] and codecs.formats(Rows, writing=True) == ["csv"]


def test_a_handle_holding_a_frame_is_written_by_the_frames_transformer(rctx: TransformContext) -> None:
    lv = rctx.engine.to_literal(rctx, StructuredDataset(dataframe=_frame(), file_format="csv"), StructuredDataset)
    assert lv.scalar.structured_dataset.metadata.structured_dataset_type.format == "csv"  # type: ignore[union-attr]
    handle = rctx.engine.to_python_value(rctx, lv, StructuredDataset)
    assert handle.dataframe is None and handle.uri == _uri(lv) and handle.file_format == "csv"
    assert handle.open(Rows).all().equals(_frame())
    again = rctx.engine.to_literal(rctx, handle, StructuredDataset)  # passed through by reference
    assert again == lv


def test_a_handle_on_existing_data_records_the_declared_format_and_columns(rctx: TransformContext) -> None:
    uri = _uri(rctx.engine.to_literal(rctx, _frame(), CSV))
    declared = Annotated[StructuredDataset, Columns(age=str), Format("csv")]
    lv = rctx.engine.to_literal(rctx, StructuredDataset(uri=uri, file_format="parquet"), declared)
    sdt = lv.scalar.structured_dataset.metadata.structured_dataset_type  # type: ignore[union-attr]
    assert sdt.format == "csv"  # the declaration wins over the handle's own format (flytekit's rule)
    assert [c.name for c in sdt.columns] == ["age"]
    plain = rctx.engine.to_literal(rctx, StructuredDataset(uri=uri, file_format="csv"), StructuredDataset)
    assert plain.scalar.structured_dataset.metadata.structured_dataset_type.format == "csv"  # type: ignore[union-attr]
    unsaid = rctx.engine.to_literal(rctx, StructuredDataset(uri=uri), StructuredDataset)
    assert unsaid.scalar.structured_dataset.metadata.structured_dataset_type.format == ""  # type: ignore[union-attr]
    narrow = rctx.engine.to_python_value(rctx, lv, declared)
    assert narrow.open(Rows).all().columns == ["age"]


def test_a_handle_read_as_a_declared_type_keeps_the_declared_columns(rctx: TransformContext) -> None:
    lv = rctx.engine.to_literal(rctx, _frame(), CSV)
    narrow = rctx.engine.to_python_value(rctx, lv, Annotated[StructuredDataset, Columns(age=str)])
    assert [c.name for c in narrow.metadata.structured_dataset_type.columns] == ["age"]
    assert narrow.columns == ["age"] and narrow.open(Rows).all().columns == ["age"]
    everything = rctx.engine.to_python_value(rctx, lv, StructuredDataset)
    assert [c.name for c in everything.metadata.structured_dataset_type.columns] == ["name", "age", "city"]
    assert narrow.literal == everything.literal == lv.scalar.structured_dataset  # type: ignore[union-attr]


def test_handles_pickle_and_compare_equal_by_content(rctx: TransformContext) -> None:
    lv = rctx.engine.to_literal(rctx, _frame(), CSV)
    first = rctx.engine.to_python_value(rctx, lv, StructuredDataset)
    second = rctx.engine.to_python_value(rctx, lv, StructuredDataset)
    assert first == second and first is not second
    assert first != rctx.engine.to_python_value(rctx, lv, Annotated[StructuredDataset, Columns(age=str)])
    restored = pickle.loads(pickle.dumps(first))
    assert restored == first and restored.literal == first.literal
    assert StructuredDataset(dataframe=_frame()) == StructuredDataset(dataframe=_frame())  # equal frames
    assert StructuredDataset(dataframe=_frame()) != StructuredDataset(dataframe=Rows({"a": ["1"]}))
    assert StructuredDataset(uri="s3://b/x") != StructuredDataset(uri="s3://b/y")
    with pytest.raises(TypeError):
        hash(first)


def test_an_unpickled_handle_reads_through_the_default_engine(tmp_path: Path) -> None:
    default = TypeEngine.default()
    register_encoder(default.registry, Rows, "csv", write_csv)
    register_decoder(default.registry, Rows, "csv", read_csv)
    default.register(DatasetTransformer(Rows), override=True)
    path = tmp_path / "existing.csv"
    with open(path, "wb") as f:
        write_csv(_frame(), f, None)
    handle = StructuredDataset(uri=str(path), file_format="csv", engine=TypeEngine())  # an engine without Rows
    restored = pickle.loads(pickle.dumps(handle))
    assert restored.open(Rows).all().equals(_frame())


def test_a_handle_holding_an_unknown_type_is_refused(rctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="no dataset plugin writes"):
        rctx.engine.to_literal(rctx, StructuredDataset(dataframe=[1, 2]), StructuredDataset)
    with pytest.raises(TypeTransformerFailedError, match="StructuredDataset"):
        rctx.engine.to_literal(rctx, _frame(), StructuredDataset)
    with pytest.raises(ValueError, match="dataframe= or a uri="):
        StructuredDataset()
    with pytest.raises(ValueError, match="open"):
        StructuredDataset(uri="x").all()


def test_missing_and_corrupt_blobs_name_the_uri(rctx: TransformContext) -> None:
    lv = rctx.engine.to_literal(rctx, _frame(), CSV)
    uri = _uri(lv)
    Path(uri).write_bytes(b"\xff\xfe not text")
    with pytest.raises(StorageError, match="corrupt") as corrupt:
        rctx.engine.to_python_value(rctx, lv, Rows)
    assert corrupt.value.uri == uri
    Path(uri).unlink()
    with pytest.raises(StorageError, match="blob not found"):
        rctx.engine.to_python_value(rctx, lv, Rows)


def test_a_union_variant_is_tagged_with_flytekits_transformer_name(rctx: TransformContext) -> None:
    lt = rctx.engine.to_literal_type(Optional[StructuredDataset])
    assert lt.union_type is not None
    tags = [v.structure.tag for v in lt.union_type.variants if v.structured_dataset_type is not None and v.structure]
    assert tags == ["StructuredDataset Transformer"]


def test_a_dataset_type_is_guessed_as_the_handle_when_no_frame_plugin_guesses(
    rctx: TransformContext, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TYPEFLOW_DISABLE_PLUGINS", "pandas,pyarrow,polars")  # in case this env has them
    lt = rctx.engine.to_literal_type(Annotated[StructuredDataset, Columns(age=int)])
    assert rctx.engine.guess_python_type(lt) == Annotated[StructuredDataset, Columns(age=int)]
    assert rctx.engine.guess_python_type(rctx.engine.to_literal_type(StructuredDataset)) is StructuredDataset


def test_a_dataset_uri_from_a_literal_is_read_under_the_contexts_read_policy(rctx: TransformContext, tmp_path: Path) -> None:
    import base64

    from typeflow.literals import StructuredDataset as DatasetLiteral
    from typeflow.literals import StructuredDatasetMetadata, StructuredDatasetType

    inline = "data:text/csv;base64," + base64.b64encode(b"name\nada\n").decode()
    csv_type = StructuredDatasetMetadata(StructuredDatasetType(format="csv"))
    lv = Literal(scalar=Scalar(structured_dataset=DatasetLiteral(uri=inline, metadata=csv_type)))
    with pytest.raises(StorageError, match="refused to read"):
        rctx.engine.to_python_value(rctx, lv, Rows)
    handle = rctx.engine.to_python_value(rctx, lv, StructuredDataset)  # nothing read yet
    with pytest.raises(StorageError, match="refused to read"):
        handle.open(Rows).all()  # the handle reads under the context it was read with
    allowed = rctx.engine.context(storage=str(tmp_path / "other"), read_roots=["data:"])
    assert allowed.engine.to_python_value(allowed, lv, Rows).data == {"name": ["ada"]}
