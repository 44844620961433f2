"""The `typeflow` console script."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import typeflow
from typeflow import discovery, offload
from typeflow.cli import inspect as cli_inspect

from .dists import install, run_python, wheel

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
    command = [exe] if exe else [sys.executable, "-m", "typeflow"]
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
    assert info["dispatch_step"].startswith("predicate") and info["literal_type"]["simple"] == "STRUCT"


def test_explain_unknown_type_says_what_to_install() -> None:
    proc = typeflow_cmd("explain", "typing.Any")
    assert proc.returncode == 1
    assert "install typeflow-pickle" in proc.stdout


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
        (("explain", "nosuchmodule:Thing"), "no module named 'nosuchmodule'"),
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
    assert proc.returncode == 1 and "msgpack" in proc.stderr and "at byte" in proc.stderr and "Traceback" not in proc.stderr
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
    assert table.returncode == 0


def test_packages_providing_an_inspect_reader_or_a_flytekit_plugin_are_listed_without_importing_them(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-reader", out), wheel("fk-only", out)], tmp_path_factory.mktemp("site"))
    listed = typeflow_cmd("plugins", "--json", PYTHONPATH=str(site))
    assert listed.returncode == 0, listed.stderr
    rows = {(r["group"], r["name"]): r for r in json.loads(listed.stdout)}
    reader = rows[("typeflow.inspect_readers", "tfhex")]
    assert (reader["distribution"], reader["version"], reader["status"]) == ("tf-reader", "0.3.0", "not loaded")
    assert reader["provides"] == "typeflow inspect reads tfhex files"
    assert rows[("flytekit.plugins", "tfreader")]["status"] == "for flytekit"
    assert "fk-only" not in {r["distribution"] for r in rows.values()}  # not a typeflow package
    assert "tfhex" in typeflow_cmd("plugins", PYTHONPATH=str(site)).stdout
    versions = typeflow_cmd("--version", PYTHONPATH=str(site)).stdout.splitlines()
    assert "  tf-reader 0.3.0 (flytekit plugin, inspect reader tfbad, inspect reader tfhex, offload payloads tfform)" in versions
    assert rows[("typeflow.offload_payloads", "tfform")]["provides"] == "offloaded payloads in the tfform form"
    imported = run_python(
        """
        import sys
        from typeflow.cli import main
        main(["plugins"]), main(["version"])
        print(sorted(m for m in sys.modules if m.startswith(("tfreader", "fkonly"))))
        """,
        site,
    )
    assert imported.stdout.strip().splitlines()[-1] == "[]", imported.stderr


def test_plugins_load_imports_inspect_readers_and_fails_on_a_broken_one(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-reader", out)], tmp_path_factory.mktemp("site"))
    loaded = typeflow_cmd("plugins", "--load", "--json", PYTHONPATH=str(site))
    rows = {(r["group"], r["name"]): r for r in json.loads(loaded.stdout)}
    assert rows[("typeflow.inspect_readers", "tfhex")]["status"] == "loaded"
    bad = rows[("typeflow.inspect_readers", "tfbad")]
    assert bad["status"] == "broken" and "is a str, not a typeflow.cli.inspect.Reader" in bad["cause"]
    form = rows[("typeflow.offload_payloads", "tfform")]
    assert form["status"] == "broken" and "is a str, not a typeflow.offload.PayloadForm" in form["cause"]
    assert discovery.PAYLOADS_GROUP == offload.PAYLOADS_GROUP and discovery.READERS_GROUP == cli_inspect.READERS_GROUP
    assert rows[("flytekit.plugins", "tfreader")]["status"] == "for flytekit"  # never imported (it raises)
    assert loaded.returncode == 1
    path = tmp_path_factory.mktemp("files") / "value.hex"
    path.write_bytes(b"HEX:" + typeflow.wire.dumps(typeflow.to_literal([1, 2], list[int])).hex().encode())
    shown = typeflow_cmd("inspect", str(path), PYTHONPATH=str(site))
    assert shown.returncode == 0, shown.stderr
    assert "tfhex form" in shown.stdout and "collection of 2 integer (packed) [1, 2]" in shown.stdout


def test_declared_entry_points_are_loaded_once_per_process_until_a_rescan(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-reader", out)], tmp_path_factory.mktemp("site"))
    proc = run_python(
        """
        from typeflow import discovery
        from typeflow.cli.inspect import installed_readers
        from typeflow.offload import installed_payload_forms

        first, again = installed_readers(), installed_readers()
        installed_payload_forms(), installed_payload_forms()
        print(sorted(r.name for r in first if r.name.startswith("tf")), first == again)
        discovery.rescan()
        installed_readers()
        """,
        site,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "['tfhex'] True"
    # each entry point that is not what its group holds is reported when it is loaded: twice, the rescan included
    assert proc.stderr.count("inspect reader tfbad (tfreader.readers:NOT_A_READER) is not a Reader") == 2, proc.stderr
    assert proc.stderr.count("offload payload form tfform (tfreader.readers:NOT_A_READER) is not a PayloadForm") == 1


# ------------------------------------------------------------------ running it from a project folder


def test_explain_finds_a_module_in_the_current_directory_without_pythonpath(module_dir: Path) -> None:
    for expression in ("mymodule:People", "mymodule.People"):
        proc = typeflow_cmd("explain", expression, "--json", cwd=module_dir)
        assert proc.returncode == 0, proc.stderr
        assert json.loads(proc.stdout)["type"] == "mymodule.People"


def test_a_file_in_the_current_directory_does_not_shadow_an_installed_module(tmp_path: Path) -> None:
    # the console script (not `python -m`, where Python itself puts the current directory first)
    assert shutil.which("typeflow"), "the typeflow console script is not on PATH"
    (tmp_path / "dataclasses.py").write_text("raise SystemExit('the local file was imported')\n")
    (tmp_path / "mymodule.py").write_text(MODULE)
    proc = typeflow_cmd("explain", "mymodule:People", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr + proc.stdout


def test_a_missing_module_reads_the_same_for_both_spellings(tmp_path: Path) -> None:
    colon = typeflow_cmd("explain", "nosuchmodule:Thing", cwd=tmp_path)
    dotted = typeflow_cmd("explain", "nosuchmodule.Thing", cwd=tmp_path)
    assert colon.returncode == dotted.returncode == 1
    assert colon.stderr == dotted.stderr
    assert "current directory" in colon.stderr


def test_a_module_that_fails_on_a_missing_import_names_that_import(tmp_path: Path) -> None:
    (tmp_path / "needsdeps.py").write_text("import notinstalledanywhere\n")
    proc = typeflow_cmd("explain", "needsdeps:Thing", cwd=tmp_path)
    assert proc.returncode == 1
    assert "importing 'needsdeps' failed" in proc.stderr and "notinstalledanywhere" in proc.stderr


# ------------------------------------------------------------------ the command itself


def test_python_dash_m_typeflow_runs_the_command(module_dir: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "typeflow", "explain", "mymodule:People", "--json"],
        capture_output=True,
        text=True,
        cwd=module_dir,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["transformer"] == "Object-Dataclass-Transformer"


def test_version_names_core_python_and_each_installed_plugin(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-point", out), wheel("tf-catchall", out)], tmp_path_factory.mktemp("site"))
    proc = typeflow_cmd("--version", PYTHONPATH=str(site))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == f"typeflow {typeflow.__version__}"
    assert lines[1].startswith(f"Python {sys.version_info.major}.{sys.version_info.minor}.")
    assert "  tf-point 1.2.3 (tfpoint)" in lines and "  tf-catchall 0.0.7 (catchall)" in lines
    as_json = json.loads(typeflow_cmd("version", "--json", PYTHONPATH=str(site)).stdout)
    assert as_json["typeflow"] == typeflow.__version__
    assert {p["distribution"]: p["version"] for p in as_json["plugins"]} == {"tf-catchall": "0.0.7", "tf-point": "1.2.3"}


def _keys(data: object, skip: frozenset[str] = frozenset({"json_schema", "metadata", "annotation"})) -> set[str]:
    if isinstance(data, dict):
        found = set(data)
        for key, value in data.items():
            if key not in skip:
                found |= _keys(value, skip)
        return found
    if isinstance(data, list):
        return set().union(*(_keys(item, skip) for item in data)) if data else set()
    return set()


def test_every_subcommand_takes_json_and_writes_snake_case_keys(module_dir: Path, plugin_site: Path) -> None:
    lv = typeflow.to_literal({"ids": [1, 2]}, dict[str, list[int]])
    (module_dir / "value.tf").write_bytes(typeflow.wire.dumps(lv))
    storage = str(module_dir / "storage")
    commands = [
        ("plugins",),
        ("plugins", "--load"),
        ("explain", "mymodule:People"),
        ("schema", "mymodule:People"),
        ("inspect", "value.tf"),
        ("cache", "info"),
        ("version",),
    ]
    for command in commands:
        env = {"TYPEFLOW_STORAGE": storage, "PYTHONPATH": str(plugin_site), "TYPEFLOW_DISABLE_PLUGINS": "tfbroken,tf-shared-b"}
        proc = typeflow_cmd(*command, "--json", cwd=module_dir, **env)
        assert proc.returncode == 0, (command, proc.stderr)
        keys = _keys(json.loads(proc.stdout))
        assert keys, command
        bad = sorted(k for k in keys if not re.fullmatch(r"[a-z][a-z0-9_]*", k))
        assert not bad, (command, bad)


def test_explain_json_says_why_when_nothing_claims_the_type() -> None:
    proc = typeflow_cmd("explain", "typing.Any", "--json")
    assert proc.returncode == 1
    info = json.loads(proc.stdout)
    assert info["transformer"] is None and "no transformer" in info["why"]


def test_debug_works_after_the_subcommand_too(tmp_path: Path) -> None:
    path = tmp_path / "bad.tf"
    path.write_bytes(b"TYFL\x01L\xc1")
    for args in (("--debug", "inspect", str(path)), ("inspect", str(path), "--debug"), ("inspect", "--debug", str(path))):
        proc = typeflow_cmd(*args)
        assert proc.returncode == 1
        assert "Traceback" in proc.stderr and "LiteralDecodeError" in proc.stderr, args


def test_output_cut_short_by_a_closed_pipe_ends_quietly(tmp_path: Path) -> None:
    path = tmp_path / "big.tf"
    path.write_bytes(typeflow.wire.dumps(typeflow.to_literal([str(i) for i in range(20000)], list[str | int])))
    exe = shutil.which("typeflow")
    command = f"'{exe}'" if exe else f"'{sys.executable}' -m typeflow"
    proc = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} inspect '{path}' --limit 20000 | head -n 2"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert len(proc.stdout.splitlines()) == 2
    assert proc.stderr == ""
    assert proc.returncode == 141


# ------------------------------------------------------------------ inspect


def test_inspect_reads_the_json_form_it_writes(tmp_path: Path) -> None:
    lv = typeflow.to_literal({"ids": [1, 2, 3], "name": "x"}, dict[str, list[int] | str])
    wire_file = tmp_path / "value.tf"
    wire_file.write_bytes(typeflow.wire.dumps(lv))
    as_json = typeflow_cmd("inspect", str(wire_file), "--json")
    json_file = tmp_path / "value.json"
    json_file.write_text(as_json.stdout)
    proc = typeflow_cmd("inspect", str(json_file))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0].endswith("json form")
    assert proc.stdout.splitlines()[1:] == typeflow_cmd("inspect", str(wire_file)).stdout.splitlines()[1:]
    again = typeflow_cmd("inspect", str(json_file), "--json")
    assert typeflow.wire.from_dict(json.loads(again.stdout)) == lv


def test_inspect_refuses_a_file_of_neither_form(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("hello")
    proc = typeflow_cmd("inspect", str(path))
    assert proc.returncode == 1 and "not a typeflow file" in proc.stderr
    bad_json = tmp_path / "bad.json"
    bad_json.write_text('{"typeflow_wire": 1, "literal": {"scalar": {"primitive": {"integer": "x"}}}}')
    proc = typeflow_cmd("inspect", str(bad_json))
    assert proc.returncode == 1 and "LiteralDecodeError" not in proc.stderr and "$." in proc.stderr


def test_inspect_of_an_empty_file_says_it_may_be_an_empty_flyteidl_literal_map(tmp_path: Path) -> None:
    path = tmp_path / "outputs.pb"
    path.write_bytes(b"")
    proc = typeflow_cmd("inspect", str(path))
    assert proc.returncode == 1 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "the file is empty" in proc.stderr and "empty flyteidl LiteralMap" in proc.stderr
    assert "typeflow-flyteidl installed" in proc.stderr


def test_inspect_previews_the_fields_of_a_msgpack_record(module_dir: Path) -> None:
    code = (
        "import sys, typeflow\n"
        "from mymodule import People\n"
        "lv = typeflow.to_literal([People('Ann', 31), People('Bo')], list[People])\n"
        "open('people.tf', 'wb').write(typeflow.wire.dumps(lv))\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=module_dir, check=True, timeout=120)
    proc = typeflow_cmd("inspect", "people.tf", cwd=module_dir)
    assert proc.returncode == 0, proc.stderr
    text = proc.stdout
    assert "collection of 2 msgpack records (packed)" in text and "record of 2 fields" in text
    assert "name: 'Ann'" in text and "age: 31" in text and "name: 'Bo'" in text


@pytest.mark.parametrize("limit", ["-1", "x", "2.5"])
def test_inspect_refuses_a_bad_limit(tmp_path: Path, limit: str) -> None:
    path = tmp_path / "value.tf"
    path.write_bytes(typeflow.wire.dumps(typeflow.to_literal([1], list[int])))
    proc = typeflow_cmd("inspect", str(path), "--limit", limit)
    assert proc.returncode == 2
    assert "--limit" in proc.stderr and "Traceback" not in proc.stderr


# ------------------------------------------------------------------ cache


def _fill(storage: Path) -> int:
    code = "import typeflow\nctx = typeflow.TypeEngine.default().context()\n"
    code += "for i in range(3):\n    ctx.storage.write_bytes(ctx.storage.new_uri('.bin'), b'x' * 1000)\n"
    subprocess.run([sys.executable, "-c", code], check=True, env=dict(os.environ, TYPEFLOW_STORAGE=str(storage)), timeout=120)
    return sum(p.stat().st_size for p in storage.rglob("*") if p.is_file())


def test_cache_info_counts_the_blobs_and_their_size(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    size = _fill(storage)
    proc = typeflow_cmd("cache", "info", "--json", TYPEFLOW_STORAGE=str(storage))
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"path": str(storage), "exists": True, "blobs": 3, "size_bytes": size}
    text = typeflow_cmd("cache", "info", TYPEFLOW_STORAGE=str(storage)).stdout
    assert "blobs:   3" in text and "2.9 KiB" in text


def test_cache_clear_needs_confirmation_and_removes_only_typeflow_blobs(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    _fill(storage)
    keep = storage / "notes.txt"
    keep.write_text("mine")
    (storage / "project").mkdir()
    refused = typeflow_cmd("cache", "clear", TYPEFLOW_STORAGE=str(storage))
    assert refused.returncode == 1 and "--yes" in refused.stderr
    assert json.loads(typeflow_cmd("cache", "info", "--json", TYPEFLOW_STORAGE=str(storage)).stdout)["blobs"] == 3
    cleared = typeflow_cmd("cache", "clear", "--yes", TYPEFLOW_STORAGE=str(storage))
    assert cleared.returncode == 0, cleared.stderr
    assert "removed 3 blobs" in cleared.stdout
    assert json.loads(typeflow_cmd("cache", "info", "--json", TYPEFLOW_STORAGE=str(storage)).stdout)["blobs"] == 0
    assert keep.read_text() == "mine" and (storage / "project").is_dir()


def test_cache_refuses_remote_storage() -> None:
    proc = typeflow_cmd("cache", "clear", "--yes", TYPEFLOW_STORAGE="s3://some-bucket/prefix")
    assert proc.returncode == 1 and "not a local folder" in proc.stderr


# ------------------------------------------------------------------ plugins


@pytest.fixture(scope="module")
def plugin_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = str(tmp_path_factory.mktemp("wheels"))
    names = ["tf-point", "tf-broken", "tf-shared-a", "tf-shared-b", "tf-misnamed"]
    return install([wheel(n, out) for n in names], tmp_path_factory.mktemp("site"))


def test_plugins_load_exits_nonzero_when_a_plugin_is_broken(plugin_site: Path) -> None:
    proc = typeflow_cmd("plugins", "--load", PYTHONPATH=str(plugin_site), TYPEFLOW_DISABLE_PLUGINS="tf-shared-b")
    assert proc.returncode == 1
    assert "broken" in proc.stdout
    ok = typeflow_cmd("plugins", "--load", PYTHONPATH=str(plugin_site), TYPEFLOW_DISABLE_PLUGINS="tfbroken,tf-shared-b")
    assert ok.returncode == 0, ok.stdout + ok.stderr


def test_plugins_load_reports_two_distributions_claiming_one_type(plugin_site: Path) -> None:
    proc = typeflow_cmd("plugins", "--load", "--json", PYTHONPATH=str(plugin_site), TYPEFLOW_DISABLE_PLUGINS="tfbroken")
    assert proc.returncode == 1
    rows = {(r["name"], r["distribution"]): r for r in json.loads(proc.stdout)}
    later = rows[("tfshared", "tf-shared-b")]
    assert later["status"] == "conflicting"
    assert "tf-shared-a" in later["cause"] and "TYPEFLOW_DISABLE_PLUGINS=tf-shared-b" in later["cause"]


def test_plugins_can_be_disabled_by_distribution_name(plugin_site: Path) -> None:
    proc = typeflow_cmd("plugins", "--json", PYTHONPATH=str(plugin_site), TYPEFLOW_DISABLE_PLUGINS="tf_shared_B")
    rows = {(r["name"], r["distribution"]): r for r in json.loads(proc.stdout)}
    assert rows[("tfshared", "tf-shared-b")]["status"] == "disabled"
    assert rows[("tfshared", "tf-shared-a")]["status"] == "not loaded"


def test_plugins_flags_an_entry_point_named_after_no_importable_package(plugin_site: Path) -> None:
    proc = typeflow_cmd("plugins", PYTHONPATH=str(plugin_site))
    assert proc.returncode == 0
    warnings = [line for line in proc.stdout.splitlines() if "warning:" in line]
    assert len(warnings) == 1
    assert "widgets" in warnings[0] and "no importable package is named 'widgets'" in warnings[0]
    rows = {r["name"]: r for r in json.loads(typeflow_cmd("plugins", "--json", PYTHONPATH=str(plugin_site)).stdout)}
    assert rows["tfpoint"]["warnings"] == [] and len(rows["widgets"]["warnings"]) == 1


def test_plugins_load_lists_the_types_a_plugin_overrides(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-point", out), wheel("tf-point-plus", out)], tmp_path_factory.mktemp("site"))
    proc = typeflow_cmd("plugins", "--load", "--json", PYTHONPATH=str(site))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    rows = {r["distribution"]: r for r in json.loads(proc.stdout)}
    assert rows["tf-point"]["overrides"] == []
    (override,) = rows["tf-point-plus"]["overrides"]
    assert "Point: 'PointAsText' from tfpoint (tf-point-plus 2.0.0) overrides 'Point' from tfpoint (tf-point 1.2.3)" in override
    table = typeflow_cmd("plugins", "--load", PYTHONPATH=str(site)).stdout
    assert "  overrides: Point: 'PointAsText'" in table


def test_inspect_shows_terminal_escapes_from_a_literal_as_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from typeflow.cli import main
    from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, LiteralMap, Primitive, Scalar

    evil = "\x1b]0;owned\x07\x1b[2J\rfake line\u202e"
    lm = LiteralMap(
        {
            "s": Literal(scalar=Scalar(primitive=Primitive(string_value=evil))),
            "b": Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("x")), f"/tmp/{evil}.bin"))),
        }
    )
    path = tmp_path / "evil.tf"
    path.write_bytes(typeflow.wire.dumps(lm))
    assert main(["inspect", str(path)]) == 0
    out = capsys.readouterr().out
    assert not any(c in out for c in "\x1b\x07\r\u202e"), repr(out)
    assert "\\x1b" in out and "fake line" in out
