"""Streaming ``.npy`` I/O: write straight to a file object, read into one preallocated buffer.

The files are plain ``.npy`` (format 1.0, or 2.0/3.0 when numpy needs it), so
``np.load(path, allow_pickle=False)`` reads them. Nothing here ever unpickles:
a header whose dtype holds Python objects is refused before any data is read.

    >>> import io, numpy as np
    >>> buf = io.BytesIO()
    >>> write_npy(buf, np.arange(3))
    >>> _ = buf.seek(0)
    >>> read_npy(buf, "memory").tolist()
    [0, 1, 2]
"""

from __future__ import annotations

import ast
import math
import os
import struct
from dataclasses import dataclass
from typing import IO, Any, Literal

import numpy as np
from numpy.lib import format as npy_format

from typeflow.errors import StorageError
from typeflow.storage import open_regular_file

__all__ = ["NpyHeader", "dtype_label", "mmap_npy", "parse_dtype_label", "read_header", "read_npy", "write_npy"]

MAGIC = b"\x93NUMPY"
#: headers longer than this are refused before they are read (numpy's own np.load limit)
MAX_HEADER_BYTES = 10_000
#: bytes per readinto call: bounds what a remote file system buffers per request
READ_CHUNK = 16 << 20

_HEADER_FORMATS = {(1, 0): ("<H", "latin1"), (2, 0): ("<I", "latin1"), (3, 0): ("<I", "utf8")}
_DAMAGED_HINT = "the blob is damaged or is not a .npy file; write the value again"


@dataclass(frozen=True)
class NpyHeader:
    """What a ``.npy`` header says: shape, dtype, memory order, and where the data starts."""

    shape: tuple[int, ...]
    dtype: np.dtype[Any]
    fortran_order: bool
    offset: int

    @property
    def nbytes(self) -> int:
        """Bytes of data that must follow the header."""
        return math.prod(self.shape) * self.dtype.itemsize

    @property
    def order(self) -> Literal["C", "F"]:
        return "F" if self.fortran_order else "C"


def corrupt(reason: str, uri: str) -> StorageError:
    """The error for a blob whose bytes are not a valid ``.npy`` file."""
    return StorageError(f"cannot read NumpyArray blob ({reason}); {_DAMAGED_HINT}", uri=uri)


def dtype_label(dtype: np.dtype[Any]) -> str:
    """The dtype as the ``.npy`` header writes it: ``'<f8'``, or the repr of a structured descr."""
    descr = npy_format.dtype_to_descr(dtype)
    return descr if isinstance(descr, str) else repr(descr)


def parse_dtype_label(label: str) -> np.dtype[Any]:
    """The inverse of :func:`dtype_label`; ``ValueError`` if ``label`` is not one."""
    try:
        descr: Any = ast.literal_eval(label) if label.startswith("[") else label
        return npy_format.descr_to_dtype(descr)
    except Exception as exc:
        raise ValueError(f"not a numpy dtype description: {label!r}") from exc


def write_npy(f: IO[bytes], array: np.ndarray) -> None:
    """Write ``array`` as ``.npy`` to ``f`` without building the whole file in memory.

    numpy writes a contiguous array to a real file in one ``tofile`` call, and
    any other array (or to any other file object) in bounded chunks.
    """
    version = None  # numpy picks 1.0, or 2.0 for a long header
    try:
        repr(npy_format.dtype_to_descr(array.dtype)).encode("latin1")
    except UnicodeEncodeError:
        version = (3, 0)  # non-latin1 field names; saying so spares numpy's "format 3.0" warning
    npy_format.write_array(f, array, version=version, allow_pickle=False)


def _read_exact(f: IO[bytes], n: int, uri: str, what: str) -> bytes:
    data = f.read(n)
    if len(data) != n:
        raise corrupt(f"truncated in the {what}: expected {n} bytes, got {len(data)}", uri)
    return data


def read_header(f: IO[bytes], uri: str) -> NpyHeader:
    """Read and check a ``.npy`` header from ``f`` (positioned at its start)."""
    prefix = _read_exact(f, len(MAGIC) + 2, uri, "header")
    if prefix[: len(MAGIC)] != MAGIC:
        raise corrupt("bad magic bytes", uri)
    version = (prefix[-2], prefix[-1])
    if version not in _HEADER_FORMATS:
        raise corrupt(f"unsupported .npy format version {version[0]}.{version[1]}", uri)
    length_format, encoding = _HEADER_FORMATS[version]
    length_size = struct.calcsize(length_format)
    (length,) = struct.unpack(length_format, _read_exact(f, length_size, uri, "header"))
    if length > MAX_HEADER_BYTES:
        raise corrupt(f"header of {length} bytes is longer than the {MAX_HEADER_BYTES} allowed", uri)
    raw = _read_exact(f, length, uri, "header")
    try:
        fields = ast.literal_eval(raw.decode(encoding))
    except (SyntaxError, ValueError, UnicodeDecodeError, MemoryError, RecursionError) as exc:
        raise corrupt(f"unreadable header: {type(exc).__name__}", uri) from exc
    if not isinstance(fields, dict) or set(fields) != {"descr", "fortran_order", "shape"}:
        raise corrupt("header is not a dict of descr, fortran_order and shape", uri)
    shape, fortran_order = fields["shape"], fields["fortran_order"]
    if not isinstance(shape, tuple) or not all(type(n) is int and n >= 0 for n in shape):
        raise corrupt(f"bad shape {shape!r} in header", uri)
    if not isinstance(fortran_order, bool):
        raise corrupt(f"bad fortran_order {fortran_order!r} in header", uri)
    try:
        dtype = npy_format.descr_to_dtype(fields["descr"])
    except Exception as exc:
        raise corrupt(f"bad dtype {fields['descr']!r} in header", uri) from exc
    return NpyHeader(shape, dtype, fortran_order, len(MAGIC) + 2 + length_size + length)


def _file_size(f: IO[bytes]) -> int | None:
    try:
        return os.fstat(f.fileno()).st_size
    except Exception:
        size = getattr(f, "size", None)  # fsspec files know their size
        return size if type(size) is int else None


def check_size(header: NpyHeader, size: int | None, uri: str) -> None:
    """Refuse a blob whose size does not match its header, before anything is allocated."""
    if size is None:
        return
    expected = header.offset + header.nbytes
    if size < expected:
        raise corrupt(f"truncated: the header promises {expected} bytes, the blob holds {size}", uri)
    if size > expected:
        raise corrupt(f"{size - expected} unexpected bytes after the array data", uri)


def read_data(f: IO[bytes], header: NpyHeader, uri: str) -> np.ndarray:
    """Read the array data following ``header`` into one preallocated array."""
    check_size(header, _file_size(f), uri)
    out: np.ndarray = np.empty(header.shape, dtype=header.dtype, order=header.order)
    nbytes = header.nbytes
    if nbytes:
        # a flat byte view of ``out`` in its own memory order: readinto fills the array in place
        view = out.reshape(-1, order="A").view(np.uint8).data
        readinto = getattr(f, "readinto", None)
        position = 0
        while position < nbytes:
            end = min(position + READ_CHUNK, nbytes)
            if readinto is not None:
                got = readinto(view[position:end])
            else:
                data = f.read(end - position)
                got = len(data)
                view[position : position + got] = data
            if not got:
                raise corrupt(f"truncated: expected {nbytes} bytes of data, got {position}", uri)
            position += got
    if f.read(1):
        raise corrupt("unexpected bytes after the array data", uri)
    return out


def read_npy(f: IO[bytes], uri: str) -> np.ndarray:
    """Read a whole ``.npy`` from ``f``: the header, then the data into one buffer."""
    header = read_header(f, uri)
    refuse_objects(header, uri)
    return read_data(f, header, uri)


def refuse_objects(header: NpyHeader, uri: str) -> None:
    """A ``.npy`` of Python objects is a pickle; typeflow-numpy never loads one."""
    if header.dtype.hasobject:
        from typeflow.errors import TypeTransformerFailedError

        raise TypeTransformerFailedError(
            f"the NumpyArray blob at {uri} holds a pickled array of Python objects (dtype {header.dtype}), "
            "and typeflow-numpy never unpickles",
            hint="write such values with a plugin meant for pickles (`pip install typeflow-pickle`), "
            "or store a fixed-width dtype instead",
        )


MapMode = Literal["r", "c"]


def mmap_npy(path: str, uri: str, mode: MapMode) -> np.ndarray:
    """Memory-map the ``.npy`` file at local ``path`` (``mode`` ``"r"`` or ``"c"``)."""
    try:
        with open_regular_file(path, uri) as f:
            header = read_header(f, uri)
            refuse_objects(header, uri)
            check_size(header, os.fstat(f.fileno()).st_size, uri)
    except OSError as exc:
        if isinstance(exc, StorageError):
            raise
        raise StorageError(f"cannot read ({type(exc).__name__}: {exc})", uri=uri) from exc
    if header.nbytes == 0:  # an empty mapping is not allowed; an empty array needs no file anyway
        return np.empty(header.shape, dtype=header.dtype, order=header.order)
    try:
        return np.memmap(path, dtype=header.dtype, mode=mode, offset=header.offset, shape=header.shape, order=header.order)
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot memory-map ({type(exc).__name__}: {exc})", uri=uri) from exc
