"""``np.ndarray`` and ``NDArray[dtype]`` ↔ one plain ``.npy`` blob (format ``NumpyArray``).

Writing streams the array straight into the storage file; reading parses the
header, then fills one preallocated array, so a round trip holds about one
extra copy of the array. ``allow_pickle`` is never used: arrays of Python
objects are refused on write, and a blob holding one is refused on read.

The literal records the array's dtype (as the ``.npy`` header spells it) and
shape in ``Literal.metadata``; ``NDArray[np.float32]`` records ``float32`` in
the literal type's ``metadata``.

``NDArray[dtype]`` **refuses** (never casts) an array of another dtype, both
on write and on read: a silent cast could lose precision. ``dtype`` may be
abstract (``NDArray[np.floating]`` accepts any float dtype); ``np.ndarray``
and ``NDArray[Any]`` accept every dtype.

Memory-mapping: with the option ``numpy_mmap`` (``engine.context(numpy_mmap=True)``
or ``TYPEFLOW_NUMPY_MMAP=1``), a blob on local storage is returned as a
read-only ``np.memmap`` instead of being read into memory; ``"c"`` maps it
copy-on-write (writable in memory, the blob never changes). Blobs on remote
storage, and local files outside the context's storage root and read roots,
are always read normally. A mapped blob that is truncated while the array is
in use kills the process with SIGBUS (the operating system's rule for mapped
files, which Python cannot catch): map only storage nobody else rewrites.

Reading checks the array's size, from its header, against the context's read
budget (:mod:`typeflow.budgets`) before allocating it.
"""

from __future__ import annotations

import json
from typing import Any, get_args, get_origin

import numpy as np

from typeflow.budgets import check_read_budget
from typeflow.errors import StorageError, TypeTransformerFailedError
from typeflow.literals import Blob, BlobDimensionality, BlobMetadata, BlobType, Literal, LiteralType, Scalar
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from . import npy

__all__ = ["FORMAT", "MMAP_OPTION", "NDArrayTransformer", "declared_dtype"]

#: the blob format of a numpy array literal
FORMAT = "NumpyArray"
#: context option (or ``TYPEFLOW_NUMPY_MMAP``) asking for memory-mapped reads of local blobs
MMAP_OPTION = "numpy_mmap"

_BLOB_TYPE = BlobType(FORMAT, BlobDimensionality.SINGLE)
_ABSTRACT = {
    np.generic,
    np.number,
    np.integer,
    np.signedinteger,
    np.unsignedinteger,
    np.inexact,
    np.floating,
    np.complexfloating,
    np.flexible,
    np.character,
}
_OBJECT_HINT = (
    "typeflow-numpy stores plain .npy files and never pickles. Convert the array to a fixed-width dtype "
    "(arr.astype(str) for strings, arr.astype(float) for numbers), or declare the value with a type that "
    "the pickle fallback handles (`pip install typeflow-pickle`)"
)


def declared_dtype(t: Any) -> type[np.generic] | None:
    """The scalar type of ``NDArray[dtype]`` (``np.float32``), or ``None`` when any dtype is allowed."""
    args = get_args(strip_annotated(t)[0])
    if len(args) != 2:
        return None
    dtype_arg = args[1]
    if get_origin(dtype_arg) is np.dtype:
        (dtype_arg,) = get_args(dtype_arg) or (None,)
    if isinstance(dtype_arg, type) and issubclass(dtype_arg, np.generic) and dtype_arg is not np.generic:
        return dtype_arg
    return None  # Any, a TypeVar (bare NDArray), or something numpy.typing does not define


def _scalar_name(scalar: type[np.generic]) -> str:
    """A name stable across numpy 1 and 2 (``np.bool_`` is ``bool`` in both)."""
    if scalar in _ABSTRACT:
        return scalar.__name__
    return str(np.dtype(scalar).name)


def _scalar_from_name(name: str) -> type[np.generic] | None:
    found = getattr(np, name, None)
    if isinstance(found, type) and issubclass(found, np.generic) and found in _ABSTRACT:
        return found
    try:
        scalar: type[np.generic] = np.dtype(name).type
        return scalar
    except TypeError:
        return None


def _mmap_mode(ctx: TransformContext) -> npy.MapMode | None:
    value = ctx.option(MMAP_OPTION)
    if value is None or value is False:
        return None
    text = str(value).strip().lower()
    if text in ("", "0", "false", "no", "off"):
        return None
    if text == "c":
        return "c"
    if text in ("1", "true", "yes", "on", "r"):
        return "r"
    raise TypeTransformerFailedError(
        f"option {MMAP_OPTION}={value!r} is not understood",
        hint=f"use {MMAP_OPTION}=True (read-only map), 'c' (copy-on-write map) or False",
    )


class NDArrayTransformer(TypeTransformer[np.ndarray]):
    """``np.ndarray`` / ``numpy.typing.NDArray[dtype]`` ↔ a single ``.npy`` blob.

    >>> import numpy as np, typeflow
    >>> engine = typeflow.TypeEngine()
    >>> ctx = engine.context(storage="/tmp/typeflow-doc")
    >>> lv = engine.to_literal(ctx, np.arange(3.0), np.ndarray)
    >>> engine.to_python_value(ctx, lv, np.ndarray)
    array([0., 1., 2.])
    """

    def __init__(self) -> None:
        super().__init__("Numpy Array", np.ndarray)

    def get_literal_type(self, t: Any) -> LiteralType:
        scalar = declared_dtype(t)
        metadata = {"dtype": _scalar_name(scalar)} if scalar is not None else None
        return LiteralType(blob=_BLOB_TYPE, metadata=metadata)

    def assert_type(self, t: Any, v: Any) -> None:
        self._check_value(v, t)

    def _check_value(self, value: Any, python_type: Any) -> np.ndarray:
        if not isinstance(value, np.ndarray):
            raise TypeTransformerFailedError(
                "expected a numpy.ndarray", python_type=python_type, value=value, hint="convert it with np.asarray(...)"
            )
        if isinstance(value, np.ma.MaskedArray):
            raise TypeTransformerFailedError(
                "a masked array would lose its mask in a .npy file",
                python_type=python_type,
                value=value,
                hint="store arr.filled(...) or pass the data and arr.mask as two arrays",
            )
        if value.dtype.hasobject:
            raise TypeTransformerFailedError(
                f"an array of dtype {value.dtype} holds Python objects, which only pickle can store",
                python_type=python_type,
                value=value,
                hint=_OBJECT_HINT,
            )
        scalar = declared_dtype(python_type)
        if scalar is not None and not np.issubdtype(value.dtype, scalar):
            raise TypeTransformerFailedError(
                f"array of dtype {value.dtype} where {_scalar_name(scalar)} is declared (typeflow-numpy never casts)",
                python_type=python_type,
                value=value,
                hint=f"cast it first with arr.astype(np.{_scalar_name(scalar)}), or declare np.ndarray to allow any dtype",
            )
        return value

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        array = self._check_value(python_val, python_type)
        uri = ctx.storage.new_uri(suffix=".npy")
        with ctx.open_write(uri) as f:
            try:
                npy.write_npy(f, array)
            except (ValueError, TypeError) as exc:  # numpy refused the array: nothing is kept at uri
                raise TypeTransformerFailedError(
                    f"numpy cannot write this array as .npy ({exc}) to {uri}", python_type=python_type, value=array
                ) from exc
        metadata = {"dtype": npy.dtype_label(array.dtype), "shape": json.dumps(list(array.shape))}
        return Literal(scalar=Scalar(blob=Blob(BlobMetadata(_BLOB_TYPE), uri)), metadata=metadata)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> np.ndarray:
        blob = lv.scalar.blob if lv.scalar is not None else None
        if blob is None:
            raise TypeTransformerFailedError(
                f"cannot read a {lv.variant} literal as a numpy array (expected a {FORMAT} blob)",
                python_type=expected_python_type,
            )
        blob_format = blob.metadata.type.format
        if blob_format not in (FORMAT, ""):
            raise TypeTransformerFailedError(
                f"the blob at {blob.uri} has format {blob_format!r}, not {FORMAT!r}", python_type=expected_python_type
            )
        uri = blob.uri
        mode = _mmap_mode(ctx)
        path = self._mappable_path(ctx, uri) if mode is not None else None
        if mode is not None and path is not None:
            array = npy.mmap_npy(path, uri, mode)
            self._check_recorded(lv, array.shape, array.dtype, uri)
        else:
            with ctx.open_read(uri) as f:
                header = npy.read_header(f, uri)
                npy.refuse_objects(header, uri)
                self._check_recorded(lv, header.shape, header.dtype, uri)
                self._check_declared(header.dtype, expected_python_type, uri)
                check_read_budget(ctx, header.nbytes, uri, f"an array of shape {header.shape} and dtype {header.dtype}")
                return npy.read_data(f, header, uri)
        self._check_declared(array.dtype, expected_python_type, uri)
        return array

    @staticmethod
    def _mappable_path(ctx: TransformContext, uri: str) -> str | None:
        """A local path to memory-map, or ``None`` to read the blob into memory instead.

        A mapped file that someone truncates kills the process (SIGBUS) when the
        lost pages are touched; Python cannot catch that. So only blobs inside
        the context's own storage root or a read root are mapped; any other
        local file is read normally.
        """
        try:
            return ctx.local_path(uri, roots_only=True)
        except StorageError:
            return None

    @staticmethod
    def _check_recorded(lv: Literal, shape: tuple[int, ...], dtype: np.dtype[Any], uri: str) -> None:
        """The blob must hold what the literal says it holds (a swapped or overwritten blob is refused)."""
        recorded = lv.metadata or {}
        problems = []
        if "shape" in recorded:
            try:
                recorded_shape = tuple(json.loads(recorded["shape"]))
            except (ValueError, TypeError):
                recorded_shape = None
            if recorded_shape is not None and recorded_shape != tuple(shape):
                problems.append(f"shape {recorded_shape} recorded, {tuple(shape)} in the blob")
        if "dtype" in recorded:
            try:
                recorded_dtype = npy.parse_dtype_label(recorded["dtype"])
            except ValueError:
                recorded_dtype = None
            if recorded_dtype is not None and recorded_dtype != dtype:
                problems.append(f"dtype {recorded_dtype} recorded, {dtype} in the blob")
        if problems:
            raise npy.corrupt("it does not match its literal: " + "; ".join(problems), uri)

    @staticmethod
    def _check_declared(dtype: np.dtype[Any], expected_python_type: Any, uri: str) -> None:
        scalar = declared_dtype(expected_python_type)
        if scalar is not None and not np.issubdtype(dtype, scalar):
            raise TypeTransformerFailedError(
                f"the blob at {uri} holds an array of dtype {dtype}, but {_scalar_name(scalar)} is declared "
                "(typeflow-numpy never casts)",
                python_type=expected_python_type,
                hint=f"read it as np.ndarray and cast with .astype(np.{_scalar_name(scalar)})",
            )

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.blob is None or literal_type.blob.format != FORMAT:
            raise ValueError(f"{self.name} does not reverse {literal_type}")
        name = (literal_type.metadata or {}).get("dtype")
        scalar = _scalar_from_name(name) if isinstance(name, str) else None
        if scalar is None:
            return np.ndarray
        import numpy.typing as npt

        return npt.NDArray[scalar]  # type: ignore[valid-type]
