"""The README documents every hook the hook spec defines, and nothing else."""

from __future__ import annotations

import inspect
import os
import re
from pathlib import Path

import pytest

from typeflow import hookspecs


def _readme() -> str:
    root = os.environ.get("TYPEFLOW_CHECKOUT") or str(Path(__file__).resolve().parents[2])
    path = Path(root) / "README.md"
    if not path.exists():
        pytest.fail(f"README.md not found at {path}; set TYPEFLOW_CHECKOUT to the checkout")
    return path.read_text()


def _spec_hooks() -> dict[str, inspect.Signature]:
    return {
        name: inspect.signature(fn)
        for name, fn in vars(hookspecs).items()
        if name.startswith("typeflow_") and callable(fn) and hasattr(fn, "typeflow_spec")
    }


def test_every_hook_is_documented_in_the_readme_with_its_signature() -> None:
    readme = _readme()
    for name, signature in _spec_hooks().items():
        params = ", ".join(signature.parameters)
        assert f"`{name}({params})`" in readme, f"README does not document {name}({params})"


def test_the_readme_documents_no_hook_the_spec_lacks() -> None:
    documented = set(re.findall(r"`(typeflow_[a-z_]+)\(", _readme()))
    assert documented == set(_spec_hooks())


def test_every_hook_has_a_docstring() -> None:
    for name in _spec_hooks():
        assert (getattr(hookspecs, name).__doc__ or "").strip(), name
