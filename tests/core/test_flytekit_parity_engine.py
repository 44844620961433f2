"""flytekit 1.16's type-engine tests, translated: the engine's API, assert_type, registration, dispatch.

Each test names the flytekit test it comes from (``tests/flytekit/unit/core/test_type_engine.py``
unless said otherwise) and keeps its inputs and assertions; where typeflow deliberately differs
(README, "Differences from flytekit") the test asserts typeflow's behaviour instead.
"""

from __future__ import annotations

import asyncio
import datetime
import typing
from datetime import timedelta
from typing import Annotated, Any, Dict

import pytest

import typeflow
from typeflow import TransformContext, TypeEngine, TypeTransformer, task
from typeflow.errors import NoTransformerError, PluginError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, LiteralMap, LiteralType, Primitive, Scalar, SimpleType

T = typing.TypeVar("T")


# ---------------------------------------------------------------- the engine called on the class


def test_type_engine_class_level_calls_mean_the_default_engine() -> None:
    """flytekit: test_type_engine (``TypeEngine.to_literal_type`` called on the class)."""
    lt = TypeEngine.to_literal_type(int)
    assert lt.simple == SimpleType.INTEGER

    t = typing.Dict[str, typing.List[typing.Dict[str, timedelta]]]
    lt = TypeEngine.to_literal_type(t)
    assert lt.map_value_type.collection_type.map_value_type.simple == SimpleType.DURATION  # type: ignore[union-attr]


def test_class_level_register_and_conversions_use_the_default_engine_and_instances_keep_their_own() -> None:
    class Knots:
        def __init__(self, v: float) -> None:
            self.v = v

    class KnotsTransformer(TypeTransformer[Knots]):
        def __init__(self) -> None:
            super().__init__("Knots", Knots)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.FLOAT)

        def to_literal(self, ctx: Any, python_val: Knots, python_type: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(float_value=python_val.v)))

        def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Knots:
            return Knots(lv.scalar.primitive.float_value)  # type: ignore[union-attr,arg-type]

    TypeEngine.register(KnotsTransformer())
    assert TypeEngine.default().get_transformer(Knots).name == "Knots"
    assert TypeEngine.get_transformer(Knots).name == "Knots"
    fresh = TypeEngine()
    with pytest.raises(NoTransformerError):
        fresh.get_transformer(Knots)  # an instance keeps its own registry

    ctx = TypeEngine.context()
    assert ctx.engine is TypeEngine.default()
    lv = TypeEngine.to_literal(ctx, Knots(3.5), Knots, TypeEngine.to_literal_type(Knots))
    assert TypeEngine.to_python_value(ctx, lv, Knots).v == 3.5
    assert TypeEngine.guess_python_type(LiteralType(simple=SimpleType.BOOLEAN)) is bool
    lm = TypeEngine.dict_to_literal_map(ctx, {"a": 1}, {"a": int})
    assert TypeEngine.literal_map_to_kwargs(ctx, lm, {"a": int}) == {"a": 1}


def test_dict_transformer_annotated_type_through_the_class_level_async_api() -> None:
    """flytekit: test_dict_transformer_annotated_type (``await TypeEngine.async_to_literal(...)``)."""
    ctx = TypeEngine.context()

    async def go() -> None:
        regular_dict = {"a": 1, "b": 2}
        expected_type = TypeEngine.to_literal_type(Dict[str, int])
        literal1 = await TypeEngine.async_to_literal(ctx, regular_dict, Dict[str, int], expected_type)
        assert literal1.map.literals["a"].scalar.primitive.integer == 1  # type: ignore[union-attr]
        assert literal1.map.literals["b"].scalar.primitive.integer == 2  # type: ignore[union-attr]

        annotated_dict_type = Annotated[Dict[str, int], "some_metadata"]
        expected_type = TypeEngine.to_literal_type(annotated_dict_type)
        literal2 = await TypeEngine.async_to_literal(ctx, {"x": 10, "y": 20}, annotated_dict_type, expected_type)
        assert literal2.map.literals["x"].scalar.primitive.integer == 10  # type: ignore[union-attr]

        nested_dict_type = Dict[str, Annotated[Dict[str, int], "inner_metadata"]]
        expected_type = TypeEngine.to_literal_type(nested_dict_type)
        literal3 = await TypeEngine.async_to_literal(ctx, {"outer": {"inner": 42}}, nested_dict_type, expected_type)
        assert literal3.map.literals["outer"].map.literals["inner"].scalar.primitive.integer == 42  # type: ignore[union-attr]

    asyncio.run(go())


# ---------------------------------------------------------------- registration


class Parsec:
    pass


class ParsecTransformer(TypeTransformer[Parsec]):
    def __init__(self, name: str = "Parsec") -> None:
        super().__init__(name, Parsec)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(string_value="pc")))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Parsec:
        return Parsec()


class ShadowInt(TypeTransformer[int]):
    def __init__(self) -> None:
        super().__init__("shadow-int", int)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(string_value=str(python_val))))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> int:
        return int(lv.scalar.primitive.string_value)  # type: ignore[union-attr,arg-type]


def test_registering_over_a_built_in_type_without_override_is_refused_at_once_naming_both(
    engine: TypeEngine, ctx: TransformContext
) -> None:
    with pytest.raises(PluginError) as info:
        engine.register(ShadowInt())
    message = str(info.value)
    assert "shadow-int" in message and "'int'" in message and "override=True" in message
    # the engine keeps working, with the transformer it had
    assert engine.get_transformer(int).name == "int"
    assert engine.to_python_value(ctx, engine.to_literal(ctx, 3, int), int) == 3


def test_registering_twice_without_override_is_refused_and_override_replaces(engine: TypeEngine) -> None:
    engine.register(ParsecTransformer())
    with pytest.raises(PluginError, match="Parsec2"):
        engine.register(ParsecTransformer("Parsec2"))
    assert engine.get_transformer(Parsec).name == "Parsec"
    engine.register(ParsecTransformer("Parsec2"), override=True)
    assert engine.get_transformer(Parsec).name == "Parsec2"


def test_a_refused_registration_registers_none_of_its_additional_types(engine: TypeEngine) -> None:
    class Other:
        pass

    with pytest.raises(PluginError):
        engine.register(ParsecTransformer(), additional_types=(Other, int))
    with pytest.raises(NoTransformerError):
        engine.get_transformer(Parsec)
    with pytest.raises(NoTransformerError):
        engine.get_transformer(Other)


def test_register_says_how_to_pass_flytekits_positional_additional_types(engine: TypeEngine) -> None:
    """flytekit's ``TypeEngine.register(t, [types])``: the list must not be read as ``override``."""
    with pytest.raises(TypeError, match="additional_types="):
        engine.register(ParsecTransformer(), [Parsec])  # type: ignore[arg-type]


# ---------------------------------------------------------------- basics that must keep holding


def test_guessing_basic_and_containers() -> None:
    """flytekit: test_guessing_basic, test_guessing_containers (the pickle blob needs typeflow-pickle)."""
    guess = TypeEngine.guess_python_type
    assert guess(LiteralType(simple=SimpleType.BOOLEAN)) is bool
    assert guess(LiteralType(simple=SimpleType.INTEGER)) is int
    assert guess(LiteralType(simple=SimpleType.STRING)) is str
    assert guess(LiteralType(simple=SimpleType.DURATION)) is timedelta
    assert guess(LiteralType(simple=SimpleType.DATETIME)) is datetime.datetime
    assert guess(LiteralType(simple=SimpleType.FLOAT)) is float
    assert guess(LiteralType(simple=SimpleType.NONE)) is type(None)
    # flytekit answers typing.List[bool] / typing.Dict[...]; typeflow the builtin generics (README, "Differences")
    assert guess(LiteralType(collection_type=LiteralType(simple=SimpleType.BOOLEAN))) == list[bool]
    assert guess(LiteralType(map_value_type=LiteralType(simple=SimpleType.DURATION))) == dict[str, timedelta]


def test_zero_floats_and_list_transformer(ctx: TransformContext) -> None:
    """flytekit: test_zero_floats, test_list_transformer, test_list_of_dict_getting_python_value."""
    assert ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(integer=0))), float) == 0
    assert ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(float_value=0.0))), float) == 0
    lit = Literal(
        collection=LiteralCollection(
            [Literal(scalar=Scalar(primitive=Primitive(integer=3))), Literal(scalar=Scalar(primitive=Primitive(integer=4)))]
        )
    )
    assert TypeEngine.to_python_value(ctx, lit, typing.List[int]) == [3, 4]
    one = Literal(scalar=Scalar(primitive=Primitive(integer=1)))
    lv = Literal(collection=LiteralCollection([Literal(map=LiteralMap({"foo": one}))]))
    assert TypeEngine.get_transformer(typing.List).to_python_value(ctx, lv, typing.List[typing.Dict[str, int]]) == [{"foo": 1}]


def test_literal_map_to_kwargs_empty_inputs(ctx: TransformContext) -> None:
    """flytekit: test_literal_map_to_kwargs_empty_inputs."""
    empty = LiteralMap({})
    assert ctx.engine.literal_map_to_kwargs(ctx, empty, {}) == {}
    assert ctx.engine.literal_map_to_kwargs(ctx, empty, {"a": int, "b": str}) == {}
    lm = LiteralMap({"x": Literal(scalar=Scalar(primitive=Primitive(integer=42)))})
    assert ctx.engine.literal_map_to_kwargs(ctx, lm, {"x": int}) == {"x": 42}


def test_task_with_no_inputs_execution() -> None:
    """flytekit: test_task_with_no_inputs_execution."""

    @task
    def task_with_defaults(a: int = 10, b: str = "hello") -> str:
        return f"{a}_{b}"

    @task
    def task_no_params() -> int:
        return 42

    assert task_with_defaults() == "10_hello"
    assert task_no_params() == 42
    assert task_with_defaults(a=20) == "20_hello"
    assert task_with_defaults(b="world") == "10_world"


def test_error_converting_an_input_names_it(ctx: TransformContext) -> None:
    """flytekit: test_error_message_improvements_literal_map_to_kwargs (typeflow's error carries the path)."""
    lm = LiteralMap({"bad_input": Literal(scalar=Scalar(primitive=Primitive(string_value="not_a_number")))})
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.literal_map_to_kwargs(ctx, lm, {"bad_input": int})
    assert info.value.location == "$.bad_input"
    assert "int" in str(info.value)
    assert isinstance(info.value, TypeflowError)


def test_module_level_shortcuts_still_use_the_default_engine() -> None:
    assert typeflow.to_python_value(typeflow.to_literal(3, int), int) == 3
