"""The wire format: lossless round trips, and untrusted bytes that raise only LiteralDecodeError."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import sys
from typing import Any

import msgpack
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from typeflow import wire
from typeflow.columns import (
    Column,
    DatetimeColumn,
    ListColumn,
    LiteralsColumn,
    MapColumn,
    NoneColumn,
    PrimitiveColumn,
    UnionColumn,
)
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

INT64 = st.integers(-(2**63), 2**63 - 1)
TEXT = st.text(max_size=8)
JSON = st.recursive(
    st.none() | st.booleans() | INT64 | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=8,
)

simple_types = st.builds(LiteralType, simple=st.sampled_from(SimpleType))
blob_types = st.builds(BlobType, format=TEXT, dimensionality=st.sampled_from(BlobDimensionality))


def _extend_types(inner: st.SearchStrategy[LiteralType]) -> st.SearchStrategy[LiteralType]:
    return st.one_of(
        st.builds(LiteralType, collection_type=inner),
        st.builds(LiteralType, map_value_type=inner),
        st.builds(LiteralType, union_type=st.builds(UnionType, variants=st.lists(inner, max_size=3).map(tuple))),
        st.builds(LiteralType, blob=blob_types, structure=st.builds(TypeStructure, tag=TEXT)),
        st.builds(
            LiteralType,
            simple=st.just(SimpleType.STRUCT),
            structure=st.builds(TypeStructure, tag=TEXT, dataclass_type=st.dictionaries(TEXT, inner, max_size=3)),
        ),
        st.builds(LiteralType, enum_type=st.builds(EnumType, values=st.lists(TEXT, max_size=3).map(tuple))),
        st.builds(
            LiteralType,
            structured_dataset_type=st.builds(
                StructuredDatasetType,
                columns=st.lists(st.builds(DatasetColumn, name=TEXT, literal_type=inner), max_size=2).map(tuple),
                format=TEXT,
            ),
        ),
        st.builds(LiteralType, simple=st.sampled_from(SimpleType), metadata=st.dictionaries(TEXT, JSON, max_size=2)),
    )


literal_types = st.recursive(simple_types, _extend_types, max_leaves=6)

primitives = st.one_of(
    st.builds(Primitive, integer=INT64),
    st.builds(Primitive, float_value=st.floats(allow_nan=False)),
    st.builds(Primitive, string_value=st.text()),
    st.builds(Primitive, boolean=st.booleans()),
    st.builds(Primitive, datetime=st.datetimes() | st.datetimes(timezones=st.just(dt.timezone.utc))),
    st.builds(Primitive, duration=st.timedeltas()),
)
scalars = st.one_of(
    st.builds(Scalar, primitive=primitives),
    st.builds(Scalar, binary=st.builds(Binary, value=st.binary(max_size=16), tag=TEXT)),
    st.builds(Scalar, none_type=st.just(Void())),
    st.builds(Scalar, blob=st.builds(Blob, metadata=st.builds(BlobMetadata, type=blob_types), uri=TEXT)),
    st.builds(Scalar, error=st.builds(Error, failed_node_id=TEXT, message=TEXT)),
    st.builds(Scalar, generic=st.dictionaries(TEXT, JSON, max_size=3)),
    st.builds(
        Scalar,
        structured_dataset=st.builds(
            StructuredDataset,
            uri=TEXT,
            metadata=st.none() | st.builds(StructuredDatasetMetadata, structured_dataset_type=st.builds(StructuredDatasetType)),
        ),
    ),
)
packed = st.one_of(
    st.lists(INT64).map(lambda v: LiteralCollection.packed("integer", v)),
    st.lists(st.floats(allow_nan=False)).map(lambda v: LiteralCollection.packed("float_value", v)),
    st.lists(st.text()).map(lambda v: LiteralCollection.packed("string_value", v)),
    st.lists(st.booleans()).map(lambda v: LiteralCollection.packed("boolean", v)),
    st.lists(st.binary()).map(lambda v: LiteralCollection.packed("binary", v, tag="msgpack")),
)
packed_maps = st.dictionaries(TEXT, INT64).map(lambda d: LiteralMap.packed("integer", list(d), list(d.values())))

datetimes = st.datetimes() | st.datetimes(timezones=st.just(dt.timezone.utc))
leaf_columns: st.SearchStrategy[Column] = st.one_of(
    packed.map(lambda c: c.literals.column),  # type: ignore[attr-defined]
    st.lists(datetimes, max_size=6).map(DatetimeColumn),
    st.lists(st.dates(), max_size=6).map(lambda v: DatetimeColumn([dt.datetime(d.year, d.month, d.day) for d in v])),
    st.lists(st.timedeltas(min_value=dt.timedelta(days=-700_000), max_value=dt.timedelta(days=2_900_000)), max_size=6).map(
        lambda v: PrimitiveColumn("duration", v)
    ),
)


@st.composite
def union_columns(draw: st.DrawFn, inner: st.SearchStrategy[Column]) -> Column:
    parts = draw(st.lists(inner | st.integers(0, 4).map(NoneColumn), min_size=1, max_size=3))
    numbers = [n for n, part in enumerate(parts) for _ in range(len(part))]
    index = bytes(draw(st.permutations(numbers))) if numbers else b""
    variants = draw(st.lists(literal_types, min_size=len(parts), max_size=len(parts)))
    return UnionColumn(variants, index, parts)


@st.composite
def list_columns(draw: st.DrawFn, inner: st.SearchStrategy[Column]) -> Column:
    child = draw(inner)
    cuts = sorted(draw(st.lists(st.integers(0, len(child)), max_size=4)))
    bounds = [0, *cuts, len(child)]
    return ListColumn([b - a for a, b in itertools.pairwise(bounds)], child)


@st.composite
def map_columns(draw: st.DrawFn, inner: st.SearchStrategy[Column]) -> Column:
    shapes = draw(st.lists(st.lists(TEXT, unique=True, max_size=3).map(tuple), min_size=1, max_size=3, unique=True))
    index = draw(st.lists(st.integers(0, len(shapes) - 1), max_size=5))
    total = sum(len(shapes[i]) for i in index)
    child = draw(inner.filter(lambda c: len(c) >= total))
    one_shape = len(shapes) == 1 and shapes[0] and draw(st.booleans())
    return MapColumn(shapes, None if one_shape else index, child.slice(0, total), len(index))


def _extend_columns(inner: st.SearchStrategy[Column]) -> st.SearchStrategy[Column]:
    return union_columns(inner) | list_columns(inner) | map_columns(inner)


columns = st.recursive(leaf_columns, _extend_columns, max_leaves=6)


def _extend_literals(inner: st.SearchStrategy[Literal]) -> st.SearchStrategy[Literal]:
    return st.one_of(
        st.builds(Literal, collection=st.builds(LiteralCollection, literals=st.lists(inner, max_size=3))),
        st.builds(Literal, map=st.builds(LiteralMap, literals=st.dictionaries(TEXT, inner, max_size=3))),
        st.builds(Literal, scalar=st.builds(Scalar, union=st.builds(Union, value=inner, stored_type=literal_types))),
        st.builds(Literal, collection=packed, hash=st.none() | TEXT),
        st.builds(Literal, map=packed_maps),
        st.builds(Literal, collection=st.builds(LiteralCollection.from_column, columns)),
        st.builds(Literal, collection=st.builds(LiteralCollection.from_column, st.lists(inner, max_size=3).map(LiteralsColumn))),
        columns.flatmap(
            lambda c: st.lists(TEXT, min_size=len(c), max_size=len(c), unique=True).map(
                lambda keys: Literal(map=LiteralMap.from_column(keys, c))
            )
        ),
    )


literals = st.recursive(
    st.builds(Literal, scalar=scalars, hash=st.none() | TEXT, metadata=st.none() | st.dictionaries(TEXT, TEXT, max_size=2)),
    _extend_literals,
    max_leaves=10,
)
offloaded = st.builds(
    Literal,
    offloaded_metadata=st.builds(
        LiteralOffloadedMetadata, uri=TEXT, size_bytes=st.integers(0, 2**40), inferred_type=literal_types
    ),
)
wire_objects = st.one_of(
    literals, offloaded, literal_types, st.builds(LiteralMap, literals=st.dictionaries(TEXT, literals, max_size=3))
)


@settings(max_examples=300, deadline=None)
@given(obj=wire_objects)
def test_binary_and_dict_forms_round_trip_losslessly(obj: Any) -> None:
    for version in wire.READ_VERSIONS:
        assert wire.loads(wire.dumps(obj, version=version)) == obj
        as_json = json.dumps(wire.to_dict(obj, version=version), allow_nan=False)
        assert wire.from_dict(json.loads(as_json)) == obj


@settings(max_examples=500, deadline=None)
@given(data=st.binary(max_size=64))
def test_random_bytes_raise_only_literal_decode_error(data: bytes) -> None:
    for candidate in (data, wire.MAGIC + bytes([wire.FORMAT_VERSION]) + b"L" + data):
        try:
            wire.loads(candidate)
        except LiteralDecodeError:
            pass


@settings(max_examples=500, deadline=None)
@given(obj=wire_objects, data=st.data())
def test_mutated_encodings_raise_only_literal_decode_error_or_decode(obj: Any, data: st.DataObject) -> None:
    encoded = bytearray(wire.dumps(obj))
    action = data.draw(st.sampled_from(["flip", "truncate", "insert"]))
    position = data.draw(st.integers(0, len(encoded) - 1))
    if action == "flip":
        encoded[position] ^= 1 << data.draw(st.integers(0, 7))
    elif action == "truncate":
        del encoded[position:]
    else:
        encoded[position:position] = data.draw(st.binary(min_size=1, max_size=8))
    try:
        decoded = wire.loads(bytes(encoded))
    except LiteralDecodeError:
        return
    assert isinstance(decoded, (Literal, LiteralType, LiteralMap))


@settings(max_examples=200, deadline=None)
@given(tree=JSON | st.dictionaries(st.sampled_from(["scalar", "collection", "map", "hash", "literals", "packed"]), JSON))
def test_arbitrary_json_raises_only_literal_decode_error(tree: Any) -> None:
    for kind in ("literal", "literal_type", "literal_map"):
        for version in wire.READ_VERSIONS:
            try:
                wire.from_dict({"typeflow_wire": version, kind: tree})
            except LiteralDecodeError:
                pass


def _header(kind: bytes = b"L") -> bytes:
    return wire.MAGIC + bytes([wire.FORMAT_VERSION]) + kind


@pytest.mark.parametrize(
    ("data", "where"),
    [
        (b"", "byte 0"),
        (b"NOPE\x01L\x80", "byte 0"),
        (wire.MAGIC + b"\x63L\x80", "byte 4"),
        (_header(b"Z") + b"\x80", "byte 5"),
        (_header() + b"\xdd\xff\xff\xff\xff", "byte 6"),  # an array declaring 4 billion items
        (_header() + b"\xc6\xff\xff\xff\xff", "byte 6"),  # bytes declaring 4 GiB
        (_header() + b"\x91" * 100_000 + b"\xc0", "byte 6"),  # 100,000 nested arrays
        (_header() + msgpack.packb({"scalar": {"primitive": {"integer": "x"}}}), "$.scalar.primitive.integer"),
        (
            _header() + msgpack.packb({"collection": {"packed": {"kind": "integer", "values": b"1234567"}}}),
            "$.collection.packed.values",
        ),
        (_header() + msgpack.packb({"scalar": {"primitive": {"integer": 1}}}) + b"\x00", "byte 35"),
        (_header() + msgpack.packb({"scalar": {"binary": {"value": "not bytes"}}}), "$.scalar.binary.value"),
        (_header() + msgpack.packb({"scalar": {}}), "$.scalar"),
    ],
)
def test_malformations_say_where(data: bytes, where: str) -> None:
    with pytest.raises(LiteralDecodeError) as info:
        wire.loads(data)
    assert info.value.where == where, str(info.value)


def test_deeply_nested_literals_are_bounded() -> None:
    tree: dict[str, Any] = {"scalar": {"none_type": {}}}
    for _ in range(wire.MAX_DEPTH + 5):
        tree = {"collection": {"literals": [tree]}}
    with pytest.raises(LiteralDecodeError, match="deeper than"):
        wire.loads(_header() + msgpack.packb(tree))


def test_size_limit_is_enforced_before_decoding() -> None:
    data = wire.dumps(Literal(scalar=Scalar(binary=Binary(b"x" * 1000, "msgpack"))))
    with pytest.raises(LiteralDecodeError, match="exceeds the limit"):
        wire.loads(data, max_size=100)


def test_decoding_imports_nothing_and_refuses_extension_types() -> None:
    before = set(sys.modules)
    ext = msgpack.packb({"scalar": {"generic": {"x": msgpack.ExtType(42, b"payload")}}})
    with pytest.raises(LiteralDecodeError, match="extension type 42"):
        wire.loads(_header() + ext)
    assert set(sys.modules) - before == set()


def test_format_starts_with_magic_and_version() -> None:
    data = wire.dumps(LiteralType(simple=SimpleType.INTEGER))
    assert data[:4] == b"TYFL" and data[4] == 2 and data[5:6] == b"T"


# ----------------------------------------------------------------------------- budgets and offsets


def _body(raw: bytes) -> bytes:
    return wire.MAGIC + bytes([wire.FORMAT_VERSION]) + b"L" + raw


def test_nested_array_headers_are_refused_before_msgpack_preallocates_them() -> None:
    import tracemalloc

    data = _body(b"\xdd\x00\x00\x22\x66" * 1800)  # 8.8 KiB of headers each declaring 8,806 items
    tracemalloc.start()
    try:
        with pytest.raises(LiteralDecodeError, match="declares 8806 items, more than the 8990 bytes left can hold") as info:
            wire.loads(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert info.value.where == "byte 11"
    assert peak < 2**20, f"refusing took {peak} bytes"


def test_object_and_memory_budgets_name_their_limit() -> None:
    lit = Literal(collection=LiteralCollection([Literal(scalar=Scalar(none_type=Void()))] * 1000))
    data = wire.dumps(lit)
    assert wire.loads(data) == lit
    with pytest.raises(LiteralDecodeError, match="max_objects"):
        wire.loads(data, max_objects=500)
    with pytest.raises(LiteralDecodeError, match="max_memory"):
        wire.loads(data, max_memory=10_000)
    empties = wire.dumps(Literal(scalar=Scalar(generic={"x": [{}] * 200_000})))
    with pytest.raises(LiteralDecodeError, match="max_memory"):
        wire.loads(empties)  # about 70 bytes of Python objects per input byte: past the documented multiple
    assert wire.loads(empties, max_memory=2**31) is not None


@pytest.mark.parametrize(
    ("raw", "where", "what"),
    [
        (b"\xa3ab", "byte 6", "exceeds the 2 bytes left"),
        (b"\x81\xa1a\xa2\xff\xfe", "byte 10", "invalid UTF-8"),
        (b"\x81\x01\x02", "byte 7", "map keys must be strings"),
        (b"\x82\xa1a\x01\xa1b\xc1", "byte 12", "0xc1"),
        (b"\x81\xa1a\xd4\x05\x00", "byte 9", "extension type 5"),
        (b"\x92\x01", "byte 6", "more than the 1 bytes left"),
        (b"\xcd\x01", "byte 6", "truncated inside a number"),
        (b"\x01\x02", "byte 7", "trailing bytes"),
    ],
)
def test_malformed_msgpack_errors_name_the_real_byte_offset(raw: bytes, where: str, what: str) -> None:
    with pytest.raises(LiteralDecodeError, match=what) as info:
        wire.loads(_body(raw))
    assert info.value.where == where
