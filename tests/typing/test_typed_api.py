"""``mypy --strict`` on a user's module: the README's code, the example workflow and the typed API.

``task``/``workflow`` keep the decorated function's signature (ParamSpec), and
``to_python_value`` / ``LiteralsResolver.get`` are typed by the expected type.
Runs in ``tox -e type`` against the installed wheels.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

mypy_api = pytest.importorskip("mypy.api", reason="runs in tox -e type, which installs mypy")

from mypy import api  # noqa: E402

HERE = Path(__file__).parent
ROOT = Path(os.environ.get("TYPEFLOW_CHECKOUT") or HERE.parents[1])


def mypy(*paths: Path, cache: Path) -> tuple[int, str]:
    out, err, status = api.run(
        ["--strict", "--no-error-summary", "--show-error-codes", "--cache-dir", str(cache), "--config-file", "", *map(str, paths)]
    )
    return status, out + err


def readme_blocks() -> list[str]:
    """The README's complete ```python blocks (a block after ``<!-- fragment -->`` is not one)."""
    text = (ROOT / "README.md").read_text()
    blocks = []
    for match in re.finditer(r"(?P<before>[^\n]*\n)?```python\n(?P<code>.*?)```", text, re.S):
        if "<!-- fragment -->" not in (match.group("before") or ""):
            blocks.append(match.group("code"))
    return blocks


def test_the_users_module_passes_mypy_strict(tmp_path: Path) -> None:
    status, output = mypy(HERE / "user_module.py", ROOT / "examples" / "dataclass_people.py", cache=tmp_path)
    assert status == 0, output


def test_the_readme_code_passes_mypy_strict(tmp_path: Path) -> None:
    blocks = readme_blocks()
    assert len(blocks) >= 2
    paths = []
    for i, code in enumerate(blocks):
        path = tmp_path / f"readme_block_{i}.py"
        path.write_text(code)
        paths.append(path)
    status, output = mypy(*paths, cache=tmp_path / "cache")
    assert status == 0, output


def test_mistakes_in_task_calls_are_flagged(tmp_path: Path) -> None:
    source = (HERE / "user_mistakes.py").read_text().splitlines()
    expected = {i: m.group(1) for i, line in enumerate(source, 1) if (m := re.search(r"# expect: (\S+)", line))}
    status, output = mypy(HERE / "user_mistakes.py", cache=tmp_path)
    assert status == 1
    found = {int(m.group(1)): m.group(2) for m in re.finditer(r"user_mistakes\.py:(\d+): error: .*\[([a-z-]+)\]", output)}
    assert found == expected, output
