"""``typeflow inspect FILE.pb`` reads flyteidl files through the ``typeflow.inspect_readers`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

import typeflow
from typeflow.cli.inspect import read
from typeflow.errors import LiteralDecodeError
from typeflow.literals import LiteralMap
from typeflow_flyteidl import to_bytes, write_literal_map


def typeflow_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "typeflow", *args], capture_output=True, text=True, timeout=120)


def test_the_reader_is_declared_as_an_entry_point() -> None:
    eps = {ep.name: ep.value for ep in metadata.entry_points(group="typeflow.inspect_readers")}
    assert eps["flyteidl"] == "typeflow_flyteidl.inspect:READER"


def test_inspect_shows_an_outputs_pb(tmp_path: Path) -> None:
    engine = typeflow.TypeEngine.default()
    lm = engine.dict_to_literal_map(engine.context(), {"o0": [1, 2, 3], "o1": "hi"}, {"o0": list[int], "o1": str})
    path = tmp_path / "outputs.pb"
    write_literal_map(lm, str(path))
    done = typeflow_cli("inspect", str(path))
    assert done.returncode == 0, done.stderr
    assert "flyteidl form" in done.stdout and "o0" in done.stdout and "'hi'" in done.stdout
    as_json = typeflow_cli("inspect", "--json", str(path))
    assert typeflow.wire.from_dict(json.loads(as_json.stdout)) == lm


def test_inspect_shows_an_empty_pb_as_an_empty_literal_map(tmp_path: Path) -> None:
    engine = typeflow.TypeEngine.default()
    path = tmp_path / "outputs.pb"
    write_literal_map(engine.dict_to_literal_map(engine.context(), {}, {}), str(path))  # a task with no outputs
    assert path.read_bytes() == b""
    decoded, form = read(b"")
    assert decoded == LiteralMap({}) and form == "flyteidl"
    done = typeflow_cli("inspect", str(path))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == f"{path}: LiteralMap, 0 B, flyteidl form"
    as_json = typeflow_cli("inspect", "--json", str(path))
    assert typeflow.wire.from_dict(json.loads(as_json.stdout)) == LiteralMap({})


def test_inspect_refuses_a_corrupt_pb_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "outputs.pb"
    path.write_bytes(b"\x0a\x09\x0a\x01")
    done = typeflow_cli("inspect", str(path))
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "flyteidl" in done.stderr


def _literals() -> dict[str, object]:
    engine = typeflow.TypeEngine.default()
    return {
        "a list": typeflow.to_literal([1, 2, 3], list[int]),
        "an int": typeflow.to_literal(5, int),  # parses as a LiteralMap with one entry that has no value
        "a str": typeflow.to_literal("hi", str),
        "a dict": typeflow.to_literal({"a": 1.5}, dict[str, float]),
        "a list type": engine.to_literal_type(list[int]),
        "an int type": engine.to_literal_type(int),
        "a dict type": engine.to_literal_type(dict[str, float]),  # parses as a Literal with only a hash
    }


@pytest.mark.parametrize("name", list(_literals()))
def test_a_literal_or_literal_type_file_is_read_as_what_it_is(name: str) -> None:
    obj = _literals()[name]
    decoded, form = read(to_bytes(obj))  # type: ignore[arg-type]
    assert form == "flyteidl"
    assert type(decoded) is type(obj) and decoded == obj


def test_inspect_names_the_message_of_a_literal_file(tmp_path: Path) -> None:
    path = tmp_path / "lit.pb"
    path.write_bytes(to_bytes(typeflow.to_literal([1, 2, 3], list[int])))
    done = typeflow_cli("inspect", str(path))
    assert done.returncode == 0, done.stderr
    header, body = done.stdout.splitlines()[:2]
    assert header == f"{path}: Literal, 26 B, flyteidl form"
    assert body == "collection of 3 integer (packed) [1, 2, 3]"
    path.write_bytes(to_bytes(typeflow.TypeEngine.default().to_literal_type(list[int])))
    done = typeflow_cli("inspect", str(path))
    assert done.stdout.splitlines() == [
        f"{path}: LiteralType, 4 B, flyteidl form",
        'literal type {"collection_type":{"simple":"INTEGER"}}',
    ]


def test_a_literal_map_protobuf_would_merge_is_still_read_as_one() -> None:
    engine = typeflow.TypeEngine.default()
    lm = engine.dict_to_literal_map(engine.context(), {"a": 1, "b": 2}, {"a": int, "b": int})
    again = LiteralMap({"a": typeflow.to_literal(7, int)})
    decoded, _ = read(to_bytes(lm) + to_bytes(again))  # "a" written twice: the last one wins, as in protobuf
    assert isinstance(decoded, LiteralMap)
    assert typeflow.to_python_value(decoded.literals["a"], int) == 7 and set(decoded.literals) == {"a", "b"}


def test_bytes_that_fit_no_message_name_each_reason() -> None:
    with pytest.raises(LiteralDecodeError, match=r"LiteralMap: has fields a LiteralMap does not have; Literal: "):
        read(b"\x0a\x02\x08\x01")  # a field 1 holding a varint where each message has a message or a string
    with pytest.raises(LiteralDecodeError, match="the bytes are not valid protobuf"):
        read(b"\x0a\x09\x0a\x01")


def test_typeflow_plugins_and_version_list_the_package_and_what_it_provides() -> None:
    version = metadata.version("typeflow-flyteidl")
    listed = typeflow_cli("plugins", "--json")
    assert listed.returncode == 0, listed.stderr
    rows = {(r["group"], r["name"]): r for r in json.loads(listed.stdout) if r["distribution"] == "typeflow-flyteidl"}
    assert set(rows) == {
        ("typeflow.inspect_readers", "flyteidl"),
        ("typeflow.offload_payloads", "flyteidl"),
        ("flytekit.plugins", "typeflow"),
    }
    reader = rows[("typeflow.inspect_readers", "flyteidl")]
    assert reader["provides"] == "typeflow inspect reads flyteidl files" and reader["version"] == version
    table = typeflow_cli("plugins").stdout
    assert "typeflow inspect reads flyteidl files" in table and "typeflow-flyteidl" in table
    versions = typeflow_cli("--version").stdout.splitlines()
    assert f"  typeflow-flyteidl {version} (flytekit plugin, inspect reader flyteidl, offload payloads flyteidl)" in versions
    loaded = typeflow_cli("plugins", "--load", "--json")
    assert {(r["group"], r["status"]) for r in json.loads(loaded.stdout) if r["distribution"] == "typeflow-flyteidl"} == {
        ("typeflow.inspect_readers", "loaded"),
        ("typeflow.offload_payloads", "loaded"),
        ("flytekit.plugins", "for flytekit"),
    }


def test_listing_plugins_imports_no_protobuf() -> None:
    code = (
        "import sys\nfrom typeflow.cli import main\nmain(['plugins']); main(['version'])\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('google', 'flyteidl', 'typeflow_flyteidl', 'flytekit')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
