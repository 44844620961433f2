"""Files, directories, streams and offloaded literals on a real S3 server (moto's, on 127.0.0.1).

Transfers are counted by a real subclass of ``s3fs.S3FileSystem`` registered
for ``s3://`` during each test: it counts ``_put_file`` / ``_get_file``
coroutines in flight (typeflow runs them on fsspec's loop), and every object
is checked on the server with boto3.
"""

from __future__ import annotations

import asyncio
import io
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any, BinaryIO, ClassVar, TextIO

import pytest

from typeflow import BatchSize, TransformContext, TypeEngine, wire
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.streaming import StreamIterator
from typeflow.types import Directory, File

s3fs = pytest.importorskip("s3fs", reason='install "typeflow[s3]"')


class Counter:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.now = self.peak = self.total = 0

    def enter(self) -> None:
        with self.lock:
            self.now += 1
            self.total += 1
            self.peak = max(self.peak, self.now)

    def leave(self) -> None:
        with self.lock:
            self.now -= 1


class CountingS3(s3fs.S3FileSystem):  # type: ignore[misc, name-defined]
    """s3fs itself, counting file transfers in flight; optionally failing uploads after a number of them."""

    puts: ClassVar[Counter] = Counter()
    gets: ClassVar[Counter] = Counter()
    fail_after: ClassVar[int | None] = None

    async def _put_file(self, lpath: str, rpath: str, *args: Any, **kwargs: Any) -> Any:
        self.puts.enter()
        try:
            await asyncio.sleep(0.01)  # so that concurrent transfers overlap visibly
            if self.fail_after is not None and self.puts.total > self.fail_after:
                raise ConnectionResetError("connection reset while uploading")
            return await super()._put_file(lpath, rpath, *args, **kwargs)
        finally:
            self.puts.leave()

    async def _get_file(self, rpath: str, lpath: str, *args: Any, **kwargs: Any) -> Any:
        self.gets.enter()
        try:
            await asyncio.sleep(0.01)
            return await super()._get_file(rpath, lpath, *args, **kwargs)
        finally:
            self.gets.leave()


@pytest.fixture
def s3(s3_url: str) -> Iterator[tuple[TransformContext, type[CountingS3]]]:
    """A context on a fresh bucket, with ``s3://`` served by :class:`CountingS3`."""
    import fsspec

    original = fsspec.get_filesystem_class("s3")
    fsspec.register_implementation("s3", CountingS3, clobber=True)
    CountingS3.puts, CountingS3.gets, CountingS3.fail_after = Counter(), Counter(), None
    try:
        yield TypeEngine().context(storage=s3_url), CountingS3
    finally:
        fsspec.register_implementation("s3", original, clobber=True)


def keys_under(s3_keys: Callable[[str], list[str]], uri: str) -> list[str]:
    prefix = uri.removeprefix("s3://").partition("/")[2]
    return sorted(k[len(prefix) + 1 :] for k in s3_keys(uri) if k.startswith(prefix + "/"))


def make_tree(root: Path) -> dict[str, bytes]:
    files = {
        "top.txt": b"top\n",
        "a/one.bin": os.urandom(70_000),
        "a/b/c/deep.csv": b"x,y\n1,2\n",
        "a/empty": b"",
        "unicodé/naïve file.txt": "héllo".encode(),
    }
    for rel, data in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_bytes(data)
    return files


def read_tree(root: str) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            out[os.path.relpath(path, root).replace(os.sep, "/")] = Path(path).read_bytes()
    return out


def test_file_round_trips_through_s3_and_downloads_only_on_access(
    s3: tuple[TransformContext, type[CountingS3]], tmp_path: Path, s3_keys: Callable[[str], list[str]]
) -> None:
    ctx, fs = s3
    src = tmp_path / "report.csv"
    src.write_bytes(os.urandom(300_000))
    lv = ctx.engine.to_literal(ctx, File(str(src)), File["csv"])
    uri = lv.scalar.blob.uri  # type: ignore[union-attr]
    assert uri.startswith(ctx.storage.url + "/") and uri.endswith("/report.csv") and fs.puts.total == 1
    bucket_key = uri.removeprefix("s3://").split("/", 1)[1]
    assert bucket_key in s3_keys(uri)
    back = ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), File["csv"])
    assert back.remote_path == uri and not back.downloaded and fs.gets.total == 0
    assert not os.path.exists(back.path)
    with back.open() as f:
        assert f.read() == src.read_bytes()
    assert fs.gets.total == 1
    again = ctx.engine.to_literal(ctx, back, File["csv"])
    assert again == lv and fs.puts.total == 1, "a file already in storage was uploaded again"


def test_directory_round_trips_through_s3_with_relative_paths(
    s3: tuple[TransformContext, type[CountingS3]], tmp_path: Path, s3_keys: Callable[[str], list[str]]
) -> None:
    ctx, fs = s3
    files = make_tree(tmp_path / "src")
    lv = ctx.engine.to_literal(ctx, Directory(str(tmp_path / "src")), Directory)
    uri = lv.scalar.blob.uri  # type: ignore[union-attr]
    assert keys_under(s3_keys, uri) == sorted(files)
    back = ctx.engine.to_python_value(ctx, lv, Directory)
    assert sorted(rel for _, rel in back.crawl()) == sorted(files) and fs.gets.total == 0
    assert read_tree(os.fspath(back)) == files
    assert fs.gets.total == len(files)
    assert ctx.engine.to_literal(ctx, back, Directory) == lv and fs.puts.total == len(files)


@pytest.mark.parametrize("n", [2, 5])
def test_batch_size_bounds_concurrent_s3_transfers(s3: tuple[TransformContext, type[CountingS3]], tmp_path: Path, n: int) -> None:
    ctx, fs = s3
    root = tmp_path / "many"
    root.mkdir()
    for i in range(20):
        (root / f"{i:02d}.txt").write_text(str(i) * 100)
    t = Annotated[Directory, BatchSize(n)]
    lv = ctx.engine.to_literal(ctx, str(root), t)
    assert fs.puts.total == 20 and fs.puts.peak == n
    back = ctx.engine.to_python_value(ctx, lv, t)
    assert len(read_tree(os.fspath(back))) == 20
    assert fs.gets.total == 20 and fs.gets.peak == n


def test_failed_directory_upload_leaves_nothing_on_s3(
    s3: tuple[TransformContext, type[CountingS3]], tmp_path: Path, s3_keys: Callable[[str], list[str]]
) -> None:
    ctx, fs = s3
    root = tmp_path / "many"
    root.mkdir()
    for i in range(10):
        (root / f"{i}.txt").write_text(str(i))
    fs.fail_after = 5
    with pytest.raises(StorageError, match="connection reset"):
        ctx.engine.to_literal(ctx, str(root), Annotated[Directory, BatchSize(2)])
    assert s3_keys(ctx.storage.url) == []


def test_binary_and_text_streams_through_s3(s3: tuple[TransformContext, type[CountingS3]]) -> None:
    ctx, _ = s3
    data = os.urandom(6 * 2**20)
    with ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, io.BytesIO(data), BinaryIO), BinaryIO) as back:
        assert back.read() == data
    text = "héllo\nwörld\n" * 500
    with ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, io.StringIO(text), TextIO), TextIO) as back:
        assert back.readline() == "héllo\n" and back.read() == text[len("héllo\n") :]


def test_iterator_streams_through_s3_and_a_failing_producer_leaves_nothing(
    s3: tuple[TransformContext, type[CountingS3]], s3_keys: Callable[[str], list[str]]
) -> None:
    ctx, _ = s3
    lv = ctx.engine.to_literal(ctx, iter(range(2_500)), Annotated[Iterator[int], BatchSize(1000)])
    assert keys_under(s3_keys, lv.scalar.blob.uri) == ["00000000.tfl", "00000001.tfl", "00000002.tfl"]  # type: ignore[union-attr]
    back = ctx.engine.to_python_value(ctx, lv, Iterator[int])
    assert isinstance(back, StreamIterator) and list(back) == list(range(2_500))
    before = s3_keys(ctx.storage.url)

    def failing() -> Iterator[int]:
        yield from range(2_500)
        raise RuntimeError("the producer broke")

    with pytest.raises(TypeTransformerFailedError, match="the producer broke"):
        ctx.engine.to_literal(ctx, failing(), Annotated[Iterator[int], BatchSize(1000)])
    assert s3_keys(ctx.storage.url) == before, "the failed stream left batch files on S3"


def test_offloaded_literals_through_s3(
    s3: tuple[TransformContext, type[CountingS3]], s3_keys: Callable[[str], list[str]]
) -> None:
    ctx, _ = s3
    writer = ctx.engine.context(storage=ctx.storage.url, offload_above=1024)
    big = list(range(5_000))
    lv = ctx.engine.to_literal(writer, big, list[int])
    meta = lv.offloaded_metadata
    assert meta is not None and meta.uri.startswith(ctx.storage.url)
    assert meta.uri.removeprefix("s3://").split("/", 1)[1] in s3_keys(meta.uri)
    reader = TypeEngine().context(storage=ctx.storage.url)
    assert reader.engine.to_python_value(reader, wire.loads(wire.dumps(lv)), list[int]) == big  # type: ignore[arg-type]
    import boto3

    bucket, key = meta.uri.removeprefix("s3://").split("/", 1)
    boto3.client("s3", endpoint_url=os.environ["AWS_ENDPOINT_URL"], region_name="us-east-1").delete_object(Bucket=bucket, Key=key)
    with pytest.raises(StorageError) as info:
        reader.engine.to_python_value(reader, lv, list[int])
    assert info.value.uri == meta.uri


def test_a_literal_naming_another_bucket_is_refused(s3: tuple[TransformContext, type[CountingS3]], tmp_path: Path) -> None:
    ctx, fs = s3
    src = tmp_path / "x.txt"
    src.write_text("x")
    lv = ctx.engine.to_literal(ctx, str(src), File)
    other_bucket = lv.scalar.blob.uri.replace("s3://", "s3://not-", 1)  # type: ignore[union-attr]
    from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, Scalar

    foreign = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("")), other_bucket)))
    with pytest.raises(StorageError, match="refused to read") as info:
        ctx.engine.to_python_value(ctx, foreign, File).download()
    assert info.value.uri == other_bucket and fs.gets.total == 0
