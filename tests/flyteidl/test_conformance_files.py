"""Conformance of typeflow's file-like built-ins with the installed flytekit (1.16), in both directions.

``File`` ↔ ``FlyteFile`` (with formats, in a dataclass, in a list),
``Directory`` ↔ ``FlyteDirectory``, ``os.PathLike`` and ``pathlib.Path``,
``Iterator[T]``, ``BinaryIO`` / ``TextIO`` and offloaded literals. Each
exchange goes through flyteidl bytes: typeflow's literal (written with the
``flytekit-1.16`` profile) through ``to_flyteidl`` → ``Literal.from_flyte_idl``
→ flytekit's ``TypeEngine.to_python_value``; flytekit's literal through
``to_flyte_idl`` → ``from_flyteidl`` → typeflow's engine. Values are equal
when the bytes behind them are (a file's bytes, a folder's files).

Where flytekit has no form for what typeflow writes (or none at all), the
test asserts typeflow's behaviour and the README's "Differences from
flytekit" says so.
"""

from __future__ import annotations

import dataclasses
import io
import os
import pathlib
import typing
from pathlib import Path
from typing import Any, BinaryIO, Iterator, List, TextIO

import pytest
from flytekit.core.context_manager import ExecutionState, FlyteContext, FlyteContextManager
from flytekit.core.type_engine import TypeEngine as FlyteTypeEngine
from flytekit.core.type_engine import TypeTransformerFailedError as FlyteTransformerFailedError
from flytekit.models.literals import Literal as FlyteLiteral
from flytekit.types.directory import FlyteDirectory
from flytekit.types.file import FlyteFile

import typeflow
from typeflow import TransformContext
from typeflow.errors import StorageError
from typeflow.literals import BlobDimensionality, Literal
from typeflow.streaming import FORMAT as STREAM_FORMAT
from typeflow.types import Directory, File
from typeflow_flyteidl import from_flyteidl, to_flyteidl

PROFILE = "flytekit-1.16"
#: flytekit's ``FlyteFile[TypeVar("csv")]`` spelling of a format
CSV = typing.TypeVar("csv")


@pytest.fixture
def fkctx() -> FlyteContext:
    return FlyteContextManager.current_context()


@pytest.fixture
def tctx(tmp_path: Path, fkctx: FlyteContext) -> TransformContext:
    # flytekit's uploads go to its raw output prefix, outside typeflow's storage: a read root, by design
    raw = fkctx.file_access.raw_output_prefix
    return typeflow.TypeEngine().context(storage=str(tmp_path / "storage"), profile=PROFILE, read_roots=[raw])


@pytest.fixture
def src(tmp_path: Path) -> Path:
    """A file with bytes that are not text, and a CSV next to it."""
    folder = tmp_path / "src"
    folder.mkdir()
    (folder / "data.bin").write_bytes(bytes(range(256)) * 40)
    (folder / "table.csv").write_text("a,b\n1,x\n2,y\n")
    return folder


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A folder with nested files."""
    root = tmp_path / "tree"
    (root / "sub" / "deeper").mkdir(parents=True)
    (root / "top.txt").write_text("top")
    (root / "sub" / "a.bin").write_bytes(b"\x00\x01" * 500)
    (root / "sub" / "deeper" / "b.txt").write_text("héllo")
    return root


def flytekit_reads(tctx: TransformContext, value: Any, tf_type: Any, fk_type: Any) -> Any:
    """typeflow writes ``value`` (flytekit-1.16 profile), flytekit reads it as ``fk_type``."""
    lv = tctx.engine.to_literal(tctx, value, tf_type)
    assert from_flyteidl(to_flyteidl(lv)) == lv
    fl = FlyteLiteral.from_flyte_idl(to_flyteidl(lv))
    return FlyteTypeEngine.to_python_value(FlyteContextManager.current_context(), fl, fk_type)


def flytekit_literal(value: Any, fk_type: Any) -> Literal:
    """flytekit's literal of ``value``, through flyteidl bytes into typeflow's model."""
    ctx = FlyteContextManager.current_context()
    fl = FlyteTypeEngine.to_literal(ctx, value, fk_type, FlyteTypeEngine.to_literal_type(fk_type))
    lv = from_flyteidl(fl.to_flyte_idl())
    assert isinstance(lv, Literal)
    assert from_flyteidl(to_flyteidl(lv)) == lv
    return lv


def typeflow_reads(tctx: TransformContext, value: Any, fk_type: Any, tf_type: Any) -> Any:
    """flytekit writes ``value`` as ``fk_type``, typeflow reads it as ``tf_type``."""
    return tctx.engine.to_python_value(tctx, flytekit_literal(value, fk_type), tf_type)


def same_literal_type(tf_type: Any, fk_type: Any) -> None:
    ours = to_flyteidl(typeflow.TypeEngine().to_literal_type(tf_type))
    theirs = FlyteTypeEngine.to_literal_type(fk_type).to_flyte_idl()
    assert ours == theirs, f"typeflow:\n{ours}\nflytekit:\n{theirs}"


def read_bytes(value: Any) -> bytes:
    """The bytes of a typeflow ``File``, a ``FlyteFile`` or a path (downloading first where remote)."""
    return Path(os.fspath(value)).read_bytes()


def contents(folder: Any) -> dict[str, bytes]:
    """Every file under a folder (a ``Directory``, a ``FlyteDirectory``, a path) by relative path."""
    root = Path(os.fspath(folder))
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


# ---------------------------------------------------------------------------------------------- File ↔ FlyteFile


def test_flytekit_reads_typeflows_file(tctx: TransformContext, src: Path) -> None:
    got = flytekit_reads(tctx, File(str(src / "data.bin")), File, FlyteFile)
    assert isinstance(got, FlyteFile)
    assert read_bytes(got) == (src / "data.bin").read_bytes()


@pytest.fixture
def local_run() -> Iterator[None]:
    """flytekit's context of a local workflow run, in which it uploads no file: literals name local paths."""
    ctx = FlyteContextManager.current_context()
    state = ctx.new_execution_state().with_params(mode=ExecutionState.Mode.LOCAL_WORKFLOW_EXECUTION)
    with FlyteContextManager.with_context(ctx.with_execution_state(state)):
        yield


def test_typeflow_reads_flytekits_file(tctx: TransformContext, src: Path, fkctx: FlyteContext) -> None:
    """Outside a local run flytekit uploads to its raw output prefix, which typeflow reads as a read root."""
    lv = flytekit_literal(FlyteFile(str(src / "data.bin")), FlyteFile)
    assert lv.scalar is not None and lv.scalar.blob is not None
    assert lv.scalar.blob.uri.startswith(fkctx.file_access.raw_output_prefix.rstrip("/"))
    got = tctx.engine.to_python_value(tctx, lv, File)
    assert isinstance(got, File)
    assert read_bytes(got) == (src / "data.bin").read_bytes()


@pytest.mark.usefixtures("local_run")
def test_typeflow_reads_flytekits_local_file(tctx: TransformContext, src: Path) -> None:
    """A local flytekit run does not upload: the literal names the local path."""
    got = typeflow_reads(tctx, FlyteFile(str(src / "data.bin")), FlyteFile, File)
    assert isinstance(got, File)
    assert got.remote_path == str(src / "data.bin")
    assert read_bytes(got) == (src / "data.bin").read_bytes()


def test_typeflow_reads_flytekits_file_at_its_remote_path(tctx: TransformContext, src: Path, fkctx: FlyteContext) -> None:
    destination = f"{fkctx.file_access.raw_output_prefix.rstrip('/')}/up/data.bin"
    lv = flytekit_literal(FlyteFile(str(src / "data.bin"), remote_path=destination), FlyteFile)
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.uri.endswith("/up/data.bin")
    got = tctx.engine.to_python_value(tctx, lv, File)
    assert read_bytes(got) == (src / "data.bin").read_bytes()


def test_file_metadata_travels_both_ways(tctx: TransformContext, src: Path) -> None:
    got = flytekit_reads(tctx, File(str(src / "data.bin"), metadata={"k": "v"}), File, FlyteFile)
    assert got.metadata == {"k": "v"}
    back = typeflow_reads(tctx, FlyteFile(str(src / "data.bin"), metadata={"a": "b"}), FlyteFile, File)
    assert back.metadata == {"a": "b"}


def test_file_literal_types_are_equal() -> None:
    same_literal_type(File, FlyteFile)


@pytest.mark.parametrize("fk_csv", [FlyteFile["csv"], FlyteFile[CSV]], ids=["str", "typevar"])
@pytest.mark.parametrize("tf_csv", [File["csv"], File[CSV]], ids=["str", "typevar"])
def test_a_files_format_is_flytekits(tctx: TransformContext, src: Path, tf_csv: Any, fk_csv: Any) -> None:
    same_literal_type(tf_csv, fk_csv)
    got = flytekit_reads(tctx, tf_csv(str(src / "table.csv")), tf_csv, fk_csv)
    assert got.extension() == "csv"
    assert read_bytes(got) == (src / "table.csv").read_bytes()
    back = typeflow_reads(tctx, fk_csv(str(src / "table.csv")), fk_csv, tf_csv)
    assert type(back) is File["csv"]
    assert read_bytes(back) == (src / "table.csv").read_bytes()


def test_flytekits_file_ext_form_is_read_as_the_format(tctx: TransformContext, src: Path) -> None:
    from flytekit.types.file import FileExt

    csv_ext = typing.Annotated[str, FileExt("csv")]
    same_literal_type(File[csv_ext], FlyteFile[csv_ext])
    back = typeflow_reads(tctx, FlyteFile[csv_ext](str(src / "table.csv")), FlyteFile[csv_ext], File[csv_ext])
    assert type(back) is File["csv"]


@dataclasses.dataclass
class Report:
    name: str
    data: File
    parts: List[File]


@dataclasses.dataclass
class FlyteReport:
    name: str
    data: FlyteFile
    parts: List[FlyteFile]


def same_fields(tf_type: Any, fk_type: Any) -> None:
    """Two dataclasses' literal types: the same STRUCT and field types (their JSON Schemas name different classes)."""
    ours = to_flyteidl(typeflow.TypeEngine().to_literal_type(tf_type))
    theirs = FlyteTypeEngine.to_literal_type(fk_type).to_flyte_idl()
    assert (ours.simple, ours.structure) == (theirs.simple, theirs.structure), f"typeflow:\n{ours}\nflytekit:\n{theirs}"


def test_a_file_in_a_dataclass_and_a_list(tctx: TransformContext, src: Path) -> None:
    same_fields(Report, FlyteReport)
    data, table = src / "data.bin", src / "table.csv"
    got = flytekit_reads(tctx, Report("r", File(str(data)), [File(str(table)), File(str(data))]), Report, FlyteReport)
    assert isinstance(got, FlyteReport) and got.name == "r"
    assert read_bytes(got.data) == data.read_bytes()
    assert [read_bytes(p) for p in got.parts] == [table.read_bytes(), data.read_bytes()]

    back = typeflow_reads(tctx, FlyteReport("f", FlyteFile(str(table)), [FlyteFile(str(data))]), FlyteReport, Report)
    assert isinstance(back, Report) and back.name == "f"
    assert isinstance(back.data, File) and read_bytes(back.data) == table.read_bytes()
    assert [read_bytes(p) for p in back.parts] == [data.read_bytes()]


def test_a_list_of_files(tctx: TransformContext, src: Path) -> None:
    paths = [src / "data.bin", src / "table.csv"]
    same_literal_type(List[File], List[FlyteFile])
    got = flytekit_reads(tctx, [File(str(p)) for p in paths], List[File], List[FlyteFile])
    assert [read_bytes(f) for f in got] == [p.read_bytes() for p in paths]
    back = typeflow_reads(tctx, [FlyteFile(str(p)) for p in paths], List[FlyteFile], List[File])
    assert all(isinstance(f, File) for f in back)
    assert [read_bytes(f) for f in back] == [p.read_bytes() for p in paths]


# ---------------------------------------------------------------------------------------------- os.PathLike


def test_os_pathlike_is_flytekits_plain_file(tctx: TransformContext, src: Path) -> None:
    """Declared ``os.PathLike``, both keep the local path in the literal: nothing is uploaded."""
    same_literal_type(os.PathLike, os.PathLike)
    lv = tctx.engine.to_literal(tctx, src / "data.bin", os.PathLike)
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.uri == str(src / "data.bin")
    got = flytekit_reads(tctx, src / "data.bin", os.PathLike, os.PathLike)
    assert isinstance(got, FlyteFile) and read_bytes(got) == (src / "data.bin").read_bytes()
    back = typeflow_reads(tctx, src / "data.bin", os.PathLike, os.PathLike)
    assert isinstance(back, File) and read_bytes(back) == (src / "data.bin").read_bytes()


# ---------------------------------------------------------------------------------------------- Directory


def test_flytekit_reads_typeflows_directory(tctx: TransformContext, tree: Path) -> None:
    got = flytekit_reads(tctx, Directory(str(tree)), Directory, FlyteDirectory)
    assert isinstance(got, FlyteDirectory)
    assert contents(got) == contents(tree)


@pytest.mark.usefixtures("local_run")
def test_typeflow_reads_flytekits_local_directory(tctx: TransformContext, tree: Path) -> None:
    """A local folder a literal names is listed only inside storage or a read root (docs/RELIABILITY.md)."""
    lv = flytekit_literal(FlyteDirectory(str(tree)), FlyteDirectory)
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.uri == str(tree)
    with pytest.raises(StorageError, match="read_roots"):
        tctx.engine.to_python_value(tctx, lv, Directory).download()
    tctx = tctx.engine.context(storage=tctx.storage.url, profile=PROFILE, read_roots=[str(tree)])
    got = tctx.engine.to_python_value(tctx, lv, Directory)
    assert isinstance(got, Directory)
    assert sorted(rel for _, rel in got.crawl()) == sorted(contents(tree))
    assert contents(got) == contents(tree)


def test_typeflow_reads_flytekits_uploaded_directory(tctx: TransformContext, tree: Path, fkctx: FlyteContext) -> None:
    destination = f"{fkctx.file_access.raw_output_prefix.rstrip('/')}/updir"
    got = typeflow_reads(tctx, FlyteDirectory(str(tree), remote_directory=destination), FlyteDirectory, Directory)
    assert contents(got) == contents(tree)


def test_directory_literal_types_are_equal() -> None:
    same_literal_type(Directory, FlyteDirectory)
    same_literal_type(Directory["png"], FlyteDirectory["png"])


@dataclasses.dataclass
class Dataset:
    root: Directory


@dataclasses.dataclass
class FlyteDataset:
    root: FlyteDirectory


def test_a_directory_in_a_dataclass(tctx: TransformContext, tree: Path) -> None:
    same_fields(Dataset, FlyteDataset)
    got = flytekit_reads(tctx, Dataset(Directory(str(tree))), Dataset, FlyteDataset)
    assert contents(got.root) == contents(tree)
    back = typeflow_reads(tctx, FlyteDataset(FlyteDirectory(str(tree))), FlyteDataset, Dataset)
    assert isinstance(back.root, Directory) and contents(back.root) == contents(tree)


# ---------------------------------------------------------------------------------------------- pathlib.Path


def test_typeflow_reads_flytekits_pickled_path(tctx: TransformContext, src: Path) -> None:
    """flytekit has no transformer for ``pathlib.Path``: it pickles the path object, and typeflow reads that pickle."""
    lv = flytekit_literal(src / "data.bin", pathlib.Path)
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.metadata.type.format == "PythonPickle"
    assert tctx.engine.to_python_value(tctx, lv, pathlib.Path) == src / "data.bin"


def test_a_declared_path_carries_its_file_as_flytekits_file(tctx: TransformContext, src: Path) -> None:
    """typeflow uploads the file a declared ``Path`` names (flytekit pickles the path): flytekit reads it as a FlyteFile."""
    assert FlyteTypeEngine.to_literal_type(pathlib.Path).blob.format == "PythonPickle"
    same_literal_type(pathlib.Path, FlyteFile)
    got = flytekit_reads(tctx, src / "data.bin", pathlib.Path, FlyteFile)
    assert read_bytes(got) == (src / "data.bin").read_bytes()
    # and typeflow reads a FlyteFile's literal as a Path to a local copy of the bytes
    back = typeflow_reads(tctx, FlyteFile(str(src / "data.bin")), FlyteFile, pathlib.Path)
    assert isinstance(back, pathlib.Path) and back != src / "data.bin" and back.read_bytes() == (src / "data.bin").read_bytes()


def test_a_declared_path_to_a_folder_is_flytekits_directory(tctx: TransformContext, tree: Path) -> None:
    lv = tctx.engine.to_literal(tctx, tree, pathlib.Path)
    assert lv.scalar is not None and lv.scalar.blob is not None
    assert lv.scalar.blob.metadata.type.dimensionality == BlobDimensionality.MULTIPART
    got = flytekit_reads(tctx, tree, pathlib.Path, FlyteDirectory)
    assert contents(got) == contents(tree)
    back = typeflow_reads(tctx, FlyteDirectory(str(tree)), FlyteDirectory, pathlib.Path)
    assert isinstance(back, pathlib.Path) and contents(back) == contents(tree)


# ---------------------------------------------------------------------------------------------- BinaryIO / TextIO


def test_stream_literal_types_are_equal() -> None:
    same_literal_type(BinaryIO, BinaryIO)
    same_literal_type(TextIO, TextIO)


def test_flytekit_reads_typeflows_binary_and_text_streams(tctx: TransformContext) -> None:
    payload = bytes(range(256)) * 100
    got = flytekit_reads(tctx, io.BytesIO(payload), BinaryIO, BinaryIO)
    with got:
        assert got.read() == payload
    text = "héllo\nwörld\n" * 50
    got_text = flytekit_reads(tctx, io.StringIO(text), TextIO, TextIO)
    with got_text:
        assert got_text.read() == text


def test_flytekit_writes_no_stream_and_typeflow_reads_its_files_as_streams(tctx: TransformContext, src: Path) -> None:
    """flytekit 1.16 only reads ``BinaryIO`` / ``TextIO``; typeflow reads a ``FlyteFile``'s blob as either."""
    ctx = FlyteContextManager.current_context()
    for value, t in ((io.BytesIO(b"x"), BinaryIO), (io.StringIO("x"), TextIO)):
        with pytest.raises((NotImplementedError, FlyteTransformerFailedError)):  # no stream is a typing.BinaryIO instance
            FlyteTypeEngine.to_literal(ctx, value, t, FlyteTypeEngine.to_literal_type(t))
        with pytest.raises(NotImplementedError):  # and its transformer writes none
            FlyteTypeEngine.get_transformer(t).to_literal(ctx, value, t, FlyteTypeEngine.to_literal_type(t))
    with typeflow_reads(tctx, FlyteFile(str(src / "data.bin")), FlyteFile, BinaryIO) as stream:
        assert stream.read() == (src / "data.bin").read_bytes()
    with typeflow_reads(tctx, FlyteFile(str(src / "table.csv")), FlyteFile, TextIO) as text:
        assert text.read() == (src / "table.csv").read_text()


# ---------------------------------------------------------------------------------------------- Iterator[T]


def test_typeflow_reads_flytekits_iterator(tctx: TransformContext) -> None:
    """flytekit writes ``Iterator[T]`` as a collection of all its items; typeflow reads it as a lazy iterator."""
    got = typeflow_reads(tctx, iter(range(7)), Iterator[int], Iterator[int])
    assert not isinstance(got, list)
    assert list(got) == list(range(7))


def test_typeflow_reads_flytekits_iterator_of_files(tctx: TransformContext, src: Path) -> None:
    paths = [src / "data.bin", src / "table.csv"]
    got = typeflow_reads(tctx, iter([FlyteFile(str(p)) for p in paths]), Iterator[FlyteFile], Iterator[File])
    assert [read_bytes(f) for f in got] == [p.read_bytes() for p in paths]


def test_typeflows_stream_is_not_flytekits_iterator(tctx: TransformContext) -> None:
    """typeflow's stream is a folder of batch files (a ``MULTIPART`` blob), which flytekit's iterator cannot read."""
    lv = tctx.engine.to_literal(tctx, iter(range(7)), Iterator[int])
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.metadata.type.format == STREAM_FORMAT
    ours = to_flyteidl(tctx.engine.to_literal_type(Iterator[int]))
    assert ours != FlyteTypeEngine.to_literal_type(Iterator[int]).to_flyte_idl()
    fl = FlyteLiteral.from_flyte_idl(to_flyteidl(lv))
    with pytest.raises(FlyteTransformerFailedError):  # flytekit reads only its collection form
        list(FlyteTypeEngine.to_python_value(FlyteContextManager.current_context(), fl, Iterator[int]))
    # declared List[T], the same items are flytekit's collection
    assert list(flytekit_reads(tctx, list(range(7)), List[int], Iterator[int])) == list(range(7))


def test_a_generator_is_typeflows_stream_and_flytekits_pickle(tctx: TransformContext) -> None:
    """flytekit has no transformer for ``Generator[T, …]``: it pickles one, which no generator survives."""
    gen_type = typing.Generator[int, None, None]
    assert FlyteTypeEngine.to_literal_type(gen_type).blob.format == "PythonPickle"
    ctx = FlyteContextManager.current_context()
    with pytest.raises(Exception, match="generator"):
        FlyteTypeEngine.to_literal(ctx, (i for i in range(3)), gen_type, FlyteTypeEngine.to_literal_type(gen_type))
    lv = tctx.engine.to_literal(tctx, (i for i in range(3)), gen_type)
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.metadata.type.format == STREAM_FORMAT
    assert list(tctx.engine.to_python_value(tctx, lv, gen_type)) == [0, 1, 2]


# ---------------------------------------------------------------------------------------------- offloaded literals


def test_flytekit_reads_typeflows_offloaded_literal(tmp_path: Path) -> None:
    ctx = typeflow.TypeEngine().context(storage=str(tmp_path / "storage"), profile=PROFILE, offload_above=64)
    value = {f"k{i}": float(i) for i in range(100)}
    lv = ctx.engine.to_literal(ctx, value, typing.Dict[str, float])
    assert lv.offloaded_metadata is not None
    assert from_flyteidl(to_flyteidl(lv)) == lv
    fl = FlyteLiteral.from_flyte_idl(to_flyteidl(lv))
    got = FlyteTypeEngine.to_python_value(FlyteContextManager.current_context(), fl, typing.Dict[str, float])
    assert got == value
    assert ctx.engine.to_python_value(ctx, lv, typing.Dict[str, float]) == value  # and typeflow reads its own


def test_typeflow_reads_flytekits_offloaded_outputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """pyflyte-execute offloads every output at least ``_F_L_MIN_SIZE_MB`` big to ``<name>_offloaded_metadata.pb``."""
    from .test_flytekit_tasks import pyflyte_execute, typeflow_inputs

    monkeypatch.setenv("_F_L_MIN_SIZE_MB", "0")
    inputs = typeflow_inputs(
        {"xs": list(range(100)), "weights": {"a": 0.5}, "label": "t"},
        {"xs": List[int], "weights": typing.Dict[str, float], "label": str},
    )
    outputs = pyflyte_execute("summarize", inputs, tmp_path)
    o0 = outputs.literals["o0"]
    assert o0.offloaded_metadata is not None and o0.offloaded_metadata.uri.endswith("o0_offloaded_metadata.pb")
    assert from_flyteidl(to_flyteidl(outputs)) == outputs
    assert typeflow.LiteralsResolver(outputs).get("o0", as_type=typing.Dict[str, float]) == {"t": 4950.0, "weight": 0.5}
