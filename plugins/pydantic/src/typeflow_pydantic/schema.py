"""A pydantic model rebuilt from the JSON Schema a literal type carries (``guess_python_type``).

The schema is untrusted data: it is only read, never evaluated or imported
from. Models come from ``pydantic.create_model``, nested models from
``$defs``, string enums from ``enum`` lists; field names, defaults, formats
(``date-time``, ``date``, ``duration``, ``uuid``, ``binary``…), ``anyOf``
unions, arrays and maps are kept; a ``RootModel``'s schema gives a ``RootModel``.
"""

from __future__ import annotations

import datetime as _dt
import enum
import keyword
import typing
import uuid
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field, RootModel, create_model

__all__ = ["is_pydantic_schema", "model_from_schema"]

_MAX_DEPTH = 64  # deeper schemas are refused rather than recursed into

_SIMPLE: dict[str, Any] = {"integer": int, "number": float, "string": str, "boolean": bool, "null": type(None)}
_STRING_FORMATS: dict[str, Any] = {
    "date-time": _dt.datetime,
    "date": _dt.date,
    "time": _dt.time,
    "duration": _dt.timedelta,
    "uuid": uuid.UUID,
    "binary": bytes,
    "base64url": bytes,
}


def is_pydantic_schema(schema: dict[str, Any]) -> bool:
    """Whether a STRUCT schema was written by pydantic (not by mashumaro for a dataclass).

    pydantic gives every plain field a ``title``; mashumaro never does. A
    recursive model's schema is a ``$ref`` into its ``$defs``.
    """
    schema = _top(schema)
    props = schema.get("properties")
    if schema.get("type") != "object" or not isinstance(props, dict):
        # a RootModel: a titled schema of a non-object (dataclasses are always objects)
        return "title" in schema and schema.get("type") in ("array", "string", "integer", "number", "boolean")
    if not props:
        return schema.get("additionalProperties") is not False and "title" in schema
    return any(isinstance(p, dict) and "title" in p for p in props.values())


class _Builder:
    """Builds the models of one schema, each ``$defs`` entry once (so recursive refs terminate)."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs if isinstance(defs, dict) else {}
        self.built: dict[str, Any] = {}
        self.building: set[str] = set()

    def ref(self, ref: str, depth: int) -> Any:
        name = ref.rsplit("/", 1)[-1]
        if name in self.built:
            return self.built[name]
        if name not in self.defs:
            raise ValueError(f"unresolved $ref {ref!r}")
        if name in self.building:  # a recursive model: refer to it by name, resolved by model_rebuild
            return name
        self.building.add(name)
        try:
            found = self.type_of(self.defs[name], name, depth + 1)
        finally:
            self.building.discard(name)
        self.built[name] = found
        return found

    def type_of(self, schema: Any, name: str, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise ValueError("schema nests too deeply")
        if not isinstance(schema, dict) or not schema:
            return Any
        if "$ref" in schema:
            return self.ref(str(schema["$ref"]), depth)
        for combinator in ("anyOf", "oneOf"):
            if combinator in schema:
                variants = tuple(dict.fromkeys(self.type_of(s, name, depth + 1) for s in schema[combinator]))
                return typing.Union[variants] if len(variants) > 1 else variants[0]
        if "allOf" in schema and len(schema["allOf"]) == 1:
            return self.type_of(schema["allOf"][0], name, depth + 1)
        if "const" in schema:
            return typing.Literal[schema["const"]]
        if "enum" in schema:
            return self.enum(schema, name)
        kind = schema.get("type")
        if isinstance(kind, list):  # {"type": ["string", "null"]}
            variants = tuple(self.type_of({**schema, "type": k}, name, depth + 1) for k in kind)
            return typing.Union[variants] if len(variants) > 1 else variants[0]
        if kind == "string":
            return _STRING_FORMATS.get(schema.get("format", ""), str)
        if kind in _SIMPLE:
            return _SIMPLE[kind]
        if kind == "array":
            item = self.type_of(schema.get("items", {}), name, depth + 1)
            if schema.get("uniqueItems"):
                return set[item]  # type: ignore[valid-type]
            return list[item]  # type: ignore[valid-type]
        if kind == "object":
            if isinstance(schema.get("properties"), dict):
                return self.model(schema, name, depth)
            extra = schema.get("additionalProperties")
            value = self.type_of(extra, name, depth + 1) if isinstance(extra, dict) else Any
            return dict[str, value]  # type: ignore[valid-type]
        if "anyOf" not in schema and schema.get("pattern") and kind is None:
            return Decimal
        return Any

    def enum(self, schema: dict[str, Any], name: str) -> Any:
        values = schema["enum"]
        title = str(schema.get("title") or name)
        if values and all(isinstance(v, str) for v in values):
            return enum.Enum(_identifier(title), _members(values), type=str)  # type: ignore[misc]
        return typing.Literal[tuple(values)]

    def model(self, schema: dict[str, Any], name: str, depth: int) -> type[BaseModel]:
        title = _identifier(str(schema.get("title") or name))
        required = set(schema.get("required", ()))
        fields: dict[str, Any] = {}
        for prop, sub in schema["properties"].items():
            field_type = self.type_of(sub, _identifier(str(prop).title()), depth + 1)
            default = sub.get("default", ...) if isinstance(sub, dict) else ...
            if prop not in required and default is ...:
                field_type, default = typing.Optional[field_type], None
            attr = _identifier(str(prop))
            if attr == prop:
                fields[attr] = (field_type, default)
            else:  # a JSON name that is no Python identifier: keep it as the alias
                fields[attr] = (field_type, Field(default, alias=str(prop)))
        model: type[BaseModel] = create_model(title, **fields)
        return model


def _identifier(text: str) -> str:
    """A Python name for a JSON name; never starts with ``_`` (pydantic would make it private)."""
    out = "".join(c if c.isascii() and (c.isalnum() or c == "_") else "_" for c in text).lstrip("_") or "field"
    if out[0].isdigit():
        out = "f" + out
    return out + "_" if keyword.iskeyword(out) else out


def _members(values: list[str]) -> dict[str, str]:
    members: dict[str, str] = {}
    for i, value in enumerate(values):
        name = _identifier(value).upper()
        members[name if name not in members else f"{name}_{i}"] = value
    return members


def _top(schema: dict[str, Any]) -> dict[str, Any]:
    """The model's own schema: a recursive model's top level is ``{"$ref": ..., "$defs": ...}``."""
    ref = schema.get("$ref")
    defs = schema.get("$defs")
    if isinstance(ref, str) and isinstance(defs, dict):
        found = defs.get(ref.rsplit("/", 1)[-1])
        if isinstance(found, dict):
            return found
    return schema


def model_from_schema(schema: dict[str, Any]) -> type[BaseModel]:
    """A model class whose records validate like the schema's (as flytekit guesses dataclasses)."""
    builder = _Builder(schema.get("$defs", {}))
    if "$ref" in schema:
        found = builder.ref(str(schema["$ref"]), 0)
        if not (isinstance(found, type) and issubclass(found, BaseModel)):
            raise ValueError(f"$ref {schema['$ref']!r} does not name a model")
        model = found
    elif not isinstance(schema.get("properties"), dict):  # a RootModel
        title = _identifier(str(schema.get("title") or "GuessedRootModel"))
        base: Any = RootModel[builder.type_of(schema, title, 0)]  # type: ignore[misc]
        model = type(title, (base,), {"__module__": __name__})
    else:
        model = builder.model(schema, str(schema.get("title") or "GuessedModel"), 0)
    namespace = {getattr(m, "__name__", n): m for n, m in builder.built.items() if isinstance(m, type)}
    for built in (*builder.built.values(), model):
        if isinstance(built, type) and issubclass(built, BaseModel):
            built.model_rebuild(_types_namespace=namespace)
    return model
