"""List layouts per profile: one file per item for flytekit 1.16, batches otherwise; both are read whatever the profile."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, List

import cloudpickle
import pytest

from typeflow import TypeEngine
from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, LiteralCollection, Scalar
from typeflow_pickle import BatchSize

from .samples import People, files_in

PEOPLE = [People("Ada"), People("Bob"), People("Cy")]


def _blob(storage: Path, name: str, obj: object) -> Literal:
    """A pickle blob as flytekit writes it: a plain cloudpickle file, no typeflow metadata."""
    path = storage / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(cloudpickle.dumps(obj))
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), str(path))))


def test_flytekit_1_16_profile_writes_one_file_per_item(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile="flytekit-1.16")
    lv = engine.to_literal(ctx, PEOPLE, List[People])
    assert lv.collection is not None and len(lv.collection.literals) == 3
    assert len(files_in(storage)) == 3
    for lit, person in zip(lv.collection.literals, PEOPLE):
        assert lit.scalar is not None and lit.scalar.blob is not None
        with open(lit.scalar.blob.uri, "rb") as f:
            assert cloudpickle.load(f) == person  # what flytekit 1.16 unpickles per element
    assert engine.to_python_value(ctx, lv, List[People]) == PEOPLE
    assert engine.to_python_value(engine.context(storage=str(storage)), lv, List[People]) == PEOPLE


def test_flytekit_1_16_profile_ignores_batch_size(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile="flytekit-1.16")
    lv = engine.to_literal(ctx, PEOPLE, Annotated[List[People], BatchSize(2)])
    assert lv.collection is not None and len(lv.collection.literals) == 3


@pytest.mark.parametrize("profile", ["typeflow", "flytekit-1.13"])
def test_other_profiles_write_batches(storage: Path, profile: str) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile=profile)
    lv = engine.to_literal(ctx, PEOPLE, Annotated[List[People], BatchSize(2)])
    assert lv.collection is not None and len(lv.collection.literals) == 2
    assert engine.to_python_value(engine.context(storage=str(storage), profile="flytekit-1.16"), lv, List[People]) == PEOPLE


def test_the_environment_selects_the_profile(storage: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_PROFILE", "flytekit-1.16")
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    assert ctx.profile == "flytekit-1.16"
    lv = engine.to_literal(ctx, PEOPLE, List[People])
    assert lv.collection is not None and len(lv.collection.literals) == 3


def test_per_item_files_flytekit_wrote_are_read_flat(storage: Path) -> None:
    lv = Literal(collection=LiteralCollection(tuple(_blob(storage, f"{i}.pkl", p) for i, p in enumerate(PEOPLE))))
    engine = TypeEngine()
    assert engine.to_python_value(engine.context(storage=str(storage)), lv, List[People]) == PEOPLE


def test_batch_files_flytekit_wrote_are_read_flat(storage: Path) -> None:
    lv = Literal(collection=LiteralCollection((_blob(storage, "a.pkl", PEOPLE[:2]), _blob(storage, "b.pkl", PEOPLE[2:]))))
    engine = TypeEngine()
    assert engine.to_python_value(engine.context(storage=str(storage)), lv, List[People]) == PEOPLE


def test_flytekit_1_13_profile_pickles_an_allow_pickle_dict_json_cannot_hold(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile="flytekit-1.13")
    t = Annotated[dict, {"allow_pickle": True}]
    value = {"b": b"bytes", "n": 1}
    lv = engine.to_literal(ctx, value, t)
    assert lv.metadata is not None and lv.metadata["format"] == "pickle"
    assert lv.scalar is not None and lv.scalar.generic is not None and "pickle_file" in lv.scalar.generic
    assert engine.to_python_value(ctx, lv, t) == value
    plain = engine.to_literal(ctx, {"n": 1}, t)  # JSON holds it: flytekit 1.13's JSON struct, no pickle
    assert plain.metadata == {"format": "json"} and plain.scalar is not None and plain.scalar.generic == {"n": 1}
