"""Decoding the wire tree back into the literal model, validating every field."""

from __future__ import annotations

import base64
import binascii
import datetime as _dt
from typing import Any

from typeflow._wire_columns import V1_KINDS, decode_column, decode_primitive, unpack_array
from typeflow.columns import PrimitiveColumn
from typeflow.errors import LiteralDecodeError
from typeflow.literals import (
    INT64_MAX,
    INT64_MIN,
    Binary,
    Blob,
    BlobDimensionality,
    BlobMetadata,
    BlobType,
    DatasetColumn,
    EnumType,
    Error,
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralOffloadedMetadata,
    LiteralType,
    PackedLiteralMap,
    PackedLiterals,
    Primitive,
    Scalar,
    SimpleType,
    StructuredDataset,
    StructuredDatasetMetadata,
    StructuredDatasetType,
    TypeStructure,
    Union,
    UnionType,
    Void,
)

#: deepest nesting of literals / literal types the decoder accepts
MAX_DEPTH = 100


_Path = tuple[Any, ...]  # (parent, segment) linked list, formatted only on error


def _fmt(path: _Path | None) -> str:
    parts: list[str] = []
    while path is not None:
        path, segment = path
        parts.append(segment)
    return "$" + "".join(reversed(parts))


def _fail(path: _Path | None, reason: str) -> LiteralDecodeError:
    return LiteralDecodeError(reason, where=_fmt(path))


def _refuse_ext(code: int, data: bytes) -> Any:
    raise ValueError(f"msgpack extension type {code} is not part of the typeflow wire format")


class _Decoder:
    """Checks a wire tree of one format ``version`` (``binary``: msgpack, else the JSON-able form)."""

    def __init__(self, binary: bool, version: int) -> None:
        self.binary = binary
        self.version = version

    # -- leaves -------------------------------------------------------------

    def map_(self, obj: Any, path: _Path | None, keys: frozenset[str], required: tuple[str, ...] = ()) -> dict[str, Any]:
        if type(obj) is not dict:
            raise _fail(path, f"expected a map, got {type(obj).__name__}")
        unknown = obj.keys() - keys
        if unknown:
            raise _fail(path, f"unknown field(s) {sorted(map(str, unknown))}")
        for name in required:
            if name not in obj:
                raise _fail(path, f"missing field {name!r}")
        return obj

    def one_of(self, obj: Any, path: _Path | None, variants: frozenset[str], extra: frozenset[str] = frozenset()) -> str:
        self.map_(obj, path, variants | extra)
        present: list[str] = [k for k in obj if k in variants]
        if len(present) != 1:
            raise _fail(path, f"expected exactly one of {sorted(variants)}, got {sorted(present) or 'none'}")
        return present[0]

    def str_(self, obj: Any, path: _Path | None) -> str:
        if type(obj) is not str:
            raise _fail(path, f"expected a string, got {type(obj).__name__}")
        return obj

    def int_(self, obj: Any, path: _Path | None) -> int:
        if type(obj) is not int or not INT64_MIN <= obj <= INT64_MAX:
            raise _fail(path, f"expected a 64-bit integer, got {type(obj).__name__}")
        return obj

    def bytes_(self, obj: Any, path: _Path | None) -> bytes:
        if self.binary:
            if type(obj) is not bytes:
                raise _fail(path, f"expected bytes, got {type(obj).__name__}")
            return obj
        if type(obj) is not str:
            raise _fail(path, f"expected base64 text, got {type(obj).__name__}")
        try:
            return base64.b64decode(obj, validate=True)
        except (binascii.Error, ValueError) as exc:
            raise _fail(path, f"invalid base64: {exc}") from None

    def float_(self, obj: Any, path: _Path | None) -> float:
        if type(obj) is float:
            return obj
        if not self.binary and type(obj) is int:
            return float(obj)
        if not self.binary and obj in ("nan", "inf", "-inf"):
            return float(obj)
        raise _fail(path, f"expected a float, got {type(obj).__name__}")

    def str_map(self, obj: Any, path: _Path | None) -> dict[str, str]:
        if type(obj) is not dict or not all(type(k) is str and type(v) is str for k, v in obj.items()):
            raise _fail(path, "expected a map of strings to strings")
        return obj

    def json_value(self, obj: Any, path: _Path | None, depth: int) -> Any:
        if depth > MAX_DEPTH:
            raise _fail(path, f"nesting deeper than {MAX_DEPTH}")
        t = type(obj)
        if t is dict:
            for k, v in obj.items():
                if type(k) is not str:
                    raise _fail(path, "JSON object keys must be strings")
                self.json_value(v, (path, f"[{k!r}]"), depth + 1)
        elif t is list:
            for i, v in enumerate(obj):
                self.json_value(v, (path, f"[{i}]"), depth + 1)
        elif t is int:
            self.int_(obj, path)
        elif obj is not None and t not in (str, float, bool):
            raise _fail(path, f"{t.__name__} is not JSON-able")
        return obj

    def json_object(self, obj: Any, path: _Path | None, depth: int) -> dict[str, Any]:
        if type(obj) is not dict:
            raise _fail(path, f"expected a map, got {type(obj).__name__}")
        return self.json_value(obj, path, depth)  # type: ignore[no-any-return]

    # -- literals -----------------------------------------------------------

    _LITERAL_VARIANTS = frozenset({"scalar", "collection", "map", "offloaded_metadata"})
    _LITERAL_EXTRA = frozenset({"hash", "metadata"})

    def literal(self, obj: Any, path: _Path | None, depth: int) -> Literal:
        if depth > MAX_DEPTH:
            raise _fail(path, f"literals nested deeper than {MAX_DEPTH}")
        variant = self.one_of(obj, path, self._LITERAL_VARIANTS, self._LITERAL_EXTRA)
        body = obj[variant]
        sub = (path, f".{variant}")
        kwargs: dict[str, Any] = {}
        if variant == "scalar":
            kwargs["scalar"] = self.scalar(body, sub, depth)
        elif variant == "collection":
            kwargs["collection"] = self.collection(body, sub, depth)
        elif variant == "map":
            kwargs["map"] = self.literal_map(body, sub, depth)
        else:
            self.map_(body, sub, frozenset({"uri", "size_bytes", "inferred_type"}), ("uri", "size_bytes", "inferred_type"))
            kwargs["offloaded_metadata"] = LiteralOffloadedMetadata(
                uri=self.str_(body["uri"], (sub, ".uri")),
                size_bytes=self.int_(body["size_bytes"], (sub, ".size_bytes")),
                inferred_type=self.literal_type(body["inferred_type"], (sub, ".inferred_type"), depth + 1),
            )
        if "hash" in obj:
            kwargs["hash"] = self.str_(obj["hash"], (path, ".hash"))
        if "metadata" in obj:
            kwargs["metadata"] = self.str_map(obj["metadata"], (path, ".metadata"))
        return Literal(**kwargs)

    def v1_packed(self, body: Any, path: _Path | None, with_keys: bool) -> tuple[PrimitiveColumn, Any]:
        """A version-1 packed body: ``kind``, ``values``, ``tag`` (and ``keys`` for a map)."""
        names = frozenset({"kind", "tag", "values", "keys"} if with_keys else {"kind", "tag", "values"})
        required = ("kind", "values", "keys") if with_keys else ("kind", "values")
        self.map_(body, path, names, required)
        kind = self.str_(body["kind"], (path, ".kind"))
        if kind not in V1_KINDS:
            raise _fail((path, ".kind"), f"unknown packed kind {kind!r}")
        column = decode_primitive(self, kind, body, path, version=1)
        keys = body.get("keys")
        return column, keys

    def map_keys(self, keys: Any, path: _Path | None, count: int) -> list[str]:
        if type(keys) is not list or (keys and not set(map(type, keys)) <= {str}):
            raise _fail(path, "expected a list of strings")
        if len(keys) != count:
            raise _fail(path, "keys and values differ in length")
        if len(set(keys)) != len(keys):
            raise _fail(path, "duplicate keys")
        return keys

    def collection(self, body: Any, path: _Path | None, depth: int) -> LiteralCollection:
        variant = self.one_of(body, path, frozenset({"literals", "packed"}))
        if variant == "packed":
            ppath = (path, ".packed")
            if self.version >= 2:
                return LiteralCollection(PackedLiterals.of(decode_column(self, body["packed"], ppath, depth + 1)))
            column, _ = self.v1_packed(body["packed"], ppath, with_keys=False)
            return LiteralCollection(PackedLiterals.of(column))
        items = body["literals"]
        if type(items) is not list:
            raise _fail((path, ".literals"), "expected a list")
        lpath = (path, ".literals")
        return LiteralCollection(tuple(self.literal(x, (lpath, f"[{i}]"), depth + 1) for i, x in enumerate(items)))

    def literal_map(self, body: Any, path: _Path | None, depth: int) -> LiteralMap:
        variant = self.one_of(body, path, frozenset({"literals", "packed"}))
        if variant == "packed":
            ppath = (path, ".packed")
            if self.version >= 2:
                packed = self.map_(body["packed"], ppath, frozenset({"keys", "column"}), ("keys", "column"))
                column = decode_column(self, packed["column"], (ppath, ".column"), depth + 1)
                raw_keys = packed["keys"]
                if self.binary:
                    raw_keys = unpack_array(raw_keys, (ppath, ".keys"), str, "strings")
                keys = self.map_keys(raw_keys, (ppath, ".keys"), len(column))
            else:
                column, raw_keys = self.v1_packed(body["packed"], ppath, with_keys=True)
                keys = self.map_keys(raw_keys, (ppath, ".keys"), len(column))
            return LiteralMap(PackedLiteralMap.unchecked(keys, column))
        items = body["literals"]
        lpath = (path, ".literals")
        if type(items) is not dict:
            raise _fail(lpath, "expected a map")
        out = {}
        for k, v in items.items():
            if type(k) is not str:
                raise _fail(lpath, "map keys must be strings")
            out[k] = self.literal(v, (lpath, f"[{k!r}]"), depth + 1)
        return LiteralMap(out)

    _PRIMITIVES = frozenset(Primitive.VARIANTS)

    def primitive(self, obj: Any, path: _Path | None) -> Primitive:
        variant = self.one_of(obj, path, self._PRIMITIVES)
        value = obj[variant]
        sub = (path, f".{variant}")
        if variant == "integer":
            return Primitive(integer=self.int_(value, sub))
        if variant == "float_value":
            return Primitive(float_value=self.float_(value, sub))
        if variant == "string_value":
            return Primitive(string_value=self.str_(value, sub))
        if variant == "boolean":
            if type(value) is not bool:
                raise _fail(sub, "expected a boolean")
            return Primitive(boolean=value)
        if variant == "datetime":
            try:
                return Primitive(datetime=_dt.datetime.fromisoformat(self.str_(value, sub)))
            except ValueError as exc:
                raise _fail(sub, f"invalid ISO 8601 datetime: {exc}") from None
        self.map_(value, sub, frozenset({"seconds", "nanos"}), ("seconds", "nanos"))
        seconds = self.int_(value["seconds"], (sub, ".seconds"))
        nanos = self.int_(value["nanos"], (sub, ".nanos"))
        if not 0 <= nanos < 1_000_000_000:
            raise _fail((sub, ".nanos"), "nanos must be in [0, 1e9)")
        try:
            return Primitive(duration=_dt.timedelta(seconds=seconds, microseconds=nanos // 1000))
        except OverflowError:
            raise _fail(sub, "duration out of range") from None

    _SCALARS = frozenset(Scalar.VARIANTS)

    def scalar(self, obj: Any, path: _Path | None, depth: int) -> Scalar:
        variant = self.one_of(obj, path, self._SCALARS)
        body = obj[variant]
        sub = (path, f".{variant}")
        if variant == "primitive":
            return Scalar(primitive=self.primitive(body, sub))
        if variant == "binary":
            self.map_(body, sub, frozenset({"value", "tag"}), ("value",))
            return Scalar(
                binary=Binary(self.bytes_(body["value"], (sub, ".value")), self.str_(body.get("tag", ""), (sub, ".tag")))
            )
        if variant == "blob":
            self.map_(body, sub, frozenset({"uri", "metadata"}), ("uri", "metadata"))
            meta = self.map_(body["metadata"], (sub, ".metadata"), frozenset({"type"}), ("type",))
            return Scalar(
                blob=Blob(
                    metadata=BlobMetadata(self.blob_type(meta["type"], (sub, ".metadata.type"))),
                    uri=self.str_(body["uri"], (sub, ".uri")),
                )
            )
        if variant == "union":
            self.map_(body, sub, frozenset({"value", "stored_type"}), ("value", "stored_type"))
            return Scalar(
                union=Union(
                    value=self.literal(body["value"], (sub, ".value"), depth + 1),
                    stored_type=self.literal_type(body["stored_type"], (sub, ".stored_type"), depth + 1),
                )
            )
        if variant == "none_type":
            self.map_(body, sub, frozenset())
            return Scalar(none_type=Void())
        if variant == "error":
            self.map_(body, sub, frozenset({"failed_node_id", "message"}), ("failed_node_id", "message"))
            return Scalar(
                error=Error(
                    self.str_(body["failed_node_id"], (sub, ".failed_node_id")), self.str_(body["message"], (sub, ".message"))
                )
            )
        if variant == "generic":
            return Scalar(generic=self.json_object(body, sub, depth))
        self.map_(body, sub, frozenset({"uri", "metadata"}), ("uri",))
        metadata = None
        if "metadata" in body:
            meta = self.map_(
                body["metadata"], (sub, ".metadata"), frozenset({"structured_dataset_type"}), ("structured_dataset_type",)
            )
            metadata = StructuredDatasetMetadata(
                self.sd_type(meta["structured_dataset_type"], (sub, ".metadata.structured_dataset_type"), depth)
            )
        return Scalar(structured_dataset=StructuredDataset(uri=self.str_(body["uri"], (sub, ".uri")), metadata=metadata))

    def blob_type(self, obj: Any, path: _Path | None) -> BlobType:
        self.map_(obj, path, frozenset({"format", "dimensionality"}), ("format", "dimensionality"))
        dim = self.str_(obj["dimensionality"], (path, ".dimensionality"))
        if dim not in BlobDimensionality.__members__:
            raise _fail((path, ".dimensionality"), f"unknown dimensionality {dim!r}")
        return BlobType(self.str_(obj["format"], (path, ".format")), BlobDimensionality[dim])

    def sd_type(self, obj: Any, path: _Path | None, depth: int) -> StructuredDatasetType:
        names = frozenset({"columns", "format", "external_schema_type", "external_schema_bytes"})
        self.map_(obj, path, names, ("columns", "format"))
        columns = obj["columns"]
        cpath = (path, ".columns")
        if type(columns) is not list:
            raise _fail(cpath, "expected a list")
        cols = []
        for i, col in enumerate(columns):
            p = (cpath, f"[{i}]")
            self.map_(col, p, frozenset({"name", "literal_type"}), ("name", "literal_type"))
            cols.append(
                DatasetColumn(
                    self.str_(col["name"], (p, ".name")), self.literal_type(col["literal_type"], (p, ".literal_type"), depth + 1)
                )
            )
        return StructuredDatasetType(
            columns=tuple(cols),
            format=self.str_(obj["format"], (path, ".format")),
            external_schema_type=self.str_(obj.get("external_schema_type", ""), (path, ".external_schema_type")),
            external_schema_bytes=self.bytes_(obj["external_schema_bytes"], (path, ".external_schema_bytes"))
            if "external_schema_bytes" in obj
            else b"",
        )

    _TYPE_VARIANTS = frozenset(LiteralType.VARIANTS)
    _TYPE_EXTRA = frozenset({"metadata", "annotation", "structure"})

    def literal_type(self, obj: Any, path: _Path | None, depth: int) -> LiteralType:
        if depth > MAX_DEPTH:
            raise _fail(path, f"literal types nested deeper than {MAX_DEPTH}")
        variant = self.one_of(obj, path, self._TYPE_VARIANTS, self._TYPE_EXTRA)
        body = obj[variant]
        sub = (path, f".{variant}")
        kwargs: dict[str, Any] = {}
        if variant == "simple":
            name = self.str_(body, sub)
            if name not in SimpleType.__members__:
                raise _fail(sub, f"unknown simple type {name!r}")
            kwargs["simple"] = SimpleType[name]
        elif variant in ("collection_type", "map_value_type"):
            kwargs[variant] = self.literal_type(body, sub, depth + 1)
        elif variant == "blob":
            kwargs["blob"] = self.blob_type(body, sub)
        elif variant == "enum_type":
            self.map_(body, sub, frozenset({"values"}), ("values",))
            values = body["values"]
            if type(values) is not list or not all(type(v) is str for v in values):
                raise _fail((sub, ".values"), "expected a list of strings")
            kwargs["enum_type"] = EnumType(tuple(values))
        elif variant == "union_type":
            self.map_(body, sub, frozenset({"variants"}), ("variants",))
            variants = body["variants"]
            vpath = (sub, ".variants")
            if type(variants) is not list:
                raise _fail(vpath, "expected a list")
            kwargs["union_type"] = UnionType(
                tuple(self.literal_type(v, (vpath, f"[{i}]"), depth + 1) for i, v in enumerate(variants))
            )
        else:
            kwargs["structured_dataset_type"] = self.sd_type(body, sub, depth)
        if "metadata" in obj:
            kwargs["metadata"] = self.json_object(obj["metadata"], (path, ".metadata"), depth)
        if "annotation" in obj:
            kwargs["annotation"] = self.json_object(obj["annotation"], (path, ".annotation"), depth)
        if "structure" in obj:
            kwargs["structure"] = self.type_structure(obj["structure"], (path, ".structure"), depth)
        return LiteralType(**kwargs)

    def type_structure(self, obj: Any, path: _Path | None, depth: int) -> TypeStructure:
        st = self.map_(obj, path, frozenset({"tag", "dataclass_type"}), ("tag",))
        fields = None
        if "dataclass_type" in st:
            raw = st["dataclass_type"]
            if type(raw) is not dict:
                raise _fail((path, ".dataclass_type"), f"expected a map, got {type(raw).__name__}")
            fields = {}
            for name, sub in raw.items():
                fpath = (path, f".dataclass_type[{name!r}]")
                fields[self.str_(name, fpath)] = self.literal_type(sub, fpath, depth + 1)
        return TypeStructure(self.str_(st["tag"], (path, ".tag")), fields)


#: decoders by (binary, format version)
DECODERS = {(binary, version): _Decoder(binary, version) for binary in (True, False) for version in (1, 2)}
