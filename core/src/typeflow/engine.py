"""``TypeEngine``: picks a transformer for a Python type and runs conversions.

Dispatch, in layers (cached per engine; any registration clears the cache):

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

import dataclasses
import logging
import os
import threading
import types
import typing
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, get_args, get_origin

import pluggy

from typeflow import discovery, hookspecs
from typeflow._aio import run_sync
from typeflow.errors import NoTransformerError, PluginError, TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import Literal, LiteralMap, LiteralType
from typeflow.registry import PluginSource, Registration, TransformerRegistry
from typeflow.storage import get_storage
from typeflow.transformer import HashMethod, TransformContext, TypeTransformer, strip_annotated

__all__ = ["Resolution", "TypeEngine"]

log = logging.getLogger("typeflow")
trace_log = logging.getLogger("typeflow.trace")

BUILTINS = PluginSource("builtins", "typeflow", "")
NoneType = type(None)


@dataclass(frozen=True)
class Resolution:
    """How a type was resolved: the transformer, the dispatch step, and who registered it."""

    python_type: Any
    transformer: TypeTransformer[Any]
    step: str
    source: PluginSource


@dataclass(frozen=True)
class _Plan:
    """Everything a conversion of one declared type needs, computed once."""

    transformer: TypeTransformer[Any]
    literal_type: LiteralType
    accepts_none: bool
    hasher: HashMethod | None


def _tracing() -> bool:
    return os.environ.get("TYPEFLOW_TRACE", "") not in ("", "0", "false", "False")


def trace(message: str, *args: Any) -> None:
    """Log a dispatch or conversion decision when ``TYPEFLOW_TRACE=1`` (read at call time)."""
    if not _tracing():
        return
    if not trace_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("typeflow: %(message)s"))
        trace_log.addHandler(handler)
        trace_log.setLevel(logging.DEBUG)
    trace_log.info(message, *args)


def _is_union(t: Any) -> bool:
    return get_origin(t) in (typing.Union, types.UnionType)


def _accepts_none(t: Any, transformer: TypeTransformer[Any]) -> bool:
    if t is None or t is NoneType or t is typing.Any:
        return True
    if _is_union(t):
        return NoneType in get_args(t)
    return bool(getattr(transformer, "accepts_none", False))


class TypeEngine:
    """A registry of transformers, a plugin manager, and the dispatch caches.

    ``TypeEngine()`` is a fresh, independent engine (built-ins registered,
    plugins loaded lazily); :meth:`default` is the process-wide one.

        >>> engine = TypeEngine()
        >>> ctx = engine.context()
        >>> engine.to_python_value(ctx, engine.to_literal(ctx, [1, 2], list[int]), list[int])
        [1, 2]
    """

    _default: ClassVar[TypeEngine | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *, builtins: bool = True) -> None:
        self._lock = threading.RLock()
        self._cache: dict[Any, TypeTransformer[Any]] = {}
        self._resolutions: dict[Any, Resolution] = {}
        self._plans: dict[Any, _Plan] = {}
        self._plugin_states: dict[discovery.PluginEntry, PluginError | None] = {}
        #: bumped by every registration; transformers that cache per type compare against it
        self.generation = 0
        self.registry = TransformerRegistry(self)
        self._pm = pluggy.PluginManager(hookspecs.PROJECT)
        self._pm.add_hookspecs(hookspecs)
        self._pm.hook.typeflow_register_transformers.call_historic(kwargs={"registry": self.registry})
        if builtins:
            from typeflow import builtins as builtin_plugin

            self._register_module(builtin_plugin, BUILTINS, None)

    @classmethod
    def default(cls) -> TypeEngine:
        """The process-wide engine, created on first use."""
        engine = cls._default
        if engine is None:
            with cls._default_lock:
                engine = cls._default
                if engine is None:
                    engine = cls._default = cls()
        return engine

    def context(self, storage: str | None = None, **options: Any) -> TransformContext:
        """A :class:`TransformContext` on ``storage`` (default: ``TYPEFLOW_STORAGE`` or the local cache)."""
        return TransformContext(engine=self, storage=get_storage(storage), options=options)

    # ------------------------------------------------------------------ registration

    def register(self, transformer: TypeTransformer[Any], override: bool = False, additional_types: tuple[Any, ...] = ()) -> None:
        """Register ``transformer`` for its ``python_type`` on this engine."""
        self.registry.register(transformer, override=override, additional_types=additional_types)

    def _invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._cache = {}
            self._resolutions = {}
            self._plans = {}

    def _register_module(self, module: Any, source: PluginSource, entry: discovery.PluginEntry | None) -> None:
        def fail(message: str, cause: BaseException | None = None) -> PluginError:
            err = entry.error(message) if entry else PluginError(f"{source}: {message}", plugin=source.plugin)
            err.__cause__ = cause
            return err

        impls = [n for n in dir(module) if hasattr(getattr(module, n, None), f"{hookspecs.PROJECT}_impl")]
        unknown = [n for n in impls if not hasattr(self._pm.hook, n) or n.startswith("_")]
        if unknown:
            raise fail(f"defines hook(s) {unknown} that typeflow does not know; expected {_hook_names()}")
        if not impls:
            raise fail(f"defines no @typeflow.hookimpl functions; expected one of {_hook_names()}")
        with self.registry.attributed_to(source):
            try:
                self._pm.register(module, name=str(source))
            except pluggy.PluginValidationError as exc:
                self.registry.rollback(source)
                raise fail(f"hook does not match the typeflow hook spec: {exc}", exc) from exc
            except PluginError as exc:
                self._pm.unregister(module)
                self.registry.rollback(source)
                if entry and exc.distribution is None:
                    raise fail(str(exc), exc) from exc
                raise
            except Exception as exc:
                if self._pm.is_registered(module):
                    self._pm.unregister(module)
                self.registry.rollback(source)
                raise fail(f"typeflow_register_transformers raised {type(exc).__name__}: {exc}", exc) from exc

    def _load_entry(self, entry: discovery.PluginEntry) -> PluginError | None:
        if entry in self._plugin_states:
            return self._plugin_states[entry]
        for other, state in self._plugin_states.items():
            # one plugin module behind several entry points (pandas and pyarrow) loads once
            if other.value == entry.value and other.distribution == entry.distribution:
                self._plugin_states[entry] = state
                return state
        source = PluginSource(entry.name, entry.distribution, entry.version)
        error: PluginError | None = None
        try:
            entry.check_requirements()
            self._register_module(entry.load(), source, entry)
            trace("loaded plugin %s", entry.label)
        except PluginError as exc:
            error = exc
            log.warning("%s", exc)
        self._plugin_states[entry] = error
        return error

    def _load_plugins(self, names: list[str], group: str) -> list[PluginError]:
        disabled = discovery.disabled_names()
        errors = []
        for entry in discovery.entries():
            if entry.group != group or entry.name in disabled:
                continue
            if group == discovery.PLUGINS_GROUP and entry.name not in names:
                continue
            error = self._load_entry(entry)
            if error is not None:
                errors.append(error)
        return errors

    def plugin_states(self) -> dict[discovery.PluginEntry, PluginError | None]:
        """Entry points this engine has loaded, each with its load error or ``None``."""
        return dict(self._plugin_states)

    def load_plugin(self, entry: discovery.PluginEntry) -> PluginError | None:
        """Load one entry point (from :func:`typeflow.discovery.entries`) into this engine now.

        Loads it once per engine, like dispatch does; returns its load error
        (also logged) or ``None``. For tools and tests that check a plugin
        without converting one of its types.
        """
        with self._lock:
            return self._load_entry(entry)

    def load_all_plugins(self) -> list[PluginError]:
        """Load every installed, enabled plugin and fallback now; returns their errors."""
        with self._lock:
            names = sorted({e.name for e in discovery.entries()})
            return self._load_plugins(names, discovery.PLUGINS_GROUP) + self._load_plugins(names, discovery.FALLBACKS_GROUP)

    # ------------------------------------------------------------------ dispatch

    def get_transformer(self, python_type: Any) -> TypeTransformer[Any]:
        """The transformer for ``python_type``; cached per engine."""
        try:
            return self._cache[python_type]
        except KeyError:
            pass
        except TypeError:  # unhashable type expression: resolve every time
            return self.resolve(python_type).transformer
        return self.resolve(python_type).transformer

    def resolve(self, python_type: Any) -> Resolution:
        """Resolve ``python_type`` through the dispatch layers, saying which step matched."""
        with self._lock:
            try:
                cached = self._resolutions.get(python_type)
            except TypeError:
                cached = None
            if cached is not None:
                return cached
            resolution = self._resolve(python_type)
            trace("%r -> %s via %s (%s)", python_type, resolution.transformer.name, resolution.step, resolution.source)
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
        disabled = discovery.disabled_names()
        return any(
            e.name == own and e.group == discovery.PLUGINS_GROUP and e.name not in disabled and e not in self._plugin_states
            for e in discovery.entries()
        )

    def _resolve(self, python_type: Any) -> Resolution:
        t, _ = strip_annotated(python_type)
        while hasattr(t, "__supertype__"):  # typing.NewType
            t = t.__supertype__
        found = self._lookup(t)
        if found is not None and not self._own_plugin_may_claim(t, found):
            return found
        names = discovery.candidate_names(t, get_origin(t))
        errors = self._load_plugins(names, discovery.PLUGINS_GROUP)
        found = self._lookup(t)
        if found is not None:
            return Resolution(
                found.python_type, found.transformer, f"{found.step}, after loading plugin(s) {names}", found.source
            )
        if errors:
            raise errors[0]
        fallback_errors = self._load_plugins(names, discovery.FALLBACKS_GROUP)
        transformer = self._pm.hook.typeflow_fallback_transformer(python_type=t)
        if transformer is not None:
            self.registry._bind(transformer)
            return Resolution(t, transformer, "fallback", self._owner(transformer))
        if fallback_errors:
            raise fallback_errors[0]
        looked_at = [e.label for e in discovery.entries() if e.name in names or e.group == discovery.FALLBACKS_GROUP]
        raise NoTransformerError(python_type, looked_at or names)

    # ------------------------------------------------------------------ conversions

    def _plan(self, python_type: Any) -> _Plan:
        try:
            return self._plans[python_type]
        except (KeyError, TypeError):
            pass
        transformer = self.get_transformer(python_type)
        t, metadata = strip_annotated(python_type)
        literal_type = transformer.get_literal_type(python_type)
        hasher = next((m for m in metadata if isinstance(m, HashMethod)), None)
        plan = _Plan(transformer, literal_type, _accepts_none(t, transformer), hasher)
        try:
            self._plans[python_type] = plan
        except TypeError:
            pass
        return plan

    def to_literal_type(self, python_type: Any) -> LiteralType:
        """The :class:`LiteralType` of ``python_type``."""
        return self._plan(python_type).literal_type

    def _none_error(self, python_type: Any) -> TypeTransformerFailedError:
        return TypeTransformerFailedError(
            "None is not a value of a non-Optional type",
            python_type=python_type,
            value=None,
            hint=f"declare the type as Optional[{type_name(python_type, qualified=False)}] to allow None",
        )

    def to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal:
        """Convert ``python_val`` (declared as ``python_type``) to a :class:`Literal`."""
        plan = self._plan(python_type)
        if python_val is None and not plan.accepts_none:
            raise self._none_error(python_type)
        try:
            lv = plan.transformer.to_literal(ctx, python_val, python_type, expected or plan.literal_type)
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, python_type, python_val, exc) from exc
        return self._finish(plan, lv, python_val, python_type)

    def _finish(self, plan: _Plan, result: Any, python_val: Any, python_type: Any) -> Literal:
        if not isinstance(result, Literal):
            raise TypeTransformerFailedError(
                f"transformer {plan.transformer.name} returned {type(result).__name__}, not a Literal", python_type=python_type
            )
        lv: Literal = result
        if plan.hasher is not None:
            lv = dataclasses.replace(lv, hash=plan.hasher.calculate(python_val))
        if _tracing():
            trace("to_literal %s with %s -> %s", type_name(python_type, qualified=False), plan.transformer.name, lv.variant)
        return lv

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Convert ``lv`` to a value of ``expected_python_type``."""
        plan = self._plan(expected_python_type)
        if not isinstance(lv, Literal):
            raise TypeTransformerFailedError("expected a Literal", python_type=expected_python_type, value=lv)
        try:
            value = plan.transformer.to_python_value(ctx, lv, expected_python_type)
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, expected_python_type, lv, exc) from exc
        if _tracing():
            trace("to_python_value %s with %s", type_name(expected_python_type, qualified=False), plan.transformer.name)
        return value

    async def async_to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal:
        """Like :meth:`to_literal`; awaits asynchronous transformers without blocking the loop."""
        plan = self._plan(python_type)
        if not plan.transformer.is_async:
            return self.to_literal(ctx, python_val, python_type, expected)
        if python_val is None and not plan.accepts_none:
            raise self._none_error(python_type)
        try:
            lv: Literal = await plan.transformer.async_to_literal(ctx, python_val, python_type, expected or plan.literal_type)  # type: ignore[attr-defined]
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, python_type, python_val, exc) from exc
        return self._finish(plan, lv, python_val, python_type)

    async def async_to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Like :meth:`to_python_value`; awaits asynchronous transformers."""
        plan = self._plan(expected_python_type)
        if not plan.transformer.is_async:
            return self.to_python_value(ctx, lv, expected_python_type)
        try:
            return await plan.transformer.async_to_python_value(ctx, lv, expected_python_type)  # type: ignore[attr-defined]
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, expected_python_type, lv, exc) from exc

    def _owner(self, transformer: Any) -> PluginSource:
        """The plugin whose package defines ``transformer`` (for fallbacks, which are not registered)."""
        top = type(transformer).__module__.partition(".")[0]
        for entry, error in self._plugin_states.items():
            if error is None and entry.value.partition(".")[0].partition(":")[0] == top:
                return PluginSource(entry.name, entry.distribution, entry.version)
        return PluginSource("fallback", type(transformer).__module__, "")

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """A Python type for ``literal_type``, asking every transformer (loading plugins if none can).

        Fallback transformers are asked last, through ``typeflow_fallback_transformer(typing.Any)``.
        """
        for attempt in range(2):
            # newest first: a plugin registered later knows its literal types better than the built-ins
            candidates = [reg.transformer for reg in reversed(self.registry.transformers())]
            fallback = self._pm.hook.typeflow_fallback_transformer(python_type=typing.Any)
            if fallback is not None:
                candidates.append(fallback)
            for transformer in candidates:
                try:
                    return transformer.guess_python_type(literal_type)
                except (ValueError, TypeError, NotImplementedError):
                    continue
            if attempt == 0:
                self.load_all_plugins()
        raise TypeTransformerFailedError(
            f"no transformer can turn literal type {literal_type} back into a Python type",
            hint="pass the Python type explicitly, or install the plugin that wrote the literal",
        )

    # ------------------------------------------------------------------ maps

    def _has_async(self, python_types: Mapping[str, Any]) -> bool:
        return any(self._plan(t).transformer.is_async for t in python_types.values())

    def dict_to_literal_map(self, ctx: TransformContext, values: Mapping[str, Any], type_hints: Mapping[str, Any]) -> LiteralMap:
        """Convert named values (``{"x": 1}``) with their types (``{"x": int}``) to a :class:`LiteralMap`."""
        hints = _hints_for(values, type_hints)
        if self._has_async(hints):
            return run_sync(self.async_dict_to_literal_map(ctx, values, hints))
        out = {}
        for name, value in values.items():
            try:
                out[name] = self.to_literal(ctx, value, hints[name])
            except TypeTransformerFailedError as exc:
                raise exc.at(_segment(name)) from exc.__cause__
        return LiteralMap(out)

    async def async_dict_to_literal_map(
        self, ctx: TransformContext, values: Mapping[str, Any], type_hints: Mapping[str, Any]
    ) -> LiteralMap:
        """Like :meth:`dict_to_literal_map`, awaiting asynchronous transformers together."""
        import asyncio

        hints = _hints_for(values, type_hints)
        names = list(values)
        results = await asyncio.gather(*(self.async_to_literal(ctx, values[n], hints[n]) for n in names), return_exceptions=True)
        return LiteralMap(dict(zip(names, _raise_first(names, results))))

    def literal_map_to_kwargs(self, ctx: TransformContext, lm: LiteralMap, python_types: Mapping[str, Any]) -> dict[str, Any]:
        """Convert a :class:`LiteralMap` to keyword arguments of the given types."""
        _check_names(lm, python_types)
        if self._has_async(python_types):
            return run_sync(self.async_literal_map_to_kwargs(ctx, lm, python_types))
        out = {}
        for name, t in python_types.items():
            if name not in lm.literals:
                continue
            try:
                out[name] = self.to_python_value(ctx, lm.literals[name], t)
            except TypeTransformerFailedError as exc:
                raise exc.at(_segment(name)) from exc.__cause__
        return out

    async def async_literal_map_to_kwargs(
        self, ctx: TransformContext, lm: LiteralMap, python_types: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Like :meth:`literal_map_to_kwargs`, awaiting asynchronous transformers together."""
        import asyncio

        _check_names(lm, python_types)
        names = [n for n in python_types if n in lm.literals]
        results = await asyncio.gather(
            *(self.async_to_python_value(ctx, lm.literals[n], python_types[n]) for n in names), return_exceptions=True
        )
        return dict(zip(names, _raise_first(names, results)))


def _get(table: dict[Any, Any], key: Any) -> Any:
    try:
        return table.get(key)
    except TypeError:
        return None


def _hook_names() -> list[str]:
    return [n for n in dir(hookspecs) if n.startswith("typeflow_")]


def _segment(name: str) -> str:
    return f".{name}" if name.isidentifier() else f"[{name!r}]"


def _hints_for(values: Mapping[str, Any], type_hints: Mapping[str, Any]) -> Mapping[str, Any]:
    missing = [n for n in values if n not in type_hints]
    if missing:
        raise TypeTransformerFailedError(f"no type given for {missing}", hint="pass a type hint for every value")
    return type_hints


def _check_names(lm: LiteralMap, python_types: Mapping[str, Any]) -> None:
    if not isinstance(lm, LiteralMap):
        raise TypeTransformerFailedError("expected a LiteralMap", value=lm)
    unexpected = [n for n in lm.literals if n not in python_types]
    if unexpected:
        raise TypeTransformerFailedError(
            f"literal map holds {unexpected}, which have no Python type", hint="pass a type for every entry"
        )


def _raise_first(names: list[str], results: list[Any]) -> list[Any]:
    for name, result in zip(names, results):
        if isinstance(result, TypeTransformerFailedError):
            raise result.at(_segment(name))
        if isinstance(result, BaseException):
            raise result
    return results


def _wrap_failure(transformer: TypeTransformer[Any], python_type: Any, value: Any, exc: Exception) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(
        f"transformer {transformer.name} failed: {type(exc).__name__}: {exc}", python_type=python_type, value=value
    )


def all_registrations(engine: TypeEngine) -> list[Registration]:
    return engine.registry.transformers()
