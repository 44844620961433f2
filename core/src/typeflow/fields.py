"""Record fields of any type the engine handles: an array, a frame, a file, a pickled object.

A record (a dataclass; a pydantic model through typeflow-pydantic) is one
msgpack document, and most of its fields are plain data. A field whose type
the record codec cannot write but the engine can (``np.ndarray``,
``pd.DataFrame``, :class:`~typeflow.types.File`, :class:`~typeflow.types.Directory`,
a class only typeflow-pickle takes, and ``Optional``/``List``/``Dict`` of
those) travels as *its literal*, inside the record, in the form flytekit
uses for its own file and dataset fields:

- a blob literal (a file, a directory, an array, a pickle): ``{"path": uri}``,
  plus ``"metadata"`` when the literal carries some (as ``FlyteFile``
  serialises itself);
- a structured dataset: ``{"uri": uri, "file_format": format}`` (as flytekit's
  ``StructuredDataset``);
- any other literal: ``{"literal": <wire.to_dict form>}``.

The blob's format and dimensionality, and a dataset's columns, come back from
the field's declared type when the record is read, so they are not repeated.

For a codec of records:

- :func:`is_engine_field` says whether a leaf type (no container around it)
  travels this way;
- :func:`encode_field` / :func:`decode_field` convert one value (through the
  engine: uploads happen here; reads are lazy or confined as the field type's
  own transformer makes them);
- :func:`field_schema` is the JSON Schema of the form, for the record's schema.

:class:`RecordFields` does the rest for one record type: it finds the engine
leaves under its field types, and walks a value (``Optional``, ``Union``,
``List``, ``Dict`` and nested records) so that every error keeps its path
(``$.frames[2]``).
"""

from __future__ import annotations

import dataclasses
import functools
import types
import typing
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, get_args, get_origin

from typeflow.errors import TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import (
    Blob,
    BlobMetadata,
    Literal,
    LiteralType,
    Scalar,
    StructuredDataset,
    StructuredDatasetMetadata,
    StructuredDatasetType,
)
from typeflow.transformer import strip_annotated

if TYPE_CHECKING:
    from typeflow.engine import TypeEngine
    from typeflow.transformer import TransformContext

__all__ = [
    "Pending",
    "RecordFields",
    "decode_field",
    "encode_field",
    "field_schema",
    "is_engine_field",
    "literal_of_form",
]

NoneType = type(None)


# ------------------------------------------------------------------ which leaf types


@functools.lru_cache(maxsize=4096)
def _record_codec_can(t: Any) -> bool:
    from mashumaro.codecs.msgpack import MessagePackEncoder
    from mashumaro.exceptions import UnserializableDataError, UnserializableField

    try:
        MessagePackEncoder(t)
    except (UnserializableField, UnserializableDataError):
        return False
    except Exception:  # a type mashumaro chokes on in another way: not something it writes either
        return False
    return True


def is_engine_field(t: Any) -> bool:
    """Whether the leaf type ``t`` travels as its literal: mashumaro cannot write it, or it is a ``File``/``Directory``.

    ``File`` and ``Directory`` are ``os.PathLike``, which mashumaro would
    write as a bare local path; as literals they are uploaded and come back lazily.
    """
    from typeflow.types._base import PathValue

    t = strip_annotated(t)[0]
    if t is typing.Any or t is object or t is NoneType:
        return False
    if isinstance(t, type) and get_origin(t) is None and issubclass(t, PathValue):  # 3.10: Iterator[int] is a type
        return True
    try:
        return not _record_codec_can(t)
    except TypeError:  # an unhashable type expression: ask without the cache
        return not _record_codec_can.__wrapped__(t)


# ------------------------------------------------------------------ one value


def _form_of(lv: Literal) -> dict[str, Any]:
    scalar = lv.scalar
    if scalar is not None and scalar.blob is not None:
        form: dict[str, Any] = {"path": scalar.blob.uri}
        if lv.metadata:
            form["metadata"] = dict(lv.metadata)
        return form
    if scalar is not None and scalar.structured_dataset is not None and lv.metadata is None:
        sd = scalar.structured_dataset
        fmt = sd.metadata.structured_dataset_type.format if sd.metadata is not None else ""
        return {"uri": sd.uri, "file_format": fmt}
    from typeflow import wire

    return {"literal": wire.to_dict(lv)["literal"]}


def encode_field(ctx: TransformContext, value: Any, field_type: Any) -> dict[str, Any]:
    """The record form of ``value`` (declared ``field_type``): its literal, as flytekit writes file fields."""
    return _form_of(ctx.engine.to_literal(ctx, value, field_type))


def literal_of_form(form: Any, literal_type: LiteralType) -> Literal:
    """The literal a record form stands for, given the field's literal type; ``ValueError`` if it is not one."""
    if not isinstance(form, dict):
        raise ValueError(f"expected a field's literal form (a map), got {type(form).__name__}")
    if "literal" in form and len(form) == 1:
        from typeflow import wire

        lv = wire.from_dict({"typeflow_wire": wire.FORMAT_VERSION, "literal": form["literal"]})
        if not isinstance(lv, Literal):
            raise ValueError("the field's literal form does not hold a literal")
        return lv
    if literal_type.blob is not None:
        path, metadata = form.get("path"), form.get("metadata")
        if not isinstance(path, str) or not path or set(form) - {"path", "metadata"}:
            raise ValueError('expected {"path": uri} for a blob field')
        if metadata is not None and not (isinstance(metadata, dict) and all(isinstance(v, str) for v in metadata.values())):
            raise ValueError("a blob field's metadata must map str to str")
        return Literal(scalar=Scalar(blob=Blob(BlobMetadata(literal_type.blob), path)), metadata=metadata or None)
    if literal_type.structured_dataset_type is not None:
        uri, fmt = form.get("uri"), form.get("file_format", "")
        if not isinstance(uri, str) or not uri or not isinstance(fmt, str) or set(form) - {"uri", "file_format"}:
            raise ValueError('expected {"uri": uri, "file_format": format} for a dataset field')
        declared = literal_type.structured_dataset_type
        sd_type = StructuredDatasetType(
            declared.columns, fmt or declared.format, declared.external_schema_type, declared.external_schema_bytes
        )
        return Literal(scalar=Scalar(structured_dataset=StructuredDataset(uri, StructuredDatasetMetadata(sd_type))))
    raise ValueError('expected {"literal": ...} for this field')


def decode_field(ctx: TransformContext, form: Any, field_type: Any) -> Any:
    """The value a record form stands for, read through the engine as ``field_type``."""
    engine = ctx.engine
    try:
        lv = literal_of_form(form, engine.to_literal_type(field_type))
    except ValueError as exc:
        raise TypeTransformerFailedError(f"cannot read this field: {exc}", python_type=field_type, value=form) from None
    return engine.to_python_value(ctx, lv, field_type)


def field_schema(engine: TypeEngine, field_type: Any) -> dict[str, Any]:
    """The JSON Schema of ``field_type``'s record form."""
    lt = engine.to_literal_type(field_type)
    title = type_name(strip_annotated(field_type)[0], qualified=False)
    if lt.blob is not None:
        return {
            "type": "object",
            "title": title,
            "description": f"a {lt.blob.format or 'file'} blob in storage, by URI (typeflow field literal)",
            "properties": {
                "path": {"type": "string"},
                "metadata": {"type": "object", "additionalProperties": {"type": "string"}},
            },
            "required": ["path"],
            "additionalProperties": False,
        }
    if lt.structured_dataset_type is not None:
        return {
            "type": "object",
            "title": title,
            "description": "a structured dataset in storage, by URI (typeflow field literal)",
            "properties": {"uri": {"type": "string"}, "file_format": {"type": "string"}},
            "required": ["uri"],
            "additionalProperties": False,
        }
    return {
        "type": "object",
        "title": title,
        "description": "a typeflow literal (wire.to_dict form)",
        "properties": {"literal": {"type": "object"}},
        "required": ["literal"],
        "additionalProperties": False,
    }


# ------------------------------------------------------------------ a record type


@dataclass(frozen=True)
class Pending:
    """A field form decoded by the record codec, not yet read as its type (the walk reads it, path in hand)."""

    form: Any
    field_type: Any


def _is_union(t: Any) -> bool:
    return get_origin(t) in (typing.Union, types.UnionType)


def _holds(t: Any, value: Any) -> bool:
    """Whether ``value`` is a record of the dataclass ``t``, or the list/dict ``t`` is a generic of."""
    if isinstance(t, type) and dataclasses.is_dataclass(t):
        return isinstance(value, t)
    origin = get_origin(t)
    return origin in (list, dict) and isinstance(value, origin)


def _field_types(cls: type) -> dict[str, Any]:
    hints = typing.get_type_hints(cls, include_extras=True)
    return {f.name: hints.get(f.name, Any) for f in dataclasses.fields(cls)}


class RecordFields:
    """The engine-typed leaves under one record type, and the walks that convert them.

    ``RecordFields(cls)`` scans the field types of the dataclass ``cls`` (and
    of dataclasses nested in it); :attr:`leaves` is empty when every field is
    plain data, and then nothing here runs. An engine leaf is allowed under
    ``Optional``/``Union`` (one engine variant at most, or the form could not
    tell them apart), ``List``/``list`` and ``Dict``/``dict`` values, and
    nested dataclasses; anywhere else (a tuple, a set) it is refused when the
    type is built.
    """

    def __init__(self, cls: type) -> None:
        self.cls = cls
        self.leaves: list[Any] = []
        self._scan(cls, f"{cls.__qualname__}", set())

    # -------------------------------------------------------------- scanning

    def _add(self, t: Any) -> None:
        try:
            if t not in self.leaves:
                self.leaves.append(t)
        except TypeError:
            self.leaves.append(t)

    def _scan(self, t: Any, where: str, seen: set[Any]) -> bool:
        """Whether an engine leaf lies under ``t``; records it. ``where`` names the spot for errors."""
        t = strip_annotated(t)[0]
        origin, args = get_origin(t), get_args(t)
        if dataclasses.is_dataclass(t) and isinstance(t, type):
            if t in seen:
                return False
            seen.add(t)
            found = False
            for name, ft in _field_types(t).items():
                found |= self._scan(ft, f"{t.__qualname__}.{name}", seen)
            return found
        if _is_union(t):
            engine_variants = [a for a in args if self._scan(a, where, seen)]
            if len([a for a in engine_variants if is_engine_field(a)]) > 1:
                names = ", ".join(map(type_name, engine_variants))
                raise TypeTransformerFailedError(
                    f"{where} is a union of several types that travel as literals ({names}); "
                    "their forms in the record cannot be told apart",
                    python_type=t,
                    hint="declare one of them, or a dataclass per case",
                )
            return bool(engine_variants)
        if origin in (list, dict) or (origin is not None and origin in (typing.List, typing.Dict)):
            inner = args[-1] if args else Any
            return self._scan(inner, f"{where}[]", seen)
        if origin in (tuple, set, frozenset):
            if any(self._scan(a, where, seen) for a in args if a is not Ellipsis):
                raise TypeTransformerFailedError(
                    f"{where} holds a type that travels as a literal inside a {origin.__name__}; "
                    "only Optional, Union, List, Dict and nested dataclasses may hold one",
                    python_type=t,
                    hint="use List[...] or a dataclass",
                )
            return False
        if origin is not None and not isinstance(t, type) and origin not in (typing.Literal,):
            # a generic alias of a class (NDArray[np.float64], Iterator[int]): a leaf as written
            if is_engine_field(t):
                self._add(t)
                return True
            return False
        if is_engine_field(t):
            self._add(t)
            return True
        return False

    # -------------------------------------------------------------- walking values

    def encode_walk(self, ctx: TransformContext, value: Any) -> dict[int, Any]:
        """Convert every engine leaf of ``value``: ``{id(leaf value): form}``, errors at their path."""
        forms: dict[int, Any] = {}
        for leaf, leaf_type, path in self._leaves_of(value, self.cls, ()):
            try:
                forms[id(leaf)] = encode_field(ctx, leaf, leaf_type)
            except TypeTransformerFailedError as exc:
                for segment in reversed(path):
                    exc.at(segment)
                raise
        return forms

    def _leaves_of(self, value: Any, t: Any, path: tuple[str, ...]) -> Iterator[tuple[Any, Any, tuple[str, ...]]]:
        t = strip_annotated(t)[0]
        if value is None:
            return
        if self._is_leaf(t):
            yield value, t, path
            return
        origin, args = get_origin(t), get_args(t)
        if dataclasses.is_dataclass(t) and isinstance(t, type):
            if not isinstance(value, t):
                return  # the record's own checker reports it, at its path
            for name, ft in _field_types(type(value) if dataclasses.is_dataclass(value) else t).items():
                yield from self._leaves_of(getattr(value, name, None), ft, (*path, f".{name}"))
        elif _is_union(t):
            variant = self._variant_for(value, args)
            if variant is not None:
                yield from self._leaves_of(value, variant, path)
        elif origin in (list,) and isinstance(value, list):
            inner = args[0] if args else Any
            for i, item in enumerate(value):
                yield from self._leaves_of(item, inner, (*path, f"[{i}]"))
        elif origin in (dict,) and isinstance(value, dict):
            inner = args[1] if len(args) == 2 else Any
            for key, item in value.items():
                yield from self._leaves_of(item, inner, (*path, f"[{key!r}]"))

    def _is_leaf(self, t: Any) -> bool:
        try:
            return t in self.leaves
        except TypeError:
            return any(t == leaf for leaf in self.leaves)

    def _variant_for(self, value: Any, variants: tuple[Any, ...]) -> Any:
        """The union variant a value belongs to, for the walk (the engine leaf only when the value is one)."""
        for variant in variants:
            inner = strip_annotated(variant)[0]
            if self._is_leaf(inner):
                cls = inner if isinstance(inner, type) else get_origin(inner)
                from typeflow.types._base import PathValue

                path_like = isinstance(cls, type) and issubclass(cls, PathValue)
                if (isinstance(cls, type) and isinstance(value, cls)) or (path_like and isinstance(value, str)):
                    return inner
            elif _holds(inner, value):
                return inner
        return None

    def decode_walk(self, ctx: TransformContext, value: Any) -> Any:
        """Read every :class:`Pending` form the record codec left in ``value``, in place; errors at their path."""
        return self._resolve(ctx, value, ())

    def _resolve(self, ctx: TransformContext, value: Any, path: tuple[str, ...]) -> Any:
        if isinstance(value, Pending):
            try:
                return decode_field(ctx, value.form, value.field_type)
            except TypeTransformerFailedError as exc:
                for segment in reversed(path):
                    exc.at(segment)
                raise
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            for f in dataclasses.fields(value):
                current = getattr(value, f.name, None)
                resolved = self._resolve(ctx, current, (*path, f".{f.name}"))
                if resolved is not current:
                    object.__setattr__(value, f.name, resolved)  # frozen dataclasses too: the record is being built
        elif isinstance(value, list):
            for i, item in enumerate(value):
                resolved = self._resolve(ctx, item, (*path, f"[{i}]"))
                if resolved is not item:
                    value[i] = resolved
        elif isinstance(value, dict):
            for key, item in list(value.items()):
                resolved = self._resolve(ctx, item, (*path, f"[{key!r}]"))
                if resolved is not item:
                    value[key] = resolved
        return value

    # -------------------------------------------------------------- the record codec's hooks

    def strategies(self, current: Callable[[], tuple[TransformContext, dict[int, Any] | None]]) -> dict[Any, Any]:
        """mashumaro serialization strategies for every leaf; ``current()`` gives the context and the walk's forms."""
        from mashumaro.types import SerializationStrategy

        class LeafStrategy(SerializationStrategy):  # type: ignore[misc]
            def __init__(self, leaf: Any) -> None:
                self.leaf = leaf

            def serialize(self, value: Any) -> Any:
                ctx, forms = current()
                if forms is not None:
                    try:
                        return forms[id(value)]
                    except KeyError:
                        raise ValueError(f"not a {type_name(self.leaf)} value") from None  # another union variant
                return encode_field(ctx, value, self.leaf)

            def deserialize(self, value: Any) -> Any:
                ctx, _ = current()
                literal_of_form(value, ctx.engine.to_literal_type(self.leaf))  # a ValueError lets a union try its next variant
                return Pending(value, self.leaf)

        return {leaf: LeafStrategy(leaf) for leaf in self.leaves}

    def schema_plugin(self, engine: TypeEngine) -> Any:
        """A mashumaro JSON Schema plugin describing each leaf (or its :meth:`schema_stand_in` placeholder)."""
        from mashumaro.jsonschema.models import JSONSchema
        from mashumaro.jsonschema.plugins import BasePlugin

        fields = self

        class LeafSchema(BasePlugin):  # type: ignore[misc]
            def get_schema(self, instance: Any, ctx: Any, schema: Any = None) -> Any:
                t = strip_annotated(instance.type)[0]
                t = getattr(t, "typeflow_leaf", t)
                if not fields._is_leaf(t):
                    return None
                try:
                    return JSONSchema.from_dict(field_schema(engine, t))
                except TypeflowError:
                    return None

        return LeafSchema()

    # -------------------------------------------------------------- a stand-in for mashumaro's schema builder

    def schema_stand_in(self) -> type:
        """A copy of the record type whose engine leaves are placeholder types mashumaro can write.

        mashumaro's JSON Schema builder writes each field default through a class
        of its own, with none of the record codec's strategies, so a leaf field
        with a default (``arr: Optional[np.ndarray] = None``) stops it. The copy
        keeps names, field order, defaults and docstrings; :meth:`schema_plugin`
        describes a placeholder as its leaf, so the schema is the record's own.
        """
        stand_in: type = self._stand_in_record(self.cls, {})
        return stand_in

    def _stand_in_type(self, t: Any, made: dict[type, type]) -> Any:
        bare, extras = strip_annotated(t)
        replaced: Any
        if self._is_leaf(bare):
            replaced = _placeholder(bare)
        elif dataclasses.is_dataclass(bare) and isinstance(bare, type):
            replaced = self._stand_in_record(bare, made)
        elif _is_union(bare):
            replaced = typing.Union[tuple(self._stand_in_type(a, made) for a in get_args(bare))]
        elif get_origin(bare) in (list, dict) and get_args(bare):
            origin = get_origin(bare)
            replaced = origin[tuple(self._stand_in_type(a, made) for a in get_args(bare))]
        else:
            return t
        if not extras:
            return replaced
        params = (replaced, *extras)
        return typing.Annotated[params]  # type: ignore[valid-type]

    def _stand_in_record(self, cls: type, made: dict[type, type]) -> type:
        if cls not in made:
            fields = []
            for f, ft in zip(dataclasses.fields(cls), _field_types(cls).values(), strict=True):
                spec = dataclasses.field(default=f.default, default_factory=f.default_factory, init=f.init)  # type: ignore[call-overload]
                fields.append((f.name, self._stand_in_type(ft, made), spec))
            stand_in = dataclasses.make_dataclass(cls.__name__, fields)
            stand_in.__qualname__, stand_in.__module__, stand_in.__doc__ = cls.__qualname__, cls.__module__, cls.__doc__
            made[cls] = stand_in
        return made[cls]


class LeafPlaceholder:
    """Base of the placeholder types in :meth:`RecordFields.schema_stand_in` (``typeflow_leaf`` is the leaf)."""

    typeflow_leaf: Any = None

    def _serialize(self) -> Any:  # mashumaro's SerializableType protocol; a placeholder has no values
        raise TypeError("a schema placeholder holds no values")

    @classmethod
    def _deserialize(cls, value: Any) -> Any:
        raise TypeError("a schema placeholder holds no values")


@functools.cache
def _placeholder(leaf: Any) -> type:
    from mashumaro.types import SerializableType

    return type(f"{type_name(leaf)}Field", (LeafPlaceholder, SerializableType), {"typeflow_leaf": leaf})
