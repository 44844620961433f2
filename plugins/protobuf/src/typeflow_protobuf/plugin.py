"""The typeflow hook implementations of typeflow-protobuf (entry point ``google`` in ``typeflow.plugins``).

Every generated message class has ``google.protobuf.message.Message`` in its
MRO, and typeflow's dispatch loads the plugins named after the top package of
any class in a type's MRO: so this plugin is loaded for messages of any
package (``mypkg.orders_pb2.Order`` too), and ``import typeflow`` never
imports protobuf.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from typeflow import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    """Register the message transformer for ``google.protobuf.message.Message``; subclasses resolve through the MRO."""
    from typeflow_protobuf.transformer import ProtobufTransformer

    registry.register(ProtobufTransformer())
