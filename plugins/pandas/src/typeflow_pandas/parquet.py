"""The parquet codecs: pandas DataFrames and pyarrow Tables, written and read with pyarrow.

What a DataFrame keeps (through the pandas metadata pyarrow stores in the file):
dtypes (ints, floats with NaN/inf, strings, bools, tz-aware timestamps,
categoricals), the index (a ``RangeIndex`` as metadata, any other index as
columns, as ``df.to_parquet`` does) and ``DataFrame.attrs``. Parquet stores
only the categories rows use; the full category list (when its values are
JSON-able: str, int, float, bool) and its order are kept here too, so a
categorical reads back with the same dtype.

Files are plain parquet with pyarrow's defaults (snappy, format 2.6), except
for dictionary encoding: pyarrow tries it on every column and gives up on a
column only once its dictionary outgrows a page, which costs a hash per value
on columns of mostly distinct numbers or ids. Here a column is dictionary
encoded when a sample of its first rows repeats values (see
:func:`dictionary_columns`); the choice changes size and speed, never what is
read back.

Reading is bounded by the context's read budget: before this module runs,
typeflow has checked what the columns decode to against it (from the file's
footer and page headers). What that cannot know is how long dictionary- or
delta-encoded strings become once pyarrow materialises them; when they could
take the read over the budget, those columns are read dictionary-encoded
(only their distinct values in memory), their decoded length is summed and
charged (:func:`typeflow.datasets.current_read`), and only then are they
turned into plain strings: the same table a plain read gives. A DataFrame
read is charged its decoded size twice: ``to_pandas`` holds the Arrow table and
the frame at once.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import IO, Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from typeflow.datasets import current_read, measures_expansion
from typeflow.literals import DatasetColumn
from typeflow_pandas.columns import arrow_columns

__all__ = ["join_frames", "join_tables", "read_frame", "read_table", "write_frame", "write_table"]

_ATTRS = b"PANDAS_ATTRS"  # the schema metadata key pandas itself uses for DataFrame.attrs
_CATEGORIES = b"typeflow.categories"
_JSONABLE = (str, int, float, bool)
_SAMPLE_ROWS = 16_384  # rows looked at per column to decide on dictionary encoding


def write_table(value: pa.Table, f: IO[bytes], columns: list[str] | None) -> Sequence[DatasetColumn]:
    """Write an Arrow table (only ``columns`` when given) as parquet to ``f``."""
    table = value.select(columns) if columns is not None else value
    _write(table, f)
    return arrow_columns(table.schema)


@measures_expansion
def read_table(source: str | IO[bytes], columns: list[str] | None) -> pa.Table:
    """Read a parquet file (only ``columns`` when given) as an Arrow table."""
    return _read_arrow(source, columns, use_pandas_metadata=False)


def write_frame(value: pd.DataFrame, f: IO[bytes], columns: list[str] | None) -> Sequence[DatasetColumn]:
    """Write a DataFrame (only ``columns`` when given, with its index) as parquet to ``f``."""
    frame = value[columns] if columns is not None else value
    # preserve_index=None: a RangeIndex is kept as metadata, any other index as columns (as df.to_parquet)
    table = pa.Table.from_pandas(frame, preserve_index=None)
    extra = {}
    if frame.attrs:
        extra[_ATTRS] = json.dumps(frame.attrs)
    categories = _categories(frame)
    if categories:
        extra[_CATEGORIES] = json.dumps(categories)
    if extra:
        table = table.replace_schema_metadata({**(table.schema.metadata or {}), **extra})
    _write(table, f)
    return arrow_columns(table.schema)


@measures_expansion
def read_frame(source: str | IO[bytes], columns: list[str] | None) -> pd.DataFrame:
    """Read a parquet file (only ``columns`` when given, plus the index) as a DataFrame."""
    read = current_read()
    if read is not None:  # to_pandas holds the Arrow table and the frame at once
        read.charge(read.decoded, "the DataFrame made from the decoded table (a second copy while it is converted)")
    # use_pandas_metadata: a subset still gets the frame's index columns back, as pd.read_parquet does
    table = _read_arrow(source, columns, use_pandas_metadata=True)
    frame: pd.DataFrame = table.to_pandas()
    metadata = table.schema.metadata or {}
    if _ATTRS in metadata:
        frame.attrs = json.loads(metadata[_ATTRS])
    if _CATEGORIES in metadata:
        for name, (categories, ordered) in json.loads(metadata[_CATEGORIES]).items():
            if name in frame.columns:
                frame[name] = frame[name].astype(pd.CategoricalDtype(categories, ordered=ordered))
    return frame


def join_frames(frames: list[pd.DataFrame]) -> pd.DataFrame:
    """The frames read from the files of one dataset folder, one after another (as pandas reads a folder)."""
    renumber = all(isinstance(frame.index, pd.RangeIndex) for frame in frames)
    joined = pd.concat(frames, ignore_index=renumber)
    joined.attrs = dict(frames[0].attrs)
    return joined


def join_tables(tables: list[pa.Table]) -> pa.Table:
    """The tables read from the files of one dataset folder, one after another."""
    return pa.concat_tables(tables, promote_options="default")


def _read_arrow(source: str | IO[bytes], columns: list[str] | None, use_pandas_metadata: bool) -> pa.Table:
    read = current_read()
    strings = read.unmeasured() if read is not None else []
    if read is None or not strings:
        return pq.read_table(source, columns=columns, use_pandas_metadata=use_pandas_metadata)
    plain = pq.read_schema(source)  # the types a plain read gives
    expanding = []
    for name in strings:
        if plain.get_field_index(name) >= 0 and not pa.types.is_dictionary(plain.field(name).type):
            expanding.append(name)
        else:
            read.measured(name, 0)  # kept as a dictionary (a categorical): its strings are not copied per row
    table = pq.read_table(source, columns=columns, use_pandas_metadata=use_pandas_metadata, read_dictionary=expanding)
    for name in expanding:
        index = table.schema.get_field_index(name)
        if index < 0:
            read.measured(name, 0)  # not among the columns read
            continue
        column = table.column(index)
        read.measured(name, _string_bytes(column))
        target = plain.field(name)
        table = table.set_column(index, target, column.cast(target.type))
    return table


def _string_bytes(column: pa.ChunkedArray) -> int:
    """What a dictionary-encoded string column's values take once each row holds its own copy."""
    total = 0
    for chunk in column.chunks:
        if isinstance(chunk, pa.DictionaryArray):
            lengths = pc.binary_length(chunk.dictionary)
            total += pc.sum(pc.take(lengths, chunk.indices)).as_py() or 0
        else:
            total += pc.sum(pc.binary_length(chunk)).as_py() or 0
    return int(total)


def dictionary_columns(table: pa.Table) -> list[str] | bool:
    """The columns worth dictionary encoding, for ``pq.write_table(use_dictionary=...)``.

    Dictionary columns (pandas categoricals) always are; booleans never are
    (parquet packs them as bits). Any other column (strings, numbers,
    timestamps, …) is when at most half the values in a sample of its first
    rows are distinct, or when the sample holds only nulls. A table with
    nested columns keeps pyarrow's default (``True``): their leaf paths are
    not top-level names.
    """
    chosen: list[str] = []
    for field, column in zip(table.schema, table.columns):
        kind = field.type.storage_type if isinstance(field.type, pa.ExtensionType) else field.type
        if pa.types.is_nested(kind) or pa.types.is_union(kind):
            return True
        hashable = not pa.types.is_boolean(kind) and not pa.types.is_null(kind)
        if pa.types.is_dictionary(kind) or (hashable and _repeats(column)):
            chosen.append(field.name)
    return chosen


def _repeats(column: pa.ChunkedArray) -> bool:
    sample = column.slice(0, _SAMPLE_ROWS)
    valid: int = len(sample) - sample.null_count
    if not valid:  # nothing to judge by (an empty table, or leading nulls): pyarrow's default
        return True
    try:
        distinct: int = pc.count_distinct(sample).as_py()
    except pa.ArrowNotImplementedError:  # a type compute cannot hash: pyarrow's default
        return True
    return 2 * distinct <= valid


def _write(table: pa.Table, f: IO[bytes]) -> None:
    pq.write_table(table, f, use_dictionary=dictionary_columns(table))


def _categories(frame: pd.DataFrame) -> dict[str, tuple[list[Any], bool]]:
    out: dict[str, tuple[list[Any], bool]] = {}
    for name, dtype in frame.dtypes.items():
        if isinstance(dtype, pd.CategoricalDtype) and isinstance(name, str):
            values = dtype.categories.tolist()
            if all(type(v) in _JSONABLE for v in values):
                out[name] = (values, bool(dtype.ordered))
    return out
