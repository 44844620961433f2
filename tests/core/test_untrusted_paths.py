"""``pathlib.Path`` read from someone else's literal: downloaded only through the context's read policy.

The same refusals as for ``File`` and ``Directory`` (tests/core/test_untrusted_files.py):
foreign protocols, hosts and buckets before any request, FIFOs and devices at
once, folders outside the storage folder never listed, symlinks judged by
their target; each a ``StorageError`` naming the URI.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.core.counting_fs import register
from tests.core.test_confine import http_server  # noqa: F401 - the fixture
from tests.core.test_untrusted_files import MULTIPART, _unblock_later, blob
from typeflow import TransformContext, TypeEngine
from typeflow.errors import StorageError
from typeflow.types import File

register()


def _file(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri), Path)


def _folder(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri, dim=MULTIPART), Path)


READERS: dict[str, Callable[[TransformContext, str], None]] = {"Path of a file": _file, "Path of a folder": _folder}


@pytest.fixture(params=sorted(READERS))
def reader(request: pytest.FixtureRequest) -> Callable[[TransformContext, str], None]:
    return READERS[request.param]


@pytest.mark.parametrize(
    "uri", ["memory://elsewhere/x", "data:,abc", "simplecache::/tmp/x", "tfcount://other-bucket/x", "s3://someone-elses/x"]
)
def test_foreign_locations_are_refused(reader: Callable[[TransformContext, str], None], tmp_path: Path, uri: str) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match="refused to read") as info:
        reader(ctx, uri)
    assert info.value.uri is not None and uri.split("::")[-1].split("://")[-1][:5] in info.value.uri
    assert "read_roots" in str(info.value)


def test_no_request_reaches_a_server_a_literal_names(
    reader: Callable[[TransformContext, str], None],
    tmp_path: Path,
    http_server: tuple[str, list[str]],  # noqa: F811
) -> None:
    url, requests = http_server
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    with pytest.raises(StorageError, match="refused to read"):
        reader(ctx, f"{url}/blob")
    assert requests == []


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


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "storage" / "ab" / "blob"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    _unblock_later(fifo, 5.0)
    start = time.monotonic()
    with pytest.raises(StorageError, match="FIFO") as info:
        _file(ctx, str(fifo))
    assert time.monotonic() - start < 4, "the read waited on the FIFO"
    assert info.value.uri == str(fifo)


def test_a_fifo_inside_a_stored_folder_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "storage" / "dir"
    folder.mkdir(parents=True)
    (folder / "ok.txt").write_text("ok")
    os.mkfifo(folder / "pipe")
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    _unblock_later(folder / "pipe", 5.0)
    with pytest.raises(StorageError, match="not a regular file") as info:
        _folder(ctx, str(folder))
    assert info.value.uri == str(folder / "pipe")


def test_a_device_or_a_folder_is_not_a_file(tmp_path: Path) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    (tmp_path / "storage").mkdir()
    for uri, kind in (("/dev/zero", "character device"), (str(tmp_path / "storage"), "directory")):
        with pytest.raises(StorageError, match=kind):
            _file(ctx, uri)


def test_a_local_folder_outside_storage_is_never_scanned(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.txt").write_text("not yours")
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    for uri in (str(outside), "/"):
        with pytest.raises(StorageError, match="refused to read") as info:
            _folder(ctx, uri)
        assert "storage root" in str(info.value)
    allowed = TypeEngine().context(storage=str(tmp_path / "storage"), read_roots=[str(outside)])
    back = allowed.engine.to_python_value(allowed, blob(str(outside), dim=MULTIPART), Path)
    assert (back / "deep" / "secret.txt").read_text() == "not yours"


def test_a_symlink_in_storage_is_judged_by_its_target(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    storage = tmp_path / "storage"
    storage.mkdir()
    (storage / "dir").symlink_to(outside)
    ctx = TypeEngine().context(storage=str(storage))
    with pytest.raises(StorageError, match="refused to read"):
        _folder(ctx, str(storage / "dir"))


def test_a_file_the_user_names_is_their_choice(engine: TypeEngine, tmp_path: Path) -> None:
    """Converting a Path the user gives reads their own file; only literals are confined."""
    outside = tmp_path / "elsewhere" / "mine.txt"
    outside.parent.mkdir()
    outside.write_text("mine")
    ctx = engine.context(storage=str(tmp_path / "storage"))
    lv = engine.to_literal(ctx, outside, Path)
    assert engine.to_python_value(ctx, lv, File).open().read() == b"mine"
