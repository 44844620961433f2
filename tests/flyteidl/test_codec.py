"""The byte codec writes exactly what protobuf writes, and reads it back to an equal literal."""

from __future__ import annotations

import array
import dataclasses
import datetime as dt
import math
import typing
from typing import Any

import pytest
from flyteidl.core import literals_pb2, types_pb2
from hypothesis import given, settings
from hypothesis import strategies as st

import typeflow
from typeflow.errors import LiteralDecodeError, TypeflowError, TypeTransformerFailedError
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
from typeflow_flyteidl import _frames, bulk, from_bytes, from_flyteidl, to_bytes, to_flyteidl

from ..core import strategies as core_strategies
from .protobuf_oracle import check_mutated_collection_reads_as_protobuf, varint

INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)


def lit_int(v: int) -> Literal:
    return Literal(scalar=Scalar(primitive=Primitive(integer=v)))


def reference_collection(elements: list[literals_pb2.Literal]) -> bytes:
    """What protobuf itself writes for a collection built element by element."""
    return literals_pb2.LiteralCollection(literals=elements).SerializeToString()


def pb_scalar(**primitive: Any) -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(**primitive)))


def assert_canonical(message: Any, data: bytes) -> None:
    """protobuf parses ``data`` and, serializing the message again, writes the very same bytes."""
    assert type(message).FromString(data).SerializeToString() == data


# --------------------------------------------------------------------------- packed kinds, byte for byte


@given(st.lists(INT64, min_size=0, max_size=300))
def test_packed_ints_are_the_bytes_protobuf_writes(values: list[int]) -> None:
    coll = LiteralCollection.packed("integer", values)
    data = bulk.encode_collection(coll.literals)  # type: ignore[arg-type]
    assert data == reference_collection([pb_scalar(integer=v) for v in values])


def test_packed_ints_without_numpy_are_the_same_bytes(monkeypatch: pytest.MonkeyPatch) -> None:
    values = [0, 1, -1, 127, 128, 2**63 - 1, -(2**63), *range(-300, 300, 7)]
    with_numpy = bulk.encode_collection(PackedLiterals("integer", values))
    monkeypatch.setattr(_frames, "numpy", lambda: None)
    without = bulk.encode_collection(PackedLiterals("integer", values))
    assert with_numpy == without == reference_collection([pb_scalar(integer=v) for v in values])
    assert from_bytes(
        bytes(literals_pb2.Literal(collection=literals_pb2.LiteralCollection.FromString(without)).SerializeToString()), "Literal"
    ) == Literal(collection=LiteralCollection(PackedLiterals("integer", values)))


@given(st.lists(st.floats(allow_nan=False), max_size=100))
def test_packed_floats_are_the_bytes_protobuf_writes(values: list[float]) -> None:
    data = bulk.encode_collection(PackedLiterals("float_value", values))
    assert data == reference_collection([pb_scalar(float_value=v) for v in values])


@given(st.lists(st.text(), max_size=60))
def test_packed_strings_are_the_bytes_protobuf_writes(values: list[str]) -> None:
    data = bulk.encode_collection(PackedLiterals("string_value", values))
    assert data == reference_collection([pb_scalar(string_value=v) for v in values])


@given(st.lists(st.booleans(), max_size=60))
def test_packed_bools_are_the_bytes_protobuf_writes(values: list[bool]) -> None:
    data = bulk.encode_collection(PackedLiterals("boolean", values))
    assert data == reference_collection([pb_scalar(boolean=v) for v in values])


@given(st.lists(st.binary(max_size=300), max_size=40), st.sampled_from(["", "msgpack", "bytes"]))
def test_packed_binaries_are_the_bytes_protobuf_writes(values: list[bytes], tag: str) -> None:
    data = bulk.encode_collection(PackedLiterals("binary", values, tag))
    elements = [literals_pb2.Literal(scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=v, tag=tag))) for v in values]
    assert data == reference_collection(elements)


@given(st.dictionaries(st.text(), st.floats(allow_nan=False), max_size=40))
def test_packed_maps_hold_what_protobuf_holds(values: dict[str, float]) -> None:
    lm = LiteralMap(PackedLiteralMap("float_value", list(values), list(values.values())))
    data = to_bytes(lm)
    reference = literals_pb2.LiteralMap(literals={k: pb_scalar(float_value=v) for k, v in values.items()})
    parsed = literals_pb2.LiteralMap.FromString(data)
    assert parsed == reference
    # entries are written in the map's order; protobuf's own order for the same entries is the same set of bytes
    assert parsed.SerializeToString(deterministic=True) == reference.SerializeToString(deterministic=True)
    assert from_bytes(data) == lm


@pytest.mark.parametrize("kind", ["float_value", "boolean"])
@pytest.mark.parametrize(
    "keys",
    [
        [f"key-{i}" for i in range(300)],  # runs of equally long keys: written run by run
        [f"{i:06x}" for i in range(0, 2**20, 2**13)],  # one run
        ["k" * (1 + i % 7) + str(i) for i in range(300)],  # nearly every key a run of its own: written entry by entry
        [*(f"id{i:03d}" for i in range(100)), "x", *(f"{i}" for i in range(60))],
    ],
)
def test_fixed_width_maps_are_the_same_bytes_with_and_without_numpy(
    kind: str, keys: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    values = [(i % 3 == 0) if kind == "boolean" else i / 7 for i in range(len(keys))]
    lm = LiteralMap(PackedLiteralMap(kind, keys, values))
    with_numpy = to_bytes(lm)
    monkeypatch.setattr(_frames, "numpy", lambda: None)
    assert to_bytes(lm) == with_numpy
    reference = literals_pb2.LiteralMap(literals={k: pb_scalar(**{kind: v}) for k, v in zip(keys, values)})
    assert literals_pb2.LiteralMap.FromString(with_numpy) == reference
    assert from_bytes(with_numpy) == lm


@pytest.mark.parametrize(
    ("kind", "values", "tag"),
    [
        ("integer", [5, -7, 0, 2**40], ""),
        ("float_value", [0.5, -0.0, math.inf], ""),
        ("string_value", ["a", "", "é✓"], ""),
        ("boolean", [True, False, True], ""),
        ("binary", [b"\x00", b"", b"xyz"], "msgpack"),
    ],
)
def test_packed_collections_come_back_packed(kind: str, values: list[Any], tag: str) -> None:
    lit = Literal(collection=LiteralCollection(PackedLiterals(kind, values, tag)))
    back = from_flyteidl(to_flyteidl(lit))
    assert back == lit
    assert isinstance(back, Literal) and back.collection is not None
    # an empty binary value is omitted by proto3, so the bulk read refuses it: read one by one, then packed again
    assert back.collection.is_packed
    assert back.collection.literals.column.kind == kind  # type: ignore[attr-defined]


def test_a_collection_protobuf_writes_element_by_element_is_read_packed() -> None:
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[pb_scalar(integer=i) for i in range(1000)]))
    lit = from_flyteidl(pb)
    assert isinstance(lit, Literal) and lit.collection is not None and lit.collection.is_packed
    assert isinstance(lit.collection.literals, PackedLiterals)
    assert lit.collection.literals.values == array.array("q", range(1000))


def test_a_mixed_collection_is_read_element_by_element() -> None:
    elements = [pb_scalar(integer=1), pb_scalar(string_value="x"), pb_scalar(integer=2)]
    hashed = pb_scalar(integer=3)
    hashed.hash = "h"
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=[*elements, hashed]))
    lit = from_flyteidl(pb)
    assert isinstance(lit, Literal) and lit.collection is not None and not lit.collection.is_packed
    assert list(lit.collection.literals) == [
        lit_int(1),
        Literal(scalar=Scalar(primitive=Primitive(string_value="x"))),
        lit_int(2),
        Literal(scalar=Scalar(primitive=Primitive(integer=3)), hash="h"),
    ]


def test_elements_written_twice_are_merged_as_protobuf_merges_them() -> None:
    # two ints in one element: protobuf keeps the last; the bulk reader must not count both
    element = literals_pb2.Literal(scalar=literals_pb2.Scalar(primitive=literals_pb2.Primitive(integer=5))).SerializeToString()
    doubled = b"\x0a\x04\x0a\x02\x08\x05" + b"\x0a\x04\x0a\x02\x08\x06"  # scalar twice in one Literal
    payload = b"".join(b"\x0a" + bytes((len(e),)) + e for e in (element, doubled, element))
    expected = literals_pb2.LiteralCollection.FromString(payload)
    lit = from_bytes(literals_pb2.Literal(collection=expected).SerializeToString(), "Literal")
    raw = b"\x12" + bytes((len(payload),)) + payload  # Literal.collection holding the non-canonical payload
    assert from_bytes(raw, "Literal") == lit
    assert [x.scalar.primitive.integer for x in expected.literals] == [5, 6, 5]
    assert lit == Literal(collection=LiteralCollection((lit_int(5), lit_int(6), lit_int(5))))


# --------------------------------------------------------------------------- the whole model


def _all_forms() -> list[Literal | LiteralType | LiteralMap]:
    struct_type = LiteralType(
        simple=SimpleType.STRUCT,
        metadata={"type": "object", "properties": {"a": {"type": "integer", "minimum": 0}}, "required": ["a"]},
        annotation={"cache-key-metadata": {"serialization-format": "msgpack"}},
    )
    sd_type = StructuredDatasetType(
        (DatasetColumn("a", LiteralType(simple=SimpleType.INTEGER)),), "parquet", "arrow", b"\x01\x02"
    )
    union_type = LiteralType(
        union_type=UnionType(
            (
                LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure("int")),
                LiteralType(simple=SimpleType.NONE, structure=TypeStructure("none")),
            )
        )
    )
    return [
        LiteralType(simple=SimpleType.NONE),
        LiteralType(collection_type=LiteralType(map_value_type=LiteralType(simple=SimpleType.DURATION))),
        LiteralType(blob=BlobType("PythonPickle"), metadata={"python_class_name": "<class 'x.Y'>"}),
        LiteralType(blob=BlobType("", BlobDimensionality.MULTIPART)),
        LiteralType(enum_type=EnumType(("red", "green", ""))),
        LiteralType(structured_dataset_type=sd_type),
        struct_type,
        union_type,
        Literal(scalar=Scalar(primitive=Primitive(integer=0))),
        Literal(scalar=Scalar(primitive=Primitive(float_value=-0.0))),
        Literal(scalar=Scalar(primitive=Primitive(string_value=""))),
        Literal(scalar=Scalar(primitive=Primitive(boolean=False))),
        Literal(
            scalar=Scalar(primitive=Primitive(datetime=dt.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=dt.timezone.utc)))
        ),
        Literal(scalar=Scalar(primitive=Primitive(datetime=dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)))),
        Literal(scalar=Scalar(primitive=Primitive(duration=dt.timedelta(microseconds=-1)))),
        Literal(scalar=Scalar(primitive=Primitive(duration=dt.timedelta(days=-400, seconds=5)))),
        Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("NumpyArray")), "s3://b/k.npy"))),
        Literal(scalar=Scalar(binary=Binary(b"", ""))),
        Literal(scalar=Scalar(binary=Binary(b"\x81\xa1a\x01", "msgpack"))),
        Literal(scalar=Scalar(none_type=Void())),
        Literal(scalar=Scalar(error=Error("n0", "boom"))),
        Literal(scalar=Scalar(generic={"a": 1, "b": [1.5, "x", None, True, {"c": []}], "d": {}})),
        Literal(scalar=Scalar(structured_dataset=StructuredDataset("s3://b/d", StructuredDatasetMetadata(sd_type)))),
        Literal(scalar=Scalar(structured_dataset=StructuredDataset("/tmp/d"))),
        Literal(scalar=Scalar(union=Union(lit_int(3), union_type.union_type.variants[0]))),  # type: ignore[union-attr]
        Literal(
            offloaded_metadata=LiteralOffloadedMetadata("s3://b/off", 123, LiteralType(collection_type=struct_type)),
            hash="abc",
            metadata={"k": "v", "": ""},
        ),
        Literal(collection=LiteralCollection(())),
        Literal(map=LiteralMap({})),
        Literal(collection=LiteralCollection((lit_int(1), Literal(map=LiteralMap({"a": lit_int(2)}), hash="x")))),
        Literal(scalar=Scalar(primitive=Primitive(integer=7)), hash="h", metadata={"pickle.python": "3.11"}),
        LiteralMap({"o0": lit_int(1), "": Literal(collection=LiteralCollection.packed("string_value", ["a", "b"]))}),
    ]


@pytest.mark.parametrize("obj", _all_forms(), ids=lambda o: repr(o)[:60])
def test_every_form_round_trips_and_is_canonical(obj: Literal | LiteralType | LiteralMap) -> None:
    pb = to_flyteidl(obj)
    assert from_flyteidl(pb) == obj
    data = to_bytes(obj)
    assert type(pb).FromString(data) == pb
    if "metadata" not in repr(obj) and "generic" not in repr(obj) and "LiteralMap" not in repr(obj):
        assert_canonical(pb, data)  # maps aside (protobuf orders map entries its own way), the same bytes


def test_the_fields_mean_what_flyteidl_says() -> None:
    lv = typeflow.to_literal({"a": [1, 2]}, dict[str, list[int]])
    pb = to_flyteidl(lv)
    assert [x.scalar.primitive.integer for x in pb.map.literals["a"].collection.literals] == [1, 2]
    when = dt.datetime(2024, 5, 6, 7, 8, 9, 10, tzinfo=dt.timezone.utc)
    pb = to_flyteidl(typeflow.to_literal(when, dt.datetime))
    assert pb.scalar.primitive.datetime.ToDatetime(tzinfo=dt.timezone.utc) == when
    pb = to_flyteidl(typeflow.to_literal(dt.timedelta(seconds=-1.5), dt.timedelta))
    assert pb.scalar.primitive.duration.ToTimedelta() == dt.timedelta(seconds=-1.5)
    lt = to_flyteidl(typeflow.to_literal_type(typing.Optional[int]))
    assert [v.structure.tag for v in lt.union_type.variants] == ["int", "none"]


def test_a_naive_datetime_is_written_as_utc_and_read_back_aware() -> None:
    naive = dt.datetime(2024, 1, 2, 3, 4, 5)
    pb = to_flyteidl(Literal(scalar=Scalar(primitive=Primitive(datetime=naive))))
    assert pb.scalar.primitive.datetime.ToDatetime() == naive  # protobuf's own reading: the same wall clock, in UTC
    back = from_flyteidl(pb)
    assert isinstance(back, Literal) and back.scalar is not None and back.scalar.primitive is not None
    assert back.scalar.primitive.datetime == naive.replace(tzinfo=dt.timezone.utc)


AWARE = {
    **core_strategies.SIMPLE,
    dt.datetime: st.datetimes(timezones=st.just(dt.timezone.utc)),
    dt.timedelta: st.timedeltas(min_value=dt.timedelta(days=-3_652_000), max_value=dt.timedelta(days=3_652_000)),
}


def _aware_values(t: Any) -> st.SearchStrategy[Any]:
    if t in AWARE:
        return AWARE[t]
    origin, args = typing.get_origin(t), typing.get_args(t)
    if origin is list:
        return st.lists(_aware_values(args[0]), max_size=4)
    if origin is dict:
        return st.dictionaries(st.text(), _aware_values(args[1]), max_size=4)
    return st.one_of(*(st.none() if a is type(None) else _aware_values(a) for a in args))


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_any_literal_typeflow_writes_round_trips(data: st.DataObject) -> None:
    t = data.draw(core_strategies.TYPES)
    value = data.draw(_aware_values(t))
    lv = typeflow.to_literal(value, t)
    assert from_flyteidl(to_flyteidl(lv)) == lv
    lt = typeflow.to_literal_type(t)
    assert from_flyteidl(to_flyteidl(lt)) == lt


# --------------------------------------------------------------------------- what does not map


@pytest.mark.parametrize(
    ("generic", "says"),
    [
        ({"b": b"x"}, "cannot hold a bytes"),
        ({"n": 2**60}, "exactly"),
        ({1: "x"}, "non-str key"),
        ({"s": {1, 2}}, "cannot hold a set"),
    ],
)
def test_values_a_struct_cannot_hold_are_refused_with_where(generic: dict[Any, Any], says: str) -> None:
    with pytest.raises(TypeTransformerFailedError, match=says):
        to_flyteidl(Literal(scalar=Scalar(generic=generic)))


def test_a_lone_surrogate_is_refused_naming_the_element() -> None:
    lit = Literal(collection=LiteralCollection.packed("string_value", ["ok", "bad\ud800"]))
    with pytest.raises(TypeTransformerFailedError, match=r"UTF-8.*\$\[1\]"):
        to_flyteidl(lit)


def test_a_duration_beyond_protobufs_range_is_refused() -> None:
    with pytest.raises(TypeTransformerFailedError, match="10,000 years"):
        to_flyteidl(Literal(scalar=Scalar(primitive=Primitive(duration=dt.timedelta(days=999_999_999)))))


def test_a_schema_literal_is_refused_with_the_replacement() -> None:
    pb = literals_pb2.Literal(scalar=literals_pb2.Scalar(schema=literals_pb2.Schema(uri="s3://x")))
    with pytest.raises(LiteralDecodeError, match="StructuredDataset"):
        from_flyteidl(pb)
    with pytest.raises(LiteralDecodeError, match="StructuredDataset"):
        from_flyteidl(types_pb2.LiteralType(schema=types_pb2.SchemaType()))


@pytest.mark.parametrize(
    "data",
    [b"\x0a", b"\x0a\x05\x0a", b"\xff" * 11, b"\x0b\x00", b"\x0a\x02\x22\x00", b"\x12\x03\x0a\x01\x00", b""],
)
def test_bytes_that_are_not_a_literal_raise_literal_decode_error(data: bytes) -> None:
    with pytest.raises(LiteralDecodeError):
        from_bytes(data, "Literal")


def test_deep_nesting_raises_literal_decode_error() -> None:
    data = b""
    for _ in range(3000):
        data = b"\x12" + varint(len(b"\x0a" + varint(len(data)) + data)) + b"\x0a" + varint(len(data)) + data
    with pytest.raises(LiteralDecodeError):
        from_bytes(data, "Literal")


def test_other_objects_are_refused() -> None:
    with pytest.raises(TypeflowError, match="not a"):
        to_flyteidl({"a": 1})  # type: ignore[arg-type]
    with pytest.raises(TypeflowError, match=r"flyteidl\.core"):
        from_flyteidl(types_pb2.BlobType())


@dataclasses.dataclass
class Rec:
    a: int
    b: str


def test_a_list_of_dataclasses_travels_packed() -> None:
    lv = typeflow.to_literal([Rec(1, "x"), Rec(2, "y")], list[Rec])
    back = from_flyteidl(to_flyteidl(lv))
    assert back == lv and back.collection is not None and back.collection.is_packed  # type: ignore[union-attr]
    assert typeflow.to_python_value(back, list[Rec]) == [Rec(1, "x"), Rec(2, "y")]  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kind", "values", "odd"),
    [
        ("integer", [1, 2, 3, 4], pb_scalar(string_value="x")),
        ("float_value", [0.5, 1.5, 2.5], pb_scalar(integer=1)),
        ("boolean", [True, False, True], pb_scalar(integer=1)),
    ],
)
def test_a_message_whose_elements_are_not_all_canonical_is_not_read_packed(kind: str, values: list[Any], odd: Any) -> None:
    # protobuf's own serialization, checked by size: a hash, metadata or a foreign element must fall back
    elements = [pb_scalar(**{kind: v}) for v in values]
    elements[1].hash = "h"
    elements[2].metadata["k"] = "v"
    for pb in (
        literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=elements)),
        literals_pb2.Literal(
            collection=literals_pb2.LiteralCollection(literals=[pb_scalar(**{kind: v}) for v in values] + [odd])
        ),
    ):
        lit = from_flyteidl(pb)
        assert isinstance(lit, Literal) and lit.collection is not None and not lit.collection.is_packed
        assert to_flyteidl(lit) == pb


@pytest.mark.parametrize(("kind", "value"), [("integer", 2**50), ("float_value", 0.25), ("boolean", True)])
def test_a_map_message_with_a_decorated_value_is_not_read_packed(kind: str, value: Any) -> None:
    pb = literals_pb2.Literal(map=literals_pb2.LiteralMap(literals={f"k{i}": pb_scalar(**{kind: value}) for i in range(4)}))
    assert from_flyteidl(pb).map.is_packed  # type: ignore[union-attr]
    pb.map.literals["k2"].hash = "h"
    lit = from_flyteidl(pb)
    assert isinstance(lit, Literal) and lit.map is not None and not lit.map.is_packed
    assert to_flyteidl(lit) == pb


def pb_binary(value: bytes, tag: str = "msgpack") -> literals_pb2.Literal:
    return literals_pb2.Literal(scalar=literals_pb2.Scalar(binary=literals_pb2.Binary(value=value, tag=tag)))


#: elements protobuf serializes to the size of a uniform column's, or close: a size proof must not take them as one
_ODD_ELEMENTS = {
    "binary": (
        [pb_binary(b"ab"), pb_binary(b"cd"), pb_binary(b"ef")],
        [
            pb_binary(b"cd", "msgpacx"),  # another tag of the same length
            pb_binary(b"", "msgpack"),  # an empty value (proto3 leaves it out)
            pb_binary(b"cd", ""),  # no tag
            pb_binary(b"cd", "msgpack!"),
            pb_scalar(string_value="abcdefghijkl"),
        ],
    ),
    "string_value": (
        [pb_scalar(string_value="ab"), pb_scalar(string_value="cd"), pb_scalar(string_value="ef")],
        [pb_scalar(integer=1), pb_scalar(string_value=""), pb_binary(b"c", ""), pb_scalar(boolean=True)],
    ),
}


@pytest.mark.parametrize("kind", list(_ODD_ELEMENTS))
def test_a_size_proof_takes_only_uniform_strings_and_binaries_as_one_column(kind: str) -> None:
    uniform, odd_ones = _ODD_ELEMENTS[kind]
    pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=uniform))
    assert from_flyteidl(pb).collection.is_packed  # type: ignore[union-attr]
    for odd in odd_ones:
        for at in (0, 1, 3):
            elements = list(uniform)
            elements.insert(at, odd)
            pb = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=elements))
            lit = from_flyteidl(pb)
            assert to_flyteidl(lit) == pb, (odd, at)
            decorated = literals_pb2.Literal(collection=literals_pb2.LiteralCollection(literals=list(uniform)))
            decorated.collection.literals[at % 3].hash = "h"
            assert to_flyteidl(from_flyteidl(decorated)) == decorated
        maps = literals_pb2.Literal(
            map=literals_pb2.LiteralMap(literals={**{f"k{i}": e for i, e in enumerate(uniform)}, "odd": odd})
        )
        lit = from_flyteidl(maps)
        assert to_flyteidl(lit) == maps, odd


def test_a_map_protobuf_writes_is_read_packed_by_size_whatever_its_key_lengths() -> None:
    long_keys = ["", "k", "key" * 50, "ключ", "x" * 200]  # an empty key, a long one, non-ASCII, a two-byte length
    short_keys = ["k", "ключ", "clé", "鍵"]  # one-byte lengths, non-ASCII
    for keys in (long_keys, short_keys):
        for value in (pb_scalar(float_value=0.5), pb_scalar(string_value="s"), pb_binary(b"v")):
            pb = literals_pb2.Literal(map=literals_pb2.LiteralMap(literals={k: value for k in keys}))
            lit = from_flyteidl(pb)
            assert isinstance(lit, Literal) and lit.map is not None and lit.map.is_packed
            assert to_flyteidl(lit) == pb


@settings(max_examples=300)
@given(st.lists(INT64, min_size=2, max_size=20), st.data())
def test_mutated_int_collections_read_as_protobuf_reads_them(values: list[int], data: st.DataObject) -> None:
    """Bytes from anywhere (a file) are read as protobuf reads them, whatever the bulk path guesses."""
    check_mutated_collection_reads_as_protobuf(bulk.encode_collection(PackedLiterals("integer", values)), data)


def test_a_non_minimal_varint_is_read_as_protobuf_reads_it() -> None:
    element = b"\x0a\x07\x0a\x05\x0a\x03\x08\x80\x00"  # integer 0 written in two bytes
    good = bulk.encode_collection(PackedLiterals("integer", [5, 6]))
    raw_payload = element + good
    raw = b"\x12" + varint(len(raw_payload)) + raw_payload
    assert from_bytes(raw, "Literal") == Literal(collection=LiteralCollection((lit_int(0), lit_int(5), lit_int(6))))


def test_a_collection_crafted_to_have_the_canonical_size_is_still_read_as_protobuf_reads_it() -> None:
    two_ints = b"\x0a\x08\x0a\x06\x0a\x04\x08\x05\x08\x06"  # one element holding integer 5 then 6: protobuf keeps 6
    hash_only = b"\x0a\x04\x22\x02hh"  # an element with a hash and no value: not a literal
    seven = bulk.encode_collection(PackedLiterals("integer", [7]))
    payload = seven + two_ints + hash_only  # 24 bytes, the canonical size of [7, 5, 6]: what a merged view reads
    assert len(payload) == len(bulk.encode_collection(PackedLiterals("integer", [7, 5, 6])))
    raw = b"\x12" + varint(len(payload)) + payload
    with pytest.raises(LiteralDecodeError, match="none of its one-of"):
        from_bytes(raw, "Literal")


def test_a_packed_int_file_is_read_packed(tmp_path: Any) -> None:
    from typeflow_flyteidl import read_literal_map, write_literal_map

    lm = LiteralMap({"x": Literal(collection=LiteralCollection.packed("integer", [1, -1, 2**40, 0, 300]))})
    write_literal_map(lm, str(tmp_path / "outputs.pb"))
    back = read_literal_map(str(tmp_path / "outputs.pb"))
    assert back == lm and back.literals["x"].collection is not None and back.literals["x"].collection.is_packed
