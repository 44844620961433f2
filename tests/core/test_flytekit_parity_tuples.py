"""Tuple values are restricted, as in flytekit 1.16 (``TypeEngine.to_literal_checks``, restricted tuple types).

Sources: ``tests/flytekit/unit/core/test_type_engine.py`` and
``tests/flytekit/unit/core/test_type_engine_binary_idl.py``; each test names its source.
"""

import dataclasses
import typing
from typing import Any, List, NamedTuple, Optional, Tuple

import pytest

from typeflow import TransformContext, task
from typeflow.errors import RestrictedTypeError

# ---------------------------------------------------------------- tuples


class Pair(NamedTuple):
    a: int
    b: str


@pytest.mark.parametrize(
    ("value", "t"),
    [
        ((1, 2), List[int]),
        ((1, "a"), Tuple[int, str]),
        ((1, "a"), tuple),
        (Pair(1, "a"), Pair),
        (Pair(1, "a"), typing.Union[int, str]),
        ((1,), Optional[int]),
    ],
)
def test_tuple_and_named_tuple_values_are_restricted(ctx: TransformContext, value: Any, t: Any) -> None:
    """flytekit: TypeEngine.to_literal_checks and the restricted tuple types."""
    with pytest.raises(RestrictedTypeError, match="tuple"):
        ctx.engine.to_literal(ctx, value, t)


@pytest.mark.parametrize("t", [tuple, Tuple[int, str], Tuple[int, ...], Pair])
def test_tuple_types_have_no_literal_type(ctx: TransformContext, t: Any) -> None:
    with pytest.raises(RestrictedTypeError):
        ctx.engine.to_literal_type(t)


def test_tuples_stay_valid_as_a_tasks_multiple_outputs() -> None:
    @task
    def two(n: int) -> Tuple[int, str]:
        return n, str(n)

    @task
    def named(n: int) -> Pair:
        return Pair(n, str(n))

    assert two(n=1) == (1, "1")
    assert named(n=2) == Pair(2, "2")


def test_dataclass_fields_of_tuple_type_still_convert(ctx: TransformContext) -> None:
    @dataclasses.dataclass
    class WithTuple:
        t: Tuple[int, str]

    assert ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, WithTuple((1, "a")), WithTuple), WithTuple) == WithTuple(
        (1, "a")
    )
