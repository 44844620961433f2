"""typeflow logs through `logging` at DEBUG, adds no handler, and reports a broken plugin once."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from .dists import install, run_python, wheel

CONVERT = """
import logging
{setup}
import typeflow
from typeflow.errors import PluginError
from tfpoint import Point
from tfbroken import Thing
typeflow.to_python_value(typeflow.to_literal(Point(1, 2), Point), Point)
try:
    typeflow.to_literal(Thing(), Thing)
except PluginError:
    print("refused")
print("handlers:", logging.getLogger("typeflow").handlers)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = str(tmp_path_factory.mktemp("wheels"))
    return install([wheel("tf-point", out), wheel("tf-broken", out)], tmp_path_factory.mktemp("site"))


def test_without_logging_configured_nothing_is_printed_and_no_handler_is_added(site: Path) -> None:
    proc = run_python(CONVERT.format(setup=""), site, TYPEFLOW_TRACE="")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == ["refused", "handlers: []"]
    assert proc.stderr == "", "the broken plugin's error was printed besides being raised"


def test_dispatch_and_plugin_loading_are_debug_records(site: Path) -> None:
    setup = "logging.basicConfig(level=logging.DEBUG, format='%(name)s %(levelname)s %(message)s')"
    proc = run_python(CONVERT.format(setup=setup), site, TYPEFLOW_TRACE="")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stderr.splitlines()
    assert "typeflow.plugins DEBUG loaded plugin tfpoint (tf-point 1.2.3)" in lines
    assert any(line.startswith("typeflow.plugins DEBUG plugin tfbroken (tf-broken 0.0.1) failed to load: ") for line in lines)
    assert any(line.startswith("typeflow.dispatch DEBUG tfpoint.Point -> Point via exact type") for line in lines), lines
    assert any(line.startswith("typeflow.convert DEBUG to_literal Point with Point") for line in lines)
    assert not [line for line in lines if " WARNING " in line]


def test_typeflow_trace_adds_one_stderr_handler(site: Path) -> None:
    proc = run_python(CONVERT.format(setup=""), site, TYPEFLOW_TRACE="1")
    assert proc.returncode == 0, proc.stderr
    assert "typeflow.dispatch: tfpoint.Point -> Point via exact type" in proc.stderr
    assert "typeflow.plugins: loaded plugin tfpoint (tf-point 1.2.3)" in proc.stderr
    assert proc.stdout.splitlines()[-1].startswith("handlers: [<StreamHandler")


def test_a_broken_plugin_is_one_line_from_the_command(site: Path) -> None:
    exe = shutil.which("typeflow")
    assert exe, "the typeflow console script is not on PATH"
    import os

    env = dict(os.environ, PYTHONPATH=str(site))
    env.pop("TYPEFLOW_TRACE", None)
    proc = subprocess.run([exe, "explain", "tfbroken:Thing"], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 1
    assert len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "tfbroken needs a library that is not installed" in proc.stderr
