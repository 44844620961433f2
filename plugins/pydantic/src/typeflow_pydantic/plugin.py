"""The typeflow hook implementations of typeflow-pydantic (entry point ``pydantic`` in ``typeflow.plugins``).

typeflow imports this module only when a type with ``pydantic`` in its MRO
(every ``BaseModel`` subclass, wherever it is defined) is first converted, so
``import typeflow`` never imports pydantic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typeflow import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register the model transformer for ``pydantic.BaseModel``; dispatch finds subclasses through their MRO."""
    from typeflow_pydantic.transformer import PydanticTransformer

    registry.register(PydanticTransformer())
