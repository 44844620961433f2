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

Reading is bounded by the context's read budget: typeflow has checked what
the columns decode to (from the file's footer and page headers) before this
module runs. Strings of dictionary-encoded columns are measured before they
are handed out (polars keeps one copy of each dictionary entry, so reading
them costs little, but each row counts as its own string once the frame is
used): the sum of their lengths is charged to the budget. Delta-encoded
strings, which polars materialises while reading, are charged the most they
could decode to. A ``LazyFrame`` is measured when it is read from the
literal, for every column its scan can read, so a later ``collect()`` reads
nothing the budget has not seen.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import IO, Any

import polars as pl

from typeflow.datasets import DatasetRead, current_read, is_index_column, measures_expansion
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import DatasetColumn
from typeflow_polars.columns import object_columns, polars_columns

__all__ = ["join_frames", "join_lazy", "lazy_column_names", "read_frame", "read_lazy", "write_frame", "write_lazy"]


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


def join_frames(frames: list[pl.DataFrame]) -> pl.DataFrame:
    """The frames read from the files of one dataset folder, one after another."""
    return pl.concat(frames, how="vertical")


def join_lazy(frames: list[pl.LazyFrame]) -> pl.LazyFrame:
    """The scans of the files of one dataset folder, one after another (still lazy)."""
    return pl.concat(frames, how="vertical")


def lazy_column_names(value: pl.LazyFrame) -> list[str]:
    """A LazyFrame's column names, from its resolved schema (no data is computed)."""
    return value.collect_schema().names()


def _missing(columns: list[str], have: list[str]) -> None:
    missing = [c for c in columns if c not in have]
    if missing:
        raise KeyError(f"no column(s) {missing}; the dataset has {have}")  # read_dataset names the URI and the fix


def _to_measure(read: DatasetRead | None) -> list[str]:
    """The columns whose strings must be measured; delta-encoded ones are charged their bound instead."""
    if read is None:
        return []
    return read.unmeasured(bounded=[size.name for size in read.sizes if size.delta])


def _length(name: str, dtype: Any) -> pl.Expr | None:
    """The total length of a column's strings as an expression (None: nothing to measure, e.g. categories)."""
    if dtype == pl.String:
        return pl.col(name).str.len_bytes().cast(pl.UInt64).sum()
    if dtype == pl.Binary:
        return pl.col(name).bin.size().cast(pl.UInt64).sum()
    return None


def _measure(read: DatasetRead, names: list[str], schema: Any, frame: pl.DataFrame | pl.LazyFrame) -> None:
    lengths = {name: _length(name, schema.get(name)) for name in names}
    exprs = [expr.alias(name) for name, expr in lengths.items() if expr is not None]
    sums = frame.select(exprs) if exprs else None
    totals = (sums.collect() if isinstance(sums, pl.LazyFrame) else sums) if sums is not None else None
    for name in names:
        value = totals[name][0] if totals is not None and name in totals.columns else 0
        read.measured(name, int(value or 0))


@measures_expansion
def read_frame(source: str | IO[bytes], columns: list[str] | None) -> pl.DataFrame:
    """Read a parquet file (only ``columns`` when given) as a DataFrame."""
    read = current_read()
    strings = _to_measure(read)
    try:
        # glob=False: a path from a literal names one file, never a pattern
        frame = (
            pl.read_parquet(source, columns=columns, glob=False)
            if isinstance(source, str)
            else pl.read_parquet(source, columns=columns)
        )
    except pl.exceptions.ColumnNotFoundError as exc:
        raise KeyError(str(exc).splitlines()[0]) from exc
    if read is not None and strings:
        _measure(read, [n for n in strings if n in frame.columns], frame.schema, frame)
    if columns is None:
        index = [c for c in frame.columns if is_index_column(c)]
        if index:
            frame = frame.drop(index)
    return frame


@measures_expansion
def read_lazy(source: str | IO[bytes], columns: list[str] | None) -> pl.LazyFrame:
    """Scan a parquet file (only ``columns`` when given) as a LazyFrame; a local path is scanned in place.

    The file's schema (its footer) is read now, so a file that is not parquet,
    or lacks a declared column, is refused here rather than when collected;
    so are strings that would take the read over the budget (their lengths are
    summed now, over what the scan can read).
    """
    read = current_read()
    if isinstance(source, str):
        scan = pl.scan_parquet(source, glob=False)
    else:  # an open file is closed once this returns: a remote blob is scanned from a copy in memory
        data = read.read_all(source) if read is not None else source.read()
        scan = pl.scan_parquet(io.BytesIO(data))
    schema = scan.collect_schema()
    have = schema.names()
    if columns is not None:
        _missing(columns, have)
        scan = scan.select(columns)
    else:
        index = [c for c in have if is_index_column(c)]
        scan = scan.drop(index) if index else scan
    strings = _to_measure(read)
    if read is not None and strings:
        _measure(read, [n for n in strings if n in have], schema, scan)
    return scan
