"""Streams of values: written batch by batch as they are produced, read back batch by batch.

An ``Iterator[T]`` becomes a ``MULTIPART`` blob of format :data:`FORMAT`: a
folder of batch files, each the wire encoding of a ``List[T]`` literal of up
to ``BatchSize`` items (default :data:`DEFAULT_BATCH_SIZE`). Only one batch is
ever held in memory, on either side:

- writing pulls items from the producer and writes a batch file each time a
  batch fills; an item whose literal is itself a blob (an array, a frame, a
  file) is converted as soon as it arrives, so only its small literal waits
  for the batch;
- reading gives a :class:`StreamIterator`, which fetches batch *i* only when
  iteration reaches it.

A producer that raises, or an item that cannot be converted, deletes every
blob the stream had written (its batch files and the blobs its items wrote)
before the error is raised: a failed stream leaves nothing behind.
"""

from __future__ import annotations

import threading
import typing
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from typeflow.errors import LiteralDecodeError, StorageError, TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralCollection, LiteralType, Scalar
from typeflow.transfer import child_uri

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = ["DEFAULT_BATCH_SIZE", "FORMAT", "StreamIterator", "read_stream", "write_stream"]

T = TypeVar("T")

#: the blob format of a stream written by typeflow
FORMAT = "typeflow-stream"
#: items per batch file without a ``BatchSize``: small records stay cheap, and a batch of them is small in memory
DEFAULT_BATCH_SIZE = 1000
#: Literal.metadata keys of a stream literal
BATCHES_KEY = "typeflow.stream.batches"
ITEMS_KEY = "typeflow.stream.items"
_BATCH_SUFFIX = ".tfl"


def _batch_name(index: int) -> str:
    return f"{index:08d}{_BATCH_SUFFIX}"


def _is_blob_type(lt: LiteralType) -> bool:
    return lt.blob is not None or lt.structured_dataset_type is not None


def stream_literal(uri: str, batches: int, items: int) -> Literal:
    blob = Blob(BlobMetadata(BlobType(FORMAT, BlobDimensionality.MULTIPART)), uri)
    return Literal(scalar=Scalar(blob=blob), metadata={BATCHES_KEY: str(batches), ITEMS_KEY: str(items)})


def _shift(exc: TypeTransformerFailedError, offset: int) -> TypeTransformerFailedError:
    """A batch's ``[i]`` becomes the stream's ``[offset + i]``."""
    if exc.path and exc.path[0].startswith("[") and exc.path[0][1:-1].isdigit():
        exc.path = (f"[{offset + int(exc.path[0][1:-1])}]", *exc.path[1:])
    return exc


def write_stream(ctx: TransformContext, values: Iterable[Any], element_type: Any, batch_size: int) -> Literal:
    """Write ``values`` as a stream of ``element_type``, ``batch_size`` items per batch file."""
    from typeflow import wire
    from typeflow.storage import deleted_on_failure

    engine = ctx.engine
    list_type = list[element_type]  # type: ignore[valid-type]
    convert_each = _is_blob_type(engine.to_literal_type(element_type))
    prefix = ctx.storage.new_prefix()
    try:
        iterator = iter(values)
    except TypeError:
        raise TypeTransformerFailedError(
            "expected an iterator or an iterable", python_type=typing.Iterator[element_type], value=values
        ) from None
    pending: list[Any] = []
    start = 0
    batches = 0
    count = 0

    def flush() -> None:
        nonlocal batches, start, pending
        if convert_each:
            lv = Literal(collection=LiteralCollection(tuple(pending)))
        else:
            try:
                lv = engine.to_literal(ctx, pending, list_type)
            except TypeTransformerFailedError as exc:
                raise _shift(exc, start) from exc.__cause__
        with ctx.open_write(child_uri(prefix, _batch_name(batches))) as f:
            f.write(wire.dumps(lv))
        batches += 1
        start += len(pending)
        pending = []

    try:
        with deleted_on_failure(ctx.storage):
            while True:
                try:
                    item = next(iterator)
                except StopIteration:
                    break
                except TypeflowError:
                    raise
                except Exception as exc:
                    raise TypeTransformerFailedError(
                        f"the iterator raised {type(exc).__name__}: {exc} after {count} items; nothing of the stream was kept",
                        python_type=typing.Iterator[element_type],
                    ).at(f"[{count}]") from exc
                if convert_each:
                    try:
                        pending.append(engine.to_literal(ctx, item, element_type))
                    except TypeTransformerFailedError as exc:
                        raise exc.at(f"[{count}]") from exc.__cause__
                else:
                    pending.append(item)
                count += 1
                if len(pending) >= batch_size:
                    flush()
            if pending:
                flush()
    except BaseException:
        _discard_folder(ctx, prefix)  # its batch files are deleted by now
        raise
    return stream_literal(prefix, batches, count)


def _discard_folder(ctx: TransformContext, prefix: str) -> None:
    from typeflow import transfer

    try:
        transfer.delete_tree(ctx.storage, prefix, ctx.io_deadline)
    except StorageError:  # pragma: no cover - the folder is empty or gone by now
        pass


class StreamIterator(Iterator[T], Generic[T]):
    """A stream read back lazily: batch *i* is fetched only when iteration reaches it.

    ``len()`` is the number of items when the literal records it. Passing an
    unstarted ``StreamIterator`` on to another conversion reuses its blob
    instead of writing the stream again.
    """

    def __init__(self, ctx: TransformContext, literal: Literal, element_type: Any) -> None:
        self._ctx = ctx
        self.literal = literal
        self.element_type = element_type
        self._lock = threading.Lock()
        self._batches: list[Any] | None = None  # batch file URIs, or element literals for a plain collection
        self._next_batch = 0
        self._current: Iterator[T] = iter(())
        self._started = False
        meta = literal.metadata or {}
        items = meta.get(ITEMS_KEY, "")
        if literal.collection is not None:
            self._length: int | None = len(literal.collection.literals)
        else:
            self._length = int(items) if items.isdigit() else None

    @property
    def started(self) -> bool:
        """Whether iteration has begun (an unstarted stream can be passed on without a copy)."""
        return self._started

    def __len__(self) -> int:
        if self._length is None:
            raise TypeError("this stream does not record how many items it holds")
        return self._length

    def __iter__(self) -> StreamIterator[T]:
        return self

    def __next__(self) -> T:
        with self._lock:
            self._started = True
            while True:
                try:
                    return next(self._current)
                except StopIteration:
                    pass
                self._current = iter(self._load_next())

    def _batch_uris(self) -> list[Any]:
        from typeflow import transfer

        if self._batches is None:
            lv = self.literal
            if lv.collection is not None:  # flytekit's form: a collection of element literals
                self._batches = list(lv.collection.literals)
                return self._batches
            assert lv.scalar is not None and lv.scalar.blob is not None
            uri = lv.scalar.blob.uri
            meta = lv.metadata or {}
            count = meta.get(BATCHES_KEY, "")
            if count.isdigit():
                self._batches = [child_uri(uri, _batch_name(i)) for i in range(int(count))]
            else:
                entries = transfer.list_tree(self._ctx, uri)
                self._batches = [e.uri for e in entries if e.relpath.endswith(_BATCH_SUFFIX) and "/" not in e.relpath]
        return self._batches

    def _load_next(self) -> list[T]:
        batches = self._batch_uris()
        index = self._next_batch
        if index >= len(batches):
            raise StopIteration
        self._next_batch += 1
        engine = self._ctx.engine
        if self.literal.collection is not None:
            return [engine.to_python_value(self._ctx, batches[index], self.element_type)]
        lv = _read_batch(self._ctx, batches[index])
        try:
            values: list[T] = engine.to_python_value(self._ctx, lv, list[self.element_type])  # type: ignore[name-defined]
        except TypeTransformerFailedError as exc:
            raise exc.at(f"[batch {index}]") from exc.__cause__
        return values

    def __repr__(self) -> str:
        size = f"{self._length} items" if self._length is not None else "unknown length"
        return f"<StreamIterator of {type_name(self.element_type, qualified=False)}, {size}>"


def _read_batch(ctx: TransformContext, uri: str) -> Literal:
    from typeflow import transfer, wire

    data = transfer.read_bytes(ctx, uri)
    try:
        lv = wire.loads(data)
    except LiteralDecodeError as exc:
        raise StorageError(f"the stream batch is not a valid literal ({exc})", uri=uri) from exc
    if not isinstance(lv, Literal) or lv.collection is None:
        raise StorageError("the stream batch does not hold a collection literal", uri=uri)
    return lv


def read_stream(ctx: TransformContext, lv: Literal, element_type: Any) -> StreamIterator[Any]:
    """A lazy iterator over a stream literal (or a plain collection literal, as flytekit writes them)."""
    if lv.collection is None:
        blob = lv.scalar.blob if lv.scalar is not None else None
        if blob is None or blob.metadata.type.dimensionality != BlobDimensionality.MULTIPART:
            from typeflow.builtins.simple import literal_kind

            raise TypeTransformerFailedError(
                f"cannot read {literal_kind(lv)} as a stream (expected a {FORMAT} blob or a collection)",
                python_type=typing.Iterator[element_type],
            )
    return StreamIterator(ctx, lv, element_type)
