"""flytekit 1.16's type-engine tests, translated: which transformer a type dispatches to.

Each test names the flytekit test it comes from (``tests/flytekit/unit/core/test_type_engine.py``
unless said otherwise) and keeps its inputs and assertions; where typeflow deliberately differs
(README, "Differences from flytekit") the test asserts typeflow's behaviour instead.
"""

import dataclasses
import datetime
import enum
import json
import typing
from typing import Annotated, Any, Dict, List, Optional

import pytest

from typeflow import HashMethod, TransformContext, TypeEngine, TypeTransformer
from typeflow.errors import NoTransformerError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType, Void

T = typing.TypeVar("T")


# ---------------------------------------------------------------- dispatch


def test_annotated_type_uses_the_transformer_instance_inside_annotated() -> None:
    """flytekit: test_annotated_type."""

    class JsonTypeTransformer(TypeTransformer[T]):
        LiteralType = LiteralType(simple=SimpleType.STRING, annotation={"protocol": "json"})

        def get_literal_type(self, t: Any) -> LiteralType:
            return self.LiteralType

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
            return json.loads(lv.scalar.primitive.string_value)  # type: ignore[union-attr,arg-type]

        def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(string_value=json.dumps(python_val))))

    class JSONSerialized:
        def __class_getitem__(cls, item: Any) -> Any:
            return Annotated[item, JsonTypeTransformer(name=f"json[{item}]", t=item)]

    MyJsonDict = JSONSerialized[typing.Dict[str, int]]
    _, test_transformer = typing.get_args(MyJsonDict)

    assert TypeEngine.get_transformer(MyJsonDict) is test_transformer
    assert TypeEngine.to_literal_type(MyJsonDict) == JsonTypeTransformer.LiteralType

    test_dict = {"foo": 1}
    test_literal = Literal(scalar=Scalar(primitive=Primitive(string_value=json.dumps(test_dict))))
    ctx = TypeEngine.context()
    assert TypeEngine.to_python_value(ctx, test_literal, MyJsonDict) == test_dict
    assert TypeEngine.to_literal(ctx, test_dict, MyJsonDict, JsonTypeTransformer.LiteralType) == test_literal
    # the annotation only: the plain type keeps its own transformer
    assert TypeEngine.get_transformer(typing.Dict[str, int]).name == "Typed Dict"
    assert TypeEngine.resolve(MyJsonDict).step == "transformer in Annotated"


def test_register_dataclass_override(engine: TypeEngine) -> None:
    """flytekit: test_register_dataclass_override (a registered base dataclass serves its subclasses)."""

    @dataclasses.dataclass
    class ParentDC: ...

    @dataclasses.dataclass
    class ChildDC(ParentDC): ...

    class ParentDCTransformer(TypeTransformer[ParentDC]):
        def __init__(self) -> None:
            super().__init__("ParentDC Transformer", ParentDC)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.STRING)

        def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(string_value="dc")))

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Any:
            return expected_python_type()

    engine.register(ParentDCTransformer())
    assert engine.get_transformer(ChildDC) == engine.get_transformer(ParentDC)

    @dataclasses.dataclass
    class RegularDC: ...

    assert engine.get_transformer(ChildDC) != engine.get_transformer(RegularDC)
    assert engine.get_transformer(RegularDC).name == "Object-Dataclass-Transformer"
    assert engine.resolve(ChildDC).step.startswith("base class ParentDC")


def test_a_registered_str_does_not_turn_a_str_enum_into_a_str(engine: TypeEngine) -> None:
    class Color(str, enum.Enum):
        RED = "red"

    class LoudStr(TypeTransformer[str]):
        def __init__(self) -> None:
            super().__init__("loud", str)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.STRING)

        def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(string_value=python_val.upper())))

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> str:
            return lv.scalar.primitive.string_value  # type: ignore[union-attr,return-value]

    engine.register(LoudStr(), override=True)
    assert engine.get_transformer(str).name == "loud"
    assert engine.get_transformer(Color).name == "DefaultEnumTransformer"


class Widget:
    pass


@pytest.mark.parametrize(
    ("not_a_type", "said"),
    [
        ("int", "typing.get_type_hints"),
        ("List[People]", "typing.get_type_hints"),
        (typing.ForwardRef("People"), "typing.get_type_hints"),
        (3, "an int"),
        (json, "a module"),
        (json.dumps, "a function"),
        (len, "a function"),
        (Widget(), "a Widget"),
    ],
)
def test_things_that_are_not_types_are_refused_saying_what_was_given(engine: TypeEngine, not_a_type: Any, said: str) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        engine.get_transformer(not_a_type)
    message = str(info.value)
    assert "not a type" in message and said in message
    with pytest.raises(TypeTransformerFailedError):
        engine.to_literal_type(not_a_type)
    with pytest.raises(TypeTransformerFailedError):
        engine.to_literal(engine.context(), 1, not_a_type)


def test_type_like_things_that_are_not_classes_still_dispatch(engine: TypeEngine) -> None:
    assert engine.get_transformer(typing.NewType("UserId", int)).name == "int"
    assert engine.get_transformer(typing.List).name == "Typed List"
    assert engine.get_transformer(typing.Literal["a"]).name == "LiteralTypeTransformer"
    assert engine.get_transformer(int | str).name == "Typed Union"
    with pytest.raises(NoTransformerError):
        engine.get_transformer(typing.TypeVar("X"))  # a type variable is a type-level thing: the fallback may claim it


def test_none_as_a_type_hint_means_none_type(ctx: TransformContext) -> None:
    engine = ctx.engine
    assert engine.get_transformer(None).name == "none"
    assert engine.to_literal_type(None) == LiteralType(simple=SimpleType.NONE)
    lv = engine.to_literal(ctx, None, None)
    assert lv == Literal(scalar=Scalar(none_type=Void()))
    assert engine.to_python_value(ctx, lv, None) is None
    assert engine.to_literal_type(Optional[None]) == LiteralType(simple=SimpleType.NONE)


@pytest.mark.parametrize("t", [Any, Annotated[Any, "tag"]])
def test_any_with_none_gives_a_void_not_a_pickle(ctx: TransformContext, t: Any) -> None:
    """typing.Any needs a fallback plugin for values, but None is Void (no plugin is installed in this env)."""
    lv = ctx.engine.to_literal(ctx, None, t)
    assert lv == Literal(scalar=Scalar(none_type=Void()))
    assert ctx.engine.to_python_value(ctx, lv, t) is None
    with pytest.raises(NoTransformerError):
        ctx.engine.to_literal(ctx, 1, t)  # a value still needs a transformer


class Color(enum.Enum):
    RED = "red"
    GREEN = "green"
    BLUE = "blue"


class MultiInheritanceColor(str, enum.Enum):
    RED = enum.auto()
    GREEN = enum.auto()
    BLUE = enum.auto()


@dataclasses.dataclass
class DataClass:
    a: int
    b: str


@pytest.mark.parametrize(
    ("t", "name"),
    [
        (DataClass, "Object-Dataclass-Transformer"),
        (Annotated[int, "tag"], "int"),
        (Annotated[float, "tag"], "float"),
        (Annotated[str, "tag"], "str"),
        (Annotated[Annotated[Annotated[int, "tag"], "tag2"], "tag3"], "int"),
        (List[int], "Typed List"),
        (List[str], "Typed List"),
        (Dict[str, str], "Typed Dict"),
        (int, "int"),
        (str, "str"),
        (Annotated[bool, "tag"], "bool"),
        (Annotated[List[str], "tag"], "Typed List"),
        (Annotated[Dict[str, str], "tag"], "Typed Dict"),
        (List[Annotated[int, "tag"]], "Typed List"),
        (Dict[str, Annotated[str, "tag"]], "Typed Dict"),
        (typing.Union[int, str], "Typed Union"),
        (Annotated[typing.Union[int, str], "tag"], "Typed Union"),
        (Optional[int], "Typed Union"),
        (Annotated[Optional[int], "tag"], "Typed Union"),
        (typing.List, "Typed List"),
        (list, "Typed List"),
        (typing.Dict, "Typed Dict"),
        (dict, "Typed Dict"),
        (Annotated[dict, {"allow_pickle": True}], "Typed Dict"),
        (datetime.date, "date"),
        (Color, "DefaultEnumTransformer"),
        (MultiInheritanceColor, "DefaultEnumTransformer"),
    ],
)
def test_type_engine_get_transformer_comprehensive(t: Any, name: str) -> None:
    """flytekit: test_type_engine_get_transformer_comprehensive, test_type_resolution, test_multi_inheritance_enum_type."""
    assert TypeEngine.get_transformer(t).name == name


def test_nested_annotated(ctx: TransformContext) -> None:
    """flytekit: test_nested_annotated."""
    pt = Annotated[Annotated[int, "inner-annotation"], "outer-annotation"]
    lt = ctx.engine.to_literal_type(pt)
    assert lt.simple == SimpleType.INTEGER
    lv = ctx.engine.to_literal(ctx, 42, pt, lt)
    assert ctx.engine.to_python_value(ctx, lv, pt) == 42


def test_literal_hash_int_can_be_set(ctx: TransformContext) -> None:
    """flytekit: test_literal_hash_int_can_be_set."""
    lv = ctx.engine.to_literal(ctx, 42, Annotated[int, HashMethod(str)], LiteralType(simple=SimpleType.INTEGER))
    assert lv.scalar.primitive.integer == 42  # type: ignore[union-attr]
    assert lv.hash == "42"
