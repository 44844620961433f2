"""Loading plugin modules into one engine: hook checks, once-per-engine loads, rollback.

A :class:`PluginLoader` owns an engine's pluggy plugin manager. It imports an
entry point's module, checks that its hooks match the spec, lets its
``typeflow_register_transformers`` fill the engine's registry, and rolls the
registry back if anything fails, so a broken plugin leaves no half-registered
transformers. Each entry point is loaded at most once per engine; its outcome
(``None`` or the :class:`~typeflow.errors.PluginError`) is remembered.
"""

from __future__ import annotations

import threading
from types import ModuleType
from typing import Any

import pluggy

from typeflow import discovery, hookspecs
from typeflow._trace import plugins_log, trace
from typeflow.errors import PluginError
from typeflow.lanes import lane_for
from typeflow.registry import BUILTINS, PluginSource, TransformerRegistry
from typeflow.transformer import TypeTransformer

__all__ = ["BUILTINS", "PluginLoader"]


def hook_names() -> list[str]:
    """The hooks a plugin module may implement."""
    return [n for n in dir(hookspecs) if n.startswith("typeflow_")]


class PluginLoader:
    """Loads plugin modules into ``registry`` and remembers each entry point's outcome."""

    def __init__(self, registry: TransformerRegistry, lock: threading.RLock) -> None:
        self.registry = registry
        self._lock = lock
        self.states: dict[discovery.PluginEntry, PluginError | None] = {}
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.pm.hook.typeflow_register_transformers.call_historic(kwargs={"registry": registry})

    def register_module(self, module: ModuleType | Any, source: PluginSource, entry: discovery.PluginEntry | None) -> None:
        """Register ``module``'s hook implementations; roll its registrations back on any failure."""

        def fail(message: str, cause: BaseException | None = None) -> PluginError:
            err = entry.error(message) if entry else PluginError(f"{source}: {message}", plugin=source.plugin)
            err.__cause__ = cause
            return err

        impls = [n for n in dir(module) if hasattr(getattr(module, n, None), f"{hookspecs.PROJECT}_impl")]
        unknown = [n for n in impls if not hasattr(self.pm.hook, n) or n.startswith("_")]
        if unknown:
            raise fail(f"defines hook(s) {unknown} that typeflow does not know; expected {hook_names()}")
        if not impls:
            raise fail(f"defines no @typeflow.hookimpl functions; expected one of {hook_names()}")
        registry = self.registry
        lane = None
        if entry is not None:  # a plugin from an entry point: held to its lane (the built-ins have none)
            same_module = [e for e in discovery.entries() if e.distribution == entry.distribution and e.value == entry.value]
            lane = lane_for(entry, same_module)
        with registry.attributed_to(source, lane):
            try:
                self.pm.register(module, name=str(source))
            except pluggy.PluginValidationError as exc:
                registry.rollback(source)
                raise fail(f"hook does not match the typeflow hook spec: {exc}", exc) from exc
            except PluginError as exc:
                self.pm.unregister(module)
                registry.rollback(source)
                if entry and exc.distribution is None:
                    raise fail(str(exc), exc) from exc
                raise
            except Exception as exc:
                if self.pm.is_registered(module):
                    self.pm.unregister(module)
                registry.rollback(source)
                raise fail(f"typeflow_register_transformers raised {type(exc).__name__}: {exc}", exc) from exc

    def load_entry(self, entry: discovery.PluginEntry) -> PluginError | None:
        """Load one entry point (once); its load error, also logged, or ``None``."""
        with self._lock:
            if entry in self.states:
                return self.states[entry]
            for other, state in self.states.items():
                # one plugin module behind several entry points (pandas and pyarrow) loads once
                if other.value == entry.value and other.distribution == entry.distribution:
                    self.states[entry] = state
                    return state
            source = PluginSource(entry.name, entry.distribution, entry.version)
            error: PluginError | None = None
            try:
                trace("loading plugin %s from %s", entry.label, entry.value, logger=plugins_log)
                entry.check_requirements()
                self.register_module(entry.load(), source, entry)
                trace("loaded plugin %s", entry.label, logger=plugins_log)
            except PluginError as exc:
                # raised or returned to the caller, who reports it: a warning here would say it twice
                error = exc
                trace("plugin %s failed to load: %s", entry.label, exc, logger=plugins_log)
            self.states[entry] = error
            return error

    def load(self, names: list[str], group: str) -> list[PluginError]:
        """Load the enabled entry points of ``group`` (for plugins: those named in ``names``)."""
        disabled = discovery.disabled_names()
        errors = []
        for entry in discovery.entries():
            if entry.group != group or discovery.is_disabled(entry, disabled):
                continue
            if group == discovery.PLUGINS_GROUP and entry.name not in names:
                continue
            error = self.load_entry(entry)
            if error is not None:
                errors.append(error)
        return errors

    def load_all(self) -> list[PluginError]:
        """Load every installed, enabled plugin and fallback; their errors."""
        with self._lock:
            names = sorted({e.name for e in discovery.entries()})
            return self.load(names, discovery.PLUGINS_GROUP) + self.load(names, discovery.FALLBACKS_GROUP)

    def not_loaded(self, name: str) -> bool:
        """Whether an enabled plugin entry point called ``name`` exists that this engine has not loaded."""
        disabled = discovery.disabled_names()
        return any(
            e.name == name
            and e.group == discovery.PLUGINS_GROUP
            and not discovery.is_disabled(e, disabled)
            and e not in self.states
            for e in discovery.entries()
        )

    def fallback_transformer(self, python_type: Any) -> TypeTransformer[Any] | None:
        """What the loaded fallback plugins offer for ``python_type`` (first answer wins)."""
        found: TypeTransformer[Any] | None = self.pm.hook.typeflow_fallback_transformer(python_type=python_type)
        return found

    def owner(self, transformer: Any) -> PluginSource:
        """The plugin whose package defines ``transformer`` (for fallbacks, which are not registered)."""
        top = type(transformer).__module__.partition(".")[0]
        for entry, error in self.states.items():
            if error is None and entry.value.partition(".")[0].partition(":")[0] == top:
                return PluginSource(entry.name, entry.distribution, entry.version)
        return PluginSource("fallback", type(transformer).__module__, "")
