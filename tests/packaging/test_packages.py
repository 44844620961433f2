"""Every package folder follows the same conventions, and its wheel ships them.

Scans ``core/``, every folder under ``plugins/`` and ``examples/`` that has a
``pyproject.toml``, so a package added later is checked without editing this
file: licence text and metadata, authors, project URLs, classifiers, one
version source (``__version__`` in the package's ``__init__.py``, read by
hatch), ``py.typed``, README, the plugin skeleton, and that the first-party
plugin table the install hints use knows the folder.
"""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import zipfile
from functools import cache
from pathlib import Path

import pytest
import tomllib

ROOT = Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])
LICENSE = (ROOT / "LICENSE").read_bytes()
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
URL_KEYS = {"Homepage", "Documentation", "Source", "Issues", "Changelog"}


def package_folders() -> list[Path]:
    found = [ROOT / "core"]
    for parent in ("plugins", "examples"):
        found += sorted(p.parent for p in (ROOT / parent).glob("*/pyproject.toml"))
    return found


FOLDERS = package_folders()
IDS = [str(f.relative_to(ROOT)) for f in FOLDERS]


def project(folder: Path) -> dict:
    return tomllib.loads((folder / "pyproject.toml").read_text())


def import_package(folder: Path) -> str:
    packages = project(folder)["tool"]["hatch"]["build"]["targets"]["wheel"]["packages"]
    assert len(packages) == 1 and packages[0].startswith("src/"), packages
    return packages[0].removeprefix("src/")


def declared_version(folder: Path) -> str:
    init = folder / "src" / import_package(folder) / "__init__.py"
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__version__" for t in node.targets):
            assert isinstance(node.value, ast.Constant) and isinstance(node.value.value, str), (
                f"{init}: __version__ must be a str literal"
            )
            return str(node.value.value)  # type: ignore[attr-defined]
    raise AssertionError(f"{init} defines no __version__")


@cache
def built_wheel(folder: Path) -> Path:
    out = Path(os.environ.get("TMPDIR", "/tmp")) / f"typeflow-packaging-{os.getpid()}" / folder.name
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    uv = shutil.which("uv")
    cmd = (
        [uv, "build", "--wheel", "--quiet", "--out-dir", str(out), str(folder)]
        if uv
        else [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(folder)]
    )
    subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ, UV_PYTHON_DOWNLOADS="never"))
    (wheel,) = out.glob("*.whl")
    return wheel


def test_every_package_folder_is_found() -> None:
    names = {f.name for f in FOLDERS}
    assert {"core", "numpy", "pandas", "pickle", "typeflow-ipaddress"} <= names


def test_the_root_license_is_the_apache_2_text() -> None:
    text = LICENSE.decode()
    assert text.lstrip().startswith("Apache License") and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_package_metadata_follows_the_conventions(folder: Path) -> None:
    meta = project(folder)["project"]
    assert meta["license"] == "Apache-2.0"
    assert meta["license-files"] == ["LICENSE"]
    assert (folder / "LICENSE").read_bytes() == LICENSE, f"{folder}/LICENSE differs from the root LICENSE: copy it again"
    assert meta.get("authors"), "no authors"
    urls = meta.get("urls", {})
    assert set(urls) >= URL_KEYS, f"project.urls lacks {sorted(URL_KEYS - set(urls))}"
    assert urls["Source"].endswith("/" + str(folder.relative_to(ROOT))), urls["Source"]
    classifiers = meta.get("classifiers", [])
    assert "Typing :: Typed" in classifiers
    assert {f"Programming Language :: Python :: {v}" for v in PYTHONS} <= set(classifiers)
    assert meta["requires-python"] == ">=3.10"
    assert (folder / meta["readme"]).is_file()


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_the_version_is_written_once_in_the_package(folder: Path) -> None:
    config = project(folder)
    assert "version" not in config["project"], 'a static version in pyproject.toml: declare dynamic = ["version"]'
    assert config["project"].get("dynamic") == ["version"]
    assert config["tool"]["hatch"]["version"]["path"] == f"src/{import_package(folder)}/__init__.py"
    declared_version(folder)


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_package_has_the_plugin_skeleton(folder: Path) -> None:
    package = folder / "src" / import_package(folder)
    assert (package / "__init__.py").is_file()
    assert (package / "py.typed").is_file(), f"{package} has no py.typed"
    assert (folder / "README.md").is_file()
    entry_points = project(folder)["project"].get("entry-points", {})
    for group, entries in entry_points.items():
        for name, value in entries.items():
            module = value.partition(":")[0]
            assert module.startswith(import_package(folder) + "."), (group, name, value)
            path = folder / "src" / (module.replace(".", "/") + ".py")
            assert path.is_file(), f"entry point {name} = {value!r}: no {path}"


@pytest.mark.parametrize("folder", FOLDERS, ids=IDS)
def test_the_wheel_ships_the_license_py_typed_and_its_version(folder: Path) -> None:
    wheel = built_wheel(folder)
    package = import_package(folder)
    with zipfile.ZipFile(wheel) as zf:
        names = zf.namelist()
        (dist_info,) = {n.split("/", 1)[0] for n in names if n.split("/", 1)[0].endswith(".dist-info")}
        assert f"{dist_info}/licenses/LICENSE" in names, f"{wheel.name} ships no LICENSE; files: {names}"
        assert zf.read(f"{dist_info}/licenses/LICENSE") == LICENSE
        assert f"{package}/py.typed" in names
        metadata = zf.read(f"{dist_info}/METADATA").decode()
    assert re.search(r"^License-Expression: Apache-2\.0$", metadata, re.M)
    assert re.search(rf"^Version: {re.escape(declared_version(folder))}$", metadata, re.M)
    assert re.search(r"^Project-URL: Source, ", metadata, re.M) and re.search(r"^Author: ", metadata, re.M)


@pytest.mark.parametrize("folder", [f for f in FOLDERS if f.parent.name == "plugins"], ids=lambda f: f.name)
def test_install_hints_know_every_first_party_plugin(folder: Path) -> None:
    from typeflow import hints as _hints

    name = project(folder)["project"]["name"]
    assert _hints.FOLDERS.get(name) == str(folder.relative_to(ROOT)), (
        f"{name} is missing from typeflow.hints.FOLDERS (and FIRST_PARTY, for the module its types come from): "
        "add it so errors and the pickle fallback name it with an install line"
    )
    for prefix, plugin in _hints.FIRST_PARTY.items():
        if plugin.distribution == name:
            assert plugin.folder == str(folder.relative_to(ROOT)), prefix


@pytest.mark.parametrize("folder", [f for f in FOLDERS if f.name != "core"], ids=lambda f: str(f.relative_to(ROOT)))
def test_a_plugin_accepts_the_core_of_this_checkout(folder: Path) -> None:
    from packaging.requirements import Requirement

    core = declared_version(ROOT / "core")
    requirements = [Requirement(r) for r in project(folder)["project"]["dependencies"]]
    (typeflow_req,) = [r for r in requirements if r.name == "typeflow"]
    assert typeflow_req.specifier.contains(core), f"{folder.name} requires typeflow{typeflow_req.specifier}, core is {core}"
