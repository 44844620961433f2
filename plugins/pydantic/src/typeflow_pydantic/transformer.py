"""pydantic v2 models ↔ msgpack ``Binary``, in the form flytekit 1.16 writes and reads.

The literal type is ``STRUCT`` with the model's JSON Schema (``model_json_schema()``)
in ``metadata`` and flytekit's msgpack annotation; the literal is
``Binary(tag="msgpack")`` holding the model's JSON form (``mode="json"``)
packed with msgpack. Reading unpacks it and validates it in pydantic's JSON
mode, as flytekit does, so flytekit reads typeflow's records and the reverse.
The JSON struct form (``Scalar.generic``) that the Flyte console and older
flytekit write is read too.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Sequence
from typing import Any

import msgpack
from pydantic import BaseModel, ValidationError
from pydantic_core import PydanticSerializationError, to_json

from typeflow.columns import Column, PrimitiveColumn
from typeflow.errors import TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import Binary, Literal, LiteralType, Scalar, SimpleType, TypeStructure
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .errors import validation_failed
from .fields import ModelFields, schema_generator

__all__ = ["MSGPACK_ANNOTATION", "PydanticTransformer"]

#: how flytekit marks a STRUCT literal type whose values are msgpack (part of Flyte's cache key)
MSGPACK_ANNOTATION = {"cache-key-metadata": {"serialization-format": "msgpack"}}


def model_class(t: Any) -> type[BaseModel]:
    """The model class of a declared type (``Annotated`` stripped); refuses ``BaseModel`` itself."""
    cls = strip_annotated(t)[0]
    if not (isinstance(cls, type) and issubclass(cls, BaseModel)):
        raise TypeTransformerFailedError("not a pydantic model class", python_type=t)
    if cls is BaseModel:
        raise TypeTransformerFailedError(
            "BaseModel itself has no fields, so a record read back as it would lose every value",
            python_type=t,
            hint="declare the model class (class People(BaseModel): ...)",
        )
    return cls


class PydanticTransformer(TypeTransformer[BaseModel]):
    """Every ``pydantic.BaseModel`` subclass (found through the MRO) ↔ msgpack ``Binary``.

    A list or map of models is held packed: one array of msgpack records.
    Fields of types pydantic knows only as arbitrary types (``File``, arrays,
    frames) travel as their literals inside the record (:mod:`.fields`).
    """

    def __init__(self) -> None:
        # flytekit's name: unions tag their variants with it, so flytekit reads typeflow's unions
        # type assertions off, as in flytekit: to_raw checks the instance itself, on the packed path too
        super().__init__("Pydantic Transformer", BaseModel, enable_type_assertions=False)
        self._schemas: dict[type[BaseModel], dict[str, Any]] = {}
        self._fields: dict[type[BaseModel], ModelFields | None] = {}
        self._lock = threading.Lock()
        self._building = threading.local()  # models whose field types are being worked out, per thread

    # ------------------------------------------------------------------ types

    def schema(self, cls: type[BaseModel]) -> dict[str, Any]:
        """The model's JSON Schema, built once per class."""
        schema = self._schemas.get(cls)
        if schema is None:
            fields = self.fields(cls)
            if fields is not None:
                fields.check(self.engine)  # a field type nothing converts is refused now, naming it
            try:
                if fields is None:
                    built = cls.model_json_schema()
                else:  # arbitrary-type fields described by their record form
                    built = cls.model_json_schema(schema_generator=schema_generator(self.engine))
            except Exception as exc:  # a field pydantic cannot describe (an arbitrary type, a callable)
                raise TypeTransformerFailedError(
                    f"pydantic cannot build a JSON Schema for it: {type(exc).__name__}: {exc}",
                    python_type=cls,
                    hint="give the offending field a JSON-describable type, or a WithJsonSchema annotation",
                ) from None
            with self._lock:
                schema = self._schemas.setdefault(cls, built)
        return schema

    def fields(self, cls: type[BaseModel]) -> ModelFields | None:
        """The engine-typed fields under the model (``None`` when it has none), found once per class."""
        try:
            return self._fields[cls]
        except KeyError:
            pass
        found = ModelFields(cls)
        with self._lock:
            return self._fields.setdefault(cls, found if found.leaves else None)

    def get_literal_type(self, t: Any) -> LiteralType:
        cls = model_class(t)
        return LiteralType(
            simple=SimpleType.STRUCT,
            metadata=self.schema(cls),
            structure=TypeStructure(tag="", dataclass_type=self._field_literal_types(cls)),
            annotation=MSGPACK_ANNOTATION,
        )

    def _field_literal_types(self, cls: type[BaseModel]) -> dict[str, LiteralType] | None:
        """Each field's literal type, by field name (``TypeStructure.dataclass_type``), as flytekit fills it.

        Flyte resolves attribute access on a model output with it. A field
        whose type has no literal type is left out, as flytekit does; a model met
        again while its own fields are being typed (a recursive one) gets none.
        """
        building: set[type] = self._building.__dict__.setdefault("classes", set())
        if cls in building:
            return None
        building.add(cls)
        try:
            out = {}
            for name, info in cls.model_fields.items():
                try:
                    out[name] = self.engine.to_literal_type(info.annotation)
                except TypeflowError:
                    continue
            return out
        finally:
            building.discard(cls)

    def assert_type(self, t: Any, v: Any) -> None:
        cls = model_class(t)
        if not isinstance(v, cls):
            hint = f"build one with {cls.__qualname__}.model_validate(value)" if isinstance(v, dict) else None
            raise TypeTransformerFailedError(f"expected a {cls.__qualname__} instance", python_type=t, value=v, hint=hint)

    # ------------------------------------------------------------------ values → bytes

    def _serialise(self, cls: type[BaseModel], value: Any, python_type: Any, fields: ModelFields | None) -> Any:
        """The model's JSON form, written by the declared class's serializer (a subclass instance as the declared model)."""
        try:
            if fields is None:
                return cls.__pydantic_serializer__.to_python(value, mode="json", by_alias=True, warnings="error")
            # engine fields are placeholders here; the walk fills in their forms
            return cls.__pydantic_serializer__.to_python(
                value, mode="json", by_alias=True, warnings="error", fallback=_placeholder
            )
        except PydanticSerializationError as exc:
            raise TypeTransformerFailedError(
                f"cannot serialise it: {exc}",
                python_type=python_type,
                value=value,
                hint="a field holds a value of the wrong type (built with model_construct, or assigned without "
                "validate_assignment); build the model through validation",
            ) from None
        except RecursionError:
            raise TypeTransformerFailedError("recursive structure cannot be serialised", python_type=python_type) from None

    def to_raw(self, value: Any, python_type: Any, ctx: TransformContext | None = None) -> bytes:
        """One model as msgpack bytes of its JSON form (by alias, as its schema names the fields).

        A model with engine-typed fields needs ``ctx`` (their values are written to its storage).
        """
        self.assert_type(python_type, value)
        cls = model_class(python_type)
        fields = self.fields(cls)
        data = self._serialise(cls, value, python_type, fields)
        if fields is not None:
            if ctx is None:
                raise TypeTransformerFailedError(
                    "a model with fields of engine types is converted with a context", python_type=python_type
                )
            data = fields.encode(ctx, value, data)
        try:
            packed: bytes = msgpack.packb(data, use_bin_type=True)
        except (TypeError, ValueError, OverflowError) as exc:  # ints beyond 64 bits
            raise TypeTransformerFailedError(
                f"its JSON form does not fit msgpack: {exc}",
                python_type=python_type,
                value=value,
                hint="msgpack integers are 64-bit; hold larger numbers as str or Decimal fields",
            ) from None
        return packed

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """One msgpack record per model, in one binary column; on any failure the caller converts them one by one."""
        cls = model_class(python_type)
        if self.fields(cls) is not None:
            return PrimitiveColumn.unchecked("binary", tuple(self.to_raw(v, python_type, ctx) for v in values), "msgpack")
        to_python = cls.__pydantic_serializer__.to_python
        pack = msgpack.Packer(use_bin_type=True).pack
        out = []
        for value in values:
            if not isinstance(value, cls):
                raise TypeError("not a model instance")
            out.append(pack(to_python(value, mode="json", by_alias=True, warnings="error")))
        return PrimitiveColumn.unchecked("binary", tuple(out), "msgpack")

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return Literal(scalar=Scalar(binary=Binary(self.to_raw(python_val, python_type, ctx), "msgpack")))

    # ------------------------------------------------------------------ bytes → values

    def _validate(
        self, ctx: TransformContext | None, cls: type[BaseModel], obj: Any, python_type: Any, reading: str
    ) -> BaseModel:
        fields = self.fields(cls)
        try:
            if fields is None:
                # flytekit's options: lax (a JSON struct holds every number as a float), JSON mode
                # (datetimes, bytes and enums as the JSON form spells them); names or aliases both accepted
                return cls.model_validate_json(to_json(obj), strict=False, by_alias=True, by_name=True)
            if ctx is None:
                raise TypeTransformerFailedError(
                    "a model with fields of engine types is converted with a context", python_type=python_type
                )
            # engine fields read back as their values; JSON mode cannot produce those, so validate in Python mode
            return cls.model_validate(fields.decode(ctx, obj), strict=False, by_alias=True, by_name=True)
        except ValidationError as exc:
            raise validation_failed(exc, python_type, reading=reading) from None
        except PydanticSerializationError as exc:  # to_json of values JSON cannot hold (raw bytes, ext types)
            raise TypeTransformerFailedError(
                f"{reading} is not msgpack of a JSON value: {exc}",
                python_type=python_type,
                hint="it was not written by typeflow-pydantic or flytekit's pydantic transformer",
            ) from None

    def from_raw(self, data: bytes, python_type: Any, ctx: TransformContext | None = None) -> BaseModel:
        """One msgpack record back as a model instance, validated."""
        cls = model_class(python_type)
        try:
            obj = msgpack.unpackb(data, raw=False, strict_map_key=False)
        except Exception as exc:  # corrupt bytes
            raise TypeTransformerFailedError(
                f"the stored record is not msgpack of a JSON value: {type(exc).__name__}: {exc}",
                python_type=python_type,
                hint="it was not written by typeflow-pydantic or flytekit's pydantic transformer",
            ) from None
        return self._validate(ctx, cls, obj, python_type, "the stored record")

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        if not (isinstance(column, PrimitiveColumn) and column.kind == "binary" and column.tag == "msgpack"):
            return None
        values: Sequence[bytes] = column.values
        cls = model_class(python_type)
        if self.fields(cls) is None:
            validate_json = cls.__pydantic_validator__.validate_json
            unpackb = msgpack.unpackb
            try:
                return [
                    validate_json(to_json(unpackb(v, raw=False, strict_map_key=False)), strict=False, by_alias=True, by_name=True)
                    for v in values
                ]
            except Exception:  # find the bad record and say where, with the per-record messages
                pass
        out = []
        for i, data in enumerate(values):
            try:
                out.append(self.from_raw(data, python_type, ctx))
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from None
        return out

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> BaseModel:
        scalar = lv.scalar
        if scalar is not None and scalar.binary is not None:
            if scalar.binary.tag != "msgpack":
                raise TypeTransformerFailedError(
                    f"cannot read a binary tagged {scalar.binary.tag!r} as a pydantic model; expected 'msgpack'",
                    python_type=expected_python_type,
                )
            return self.from_raw(scalar.binary.value, expected_python_type, ctx)
        if scalar is not None and scalar.generic is not None:  # the JSON struct form (Flyte console, older flytekit)
            cls = model_class(expected_python_type)
            return self._validate(ctx, cls, copy.deepcopy(scalar.generic), expected_python_type, "the JSON struct")
        raise TypeTransformerFailedError(
            f"cannot read a {lv.variant} literal as a pydantic model; expected a msgpack binary or a JSON struct",
            python_type=expected_python_type,
        )

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        from .schema import is_pydantic_schema, model_from_schema

        schema = literal_type.metadata
        if literal_type.simple != SimpleType.STRUCT or not schema or not is_pydantic_schema(schema):
            raise ValueError("not a pydantic model schema")
        return model_from_schema(schema)

    def __repr__(self) -> str:
        return f"PydanticTransformer(python_type={type_name(BaseModel)})"


def _placeholder(value: Any) -> None:
    """What the serializer writes for an engine-typed value before the field walk puts its form there."""
    return None
