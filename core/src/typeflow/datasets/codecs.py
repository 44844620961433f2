"""Encoders and decoders, chosen by (Python type, format), one table per engine.

Every DataFrame plugin registers its codecs here, in the table of the engine
whose hook it runs in. Because all of them share one table, and parquet is
parquet whoever wrote it, a frame written by one plugin is read as another
plugin's type: a pandas DataFrame comes back as a polars one, and the reverse.

A plugin (or a user) adds a format from its own hook, without touching the
plugin that owns the frame type:

    import pandas as pd
    from typeflow import hookimpl
    from typeflow.datasets import register_decoder, register_encoder

    def write_csv(frame, file, columns):          # -> the written columns, or None
        frame.to_csv(file, columns=columns, index=False)

    def read_csv(source, columns):                # source: a local path or a binary file
        return pd.read_csv(source, usecols=columns)

    @hookimpl
    def typeflow_register_transformers(registry):
        register_encoder(registry, pd.DataFrame, "csv", write_csv)
        register_decoder(registry, pd.DataFrame, "csv", read_csv)

Its users then write ``Annotated[pd.DataFrame, Format("csv")]``. Give that
plugin's entry point the name of the frame's package (``pandas``): entry points
that share a name load together, so its codecs are there whenever that
package's frames are.

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

__all__ = ["Combiner", "DatasetCodecs", "Decoder", "Encoder", "codecs_for", "register_decoder", "register_encoder"]

#: ``encoder(value, file, columns)`` writes ``value`` (only ``columns`` when not None) to an
#: open binary file, and returns the written columns with their literal types, or None
Encoder = Callable[[Any, IO[bytes], "list[str] | None"], "Sequence[DatasetColumn] | None"]
#: ``decoder(source, columns)`` reads a value back (only ``columns`` when not None);
#: ``source`` is a local file path (``str``) or an open binary file, closed once the decoder returns
Decoder = Callable[[Union[str, IO[bytes]], "list[str] | None"], Any]
#: ``combiner(values)`` joins the values read from the files of one dataset folder, in file order, into one
Combiner = Callable[["list[Any]"], Any]


class DatasetCodecs:
    """The encoders and decoders of one engine, keyed by (Python type, format name)."""

    def __init__(self) -> None:
        self._encoders: dict[tuple[Any, str], Encoder] = {}
        self._decoders: dict[tuple[Any, str], Decoder] = {}
        self._combiners: dict[Any, Combiner] = {}
        self._lock = threading.Lock()

    def register_encoder(self, python_type: Any, fmt: str, encoder: Encoder, override: bool = False) -> None:
        """Write values of ``python_type`` in format ``fmt`` with ``encoder(value, file, columns)``.

        A pair that is already taken raises :class:`~typeflow.errors.PluginError` unless ``override=True``.
        """
        self._register(self._encoders, python_type, fmt, encoder, override, "encoder")

    def register_decoder(self, python_type: Any, fmt: str, decoder: Decoder, override: bool = False) -> None:
        """Read format ``fmt`` as ``python_type`` with ``decoder(source, columns)``."""
        self._register(self._decoders, python_type, fmt, decoder, override, "decoder")

    def provide_encoder(self, python_type: Any, fmt: str, encoder: Encoder) -> None:
        """Register ``encoder`` unless one is already registered: for a plugin's built-in codecs.

        A plugin's own format, registered with ``override=True`` before the
        plugin that owns the frame type loaded, keeps winning.
        """
        self._provide(self._encoders, python_type, fmt, encoder, "encoder")

    def provide_decoder(self, python_type: Any, fmt: str, decoder: Decoder) -> None:
        """Register ``decoder`` unless one is already registered (see :meth:`provide_encoder`)."""
        self._provide(self._decoders, python_type, fmt, decoder, "decoder")

    def provide_combiner(self, python_type: Any, combiner: Combiner) -> None:
        """Join values of ``python_type`` read from several files of one dataset (a folder) with ``combiner(values)``.

        Without one, a folder of more than one file cannot be read as that type.
        A combiner already registered is kept.
        """
        if not callable(combiner):
            raise PluginError(f"the combiner for {_name(python_type)} must be callable, got {combiner!r}")
        with self._lock:
            self._combiners.setdefault(python_type, combiner)

    def combiner(self, python_type: Any) -> Combiner | None:
        """What joins values of ``python_type`` read from several files, or None."""
        return self._combiners.get(python_type)

    def _register(self, table: dict[tuple[Any, str], Any], t: Any, fmt: str, fn: Any, override: bool, what: str) -> None:
        _check(t, fmt, fn, what)
        with self._lock:
            existing = table.get((t, fmt))
            if existing is not None and existing is not fn and not override:
                raise PluginError(
                    f"a {what} for {_name(t)} in format {fmt!r} is already registered ({_name(existing)}); "
                    f"pass override=True to replace it"
                )
            table[(t, fmt)] = fn

    def _provide(self, table: dict[tuple[Any, str], Any], t: Any, fmt: str, fn: Any, what: str) -> None:
        _check(t, fmt, fn, what)
        with self._lock:
            table.setdefault((t, fmt), fn)

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

    def types(self, fmt: str, writing: bool) -> list[Any]:
        """The Python types that write (``writing``) or read format ``fmt``."""
        table = self._encoders if writing else self._decoders
        return [t for t, f in table if f == fmt]


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
    file, and reads only ``columns`` when it is not None. A decoder that
    returns a lazy value (a polars ``LazyFrame``) may keep a path, but must copy
    what it needs from a file: the file is closed when the decoder returns.
    """
    codecs_for(registry).register_decoder(python_type, fmt, decoder, override)


def frame_type_name(t: Any) -> str:
    """A frame type as messages show it: its top package and name (``pandas.DataFrame``, ``polars.LazyFrame``)."""
    module = getattr(t, "__module__", "")
    qualname = getattr(t, "__qualname__", None)
    if not module or qualname is None:
        return repr(t).replace("typing.", "")
    return qualname if module == "builtins" else f"{module.partition('.')[0]}.{qualname}"


def _check(t: Any, fmt: str, fn: Any, what: str) -> None:
    if not isinstance(fmt, str) or not fmt:
        raise PluginError(f"the {what} for {_name(t)} needs a format name such as 'parquet', got {fmt!r}")
    if not callable(fn):
        raise PluginError(f"the {what} for {_name(t)} in format {fmt!r} must be callable, got {fn!r}")


def _name(obj: Any) -> str:
    module = getattr(obj, "__module__", None)
    qualname = getattr(obj, "__qualname__", None) or repr(obj)
    return f"{module}.{qualname}" if module and module != "builtins" else qualname
