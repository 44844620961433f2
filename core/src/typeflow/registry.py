"""The transformer registry a plugin's hook fills.

Holds the exact-type table, the structural predicates and who registered
what, so a conflict names both distributions and a failed plugin load can be
rolled back. Every registration clears the owning engine's dispatch caches.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from typeflow.errors import PluginError
from typeflow.transformer import TypeTransformer

if TYPE_CHECKING:
    from typeflow.engine import TypeEngine

__all__ = ["Override", "PluginSource", "TransformerRegistry"]

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


_sequence = itertools.count()


@dataclass(frozen=True)
class Registration:
    transformer: TypeTransformer[Any]
    source: PluginSource
    #: when it was made, across exact types and predicates (a plugin loaded later comes later)
    order: int = field(default_factory=lambda: next(_sequence), compare=False)


@dataclass(frozen=True)
class Override:
    """One registration replacing another's with ``override=True``: the type, who had it, who took it."""

    python_type: Any
    replaced: Registration
    by: Registration

    def __str__(self) -> str:
        return (
            f"{_name(self.python_type)}: {self.by.transformer.name!r} from {self.by.source} overrides "
            f"{self.replaced.transformer.name!r} from {self.replaced.source}"
        )


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
        #: every registration that replaced another source's with override=True, in order
        self.overrides: list[Override] = []
        self._source = USER

    @contextmanager
    def attributed_to(self, source: PluginSource) -> Iterator[None]:
        previous, self._source = self._source, source
        try:
            yield
        finally:
            self._source = previous

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
                self.overrides.append(Override(t, previous, registration))
            self.by_type[t] = registration
        self.engine._invalidate()

    def register_predicate(self, predicate: Predicate, transformer: TypeTransformer[Any], override: bool = False) -> None:
        """Register ``transformer`` for every class ``predicate(cls)`` accepts; newest is asked first."""
        self._bind(transformer)
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
            self.predicates = [(p, r) for p, r in self.predicates if r.transformer.name != transformer.name]
        self.predicates.append((predicate, Registration(transformer, self._source)))
        self.engine._invalidate()

    def rollback(self, source: PluginSource) -> None:
        """Remove everything ``source`` registered (its load failed), giving back what it overrode."""
        restored = {o.python_type: o.replaced for o in self.overrides if o.by.source == source}
        self.overrides = [o for o in self.overrides if o.by.source != source]
        self.by_type = {t: r for t, r in self.by_type.items() if r.source != source}
        for t, registration in restored.items():
            self.by_type.setdefault(t, registration)
        self.predicates = [(p, r) for p, r in self.predicates if r.source != source]
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
