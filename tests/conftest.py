"""Fixtures shared by every package's tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from typeflow import TransformContext, TypeEngine


@pytest.fixture
def engine() -> TypeEngine:
    """A fresh engine: its own registry, plugin manager and caches."""
    return TypeEngine()


@pytest.fixture
def ctx(engine: TypeEngine, tmp_path: Path) -> TransformContext:
    """A context on a fresh engine, storing blobs under the test's temporary folder."""
    return engine.context(storage=str(tmp_path / "storage"))
