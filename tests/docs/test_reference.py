"""Every public module of core and of each plugin has its place in the API reference (docs/reference)."""

from __future__ import annotations

import re

from tests.docs.test_examples import ROOT

SOURCES = [ROOT / "core" / "src", *sorted((ROOT / "plugins").glob("*/src"))]
#: entry-point modules hold nothing but the hook that registers the plugin's transformers
HOOK_MODULES = ("plugin",)


def public_modules() -> set[str]:
    found = set()
    for src in SOURCES:
        for path in src.rglob("*.py"):
            parts = path.relative_to(src).with_suffix("").parts
            if parts[-1] == "__init__":
                parts = parts[:-1]
            if not parts or any(p.startswith("_") for p in parts) or parts[-1] in HOOK_MODULES:
                continue
            found.add(".".join(parts))
    return found


def documented() -> set[str]:
    text = "\n".join(p.read_text() for p in (ROOT / "docs" / "reference").glob("*.md"))
    return set(re.findall(r"^::: ([\w.]+)\s*$", text, re.M))


def test_every_public_module_has_a_reference_entry() -> None:
    missing = public_modules() - documented()
    assert not missing, f"no ::: entry in docs/reference for {sorted(missing)}"


def test_every_reference_entry_names_a_module_that_exists() -> None:
    stale = documented() - public_modules()
    assert not stale, f"docs/reference documents modules that are gone: {sorted(stale)}"
