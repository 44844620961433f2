"""Hand-made parquet files for the untrusted-input tests, written without pyarrow or polars.

A few hundred bytes that decode to gigabytes: one row group, one required
column, a dictionary page and one data page whose dictionary indices are a
single run-length-encoded run (``n`` rows of entry 0 cost a few bytes). The
footer can be made to lie about what the pages hold, to check what readers do
when it does.

    forge_int_run(rows=150_000_000)                    # ~200 bytes, 1.2 GB of int64 zeros
    forge_string_run(rows=1500, value=b"x" * 2**20)    # ~1.5 KB, 1.5 GB of one 1 MiB string
"""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from typeflow.literals import (
    DatasetColumn,
    Literal,
    Scalar,
    StructuredDataset,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)

__all__ = [
    "ATTACKS",
    "ForgedColumn",
    "dataset_literal",
    "forge",
    "forge_int_run",
    "forge_string_run",
    "in_storage",
    "read_in_fresh_process",
]

INT64, BYTE_ARRAY = 2, 6
PLAIN, RLE, RLE_DICTIONARY, DELTA_BYTE_ARRAY = 0, 3, 8, 7
UNCOMPRESSED, GZIP = 0, 2
DATA_PAGE, DICTIONARY_PAGE = 0, 2
REQUIRED = 0

# compact protocol wire types
_I32, _I64, _BINARY, _LIST, _STRUCT = 5, 6, 8, 9, 12


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out.append(b | 0x80)
        else:
            out.append(b)
            return bytes(out)


def _zigzag(n: int) -> bytes:
    return _varint((n << 1) ^ (n >> 63))


class _Struct:
    """A compact-protocol struct built field by field (ids must rise)."""

    def __init__(self) -> None:
        self.out = bytearray()
        self.last = 0

    def _head(self, fid: int, wire: int) -> None:
        delta = fid - self.last
        if 0 < delta <= 15:
            self.out.append((delta << 4) | wire)
        else:
            self.out.append(wire)
            self.out += _zigzag(fid)
        self.last = fid

    def i32(self, fid: int, v: int) -> _Struct:
        self._head(fid, _I32)
        self.out += _zigzag(v)
        return self

    def i64(self, fid: int, v: int) -> _Struct:
        self._head(fid, _I64)
        self.out += _zigzag(v)
        return self

    def binary(self, fid: int, v: bytes) -> _Struct:
        self._head(fid, _BINARY)
        self.out += _varint(len(v)) + v
        return self

    def struct(self, fid: int, v: _Struct) -> _Struct:
        self._head(fid, _STRUCT)
        self.out += v.end()
        return self

    def list(self, fid: int, wire: int, items: Sequence[bytes]) -> _Struct:
        self._head(fid, _LIST)
        n = len(items)
        self.out.append((n << 4 | wire) if n < 15 else (0xF0 | wire))
        if n >= 15:
            self.out += _varint(n)
        for item in items:
            self.out += item
        return self

    def end(self) -> bytes:
        return bytes(self.out) + b"\x00"


@dataclass
class ForgedColumn:
    """One required column: its dictionary, and ``rows`` data values all pointing at entry 0."""

    name: str
    physical: int
    dictionary: bytes  # the PLAIN-encoded dictionary page body
    dictionary_size: int  # entries in it
    rows: int
    string: bool = False
    codec: int = UNCOMPRESSED
    #: what the footer says (None: the truth)
    footer_encodings: list[int] | None = None
    footer_num_values: int | None = None
    footer_uncompressed: int | None = None
    #: the row group's (and file's) row count in the footer (None: the truth)
    footer_rows: int | None = None
    #: a ColumnChunk.file_path: the chunk's data said to be in another file
    file_path: str | None = None
    data_encoding: int = RLE_DICTIONARY


def _page(kind: int, body: bytes, num_values: int, codec: int, encoding: int) -> tuple[bytes, int]:
    compressed = _compress(body, codec)
    header = _Struct().i32(1, kind).i32(2, len(body)).i32(3, len(compressed))
    if kind == DICTIONARY_PAGE:
        header.struct(7, _Struct().i32(1, num_values).i32(2, PLAIN))
    else:
        header.struct(5, _Struct().i32(1, num_values).i32(2, encoding).i32(3, RLE).i32(4, RLE))
    raw = header.end()
    return raw + compressed, len(raw) + len(body)


def _compress(body: bytes, codec: int) -> bytes:
    if codec == GZIP:
        c = zlib.compressobj(9, zlib.DEFLATED, 31)  # wbits 31: a gzip stream, as parquet's GZIP codec is
        return c.compress(body) + c.flush()
    return body


def _rle_run(rows: int) -> bytes:
    # bit width 1, then one RLE run: header (count << 1), the value 0 in one byte
    return b"\x01" + _varint(rows << 1) + b"\x00"


def forge(columns: Sequence[ForgedColumn]) -> bytes:
    """A parquet file holding ``columns`` in one row group."""
    out = bytearray(b"PAR1")
    chunks = []
    rows = columns[0].rows if columns[0].footer_rows is None else columns[0].footer_rows
    for col in columns:
        dict_offset = len(out)
        page, dict_size = _page(DICTIONARY_PAGE, col.dictionary, col.dictionary_size, col.codec, PLAIN)
        out += page
        data_offset = len(out)
        page, data_size = _page(DATA_PAGE, _rle_run(col.rows), col.rows, col.codec, col.data_encoding)
        out += page
        compressed = len(out) - dict_offset
        encodings = col.footer_encodings if col.footer_encodings is not None else [PLAIN, RLE, col.data_encoding]
        meta = (
            _Struct()
            .i32(1, col.physical)
            .list(2, _I32, [_zigzag(e) for e in encodings])
            .list(3, _BINARY, [_varint(len(col.name.encode())) + col.name.encode()])
            .i32(4, col.codec)
            .i64(5, col.footer_num_values if col.footer_num_values is not None else col.rows)
            .i64(6, col.footer_uncompressed if col.footer_uncompressed is not None else dict_size + data_size)
            .i64(7, compressed)
            .i64(9, data_offset)
            .i64(11, dict_offset)
        )
        chunk = _Struct()
        if col.file_path is not None:
            chunk.binary(1, col.file_path.encode())
        chunks.append(chunk.i64(2, dict_offset).struct(3, meta).end())
    schema = [_Struct().binary(4, b"schema").i32(5, len(columns)).end()]
    for col in columns:
        element = _Struct().i32(1, col.physical).i32(3, REQUIRED).binary(4, col.name.encode())
        if col.string:
            element.i32(6, 0).struct(10, _Struct().struct(1, _Struct()))  # UTF8, LogicalType.STRING
        schema.append(element.end())
    group = _Struct().list(1, _STRUCT, chunks).i64(2, 0).i64(3, rows).end()
    footer = _Struct().i32(1, 1).list(2, _STRUCT, schema).i64(3, rows).list(4, _STRUCT, [group]).end()
    out += footer + struct.pack("<I", len(footer)) + b"PAR1"
    return bytes(out)


def forge_int_run(rows: int, name: str = "a", **lies: object) -> bytes:
    """``rows`` int64 zeros: a one-entry dictionary and one run of indices."""
    return forge([ForgedColumn(name, INT64, struct.pack("<q", 0), 1, rows, **lies)])  # type: ignore[arg-type]


def forge_string_run(rows: int, value: bytes, name: str = "s", **lies: object) -> bytes:
    """``rows`` copies of ``value`` (a string column): its one dictionary entry gzip-compressed, one run of indices."""
    dictionary = struct.pack("<I", len(value)) + value
    return forge([ForgedColumn(name, BYTE_ARRAY, dictionary, 1, rows, string=True, codec=GZIP, **lies)])  # type: ignore[arg-type]


#: tiny files that decode to gigabytes, by name (each under 2 KiB)
ATTACKS: dict[str, Callable[[], bytes]] = {
    # 150,000,000 int64 zeros: a one-entry dictionary and one run of indices
    "int-run": lambda: forge_int_run(150_000_000),
    # 1,500 rows of one 1 MiB string, its dictionary entry gzip-compressed
    "string-dictionary": lambda: forge_string_run(1500, b"x" * 2**20),
    # the same, with a footer that hides the dictionary and understates every size
    "string-dictionary-lying-footer": lambda: forge_string_run(
        1500, b"x" * 2**20, footer_encodings=[0, 3], footer_uncompressed=10
    ),
    # 150,000,000 rows, with a footer that says 1 row and 1 value
    "int-run-lying-rows": lambda: forge_int_run(150_000_000, footer_rows=1, footer_num_values=1),
}


def dataset_literal(uri: str, columns: tuple[DatasetColumn, ...] = ()) -> Literal:
    """A parquet dataset literal naming ``uri`` (declaring ``columns``), as someone else's literal would."""
    meta = StructuredDatasetMetadata(StructuredDatasetType(columns=columns, format="parquet"))
    return Literal(scalar=Scalar(structured_dataset=StructuredDataset(uri=uri, metadata=meta)))


def in_storage(tmp_path: Path, data: bytes, name: str = "blob.parquet") -> Path:
    """``data`` written as a blob inside the storage folder ``tmp_path/storage``."""
    path = tmp_path / "storage" / "ab" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def read_in_fresh_process(uri: str, storage: str, python_type: str, **options: object) -> dict[str, object]:
    """Read a dataset literal for ``uri`` as ``python_type`` (``"pandas.DataFrame"``) in a new interpreter.

    Returns ``{"error": <exception type or None>, "message": ..., "peak_mib": <its peak RSS>}``: the
    memory a read (or its refusal) cost, measured apart from the test process's own (``VmHWM``).
    """
    import json
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(
        f"""
        import importlib, json, resource
        import typeflow
        from typeflow.literals import Literal, Scalar, StructuredDataset
        module, _, name = {python_type!r}.rpartition(".")
        t = getattr(importlib.import_module(module), name)
        ctx = typeflow.TypeEngine().context(storage={storage!r}, **{options!r})
        lv = Literal(scalar=Scalar(structured_dataset=StructuredDataset(uri={uri!r})))
        error = message = None
        try:
            value = ctx.engine.to_python_value(ctx, lv, t)
            if hasattr(value, "collect"):
                value = value.collect()
        except Exception as exc:
            error, message = type(exc).__name__, str(exc)
        try:  # this process's own high-water mark (ru_maxrss would include the parent's, copied at fork)
            with open("/proc/self/status") as status:
                peak = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")) / 1024
        except (OSError, StopIteration):
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps({{"error": error, "message": message, "peak_mib": peak}}))
        """
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    result: dict[str, object] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result
