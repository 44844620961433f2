"""The typeflow hook implementations of typeflow-pandas.

Entry points ``pandas`` and ``pyarrow`` in ``typeflow.plugins`` both name this
module: typeflow imports it only when a DataFrame or an Arrow table is first
converted (or a ``StructuredDataset`` handle is opened as one), so
``import typeflow`` never imports pandas or pyarrow.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typeflow import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register ``pd.DataFrame`` and ``pyarrow.Table``, and their parquet codecs on this engine's table."""
    import pandas as pd
    import pyarrow as pa

    from typeflow.datasets import DatasetTransformer, codecs_for
    from typeflow_pandas import parquet

    codecs = codecs_for(registry)
    codecs.provide_encoder(pd.DataFrame, "parquet", parquet.write_frame)  # a plugin's override, made earlier, wins
    codecs.provide_decoder(pd.DataFrame, "parquet", parquet.read_frame)
    codecs.provide_encoder(pa.Table, "parquet", parquet.write_table)
    codecs.provide_decoder(pa.Table, "parquet", parquet.read_table)
    registry.register(DatasetTransformer(pd.DataFrame, guesses=True, convert_hint="pass a pandas.DataFrame"))
    registry.register(DatasetTransformer(pa.Table, convert_hint="build one with pyarrow.table(...) or pa.Table.from_pandas(df)"))
