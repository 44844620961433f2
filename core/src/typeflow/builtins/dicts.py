"""Dicts: ``Dict[str, V]`` → map literal; every other dict → msgpack ``Binary`` (as flytekit).

Three forms, chosen by the declared type:

* ``Dict[str, V]`` (V not ``Any``): a map literal of ``V`` literals, packed
  when ``V``'s transformer can pack;
* ``Dict[K, V]`` with a key type other than ``str``: ``V`` still counts. The
  value is checked against the type (path in errors, ``$[2]``) and written
  with mashumaro's msgpack codec for ``Dict[K, V]``, so enums, datetimes and
  dataclasses among the values come back as themselves;
* untyped ``dict`` / ``Dict[K, Any]``: plain msgpack of the value.

``Annotated[dict, {"allow_pickle": True}]`` (flytekit's
``kwtypes(allow_pickle=True)``) writes flytekit's pickle-dict form when
msgpack cannot hold the value and a fallback plugin (typeflow-pickle) is
installed. Reading also takes what Flyte produces elsewhere: a ``generic``
struct as an untyped dict, and a map's msgpack ``Binary``.
"""

from __future__ import annotations

import array
import threading
import typing
from bisect import bisect_right
from collections.abc import Callable, Mapping
from itertools import chain, repeat
from typing import Any, get_args

import msgpack

from typeflow.columns import Column, MapColumn, PrimitiveColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Binary, Literal, LiteralMap, LiteralType, PackedLiteralMap, Scalar, SimpleType
from typeflow.storage import deleted_on_failure
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from . import json_forms, pickled_dicts
from .flyte_forms import MSGPACK_ANNOTATION, msgpack_bytes, read_msgpack
from .packing import CannotPack, ElementFailed, check_types, pack, try_pack, try_unpack, unpack
from .simple import literal_kind
from .validate import checker

__all__ = ["DictTransformer", "allows_pickle"]

MAP, KEYED, UNTYPED = "map", "keyed", "untyped"


def _is_untyped_value(t: Any) -> bool:
    return t is typing.Any or t is object


def allows_pickle(t: Any) -> bool:
    """Whether ``Annotated[dict, {"allow_pickle": True}]`` (flytekit's ``kwtypes(allow_pickle=True)``) says so."""
    return any(isinstance(a, Mapping) and a.get("allow_pickle") is True for a in strip_annotated(t)[1])


class DictTransformer(TypeTransformer[dict[Any, Any]]):
    """``Dict[str, V]`` → map literal; ``Dict[K, V]``, untyped ``dict`` and ``Dict[K, Any]`` → msgpack ``Binary``."""

    def __init__(self) -> None:
        super().__init__("Typed Dict", dict)
        self._encoders: dict[Any, Callable[[Any], bytes]] = {}
        self._lock = threading.Lock()

    @staticmethod
    def key_value_types(t: Any) -> tuple[Any, Any] | None:
        """``(K, V)`` of a typed dict whose values have a type, else ``None``."""
        args = get_args(strip_annotated(t)[0])
        if len(args) != 2 or _is_untyped_value(args[1]):
            return None
        return args[0], args[1]

    def form(self, t: Any) -> str:
        kv = self.key_value_types(t)
        if kv is None:
            return UNTYPED
        return MAP if strip_annotated(kv[0])[0] is str else KEYED

    def _encoder(self, t: Any) -> Callable[[Any], bytes]:
        inner = strip_annotated(t)[0]
        encode = self._encoders.get(inner)
        if encode is None:
            from mashumaro.codecs.msgpack import MessagePackEncoder

            with self._lock:
                try:
                    encode = self._encoders[inner] = MessagePackEncoder(inner).encode
                except Exception as exc:
                    raise TypeTransformerFailedError(
                        f"a dict of this type cannot be written ({type(exc).__name__}: {exc})",
                        python_type=t,
                        hint="use keys and values of types a dataclass field may hold, or Dict[str, V]",
                    ) from None
        return encode

    def get_literal_type(self, t: Any) -> LiteralType:
        form = self.form(t)
        if form == MAP:
            return LiteralType(map_value_type=self.engine.to_literal_type(self.key_value_types(t)[1]))  # type: ignore[index]
        if form == KEYED:
            self._encoder(t)  # refuse unsupported key or value types when the type is built
        return LiteralType(simple=SimpleType.STRUCT, annotation=MSGPACK_ANNOTATION)

    # ------------------------------------------------------------------ writing

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if not isinstance(python_val, dict):
            raise TypeTransformerFailedError("expected a dict", python_type=python_type, value=python_val)
        if self.form(python_type) == MAP:
            return self._to_map(ctx, python_val, python_type, expected)
        if json_forms.writes_json(ctx):
            return self._to_json(ctx, python_val, python_type)
        try:
            data = self._msgpack_bytes(python_val, python_type)
        except _NotMsgpack as exc:
            if allows_pickle(python_type):
                return pickled_dicts.write(ctx, python_val, python_type)
            raise TypeTransformerFailedError(
                f"the dict cannot be written as msgpack ({exc})",
                python_type=python_type,
                hint="declare Dict[str, T] with a concrete T, use a dataclass, or allow pickling with "
                'Annotated[dict, {"allow_pickle": True}] and typeflow-pickle installed',
            ) from None
        return Literal(scalar=Scalar(binary=Binary(data, "msgpack")))

    def _to_json(self, ctx: TransformContext, value: dict[Any, Any], python_type: Any) -> Literal:
        """flytekit 1.13's form of a dict that is not a map: its JSON struct (see :mod:`.json_forms`)."""
        typed = self.form(python_type) == KEYED
        if typed:
            checker(strip_annotated(python_type)[0])(value)
        try:
            return json_forms.dict_literal(value, python_type, typed=typed)
        except json_forms.NotJson as exc:
            if allows_pickle(python_type):
                return pickled_dicts.write(ctx, value, python_type)
            raise TypeTransformerFailedError(
                f"flytekit 1.13 reads dicts as JSON, and this one has no JSON form ({exc})",
                python_type=python_type,
                hint="use JSON values, write it for flytekit 1.14 or later (the default profile), or allow pickling with "
                'Annotated[dict, {"allow_pickle": True}] and typeflow-pickle installed',
            ) from None

    def _msgpack_bytes(self, value: dict[Any, Any], python_type: Any) -> bytes:
        """The msgpack form of an untyped or non-str-keyed dict (checked against its type first)."""
        if self.form(python_type) == KEYED:
            checker(strip_annotated(python_type)[0])(value)  # the encoder writes whatever it is given
            encode = self._encoder(python_type)
        else:
            encode = _plain_msgpack
        try:
            return encode(value)
        except Exception as exc:
            raise _NotMsgpack(f"{type(exc).__name__}: {exc}") from None

    def _to_map(self, ctx: TransformContext, value: dict[Any, Any], python_type: Any, expected: LiteralType | None) -> Literal:
        if value and not set(map(type, value)) <= {str}:
            bad = next(k for k in value if not isinstance(k, str))
            raise TypeTransformerFailedError(
                "map keys must be str",
                python_type=python_type,
                value=bad,
                hint="declare Dict[K, V] with the key type the dict has",
            )
        value_type = self.key_value_types(python_type)[1]  # type: ignore[index]
        engine = ctx.engine
        element = engine.get_transformer(value_type)
        column = try_pack(ctx, element, list(value.values()), value_type)
        if column is not None:
            keys = list(value)
            if not set(map(type, keys)) <= {str}:
                keys = list(map(str.__str__, keys))  # the plain str of a str subclass, as one by one
            return Literal(map=LiteralMap(PackedLiteralMap.unchecked(keys, column)))
        value_lt = expected.map_value_type if expected is not None else None
        out = {}
        with deleted_on_failure(ctx.storage):  # a later value failing leaves no blob of the earlier ones
            for key, item in value.items():
                try:
                    out[str.__str__(key)] = engine.to_literal(ctx, item, value_type, value_lt)
                except TypeTransformerFailedError as exc:
                    raise exc.at(f"[{key!r}]") from exc.__cause__
        return Literal(map=LiteralMap(out))

    # ------------------------------------------------------------------ reading

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> dict[Any, Any]:
        if pickled_dicts.is_pickled_dict(lv):
            return pickled_dicts.read(ctx, lv, expected_python_type)
        form = self.form(expected_python_type)
        if form == MAP and lv.map is not None:
            return self._from_map(ctx, lv.map, expected_python_type)
        data = msgpack_bytes(lv)
        if data is not None:
            value: dict[Any, Any]
            value = _plain_unpack(data, expected_python_type) if form == UNTYPED else read_msgpack(data, expected_python_type)
            if not isinstance(value, dict):
                raise TypeTransformerFailedError("the msgpack data is not a map", python_type=expected_python_type)
            return value
        generic = lv.scalar.generic if lv.scalar is not None else None
        if generic is not None:  # Console inputs, flytekit 1.13's JSON dicts
            if form == UNTYPED:
                copied: dict[Any, Any] = _deep_copy(generic)
                return copied
            # as flytekit reads it: the struct through the decoder of the declared type (JSON keys are strings)
            typed: dict[Any, Any] = read_msgpack(_plain_msgpack(generic), expected_python_type)
            return typed
        raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a dict", python_type=expected_python_type)

    def _from_map(self, ctx: TransformContext, lm: LiteralMap, python_type: Any) -> dict[Any, Any]:
        value_type = self.key_value_types(python_type)[1]  # type: ignore[index]
        engine = ctx.engine
        element = engine.get_transformer(value_type)
        literals = lm.literals
        if isinstance(literals, PackedLiteralMap):
            keys = literals.raw_keys
            values = try_unpack(ctx, element, literals.column, value_type, lambda position: f"[{keys[position]!r}]")
            if values is not None:
                return dict(zip(keys, values))
        out = {}
        for key, item in literals.items():
            try:
                out[key] = engine.to_python_value(ctx, item, value_type)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{key!r}]") from exc.__cause__
        return out

    # ------------------------------------------------------------------ packed lists of dicts

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """Maps as their distinct key tuples, which one each has, and one column of all their values;
        other dicts as one column of their msgpack bytes."""
        _check_subclasses(values, dict, "dicts")
        form = self.form(python_type)
        if form != MAP and json_forms.writes_json(ctx):
            raise CannotPack("flytekit 1.13 reads each dict as its own JSON struct")
        if form != MAP:
            try:
                encoded = tuple(self._msgpack_bytes(v, python_type) for v in values)
            except _NotMsgpack as exc:
                raise ValueError(str(exc)) from None  # one by one, which pickles if allowed or says why not
            return PrimitiveColumn.unchecked("binary", encoded, "msgpack")
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
        child = pack(ctx, list(chain.from_iterable(map(dict.values, values))), self.key_value_types(python_type)[1])  # type: ignore[index]
        return MapColumn.unchecked(shapes, index, child, len(values))

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        form = self.form(python_type)
        if form != MAP:
            if isinstance(column, PrimitiveColumn) and column.kind == "binary" and column.tag == "msgpack":
                if form == UNTYPED:
                    return [_plain_unpack(v, python_type) for v in column.values]
                return [read_msgpack(v, python_type) for v in column.values]
            return None
        if not isinstance(column, MapColumn):
            return None
        child = column.child
        try:
            values = iter(unpack(ctx, child, self.key_value_types(python_type)[1]))  # type: ignore[index]
        except ElementFailed as exc:
            if exc.column is not child:
                raise
            offsets = column.offsets()
            owner = bisect_right(offsets, exc.position) - 1  # the map that holds the child's element
            keys = column.shapes[0] if column.index is None else column.shapes[column.index[owner]]
            raise ElementFailed(column, owner, exc.error.at(f"[{keys[exc.position - offsets[owner]]!r}]")) from None
        return list(map(dict, map(zip, column.keys_of(), repeat(values))))

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        """Map literals for ``Dict[str, V]``, and msgpack binaries (every other dict; Flyte's form of a map)."""
        if self.form(python_type) == MAP:
            return (("map", ""), ("binary", "msgpack"))
        return (("binary", "msgpack"),)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.map_value_type is not None:
            return dict[str, self.engine.guess_python_type(literal_type.map_value_type)]  # type: ignore[misc]
        if literal_type.simple == SimpleType.STRUCT and literal_type.metadata is None and literal_type.structure is None:
            return dict
        raise ValueError("not a map type")


class _NotMsgpack(Exception):
    """msgpack cannot hold the dict (the reason is the message)."""


def _check_subclasses(values: list[Any], base: type, what: str) -> None:
    if values and not all(issubclass(t, base) for t in set(map(type, values))):
        raise TypeError(f"not all {what}")


def _plain_msgpack(value: Any) -> bytes:
    data: bytes = msgpack.packb(value, use_bin_type=True, datetime=False)
    return data


def _plain_unpack(data: bytes, python_type: Any) -> Any:
    try:
        return msgpack.unpackb(data, raw=False, strict_map_key=False, timestamp=0)
    except Exception as exc:
        raise TypeTransformerFailedError(f"corrupt msgpack dict: {exc}", python_type=python_type) from None


def _deep_copy(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _deep_copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_deep_copy(v) for v in value]
    return value
