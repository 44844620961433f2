"""typeflow's literal model → flyteidl's protobuf bytes (canonical: what protobuf's serializer writes).

Fields are written in field-number order, proto3 defaults are omitted outside
one-ofs, and map entries are written in the mapping's order. Packed
collections and maps are handed to :mod:`.bulk`. A value flyteidl cannot hold
raises :class:`~typeflow.errors.TypeTransformerFailedError` naming where.
"""

from __future__ import annotations

import datetime as _dt

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import (
    Blob,
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiteralMap,
    PackedLiterals,
    Primitive,
    Scalar,
    StructuredDatasetType,
    TypeStructure,
)

from . import bulk
from ._wire import field_bytes, field_double, field_message, field_varint, varint
from .structs import encode_struct

__all__ = ["encode_literal", "encode_literal_map", "encode_literal_type", "utf8"]

_EPOCH = _dt.datetime(1970, 1, 1)
#: google.protobuf.Duration's range: ±10,000 years
_MAX_DURATION_SECONDS = 315_576_000_000


def utf8(value: str, where: str = "$") -> bytes:
    try:
        return value.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise TypeTransformerFailedError(
            f"flyteidl strings are UTF-8, and this one holds an unpaired surrogate ({exc.reason}) (at {where})",
            hint="remove the lone surrogate, or send the text as bytes",
        ) from None


def _string(field: int, value: str, where: str) -> bytes:
    return field_bytes(field, utf8(value, where)) if value else b""


def encode_literal(lit: Literal, where: str = "$") -> bytes:
    """The ``flyteidl.core.Literal`` bytes of ``lit``."""
    return b"".join(_literal_parts(lit, where))


def _literal_parts(lit: Literal, where: str) -> list[bytes]:
    """``lit``'s bytes in pieces: a collection's or map's payload is a piece of its own, not copied into its field."""
    if lit.collection is not None:
        payload = encode_collection(lit.collection, where)
        parts = [b"\x12" + varint(len(payload)), payload]
    elif lit.map is not None:
        payload = encode_literal_map(lit.map, where)
        parts = [b"\x1a" + varint(len(payload)), payload]
    elif lit.scalar is not None:
        parts = [field_message(1, encode_scalar(lit.scalar, f"{where}.scalar"))]
    else:
        parts = []
    decoration = _decoration(lit, where)
    if decoration:
        parts.append(decoration)
    return parts


def _decoration(lit: Literal, where: str) -> bytes:
    """A literal's hash, metadata and offloaded metadata fields."""
    out = b""
    if lit.hash:
        out += field_bytes(4, utf8(lit.hash, f"{where}.hash"))
    if lit.metadata:
        for key, value in lit.metadata.items():
            out += field_message(
                5, field_bytes(1, utf8(key, f"{where}.metadata")) + field_bytes(2, utf8(value, f"{where}.metadata"))
            )
    off = lit.offloaded_metadata
    if off is not None:
        body = _string(1, off.uri, where) + (field_varint(2, off.size_bytes) if off.size_bytes else b"")
        body += field_message(3, encode_literal_type(off.inferred_type, f"{where}.offloaded_metadata.inferred_type"))
        out += field_message(8, body)
    return out


#: what a bulk codec raises for values only the element-by-element path can name (or write)
_BULK_REFUSED = (bulk.Fallback, UnicodeEncodeError, TypeTransformerFailedError)


def encode_collection(coll: LiteralCollection, where: str) -> bytes:
    literals = coll.literals
    if isinstance(literals, PackedLiterals):
        try:
            return bulk.encode_collection(literals)
        except _BULK_REFUSED:
            pass  # say which element: the element-by-element path below names it
    return b"".join(field_message(1, encode_literal(x, f"{where}[{i}]")) for i, x in enumerate(literals))


def encode_literal_map(lm: LiteralMap, where: str = "$") -> bytes:
    """The ``flyteidl.core.LiteralMap`` bytes of ``lm``."""
    literals = lm.literals
    if isinstance(literals, PackedLiteralMap):
        try:
            return bulk.encode_map(literals)
        except _BULK_REFUSED:
            pass
    parts: list[bytes] = []
    for key, value in literals.items():
        at = f"{where}[{key!r}]"
        head = field_bytes(1, utf8(key, at)) + b"\x12"
        lit = _literal_parts(value, at)
        value_size = sum(map(len, lit))
        size = varint(value_size)
        # the entry's pieces go straight into the one join: a big value is copied once, not at every level
        parts += (b"\x0a", varint(len(head) + len(size) + value_size), head, size, *lit)
    return b"".join(parts)


def _timestamp(value: _dt.datetime) -> bytes:
    if value.tzinfo is not None:
        value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
    delta = value - _EPOCH
    seconds = delta.days * 86_400 + delta.seconds
    nanos = delta.microseconds * 1000
    return (field_varint(1, seconds) if seconds else b"") + (field_varint(2, nanos) if nanos else b"")


def _duration(value: _dt.timedelta, where: str) -> bytes:
    micros = (value.days * 86_400 + value.seconds) * 1_000_000 + value.microseconds
    seconds = abs(micros) // 1_000_000 * (1 if micros >= 0 else -1)
    nanos = (micros - seconds * 1_000_000) * 1000
    if abs(seconds) > _MAX_DURATION_SECONDS:
        raise TypeTransformerFailedError(
            f"flyteidl's Duration holds at most ±10,000 years; {value} is longer (at {where})",
            hint="store it as a number of seconds instead",
        )
    return (field_varint(1, seconds) if seconds else b"") + (field_varint(2, nanos) if nanos else b"")


def encode_primitive(p: Primitive, where: str) -> bytes:
    if p.integer is not None:
        return field_varint(1, p.integer)
    if p.float_value is not None:
        return field_double(2, p.float_value)
    if p.string_value is not None:
        return field_bytes(3, utf8(p.string_value, where))
    if p.boolean is not None:
        return field_varint(4, int(p.boolean))
    if p.datetime is not None:
        return field_message(5, _timestamp(p.datetime))
    assert p.duration is not None
    return field_message(6, _duration(p.duration, where))


def _blob(blob: Blob, where: str) -> bytes:
    return field_message(
        1, field_message(1, _blob_type(blob.metadata.type.format, int(blob.metadata.type.dimensionality), where))
    ) + _string(3, blob.uri, where)


def _blob_type(fmt: str, dimensionality: int, where: str) -> bytes:
    return _string(1, fmt, where) + (field_varint(2, dimensionality) if dimensionality else b"")


def encode_scalar(s: Scalar, where: str) -> bytes:
    if s.primitive is not None:
        return field_message(1, encode_primitive(s.primitive, f"{where}.primitive"))
    if s.blob is not None:
        return field_message(2, _blob(s.blob, f"{where}.blob"))
    if s.binary is not None:
        return field_message(3, (field_bytes(1, s.binary.value) if s.binary.value else b"") + _string(2, s.binary.tag, where))
    if s.none_type is not None:
        return b"\x2a\x00"
    if s.error is not None:
        return field_message(6, _string(1, s.error.failed_node_id, where) + _string(2, s.error.message, where))
    if s.generic is not None:
        return field_message(7, encode_struct(s.generic, f"{where}.generic"))
    if s.structured_dataset is not None:
        sd = s.structured_dataset
        body = _string(1, sd.uri, where)
        if sd.metadata is not None:
            body += field_message(
                2, field_message(1, _sd_type(sd.metadata.structured_dataset_type, f"{where}.structured_dataset"))
            )
        return field_message(8, body)
    assert s.union is not None
    value = encode_literal(s.union.value, f"{where}.union.value")
    stored = encode_literal_type(s.union.stored_type, f"{where}.union.stored_type")
    return field_message(9, field_message(1, value) + field_message(2, stored))


def _sd_type(sdt: StructuredDatasetType, where: str) -> bytes:
    out = b"".join(
        field_message(1, _string(1, c.name, where) + field_message(2, encode_literal_type(c.literal_type, f"{where}.{c.name}")))
        for c in sdt.columns
    )
    out += _string(2, sdt.format, where) + _string(3, sdt.external_schema_type, where)
    if sdt.external_schema_bytes:
        out += field_bytes(4, sdt.external_schema_bytes)
    return out


def encode_literal_type(lt: LiteralType, where: str = "$") -> bytes:
    """The ``flyteidl.core.LiteralType`` bytes of ``lt``."""
    fields: list[tuple[int, bytes]] = []
    if lt.simple is not None:
        fields.append((1, field_varint(1, int(lt.simple))))
    elif lt.collection_type is not None:
        fields.append((3, field_message(3, encode_literal_type(lt.collection_type, f"{where}.collection_type"))))
    elif lt.map_value_type is not None:
        fields.append((4, field_message(4, encode_literal_type(lt.map_value_type, f"{where}.map_value_type"))))
    elif lt.blob is not None:
        fields.append((5, field_message(5, _blob_type(lt.blob.format, int(lt.blob.dimensionality), where))))
    elif lt.enum_type is not None:
        fields.append((7, field_message(7, b"".join(field_bytes(1, utf8(v, where)) for v in lt.enum_type.values))))
    elif lt.structured_dataset_type is not None:
        fields.append((8, field_message(8, _sd_type(lt.structured_dataset_type, f"{where}.structured_dataset_type"))))
    else:
        assert lt.union_type is not None
        variants = b"".join(
            field_message(1, encode_literal_type(v, f"{where}.union_type[{i}]")) for i, v in enumerate(lt.union_type.variants)
        )
        fields.append((10, field_message(10, variants)))
    if lt.metadata:
        fields.append((6, field_message(6, encode_struct(lt.metadata, f"{where}.metadata"))))
    if lt.annotation:
        fields.append((9, field_message(9, field_message(1, encode_struct(lt.annotation, f"{where}.annotation")))))
    if lt.structure is not None:
        fields.append((11, field_message(11, _structure(lt.structure, f"{where}.structure"))))
    fields.sort(key=lambda f: f[0])
    return b"".join(f[1] for f in fields)


def _structure(structure: TypeStructure, where: str) -> bytes:
    out = _string(1, structure.tag, where)
    for name, lt in (structure.dataclass_type or {}).items():
        entry = field_bytes(1, utf8(name, where)) + field_message(2, encode_literal_type(lt, f"{where}.dataclass_type[{name!r}]"))
        out += field_message(2, entry)
    return out
