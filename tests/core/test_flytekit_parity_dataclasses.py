"""Dataclasses as flytekit converts them: subclasses keep their fields, guessed types take the original's values, dicts.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and ``test_literals_resolver.py``; each test
names its source.
"""

import enum
import typing
from dataclasses import dataclass
from typing import List

import msgpack
import pytest
from mashumaro.config import BaseConfig
from mashumaro.types import Discriminator

from typeflow import TransformContext, TypeEngine, task, workflow
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, Primitive, Scalar


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


# ---------------------------------------------------------------- a dataclass subclass where its base is declared


class SubclassTypes(str, enum.Enum):
    BASE = "base"
    CLASS_A = "class_a"
    CLASS_B = "class_b"


@dataclass(kw_only=True)
class BaseClass:
    class Config(BaseConfig):
        discriminator = Discriminator(field="subclass_type", include_subtypes=True)

    base_attribute: int
    subclass_type: SubclassTypes = SubclassTypes.BASE


@dataclass(kw_only=True)
class ClassA(BaseClass):
    class_a_attribute: str
    subclass_type: SubclassTypes = SubclassTypes.CLASS_A


@dataclass(kw_only=True)
class ClassB(BaseClass):
    class_b_attribute: float
    subclass_type: SubclassTypes = SubclassTypes.CLASS_B


@task
def assert_class_and_return(instance: BaseClass) -> BaseClass:
    assert hasattr(instance, "class_a_attribute") or hasattr(instance, "class_b_attribute")
    return instance


def test_dataclass_with_discriminated_subtypes() -> None:
    """flytekit: test_DataclassTransformer_with_discriminated_subtypes (the subclass keeps its fields)."""
    class_a = ClassA(base_attribute=4, class_a_attribute="hello")
    res_1 = assert_class_and_return(instance=class_a)
    assert res_1.base_attribute == 4
    assert isinstance(res_1, ClassA)
    assert res_1.class_a_attribute == "hello"

    class_b = ClassB(base_attribute=4, class_b_attribute=-2.5)
    res_2 = assert_class_and_return(instance=class_b)
    assert isinstance(res_2, ClassB)
    assert res_2.class_b_attribute == -2.5


@dataclass
class Base:
    a: int


@dataclass
class Child1(Base):
    b: int


def test_a_subclass_value_is_written_with_its_own_fields(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, Child1(a=10, b=12), Base)
    assert msgpack.unpackb(lv.scalar.binary.value) == {"a": 10, "b": 12}  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, Child1) == Child1(a=10, b=12)
    assert ctx.engine.to_python_value(ctx, lv, Base) == Base(a=10)
    packed = ctx.engine.to_literal(ctx, [Base(1), Child1(a=2, b=3)], List[Base])
    assert ctx.engine.to_python_value(ctx, packed.collection.literals[1], Child1) == Child1(a=2, b=3)  # type: ignore[union-attr]
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, [Base(1), Child1(a=2, b="x")], List[Base])  # type: ignore[arg-type]
    assert info.value.location == "$[1].b"


@task
def get_data() -> Child1:
    return Child1(a=10, b=12)


@task
def read_data(base: Base) -> int:
    return base.a


@task
def read_child(child: Child1) -> int:
    return child.b


@workflow
def wf1() -> Child1:
    data = get_data()
    read_data(base=data)
    read_child(child=data)
    return data


@workflow
def wf2() -> Base:
    data = Base(a=10)
    read_data(base=data)
    read_child(child=data)  # type: ignore[arg-type]
    return data


@workflow
def wf3() -> Base:
    data = Base(a=10)
    read_data(base=data)
    return data


def test_dataclass_transformer_with_sub_dataclasses() -> None:
    """flytekit: test_DataclassTransformer_with_sub_dataclasses (wf2: flytekit AttributeError, typeflow a typed error)."""
    child_data = wf1()
    assert child_data.a == 10
    assert child_data.b == 12
    assert isinstance(child_data, Child1)
    with pytest.raises(TypeTransformerFailedError, match="Child1"):
        wf2()
    assert wf3().a == 10


# ---------------------------------------------------------------- guess a type, then convert values of the original one


@dataclass
class Args:
    x: int
    y: typing.Optional[str]


@dataclass
class Schema:
    x: typing.Optional[Args] = None


def test_assert_dataclass_type() -> None:
    """flytekit: test_assert_dataclass_type."""
    lt = TypeEngine.to_literal_type(Schema)
    gt = TypeEngine.guess_python_type(lt)
    pv = Schema(x=Args(x=3, y="hello"))
    transformer = TypeEngine.get_transformer(Schema)
    transformer.assert_type(gt, pv)
    transformer.assert_type(Schema, pv)

    @dataclass
    class Bar:
        x: int

    with pytest.raises(TypeTransformerFailedError):
        transformer.assert_type(gt, Bar(x=3))


def test_a_value_of_the_original_dataclass_converts_as_the_guessed_type_and_back(ctx: TransformContext) -> None:
    """What FlyteRemote does: guess the Python type from the interface, then convert the user's value."""
    lt = ctx.engine.to_literal_type(Schema)
    gt = ctx.engine.guess_python_type(lt)
    pv = Schema(x=Args(x=3, y="hello"))
    lv = ctx.engine.to_literal(ctx, pv, gt)
    assert lv == ctx.engine.to_literal(ctx, pv, Schema)
    assert ctx.engine.to_python_value(ctx, lv, Schema) == pv
    guessed = ctx.engine.to_python_value(ctx, lv, gt)
    assert guessed.x.x == 3 and guessed.x.y == "hello"
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, Args(x=1, y=None), gt)  # a dataclass of another shape


def test_enum_in_dataclass(ctx: TransformContext) -> None:
    """flytekit: test_enum_in_dataclass, test_DataclassTransformer_guess_python_type."""

    @dataclass
    class DatumDataclass:
        x: int
        y: Color

    from mashumaro.jsonschema import build_json_schema

    lt = ctx.engine.to_literal_type(DatumDataclass)
    assert lt.metadata == build_json_schema(DatumDataclass).to_dict()
    transformer = ctx.engine.get_transformer(DatumDataclass)
    datum = DatumDataclass(5, Color.RED)
    lv = transformer.to_literal(ctx, datum, DatumDataclass, lt)
    gt = transformer.guess_python_type(lt)
    pv = transformer.to_python_value(ctx, lv, expected_python_type=gt)
    assert datum.x == pv.x
    assert datum.y.value == pv.y
    assert ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, datum, gt), DatumDataclass) == datum


def test_a_member_of_the_original_enum_converts_as_the_guessed_enum(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Color)
    g = ctx.engine.guess_python_type(lt)
    assert [e.value for e in g] == [e.value for e in Color]
    lv = ctx.engine.to_literal(ctx, Color.RED, g)
    assert lv.scalar.primitive.string_value == "red"  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, Color) is Color.RED
    ctx.engine.get_transformer(g).assert_type(g, Color.GREEN)

    class Other(enum.Enum):
        PURPLE = "purple"

    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, Other.PURPLE, g)
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, "red", Color)  # a bare string is still not a member


def test_enum_type(ctx: TransformContext) -> None:
    """flytekit: test_enum_type."""
    t = ctx.engine.to_literal_type(Color)
    assert t.enum_type is not None
    assert list(t.enum_type.values) == [c.value for c in Color]
    lv = ctx.engine.to_literal(ctx, Color.RED, Color, ctx.engine.to_literal_type(Color))
    assert lv.scalar.primitive.string_value == "red"  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, Color) == Color.RED
    assert ctx.engine.to_python_value(ctx, lv, str) == "red"
    with pytest.raises(ValueError):
        ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(string_value=str(Color.RED)))), Color)
    with pytest.raises(ValueError):
        ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(string_value="bad"))), Color)

    class UnsupportedEnumValues(enum.Enum):
        RED = 1

    with pytest.raises(TypeTransformerFailedError):  # flytekit: an AssertionError; typeflow's errors are typed
        ctx.engine.to_literal_type(UnsupportedEnumValues)


@dataclass
class AnotherDataClass:
    z: int


@dataclass
class DictArgs:
    x: int
    y: typing.Optional[str]
    another_dataclass: AnotherDataClass


def test_assert_dict_type() -> None:
    """flytekit: test_assert_dict_type (without FlyteFile and StructuredDataset fields)."""
    transformer = TypeEngine.get_transformer(DictArgs)
    transformer.assert_type(DictArgs, {"x": 3, "y": "hello", "another_dataclass": {"z": 4}})
    transformer.assert_type(DictArgs, {"x": 3, "another_dataclass": {"z": 4}})  # Optional keys may be missing
    with pytest.raises(TypeTransformerFailedError, match=r"missing.*\['x'\]"):
        transformer.assert_type(DictArgs, {"y": "hello", "another_dataclass": {"z": 4}})
    with pytest.raises(TypeTransformerFailedError, match=r"extra.*\['z'\]"):
        transformer.assert_type(DictArgs, {"x": 3, "y": "hello", "another_dataclass": {"z": 4}, "z": "extra"})
    with pytest.raises(TypeTransformerFailedError) as info:
        transformer.assert_type(DictArgs, {"x": "3", "y": "hello", "another_dataclass": {"z": 4}})
    assert info.value.location == "$.x"


def test_to_literal_dict(ctx: TransformContext) -> None:
    """flytekit: test_to_literal_dict (a dict where a dataclass is declared)."""
    expected = ctx.engine.to_literal_type(Args)
    python_val = {"x": 3, "y": "hello"}
    literal = ctx.engine.to_literal(ctx, python_val, Args, expected)
    assert msgpack.unpackb(literal.scalar.binary.value) == python_val  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, literal, Args) == Args(3, "hello")
    with pytest.raises(TypeTransformerFailedError, match="dataclass"):
        ctx.engine.to_literal(ctx, "not a dict or dataclass", Args, expected)
