"""Blob storage: a local folder by default, any fsspec URL when asked.

The default is a persistent folder, ``$XDG_CACHE_HOME/typeflow`` or
``~/.cache/typeflow``; ``TYPEFLOW_STORAGE`` (a path or URL such as
``s3://bucket/prefix``) or ``engine.context(storage=...)`` overrides it.

Blobs get unique names. Local writes are atomic: data goes to a temporary
file beside the target and is renamed into place only when complete, so no
partial file is ever visible at a final path. Remote writes go through
fsspec; a failed write is discarded. Every failure is a
:class:`~typeflow.errors.StorageError` naming the URI.
"""

from __future__ import annotations

import os
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from typing import IO, Any

from typeflow.errors import StorageError, TypeflowError

__all__ = ["FsspecStorage", "LocalStorage", "Storage", "default_storage_url", "get_storage", "is_local"]


def default_storage_url() -> str:
    """``TYPEFLOW_STORAGE``, else ``$XDG_CACHE_HOME/typeflow``, else ``~/.cache/typeflow``."""
    configured = os.environ.get("TYPEFLOW_STORAGE")
    if configured:
        return configured
    cache = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(cache, "typeflow")


def is_local(url: str) -> bool:
    return "://" not in url or url.startswith("file://")


def _local_path(url: str) -> str:
    return os.path.abspath(url[len("file://") :] if url.startswith("file://") else url)


def _wrap(action: str, uri: str, exc: BaseException) -> StorageError:
    if isinstance(exc, FileNotFoundError):
        reason = "blob not found"
    elif isinstance(exc, PermissionError):
        reason = "permission denied"
    elif isinstance(exc, IsADirectoryError):
        reason = "expected a file, found a directory"
    else:
        reason = f"{type(exc).__name__}: {exc}"
    return StorageError(f"cannot {action} ({reason})", uri=uri)


class Storage(ABC):
    """Where new blobs go, and how any blob URI is read."""

    url: str

    def new_uri(self, suffix: str = "") -> str:
        """A fresh, unique URI under this storage (``suffix`` such as ``".npy"``)."""
        name = uuid.uuid4().hex
        return self.join(name[:2], name + suffix)

    def new_prefix(self) -> str:
        """A fresh, unique folder URI for a multi-file value."""
        name = uuid.uuid4().hex
        return self.join(name[:2], name)

    @abstractmethod
    def join(self, *parts: str) -> str: ...

    @abstractmethod
    def open_write(self, uri: str) -> Any:
        """Context manager yielding a binary file; the blob appears at ``uri`` only on success."""

    def write_bytes(self, uri: str, data: bytes) -> None:
        with self.open_write(uri) as f:
            f.write(data)

    def open_read(self, uri: str) -> Any:
        """Context manager yielding a binary file for any URI (local path or fsspec URL)."""
        return open_uri(uri)

    def read_bytes(self, uri: str) -> bytes:
        with self.open_read(uri) as f:
            data: bytes = f.read()
            return data

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class LocalStorage(Storage):
    """A folder on the local file system; blob URIs are absolute paths."""

    def __init__(self, url: str) -> None:
        self.url = _local_path(url)

    def join(self, *parts: str) -> str:
        return os.path.join(self.url, *parts)

    @contextmanager
    def open_write(self, uri: str) -> Iterator[IO[bytes]]:
        path = _local_path(uri)
        directory = os.path.dirname(path)
        temp = os.path.join(directory, f".{os.path.basename(path)}.{uuid.uuid4().hex[:8]}.part")
        try:
            os.makedirs(directory, exist_ok=True)
            f = open(temp, "wb")  # noqa: SIM115 - closed below, before the rename
        except OSError as exc:
            raise _wrap("write", uri, exc) from exc
        try:
            with f:
                yield f
            os.replace(temp, path)
        except BaseException as exc:
            _remove_quietly(temp)
            if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
                raise _wrap("write", uri, exc) from exc
            raise

    def local_path(self, uri: str) -> str:
        return _local_path(uri)


class FsspecStorage(Storage):
    """Any fsspec file system (``s3://``, ``gs://``, ``memory://``, …)."""

    def __init__(self, url: str, **storage_options: Any) -> None:
        self.url = url.rstrip("/")
        self.fs, _ = _filesystem(url, storage_options)

    def join(self, *parts: str) -> str:
        return "/".join((self.url, *parts))

    @contextmanager
    def open_write(self, uri: str) -> Iterator[IO[bytes]]:
        try:
            f = self.fs.open(uri, "wb")
        except Exception as exc:
            raise _wrap("write", uri, exc) from exc
        try:
            yield f
        except BaseException:
            discard = getattr(f, "discard", None)
            try:
                if discard is not None:
                    discard()  # aborts e.g. an S3 multipart upload: nothing becomes visible
                else:
                    f.close()
                    self.fs.rm(uri)
            except Exception:
                pass
            raise
        try:
            f.close()
        except Exception as exc:
            raise _wrap("write", uri, exc) from exc


def _filesystem(url: str, storage_options: dict[str, Any]) -> tuple[Any, str]:
    try:
        import fsspec
    except ImportError as exc:  # pragma: no cover - fsspec is a core dependency
        raise StorageError("fsspec is required for remote storage: pip install fsspec", uri=url) from exc
    options = dict(storage_options)
    if url.startswith(("s3://", "s3a://")):
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL")
        if endpoint:
            options.setdefault("endpoint_url", endpoint)
        options.setdefault("config_kwargs", {"connect_timeout": 10, "read_timeout": 60, "retries": {"max_attempts": 2}})
    try:
        fs, path = fsspec.core.url_to_fs(url, **options)
    except ImportError as exc:
        scheme = url.split("://", 1)[0]
        hint = 'pip install "typeflow[s3]"' if scheme in ("s3", "s3a") else f"install the fsspec backend for {scheme}://"
        raise StorageError(f"no file system for {scheme}:// ({exc}); {hint}", uri=url) from exc
    except Exception as exc:
        raise StorageError(f"cannot open storage ({type(exc).__name__}: {exc})", uri=url) from exc
    return fs, path


_storages: dict[str, Storage] = {}
_storages_lock = threading.Lock()


def get_storage(url: str | None = None) -> Storage:
    """The storage for ``url`` (default: :func:`default_storage_url`), shared per URL."""
    url = url or default_storage_url()
    storage = _storages.get(url)
    if storage is None:
        with _storages_lock:
            storage = _storages.get(url)
            if storage is None:
                storage = LocalStorage(url) if is_local(url) else FsspecStorage(url)
                _storages[url] = storage
    return storage


@contextmanager
def open_uri(uri: str) -> Iterator[IO[bytes]]:
    """Open any blob URI for reading; failures are :class:`StorageError` naming it."""
    try:
        if is_local(uri):
            f: Any = open(_local_path(uri), "rb")  # noqa: SIM115 - closed below
        else:
            fs, _ = _filesystem(uri, {})
            f = fs.open(uri, "rb")
    except StorageError:
        raise
    except Exception as exc:
        raise _wrap("read", uri, exc) from exc
    try:
        with f:
            yield f
    except (OSError, EOFError) as exc:
        if isinstance(exc, TypeflowError):
            raise
        raise _wrap("read", uri, exc) from exc


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
