"""Encoders and decoders, chosen by (Python type, format).

The parquet codecs for ``pandas.DataFrame`` and ``pyarrow.Table`` ship here.
Another plugin adds a format (CSV, or polars frames) from its own hook,
without touching this package:

    from typeflow import hookimpl
    import typeflow_pandas

    @hookimpl
    def typeflow_register_transformers(registry):
        typeflow_pandas.register_encoder(pd.DataFrame, "csv", write_csv)   # write_csv(value, file, columns)
        typeflow_pandas.register_decoder(pd.DataFrame, "csv", read_csv)    # read_csv(file, columns) -> value

An encoder writes a value to an open binary file (``columns``: the declared
column names, or ``None`` for all); a decoder reads one back, reading only
``columns`` when given.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import IO, Any

from typeflow.errors import PluginError

__all__ = ["Decoder", "Encoder", "find_decoder", "find_encoder", "register_decoder", "register_encoder"]

Encoder = Callable[[Any, IO[bytes], "list[str] | None"], None]
Decoder = Callable[[IO[bytes], "list[str] | None"], Any]

_encoders: dict[tuple[type, str], Encoder] = {}
_decoders: dict[tuple[type, str], Decoder] = {}
_lock = threading.Lock()


def register_encoder(python_type: type, fmt: str, encoder: Encoder, override: bool = False) -> None:
    """Write values of ``python_type`` in format ``fmt`` with ``encoder(value, file, columns)``."""
    _register(_encoders, python_type, fmt, encoder, override, "encoder")


def register_decoder(python_type: type, fmt: str, decoder: Decoder, override: bool = False) -> None:
    """Read format ``fmt`` as ``python_type`` with ``decoder(file, columns)``."""
    _register(_decoders, python_type, fmt, decoder, override, "decoder")


def _register(table: dict[tuple[type, str], Any], t: type, fmt: str, fn: Any, override: bool, what: str) -> None:
    with _lock:
        existing = table.get((t, fmt))
        if existing is not None and existing is not fn and not override:
            raise PluginError(f"a {what} for {t.__qualname__} in format {fmt!r} is already registered; pass override=True")
        table[(t, fmt)] = fn


def find_encoder(python_type: type, fmt: str) -> Encoder | None:
    return _encoders.get((python_type, fmt))


def find_decoder(python_type: type, fmt: str) -> Decoder | None:
    return _decoders.get((python_type, fmt))


def formats() -> list[str]:
    return sorted({fmt for _, fmt in _decoders})


def register_parquet() -> None:
    """The built-in parquet codecs for DataFrame and pyarrow.Table (idempotent)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.parquet as pq

    def write_table(value: Any, f: IO[bytes], columns: list[str] | None) -> None:
        table = value.select(columns) if columns is not None else value
        pq.write_table(table, f)

    def write_frame(value: Any, f: IO[bytes], columns: list[str] | None) -> None:
        frame = value[columns] if columns is not None else value
        pq.write_table(pa.Table.from_pandas(frame, preserve_index=None), f)

    def read_table(f: IO[bytes], columns: list[str] | None) -> Any:
        return pq.read_table(f, columns=columns)

    def read_frame(f: IO[bytes], columns: list[str] | None) -> Any:
        return pq.read_table(f, columns=columns).to_pandas()

    register_encoder(pd.DataFrame, "parquet", write_frame, override=True)
    register_decoder(pd.DataFrame, "parquet", read_frame, override=True)
    register_encoder(pa.Table, "parquet", write_table, override=True)
    register_decoder(pa.Table, "parquet", read_table, override=True)
