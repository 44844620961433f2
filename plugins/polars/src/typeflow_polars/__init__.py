"""typeflow-polars: polars DataFrames and LazyFrames as parquet structured datasets.

    from typing import Annotated
    import polars as pl
    from typeflow_polars import Columns, StructuredDataset

    lv = typeflow.to_literal(df, pl.DataFrame)                         # polars writes the parquet file
    typeflow.to_python_value(lv, Annotated[pl.LazyFrame, Columns(a=int)])  # a lazy scan of one column
    typeflow.to_python_value(lv, StructuredDataset).open(pl.DataFrame).all()

Frames are written and read with polars' own parquet engine: no pandas, no
pyarrow. The codecs go into typeflow's shared tables (:mod:`typeflow.datasets`),
so with typeflow-pandas installed a polars frame reads back as a pandas one
and the reverse. ``Columns``, ``Format`` and ``StructuredDataset`` are
typeflow's own, re-exported here for convenience.

Importing this package does not import polars; the plugin module does, when
typeflow first converts a polars frame.
"""

from __future__ import annotations

from typeflow.datasets import Columns, Format, StructuredDataset

__all__ = ["Columns", "Format", "StructuredDataset", "__version__"]
__version__ = "0.1.0"
