"""``pathlib.Path`` declared as a type: the file or folder it names travels as a blob, and comes back as a local copy.

A path to a file is written as ``File`` writes it (``SINGLE`` blob, flytekit's
FlyteFile form), a path to a folder as ``Directory`` does (``MULTIPART``);
reading downloads through the context's read policy to a fresh local folder.
"""

from __future__ import annotations

import os
import pathlib
import uuid
from pathlib import Path
from typing import Annotated, Any, Optional

import pytest

from tests.core.counting_fs import CountingMemoryFileSystem
from tests.core.test_files import any_ctx, counted, make_tree, read_tree  # noqa: F401 - fixtures
from tests.helpers import roundtrip
from typeflow import BatchSize, TransformContext, TypeEngine, task, wire, workflow
from typeflow.builtins.files import FILES_KEY
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import BlobDimensionality
from typeflow.types import Directory, File

SINGLE, MULTIPART = BlobDimensionality.SINGLE, BlobDimensionality.MULTIPART


def blob_of(lv: Any) -> Any:
    assert lv.scalar is not None and lv.scalar.blob is not None, lv
    return lv.scalar.blob


def test_a_path_is_no_longer_left_to_a_fallback(engine: TypeEngine) -> None:
    resolution = engine.resolve(Path)
    assert resolution.transformer.name == "Path" and resolution.source.plugin == "builtins"
    # Path() makes a PosixPath (or WindowsPath): found through its base class
    assert engine.resolve(type(Path("x"))).transformer is resolution.transformer


def test_the_literal_type_is_files_so_flytekit_reads_it_as_a_flytefile(engine: TypeEngine) -> None:
    assert engine.to_literal_type(Path) == engine.to_literal_type(File)
    assert engine.to_literal_type(Path).blob.dimensionality == SINGLE  # type: ignore[union-attr]
    assert engine.to_literal_type(Annotated[Path, BatchSize(4)]) == engine.to_literal_type(File)


def test_file_round_trip_keeps_bytes_and_name(any_ctx: TransformContext, tmp_path: Path) -> None:  # noqa: F811
    src = tmp_path / "report.csv"
    src.write_bytes(b"a,b\n1,2\n" * 1000)
    lv = any_ctx.engine.to_literal(any_ctx, src, Path)
    blob = blob_of(lv)
    assert blob.metadata.type.dimensionality == SINGLE and blob.metadata.type.format == ""
    assert blob.uri.startswith(any_ctx.storage.url) and blob.uri.endswith("/report.csv")
    back = roundtrip(any_ctx, src, Path)
    assert isinstance(back, pathlib.Path) and back.name == "report.csv"
    assert back.read_bytes() == src.read_bytes()
    assert back != src, "the value read back is a copy, not the original file"


def test_the_local_copy_is_not_the_stored_blob(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "notes.txt"
    src.write_text("stored")
    lv = ctx.engine.to_literal(ctx, src, Path)
    first = ctx.engine.to_python_value(ctx, lv, Path)
    first.write_text("changed by a reader")
    second = ctx.engine.to_python_value(ctx, lv, Path)
    assert second.read_text() == "stored" and first != second
    assert Path(blob_of(lv).uri).read_text() == "stored"


def test_folder_round_trip_keeps_bytes_and_relative_paths(any_ctx: TransformContext, tmp_path: Path) -> None:  # noqa: F811
    root = tmp_path / "tree"
    files = make_tree(root)
    lv = any_ctx.engine.to_literal(any_ctx, root, Path)
    blob = blob_of(lv)
    assert blob.metadata.type.dimensionality == MULTIPART
    assert lv.metadata == {FILES_KEY: str(len(files))}
    back = roundtrip(any_ctx, root, Path)
    assert isinstance(back, pathlib.Path) and back.is_dir()
    assert read_tree(str(back)) == files


def test_str_paths_and_local_files_declared_as_path_are_uploaded(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("hi")
    for value in (str(src), f"file://{src}", File(str(src))):
        back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, value, Path), Path)
        assert back.read_text() == "hi" and back != src


def test_a_file_already_in_storage_is_passed_on_not_copied(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("once")
    stored = ctx.engine.to_literal(ctx, File(str(src)), File)
    as_file = ctx.engine.to_python_value(ctx, stored, File)
    again = ctx.engine.to_literal(ctx, as_file, Path)
    assert blob_of(again).uri == blob_of(stored).uri and not as_file.downloaded
    folder = tmp_path / "d"
    make_tree(folder)
    stored_dir = ctx.engine.to_literal(ctx, Directory(str(folder)), Directory)
    as_dir = ctx.engine.to_python_value(ctx, stored_dir, Directory)
    again_dir = ctx.engine.to_literal(ctx, as_dir, Path)
    assert blob_of(again_dir).uri == blob_of(stored_dir).uri
    assert blob_of(again_dir).metadata.type.dimensionality == MULTIPART


def test_paths_nested_in_lists_dicts_and_optionals(ctx: TransformContext, tmp_path: Path) -> None:
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text("A")
    b.write_text("B")
    folder = tmp_path / "folder"
    make_tree(folder)
    listed = roundtrip(ctx, [a, folder, b], list[Path])
    assert isinstance(listed, list) and [p.name for p in listed[::2]] == ["a.txt", "b.txt"]
    assert listed[0].read_text() == "A" and listed[2].read_text() == "B"
    assert read_tree(str(listed[1])) == read_tree(str(folder))
    mapped = roundtrip(ctx, {"x": [a], "y": []}, dict[str, list[Path]])
    assert isinstance(mapped, dict) and mapped["x"][0].read_text() == "A" and mapped["y"] == []
    assert roundtrip(ctx, None, Optional[Path]) is None
    maybe = roundtrip(ctx, folder, Optional[Path])
    assert isinstance(maybe, pathlib.Path) and read_tree(str(maybe)) == read_tree(str(folder))


def test_a_task_reads_and_returns_paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path / "storage"))
    src = tmp_path / "in.txt"
    src.write_text("hello")
    seen: list[Path] = []

    @task
    def shout(path: Path) -> Path:
        seen.append(path)
        out = path.parent / "out.txt"
        out.write_text(path.read_text().upper())
        return out

    @workflow
    def pipeline(path: Path) -> Path:
        return shout(path=path)

    result = pipeline(path=src)
    assert result.read_text() == "HELLO" and result.name == "out.txt"
    assert seen and seen[0] != src and seen[0].read_text() == "hello", "the task got a copy of the file"


def test_a_missing_path_is_an_error_naming_it(ctx: TransformContext, tmp_path: Path) -> None:
    missing = tmp_path / "nope" / "x.csv"
    with pytest.raises(TypeTransformerFailedError, match="no such file or folder") as info:
        ctx.engine.to_literal(ctx, missing, Path)
    assert str(missing) in str(info.value)
    with pytest.raises(TypeTransformerFailedError) as nested:
        ctx.engine.to_literal(ctx, {"inputs": [tmp_path, missing]}, dict[str, list[Path]])
    assert str(missing) in str(nested.value) and nested.value.location.startswith("$['inputs'][1]")
    assert not list((tmp_path / "storage").rglob("*.csv"))


def test_what_is_not_a_local_path_is_refused(ctx: TransformContext, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(TypeTransformerFailedError, match="neither a regular file nor a folder"):
        ctx.engine.to_literal(ctx, fifo, Path)
    with pytest.raises(TypeTransformerFailedError, match="not a local path") as info:
        ctx.engine.to_literal(ctx, "s3://bucket/key.csv", Path)
    assert "File" in str(info.value)
    for value in (3, b"/tmp/x", ["a"]):
        with pytest.raises(TypeTransformerFailedError, match=r"expected a pathlib\.Path"):
            ctx.engine.to_literal(ctx, value, Path)


def test_a_deleted_blob_is_a_storage_error_naming_it(ctx: TransformContext, tmp_path: Path) -> None:
    src = tmp_path / "x.txt"
    src.write_text("gone soon")
    lv = ctx.engine.to_literal(ctx, src, Path)
    os.remove(blob_of(lv).uri)
    with pytest.raises(StorageError) as info:
        ctx.engine.to_python_value(ctx, lv, Path)
    assert info.value.uri == blob_of(lv).uri
    folder = tmp_path / "d"
    make_tree(folder)
    lv_dir = ctx.engine.to_literal(ctx, folder, Path)
    os.remove(os.path.join(blob_of(lv_dir).uri, "top.txt"))
    with pytest.raises(StorageError, match="files were deleted"):
        ctx.engine.to_python_value(ctx, lv_dir, Path)


def test_literals_that_are_no_blob_are_refused(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="as a Path"):
        ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, "x", str), Path)


def test_a_pickled_path_needs_the_pickle_plugin(ctx: TransformContext) -> None:
    """typeflow 0.1 pickled a declared Path; without typeflow-pickle such a literal says what to install."""
    from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, Scalar

    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle", SINGLE)), "/nowhere/x.pkl")))
    with pytest.raises(TypeTransformerFailedError, match="install typeflow-pickle"):
        ctx.engine.to_python_value(ctx, lv, Path)


@pytest.mark.parametrize("n", [1, 3])
def test_batch_size_bounds_a_folders_files_in_flight(counted: tuple[TransformContext, Any], tmp_path: Path, n: int) -> None:  # noqa: F811
    ctx, fs = counted
    root = tmp_path / "many"
    root.mkdir()
    for i in range(12):
        (root / f"{i:02d}.txt").write_text(str(i))
    t = Annotated[Path, BatchSize(n)]
    lv = ctx.engine.to_literal(ctx, root, t)
    assert fs.puts.total == 12 and fs.puts.peak == n, f"upload ran {fs.puts.peak} at once, BatchSize is {n}"
    back = ctx.engine.to_python_value(ctx, lv, t)
    assert len(read_tree(str(back))) == 12
    assert fs.gets.total == 12 and fs.gets.peak == n, f"download ran {fs.gets.peak} at once, BatchSize is {n}"


def test_a_remote_storage_holds_the_file(engine: TypeEngine, tmp_path: Path) -> None:
    ctx = engine.context(storage=f"tfcount://bucket-{uuid.uuid4().hex[:10]}/prefix")
    src = tmp_path / "x.bin"
    src.write_bytes(os.urandom(5000))
    lv = engine.to_literal(ctx, src, Path)
    uri = blob_of(lv).uri
    assert uri.startswith(ctx.storage.url) and CountingMemoryFileSystem().cat_file(uri) == src.read_bytes()
    back = engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), Path)
    assert back.read_bytes() == src.read_bytes()


def test_a_list_of_paths_in_a_task_returns_local_copies(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_STORAGE", str(tmp_path / "storage"))
    files = []
    for i in range(3):
        (tmp_path / f"{i}.txt").write_text(str(i))
        files.append(tmp_path / f"{i}.txt")

    @task
    def sizes(paths: list[Path]) -> dict[str, int]:
        return {p.name: len(p.read_text()) for p in paths}

    assert sizes(paths=files) == {"0.txt": 1, "1.txt": 1, "2.txt": 1}
