"""Dispatch: which transformer converts a Python type, and through which rule.

A :class:`Dispatcher` resolves a type in layers and caches the answer (any
registration clears the cache):

1. strip ``Annotated`` (the annotations travel to the transformer); a
   ``TypeTransformer`` instance inside ``Annotated[T, …]`` is used for that
   annotation; ``None`` means ``NoneType``; what is not a type (a string
   annotation, a number, a module, a function) is refused;
2. the exact type, then the generic origin (``list``, ``dict``, ``Union``, ``X | Y``);
3. structural predicates (dataclass, Enum, …), newest registration first,
   except that a base class a user or plugin registered, which a built-in
   predicate also matches, beats that predicate (a transformer registered for
   a base dataclass serves its subclasses);
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
from typeflow.errors import NoTransformerError, PluginError, TypeTransformerFailedError, type_name
from typeflow.loader import BUILTINS, PluginLoader
from typeflow.registry import USER, PluginSource, TransformerRegistry
from typeflow.transformer import TypeTransformer, strip_annotated

__all__ = ["Dispatcher", "Resolution", "refuse_non_type"]

NoneType = type(None)


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

    def fallback_transformer(self, python_type: Any) -> TypeTransformer[Any] | None:
        """What the fallback plugins offer for ``python_type`` (loading them first), or ``None``."""
        with self._lock:
            errors = self.loader.load([], discovery.FALLBACKS_GROUP)
            transformer = self.loader.fallback_transformer(python_type)
            if transformer is None:
                if errors:
                    raise errors[0]
                return None
            self.registry._bind(transformer)
            return transformer

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
                registered = self._registered_base_matching(cls, predicate) if reg.source == BUILTINS else None
                if registered is not None:
                    return registered
                return Resolution(t, reg.transformer, f"predicate of {reg.transformer.name}", reg.source)
        for base in cls.__mro__[1:]:
            reg = registry.by_type.get(base)
            if reg is not None and base is not object:
                return Resolution(t, reg.transformer, f"base class {type_name(base, qualified=False)}", reg.source)
        return None

    def _registered_base_matching(self, cls: type, predicate: Any) -> Resolution | None:
        """A base class a user or plugin registered that the built-in predicate matches too.

        It is the more specific claim: a transformer registered for a base
        dataclass serves its subclasses, as in flytekit. A built-in base (``str``
        of ``class Color(str, Enum)``) does not match the enum predicate, so it
        never beats it.
        """
        for base in cls.__mro__[1:]:
            reg = self.registry.by_type.get(base)
            if reg is not None and reg.source != BUILTINS and base is not object and predicate(base):
                step = f"base class {base.__name__} (registered, before the built-in predicate)"
                return Resolution(cls, reg.transformer, step, reg.source)
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
        t, annotations = strip_annotated(NoneType if python_type is None else python_type)
        own = next((a for a in annotations if isinstance(a, TypeTransformer)), None)
        if own is not None:  # Annotated[T, SomeTransformer()]: that transformer, for this annotation only
            self.registry._bind(own)
            return Resolution(python_type, own, "transformer in Annotated", USER)
        if t is None:
            t = NoneType
        while hasattr(t, "__supertype__") or hasattr(t, "__value__"):  # typing.NewType; a 3.12 ``type X = ...`` alias
            t = getattr(t, "__supertype__", None) or t.__value__
        refuse_non_type(t)
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
        looked_at = [
            e.label + (" (disabled)" if discovery.is_disabled(e) else "")
            for e in discovery.entries()
            if e.name in names or e.group == discovery.FALLBACKS_GROUP
        ]
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


_TYPING_MODULES = frozenset({"typing", "typing_extensions", "types", "collections.abc"})


def refuse_non_type(t: Any) -> None:
    """Refuse what is not a type (a string annotation, a number, a module, a function, …) with a clear error.

    Such a thing handed to dispatch would otherwise reach the fallback and be
    pickled, or fail far from where it was written.
    """
    if isinstance(t, (str, typing.ForwardRef)):
        text = t if isinstance(t, str) else t.__forward_arg__
        raise TypeTransformerFailedError(
            f"{text!r} is not a type but a string annotation (a forward reference)",
            hint="resolve it to the type it names, e.g. typing.get_type_hints(fn, include_extras=True), "
            "or write the type itself instead of a string",
        )
    if isinstance(t, type) or get_origin(t) is not None or type(t).__module__ in _TYPING_MODULES:
        return  # classes, generic aliases, Union/Literal/Annotated forms, TypeVar, Any, …
    if isinstance(t, types.ModuleType):
        kind = "a module"
    elif isinstance(t, (types.FunctionType, types.BuiltinFunctionType, types.MethodType, types.LambdaType)):
        kind = "a function"
    elif isinstance(t, (bool, int, float, complex)):
        kind = f"a{'n' if type(t).__name__[0] in 'aeiou' else ''} {type(t).__name__}"
    else:
        kind = f"a {type(t).__name__} instance"
    raise TypeTransformerFailedError(
        f"{t!r} is not a type but {kind}",
        hint="pass a type (int, List[str], a class, ...), e.g. the class of the value rather than the value itself",
    )
