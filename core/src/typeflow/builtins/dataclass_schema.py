"""A dataclass's JSON Schema (in its literal type's metadata), and a dataclass generated back from one.

``guess_python_type`` of a dataclass literal type builds a dataclass from the
schema, as flytekit does for a struct it has no class for; values of the
original class convert as that generated one (see :mod:`.dataclass_values`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import typing
from collections.abc import Callable
from typing import Any

__all__ = ["dataclass_from_schema", "json_schema"]

NoneType = type(None)

_schemas: dict[type, dict[str, Any] | None] = {}


def json_schema(cls: type, plugin: Any = None, stand_in: Callable[[], type] | None = None) -> dict[str, Any] | None:
    """The JSON Schema of a dataclass (``None`` where mashumaro cannot build one).

    ``plugin`` (a mashumaro JSON Schema plugin) describes fields of engine types
    (:mod:`typeflow.fields`); where ``cls`` itself stops mashumaro (a default on
    such a field), the schema is built from ``stand_in()``, a copy mashumaro can
    write (:meth:`typeflow.fields.RecordFields.schema_stand_in`).
    """
    if cls not in _schemas:
        from mashumaro.jsonschema import build_json_schema

        plugins = [plugin] if plugin is not None else []
        schema = None
        for source in (lambda: cls, stand_in):
            if source is None:
                continue
            try:
                schema = build_json_schema(source(), plugins=plugins).to_dict()
                break
            except Exception:  # mashumaro raises many types for a field it cannot describe
                continue
        _schemas[cls] = schema
    return _schemas[cls]


_JSON_SIMPLE = {"integer": int, "number": float, "string": str, "boolean": bool, "null": NoneType}
_FORMATS = {"date-time": _dt.datetime, "date": _dt.date, "duration": _dt.timedelta}


def _schema_type(schema: dict[str, Any], defs: dict[str, Any], name: str) -> Any:
    if "$ref" in schema:
        ref = schema["$ref"].rsplit("/", 1)[-1]
        if ref not in defs:
            raise ValueError(f"unresolved $ref {schema['$ref']}")
        return _schema_type(defs[ref], defs, ref)
    if "anyOf" in schema:
        variants = tuple(_schema_type(s, defs, name) for s in schema["anyOf"])
        return typing.Union[variants] if len(variants) > 1 else variants[0]
    kind = schema.get("type")
    if kind is None and schema.get("enum") and all(isinstance(v, str) for v in schema["enum"]):
        kind = "string"  # an enum field comes back as its string values
    if kind == "string" and schema.get("format") in _FORMATS:
        return _FORMATS[schema["format"]]
    if kind in _JSON_SIMPLE:
        return _JSON_SIMPLE[kind]
    if kind == "array":
        return list[_schema_type(schema.get("items", {}), defs, name)]  # type: ignore[misc]
    if kind == "object":
        if "properties" in schema:
            return dataclass_from_schema(schema, defs, name)
        extra = schema.get("additionalProperties")
        if isinstance(extra, dict) and extra:
            return dict[str, _schema_type(extra, defs, name)]  # type: ignore[misc]
        return dict
    raise ValueError(f"cannot map JSON Schema {schema} to a Python type")


def dataclass_from_schema(schema: dict[str, Any], defs: dict[str, Any], name: str | None = None) -> type:
    """Generate a dataclass from a mashumaro JSON Schema (as flytekit does for unknown structs)."""
    title = str(schema.get("title") or name or "GuessedDataclass")
    required = set(schema.get("required", ()))
    plain: list[tuple[str, Any]] = []
    optional: list[tuple[str, Any, Any]] = []
    for prop, sub in schema["properties"].items():
        t = _schema_type(sub, defs, prop.title())
        if prop in required:
            plain.append((prop, t))
        else:
            optional.append((prop, typing.Optional[t], dataclasses.field(default=None)))
    return dataclasses.make_dataclass(title, [*plain, *optional])
