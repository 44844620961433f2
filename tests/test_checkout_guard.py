"""Every tox env must test the typeflow built from this checkout, never one from the package index."""

from __future__ import annotations

import json
import os
from importlib import metadata
from pathlib import Path

import pytest

import typeflow


def _checkout() -> Path:
    root = os.environ.get("TYPEFLOW_CHECKOUT")
    if not root:
        pytest.fail("TYPEFLOW_CHECKOUT is not set: run the tests through tox, which sets it to the checkout")
    return Path(root)


def test_typeflow_is_installed_from_a_local_wheel_not_the_index() -> None:
    dist = metadata.distribution("typeflow")
    direct_url = dist.read_text("direct_url.json")
    assert direct_url is not None, "typeflow has no direct_url.json: it came from a package index"
    url = json.loads(direct_url)["url"]
    assert url.startswith("file://") and url.endswith(".whl"), url


def test_installed_typeflow_sources_match_the_checkout() -> None:
    source = _checkout() / "core" / "src" / "typeflow"
    installed = Path(typeflow.__file__).parent
    assert installed.resolve() != source.resolve(), "typeflow is imported from the source tree, not an installed wheel"
    expected = sorted(p.relative_to(source) for p in source.rglob("*.py"))
    assert expected, source
    for rel in expected:
        assert (installed / rel).read_bytes() == (source / rel).read_bytes(), f"installed {rel} differs from the checkout"
