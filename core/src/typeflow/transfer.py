"""Moving files between this machine and storage: one file, or a tree of them concurrently.

Used by :class:`~typeflow.types.File`, :class:`~typeflow.types.Directory` and
the stream types. Every transfer:

- goes through the file system that owns the URI (the context storage's own
  for blobs under it, so its options apply);
- runs up to ``limit`` files at once: on fsspec's event loop for async file
  systems (s3fs, gcsfs, …), on a thread pool for the others and for local
  storage;
- stops starting files after the first failure, waits for those in flight,
  and leaves nothing behind: uploaded files are deleted again, a local
  upload is written beside its target and renamed into place only when complete;
- raises :class:`~typeflow.errors.StorageError` naming the URI;
- waits on a remote storage at most the context's ``io_deadline`` per file
  (and per listing or delete), see :mod:`typeflow.deadlines`.

Reads of URIs that came from a literal are *confined*: they go through
:func:`readable` first: the context's read policy (:mod:`typeflow.confine`) decides.
"""

from __future__ import annotations

import os
import posixpath
import shutil
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

from typeflow import _local_files as local_files
from typeflow import _partial, budgets, deadlines
from typeflow._concurrent import run_async, run_threads
from typeflow._local_files import Entry
from typeflow._remote_files import ReadStream
from typeflow.confine import FOLDER_LISTED
from typeflow.deadlines import Clock
from typeflow.errors import ReadBudgetError, StorageError, TypeflowError
from typeflow.progress import Transfer
from typeflow.storage import (
    FROM_ENVIRONMENT,
    Deadline,
    FsspecStorage,
    LocalStorage,
    Storage,
    _filesystem,
    _local_path,
    _seconds,
    _wrap,
    is_local,
    note_written,
    open_regular_file,
)

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = [
    "DEFAULT_THREADS",
    "Entry",
    "child_uri",
    "default_files_in_flight",
    "delete_tree",
    "download_file",
    "download_tree",
    "list_tree",
    "local_download_dir",
    "open_blob",
    "read_budget",
    "read_bytes",
    "readable",
    "safe_relpath",
    "upload_file",
    "upload_tree",
]

#: files in flight at once on a thread pool (sync remote file systems) without a BatchSize
DEFAULT_THREADS = 16
_READ_CHUNK = 2**20


# ------------------------------------------------------------------ locations


@dataclass(frozen=True)
class _Where:
    """How to reach a URI: through a file system, or the local one (``fs is None``)."""

    fs: Any
    path: str

    @property
    def local(self) -> bool:
        return self.fs is None

    @property
    def is_async(self) -> bool:
        return bool(getattr(self.fs, "async_impl", False)) and getattr(self.fs, "loop", None) is not None


def _where(storage: Storage | None, uri: str) -> _Where:
    if is_local(uri):
        return _Where(None, _local_path(uri))
    if isinstance(storage, FsspecStorage) and uri.startswith(storage.url + "/"):
        return _Where(storage.fs, uri)
    fs, _ = _filesystem(uri, {})
    return _Where(fs, uri)


def child_uri(prefix: str, *names: str) -> str:
    """``prefix/name/...``: a URI inside the folder ``prefix`` (a local path or any URL)."""
    if is_local(prefix):
        return os.path.join(prefix, *names)
    return "/".join((prefix.rstrip("/"), *names))


def readable(ctx: TransformContext | None, uri: str, storage: Storage | None = None, folder: bool = False) -> _Where:
    """Where to read ``uri`` from, after the context's read policy admitted it.

    A URI a literal names is confined: :meth:`TransformContext.check_read`
    decides (the storage's own location plus the read roots), local paths
    come back real and symlink-free, and remote ones are read with the file
    system the storage uses for that location. A local ``folder`` (a
    directory to list) must lie inside the storage folder or a read root:
    listing is a recursive scan, and a literal must not point one at ``/``.
    ``ctx is None`` means the URI
    is the user's own (a ``File("s3://…")`` they made), not something a
    literal chose, and it is not checked.
    """
    if ctx is None:
        return _where(storage, uri)
    loc = ctx.check_read(uri)
    if loc.local:
        if folder:  # a folder is scanned recursively: only inside the storage folder or a read root, never "/"
            loc = ctx.check_read(uri, roots_only=True, reason=FOLDER_LISTED)
        return _Where(None, loc.path)
    return _Where(ctx.storage._filesystem_for(loc), loc.url)


def default_files_in_flight(storage: Storage | None, uri: str) -> int:
    """How many files of a tree move at once without a ``BatchSize``.

    What fsspec itself would use for an async file system (s3fs, gcsfs);
    :data:`DEFAULT_THREADS` for other remote ones; one at a time between local
    folders, where the kernel does the copying and threads only contend
    (measured in ``benchmarks/bench_files.py``).
    """
    where = _where(storage, uri)
    if where.is_async:
        from fsspec.asyn import _get_batch_size

        size = int(_get_batch_size())
        return size if size > 0 else 1024
    if where.local:
        return 1
    return DEFAULT_THREADS


_download_root: str | None = None
_download_lock = threading.Lock()


def local_download_dir() -> str:
    """A fresh folder for one download, under a per-process temporary folder removed at exit."""
    global _download_root
    with _download_lock:
        if _download_root is None or not os.path.isdir(_download_root):
            import atexit
            import tempfile

            _download_root = tempfile.mkdtemp(prefix="typeflow-downloads-")
            atexit.register(shutil.rmtree, _download_root, True)
        root = _download_root
    path = os.path.join(root, uuid.uuid4().hex)
    os.makedirs(path)
    return path


def safe_relpath(relpath: str, where: str) -> str:
    """``relpath`` normalised, refused if it would leave the folder it belongs to (``..``, absolute)."""
    normal = posixpath.normpath(relpath.replace(os.sep, "/"))
    if not relpath or normal.startswith(("/", "../")) or normal in (".", "..") or posixpath.isabs(relpath):
        raise StorageError(f"refusing file {relpath!r}: its path leaves the directory", uri=where)
    return normal


# ------------------------------------------------------------------ running files concurrently


# ------------------------------------------------------------------ single files


def _remote_error(action: str, uri: str, exc: BaseException) -> BaseException:
    if isinstance(exc, TypeflowError) or not isinstance(exc, Exception):
        return exc
    return _wrap(action, uri, exc)


def _remove_remote(fs: Any, uri: str, seconds: float | None) -> None:
    try:
        with Clock(seconds, uri, "clean up").waiting():
            fs.rm_file(uri)
    except Exception:
        pass


def upload_file(ctx: TransformContext, src: str, uri: str) -> int:
    """Copy the local file ``src`` to ``uri`` (in ``ctx.storage`` or any URI); returns its size."""
    size = local_files.file_size(src, src)
    where = _where(ctx.storage, uri)
    with Transfer(ctx, "upload", uri, size) as transfer:
        if where.local:
            local_files.put_local(src, where.path, transfer, root=_local_root(ctx.storage))
        else:
            seconds = deadlines.io_deadline(ctx)
            try:
                with Clock(seconds, uri, "write").waiting():
                    where.fs.put_file(src, where.path, callback=transfer.callback())
            except BaseException as exc:
                _remove_remote(where.fs, where.path, seconds)
                raise _remote_error("write", uri, exc) from exc
    note_written(uri)
    return size


def download_file(
    ctx: TransformContext | None, uri: str, dst: str, storage: Storage | None = None, size: int | None = None
) -> None:
    """Copy the blob at ``uri`` to the local path ``dst`` (confined when ``ctx`` is given)."""
    where = readable(ctx, uri, storage)
    os.makedirs(os.path.dirname(dst) or ".", exist_ok=True)
    if where.local:
        if size is None:
            size = local_files.file_size(where.path, uri)
        with Transfer(ctx, "download", uri, size) as transfer:
            local_files.copy_stored(where.path, uri, dst, transfer)
        return
    fs = where.fs
    clock = Clock(deadlines.io_deadline(ctx), uri, "read")
    try:
        if size is None:
            with clock.waiting():
                size = int(fs.info(where.path).get("size") or 0)
        with Transfer(ctx, "download", uri, size) as transfer, clock.waiting():
            fs.get_file(where.path, dst, callback=transfer.callback())
    except BaseException as exc:
        local_files.discard(dst)
        raise _remote_error("read", uri, exc) from exc
    local_files.check_size(dst, uri, size)


def open_blob(ctx: TransformContext, uri: str) -> IO[bytes]:
    """An open, read-only binary stream on the blob at ``uri`` (confined); the caller closes it."""
    where = readable(ctx, uri)
    if where.local:
        return open_regular_file(where.path, uri)
    clock = Clock(deadlines.io_deadline(ctx), uri, "read")
    try:
        with clock.waiting():
            f = where.fs.open(where.path, "rb")
    except TypeflowError:
        raise
    except Exception as exc:
        raise _wrap("read", uri, exc) from exc
    return cast(IO[bytes], ReadStream(f, uri, clock))


#: largest blob read into memory from a literal without ``engine.context(read_budget=...)`` (bytes)
DEFAULT_READ_BUDGET = budgets.DEFAULT_READ_BUDGET


def read_budget(ctx: TransformContext) -> int:
    """The most bytes one blob read into memory may hold (see :mod:`typeflow.budgets`)."""
    return budgets.read_budget(ctx)


def read_bytes(ctx: TransformContext, uri: str, limit: int | None = None) -> bytes:
    """The whole blob at ``uri`` (confined), refused if it holds more than the read budget."""
    budget = read_budget(ctx) if limit is None else limit
    chunks: list[bytes] = []
    held = 0
    with open_blob(ctx, uri) as f:
        while held <= budget:  # in chunks: a read of budget + 1 bytes would allocate the whole budget up front
            chunk: bytes = f.read(min(_READ_CHUNK, budget + 1 - held))
            if not chunk:
                break
            chunks.append(chunk)
            held += len(chunk)
    if held > budget:
        raise ReadBudgetError(
            f"cannot read: the blob is larger than the read budget of {budget} bytes; if you trust it, "
            "raise the budget with engine.context(read_budget=N) or TYPEFLOW_READ_BUDGET=N (e.g. 4GiB)",
            uri=uri,
            budget=budget,
        )
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


# ------------------------------------------------------------------ trees


def list_tree(ctx: TransformContext | None, uri: str, storage: Storage | None = None) -> list[Entry]:
    """Every file under the folder ``uri``, sorted by relative path, without downloading any (confined by ``ctx``)."""
    where = readable(ctx, uri, storage, folder=True)
    if where.local:
        return local_files.list_folder(where.path, uri, confined=ctx is not None)
    try:
        with Clock(deadlines.io_deadline(ctx), uri, "list").waiting():
            found = where.fs.find(where.path, detail=True)
    except FileNotFoundError:
        return []  # an object store has no empty folders: nothing under the prefix is an empty directory
    except TypeflowError:
        raise
    except Exception as exc:
        raise _wrap("list", uri, exc) from exc
    base = where.fs._strip_protocol(where.path).rstrip("/")
    entries = []
    for path, info in found.items():
        if info.get("type") == "directory" or path.endswith("/"):
            continue
        if not path.startswith(base + "/"):
            raise StorageError(f"listing returned {path!r}, which is not under the directory", uri=uri)
        rel = safe_relpath(path[len(base) + 1 :], uri)
        # spelled from the directory's own URI, so a file's URI lies under it exactly as written
        entries.append(Entry(rel, f"{uri.rstrip('/')}/{rel}", info.get("size")))
    return sorted(entries, key=lambda e: e.relpath)


def upload_tree(ctx: TransformContext, src_root: str, entries: Sequence[Entry], prefix: str, limit: int) -> None:
    """Upload ``entries`` (listed from the local folder ``src_root``) under ``prefix``, ``limit`` at a time.

    A failure deletes the files already uploaded before raising.
    """
    where = _where(ctx.storage, prefix)
    seconds = deadlines.io_deadline(ctx)
    total = sum(e.size or 0 for e in entries)
    uploaded: list[str] = []
    lock = threading.Lock()

    def target(e: Entry) -> str:
        return os.path.join(where.path, *e.relpath.split("/")) if where.local else f"{where.path.rstrip('/')}/{e.relpath}"

    with Transfer(ctx, "upload", prefix, total, files=len(entries)) as transfer:
        try:
            if where.local and not os.path.lexists(where.path):
                _put_local_tree(where.path, entries, transfer, limit, _local_root(ctx.storage))
            elif where.local:  # into a folder that exists already (a destination the user named): file by file
                _make_folders(where.path, entries)

                def local_job(e: Entry) -> Callable[[], None]:
                    def run() -> None:
                        dst = target(e)
                        local_files.put_local(e.uri, dst, transfer, folder_made=True)
                        with lock:
                            uploaded.append(dst)

                    return run

                run_threads([local_job(e) for e in entries], limit)
            elif where.is_async:
                fs = where.fs

                def async_job(e: Entry) -> Callable[[], Awaitable[None]]:
                    async def run() -> None:
                        dst = target(e)
                        try:
                            await Clock(seconds, dst, "write").bound(fs._put_file(e.uri, dst, callback=transfer.callback()))
                        except BaseException as exc:
                            raise _remote_error("write", dst, exc) from exc
                        uploaded.append(dst)

                    return run

                run_async(fs, [async_job(e) for e in entries], limit)
            else:
                fs = where.fs

                def sync_job(e: Entry) -> Callable[[], None]:
                    def run() -> None:
                        dst = target(e)
                        try:
                            with Clock(seconds, dst, "write").waiting():
                                fs.put_file(e.uri, dst, callback=transfer.callback())
                        except BaseException as exc:
                            raise _remote_error("write", dst, exc) from exc
                        with lock:
                            uploaded.append(dst)

                    return run

                run_threads([sync_job(e) for e in entries], limit)
        except BaseException:
            _delete_quietly(where, uploaded, prefix, seconds)
            raise
    note_written(prefix)


def _put_local_tree(dst: str, entries: Sequence[Entry], transfer: Transfer, limit: int, root: str | None = None) -> None:
    """Copy a tree into a new local folder: written to a ``.part`` folder, renamed into place whole when complete.

    One rename for the directory instead of one per file, and no reader ever
    sees a directory with some of its files: it is there complete, or not at all.
    The ``.part`` folder is held like a ``.part`` file (:mod:`typeflow._partial`).
    """
    parent = os.path.dirname(dst)
    os.makedirs(parent, exist_ok=True)
    if root is not None:
        _partial.sweep_now_and_then(root)
    temp = _partial.temp_path(root, dst)
    held: int | None = None
    try:
        os.makedirs(temp)  # an empty directory is an empty folder, and it exists
        if _partial.RENAME_WHILE_OPEN:  # POSIX: a folder can be locked, and renamed while open
            held = os.open(temp, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
            _partial.hold(held)
        _make_folders(temp, entries)

        def job(e: Entry) -> Callable[[], None]:
            def run() -> None:
                copy = os.path.join(temp, *e.relpath.split("/"))
                try:
                    local_files.copy(e.uri, copy, transfer)
                except FileNotFoundError as exc:  # named as the blob it becomes, not its .part copy
                    raise local_files.copy_failed("write", os.path.join(dst, *e.relpath.split("/")), exc, e.uri, copy) from exc

            return run

        run_threads([job(e) for e in entries], limit)
        durable = _partial.fsync_wanted()
        if durable:
            _partial.sync_tree(temp)
        _partial.rename_into_place(temp, dst)  # while held: a sweep never takes a finished tree for a dead writer's
        if durable:
            _partial.sync_folder(parent)
    except BaseException as exc:
        shutil.rmtree(temp, ignore_errors=True)
        if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
            raise _wrap("write", dst, exc) from exc
        raise
    finally:
        if held is not None:
            os.close(held)


def _local_root(storage: Storage) -> str | None:
    """The folder of a local storage (whose partial folder holds unfinished writes), else ``None``."""
    return storage.url if isinstance(storage, LocalStorage) else None


def _make_folders(root: str, entries: Sequence[Entry]) -> None:
    """Every folder the entries go into, made once (not once per file)."""
    folders = {posixpath.dirname(e.relpath) for e in entries}
    for folder in sorted(f for f in folders if f):
        os.makedirs(os.path.join(root, *folder.split("/")), exist_ok=True)


def _delete_quietly(where: _Where, paths: Sequence[str], prefix: str, seconds: float | None) -> None:
    import logging

    for path in paths:
        try:
            if where.local:
                os.remove(path)
            else:
                with Clock(seconds, path, "clean up").waiting():
                    where.fs.rm_file(path)
        except FileNotFoundError:
            pass
        except Exception as exc:  # pragma: no cover - depends on the storage failing twice
            logging.getLogger("typeflow.transfer").warning("could not delete %s after a failed upload: %s", path, exc)
    if where.local:
        local_files.prune_empty(where.path)


def delete_tree(storage: Storage, uri: str, deadline: Deadline = FROM_ENVIRONMENT) -> None:
    """Remove a folder of blobs written by typeflow (a stream's batches); missing is not an error.

    ``deadline``: seconds a remote delete may wait on the storage (``None``: no deadline).
    """
    where = _where(storage, uri)
    try:
        if where.local:
            shutil.rmtree(where.path, ignore_errors=False)
        else:
            with Clock(_seconds(deadline), uri, "delete").waiting():
                where.fs.rm(where.path, recursive=True)
    except FileNotFoundError:
        pass
    except TypeflowError:
        raise
    except Exception as exc:
        raise _wrap("delete", uri, exc) from exc


def download_tree(
    ctx: TransformContext | None, uri: str, entries: Sequence[Entry], dst_root: str, limit: int, storage: Storage | None = None
) -> None:
    """Download ``entries`` of the folder ``uri`` under the local folder ``dst_root``, ``limit`` at a time.

    With ``ctx``, every file is confined on its own (its URI came from a listing
    of a location a literal named), and local ones are opened as regular files only.
    """
    where = readable(ctx, uri, storage, folder=True)
    seconds = deadlines.io_deadline(ctx)
    total = sum(e.size or 0 for e in entries)
    os.makedirs(dst_root, exist_ok=True)

    for e in entries:
        safe_relpath(e.relpath, uri)  # every path checked before any file is written
    _make_folders(dst_root, entries)

    def target(e: Entry) -> str:
        return os.path.join(dst_root, *e.relpath.split("/"))

    def source(e: Entry) -> str:
        if ctx is None:
            return e.uri
        if where.local:  # listed under the folder's real path, links refused: inside what was admitted
            if not e.uri.startswith(where.path.rstrip(os.sep) + os.sep):
                raise StorageError("refused to read: the file is not inside the listed folder", uri=e.uri)
            return e.uri
        return readable(ctx, e.uri, storage).path

    with Transfer(ctx, "download", uri, total, files=len(entries)) as transfer:
        if where.local:

            def local_job(e: Entry) -> Callable[[], None]:
                def run() -> None:
                    local_files.copy_stored(source(e), e.uri, target(e), transfer)

                return run

            run_threads([local_job(e) for e in entries], limit)
        elif where.is_async:
            fs = where.fs

            def async_job(e: Entry) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    dst = target(e)
                    try:
                        await Clock(seconds, e.uri, "read").bound(fs._get_file(source(e), dst, callback=transfer.callback()))
                    except BaseException as exc:
                        local_files.discard(dst)
                        raise _remote_error("read", e.uri, exc) from exc
                    local_files.check_size(dst, e.uri, e.size)

                return run

            run_async(fs, [async_job(e) for e in entries], limit)
        else:
            fs = where.fs

            def sync_job(e: Entry) -> Callable[[], None]:
                def run() -> None:
                    dst = target(e)
                    try:
                        with Clock(seconds, e.uri, "read").waiting():
                            fs.get_file(source(e), dst, callback=transfer.callback())
                    except BaseException as exc:
                        local_files.discard(dst)
                        raise _remote_error("read", e.uri, exc) from exc
                    local_files.check_size(dst, e.uri, e.size)

                return run

            run_threads([sync_job(e) for e in entries], limit)


def local_storage(storage: Storage) -> bool:
    """Whether ``storage`` is a folder on this machine."""
    return isinstance(storage, LocalStorage)
