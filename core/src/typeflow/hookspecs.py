"""The typeflow hook specification.

A plugin is a module with functions marked ``@hookimpl``, named in an entry
point of group ``typeflow.plugins`` (or ``typeflow.fallbacks``). Every hook is
documented here; the README's plugin section is checked against this module by
a test, so the two cannot drift apart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry
    from typeflow.transformer import TypeTransformer

PROJECT = "typeflow"
hookspec = pluggy.HookspecMarker(PROJECT)
#: marks a plugin's hook implementations: ``@hookimpl def typeflow_register_transformers(registry): ...``
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec(historic=True)
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register the plugin's transformers on ``registry``.

    Called once per engine when the plugin loads (historic: a plugin loaded
    late is still called). Use ``registry.register(transformer)`` for types
    matched exactly or through the MRO, and
    ``registry.register_predicate(predicate, transformer)`` for structural
    matches. Never called per value.
    """


@hookspec(firstresult=True)
def typeflow_fallback_transformer(python_type: Any) -> TypeTransformer[Any] | None:
    """Return a transformer for ``python_type`` that nothing else claims, or ``None``.

    Implemented by fallback plugins (entry-point group ``typeflow.fallbacks``),
    which load only when no transformer, predicate or plugin matched. The
    first non-``None`` result wins.
    """
