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

import contextvars
import os
import posixpath
import shutil
import stat
import threading
import uuid
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import IO, TYPE_CHECKING, Any, cast

from typeflow import _partial, budgets, deadlines
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
    _ReadStream,
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
_CHUNK = 8 * 2**20
_READ_CHUNK = 2**20


@dataclass(frozen=True)
class Entry:
    """One file of a directory in storage: its path relative to the directory, its URI and size."""

    relpath: str
    uri: str
    size: int | None


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


def _run_threads(jobs: Sequence[Callable[[], None]], limit: int) -> None:
    if len(jobs) <= 1 or limit <= 1:
        for job in jobs:
            job()
        return
    failed = threading.Event()
    errors: list[BaseException] = []

    def guarded(job: Callable[[], None]) -> None:
        if failed.is_set():
            return
        try:
            job()
        except BaseException as exc:
            errors.append(exc)
            failed.set()

    with ThreadPoolExecutor(max_workers=min(limit, len(jobs)), thread_name_prefix="typeflow-transfer") as pool:
        for job in jobs:
            pool.submit(contextvars.copy_context().run, guarded, job)
    if errors:
        raise errors[0]


def _run_async(fs: Any, jobs: Sequence[Callable[[], Awaitable[None]]], limit: int) -> None:
    import asyncio

    from fsspec.asyn import sync

    async def main() -> None:
        gate = asyncio.Semaphore(max(limit, 1))
        errors: list[BaseException] = []

        async def guarded(job: Callable[[], Awaitable[None]]) -> None:
            async with gate:
                if errors:
                    return
                try:
                    await job()
                except BaseException as exc:
                    errors.append(exc)

        await asyncio.gather(*(guarded(job) for job in jobs))
        if errors:
            raise errors[0]

    sync(fs.loop, main)


# ------------------------------------------------------------------ single files


def _copy(src: str, dst: str, transfer: Transfer) -> None:
    """Copy the user's own local file ``src`` to ``dst`` (fast path: the kernel copies)."""
    if not transfer.shows_progress:
        shutil.copyfile(src, dst)
        return
    with open(src, "rb") as fin, open(dst, "wb") as fout:
        _copy_open(fin, fout, transfer)


def _copy_failed(action: str, uri: str, exc: OSError, src: str, dst: str) -> StorageError:
    """``exc`` from copying the local file ``src`` to ``dst`` as a :class:`StorageError` naming ``uri``.

    A missing file says which side was missing, naming it: the source blob, or
    the folder the copy goes into (either may vanish while a tree is copied).
    """
    if not isinstance(exc, FileNotFoundError):
        return _wrap(action, uri, exc)
    named = [p for p in (exc.filename, getattr(exc, "filename2", None)) if isinstance(p, str)]
    if src in named or (not named and not os.path.lexists(src)):
        return StorageError(f"cannot {action} (source blob not found: {src})", uri=uri)
    # the folder the copy goes into: the first one named that is not there (the .part file's, or the blob's own)
    folders = [os.path.dirname(p) for p in (*named, dst)]
    folder = next((f for f in folders if not os.path.isdir(f)), os.path.dirname(dst))
    return StorageError(f"cannot {action} (destination folder not found: {folder})", uri=uri)


def _copy_open(fin: IO[bytes], fout: IO[bytes], transfer: Transfer) -> None:
    """Copy between open files: ``sendfile`` where it works and no bar is drawn, chunks otherwise."""
    if not transfer.shows_progress and hasattr(os, "sendfile"):
        try:
            offset, infd, outfd = 0, fin.fileno(), fout.fileno()
            while sent := os.sendfile(outfd, infd, offset, 2**30):
                offset += sent
            return
        except OSError:
            fout.seek(0)
            fout.truncate()
            fin.seek(0)
    while chunk := fin.read(_CHUNK):
        fout.write(chunk)
        transfer.advance(len(chunk))


def _copy_stored(path: str, uri: str, dst: str, transfer: Transfer) -> None:
    """Copy a local blob a literal names: opened as a regular file only, and checked on the open descriptor."""
    with open_regular_file(path, uri) as fin:
        try:
            with open(dst, "wb") as fout:
                _copy_open(fin, fout, transfer)
        except BaseException as exc:
            _discard_local(dst)
            if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
                raise _copy_failed("read", uri, exc, path, dst) from exc
            raise


def _put_local(src: str, dst: str, transfer: Transfer, folder_made: bool = False, root: str | None = None) -> None:
    """Copy into local storage: to a ``.part`` file first (see :mod:`typeflow._partial`), renamed into place when complete.

    ``root``: the local storage folder ``dst`` is in, if any (its partial folder holds the ``.part``).
    """
    temp = ""
    try:
        if not folder_made:
            os.makedirs(os.path.dirname(dst), exist_ok=True)
        if root is not None:
            _partial.sweep_now_and_then(root)
        temp = _partial.temp_path(root, dst)
        durable = _partial.fsync_wanted()
        with open(src, "rb") as fin, _partial.open_partial(temp) as fout:
            _copy_open(fin, fout, transfer)
            if durable:
                fout.flush()
                _partial.sync_file(fout.fileno())
            if _partial.RENAME_WHILE_OPEN:
                _partial.rename_into_place(temp, dst)
        if not _partial.RENAME_WHILE_OPEN:
            _partial.rename_into_place(temp, dst)
        if durable:
            _partial.sync_folder(os.path.dirname(dst))
    except BaseException as exc:
        if temp:
            try:
                os.remove(temp)
            except OSError:
                pass
        if isinstance(exc, OSError) and not isinstance(exc, TypeflowError):
            raise _copy_failed("write", dst, exc, src, dst) from exc
        raise


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


def _file_size(path: str, uri: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError as exc:
        raise _wrap("read", uri, exc) from exc


def upload_file(ctx: TransformContext, src: str, uri: str) -> int:
    """Copy the local file ``src`` to ``uri`` (in ``ctx.storage`` or any URI); returns its size."""
    size = _file_size(src, src)
    where = _where(ctx.storage, uri)
    with Transfer(ctx, "upload", uri, size) as transfer:
        if where.local:
            _put_local(src, where.path, transfer, root=_local_root(ctx.storage))
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
            size = _file_size(where.path, uri)
        with Transfer(ctx, "download", uri, size) as transfer:
            _copy_stored(where.path, uri, dst, transfer)
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
        _discard_local(dst)
        raise _remote_error("read", uri, exc) from exc
    _check_size(dst, uri, size)


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
    return cast(IO[bytes], _ReadStream(f, uri, clock))


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


def _check_size(dst: str, uri: str, size: int | None) -> None:
    if size is None:
        return
    got = os.path.getsize(dst)
    if got != size:
        _discard_local(dst)
        raise StorageError(f"cannot read (truncated: expected {size} bytes, got {got})", uri=uri)


def _discard_local(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


# ------------------------------------------------------------------ trees


def list_tree(ctx: TransformContext | None, uri: str, storage: Storage | None = None) -> list[Entry]:
    """Every file under the folder ``uri``, sorted by relative path, without downloading any (confined by ``ctx``)."""
    where = readable(ctx, uri, storage, folder=True)
    if where.local:
        return _list_local(where.path, uri, confined=ctx is not None)
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


def _list_local(root: str, uri: str, confined: bool) -> list[Entry]:
    if not os.path.isdir(root):
        reason = "expected a folder, found a file" if os.path.exists(root) else f"source folder not found: {root}"
        raise StorageError(f"cannot read ({reason})", uri=uri)
    entries: list[Entry] = []
    pending = [(root, "")]
    while pending:  # scandir: each entry's type (and a regular file's size) without a path lookup per file
        folder, rel_folder = pending.pop()
        try:
            with os.scandir(folder) as listing:
                found = list(listing)
        except FileNotFoundError as exc:  # removed while the tree was listed
            raise StorageError(f"cannot read (source folder not found: {folder})", uri=uri) from exc
        except OSError as exc:
            raise _wrap("read", folder, exc) from exc
        for item in found:
            rel = f"{rel_folder}{item.name}"
            try:
                if item.is_dir(follow_symlinks=False):
                    pending.append((item.path, rel + "/"))
                    continue
                st = item.stat(follow_symlinks=not confined)
            except OSError as exc:
                raise _wrap("read", item.path, exc) from exc
            if stat.S_ISDIR(st.st_mode):  # a link to a folder in the user's own folder: not followed
                continue
            if not stat.S_ISREG(st.st_mode):
                if confined:
                    raise StorageError(
                        "cannot read (not a regular file: only regular files are read from storage)", uri=item.path
                    )
                continue  # a dangling link or a socket in the user's own folder: nothing to upload
            entries.append(Entry(rel, item.path, st.st_size))
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
                        _put_local(e.uri, dst, transfer, folder_made=True)
                        with lock:
                            uploaded.append(dst)

                    return run

                _run_threads([local_job(e) for e in entries], limit)
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

                _run_async(fs, [async_job(e) for e in entries], limit)
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

                _run_threads([sync_job(e) for e in entries], limit)
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
                    _copy(e.uri, copy, transfer)
                except FileNotFoundError as exc:  # named as the blob it becomes, not its .part copy
                    raise _copy_failed("write", os.path.join(dst, *e.relpath.split("/")), exc, e.uri, copy) from exc

            return run

        _run_threads([job(e) for e in entries], limit)
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
        _prune_empty(where.path)


def _prune_empty(root: str) -> None:
    for folder, _, _ in sorted(os.walk(root, topdown=False), key=lambda t: -len(t[0])):
        try:
            os.rmdir(folder)
        except OSError:
            pass


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
                    _copy_stored(source(e), e.uri, target(e), transfer)

                return run

            _run_threads([local_job(e) for e in entries], limit)
        elif where.is_async:
            fs = where.fs

            def async_job(e: Entry) -> Callable[[], Awaitable[None]]:
                async def run() -> None:
                    dst = target(e)
                    try:
                        await Clock(seconds, e.uri, "read").bound(fs._get_file(source(e), dst, callback=transfer.callback()))
                    except BaseException as exc:
                        _discard_local(dst)
                        raise _remote_error("read", e.uri, exc) from exc
                    _check_size(dst, e.uri, e.size)

                return run

            _run_async(fs, [async_job(e) for e in entries], limit)
        else:
            fs = where.fs

            def sync_job(e: Entry) -> Callable[[], None]:
                def run() -> None:
                    dst = target(e)
                    try:
                        with Clock(seconds, e.uri, "read").waiting():
                            fs.get_file(source(e), dst, callback=transfer.callback())
                    except BaseException as exc:
                        _discard_local(dst)
                        raise _remote_error("read", e.uri, exc) from exc
                    _check_size(dst, e.uri, e.size)

                return run

            _run_threads([sync_job(e) for e in entries], limit)


def local_storage(storage: Storage) -> bool:
    """Whether ``storage`` is a folder on this machine."""
    return isinstance(storage, LocalStorage)
