"""The typeflow hook implementations of typeflow-pandas.

Entry points ``pandas`` and ``pyarrow`` in ``typeflow.plugins`` both name this
module: typeflow imports it only when a DataFrame or an Arrow table is first
converted (or a ``StructuredDataset`` handle is opened as one), so
``import typeflow`` never imports pandas or pyarrow.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from typeflow import hookimpl
from typeflow.errors import PluginError

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


#: pyarrow 14.0.0 and older unpickle what a parquet file's metadata holds (CVE-2023-47248)
SAFE_PYARROW = (14, 0, 1)


def check_pyarrow_version(version: str) -> None:
    """Refuse a pyarrow that runs code from the parquet files it reads (older than 14.0.1)."""
    found = tuple(int(part) for part in re.findall(r"\d+", version)[:3])
    if found < SAFE_PYARROW:
        raise PluginError(
            f"typeflow-pandas needs pyarrow>=14.0.1, found pyarrow {version}: older versions unpickle data from "
            "parquet files they read (CVE-2023-47248); upgrade with pip install 'pyarrow>=14.0.1'"
        )


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register ``pd.DataFrame`` and ``pyarrow.Table``, and their parquet codecs on this engine's table."""
    import pandas as pd
    import pyarrow as pa

    from typeflow.datasets import DatasetTransformer, codecs_for
    from typeflow_pandas import parquet

    check_pyarrow_version(pa.__version__)
    codecs = codecs_for(registry)
    codecs.provide_encoder(pd.DataFrame, "parquet", parquet.write_frame)  # a plugin's override, made earlier, wins
    codecs.provide_decoder(pd.DataFrame, "parquet", parquet.read_frame)
    codecs.provide_encoder(pa.Table, "parquet", parquet.write_table)
    codecs.provide_decoder(pa.Table, "parquet", parquet.read_table)
    codecs.provide_combiner(pd.DataFrame, parquet.join_frames)
    codecs.provide_combiner(pa.Table, parquet.join_tables)
    registry.register(DatasetTransformer(pd.DataFrame, guesses=True, convert_hint="pass a pandas.DataFrame"))
    registry.register(DatasetTransformer(pa.Table, convert_hint="build one with pyarrow.table(...) or pa.Table.from_pandas(df)"))
