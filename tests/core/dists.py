"""Build the test-only plugin distributions as wheels and install them into throwaway folders.

Each scenario installs a set of wheels into its own ``--target`` folder and runs
Python in a subprocess with that folder on ``PYTHONPATH``, so entry points are
found from real installed metadata and no scenario leaks into another.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from functools import cache
from pathlib import Path

HERE = Path(__file__).parent / "plugin_dists"


def _run(cmd: list[str]) -> None:
    subprocess.run(cmd, check=True, capture_output=True, env=dict(os.environ, UV_PYTHON_DOWNLOADS="never"))


@cache
def wheel(name: str, out: str) -> Path:
    """Build ``plugin_dists/<name>`` into folder ``out`` once per session."""
    uv = shutil.which("uv")
    before = set(Path(out).glob("*.whl"))
    if uv:
        _run([uv, "build", "--wheel", "--quiet", "--out-dir", out, str(HERE / name)])
    else:
        _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", out, str(HERE / name)])
    (built,) = set(Path(out).glob("*.whl")) - before
    return built


def install(wheels: list[Path], target: Path) -> Path:
    """Install ``wheels`` (without dependencies) into ``target``."""
    uv = shutil.which("uv")
    if uv:
        _run(
            [uv, "pip", "install", "--quiet", "--no-deps", "--target", str(target), "--python", sys.executable, *map(str, wheels)]
        )
    else:
        _run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), *map(str, wheels)])
    return target


def run_python(code: str, site: Path | None, **env: str) -> subprocess.CompletedProcess[str]:
    """Run ``code`` in a fresh interpreter with ``site`` on its path; returns the finished process."""
    environ = dict(os.environ, **env)
    if site is not None:
        environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(site), environ.get("PYTHONPATH", "")]))
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=environ, timeout=120)
