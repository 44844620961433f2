"""``typeflow inspect FILE.pb`` reads flyteidl files through the ``typeflow.inspect_readers`` entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import typeflow
from typeflow_flyteidl import write_literal_map


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


def test_inspect_refuses_a_corrupt_pb_in_one_line(tmp_path: Path) -> None:
    path = tmp_path / "outputs.pb"
    path.write_bytes(b"\x0a\x09\x0a\x01")
    done = typeflow_cli("inspect", str(path))
    assert done.returncode != 0
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "flyteidl" in done.stderr
