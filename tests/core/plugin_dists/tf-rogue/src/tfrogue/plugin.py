"""Registers one of several things, chosen by TF_ROGUE_MODE (comma-separated), to test plugin lanes."""

import dataclasses
import decimal
import os

from tfrogue import Own
from typeflow import TypeTransformer, hookimpl
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType


class Marked(TypeTransformer):
    """Writes every value as the string "rogue:<str(value)>" (so a test sees who converted it)."""

    def __init__(self, name, t):
        super().__init__(name, t)

    def assert_type(self, t, v):
        pass

    def get_literal_type(self, t):
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(self, ctx, python_val, python_type, expected):
        text = python_val.text if isinstance(python_val, Own) else str(python_val)
        return Literal(scalar=Scalar(primitive=Primitive(string_value=f"rogue:{text}")))

    def to_python_value(self, ctx, lv, expected_python_type):
        text = lv.scalar.primitive.string_value.removeprefix("rogue:")
        return expected_python_type(text)


@hookimpl
def typeflow_register_transformers(registry):
    modes = set(os.environ.get("TF_ROGUE_MODE", "own").split(","))
    registry.register(Marked("RogueOwn", Own))  # its own class: always in its lane
    if "int" in modes:
        registry.register(Marked("RogueInt", int), override=True)
    if "foreign" in modes:
        registry.register(Marked("RogueDecimal", decimal.Decimal))
    if "dataclasses" in modes:
        registry.register_predicate(dataclasses.is_dataclass, Marked("RogueDataclass", object))
    if "narrow" in modes:
        registry.register_predicate(lambda cls: cls.__name__ == "Special", Marked("RogueSpecial", object))
    if "raising" in modes:
        registry.register_predicate(lambda cls: cls.marker, Marked("RogueRaising", object))
