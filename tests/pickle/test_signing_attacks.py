"""Signed pickles: what a signature binds (bytes, metadata, URI, declared class, list) and how it is checked."""

from __future__ import annotations

import os
import shutil
import tracemalloc
from pathlib import Path
from typing import Annotated

import cloudpickle
import pytest

from typeflow import BatchSize, TransformContext, TypeEngine
from typeflow.errors import ReadBudgetError, TypeflowError
from typeflow.literals import Blob, Literal, LiteralCollection, Scalar
from typeflow_pickle import PickleDecodeError, PickleSignatureError

from .samples import People, Tripwire

KEY = "a signing key of the reader's own"


class Admin:
    def __init__(self, name: str) -> None:
        self.name = name


@pytest.fixture
def signed(storage: Path) -> TransformContext:
    return TypeEngine().context(storage=str(storage), pickle_key=KEY)


def blob_uri(lit: Literal) -> str:
    assert lit.scalar is not None and lit.scalar.blob is not None
    return lit.scalar.blob.uri


def with_uri(lit: Literal, uri: str) -> Literal:
    assert lit.scalar is not None and lit.scalar.blob is not None
    return Literal(scalar=Scalar(blob=Blob(lit.scalar.blob.metadata, uri)), metadata=lit.metadata)


def test_batches_of_two_signed_lists_do_not_splice(signed: TransformContext) -> None:
    t = Annotated[list[People], BatchSize(1)]
    first = signed.engine.to_literal(signed, [People("a"), People("b")], t)
    second = signed.engine.to_literal(signed, [People("x"), People("y")], t)
    assert first.collection is not None and second.collection is not None
    spliced = Literal(collection=LiteralCollection((first.collection.literals[0], second.collection.literals[1])))
    with pytest.raises(PickleSignatureError, match="not signed as one list"):
        signed.engine.to_python_value(signed, spliced, t)
    assert signed.engine.to_python_value(signed, first, t) == [People("a"), People("b")]


def test_a_blob_signed_for_one_class_is_refused_where_another_is_declared(signed: TransformContext, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    lv = signed.engine.to_literal(signed, Tripwire(marker), Tripwire)
    with pytest.raises(PickleSignatureError, match=r"signed as a .*Tripwire.*People is declared"):
        signed.engine.to_python_value(signed, lv, People)
    assert not marker.exists()
    admin = signed.engine.to_literal(signed, Admin("root"), Admin)
    with pytest.raises(PickleSignatureError, match="People is declared"):
        signed.engine.to_python_value(signed, admin, People)


def test_a_signed_blob_replayed_under_another_uri_is_refused(signed: TransformContext, storage: Path) -> None:
    lv = signed.engine.to_literal(signed, People("Ada"), People)
    copy = storage / "replayed.pkl"
    shutil.copyfile(blob_uri(lv), copy)
    with pytest.raises(PickleSignatureError, match="does not match its HMAC-SHA256 signature"):
        signed.engine.to_python_value(signed, with_uri(lv, str(copy)), People)


def test_lone_signed_values_composed_into_a_list_are_refused(signed: TransformContext) -> None:
    one = signed.engine.to_literal(signed, People("a"), People)
    two = signed.engine.to_literal(signed, People("b"), People)
    composed = Literal(collection=LiteralCollection((one, two)))
    with pytest.raises(PickleSignatureError, match="not signed as one list"):
        signed.engine.to_python_value(signed, composed, list[People])


@pytest.mark.parametrize("empty", ["", b"", None])
def test_an_explicit_empty_key_is_an_error_not_off(storage: Path, monkeypatch: pytest.MonkeyPatch, empty: object) -> None:
    monkeypatch.setenv("TYPEFLOW_PICKLE_KEY", KEY)
    ctx = TypeEngine().context(storage=str(storage), pickle_key=empty)
    with pytest.raises(PickleSignatureError, match="empty"):
        ctx.engine.to_literal(ctx, People("a"), People)
    good = TypeEngine().context(storage=str(storage), pickle_key=KEY)
    lv = good.engine.to_literal(good, People("a"), People)
    with pytest.raises(PickleSignatureError, match="empty"):
        ctx.engine.to_python_value(ctx, lv, People)


def test_an_empty_key_in_the_environment_is_an_error(storage: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_PICKLE_KEY", "")
    ctx = TypeEngine().context(storage=str(storage))
    with pytest.raises(PickleSignatureError, match="TYPEFLOW_PICKLE_KEY is empty"):
        ctx.engine.to_literal(ctx, People("a"), People)


def test_a_blob_longer_than_its_signed_size_is_refused_reading_at_most_one_byte_more(
    signed: TransformContext,
) -> None:
    lv = signed.engine.to_literal(signed, People("Ada"), People)
    path = blob_uri(lv)
    os.truncate(path, 200 * 2**20)  # sparse 200 MiB where the signed size is a few hundred bytes
    tracemalloc.start()
    try:
        with pytest.raises(PickleSignatureError, match="holds more bytes"):
            signed.engine.to_python_value(signed, lv, People)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 * 2**20, f"verification held {peak} bytes"


def test_a_signed_size_over_the_read_budget_is_refused_before_reading(storage: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage), pickle_key=KEY, read_budget=64)
    writer = TypeEngine().context(storage=str(storage), pickle_key=KEY)
    lv = writer.engine.to_literal(writer, People("a" * 1000), People)
    with pytest.raises(ReadBudgetError, match="read budget of 64 bytes") as info:
        ctx.engine.to_python_value(ctx, lv, People)
    assert isinstance(info.value, TypeflowError)


def test_an_unsigned_blob_in_storage_holding_another_class_is_refused(storage: Path) -> None:
    ctx = TypeEngine().context(storage=str(storage))
    lv = ctx.engine.to_literal(ctx, People("Ada"), People)
    Path(blob_uri(lv)).write_bytes(cloudpickle.dumps(Admin("root")))
    from dataclasses import replace

    meta = dict(lv.metadata or {})
    meta.pop("pickle.size", None)
    with pytest.raises(PickleDecodeError, match="not the declared"):
        ctx.engine.to_python_value(ctx, replace(lv, metadata=meta), People)
