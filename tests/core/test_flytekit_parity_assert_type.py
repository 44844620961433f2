"""flytekit 1.16's type-engine tests, translated: the engine checks values with assert_type.

Each test names the flytekit test it comes from (``tests/flytekit/unit/core/test_type_engine.py``
unless said otherwise) and keeps its inputs and assertions; where typeflow deliberately differs
(README, "Differences from flytekit") the test asserts typeflow's behaviour instead.
"""

from __future__ import annotations

import fractions
import typing
from typing import Annotated, Any, Dict, List, Optional

import pytest

from typeflow import TransformContext, TypeEngine, TypeTransformer
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType

T = typing.TypeVar("T")


# ---------------------------------------------------------------- assert_type


class FractionTransformer(TypeTransformer[fractions.Fraction]):
    """Written the flytekit way: no checks of its own, it relies on ``assert_type``."""

    def __init__(self, enable_type_assertions: bool = True) -> None:
        super().__init__("Fraction", fractions.Fraction, enable_type_assertions=enable_type_assertions)

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(self, ctx: Any, python_val: Any, python_type: Any, expected: Any) -> Literal:
        return Literal(scalar=Scalar(primitive=Primitive(string_value=str(python_val))))

    def to_python_value(self, ctx: Any, lv: Literal, expected_python_type: Any) -> fractions.Fraction:
        return fractions.Fraction(lv.scalar.primitive.string_value)  # type: ignore[union-attr,arg-type]


def test_to_literal_calls_assert_type_so_a_ported_transformer_refuses_a_str_for_a_fraction(
    engine: TypeEngine, ctx: TransformContext
) -> None:
    engine.register(FractionTransformer())
    third = fractions.Fraction(1, 3)
    assert engine.to_python_value(ctx, engine.to_literal(ctx, third, fractions.Fraction), fractions.Fraction) == third
    with pytest.raises(TypeTransformerFailedError, match="1/3"):
        engine.to_literal(ctx, "1/3", fractions.Fraction)
    with pytest.raises(TypeTransformerFailedError):
        engine.to_literal(ctx, "1/3", Annotated[fractions.Fraction, "a note"])
    with pytest.raises(TypeTransformerFailedError) as info:
        engine.to_literal(ctx, [fractions.Fraction(1, 2), "1/3"], List[fractions.Fraction])
    assert info.value.location == "$[1]"


def test_a_transformer_that_disables_type_assertions_is_not_asserted(engine: TypeEngine, ctx: TransformContext) -> None:
    engine.register(FractionTransformer(enable_type_assertions=False))
    assert engine.to_literal(ctx, "1/3", fractions.Fraction).scalar.primitive.string_value == "1/3"  # type: ignore[union-attr]


def test_assert_type_strips_annotated() -> None:
    transformer = FractionTransformer()
    transformer.assert_type(Annotated[fractions.Fraction, "x"], fractions.Fraction(1, 2))
    with pytest.raises(TypeTransformerFailedError):
        transformer.assert_type(Annotated[fractions.Fraction, "x"], "1/2")
    with pytest.raises(TypeTransformerFailedError):
        transformer.assert_type(Annotated[Annotated[fractions.Fraction, "inner"], "outer"], 0.5)


@pytest.mark.parametrize(
    ("t", "value"),
    [
        (int, True),
        (int, False),
        (Annotated[int, "tag"], True),
        (List[int], [1, True]),
        (Dict[str, int], {"a": 1, "b": False}),
        (Optional[int], True),
    ],
)
def test_bool_is_not_an_int_value(ctx: TransformContext, t: Any, value: Any) -> None:
    """flytekit refuses ``True`` for ``int`` (its int transformer checks the exact type)."""
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, value, t)


def test_the_int_transformers_assert_type_refuses_bool(engine: TypeEngine) -> None:
    transformer = engine.get_transformer(int)
    transformer.assert_type(int, 3)
    with pytest.raises(TypeTransformerFailedError):
        transformer.assert_type(int, True)


def test_dict_to_literal_map_with_wrong_input_type(ctx: TransformContext) -> None:
    """flytekit: test_dict_to_literal_map_with_wrong_input_type."""
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.dict_to_literal_map(ctx, {"a": 1}, {"a": str})
    assert info.value.location == "$.a"


def test_generic_errors_and_empty(ctx: TransformContext) -> None:
    """flytekit: test_generic_errors_and_empty."""
    engine = ctx.engine
    pt: Any = dict[str, str]
    lt = engine.to_literal_type(pt)
    engine.to_literal(ctx, {}, pt, lt)
    engine.to_literal(ctx, {"a": "b"}, pt, lt)
    with pytest.raises(TypeTransformerFailedError):
        engine.to_literal(ctx, {"a": 3}, pt, lt)
    with pytest.raises(ValueError):
        engine.to_literal(ctx, {3: "a"}, pt, lt)

    pt = list[str]
    lt = engine.to_literal_type(pt)
    engine.to_literal(ctx, [], pt, lt)
    engine.to_literal(ctx, ["a"], pt, lt)
    with pytest.raises(TypeTransformerFailedError):
        engine.to_literal(ctx, {"a": 3}, pt, lt)
    with pytest.raises(TypeTransformerFailedError):
        engine.to_literal(ctx, [3], pt, lt)


def test_option_list_with_pipe(ctx: TransformContext) -> None:
    """flytekit: test_option_list_with_pipe."""
    pt = list[int] | None
    lt = ctx.engine.to_literal_type(pt)
    lit = ctx.engine.to_literal(ctx, [1, 2, 3], pt, lt)
    assert lit.scalar.union.value.collection.literals[2].scalar.primitive.integer == 3  # type: ignore[union-attr]
    ctx.engine.to_literal(ctx, None, pt, lt)
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, [1, 2, "3"], pt, lt)
