"""typing.Literal in flytekit 1.16's form, translated from flytekit 1.16's tests.

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and
``tests/flytekit/unit/core/test_type_engine_binary_idl.py``; each test names its source.
"""

import typing
from typing import Any

import pytest

from typeflow import TransformContext, TypeEngine, wire
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType

# ---------------------------------------------------------------- typing.Literal


def test_literal_transformer_string_type(ctx: TransformContext) -> None:
    """flytekit: test_literal_transformer_string_type."""
    t = typing.Literal["outcome", "income"]
    lt = TypeEngine.get_transformer(t).get_literal_type(t)
    assert lt.simple == SimpleType.STRING
    assert lt.annotation["literal_values"] == ["outcome", "income"]  # type: ignore[index]
    assert lt == wire.loads(wire.dumps(lt)) == wire.from_dict(wire.to_dict(lt))

    lv = ctx.engine.to_literal(ctx, "outcome", t, lt)
    assert lv.scalar.primitive.string_value == "outcome"  # type: ignore[union-attr]

    pt = TypeEngine.get_transformer(t).guess_python_type(lt)
    assert pt is typing.Literal["outcome", "income"]
    pv = TypeEngine.get_transformer(pt).to_python_value(ctx, lv, pt)
    TypeEngine.get_transformer(pt).assert_type(pt, pv)
    assert pv == "outcome"
    assert ctx.engine.guess_python_type(lt) is pt


def test_literal_transformer_int_type(ctx: TransformContext) -> None:
    """flytekit: test_literal_transformer_int_type."""
    t = typing.Literal[1, 2, 3]
    lt = TypeEngine.get_transformer(t).get_literal_type(t)
    assert lt.simple == SimpleType.INTEGER
    assert lt.annotation["literal_values"] == [1, 2, 3]  # type: ignore[index]
    assert lt == wire.loads(wire.dumps(lt))

    lv = ctx.engine.to_literal(ctx, 1, t, lt)
    assert lv.scalar.primitive.integer == 1  # type: ignore[union-attr]

    pt = TypeEngine.get_transformer(t).guess_python_type(lt)
    assert pt is typing.Literal[1, 2, 3]
    pv = TypeEngine.get_transformer(pt).to_python_value(ctx, lv, pt)
    TypeEngine.get_transformer(pt).assert_type(pt, pv)
    assert pv == 1


def test_literal_transformer_mixed_base_types() -> None:
    """flytekit: test_literal_transformer_mixed_base_types."""
    t = typing.Literal["a", 1]
    with pytest.raises(TypeTransformerFailedError):
        TypeEngine.get_transformer(t).get_literal_type(t)


@pytest.mark.parametrize(
    ("t", "good", "bad", "simple"),
    [
        (typing.Literal[True], True, False, SimpleType.BOOLEAN),
        (typing.Literal[0.5, 1.5], 1.5, 2.5, SimpleType.FLOAT),
        (typing.Literal["a", "b"], "b", "c", SimpleType.STRING),
        (typing.Literal[1, 2], 2, True, SimpleType.INTEGER),
    ],
)
def test_a_literal_value_outside_the_literal_is_refused_both_ways(
    ctx: TransformContext, t: Any, good: Any, bad: Any, simple: SimpleType
) -> None:
    assert ctx.engine.to_literal_type(t).simple == simple
    assert ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, good, t), t) == good
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_literal(ctx, bad, t)
    outside = Literal(scalar=Scalar(primitive=Primitive(string_value="zzz")))
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_python_value(ctx, outside, t)


def test_a_string_written_under_the_old_enum_literal_type_still_reads(ctx: TransformContext) -> None:
    from typeflow.literals import EnumType

    old_type = LiteralType(enum_type=EnumType(("a", "b")))
    lv = Literal(scalar=Scalar(primitive=Primitive(string_value="b")))
    assert ctx.engine.to_python_value(ctx, lv, typing.Literal["a", "b"]) == "b"
    assert [m.value for m in ctx.engine.guess_python_type(old_type)] == ["a", "b"]
