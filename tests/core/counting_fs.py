"""fsspec file systems that count how many files are in flight at once (real subclasses, not mocks).

``tfcount://`` is a ``MemoryFileSystem`` (sync: typeflow moves its files on a
thread pool); ``tfcountasync://`` is an async file system over one (typeflow
moves its files as coroutines on fsspec's loop, as for s3fs). Each transfer
sleeps a little inside the counted region so that concurrent ones overlap.
"""

from __future__ import annotations

import asyncio
import threading
import time
from typing import Any, ClassVar

import fsspec
from fsspec.implementations.memory import MemoryFileSystem

DELAY = 0.02


class InFlight:
    """Counts transfers running now, the most seen at once, and the total."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.now = 0
        self.peak = 0
        self.total = 0

    def enter(self) -> None:
        with self._lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self._lock:
            self.now -= 1

    def reset(self) -> None:
        with self._lock:
            self.now = self.peak = self.total = 0


class CountingMemoryFileSystem(MemoryFileSystem):  # type: ignore[misc]
    protocol = "tfcount"
    store: ClassVar[dict[str, Any]] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]
    puts = InFlight()
    gets = InFlight()
    #: when set, every upload after this many fails, as a dropped connection would
    fail_after: ClassVar[int | None] = None

    def put_file(self, lpath: str, rpath: str, callback: Any = None, **kwargs: Any) -> None:
        self.puts.enter()
        try:
            time.sleep(DELAY)
            if self.fail_after is not None and self.puts.total > self.fail_after:
                raise ConnectionResetError("connection reset while uploading")
            super().put_file(lpath, rpath, callback=callback, **kwargs)
        finally:
            self.puts.leave()

    def get_file(self, rpath: str, lpath: str, callback: Any = None, **kwargs: Any) -> None:
        self.gets.enter()
        try:
            time.sleep(DELAY)
            super().get_file(rpath, lpath, callback=callback, **kwargs)
        finally:
            self.gets.leave()


class _AsyncBacking(MemoryFileSystem):  # type: ignore[misc]
    protocol = "tfcountasync"
    store: ClassVar[dict[str, Any]] = {}
    pseudo_dirs: ClassVar[list[str]] = [""]


def _async_class() -> type:
    from fsspec.implementations.asyn_wrapper import AsyncFileSystemWrapper

    class CountingAsyncFileSystem(AsyncFileSystemWrapper):  # type: ignore[misc]
        """Async: ``_put_file``/``_get_file`` are coroutines, run on fsspec's event loop."""

        protocol = "tfcountasync"
        puts = InFlight()
        gets = InFlight()

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(fs=_AsyncBacking(), asynchronous=False)
            wrapped_put, wrapped_get = self._put_file, self._get_file

            async def put(lpath: str, rpath: str, callback: Any = None, **kw: Any) -> None:
                self.puts.enter()
                try:
                    await asyncio.sleep(DELAY)
                    await wrapped_put(lpath, rpath, callback=callback, **kw)
                finally:
                    self.puts.leave()

            async def get(rpath: str, lpath: str, callback: Any = None, **kw: Any) -> None:
                self.gets.enter()
                try:
                    await asyncio.sleep(DELAY)
                    await wrapped_get(rpath, lpath, callback=callback, **kw)
                finally:
                    self.gets.leave()

            self._put_file, self._get_file = put, get

        def _open(self, path: str, mode: str = "rb", **kwargs: Any) -> Any:
            return self.sync_fs._open(path, mode, **kwargs)

    return CountingAsyncFileSystem


CountingAsyncFileSystem: Any = _async_class()


def register() -> None:
    fsspec.register_implementation("tfcount", CountingMemoryFileSystem, clobber=True)
    fsspec.register_implementation("tfcountasync", CountingAsyncFileSystem, clobber=True)
