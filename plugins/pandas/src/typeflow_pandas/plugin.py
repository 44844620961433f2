"""The typeflow hook implementations of typeflow-pandas.

Entry points ``pandas``, ``pyarrow`` and ``typeflow_pandas`` in ``typeflow.plugins``
all name this module: typeflow imports it only when a DataFrame, an Arrow
table or a :class:`~typeflow_pandas.StructuredDataset` handle is first
converted, so ``import typeflow`` never imports pandas or pyarrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from typeflow import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register the DataFrame, Arrow table and handle transformers, and the parquet codecs of this engine."""
    import pandas as pd
    import pyarrow as pa

    from typeflow_pandas.codecs import codecs_for, register_parquet
    from typeflow_pandas.transformer import DatasetTransformer, StructuredDatasetTransformer

    register_parquet(codecs_for(registry))
    frames: dict[Any, DatasetTransformer] = {
        pd.DataFrame: DatasetTransformer("pandas.DataFrame", pd.DataFrame),
        pa.Table: DatasetTransformer("pyarrow.Table", pa.Table),
    }
    for transformer in frames.values():
        registry.register(transformer)
    registry.register(StructuredDatasetTransformer(frames))
