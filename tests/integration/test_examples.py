"""The examples run as a user runs them, with every package installed."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])


@pytest.mark.parametrize(
    ("script", "expected"),
    [
        ("pickle_people.py", "welcome_all(names=['f', 'o', 'o']) -> ['f', 'o', 'o']; 2 pickle files"),
        ("dataclass_people.py", "People crosses as STRUCT"),
        ("directory_and_stream.py", "streamed 2190 rows of 6 cities; hottest: oaxaca on day 364"),
    ],
)
def test_example_runs(script: str, expected: str, tmp_path: Path) -> None:
    env = dict(os.environ, TYPEFLOW_STORAGE=str(tmp_path))
    proc = subprocess.run([sys.executable, str(ROOT / "examples" / script)], capture_output=True, text=True, env=env, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout


def test_all_installed_plugins_are_listed_by_the_command() -> None:
    proc = subprocess.run(["typeflow", "plugins", "--load"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    for distribution in ("typeflow-numpy", "typeflow-pandas", "typeflow-pickle", "typeflow-ipaddress"):
        assert distribution in proc.stdout
    assert "broken" not in proc.stdout
