"""Messages name the typeflow plugin made for a type's package, with an install line that works here."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from typeflow import TypeEngine, hints
from typeflow.errors import NoTransformerError

CHECKOUT = Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])


def _class_from(module: str, name: str = "Thing", bases: tuple[type, ...] = ()) -> type:
    # a class as the package would define it: what the hint looks at is the class's module
    return type(name, bases, {"__module__": module})


def test_a_pandas_type_without_typeflow_pandas_names_it_first() -> None:
    frame = _class_from("pandas.core.frame", "DataFrame")
    with pytest.raises(NoTransformerError) as info:
        TypeEngine().to_literal_type(frame)
    message = str(info.value)
    assert "Install typeflow-pandas for a real literal type: pip install" in message
    fixes = message.split("). ", 1)[1]
    assert fixes.index("typeflow-pandas") < fixes.index("typeflow-pickle")


def test_the_hint_follows_the_class_hierarchy_and_the_module_prefix() -> None:
    message_base = _class_from("google.protobuf.message", "Message")
    user_message = _class_from("myproject.events_pb2", "Event", (message_base,))
    assert hints.first_party_for(user_message) == hints.FirstParty("typeflow-protobuf", "plugins/protobuf")
    assert hints.first_party_for(_class_from("google.cloud.storage")) is None
    assert hints.first_party_for(_class_from("numpyish")) is None
    assert hints.first_party_for(_class_from("pyarrow.lib", "Table")).distribution == "typeflow-pandas"


def test_a_type_without_a_first_party_plugin_gets_the_generic_advice() -> None:
    with pytest.raises(NoTransformerError) as info:
        TypeEngine().to_literal_type(_class_from("myproject.models"))
    assert "Install a plugin that handles it" in str(info.value) and "install typeflow-pickle" in str(info.value)


def test_from_a_wheel_the_line_names_the_folder_of_a_checkout() -> None:
    # tox installs typeflow from a wheel file: only the checkout-relative folder can be named
    line = hints.install_line(["typeflow-numpy", "typeflow-pickle"])
    assert line == "pip install ./plugins/numpy ./plugins/pickle (from the root of a typeflow checkout)"
    assert (CHECKOUT / "plugins" / "numpy" / "pyproject.toml").is_file()


@pytest.fixture(scope="module")
def core_from_its_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """typeflow installed the way the README says, from the checkout's folder (pip records dir_info)."""
    target = tmp_path_factory.mktemp("site")
    uv = shutil.which("uv")
    if uv:
        cmd = [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(target), "--python", sys.executable]
    else:
        cmd = [sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target)]
    subprocess.run([*cmd, str(CHECKOUT / "core")], check=True, capture_output=True, timeout=300)
    return target


def _line_in(site: Path) -> str:
    code = "from typeflow import hints; print(hints.install_line(['typeflow-numpy', 'typeflow-polars']))"
    env = dict(os.environ, PYTHONPATH=str(site))
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_installed_from_the_checkout_folder_the_line_is_a_path_into_that_checkout(core_from_its_folder: Path) -> None:
    line = _line_in(core_from_its_folder)
    numpy_folder = str(CHECKOUT.resolve() / "plugins" / "numpy")
    if (CHECKOUT / "plugins" / "polars" / "pyproject.toml").is_file():
        assert line == f"pip install {numpy_folder} {CHECKOUT.resolve() / 'plugins' / 'polars'}"
    else:  # a plugin folder this checkout does not have yet is named relative to a newer checkout
        assert line == f"pip install {numpy_folder} ./plugins/polars (from the root of a typeflow checkout)"


def test_installed_from_an_index_the_line_is_the_distribution_name(core_from_its_folder: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    shutil.copytree(core_from_its_folder, site)
    for direct_url in site.glob("typeflow-*.dist-info/direct_url.json"):
        direct_url.unlink()  # what an install from a package index leaves: no PEP 610 record
    assert _line_in(site) == "pip install typeflow-numpy typeflow-polars"
