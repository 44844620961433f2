"""``List[T]`` → collection literal; ``Dict[str, T]`` → map literal; other dicts → msgpack.

Lists and maps of primitives (and of dataclasses) are held packed: one array
of raw values. A bad element is reported with its path (``$[2]``,
``$['key']``), found by a second, per-element pass only after the fast pass
failed.
"""

from __future__ import annotations

import typing
from collections.abc import Sequence
from typing import Any, get_args

import msgpack

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
from typeflow.packed import pack_values
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .simple import literal_kind

#: how flytekit marks a STRUCT literal type serialised with msgpack
MSGPACK_ANNOTATION = {"cache-key-metadata": {"serialization-format": "msgpack"}}


def packer_for(element: TypeTransformer[Any], element_type: Any) -> str | None:
    """The packed kind a list/map of ``element_type`` uses, if it can be packed."""
    kind: str | None = getattr(element, "packed_kind", None)
    if kind is None or strip_annotated(element_type)[1]:
        return None  # annotated elements (HashMethod, …) need per-element literals
    return kind


def pack(element: Any, values: list[Any], element_type: Any, path: Any) -> tuple[str, Sequence[Any]]:
    """Pack ``values`` through ``element``'s fast path, or find the bad one and say where."""
    kind = element.packed_kind
    try:
        return kind, pack_values(kind, element.pack_many(values, element_type))
    except (TypeError, ValueError, OverflowError):  # includes TypeTransformerFailedError
        pass
    raw = []
    for key, value in zip(path, values):
        try:
            raw.append(element.to_raw(value, element_type))
        except TypeTransformerFailedError as exc:
            raise exc.at(key) from exc.__cause__
    return kind, pack_values(kind, raw)


def _index_paths(n: int) -> Any:
    return (f"[{i}]" for i in range(n))


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
        kind = packer_for(element, element_type)
        if kind is not None:
            kind, raw = pack(element, python_val, element_type, _index_paths(len(python_val)))
            return Literal(collection=LiteralCollection(PackedLiterals(kind, raw, getattr(element, "packed_tag", ""))))
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
        if (
            isinstance(literals, PackedLiterals)
            and literals.kind == packer_for(element, element_type)
            and literals.tag == getattr(element, "packed_tag", "")
        ):
            return element.unpack_many(literals.values, element_type)  # type: ignore[no-any-return,attr-defined]
        out = []
        for i, item in enumerate(literals):
            try:
                out.append(engine.to_python_value(ctx, item, element_type))
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from exc.__cause__
        return out

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
        kind = packer_for(element, value_type)
        if kind is not None:
            keys = list(python_val)
            kind, raw = pack(element, list(python_val.values()), value_type, (f"[{k!r}]" for k in keys))
            return Literal(map=LiteralMap(PackedLiteralMap(kind, keys, raw, getattr(element, "packed_tag", ""))))
        value_lt = expected.map_value_type if expected is not None else None
        out = {}
        for key, value in python_val.items():
            try:
                out[str.__str__(key)] = engine.to_literal(ctx, value, value_type, value_lt)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{key!r}]") from exc.__cause__
        return Literal(map=LiteralMap(out))

    def _to_msgpack(self, value: dict[Any, Any], python_type: Any) -> Literal:
        try:
            data = msgpack.packb(value, use_bin_type=True, datetime=False)
        except (TypeError, ValueError, OverflowError) as exc:
            raise TypeTransformerFailedError(
                f"untyped dict is not msgpack-serialisable ({exc})",
                python_type=python_type,
                hint="declare Dict[str, T] with a concrete T, or use a dataclass",
            ) from None
        return Literal(scalar=Scalar(binary=Binary(data, "msgpack")))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> dict[Any, Any]:
        kv = self.key_value_types(expected_python_type)
        if kv is None:
            b = lv.scalar.binary if lv.scalar is not None else None
            if b is None or b.tag != "msgpack":
                raise TypeTransformerFailedError(
                    f"cannot read {literal_kind(lv)} as an untyped dict", python_type=expected_python_type
                )
            try:
                value = msgpack.unpackb(b.value, raw=False, strict_map_key=False, timestamp=0)
            except Exception as exc:
                raise TypeTransformerFailedError(f"corrupt msgpack dict: {exc}", python_type=expected_python_type) from None
            if not isinstance(value, dict):
                raise TypeTransformerFailedError("msgpack data is not a map", python_type=expected_python_type)
            return value
        if lv.map is None:
            raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a dict", python_type=expected_python_type)
        value_type = kv[1]
        engine = ctx.engine
        element = engine.get_transformer(value_type)
        literals = lv.map.literals
        if (
            isinstance(literals, PackedLiteralMap)
            and literals.kind == packer_for(element, value_type)
            and literals.tag == getattr(element, "packed_tag", "")
        ):
            return dict(zip(literals.raw_keys, element.unpack_many(literals.raw_values, value_type)))  # type: ignore[attr-defined]
        out = {}
        for key, item in literals.items():
            try:
                out[key] = engine.to_python_value(ctx, item, value_type)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{key!r}]") from exc.__cause__
        return out

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.map_value_type is not None:
            return dict[str, self.engine.guess_python_type(literal_type.map_value_type)]  # type: ignore[misc]
        if literal_type.simple == SimpleType.STRUCT and literal_type.metadata is None:
            return dict
        raise ValueError("not a map type")
