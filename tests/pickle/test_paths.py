"""A declared ``pathlib.Path`` is a file blob now; the pickled paths typeflow 0.1 and flytekit wrote still read."""

from __future__ import annotations

import pathlib
from pathlib import Path

import cloudpickle
import pytest

from typeflow import TypeEngine
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, Scalar


def test_a_declared_path_is_not_pickled_with_the_plugin_installed(storage: Path, tmp_path: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    src = tmp_path / "data.txt"
    src.write_text("contents, not a pickled path")
    lv = engine.to_literal(ctx, src, Path)
    assert lv.scalar is not None and lv.scalar.blob is not None
    assert lv.scalar.blob.metadata.type.format == ""
    assert engine.to_python_value(ctx, lv, Path).read_text() == "contents, not a pickled path"


def test_a_path_pickled_by_typeflow_0_1_reads_back(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    pickler = engine.fallback_transformer(Path)
    assert pickler is not None and pickler.name == "FlytePickle"
    old = pickler.to_literal(ctx, Path("/some/where.csv"), Path, pickler.get_literal_type(Path))
    assert engine.to_python_value(ctx, old, Path) == Path("/some/where.csv")


def test_a_path_flytekit_pickled_reads_back(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    blob = storage / "ab" / "path.pkl"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(cloudpickle.dumps(Path("/data/in.csv")))
    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), str(blob))))
    back = engine.to_python_value(ctx, lv, Path)
    assert isinstance(back, pathlib.Path) and back == Path("/data/in.csv")


def test_a_pickle_of_something_else_is_not_a_path(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    blob = storage / "ab" / "other.pkl"
    blob.parent.mkdir(parents=True)
    blob.write_bytes(cloudpickle.dumps({"not": "a path"}))
    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), str(blob))))
    with pytest.raises(TypeTransformerFailedError, match=r"holds a dict, not the declared pathlib\.Path"):
        engine.to_python_value(ctx, lv, Path)
