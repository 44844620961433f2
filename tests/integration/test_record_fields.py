"""Dataclass fields of any engine type, with the numpy, pandas and pickle plugins installed.

Each such field travels as its literal inside the msgpack record, in
flytekit's form for file and dataset fields; the JSON Schema and
``TypeStructure.dataclass_type`` describe it; errors keep their path.
"""

from __future__ import annotations

import dataclasses
import os
from pathlib import Path
from typing import Dict, List, Optional

import msgpack
import numpy as np
import pandas as pd
import pytest
from numpy.typing import NDArray

from tests.helpers import roundtrip
from typeflow import TransformContext, TypeEngine, wire
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import BlobDimensionality, SimpleType
from typeflow.types import Directory, File


class Model:
    """A class no transformer claims: typeflow-pickle pickles it."""

    def __init__(self, weights: list[float]) -> None:
        self.weights = weights

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Model) and other.weights == self.weights


@dataclasses.dataclass
class Inputs:
    report: File
    images: Directory


@dataclasses.dataclass
class Experiment:
    name: str
    weights: np.ndarray
    typed: NDArray[np.float64]
    frames: List[pd.DataFrame]
    model: Model
    best: Optional[np.ndarray]
    by_split: Dict[str, pd.DataFrame]
    inputs: Inputs
    runs: int = 1


def make(tmp_path: Path) -> Experiment:
    report = tmp_path / "report.csv"
    report.write_text("a,b\n1,2\n")
    (tmp_path / "images" / "sub").mkdir(parents=True)
    (tmp_path / "images" / "sub" / "x.png").write_bytes(b"\x89PNG")
    return Experiment(
        name="e1",
        weights=np.arange(6, dtype=np.int32).reshape(2, 3),
        typed=np.linspace(0, 1, 5),
        frames=[pd.DataFrame({"a": [1, 2]}), pd.DataFrame({"b": ["x"]}), pd.DataFrame({"c": [0.5]})],
        model=Model([0.1, 0.2]),
        best=None,
        by_split={"train": pd.DataFrame({"y": [1, 0]})},
        inputs=Inputs(File(str(report)), Directory(str(tmp_path / "images"))),
    )


def test_a_record_of_every_engine_field_round_trips(ctx: TransformContext, tmp_path: Path) -> None:
    value = make(tmp_path)
    back = roundtrip(ctx, value, Experiment)
    assert isinstance(back, Experiment) and back.name == "e1" and back.runs == 1
    np.testing.assert_array_equal(back.weights, value.weights)
    assert back.weights.dtype == np.int32
    np.testing.assert_array_equal(back.typed, value.typed)
    assert [list(f.columns) for f in back.frames] == [["a"], ["b"], ["c"]]
    pd.testing.assert_frame_equal(back.by_split["train"], value.by_split["train"])
    assert back.model == value.model and back.best is None
    assert isinstance(back.inputs.report, File) and not back.inputs.report.downloaded
    assert Path(os.fspath(back.inputs.report)).read_text() == "a,b\n1,2\n"
    assert (back.inputs.images / "sub" / "x.png").read_bytes() == b"\x89PNG"


def test_fields_travel_in_flytekits_forms_inside_the_record(ctx: TransformContext, tmp_path: Path) -> None:
    lv = ctx.engine.to_literal(ctx, make(tmp_path), Experiment)
    assert lv.scalar is not None and lv.scalar.binary is not None and lv.scalar.binary.tag == "msgpack"
    record = msgpack.unpackb(lv.scalar.binary.value)
    assert set(record["inputs"]["report"]) == {"path"} and record["inputs"]["report"]["path"].endswith("/report.csv")
    assert set(record["inputs"]["images"]) == {"path", "metadata"}
    assert set(record["frames"][0]) == {"uri", "file_format"} and record["frames"][0]["file_format"] == "parquet"
    assert record["weights"]["path"].endswith(".npy") and record["weights"]["metadata"]["dtype"] == "<i4"
    assert record["model"]["path"].endswith(".pkl") and record["best"] is None


def test_json_schema_and_dataclass_type_describe_the_fields(engine: TypeEngine) -> None:
    lt = engine.to_literal_type(Experiment)
    assert lt.simple == SimpleType.STRUCT
    schema = lt.metadata or {}
    props = schema["properties"]
    assert props["weights"]["required"] == ["path"] and "path" in props["weights"]["properties"]
    assert props["frames"]["type"] == "array" and props["frames"]["items"]["required"] == ["uri"]
    assert props["by_split"]["additionalProperties"]["title"] == "DataFrame"
    fields = lt.structure.dataclass_type if lt.structure is not None else None
    assert fields is not None
    assert fields["weights"].blob is not None and fields["weights"].blob.format == "NumpyArray"
    assert fields["frames"].collection_type is not None and fields["frames"].collection_type.structured_dataset_type is not None
    assert fields["model"].blob is not None and fields["model"].blob.format == "PythonPickle"
    assert fields["inputs"].structure is not None
    inner = fields["inputs"].structure.dataclass_type or {}
    assert inner["images"].blob is not None and inner["images"].blob.dimensionality == BlobDimensionality.MULTIPART


@dataclasses.dataclass
class Checkpoint:
    step: int
    weights: Optional[np.ndarray] = None
    frame: Optional[pd.DataFrame] = None
    model: Optional[Model] = None


def test_defaults_on_array_frame_and_pickle_fields_keep_the_schema(ctx: TransformContext) -> None:
    schema = ctx.engine.to_literal_type(Checkpoint).metadata
    assert schema is not None and schema["required"] == ["step"]
    props = schema["properties"]
    assert [props[name]["default"] for name in ("weights", "frame", "model")] == [None, None, None]
    assert props["weights"]["anyOf"][0]["required"] == ["path"] and props["frame"]["anyOf"][0]["required"] == ["uri"]
    back = roundtrip(ctx, Checkpoint(3, weights=np.arange(3)), Checkpoint)
    assert isinstance(back, Checkpoint)
    assert back.step == 3 and back.frame is None and back.weights is not None and back.weights.tolist() == [0, 1, 2]


def test_a_bad_field_value_is_reported_at_its_path_and_nothing_is_left(ctx: TransformContext, tmp_path: Path) -> None:
    value = make(tmp_path)
    value.frames[2] = "not a frame"  # type: ignore[call-overload]
    storage = tmp_path / "storage"
    before = sorted(p for p in storage.rglob("*") if p.is_file()) if storage.exists() else []
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, value, Experiment)
    assert info.value.location == "$.frames[2]"
    after = sorted(p for p in storage.rglob("*") if p.is_file()) if storage.exists() else []
    assert after == before


def test_a_field_failing_after_others_were_uploaded_deletes_them(ctx: TransformContext, tmp_path: Path) -> None:
    value = make(tmp_path)
    value.inputs.report = File(str(tmp_path / "missing.csv"))  # fails after the arrays, frames and pickle were written
    with pytest.raises(TypeTransformerFailedError, match="no such file") as info:
        ctx.engine.to_literal(ctx, value, Experiment)
    assert info.value.location == "$.inputs.report"
    storage = tmp_path / "storage"
    assert not storage.exists() or [p for p in storage.rglob("*") if p.is_file()] == []


def test_a_deleted_field_blob_is_a_storage_error_naming_it(ctx: TransformContext, tmp_path: Path) -> None:
    lv = ctx.engine.to_literal(ctx, make(tmp_path), Experiment)
    record = msgpack.unpackb(lv.scalar.binary.value)  # type: ignore[union-attr]
    os.remove(record["weights"]["path"])
    with pytest.raises((StorageError, TypeTransformerFailedError)) as info:
        ctx.engine.to_python_value(ctx, lv, Experiment)
    assert record["weights"]["path"] in str(info.value)


def test_a_list_of_such_records_converts_one_by_one(ctx: TransformContext, tmp_path: Path) -> None:
    @dataclasses.dataclass
    class Sample:
        label: str
        pixels: np.ndarray

    values = [Sample(str(i), np.full(3, i)) for i in range(4)]
    lv = ctx.engine.to_literal(ctx, values, List[Sample])
    assert lv.collection is not None and not lv.collection.is_packed
    back = ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), List[Sample])  # type: ignore[arg-type]
    assert [s.pixels.tolist() for s in back] == [[i] * 3 for i in range(4)]
    bad = [*values, Sample("x", "no")]  # type: ignore[arg-type]
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, bad, List[Sample])
    assert info.value.location == "$[4].pixels"


def test_plain_records_are_untouched(engine: TypeEngine, ctx: TransformContext) -> None:
    @dataclasses.dataclass
    class Plain:
        a: int
        b: List[str]

    lv = ctx.engine.to_literal(ctx, [Plain(1, ["x"]), Plain(2, [])], List[Plain])
    assert lv.collection is not None and lv.collection.is_packed  # still the fast path
    assert ctx.engine.to_python_value(ctx, lv, List[Plain]) == [Plain(1, ["x"]), Plain(2, [])]


def test_a_record_in_a_stream(ctx: TransformContext) -> None:
    from collections.abc import Iterator

    @dataclasses.dataclass
    class Chunk:
        index: int
        data: np.ndarray

    def chunks() -> Iterator[Chunk]:
        for i in range(5):
            yield Chunk(i, np.arange(i + 1))

    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, chunks(), Iterator[Chunk]), Iterator[Chunk])
    assert [c.data.tolist() for c in back] == [list(range(i + 1)) for i in range(5)]
