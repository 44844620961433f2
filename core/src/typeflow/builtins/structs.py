"""Dataclasses through mashumaro's msgpack codec.

A dataclass becomes ``Binary(tag="msgpack")`` with literal type ``STRUCT``
carrying the JSON Schema in ``metadata``. Codecs and checkers are built once
per class. A list of dataclasses is held packed (one array of msgpack
records). ``guess_python_type`` turns a schema back into a generated dataclass.

A field of a type mashumaro cannot write but the engine can (an array, a
frame, a ``File``, a pickled class, and ``Optional``/``List``/``Dict`` of
those) travels as its literal inside the record, in flytekit's form for file
and dataset fields (see :mod:`typeflow.fields`); a record holding one is
converted one by one, never packed, because each needs the context.
"""

from __future__ import annotations

import contextvars
import dataclasses
import threading
from collections.abc import Callable, Sequence
from typing import Any

import msgpack

from typeflow.columns import Column, PrimitiveColumn
from typeflow.errors import TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import Binary, Literal, LiteralType, Scalar, SimpleType, TypeStructure
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from . import json_forms
from .dataclass_schema import dataclass_from_schema, json_schema
from .dataclass_values import as_declared
from .flyte_forms import MSGPACK_ANNOTATION
from .packing import CannotPack, ElementFailed
from .simple import literal_kind
from .validate import checker, field_types

NoneType = type(None)


def _unpack(data: bytes) -> Any:
    return msgpack.unpackb(data, raw=False, strict_map_key=False)


def is_dataclass_type(cls: type) -> bool:
    return dataclasses.is_dataclass(cls)


# The context (and the encode walk's forms) of the record being converted, for the field strategies.
_active: contextvars.ContextVar[tuple[TransformContext, dict[int, Any] | None] | None] = contextvars.ContextVar(
    "typeflow_record_fields", default=None
)


def _current() -> tuple[TransformContext, dict[int, Any] | None]:
    active = _active.get()
    if active is None:
        raise TypeTransformerFailedError(
            "a record with fields of engine types is converted with a context (engine.to_literal / to_python_value)"
        )
    return active


class _Codec:
    __slots__ = ("check", "decode", "encode", "fields")
    encode: Callable[[Any], bytes]
    decode: Callable[[bytes], Any]

    def __init__(self, cls: type, engine: Any) -> None:
        from mashumaro.codecs.msgpack import MessagePackDecoder, MessagePackEncoder
        from mashumaro.exceptions import UnserializableField

        from typeflow.fields import RecordFields

        found = RecordFields(cls)
        self.fields = found if found.leaves else None
        options: dict[str, Any] = {}
        if self.fields is not None:
            from mashumaro.dialect import Dialect

            for leaf in self.fields.leaves:
                try:
                    engine.to_literal_type(leaf)  # a field type nothing handles is refused now, naming it
                except TypeflowError as exc:
                    raise TypeTransformerFailedError(
                        f"{cls.__qualname__} has a field of type {type_name(leaf)}, which neither mashumaro nor the "
                        f"engine can convert: {exc}",
                        python_type=cls,
                    ) from exc
            strategies = self.fields.strategies(_current)
            options["default_dialect"] = type(f"{cls.__name__}Fields", (Dialect,), {"serialization_strategy": strategies})
        try:
            self.encode = MessagePackEncoder(cls, **options).encode
            # int (or other non-str) dict keys: msgpack refuses them by default, and mashumaro writes them
            self.decode = MessagePackDecoder(cls, pre_decoder_func=_unpack, **options).decode
        except UnserializableField as exc:
            raise TypeTransformerFailedError(
                f"field {exc.field_name!r} of {cls.__qualname__} has type {exc.field_type!r}, which dataclasses "
                "cannot hold in typeflow",
                python_type=cls,
                hint="use int, float, str, bool, bytes, datetime types, enums, lists, dicts, Optional, nested dataclasses, "
                "or any type the engine converts",
            ) from None
        self.check = checker(cls)


class DataclassTransformer(TypeTransformer[Any]):
    """Any dataclass (matched by predicate) ↔ msgpack ``Binary``."""

    packed_tag = "msgpack"

    def __init__(self) -> None:
        super().__init__("Object-Dataclass-Transformer", object)
        self._codecs: dict[type, _Codec] = {}
        self._lock = threading.RLock()  # building a codec may type a field that is itself a record
        self._building = threading.local()  # dataclasses whose field literal types are being built, per thread

    def codec(self, t: Any) -> _Codec:
        cls = strip_annotated(t)[0]
        codec = self._codecs.get(cls)
        if codec is None:
            with self._lock:
                codec = self._codecs.get(cls)
                if codec is None:
                    codec = self._codecs[cls] = _Codec(cls, self.engine)
        return codec

    def get_literal_type(self, t: Any) -> LiteralType:
        cls = strip_annotated(t)[0]
        codec = self.codec(cls)  # refuse unsupported field types when the type is built, not when a value arrives
        return LiteralType(
            simple=SimpleType.STRUCT,
            metadata=self._schema(cls, codec),
            structure=TypeStructure(tag="", dataclass_type=self._field_literal_types(cls)),
            annotation=MSGPACK_ANNOTATION,
        )

    def _schema(self, cls: type, codec: _Codec) -> dict[str, Any] | None:
        if codec.fields is None:
            return json_schema(cls)
        return json_schema(cls, codec.fields.schema_plugin(self.engine), codec.fields.schema_stand_in)

    def _field_literal_types(self, cls: type) -> dict[str, LiteralType] | None:
        """Each field's literal type (``TypeStructure.dataclass_type``: Flyte resolves attribute access with it).

        A field whose type has no literal type is left out, as flytekit does; a
        dataclass met again while its own fields are being typed (a recursive
        one) gets none, so the recursion ends.
        """
        building: set[type] = self._building.__dict__.setdefault("classes", set())
        if cls in building:
            return None
        building.add(cls)
        try:
            engine = self.engine
            out = {}
            for name, field_type in field_types(cls).items():
                try:
                    out[name] = engine.to_literal_type(field_type)
                except TypeflowError:
                    continue
            return out
        finally:
            building.discard(cls)

    def assert_type(self, t: Any, v: Any) -> None:
        """``v`` is an instance (or subclass instance) of ``t``, a dataclass of its shape, or a dict of its fields."""
        as_declared(v, strip_annotated(t)[0], self.codec)

    def to_raw(self, value: Any, python_type: Any) -> bytes:
        cls, record = as_declared(value, strip_annotated(python_type)[0], self.codec)
        return self._encode(self.codec(cls), record, value, python_type)

    def _encode(self, codec: _Codec, record: Any, value: Any, python_type: Any) -> bytes:
        codec.check(record)
        try:
            data: bytes = codec.encode(record)
        except RecursionError:
            raise TypeTransformerFailedError("recursive structure cannot be encoded", python_type=python_type) from None
        except Exception as exc:
            raise TypeTransformerFailedError(f"cannot encode: {exc}", python_type=python_type, value=value) from None
        return data

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """One msgpack record per dataclass, in one binary column."""
        cls = strip_annotated(python_type)[0]
        codec = self.codec(python_type)
        if codec.fields is not None:
            raise CannotPack("records with engine-typed fields convert one by one, each with the context")
        if json_forms.writes_json(ctx):
            raise CannotPack("flytekit 1.13 reads each record as its own JSON struct")
        check, encode = codec.check, codec.encode
        try:
            records = []
            for value in values:
                if type(value) is cls:
                    check(value)
                    records.append(encode(value))
                else:  # a subclass, another dataclass of the shape, a dict
                    records.append(self.to_raw(value, python_type))
            return PrimitiveColumn.unchecked("binary", tuple(records), "msgpack")
        except RecursionError:  # one by one, the element says what is wrong
            raise TypeError("recursive structure") from None

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        cls, record = as_declared(python_val, strip_annotated(python_type)[0], self.codec)
        codec = self.codec(cls)  # a subclass's own: its fields (engine-typed ones too) are written
        if codec.fields is None and json_forms.writes_json(ctx):
            codec.check(record)
            return json_forms.dataclass_literal(record, cls, python_type)
        if codec.fields is None:
            data = self._encode(codec, record, python_val, python_type)
        else:
            data = self._encode_with_fields(ctx, codec, record, python_type)
        return Literal(scalar=Scalar(binary=Binary(data, "msgpack")))

    def _encode_with_fields(self, ctx: TransformContext, codec: _Codec, value: Any, python_type: Any) -> bytes:
        """Convert the engine-typed fields first (errors at their path), then write the record around their forms.

        A record failing after some of its fields were uploaded deletes those blobs.
        """
        from typeflow.storage import deleted_on_failure

        assert codec.fields is not None
        codec.check(value)
        try:
            with deleted_on_failure(ctx.storage):
                forms = codec.fields.encode_walk(ctx, value)
                token = _active.set((ctx, forms))
                try:
                    data: bytes = codec.encode(value)
                finally:
                    _active.reset(token)
        except Exception as exc:
            if isinstance(exc, TypeflowError):
                raise
            raise TypeTransformerFailedError(f"cannot encode: {exc}", python_type=python_type, value=value) from None
        return data

    def _decode(self, codec: _Codec, data: bytes, python_type: Any) -> Any:
        try:
            return codec.decode(data)
        except Exception as exc:
            err = TypeTransformerFailedError(f"cannot decode msgpack record: {_decode_reason(exc)}", python_type=python_type)
            field = getattr(exc, "field_name", None)
            if field:
                err.at(f".{field}")
            raise err from None

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if self.codec(python_type).fields is not None:
            return None  # each record reads its fields with the context, one by one
        if not (isinstance(column, PrimitiveColumn) and column.kind == "binary" and column.tag == "msgpack"):
            return None
        codec = self.codec(python_type)
        decode = codec.decode
        values: Sequence[bytes] = column.values
        try:
            return [decode(v) for v in values]
        except Exception:
            pass
        for position, v in enumerate(values):  # find the bad record and say where
            try:
                self._decode(codec, v, python_type)
            except TypeTransformerFailedError as exc:
                raise ElementFailed(column, position, exc) from None
        raise AssertionError("unreachable")

    def reads_kinds(self, python_type: Any) -> tuple[tuple[str, str], ...]:
        """msgpack records (the JSON struct form of older writers is held one literal each)."""
        return (("binary", "msgpack"),)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        scalar = lv.scalar
        if scalar is not None and scalar.binary is not None and scalar.binary.tag == "msgpack":
            codec = self.codec(expected_python_type)
            if codec.fields is None:
                return self._decode(codec, scalar.binary.value, expected_python_type)
            token = _active.set((ctx, None))
            try:
                record = self._decode(codec, scalar.binary.value, expected_python_type)
            finally:
                _active.reset(token)
            return codec.fields.decode_walk(ctx, record)
        if scalar is not None and scalar.generic is not None:  # JSON struct form, as older flytekit wrote
            from mashumaro.codecs.basic import BasicDecoder

            try:
                return BasicDecoder(strip_annotated(expected_python_type)[0]).decode(scalar.generic)
            except Exception as exc:
                raise TypeTransformerFailedError(
                    f"cannot decode struct: {_decode_reason(exc)}", python_type=expected_python_type
                ) from None
        raise TypeTransformerFailedError(f"cannot read {literal_kind(lv)} as a dataclass", python_type=expected_python_type)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        schema = literal_type.metadata
        if literal_type.simple != SimpleType.STRUCT or not schema or schema.get("type") != "object" or "properties" not in schema:
            raise ValueError("not a dataclass schema")
        return dataclass_from_schema(schema, schema.get("$defs", {}))


def _decode_reason(exc: BaseException) -> str:
    cause = exc.__cause__ or exc.__context__
    text = f"{type(exc).__name__}: {exc}"
    return f"{text} ({type(cause).__name__}: {cause})" if cause is not None and str(cause) not in text else text
