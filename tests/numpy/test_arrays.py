"""np.ndarray / NDArray[dtype] ↔ a plain .npy blob: round trips, refusals, damaged blobs, memory."""

from __future__ import annotations

import pickle
import subprocess
import sys
import textwrap
import tracemalloc
import uuid
from pathlib import Path
from typing import Any, Optional

import hypothesis.extra.numpy as hnp
import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import typeflow
from typeflow import TransformContext, TypeEngine, wire
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import Blob, BlobMetadata, BlobType, Literal, LiteralType, Scalar

from ..helpers import roundtrip

FORMAT = "NumpyArray"


def blob_path(lv: Literal) -> Path:
    assert lv.scalar is not None and lv.scalar.blob is not None
    return Path(lv.scalar.blob.uri)


def same_array(a: np.ndarray, b: np.ndarray) -> bool:
    """Same dtype, shape and bytes (so NaN and NaT compare equal)."""
    return a.dtype == b.dtype and a.shape == b.shape and a.tobytes() == b.tobytes()


def blob_literal(path: Path, metadata: dict[str, str] | None = None) -> Literal:
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType(FORMAT)), str(path))), metadata=metadata)


# ---------------------------------------------------------------------------- round trips

EXAMPLES = {
    "float64 2-d": np.arange(12.0).reshape(3, 4),
    "float32 with nan and inf": np.array([np.nan, np.inf, -np.inf, -0.0], dtype=np.float32),
    "float16": np.array([1.5, -2.25], dtype=np.float16),
    "int8": np.array([-128, 127], dtype=np.int8),
    "uint64 max": np.array([2**64 - 1], dtype=np.uint64),
    "bool": np.array([[True, False]]),
    "complex128": np.array([1 + 2j, np.nan * 1j]),
    "big-endian int32": np.arange(5, dtype=">i4"),
    "datetime64[ns] with NaT": np.array(["2024-02-29T12:00:00.123456789", "NaT"], dtype="datetime64[ns]"),
    "timedelta64[D]": np.array([1, -3], dtype="timedelta64[D]"),
    "fixed-width unicode": np.array(["", "héllo", "日本"], dtype="U5"),
    "fixed-width bytes": np.array([b"a\x00b", b""], dtype="S3"),
    "raw void": np.frombuffer(b"abcdefgh", dtype="V4"),
    "structured": np.array([(1, 2.5, "x", [1, 2])], dtype=[("a", "<i4"), ("b", ">f8"), ("c", "U2"), ("d", "u1", (2,))]),
    "nested structured": np.zeros(3, dtype=[("p", [("x", "f4"), ("y", "f4")]), ("n", "i2")]),
    "aligned structured with padding": np.zeros(2, dtype=np.dtype([("a", "u1"), ("b", "f8")], align=True)),
    "0-d": np.array(3.25),
    "0-d structured": np.array((1, 2.0), dtype=[("a", "i8"), ("b", "f8")]),
    "empty 1-d": np.array([], dtype=np.int16),
    "empty with zero in the middle": np.zeros((2, 0, 3)),
    "fortran order": np.asfortranarray(np.arange(24, dtype=np.int32).reshape(2, 3, 4)),
    "non-contiguous view": np.arange(100.0).reshape(10, 10)[::3, 1::2],
    "transposed view": np.arange(12).reshape(3, 4).T,
    "negative strides": np.arange(10)[::-1],
    "broadcast view": np.broadcast_to(np.arange(3), (4, 3)),
}


@pytest.mark.parametrize("array", EXAMPLES.values(), ids=EXAMPLES.keys())
def test_array_round_trips_exactly_and_the_blob_is_a_plain_npy(ctx: TransformContext, array: np.ndarray) -> None:
    lv = ctx.engine.to_literal(ctx, array, np.ndarray)
    back = roundtrip(ctx, array, np.ndarray)
    assert type(back) is np.ndarray
    assert same_array(np.ascontiguousarray(array), np.ascontiguousarray(back))
    loaded = np.load(blob_path(lv), allow_pickle=False)
    assert same_array(np.ascontiguousarray(array), np.ascontiguousarray(loaded))
    assert blob_path(lv).suffix == ".npy"
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.metadata.type.format == FORMAT


def test_fortran_order_is_kept_in_the_file_and_on_read(ctx: TransformContext) -> None:
    array = np.asfortranarray(np.arange(6.0).reshape(2, 3))
    lv = ctx.engine.to_literal(ctx, array, np.ndarray)
    back = ctx.engine.to_python_value(ctx, lv, np.ndarray)
    assert back.flags.f_contiguous and not back.flags.c_contiguous
    assert np.load(blob_path(lv), allow_pickle=False).flags.f_contiguous


def test_array_read_back_owns_its_memory_and_is_writable(ctx: TransformContext) -> None:
    back = roundtrip(ctx, np.arange(5), np.ndarray)
    assert isinstance(back, np.ndarray) and back.flags.owndata and back.flags.writeable
    back[0] = 99


def test_literal_records_dtype_and_shape(ctx: TransformContext) -> None:
    array = np.zeros((2, 3), dtype=[("a", "<i4"), ("b", "<f8")])
    lv = ctx.engine.to_literal(ctx, array, np.ndarray)
    assert lv.metadata == {"dtype": "[('a', '<i4'), ('b', '<f8')]", "shape": "[2, 3]"}
    assert ctx.engine.to_literal(ctx, np.array(1.0), np.ndarray).metadata == {"dtype": "<f8", "shape": "[]"}


def test_each_array_gets_its_own_blob(ctx: TransformContext) -> None:
    a = ctx.engine.to_literal(ctx, np.arange(3), np.ndarray)
    b = ctx.engine.to_literal(ctx, np.arange(3), np.ndarray)
    assert blob_path(a) != blob_path(b)


def test_memmap_input_is_written_like_any_array(ctx: TransformContext, tmp_path: Path) -> None:
    source = np.memmap(tmp_path / "m.bin", dtype="f4", mode="w+", shape=(4, 5))
    source[:] = np.arange(20).reshape(4, 5)
    source.flush()
    back = roundtrip(ctx, source, np.ndarray)
    assert type(back) is np.ndarray and np.array_equal(back, np.asarray(source))


def test_list_and_optional_and_dict_of_arrays_round_trip(ctx: TransformContext) -> None:
    arrays = [np.arange(3), np.ones((2, 2)), np.array("x")]
    back = roundtrip(ctx, arrays, list[np.ndarray])
    assert isinstance(back, list) and all(same_array(a, b) for a, b in zip(arrays, back))
    assert roundtrip(ctx, None, Optional[np.ndarray]) is None
    some = roundtrip(ctx, np.arange(2), Optional[np.ndarray])
    assert isinstance(some, np.ndarray) and some.tolist() == [0, 1]
    mapping = roundtrip(ctx, {"a": np.arange(2.0)}, dict[str, np.ndarray])
    assert isinstance(mapping, dict) and mapping["a"].tolist() == [0.0, 1.0]


def test_typeflow_shortcuts_on_the_default_engine_convert_arrays(ctx: TransformContext) -> None:
    lv = typeflow.to_literal(np.arange(3), np.ndarray, ctx=ctx)
    assert typeflow.to_python_value(lv, np.ndarray, ctx=ctx).tolist() == [0, 1, 2]


ANY_DTYPE = st.one_of(
    hnp.scalar_dtypes(),
    hnp.byte_string_dtypes(min_len=1, max_len=4),
    hnp.unicode_string_dtypes(min_len=1, max_len=4),
    hnp.array_dtypes(subtype_strategy=hnp.scalar_dtypes(), max_size=3),
)
SHAPES = hnp.array_shapes(min_dims=0, max_dims=4, min_side=0, max_side=4)
LAYOUT = st.sampled_from(["C", "F", "strided", "reversed"])


def _layout(array: np.ndarray, layout: str) -> np.ndarray:
    if layout == "F":
        return np.asfortranarray(array)
    if layout == "strided" and array.ndim:
        return array[::2]
    if layout == "reversed" and array.ndim:
        return array[::-1]
    return array


@pytest.fixture(scope="module")
def shared_ctx(tmp_path_factory: pytest.TempPathFactory) -> TransformContext:
    return TypeEngine().context(storage=str(tmp_path_factory.mktemp("storage")))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(array=hnp.arrays(ANY_DTYPE, SHAPES), layout=LAYOUT)
def test_any_dtype_shape_and_layout_round_trips(shared_ctx: TransformContext, array: np.ndarray, layout: str) -> None:
    array = _layout(array, layout)
    lv = shared_ctx.engine.to_literal(shared_ctx, array, np.ndarray)
    back = shared_ctx.engine.to_python_value(shared_ctx, wire.loads(wire.dumps(lv)), np.ndarray)
    expected = np.ascontiguousarray(array)
    assert same_array(expected, np.ascontiguousarray(back))
    assert same_array(expected, np.ascontiguousarray(np.load(blob_path(lv), allow_pickle=False)))


# ---------------------------------------------------------------------------- NDArray[dtype]


def test_ndarray_dtype_is_recorded_in_the_literal_type_and_guessed_back(engine: TypeEngine) -> None:
    lt = engine.to_literal_type(npt.NDArray[np.float32])
    assert lt == LiteralType(blob=BlobType(FORMAT), metadata={"dtype": "float32"})
    assert engine.to_literal_type(np.ndarray) == LiteralType(blob=BlobType(FORMAT))
    assert engine.to_literal_type(npt.NDArray[Any]) == LiteralType(blob=BlobType(FORMAT))
    assert engine.guess_python_type(lt) == npt.NDArray[np.float32]
    assert engine.guess_python_type(engine.to_literal_type(np.ndarray)) is np.ndarray
    assert engine.to_literal_type(npt.NDArray[np.bool_]).metadata == {"dtype": "bool"}
    assert engine.guess_python_type(engine.to_literal_type(npt.NDArray[np.floating])) == npt.NDArray[np.floating]


def test_ndarray_of_the_declared_dtype_round_trips(ctx: TransformContext) -> None:
    array = np.arange(4, dtype=np.float32)
    back = roundtrip(ctx, array, npt.NDArray[np.float32])
    assert isinstance(back, np.ndarray) and back.dtype == np.float32
    assert roundtrip(ctx, array, npt.NDArray[np.floating]).dtype == np.float32  # type: ignore[union-attr]
    assert roundtrip(ctx, np.array(["a"]), npt.NDArray[np.str_]).tolist() == ["a"]  # type: ignore[union-attr]


def test_ndarray_of_another_dtype_is_refused_on_write_not_cast(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"dtype float64 where float32 is declared.*astype\(np.float32\)"):
        ctx.engine.to_literal(ctx, np.zeros(3), npt.NDArray[np.float32])
    with pytest.raises(TypeTransformerFailedError, match="int64 where floating is declared"):
        ctx.engine.to_literal(ctx, np.zeros(3, dtype=np.int64), npt.NDArray[np.floating])
    assert not list(Path(ctx.storage.url).rglob("*.npy"))


def test_ndarray_of_another_dtype_is_refused_on_read_naming_the_blob(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, np.zeros(3), np.ndarray)
    with pytest.raises(TypeTransformerFailedError, match="holds an array of dtype float64, but int32 is declared") as info:
        ctx.engine.to_python_value(ctx, lv, npt.NDArray[np.int32])
    assert str(blob_path(lv)) in str(info.value)


# ---------------------------------------------------------------------------- refusals


def test_object_array_is_refused_on_write_pointing_to_typeflow_pickle(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="typeflow-pickle") as info:
        ctx.engine.to_literal(ctx, np.array([{"a": 1}, None], dtype=object), np.ndarray)
    assert "Python objects" in str(info.value)
    assert not list(Path(ctx.storage.url).rglob("*.npy"))


def test_structured_array_with_an_object_field_is_refused(ctx: TransformContext) -> None:
    array = np.zeros(2, dtype=[("a", "i4"), ("o", "O")])
    with pytest.raises(TypeTransformerFailedError, match="typeflow-pickle"):
        ctx.engine.to_literal(ctx, array, np.ndarray)


@pytest.mark.skipif(not hasattr(np, "dtypes") or not hasattr(np.dtypes, "StringDType"), reason="numpy 2 StringDType")
def test_variable_width_string_array_is_refused_with_the_astype_hint(ctx: TransformContext) -> None:
    array = np.array(["a", "bb"], dtype=np.dtypes.StringDType())
    with pytest.raises(TypeTransformerFailedError, match=r"astype\(str\)"):
        ctx.engine.to_literal(ctx, array, np.ndarray)


def test_non_arrays_and_masked_arrays_are_refused(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"expected a numpy.ndarray.*np.asarray"):
        ctx.engine.to_literal(ctx, [1, 2], np.ndarray)
    with pytest.raises(TypeTransformerFailedError, match="mask"):
        ctx.engine.to_literal(ctx, np.ma.masked_array([1, 2], mask=[0, 1]), np.ndarray)
    with pytest.raises(TypeTransformerFailedError, match="None is not a value"):
        ctx.engine.to_literal(ctx, None, np.ndarray)


def test_a_literal_that_is_not_a_numpy_blob_is_refused(ctx: TransformContext) -> None:
    int_literal = ctx.engine.to_literal(ctx, 3, int)
    with pytest.raises(TypeTransformerFailedError, match="expected a NumpyArray blob"):
        ctx.engine.to_python_value(ctx, int_literal, np.ndarray)
    other = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), "/nowhere.pkl")))
    with pytest.raises(TypeTransformerFailedError, match="has format 'PythonPickle'"):
        ctx.engine.to_python_value(ctx, other, np.ndarray)


class _Boom:
    """Unpickling this creates a marker file: proof that a payload ran."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def __reduce__(self) -> Any:
        return (open, (self.marker, "w"))


@pytest.mark.parametrize("mmap", [False, True], ids=["read", "mmap"])
def test_blob_holding_a_pickled_object_array_is_refused_without_unpickling(
    engine: TypeEngine, tmp_path: Path, mmap: bool
) -> None:
    marker = tmp_path / "payload-ran"
    path = tmp_path / "evil.npy"
    array = np.empty(1, dtype=object)
    array[0] = _Boom(str(marker))
    np.save(path, array, allow_pickle=True)
    assert pickle.dumps(_Boom(str(marker)))  # the payload really is a pickle
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap=mmap)
    with pytest.raises(TypeTransformerFailedError, match="pickled array of Python objects") as info:
        ctx.engine.to_python_value(ctx, blob_literal(path), np.ndarray)
    assert str(path) in str(info.value)
    assert not marker.exists()


# ---------------------------------------------------------------------------- damaged blobs


def _written(ctx: TransformContext, array: np.ndarray | None = None) -> tuple[Literal, Path]:
    lv = ctx.engine.to_literal(ctx, np.arange(1000.0) if array is None else array, np.ndarray)
    return lv, blob_path(lv)


def _damage(path: Path, how: str) -> None:
    data = path.read_bytes()
    if how == "truncated data":
        path.write_bytes(data[: len(data) // 2])
    elif how == "truncated header":
        path.write_bytes(data[:20])
    elif how == "empty file":
        path.write_bytes(b"")
    elif how == "bad magic":
        path.write_bytes(b"GARBAGE!" + data[8:])
    elif how == "bad version":
        path.write_bytes(data[:6] + b"\x09\x00" + data[8:])
    elif how == "unparsable header":
        path.write_bytes(data[:10] + b"{{{{" + data[14:])
    elif how == "trailing bytes":
        path.write_bytes(data + b"extra")
    else:
        raise AssertionError(how)


DAMAGE = ["truncated data", "truncated header", "empty file", "bad magic", "bad version", "unparsable header", "trailing bytes"]


@pytest.mark.parametrize("mmap", [False, True], ids=["read", "mmap"])
@pytest.mark.parametrize("how", DAMAGE)
def test_damaged_blob_raises_a_storage_error_naming_the_uri(engine: TypeEngine, tmp_path: Path, how: str, mmap: bool) -> None:
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap=mmap)
    lv, path = _written(ctx)
    _damage(path, how)
    with pytest.raises(StorageError, match="cannot read NumpyArray blob") as info:
        ctx.engine.to_python_value(ctx, lv, np.ndarray)
    assert info.value.uri == str(path)
    assert str(path) in str(info.value)
    assert "write the value again" in str(info.value)


def test_missing_blob_raises_a_storage_error_naming_the_uri(ctx: TransformContext) -> None:
    lv, path = _written(ctx)
    path.unlink()
    with pytest.raises(StorageError, match="blob not found") as info:
        ctx.engine.to_python_value(ctx, lv, np.ndarray)
    assert str(path) in str(info.value)


def test_blob_that_does_not_match_its_literal_is_refused(ctx: TransformContext) -> None:
    lv, _ = _written(ctx, np.arange(6.0))
    _, other = _written(ctx, np.arange(4, dtype=np.int32))
    swapped = blob_literal(other, metadata=lv.metadata)
    with pytest.raises(StorageError, match=r"does not match its literal: shape \(6,\) recorded, \(4,\) in the blob"):
        ctx.engine.to_python_value(ctx, swapped, np.ndarray)


def test_blob_without_recorded_metadata_still_reads(ctx: TransformContext, tmp_path: Path) -> None:
    path = tmp_path / "plain.npy"
    np.save(path, np.arange(3, dtype=np.uint16))
    back = ctx.engine.to_python_value(ctx, blob_literal(path), np.ndarray)
    assert back.dtype == np.uint16 and back.tolist() == [0, 1, 2]


# ---------------------------------------------------------------------------- memory-mapping


@pytest.mark.parametrize("value", [True, "1", "r"])
def test_mmap_option_returns_a_read_only_memmap_of_local_blobs(engine: TypeEngine, tmp_path: Path, value: object) -> None:
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap=value)
    array = np.asfortranarray(np.arange(12.0).reshape(3, 4))
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, array, np.ndarray), np.ndarray)
    assert isinstance(back, np.memmap) and not back.flags.writeable
    assert np.array_equal(back, array) and back.flags.f_contiguous


def test_mmap_copy_on_write_never_changes_the_blob(engine: TypeEngine, tmp_path: Path) -> None:
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap="c")
    lv = ctx.engine.to_literal(ctx, np.zeros(4), np.ndarray)
    back = ctx.engine.to_python_value(ctx, lv, np.ndarray)
    back[:] = 7
    assert np.load(blob_path(lv)).tolist() == [0.0] * 4


def test_mmap_option_is_read_from_the_environment(engine: TypeEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TYPEFLOW_NUMPY_MMAP", "1")
    ctx = engine.context(storage=str(tmp_path / "storage"))
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, np.arange(3), np.ndarray), np.ndarray)
    assert isinstance(back, np.memmap)


@pytest.mark.parametrize("array", [np.zeros((0, 2)), np.array(1.5)], ids=["empty", "0-d"])
def test_mmap_of_empty_and_0d_arrays(engine: TypeEngine, tmp_path: Path, array: np.ndarray) -> None:
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap=True)
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, array, np.ndarray), np.ndarray)
    assert same_array(array, np.asarray(back))


def test_mmap_option_with_an_unknown_value_is_refused(engine: TypeEngine, tmp_path: Path) -> None:
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap="sometimes")
    lv = ctx.engine.to_literal(ctx, np.arange(3), np.ndarray)
    with pytest.raises(TypeTransformerFailedError, match="numpy_mmap='sometimes' is not understood"):
        ctx.engine.to_python_value(ctx, lv, np.ndarray)


def test_mmap_dtype_check_still_applies(engine: TypeEngine, tmp_path: Path) -> None:
    ctx = engine.context(storage=str(tmp_path / "storage"), numpy_mmap=True)
    lv = ctx.engine.to_literal(ctx, np.arange(3), np.ndarray)
    with pytest.raises(TypeTransformerFailedError, match="float32 is declared"):
        ctx.engine.to_python_value(ctx, lv, npt.NDArray[np.float32])


# ---------------------------------------------------------------------------- failed writes, memory

FAILING_WRITE = textwrap.dedent(
    """
    import resource, signal, sys
    import numpy as np, typeflow
    from typeflow.errors import StorageError
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a too-large write fails with EFBIG instead of killing us
    resource.setrlimit(resource.RLIMIT_FSIZE, (1 << 20, 1 << 20))
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=sys.argv[1])
    try:
        engine.to_literal(ctx, np.ones(1 << 20), np.ndarray)   # 8 MiB: fails after the first MiB
    except StorageError as exc:
        print("StorageError", exc.uri)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX")
def test_a_write_failing_midway_leaves_no_file_behind(tmp_path: Path) -> None:
    storage = tmp_path / "storage"
    result = subprocess.run(
        [sys.executable, "-c", FAILING_WRITE, str(storage)], capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    kind, uri = result.stdout.split()
    assert kind == "StorageError" and uri.endswith(".npy") and uri.startswith(str(storage))
    assert [p for p in storage.rglob("*") if p.is_file()] == []


def _peak(fn: Any) -> int:
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        fn()
        return tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()


def test_writing_streams_and_reading_allocates_about_one_array(ctx: TransformContext) -> None:
    array = np.random.default_rng(0).random(2 << 20)  # 16 MiB
    holder: dict[str, Any] = {}
    write_peak = _peak(lambda: holder.setdefault("lv", ctx.engine.to_literal(ctx, array, np.ndarray)))
    read_peak = _peak(lambda: holder.setdefault("back", ctx.engine.to_python_value(ctx, holder["lv"], np.ndarray)))
    assert write_peak < array.nbytes // 16, f"writing buffered {write_peak} bytes"
    assert read_peak < array.nbytes * 1.05 + (1 << 20), f"reading allocated {read_peak} bytes"
    assert same_array(array, holder["back"])


def test_round_trip_through_fsspec_storage_streams_and_ignores_mmap(engine: TypeEngine) -> None:
    ctx = engine.context(storage=f"memory://typeflow-numpy-{uuid.uuid4().hex}", numpy_mmap=True)
    array = np.asfortranarray(np.arange(30.0).reshape(5, 6))[:, ::2]
    lv = ctx.engine.to_literal(ctx, array, np.ndarray)
    assert lv.scalar is not None and lv.scalar.blob is not None and lv.scalar.blob.uri.startswith("memory://")
    back = ctx.engine.to_python_value(ctx, lv, np.ndarray)
    assert type(back) is np.ndarray and np.array_equal(back, array)


def test_truncated_blob_on_fsspec_storage_names_the_uri(engine: TypeEngine) -> None:
    import fsspec

    ctx = engine.context(storage=f"memory://typeflow-numpy-{uuid.uuid4().hex}")
    lv = ctx.engine.to_literal(ctx, np.arange(100.0), np.ndarray)
    assert lv.scalar is not None and lv.scalar.blob is not None
    uri = lv.scalar.blob.uri
    fs = fsspec.filesystem("memory")
    fs.pipe_file(uri, fs.cat_file(uri)[:300])
    with pytest.raises(StorageError) as info:
        ctx.engine.to_python_value(ctx, lv, np.ndarray)
    assert uri in str(info.value) and "truncated" in str(info.value)
