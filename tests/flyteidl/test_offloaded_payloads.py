"""Offloaded literals in flytekit's form (a serialized flyteidl ``Literal``), written and read by typeflow.

The payload a literal names is someone else's bytes: it is read through the
context's read policy, within the read budget, its size checked against the
literal's, and bytes that are not a literal are a ``StorageError`` naming the
URI (see ``tests/core/test_untrusted_files.py`` for the wire form).
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest
from flyteidl.core import literals_pb2

import typeflow
from typeflow.errors import StorageError
from typeflow.literals import Literal, LiteralOffloadedMetadata, LiteralType, SimpleType
from typeflow_flyteidl import from_bytes, to_bytes

INTS = LiteralType(collection_type=LiteralType(simple=SimpleType.INTEGER))
BIG = list(range(2_000))


def offloaded(uri: str, size: int, lt: LiteralType = INTS) -> Literal:
    return Literal(offloaded_metadata=LiteralOffloadedMetadata(uri, size, lt))


def flyteidl_payload(path: Path, values: list[int]) -> Literal:
    """A payload file as flytekit's pyflyte-execute writes it: protobuf's own serialization of the Literal."""
    pb = literals_pb2.Literal()
    for v in values:
        pb.collection.literals.add().scalar.primitive.integer = v
    data = pb.SerializeToString()
    path.write_bytes(data)
    return offloaded(str(path), len(data))


def test_the_flytekit_profile_writes_flyteidl_bytes_protobuf_reads(tmp_path: Path) -> None:
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=str(tmp_path / "storage"), profile="flytekit-1.16", offload_above=1024)
    lv = engine.to_literal(ctx, BIG, List[int])
    meta = lv.offloaded_metadata
    assert meta is not None and meta.uri.endswith(".pb")
    data = Path(meta.uri).read_bytes()
    assert meta.size_bytes == len(data)
    pb = literals_pb2.Literal.FromString(data)
    assert [x.scalar.primitive.integer for x in pb.collection.literals] == BIG
    assert from_bytes(data, "Literal") == engine.to_literal(engine.context(storage=str(tmp_path / "storage")), BIG, List[int])
    assert not list((tmp_path / "storage").rglob("*.tfl"))


def test_the_default_profile_keeps_typeflows_wire_form(tmp_path: Path) -> None:
    engine = typeflow.TypeEngine()
    lv = engine.to_literal(engine.context(storage=str(tmp_path / "storage"), offload_above=1024), BIG, List[int])
    assert lv.offloaded_metadata is not None and lv.offloaded_metadata.uri.endswith(".tfl")
    assert Path(lv.offloaded_metadata.uri).read_bytes()[:4] == typeflow.wire.MAGIC


def test_a_flyteidl_payload_is_read_whatever_the_profile(tmp_path: Path) -> None:
    lv = flyteidl_payload(tmp_path / "o0_offloaded_metadata.pb", [1, 2, 3])
    for profile in ("typeflow", "flytekit-1.16", "flytekit-1.13"):
        ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"), profile=profile)
        assert ctx.engine.to_python_value(ctx, lv, List[int]) == [1, 2, 3]


@pytest.mark.parametrize("uri", ["memory://elsewhere/o0_offloaded_metadata.pb", "s3://someone-elses/o0_offloaded_metadata.pb"])
def test_a_payload_outside_storage_and_read_roots_is_refused(tmp_path: Path, uri: str) -> None:
    ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"), profile="flytekit-1.16")
    with pytest.raises(StorageError, match="refused to read"):
        ctx.engine.to_python_value(ctx, offloaded(uri, 10), List[int])


def test_a_flyteidl_payload_in_another_bucket_needs_a_read_root(s3_url: str, moto_endpoint: str) -> None:
    """flytekit's outputs in another bucket (another project's): refused, until that bucket is a read root."""
    from ..integration.conftest import _create_bucket

    bucket = f"s3://{_create_bucket(moto_endpoint)}"
    theirs = typeflow.TypeEngine().context(storage=f"{bucket}/metadata", profile="flytekit-1.16", offload_above=64)
    lv = theirs.engine.to_literal(theirs, BIG[:100], List[int])
    assert lv.offloaded_metadata is not None and lv.offloaded_metadata.uri.startswith(bucket)
    mine = typeflow.TypeEngine().context(storage=s3_url)
    with pytest.raises(StorageError, match="refused to read"):
        mine.engine.to_python_value(mine, lv, List[int])
    allowed = typeflow.TypeEngine().context(storage=s3_url, read_roots=[bucket])
    assert allowed.engine.to_python_value(allowed, lv, List[int]) == BIG[:100]


def test_a_flyteidl_payload_over_the_read_budget_is_refused(tmp_path: Path) -> None:
    lv = flyteidl_payload(tmp_path / "big.pb", BIG)
    ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"), read_budget=1_000)
    with pytest.raises(StorageError, match="read budget of 1000 bytes"):
        ctx.engine.to_python_value(ctx, lv, List[int])
    lying = offloaded(lv.offloaded_metadata.uri, 10)  # type: ignore[union-attr]  # claims 10 bytes
    with pytest.raises(StorageError, match=r"larger than the read budget of 1000 bytes|literal says 10"):
        ctx.engine.to_python_value(ctx, lying, List[int])


def test_a_changed_flyteidl_payload_is_refused(tmp_path: Path) -> None:
    lv = flyteidl_payload(tmp_path / "p.pb", [1, 2, 3])
    path = tmp_path / "p.pb"
    path.write_bytes(path.read_bytes() + b"\x20\x01")  # one more field: a valid Literal, but not the one written
    ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match="literal says") as info:
        ctx.engine.to_python_value(ctx, lv, List[int])
    assert info.value.uri == str(path)


@pytest.mark.parametrize(
    "data",
    [b"\x0a\xff\xff\xff\xff\x0f", b"\x12\x03\x0a\x01", b"\x0a\x02\xc3\x28" * 3],
    ids=["length-past-the-end", "truncated", "garbage"],
)
def test_bytes_that_are_not_a_flyteidl_literal_are_a_storage_error(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "bad.pb"
    path.write_bytes(data)
    ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match=r"not a valid literal|not typeflow's wire format") as info:
        ctx.engine.to_python_value(ctx, offloaded(str(path), len(data)), List[int])
    assert info.value.uri == str(path)


def test_a_flyteidl_payload_that_is_itself_offloaded_is_refused(tmp_path: Path) -> None:
    inner = offloaded(str(tmp_path / "elsewhere.pb"), 10)
    data = to_bytes(inner)
    (tmp_path / "outer.pb").write_bytes(data)
    ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match="itself an offloaded literal"):
        ctx.engine.to_python_value(ctx, offloaded(str(tmp_path / "outer.pb"), len(data)), List[int])


def test_map_conversions_offload_in_the_flyteidl_form(tmp_path: Path) -> None:
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=str(tmp_path / "storage"), profile="flytekit-1.16", offload_above=1024)
    lm = engine.dict_to_literal_map(ctx, {"o0": BIG, "o1": {"a": 1.0}}, {"o0": List[int], "o1": Dict[str, float]})
    assert lm.literals["o0"].offloaded_metadata is not None and lm.literals["o1"].offloaded_metadata is None
    assert typeflow.LiteralsResolver(lm).get("o0", as_type=List[int]) == BIG
