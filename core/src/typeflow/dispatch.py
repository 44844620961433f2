"""Dispatch: which transformer converts a Python type, and through which rule.

A :class:`Dispatcher` resolves a type in layers and caches the answer (any
registration clears the cache):

1. strip ``Annotated`` (the annotations travel to the transformer);
2. the exact type, then the generic origin (``list``, ``dict``, ``Union``, ``X | Y``);
3. structural predicates (dataclass, Enum, …), newest registration first;
4. the class's MRO, nearest registered base first;
5. load the not-yet-loaded plugins named after the type's top package (or its
   origin's, or a base class's), then retry 2–4;
6. load fallback plugins and ask ``typeflow_fallback_transformer``;
7. otherwise :class:`~typeflow.errors.NoTransformerError`.
"""

from __future__ import annotations

import threading
import types
import typing
from dataclasses import dataclass
from typing import Any, get_origin

from typeflow import discovery
from typeflow._trace import dispatch_log, plugins_log, trace
from typeflow.errors import NoTransformerError, PluginError, type_name
from typeflow.loader import PluginLoader
from typeflow.registry import PluginSource, TransformerRegistry
from typeflow.transformer import TypeTransformer, strip_annotated

__all__ = ["Dispatcher", "Resolution"]


@dataclass(frozen=True)
class Resolution:
    """How a type was resolved: the transformer, the dispatch step, and who registered it."""

    python_type: Any
    transformer: TypeTransformer[Any]
    step: str
    source: PluginSource


class Dispatcher:
    """Resolves types against one engine's registry, loading plugins on a miss."""

    def __init__(self, registry: TransformerRegistry, loader: PluginLoader, lock: threading.RLock) -> None:
        self.registry = registry
        self.loader = loader
        self._lock = lock
        self._cache: dict[Any, TypeTransformer[Any]] = {}
        self._resolutions: dict[Any, Resolution] = {}

    def clear(self) -> None:
        """Forget every cached answer (a registration may change them)."""
        self._cache = {}
        self._resolutions = {}

    def get_transformer(self, python_type: Any) -> TypeTransformer[Any]:
        """The transformer for ``python_type``; cached."""
        try:
            return self._cache[python_type]
        except KeyError:
            pass
        except TypeError:  # unhashable type expression: resolve every time
            pass
        return self.resolve(python_type).transformer

    def resolve(self, python_type: Any) -> Resolution:
        """Resolve ``python_type`` through the layers, saying which step matched."""
        with self._lock:
            try:
                cached = self._resolutions.get(python_type)
            except TypeError:
                cached = None
            if cached is not None:
                return cached
            resolution = self._resolve(python_type)
            trace(
                "%s -> %s via %s (%s)",
                type_name(python_type),
                resolution.transformer.name,
                resolution.step,
                resolution.source,
                logger=dispatch_log,
            )
            try:
                self._resolutions[python_type] = resolution
                self._cache[python_type] = resolution.transformer
            except TypeError:
                pass
            return resolution

    def _lookup(self, t: Any) -> Resolution | None:
        registry = self.registry
        conflict = _get(registry.conflicts, t)
        if conflict is not None:
            raise conflict
        reg = _get(registry.by_type, t)
        if reg is not None:
            return Resolution(t, reg.transformer, "exact type", reg.source)
        origin = get_origin(t)
        if origin is types.UnionType:
            origin = typing.Union
        if origin is not None:
            reg = _get(registry.by_type, origin)
            if reg is not None:
                return Resolution(t, reg.transformer, f"generic origin {type_name(origin, qualified=False)}", reg.source)
        cls = t if isinstance(t, type) else origin if isinstance(origin, type) else None
        if cls is None:
            return None
        for predicate, reg in reversed(registry.predicates):
            if predicate(cls):
                return Resolution(t, reg.transformer, f"predicate of {reg.transformer.name}", reg.source)
        for base in cls.__mro__[1:]:
            reg = registry.by_type.get(base)
            if reg is not None and base is not object:
                return Resolution(t, reg.transformer, f"base class {type_name(base, qualified=False)}", reg.source)
        return None

    def _own_plugin_may_claim(self, t: Any, found: Resolution) -> bool:
        """A base-class match from another package must not hide the type's own plugin.

        ``np.float64`` subclasses ``float``: the numpy plugin, not the float
        transformer, should claim it. So before settling for a base class
        registered by someone else, load the not-yet-loaded plugins named after
        the type's own top package.
        """
        if not found.step.startswith("base class"):
            return False
        own = discovery.top_package(t)
        if own is None or own == discovery.top_package(type(found.transformer)):
            return False
        return self.loader.not_loaded(own)

    def _resolve(self, python_type: Any) -> Resolution:
        t, _ = strip_annotated(python_type)
        while hasattr(t, "__supertype__"):  # typing.NewType
            t = t.__supertype__
        found = self._lookup(t)
        if found is not None and not self._own_plugin_may_claim(t, found):
            return found
        loader = self.loader
        names = discovery.candidate_names(t, get_origin(t))
        errors = loader.load(names, discovery.PLUGINS_GROUP)
        found = self._lookup(t)
        if found is not None:
            _warn_unreported(errors, found)
            return Resolution(
                found.python_type, found.transformer, f"{found.step}, after loading plugin(s) {names}", found.source
            )
        if errors:
            raise errors[0]
        fallback_errors = loader.load(names, discovery.FALLBACKS_GROUP)
        transformer = loader.fallback_transformer(t)
        if transformer is not None:
            self.registry._bind(transformer)
            resolution = Resolution(t, transformer, "fallback", loader.owner(transformer))
            _warn_unreported(fallback_errors, resolution)
            return resolution
        if fallback_errors:
            raise fallback_errors[0]
        looked_at = [e.label for e in discovery.entries() if e.name in names or e.group == discovery.FALLBACKS_GROUP]
        raise NoTransformerError(python_type, looked_at or names)


def _warn_unreported(errors: list[PluginError], found: Resolution) -> None:
    """A plugin failed to load, but another transformer claimed the type, so no caller hears of it: warn."""
    for error in errors:
        plugins_log.warning(
            "%s (%s resolved anyway, to %s from %s)", error, type_name(found.python_type), found.transformer.name, found.source
        )


def _get(table: dict[Any, Any], key: Any) -> Any:
    try:
        return table.get(key)
    except TypeError:
        return None
