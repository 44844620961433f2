"""The typeflow hook implementation of typeflow-pickle (entry point ``pickle`` in ``typeflow.fallbacks``).

typeflow imports this module only when a type is converted that no
transformer, predicate or plugin claims; ``import typeflow`` never imports it
or cloudpickle. Disable it with ``TYPEFLOW_DISABLE_PLUGINS=pickle``.
"""

from __future__ import annotations

from typing import Any

from typeflow import hookimpl
from typeflow.transformer import TypeTransformer


@hookimpl
def typeflow_fallback_transformer(python_type: Any) -> TypeTransformer[Any] | None:
    """A :class:`~typeflow_pickle.transformer.PickleTransformer` for ``python_type``, which nothing else claims."""
    from typeflow_pickle.transformer import PickleTransformer

    return PickleTransformer(python_type)
