"""Writing one pickle file into storage, and reading it back after every check.

Writing streams ``cloudpickle.dump`` straight into the storage file object
(no bytes buffer of the whole value); the storage makes the write atomic, so
a value that fails to pickle leaves nothing at its URI.

Reading checks, in this order and before any byte is unpickled: that the
literal is a ``PythonPickle`` blob, the Python version it was written by,
and, when a signing key is set, the file's size and HMAC signature. Unsigned
blobs are unpickled straight from the storage stream; signed ones are read
into memory first, because they must be verified before they are unpickled.
"""

from __future__ import annotations

import contextvars
import logging
import os
import pickle
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, TypeVar

import cloudpickle

from typeflow.budgets import check_read_budget
from typeflow.errors import StorageError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, Scalar
from typeflow.storage import LocalStorage, is_local
from typeflow.transformer import TransformContext, strip_annotated

from . import metadata as md
from . import signing
from .errors import PickleDecodeError, PickleError, PickleSignatureError

__all__ = [
    "BLOB_TYPE",
    "FORMAT",
    "SUFFIX",
    "WORKERS_OPTION",
    "PickleBlob",
    "delete_quietly",
    "fetch_verified",
    "load_stream",
    "loads",
    "ordered_map",
    "parse_blob",
    "workers_for",
    "write_blob",
]

#: the blob format of a pickle literal, as in flytekit
FORMAT = "PythonPickle"
BLOB_TYPE = BlobType(FORMAT, BlobDimensionality.SINGLE)
SUFFIX = ".pkl"
PROTOCOL: int = cloudpickle.DEFAULT_PROTOCOL
CLOUDPICKLE_VERSION: str = getattr(cloudpickle, "__version__", "unknown")
#: context option (or ``TYPEFLOW_PICKLE_WORKERS``): threads that write/read a list's files (default: 1 on local storage, else 8)
WORKERS_OPTION = "pickle_workers"
REMOTE_WORKERS = 8
#: bytes read (and fed to the HMAC) per call while verifying a signed pickle
_VERIFY_CHUNK = 1 << 20

log = logging.getLogger("typeflow.pickle")

T = TypeVar("T")
R = TypeVar("R")


def base_metadata(kind: str) -> dict[str, str]:
    return {md.PYTHON: md.RUNNING_PYTHON, md.CLOUDPICKLE: CLOUDPICKLE_VERSION, md.PROTOCOL: str(PROTOCOL), md.KIND: kind}


def _describe(obj: Any) -> str:
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def write_blob(
    ctx: TransformContext,
    obj: Any,
    meta: dict[str, str],
    key: bytes | None,
    python_type: Any,
    on_failure: Callable[[], TypeTransformerFailedError | None] | None = None,
) -> Literal:
    """Pickle ``obj`` into a new file in storage; returns its blob literal with ``meta`` (plus size and signature)."""
    uri = ctx.storage.new_uri(SUFFIX)
    meta.setdefault(md.CLASS, md.class_label(strip_annotated(python_type)[0]))
    mac = signing.new_mac(key) if key is not None else None
    with ctx.open_write(uri) as f:
        try:
            if mac is None:
                cloudpickle.dump(obj, f, protocol=PROTOCOL)
                size = f.tell()
            else:
                writer = signing.SigningWriter(f, mac)
                cloudpickle.dump(obj, writer, protocol=PROTOCOL)
                size = writer.size
        except TypeflowError:
            raise
        except OSError as exc:  # the storage failed (a full disk, a lost mount), not the value
            raise StorageError(f"cannot write ({type(exc).__name__}: {exc}); nothing was kept", uri=uri) from exc
        except Exception as exc:  # cloudpickle's and the value's own errors; nothing is kept at uri
            located = on_failure() if on_failure is not None else None
            if located is not None:
                raise located from exc
            raise PickleError(
                f"cloudpickle cannot pickle a {_describe(obj)} ({type(exc).__name__}: {exc}); nothing was written to {uri}",
                uri=uri,
                python_type=python_type,
                hint="values holding locks, open files, sockets or generators cannot be pickled; "
                "register a TypeTransformer for this type instead",
            ) from exc
    meta[md.SIZE] = str(size)
    if mac is not None:
        meta[md.SIGNATURE] = signing.sign(mac, meta, uri)
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BLOB_TYPE), uri)), metadata=meta)


@dataclass(frozen=True)
class PickleBlob:
    """A pickle blob literal that passed the checks that need no I/O."""

    uri: str
    meta: Mapping[str, str]
    size: int | None


def parse_blob(ctx: TransformContext, lit: Literal, key: bytes | None, python_type: Any) -> PickleBlob:
    """Check the literal is a ``PythonPickle`` blob of this Python version (and signed, when a key is set)."""
    blob = lit.scalar.blob if lit.scalar is not None else None
    if blob is None:
        raise TypeTransformerFailedError(
            f"cannot read a {lit.variant} literal as a pickle (expected a {FORMAT} blob)", python_type=python_type
        )
    if blob.metadata.type.format != FORMAT:
        raise TypeTransformerFailedError(
            f"the blob at {blob.uri} has format {blob.metadata.type.format!r}, not {FORMAT!r}", python_type=python_type
        )
    meta = lit.metadata or {}
    md.check_python_version(ctx, meta, blob.uri, python_type)
    size = md.recorded_size(meta, blob.uri)
    if key is not None:
        if md.SIGNATURE not in meta:
            signing.verify(key, b"", meta, blob.uri, python_type)  # raises: not signed
        declared = md.class_label(strip_annotated(python_type)[0])
        if meta.get(md.CLASS) != declared:
            raise PickleSignatureError(
                f"the pickle at {blob.uri} was signed as a {meta.get(md.CLASS, '(no class recorded)')}, but {declared} "
                "is declared here, so it was not unpickled",
                uri=blob.uri,
                python_type=python_type,
                hint="read it with the type it was written as",
            )
        if size is None:
            raise PickleSignatureError(
                f"the signed pickle at {blob.uri} records no size, so it cannot be verified within a bound",
                uri=blob.uri,
                python_type=python_type,
            )
        check_read_budget(ctx, size, blob.uri, "the signed pickle")
    return PickleBlob(blob.uri, meta, size)


def fetch_verified(ctx: TransformContext, blob: PickleBlob, key: bytes, python_type: Any) -> bytes:
    """The blob's bytes, verified against its HMAC signature while they stream in.

    Reads at most one byte past the signed size (which :func:`parse_blob`
    checked against the read budget); anything longer or shorter, or a wrong
    signature, is refused before the bytes are used.
    """
    assert blob.size is not None  # parse_blob requires a signed size under a key
    mac = signing.new_mac(key)
    chunks: list[bytes] = []
    held = 0
    with ctx.open_read(blob.uri) as f:
        while held <= blob.size:
            chunk: bytes = f.read(min(_VERIFY_CHUNK, blob.size + 1 - held))
            if not chunk:
                break
            mac.update(chunk)
            chunks.append(chunk)
            held += len(chunk)
    if held != blob.size:
        got = f"{held} bytes" if held <= blob.size else "more bytes"
        raise PickleSignatureError(
            f"the pickle at {blob.uri} does not match its HMAC-SHA256 signature: it holds {got}, but its signed "
            f"metadata records {blob.size}; it was truncated or replaced, so it was not unpickled",
            uri=blob.uri,
            python_type=python_type,
            hint="do not trust this blob; write the value again",
        )
    signing.verify_mac(mac, blob.meta, blob.uri, python_type)
    return chunks[0] if len(chunks) == 1 else b"".join(chunks)


def _decode_error(blob: PickleBlob, exc: BaseException, python_type: Any) -> PickleDecodeError:
    if isinstance(exc, (ImportError, AttributeError)):
        hint = (
            "a class in the pickle cannot be found here: install and import the module that defines it, "
            "under the same name as where the pickle was written"
        )
    else:
        hint = "the blob is corrupt or not a pickle; write the value again"
    return PickleDecodeError(
        f"cannot unpickle the blob at {blob.uri} ({type(exc).__name__}: {exc})", uri=blob.uri, python_type=python_type, hint=hint
    )


def loads(blob: PickleBlob, data: bytes, python_type: Any) -> Any:
    """Unpickle verified bytes; errors name the blob."""
    try:
        return pickle.loads(data)
    except Exception as exc:
        raise _decode_error(blob, exc, python_type) from exc


def load_stream(ctx: TransformContext, blob: PickleBlob, python_type: Any) -> Any:
    """Unpickle straight from the storage stream (unsigned blobs); errors name the blob.

    Unsigned bytes run code when unpickled, so only a blob inside the context's
    storage root or a listed read root is opened (``roots_only``).
    """
    with ctx.open_read(blob.uri, roots_only=True) as f:
        check_read_budget(ctx, _stream_size(f, blob), blob.uri, "the pickle")
        try:
            value = pickle.load(f)
            end = f.tell() if blob.size is not None else None
        except TypeflowError:
            raise
        except Exception as exc:
            raise _decode_error(blob, exc, python_type) from exc
    if end is not None and end != blob.size:
        raise PickleDecodeError(
            f"the pickle at {blob.uri} ends at byte {end}, but its literal records {blob.size} bytes: it was replaced",
            uri=blob.uri,
            python_type=python_type,
        )
    return value


def _stream_size(f: Any, blob: PickleBlob) -> int:
    """The size of an open blob: its file's, else the recorded one, else 0 (unknown)."""
    try:
        return os.fstat(f.fileno()).st_size
    except Exception:
        size = getattr(f, "size", None)
        return size if type(size) is int else (blob.size or 0)


def workers_for(ctx: TransformContext, uris_local: bool) -> int:
    """Threads for a list's files: the ``pickle_workers`` option, else 1 on local storage and 8 on remote."""
    raw = ctx.option(WORKERS_OPTION)
    if raw is None:
        return 1 if uris_local else REMOTE_WORKERS
    try:
        workers = int(raw)
    except (TypeError, ValueError):
        workers = 0
    if workers < 1:
        raise TypeTransformerFailedError(
            f"option {WORKERS_OPTION}={raw!r} is not a positive int", hint=f"set {WORKERS_OPTION} to 1 or more"
        )
    return workers


def storage_is_local(ctx: TransformContext) -> bool:
    return isinstance(ctx.storage, LocalStorage)


def all_local(uris: Sequence[str]) -> bool:
    return all(is_local(u) for u in uris)


def delete_quietly(ctx: TransformContext, uris: Sequence[str]) -> None:
    """Delete blobs of a conversion that failed; a blob that cannot be deleted is logged, not raised."""
    left = []
    for uri in uris:
        try:
            ctx.storage.delete(uri)
        except StorageError:
            left.append(uri)
    if left:
        log.warning("could not delete %d file(s) of a failed list conversion: %s", len(left), ", ".join(left))


def ordered_map(fn: Callable[[T], R], items: Sequence[T], workers: int) -> Iterator[R]:
    """``map(fn, items)`` in order; with ``workers > 1`` run on a thread pool, at most ``2 * workers`` ahead."""
    if workers <= 1 or len(items) <= 1:
        yield from map(fn, items)
        return
    with ThreadPoolExecutor(max_workers=min(workers, len(items)), thread_name_prefix="typeflow-pickle") as pool:
        pending: deque[Future[R]] = deque()
        it = iter(items)
        try:
            for item in it:
                # a copy of the caller's context: typeflow.storage.recording_writes sees files written here
                pending.append(pool.submit(contextvars.copy_context().run, fn, item))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
