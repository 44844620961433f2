"""Model fields of types pydantic knows only as arbitrary types travel as their literals (typeflow.fields)."""

from __future__ import annotations

from pathlib import Path
from typing import Optional

import msgpack
import pytest
from pydantic import BaseModel, ConfigDict

from typeflow import TransformContext
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Binary, Literal, Scalar
from typeflow.types import File

from ..helpers import roundtrip

ARBITRARY = ConfigDict(arbitrary_types_allowed=True)


class Attachment(BaseModel):
    model_config = ARBITRARY
    title: str
    doc: File


class Report(BaseModel):
    model_config = ARBITRARY
    name: str
    main: File
    extra: Optional[File] = None
    pages: list[File] = []
    by_name: dict[str, File] = {}
    attachment: Optional[Attachment] = None


@pytest.fixture
def text_file(tmp_path: Path) -> Path:
    path = tmp_path / "report.txt"
    path.write_text("the report")
    return path


def report(path: Path) -> Report:
    return Report(
        name="r",
        main=File(str(path)),
        pages=[File(str(path)), File(str(path))],
        by_name={"a": File(str(path))},
        attachment=Attachment(title="t", doc=File(str(path))),
    )


def _record(lv: Literal) -> dict:  # type: ignore[type-arg]
    assert lv.scalar is not None and lv.scalar.binary is not None
    out: dict = msgpack.unpackb(lv.scalar.binary.value)  # type: ignore[type-arg]
    return out


def test_file_fields_travel_as_flytekits_path_form_and_read_back_lazily(ctx: TransformContext, text_file: Path) -> None:
    value = report(text_file)
    lv = ctx.engine.to_literal(ctx, value, Report)
    record = _record(lv)
    assert set(record["main"]) == {"path"} and record["main"]["path"] != str(text_file)  # uploaded into storage
    assert record["extra"] is None
    assert [set(p) for p in record["pages"]] == [{"path"}, {"path"}]
    assert set(record["attachment"]["doc"]) == {"path"}
    back = roundtrip(ctx, value, Report)
    assert isinstance(back, Report) and isinstance(back.main, File)
    assert Path(back.pages[1]).read_text() == "the report"
    assert Path(back.by_name["a"]).read_text() == "the report"
    assert Path(back.attachment.doc).read_text() == "the report"  # type: ignore[union-attr]


def test_the_schema_describes_a_file_field_by_its_record_form(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Report)
    main = lt.metadata["properties"]["main"]  # type: ignore[index]
    assert main["type"] == "object" and main["required"] == ["path"]
    assert lt.structure is not None and lt.structure.dataclass_type is not None
    assert lt.structure.dataclass_type["main"].blob is not None


def test_a_list_of_such_models_is_held_packed_and_reads_back(ctx: TransformContext, text_file: Path) -> None:
    values = [report(text_file), report(text_file)]
    lv = ctx.engine.to_literal(ctx, values, list[Report])
    assert lv.collection is not None and lv.collection.is_packed
    back = roundtrip(ctx, values, list[Report])
    assert [Path(r.main).read_text() for r in back] == ["the report"] * 2  # type: ignore[attr-defined]


def test_a_missing_local_file_names_its_field(ctx: TransformContext, tmp_path: Path, text_file: Path) -> None:
    value = Report(name="r", main=File(str(text_file)), pages=[File(str(text_file)), File(str(tmp_path / "gone.txt"))])
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, value, Report)
    assert info.value.location.startswith("$.pages[1]")


def test_a_bad_field_form_is_refused_with_its_path(ctx: TransformContext) -> None:
    data = {"name": "r", "main": {"path": "/x"}, "pages": [{"path": "/y"}, {"nope": 1}]}
    lv = Literal(scalar=Scalar(binary=Binary(msgpack.packb(data), "msgpack")))
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, lv, Report)
    assert info.value.location.startswith("$.pages[1]")
    assert "path" in str(info.value)


def test_a_record_that_fails_validation_after_its_fields_are_read_keeps_pydantics_location(ctx: TransformContext) -> None:
    data = {"name": 3.5, "main": {"path": "/x"}}
    lv = Literal(scalar=Scalar(binary=Binary(msgpack.packb(data), "msgpack")))
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, lv, Report)
    assert info.value.location == "$.name"
