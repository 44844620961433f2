"""``List[T]`` → collection literal; ``Dict[str, T]`` → map literal; other dicts → msgpack.

Lists and maps of every built-in element kind are held packed (one column, see
:mod:`typeflow.columns`), lists of lists and of maps included. A bad element
is reported with its path (``$[2]``, ``$['key']``), found by a second,
per-element pass only after the fast pass failed.
"""

from __future__ import annotations

import array
import typing
from itertools import chain, islice, repeat
from typing import Any, get_args

import msgpack

from typeflow.columns import Column, ListColumn, MapColumn, PrimitiveColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import (
    Binary,
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiteralMap,
    PackedLiterals,
    Scalar,
    SimpleType,
)
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .packing import CannotPack, check_types, pack, try_pack, try_unpack, unpack
from .simple import literal_kind

#: how flytekit marks a STRUCT literal type serialised with msgpack
MSGPACK_ANNOTATION = {"cache-key-metadata": {"serialization-format": "msgpack"}}


def _check_subclasses(values: list[Any], base: type, what: str) -> None:
    if values and not all(issubclass(t, base) for t in set(map(type, values))):
        raise TypeError(f"not all {what}")


class ListTransformer(TypeTransformer[list[Any]]):
    """``List[T]``: a collection literal whose elements are ``T`` literals."""

    def __init__(self) -> None:
        super().__init__("Typed List", list)

    @staticmethod
    def element_type(t: Any) -> tuple[Any, tuple[Any, ...]]:
        inner, annotations = strip_annotated(t)
        args = get_args(inner)
        if len(args) != 1:
            raise TypeTransformerFailedError(
                "a list needs its element type", python_type=t, hint="declare it as List[T] or list[T]"
            )
        return args[0], annotations

    def get_literal_type(self, t: Any) -> LiteralType:
        element, _ = self.element_type(t)
        return LiteralType(collection_type=self.engine.to_literal_type(element))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if type(python_val) is not list:
            raise TypeTransformerFailedError("expected a list", python_type=python_type, value=python_val)
        element_type, annotations = self.element_type(python_type)
        engine = ctx.engine
        element = engine.get_transformer(element_type)
        whole = getattr(element, "to_literal_collection", None)
        if whole is not None:
            return whole(ctx, python_val, element_type, annotations)  # type: ignore[no-any-return]
        column = try_pack(ctx, element, python_val, element_type)
        if column is not None:
            return Literal(collection=LiteralCollection(PackedLiterals.of(column)))
        element_lt = expected.collection_type if expected is not None else None
        out = []
        for i, value in enumerate(python_val):
            try:
                out.append(engine.to_literal(ctx, value, element_type, element_lt))
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from exc.__cause__
        return Literal(collection=LiteralCollection(tuple(out)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> list[Any]:
        if lv.collection is None:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a list", python_type=expected_python_type)
        element_type, annotations = self.element_type(expected_python_type)
        engine = ctx.engine
        element = engine.get_transformer(element_type)
        whole = getattr(element, "to_python_collection", None)
        if whole is not None:
            return whole(ctx, lv, element_type, annotations)  # type: ignore[no-any-return]
        literals = lv.collection.literals
        if isinstance(literals, PackedLiterals):
            values = try_unpack(ctx, element, literals.column, element_type)
            if values is not None:
                return values
        out = []
        for i, item in enumerate(literals):
            try:
                out.append(engine.to_python_value(ctx, item, element_type))
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from exc.__cause__
        return out

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """Lists of ``python_type`` as one length each and one column of all their elements."""
        element_type, _ = self.element_type(python_type)
        if getattr(ctx.engine.get_transformer(element_type), "to_literal_collection", None) is not None:
            raise CannotPack("its elements convert whole lists at once")
        check_types(values, {list}, "lists")
        lengths = array.array("q", map(len, values))
        return ListColumn.unchecked(lengths, pack(ctx, list(chain.from_iterable(values)), element_type))

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if not isinstance(column, ListColumn):
            return None
        element_type, _ = self.element_type(python_type)
        elements = iter(unpack(ctx, column.child, element_type))
        return list(map(list, map(islice, repeat(elements), column.lengths)))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.collection_type is None:
            raise ValueError("not a collection type")
        return list[self.engine.guess_python_type(literal_type.collection_type)]  # type: ignore[misc]


def _is_untyped_value(t: Any) -> bool:
    return t is typing.Any or t is object


class DictTransformer(TypeTransformer[dict[Any, Any]]):
    """``Dict[str, T]`` → map literal; untyped ``dict``, ``Dict[str, Any]`` and non-str keys → msgpack ``Binary``."""

    def __init__(self) -> None:
        super().__init__("Typed Dict", dict)

    @staticmethod
    def key_value_types(t: Any) -> tuple[Any, Any] | None:
        """``(str, V)`` for a typed map, ``None`` for the msgpack form."""
        args = get_args(strip_annotated(t)[0])
        if len(args) != 2 or strip_annotated(args[0])[0] is not str or _is_untyped_value(args[1]):
            return None
        return args[0], args[1]

    def get_literal_type(self, t: Any) -> LiteralType:
        kv = self.key_value_types(t)
        if kv is None:
            return LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK_ANNOTATION)
        return LiteralType(map_value_type=self.engine.to_literal_type(kv[1]))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if not isinstance(python_val, dict):
            raise TypeTransformerFailedError("expected a dict", python_type=python_type, value=python_val)
        kv = self.key_value_types(python_type)
        if kv is None:
            return self._to_msgpack(python_val, python_type)
        if python_val and not set(map(type, python_val)) <= {str}:
            bad = next(k for k in python_val if not isinstance(k, str))
            raise TypeTransformerFailedError(
                "map keys must be str",
                python_type=python_type,
                value=bad,
                hint="use Dict[K, V] with K other than str for msgpack",
            )
        value_type = kv[1]
        engine = ctx.engine
        element = engine.get_transformer(value_type)
        column = try_pack(ctx, element, list(python_val.values()), value_type)
        if column is not None:
            keys = list(python_val)
            if not set(map(type, keys)) <= {str}:
                keys = list(map(str.__str__, keys))  # the plain str of a str subclass, as one by one
            return Literal(map=LiteralMap(PackedLiteralMap.unchecked(keys, column)))
        value_lt = expected.map_value_type if expected is not None else None
        out = {}
        for key, value in python_val.items():
            try:
                out[str.__str__(key)] = engine.to_literal(ctx, value, value_type, value_lt)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{key!r}]") from exc.__cause__
        return Literal(map=LiteralMap(out))

    @staticmethod
    def _msgpack_bytes(value: dict[Any, Any], python_type: Any) -> bytes:
        try:
            data: bytes = msgpack.packb(value, use_bin_type=True, datetime=False)
        except (TypeError, ValueError, OverflowError) as exc:
            raise TypeTransformerFailedError(
                f"untyped dict is not msgpack-serialisable ({exc})",
                python_type=python_type,
                hint="declare Dict[str, T] with a concrete T, or use a dataclass",
            ) from None
        return data

    def _to_msgpack(self, value: dict[Any, Any], python_type: Any) -> Literal:
        return Literal(scalar=Scalar(binary=Binary(self._msgpack_bytes(value, python_type), "msgpack")))

    @staticmethod
    def _from_msgpack(data: bytes, python_type: Any) -> dict[Any, Any]:
        try:
            value = msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=0)
        except Exception as exc:
            raise TypeTransformerFailedError(f"corrupt msgpack dict: {exc}", python_type=python_type) from None
        if not isinstance(value, dict):
            raise TypeTransformerFailedError("msgpack data is not a map", python_type=python_type)
        return value

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> dict[Any, Any]:
        kv = self.key_value_types(expected_python_type)
        if kv is None:
            b = lv.scalar.binary if lv.scalar is not None else None
            if b is None or b.tag != "msgpack":
                raise TypeTransformerFailedError(
                    f"cannot read {literal_kind(lv)} as an untyped dict", python_type=expected_python_type
                )
            return self._from_msgpack(b.value, expected_python_type)
        if lv.map is None:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a dict", python_type=expected_python_type)
        value_type = kv[1]
        engine = ctx.engine
        element = engine.get_transformer(value_type)
        literals = lv.map.literals
        if isinstance(literals, PackedLiteralMap):
            values = try_unpack(ctx, element, literals.column, value_type)
            if values is not None:
                return dict(zip(literals.raw_keys, values))
        out = {}
        for key, item in literals.items():
            try:
                out[key] = engine.to_python_value(ctx, item, value_type)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{key!r}]") from exc.__cause__
        return out

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """Maps as their distinct key tuples, which one each has, and one column of all their values."""
        _check_subclasses(values, dict, "dicts")
        kv = self.key_value_types(python_type)
        if kv is None:
            return PrimitiveColumn.unchecked("binary", tuple(self._msgpack_bytes(v, python_type) for v in values), "msgpack")
        shapes_of = list(map(tuple, values))
        first = shapes_of[0] if shapes_of else ()
        index: array.array[int] | None = None
        if shapes_of.count(first) == len(shapes_of):  # records: every map has the same keys in the same order
            shapes: tuple[tuple[str, ...], ...] = (first,)
        else:
            shapes = tuple(dict.fromkeys(shapes_of))
            number = {shape: i for i, shape in enumerate(shapes)}
            index = array.array("q", map(number.__getitem__, shapes_of))
        for shape in shapes:
            check_types(shape, {str}, "str keys")  # others (and str subclasses) go one by one
        child = pack(ctx, list(chain.from_iterable(map(dict.values, values))), kv[1])
        return MapColumn.unchecked(shapes, index, child, len(values))

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        kv = self.key_value_types(python_type)
        if kv is None:
            if isinstance(column, PrimitiveColumn) and column.kind == "binary" and column.tag == "msgpack":
                return [self._from_msgpack(v, python_type) for v in column.values]
            return None
        if not isinstance(column, MapColumn):
            return None
        values = iter(unpack(ctx, column.child, kv[1]))
        return list(map(dict, map(zip, column.keys_of(), repeat(values))))

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.map_value_type is not None:
            return dict[str, self.engine.guess_python_type(literal_type.map_value_type)]  # type: ignore[misc]
        if literal_type.simple == SimpleType.STRUCT and literal_type.metadata is None:
            return dict
        raise ValueError("not a map type")
