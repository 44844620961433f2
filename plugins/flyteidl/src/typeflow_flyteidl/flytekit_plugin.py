"""flytekit's entry point into typeflow (``flytekit.plugins``: ``typeflow = typeflow_flyteidl.flytekit_plugin``).

flytekit imports every ``flytekit.plugins`` entry point when it is itself
imported (``flytekit.load_implicit_plugins``), locally and in
``pyflyte-execute``, the command a Flyte cluster runs in each task pod. This
module then:

1. loads every installed, enabled typeflow plugin (group ``typeflow.plugins``;
   ``TYPEFLOW_DISABLE_PLUGINS`` skips some; fallbacks such as typeflow-pickle
   are not loaded: flytekit pickles on its own);
2. lets flytekit import its own transformers for the libraries those plugins
   imported (``TypeEngine.lazy_import_transformers``), so flytekit keeps its
   types (``np.ndarray``, ``pd.DataFrame``, pydantic models, …);
3. registers a :class:`~typeflow_flyteidl.bridge.TypeflowTransformer` with
   flytekit's ``TypeEngine.register`` for each type a typeflow plugin
   registered that flytekit does not handle — no transformer for it or a base
   class, not a dataclass or enum — which flytekit would otherwise pickle.

Only flytekit's public registration API is used; nothing is patched.
"""

from __future__ import annotations

import dataclasses
import enum
import logging
from typing import Any

from typeflow import TypeEngine, discovery

__all__ = ["BRIDGED", "bridge_typeflow_plugins"]

log = logging.getLogger("typeflow.flyteidl")

#: the types this module registered with flytekit, each with the typeflow plugin it came from
BRIDGED: dict[type, str] = {}


def _flytekit_handles(t: type, registered: Any) -> bool:
    if dataclasses.is_dataclass(t) or issubclass(t, enum.Enum):
        return True
    return any(base in registered for base in t.__mro__ if base is not object)


def bridge_typeflow_plugins(engine: TypeEngine | None = None) -> dict[type, str]:
    """Register typeflow's plugin types with flytekit's ``TypeEngine``; returns what was registered (idempotent)."""
    from flytekit.core.type_engine import TypeEngine as FlyteTypeEngine

    from .bridge import TypeflowTransformer

    engine = engine or TypeEngine.default()
    for entry in discovery.entries():
        if entry.group == discovery.PLUGINS_GROUP and not discovery.is_disabled(entry):
            error = engine.load_plugin(entry)
            if error is not None:
                log.warning("typeflow plugin %s is not available in flytekit tasks: %s", entry.label, error)
    FlyteTypeEngine.lazy_import_transformers()
    registered = set(FlyteTypeEngine.get_available_transformers())  # flytekit's own, before any of ours
    for t, reg in list(engine.registry.by_type.items()):
        if reg.source.plugin == "builtins" or not isinstance(t, type) or t in BRIDGED or _flytekit_handles(t, registered):
            continue
        FlyteTypeEngine.register(TypeflowTransformer(engine, t, reg.transformer))
        BRIDGED[t] = reg.source.plugin
        log.debug("flytekit converts %s through typeflow plugin %s", t, reg.source.plugin)
    return dict(BRIDGED)


try:
    bridge_typeflow_plugins()
except Exception as exc:  # never let typeflow break `import flytekit`
    log.warning("typeflow could not register its plugins with flytekit: %s: %s", type(exc).__name__, exc)
