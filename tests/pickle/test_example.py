"""examples/pickle_people.py, Flyte's pickle example, runs as a script and writes the pickle files it says."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
from pathlib import Path

from .samples import files_in


def _example() -> Path:
    root = Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])
    return root / "examples" / "pickle_people.py"


def test_example_runs_and_welcome_all_writes_exactly_two_pickle_files(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TYPEFLOW_PICKLE")}
    env["TYPEFLOW_STORAGE"] = str(storage)
    result = subprocess.run([sys.executable, str(_example())], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "welcome(name='Foo') -> People('Foo'); 1 pickle file" in out
    assert "welcome_all(names=['f', 'o', 'o']) -> ['f', 'o', 'o']; 2 pickle files" in out
    assert "no transformer claims __main__.People" in result.stderr

    # what is really in storage: the lone People of welcome, and one file of two and one of one People
    # (the workflow returns its task's output, so the list crosses as that one literal)
    files = files_in(storage)
    assert len(files) == 1 + 2
    contents = []
    for path in files:
        with path.open("rb") as f:
            contents.append(pickle.load(f))
    batches = sorted(len(c) for c in contents if isinstance(c, list))
    assert batches == [1, 2]
    assert [c.name for c in contents if not isinstance(c, list)] == ["Foo"]
