"""``File`` and ``Directory``: uploaded once, downloaded lazily, bytes and relative paths intact.

Run against local storage and two fsspec file systems that count transfers
(``tests/core/counting_fs.py``): a sync one (files move on a thread pool) and
an async one (files move as coroutines on fsspec's loop, as for s3fs).
"""

from __future__ import annotations

import os
import re
import typing
import uuid
from pathlib import Path
from typing import Annotated, Any

import pytest

from tests.core.counting_fs import CountingAsyncFileSystem, CountingMemoryFileSystem, register
from tests.helpers import roundtrip
from typeflow import BatchSize, TransformContext, TypeEngine, _local_files, task, transfer, wire, workflow
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralType, Scalar
from typeflow.progress import Transfer
from typeflow.transfer import safe_relpath
from typeflow.types import Directory, File

register()

COUNTING = {"tfcount": CountingMemoryFileSystem, "tfcountasync": CountingAsyncFileSystem}


@pytest.fixture(params=["local", "tfcount", "tfcountasync"])
def any_ctx(request: pytest.FixtureRequest, engine: TypeEngine, tmp_path: Path) -> TransformContext:
    """A context on local storage, or on one of the counting file systems (a fresh bucket each)."""
    if request.param == "local":
        return engine.context(storage=str(tmp_path / "storage"))
    cls = COUNTING[request.param]
    cls.puts.reset()
    cls.gets.reset()
    return engine.context(storage=f"{request.param}://bucket-{uuid.uuid4().hex[:10]}/prefix")


@pytest.fixture(params=["tfcount", "tfcountasync"])
def counted(request: pytest.FixtureRequest, engine: TypeEngine) -> tuple[TransformContext, Any]:
    cls = COUNTING[request.param]
    cls.puts.reset()
    cls.gets.reset()
    return engine.context(storage=f"{request.param}://bucket-{uuid.uuid4().hex[:10]}/prefix"), cls


def make_tree(root: Path) -> dict[str, bytes]:
    """A folder with nested paths, an empty file, binary data and non-ASCII names."""
    files = {
        "top.txt": b"top level\n",
        "a/one.bin": bytes(range(256)) * 40,
        "a/b/c/deep.csv": b"x,y\n1,2\n",
        "a/empty": b"",
        "unicodé/naïve file.txt": "héllo".encode(),
    }
    for rel, data in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return files


def read_tree(root: str) -> dict[str, bytes]:
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            out[os.path.relpath(path, root).replace(os.sep, "/")] = Path(path).read_bytes()
    return out


# ------------------------------------------------------------------ File


def test_file_round_trip_keeps_bytes_and_name(any_ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "report.csv"
    src.write_bytes(b"a,b\n1,2\n" * 1000)
    back = roundtrip(any_ctx, File(str(src)), File)
    assert isinstance(back, File)
    assert back.remote_path is not None and back.remote_path.endswith("/report.csv")
    assert back.remote_path.startswith(any_ctx.storage.url)
    with back.open() as f:
        assert f.read() == src.read_bytes()
    assert os.path.basename(back.path) == "report.csv"


def test_str_and_pathlib_values_are_files_too(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("hi")
    for value in (str(src), src):
        back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, value, File), File)
        assert Path(os.fspath(back)).read_text() == "hi"


def test_read_back_file_downloads_only_on_first_access(counted: tuple[TransformContext, Any], tmp_path: Path) -> None:
    ctx, fs = counted
    src = tmp_path / "data.bin"
    src.write_bytes(os.urandom(10_000))
    lv = ctx.engine.to_literal(ctx, File(str(src)), File)
    back = ctx.engine.to_python_value(ctx, lv, File)
    assert fs.gets.total == 0 and not back.downloaded
    assert not os.path.exists(back.path), "the file was on disk before anyone asked for it"
    assert back.remote_path == lv.scalar.blob.uri  # type: ignore[union-attr]
    local = os.fspath(back)
    assert fs.gets.total == 1 and back.downloaded and Path(local).read_bytes() == src.read_bytes()
    with back.open("rb") as f:
        assert f.read(4) == src.read_bytes()[:4]
    assert fs.gets.total == 1, "a second access downloaded again"


def test_file_in_local_storage_is_copied_on_access_not_handed_out(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "data.txt"
    src.write_text("original")
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, File(str(src)), File), File)
    assert not back.downloaded
    Path(os.fspath(back)).write_text("changed by the reader")
    assert Path(back.remote_path or "").read_text() == "original", "writing the value changed the stored blob"


def test_file_already_in_storage_is_not_uploaded_again(any_ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "once.txt"
    src.write_text("once")
    lv = any_ctx.engine.to_literal(any_ctx, File(str(src)), File)
    back = any_ctx.engine.to_python_value(any_ctx, lv, File)
    before = _stored(any_ctx, tmp_path)
    again = any_ctx.engine.to_literal(any_ctx, back, File)
    assert again == lv
    assert _stored(any_ctx, tmp_path) == before
    assert not back.downloaded, "passing a stored file on downloaded it"


def _stored(ctx: TransformContext, tmp_path: Path) -> Any:
    url = ctx.storage.url
    for proto, cls in COUNTING.items():
        if url.startswith(proto):
            return cls.puts.total
    return sorted(p for p in (tmp_path / "storage").rglob("*") if p.is_file())


def test_remote_file_the_user_names_is_not_uploaded(counted: tuple[TransformContext, Any]) -> None:
    ctx, fs = counted
    uri = ctx.storage.join("elsewhere", "given.txt")
    ctx.storage.write_bytes(uri, b"given")
    value = File(uri)
    assert value.remote_path == uri and not value.downloaded
    lv = ctx.engine.to_literal(ctx, value, File)
    assert lv.scalar.blob.uri == uri and fs.puts.total == 0  # type: ignore[union-attr]
    assert Path(os.fspath(value)).read_bytes() == b"given"


def test_remote_path_names_the_upload_destination(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("x")
    dest = ctx.storage.join("chosen", "name.txt")
    lv = ctx.engine.to_literal(ctx, File(str(src), remote_path=dest), File)
    assert lv.scalar.blob.uri == dest and Path(dest).read_text() == "x"  # type: ignore[union-attr]


def test_metadata_travels_in_the_literal(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("x")
    lv = ctx.engine.to_literal(ctx, File(str(src), metadata={"owner": "ada"}), File)
    assert lv.metadata == {"owner": "ada"}
    assert ctx.engine.to_python_value(ctx, lv, File).metadata == {"owner": "ada"}


def test_format_goes_into_the_blob_type(engine: TypeEngine) -> None:
    csv = typing.TypeVar("csv")
    assert File["csv"] is File[csv] is File[".csv"]
    assert File["csv"] is not File["json"] and issubclass(File["csv"], File)
    assert engine.to_literal_type(File["csv"]) == LiteralType(blob=BlobType("csv", BlobDimensionality.SINGLE))
    assert engine.to_literal_type(File) == LiteralType(blob=BlobType("", BlobDimensionality.SINGLE))
    assert engine.to_literal_type(Directory["png"]) == LiteralType(blob=BlobType("png", BlobDimensionality.MULTIPART))
    assert engine.guess_python_type(engine.to_literal_type(File["csv"])) is File["csv"]
    assert engine.guess_python_type(engine.to_literal_type(Directory)) is Directory
    assert repr(File["csv"]("/tmp/a.csv")) == "File['csv']('/tmp/a.csv')"


def test_file_of_a_format_reads_back_as_that_type(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("a\n")
    lv = ctx.engine.to_literal(ctx, str(src), File["csv"])
    assert lv.scalar.blob.metadata.type.format == "csv"  # type: ignore[union-attr]
    assert type(ctx.engine.to_python_value(ctx, lv, File["csv"])) is File["csv"]


def test_a_blob_format_another_transformer_reads_is_not_guessed_as_a_file(engine: TypeEngine) -> None:
    assert engine.guess_python_type(engine.to_literal_type(typing.BinaryIO)) is typing.BinaryIO
    with pytest.raises(TypeTransformerFailedError):
        engine.guess_python_type(LiteralType(blob=BlobType("PythonPickle")))  # no pickle plugin in this env


def test_pathlike_declared_stays_out_of_the_way(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "kept.txt"
    src.write_text("kept")
    lv = ctx.engine.to_literal(ctx, str(src), os.PathLike)
    assert lv.scalar.blob.uri == str(src)  # type: ignore[union-attr]
    assert not (tmp_path / "storage").exists(), "a plain os.PathLike was uploaded"
    back = ctx.engine.to_python_value(ctx, lv, os.PathLike)
    assert isinstance(back, File)


def test_missing_file_is_an_error_naming_the_path(ctx: TransformContext, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    with pytest.raises(TypeTransformerFailedError, match="no such file") as info:
        ctx.engine.to_literal(ctx, File(str(missing)), File)
    assert str(missing) in str(info.value)


def test_directory_given_as_a_file_is_an_error_naming_it(ctx: TransformContext, tmp_path: Path) -> None:
    with pytest.raises(TypeTransformerFailedError, match="is a folder, not a file") as info:
        ctx.engine.to_literal(ctx, str(tmp_path), File)
    assert str(tmp_path) in str(info.value) and "Directory" in str(info.value)
    with pytest.raises(TypeTransformerFailedError, match="a Directory is not a File"):
        ctx.engine.to_literal(ctx, Directory(str(tmp_path)), File)


def test_file_given_as_a_directory_is_an_error_naming_it(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "f.txt"
    src.write_text("f")
    with pytest.raises(TypeTransformerFailedError, match="is a file, not a folder") as info:
        ctx.engine.to_literal(ctx, str(src), Directory)
    assert str(src) in str(info.value) and "File" in str(info.value)


def test_literal_of_the_other_kind_is_refused_naming_its_uri(ctx: TransformContext) -> None:
    multipart = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("", BlobDimensionality.MULTIPART)), "/some/dir")))
    single = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("", BlobDimensionality.SINGLE)), "/some/file")))
    with pytest.raises(TypeTransformerFailedError, match="/some/dir is a directory"):
        ctx.engine.to_python_value(ctx, multipart, File)
    with pytest.raises(TypeTransformerFailedError, match="/some/file is a single file"):
        ctx.engine.to_python_value(ctx, single, Directory)


def test_deleted_blob_is_a_storage_error_on_access(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("x")
    lv = ctx.engine.to_literal(ctx, str(src), File)
    back = ctx.engine.to_python_value(ctx, lv, File)
    os.remove(back.remote_path or "")
    with pytest.raises(StorageError) as info:
        back.download()
    assert info.value.uri == back.remote_path


def test_none_is_refused_unless_optional(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="None"):
        ctx.engine.to_literal(ctx, None, File)


# ------------------------------------------------------------------ Directory


def test_directory_round_trip_keeps_bytes_and_relative_paths(any_ctx: TransformContext, tmp_path: Path) -> None:
    files = make_tree(tmp_path / "src")
    lv = any_ctx.engine.to_literal(any_ctx, Directory(str(tmp_path / "src")), Directory)
    assert lv.scalar.blob.metadata.type.dimensionality == BlobDimensionality.MULTIPART  # type: ignore[union-attr]
    back = any_ctx.engine.to_python_value(any_ctx, wire.loads(wire.dumps(lv)), Directory)
    assert isinstance(back, Directory) and back.remote_path == lv.scalar.blob.uri  # type: ignore[union-attr]
    assert read_tree(os.fspath(back)) == files


def test_directory_lists_without_downloading(counted: tuple[TransformContext, Any], tmp_path: Path) -> None:
    ctx, fs = counted
    files = make_tree(tmp_path / "src")
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, str(tmp_path / "src"), Directory), Directory)
    assert sorted(rel for _, rel in back.crawl()) == sorted(files)
    names = [os.path.basename(str(c).rstrip("/")) for c in back.listdir()]
    assert names == ["a", "top.txt", "unicodé"]
    assert isinstance(back.listdir()[0], Directory) and isinstance(back.listdir()[1], File)
    assert fs.gets.total == 0 and not back.downloaded
    one = back.file("a/b/c/deep.csv")
    assert Path(os.fspath(one)).read_bytes() == files["a/b/c/deep.csv"]
    assert fs.gets.total == 1, "fetching one file downloaded more"
    assert not back.downloaded


def test_directory_downloads_on_first_access_only(counted: tuple[TransformContext, Any], tmp_path: Path) -> None:
    ctx, fs = counted
    files = make_tree(tmp_path / "src")
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, str(tmp_path / "src"), Directory), Directory)
    assert not os.path.exists(back.path)
    assert (back / "top.txt").read_bytes() == files["top.txt"]
    assert fs.gets.total == len(files)
    os.fspath(back)
    assert fs.gets.total == len(files)


@pytest.mark.parametrize("n", [1, 3, 7])
def test_batch_size_bounds_files_in_flight_both_ways(counted: tuple[TransformContext, Any], tmp_path: Path, n: int) -> None:
    ctx, fs = counted
    root = tmp_path / "many"
    root.mkdir()
    for i in range(25):
        (root / f"{i:02d}.txt").write_text(str(i))
    t = Annotated[Directory, BatchSize(n)]
    lv = ctx.engine.to_literal(ctx, str(root), t)
    assert fs.puts.total == 25 and fs.puts.peak == n, f"upload ran {fs.puts.peak} at once, BatchSize is {n}"
    back = ctx.engine.to_python_value(ctx, lv, t)
    assert len(read_tree(os.fspath(back))) == 25
    assert fs.gets.total == 25 and fs.gets.peak == n, f"download ran {fs.gets.peak} at once, BatchSize is {n}"


def test_without_batch_size_transfers_still_run_concurrently(counted: tuple[TransformContext, Any], tmp_path: Path) -> None:
    ctx, fs = counted
    root = tmp_path / "many"
    root.mkdir()
    for i in range(12):
        (root / f"{i}.txt").write_text(str(i))
    ctx.engine.to_literal(ctx, str(root), Directory)
    assert fs.puts.peak > 1


def test_failed_directory_upload_leaves_nothing(engine: TypeEngine, tmp_path: Path) -> None:
    root = tmp_path / "many"
    root.mkdir()
    for i in range(10):
        (root / f"{i}.txt").write_text(str(i))
    ctx = engine.context(storage=f"tfcount://bucket-{uuid.uuid4().hex[:10]}/prefix")
    CountingMemoryFileSystem.fail_after = 4
    try:
        with pytest.raises(StorageError, match="connection reset"):
            engine.to_literal(ctx, str(root), Annotated[Directory, BatchSize(2)])
    finally:
        CountingMemoryFileSystem.fail_after = None
    bucket = ctx.storage.url.split("://", 1)[1].split("/", 1)[0]
    assert [k for k in CountingMemoryFileSystem.store if bucket in k] == []


@pytest.mark.parametrize("into", ["a new folder", "a folder that exists"])
def test_a_source_file_gone_during_a_local_tree_copy_is_named_as_the_missing_source(
    engine: TypeEngine, tmp_path: Path, into: str
) -> None:
    make_tree(tmp_path / "src")
    entries = transfer.list_tree(None, str(tmp_path / "src"))
    gone = entries[0].uri
    os.remove(gone)  # after the listing, before the copy
    ctx = engine.context(storage=str(tmp_path / "storage"))
    prefix = ctx.storage.new_prefix()
    if into == "a folder that exists":
        os.makedirs(prefix)
    with pytest.raises(StorageError, match=f"cannot write \\(source blob not found: {re.escape(gone)}\\)") as info:
        transfer.upload_tree(ctx, str(tmp_path / "src"), entries, prefix, 1)
    assert "destination" not in str(info.value) and info.value.uri is not None and info.value.uri.startswith(prefix)


def test_a_missing_destination_folder_of_a_local_copy_is_named(tmp_path: Path) -> None:
    blob = tmp_path / "blob.bin"
    blob.write_bytes(b"blob")
    missing = tmp_path / "gone"
    with Transfer(None, "download", str(blob), 4) as progress:
        with pytest.raises(StorageError, match=f"destination folder not found: {re.escape(str(missing))}") as info:
            _local_files.copy_stored(str(blob), str(blob), str(missing / "blob.bin"), progress)
        assert info.value.uri == str(blob) and "source blob" not in str(info.value)
        with pytest.raises(StorageError, match=f"destination folder not found: {re.escape(str(missing))}") as info:
            _local_files.put_local(str(blob), str(missing / "blob.bin"), progress, folder_made=True)
        assert info.value.uri == str(missing / "blob.bin") and "source blob" not in str(info.value)
    assert blob.read_bytes() == b"blob"


def test_a_missing_source_folder_of_a_local_listing_is_named(tmp_path: Path) -> None:
    missing = tmp_path / "nope"
    with pytest.raises(StorageError, match=f"source folder not found: {re.escape(str(missing))}") as info:
        transfer.list_tree(None, str(missing))
    assert "blob not found" not in str(info.value)


def test_empty_directory_round_trips(any_ctx: TransformContext, tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    back = roundtrip(any_ctx, str(tmp_path / "empty"), Directory)
    assert os.listdir(os.fspath(back)) == []


def test_files_deleted_from_a_stored_directory_are_noticed(ctx: TransformContext, tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    lv = ctx.engine.to_literal(ctx, str(tmp_path / "src"), Directory)
    os.remove(os.path.join(lv.scalar.blob.uri, "top.txt"))  # type: ignore[union-attr]
    back = ctx.engine.to_python_value(ctx, lv, Directory)
    with pytest.raises(StorageError, match="holds 4 files but its literal says 5") as info:
        back.download()
    assert info.value.uri == back.remote_path


def test_a_link_inside_a_stored_directory_is_refused(ctx: TransformContext, tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("not yours")
    stored = tmp_path / "storage" / "planted"
    stored.mkdir(parents=True)
    (stored / "ok.txt").write_text("ok")
    (stored / "link.txt").symlink_to(secret)
    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("", BlobDimensionality.MULTIPART)), str(stored))))
    back = ctx.engine.to_python_value(ctx, lv, Directory)
    with pytest.raises(StorageError, match="not a regular file") as info:
        back.download()
    assert info.value.uri == str(stored / "link.txt")


@pytest.mark.parametrize("bad", ["../escape", "/etc/passwd", "a/../../escape", "..", ""])
def test_relative_paths_that_leave_the_directory_are_refused(bad: str) -> None:
    with pytest.raises(StorageError, match="leaves the directory"):
        safe_relpath(bad, "s3://bucket/dir")
    assert safe_relpath("a/./b//c", "s3://bucket/dir") == "a/b/c"


# ------------------------------------------------------------------ maps and tasks


def test_files_in_a_map_convert_together(ctx: TransformContext, tmp_path: Path) -> None:
    paths = {}
    for name in ("a", "b", "c"):
        paths[name] = tmp_path / f"{name}.txt"
        paths[name].write_text(name)
    hints = {name: File for name in paths}
    lm = ctx.engine.dict_to_literal_map(ctx, {n: str(p) for n, p in paths.items()}, hints)
    back = ctx.engine.literal_map_to_kwargs(ctx, lm, hints)
    assert {n: Path(os.fspath(f)).read_text() for n, f in back.items()} == {"a": "a", "b": "b", "c": "c"}


def test_directory_and_file_cross_a_two_task_workflow(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path / "storage"))
    out = tmp_path / "out"

    @task
    def produce() -> Directory:
        out.mkdir()
        (out / "a.txt").write_text("1")
        (out / "sub").mkdir()
        (out / "sub" / "b.txt").write_text("22")
        return Directory(str(out))

    @task
    def total(d: Directory) -> File:
        size = sum(len((Path(os.fspath(d)) / rel).read_text()) for _, rel in d.crawl())
        result = tmp_path / "total.txt"
        result.write_text(str(size))
        return File(str(result))

    @workflow
    def flow() -> File:
        return total(d=produce())

    result = flow()
    assert isinstance(result, File) and Path(os.fspath(result)).read_text() == "3"
    assert result.remote_path is not None and result.remote_path.startswith(str(tmp_path / "storage"))


def test_optional_file_accepts_none(ctx: TransformContext, tmp_path: Path) -> None:
    assert roundtrip(ctx, None, typing.Optional[File]) is None
    src = tmp_path / "x.txt"
    src.write_text("x")
    back = roundtrip(ctx, File(str(src)), typing.Optional[File])
    assert isinstance(back, File) and Path(os.fspath(back)).read_text() == "x"


def test_list_of_files_round_trips(ctx: TransformContext, tmp_path: Path) -> None:
    values = []
    for i in range(3):
        p = tmp_path / f"{i}.txt"
        p.write_text(str(i))
        values.append(File(str(p)))
    back = roundtrip(ctx, values, list[File])
    assert [Path(os.fspath(f)).read_text() for f in back] == ["0", "1", "2"]  # type: ignore[attr-defined]


def test_directory_already_in_storage_is_not_uploaded_again(any_ctx: TransformContext, tmp_path: Path) -> None:
    make_tree(tmp_path / "src")
    lv = any_ctx.engine.to_literal(any_ctx, str(tmp_path / "src"), Directory)
    back = any_ctx.engine.to_python_value(any_ctx, lv, Directory)
    before = _stored(any_ctx, tmp_path)
    assert any_ctx.engine.to_literal(any_ctx, back, Directory) == lv
    assert _stored(any_ctx, tmp_path) == before and not back.downloaded


def test_a_format_naming_a_module_says_how_to_write_it() -> None:
    import csv

    with pytest.raises(TypeError, match=r"names the module csv: write File\[TypeVar\('csv'\)\]"):
        File[csv]  # type: ignore[type-arg]  # what an unquoted File["csv"] annotation becomes
