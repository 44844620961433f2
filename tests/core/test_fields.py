"""typeflow.fields: one record field of an engine type as its literal's form, and the walks over a record type."""

from __future__ import annotations

import dataclasses
import os
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Dict, List, Optional, Tuple, Union

import pytest

from typeflow import TransformContext
from typeflow.errors import TypeTransformerFailedError
from typeflow.fields import Pending, RecordFields, decode_field, encode_field, field_schema, is_engine_field, literal_of_form
from typeflow.literals import BlobType, LiteralType, SimpleType, StructuredDatasetType
from typeflow.types import Directory, File


def test_leaf_types_the_record_codec_cannot_write_travel_as_literals() -> None:
    assert is_engine_field(File) and is_engine_field(File["csv"]) and is_engine_field(Directory)
    assert is_engine_field(typing.BinaryIO) and is_engine_field(Iterator[int])
    for plain in (int, str, bytes, float, Path, typing.Any, type(None)):
        assert not is_engine_field(plain), plain


def test_a_file_field_has_flytekits_form_and_reads_back_lazily(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "a.csv"
    src.write_text("a\n")
    form = encode_field(ctx, File(str(src), metadata={"k": "v"}), File["csv"])
    assert set(form) == {"path", "metadata"} and form["metadata"] == {"k": "v"} and form["path"].endswith("/a.csv")
    back = decode_field(ctx, form, File["csv"])
    assert type(back) is File["csv"] and back.remote_path == form["path"] and not back.downloaded
    assert Path(os.fspath(back)).read_text() == "a\n"


def test_a_directory_field_round_trips(ctx: TransformContext, tmp_path: Path) -> None:
    (tmp_path / "d" / "sub").mkdir(parents=True)
    (tmp_path / "d" / "sub" / "x.txt").write_text("x")
    form = encode_field(ctx, str(tmp_path / "d"), Directory)
    back = decode_field(ctx, form, Directory)
    assert (back / "sub" / "x.txt").read_text() == "x"


def test_literal_forms_are_checked_against_the_field_type() -> None:
    blob = LiteralType(blob=BlobType("csv"))
    assert literal_of_form({"path": "s3://b/k"}, blob).scalar.blob.metadata.type.format == "csv"  # type: ignore[union-attr]
    sd = LiteralType(structured_dataset_type=StructuredDatasetType(format="parquet"))
    lv = literal_of_form({"uri": "s3://b/df", "file_format": ""}, sd)
    assert lv.scalar.structured_dataset.metadata.structured_dataset_type.format == "parquet"  # type: ignore[union-attr]
    for bad, lt in ((3, blob), ({}, blob), ({"path": 1}, blob), ({"path": "x", "other": 1}, blob), ({"path": "x"}, sd)):
        with pytest.raises(ValueError):
            literal_of_form(bad, lt)
    with pytest.raises(ValueError):
        literal_of_form({"path": "x"}, LiteralType(simple=SimpleType.INTEGER))


def test_a_bad_form_is_a_typed_error(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match='cannot read this field: expected \\{"path": uri\\}'):
        decode_field(ctx, {"uri": "x"}, File)


def test_field_schemas_describe_the_forms(engine: typing.Any) -> None:
    schema = field_schema(engine, File["csv"])
    assert schema["required"] == ["path"] and set(schema["properties"]) == {"path", "metadata"}
    assert field_schema(engine, Directory)["title"] == "Directory"


@dataclasses.dataclass
class Inner:
    report: File


@dataclasses.dataclass
class Record:
    name: str
    files: List[File]
    maybe: Optional[Directory]
    by_name: Dict[str, File]
    inner: Inner
    count: int = 0


def test_record_scan_finds_the_leaves_under_containers_and_nested_records() -> None:
    assert RecordFields(Record).leaves == [File, Directory]

    @dataclasses.dataclass
    class Plain:
        a: int
        b: List[str]

    assert RecordFields(Plain).leaves == []


def test_leaves_where_no_walk_can_reach_them_are_refused_when_the_type_is_built() -> None:
    @dataclasses.dataclass
    class InTuple:
        pair: Tuple[File, int]

    with pytest.raises(TypeTransformerFailedError, match=r"InTuple.pair holds a type that travels as a literal inside a tuple"):
        RecordFields(InTuple)

    @dataclasses.dataclass
    class TwoKinds:
        either: Union[File, Directory]

    with pytest.raises(TypeTransformerFailedError, match="cannot be told apart"):
        RecordFields(TwoKinds)


def test_the_walks_keep_paths_and_read_every_pending_form(ctx: TransformContext, tmp_path: Path) -> None:
    paths = []
    for name in ("a", "b", "c"):
        p = tmp_path / f"{name}.txt"
        p.write_text(name)
        paths.append(str(p))
    fields = RecordFields(Record)
    value = Record("r", [File(paths[0]), File(paths[1])], None, {"k": File(paths[2])}, Inner(File(paths[0])))
    forms = fields.encode_walk(ctx, value)
    assert len(forms) == 4 and all("path" in f for f in forms.values())

    bad = Record("r", [File(paths[0]), File(str(tmp_path / "missing.txt"))], None, {}, Inner(File(paths[0])))
    with pytest.raises(TypeTransformerFailedError, match="no such file") as info:
        fields.encode_walk(ctx, bad)
    assert info.value.location == "$.files[1]"

    decoded = Record(
        "r",
        [Pending(forms[id(value.files[0])], File)],
        None,
        {"k": Pending({"path": "/nowhere"}, File)},
        Inner(Pending(forms[id(value.inner.report)], File)),
    )
    out = fields.decode_walk(ctx, decoded)
    assert Path(os.fspath(out.files[0])).read_text() == "a" and isinstance(out.by_name["k"], File)

    broken = Record("r", [], None, {"k": Pending({"nope": 1}, File)}, Inner(Pending({"path": "/x"}, File)))
    with pytest.raises(TypeTransformerFailedError) as info:
        fields.decode_walk(ctx, broken)
    assert info.value.location == "$.by_name['k']"


def test_a_dataclass_with_file_fields_round_trips_through_the_engine(ctx: TransformContext, tmp_path: Path) -> None:
    from tests.helpers import roundtrip

    paths = []
    for name in ("a", "b"):
        p = tmp_path / f"{name}.txt"
        p.write_text(name)
        paths.append(str(p))
    (tmp_path / "d").mkdir()
    (tmp_path / "d" / "x.txt").write_text("x")
    value = Record(
        "r", [File(paths[0]), File(paths[1])], Directory(str(tmp_path / "d")), {"k": File(paths[1])}, Inner(File(paths[0]))
    )
    back = roundtrip(ctx, value, Record)
    assert isinstance(back, Record) and back.name == "r" and back.count == 0
    assert [Path(os.fspath(f)).read_text() for f in back.files] == ["a", "b"]
    assert back.maybe is not None and (back.maybe / "x.txt").read_text() == "x"
    assert Path(os.fspath(back.inner.report)).read_text() == "a" and not back.by_name["k"].downloaded
    lt = ctx.engine.to_literal_type(Record)
    assert lt.metadata is not None and lt.metadata["properties"]["inner"]["properties"]["report"]["required"] == ["path"]


def test_a_missing_file_in_a_record_is_reported_at_its_path_and_nothing_is_left(ctx: TransformContext, tmp_path: Path) -> None:
    p = tmp_path / "a.txt"
    p.write_text("a")
    value = Record("r", [File(str(p)), File(str(p))], None, {"k": File(str(tmp_path / "gone.txt"))}, Inner(File(str(p))))
    with pytest.raises(TypeTransformerFailedError, match="no such file") as info:
        ctx.engine.to_literal(ctx, value, Record)
    assert info.value.location == "$.by_name['k']"
    storage = tmp_path / "storage"
    assert not storage.exists() or [f for f in storage.rglob("*") if f.is_file()] == []


def test_a_subclass_keeps_its_engine_typed_fields_where_the_base_is_declared(ctx: TransformContext, tmp_path: Path) -> None:
    @dataclasses.dataclass
    class Base:
        name: str

    @dataclasses.dataclass
    class WithReport(Base):
        report: File

    src = tmp_path / "r.txt"
    src.write_text("r")
    lv = ctx.engine.to_literal(ctx, WithReport("n", File(str(src))), Base)
    back = ctx.engine.to_python_value(ctx, lv, WithReport)
    assert back.name == "n" and Path(os.fspath(back.report)).read_text() == "r"


@dataclasses.dataclass
class WithDefaults:
    """A record whose engine-typed fields have defaults."""

    name: str
    report: Optional[File] = None
    raw: Optional[typing.BinaryIO] = None  # mashumaro cannot write this type, so its default stopped the schema
    notes: typing.Annotated[Optional[typing.TextIO], "kept"] = None
    inner: Optional[Inner] = None
    folders: List[Directory] = dataclasses.field(default_factory=list)


@dataclasses.dataclass
class WithoutDefaults:
    """A record whose engine-typed fields have defaults."""

    name: str
    report: Optional[File]
    raw: Optional[typing.BinaryIO]
    notes: typing.Annotated[Optional[typing.TextIO], "kept"]
    inner: Optional[Inner]
    folders: List[Directory]


def test_defaults_on_engine_typed_fields_keep_the_records_schema(ctx: TransformContext, tmp_path: Path) -> None:
    with_defaults = ctx.engine.to_literal_type(WithDefaults).metadata
    assert with_defaults is not None, "the schema was lost"
    plain = ctx.engine.to_literal_type(WithoutDefaults).metadata
    assert plain is not None
    assert with_defaults["title"] == "WithDefaults" and with_defaults["required"] == ["name"]
    props = with_defaults["properties"]
    assert [props[name].pop("default") for name in ("report", "raw", "notes", "inner")] == [None] * 4
    assert props == plain["properties"]  # each field described as its literal's form, as without defaults
    guessed = ctx.engine.guess_python_type(ctx.engine.to_literal_type(WithDefaults))
    assert [f.name for f in dataclasses.fields(guessed)] == ["name", "report", "raw", "notes", "inner", "folders"]
    src = tmp_path / "r.txt"
    src.write_text("r")
    value = WithDefaults("a", File(str(src)))
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, value, WithDefaults), WithDefaults)
    assert back.name == "a" and back.raw is None and back.notes is None and back.inner is None and back.folders == []
    assert back.report is not None and Path(os.fspath(back.report)).read_text() == "r"
