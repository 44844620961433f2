"""Fuzzing ``wire.loads`` with untrusted bytes.

Every input must either raise :class:`LiteralDecodeError` or decode to a valid
literal (one that encodes and decodes back to itself), within a bounded time
and memory, and without importing or unpickling anything.

``TYPEFLOW_FUZZ_EXAMPLES`` sets the number of inputs per test (default 300, so
the file also runs quickly; the ``fuzz`` tox env uses 20,000).
"""

from __future__ import annotations

import builtins
import datetime as dt
import gc
import importlib
import marshal
import os
import pickle
import random
import sys
import time
import tracemalloc
from collections import Counter
from collections.abc import Callable, Iterator
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.core.test_wire import wire_objects
from typeflow import TypeEngine, wire
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

EXAMPLES = int(os.environ.get("TYPEFLOW_FUZZ_EXAMPLES", "300"))
SEED = int(os.environ.get("TYPEFLOW_FUZZ_SEED", "20240601"))
#: CPU seconds per input under 1 MiB; generous, the real figure is milliseconds. CPU time of this
#: process, not wall time: on a loaded machine the wall clock also counts other processes' turns.
#: A 7-byte input once measured 1.75 s of CPU in a full run and milliseconds on every rerun: time
#: not the decoder's (a collection of the whole test process's heap, or a stalled VM). So the
#: garbage collector is off while an input is timed, and an input over the bound is timed twice
#: more, keeping the best: a decoder that is slow on an input is slow every time
MAX_SECONDS = 1.0
#: wall seconds per input: only a decoder that waits (on a file, a lock, the network) gets near it
MAX_WALL_SECONDS = 30.0
MAX_PEAK_BYTES = 64 * 2**20  # per input under 1 MiB
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=False,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
)

#: inputs decoded per test, and how each ended; printed at the end of the module
STATS: Counter[str] = Counter()
SLOWEST: list[float] = [0.0]
PEAK: list[int] = [0]
#: largest peak memory over input size, for inputs of 64 KiB or more (smaller ones fit under MEMORY_FLOOR)
MULTIPLE: list[float] = [0.0]


class Trap(Exception):
    """Raised, and recorded, when decoding tries to import or unpickle."""


class Traps:
    """Replaces the ways to unpickle or import with tripwires while one input is decoded."""

    def __init__(self) -> None:
        self.sprung: list[str] = []

    def _trip(self, what: str) -> Callable[..., Any]:
        def tripwire(*args: Any, **kwargs: Any) -> Any:
            self.sprung.append(what)
            raise Trap(what)

        return tripwire

    def __enter__(self) -> Traps:
        real_import = builtins.__import__
        self._saved: list[tuple[Any, str, Any]] = []

        def guarded_import(name: str, globals: Any = None, locals: Any = None, fromlist: Any = (), level: int = 0) -> Any:
            if level == 0 and name not in sys.modules:
                self.sprung.append(f"import {name}")
                raise Trap(f"import {name}")
            return real_import(name, globals, locals, fromlist, level)

        class TrappedUnpickler(pickle.Unpickler):
            def find_class(inner, module: str, name: str) -> Any:
                self.sprung.append(f"find_class {module}.{name}")
                raise Trap("find_class")

        replacements = [
            (builtins, "__import__", guarded_import),
            (importlib, "import_module", self._trip("importlib.import_module")),
            (pickle, "loads", self._trip("pickle.loads")),
            (pickle, "load", self._trip("pickle.load")),
            (pickle, "Unpickler", TrappedUnpickler),
            (marshal, "loads", self._trip("marshal.loads")),
        ]
        for owner, name, replacement in replacements:
            self._saved.append((owner, name, getattr(owner, name)))
            setattr(owner, name, replacement)
        return self

    def __exit__(self, *exc: object) -> None:
        for owner, name, original in reversed(self._saved):
            setattr(owner, name, original)


@pytest.fixture(scope="module", autouse=True)
def _report(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        total = sum(v for k, v in STATS.items() if k.startswith("outcome:"))
        reporter.write_line(
            f"\nwire fuzz: {total} inputs decoded ({STATS['outcome:error']} LiteralDecodeError, "
            f"{STATS['outcome:valid']} valid); slowest {SLOWEST[0] * 1000:.1f} ms of CPU, "
            f"largest peak {PEAK[0] / 2**20:.2f} MiB, largest peak/input {MULTIPLE[0]:.1f}x "
            f"(bound {wire.MEMORY_FACTOR}x + {wire.MEMORY_FLOOR // 2**20} MiB); TYPEFLOW_FUZZ_EXAMPLES={EXAMPLES}"
        )


def _decode(data: bytes) -> tuple[Any, Traps]:
    traps = Traps()
    result: Any = None
    with traps:
        try:
            result = wire.loads(data)
        except LiteralDecodeError as exc:
            assert str(exc), "a LiteralDecodeError must say what is wrong"
        except Trap:
            pass  # reported by the caller
    return result, traps


def _timed_decode(data: bytes) -> tuple[Any, Traps, float, float]:
    """:func:`_decode`, with its CPU and wall seconds (the garbage collector off meanwhile)."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        start, start_cpu = time.perf_counter(), time.process_time()
        result, traps = _decode(data)
        return result, traps, time.process_time() - start_cpu, time.perf_counter() - start
    finally:
        if collecting:
            gc.enable()


def check_decode(data: bytes, *, label: str = "") -> Literal | LiteralType | LiteralMap | None:
    """Decode ``data`` under the traps and bounds; return the literal, or None after a LiteralDecodeError.

    Time is measured on a plain run (CPU time, see ``MAX_SECONDS``), memory on a second
    run under tracemalloc (which slows allocation several times over).
    """
    modules_before = set(sys.modules)
    result, traps, elapsed_cpu, elapsed = _timed_decode(data)
    for _ in range(2):
        if elapsed_cpu < MAX_SECONDS:
            break
        elapsed_cpu = min(elapsed_cpu, _timed_decode(data)[2])
    tracemalloc.start()
    try:
        _decode(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert not traps.sprung, f"decoding tried to {traps.sprung} ({label}, input {data[:64]!r}...)"
    assert set(sys.modules) == modules_before, f"decoding imported {set(sys.modules) - modules_before}"
    assert elapsed < MAX_WALL_SECONDS, f"decoding {len(data)} bytes took {elapsed:.2f} s of wall time ({label})"
    if len(data) < 2**20:
        assert elapsed_cpu < MAX_SECONDS, f"decoding {len(data)} bytes took {elapsed_cpu:.2f} s of CPU ({label})"
        assert peak < MAX_PEAK_BYTES, f"decoding {len(data)} bytes peaked at {peak / 2**20:.1f} MiB ({label})"
    # the documented bound, for every input: memory within MEMORY_FACTOR times the input plus MEMORY_FLOOR
    bound = wire.MEMORY_FACTOR * len(data) + wire.MEMORY_FLOOR
    assert peak <= bound, f"decoding {len(data)} bytes peaked at {peak} bytes, over the documented {bound} ({label})"
    MULTIPLE[0] = max(MULTIPLE[0], peak / max(len(data), 1) if len(data) >= 2**16 else 0.0)
    SLOWEST[0] = max(SLOWEST[0], elapsed_cpu)
    PEAK[0] = max(PEAK[0], peak)
    if result is None:
        STATS["outcome:error"] += 1
        return None
    STATS["outcome:valid"] += 1
    assert isinstance(result, (Literal, LiteralType, LiteralMap)), type(result)
    encoded = wire.dumps(result)  # compared as bytes: a mutated float may be NaN, which equals nothing
    assert wire.dumps(wire.loads(encoded)) == encoded, "a decoded value must be a valid, re-encodable literal"
    return result  # type: ignore[no-any-return]


# ----------------------------------------------------------------------------- mutations

#: msgpack headers that declare (close to) the largest lengths the format allows
HUGE_HEADERS = [
    b"\xdd\xff\xff\xff\xff",  # array32 of 4 billion items
    b"\xdf\xff\xff\xff\xff",  # map32 of 4 billion pairs
    b"\xc6\xff\xff\xff\xff",  # bin32 of 4 GiB
    b"\xdb\xff\xff\xff\xff",  # str32 of 4 GiB
    b"\xc9\xff\xff\xff\xff\x01",  # ext32 of 4 GiB
    b"\xdc\xff\xff",  # array16 of 65,535 items
    b"\xde\xff\xff",  # map16
    b"\xc5\xff\xff",  # bin16
    b"\xda\xff\xff",  # str16
    b"\xcf\xff\xff\xff\xff\xff\xff\xff\xff",  # uint64 max
    b"\xd3\x80\x00\x00\x00\x00\x00\x00\x00",  # int64 min
    b"\xc7\x00\x2a",  # ext8 with code 42
    b"\xd4\xff\x00",  # fixext1 with the timestamp code
    b"\xc1",  # never-used byte
]


def mutate(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    """Apply 1-4 random mutations; return the input and a description for failure messages."""
    buf = bytearray(data)
    done = []
    for _ in range(rng.randint(1, 4)):
        op = rng.choice(["flip", "byte", "truncate", "insert", "delete", "duplicate", "huge", "header-flip", "splice-int"])
        pos = rng.randint(0, max(len(buf) - 1, 0))
        if op == "flip" and buf:
            buf[pos] ^= 1 << rng.randint(0, 7)
        elif op == "byte" and buf:
            buf[pos] = rng.randint(0, 255)
        elif op == "truncate":
            del buf[pos:]
        elif op == "insert":
            buf[pos:pos] = rng.randbytes(rng.randint(1, 16))
        elif op == "delete":
            del buf[pos : pos + rng.randint(1, 16)]
        elif op == "duplicate":
            end = min(len(buf), pos + rng.randint(1, 64))
            buf[pos:pos] = buf[pos:end] * rng.randint(1, 8)
        elif op == "huge":
            header = rng.choice(HUGE_HEADERS)
            if rng.random() < 0.5:
                buf[pos:pos] = header
            else:
                buf[pos : pos + len(header)] = header
        elif op == "header-flip" and len(buf) > 6:
            buf[rng.randint(0, 5)] ^= 1 << rng.randint(0, 7)
        elif op == "splice-int" and buf:
            buf[pos : pos + 1] = msgpack.packb(rng.choice([2**64 - 1, -(2**63), 2**63, 2**32, -1, 0]))
        done.append(f"{op}@{pos}")
    return bytes(buf), ",".join(done)


def _packed_forms() -> list[Any]:
    """A literal of every column kind, nested, to mutate (built by the engine, as users make them)."""
    from typing import Dict, List, Optional
    from typing import Union as U

    engine = TypeEngine()
    ctx = engine.context()
    utc = dt.timezone.utc
    samples: list[tuple[Any, Any]] = [
        ([1, None, 3] * 4, List[Optional[int]]),
        ([1, "a", None, 2.5, True] * 3, List[U[int, str, float, bool, None]]),
        (
            [dt.datetime(2024, 1, 1, 1, 2, 3, 4), dt.datetime(1, 1, 1, tzinfo=utc), dt.datetime(9999, 12, 31, tzinfo=utc)],
            List[dt.datetime],
        ),
        ([dt.datetime(2024, 1, 1)] * 3, List[dt.datetime]),
        ([dt.date(2024, 2, 29), dt.date(1, 1, 1)], List[dt.date]),
        ([dt.timedelta(days=-3, microseconds=7), dt.timedelta(0)], List[dt.timedelta]),
        ([{"a": 1, "b": 2}] * 3 + [{}, {"c": 3}], List[Dict[str, int]]),
        ([{}, {}], List[Dict[str, int]]),
        ([[1, 2], [], [None]], List[List[Optional[int]]]),
        ([[{"k": [dt.timedelta(1), None]}]], List[List[Dict[str, List[Optional[dt.timedelta]]]]]),
        ({"a": 1.5, "b": None}, Dict[str, Optional[float]]),
        ({"a": dt.datetime(2020, 1, 1)}, Dict[str, dt.datetime]),
        ([True, False] * 5, List[bool]),
    ]
    return [engine.to_literal(ctx, value, t) for value, t in samples]


def _corpus() -> list[bytes]:
    """Valid encodings of every kind of wire object, to mutate."""
    lit = Literal(scalar=Scalar(primitive=Primitive(integer=7)))
    int_type = LiteralType(simple=SimpleType.INTEGER)
    sd_type = StructuredDatasetType(columns=(DatasetColumn("a", int_type), DatasetColumn("b", int_type)), format="parquet")
    objects: list[Any] = [
        lit,
        Literal(scalar=Scalar(primitive=Primitive(float_value=-0.5)), hash="h", metadata={"k": "v"}),
        Literal(scalar=Scalar(primitive=Primitive(string_value="\x00\U0001f600 text"))),
        Literal(scalar=Scalar(primitive=Primitive(datetime=dt.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=dt.timezone.utc)))),
        Literal(scalar=Scalar(primitive=Primitive(duration=dt.timedelta(days=-3, microseconds=7)))),
        Literal(scalar=Scalar(none_type=Void())),
        Literal(scalar=Scalar(error=Error("node", "message"))),
        Literal(scalar=Scalar(binary=Binary(b"\x81\xa1a\x01", "msgpack"))),
        Literal(scalar=Scalar(union=Union(lit, LiteralType(simple=SimpleType.INTEGER, structure=TypeStructure("int"))))),
        Literal(scalar=Scalar(generic={"a": [1, 2.5, {"b": None}], "c": "d", "e": True})),
        Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle", BlobDimensionality.SINGLE)), "s3://b/k"))),
        Literal(scalar=Scalar(structured_dataset=StructuredDataset("s3://b/d", StructuredDatasetMetadata(sd_type)))),
        Literal(offloaded_metadata=LiteralOffloadedMetadata("s3://b/o", 123, int_type)),
        Literal(collection=LiteralCollection(literals=[lit, Literal(scalar=Scalar(none_type=Void()))])),
        Literal(collection=LiteralCollection.packed("integer", list(range(-25, 25)))),
        Literal(collection=LiteralCollection.packed("float_value", [i / 3 for i in range(20)])),
        Literal(collection=LiteralCollection.packed("boolean", [True, False] * 10)),
        Literal(collection=LiteralCollection.packed("string_value", ["a", "\x00", "\U0001f600"] * 5)),
        Literal(collection=LiteralCollection.packed("binary", [b"\x01", b""], tag="msgpack")),
        Literal(map=LiteralMap(literals={"a": lit, "b": Literal(collection=LiteralCollection(literals=[lit]))})),
        LiteralMap(literals={"x": lit}),
        LiteralMap.packed("integer", ["x", "y"], [1, 2]),
        *_packed_forms(),
        int_type,
        LiteralType(collection_type=LiteralType(map_value_type=int_type), metadata={"$schema": {"type": "object"}}),
        LiteralType(union_type=UnionType((int_type, LiteralType(simple=SimpleType.NONE))), annotation={"a": 1}),
        LiteralType(enum_type=EnumType(("red", "green"))),
        LiteralType(blob=BlobType("npy", BlobDimensionality.MULTIPART)),
        LiteralType(structured_dataset_type=sd_type),
        LiteralType(
            simple=SimpleType.STRUCT,
            structure=TypeStructure("", {"a": int_type, "b": LiteralType(collection_type=int_type)}),
            annotation={"cache-key-metadata": {"serialization-format": "msgpack"}},
        ),
    ]
    return [wire.dumps(obj) for obj in objects]


@pytest.fixture(scope="module")
def corpus() -> list[bytes]:
    return _corpus()


def test_random_mutations_of_valid_encodings_raise_only_literal_decode_error(corpus: list[bytes]) -> None:
    rng = random.Random(SEED)
    for i in range(EXAMPLES):
        data, how = mutate(rng.choice(corpus), rng)
        check_decode(data, label=f"seed {SEED} input {i}: {how}")
        STATS["mutation"] += 1


@FUZZ
@given(obj=wire_objects, seed=st.integers(0, 2**32 - 1))
def test_hypothesis_objects_mutated_raise_only_literal_decode_error(obj: Any, seed: int) -> None:
    encoded = wire.dumps(obj)
    assert check_decode(encoded, label="unmutated") == obj
    data, how = mutate(encoded, random.Random(seed))
    check_decode(data, label=how)


@FUZZ
@given(data=st.binary(max_size=512), kind=st.sampled_from([b"L", b"T", b"M"]))
def test_random_bodies_behind_a_valid_header_raise_only_literal_decode_error(data: bytes, kind: bytes) -> None:
    check_decode(data, label="raw")
    check_decode(wire.MAGIC + bytes([wire.FORMAT_VERSION]) + kind + data, label="body")


msgpack_trees = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**63), 2**64 - 1)
    | st.floats()
    | st.text(max_size=8)
    | st.binary(max_size=8)
    | st.sampled_from(["scalar", "collection", "map", "packed", "literals", "kind", "values", "integer", "float_value"])
    | st.sampled_from(["union", "list", "none", "datetime", "duration", "boolean", "string_value", "INTEGER", "NONE"]),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(
                [
                    "scalar",
                    "collection",
                    "map",
                    "offloaded_metadata",
                    "primitive",
                    "blob",
                    "binary",
                    "union",
                    "packed",
                    "literals",
                    "kind",
                    "values",
                    "keys",
                    "tag",
                    "simple",
                    "metadata",
                    "structure",
                    "dataclass_type",
                    "uri",
                    "value",
                    "stored_type",
                    "generic",
                    "column",
                    "variants",
                    "index",
                    "columns",
                    "lengths",
                    "shapes",
                    "count",
                    "width",
                    "naive",
                ]
            ),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
)


@FUZZ
@given(tree=msgpack_trees, kind=st.sampled_from([b"L", b"T", b"M"]))
def test_well_formed_msgpack_of_the_wrong_shape_raises_only_literal_decode_error(tree: Any, kind: bytes) -> None:
    check_decode(wire.MAGIC + bytes([wire.FORMAT_VERSION]) + kind + msgpack.packb(tree, use_bin_type=True), label="tree")


# ----------------------------------------------------------------------------- crafted inputs


def _header(kind: bytes = b"L") -> bytes:
    return wire.MAGIC + bytes([wire.FORMAT_VERSION]) + kind


@pytest.mark.parametrize("header", HUGE_HEADERS)
def test_huge_declared_lengths_are_refused_without_allocating_them(header: bytes) -> None:
    for prefix in (b"", b"\x81\xaascalar", b"\x81\xaacollection\x81\xa6packed\x82\xa4kind\xa7integer\xa6values"):
        assert check_decode(_header() + prefix + header + b"\x00" * 16, label=repr(header)) is None


@pytest.mark.parametrize(
    "kind", ["integer", "float_value", "boolean", "string_value", "binary", "unknown"], ids=lambda k: f"packed-{k}"
)
def test_packed_values_of_the_wrong_length_or_kind_are_refused(kind: str) -> None:
    rng = random.Random(SEED)
    for _ in range(max(EXAMPLES // 20, 10)):
        values: Any = rng.choice([rng.randbytes(rng.randint(0, 40)), [rng.randint(0, 9)] * 3, ["x"], [b"y"], None, 5])
        tree = {"collection": {"packed": {"kind": kind, "values": values}}}
        check_decode(_header() + msgpack.packb(tree, use_bin_type=True), label=repr(tree))
        keys: Any = rng.choice([["a"], ["a", "b"], [], [1], "ab"])
        mtree = {"map": {"packed": {"kind": kind, "keys": keys, "values": values}}}
        check_decode(_header() + msgpack.packb(mtree, use_bin_type=True), label=repr(mtree))


def _nest(kind: str, depth: int) -> Any:
    leaf_literal: Any = {"scalar": {"none_type": {}}}
    leaf_type: Any = {"simple": "INTEGER"}
    tree: Any
    if kind in ("collection", "map", "union", "generic"):
        tree = leaf_literal if kind != "generic" else {}
        for _ in range(depth):
            if kind == "collection":
                tree = {"collection": {"literals": [tree]}}
            elif kind == "map":
                tree = {"map": {"literals": {"k": tree}}}
            elif kind == "union":
                tree = {"scalar": {"union": {"value": tree, "stored_type": leaf_type}}}
            else:
                tree = {"x": [tree]}
        return {"scalar": {"generic": tree}} if kind == "generic" else tree
    tree = leaf_type
    for _ in range(depth):
        if kind == "collection_type":
            tree = {"collection_type": tree}
        elif kind == "map_value_type":
            tree = {"map_value_type": tree}
        elif kind == "union_type":
            tree = {"union_type": {"variants": [tree]}}
        elif kind == "dataclass_type":
            tree = {"simple": "STRUCT", "structure": {"tag": "", "dataclass_type": {"f": tree}}}
        else:
            tree = {"simple": "INTEGER", "metadata": {"m": tree}}
    return tree


NEST_KINDS = [
    "collection",
    "map",
    "union",
    "generic",
    "collection_type",
    "map_value_type",
    "union_type",
    "dataclass_type",
    "type_metadata",
]


@pytest.mark.parametrize("kind", NEST_KINDS)
@pytest.mark.parametrize("depth", [wire.MAX_DEPTH // 2, wire.MAX_DEPTH + 1, 10 * wire.MAX_DEPTH, 400])
def test_deep_nesting_is_decoded_or_refused_quickly(kind: str, depth: int) -> None:
    code = b"T" if kind.endswith("type") or kind == "type_metadata" else b"L"
    try:
        body = msgpack.packb(_nest(kind, depth), use_bin_type=True)
    except ValueError:  # deeper than msgpack itself will encode
        return
    result = check_decode(_header(code) + body, label=f"{kind} x{depth}")
    if depth > 2 * wire.MAX_DEPTH:
        assert result is None, f"{kind} nested {depth} deep was accepted"


@pytest.mark.parametrize(
    "opener", [b"\x91", b"\x81\xa1k", b"\xdc\x00\x01", b"\xde\x00\x01\xa1k"], ids=["array", "map", "a16", "m16"]
)
def test_raw_msgpack_nesting_far_beyond_any_limit_is_refused(opener: bytes) -> None:
    for depth in (1_000, 100_000, 2**20 // len(opener) - 8):
        assert check_decode(_header() + opener * depth + b"\xc0", label=f"{opener!r} x{depth}") is None


def test_large_valid_inputs_stay_within_bounds() -> None:
    big = Literal(collection=LiteralCollection.packed("integer", list(range(120_000))))
    data = wire.dumps(big)
    assert len(data) < 2**20
    assert check_decode(data, label="120k packed ints") == big
    many = Literal(collection=LiteralCollection(literals=[Literal(scalar=Scalar(binary=Binary(b"x", "msgpack")))] * 10_000))
    data = wire.dumps(many)
    assert len(data) < 2**20
    assert check_decode(data, label="10k binaries") == many


def test_nested_array_headers_cannot_make_the_decoder_preallocate() -> None:
    # 8.8 KiB of array32 headers, each declaring about as many items as the input has bytes:
    # msgpack alone preallocates every one of them (68 MiB); the header walk refuses the second
    body = b"\xdd\x00\x00\x22\x66" * 1800
    assert len(body) == 9000
    data = _header() + body
    with pytest.raises(LiteralDecodeError, match=r"more than the .* bytes left can hold") as info:
        wire.loads(data)
    assert info.value.where == "byte 11"
    assert check_decode(data, label="nested array headers") is None


@pytest.mark.parametrize("shape", ["empty_maps", "empty_lists", "small_maps"])
def test_inputs_that_would_decode_past_the_memory_multiple_are_refused(shape: str) -> None:
    element = {"empty_maps": {}, "empty_lists": [], "small_maps": {"a": 0}}[shape]
    data = wire.dumps(Literal(scalar=Scalar(generic={"items": [element] * 300_000})))
    with pytest.raises(LiteralDecodeError, match="max_memory"):
        wire.loads(data)
    assert check_decode(data, label=shape) is None
    allowed = wire.loads(data, max_memory=2**31)
    assert isinstance(allowed, Literal) and len(allowed.scalar.generic["items"]) == 300_000  # type: ignore[union-attr]


def test_real_literals_decode_well_within_the_multiple() -> None:
    samples = [
        Literal(collection=LiteralCollection.packed("integer", list(range(200_000)))),
        Literal(collection=LiteralCollection.packed("string_value", [f"name-{i}" for i in range(100_000)])),
        Literal(map=LiteralMap({f"k{i}": Literal(scalar=Scalar(primitive=Primitive(integer=i))) for i in range(5_000)})),
        Literal(collection=LiteralCollection([Literal(scalar=Scalar(none_type=Void()))] * 10_000)),
    ]
    for lit in samples:
        assert check_decode(wire.dumps(lit), label="real literal") == lit


INT_T: Any = {"simple": "INTEGER"}
NONE_T: Any = {"simple": "NONE"}


def _ints(*values: int) -> dict[str, Any]:
    return {"kind": "integer", "values": b"".join(v.to_bytes(8, "little", signed=True) for v in values)}


def _q(*values: int) -> bytes:
    return b"".join(v.to_bytes(8, "little", signed=True) for v in values)


_TS = msgpack.packb([dt.datetime(2024, 1, 1, tzinfo=dt.timezone.utc)], datetime=True)
MALFORMED_COLUMNS: list[tuple[str, Any]] = [
    ("unknown kind", {"kind": "tensor", "values": b""}),
    ("kind not a string", {"kind": 3}),
    ("extra field", {**_ints(1), "extra": 1}),
    ("ints not 8-byte", {"kind": "integer", "values": b"\x01\x02\x03"}),
    ("duration not 8-byte", {"kind": "duration", "values": b"\x01"}),
    ("boolean byte 2", {"kind": "boolean", "values": b"\x00\x02"}),
    ("boolean as list in v2", {"kind": "boolean", "values": [True]}),
    ("strings as a list in v2", {"kind": "string_value", "values": ["a"]}),
    ("strings not msgpack", {"kind": "string_value", "values": b"\xc1"}),
    ("strings of bad UTF-8", {"kind": "string_value", "values": b"\x91\xa1\xff"}),
    ("strings holding a byte string", {"kind": "string_value", "values": msgpack.packb(["a", b"b"], use_bin_type=True)}),
    ("strings with trailing bytes", {"kind": "string_value", "values": msgpack.packb(["a"]) + b"\x00"}),
    ("strings holding a map", {"kind": "string_value", "values": msgpack.packb([{"a": "b"}])}),
    ("binaries holding strings", {"kind": "binary", "values": msgpack.packb(["a"]), "tag": "msgpack"}),
    ("tag on integers", {**_ints(1), "tag": "x"}),
    ("none outside a union", {"kind": "none"}),
    ("union of no variants", {"kind": "union", "variants": [], "index": b"", "columns": []}),
    ("union of 256 variants", {"kind": "union", "variants": [INT_T] * 256, "index": b"", "columns": [_ints()] * 256}),
    ("union index past the variants", {"kind": "union", "variants": [INT_T], "index": b"\x01", "columns": [_ints()]}),
    ("union index longer than its column", {"kind": "union", "variants": [INT_T], "index": b"\x00\x00", "columns": [_ints(1)]}),
    ("union column longer than its index", {"kind": "union", "variants": [INT_T], "index": b"\x00", "columns": [_ints(1, 2)]}),
    ("union columns fewer than variants", {"kind": "union", "variants": [INT_T, NONE_T], "index": b"\x01", "columns": [_ints()]}),
    ("union index as text", {"kind": "union", "variants": [INT_T], "index": "\x00", "columns": [_ints(1)]}),
    ("union variant not a type", {"kind": "union", "variants": [{"simple": "WHAT"}], "index": b"\x00", "columns": [_ints(1)]}),
    ("list lengths negative", {"kind": "list", "lengths": _q(-1, 2), "values": _ints(1)}),
    ("list lengths past the child", {"kind": "list", "lengths": _q(2**62), "values": _ints(1)}),
    ("list lengths short of the child", {"kind": "list", "lengths": _q(0), "values": _ints(1)}),
    ("list lengths not 8-byte", {"kind": "list", "lengths": b"\x01", "values": _ints()}),
    ("list of a none column", {"kind": "list", "lengths": _q(2**40), "values": {"kind": "none"}}),
    ("map of no shapes", {"kind": "map", "count": 0, "shapes": [], "values": _ints()}),
    ("map shape with a duplicate key", {"kind": "map", "count": 1, "shapes": [["a", "a"]], "values": _ints(1, 2)}),
    ("map shape key not a string", {"kind": "map", "count": 1, "shapes": [[1]], "values": _ints(1)}),
    ("map of empty shapes, no index", {"kind": "map", "count": 2**40, "shapes": [[]], "values": _ints()}),
    ("map count negative", {"kind": "map", "count": -1, "shapes": [["a"]], "values": _ints()}),
    ("map count past the values", {"kind": "map", "count": 3, "shapes": [["a"]], "values": _ints(1)}),
    (
        "map index width 3",
        {"kind": "map", "count": 1, "shapes": [["a"]], "index": b"\x00\x00\x00", "width": 3, "values": _ints(1)},
    ),
    (
        "map index past the shapes",
        {"kind": "map", "count": 1, "shapes": [["a"]], "index": b"\x01", "width": 1, "values": _ints(1)},
    ),
    (
        "map index shorter than count",
        {"kind": "map", "count": 2, "shapes": [["a"], ["b"]], "index": b"\x00", "width": 1, "values": _ints(1, 2)},
    ),
    ("map width without index", {"kind": "map", "count": 1, "shapes": [["a"]], "width": 1, "values": _ints(1)}),
    (
        "map values short of the shapes",
        {"kind": "map", "count": 2, "shapes": [["a"], ["b", "c"]], "index": b"\x01\x01", "width": 1, "values": _ints(1, 2, 3)},
    ),
    ("datetimes not bytes", {"kind": "datetime", "values": [1, 2]}),
    ("datetimes not msgpack", {"kind": "datetime", "values": b"\xc1"}),
    ("datetimes of ints", {"kind": "datetime", "values": msgpack.packb([1, 2])}),
    ("datetimes of another extension", {"kind": "datetime", "values": b"\x91\xd4\x05\x00"}),
    ("datetime past year 9999", {"kind": "datetime", "values": b"\x91\xc7\x0c\xff" + bytes(4) + (2**62).to_bytes(8, "big")}),
    (
        "datetime with 2e9 nanoseconds",
        {"kind": "datetime", "values": b"\x91\xc7\x0c\xff" + (2 * 10**9).to_bytes(4, "big") + bytes(8)},
    ),
    ("datetimes with trailing bytes", {"kind": "datetime", "values": _TS + b"\x00"}),
    ("naive mask too short", {"kind": "datetime", "values": _TS, "naive": b""}),
    ("naive mask byte 2", {"kind": "datetime", "values": _TS, "naive": b"\x02"}),
    ("naive as a number", {"kind": "datetime", "values": _TS, "naive": 1}),
    ("literals not literals", {"kind": "literals", "literals": [{"scalar": {}}]}),
    ("column not a map", [1, 2]),
]


@pytest.mark.parametrize(("label", "column"), MALFORMED_COLUMNS, ids=[c[0] for c in MALFORMED_COLUMNS])
def test_malformed_columns_are_refused_with_literal_decode_error(label: str, column: Any) -> None:
    wrappers = [
        {"collection": {"packed": column}},
        {"map": {"packed": {"keys": ["a"], "column": column}}},
        {"collection": {"packed": {"kind": "list", "lengths": _q(1), "values": column}}},
    ]
    if label != "none outside a union":  # as a union's variant, it is where it belongs
        wrappers.append({"collection": {"packed": {"kind": "union", "variants": [INT_T], "index": b"\x00", "columns": [column]}}})
    for tree in wrappers:
        assert check_decode(_header() + msgpack.packb(tree, use_bin_type=True), label=label) is None, label


@pytest.mark.parametrize(
    "keys", [["a"], b"\xc1", msgpack.packb([1]), msgpack.packb(["a", "a"]), msgpack.packb(["a", "b"])], ids=repr
)
def test_packed_map_keys_that_are_not_one_array_of_distinct_strings_are_refused(keys: Any) -> None:
    tree = {"map": {"packed": {"keys": keys, "column": _ints(1)}}}
    assert check_decode(_header() + msgpack.packb(tree, use_bin_type=True), label=repr(keys)) is None


def test_columns_nested_past_the_depth_limit_are_refused() -> None:
    tree: Any = _ints(1)
    for _ in range(wire.MAX_DEPTH + 2):
        tree = {"kind": "list", "lengths": _q(1), "values": tree}
    assert check_decode(_header() + msgpack.packb({"collection": {"packed": tree}}), label="deep columns") is None


def test_a_short_input_never_decodes_to_a_huge_collection() -> None:
    """Every count a column declares is backed by bytes that are present."""
    rng = random.Random(SEED)
    for _ in range(max(EXAMPLES // 10, 30)):
        count = rng.choice([2**20, 2**31, 2**40])
        candidates = [
            {"kind": "map", "count": count, "shapes": [[]], "values": _ints()},
            {"kind": "map", "count": count, "shapes": [["a"]], "values": _ints(1)},
            {"kind": "list", "lengths": _q(count), "values": {"kind": "none"}},
            {"kind": "union", "variants": [NONE_T], "index": b"", "columns": [{"kind": "none"}]},
        ]
        for column in candidates:
            result = check_decode(_header() + msgpack.packb({"collection": {"packed": column}}), label=repr(column)[:80])
            assert result is None or len(result.collection.literals) <= 1  # type: ignore[union-attr]


# ----------------------------------------------------------------------------- nothing unpickled


UNPICKLED: list[str] = []


def _tripwire() -> str:
    UNPICKLED.append("a pickle inside a literal was loaded")
    return "boom"


class Armed:
    def __reduce__(self) -> tuple[Any, ...]:
        return (_tripwire, ())


def test_pickles_inside_literals_stay_bytes_and_are_never_loaded() -> None:
    payload = pickle.dumps(Armed())
    carriers = [
        Literal(scalar=Scalar(binary=Binary(payload, "pickle"))),
        Literal(scalar=Scalar(binary=Binary(payload, "msgpack"))),
        Literal(
            scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle", BlobDimensionality.SINGLE)), payload.hex())),
            metadata={"pickle": payload.hex()},
        ),
    ]
    rng = random.Random(SEED)
    for carrier in carriers:
        data = wire.dumps(carrier)
        assert check_decode(data, label="carrier") == carrier
        for _ in range(max(EXAMPLES // 10, 20)):
            check_decode(mutate(data, rng)[0], label="mutated carrier")
        raw = _header() + payload  # a bare pickle where the msgpack body should be
        assert check_decode(raw, label="bare pickle") is None
    assert UNPICKLED == []


def test_the_traps_do_catch_an_import_and_an_unpickle() -> None:
    with Traps() as traps:
        with pytest.raises(Trap):
            pickle.loads(pickle.dumps(Armed()))
        with pytest.raises(Trap):
            __import__("a_module_that_is_not_loaded_xyz")
    assert traps.sprung == ["pickle.loads", "import a_module_that_is_not_loaded_xyz"]
    assert pickle.loads(pickle.dumps(3)) == 3, "the traps are removed afterwards"
