"""Packed forms: a collection or map of primitives held as one array of raw values.

A packed collection reads, iterates and compares exactly like the expanded
tuple of :class:`~typeflow.literals.Literal` objects; element literals are
built only on demand. This is where most of the speed for large lists and maps
comes from.
"""

from __future__ import annotations

import array
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, overload

if TYPE_CHECKING:
    from typeflow.literals import Literal

__all__ = ["PACKED_KINDS", "PackedLiteralMap", "PackedLiterals", "pack_values"]


#: kinds a packed collection or map may hold, with the Python type of their raw values
PACKED_KINDS: dict[str, type] = {
    "integer": int,
    "float_value": float,
    "string_value": str,
    "boolean": bool,
    "binary": bytes,
}
_ARRAY_CODES = {"integer": "q", "float_value": "d"}


def _element(kind: str, tag: str, value: Any) -> Literal:
    from typeflow.literals import Binary, Literal, Primitive, Scalar

    if kind == "binary":
        return Literal(scalar=Scalar(binary=Binary(value, tag)))
    return Literal(scalar=Scalar(primitive=Primitive(**{kind: value})))


def pack_values(kind: str, values: Sequence[Any]) -> Sequence[Any]:
    """Store ``values`` for a packed kind: a typed array for numbers, a tuple otherwise.

    Raises ``TypeError``/``OverflowError`` when a value does not fit the kind.
    """
    code = _ARRAY_CODES.get(kind)
    if code is not None:
        if isinstance(values, array.array) and values.typecode == code:
            return values
        return array.array(code, values)
    held = tuple(values)
    if held and not set(map(type, held)) <= {PACKED_KINDS[kind]}:
        raise TypeError(f"packed {kind} values must all be {PACKED_KINDS[kind].__name__}")
    return held


class PackedLiterals(Sequence["Literal"]):
    """A collection of primitives (or tagged binaries) held as one array.

    Indexing and iteration build the element :class:`Literal` on demand, and a
    packed collection compares equal to the expanded tuple of literals.
    ``values`` exposes the raw values (an ``array.array`` for ``integer`` and
    ``float_value``, a tuple otherwise); treat it as read-only.
    """

    __slots__ = ("kind", "tag", "values")

    def __init__(self, kind: str, values: Sequence[Any], tag: str = "") -> None:
        if kind not in PACKED_KINDS:
            raise ValueError(f"PackedLiterals: unknown kind {kind!r}; expected one of {sorted(PACKED_KINDS)}")
        if tag and kind != "binary":
            raise ValueError("PackedLiterals: only the binary kind takes a tag")
        self.kind = kind
        self.tag = tag
        self.values = pack_values(kind, values)

    def __len__(self) -> int:
        return len(self.values)

    @overload
    def __getitem__(self, index: int) -> Literal: ...
    @overload
    def __getitem__(self, index: slice) -> tuple[Literal, ...]: ...
    def __getitem__(self, index: int | slice) -> Literal | tuple[Literal, ...]:
        if isinstance(index, slice):
            return tuple(_element(self.kind, self.tag, v) for v in self.values[index])
        return _element(self.kind, self.tag, self.values[index])

    def __iter__(self) -> Iterator[Literal]:
        kind, tag = self.kind, self.tag
        return (_element(kind, tag, v) for v in self.values)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedLiterals):
            if self.kind == other.kind and self.tag == other.tag:
                return self.values == other.values
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        if isinstance(other, Sequence) and not isinstance(other, (str, bytes)):
            return len(self) == len(other) and all(a == b for a, b in zip(self, other))
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedLiterals({self.kind!r}, <{len(self)} values>)"


class PackedLiteralMap(Mapping[str, "Literal"]):
    """A map of str keys to primitives held as raw values; reads like ``dict[str, Literal]``."""

    __slots__ = ("_by_key", "kind", "raw_keys", "raw_values", "tag")

    def __init__(self, kind: str, keys: Sequence[str], values: Sequence[Any], tag: str = "") -> None:
        if kind not in PACKED_KINDS:
            raise ValueError(f"PackedLiteralMap: unknown kind {kind!r}; expected one of {sorted(PACKED_KINDS)}")
        keys = tuple(keys)
        values = pack_values(kind, values)
        if len(keys) != len(values):
            raise ValueError("PackedLiteralMap: keys and values differ in length")
        self.kind = kind
        self.tag = tag
        self.raw_keys = keys
        self.raw_values = values
        self._by_key: dict[str, int] | None = None

    def raw(self) -> dict[str, Any]:
        """A new ``dict`` of key to raw value."""
        return dict(zip(self.raw_keys, self.raw_values.tolist() if isinstance(self.raw_values, array.array) else self.raw_values))

    def __getitem__(self, key: str) -> Literal:
        index = self._index().get(key)
        if index is None:
            raise KeyError(key)
        return _element(self.kind, self.tag, self.raw_values[index])

    def _index(self) -> dict[str, int]:
        if self._by_key is None:
            self._by_key = {k: i for i, k in enumerate(self.raw_keys)}
        return self._by_key

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw_keys)

    def __len__(self) -> int:
        return len(self.raw_keys)

    def items(self) -> Any:
        kind, tag = self.kind, self.tag
        return [(k, _element(kind, tag, v)) for k, v in zip(self.raw_keys, self.raw_values)]

    def __eq__(self, other: object) -> bool:
        if isinstance(other, PackedLiteralMap) and self.kind == other.kind and self.tag == other.tag:
            return self.raw() == other.raw()
        if isinstance(other, Mapping):
            return len(self) == len(other) and all(k in other and other[k] == v for k, v in self.items())
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"PackedLiteralMap({self.kind!r}, <{len(self)} entries>)"
