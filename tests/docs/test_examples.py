"""Every ```python block of the docs site and the READMEs runs, page by page, as a user would run it.

Blocks of one page run in order in one namespace, in a fresh working
directory; ``--8<-- "file:section"`` includes (pymdownx.snippets) are expanded
first, so README sections shown on the site are run too. A block right after
a ``<!-- fragment -->`` line is part of a larger file and is not run.
"""

from __future__ import annotations

import os
import re
import sys
import types
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])
INCLUDE = re.compile(r'^--8<-- "(?P<path>[^":]+)(?::(?P<section>[\w-]+))?"\s*$', re.M)
BLOCK = re.compile(r"(?P<before>[^\n]*)\n```python\n(?P<code>.*?)^```", re.S | re.M)


def expand(text: str, depth: int = 0) -> str:
    """``text`` with its snippet includes replaced by the files (or marked sections) they name."""
    assert depth < 5, "snippet includes nest too deep"

    def include(match: re.Match[str]) -> str:
        source = (ROOT / match.group("path")).read_text()
        section = match.group("section")
        if section:
            start = re.search(rf"--8<-- \[start:{section}\][^\n]*\n", source)
            end = re.search(rf"[^\n]*--8<-- \[end:{section}\]", source)
            assert start and end, f"{match.group('path')} has no section {section!r}"
            source = source[start.end() : end.start()]
        return expand(source, depth + 1)

    return INCLUDE.sub(include, text)


def pages() -> list[Path]:
    found = sorted((ROOT / "docs").rglob("*.md"))
    return [ROOT / "README.md", ROOT / "core" / "README.md", *found]


def blocks(page: Path) -> list[str]:
    text = "\n" + expand(page.read_text())
    return [m.group("code") for m in BLOCK.finditer(text) if "<!-- fragment -->" not in m.group("before")]


PAGES = [p for p in pages() if blocks(p)]


def test_the_pages_with_code_are_found() -> None:
    names = {str(p.relative_to(ROOT)) for p in PAGES}
    assert {"README.md", "docs/getting-started.md", "docs/types.md", "docs/cli.md", "docs/flytekit.md"} <= names


def test_an_include_brings_in_the_marked_section_only() -> None:
    text = expand('--8<-- "README.md:types"')
    assert "Built-in types and their literals" in text and "## Errors" not in text


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_code_of_a_page_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    # a real module, as a user's script would be: dataclasses and type hints look their module up
    module = types.ModuleType(f"docs_{page.stem.replace('-', '_')}")
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for number, code in enumerate(blocks(page), 1):
        try:
            exec(compile(code, f"{page.relative_to(ROOT)} (block {number})", "exec"), module.__dict__)
        except Exception as exc:
            raise AssertionError(f"{page.relative_to(ROOT)}, block {number} failed: {type(exc).__name__}: {exc}\n{code}") from exc
