"""Remote files whose every call waits at most the I/O deadline, and whose failures are StorageError naming the URI.

:class:`~typeflow.storage.FsspecStorage` hands these out for the files it
opens: a :class:`ReadStream` also refuses short reads (fewer bytes than the
blob's size says are left), and every byte moved earns the deadline time
(:meth:`typeflow.deadlines.Clock.earn`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from typeflow import deadlines
from typeflow.deadlines import Clock
from typeflow.errors import StorageError, TypeflowError
from typeflow.storage import _wrap

__all__ = ["ReadStream", "Stream", "WriteStream", "is_buffered"]


def is_buffered(f: Any) -> bool:
    from fsspec.spec import AbstractBufferedFile

    return isinstance(f, AbstractBufferedFile)


class Stream:
    """A remote file whose failures become :class:`StorageError` naming the URI; every call within ``clock``."""

    _action = "read"

    def __init__(self, f: Any, uri: str, clock: Clock | None = None) -> None:
        self._f = f
        self.uri = uri
        self._clock = clock if clock is not None else Clock(deadlines.io_deadline(), uri, self._action)

    def _call(self, method: str, *args: Any) -> Any:
        try:
            with self._clock.waiting():
                return getattr(self._f, method)(*args)
        except TypeflowError:
            raise
        except Exception as exc:
            if isinstance(exc, ValueError) and not isinstance(exc, UnicodeError) and self._f.closed:
                raise  # I/O on a closed file is the caller's mistake, as with any file
            raise _wrap(self._action, self.uri, exc) from exc

    def seek(self, offset: int, whence: int = 0) -> int:
        result: int = self._call("seek", offset, whence)
        return result

    def tell(self) -> int:
        result: int = self._call("tell")
        return result

    def flush(self) -> None:
        self._call("flush")

    def __iter__(self) -> Iterator[bytes]:
        return self

    def __next__(self) -> bytes:
        line: bytes = self._call("readline")
        if not line:
            raise StopIteration
        return line

    def __enter__(self) -> Stream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._call("close")

    def __getattr__(self, name: str) -> Any:
        return getattr(self._f, name)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.uri}>"


class WriteStream(Stream):
    _action = "write"

    def write(self, data: Any) -> int:
        written: int = self._call("write", data)
        self._clock.earn(written if isinstance(written, int) else 0)
        return written

    def writelines(self, lines: Any) -> None:
        for line in lines:
            self.write(line)


class ReadStream(Stream):
    """Also refuses short reads: fewer bytes than the blob's size says are left."""

    def _remaining(self) -> int | None:
        size = getattr(self._f, "size", None)
        if type(size) is not int:
            return None
        try:
            position: int = self._f.tell()
        except Exception:
            return None
        return max(size - position, 0)

    def _check(self, remaining: int | None, wanted: int, got: int) -> None:
        if remaining is None:
            return
        expected = remaining if wanted < 0 else min(wanted, remaining)
        if got < expected:
            raise StorageError(f"cannot read (truncated: expected {expected} bytes, got {got})", uri=self.uri)

    def read(self, size: int | None = -1) -> bytes:
        wanted = -1 if size is None else size
        remaining = self._remaining()
        data: bytes = self._call("read", wanted)
        self._check(remaining, wanted, len(data))
        self._clock.earn(len(data))
        return data

    def read1(self, size: int = -1) -> bytes:
        return self.read(size)

    def readinto(self, buffer: Any) -> int:
        remaining = self._remaining()
        got: int = self._call("readinto", buffer)
        self._check(remaining, memoryview(buffer).nbytes, got)
        self._clock.earn(got)
        return got

    def readline(self, size: int = -1) -> bytes:
        line: bytes = self._call("readline", size)
        return line

    def readable(self) -> bool:
        return True
