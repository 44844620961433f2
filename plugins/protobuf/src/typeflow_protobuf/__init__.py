"""typeflow-protobuf: protobuf messages as JSON structs with their type recorded, in flytekit's form.

Installed, it is found through its entry point for messages of any package;
nothing needs importing or registering:

    >>> import typeflow
    >>> from google.protobuf import struct_pb2
    >>> engine = typeflow.TypeEngine()
    >>> ctx = engine.context(storage="/tmp/typeflow-doc")
    >>> s = struct_pb2.Struct()
    >>> s.update({"a": 1, "b": ["x", True]})
    >>> lv = engine.to_literal(ctx, s, struct_pb2.Struct)
    >>> lv.scalar.generic
    {'a': 1.0, 'b': ['x', True]}
    >>> engine.to_literal_type(struct_pb2.Struct).metadata
    {'pb_type': 'google.protobuf.struct_pb2.Struct'}
"""

from __future__ import annotations

from typeflow_protobuf.tags import PB_TYPE_KEY, resolve_tag, tag
from typeflow_protobuf.transformer import ProtobufTransformer, message_class
from typeflow_protobuf.wellknown import SCALAR_FORMS

__version__ = "0.1.0"

__all__ = ["PB_TYPE_KEY", "SCALAR_FORMS", "ProtobufTransformer", "__version__", "message_class", "resolve_tag", "tag"]
