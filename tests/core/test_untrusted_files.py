"""Files, directories, streams and offloaded payloads named by someone else's literal.

Every one is read through the context's read policy (``typeflow.confine``):
foreign protocols and buckets are refused before any request is sent, local
blobs are opened as regular files only (a FIFO never blocks), a directory is
listed only inside the storage folder or a read root, payloads read into
memory stay within the read budget, and every refusal is a ``StorageError``
naming the URI.
"""

from __future__ import annotations

import os
import threading
import time
import typing
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.core.counting_fs import CountingMemoryFileSystem, register
from tests.core.test_confine import http_server  # noqa: F401 - the fixture
from typeflow import TransformContext, TypeEngine, wire
from typeflow.errors import StorageError
from typeflow.literals import (
    Blob,
    BlobDimensionality,
    BlobMetadata,
    BlobType,
    Literal,
    LiteralOffloadedMetadata,
    LiteralType,
    Scalar,
    SimpleType,
)
from typeflow.streaming import FORMAT
from typeflow.types import Directory, File

register()

SINGLE, MULTIPART = BlobDimensionality.SINGLE, BlobDimensionality.MULTIPART


def blob(uri: str, fmt: str = "", dim: BlobDimensionality = SINGLE, metadata: dict[str, str] | None = None) -> Literal:
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType(fmt, dim)), uri)), metadata=metadata)


def offloaded(uri: str, size: int = 10) -> Literal:
    return Literal(offloaded_metadata=LiteralOffloadedMetadata(uri, size, LiteralType(simple=SimpleType.INTEGER)))


# Each reader: how to build a literal naming ``uri``, and how to make typeflow read what it names.
def _file(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri), File).download()


def _directory(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri, dim=MULTIPART), Directory).download()


def _listing(ctx: TransformContext, uri: str) -> None:
    list(ctx.engine.to_python_value(ctx, blob(uri, dim=MULTIPART), Directory).crawl())


def _binary(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri, "application/octet-stream"), typing.BinaryIO).read()


def _text(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri, "text/plain"), typing.TextIO).read()


def _stream(ctx: TransformContext, uri: str) -> None:
    meta = {"typeflow.stream.batches": "1", "typeflow.stream.items": "1"}
    list(ctx.engine.to_python_value(ctx, blob(uri, FORMAT, MULTIPART, meta), Iterator[int]))


def _stream_listed(ctx: TransformContext, uri: str) -> None:
    """A stream literal without its batch count: the batch files are found by listing the folder."""
    list(ctx.engine.to_python_value(ctx, blob(uri, FORMAT, MULTIPART), Iterator[int]))


def _payload(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, offloaded(uri), int)


def _path_file(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri), Path)


def _path_folder(ctx: TransformContext, uri: str) -> None:
    ctx.engine.to_python_value(ctx, blob(uri, dim=MULTIPART), Path)


READERS: dict[str, Callable[[TransformContext, str], None]] = {
    "File": _file,
    "Directory": _directory,
    "Directory listing": _listing,
    "BinaryIO": _binary,
    "TextIO": _text,
    "Iterator": _stream,
    "Iterator listing": _stream_listed,
    "offloaded payload": _payload,
    "Path of a file": _path_file,
    "Path of a folder": _path_folder,
}


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
    lv = engine.to_literal(engine.context(storage=f"{theirs}/p"), str(src), File)
    with pytest.raises(StorageError, match="refused to read") as info:
        engine.to_python_value(engine.context(storage=mine), lv, File).download()
    assert info.value.uri == lv.scalar.blob.uri  # type: ignore[union-attr]
    allowed = engine.context(storage=mine, read_roots=[theirs])
    assert Path(os.fspath(engine.to_python_value(allowed, lv, File))).read_text() == "shared"


def test_the_same_bucket_is_read_outside_the_storage_prefix(engine: TypeEngine, tmp_path: Path) -> None:
    bucket = f"tfcount://shared-{uuid.uuid4().hex[:8]}"
    src = tmp_path / "d"
    src.mkdir()
    (src / "a.txt").write_text("a")
    lv = engine.to_literal(engine.context(storage=f"{bucket}/other-execution"), str(src), Directory)
    back = engine.to_python_value(engine.context(storage=f"{bucket}/mine"), lv, Directory)
    assert (back / "a.txt").read_text() == "a"
    assert CountingMemoryFileSystem.store  # written through the counting file system


def _unblock_later(fifo: Path, after: float) -> None:
    def release() -> None:
        time.sleep(after)
        try:
            os.close(os.open(fifo, os.O_WRONLY | os.O_NONBLOCK))
        except OSError:
            pass

    threading.Thread(target=release, daemon=True).start()


@pytest.mark.parametrize("name", ["File", "BinaryIO", "TextIO", "offloaded payload", "Path of a file"])
def test_a_fifo_is_refused_at_once(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / "storage" / "ab" / "blob"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    _unblock_later(fifo, 5.0)
    start = time.monotonic()
    with pytest.raises(StorageError, match="FIFO") as info:
        READERS[name](ctx, str(fifo))
    assert time.monotonic() - start < 4, "the read waited on the FIFO"
    assert info.value.uri == str(fifo)


@pytest.mark.parametrize("name", ["Directory", "Path of a folder"])
def test_a_fifo_inside_a_stored_directory_is_refused(tmp_path: Path, name: str) -> None:
    folder = tmp_path / "storage" / "dir"
    folder.mkdir(parents=True)
    (folder / "ok.txt").write_text("ok")
    os.mkfifo(folder / "pipe")
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    _unblock_later(folder / "pipe", 5.0)
    with pytest.raises(StorageError, match="not a regular file") as info:
        READERS[name](ctx, str(folder))
    assert info.value.uri == str(folder / "pipe")


@pytest.mark.parametrize("name", ["File", "BinaryIO", "offloaded payload", "Path of a file"])
def test_a_device_or_a_folder_is_not_a_file(tmp_path: Path, name: str) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    (tmp_path / "storage").mkdir()
    for uri, kind in (("/dev/zero", "character device"), (str(tmp_path / "storage"), "directory")):
        with pytest.raises(StorageError, match=kind):
            READERS[name](ctx, uri)


@pytest.mark.parametrize("name", ["Directory", "Directory listing", "Iterator listing"])
def test_a_local_folder_outside_storage_is_never_scanned(tmp_path: Path, name: str) -> None:
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    (outside / "deep" / "secret.txt").write_text("not yours")
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"))
    for uri in (str(outside), "/"):
        with pytest.raises(StorageError, match="refused to read") as info:
            READERS[name](ctx, uri)
        assert "storage root" in str(info.value)
        assert "lists a local folder only inside the roots you allow" in str(info.value)
        assert "runs code" not in str(info.value)
    allowed = TypeEngine().context(storage=str(tmp_path / "storage"), read_roots=[str(outside)])
    READERS[name](allowed, str(outside))


@pytest.mark.parametrize("name", ["Directory", "Path of a folder"])
def test_a_symlink_in_storage_is_judged_by_its_target(tmp_path: Path, name: str) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "secret.txt").write_text("not yours")
    storage = tmp_path / "storage"
    storage.mkdir()
    (storage / "dir").symlink_to(outside)
    ctx = TypeEngine().context(storage=str(storage))
    with pytest.raises(StorageError, match="refused to read"):
        READERS[name](ctx, str(storage / "dir"))


def test_payloads_read_into_memory_stay_within_the_read_budget(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    engine = TypeEngine()
    big = list(range(5_000))
    stream = engine.to_literal(engine.context(storage=str(storage)), iter(big), Iterator[int])
    payload = engine.to_literal(engine.context(storage=str(storage), offload_above=0), big, list[int])
    tight = engine.context(storage=str(storage), read_budget=1_000)
    with pytest.raises(StorageError, match="larger than the read budget of 1000 bytes"):
        list(engine.to_python_value(tight, stream, Iterator[int]))
    with pytest.raises(StorageError, match="read budget of 1000 bytes"):
        engine.to_python_value(tight, payload, list[int])
    lying = offloaded(payload.offloaded_metadata.uri, size=10)  # type: ignore[union-attr]  # claims 10 bytes
    with pytest.raises(StorageError, match=r"larger than the read budget of 1000 bytes|literal says 10"):
        engine.to_python_value(tight, lying, list[int])


def test_a_stream_batch_that_is_not_a_literal_is_a_typed_error(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    (storage / "s").mkdir(parents=True)
    (storage / "s" / "00000000.tfl").write_bytes(wire.dumps(LiteralType(simple=SimpleType.INTEGER)))
    ctx = TypeEngine().context(storage=str(storage))
    with pytest.raises(StorageError, match="does not hold a collection literal") as info:
        _stream(ctx, str(storage / "s"))
    assert info.value.uri == str(storage / "s" / "00000000.tfl")


def test_user_files_are_the_users_choice_and_not_confined(tmp_path: Path) -> None:
    """A File the user constructs names a location they chose; only literals are confined."""
    theirs = f"tfcount://users-own-{uuid.uuid4().hex[:8]}/x.txt"
    CountingMemoryFileSystem().pipe_file(theirs, b"mine")
    value: Any = File(theirs)
    assert Path(os.fspath(value)).read_bytes() == b"mine"
