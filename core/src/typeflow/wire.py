"""Versioned codecs of the literal model: msgpack bytes and a JSON-able dict.

``dumps`` writes ``b"TYFL"``, a format version byte, a kind byte (``L``
literal, ``T`` literal type, ``M`` literal map) and a msgpack body. ``to_dict``
gives the same tree as plain JSON-able data (bytes in base64, non-finite floats
as strings). Decoding is safe on untrusted input: sizes, declared lengths and
nesting depth are bounded, nothing is imported or unpickled, and every
malformation raises :class:`~typeflow.errors.LiteralDecodeError` naming where.

    >>> from typeflow.literals import Literal, Scalar, Primitive
    >>> lit = Literal(scalar=Scalar(primitive=Primitive(integer=7)))
    >>> loads(dumps(lit)) == lit
    True
    >>> to_dict(lit)["literal"]
    {'scalar': {'primitive': {'integer': 7}}}
"""

from __future__ import annotations

import array
import base64
import binascii
import datetime as _dt
import math
import sys
from collections.abc import Callable
from typing import Any

import msgpack

from typeflow.errors import LiteralDecodeError, TypeflowError
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

__all__ = ["FORMAT_VERSION", "MAGIC", "MAX_DEPTH", "MAX_SIZE", "dumps", "from_dict", "loads", "to_dict"]

MAGIC = b"TYFL"
FORMAT_VERSION = 1
#: largest encoded input ``loads`` accepts by default (bytes)
MAX_SIZE = 2**31
#: deepest nesting of literals / literal types ``loads`` accepts
MAX_DEPTH = 100

_HEADER_LEN = len(MAGIC) + 2
_KIND_CODES = {Literal: b"L", LiteralType: b"T", LiteralMap: b"M"}
_KIND_NAMES = {Literal: "literal", LiteralType: "literal_type", LiteralMap: "literal_map"}
_LITTLE = sys.byteorder == "little"

WireObject = Literal | LiteralType | LiteralMap


# =========================================================================== encoding


class _Encoder:
    """Builds the tree; ``binary`` keeps bytes raw (msgpack), else base64 (JSON)."""

    def __init__(self, binary: bool) -> None:
        self.binary = binary

    def bytes_(self, value: bytes) -> Any:
        return value if self.binary else base64.b64encode(value).decode("ascii")

    def float_(self, value: float) -> Any:
        if self.binary or math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")

    def packed_values(self, kind: str, values: Any) -> Any:
        if isinstance(values, array.array):
            if self.binary:
                if not _LITTLE:
                    values = array.array(values.typecode, values)
                    values.byteswap()
                return values.tobytes()
            if kind == "float_value":
                return [self.float_(v) for v in values]
            return values.tolist()
        if kind == "binary" and not self.binary:
            return [self.bytes_(v) for v in values]
        return list(values)

    def literal(self, lit: Literal) -> dict[str, Any]:
        out: dict[str, Any]
        if lit.scalar is not None:
            out = {"scalar": self.scalar(lit.scalar)}
        elif lit.collection is not None:
            out = {"collection": self.collection(lit.collection)}
        elif lit.map is not None:
            out = {"map": self.literal_map(lit.map)}
        else:
            off = lit.offloaded_metadata
            assert off is not None
            out = {
                "offloaded_metadata": {
                    "uri": off.uri,
                    "size_bytes": off.size_bytes,
                    "inferred_type": self.literal_type(off.inferred_type),
                }
            }
        if lit.hash is not None:
            out["hash"] = lit.hash
        if lit.metadata:
            out["metadata"] = dict(lit.metadata)
        return out

    def collection(self, coll: LiteralCollection) -> dict[str, Any]:
        lits = coll.literals
        if isinstance(lits, PackedLiterals):
            packed: dict[str, Any] = {"kind": lits.kind, "values": self.packed_values(lits.kind, lits.values)}
            if lits.tag:
                packed["tag"] = lits.tag
            return {"packed": packed}
        return {"literals": [self.literal(x) for x in lits]}

    def literal_map(self, lm: LiteralMap) -> dict[str, Any]:
        lits = lm.literals
        if isinstance(lits, PackedLiteralMap):
            packed: dict[str, Any] = {
                "kind": lits.kind,
                "keys": list(lits.raw_keys),
                "values": self.packed_values(lits.kind, lits.raw_values),
            }
            if lits.tag:
                packed["tag"] = lits.tag
            return {"packed": packed}
        return {"literals": {k: self.literal(v) for k, v in lits.items()}}

    def primitive(self, p: Primitive) -> dict[str, Any]:
        if p.integer is not None:
            return {"integer": p.integer}
        if p.float_value is not None:
            return {"float_value": self.float_(p.float_value)}
        if p.string_value is not None:
            return {"string_value": p.string_value}
        if p.boolean is not None:
            return {"boolean": p.boolean}
        if p.datetime is not None:
            return {"datetime": p.datetime.isoformat(timespec="microseconds")}
        assert p.duration is not None
        seconds = p.duration.days * 86_400 + p.duration.seconds  # protobuf Duration's shape: seconds + nanos
        return {"duration": {"seconds": seconds, "nanos": p.duration.microseconds * 1000}}

    def scalar(self, s: Scalar) -> dict[str, Any]:
        if s.primitive is not None:
            return {"primitive": self.primitive(s.primitive)}
        if s.binary is not None:
            return {"binary": {"value": self.bytes_(s.binary.value), "tag": s.binary.tag}}
        if s.blob is not None:
            return {"blob": {"uri": s.blob.uri, "metadata": {"type": self.blob_type(s.blob.metadata.type)}}}
        if s.union is not None:
            return {"union": {"value": self.literal(s.union.value), "stored_type": self.literal_type(s.union.stored_type)}}
        if s.none_type is not None:
            return {"none_type": {}}
        if s.error is not None:
            return {"error": {"failed_node_id": s.error.failed_node_id, "message": s.error.message}}
        if s.generic is not None:
            return {"generic": s.generic}
        sd = s.structured_dataset
        assert sd is not None
        out: dict[str, Any] = {"uri": sd.uri}
        if sd.metadata is not None:
            out["metadata"] = {"structured_dataset_type": self.sd_type(sd.metadata.structured_dataset_type)}
        return {"structured_dataset": out}

    def blob_type(self, bt: BlobType) -> dict[str, Any]:
        return {"format": bt.format, "dimensionality": bt.dimensionality.name}

    def sd_type(self, sdt: StructuredDatasetType) -> dict[str, Any]:
        out: dict[str, Any] = {
            "columns": [{"name": c.name, "literal_type": self.literal_type(c.literal_type)} for c in sdt.columns],
            "format": sdt.format,
        }
        if sdt.external_schema_type:
            out["external_schema_type"] = sdt.external_schema_type
        if sdt.external_schema_bytes:
            out["external_schema_bytes"] = self.bytes_(sdt.external_schema_bytes)
        return out

    def literal_type(self, lt: LiteralType) -> dict[str, Any]:
        out: dict[str, Any]
        if lt.simple is not None:
            out = {"simple": lt.simple.name}
        elif lt.collection_type is not None:
            out = {"collection_type": self.literal_type(lt.collection_type)}
        elif lt.map_value_type is not None:
            out = {"map_value_type": self.literal_type(lt.map_value_type)}
        elif lt.blob is not None:
            out = {"blob": self.blob_type(lt.blob)}
        elif lt.enum_type is not None:
            out = {"enum_type": {"values": list(lt.enum_type.values)}}
        elif lt.union_type is not None:
            out = {"union_type": {"variants": [self.literal_type(v) for v in lt.union_type.variants]}}
        else:
            assert lt.structured_dataset_type is not None
            out = {"structured_dataset_type": self.sd_type(lt.structured_dataset_type)}
        if lt.metadata:
            out["metadata"] = lt.metadata
        if lt.annotation:
            out["annotation"] = lt.annotation
        if lt.structure is not None:
            out["structure"] = {"tag": lt.structure.tag}
        return out

    def top(self, obj: WireObject) -> Any:
        if isinstance(obj, Literal):
            return self.literal(obj)
        if isinstance(obj, LiteralType):
            return self.literal_type(obj)
        if isinstance(obj, LiteralMap):
            return self.literal_map(obj)
        raise TypeflowError(f"wire encodes Literal, LiteralType or LiteralMap, not {type(obj).__name__}")


_BINARY_ENCODER = _Encoder(binary=True)
_DICT_ENCODER = _Encoder(binary=False)


def dumps(obj: WireObject) -> bytes:
    """Encode a ``Literal``, ``LiteralType`` or ``LiteralMap`` to versioned bytes."""
    tree = _BINARY_ENCODER.top(obj)
    try:
        body: bytes = msgpack.packb(tree, use_bin_type=True, datetime=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeflowError(f"cannot encode {type(obj).__name__}: {exc} (generic and metadata fields must be JSON-able)") from exc
    return MAGIC + bytes((FORMAT_VERSION,)) + _KIND_CODES[type(obj)] + body


def to_dict(obj: WireObject) -> dict[str, Any]:
    """The JSON-able form: ``{"typeflow_wire": 1, "literal": {...}}`` (or ``literal_type``/``literal_map``)."""
    tree = _DICT_ENCODER.top(obj)
    return {"typeflow_wire": FORMAT_VERSION, _KIND_NAMES[type(obj)]: tree}


# =========================================================================== decoding

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
    def __init__(self, binary: bool) -> None:
        self.binary = binary

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

    def packed(self, body: Any, path: _Path | None, with_keys: bool) -> tuple[str, str, Any, Any]:
        names = frozenset({"kind", "tag", "values", "keys"} if with_keys else {"kind", "tag", "values"})
        required = ("kind", "values", "keys") if with_keys else ("kind", "values")
        self.map_(body, path, names, required)
        kind = self.str_(body["kind"], (path, ".kind"))
        tag = self.str_(body.get("tag", ""), (path, ".tag"))
        raw = body["values"]
        vpath = (path, ".values")
        values: Any
        if kind in ("integer", "float_value"):
            code = "q" if kind == "integer" else "d"
            if self.binary:
                if type(raw) is not bytes or len(raw) % 8:
                    raise _fail(vpath, "expected bytes holding 8-byte little-endian numbers")
                values = array.array(code)
                values.frombytes(raw)
                if not _LITTLE:
                    values.byteswap()
            else:
                if type(raw) is not list:
                    raise _fail(vpath, "expected a list")
                if kind == "integer":
                    if raw and not set(map(type, raw)) <= {int}:
                        raise _fail(vpath, "expected integers")
                    try:
                        values = array.array(code, raw)
                    except OverflowError:
                        raise _fail(vpath, "integer outside the signed 64-bit range") from None
                else:
                    values = array.array(code, [self.float_(v, (vpath, f"[{i}]")) for i, v in enumerate(raw)])
        elif kind in ("string_value", "boolean", "binary"):
            if type(raw) is not list:
                raise _fail(vpath, "expected a list")
            if kind == "binary" and not self.binary:
                values = [self.bytes_(v, (vpath, f"[{i}]")) for i, v in enumerate(raw)]
            else:
                expected = {"string_value": str, "boolean": bool, "binary": bytes}[kind]
                if raw and not set(map(type, raw)) <= {expected}:
                    raise _fail(vpath, f"expected {expected.__name__} values")
                values = raw
        else:
            raise _fail((path, ".kind"), f"unknown packed kind {kind!r}")
        if tag and kind != "binary":
            raise _fail((path, ".tag"), "only the binary kind takes a tag")
        keys = None
        if with_keys:
            keys = body["keys"]
            if type(keys) is not list or (keys and not set(map(type, keys)) <= {str}):
                raise _fail((path, ".keys"), "expected a list of strings")
            if len(keys) != len(values):
                raise _fail((path, ".keys"), "keys and values differ in length")
            if len(set(keys)) != len(keys):
                raise _fail((path, ".keys"), "duplicate keys")
        return kind, tag, values, keys

    def collection(self, body: Any, path: _Path | None, depth: int) -> LiteralCollection:
        variant = self.one_of(body, path, frozenset({"literals", "packed"}))
        if variant == "packed":
            kind, tag, values, _ = self.packed(body["packed"], (path, ".packed"), with_keys=False)
            return LiteralCollection(PackedLiterals(kind, values, tag))
        items = body["literals"]
        if type(items) is not list:
            raise _fail((path, ".literals"), "expected a list")
        lpath = (path, ".literals")
        return LiteralCollection(tuple(self.literal(x, (lpath, f"[{i}]"), depth + 1) for i, x in enumerate(items)))

    def literal_map(self, body: Any, path: _Path | None, depth: int) -> LiteralMap:
        variant = self.one_of(body, path, frozenset({"literals", "packed"}))
        if variant == "packed":
            kind, tag, values, keys = self.packed(body["packed"], (path, ".packed"), with_keys=True)
            return LiteralMap(PackedLiteralMap(kind, keys, values, tag))
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
            st = self.map_(obj["structure"], (path, ".structure"), frozenset({"tag"}), ("tag",))
            kwargs["structure"] = TypeStructure(self.str_(st["tag"], (path, ".structure.tag")))
        return LiteralType(**kwargs)


_BINARY_DECODER = _Decoder(binary=True)
_DICT_DECODER = _Decoder(binary=False)
_TOP: dict[str, Callable[[_Decoder, Any], WireObject]] = {
    "literal": lambda d, t: d.literal(t, None, 0),
    "literal_type": lambda d, t: d.literal_type(t, None, 0),
    "literal_map": lambda d, t: d.literal_map(t, None, 0),
}
_CODE_NAMES = {b"L": "literal", b"T": "literal_type", b"M": "literal_map"}


def _decode(decoder: _Decoder, kind: str, tree: Any) -> WireObject:
    try:
        return _TOP[kind](decoder, tree)
    except LiteralDecodeError:
        raise
    except RecursionError:
        raise LiteralDecodeError("nesting too deep") from None
    except (TypeError, ValueError, OverflowError) as exc:  # a model invariant the decoder did not pre-check
        raise LiteralDecodeError(f"invalid {kind}: {exc}") from None


def loads(data: bytes | bytearray | memoryview, *, max_size: int = MAX_SIZE) -> WireObject:
    """Decode bytes from :func:`dumps`; safe on untrusted input.

    Raises :class:`LiteralDecodeError` naming the byte offset or the path of
    the first malformed part.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise LiteralDecodeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_size:
        raise LiteralDecodeError(f"input of {len(data)} bytes exceeds the limit of {max_size} bytes", where="byte 0")
    if len(data) < _HEADER_LEN or data[: len(MAGIC)] != MAGIC:
        raise LiteralDecodeError("not typeflow wire data (bad magic)", where="byte 0")
    version = data[len(MAGIC)]
    if version != FORMAT_VERSION:
        raise LiteralDecodeError(
            f"wire format version {version} is not supported (this typeflow reads version {FORMAT_VERSION})",
            where=f"byte {len(MAGIC)}",
        )
    kind = _CODE_NAMES.get(data[len(MAGIC) + 1 : _HEADER_LEN])
    if kind is None:
        raise LiteralDecodeError("unknown object kind", where=f"byte {len(MAGIC) + 1}")
    body = memoryview(data)[_HEADER_LEN:]
    limit = max(len(body), 1)
    try:
        tree = msgpack.unpackb(
            body,
            raw=False,
            strict_map_key=True,
            use_list=True,
            ext_hook=_refuse_ext,
            timestamp=0,
            max_str_len=limit,
            max_bin_len=limit,
            max_array_len=limit,
            max_map_len=limit,
            max_ext_len=limit,
        )
    except msgpack.ExtraData as exc:
        raise LiteralDecodeError(
            f"{len(exc.extra)} trailing bytes after the msgpack body", where=f"byte {len(data) - len(exc.extra)}"
        ) from None
    except RecursionError:
        raise LiteralDecodeError("msgpack body nested too deeply", where=f"byte {_HEADER_LEN}") from None
    except Exception as exc:  # msgpack raises ValueError, TypeError, UnicodeDecodeError, FormatError, ...
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise LiteralDecodeError(f"malformed msgpack body ({detail})", where=f"byte {_HEADER_LEN}") from None
    return _decode(_BINARY_DECODER, kind, tree)


def from_dict(d: Any) -> WireObject:
    """Decode the JSON-able form produced by :func:`to_dict`."""
    if type(d) is not dict:
        raise LiteralDecodeError(f"expected a dict, got {type(d).__name__}")
    version = d.get("typeflow_wire")
    if version != FORMAT_VERSION:
        raise LiteralDecodeError(f"unsupported or missing typeflow_wire version {version!r}", where="$.typeflow_wire")
    kinds = [k for k in d if k in _TOP]
    if len(kinds) != 1 or len(d) != 2:
        raise LiteralDecodeError("expected exactly one of 'literal', 'literal_type', 'literal_map' beside 'typeflow_wire'")
    return _decode(_DICT_DECODER, kinds[0], d[kinds[0]])
