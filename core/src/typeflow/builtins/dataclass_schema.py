"""A dataclass's JSON Schema (in its literal type's metadata), and a dataclass generated back from one.

``guess_python_type`` of a dataclass literal type builds a dataclass from the
schema, as flytekit does for a struct it has no class for; values of the
original class convert as that generated one (see :mod:`.dataclass_values`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import keyword
import typing
from collections.abc import Callable
from typing import Any

from typeflow.errors import TypeTransformerFailedError

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

#: deepest nesting of sub-schemas (arrays, maps, unions, records) a guessed dataclass may have
MAX_SCHEMA_DEPTH = 64


def _refused(reason: str) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(
        f"cannot generate a dataclass from the literal type's JSON Schema: {reason}",
        hint="pass the Python type explicitly (as_type=...)",
    )


class _SchemaReader:
    """Turns one JSON Schema (which came with a literal, so may be anything) into Python types.

    Each ``$defs`` entry becomes one type, generated once and shared by every
    ``$ref`` to it (a schema reusing a definition many times stays linear); a
    ``$ref`` cycle (a recursive record) or nesting deeper than
    :data:`MAX_SCHEMA_DEPTH` is refused with a :class:`TypeTransformerFailedError`.
    """

    def __init__(self, defs: Any) -> None:
        if not isinstance(defs, dict):
            raise _refused(f"$defs is a {type(defs).__name__}, not an object")
        self.defs: dict[Any, Any] = defs
        self.done: dict[str, Any] = {}
        self.open: list[str] = []

    def type_of(self, schema: Any, name: str, depth: int) -> Any:
        if not isinstance(schema, dict):
            raise _refused(f"the schema of {name!r} is a {type(schema).__name__}, not an object")
        if depth > MAX_SCHEMA_DEPTH:
            raise _refused(f"it nests deeper than {MAX_SCHEMA_DEPTH} levels")
        if "$ref" in schema:
            return self.ref(schema["$ref"], depth)
        if "anyOf" in schema:
            options = schema["anyOf"]
            if not isinstance(options, list) or not options:
                raise _refused(f"anyOf of {name!r} is not a non-empty array")
            variants = tuple(self.type_of(s, name, depth + 1) for s in options)
            return typing.Union[variants] if len(variants) > 1 else variants[0]
        kind = schema.get("type")
        values = schema.get("enum")
        if kind is None and isinstance(values, list) and values and all(isinstance(v, str) for v in values):
            kind = "string"  # an enum field comes back as its string values
        if not isinstance(kind, str):
            raise _refused(f"cannot map the JSON Schema of {name!r} to a Python type (type {kind!r})")
        if kind == "string" and schema.get("format") in _FORMATS:
            return _FORMATS[schema["format"]]
        if kind in _JSON_SIMPLE:
            return _JSON_SIMPLE[kind]
        if kind == "array":
            return list[self.type_of(schema.get("items", {}), name, depth + 1)]  # type: ignore[misc]
        if kind == "object":
            if "properties" in schema:
                return self.record(schema, name, depth + 1)
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict) and extra:
                return dict[str, self.type_of(extra, name, depth + 1)]  # type: ignore[misc]
            return dict
        raise _refused(f"cannot map the JSON Schema of {name!r} to a Python type (type {kind!r})")

    def ref(self, ref: Any, depth: int) -> Any:
        if not isinstance(ref, str):
            raise _refused(f"$ref {ref!r} is not a string")
        key = ref.rsplit("/", 1)[-1]
        if key in self.done:
            return self.done[key]
        if key in self.open:
            chain = " -> ".join([*self.open[self.open.index(key) :], key])
            raise _refused(f"its $refs form a cycle ({chain}); typeflow does not generate recursive dataclasses")
        if key not in self.defs:
            raise _refused(f"unresolved $ref {ref!r}")
        self.open.append(key)
        try:
            made = self.type_of(self.defs[key], key, depth + 1)
        finally:
            self.open.pop()
        self.done[key] = made
        return made

    def record(self, schema: dict[str, Any], name: str, depth: int) -> type:
        properties = schema["properties"]
        if not isinstance(properties, dict):
            raise _refused(f"properties of {name!r} is a {type(properties).__name__}, not an object")
        required = schema.get("required", ())
        if not isinstance(required, (list, tuple)):
            raise _refused(f"required of {name!r} is a {type(required).__name__}, not an array")
        given = schema.get("title")
        title: str = given if isinstance(given, str) and _is_name(given) else name if _is_name(name) else "GuessedDataclass"
        plain: list[tuple[str, Any]] = []
        optional: list[tuple[str, Any, Any]] = []
        for prop, sub in properties.items():
            if not _is_name(prop):
                raise _refused(f"{prop!r} (a property of {title!r}) cannot be a dataclass field name")
            t = self.type_of(sub, prop.title(), depth)
            if prop in required:
                plain.append((prop, t))
            else:
                optional.append((prop, typing.Optional[t], dataclasses.field(default=None)))
        return dataclasses.make_dataclass(title, [*plain, *optional])


def _is_name(text: Any) -> bool:
    """Whether ``text`` can name a class or a field (an identifier, not a keyword, not a dunder)."""
    return isinstance(text, str) and text.isidentifier() and not keyword.iskeyword(text) and not text.startswith("__")


def dataclass_from_schema(schema: dict[str, Any], defs: Any, name: str | None = None) -> type:
    """Generate a dataclass from a mashumaro JSON Schema (as flytekit does for unknown structs).

    The schema comes with a literal, so it is checked as it is read: anything
    that is not a plain, non-recursive record schema is a
    :class:`~typeflow.errors.TypeTransformerFailedError` naming what is wrong.
    """
    return _SchemaReader(defs).record(schema, name or "GuessedDataclass", 0)
