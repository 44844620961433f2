"""Array blobs named by someone else's literal: confined, regular files only, never blocking."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import numpy as np
import pytest

from typeflow import TypeEngine
from typeflow.errors import StorageError
from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, Scalar

from ..helpers import POWER_LOSS_DAMAGE, damage_as_a_power_loss_can


def array_literal(uri: str) -> Literal:
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("NumpyArray")), uri)))


def _unblock_later(fifo: Path, after: float) -> threading.Thread:
    """Open the FIFO's writing end after ``after`` seconds, so a reader stuck on it returns (the test then fails)."""

    def release() -> None:
        time.sleep(after)
        try:
            fd = os.open(fifo, os.O_WRONLY | os.O_NONBLOCK)
            os.close(fd)
        except OSError:
            pass

    thread = threading.Thread(target=release, daemon=True)
    thread.start()
    return thread


@pytest.mark.parametrize("mmap", [False, True])
def test_a_fifo_uri_is_refused_at_once(tmp_path: Path, mmap: bool) -> None:
    fifo = tmp_path / "storage" / "ab" / "blob.npy"
    fifo.parent.mkdir(parents=True)
    os.mkfifo(fifo)
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), numpy_mmap=mmap)
    _unblock_later(fifo, 5.0)
    start = time.monotonic()
    with pytest.raises(StorageError, match="FIFO") as info:
        ctx.engine.to_python_value(ctx, array_literal(str(fifo)), np.ndarray)
    assert time.monotonic() - start < 4, "the read waited on the FIFO"
    assert info.value.uri == str(fifo)


def test_a_device_or_directory_uri_is_refused(tmp_path: Path) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path))
    for uri, kind in (("/dev/zero", "character device"), (str(tmp_path), "directory")):
        with pytest.raises(StorageError, match=kind):
            ctx.engine.to_python_value(ctx, array_literal(uri), np.ndarray)


@pytest.mark.parametrize("uri", ["http://127.0.0.1:9/x.npy", "memory://elsewhere/x.npy", "data:,abc", "simplecache::/tmp/x.npy"])
def test_foreign_protocols_are_refused(tmp_path: Path, uri: str) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(StorageError, match="refused to read"):
        ctx.engine.to_python_value(ctx, array_literal(uri), np.ndarray)


def _npy_with_header(header: bytes) -> bytes:
    return b"\x93NUMPY\x02\x00" + len(header).to_bytes(4, "little") + header


def test_a_header_longer_than_numpys_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    import tracemalloc

    path = tmp_path / "ab" / "big-header.npy"
    path.parent.mkdir()
    path.write_bytes(_npy_with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (" + b"1," * 300_000 + b")}"))
    ctx = TypeEngine().context(storage=str(tmp_path))
    tracemalloc.start()
    try:
        with pytest.raises(StorageError, match="longer than the 10000 allowed"):
            ctx.engine.to_python_value(ctx, array_literal(str(path)), np.ndarray)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2**20


def test_an_array_over_the_read_budget_is_refused_before_it_is_allocated(tmp_path: Path) -> None:
    from typeflow.errors import ReadBudgetError

    path = tmp_path / "ab" / "huge.npy"
    path.parent.mkdir()
    header = _npy_with_header(b"{'descr': '<f8', 'fortran_order': False, 'shape': (200000000,)}  \n")
    path.write_bytes(header)
    os.truncate(path, len(header) + 1_600_000_000)  # sparse: the blob really holds the data its header promises
    ctx = TypeEngine().context(storage=str(tmp_path))
    with pytest.raises(ReadBudgetError, match=r"over the read budget of 1073741824 bytes.*read_budget") as info:
        ctx.engine.to_python_value(ctx, array_literal(str(path)), np.ndarray)
    assert info.value.uri == str(path) and info.value.needed == 1_600_000_000
    small = TypeEngine().context(storage=str(tmp_path), read_budget="1KiB")
    lv = small.engine.to_literal(small, np.zeros(1000), np.ndarray)
    with pytest.raises(ReadBudgetError, match="1024 bytes"):
        small.engine.to_python_value(small, lv, np.ndarray)


def test_memory_maps_only_blobs_inside_the_storage_root(tmp_path: Path) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), numpy_mmap=True)
    inside = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, np.arange(10.0), np.ndarray), np.ndarray)
    assert isinstance(inside, np.memmap)
    outside = tmp_path / "elsewhere.npy"
    np.save(outside, np.arange(10.0))
    read = ctx.engine.to_python_value(ctx, array_literal(str(outside)), np.ndarray)
    assert not isinstance(read, np.memmap) and read.tolist() == list(np.arange(10.0))


@pytest.mark.parametrize("damage", POWER_LOSS_DAMAGE)
@pytest.mark.parametrize("mmap", [False, True])
def test_an_array_blob_a_power_loss_can_leave_unsynced_is_a_typed_error_naming_it(
    tmp_path: Path, damage: str, mmap: bool
) -> None:
    """What a renamed but unsynced blob can hold after a power loss (TYPEFLOW_FSYNC is off by default)."""
    from typeflow.errors import TypeflowError

    ctx = TypeEngine().context(storage=str(tmp_path / "storage"), numpy_mmap=mmap)
    lv = ctx.engine.to_literal(ctx, np.arange(10_000, dtype=np.float64), np.ndarray)
    path = lv.scalar.blob.uri
    damage_as_a_power_loss_can(path, damage)
    with pytest.raises(TypeflowError) as info:
        ctx.engine.to_python_value(ctx, lv, np.ndarray)
    assert path in str(info.value)
