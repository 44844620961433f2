"""The page headers of a parquet file's column chunks: what its readers will really decode.

A footer is a claim, and readers (pyarrow, polars) follow the pages: a page
whose header says it holds 100,000,000 values or decompresses to 800 MB is
decompressed and decoded whatever the footer's counts, sizes and encoding
lists say. So before a file from a literal is decoded, the headers of the
pages of the columns to read are walked (a small read per page, never the
page data) and the estimate takes the larger of footer and pages.

A chunk's pages must tile its byte range exactly; a header that runs past
it, or a page whose sizes are negative, makes the file corrupt.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import IO, Any

from typeflow.datasets._thrift import I32, CompactReader, Spec, ThriftError
from typeflow.datasets.footer import ChunkKey, PageFacts, ParquetFooter
from typeflow.errors import StorageError

__all__ = ["MAX_PAGE_HEADER", "walk_pages"]

#: the largest page header read (pyarrow's own limit)
MAX_PAGE_HEADER = 16 * 2**20
_FIRST_READ = 1024

_DATA_PAGE, _DICTIONARY_PAGE, _DATA_PAGE_V2 = 0, 2, 3
_DELTA_BYTE_ARRAY = 7

_DATA_HEADER: Spec = {1: ("num_values", I32), 2: ("encoding", I32)}
_DATA_HEADER_V2: Spec = {1: ("num_values", I32), 4: ("encoding", I32)}
_PAGE_HEADER: Spec = {
    1: ("type", I32),
    2: ("uncompressed", I32),
    3: ("compressed", I32),
    5: ("data", _DATA_HEADER),
    7: ("dictionary", {}),
    8: ("data_v2", _DATA_HEADER_V2),
}


def walk_pages(f: IO[bytes], footer: ParquetFooter, columns: Iterable[str], uri: str) -> dict[ChunkKey, PageFacts]:
    """Read the page headers of the chunks of ``columns`` in the file open as ``f``; errors name ``uri``."""
    facts: dict[ChunkKey, PageFacts] = {}
    for key, start, length in sorted(footer.chunks(columns), key=lambda chunk: chunk[1]):
        facts[key] = _walk_chunk(f, start, start + length, uri)
    return facts


def _walk_chunk(f: IO[bytes], pos: int, end: int, uri: str) -> PageFacts:
    num_values = uncompressed = 0
    dictionary = delta = False
    while pos < end:
        header, header_length = _header(f, pos, end, uri)
        page_type = header.get("type")
        size = header.get("uncompressed", -1)
        compressed = header.get("compressed", -1)
        if size < 0 or compressed < 0:
            raise StorageError(f"corrupt parquet page at byte {pos}: it has no valid sizes", uri=uri)
        pos += header_length + compressed
        if pos > end:
            raise StorageError(f"corrupt parquet page: it runs past its column chunk (to byte {pos} of {end})", uri=uri)
        uncompressed += size
        if page_type == _DICTIONARY_PAGE:
            dictionary = True
        elif page_type in (_DATA_PAGE, _DATA_PAGE_V2):
            data = header.get("data" if page_type == _DATA_PAGE else "data_v2") or {}
            values = data.get("num_values", 0)
            if values < 0:
                raise StorageError(f"corrupt parquet page: it claims {values} values", uri=uri)
            num_values += values
            delta = delta or data.get("encoding") == _DELTA_BYTE_ARRAY
    return PageFacts(num_values, uncompressed, dictionary, delta)


def _header(f: IO[bytes], pos: int, end: int, uri: str) -> tuple[dict[str, Any], int]:
    want = min(_FIRST_READ, end - pos)
    while True:
        try:
            f.seek(pos)
            data = f.read(want)
        except (OSError, ValueError) as exc:
            raise StorageError(f"cannot read a parquet page header ({type(exc).__name__}: {exc})", uri=uri) from exc
        reader = CompactReader(data)
        try:
            return reader.struct(_PAGE_HEADER), reader.pos
        except ThriftError as exc:
            more = len(data) == want and want < min(MAX_PAGE_HEADER, end - pos)
            if not more:
                raise StorageError(f"corrupt parquet page header at byte {pos}: {exc}", uri=uri) from None
            want = min(want * 8, MAX_PAGE_HEADER, end - pos)
