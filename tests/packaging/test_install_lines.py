"""Every ``pip install`` line in the READMEs and docs works from a fresh clone of this checkout.

A path into the checkout (``./core``, ``./plugins/numpy``) must exist and hold
a package; a line installing a plugin by path installs ``./core`` first, in the
same command, unless it says it adds to an environment that has typeflow
already; a bare ``typeflow-*`` distribution name (which no index serves yet)
appears only where its paragraph or table says "once published".
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(os.environ.get("TYPEFLOW_CHECKOUT") or Path(__file__).resolve().parents[2])
SKIP_PARTS = {".tox", ".venv", "node_modules", "site", ".git"}


def documents() -> list[Path]:
    found = [ROOT / "README.md", ROOT / "CHANGELOG.md"]
    for pattern in ("core/*.md", "plugins/*/*.md", "examples/*/*.md", "docs/**/*.md"):
        found += ROOT.glob(pattern)
    return sorted(p for p in set(found) if p.is_file() and not SKIP_PARTS & set(p.relative_to(ROOT).parts))


def install_commands(text: str) -> list[tuple[int, str, list[str]]]:
    """(line number, its paragraph or table, the arguments of each ``pip install`` in the line)."""
    out = []
    lines = text.splitlines()
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:  # the paragraph (or table) each line belongs to: the context a reader sees
        current.append(line)
        if not line.strip():
            paragraphs += ["\n".join(current)] * len(current)
            current = []
    paragraphs += ["\n".join(current)] * len(current)
    for number, (line, paragraph) in enumerate(zip(lines, paragraphs), 1):
        for match in re.finditer(r"pip install ([^`|#&;)]*)", line):
            try:
                args = shlex.split(match.group(1))
            except ValueError:
                args = match.group(1).split()
            out.append((number, paragraph, [a for a in args if not a.startswith("-")]))
    return out


DOCS = documents()


def test_the_documents_are_found() -> None:
    assert ROOT / "README.md" in DOCS and any(p.parent.name == "numpy" for p in DOCS)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_install_line_works_from_a_fresh_clone(doc: Path) -> None:
    problems = []
    for number, line, args in install_commands(doc.read_text()):
        where = f"{doc.relative_to(ROOT)}:{number}"
        local = [a.split("[", 1)[0] for a in args if a.startswith(("./core", "./plugins/", "./examples/"))]
        for path in local:
            if not (ROOT / path / "pyproject.toml").is_file():
                problems.append(f"{where}: {path} is not a package folder of the checkout")
        plugins = [p for p in local if p != "./core"]
        adds_to_existing = "already" in line or "added later" in line
        if plugins and not adds_to_existing and (not local or local[0] != "./core"):
            problems.append(f"{where}: installs {plugins} without ./core first in the same command: {line.strip()}")
        for arg in args:
            if re.fullmatch(r"typeflow(-[a-z0-9]+)?(\[[^\]]*\])?", arg) and "published" not in line:
                problems.append(f"{where}: `pip install {arg}` names a distribution no index serves yet: {line.strip()}")
    assert not problems, "\n".join(problems)
