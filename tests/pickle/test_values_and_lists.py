"""Lone values and lists of unclaimed types ↔ PythonPickle blobs: file counts, order, errors, logging."""

from __future__ import annotations

import dataclasses
import logging
import pickle
import threading
from pathlib import Path
from typing import Annotated, Dict, List, Optional, Union

import cloudpickle
import pytest

import typeflow
from typeflow import TransformContext
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, LiteralCollection, LiteralType, Scalar
from typeflow_pickle import BatchSize, PickleDecodeError, PickleError

from ..helpers import roundtrip
from .samples import People, files_in


def blob_uri(lv: Literal) -> str:
    assert lv.scalar is not None and lv.scalar.blob is not None
    return lv.scalar.blob.uri


# ---------------------------------------------------------------------------- a lone value


def test_lone_value_is_one_python_pickle_blob_and_round_trips(pctx: TransformContext, storage: Path) -> None:
    lv = pctx.engine.to_literal(pctx, People("Ada"), People)
    assert lv.scalar is not None and lv.scalar.blob is not None
    assert lv.scalar.blob.metadata.type == BlobType("PythonPickle")
    assert files_in(storage) == [Path(blob_uri(lv))]
    assert roundtrip(pctx, People("Ada"), People) == People("Ada")


def test_literal_type_is_a_python_pickle_blob_naming_the_class(pctx: TransformContext) -> None:
    lt = pctx.engine.to_literal_type(People)
    assert lt.blob == BlobType("PythonPickle")
    assert lt.metadata == {"python_class_name": str(People)}
    assert pctx.engine.to_literal_type(List[People]) == LiteralType(collection_type=lt)


def test_the_blob_is_a_plain_cloudpickle_file(pctx: TransformContext) -> None:
    lv = pctx.engine.to_literal(pctx, People("Ada"), People)
    with open(blob_uri(lv), "rb") as f:
        assert cloudpickle.load(f) == People("Ada")


def test_metadata_records_python_and_cloudpickle_versions(pctx: TransformContext) -> None:
    import sys

    lv = pctx.engine.to_literal(pctx, People("Ada"), People)
    assert lv.metadata is not None
    assert lv.metadata["pickle.python"] == f"{sys.version_info.major}.{sys.version_info.minor}"
    assert lv.metadata["pickle.cloudpickle"] == cloudpickle.__version__
    assert lv.metadata["pickle.kind"] == "value"
    assert int(lv.metadata["pickle.size"]) == Path(blob_uri(lv)).stat().st_size


def test_value_of_another_class_is_refused_on_write(pctx: TransformContext, storage: Path) -> None:
    with pytest.raises(TypeTransformerFailedError, match="not of the declared type"):
        pctx.engine.to_literal(pctx, "not a person", People)
    assert files_in(storage) == []


def test_unpicklable_value_is_a_typeflow_error_and_leaves_no_file(pctx: TransformContext, storage: Path) -> None:
    lock_type = type(threading.Lock())
    with pytest.raises(PickleError, match="cannot pickle") as info:
        pctx.engine.to_literal(pctx, threading.Lock(), lock_type)
    assert isinstance(info.value.__cause__, TypeError)  # cloudpickle's error is the cause, not what escapes
    assert info.value.uri is not None and info.value.uri in str(info.value)
    assert files_in(storage) == []


# ---------------------------------------------------------------------------- lists


@pytest.mark.parametrize(
    ("count", "list_type", "files"),
    [
        (3, List[People], 1),
        (1, List[People], 1),
        (3, Annotated[List[People], BatchSize(2)], 2),
        (4, Annotated[List[People], BatchSize(2)], 2),
        (2_500, Annotated[List[People], BatchSize(1000)], 3),
        (5, Annotated[List[People], BatchSize(1)], 5),
    ],
    ids=["default list", "one item", "3 at BatchSize(2)", "4 at BatchSize(2)", "2500 at BatchSize(1000)", "BatchSize(1)"],
)
def test_list_uses_one_file_per_batch_and_reads_back_flat_in_order(
    pctx: TransformContext, storage: Path, count: int, list_type: object, files: int
) -> None:
    people = [People(f"p{i}") for i in range(count)]
    lv = pctx.engine.to_literal(pctx, people, list_type)
    assert lv.collection is not None
    literals = list(lv.collection.literals)
    assert len(literals) == files
    assert len(files_in(storage)) == files
    assert sorted(Path(blob_uri(lit)) for lit in literals) == files_in(storage)
    assert all(lit.metadata is not None and lit.metadata["pickle.batch"] == f"{i}/{files}" for i, lit in enumerate(literals))
    back = roundtrip(pctx, people, list_type)
    assert back == people


def test_batches_hold_consecutive_items(pctx: TransformContext) -> None:
    lv = pctx.engine.to_literal(pctx, [People(c) for c in "abcde"], Annotated[List[People], BatchSize(2)])
    assert lv.collection is not None
    batches = []
    for lit in lv.collection.literals:
        with open(blob_uri(lit), "rb") as f:
            batches.append([p.name for p in pickle.load(f)])
    assert batches == [["a", "b"], ["c", "d"], ["e"]]


@pytest.mark.parametrize("list_type", [List[People], Annotated[List[People], BatchSize(3)]], ids=["default", "batched"])
def test_empty_list_is_a_collection_of_no_files(pctx: TransformContext, storage: Path, list_type: object) -> None:
    lv = pctx.engine.to_literal(pctx, [], list_type)
    assert lv == Literal(collection=LiteralCollection(()))
    assert files_in(storage) == []
    assert roundtrip(pctx, [], list_type) == []


def test_batches_written_and_read_on_threads_keep_order(storage: Path) -> None:
    ctx = typeflow.TypeEngine().context(storage=str(storage), pickle_workers=4)
    people = [People(str(i)) for i in range(1_003)]
    t = Annotated[List[People], BatchSize(10)]
    lv = ctx.engine.to_literal(ctx, people, t)
    assert lv.collection is not None and len(lv.collection.literals) == 101
    assert [lit.metadata["pickle.batch"] for lit in lv.collection.literals if lit.metadata] == [f"{i}/101" for i in range(101)]
    assert ctx.engine.to_python_value(ctx, lv, t) == people


def test_bad_item_in_a_list_is_named_by_its_index(pctx: TransformContext, storage: Path) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        pctx.engine.to_literal(pctx, [People("a"), People("b"), 3], List[People])
    assert info.value.location == "$[2]"
    lock_type = type(threading.Lock())
    with pytest.raises(TypeTransformerFailedError, match="cannot pickle") as info:
        pctx.engine.to_literal(pctx, [threading.Lock(), threading.Lock()], Annotated[List[lock_type], BatchSize(1)])  # type: ignore[valid-type]
    assert info.value.location == "$[0]"
    assert files_in(storage) == []


@pytest.mark.parametrize("workers", [1, 4], ids=["in order", "on threads"])
def test_a_list_that_fails_midway_leaves_none_of_its_files(storage: Path, workers: int) -> None:
    ctx = typeflow.TypeEngine().context(storage=str(storage), pickle_workers=workers)
    items = [People(str(i)) for i in range(7)] + [People(threading.Lock())] + [People("after")] * 4  # type: ignore[arg-type]
    with pytest.raises(TypeTransformerFailedError, match="none of the list's files were kept") as info:
        ctx.engine.to_literal(ctx, items, Annotated[List[People], BatchSize(2)])
    assert info.value.location == "$[7]"  # in the fourth batch: three were written before it failed
    assert files_in(storage) == []


def test_pickled_types_nest_in_dicts_optionals_and_dataclasses(pctx: TransformContext) -> None:
    assert roundtrip(pctx, {"a": People("a")}, Dict[str, People]) == {"a": People("a")}
    assert roundtrip(pctx, None, Optional[People]) is None
    assert roundtrip(pctx, People("x"), Optional[People]) == People("x")
    assert roundtrip(pctx, [[People("a")], []], List[List[People]]) == [[People("a")], []]


def test_a_lone_pickle_inside_a_collection_reads_as_one_item(pctx: TransformContext) -> None:
    lone = pctx.engine.to_literal(pctx, People("solo"), People)
    batch = pctx.engine.to_literal(pctx, [People("a"), People("b")], List[People])
    assert batch.collection is not None
    mixed = Literal(collection=LiteralCollection((lone, *batch.collection.literals)))
    # a batch's recorded position (0/1) no longer matches its place (1/2): refused
    with pytest.raises(TypeTransformerFailedError, match="reordered, dropped or added"):
        pctx.engine.to_python_value(pctx, mixed, List[People])
    only_lone = Literal(collection=LiteralCollection((lone, lone)))
    assert pctx.engine.to_python_value(pctx, only_lone, List[People]) == [People("solo"), People("solo")]


def test_a_batch_read_as_a_lone_value_is_refused(pctx: TransformContext) -> None:
    lv = pctx.engine.to_literal(pctx, [People("a")], List[People])
    assert lv.collection is not None
    with pytest.raises(TypeTransformerFailedError, match=r"batch of list items.*List\["):
        pctx.engine.to_python_value(pctx, lv.collection.literals[0], People)


def test_batch_size_must_be_positive() -> None:
    for bad in (0, -1, 1.5, True):
        with pytest.raises(ValueError, match="positive int"):
            BatchSize(bad)  # type: ignore[arg-type]
    assert BatchSize(2) == BatchSize(2) and hash(BatchSize(2)) == hash(BatchSize(2))


def test_batch_size_is_cores_own_class_re_exported(pctx: TransformContext) -> None:
    assert BatchSize is typeflow.BatchSize
    lv = pctx.engine.to_literal(pctx, [People(c) for c in "abc"], Annotated[List[People], typeflow.BatchSize(2)])
    assert lv.collection is not None and len(lv.collection.literals) == 2  # the core spelling batches pickles too


# ---------------------------------------------------------------------------- missing and corrupt blobs


def test_missing_blob_error_names_the_uri(pctx: TransformContext, tmp_path: Path) -> None:
    lv = pctx.engine.to_literal(pctx, People("Ada"), People)
    uri = blob_uri(lv)
    Path(uri).unlink()
    with pytest.raises(StorageError) as info:
        pctx.engine.to_python_value(pctx, lv, People)
    assert uri in str(info.value) and "not found" in str(info.value)
    listed = pctx.engine.to_literal(pctx, [People("a")] * 3, Annotated[List[People], BatchSize(2)])
    assert listed.collection is not None
    gone = blob_uri(listed.collection.literals[1])
    Path(gone).unlink()
    with pytest.raises(StorageError, match="not found") as info:
        pctx.engine.to_python_value(pctx, listed, Annotated[List[People], BatchSize(2)])
    assert gone in str(info.value)


def test_missing_blob_never_written_names_the_uri(pctx: TransformContext, tmp_path: Path) -> None:
    uri = str(tmp_path / "nowhere" / "x.pkl")
    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), uri)))
    with pytest.raises(StorageError) as info:
        pctx.engine.to_python_value(pctx, lv, People)
    assert uri in str(info.value)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_corrupt_blob_error_names_the_uri_and_keeps_the_cause(pctx: TransformContext, damage: str) -> None:
    lv = pctx.engine.to_literal(pctx, [People("a"), People("b")], List[People])
    assert lv.collection is not None
    uri = blob_uri(lv.collection.literals[0])
    data = Path(uri).read_bytes()
    Path(uri).write_bytes({"garbage": b"\x80\x05not a pickle at all", "truncated": data[: len(data) // 2], "empty": b""}[damage])
    with pytest.raises(PickleDecodeError) as info:
        pctx.engine.to_python_value(pctx, lv, List[People])
    assert uri in str(info.value) and info.value.uri == uri
    assert info.value.location == "$[0]" or info.value.location == "$"
    assert isinstance(info.value, TypeflowError)
    assert info.value.__cause__ is not None


def test_a_class_that_cannot_be_imported_says_so(pctx: TransformContext, storage: Path) -> None:
    storage.mkdir(parents=True, exist_ok=True)
    uri = storage / "ghost.pkl"
    # a reference to a module that does not exist here
    uri.write_bytes(b"cno_such_mod_\nGhost\n.")
    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), str(uri))))
    with pytest.raises(PickleDecodeError, match="cannot be found here") as info:
        pctx.engine.to_python_value(pctx, lv, People)
    assert str(uri) in str(info.value)
    assert isinstance(info.value.__cause__, ImportError)


def test_a_literal_that_is_not_a_pickle_blob_is_refused(pctx: TransformContext) -> None:
    other = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("NumpyArray")), "/tmp/x.npy")))
    with pytest.raises(TypeTransformerFailedError, match="NumpyArray"):
        pctx.engine.to_python_value(pctx, other, People)
    with pytest.raises(TypeTransformerFailedError, match="expected a PythonPickle blob"):
        pctx.engine.to_python_value(pctx, pctx.engine.to_literal(pctx, 3, int), People)


# ---------------------------------------------------------------------------- logging


def test_pickling_an_unclaimed_type_warns_once_per_type(pctx: TransformContext, caplog: pytest.LogCaptureFixture) -> None:
    class Fresh:  # a type this process has not pickled before
        pass

    caplog.set_level(logging.WARNING, logger="typeflow.pickle")
    pctx.engine.to_literal(pctx, Fresh(), Fresh)
    pctx.engine.to_literal(pctx, [Fresh(), Fresh()], List[Fresh])
    other = typeflow.TypeEngine().context(storage=pctx.storage.url)
    other.engine.to_literal(other, Fresh(), Fresh)
    warnings = [r for r in caplog.records if r.name == "typeflow.pickle" and "Fresh" in r.getMessage()]
    assert len(warnings) == 1
    assert warnings[0].levelno == logging.WARNING
    assert "no transformer claims" in warnings[0].getMessage()


def test_trace_logs_every_pickled_value(
    pctx: TransformContext, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    caplog.set_level(logging.INFO, logger="typeflow.trace")
    pctx.engine.to_literal(pctx, People("a"), People)
    assert not [r for r in caplog.records if "pickled" in r.getMessage()], "DEBUG records only when asked for"
    caplog.set_level(logging.DEBUG, logger="typeflow.trace")
    for _ in range(3):
        lv = pctx.engine.to_literal(pctx, People("a"), People)
    pctx.engine.to_python_value(pctx, lv, People)
    pctx.engine.to_literal(pctx, [People("a")] * 3, Annotated[List[People], BatchSize(2)])
    messages = [r.getMessage() for r in caplog.records if r.name == "typeflow.trace"]
    assert sum(m.startswith("pickled a ") and not m.startswith("pickled a list") for m in messages) == 3
    assert sum(m.startswith("unpickled a ") for m in messages) == 1
    assert any("pickled a list of 3" in m and "into 2 file(s)" in m for m in messages)


# ---------------------------------------------------------------------------- dataclasses stay out of pickle


def test_types_a_transformer_claims_are_never_pickled(pctx: TransformContext, storage: Path) -> None:
    @dataclasses.dataclass
    class Point:
        x: int

    lv = pctx.engine.to_literal(pctx, [Point(1)], List[Point])
    assert files_in(storage) == []
    assert lv.collection is not None


class Robot:
    """Another class no transformer claims."""

    def __init__(self, serial: int) -> None:
        self.serial = serial


def test_a_union_of_two_pickled_classes_keeps_each_variant(pctx: TransformContext) -> None:
    t = Union[People, Robot]
    back = roundtrip(pctx, Robot(7), t)
    assert type(back) is Robot and back.serial == 7
    assert roundtrip(pctx, People("a"), t) == People("a")
