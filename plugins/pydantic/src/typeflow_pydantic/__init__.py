"""typeflow-pydantic: pydantic v2 models as msgpack records with their JSON Schema, in flytekit 1.16's form.

Installed, it is found through its entry point; nothing needs importing:

    >>> import pydantic, typeflow
    >>> class Point(pydantic.BaseModel):
    ...     x: int
    ...     y: int
    >>> engine = typeflow.TypeEngine()
    >>> ctx = engine.context(storage="/tmp/typeflow-doc")
    >>> lv = engine.to_literal(ctx, Point(x=1, y=2), Point)
    >>> lv.scalar.binary.tag
    'msgpack'
    >>> engine.to_python_value(ctx, lv, Point)
    Point(x=1, y=2)

A record that no longer fits its model raises
``typeflow.errors.TypeTransformerFailedError`` at pydantic's location
(``$.items[1].n``) with pydantic's message.
"""

from __future__ import annotations

from typeflow_pydantic.errors import location_path
from typeflow_pydantic.schema import is_pydantic_schema, model_from_schema
from typeflow_pydantic.transformer import MSGPACK_ANNOTATION, PydanticTransformer

__version__ = "0.1.0"

__all__ = ["MSGPACK_ANNOTATION", "PydanticTransformer", "__version__", "is_pydantic_schema", "location_path", "model_from_schema"]
