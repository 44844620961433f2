"""flytekit 1.16's union tests, translated: variant tags are flytekit's transformer names.

From ``tests/flytekit/unit/core/test_type_engine.py``; each test names its source.
"""

import dataclasses
import enum
import typing
from typing import Annotated, Any, Dict, List, Optional

import pytest

from typeflow import TransformContext, TypeEngine, TypeTransformer
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import (
    EnumType,
    Literal,
    LiteralType,
    Primitive,
    Scalar,
    SimpleType,
    TypeStructure,
    UnionType,
    Void,
)
from typeflow.literals import Union as UnionValue


def _tags(lt: LiteralType) -> list[str]:
    assert lt.union_type is not None
    return [v.structure.tag for v in lt.union_type.variants]  # type: ignore[union-attr]


def union_type_tags_unique(t: LiteralType) -> bool:
    tags = _tags(t)
    return len(set(tags)) == len(tags)


def test_union_type(ctx: TransformContext) -> None:
    """flytekit: test_union_type."""
    pt = typing.Union[str, int]
    lt = ctx.engine.to_literal_type(pt)
    lt_604 = ctx.engine.to_literal_type(str | int)
    assert lt == lt_604
    assert lt.union_type.variants == (  # type: ignore[union-attr]
        LiteralType(simple=SimpleType.STRING, structure=TypeStructure(tag="str")),
        LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure(tag="int")),
    )
    assert union_type_tags_unique(lt)

    lv = ctx.engine.to_literal(ctx, 3, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]
    assert lv.scalar.union.value.scalar.primitive.integer == 3  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == 3

    lv = ctx.engine.to_literal(ctx, "hello", pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "str"  # type: ignore[union-attr]
    assert lv.scalar.union.value.scalar.primitive.string_value == "hello"  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == "hello"


def test_union_type_simple_has_no_dataclass_type(ctx: TransformContext) -> None:
    """flytekit: test_union_type_simple."""
    pt = typing.Union[str, int]
    lt = ctx.engine.to_literal_type(pt)
    lv = ctx.engine.to_literal(ctx, 3, pt, lt)
    assert lv.scalar.union is not None  # type: ignore[union-attr]
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]
    assert lv.scalar.union.stored_type.structure.dataclass_type is None  # type: ignore[union-attr]


def test_annotated_union_type(ctx: TransformContext) -> None:
    """flytekit: test_annotated_union_type (with a plain annotation: typeflow has no FlyteAnnotation)."""
    pt = Annotated[typing.Union[str, int], "hello"]
    lt = ctx.engine.to_literal_type(pt)
    assert _tags(lt) == ["str", "int"]
    lv = ctx.engine.to_literal(ctx, 3, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == 3
    lv = ctx.engine.to_literal(ctx, "hello", pt, lt)
    assert ctx.engine.to_python_value(ctx, lv, pt) == "hello"


def test_union_containers(ctx: TransformContext) -> None:
    """flytekit: test_union_containers."""
    pt = typing.Union[typing.List[typing.Dict[str, typing.List[int]]], typing.Dict[str, typing.List[int]], int]
    lt = ctx.engine.to_literal_type(pt)
    list_of_maps_of_list_ints = [{"first_map_a": [42], "first_map_b": [42, 2]}, {"second_map_c": [33], "second_map_d": [9, 99]}]
    map_of_list_ints = {"ll_1": [1, 23, 3], "ll_2": [4, 5, 6]}
    lv = ctx.engine.to_literal(ctx, list_of_maps_of_list_ints, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "Typed List"  # type: ignore[union-attr]
    lv = ctx.engine.to_literal(ctx, map_of_list_ints, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "Typed Dict"  # type: ignore[union-attr]


def test_optional_type(ctx: TransformContext) -> None:
    """flytekit: test_optional_type."""
    pt = typing.Optional[int]
    lt = ctx.engine.to_literal_type(pt)
    assert lt == ctx.engine.to_literal_type(int | None)
    assert lt.union_type.variants == (  # type: ignore[union-attr]
        LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure(tag="int")),
        LiteralType(simple=SimpleType.NONE, structure=TypeStructure(tag="none")),
    )
    lv = ctx.engine.to_literal(ctx, 3, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == 3
    lv = ctx.engine.to_literal(ctx, None, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "none"  # type: ignore[union-attr]
    assert lv.scalar.union.value.scalar.none_type == Void()  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) is None


def test_union_from_unambiguous_literal(ctx: TransformContext) -> None:
    """flytekit: test_union_from_unambiguous_literal (the str/int half; files are typeflow.types' tests)."""
    pt = typing.Union[str, int]
    lt = ctx.engine.to_literal_type(pt)
    lv = ctx.engine.to_literal(ctx, 3, int, lt)
    assert lv.scalar.primitive.integer == 3  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == 3


class MyInt:
    def __init__(self, x: int) -> None:
        self.val = x

    def __eq__(self, other: object) -> bool:
        return isinstance(other, MyInt) and other.val == self.val


class MyIntTransformer(TypeTransformer[MyInt]):
    """flytekit's ``SimpleTransformer("MyInt", MyInt, INTEGER, ...)``: the exact type only."""

    def __init__(self, name: str = "MyInt") -> None:
        super().__init__(name, MyInt)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.INTEGER)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
        if type(python_val) is not MyInt:
            raise TypeTransformerFailedError(f"Expected value of type {MyInt} but got {python_val!r}")
        return Literal(scalar=Scalar(primitive=Primitive(integer=python_val.val)))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> MyInt:
        if lv.scalar is None or lv.scalar.primitive is None or lv.scalar.primitive.integer is None:
            raise TypeTransformerFailedError(f"Cannot convert literal {lv} to MyInt")
        return MyInt(lv.scalar.primitive.integer)


def test_union_custom_transformer(engine: TypeEngine, ctx: TransformContext) -> None:
    """flytekit: test_union_custom_transformer: equal literal types with different tags are not ambiguous."""
    engine.register(MyIntTransformer())
    pt = typing.Union[int, MyInt]
    lt = engine.to_literal_type(pt)
    assert lt.union_type.variants == (  # type: ignore[union-attr]
        LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure(tag="int")),
        LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure(tag="MyInt")),
    )
    assert union_type_tags_unique(lt)

    lv = engine.to_literal(ctx, 3, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]
    assert lv.scalar.union.value.scalar.primitive.integer == 3  # type: ignore[union-attr]
    assert engine.to_python_value(ctx, lv, pt) == 3

    lv = engine.to_literal(ctx, MyInt(10), pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "MyInt"  # type: ignore[union-attr]
    assert lv.scalar.union.value.scalar.primitive.integer == 10  # type: ignore[union-attr]
    assert engine.to_python_value(ctx, lv, pt) == MyInt(10)

    # a plain literal (not written through the union): flytekit calls it ambiguous; typeflow takes the first
    # variant that reads it (README, "Differences from flytekit")
    lv = engine.to_literal(ctx, 4, int, LiteralType(simple=SimpleType.INTEGER))
    assert engine.to_python_value(ctx, lv, pt) == 4


def test_union_custom_transformer_registered_on_the_class_serves_the_default_engine() -> None:
    """flytekit registers with ``TypeEngine.register(...)`` called on the class."""

    class Meters:
        def __init__(self, v: int) -> None:
            self.v = v

    class MetersTransformer(TypeTransformer[Meters]):
        def __init__(self) -> None:
            super().__init__("Meters", Meters)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.INTEGER)

        def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(integer=python_val.v)))

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Meters:
            return Meters(lv.scalar.primitive.integer)  # type: ignore[union-attr,arg-type]

    TypeEngine.register(MetersTransformer())
    lt = TypeEngine.to_literal_type(typing.Union[int, Meters])
    assert _tags(lt) == ["int", "Meters"]


def test_union_value_accepted_by_several_variants_goes_to_its_exact_type(engine: TypeEngine, ctx: TransformContext) -> None:
    """flytekit: test_union_custom_transformer_sanity_check.

    flytekit refuses 3 for ``Union[int, UnsignedInt]`` as ambiguous because both transformers accept it;
    typeflow gives a value to the variant of its exact type first (README, "Differences from flytekit").
    """

    class UnsignedInt:
        def __init__(self, x: int) -> None:
            self.val = x

    class UnsignedIntTransformer(TypeTransformer[UnsignedInt]):
        def __init__(self) -> None:
            super().__init__("UnsignedInt", UnsignedInt, enable_type_assertions=False)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.INTEGER)

        def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
            if type(python_val) is not int:
                raise TypeTransformerFailedError("Expected an integer")
            if python_val < 0:
                raise TypeTransformerFailedError("Expected a non-negative integer")
            return Literal(scalar=Scalar(primitive=Primitive(integer=python_val)))

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> UnsignedInt:
            val = lv.scalar.primitive.integer  # type: ignore[union-attr]
            return UnsignedInt(0 if val < 0 else val)  # type: ignore[operator,arg-type]

    engine.register(UnsignedIntTransformer())
    pt = typing.Union[int, UnsignedInt]
    lt = engine.to_literal_type(pt)
    assert _tags(lt) == ["int", "UnsignedInt"]
    lv = engine.to_literal(ctx, 3, pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]


def test_variants_with_equal_literal_types_and_equal_tags_are_ambiguous(engine: TypeEngine) -> None:
    engine.register(MyIntTransformer(name="int"))  # a transformer that calls itself "int", for another class
    with pytest.raises(TypeTransformerFailedError, match="ambiguous union"):
        engine.to_literal_type(typing.Union[int, MyInt])


def test_structurally_equal_dataclasses_are_told_apart_by_their_schema_titles(ctx: TransformContext) -> None:
    @dataclasses.dataclass
    class Cat:
        name: str

    @dataclasses.dataclass
    class Dog:
        name: str

    pt = typing.Union[Cat, Dog]
    lt = ctx.engine.to_literal_type(pt)
    assert _tags(lt) == ["Object-Dataclass-Transformer", "Object-Dataclass-Transformer"]
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, Dog("rex"), pt), pt)
    assert type(back) is Dog


def test_union_of_lists(ctx: TransformContext) -> None:
    """flytekit: test_union_of_lists."""
    pt = typing.Union[typing.List[int], typing.List[str]]
    lt = ctx.engine.to_literal_type(pt)
    assert lt.union_type.variants == (  # type: ignore[union-attr]
        LiteralType(collection_type=LiteralType(simple=SimpleType.INTEGER), structure=TypeStructure(tag="Typed List")),
        LiteralType(collection_type=LiteralType(simple=SimpleType.STRING), structure=TypeStructure(tag="Typed List")),
    )
    assert not union_type_tags_unique(lt)

    lv = ctx.engine.to_literal(ctx, ["hello", "world"], pt, lt)
    assert lv.scalar.union.stored_type.structure.tag == "Typed List"  # type: ignore[union-attr]
    assert [x.scalar.primitive.string_value for x in lv.scalar.union.value.collection.literals] == ["hello", "world"]  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == ["hello", "world"]

    lv = ctx.engine.to_literal(ctx, [1, 3], pt, lt)
    assert [x.scalar.primitive.integer for x in lv.scalar.union.value.collection.literals] == [1, 3]  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == [1, 3]


def test_list_of_unions(ctx: TransformContext) -> None:
    """flytekit: test_list_of_unions."""
    pt = typing.List[typing.Union[str, int]]
    pt_604 = typing.List[str | int]
    lt = ctx.engine.to_literal_type(pt)
    lt_604 = ctx.engine.to_literal_type(pt_604)
    assert lt == lt_604
    assert lt.collection_type.union_type.variants == (  # type: ignore[union-attr]
        LiteralType(simple=SimpleType.STRING, structure=TypeStructure(tag="str")),
        LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure(tag="int")),
    )
    lv = ctx.engine.to_literal(ctx, ["hello", 123, "world"], pt, lt)
    v = ctx.engine.to_python_value(ctx, lv, pt)
    lv_604 = ctx.engine.to_literal(ctx, ["hello", 123, "world"], pt_604, lt_604)
    v_604 = ctx.engine.to_python_value(ctx, lv_604, pt_604)
    assert [x.scalar.union.stored_type.structure.tag for x in lv.collection.literals] == ["str", "int", "str"]  # type: ignore[union-attr]
    assert v == v_604 == ["hello", 123, "world"]


def test_option_list_with_pipe_2(ctx: TransformContext) -> None:
    """flytekit: test_option_list_with_pipe_2."""
    pt = list[list[dict[str, str]] | None] | None
    lt = ctx.engine.to_literal_type(pt)
    lit = ctx.engine.to_literal(ctx, [[{"a": "one"}], None, [{"b": "two"}]], pt, lt)
    uv = lit.scalar.union.value  # type: ignore[union-attr]
    assert len(uv.collection.literals) == 3  # type: ignore[union-attr]
    first = uv.collection.literals[0]  # type: ignore[union-attr]
    assert first.scalar.union.value.collection.literals[0].map.literals["a"].scalar.primitive.string_value == "one"  # type: ignore[union-attr]
    assert len(lt.union_type.variants) == 2  # type: ignore[union-attr]
    v1 = lt.union_type.variants[0]  # type: ignore[union-attr]
    assert len(v1.collection_type.union_type.variants) == 2  # type: ignore[union-attr]
    assert v1.collection_type.union_type.variants[0].collection_type.map_value_type.simple == SimpleType.STRING  # type: ignore[union-attr]
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, [[{"a": "one"}], None, [{"b": 3}]], pt, lt)


def test_union_guess_type() -> None:
    """flytekit: test_union_guess_type."""
    ut = TypeEngine.get_transformer(typing.Union[str, int])
    t = ut.guess_python_type(
        LiteralType(union_type=UnionType((LiteralType(simple=SimpleType.STRING), LiteralType(simple=SimpleType.INTEGER))))
    )
    assert t == typing.Union[str, int]


@pytest.mark.parametrize(
    ("t", "expected_variants"),
    [
        (int | float, [int, float]),
        (int | float | None, [int, float, type(None)]),
        (int | float | str, [int, float, str]),
        (typing.Union[int, str], [int, str]),
        (typing.Union[str, None], [str, type(None)]),
        (typing.Optional[int], [int, type(None)]),
    ],
)
def test_union_comprehensive(t: Any, expected_variants: list[Any]) -> None:
    """flytekit: test_union_comprehensive, test_union_type_comprehensive_604."""
    transformer = TypeEngine.get_transformer(t)
    assert transformer.name == "Typed Union"
    lt = transformer.get_literal_type(t)
    assert [TypeEngine.guess_python_type(i) for i in lt.union_type.variants] == expected_variants  # type: ignore[union-attr]


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"


@dataclasses.dataclass
class Point:
    x: int


@pytest.mark.parametrize(
    ("variant", "value", "tag"),
    [
        (Color, Color.RED, "DefaultEnumTransformer"),
        (typing.Literal["a", "b"], "a", "LiteralTypeTransformer"),
        (Point, Point(1), "Object-Dataclass-Transformer"),
        (List[int], [1], "Typed List"),
        (Dict[str, int], {"a": 1}, "Typed Dict"),
        (float, 1.5, "float"),
        (bool, True, "bool"),
    ],
)
def test_union_tags_are_flytekits_transformer_names(ctx: TransformContext, variant: Any, value: Any, tag: str) -> None:
    pt = Optional[variant]
    lt = ctx.engine.to_literal_type(pt)
    assert _tags(lt) == [tag, "none"]
    lv = ctx.engine.to_literal(ctx, value, pt)
    assert lv.scalar.union.stored_type.structure.tag == tag  # type: ignore[union-attr]
    assert lv.scalar.union.stored_type.structure.dataclass_type is None  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt) == value


def test_a_union_written_with_the_old_literal_string_tag_still_reads(ctx: TransformContext) -> None:
    old = Literal(
        scalar=Scalar(
            union=UnionValue(
                value=Literal(scalar=Scalar(primitive=Primitive(string_value="a"))),
                stored_type=LiteralType(enum_type=EnumType(("a", "b")), structure=TypeStructure("Literal")),
            )
        )
    )
    assert ctx.engine.to_python_value(ctx, old, typing.Union[typing.Literal["a", "b"], int]) == "a"


def test_a_literal_no_variant_reads_is_a_type_error(ctx: TransformContext) -> None:
    """flytekit: test_error_message_improvements_union_transformer (flytekit raises a TypeError)."""
    from typeflow.literals import LiteralMap

    complex_literal = Literal(map=LiteralMap({"nested": Literal(scalar=Scalar(primitive=Primitive(integer=42)))}))
    with pytest.raises(TypeError, match="matches no variant"):
        ctx.engine.to_python_value(ctx, complex_literal, typing.Union[int, str])
