"""read_literal_map / write_literal_map: Flyte's inputs.pb and outputs.pb, locally and on S3-like storage."""

from __future__ import annotations

from pathlib import Path

import pytest
from flyteidl.core import literals_pb2

import typeflow
from typeflow.errors import LiteralDecodeError, StorageError, TypeflowError
from typeflow.literals import LiteralMap
from typeflow_flyteidl import read_literal_map, write_literal_map


def _outputs() -> LiteralMap:
    engine = typeflow.TypeEngine.default()
    return engine.dict_to_literal_map(
        engine.context(),
        {"o0": list(range(1000)), "o1": {"a": 1.5}, "o2": "x"},
        {"o0": list[int], "o1": dict[str, float], "o2": str},
    )


def test_a_written_file_is_a_literal_map_protobuf_reads(tmp_path: Path) -> None:
    lm = _outputs()
    path = tmp_path / "outputs.pb"
    write_literal_map(lm, str(path))
    pb = literals_pb2.LiteralMap.FromString(path.read_bytes())
    assert [x.scalar.primitive.integer for x in pb.literals["o0"].collection.literals] == list(range(1000))
    assert pb.literals["o2"].scalar.primitive.string_value == "x"
    assert read_literal_map(str(path)) == lm


def test_a_file_protobuf_wrote_is_read(tmp_path: Path) -> None:
    pb = literals_pb2.LiteralMap()
    pb.literals["a"].scalar.primitive.integer = 4
    path = tmp_path / "inputs.pb"
    path.write_bytes(pb.SerializeToString())
    lm = read_literal_map(f"file://{path}")
    assert typeflow.LiteralsResolver(lm).get("a", as_type=int) == 4


def test_a_missing_file_is_a_storage_error_naming_it(tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "outputs.pb"
    with pytest.raises(StorageError, match=r"outputs\.pb"):
        read_literal_map(str(missing))


def test_a_corrupt_file_is_a_literal_decode_error(tmp_path: Path) -> None:
    path = tmp_path / "outputs.pb"
    path.write_bytes(b"\x0a\x05\x0a\x01")
    with pytest.raises(LiteralDecodeError):
        read_literal_map(str(path))


def test_a_failed_write_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "outputs.pb"
    bad = typeflow.literals.Literal(scalar=typeflow.literals.Scalar(generic={"b": b"bytes"}))
    with pytest.raises(TypeflowError):
        write_literal_map(LiteralMap({"ok": _outputs().literals["o2"], "bad": bad}), str(path))
    assert not path.exists()


def test_a_write_whose_folder_cannot_be_created_says_so_naming_the_uri() -> None:
    with pytest.raises(StorageError) as info:
        write_literal_map(_outputs(), "/proc/nope/outputs.pb")  # procfs takes no new folder
    message = str(info.value)
    assert message.startswith("cannot write (the folder /proc/nope cannot be created: ") and "blob not found" not in message
    assert message.endswith("): /proc/nope/outputs.pb") and info.value.uri == "/proc/nope/outputs.pb"


def test_only_literal_maps_are_written(tmp_path: Path) -> None:
    with pytest.raises(TypeflowError, match="LiteralMap"):
        write_literal_map({"a": 1}, str(tmp_path / "x.pb"))  # type: ignore[arg-type]
