"""The literal model: typed, portable values and their types.

Frozen, slotted dataclasses with flyteidl's field names, so a bridge to
flyteidl is a mechanical mapping. One-of fields are checked at construction:
exactly one is set. Literals compare by logical content and are not hashable.

A collection or map of primitives may be held *packed*: one array of raw
values instead of one :class:`Literal` per element. A packed collection reads,
iterates and compares exactly like the expanded form; it is only faster.

    >>> lit = Literal(scalar=Scalar(primitive=Primitive(integer=3)))
    >>> lit.scalar.primitive.value
    3
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import Any, ClassVar

from typeflow.columns import Column
from typeflow.packed import PackedLiteralMap, PackedLiterals

__all__ = [
    "Binary",
    "Blob",
    "BlobDimensionality",
    "BlobMetadata",
    "BlobType",
    "DatasetColumn",
    "EnumType",
    "Error",
    "Literal",
    "LiteralCollection",
    "LiteralMap",
    "LiteralOffloadedMetadata",
    "LiteralType",
    "PackedLiteralMap",
    "PackedLiterals",
    "Primitive",
    "Scalar",
    "SimpleType",
    "StructuredDataset",
    "StructuredDatasetMetadata",
    "StructuredDatasetType",
    "TypeStructure",
    "Union",
    "UnionType",
    "Void",
]

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


class SimpleType(enum.IntEnum):
    """Simple literal types, numbered as in flyteidl."""

    NONE = 0
    INTEGER = 1
    FLOAT = 2
    STRING = 3
    BOOLEAN = 4
    DATETIME = 5
    DURATION = 6
    BINARY = 7
    ERROR = 8
    STRUCT = 9


class BlobDimensionality(enum.IntEnum):
    """Whether a blob is one file or a folder of parts."""

    SINGLE = 0
    MULTIPART = 1


_GETTERS: dict[tuple[str, ...], Any] = {}


def _one_of(obj: Any, names: tuple[str, ...]) -> None:
    getter = _GETTERS.get(names)
    if getter is None:
        getter = _GETTERS[names] = attrgetter(*names)
    if getter(obj).count(None) == len(names) - 1:  # one C call: this runs for every literal built
        return
    set_names = [n for n in names if getattr(obj, n) is not None]
    cls = type(obj).__name__
    got = ", ".join(set_names) if set_names else "none"
    raise ValueError(f"{cls} takes exactly one of {', '.join(names)}; got {got}")


def _set_field(obj: Any, names: tuple[str, ...]) -> str:
    """The one-of field that is set (construction guarantees exactly one)."""
    return next(n for n in names if getattr(obj, n) is not None)


def _compact_repr(obj: Any) -> str:
    """``Name(field=value)`` with only the fields that are set."""
    shown = ", ".join(f"{f.name}={getattr(obj, f.name)!r}" for f in fields(obj) if getattr(obj, f.name) is not None)
    return f"{type(obj).__name__}({shown})"


def _check(cond: bool, cls: str, message: str) -> None:
    if not cond:
        raise TypeError(f"{cls}: {message}")


def _freeze_str_map(obj: Any, name: str) -> None:
    value = getattr(obj, name)
    if value is None:
        return
    if not value:
        object.__setattr__(obj, name, None)
        return
    _check(
        isinstance(value, Mapping) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()),
        type(obj).__name__,
        f"{name} must map str to str",
    )
    object.__setattr__(obj, name, dict(value))


_FROZEN = {"frozen": True, "slots": True, "eq": True}


# --------------------------------------------------------------------------- types


@dataclass(**_FROZEN)
class BlobType:
    """Format (``"PythonPickle"``, ``"NumpyArray"``, …) and dimensionality of a blob."""

    format: str
    dimensionality: BlobDimensionality = BlobDimensionality.SINGLE

    def __post_init__(self) -> None:
        _check(isinstance(self.format, str), "BlobType", "format must be a str")
        object.__setattr__(self, "dimensionality", BlobDimensionality(self.dimensionality))


@dataclass(**_FROZEN)
class EnumType:
    """The allowed string values of an enum."""

    values: tuple[str, ...]

    def __post_init__(self) -> None:
        values = tuple(self.values)
        _check(all(isinstance(v, str) for v in values), "EnumType", "values must be str")
        object.__setattr__(self, "values", values)


@dataclass(**_FROZEN)
class TypeStructure:
    """What a literal type's structure says beyond its variant, as flyteidl's ``TypeStructure``.

    ``tag`` tells union variants apart (the variant's transformer name);
    ``dataclass_type`` maps a dataclass's field names to their literal types
    (Flyte resolves attribute access on dataclass values with it). An empty
    mapping is the same as none.
    """

    tag: str = ""
    dataclass_type: Mapping[str, LiteralType] | None = None

    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        _check(isinstance(self.tag, str), "TypeStructure", "tag must be a str")
        fields_ = self.dataclass_type
        if fields_ is None:
            return
        _check(
            isinstance(fields_, Mapping) and all(isinstance(k, str) and isinstance(v, LiteralType) for k, v in fields_.items()),
            "TypeStructure",
            "dataclass_type must map str to LiteralType",
        )
        object.__setattr__(self, "dataclass_type", dict(fields_) if fields_ else None)

    def __repr__(self) -> str:
        return _compact_repr(self)


@dataclass(**_FROZEN)
class UnionType:
    """The variants of a union, each tagged through its ``structure``."""

    variants: tuple[LiteralType, ...]

    def __post_init__(self) -> None:
        variants = tuple(self.variants)
        _check(all(isinstance(v, LiteralType) for v in variants), "UnionType", "variants must be LiteralType")
        object.__setattr__(self, "variants", variants)


@dataclass(**_FROZEN)
class DatasetColumn:
    """A named, typed column of a structured dataset."""

    name: str
    literal_type: LiteralType


@dataclass(**_FROZEN)
class StructuredDatasetType:
    """Columns and storage format of a structured dataset (empty columns: any)."""

    columns: tuple[DatasetColumn, ...] = ()
    format: str = ""
    external_schema_type: str = ""
    external_schema_bytes: bytes = b""

    def __post_init__(self) -> None:
        object.__setattr__(self, "columns", tuple(self.columns))


@dataclass(**_FROZEN)
class LiteralType:
    """The type of a literal: exactly one of the variant fields is set.

    >>> LiteralType(simple=SimpleType.INTEGER)
    LiteralType(simple=<SimpleType.INTEGER: 1>)
    >>> LiteralType(collection_type=LiteralType(simple=SimpleType.STRING)).collection_type.simple.name
    'STRING'
    """

    simple: SimpleType | None = None
    collection_type: LiteralType | None = None
    map_value_type: LiteralType | None = None
    blob: BlobType | None = None
    enum_type: EnumType | None = None
    union_type: UnionType | None = None
    structured_dataset_type: StructuredDatasetType | None = None
    metadata: dict[str, Any] | None = None
    annotation: dict[str, Any] | None = None
    structure: TypeStructure | None = None

    VARIANTS: ClassVar[tuple[str, ...]] = (
        "simple",
        "collection_type",
        "map_value_type",
        "blob",
        "enum_type",
        "union_type",
        "structured_dataset_type",
    )
    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        _one_of(self, self.VARIANTS)
        if self.simple is not None:
            object.__setattr__(self, "simple", SimpleType(self.simple))
        for name in ("metadata", "annotation"):
            value = getattr(self, name)
            if value is not None:
                _check(isinstance(value, Mapping), "LiteralType", f"{name} must be a mapping")
                object.__setattr__(self, name, dict(value) if value else None)

    @property
    def variant(self) -> str:
        """Name of the variant field that is set."""
        return _set_field(self, self.VARIANTS)

    def without_structure(self) -> LiteralType:
        """This type with ``structure`` cleared (used to compare union variants)."""
        if self.structure is None:
            return self
        values = {f.name: getattr(self, f.name) for f in fields(self)}
        values["structure"] = None
        return LiteralType(**values)

    def __repr__(self) -> str:
        return _compact_repr(self)


# --------------------------------------------------------------------------- values


@dataclass(**_FROZEN)
class Primitive:
    """One primitive value: exactly one field set.

    ``integer`` is a 64-bit signed int; ``datetime`` a :class:`datetime.datetime`
    (naive, or aware and normalised to UTC); ``duration`` a :class:`datetime.timedelta`.
    """

    integer: int | None = None
    float_value: float | None = None
    string_value: str | None = None
    boolean: bool | None = None
    datetime: _dt.datetime | None = None
    duration: _dt.timedelta | None = None

    VARIANTS: ClassVar[tuple[str, ...]] = ("integer", "float_value", "string_value", "boolean", "datetime", "duration")

    def __post_init__(self) -> None:
        _one_of(self, self.VARIANTS)
        if self.integer is not None:
            _check(
                type(self.integer) is int and INT64_MIN <= self.integer <= INT64_MAX,
                "Primitive",
                "integer must be an int within the signed 64-bit range",
            )
        elif self.float_value is not None:
            _check(type(self.float_value) is float, "Primitive", "float_value must be a float")
        elif self.string_value is not None:
            _check(type(self.string_value) is str, "Primitive", "string_value must be a str")
        elif self.boolean is not None:
            _check(type(self.boolean) is bool, "Primitive", "boolean must be a bool")
        elif self.datetime is not None:
            _check(type(self.datetime) is _dt.datetime, "Primitive", "datetime must be a datetime.datetime")
            if self.datetime.tzinfo is not None and self.datetime.tzinfo is not _dt.timezone.utc:
                object.__setattr__(self, "datetime", self.datetime.astimezone(_dt.timezone.utc))
        else:
            _check(type(self.duration) is _dt.timedelta, "Primitive", "duration must be a datetime.timedelta")

    @property
    def value(self) -> Any:
        """The one value that is set."""
        return getattr(self, _set_field(self, self.VARIANTS))

    @property
    def kind(self) -> str:
        """Name of the field that is set."""
        return _set_field(self, self.VARIANTS)

    def __repr__(self) -> str:
        return _compact_repr(self)


@dataclass(**_FROZEN)
class Binary:
    """Opaque bytes with a tag naming their encoding (``"msgpack"``)."""

    value: bytes
    tag: str = ""

    def __post_init__(self) -> None:
        _check(type(self.value) is bytes, "Binary", "value must be bytes")
        _check(isinstance(self.tag, str), "Binary", "tag must be a str")


@dataclass(**_FROZEN)
class BlobMetadata:
    """The type of a blob."""

    type: BlobType


@dataclass(**_FROZEN)
class Blob:
    """A file (or folder) in storage, by URI."""

    metadata: BlobMetadata
    uri: str


@dataclass(**_FROZEN)
class Void:
    """The value of ``None``."""


@dataclass(**_FROZEN)
class Error:
    """An error value produced by a failed node."""

    failed_node_id: str
    message: str


@dataclass(**_FROZEN)
class StructuredDatasetMetadata:
    """The type of the dataset a :class:`StructuredDataset` points at."""

    structured_dataset_type: StructuredDatasetType


@dataclass(**_FROZEN)
class StructuredDataset:
    """A tabular dataset in storage, by URI."""

    uri: str
    metadata: StructuredDatasetMetadata | None = None


@dataclass(**_FROZEN)
class Union:
    """A union value: the variant's literal and the variant type it was stored as."""

    value: Literal
    stored_type: LiteralType

    __hash__ = None  # type: ignore[assignment]


@dataclass(**_FROZEN)
class Scalar:
    """A single value: exactly one field set."""

    primitive: Primitive | None = None
    blob: Blob | None = None
    binary: Binary | None = None
    union: Union | None = None
    none_type: Void | None = None
    error: Error | None = None
    generic: dict[str, Any] | None = None
    structured_dataset: StructuredDataset | None = None

    VARIANTS: ClassVar[tuple[str, ...]] = (
        "primitive",
        "blob",
        "binary",
        "union",
        "none_type",
        "error",
        "generic",
        "structured_dataset",
    )
    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return _compact_repr(self)

    def __post_init__(self) -> None:
        _one_of(self, self.VARIANTS)
        if self.generic is not None:
            _check(isinstance(self.generic, Mapping), "Scalar", "generic must be a mapping")
            object.__setattr__(self, "generic", dict(self.generic))


@dataclass(**_FROZEN)
class LiteralOffloadedMetadata:
    """Where a literal too large to inline was written, and its type."""

    uri: str
    size_bytes: int
    inferred_type: LiteralType

    __hash__ = None  # type: ignore[assignment]


# --------------------------------------------------------------------------- containers


@dataclass(**_FROZEN)
class LiteralCollection:
    """An ordered list of literals (possibly held packed)."""

    literals: Sequence[Literal] = ()

    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.literals, (tuple, PackedLiterals)):
            object.__setattr__(self, "literals", tuple(self.literals))

    @classmethod
    def packed(cls, kind: str, values: Sequence[Any], tag: str = "") -> LiteralCollection:
        """A collection of ``kind`` primitives held as one array."""
        return cls(PackedLiterals(kind, values, tag))

    @classmethod
    def from_column(cls, column: Column) -> LiteralCollection:
        """A collection of ``column``'s elements, held packed (see :mod:`typeflow.columns`)."""
        return cls(PackedLiterals.of(column))

    @property
    def is_packed(self) -> bool:
        return isinstance(self.literals, PackedLiterals)


@dataclass(**_FROZEN)
class LiteralMap:
    """A map of str keys to literals (possibly held packed)."""

    literals: Mapping[str, Literal] = field(default_factory=dict)

    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if not isinstance(self.literals, PackedLiteralMap):
            literals = dict(self.literals)
            _check(all(isinstance(k, str) for k in literals), "LiteralMap", "keys must be str")
            object.__setattr__(self, "literals", literals)

    @classmethod
    def packed(cls, kind: str, keys: Sequence[str], values: Sequence[Any], tag: str = "") -> LiteralMap:
        """A map of ``kind`` primitives held as raw values."""
        return cls(PackedLiteralMap(kind, keys, values, tag))

    @classmethod
    def from_column(cls, keys: Sequence[str], column: Column) -> LiteralMap:
        """A map of ``keys[i]`` to element ``i`` of ``column``, held packed."""
        return cls(PackedLiteralMap.of(keys, column))

    @property
    def is_packed(self) -> bool:
        return isinstance(self.literals, PackedLiteralMap)


@dataclass(**_FROZEN)
class Literal:
    """A value: exactly one of ``scalar``, ``collection``, ``map``, ``offloaded_metadata``.

    ``hash`` overrides the value's cache key; ``metadata`` carries str→str facts
    (a plugin records versions or checksums there).
    """

    scalar: Scalar | None = None
    collection: LiteralCollection | None = None
    map: LiteralMap | None = None
    offloaded_metadata: LiteralOffloadedMetadata | None = None
    hash: str | None = None
    metadata: dict[str, str] | None = None

    VARIANTS: ClassVar[tuple[str, ...]] = ("scalar", "collection", "map", "offloaded_metadata")
    __hash__ = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        _one_of(self, self.VARIANTS)
        _freeze_str_map(self, "metadata")
        if self.hash is not None:
            _check(isinstance(self.hash, str), "Literal", "hash must be a str")

    @property
    def variant(self) -> str:
        return _set_field(self, self.VARIANTS)

    def __repr__(self) -> str:
        return _compact_repr(self)
