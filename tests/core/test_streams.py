"""``BinaryIO`` / ``TextIO`` blobs, and ``Iterator[T]`` streams written batch by batch and read lazily."""

from __future__ import annotations

import dataclasses
import io
import os
import tracemalloc
import typing
import uuid
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO, TextIO

import pytest

from tests.core.counting_fs import CountingMemoryFileSystem, register
from tests.helpers import roundtrip
from typeflow import BatchSize, TransformContext, TypeEngine, task, wire, workflow
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import BlobDimensionality, BlobType, LiteralType
from typeflow.streaming import DEFAULT_BATCH_SIZE, FORMAT, StreamIterator
from typeflow.types import File

register()


def stored_files(ctx: TransformContext, tmp_path: Path) -> list[Path]:
    return sorted(p for p in (tmp_path / "storage").rglob("*") if p.is_file())


# ------------------------------------------------------------------ BinaryIO / TextIO


def test_binary_stream_is_written_and_read(ctx: TransformContext) -> None:
    data = os.urandom(3 * 2**20 + 17)
    lv = ctx.engine.to_literal(ctx, io.BytesIO(data), BinaryIO)
    assert lv.scalar.blob.metadata.type == BlobType("application/octet-stream")  # type: ignore[union-attr]
    with roundtrip(ctx, io.BytesIO(data), BinaryIO) as back:  # type: ignore[attr-defined]
        assert back.read() == data


def test_text_stream_is_written_and_read_exactly(ctx: TransformContext) -> None:
    text = "héllo\r\nwörld\n" * 1000
    lv = ctx.engine.to_literal(ctx, io.StringIO(text), TextIO)
    assert lv.scalar.blob.metadata.type == BlobType("text/plain")  # type: ignore[union-attr]
    with ctx.engine.to_python_value(ctx, lv, TextIO) as back:
        assert back.read() == text


def test_stream_is_copied_from_its_current_position(ctx: TransformContext) -> None:
    stream = io.BytesIO(b"skip:keep")
    stream.read(5)
    with ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, stream, BinaryIO), BinaryIO) as back:
        assert back.read() == b"keep"


def test_an_open_file_is_a_stream(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.bin"
    src.write_bytes(b"from disk")
    with open(src, "rb") as f:
        lv = ctx.engine.to_literal(ctx, f, BinaryIO)
    with ctx.engine.to_python_value(ctx, lv, BinaryIO) as back:
        assert back.read() == b"from disk"


def test_text_given_as_binary_and_the_reverse_are_refused(ctx: TransformContext, tmp_path: Path) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"gives text, not bytes.*TextIO"):
        ctx.engine.to_literal(ctx, io.StringIO("x"), BinaryIO)
    with pytest.raises(TypeTransformerFailedError, match=r"gives bytes, not text.*BinaryIO"):
        ctx.engine.to_literal(ctx, io.BytesIO(b"x"), TextIO)
    with pytest.raises(TypeTransformerFailedError, match="readable stream"):
        ctx.engine.to_literal(ctx, b"bytes are not a stream", BinaryIO)
    assert stored_files(ctx, tmp_path) == []


def test_a_stream_failing_midway_leaves_nothing(ctx: TransformContext, tmp_path: Path) -> None:
    class Broken(io.RawIOBase):
        def __init__(self) -> None:
            self.calls = 0

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise ConnectionResetError("the source went away")
            return b"x" * 1000

    with pytest.raises(TypeTransformerFailedError, match=r"reading the stream failed.*the source went away") as info:
        ctx.engine.to_literal(ctx, Broken(), BinaryIO)
    assert isinstance(info.value.__cause__, ConnectionResetError)
    assert stored_files(ctx, tmp_path) == []


def test_stream_from_remote_storage_streams(engine: TypeEngine) -> None:
    ctx = engine.context(storage=f"tfcount://bucket-{uuid.uuid4().hex[:10]}/p")
    with ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, io.StringIO("line 1\nline 2\n"), TextIO), TextIO) as back:
        assert back.readline() == "line 1\n" and back.read() == "line 2\n"


def test_missing_stream_blob_is_a_storage_error(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, io.BytesIO(b"x"), BinaryIO)
    os.remove(lv.scalar.blob.uri)  # type: ignore[union-attr]
    with pytest.raises(StorageError) as info:
        ctx.engine.to_python_value(ctx, lv, BinaryIO)
    assert info.value.uri == lv.scalar.blob.uri  # type: ignore[union-attr]


# ------------------------------------------------------------------ Iterator[T]


@dataclasses.dataclass
class Row:
    n: int
    label: str


def rows(count: int) -> Iterator[Row]:
    for i in range(count):
        yield Row(i, f"row {i}" + "." * 40)


def test_iterator_round_trips_in_order(ctx: TransformContext) -> None:
    back = roundtrip(ctx, iter(range(2_500)), Iterator[int])
    assert isinstance(back, StreamIterator) and len(back) == 2_500
    assert list(back) == list(range(2_500))


def test_iterator_literal_type_names_its_elements(engine: TypeEngine) -> None:
    lt = engine.to_literal_type(Iterator[int])
    assert lt.blob == BlobType(FORMAT, BlobDimensionality.MULTIPART)
    assert lt.metadata == {"element_type": {"simple": "INTEGER"}}
    assert engine.guess_python_type(lt) == typing.Iterator[int]
    assert engine.to_literal_type(Generator[Row, None, None]) == engine.to_literal_type(Iterator[Row])


def test_batches_follow_batch_size_and_the_default(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, iter(range(10)), Annotated[Iterator[int], BatchSize(3)])
    assert lv.metadata == {"typeflow.stream.batches": "4", "typeflow.stream.items": "10"}
    files = sorted(os.listdir(lv.scalar.blob.uri))  # type: ignore[union-attr]
    assert files == ["00000000.tfl", "00000001.tfl", "00000002.tfl", "00000003.tfl"]
    lv = ctx.engine.to_literal(ctx, iter(range(DEFAULT_BATCH_SIZE * 2 + 1)), Iterator[int])
    assert lv.metadata["typeflow.stream.batches"] == "3"  # type: ignore[index]


def test_writing_holds_one_batch_not_the_stream(ctx: TransformContext) -> None:
    """Peak memory is the same for a stream 20x longer: bounded by the batch, not the stream."""

    def peak(count: int) -> int:
        tracemalloc.start()
        try:
            ctx.engine.to_literal(ctx, rows(count), Annotated[Iterator[Row], BatchSize(500)])
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(1_000)  # warm caches (codecs, dispatch) outside the measurement
    small, large = peak(5_000), peak(100_000)
    assert large < small * 1.5 + 256 * 1024, f"peak grew with the stream: {small} B for 5k rows, {large} B for 100k"


def test_reading_holds_one_batch_not_the_stream(ctx: TransformContext) -> None:
    def peak(count: int) -> int:
        lv = ctx.engine.to_literal(ctx, rows(count), Annotated[Iterator[Row], BatchSize(500)])
        back = ctx.engine.to_python_value(ctx, lv, Iterator[Row])
        tracemalloc.start()
        try:
            assert sum(r.n for r in back) == sum(range(count))
            return tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()

    peak(1_000)
    small, large = peak(5_000), peak(100_000)
    assert large < small * 1.5 + 256 * 1024, f"reading peak grew with the stream: {small} B for 5k rows, {large} B for 100k"


def test_a_batch_is_fetched_only_when_reached(engine: TypeEngine) -> None:
    ctx = engine.context(storage=f"tfcount://bucket-{uuid.uuid4().hex[:10]}/p")
    lv = ctx.engine.to_literal(ctx, iter(range(30)), Annotated[Iterator[int], BatchSize(10)])
    opened: list[str] = []
    original = CountingMemoryFileSystem._open

    def counting_open(self: Any, path: str, *args: Any, **kwargs: Any) -> Any:
        opened.append(path)
        return original(self, path, *args, **kwargs)

    CountingMemoryFileSystem._open = counting_open  # type: ignore[method-assign]
    try:
        back = ctx.engine.to_python_value(ctx, lv, Iterator[int])
        assert opened == []
        assert [next(back) for _ in range(10)] == list(range(10))
        assert len(opened) == 1
        assert next(back) == 10 and len(opened) == 2
    finally:
        CountingMemoryFileSystem._open = original  # type: ignore[method-assign]


def test_stream_of_blob_typed_items_converts_each_as_it_arrives(ctx: TransformContext, tmp_path: Path) -> None:
    def files() -> Iterator[File]:
        for i in range(5):
            p = tmp_path / f"{i}.txt"
            p.write_text(str(i))
            yield File(str(p))
            p.unlink()  # the producer cleans up: the item must already be uploaded

    back = roundtrip(ctx, files(), Annotated[Iterator[File], BatchSize(2)])
    assert [Path(os.fspath(f)).read_text() for f in back] == ["0", "1", "2", "3", "4"]  # type: ignore[attr-defined]


def test_a_producer_raising_halfway_leaves_nothing(ctx: TransformContext, tmp_path: Path) -> None:
    def failing() -> Iterator[File]:
        for i in range(7):
            p = tmp_path / f"{i}.txt"
            p.write_text(str(i))
            yield File(str(p))
        raise RuntimeError("the producer broke")

    with pytest.raises(TypeTransformerFailedError, match="raised RuntimeError: the producer broke after 7 items") as info:
        ctx.engine.to_literal(ctx, failing(), Annotated[Iterator[File], BatchSize(3)])
    assert info.value.location == "$[7]" and isinstance(info.value.__cause__, RuntimeError)
    assert stored_files(ctx, tmp_path) == [], "the failed stream left blobs behind"


def test_a_bad_item_is_reported_at_its_index_in_the_stream(ctx: TransformContext, tmp_path: Path) -> None:
    def values() -> Iterator[Any]:
        yield from range(12)
        yield "thirteenth"

    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, values(), Annotated[Iterator[int], BatchSize(5)])
    assert info.value.location == "$[12]"
    assert stored_files(ctx, tmp_path) == []


def test_a_stream_already_in_storage_is_passed_on_without_a_copy(ctx: TransformContext, tmp_path: Path) -> None:
    lv = ctx.engine.to_literal(ctx, iter(range(5)), Iterator[int])
    back = ctx.engine.to_python_value(ctx, lv, Iterator[int])
    before = stored_files(ctx, tmp_path)
    assert ctx.engine.to_literal(ctx, back, Iterator[int]) == lv
    assert stored_files(ctx, tmp_path) == before
    next(back)
    rest = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, back, Iterator[int]), Iterator[int])
    assert list(rest) == [1, 2, 3, 4]


def test_flytekit_collection_form_reads_as_a_lazy_stream(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, [1, 2, 3], list[int])
    back = ctx.engine.to_python_value(ctx, lv, Iterator[int])
    assert len(back) == 3 and list(back) == [1, 2, 3]


def test_a_deleted_batch_is_a_storage_error_naming_it(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, iter(range(20)), Annotated[Iterator[int], BatchSize(10)])
    batch = os.path.join(lv.scalar.blob.uri, "00000001.tfl")  # type: ignore[union-attr]
    os.remove(batch)
    back = ctx.engine.to_python_value(ctx, lv, Iterator[int])
    assert [next(back) for _ in range(10)] == list(range(10))
    with pytest.raises(StorageError) as info:
        next(back)
    assert info.value.uri == batch


def test_a_corrupt_batch_is_a_storage_error(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, iter(range(3)), Iterator[int])
    batch = os.path.join(lv.scalar.blob.uri, "00000000.tfl")  # type: ignore[union-attr]
    Path(batch).write_bytes(b"not a literal")
    with pytest.raises(StorageError, match="not a valid literal"):
        next(ctx.engine.to_python_value(ctx, lv, Iterator[int]))


def test_a_bare_iterator_type_is_refused(engine: TypeEngine) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"Iterator\[T\]"):
        engine.to_literal_type(Iterator)


def test_generator_is_a_task_output_and_the_stream_a_task_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path / "storage"))
    produced: list[int] = []

    @task
    def numbers(n: int) -> Annotated[Iterator[int], BatchSize(100)]:
        for i in range(n):
            produced.append(i)
            yield i

    @task
    def total(xs: Iterator[int]) -> int:
        return sum(xs)

    @workflow
    def flow(n: int) -> int:
        return total(xs=numbers(n=n))

    assert flow(n=1_000) == sum(range(1_000))
    assert produced == list(range(1_000)), "the producer ran more than once"
    back = numbers(n=5)
    assert isinstance(back, StreamIterator) and list(back) == [0, 1, 2, 3, 4]


def test_stream_literal_survives_the_wire(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, rows(10), Iterator[Row])
    back = ctx.engine.to_python_value(ctx, wire.from_dict(wire.to_dict(lv)), Iterator[Row])  # type: ignore[arg-type]
    assert [r.n for r in back] == list(range(10))


def test_stream_type_in_a_union_is_told_apart(engine: TypeEngine) -> None:
    lt = engine.to_literal_type(typing.Optional[Iterator[int]])
    assert lt.union_type is not None
    assert isinstance(lt.union_type.variants[0], LiteralType)
