"""Encoding the literal model into the wire tree (msgpack-ready or JSON-able)."""

from __future__ import annotations

import base64
import math
from typing import Any

from typeflow._wire_columns import V1_KINDS, encode_column, encode_v1_primitive, packed_array
from typeflow.columns import PrimitiveColumn
from typeflow.errors import TypeflowError
from typeflow.literals import (
    BlobType,
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiteralMap,
    PackedLiterals,
    Primitive,
    Scalar,
    StructuredDatasetType,
)


class _Encoder:
    """Builds the tree; ``binary`` keeps bytes raw (msgpack), else base64 (JSON).

    ``version`` 1 writes what typeflow 0.1 reads: packed collections of other
    kinds than its five primitive ones are written expanded.
    """

    def __init__(self, binary: bool, version: int) -> None:
        self.binary = binary
        self.version = version

    def bytes_(self, value: bytes) -> Any:
        return value if self.binary else base64.b64encode(value).decode("ascii")

    def float_(self, value: float) -> Any:
        if self.binary or math.isfinite(value):
            return value
        return "nan" if math.isnan(value) else ("inf" if value > 0 else "-inf")

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

    def _v1_packed(self, column: Any) -> dict[str, Any] | None:
        if isinstance(column, PrimitiveColumn) and column.kind in V1_KINDS:
            return encode_v1_primitive(self, column)
        return None

    def collection(self, coll: LiteralCollection) -> dict[str, Any]:
        lits = coll.literals
        if isinstance(lits, PackedLiterals):
            if self.version >= 2:
                return {"packed": encode_column(self, lits.column)}
            packed = self._v1_packed(lits.column)
            if packed is not None:
                return {"packed": packed}
        return {"literals": [self.literal(x) for x in lits]}

    def literal_map(self, lm: LiteralMap) -> dict[str, Any]:
        lits = lm.literals
        if isinstance(lits, PackedLiteralMap):
            if self.version >= 2:
                keys = packed_array(lits.raw_keys) if self.binary else list(lits.raw_keys)
                return {"packed": {"keys": keys, "column": encode_column(self, lits.column)}}
            packed = self._v1_packed(lits.column)
            if packed is not None:
                packed["keys"] = list(lits.raw_keys)
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
            structure: dict[str, Any] = {"tag": lt.structure.tag}
            if lt.structure.dataclass_type:
                structure["dataclass_type"] = {k: self.literal_type(v) for k, v in lt.structure.dataclass_type.items()}
            out["structure"] = structure
        return out

    def top(self, obj: Literal | LiteralType | LiteralMap) -> Any:
        if isinstance(obj, Literal):
            return self.literal(obj)
        if isinstance(obj, LiteralType):
            return self.literal_type(obj)
        if isinstance(obj, LiteralMap):
            return self.literal_map(obj)
        raise TypeflowError(f"wire encodes Literal, LiteralType or LiteralMap, not {type(obj).__name__}")


#: encoders by (binary, format version)
ENCODERS = {(binary, version): _Encoder(binary, version) for binary in (True, False) for version in (1, 2)}
