"""Offloaded literals: big literals go to storage, and every reader follows them transparently."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from pathlib import Path
from typing import Annotated, Dict, List, Optional

import pytest

from typeflow import HashMethod, LiteralsResolver, TransformContext, TypeEngine, task, wire, workflow
from typeflow.errors import StorageError, TypeflowError
from typeflow.literals import Literal, LiteralOffloadedMetadata, LiteralType, SimpleType
from typeflow.offload import parse_size

BIG = list(range(2_000))  # about 16 KB encoded


@pytest.fixture
def octx(engine: TypeEngine, tmp_path: Path) -> TransformContext:
    return engine.context(storage=str(tmp_path / "storage"), offload_above=4096)


def payloads(tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "storage").rglob("*.tfl"))


def test_a_literal_above_the_threshold_is_offloaded(octx: TransformContext, tmp_path: Path) -> None:
    lv = octx.engine.to_literal(octx, BIG, List[int])
    meta = lv.offloaded_metadata
    assert meta is not None and lv.variant == "offloaded_metadata"
    assert meta.inferred_type == LiteralType(collection_type=LiteralType(simple=SimpleType.INTEGER))
    payload = Path(meta.uri).read_bytes()
    assert meta.size_bytes == len(payload) > 4096
    inline = octx.engine.to_literal(octx.engine.context(storage=str(tmp_path / "storage")), BIG, List[int])
    assert wire.loads(payload) == inline


def test_a_literal_at_or_below_the_threshold_stays_inline(octx: TransformContext, tmp_path: Path) -> None:
    lv = octx.engine.to_literal(octx, list(range(10)), List[int])
    assert lv.collection is not None and payloads(tmp_path) == []


def test_offloaded_literals_read_back_transparently_after_the_wire(octx: TransformContext, tmp_path: Path) -> None:
    lv = octx.engine.to_literal(octx, BIG, List[int])
    other = TypeEngine()  # another engine, without offloading, on the same storage
    reader = other.context(storage=str(tmp_path / "storage"))
    for form in (wire.loads(wire.dumps(lv)), wire.from_dict(wire.to_dict(lv))):
        assert isinstance(form, Literal)
        assert other.to_python_value(reader, form, List[int]) == BIG


def test_only_top_level_literals_are_offloaded(octx: TransformContext, tmp_path: Path) -> None:
    value = {"a": BIG, "b": BIG}
    lv = octx.engine.to_literal(octx, value, Dict[str, List[int]])
    assert lv.offloaded_metadata is not None
    assert len(payloads(tmp_path)) == 1, "a nested literal was offloaded on its own"
    assert octx.engine.to_python_value(octx, lv, Dict[str, List[int]]) == value


def test_map_conversions_offload_each_entry_and_read_them(octx: TransformContext, tmp_path: Path) -> None:
    hints = {"big": List[int], "small": str}
    lm = octx.engine.dict_to_literal_map(octx, {"big": BIG, "small": "x"}, hints)
    assert lm.literals["big"].offloaded_metadata is not None and lm.literals["small"].scalar is not None
    lm = wire.loads(wire.dumps(lm))
    assert octx.engine.literal_map_to_kwargs(octx, lm, hints) == {"big": BIG, "small": "x"}  # type: ignore[arg-type]


def test_literals_resolver_reads_offloaded_entries_with_and_without_a_type(octx: TransformContext) -> None:
    lm = octx.engine.dict_to_literal_map(octx, {"maybe": BIG, "plain": BIG}, {"maybe": Optional[List[int]], "plain": List[int]})
    resolver = LiteralsResolver(lm, ctx=octx)
    assert resolver.get("maybe") == BIG  # a union payload: the variant it holds decides
    assert resolver.get("plain") == BIG
    assert resolver.get("plain", List[int]) == BIG


def test_the_threshold_comes_from_the_environment_when_the_context_is_made(
    engine: TypeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TYPEFLOW_OFFLOAD_ABOVE", "4K")
    ctx = engine.context(storage=str(tmp_path / "storage"))
    assert ctx.options["offload_above"] == 4096
    assert engine.to_literal(ctx, BIG, List[int]).offloaded_metadata is not None
    monkeypatch.setenv("TYPEFLOW_OFFLOAD_ABOVE", "lots")
    with pytest.raises(TypeflowError, match="TYPEFLOW_OFFLOAD_ABOVE must be a size"):
        engine.context()


@pytest.mark.parametrize(("raw", "size"), [(0, 0), ("4096", 4096), ("4K", 4096), ("4MiB", 4 * 2**20), ("1g", 2**30)])
def test_sizes_parse_with_binary_suffixes(raw: object, size: int) -> None:
    assert parse_size(raw, "x") == size


def test_a_deleted_payload_is_a_storage_error_naming_its_uri(octx: TransformContext) -> None:
    lv = octx.engine.to_literal(octx, BIG, List[int])
    assert lv.offloaded_metadata is not None
    os.remove(lv.offloaded_metadata.uri)
    with pytest.raises(StorageError, match="blob not found") as info:
        octx.engine.to_python_value(octx, lv, List[int])
    assert info.value.uri == lv.offloaded_metadata.uri


def test_a_changed_payload_is_refused(octx: TransformContext) -> None:
    lv = octx.engine.to_literal(octx, BIG, List[int])
    assert lv.offloaded_metadata is not None
    Path(lv.offloaded_metadata.uri).write_bytes(wire.dumps(octx.engine.to_literal(octx, [1], List[int])))
    with pytest.raises(StorageError, match="literal says"):
        octx.engine.to_python_value(octx, lv, List[int])


def test_a_payload_that_is_itself_offloaded_is_refused(octx: TransformContext, tmp_path: Path) -> None:
    uri = str(tmp_path / "storage" / "loop.tfl")
    lt = LiteralType(simple=SimpleType.INTEGER)
    looping = Literal(offloaded_metadata=LiteralOffloadedMetadata(uri, 0, lt))
    os.makedirs(os.path.dirname(uri), exist_ok=True)
    Path(uri).write_bytes(wire.dumps(looping))
    with pytest.raises(StorageError, match="itself an offloaded literal"):
        octx.engine.to_python_value(octx, looping, int)


def test_a_payload_over_the_read_budget_is_refused_before_it_is_read(engine: TypeEngine, tmp_path: Path) -> None:
    writer = engine.context(storage=str(tmp_path / "storage"), offload_above=0)
    lv = engine.to_literal(writer, BIG, List[int])
    reader = engine.context(storage=str(tmp_path / "storage"), read_budget=1000)
    with pytest.raises(StorageError, match="read budget of 1000 bytes"):
        engine.to_python_value(reader, lv, List[int])


def test_the_hash_stays_on_the_offloaded_literal(octx: TransformContext) -> None:
    t = Annotated[List[int], HashMethod(lambda v: hashlib.sha256(str(v).encode()).hexdigest())]
    lv = octx.engine.to_literal(octx, BIG, t)
    assert lv.offloaded_metadata is not None and lv.hash == hashlib.sha256(str(BIG).encode()).hexdigest()


def test_async_conversions_offload_too(octx: TransformContext) -> None:
    import asyncio

    lv = asyncio.run(octx.engine.async_to_literal(octx, BIG, List[int]))
    assert lv.offloaded_metadata is not None
    assert asyncio.run(octx.engine.async_to_python_value(octx, lv, List[int])) == BIG


@dataclasses.dataclass
class Report:
    values: List[int]


def test_task_outputs_are_offloaded_and_read_back(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path / "storage"))
    monkeypatch.setenv("TYPEFLOW_OFFLOAD_ABOVE", "4096")

    @task
    def make() -> Report:
        return Report(BIG)

    @task
    def count(r: Report) -> int:
        return len(r.values)

    @workflow
    def flow() -> int:
        return count(r=make())

    assert flow() == len(BIG)
    assert len(payloads(tmp_path)) == 1


def test_inspect_shows_offloaded_literals_and_follows_them(octx: TransformContext, tmp_path: Path) -> None:
    from tests.core.test_cli import typeflow_cmd

    lm = octx.engine.dict_to_literal_map(octx, {"big": BIG}, {"big": List[int]})
    path = tmp_path / "outputs.tf"
    path.write_bytes(wire.dumps(lm))
    storage = str(tmp_path / "storage")
    shown = typeflow_cmd("inspect", str(path), TYPEFLOW_STORAGE=storage)
    assert shown.returncode == 0, shown.stderr
    uri = lm.literals["big"].offloaded_metadata.uri  # type: ignore[union-attr]
    size = lm.literals["big"].offloaded_metadata.size_bytes  # type: ignore[union-attr]
    assert f"big: offloaded {size / 1024:.1f} KiB uri={uri}" in shown.stdout and "payload" not in shown.stdout
    followed = typeflow_cmd("inspect", str(path), "--follow", TYPEFLOW_STORAGE=storage)
    assert followed.returncode == 0, followed.stderr
    assert "payload: collection of 2,000 integer (packed) [0, 1, 2, 3, 4, ...]" in followed.stdout
    os.remove(uri)
    missing = typeflow_cmd("inspect", str(path), "--follow", TYPEFLOW_STORAGE=storage)
    assert missing.returncode == 1 and uri in missing.stderr and "blob not found" in missing.stderr


@pytest.mark.parametrize("profile", ["flytekit-1.16", "flytekit-1.13"])
def test_a_flytekit_profile_offloads_only_with_the_flyteidl_form_installed(
    engine: TypeEngine, tmp_path: Path, profile: str
) -> None:
    """flytekit reads a payload only as flyteidl bytes; core alone cannot write them, and says what to install."""
    ctx = engine.context(storage=str(tmp_path / "storage"), profile=profile, offload_above=64)
    assert engine.to_literal(ctx, 3, int).scalar is not None  # nothing to offload: no payload form is needed
    with pytest.raises(TypeflowError, match="install typeflow-flyteidl"):
        engine.to_literal(ctx, BIG, List[int])
    assert payloads(tmp_path) == [] and not list((tmp_path / "storage").rglob("*.pb"))


def test_a_payload_in_another_form_names_the_package_that_reads_it(octx: TransformContext, tmp_path: Path) -> None:
    flyteidl_like = tmp_path / "o0_offloaded_metadata.pb"
    flyteidl_like.write_bytes(b"\x0a\x04\x0a\x02\x08\x03")  # a flyteidl Literal holding the int 3
    lv = Literal(offloaded_metadata=LiteralOffloadedMetadata(str(flyteidl_like), 6, LiteralType(simple=SimpleType.INTEGER)))
    with pytest.raises(StorageError, match=r"not typeflow's wire format .*typeflow-flyteidl is installed") as info:
        octx.engine.to_python_value(octx, lv, int)
    assert info.value.uri == str(flyteidl_like)
