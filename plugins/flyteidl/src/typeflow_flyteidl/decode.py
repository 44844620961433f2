"""flyteidl's protobuf bytes → typeflow's literal model.

The decoder reads canonical bytes (what protobuf's serializer writes).
Collections and maps are first offered to :mod:`.bulk`, which reads a packed
kind in one pass. Bytes that are valid protobuf but not canonical (a field
written twice, which protobuf merges) raise :class:`~._wire.NonCanonical`,
and :func:`decode` re-serializes them through protobuf and reads again.
Unknown fields are skipped, as protobuf skips them. Anything else that is not
a literal raises :class:`~typeflow.errors.LiteralDecodeError` naming where.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

from typeflow.errors import LiteralDecodeError
from typeflow.literals import (
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

from . import bulk, repack
from ._wire import I64, LEN, VARINT, NonCanonical, Reader, double, signed32, signed64
from .structs import decode_struct

__all__ = ["decode", "decode_literal", "decode_literal_map", "decode_literal_type"]

_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)

Span = tuple[int, int]


class _Fields:
    """The fields of one message, checked: each known field at most once, and of the right wire type."""

    __slots__ = ("data", "values")

    def __init__(self, data: bytes, span: Span, wire_types: dict[int, int], repeated: frozenset[int], where: str) -> None:
        self.data = data
        values: dict[int, Any] = {}
        for number, wire_type, value in Reader(data, *span).fields():
            expected = wire_types.get(number)
            if expected is None:
                continue  # unknown field: skipped, as protobuf does
            if wire_type != expected:
                raise LiteralDecodeError(f"field {number} has wire type {wire_type}, expected {expected}", where=where)
            if number in repeated:
                values.setdefault(number, []).append(value)
            elif number in values:
                raise NonCanonical
            else:
                values[number] = value
        self.values = values

    def get(self, number: int) -> Any:
        return self.values.get(number)

    def text(self, number: int) -> str:
        span = self.values.get(number)
        return "" if span is None else self.data[span[0] : span[1]].decode("utf-8")

    def raw(self, number: int) -> bytes:
        span = self.values.get(number)
        return b"" if span is None else self.data[span[0] : span[1]]

    def one_of(self, numbers: tuple[int, ...], what: str, where: str) -> int:
        present = [n for n in numbers if n in self.values]
        if len(present) > 1:
            raise NonCanonical  # protobuf keeps the last one written
        if not present:
            raise LiteralDecodeError(f"{what} has none of its one-of fields set", where=where)
        return present[0]


_S = frozenset[int]()

# --------------------------------------------------------------------------- literals


def decode_literal(data: bytes, span: Span, where: str = "$") -> Literal:
    f = _Fields(data, span, {1: LEN, 2: LEN, 3: LEN, 4: LEN, 5: LEN, 8: LEN}, frozenset({5}), where)
    variant = f.one_of((1, 2, 3, 8), "Literal", where)
    span = f.get(variant)
    kwargs: dict[str, Any] = {}
    if variant == 1:
        kwargs["scalar"] = decode_scalar(data, span, f"{where}.scalar")
    elif variant == 2:
        kwargs["collection"] = decode_collection(data, span, where)
    elif variant == 3:
        kwargs["map"] = decode_literal_map(data, span, where)
    else:
        o = _Fields(data, span, {1: LEN, 2: VARINT, 3: LEN}, _S, f"{where}.offloaded_metadata")
        inferred = o.get(3)
        if inferred is None:
            raise LiteralDecodeError("offloaded_metadata has no inferred_type", where=where)
        kwargs["offloaded_metadata"] = LiteralOffloadedMetadata(
            o.text(1), o.get(2) or 0, decode_literal_type(data, inferred, f"{where}.offloaded_metadata.inferred_type")
        )
    hash_ = f.text(4)
    if hash_:
        kwargs["hash"] = hash_
    entries = f.get(5)
    if entries:
        kwargs["metadata"] = dict(_string_entry(data, span) for span in entries)
    return Literal(**kwargs)


def _string_entry(data: bytes, span: Span) -> tuple[str, str]:
    e = _Fields(data, span, {1: LEN, 2: LEN}, _S, "metadata")
    return e.text(1), e.text(2)


def _first_field(data: bytes, span: Span) -> tuple[Span, bool] | None:
    """The span of the first field 1 of a repeated-message field, and whether more bytes follow it."""
    for number, wire_type, value in Reader(data, *span).fields():
        if number == 1 and wire_type == LEN:
            return value, value[1] < span[1]
        return None
    return None


def first_literal(payload: bytes, entry: bool = False) -> Literal | None:
    """The first element ``Literal`` of a collection payload (of a map payload's first value, with ``entry``)."""
    first = _first_field(payload, (0, len(payload)))
    if first is None:
        return None
    span = _map_entry(payload, first[0], "$")[1] if entry else first[0]
    return decode_literal(payload, span, "$[0]")


def decode_collection(data: bytes, span: Span, where: str) -> LiteralCollection:
    first = _first_field(data, span)
    if first is not None and first[1]:  # two or more elements: try reading them as one column
        # a view of the payload, not a copy: a packed collection's payload is most of the message
        column = bulk.decode_collection(memoryview(data)[span[0] : span[1]], decode_literal(data, first[0], f"{where}[0]"))
        if column is not None:
            return LiteralCollection(PackedLiterals.of(column))
    spans = _Fields(data, span, {1: LEN}, frozenset({1}), where).get(1) or []
    elements = tuple(decode_literal(data, span, f"{where}[{i}]") for i, span in enumerate(spans))
    column = repack.column_of(elements)  # uniform elements read one by one are held as their column again
    return LiteralCollection(elements if column is None else PackedLiterals.of(column))


def decode_literal_map(data: bytes, span: Span, where: str = "$") -> LiteralMap:
    first = _first_field(data, span)
    if first is not None and first[1]:
        key, value_span = _map_entry(data, first[0], where)
        packed = bulk.decode_map(memoryview(data)[span[0] : span[1]], decode_literal(data, value_span, f"{where}[{key!r}]"))
        if packed is not None:
            return LiteralMap(packed)
    entries = _Fields(data, span, {1: LEN}, frozenset({1}), where).get(1) or []
    out: dict[str, Literal] = {}
    for span in entries:
        key, value_span = _map_entry(data, span, where)
        out[key] = decode_literal(data, value_span, f"{where}[{key!r}]")  # a repeated key: the last wins, as in protobuf
    column = repack.column_of(tuple(out.values()))
    return LiteralMap(out if column is None else PackedLiteralMap.unchecked(list(out), column))


def _map_entry(data: bytes, span: Span, where: str) -> tuple[str, Span]:
    e = _Fields(data, span, {1: LEN, 2: LEN}, _S, where)
    value = e.get(2)
    if value is None:
        raise LiteralDecodeError(f"map entry {e.text(1)!r} has no value", where=where)
    return e.text(1), value


def _timestamp(data: bytes, span: Span, where: str) -> _dt.datetime:
    t = _Fields(data, span, {1: VARINT, 2: VARINT}, _S, where)
    seconds, nanos = signed64(t.get(1) or 0), signed32(t.get(2) or 0)
    try:
        return _EPOCH + _dt.timedelta(seconds=seconds, microseconds=nanos // 1000)
    except OverflowError:
        raise LiteralDecodeError(f"timestamp {seconds}s is outside the years 1-9999 Python holds", where=where) from None


def _duration(data: bytes, span: Span, where: str) -> _dt.timedelta:
    d = _Fields(data, span, {1: VARINT, 2: VARINT}, _S, where)
    seconds, nanos = signed64(d.get(1) or 0), signed32(d.get(2) or 0)
    try:
        return _dt.timedelta(seconds=seconds, microseconds=int(nanos / 1000))
    except OverflowError:
        raise LiteralDecodeError(f"duration {seconds}s is longer than Python's timedelta holds", where=where) from None


def decode_primitive(data: bytes, span: Span, where: str) -> Primitive:
    f = _Fields(data, span, {1: VARINT, 2: I64, 3: LEN, 4: VARINT, 5: LEN, 6: LEN}, _S, where)
    n = f.one_of((1, 2, 3, 4, 5, 6), "Primitive", where)
    if n == 1:
        return Primitive(integer=signed64(f.get(1)))
    if n == 2:
        return Primitive(float_value=double(f.get(2)))
    if n == 3:
        return Primitive(string_value=f.text(3))
    if n == 4:
        return Primitive(boolean=bool(f.get(4)))
    if n == 5:
        return Primitive(datetime=_timestamp(data, f.get(5), where))
    return Primitive(duration=_duration(data, f.get(6), where))


def decode_scalar(data: bytes, span: Span, where: str) -> Scalar:
    f = _Fields(data, span, {i: LEN for i in range(1, 10)}, _S, where)
    n = f.one_of(tuple(range(1, 10)), "Scalar", where)
    span = f.get(n)
    if n == 1:
        return Scalar(primitive=decode_primitive(data, span, f"{where}.primitive"))
    if n == 2:
        b = _Fields(data, span, {1: LEN, 3: LEN}, _S, f"{where}.blob")
        meta = b.get(1)
        blob_type = BlobType("")
        if meta is not None:
            type_span = _Fields(data, meta, {1: LEN}, _S, where).get(1)
            if type_span is not None:
                blob_type = _blob_type(data, type_span, f"{where}.blob")
        return Scalar(blob=Blob(BlobMetadata(blob_type), b.text(3)))
    if n == 3:
        b = _Fields(data, span, {1: LEN, 2: LEN}, _S, f"{where}.binary")
        return Scalar(binary=Binary(b.raw(1), b.text(2)))
    if n == 4:
        raise LiteralDecodeError(
            "a flyteidl Schema literal (FlyteSchema, deprecated in flytekit) has no typeflow form; "
            "write the table as a StructuredDataset instead",
            where=where,
        )
    if n == 5:
        return Scalar(none_type=Void())
    if n == 6:
        e = _Fields(data, span, {1: LEN, 2: LEN}, _S, f"{where}.error")
        return Scalar(error=Error(e.text(1), e.text(2)))
    if n == 7:
        return Scalar(generic=decode_struct(data, span))
    if n == 8:
        sd = _Fields(data, span, {1: LEN, 2: LEN}, _S, f"{where}.structured_dataset")
        meta = sd.get(2)
        metadata = None
        if meta is not None:
            sdt = _Fields(data, meta, {1: LEN}, _S, where).get(1)
            metadata = StructuredDatasetMetadata(_sd_type(data, sdt, where) if sdt is not None else StructuredDatasetType())
        return Scalar(structured_dataset=StructuredDataset(sd.text(1), metadata))
    u = _Fields(data, span, {1: LEN, 2: LEN}, _S, f"{where}.union")
    value, stored = u.get(1), u.get(2)
    if value is None or stored is None:
        raise LiteralDecodeError("a union needs both its value and its type", where=f"{where}.union")
    return Scalar(
        union=Union(decode_literal(data, value, f"{where}.union.value"), decode_literal_type(data, stored, f"{where}.union.type"))
    )


# --------------------------------------------------------------------------- types


def _blob_type(data: bytes, span: Span, where: str) -> BlobType:
    t = _Fields(data, span, {1: LEN, 2: VARINT}, _S, where)
    dimensionality = t.get(2) or 0
    if dimensionality not in (0, 1):
        raise LiteralDecodeError(f"unknown blob dimensionality {dimensionality}", where=where)
    return BlobType(t.text(1), BlobDimensionality(dimensionality))


def _sd_type(data: bytes, span: Span, where: str) -> StructuredDatasetType:
    t = _Fields(data, span, {1: LEN, 2: LEN, 3: LEN, 4: LEN}, frozenset({1}), where)
    columns = []
    for col in t.get(1) or []:
        c = _Fields(data, col, {1: LEN, 2: LEN}, _S, where)
        lt = c.get(2)
        if lt is None:
            raise LiteralDecodeError(f"column {c.text(1)!r} has no literal type", where=where)
        columns.append(DatasetColumn(c.text(1), decode_literal_type(data, lt, f"{where}.{c.text(1)}")))
    return StructuredDatasetType(tuple(columns), t.text(2), t.text(3), t.raw(4))


_TYPE_WIRE = {1: VARINT, 2: LEN, 3: LEN, 4: LEN, 5: LEN, 6: LEN, 7: LEN, 8: LEN, 9: LEN, 10: LEN, 11: LEN}


def decode_literal_type(data: bytes, span: Span, where: str = "$") -> LiteralType:
    f = _Fields(data, span, _TYPE_WIRE, _S, where)
    n = f.one_of((1, 2, 3, 4, 5, 7, 8, 10), "LiteralType", where)
    value = f.get(n)
    kwargs: dict[str, Any] = {}
    if n == 1:
        try:
            kwargs["simple"] = SimpleType(value)
        except ValueError:
            raise LiteralDecodeError(f"unknown simple type {value}", where=where) from None
    elif n == 2:
        raise LiteralDecodeError(
            "a flyteidl SchemaType (FlyteSchema, deprecated in flytekit) has no typeflow form; "
            "declare the table as a StructuredDataset instead",
            where=where,
        )
    elif n == 3:
        kwargs["collection_type"] = decode_literal_type(data, value, f"{where}.collection_type")
    elif n == 4:
        kwargs["map_value_type"] = decode_literal_type(data, value, f"{where}.map_value_type")
    elif n == 5:
        kwargs["blob"] = _blob_type(data, value, f"{where}.blob")
    elif n == 7:
        values = _Fields(data, value, {1: LEN}, frozenset({1}), where).get(1) or []
        kwargs["enum_type"] = EnumType(tuple(data[a:b].decode("utf-8") for a, b in values))
    elif n == 8:
        kwargs["structured_dataset_type"] = _sd_type(data, value, f"{where}.structured_dataset_type")
    else:
        variants = _Fields(data, value, {1: LEN}, frozenset({1}), where).get(1) or []
        kwargs["union_type"] = UnionType(
            tuple(decode_literal_type(data, v, f"{where}.union_type[{i}]") for i, v in enumerate(variants))
        )
    metadata = f.get(6)
    if metadata is not None:
        kwargs["metadata"] = decode_struct(data, metadata) or None
    annotation = f.get(9)
    if annotation is not None:
        inner = _Fields(data, annotation, {1: LEN}, _S, where).get(1)
        kwargs["annotation"] = (decode_struct(data, inner) if inner is not None else None) or None
    structure = f.get(11)
    if structure is not None:
        kwargs["structure"] = _structure(data, structure, f"{where}.structure")
    return LiteralType(**kwargs)


def _structure(data: bytes, span: Span, where: str) -> TypeStructure:
    s = _Fields(data, span, {1: LEN, 2: LEN}, frozenset({2}), where)
    entries = s.get(2) or []
    dataclass_type = {}
    for entry in entries:
        e = _Fields(data, entry, {1: LEN, 2: LEN}, _S, where)
        lt = e.get(2)
        if lt is not None:
            dataclass_type[e.text(1)] = decode_literal_type(data, lt, f"{where}.dataclass_type[{e.text(1)!r}]")
    return TypeStructure(s.text(1), dataclass_type=dataclass_type or None)


# --------------------------------------------------------------------------- entry point


def decode(data: bytes, reader: Callable[[bytes, Span, str], Any], message: str, *, canonical: bool = False) -> Any:
    """Decode ``data`` with ``reader``; non-canonical bytes are made canonical by protobuf first.

    ``message`` names the flyteidl message (``"Literal"``, ``"LiteralType"``,
    ``"LiteralMap"``) the bytes hold; ``canonical=True`` says protobuf's own
    serializer wrote them (``from_flyteidl``), which lets bulk reads be
    checked by size rather than by re-encoding.
    """
    try:
        return _guarded(reader, data, canonical)
    except NonCanonical:
        pass
    from google.protobuf.message import DecodeError

    from .messages import message_class

    try:
        reserialized = message_class(message).FromString(data).SerializeToString()
    except DecodeError as exc:
        raise LiteralDecodeError(f"not a flyteidl {message}: {exc}") from None
    try:
        return _guarded(reader, reserialized, True)
    except NonCanonical:
        raise LiteralDecodeError(f"flyteidl {message} could not be read in canonical form") from None


def _guarded(reader: Callable[[bytes, Span, str], Any], data: bytes, canonical: bool) -> Any:
    token = bulk.CANONICAL.set(canonical)
    try:
        return reader(data, (0, len(data)), "$")
    except (LiteralDecodeError, NonCanonical):
        raise
    except RecursionError:
        raise LiteralDecodeError("the message is nested too deeply to be a literal") from None
    except UnicodeDecodeError as exc:
        raise LiteralDecodeError(f"a string field is not UTF-8 ({exc.reason} at byte {exc.start})") from None
    except (ValueError, TypeError) as exc:  # truncated fields, and the literal model's own one-of and type checks
        raise LiteralDecodeError(f"not a valid flyteidl message: {exc}") from None
    finally:
        bulk.CANONICAL.reset(token)
