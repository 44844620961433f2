"""A message's proto3 JSON form as typeflow literals, in the shapes a protobuf ``Struct`` can hold.

flytekit stores a message as ``Scalar.generic``, a ``google.protobuf.Struct``
(JSON with every number a double), and a ``ListValue`` as a collection of the
literals of its elements. These helpers do the same, so the literal typeflow
writes equals the one flytekit writes, and survives the flyteidl bridge
unchanged.
"""

from __future__ import annotations

from typing import Any

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, Primitive, Scalar, Void

__all__ = ["as_struct", "json_to_literal", "literal_to_json"]


def as_struct(value: Any) -> Any:
    """JSON as a ``Struct`` holds it: numbers become floats (a Struct number is a double)."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)
    if isinstance(value, dict):
        return {str(k): as_struct(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [as_struct(v) for v in value]
    raise TypeError(f"{type(value).__name__} is not JSON")


def json_to_literal(value: Any) -> Literal:
    """One JSON value as the literal flytekit writes for it inside a ``ListValue``."""
    if isinstance(value, dict):
        return Literal(scalar=Scalar(generic=as_struct(value)))
    if isinstance(value, list):
        return Literal(collection=LiteralCollection(tuple(json_to_literal(v) for v in value)))
    if value is None:
        return Literal(scalar=Scalar(none_type=Void()))
    if isinstance(value, bool):
        return Literal(scalar=Scalar(primitive=Primitive(boolean=value)))
    if isinstance(value, str):
        return Literal(scalar=Scalar(primitive=Primitive(string_value=value)))
    return Literal(scalar=Scalar(primitive=Primitive(float_value=float(value))))


def literal_to_json(lv: Literal, path: str = "") -> Any:
    """The JSON value a literal of :func:`json_to_literal`'s shapes holds; others are refused with their path."""
    if lv.collection is not None:
        return [literal_to_json(item, f"{path}[{i}]") for i, item in enumerate(lv.collection.literals)]
    scalar = lv.scalar
    if scalar is not None:
        if scalar.generic is not None:
            return scalar.generic
        if scalar.none_type is not None:
            return None
        if scalar.primitive is not None and scalar.primitive.kind in ("float_value", "integer", "string_value", "boolean"):
            value = scalar.primitive.value
            return float(value) if scalar.primitive.kind == "integer" else value
    kind = lv.variant if scalar is None else next(n for n in Scalar.VARIANTS if getattr(scalar, n) is not None)
    raise TypeTransformerFailedError(
        f"a {kind} literal is no JSON value",
        path=(path,) if path else (),
        hint="a protobuf Value or ListValue holds only structs, lists, numbers, strings, booleans and null",
    )
