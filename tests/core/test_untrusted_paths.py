"""``pathlib.Path`` read from someone else's literal: downloaded only through the context's read policy.

The refusals every blob reader shares (foreign protocols and hosts before any
request, FIFOs and devices at once, symlinks judged by their target) run for
``Path`` among the readers of tests/core/test_untrusted_files.py; here are the
cases that read a ``Path`` back: another bucket, a folder outside storage, a
path the user names.
"""

from __future__ import annotations

import uuid
from pathlib import Path

import pytest

from tests.core.counting_fs import register
from tests.core.test_confine import http_server  # noqa: F401 - the fixture
from tests.core.test_untrusted_files import MULTIPART, blob
from typeflow import TypeEngine
from typeflow.errors import StorageError
from typeflow.types import File

register()


def test_another_bucket_is_refused_and_read_roots_allow_it(engine: TypeEngine, tmp_path: Path) -> None:
    mine = f"tfcount://mine-{uuid.uuid4().hex[:8]}/p"
    theirs = f"tfcount://theirs-{uuid.uuid4().hex[:8]}"
    src = tmp_path / "x.txt"
    src.write_text("shared")
    lv = engine.to_literal(engine.context(storage=f"{theirs}/p"), src, Path)
    with pytest.raises(StorageError, match="refused to read") as info:
        engine.to_python_value(engine.context(storage=mine), lv, Path)
    assert info.value.uri == lv.scalar.blob.uri  # type: ignore[union-attr]
    allowed = engine.context(storage=mine, read_roots=[theirs])
    assert engine.to_python_value(allowed, lv, Path).read_text() == "shared"


def test_a_local_folder_outside_storage_is_never_scanned(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.txt").write_text("not yours")
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    for uri in (str(outside), "/"):
        with pytest.raises(StorageError, match="refused to read") as info:
            ctx.engine.to_python_value(ctx, blob(uri, dim=MULTIPART), Path)
        assert "storage root" in str(info.value)
    allowed = TypeEngine().context(storage=str(tmp_path / "storage"), read_roots=[str(outside)])
    back = allowed.engine.to_python_value(allowed, blob(str(outside), dim=MULTIPART), Path)
    assert (back / "deep" / "secret.txt").read_text() == "not yours"


def test_a_file_the_user_names_is_their_choice(engine: TypeEngine, tmp_path: Path) -> None:
    """Converting a Path the user gives reads their own file; only literals are confined."""
    outside = tmp_path / "elsewhere" / "mine.txt"
    outside.parent.mkdir()
    outside.write_text("mine")
    ctx = engine.context(storage=str(tmp_path / "storage"))
    lv = engine.to_literal(ctx, outside, Path)
    assert engine.to_python_value(ctx, lv, File).open().read() == b"mine"
