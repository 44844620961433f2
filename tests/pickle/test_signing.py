"""HMAC-SHA256 signing: signed on write; with a key set, a missing or wrong signature is refused before unpickling."""

from __future__ import annotations

import dataclasses
import pickle
from pathlib import Path
from typing import Annotated, List

import cloudpickle
import pytest

from typeflow import TransformContext, TypeEngine
from typeflow.literals import Literal, LiteralCollection
from typeflow_pickle import BatchSize, PickleSignatureError

from ..helpers import roundtrip
from .samples import People, Tripwire

KEY = "correct horse battery staple"
Batched = Annotated[List[People], BatchSize(2)]


@pytest.fixture
def signed(storage: Path) -> TransformContext:
    return TypeEngine().context(storage=str(storage), pickle_key=KEY)


def blob_path(lv: Literal) -> Path:
    assert lv.scalar is not None and lv.scalar.blob is not None
    return Path(lv.scalar.blob.uri)


def with_meta(lv: Literal, **changes: str | None) -> Literal:
    meta = dict(lv.metadata or {})
    for k, v in changes.items():
        key = k.replace("_", ".", 1).replace("_", "-")
        if v is None:
            meta.pop(key, None)
        else:
            meta[key] = v
    return dataclasses.replace(lv, metadata=meta)


def test_signed_values_and_lists_round_trip(signed: TransformContext) -> None:
    lv = signed.engine.to_literal(signed, People("Ada"), People)
    assert lv.metadata is not None and len(lv.metadata["pickle.hmac-sha256"]) == 64
    assert roundtrip(signed, People("Ada"), People) == People("Ada")
    people = [People(c) for c in "abcde"]
    assert roundtrip(signed, people, Batched) == people


def test_the_key_is_read_from_the_environment(storage: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_PICKLE_KEY", KEY)
    ctx = TypeEngine().context(storage=str(storage))
    lv = ctx.engine.to_literal(ctx, People("Ada"), People)
    assert lv.metadata is not None and "pickle.hmac-sha256" in lv.metadata
    # the same key given as an option verifies it
    same = TypeEngine().context(storage=str(storage), pickle_key=KEY)
    assert same.engine.to_python_value(same, lv, People) == People("Ada")
    monkeypatch.setenv("TYPEFLOW_PICKLE_KEY", "another key")
    with pytest.raises(PickleSignatureError):
        ctx.engine.to_python_value(ctx, lv, People)


def test_tampered_signed_blob_is_refused_without_running_its_payload(signed: TransformContext, tmp_path: Path) -> None:
    marker = tmp_path / "payload-ran"
    payload = cloudpickle.dumps(Tripwire(marker))
    pickle.loads(payload)  # the payload is live: unpickling it creates the marker
    assert marker.exists()
    marker.unlink()

    lv = signed.engine.to_literal(signed, People("Ada"), People)
    blob_path(lv).write_bytes(payload)
    with pytest.raises(PickleSignatureError, match="does not match its HMAC-SHA256 signature") as info:
        signed.engine.to_python_value(signed, lv, People)
    assert str(blob_path(lv)) in str(info.value)
    assert not marker.exists(), "the tampered blob was unpickled"
    # the same length as the genuine file, so the HMAC itself, not the size, must catch it
    genuine = signed.engine.to_literal(signed, People("Ada" * 200), People)
    size = blob_path(genuine).stat().st_size
    assert len(payload) < size
    blob_path(genuine).write_bytes(payload + b"\x00" * (size - len(payload)))  # pickle stops at STOP; padding is ignored
    with pytest.raises(PickleSignatureError, match="does not match its HMAC-SHA256 signature") as info:
        signed.engine.to_python_value(signed, genuine, People)
    assert str(blob_path(genuine)) in str(info.value)
    assert not marker.exists(), "the tampered blob was unpickled"


def test_tampered_batch_is_refused_before_any_batch_is_unpickled(signed: TransformContext, tmp_path: Path) -> None:
    first, marker = tmp_path / "first-batch-ran", tmp_path / "payload-ran"
    t = Annotated[List[Tripwire], BatchSize(1)]
    lv = signed.engine.to_literal(signed, [Tripwire(first), Tripwire(first)], t)
    assert lv.collection is not None
    genuine, tampered = lv.collection.literals
    blob_path(tampered).write_bytes(cloudpickle.dumps([Tripwire(marker)]))
    with pytest.raises(PickleSignatureError) as info:
        signed.engine.to_python_value(signed, lv, t)
    assert str(blob_path(tampered)) in str(info.value)
    assert not marker.exists(), "the tampered batch was unpickled"
    assert not first.exists(), "the genuine first batch was unpickled before the second was verified"
    assert genuine.metadata is not None and "pickle.hmac-sha256" in genuine.metadata


@pytest.mark.parametrize(
    "change",
    [
        {"pickle_cloudpickle": "0.0.1"},
        {"pickle_items": "3"},
        {"pickle_size": "1"},
        {"pickle_kind": "value"},
        {"pickle_batch": "1/2"},
        {"pickle_extra": "added"},
    ],
    ids=lambda c: next(iter(c)),
)
def test_tampered_metadata_is_refused(signed: TransformContext, change: dict[str, str]) -> None:
    lv = signed.engine.to_literal(signed, [People("a"), People("b")], List[People])
    assert lv.collection is not None
    forged = Literal(collection=LiteralCollection((with_meta(lv.collection.literals[0], **change),)))
    with pytest.raises(Exception) as info:
        signed.engine.to_python_value(signed, forged, List[People])
    # any refusal will do (position or size checks may fire first), as long as nothing is returned
    assert "signature" in str(info.value) or "batch" in str(info.value) or "bytes" in str(info.value)


def test_tampered_metadata_with_consistent_layout_is_a_signature_error(signed: TransformContext) -> None:
    lv = signed.engine.to_literal(signed, People("a"), People)
    with pytest.raises(PickleSignatureError):
        signed.engine.to_python_value(signed, with_meta(lv, pickle_cloudpickle="0.0.1"), People)


def test_missing_signature_is_refused_when_a_key_is_set(signed: TransformContext, storage: Path, tmp_path: Path) -> None:
    marker = tmp_path / "payload-ran"
    unsigned_ctx = TypeEngine().context(storage=str(storage))
    unsigned = unsigned_ctx.engine.to_literal(unsigned_ctx, Tripwire(marker), Tripwire)
    with pytest.raises(PickleSignatureError, match="not signed") as info:
        signed.engine.to_python_value(signed, unsigned, Tripwire)
    assert str(blob_path(unsigned)) in str(info.value)
    stripped = with_meta(signed.engine.to_literal(signed, People("a"), People), pickle_hmac_sha256=None)
    with pytest.raises(PickleSignatureError, match="not signed"):
        signed.engine.to_python_value(signed, stripped, People)
    assert not marker.exists()


def test_wrong_key_is_refused(signed: TransformContext, storage: Path) -> None:
    lv = signed.engine.to_literal(signed, People("a"), People)
    other = TypeEngine().context(storage=str(storage), pickle_key="not the key")
    with pytest.raises(PickleSignatureError, match="another key"):
        other.engine.to_python_value(other, lv, People)


def test_reordered_or_dropped_batches_are_refused(signed: TransformContext) -> None:
    lv = signed.engine.to_literal(signed, [People(c) for c in "abcde"], Batched)
    assert lv.collection is not None
    a, b, c = lv.collection.literals
    for literals in [(b, a, c), (a, c), (a, b, c, c)]:
        with pytest.raises(Exception, match="reordered, dropped or added"):
            signed.engine.to_python_value(signed, Literal(collection=LiteralCollection(literals)), Batched)


def test_without_a_key_signed_blobs_still_read(signed: TransformContext, storage: Path) -> None:
    lv = signed.engine.to_literal(signed, People("a"), People)
    plain = TypeEngine().context(storage=str(storage))
    assert plain.engine.to_python_value(plain, lv, People) == People("a")
