"""Packed columns from someone else, read as another type: the work stays bounded per element.

A packed literal names its own variant types, so whoever writes it chooses which
declared variant reads which column. Reading must stay column-wise: a mismatch
between stored and declared types is converted in bulk, a column no declared
variant reads fails at its first element without converting the ones before it,
and a column that does need element-by-element reading (its elements go to
different variants) costs a bounded number of conversions per element.

The work is counted, not timed: every transformer of the engine is instrumented
and each ``to_python_value`` call is one element (or container) converted on its own.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, Optional, Union

import pytest

from typeflow import TransformContext, wire
from typeflow.columns import Column, ListColumn, MapColumn, NoneColumn, PrimitiveColumn, UnionColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import (
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiteralMap,
    PackedLiterals,
    SimpleType,
    TypeStructure,
)

N = 20_000
#: conversions one at a time a bulk read may make: a few, whatever the length
FEW = 10


def _variant(simple: SimpleType, tag: str) -> LiteralType:
    return LiteralType(simple=simple, structure=TypeStructure(tag))


BOOL, NONE, STR = _variant(SimpleType.BOOLEAN, "bool"), _variant(SimpleType.NONE, "none"), _variant(SimpleType.STRING, "str")
INT, FLOAT = _variant(SimpleType.INTEGER, "int"), _variant(SimpleType.FLOAT, "float")


@pytest.fixture
def calls(ctx: TransformContext) -> Iterator[list[int]]:
    """How many times any transformer's ``to_python_value`` ran (one counter for all)."""
    counter = [0]
    for registration in ctx.engine.registry.transformers():
        transformer = registration.transformer
        convert = transformer.to_python_value

        def counted(c: TransformContext, lv: Literal, t: Any, convert: Any = convert) -> Any:
            counter[0] += 1
            return convert(c, lv, t)

        transformer.to_python_value = counted  # type: ignore[method-assign]
    yield counter


def _collection(column: Column) -> Literal:
    """``column`` as a packed collection literal, the way it arrives: through the wire."""
    return wire.loads(wire.dumps(Literal(collection=LiteralCollection(PackedLiterals.of(column)))))


def _read(ctx: TransformContext, lv: Literal, t: Any, calls: list[int]) -> Any:
    calls[0] = 0
    return ctx.engine.to_python_value(ctx, lv, t)


def _bools(n: int) -> PrimitiveColumn:
    return PrimitiveColumn("boolean", bytes(i % 2 for i in range(n)))


def _hostile_optional_bools(n: int) -> UnionColumn:
    """``n - 1`` bools and nulls, then one string: a variant ``Optional[bool]`` does not have."""
    index = bytes(i % 3 == 0 for i in range(n - 1)) + b"\x02"
    return UnionColumn(
        (BOOL, NONE, STR),
        index,
        (_bools(index.count(0)), NoneColumn(index.count(1)), PrimitiveColumn("string_value", ["x"])),
    )


def test_a_packed_bool_column_reads_as_optional_bools_in_bulk(ctx: TransformContext, calls: list[int]) -> None:
    back = _read(ctx, _collection(_bools(N)), list[Optional[bool]], calls)
    assert back == [bool(i % 2) for i in range(N)]
    assert calls[0] <= FEW


def test_stored_variants_of_other_types_are_converted_in_bulk(ctx: TransformContext, calls: list[int]) -> None:
    index = bytes(i % 10 == 0 for i in range(N))
    column = UnionColumn((INT, NONE), index, (PrimitiveColumn("integer", range(index.count(0))), NoneColumn(index.count(1))))
    back = _read(ctx, _collection(column), list[Optional[float]], calls)
    assert back[:3] == [None, 0.0, 1.0] and type(back[1]) is float and len(back) == N
    assert calls[0] <= FEW
    mixed = UnionColumn(
        (INT, STR),
        bytes(i % 2 for i in range(N)),
        (PrimitiveColumn("integer", range(N // 2)), PrimitiveColumn("string_value", ["s"] * (N // 2))),
    )
    back = _read(ctx, _collection(mixed), list[Union[str, float]], calls)  # int column → the float variant
    assert back[:4] == [0.0, "s", 1.0, "s"] and type(back[0]) is float
    assert calls[0] <= FEW


def test_a_variant_no_declared_type_reads_fails_at_once_with_its_path(ctx: TransformContext, calls: list[int]) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, _collection(_hostile_optional_bools(N)), list[Optional[bool]], calls)
    assert info.value.location == f"$[{N - 1}]"
    assert calls[0] <= FEW  # the N - 1 readable elements before it are not converted one by one


def test_a_bad_value_deep_inside_nested_columns_fails_at_once_with_its_path(ctx: TransformContext, calls: list[int]) -> None:
    inner = _hostile_optional_bools(N)
    lists = ListColumn([N - 10, 10], inner)  # two lists; the bad element is the last of the second
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, _collection(lists), list[list[Optional[bool]]], calls)
    assert info.value.location == "$[1][9]"
    assert calls[0] <= FEW
    maps = MapColumn([("a", "b")], None, inner, N // 2)
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, _collection(maps), list[dict[str, Optional[bool]]], calls)
    assert info.value.location == f"$[{N // 2 - 1}]['b']"
    assert calls[0] <= FEW
    top = wire.loads(wire.dumps(Literal(map=LiteralMap(PackedLiteralMap.of([f"k{i}" for i in range(N)], inner)))))
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, top, dict[str, Optional[bool]], calls)
    assert info.value.location == f"$['k{N - 1}']"
    assert calls[0] <= FEW


def test_a_fraction_among_whole_floats_read_as_ints_fails_at_once(ctx: TransformContext, calls: list[int]) -> None:
    floats = PrimitiveColumn("float_value", [1.0] * (N - 1) + [2.5])
    for t in (list[int], list[Optional[int]]):
        with pytest.raises(TypeTransformerFailedError) as info:
            _read(ctx, _collection(floats), t, calls)
        assert info.value.location == f"$[{N - 1}]"
        assert calls[0] <= FEW


def test_an_unknown_enum_value_at_the_end_fails_at_once(ctx: TransformContext, calls: list[int]) -> None:
    import enum

    class Color(str, enum.Enum):
        RED = "red"

    strings = PrimitiveColumn("string_value", ["red"] * (N - 1) + ["pink"])
    for t in (list[Color], list[Optional[Color]]):
        with pytest.raises(TypeTransformerFailedError) as info:
            _read(ctx, _collection(strings), t, calls)
        assert info.value.location == f"$[{N - 1}]"
        assert calls[0] <= FEW


def test_elements_that_go_to_different_variants_cost_a_bounded_number_of_conversions(
    ctx: TransformContext, calls: list[int]
) -> None:
    # int reads the whole floats and float the rest: only one element at a time can tell which
    floats = PrimitiveColumn("float_value", [1.0, 2.5] * (N // 2))
    back = _read(ctx, _collection(floats), list[Union[int, float]], calls)
    assert back[:2] == [1, 2.5] and type(back[0]) is int
    assert calls[0] <= 2 * N + FEW  # each element: int, then float if int refuses it


def test_many_stored_variants_cost_a_bounded_number_of_conversions(ctx: TransformContext, calls: list[int]) -> None:
    # N bools, then 254 variants of assorted kinds, four elements each, none of them a bool
    kinds = [(BOOL, _bools(N))] + [
        (_variant(SimpleType.STRING, f"s{i}"), PrimitiveColumn("string_value", ["x"] * 4))
        if i % 3 == 0
        else (_variant(SimpleType.INTEGER, f"i{i}"), PrimitiveColumn("integer", [1, 2, 3, 4]))
        if i % 3 == 1
        else (_variant(SimpleType.DURATION, f"d{i}"), PrimitiveColumn("duration", [dt.timedelta(1)] * 4))
        for i in range(1, 255)
    ]
    index = bytes(N) + bytes(range(1, 255)) * 4
    column = UnionColumn([k for k, _ in kinds], index, [c for _, c in kinds])
    with pytest.raises(TypeTransformerFailedError) as info:
        _read(ctx, _collection(column), list[Optional[bool]], calls)
    assert info.value.location == f"$[{N}]"
    assert calls[0] <= FEW
