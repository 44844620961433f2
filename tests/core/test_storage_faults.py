"""Storage faults: every failure is a typed error naming the URI, and no partial blob is ever visible.

Two fsspec file systems of our own inject the faults:

- ``tffaulty://`` models an object store (S3-like): a buffered file uploads its
  parts as it goes and the blob appears only when the last part is committed.
- ``tfmemfaulty://`` is a ``MemoryFileSystem`` whose files are visible at their
  final path from the moment they are opened, like several real fsspec backends.

Core writes blobs only through plugins, so a small blob-writing transformer
defined here (the shape every blob plugin has) carries faults through real
engine conversions too.
"""

from __future__ import annotations

import dataclasses
import gc
import io
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import fsspec
import pytest
from fsspec.implementations.memory import MemoryFile, MemoryFileSystem
from fsspec.spec import AbstractBufferedFile, AbstractFileSystem

from typeflow import TransformContext, TypeEngine, TypeTransformer
from typeflow.errors import StorageError, TypeflowError
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralType, Scalar
from typeflow.storage import FsspecStorage, LocalStorage, Storage, get_storage

BLOCK = 8  # bytes per uploaded part, so a few writes make a multipart upload


def open_uri(uri: str) -> Any:
    """Open ``uri`` as a reader of a literal would, with its protocol listed as a read root when remote."""
    roots = [uri.split("://", 1)[0] + "://"] if "://" in uri else []
    return TypeEngine().context(read_roots=roots).open_read(uri)


class Faults:
    """Which fault is active; shared by every instance of the test file systems."""

    active: ClassVar[set[str]] = set()


class FaultyFile(AbstractBufferedFile):  # type: ignore[misc]
    """Uploads parts as they fill; the blob becomes visible only on commit (as on S3)."""

    def _initiate_upload(self) -> None:
        self.parts: list[bytes] = []

    def _upload_chunk(self, final: bool = False) -> bool:
        if "write" in Faults.active and self.parts:
            raise ConnectionResetError("connection reset while uploading part 2")
        if "commit" in Faults.active and final:
            raise TimeoutError("no answer to the final upload request")
        self.parts.append(self.buffer.getvalue())
        if final and self.autocommit:
            self.commit()
        return True

    def commit(self) -> None:
        self.fs.store[self.path] = b"".join(self.parts)

    def discard(self) -> None:
        self.parts = []

    def _fetch_range(self, start: int, end: int) -> bytes:
        if "read" in Faults.active:
            raise ConnectionResetError("connection reset while reading")
        data: bytes = self.fs.store[self.path][start:end]
        if "truncate" in Faults.active:
            data = data[: len(data) // 2]
        return data


class FaultyFileSystem(AbstractFileSystem):  # type: ignore[misc]
    protocol = "tffaulty"
    root_marker = ""
    store: ClassVar[dict[str, bytes]] = {}

    def _open(self, path: str, mode: str = "rb", block_size: Any = None, autocommit: bool = True, **kwargs: Any) -> Any:
        path = self._strip_protocol(path)
        if "permission" in Faults.active:
            raise PermissionError(13, "Permission denied", path)
        if "r" in mode and path not in self.store:
            raise FileNotFoundError(path)
        return FaultyFile(self, path, mode, block_size=BLOCK, autocommit=autocommit, cache_type="none")

    def info(self, path: str, **kwargs: Any) -> dict[str, Any]:
        path = self._strip_protocol(path)
        if path not in self.store:
            raise FileNotFoundError(path)
        return {"name": path, "size": len(self.store[path]), "type": "file"}

    def ls(self, path: str, detail: bool = True, **kwargs: Any) -> list[Any]:
        path = self._strip_protocol(path).rstrip("/")
        names = [name for name in self.store if name.startswith(path + "/") or name == path]
        return [self.info(n) for n in names] if detail else names

    def rm_file(self, path: str) -> None:
        if "permission" in Faults.active:
            raise PermissionError(13, "Permission denied", path)
        self.store.pop(self._strip_protocol(path), None)  # S3 deletes a missing key without complaint


class FailingMemoryFile(MemoryFile):  # type: ignore[misc]
    def write(self, data: Any) -> int:
        if "write" in Faults.active and self.tell() >= BLOCK:
            raise OSError(28, "No space left on device")
        return int(super().write(data))


class FaultyMemoryFileSystem(MemoryFileSystem):  # type: ignore[misc]
    """A memory file system (own store) whose files are visible at the final path while written."""

    protocol = "tfmemfaulty"
    store: ClassVar[dict[str, Any]] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]

    def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
        if "permission" in Faults.active:
            raise PermissionError(13, "Permission denied", path)
        if mode == "wb":
            f = FailingMemoryFile(self, self._strip_protocol(path))
            f.commit()  # visible at once, as MemoryFileSystem does
            return f
        return super()._open(path, mode, **kwargs)


fsspec.register_implementation("tffaulty", FaultyFileSystem, clobber=True)
fsspec.register_implementation("tfmemfaulty", FaultyMemoryFileSystem, clobber=True)


@pytest.fixture
def faults() -> Iterator[set[str]]:
    Faults.active.clear()
    yield Faults.active
    Faults.active.clear()


@pytest.fixture(params=["tffaulty", "tfmemfaulty"])
def remote(request: pytest.FixtureRequest, faults: set[str]) -> FsspecStorage:
    storage = get_storage(f"{request.param}://bucket/{request.node.name}")
    assert isinstance(storage, FsspecStorage)
    return storage


def visible(storage: FsspecStorage, uri: str) -> bool:
    gc.collect()  # a file left open must not commit its partial data when it is collected
    return bool(storage.fs.exists(uri))


def write_in_parts(storage: Storage, uri: str, data: bytes) -> None:
    with storage.open_write(uri) as f:
        for start in range(0, len(data), BLOCK):
            f.write(data[start : start + BLOCK])


# ----------------------------------------------------------------------------- writes


def test_remote_round_trip_without_faults(remote: FsspecStorage) -> None:
    uri = remote.new_uri(".bin")
    write_in_parts(remote, uri, b"0123456789" * 5)
    assert remote.read_bytes(uri) == b"0123456789" * 5
    with open_uri(uri) as f:
        assert f.read(3) == b"012" and f.read() == (b"0123456789" * 5)[3:]


def test_write_failing_midway_is_a_storage_error_naming_the_uri_and_leaves_nothing(
    remote: FsspecStorage, faults: set[str]
) -> None:
    faults.add("write")
    uri = remote.new_uri(".bin")
    with pytest.raises(StorageError, match="cannot write") as info:
        write_in_parts(remote, uri, b"x" * (BLOCK * 4))
    assert info.value.uri == uri and uri in str(info.value)
    assert isinstance(info.value.__cause__, OSError)
    faults.clear()
    assert not visible(remote, uri)


def test_final_upload_failing_is_a_storage_error_and_leaves_nothing(faults: set[str]) -> None:
    storage = get_storage("tffaulty://bucket/final-upload")
    assert isinstance(storage, FsspecStorage)
    faults.add("commit")
    uri = storage.new_uri(".bin")
    with pytest.raises(StorageError, match=r"cannot write \(TimeoutError") as info:
        write_in_parts(storage, uri, b"y" * (BLOCK * 3 + 1))
    assert info.value.uri == uri
    faults.clear()
    assert not visible(storage, uri)


def test_writer_failing_midway_keeps_its_error_and_nothing_is_committed_later(remote: FsspecStorage) -> None:
    uri = remote.new_uri(".bin")
    with pytest.raises(RuntimeError, match="the producer broke"), remote.open_write(uri) as f:
        f.write(b"a" * (BLOCK * 2 + 3))  # two parts uploaded, three bytes buffered
        raise RuntimeError("the producer broke")
    del f
    assert not visible(remote, uri)


def test_permission_denied_is_a_storage_error_for_writes_and_reads(remote: FsspecStorage, faults: set[str]) -> None:
    uri = remote.new_uri(".bin")
    remote.write_bytes(uri, b"secret")
    faults.add("permission")
    fresh = remote.new_uri(".bin")
    with pytest.raises(StorageError, match="permission denied") as info:
        remote.write_bytes(fresh, b"x")
    assert info.value.uri == fresh
    for read in (remote.read_bytes, lambda u: open_uri(u).__enter__()):
        with pytest.raises(StorageError, match="permission denied") as info:
            read(uri)
        assert info.value.uri == uri


def test_delete_refused_by_the_store_is_a_storage_error_naming_the_uri(faults: set[str]) -> None:
    remote = FsspecStorage("tffaulty://bucket/delete")
    uri = remote.new_uri(".bin")
    remote.write_bytes(uri, b"kept")
    faults.add("permission")
    with pytest.raises(StorageError, match=r"cannot delete \(permission denied") as info:
        remote.delete(uri)
    assert info.value.uri == uri
    faults.discard("permission")
    remote.delete(uri)
    assert not visible(remote, uri)


# ----------------------------------------------------------------------------- reads


def test_read_failing_is_a_storage_error_naming_the_uri(faults: set[str]) -> None:
    storage = get_storage("tffaulty://bucket/read-fails")
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"z" * 100)
    faults.add("read")
    with pytest.raises(StorageError, match=r"cannot read \(ConnectionResetError") as info:
        storage.read_bytes(uri)
    assert info.value.uri == uri
    with pytest.raises(StorageError) as info, open_uri(uri) as f:
        f.seek(10)
        f.read(5)
    assert info.value.uri == uri


@pytest.mark.parametrize("how", ["read-all", "read-n", "readinto"])
def test_truncated_read_is_a_storage_error_not_short_data(faults: set[str], how: str) -> None:
    storage = get_storage("tffaulty://bucket/truncated")
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, bytes(range(100)))
    faults.add("truncate")
    with pytest.raises(StorageError, match="truncated: expected") as info, storage.open_read(uri) as f:
        if how == "read-all":
            f.read()
        elif how == "read-n":
            f.read(60)
        else:
            f.readinto(bytearray(60))
    assert info.value.uri == uri


def test_reading_past_the_end_is_not_mistaken_for_truncation() -> None:
    storage = get_storage("tffaulty://bucket/past-end")
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"12345")
    with storage.open_read(uri) as f:
        assert f.read(100) == b"12345"
        assert f.read(100) == b""
        f.seek(2)
        assert f.read() == b"345"


@pytest.mark.parametrize("url", ["tffaulty://bucket/missing", "tfmemfaulty://bucket/missing", "local"])
def test_missing_blob_is_a_storage_error_naming_the_uri(url: str, tmp_path: Path) -> None:
    storage = get_storage(str(tmp_path) if url == "local" else url)
    uri = storage.new_uri(".npy")
    with pytest.raises(StorageError, match="blob not found") as info:
        storage.read_bytes(uri)
    assert info.value.uri == uri and uri in str(info.value)
    with pytest.raises(StorageError, match="blob not found"), open_uri(uri):
        pass


def test_errors_of_the_reader_itself_are_not_relabelled_as_storage_errors() -> None:
    storage = get_storage("tffaulty://bucket/reader-errors")
    uri = storage.new_uri(".bin")
    storage.write_bytes(uri, b"data")
    with pytest.raises(KeyError), storage.open_read(uri) as f:
        f.read()
        raise KeyError("a parser bug")


# ----------------------------------------------------------------------------- local storage


def test_local_rename_failing_is_a_storage_error_and_leaves_neither_file_nor_temp(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    storage = LocalStorage(str(tmp_path))
    uri = storage.new_uri(".bin")

    def no_space(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", no_space)
    with pytest.raises(StorageError, match="No space left") as info:
        write_in_parts(storage, uri, b"q" * 40)
    assert info.value.uri == uri
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


def test_local_write_failing_midway_leaves_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    storage = LocalStorage(str(tmp_path))
    uri = storage.new_uri(".bin")
    with pytest.raises(StorageError, match="No space left") as info, storage.open_write(uri) as f:
        f.write(b"first part")
        raise OSError(28, "No space left on device")
    assert info.value.uri == uri
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []


# ----------------------------------------------------------------------------- through a conversion


@dataclasses.dataclass
class Document:
    content: bytes


class DocumentTransformer(TypeTransformer[Document]):
    """Writes a document as a blob in parts and reads it back; the shape of every blob plugin."""

    BLOB = BlobType("document", BlobDimensionality.SINGLE)

    def __init__(self) -> None:
        super().__init__("document", Document)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(blob=self.BLOB)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        uri = ctx.storage.new_uri(".doc")
        write_in_parts(ctx.storage, uri, python_val.content)
        return Literal(scalar=Scalar(blob=Blob(metadata=BlobMetadata(type=self.BLOB), uri=uri)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        assert lv.scalar is not None and lv.scalar.blob is not None
        out = io.BytesIO()
        with ctx.storage.open_read(lv.scalar.blob.uri) as f:
            while chunk := f.read(BLOCK):
                out.write(chunk)
        return Document(out.getvalue())


@pytest.fixture
def doc_engine() -> TypeEngine:
    engine = TypeEngine()
    engine.register(DocumentTransformer())
    return engine


@pytest.mark.parametrize("fault", ["write", "commit", "permission"])
def test_conversion_into_failing_storage_raises_storage_error_naming_the_uri(
    doc_engine: TypeEngine, faults: set[str], fault: str
) -> None:
    ctx = doc_engine.context(storage=f"tffaulty://bucket/convert-{fault}")
    faults.add(fault)
    with pytest.raises(StorageError) as info:
        doc_engine.to_literal(ctx, Document(b"d" * 50), Document)
    assert isinstance(info.value, TypeflowError) and info.value.uri
    assert info.value.uri.startswith(ctx.storage.url + "/") and info.value.uri in str(info.value)
    faults.clear()
    storage = ctx.storage
    assert isinstance(storage, FsspecStorage)
    assert not visible(storage, info.value.uri)


@pytest.mark.parametrize("fault", ["read", "truncate", "missing"])
def test_conversion_from_failing_storage_raises_storage_error_naming_the_uri(
    doc_engine: TypeEngine, faults: set[str], fault: str
) -> None:
    ctx = doc_engine.context(storage=f"tffaulty://bucket/convert-back-{fault}")
    lv = doc_engine.to_literal(ctx, Document(b"e" * 50), Document)
    assert doc_engine.to_python_value(ctx, lv, Document) == Document(b"e" * 50)
    assert lv.scalar is not None and lv.scalar.blob is not None
    uri = lv.scalar.blob.uri
    if fault == "missing":
        FaultyFileSystem.store.pop(FaultyFileSystem._strip_protocol(uri))
    else:
        faults.add(fault)
    with pytest.raises(StorageError) as info:
        doc_engine.to_python_value(ctx, lv, Document)
    assert info.value.uri == uri
