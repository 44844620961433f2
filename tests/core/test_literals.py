"""The literal model: one-of fields, immutability, equality by content."""

from __future__ import annotations

import dataclasses

import pytest

from typeflow.literals import (
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiterals,
    Primitive,
    Scalar,
    SimpleType,
)


def test_one_of_fields_are_enforced_at_construction() -> None:
    with pytest.raises(ValueError, match="exactly one"):
        Literal()
    with pytest.raises(ValueError, match="got scalar, collection"):
        Literal(scalar=Scalar(primitive=Primitive(integer=1)), collection=LiteralCollection())
    with pytest.raises(ValueError):
        LiteralType(simple=SimpleType.INTEGER, collection_type=LiteralType(simple=SimpleType.STRING))
    with pytest.raises(ValueError):
        Primitive(integer=1, string_value="x")


def test_primitive_values_are_checked() -> None:
    with pytest.raises(TypeError):
        Primitive(integer=True)
    with pytest.raises(TypeError):
        Primitive(integer=2**63)
    with pytest.raises(TypeError):
        Primitive(float_value=1)


def test_literals_are_frozen_slotted_and_unhashable() -> None:
    lit = Literal(scalar=Scalar(primitive=Primitive(integer=1)))
    with pytest.raises(dataclasses.FrozenInstanceError):
        lit.hash = "x"  # type: ignore[misc]
    assert not hasattr(lit, "__dict__")
    with pytest.raises(TypeError):
        hash(lit)


def test_equality_is_by_content_whatever_the_representation() -> None:
    a = Literal(map=LiteralMap.packed("string_value", ["k"], ["v"]))
    b = Literal(map=LiteralMap({"k": Literal(scalar=Scalar(primitive=Primitive(string_value="v")))}))
    assert a == b and b == a
    assert Literal(collection=LiteralCollection.packed("integer", [1])) != Literal(
        collection=LiteralCollection.packed("float_value", [1.0])
    )
    assert Literal(scalar=Scalar(primitive=Primitive(integer=1)), metadata={}) == Literal(
        scalar=Scalar(primitive=Primitive(integer=1))
    )


def test_packed_collections_read_like_sequences() -> None:
    packed = PackedLiterals("string_value", ["a", "b", "c"])
    assert len(packed) == 3
    assert [lit.scalar.primitive.string_value for lit in packed] == ["a", "b", "c"]  # type: ignore[union-attr]
    assert packed[-1].scalar.primitive.string_value == "c"  # type: ignore[union-attr]
    assert len(packed[1:]) == 2
    with pytest.raises(TypeError):
        PackedLiterals("string_value", ["a", 1])
    with pytest.raises(OverflowError):
        PackedLiterals("integer", [2**64])
