"""TypeStructure.dataclass_type and the dataclass literal type, translated from flytekit 1.16's tests.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and
``tests/flytekit/unit/core/test_type_engine_binary_idl.py``; each test names its source.
"""

import typing
from dataclasses import dataclass, field
from typing import Annotated, Any, List

import pytest

from typeflow import TransformContext, TypeEngine, wire
from typeflow.literals import LiteralType, SimpleType, TypeStructure

MSGPACK = {"cache-key-metadata": {"serialization-format": "msgpack"}}


# ---------------------------------------------------------------- TypeStructure.dataclass_type


@dataclass
class DataclassTest:
    a: int
    b: str


@dataclass
class AnnotatedDataclassTest:
    a: int
    b: Annotated[str, "str tag"]


def _expected_dataclass_lt(title: str) -> LiteralType:
    return LiteralType(
        simple=SimpleType.STRUCT,
        metadata={
            "type": "object",
            "title": title,
            "properties": {"a": {"type": "integer"}, "b": {"type": "string"}},
            "additionalProperties": False,
            "required": ["a", "b"],
        },
        structure=TypeStructure(
            tag="",
            dataclass_type={"a": LiteralType(simple=SimpleType.INTEGER), "b": LiteralType(simple=SimpleType.STRING)},
        ),
        annotation=MSGPACK,
    )


@pytest.mark.parametrize(
    ("t", "expected_type"),
    [
        (dict, LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK)),
        (Annotated[dict, "a-tag"], LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK)),
        (typing.Dict[int, str], LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK)),
        (typing.Dict[str, int], LiteralType(map_value_type=LiteralType(simple=SimpleType.INTEGER))),
        (typing.Dict[str, str], LiteralType(map_value_type=LiteralType(simple=SimpleType.STRING))),
        (
            typing.Dict[str, typing.List[int]],
            LiteralType(map_value_type=LiteralType(collection_type=LiteralType(simple=SimpleType.INTEGER))),
        ),
        (typing.Dict[int, typing.List[int]], LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK)),
        (typing.Dict[int, typing.Dict[int, int]], LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK)),
        (
            typing.Dict[str, typing.Dict[int, int]],
            LiteralType(map_value_type=LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK)),
        ),
        (
            typing.Dict[str, typing.Dict[str, int]],
            LiteralType(map_value_type=LiteralType(map_value_type=LiteralType(simple=SimpleType.INTEGER))),
        ),
        (DataclassTest, _expected_dataclass_lt("DataclassTest")),
        (Annotated[DataclassTest, "another-tag"], _expected_dataclass_lt("DataclassTest")),
        (Annotated[AnnotatedDataclassTest, "another-tag"], _expected_dataclass_lt("AnnotatedDataclassTest")),
    ],
)
def test_annotated(t: Any, expected_type: LiteralType) -> None:
    """flytekit: test_annotated (the FlyteAnnotation case aside: typeflow has no FlyteAnnotation)."""
    assert TypeEngine.to_literal_type(t) == expected_type


def test_dataclass_type_holds_nested_dataclasses_field_types() -> None:
    """flytekit: test_DataclassTransformer_get_literal_type (NestedFruit)."""

    @dataclass
    class Fruit:
        name: str

    @dataclass
    class NestedFruit:
        sub_fruit: Fruit
        name: str

    literal_type = TypeEngine.get_transformer(NestedFruit).get_literal_type(NestedFruit)
    dataclass_type = literal_type.structure.dataclass_type  # type: ignore[union-attr]
    assert dataclass_type["sub_fruit"].simple == SimpleType.STRUCT  # type: ignore[index]
    assert dataclass_type["sub_fruit"].structure.dataclass_type["name"].simple == SimpleType.STRING  # type: ignore[index,union-attr]
    assert dataclass_type["name"].simple == SimpleType.STRING  # type: ignore[index]


def test_dataclass_type_survives_the_wire_format() -> None:
    lt = TypeEngine.to_literal_type(List[DataclassTest])
    assert lt.collection_type.structure.dataclass_type is not None  # type: ignore[union-attr]
    assert wire.loads(wire.dumps(lt)) == lt
    assert wire.from_dict(wire.to_dict(lt)) == lt
    assert wire.to_dict(lt)["literal_type"]["collection_type"]["structure"]["dataclass_type"]["a"] == {"simple": "INTEGER"}


def test_a_recursive_dataclass_gets_a_literal_type() -> None:
    @dataclass
    class Node:
        value: int
        children: List["Node"] = field(default_factory=list)

    globals()["Node"] = Node  # the forward reference resolves at module level
    try:
        lt = TypeEngine().to_literal_type(Node)
        children = lt.structure.dataclass_type["children"]  # type: ignore[union-attr,index]
        assert children.collection_type.simple == SimpleType.STRUCT  # type: ignore[union-attr]
    finally:
        del globals()["Node"]


def test_dataclass_transformer_schema(ctx: TransformContext) -> None:
    """flytekit: test_dataclass_transformer (the JSON Schema in metadata)."""

    @dataclass
    class InnerStruct:
        a: int
        b: typing.Optional[str]
        c: typing.List[int]

    @dataclass
    class TestStruct:
        s: InnerStruct
        m: typing.Dict[str, str]

    schema = {
        "type": "object",
        "title": "TestStruct",
        "properties": {
            "s": {
                "type": "object",
                "title": "InnerStruct",
                "properties": {
                    "a": {"type": "integer"},
                    "b": {"anyOf": [{"type": "string"}, {"type": "null"}]},
                    "c": {"type": "array", "items": {"type": "integer"}},
                },
                "additionalProperties": False,
                "required": ["a", "b", "c"],
            },
            "m": {"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"type": "string"}},
        },
        "additionalProperties": False,
        "required": ["s", "m"],
    }
    t = ctx.engine.to_literal_type(TestStruct)
    assert t.simple == SimpleType.STRUCT
    assert t.metadata == schema
