"""Encoders and decoders, chosen by (Python type, format), one table per engine.

The parquet codecs for ``pandas.DataFrame`` and ``pyarrow.Table`` ship here.
Another plugin adds a format (CSV, or polars frames) from its own hook,
without touching this package:

    import pandas as pd
    from typeflow import hookimpl
    import typeflow_pandas

    def write_csv(frame, file, columns):          # -> the written columns, or None
        frame.to_csv(file, columns=columns, index=False)

    def read_csv(source, columns):                # source: a local path or a binary file
        return pd.read_csv(source, usecols=columns)

    @hookimpl
    def typeflow_register_transformers(registry):
        typeflow_pandas.register_encoder(registry, pd.DataFrame, "csv", write_csv)
        typeflow_pandas.register_decoder(registry, pd.DataFrame, "csv", read_csv)

Its users then write ``Annotated[pd.DataFrame, Format("csv")]``. Give that
plugin's entry point the name ``pandas`` too: entry points that share a name
load together, so its codecs are there whenever DataFrames are.

The tables belong to an engine (``TypeEngine()`` starts empty; its plugins'
hooks fill it), so two engines never see each other's codecs and a hook may
register a fresh lambda each time it runs.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Sequence
from typing import IO, Any, Union

from typeflow.errors import PluginError
from typeflow.literals import DatasetColumn

__all__ = [
    "DatasetCodecs",
    "Decoder",
    "Encoder",
    "codecs_for",
    "register_decoder",
    "register_encoder",
    "register_parquet",
]

#: ``encoder(value, file, columns)`` writes ``value`` (only ``columns`` when not None) to an
#: open binary file, and returns the written columns with their literal types, or None
Encoder = Callable[[Any, IO[bytes], "list[str] | None"], "Sequence[DatasetColumn] | None"]
#: ``decoder(source, columns)`` reads a value back (only ``columns`` when not None);
#: ``source`` is a local file path (``str``) or an open binary file
Decoder = Callable[[Union[str, IO[bytes]], "list[str] | None"], Any]


class DatasetCodecs:
    """The encoders and decoders of one engine, keyed by (Python type, format name)."""

    def __init__(self) -> None:
        self._encoders: dict[tuple[Any, str], Encoder] = {}
        self._decoders: dict[tuple[Any, str], Decoder] = {}
        self._lock = threading.Lock()

    def register_encoder(self, python_type: Any, fmt: str, encoder: Encoder, override: bool = False) -> None:
        """Write values of ``python_type`` in format ``fmt`` with ``encoder(value, file, columns)``."""
        self._register(self._encoders, python_type, fmt, encoder, override, "encoder")

    def register_decoder(self, python_type: Any, fmt: str, decoder: Decoder, override: bool = False) -> None:
        """Read format ``fmt`` as ``python_type`` with ``decoder(source, columns)``."""
        self._register(self._decoders, python_type, fmt, decoder, override, "decoder")

    def _register(self, table: dict[tuple[Any, str], Any], t: Any, fmt: str, fn: Any, override: bool, what: str) -> None:
        if not callable(fn):
            raise PluginError(f"the {what} for {_name(t)} in format {fmt!r} must be callable, got {fn!r}")
        with self._lock:
            existing = table.get((t, fmt))
            if existing is not None and existing is not fn and not override:
                raise PluginError(
                    f"a {what} for {_name(t)} in format {fmt!r} is already registered ({_name(existing)}); "
                    f"pass override=True to replace it"
                )
            table[(t, fmt)] = fn

    def _register_default(self, table: dict[tuple[Any, str], Any], t: Any, fmt: str, fn: Any) -> None:
        with self._lock:
            table.setdefault((t, fmt), fn)  # a plugin's override, made earlier, wins

    def encoder(self, python_type: Any, fmt: str) -> Encoder | None:
        """The encoder for ``python_type`` in ``fmt``, or None."""
        return self._encoders.get((python_type, fmt))

    def decoder(self, python_type: Any, fmt: str) -> Decoder | None:
        """The decoder reading ``fmt`` as ``python_type``, or None."""
        return self._decoders.get((python_type, fmt))

    def formats(self, python_type: Any, writing: bool) -> list[str]:
        """The formats ``python_type`` can be written in (``writing``) or read from."""
        table = self._encoders if writing else self._decoders
        return sorted(fmt for t, fmt in table if t is python_type)


_tables: weakref.WeakKeyDictionary[Any, DatasetCodecs] = weakref.WeakKeyDictionary()
_tables_lock = threading.Lock()


def codecs_for(owner: Any) -> DatasetCodecs:
    """The codec table of an engine; ``owner`` is the engine, its registry, or a ``TransformContext``."""
    engine = getattr(owner, "engine", owner)
    table = _tables.get(engine)
    if table is None:
        with _tables_lock:
            table = _tables.get(engine)
            if table is None:
                table = _tables[engine] = DatasetCodecs()
    return table


def register_encoder(registry: Any, python_type: Any, fmt: str, encoder: Encoder, override: bool = False) -> None:
    """From a ``typeflow_register_transformers(registry)`` hook: write ``python_type`` as ``fmt``.

    ``encoder(value, file, columns)`` writes to an open binary file; ``columns``
    is the list of declared column names, or None for all. It may return the
    written columns as :class:`~typeflow.literals.DatasetColumn` tuples, which the
    literal records; None records only the declared columns.
    """
    codecs_for(registry).register_encoder(python_type, fmt, encoder, override)


def register_decoder(registry: Any, python_type: Any, fmt: str, decoder: Decoder, override: bool = False) -> None:
    """From a ``typeflow_register_transformers(registry)`` hook: read ``fmt`` as ``python_type``.

    ``decoder(source, columns)`` gets a local path (``str``) or an open binary
    file, and reads only ``columns`` when it is not None.
    """
    codecs_for(registry).register_decoder(python_type, fmt, decoder, override)


def register_parquet(codecs: DatasetCodecs) -> None:
    """The built-in parquet codecs for ``pd.DataFrame`` and ``pyarrow.Table`` (kept if a plugin set its own)."""
    import pandas as pd
    import pyarrow as pa

    from typeflow_pandas import parquet

    codecs._register_default(codecs._encoders, pd.DataFrame, "parquet", parquet.write_frame)
    codecs._register_default(codecs._decoders, pd.DataFrame, "parquet", parquet.read_frame)
    codecs._register_default(codecs._encoders, pa.Table, "parquet", parquet.write_table)
    codecs._register_default(codecs._decoders, pa.Table, "parquet", parquet.read_table)


def _name(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or repr(obj)
    return f"{module}.{qualname}" if module and module != "builtins" else qualname
