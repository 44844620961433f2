"""The transformer registry a plugin's hook fills.

Holds the exact-type table, the structural predicates and who registered
what, so a conflict names both distributions and a failed plugin load can be
rolled back. A plugin's registrations are held to its lane
(:mod:`typeflow.lanes`), and every override is recorded in
:attr:`TransformerRegistry.overrides` and logged. Every registration clears
the owning engine's dispatch caches.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from typeflow._trace import plugins_log
from typeflow.errors import PluginError, type_name
from typeflow.transformer import TypeTransformer

if TYPE_CHECKING:
    from typeflow.engine import TypeEngine
    from typeflow.lanes import Lane

__all__ = ["BUILTINS", "USER", "Override", "PluginSource", "TransformerRegistry"]

Predicate = Callable[[type], bool]


@dataclass(frozen=True)
class PluginSource:
    """Who registered a transformer: an entry-point name and its distribution."""

    plugin: str
    distribution: str
    version: str

    def __str__(self) -> str:
        return f"{self.plugin} ({self.distribution} {self.version})"


USER = PluginSource("user", "<engine.register>", "")
#: who registers the built-in transformers
BUILTINS = PluginSource("builtins", "typeflow", "")


_sequence = itertools.count()


@dataclass(frozen=True)
class Registration:
    transformer: TypeTransformer[Any]
    source: PluginSource
    #: when it was made, across exact types and predicates (a plugin loaded later comes later)
    order: int = field(default_factory=lambda: next(_sequence), compare=False)


@dataclass(frozen=True)
class Override:
    """One registration replacing another's with ``override=True``: the type, who had it, who took it.

    Also a plugin's registration outside its lane that ``TYPEFLOW_ALLOW_OVERRIDES``
    allowed (``outside_lane``; ``replaced`` is ``None`` when the type had no
    transformer), and predicates (``python_type`` is then the predicate).
    """

    python_type: Any
    replaced: Registration | None
    by: Registration
    outside_lane: bool = False
    predicate: bool = False

    def __str__(self) -> str:
        what = f"classes accepted by predicate {_name(self.python_type)}" if self.predicate else _name(self.python_type)
        text = f"{what}: {self.by.transformer.name!r} from {self.by.source} "
        if self.replaced is not None:
            text += f"overrides {self.replaced.transformer.name!r} from {self.replaced.source}"
        elif self.predicate:
            text += "would be asked before the built-in families"
        else:
            text += "is registered"
        if self.outside_lane:
            text += " (outside its lane, allowed by TYPEFLOW_ALLOW_OVERRIDES)"
        return text


class TransformerRegistry:
    """What ``typeflow_register_transformers(registry)`` receives.

    ``registry.engine`` is the engine it belongs to; container transformers
    use it to reach the transformers of their element types.
    """

    def __init__(self, engine: TypeEngine) -> None:
        self.engine = engine
        self.by_type: dict[Any, Registration] = {}
        self.predicates: list[tuple[Predicate, Registration]] = []
        self.conflicts: dict[Any, PluginError] = {}
        #: every registration that replaced another source's with override=True, and every one a plugin
        #: made outside its lane with TYPEFLOW_ALLOW_OVERRIDES, in order
        self.overrides: list[Override] = []
        self._replaced_predicates: list[tuple[PluginSource, Predicate, Registration]] = []
        self._source = USER
        self._lane: Lane | None = None

    @contextmanager
    def attributed_to(self, source: PluginSource, lane: Lane | None = None) -> Iterator[None]:
        """Registrations made inside are ``source``'s, held to ``lane`` (``None``: no lane, as for the built-ins)."""
        previous = self._source, self._lane
        self._source, self._lane = source, lane
        try:
            yield
        finally:
            self._source, self._lane = previous

    def _record(self, override: Override) -> None:
        self.overrides.append(override)
        plugins_log.info("override: %s", override)

    def _refuse(self, what: str, lane: Lane) -> PluginError:
        source = self._source
        return PluginError(
            f"plugin {source.plugin!r} from {source.distribution} {source.version}: {what}; a plugin is in charge only "
            f"of the types of the packages its entry points are named after and of the classes it defines "
            f"(its lane: {lane.describe()}); {lane.allow_hint()}",
            plugin=source.plugin,
            distribution=source.distribution,
            version=source.version,
        )

    def _check_lane(self, t: Any, transformer: TypeTransformer[Any]) -> bool:
        """Whether registering ``t`` leaves the current plugin's lane; :class:`PluginError` unless that is allowed."""
        lane = self._lane
        if lane is None:
            return False
        previous = self.by_type.get(t)
        if previous is not None and previous.source == BUILTINS:
            if not lane.allowed:
                raise self._refuse(f"registers {transformer.name!r} over the built-in transformer for {type_name(t)}", lane)
            return True
        if not lane.covers(t):
            if not lane.allowed:
                raise self._refuse(f"registers {transformer.name!r} for {type_name(t)}, which is outside its lane", lane)
            return True
        return False

    def _bind(self, transformer: TypeTransformer[Any]) -> None:
        self._check_is_transformer(transformer)
        transformer._registry = self

    def _check_is_transformer(self, transformer: Any) -> None:
        if not isinstance(transformer, TypeTransformer):
            raise PluginError(
                f"{self._source} registered {transformer!r}, which is not a typeflow TypeTransformer",
                plugin=self._source.plugin,
                distribution=self._source.distribution,
                version=self._source.version,
            )

    def register(
        self,
        transformer: TypeTransformer[Any],
        override: bool = False,
        additional_types: tuple[Any, ...] = (),
    ) -> None:
        """Register ``transformer`` for its ``python_type`` (and ``additional_types``).

        A type that already has a transformer needs ``override=True``. Called
        directly (``engine.register``), a registration without it is refused at
        once with a :class:`PluginError` naming both transformers, and nothing
        is registered. Inside a plugin's hook the type is marked conflicting
        instead, and converting it raises a :class:`PluginError` naming both
        distributions, so one bad plugin does not stop the others loading.
        """
        if not isinstance(override, bool):
            raise TypeError(
                f"override must be a bool, not {type(override).__name__}; "
                "pass extra types by keyword: register(transformer, additional_types=[...])"
            )
        self._check_is_transformer(transformer)
        types = (transformer.python_type, *additional_types)
        if self._source is USER and not override:
            for t in types:
                previous = self.by_type.get(t)
                if previous is not None:
                    raise PluginError(
                        f"{_name(t)!r} already has transformer {previous.transformer.name!r} (registered by "
                        f"{previous.source}); registering {transformer.name!r} for it needs override=True",
                        plugin=USER.plugin,
                    )
        outside = {id(t): self._check_lane(t, transformer) for t in types}  # all checked before anything is registered
        self._bind(transformer)
        for t in types:
            previous = self.by_type.get(t)
            if previous is not None and not override and previous.source != self._source:
                self.conflicts[t] = PluginError(
                    f"{_name(t)} is registered by both {previous.source} and {self._source}; "
                    f"the later one must pass override=True, or uninstall/disable one of them "
                    f"(TYPEFLOW_DISABLE_PLUGINS={self._source.distribution} disables this one only)",
                    plugin=self._source.plugin,
                    distribution=self._source.distribution,
                    version=self._source.version,
                )
                continue
            self.conflicts.pop(t, None)
            registration = Registration(transformer, self._source)
            if previous is not None and previous.source != self._source:
                self._record(Override(t, previous, registration, outside_lane=outside[id(t)]))
            elif outside[id(t)]:
                self._record(Override(t, None, registration, outside_lane=True))
            self.by_type[t] = registration
        self.engine._invalidate()

    def register_predicate(self, predicate: Predicate, transformer: TypeTransformer[Any], override: bool = False) -> None:
        """Register ``transformer`` for every class ``predicate(cls)`` accepts; newest is asked first.

        From a plugin's hook, the predicate is asked only about types of the
        plugin's lane, and one that accepts a built-in type, a dataclass, an
        enum or a plain class of another package (:data:`typeflow.lanes.PROBES`)
        is refused (see :mod:`typeflow.lanes`).
        """
        self._check_is_transformer(transformer)
        lane, outside = self._lane, False
        if lane is not None:
            probe, error = lane.first_probe_accepted(predicate)
            if probe is not None and not lane.allowed:
                if error is not None:
                    what = f"registers a predicate for {transformer.name!r} that raised {type(error).__name__} for {probe}"
                else:
                    what = (
                        f"registers a predicate for {transformer.name!r} that accepts {probe}, a type outside its "
                        f"lane: it would be asked before the built-in families"
                    )
                raise self._refuse(what, lane)
            outside = probe is not None
            asked = predicate if lane.allowed else lane.confine(predicate)
        else:
            asked = predicate
        self._bind(transformer)
        registration = Registration(transformer, self._source)
        if not override:
            for _, reg in self.predicates:
                if reg.transformer.name == transformer.name and reg.source != self._source:
                    raise PluginError(
                        f"predicate transformer {transformer.name!r} is registered by both {reg.source} and "
                        f"{self._source}; pass override=True to replace it",
                        plugin=self._source.plugin,
                        distribution=self._source.distribution,
                        version=self._source.version,
                    )
        else:
            kept = []
            for p, r in self.predicates:
                if r.transformer.name != transformer.name:
                    kept.append((p, r))
                elif r.source != self._source:
                    self._replaced_predicates.append((self._source, p, r))
                    self._record(Override(predicate, r, registration, outside_lane=outside, predicate=True))
            self.predicates = kept
        if outside and not any(o.by is registration for o in self.overrides):
            self._record(Override(predicate, None, registration, outside_lane=True, predicate=True))
        self.predicates.append((asked, registration))
        self.engine._invalidate()

    def rollback(self, source: PluginSource) -> None:
        """Remove everything ``source`` registered (its load failed), giving back what it overrode."""
        restored = {
            o.python_type: o.replaced
            for o in self.overrides
            if o.by.source == source and o.replaced is not None and not o.predicate
        }
        self.overrides = [o for o in self.overrides if o.by.source != source]
        self.by_type = {t: r for t, r in self.by_type.items() if r.source != source}
        for t, registration in restored.items():
            self.by_type.setdefault(t, registration)
        self.predicates = [(p, r) for p, r in self.predicates if r.source != source]
        for by, p, r in self._replaced_predicates:
            if by == source:
                self.predicates.append((p, r))
        self.predicates.sort(key=lambda pr: pr[1].order)
        self._replaced_predicates = [x for x in self._replaced_predicates if x[0] != source]
        self.engine._invalidate()

    def transformers(self) -> list[Registration]:
        """Every registered transformer once, oldest registration first (exact types and predicates alike).

        ``engine.guess_python_type`` asks them newest first, so a plugin's
        transformer is asked before the built-ins whose literal types it refines
        (typeflow-pydantic's STRUCT schemas before the dataclass guess).
        """
        first: dict[int, Registration] = {}
        for reg in sorted([*self.by_type.values(), *(r for _, r in self.predicates)], key=lambda r: r.order):
            first.setdefault(id(reg.transformer), reg)
        return list(first.values())


def _name(t: Any) -> str:
    return getattr(t, "__qualname__", None) or repr(t)
