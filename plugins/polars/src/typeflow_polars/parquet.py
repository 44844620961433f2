"""The parquet codecs: polars DataFrames and LazyFrames, written and read by polars itself.

Files are plain parquet with polars' defaults (zstd, statistics), so pandas,
pyarrow and any other parquet reader read them; polars keeps every dtype it
has through its own schema metadata (categoricals and enums included).

Reading a file that typeflow-pandas wrote leaves out the columns pyarrow
adds for an unnamed pandas index (``__index_level_0__``): polars has no
index, and pandas' own reader turns them back into one. A named index is a
column of the file like any other and reads as one.

A ``LazyFrame`` reads lazily: a local blob becomes a ``scan_parquet`` of the
file, so a query reads only the columns and row groups it needs, when it is
collected. A remote blob is fetched once (through the context's read policy)
and scanned from memory.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, Any

import polars as pl

from typeflow.datasets import is_index_column
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import DatasetColumn
from typeflow_polars.columns import object_columns, polars_columns

__all__ = ["lazy_column_names", "read_frame", "read_lazy", "write_frame", "write_lazy"]


def _refuse_objects(schema: Any) -> None:
    objects = object_columns(schema)
    if objects:
        raise TypeTransformerFailedError(
            f"column(s) {objects} hold Python objects (pl.Object), which parquet cannot store",
            hint=f"cast them to a polars type first, e.g. df.with_columns(pl.col({objects[0]!r}).cast(pl.String))",
        ).at(f".columns[{list(schema).index(objects[0])}]")


def write_frame(value: pl.DataFrame, f: IO[bytes], columns: list[str] | None) -> Sequence[DatasetColumn]:
    """Write a DataFrame (only ``columns`` when given) as parquet to ``f``."""
    frame = value.select(columns) if columns is not None else value
    _refuse_objects(frame.schema)
    frame.write_parquet(f)
    return polars_columns(frame.schema)


def write_lazy(value: pl.LazyFrame, f: IO[bytes], columns: list[str] | None) -> Sequence[DatasetColumn]:
    """Run a LazyFrame's query (only ``columns`` when given) and stream its result as parquet to ``f``."""
    query = value.select(columns) if columns is not None else value
    schema = query.collect_schema()
    _refuse_objects(schema)
    query.sink_parquet(f)
    return polars_columns(schema)


def lazy_column_names(value: pl.LazyFrame) -> list[str]:
    """A LazyFrame's column names, from its resolved schema (no data is computed)."""
    return value.collect_schema().names()


def _missing(columns: list[str], have: list[str]) -> None:
    missing = [c for c in columns if c not in have]
    if missing:
        raise KeyError(f"no column(s) {missing}; the dataset has {have}")  # read_dataset names the URI and the fix


def read_frame(source: str | IO[bytes], columns: list[str] | None) -> pl.DataFrame:
    """Read a parquet file (only ``columns`` when given) as a DataFrame."""
    try:
        # glob=False: a path from a literal names one file, never a pattern
        frame = (
            pl.read_parquet(source, columns=columns, glob=False)
            if isinstance(source, str)
            else pl.read_parquet(source, columns=columns)
        )
    except pl.exceptions.ColumnNotFoundError as exc:
        raise KeyError(str(exc).splitlines()[0]) from exc
    if columns is None:
        index = [c for c in frame.columns if is_index_column(c)]
        if index:
            frame = frame.drop(index)
    return frame


def read_lazy(source: str | IO[bytes], columns: list[str] | None) -> pl.LazyFrame:
    """Scan a parquet file (only ``columns`` when given) as a LazyFrame; a local path is scanned in place.

    The file's schema (its footer) is read now, so a file that is not parquet,
    or lacks a declared column, is refused here rather than when collected.
    """
    # an open file is closed once this returns: a remote blob is scanned from a copy in memory
    scan = pl.scan_parquet(source, glob=False) if isinstance(source, str) else pl.scan_parquet(io.BytesIO(source.read()))
    have = scan.collect_schema().names()
    if columns is not None:
        _missing(columns, have)
        return scan.select(columns)
    index = [c for c in have if is_index_column(c)]
    return scan.drop(index) if index else scan
