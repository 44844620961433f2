"""Model fields of any type the engine handles (a ``File``, an array, a frame), through :mod:`typeflow.fields`.

pydantic takes such a field only as an arbitrary type (``model_config =
ConfigDict(arbitrary_types_allowed=True)``), and can neither describe nor
serialise it. A field like that travels as its literal inside the record, in
the form core's :mod:`typeflow.fields` gives it for dataclasses (``{"path":
uri}`` for a file or an array, as flytekit writes ``FlyteFile`` fields;
``{"uri": ..., "file_format": ...}`` for a dataset): :class:`ModelFields`
finds those leaves under a model's field types (through ``Optional``,
``Union``, ``List``, ``Dict`` and nested models) and walks a value, keeping
the path of every error (``$.frames[2]``).

Such a model is validated in pydantic's Python mode (lax) once its engine
fields are read, because JSON-mode validation cannot produce an arbitrary type.
"""

from __future__ import annotations

import functools
import types
import typing
from typing import TYPE_CHECKING, Any, get_args, get_origin

from pydantic import BaseModel, PydanticSchemaGenerationError, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue

from typeflow.errors import TypeflowError, TypeTransformerFailedError, type_name
from typeflow.fields import decode_field, encode_field, field_schema
from typeflow.transformer import TransformContext, strip_annotated

if TYPE_CHECKING:
    from pydantic_core import CoreSchema

    from typeflow.engine import TypeEngine

__all__ = ["ModelFields", "is_engine_leaf", "schema_generator"]

NoneType = type(None)


@functools.lru_cache(maxsize=1024)
def is_engine_leaf(t: Any) -> bool:
    """Whether a leaf type is one pydantic knows only as an arbitrary type (so it travels as its literal)."""
    if not isinstance(t, type) or issubclass(t, BaseModel) or t in (object, NoneType):
        return False
    try:
        TypeAdapter(t)
    except PydanticSchemaGenerationError:
        return True
    except Exception:  # a type pydantic chokes on otherwise is not one it writes either
        return True
    return False


def _leaf(t: Any) -> Any:
    t = strip_annotated(t)[0]
    while hasattr(t, "__supertype__"):  # typing.NewType
        t = t.__supertype__
    return t


def _is_union(t: Any) -> bool:
    return get_origin(t) in (typing.Union, types.UnionType)


def _key(name: str, info: Any) -> str:
    """The key a field has in the record: its serialisation alias, as the record is written by alias."""
    alias = info.serialization_alias or info.alias
    return alias if isinstance(alias, str) else name


def _segment(key: Any) -> str:
    return f".{key}" if isinstance(key, str) and key.isidentifier() else f"[{key!r}]"


class ModelFields:
    """The engine-typed leaves under one model class, and the walks that convert them."""

    def __init__(self, cls: type[BaseModel]) -> None:
        self.cls = cls
        self.leaves: set[Any] = set()
        self._holds: dict[Any, bool] = {}
        self._holds_leaf(cls)

    def _holds_leaf(self, t: Any) -> bool:
        """Whether ``t`` has an engine leaf under it (recording the leaves); recursive models end the scan."""
        t = _leaf(t)
        try:
            known = self._holds.get(t)
        except TypeError:  # an unhashable type expression
            known = None
        if known is not None:
            return known
        if isinstance(t, type) and issubclass(t, BaseModel):
            self._holds[t] = False  # provisional, so a recursive model terminates
            found = False
            for info in t.model_fields.values():
                found = self._holds_leaf(info.annotation) or found
            self._holds[t] = found
            return found
        if _is_union(t) or get_origin(t) in (list, dict):
            return any([self._holds_leaf(a) for a in get_args(t)])
        if is_engine_leaf(t):
            self.leaves.add(t)
            return True
        return False

    # ------------------------------------------------------------------ writing

    def encode(self, ctx: TransformContext, value: BaseModel, data: Any) -> Any:
        """``data`` (the model's JSON form, engine values left as placeholders) with each engine field's form filled in."""
        return self._encode_model(ctx, value, type(value) if isinstance(value, self.cls) else self.cls, data, ())

    def _encode_model(self, ctx: TransformContext, value: Any, cls: type[BaseModel], data: Any, path: tuple[str, ...]) -> Any:
        if not isinstance(data, dict):
            return data
        for name, info in cls.model_fields.items():
            key = _key(name, info)
            if key in data and self._holds_leaf(info.annotation):
                where = (*path, _segment(key))
                data[key] = self._encode(ctx, getattr(value, name), info.annotation, data[key], where)
        return data

    def _encode(self, ctx: TransformContext, value: Any, t: Any, data: Any, path: tuple[str, ...]) -> Any:
        t = _leaf(t)
        if value is None:
            return None
        if _is_union(t):
            for variant in get_args(t):
                if self._accepts(_leaf(variant), value):
                    return self._encode(ctx, value, variant, data, path)
            return data
        origin = get_origin(t)
        if origin is list and isinstance(value, list) and isinstance(data, list):
            (item,) = get_args(t) or (Any,)
            return [self._encode(ctx, v, item, d, (*path, f"[{i}]")) for i, (v, d) in enumerate(zip(value, data))]
        if origin is dict and isinstance(value, dict) and isinstance(data, dict):
            _, item = get_args(t) or (Any, Any)
            return {k: self._encode(ctx, value[k], item, d, (*path, _segment(k))) for k, d in data.items() if k in value}
        if isinstance(t, type) and issubclass(t, BaseModel) and isinstance(value, BaseModel):
            return self._encode_model(ctx, value, t, data, path)
        if t in self.leaves:
            try:
                return encode_field(ctx, value, t)
            except TypeTransformerFailedError as exc:
                exc.path = (*path, *exc.path)
                raise
        return data

    def _accepts(self, t: Any, value: Any) -> bool:
        origin = get_origin(t)
        if origin is not None:
            return isinstance(value, origin) if isinstance(origin, type) else False
        return isinstance(t, type) and isinstance(value, t)

    # ------------------------------------------------------------------ reading

    def decode(self, ctx: TransformContext, data: Any) -> Any:
        """The record's data with each engine field's form read back as its value (for Python-mode validation)."""
        return self._decode_model(ctx, self.cls, data, ())

    def _decode_model(self, ctx: TransformContext, cls: type[BaseModel], data: Any, path: tuple[str, ...]) -> Any:
        if not isinstance(data, dict):
            return data
        for name, info in cls.model_fields.items():
            if not self._holds_leaf(info.annotation):
                continue
            for key in dict.fromkeys((_key(name, info), name)):  # written by alias; flytekit writes names
                if key in data:
                    data[key] = self._decode(ctx, info.annotation, data[key], (*path, _segment(key)))
                    break
        return data

    def _decode(self, ctx: TransformContext, t: Any, data: Any, path: tuple[str, ...]) -> Any:
        t = _leaf(t)
        if data is None:
            return None
        if _is_union(t):
            errors = []
            for variant in get_args(t):
                if _leaf(variant) is NoneType:
                    continue
                try:
                    return self._decode(ctx, variant, data, path)
                except TypeTransformerFailedError as exc:
                    errors.append(exc)
            if errors:
                raise errors[0]
            return data
        origin = get_origin(t)
        if origin is list and isinstance(data, list):
            (item,) = get_args(t) or (Any,)
            return [self._decode(ctx, item, d, (*path, f"[{i}]")) for i, d in enumerate(data)]
        if origin is dict and isinstance(data, dict):
            _, item = get_args(t) or (Any, Any)
            return {k: self._decode(ctx, item, d, (*path, _segment(k))) for k, d in data.items()}
        if isinstance(t, type) and issubclass(t, BaseModel):
            return self._decode_model(ctx, t, data, path)
        if t in self.leaves:
            try:
                return decode_field(ctx, data, t)
            except TypeTransformerFailedError as exc:
                exc.path = (*path, *exc.path)
                raise
        return data

    def check(self, engine: TypeEngine) -> None:
        """Refuse, when the literal type is built, a leaf type that the engine cannot convert either."""
        for leaf in self.leaves:
            try:
                engine.to_literal_type(leaf)
            except TypeflowError as exc:
                raise TypeTransformerFailedError(
                    f"{self.cls.__qualname__} has a field of type {type_name(leaf)}, which neither pydantic nor the "
                    f"engine can convert: {exc}",
                    python_type=self.cls,
                    hint="install the typeflow plugin for that type, or give the field a type pydantic knows",
                ) from exc


def schema_generator(engine: TypeEngine) -> type[GenerateJsonSchema]:
    """A JSON Schema generator describing arbitrary-type fields by their record form (``typeflow.fields.field_schema``)."""

    class EngineFieldsJsonSchema(GenerateJsonSchema):
        def is_instance_schema(self, schema: CoreSchema) -> JsonSchemaValue:
            cls = schema.get("cls")  # type: ignore[union-attr]
            try:
                return field_schema(engine, cls)
            except TypeflowError:
                return super().is_instance_schema(schema)  # type: ignore[arg-type]

    return EngineFieldsJsonSchema
