"""The typeflow hook implementations of typeflow-polars.

The entry point ``polars`` in ``typeflow.plugins`` names this module: typeflow
imports it only when a polars frame is first converted (or a
``StructuredDataset`` handle is opened as one), so ``import typeflow`` never
imports polars.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typeflow import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register ``pl.DataFrame`` and ``pl.LazyFrame``, and their parquet codecs on this engine's table."""
    import polars as pl

    from typeflow.datasets import PARQUET, DatasetTransformer, codecs_for
    from typeflow_polars import parquet

    codecs = codecs_for(registry)
    codecs.provide_encoder(pl.DataFrame, PARQUET, parquet.write_frame)  # a plugin's override, made earlier, wins
    codecs.provide_decoder(pl.DataFrame, PARQUET, parquet.read_frame)
    codecs.provide_encoder(pl.LazyFrame, PARQUET, parquet.write_lazy)
    codecs.provide_decoder(pl.LazyFrame, PARQUET, parquet.read_lazy)
    codecs.provide_combiner(pl.DataFrame, parquet.join_frames)
    codecs.provide_combiner(pl.LazyFrame, parquet.join_lazy)
    registry.register(
        DatasetTransformer(pl.DataFrame, convert_hint="convert it first, e.g. pl.from_pandas(df) or pl.DataFrame(data)")
    )
    registry.register(
        DatasetTransformer(
            pl.LazyFrame,
            column_names=parquet.lazy_column_names,
            convert_hint="make one with df.lazy() or pl.scan_parquet(...)",
        )
    )
