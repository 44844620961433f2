"""Blob storage: a local folder by default, any fsspec URL when asked.

The default is a persistent folder, ``$XDG_CACHE_HOME/typeflow`` or
``~/.cache/typeflow``; ``TYPEFLOW_STORAGE`` (a path or URL such as
``s3://bucket/prefix``) or ``engine.context(storage=...)`` overrides it.

Blobs get unique names. Local writes are atomic: data goes to a temporary
``.part`` file (in the storage folder's ``.typeflow-partial`` folder) and is
renamed into place only when complete, so no partial file is ever visible at
a final path; ``.part`` files of killed writers are swept (:mod:`typeflow._partial`). Remote writes go through
fsspec; a failed write is discarded (an S3 multipart upload is aborted, a file
system that shows a file while it is written has it removed). Every failure,
including one raised while a remote file is read or written and a remote read
that returns fewer bytes than the blob holds, is a
:class:`~typeflow.errors.StorageError` naming the URI.

S3 requests have bounded timeouts and retries (:data:`S3_CONFIG`,
:data:`S3_RETRIES`), so an unreachable or silent endpoint fails in seconds,
not minutes; pass your own ``config_kwargs`` to :class:`FsspecStorage` to
change them. On top of them, every remote read, write and delete has a total
deadline on the time it waits (:mod:`typeflow.deadlines`; ``deadline=`` on the
methods here, the context's ``io_deadline`` through
:meth:`TransformContext.open_read <typeflow.TransformContext.open_read>` /
:meth:`~typeflow.TransformContext.open_write`), so an endpoint that trickles
bytes cannot hold a read or write for longer.
"""

from __future__ import annotations

import os
import stat
import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from typing import IO, Any, Literal, cast

from typeflow import _partial, deadlines
from typeflow._written import deleted_on_failure, note_written, recording_writes
from typeflow.confine import ReadLocation, ReadPolicy
from typeflow.deadlines import Clock
from typeflow.errors import StorageError, TypeflowError

__all__ = [
    "FROM_ENVIRONMENT",
    "S3_CONFIG",
    "S3_RETRIES",
    "Deadline",
    "FsspecStorage",
    "LocalStorage",
    "Storage",
    "default_storage_url",
    "deleted_on_failure",
    "get_storage",
    "is_local",
    "note_written",
    "open_regular_file",
    "recording_writes",
]

#: botocore settings for ``s3://`` storage unless ``config_kwargs`` is given: a silent
#: endpoint costs at most ``total_max_attempts * read_timeout`` seconds per request
S3_CONFIG: dict[str, Any] = {
    "connect_timeout": 5,
    "read_timeout": 15,
    "retries": {"total_max_attempts": 2, "mode": "standard"},
}
#: s3fs's own retry loop wraps botocore's; one pass, so the two do not multiply
S3_RETRIES = 1


class _Setting(Enum):
    FROM_ENVIRONMENT = "from the environment"


#: ``deadline=`` default: ``TYPEFLOW_IO_DEADLINE``, else :data:`typeflow.deadlines.DEFAULT_IO_DEADLINE`
FROM_ENVIRONMENT = _Setting.FROM_ENVIRONMENT
#: a deadline argument: seconds, ``None`` (no deadline), or :data:`FROM_ENVIRONMENT`
Deadline = float | None | Literal[_Setting.FROM_ENVIRONMENT]


def _seconds(deadline: Deadline) -> float | None:
    return deadlines.io_deadline() if deadline is FROM_ENVIRONMENT else deadline


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


def _missing_bucket(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) is an object store saying the bucket itself is not there.

    s3fs and gcsfs turn that into a plain ``FileNotFoundError``, the same as a
    missing blob; the original botocore error (``NoSuchBucket``) or its message
    tells the two apart.
    """
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        code = getattr(current, "response", None)
        if type(current).__name__ == "NoSuchBucket" or (
            isinstance(code, dict) and code.get("Error", {}).get("Code") == "NoSuchBucket"
        ):
            return True
        if "specified bucket does not exist" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
    return False


def _bucket(uri: str) -> str:
    return uri.split("://", 1)[-1].split("/", 1)[0]


def _wrap(action: str, uri: str, exc: BaseException) -> StorageError:
    if isinstance(exc, FileNotFoundError) and "://" in uri and _missing_bucket(exc):
        reason = f"bucket {_bucket(uri)!r} does not exist; create it, or point the storage at one that does"
    elif isinstance(exc, FileNotFoundError):
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
    def open_write(self, uri: str, *, deadline: Deadline = FROM_ENVIRONMENT) -> Any:
        """Context manager yielding a binary file; the blob appears at ``uri`` only on success.

        ``deadline``: the most seconds a remote write may wait on the storage
        in total (``None``: no deadline; default ``TYPEFLOW_IO_DEADLINE`` or
        300 s); local writes have none.
        """

    def write_bytes(self, uri: str, data: bytes, *, deadline: Deadline = FROM_ENVIRONMENT) -> None:
        with self.open_write(uri, deadline=deadline) as f:
            f.write(data)

    @property
    def own_policy(self) -> ReadPolicy:
        """The read policy of this storage alone: its own location, no read roots."""
        policy: ReadPolicy | None = getattr(self, "_own_policy", None)
        if policy is None:
            policy = self._own_policy = ReadPolicy(self.url)
        return policy

    def open_read(self, uri: str, *, deadline: Deadline = FROM_ENVIRONMENT) -> Any:
        """Context manager yielding a binary file for a blob on this storage's location.

        A URI elsewhere (another bucket or protocol, ``data:``, …) is refused
        with :class:`StorageError`. Read URIs that come from a literal through
        :meth:`TransformContext.open_read <typeflow.TransformContext.open_read>`,
        which also admits the context's read roots. ``deadline`` as for
        :meth:`open_write`, from opening to closing.
        """
        return self.open_location(self.own_policy.check(uri), deadline=deadline)

    def open_location(self, loc: ReadLocation, *, deadline: Deadline = FROM_ENVIRONMENT) -> Any:
        """Open a location a :class:`~typeflow.confine.ReadPolicy` admitted; only regular files are opened."""
        if loc.local:
            return _open_local(loc.path, loc.uri)
        return _open_remote(self._filesystem_for(loc), loc.uri, Clock(_seconds(deadline), loc.uri, "read"))

    def _filesystem_for(self, loc: ReadLocation) -> Any:
        return _filesystem(loc.uri, {})[0]

    def read_bytes(self, uri: str, *, deadline: Deadline = FROM_ENVIRONMENT) -> bytes:
        with self.open_read(uri, deadline=deadline) as f:
            data: bytes = f.read()
            return data

    def delete(self, uri: str, *, deadline: Deadline = FROM_ENVIRONMENT) -> None:
        """Remove the blob at ``uri`` (under this storage's root); a blob that is not there is not an error.

        For a transformer that writes a value as several blobs and fails after
        some of them: it deletes the ones it wrote, so a failed conversion leaves
        nothing behind. Failures are :class:`StorageError` naming the URI; a URI
        outside this storage's root is refused.
        """
        loc = self.own_policy.check_delete(uri)
        if loc.local:
            _delete_local(loc.path, uri)
        else:
            _delete_remote(self._filesystem_for(loc), uri, Clock(_seconds(deadline), uri, "delete"))

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.url!r})"


class LocalStorage(Storage):
    """A folder on the local file system; blob URIs are absolute paths."""

    def __init__(self, url: str) -> None:
        self.url = _local_path(url)

    def join(self, *parts: str) -> str:
        return os.path.join(self.url, *parts)

    @contextmanager
    def open_write(self, uri: str, *, deadline: Deadline = FROM_ENVIRONMENT) -> Iterator[IO[bytes]]:
        path = _local_path(uri)
        directory = os.path.dirname(path)
        try:
            os.makedirs(directory, exist_ok=True)
        except OSError as exc:  # not "blob not found": nothing was looked for
            why = "a file has that name" if isinstance(exc, FileExistsError) else exc.strerror or str(exc)
            raise StorageError(f"cannot write (the folder {directory} cannot be created: {why})", uri=uri) from exc
        try:
            _partial.sweep_now_and_then(self.url)
            temp = _partial.temp_path(self.url, path)
            f = _partial.open_partial(temp)
        except FileNotFoundError as exc:  # the folder is there but takes no new file (such as /proc)
            where = os.path.dirname(exc.filename) if isinstance(exc.filename, str) else directory
            raise StorageError(f"cannot write (no file can be created in {where}: {exc.strerror or exc})", uri=uri) from exc
        except OSError as exc:
            raise _wrap("write", uri, exc) from exc
        renamed = False
        try:
            with f:
                yield f
                f.flush()
                durable = _partial.fsync_wanted()
                if durable:
                    _partial.sync_file(f.fileno())  # the data is on disk before the name points at it
                if _partial.RENAME_WHILE_OPEN:  # still locked: a sweep never takes a finished write for a dead one
                    _partial.rename_into_place(temp, path)
                    renamed = True
            if not renamed:
                _partial.rename_into_place(temp, path)
                renamed = True
            if durable:
                _partial.sync_folder(directory)  # and the name itself
            note_written(uri)
        except BaseException as exc:
            _remove_quietly(temp)
            if renamed:
                _remove_quietly(path)  # closing failed after the rename: what is there may be incomplete
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
    def open_write(self, uri: str, *, deadline: Deadline = FROM_ENVIRONMENT) -> Iterator[IO[bytes]]:
        from typeflow import _remote_files as remote_files  # it imports this module's _wrap

        seconds = _seconds(deadline)
        clock = Clock(seconds, uri, "write")
        try:
            with clock.waiting():
                f = self.fs.open(uri, "wb")
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap("write", uri, exc) from exc
        try:
            yield cast(IO[bytes], remote_files.WriteStream(f, uri, clock))
        except BaseException as exc:
            self._discard(f, uri, seconds)
            if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
                raise _wrap("write", uri, exc) from exc
            raise
        try:
            with clock.waiting():
                f.close()
        except Exception as exc:
            self._discard(f, uri, seconds)
            if isinstance(exc, TypeflowError):
                raise
            raise _wrap("write", uri, exc) from exc
        note_written(uri)

    def _discard(self, f: Any, uri: str, seconds: float | None) -> None:
        """Make sure nothing of a failed write is, or later becomes, visible at ``uri``.

        The clean-up waits on the storage under a deadline of its own (the
        write's may be what ran out), as long as the write's.
        """
        from typeflow import _remote_files as remote_files  # it imports this module's _wrap

        clock = Clock(seconds, uri, "clean up")
        try:
            discard = getattr(f, "discard", None)
            if discard is not None:
                with clock.waiting():
                    discard()  # aborts e.g. an S3 multipart upload
        except Exception:
            pass
        if remote_files.is_buffered(f):
            # A buffered file commits only when closed; mark it closed so that
            # garbage collection (its __del__ closes it) cannot flush the partial data.
            f.closed = True
            return
        # Other files (memory://, some local-like systems) show data while it is written.
        try:
            with clock.waiting():
                f.close()
        except Exception:
            pass
        try:
            with clock.waiting():
                self.fs.rm_file(uri)
        except Exception:
            pass

    def _filesystem_for(self, loc: ReadLocation) -> Any:
        """This storage's own file system (and options) for its bucket; another one elsewhere."""
        if self.own_policy.on_storage_location(loc):
            return self.fs
        return super()._filesystem_for(loc)


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
        config = dict(options.get("config_kwargs") or {**S3_CONFIG, "retries": dict(S3_CONFIG["retries"])})
        from typeflow._s3_session import bounded_http_session

        session_cls = bounded_http_session()
        if session_cls is not None:
            config.setdefault("http_session_cls", session_cls)
        options["config_kwargs"] = config
    try:
        fs, path = fsspec.core.url_to_fs(url, **options)
    except ImportError as exc:
        scheme = url.split("://", 1)[0]
        hint = 'pip install "typeflow[s3]"' if scheme in ("s3", "s3a") else f"install the fsspec backend for {scheme}://"
        raise StorageError(f"no file system for {scheme}:// ({exc}); {hint}", uri=url) from exc
    except Exception as exc:
        raise StorageError(f"cannot open storage ({type(exc).__name__}: {exc})", uri=url) from exc
    if url.startswith(("s3://", "s3a://")) and hasattr(fs, "retries"):
        fs.retries = S3_RETRIES  # botocore retries already; s3fs's loop on top would multiply the wait
    return fs, path


_storages: dict[str, Storage] = {}
_storages_lock = threading.Lock()


def _cache_key(url: str) -> str:
    # An S3 endpoint comes from the environment; a changed endpoint is another storage.
    if url.startswith(("s3://", "s3a://")):
        endpoint = os.environ.get("AWS_ENDPOINT_URL_S3") or os.environ.get("AWS_ENDPOINT_URL") or ""
        return f"{url} {endpoint}"
    return url


def get_storage(url: str | None = None) -> Storage:
    """The storage for ``url`` (default: :func:`default_storage_url`), shared per URL (and S3 endpoint)."""
    url = url or default_storage_url()
    key = _cache_key(url)
    storage = _storages.get(key)
    if storage is None:
        with _storages_lock:
            storage = _storages.get(key)
            if storage is None:
                storage = LocalStorage(url) if is_local(url) else FsspecStorage(url)
                _storages[key] = storage
    return storage


_NOT_REGULAR = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a FIFO",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}
_OPEN_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def open_regular_file(path: str, uri: str) -> IO[bytes]:
    """Open local ``path`` for reading if it is a regular file; :class:`StorageError` naming ``uri`` otherwise.

    Opened non-blocking and checked with ``fstat`` on the open descriptor, so a
    FIFO (whose ``open`` would wait for a writer for ever), a device or a
    directory is refused at once, and a file swapped after a check cannot slip
    through.
    """
    try:
        fd = os.open(path, _OPEN_FLAGS)
    except OSError as exc:
        raise _wrap("read", uri, exc) from exc
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            kind = _NOT_REGULAR.get(stat.S_IFMT(mode), "not a regular file")
            raise StorageError(f"cannot read ({kind}: typeflow reads only regular files)", uri=uri)
        os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


@contextmanager
def _open_local(path: str, uri: str) -> Iterator[IO[bytes]]:
    f = open_regular_file(path, uri)
    try:
        with f:
            yield f
    except (OSError, EOFError) as exc:
        if isinstance(exc, TypeflowError):
            raise
        raise _wrap("read", uri, exc) from exc


def _delete_local(path: str, uri: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _wrap("delete", uri, exc) from exc


def _delete_remote(fs: Any, uri: str, clock: Clock) -> None:
    try:
        with clock.waiting():
            fs.rm_file(uri)
    except FileNotFoundError:
        pass
    except TypeflowError:
        raise
    except Exception as exc:
        raise _wrap("delete", uri, exc) from exc


@contextmanager
def _open_remote(fs: Any, uri: str, clock: Clock) -> Iterator[IO[bytes]]:
    from typeflow import _remote_files as remote_files  # it imports this module's _wrap

    try:
        with clock.waiting():
            f = fs.open(uri, "rb")
    except TypeflowError:
        raise
    except Exception as exc:
        raise _wrap("read", uri, exc) from exc
    stream = remote_files.ReadStream(f, uri, clock)
    try:
        yield cast(IO[bytes], stream)
    except EOFError as exc:
        raise _wrap("read", uri, exc) from exc
    finally:
        try:
            f.close()
        except Exception:
            pass


def _remove_quietly(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass
