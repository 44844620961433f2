"""Fixtures for the typeflow-pickle tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from typeflow import TransformContext, TypeEngine


@pytest.fixture
def storage(tmp_path: Path) -> Path:
    """The storage folder of :func:`pctx`."""
    return tmp_path / "storage"


@pytest.fixture
def pctx(storage: Path) -> TransformContext:
    """A fresh engine's context, storing blobs under the test's own folder."""
    return TypeEngine().context(storage=str(storage))
