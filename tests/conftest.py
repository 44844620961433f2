"""Fixtures shared by every package's tests."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

from typeflow import TransformContext, TypeEngine

# tox -p runs several envs on few cores: how fast examples are generated says
# nothing about typeflow, so the generation-speed health check is off everywhere.
settings.register_profile("typeflow", suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("typeflow")


@pytest.fixture
def engine() -> TypeEngine:
    """A fresh engine: its own registry, plugin manager and caches."""
    return TypeEngine()


@pytest.fixture
def ctx(engine: TypeEngine, tmp_path: Path) -> TransformContext:
    """A context on a fresh engine, storing blobs under the test's temporary folder."""
    return engine.context(storage=str(tmp_path / "storage"))
