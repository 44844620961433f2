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
