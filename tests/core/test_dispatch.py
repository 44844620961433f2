"""Layered, cached dispatch; registration; per-engine state."""

from __future__ import annotations

import dataclasses
import enum
import typing
from typing import Annotated, Any, List, NewType

import pytest

from typeflow import TransformContext, TypeEngine, TypeTransformer
from typeflow.errors import NoTransformerError, PluginError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType


class Celsius(float):
    pass


class Temp:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees


class HotTemp(Temp):
    pass


class TempTransformer(TypeTransformer[Temp]):
    def __init__(self, name: str = "Temp") -> None:
        super().__init__(name, Temp)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.FLOAT)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: Any) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(float_value=float(python_val.degrees))))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Temp:
        return expected_python_type(lv.scalar.primitive.float_value)  # type: ignore[no-any-return,union-attr]


def test_each_engine_has_its_own_registry(engine: TypeEngine) -> None:
    other = TypeEngine()
    engine.register(TempTransformer())
    assert engine.get_transformer(Temp).name == "Temp"
    with pytest.raises(NoTransformerError):
        other.get_transformer(Temp)


def test_default_engine_is_shared() -> None:
    assert TypeEngine.default() is TypeEngine.default()


def test_dispatch_steps(engine: TypeEngine) -> None:
    engine.register(TempTransformer())

    @dataclasses.dataclass
    class Rec:
        x: int

    class Color(str, enum.Enum):
        RED = "red"

    assert engine.resolve(int).step == "exact type"
    assert engine.resolve(Annotated[int, "unit"]).step == "exact type"
    assert engine.resolve(List[int]).step.startswith("generic origin")
    assert engine.resolve(int | None).step.startswith("generic origin")
    assert engine.resolve(Rec).step.startswith("predicate")
    assert engine.resolve(Color).transformer.name == "DefaultEnumTransformer"  # predicate before the str base class
    assert engine.resolve(HotTemp).step == "base class Temp"
    assert engine.resolve(Celsius).step == "base class float"
    assert engine.resolve(NewType("UserId", int)).transformer.name == "int"


def test_registration_clears_the_cache_and_override_replaces(engine: TypeEngine) -> None:
    engine.register(TempTransformer())
    first = engine.get_transformer(HotTemp)
    assert engine.get_transformer(HotTemp) is first  # cached
    engine.register(TempTransformer("Temp2"), override=True)
    assert engine.get_transformer(HotTemp).name == "Temp2"


def test_duplicate_registration_without_override_is_a_plugin_error_on_use(engine: TypeEngine) -> None:
    engine.registry.register(TempTransformer())
    from typeflow.registry import PluginSource

    with engine.registry.attributed_to(PluginSource("other", "other-dist", "1.0")):
        engine.registry.register(TempTransformer("Temp2"))
    with pytest.raises(PluginError, match="other-dist"):
        engine.get_transformer(Temp)
    assert engine.get_transformer(int).name == "int"


def test_predicates_are_asked_newest_first(engine: TypeEngine) -> None:
    class Special(TempTransformer):
        pass

    engine.registry.register_predicate(lambda cls: issubclass(cls, Temp), TempTransformer("first"))
    engine.registry.register_predicate(lambda cls: issubclass(cls, Temp), Special("second"))
    assert engine.get_transformer(HotTemp).name == "second"


def test_registering_a_non_transformer_is_a_plugin_error(engine: TypeEngine) -> None:
    with pytest.raises(PluginError, match="not a typeflow TypeTransformer"):
        engine.register(object())  # type: ignore[arg-type]


def test_no_transformer_error_names_the_type_and_the_fix(engine: TypeEngine) -> None:
    with pytest.raises(NoTransformerError) as info:
        engine.get_transformer(Temp)
    message = str(info.value)
    assert "test_dispatch.Temp" in message
    assert "install typeflow-pickle" in message and "engine.register" in message


def test_unhashable_type_expressions_still_resolve(engine: TypeEngine) -> None:
    t = Annotated[List[int], {"unhashable": []}]
    with pytest.raises(TypeError):
        hash(t)
    assert engine.get_transformer(t).name == "Typed List"


def test_async_transformers_convert_through_the_sync_and_async_api(engine: TypeEngine, ctx: TransformContext) -> None:
    import asyncio

    from typeflow import AsyncTypeTransformer

    class AsyncTemp(AsyncTypeTransformer[Temp]):
        def __init__(self) -> None:
            super().__init__("AsyncTemp", Temp)

        def get_literal_type(self, t: Any) -> LiteralType:
            return LiteralType(simple=SimpleType.FLOAT)

        async def async_to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
            await asyncio.sleep(0)
            return Literal(scalar=Scalar(primitive=Primitive(float_value=python_val.degrees)))

        async def async_to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> Temp:
            await asyncio.sleep(0)
            return Temp(lv.scalar.primitive.float_value)  # type: ignore[union-attr,arg-type]

    ctx.engine.register(AsyncTemp())
    lv = ctx.engine.to_literal(ctx, Temp(3.0), Temp)
    assert ctx.engine.to_python_value(ctx, lv, Temp).degrees == 3.0

    async def inside_a_loop() -> float:
        # the sync API inside a running loop must not deadlock
        sync_lv = ctx.engine.to_literal(ctx, Temp(4.0), Temp)
        value = await ctx.engine.async_to_python_value(ctx, sync_lv, Temp)
        return value.degrees  # type: ignore[no-any-return]

    assert asyncio.run(inside_a_loop()) == 4.0


def test_dispatch_decisions_are_debug_records_on_typeflow_dispatch(engine: TypeEngine, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("DEBUG", logger="typeflow.dispatch"):
        engine.get_transformer(typing.Dict[str, int])
    records = [r for r in caplog.records if r.name == "typeflow.dispatch"]
    assert any(r.levelname == "DEBUG" and "Typed Dict" in r.getMessage() and "generic origin" in r.getMessage() for r in records)
    caplog.clear()
    with caplog.at_level("INFO", logger="typeflow.dispatch"):
        engine.get_transformer(typing.Dict[str, float])
    assert [r for r in caplog.records if r.name.startswith("typeflow")] == []


def test_union_variants_follow_later_registrations(engine: TypeEngine, ctx: TransformContext) -> None:
    class Meters(int):
        pass

    lv = ctx.engine.to_literal(ctx, Meters(3), typing.Optional[Meters])
    assert lv.scalar.union.stored_type.structure.tag == "int"  # type: ignore[union-attr]

    class MetersTransformer(TempTransformer):
        def __init__(self) -> None:
            TypeTransformer.__init__(self, "Meters", Meters)

        def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: Any) -> Literal:
            return Literal(scalar=Scalar(primitive=Primitive(float_value=float(python_val))))

    ctx.engine.register(MetersTransformer())
    lv = ctx.engine.to_literal(ctx, Meters(3), typing.Optional[Meters])
    assert lv.scalar.union.stored_type.structure.tag == "Meters"  # type: ignore[union-attr]


def test_a_transformer_reaches_the_engine_it_was_registered_with(engine: TypeEngine) -> None:
    transformer = TempTransformer()
    assert transformer.engine is TypeEngine.default()  # not registered anywhere yet
    engine.register(transformer)
    assert transformer.engine is engine
    assert engine.get_transformer(List[int]).engine is engine
