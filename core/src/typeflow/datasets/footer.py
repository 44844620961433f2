"""A parquet file's footer, read without pyarrow or polars: its schema, row groups and sizes.

What typeflow checks before a parquet file from a literal is decoded:

* the file's own columns and their stored types (declared ``Columns`` are
  checked against these, not against what the literal claims);
* how many bytes the selected columns decode to (:meth:`ParquetFooter.estimate`),
  checked against the read budget before anything is allocated.

The footer is the last ``8 + n`` bytes of the file (``n`` is stored little
endian before the closing ``PAR1``); it is Thrift compact protocol, parsed
by :mod:`typeflow.datasets._thrift` with every length bounded by the bytes
that remain. Files that keep column data in other files (``file_path``) or
are encrypted are refused.
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import IO, Any

from typeflow.datasets._thrift import I32, I64, STRING, CompactReader, ListOf, Spec, ThriftError
from typeflow.datasets.columns import is_index_column
from typeflow.errors import StorageError
from typeflow.literals import SimpleType

__all__ = ["FOOTER_MEMORY_FACTOR", "ChunkKey", "ColumnSize", "FileColumn", "PageFacts", "ParquetFooter", "read_footer"]

MAGIC = b"PAR1"
ENCRYPTED_MAGIC = b"PARE"
#: what a parsed footer costs in memory per byte of footer, at most (small tuples per column chunk)
FOOTER_MEMORY_FACTOR = 8

# parquet.thrift enums
_BOOLEAN, _INT32, _INT64, _INT96, _FLOAT, _DOUBLE, _BYTE_ARRAY, _FIXED_LEN_BYTE_ARRAY = range(8)
_REPEATED = 2
_PLAIN_DICTIONARY, _DELTA_BYTE_ARRAY, _RLE_DICTIONARY = 2, 7, 8
_DICTIONARY_ENCODINGS = frozenset({_PLAIN_DICTIONARY, _RLE_DICTIONARY})
#: bytes one value takes once decoded, by physical type (INT96 timestamps become 8; 12 is the bound)
_WIDTH = {_BOOLEAN: 1, _INT32: 4, _INT64: 8, _INT96: 12, _FLOAT: 4, _DOUBLE: 8}
#: a decoded variable-length value's slot: an offset (Arrow) or a 16-byte view (polars); the bytes come on top
_VIEW = 16
#: a repeated (list) leaf also keeps one offset per value
_LIST_OFFSET = 8

_LOGICAL: Spec = {
    1: ("string", {}),
    2: ("map", {}),
    3: ("list", {}),
    4: ("enum", {}),
    5: ("decimal", {}),
    6: ("date", {}),
    7: ("time", {}),
    8: ("timestamp", {}),
    10: ("integer", {}),
    11: ("unknown", {}),
    12: ("json", {}),
    13: ("bson", {}),
    14: ("uuid", {}),
    15: ("float16", {}),
}
_SCHEMA_ELEMENT: Spec = {
    1: ("type", I32),
    2: ("type_length", I32),
    3: ("repetition", I32),
    4: ("name", STRING),
    5: ("num_children", I32),
    6: ("converted", I32),
    10: ("logical", _LOGICAL),
}
_COLUMN_METADATA: Spec = {
    1: ("type", I32),
    2: ("encodings", ListOf(I32)),
    3: ("path", ListOf(STRING)),
    5: ("num_values", I64),
    6: ("uncompressed", I64),
    7: ("compressed", I64),
    9: ("data_page_offset", I64),
    11: ("dictionary_page_offset", I64),
}
_COLUMN_CHUNK: Spec = {1: ("file_path", STRING), 3: ("meta", _COLUMN_METADATA), 8: ("crypto", {}), 9: ("encrypted", STRING)}
_ROW_GROUP: Spec = {1: ("columns", ListOf(_COLUMN_CHUNK)), 3: ("num_rows", I64)}
_KEY_VALUE: Spec = {1: ("key", STRING), 2: ("value", STRING)}
_FILE_METADATA: Spec = {
    2: ("schema", ListOf(_SCHEMA_ELEMENT)),
    3: ("num_rows", I64),
    4: ("row_groups", ListOf(_ROW_GROUP)),
    5: ("key_value", ListOf(_KEY_VALUE)),
    8: ("encryption", {}),
}

# converted types (the legacy annotation) that say what a column holds
_CONVERTED_STRING = frozenset({0, 4, 19})  # UTF8, ENUM, JSON
_CONVERTED_DATETIME = frozenset({6, 9, 10})  # DATE, TIMESTAMP_MILLIS, TIMESTAMP_MICROS
_CONVERTED_INTEGER = frozenset(range(11, 19))  # UINT_8 … INT_64
_CONVERTED_OPAQUE = frozenset({1, 2, 3, 5, 7, 8, 20, 21})  # MAP, MAP_KEY_VALUE, LIST, DECIMAL, TIME_*, BSON, INTERVAL


#: a column chunk: (row group index, chunk index in the row group)
ChunkKey = tuple[int, int]


@dataclass(frozen=True)
class FileColumn:
    """A top-level column of the file: its name and the literal simple types its stored type can be read as.

    ``kinds`` is empty when the stored type says nothing a declaration could
    contradict (a nested column, a decimal, a time, an all-null column).
    """

    name: str
    kinds: frozenset[SimpleType]


@dataclass(frozen=True)
class ColumnSize:
    """What one top-level column decodes to, summed over the row groups.

    ``decoded`` is certain from the footer; ``expandable`` is how much more
    its dictionary- or delta-encoded strings could add (each value up to the
    longest its chunk could hold), which a reader that materialises them
    must measure or charge. ``dictionary``/``delta`` say which encodings
    the bytes come from; ``flat`` is a top-level leaf (not inside a list or struct).
    """

    name: str
    decoded: int
    expandable: int = 0
    dictionary: int = 0
    delta: int = 0
    flat: bool = True


@dataclass(frozen=True)
class _Leaf:
    top: str
    physical: int
    type_length: int
    repeated: bool
    flat: bool


@dataclass(frozen=True)
class _Chunk:
    leaf: int
    num_values: int
    uncompressed: int
    encodings: frozenset[int]
    start: int  # where its first page (the dictionary, if any) begins
    compressed: int  # bytes of pages from there


@dataclass(frozen=True)
class PageFacts:
    """What a column chunk's page headers say (see :mod:`typeflow.datasets.pages`).

    The pages are what readers decode, whatever the footer claims, so the
    estimate takes the larger of the two.
    """

    num_values: int  # over its data pages
    uncompressed: int  # over all its pages
    dictionary: bool  # it has a dictionary page
    delta: bool  # a data page is DELTA_BYTE_ARRAY


class ParquetFooter:
    """A parsed footer: the file's columns, its row count and what columns decode to."""

    def __init__(
        self,
        uri: str,
        size: int,
        columns: Sequence[FileColumn],
        leaves: Sequence[_Leaf],
        row_groups: Sequence[tuple[int, Sequence[_Chunk]]],
        metadata: dict[str, str],
    ) -> None:
        self.uri = uri
        #: the whole file's size in bytes
        self.size = size
        #: the top-level columns, in file order (a pandas index stored as columns included)
        self.columns: tuple[FileColumn, ...] = tuple(columns)
        self._leaves = tuple(leaves)
        self._row_groups = tuple(row_groups)
        self.metadata = metadata
        #: rows over all row groups (what readers iterate, whatever ``FileMetaData.num_rows`` says)
        self.num_rows = sum(rows for rows, _ in self._row_groups)

    @property
    def names(self) -> list[str]:
        """The top-level column names."""
        return [c.name for c in self.columns]

    def data_columns(self) -> list[FileColumn]:
        """The columns a frame shows: without the pandas index stored as columns."""
        index = set(self.index_columns())
        return [c for c in self.columns if c.name not in index and not is_index_column(c.name)]

    def index_columns(self) -> list[str]:
        """Columns pyarrow stored for a pandas index (named in the file's ``pandas`` metadata)."""
        raw = self.metadata.get("pandas")
        if not raw:
            return []
        try:
            pandas_metadata = json.loads(raw)
        except ValueError:
            return []
        index = pandas_metadata.get("index_columns", []) if isinstance(pandas_metadata, dict) else []
        return [c for c in index if isinstance(c, str)] if isinstance(index, list) else []

    def read_columns(self, columns: Sequence[str] | None) -> list[str]:
        """The top-level columns a read of ``columns`` touches: those, plus a pandas index; all when None."""
        if columns is None:
            return self.names
        wanted = set(columns) | set(self.index_columns()) | {n for n in self.names if is_index_column(n)}
        return [n for n in self.names if n in wanted]

    def chunks(self, columns: Iterable[str]) -> list[tuple[ChunkKey, int, int]]:
        """``(key, start, length)`` of the column chunks of ``columns``: where their pages lie in the file."""
        wanted = set(columns)
        out = []
        for g, (_, chunks) in enumerate(self._row_groups):
            for c, chunk in enumerate(chunks):
                if self._leaves[chunk.leaf].top in wanted:
                    out.append(((g, c), chunk.start, chunk.compressed))
        return out

    def estimate(self, columns: Iterable[str], pages: Mapping[ChunkKey, PageFacts] | None = None) -> list[ColumnSize]:
        """What each of ``columns`` decodes to (see :class:`ColumnSize`), from the row groups' sizes and counts.

        ``pages`` (what :func:`~typeflow.datasets.pages.walk_pages` found) raise
        the footer's counts and sizes to what the pages hold, and say which
        chunks really have a dictionary or delta-encoded strings.
        """
        wanted = set(columns)
        totals: dict[str, list[int]] = {}
        flat: dict[str, bool] = {}
        for g, (rows, chunks) in enumerate(self._row_groups):
            for c, chunk in enumerate(chunks):
                leaf = self._leaves[chunk.leaf]
                if leaf.top not in wanted:
                    continue
                n, u = chunk.num_values, chunk.uncompressed
                has_dictionary = bool(chunk.encodings & _DICTIONARY_ENCODINGS)
                has_delta = _DELTA_BYTE_ARRAY in chunk.encodings
                found = pages.get((g, c)) if pages is not None else None
                if found is not None:
                    n, u = max(n, found.num_values), max(u, found.uncompressed)
                    has_dictionary, has_delta = found.dictionary, found.delta
                if leaf.flat:
                    n = max(n, rows)  # a flat column holds one value per row, whatever the chunk's count says
                valid = (n + 7) // 8
                offsets = n * _LIST_OFFSET if leaf.repeated else 0
                dictionary = delta = 0
                if leaf.physical == _BYTE_ARRAY:
                    decoded = n * _VIEW + u + valid + offsets  # plain values: their bytes are in the pages
                    if has_dictionary:
                        dictionary = n * u  # each value could be the longest entry of a dictionary of u bytes
                    if has_delta:
                        delta = n * u  # each value shares a prefix of the one before: up to every suffix byte
                else:
                    width = leaf.type_length if leaf.physical == _FIXED_LEN_BYTE_ARRAY else _WIDTH.get(leaf.physical, 8)
                    decoded = max(u, n * max(width, 1)) + valid + offsets
                total = totals.setdefault(leaf.top, [0, 0, 0, 0])
                total[0] += decoded
                total[1] += max(dictionary, delta)
                total[2] += dictionary
                total[3] += delta
                flat[leaf.top] = leaf.flat
        return [
            ColumnSize(name, decoded, expandable, dictionary, delta, flat[name])
            for name in self.names
            if name in totals
            for decoded, expandable, dictionary, delta in [totals[name]]
        ]


def read_footer(f: IO[bytes], uri: str, max_bytes: int | None = None) -> ParquetFooter:
    """Read and parse the footer of the parquet file open as ``f`` (seekable); errors name ``uri``.

    ``max_bytes`` refuses, before reading it, a footer longer than that.
    """
    try:
        size = f.seek(0, 2)
        if size < 12:
            raise StorageError(f"not a parquet file ({size} bytes; a parquet file has at least 12)", uri=uri)
        f.seek(size - 8)
        tail = f.read(8)
        if tail[4:] == ENCRYPTED_MAGIC:
            raise StorageError("cannot read an encrypted parquet file (its footer is encrypted)", uri=uri)
        if len(tail) != 8 or tail[4:] != MAGIC:
            raise StorageError("not a parquet file (it does not end with PAR1)", uri=uri)
        (length,) = struct.unpack("<I", tail[:4])
        if length > size - 12:
            raise StorageError(f"corrupt parquet file: its footer claims {length} bytes of a {size}-byte file", uri=uri)
        if max_bytes is not None and length > max_bytes:
            raise StorageError(
                f"the parquet footer is {length} bytes, more than the {max_bytes} bytes allowed for it "
                "(a larger read budget allows larger footers)",
                uri=uri,
            )
        f.seek(size - 8 - length)
        data = f.read(length)
    except StorageError:
        raise
    except (OSError, ValueError) as exc:
        raise StorageError(f"cannot read the parquet footer ({type(exc).__name__}: {exc})", uri=uri) from exc
    if len(data) != length:
        raise StorageError(f"truncated parquet file: its footer has {len(data)} of {length} bytes", uri=uri)
    try:
        meta = CompactReader(data).struct(_FILE_METADATA)
    except ThriftError as exc:
        raise StorageError(f"corrupt parquet footer: {exc}", uri=uri) from None
    return _footer(meta, uri, size, length)


def _corrupt(uri: str, why: str) -> StorageError:
    return StorageError(f"corrupt parquet footer: {why}", uri=uri)


def _kinds(element: dict[str, Any]) -> frozenset[SimpleType]:
    logical = element.get("logical") or {}
    converted = element.get("converted")
    physical = element.get("type")
    if "string" in logical or "enum" in logical or "json" in logical or converted in _CONVERTED_STRING:
        return frozenset({SimpleType.STRING})
    if "date" in logical or "timestamp" in logical or converted in _CONVERTED_DATETIME or physical == _INT96:
        return frozenset({SimpleType.DATETIME})
    if "integer" in logical or converted in _CONVERTED_INTEGER:
        return frozenset({SimpleType.INTEGER})
    if "float16" in logical:
        return frozenset({SimpleType.FLOAT})
    if logical or converted in _CONVERTED_OPAQUE:
        return frozenset()  # a decimal, time, uuid, null or nested annotation: nothing to contradict
    if physical == _BOOLEAN:
        return frozenset({SimpleType.BOOLEAN})
    if physical in (_INT32, _INT64):
        # Arrow stores a duration as a plain int64 (its type lives in Arrow's own schema metadata)
        return frozenset({SimpleType.INTEGER, SimpleType.DURATION})
    if physical in (_FLOAT, _DOUBLE):
        return frozenset({SimpleType.FLOAT})
    if physical == _BYTE_ARRAY:
        return frozenset({SimpleType.BINARY, SimpleType.STRING})  # old writers leave strings unannotated
    if physical == _FIXED_LEN_BYTE_ARRAY:
        return frozenset({SimpleType.BINARY})
    return frozenset()


def _footer(meta: dict[str, Any], uri: str, size: int, footer_length: int) -> ParquetFooter:
    if "encryption" in meta:
        raise StorageError("cannot read an encrypted parquet file (its columns are encrypted)", uri=uri)
    schema: list[dict[str, Any]] = meta.get("schema") or []
    if not schema:
        raise _corrupt(uri, "it has no schema")
    columns: list[FileColumn] = []
    leaves: list[_Leaf] = []
    leaf_of_path: dict[tuple[str, ...], int] = {}
    # the schema is a tree flattened depth first: (element index, children left, path, repeated above, top name)
    stack: list[list[Any]] = []
    root_children = schema[0].get("num_children") or 0
    stack.append([root_children, (), False])
    for element in schema[1:]:
        while stack and stack[-1][0] == 0:
            stack.pop()
        if not stack:
            raise _corrupt(uri, "its schema has more elements than its groups hold")
        parent = stack[-1]
        parent[0] -= 1
        name = element.get("name")
        if not isinstance(name, str):
            raise _corrupt(uri, "a schema element has no name")
        path = (*parent[1], name)
        repeated = parent[2] or element.get("repetition") == _REPEATED
        children = element.get("num_children") or 0
        if children < 0:
            raise _corrupt(uri, f"schema element {name!r} has {children} children")
        top_level = len(path) == 1
        if children:
            if top_level:
                columns.append(FileColumn(name, frozenset()))
            stack.append([children, path, repeated])
            continue
        if top_level:
            columns.append(FileColumn(name, frozenset() if repeated else _kinds(element)))
        physical = element.get("type")
        if physical is None or not 0 <= physical <= _FIXED_LEN_BYTE_ARRAY:
            raise _corrupt(uri, f"column {'.'.join(path)!r} has no valid physical type")
        type_length = element.get("type_length") or 0
        if physical == _FIXED_LEN_BYTE_ARRAY and type_length <= 0:
            raise _corrupt(uri, f"column {'.'.join(path)!r} is a fixed-length byte array without a length")
        leaf_of_path[path] = len(leaves)
        leaves.append(_Leaf(path[0], physical, type_length, repeated, top_level and not repeated))
    if any(entry[0] for entry in stack):
        raise _corrupt(uri, "its schema has fewer elements than its groups claim")
    row_groups: list[tuple[int, list[_Chunk]]] = []
    for group in meta.get("row_groups") or []:
        rows = group.get("num_rows", 0)
        if rows < 0:
            raise _corrupt(uri, f"a row group has {rows} rows")
        chunks = []
        for chunk in group.get("columns") or []:
            if chunk.get("file_path"):
                raise StorageError(
                    f"cannot read a parquet file whose column data lies in another file ({chunk['file_path']!r})", uri=uri
                )
            if "crypto" in chunk or "encrypted" in chunk:
                raise StorageError("cannot read an encrypted parquet file (its columns are encrypted)", uri=uri)
            cm = chunk.get("meta")
            if cm is None:
                raise _corrupt(uri, "a column chunk has no metadata")
            path = tuple(cm.get("path") or ())
            leaf = leaf_of_path.get(path)
            if leaf is None:
                raise _corrupt(uri, f"a column chunk names {'.'.join(path)!r}, which the schema does not have")
            num_values, uncompressed = cm.get("num_values", 0), cm.get("uncompressed", 0)
            if num_values < 0 or uncompressed < 0:
                raise _corrupt(uri, f"column {'.'.join(path)!r} has a negative size")
            compressed = cm.get("compressed", 0)
            data_offset = cm.get("data_page_offset", 0)
            dict_offset = cm.get("dictionary_page_offset") or 0
            # the first page is the dictionary, if any; writers leave an offset unset (or 0) when
            # the dictionary sits at data_page_offset, or when an empty chunk has no data page
            offsets = [o for o in (dict_offset, data_offset) if o > 0]
            start = min(offsets) if offsets else 4
            if compressed < 0 or start < 4 or start + compressed > size - 8 - footer_length:
                raise _corrupt(uri, f"column {'.'.join(path)!r} claims pages outside the file's data")
            encodings = frozenset(cm.get("encodings") or ())
            chunks.append(_Chunk(leaf, num_values, uncompressed, encodings, start, compressed))
        if len(chunks) != len(leaves):
            raise _corrupt(uri, f"a row group has {len(chunks)} column chunks for {len(leaves)} columns")
        row_groups.append((rows, chunks))
    metadata = {kv["key"]: kv.get("value", "") for kv in meta.get("key_value") or [] if kv.get("key") == "pandas"}
    return ParquetFooter(uri, size, columns, leaves, row_groups, metadata)
