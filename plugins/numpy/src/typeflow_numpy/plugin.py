"""The typeflow hook implementations of typeflow-numpy (entry point ``numpy`` in ``typeflow.plugins``).

typeflow imports this module only when a type from the ``numpy`` package is
first converted, so ``import typeflow`` never imports numpy.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typeflow import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register the ndarray transformer (which also covers ``NDArray[dtype]``) and the scalar ones."""
    from typeflow_numpy.arrays import NDArrayTransformer
    from typeflow_numpy.scalars import transformers

    registry.register(NDArrayTransformer())
    for transformer in transformers():
        registry.register(transformer)
