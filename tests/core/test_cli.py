"""The `typeflow` console script."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import typeflow

from .dists import install, wheel

MODULE = """
import dataclasses
from typing import Optional

@dataclasses.dataclass
class People:
    name: str
    age: Optional[int] = None
"""


def typeflow_cmd(*args: str, cwd: Path | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("typeflow")
    command = [exe] if exe else [sys.executable, "-m", "typeflow.cli"]
    environ = dict(os.environ, **env)
    if "PYTHONPATH" in env and os.environ.get("PYTHONPATH"):
        environ["PYTHONPATH"] = os.pathsep.join([env["PYTHONPATH"], os.environ["PYTHONPATH"]])
    return subprocess.run([*command, *args], capture_output=True, text=True, cwd=cwd, env=environ, timeout=120)


@pytest.fixture
def module_dir(tmp_path: Path) -> Path:
    (tmp_path / "mymodule.py").write_text(MODULE)
    return tmp_path


def test_explain_names_transformer_step_plugin_and_literal_type() -> None:
    proc = typeflow_cmd("explain", "Dict[str, List[float]]")
    assert proc.returncode == 0, proc.stderr
    assert "Typed Dict" in proc.stdout and "generic origin dict" in proc.stdout
    assert "builtins" in proc.stdout and '"map_value_type"' in proc.stdout


def test_explain_a_user_module_type(module_dir: Path) -> None:
    proc = typeflow_cmd("explain", "mymodule:People", "--json", cwd=module_dir, PYTHONPATH=str(module_dir))
    assert proc.returncode == 0, proc.stderr
    info = json.loads(proc.stdout)
    assert info["dispatch step"].startswith("predicate") and info["literal type"]["simple"] == "STRUCT"


def test_explain_unknown_type_says_what_to_install() -> None:
    proc = typeflow_cmd("explain", "typing.Any")
    assert proc.returncode == 1
    assert "pip install typeflow-pickle" in proc.stdout


def test_schema_prints_literal_type_and_json_schema(module_dir: Path) -> None:
    proc = typeflow_cmd("schema", "mymodule.People", cwd=module_dir, PYTHONPATH=str(module_dir))
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert out["json_schema"]["title"] == "People"
    assert set(out["json_schema"]["properties"]) == {"name", "age"}


def test_inspect_shows_a_tree_and_json(tmp_path: Path) -> None:
    lv = typeflow.to_literal({"ids": [1, 2, 3], "name": "x"}, dict[str, list[int] | str])
    path = tmp_path / "value.tf"
    path.write_bytes(typeflow.wire.dumps(lv))
    proc = typeflow_cmd("inspect", str(path))
    assert proc.returncode == 0, proc.stderr
    assert "collection of 3 integer (packed) [1, 2, 3]" in proc.stdout
    assert "string_value = 'x'" in proc.stdout
    as_json = typeflow_cmd("inspect", str(path), "--json")
    assert typeflow.wire.from_dict(json.loads(as_json.stdout)) == lv


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("explain", "nosuchmodule.Thing"), "no module named 'nosuchmodule'"),
        (("explain", "List[int"), "cannot parse type expression"),
        (("schema", "__import__('os').system('true')"), "unsupported expression"),
        (("inspect", "/nonexistent/file.tf"), "cannot read"),
    ],
)
def test_bad_input_is_one_line_on_stderr_and_nonzero(args: tuple[str, ...], message: str) -> None:
    proc = typeflow_cmd(*args)
    assert proc.returncode != 0
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr


def test_corrupt_file_is_one_line_and_debug_shows_the_traceback(tmp_path: Path) -> None:
    path = tmp_path / "bad.tf"
    path.write_bytes(b"TYFL\x01L\xc1")
    proc = typeflow_cmd("inspect", str(path))
    assert proc.returncode == 1 and "malformed msgpack body" in proc.stderr and "Traceback" not in proc.stderr
    debug = typeflow_cmd("--debug", "inspect", str(path))
    assert "Traceback" in debug.stderr and "LiteralDecodeError" in debug.stderr


def test_plugins_lists_status_without_importing_then_with_load(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-point", out), wheel("tf-broken", out)], tmp_path_factory.mktemp("site"))
    listed = typeflow_cmd("plugins", "--json", PYTHONPATH=str(site), TYPEFLOW_DISABLE_PLUGINS="tfpoint")
    assert listed.returncode == 0, listed.stderr
    rows = {r["name"]: r for r in json.loads(listed.stdout)}
    assert rows["tfpoint"]["status"] == "disabled" and rows["tfpoint"]["distribution"] == "tf-point"
    assert rows["tfbroken"]["status"] == "not loaded" and rows["tfbroken"]["version"] == "0.0.1"
    loaded = typeflow_cmd("plugins", "--load", "--json", PYTHONPATH=str(site))
    rows = {r["name"]: r for r in json.loads(loaded.stdout)}
    assert rows["tfpoint"]["status"] == "loaded"
    assert rows["tfbroken"]["status"] == "broken" and "not installed" in rows["tfbroken"]["cause"]
    table = typeflow_cmd("plugins", PYTHONPATH=str(site))
    assert "tf-point" in table.stdout and "not loaded" in table.stdout
