"""Hostile literal types and literals give typeflow errors only (issue 15: typed errors everywhere).

A literal and its literal type may come from someone else: a task interface,
``wire.loads``, a bridge. Whatever they hold — random JSON Schemas in a
struct's metadata, ``$ref`` cycles, nesting far past anything real, a literal
of another kind than the declared type — ``guess_python_type``,
``LiteralsResolver(...).get(name)`` and ``to_python_value`` raise only
:class:`typeflow.errors.TypeflowError` (never ``RecursionError``,
``KeyError``, ``AttributeError``, ``IndexError``...).
"""

from __future__ import annotations

import datetime as dt
import string
import typing
from pathlib import Path
from typing import Any, Optional

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from typeflow import TypeEngine
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import (
    Binary,
    Blob,
    BlobDimensionality,
    BlobMetadata,
    BlobType,
    DatasetColumn,
    EnumType,
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
from typeflow.resolver import LiteralsResolver

from .strategies import TYPES

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)

# --------------------------------------------------------------------------- JSON Schemas (a struct's metadata)

NAMES = st.sampled_from(["a", "b", "x_1", "class", "__init__", "", "9lives", "A B", "self", "Point"]) | st.text(max_size=6)
SCHEMA_KEYS = [
    "type",
    "properties",
    "items",
    "anyOf",
    "$ref",
    "$defs",
    "additionalProperties",
    "required",
    "title",
    "enum",
    "format",
]
JSON_KINDS = ["integer", "number", "string", "boolean", "null", "array", "object", "date-time", "bogus"]
JUNK = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=True) | st.text(max_size=8) | st.just([]) | st.just({})


def _schema_node(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    value = st.one_of(
        st.sampled_from(JSON_KINDS),
        st.sampled_from(["#/$defs/A", "#/$defs/B", "#/$defs/missing", "A"]),
        st.dictionaries(NAMES, children, max_size=3),
        st.lists(children | NAMES, max_size=3),
        children,
        JUNK,
    )
    return st.dictionaries(st.sampled_from(SCHEMA_KEYS), value, max_size=4)


SCHEMAS = st.recursive(_schema_node(JUNK), _schema_node, max_leaves=12)


@st.composite
def struct_schemas(draw: st.DrawFn) -> dict[str, Any]:
    """A record schema (so the struct transformer takes it up), with random properties and $defs that may refer to each other."""
    properties = draw(
        st.dictionaries(NAMES, SCHEMAS | st.sampled_from([{"$ref": "#/$defs/A"}, {"$ref": "#/$defs/B"}]), max_size=4)
    )
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    defs = draw(
        st.dictionaries(
            st.sampled_from(["A", "B"]),
            SCHEMAS
            | st.builds(lambda r: {"type": "object", "properties": {"next": {"$ref": f"#/$defs/{r}"}}}, st.sampled_from("AB"))
            | st.builds(lambda r: {"type": "array", "items": {"$ref": f"#/$defs/{r}"}}, st.sampled_from("AB")),
            max_size=2,
        )
        | JUNK
    )
    if draw(st.booleans()):
        schema["$defs"] = defs
    for key in ("title", "required"):
        if draw(st.booleans()):
            schema[key] = draw(JUNK | NAMES | st.lists(NAMES, max_size=3))
    return schema


def nested_schema(depth: int) -> dict[str, Any]:
    inner: dict[str, Any] = {"type": "integer"}
    for i in range(depth):
        inner = {"type": "array", "items": inner} if i % 2 else {"anyOf": [inner, {"type": "null"}]}
    return {"type": "object", "properties": {"deep": inner}}


# --------------------------------------------------------------------------- literal types

IDENT = st.text(string.ascii_letters, min_size=1, max_size=5)
FORMATS = st.sampled_from(["", "parquet", "csv", "npy", "PythonPickle", "json", "x/../y"]) | st.text(max_size=5)


def _type_node(children: st.SearchStrategy[LiteralType]) -> st.SearchStrategy[LiteralType]:
    return st.one_of(
        st.builds(lambda c: LiteralType(collection_type=c), children),
        st.builds(lambda c: LiteralType(map_value_type=c), children),
        st.builds(lambda vs: LiteralType(union_type=UnionType(tuple(vs))), st.lists(children, max_size=4)),
        st.builds(
            lambda t, tag: LiteralType(union_type=UnionType((t,)), structure=TypeStructure(tag=tag)),
            children,
            st.sampled_from(["", "int", "str", "Python Pickle", "StructuredDataset Transformer"]),
        ),
        st.builds(
            lambda cols, fmt: LiteralType(
                structured_dataset_type=StructuredDatasetType(tuple(DatasetColumn(n, t) for n, t in cols), fmt)
            ),
            st.lists(st.tuples(IDENT, children), max_size=3),
            FORMATS,
        ),
        st.builds(
            lambda fields: LiteralType(simple=SimpleType.STRUCT, structure=TypeStructure(tag="", dataclass_type=dict(fields))),
            st.lists(st.tuples(IDENT, children), max_size=3),
        ),
    )


STRUCT_TYPES = st.builds(lambda s: LiteralType(simple=SimpleType.STRUCT, metadata=s), struct_schemas())
LEAF_TYPES = st.one_of(
    STRUCT_TYPES,
    STRUCT_TYPES,
    st.builds(lambda s: LiteralType(simple=s), st.sampled_from(SimpleType)),
    st.builds(lambda s: LiteralType(simple=SimpleType.STRUCT, metadata=s), SCHEMAS.filter(lambda s: isinstance(s, dict))),
    st.builds(
        lambda s, ann: LiteralType(simple=s, annotation=ann),
        st.sampled_from(SimpleType),
        st.dictionaries(st.sampled_from(["literal_values", "cache-key-metadata", "pickle", "msgpack"]), JUNK, max_size=2),
    ),
    st.builds(lambda f, d: LiteralType(blob=BlobType(f, d)), FORMATS, st.sampled_from(BlobDimensionality)),
    st.builds(lambda vs: LiteralType(enum_type=EnumType(tuple(vs))), st.lists(st.text(max_size=4), max_size=4)),
)
LITERAL_TYPES = st.recursive(LEAF_TYPES, _type_node, max_leaves=8)


def nested_type(depth: int, make: typing.Callable[[LiteralType], LiteralType]) -> LiteralType:
    lt = LiteralType(simple=SimpleType.INTEGER)
    for _ in range(depth):
        lt = make(lt)
    return lt


# --------------------------------------------------------------------------- literals

# URIs a literal may name: none of them may lead to anything but a typed error (or a confined, regular read)
URIS = st.sampled_from(
    [
        "",
        "/dev/zero",
        "/",
        "/nonexistent/x.npy",
        "file:///nonexistent",
        "../../../../etc/hostname",
        "s3://someone-else/blob",
        "http://127.0.0.1:9/x",
        "memory://x",
        "data:,abc",
        "simplecache::memory://x",
        "\x00",
    ]
)

PRIMITIVES = st.one_of(
    st.builds(lambda v: Primitive(integer=v), st.integers(-(2**63), 2**63 - 1)),
    st.builds(lambda v: Primitive(float_value=v), st.floats()),
    st.builds(lambda v: Primitive(string_value=v), st.text(max_size=8)),
    st.builds(lambda v: Primitive(boolean=v), st.booleans()),
    st.builds(lambda v: Primitive(datetime=v), st.datetimes() | st.datetimes(timezones=st.just(dt.timezone.utc))),
    st.builds(lambda v: Primitive(duration=v), st.timedeltas()),
)
GENERIC = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=5),
    lambda c: st.lists(c, max_size=3) | st.dictionaries(st.text(max_size=4), c, max_size=3),
    max_leaves=8,
)

LEAF_LITERALS = st.one_of(
    st.builds(lambda p: Literal(scalar=Scalar(primitive=p)), PRIMITIVES),
    st.just(Literal(scalar=Scalar(none_type=Void()))),
    st.builds(
        lambda v, tag: Literal(scalar=Scalar(binary=Binary(v, tag))),
        st.binary(max_size=24) | st.sampled_from([b"\x81\xa1a\x01", b"\x92\x01\x02", b"\xc1", b"\xdd\xff\xff\xff\xff"]),
        st.sampled_from(["", "msgpack", "bytes", "pickle"]) | st.text(max_size=4),
    ),
    st.builds(lambda g: Literal(scalar=Scalar(generic=g)), st.dictionaries(st.text(max_size=4), GENERIC, max_size=3)),
    st.builds(
        lambda uri, f, d: Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType(f, d)), uri))),
        URIS,
        FORMATS,
        st.sampled_from(BlobDimensionality),
    ),
    st.builds(
        lambda uri, t: Literal(
            scalar=Scalar(structured_dataset=StructuredDataset(uri, StructuredDatasetMetadata(t.structured_dataset_type)))
        ),
        URIS,
        LITERAL_TYPES.filter(lambda t: t.structured_dataset_type is not None),
    ),
    st.builds(
        lambda uri, n, t: Literal(offloaded_metadata=LiteralOffloadedMetadata(uri, n, t)),
        URIS,
        st.integers(-1, 2**40),
        LEAF_TYPES,
    ),
)


def _literal_node(children: st.SearchStrategy[Literal]) -> st.SearchStrategy[Literal]:
    return st.one_of(
        st.builds(lambda items: Literal(collection=LiteralCollection(items)), st.lists(children, max_size=4)),
        st.builds(lambda m: Literal(map=LiteralMap(m)), st.dictionaries(st.text(max_size=4), children, max_size=3)),
        st.builds(lambda v, t: Literal(scalar=Scalar(union=Union(v, t))), children, LITERAL_TYPES),
    )


LITERALS = st.recursive(LEAF_LITERALS, _literal_node, max_leaves=10)

# what a reader may declare: every built-in family, and the untyped forms
DECLARED = TYPES | st.sampled_from([Any, list[Any], Optional[Any], dict[str, Any], bytes, Optional[int], dict, list])


def nested_literal(depth: int) -> Literal:
    lv = Literal(scalar=Scalar(primitive=Primitive(integer=1)))
    for i in range(depth):
        lv = Literal(collection=LiteralCollection([lv])) if i % 2 else Literal(map=LiteralMap({"k": lv}))
    return lv


# --------------------------------------------------------------------------- the properties


@pytest.fixture(scope="module")
def engine() -> TypeEngine:
    return TypeEngine()


@pytest.fixture(scope="module")
def storage(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("storage")


def only_typed_errors(call: typing.Callable[[], Any]) -> Any:
    """Run ``call``; any exception but a TypeflowError fails the test (a value is fine)."""
    try:
        return call()
    except TypeflowError:
        return None
    except BaseException as exc:  # the point is to see everything else
        pytest.fail(f"{type(exc).__name__} escaped: {exc!r}"[:2000])


@SETTINGS
@given(lt=LITERAL_TYPES)
def test_guess_python_type_of_any_literal_type_gives_a_type_or_a_typed_error(engine: TypeEngine, lt: LiteralType) -> None:
    only_typed_errors(lambda: engine.guess_python_type(lt))


@SETTINGS
@given(lv=LITERALS, lt=st.none() | LITERAL_TYPES, name=st.sampled_from(["x", "x", "x", "y"]))
def test_resolver_get_of_any_literal_and_variable_type_gives_a_value_or_a_typed_error(
    engine: TypeEngine, storage: Path, lv: Literal, lt: LiteralType | None, name: str
) -> None:
    ctx = engine.context(storage=str(storage))
    variables = {} if lt is None else {"x": lt}
    resolver = only_typed_errors(lambda: LiteralsResolver({"x": lv}, variables, ctx))
    if resolver is not None:
        only_typed_errors(lambda: resolver.get(name))


@SETTINGS
@given(lv=LITERALS, t=DECLARED)
def test_to_python_value_of_any_literal_as_any_declared_type_gives_a_value_or_a_typed_error(
    engine: TypeEngine, storage: Path, lv: Literal, t: Any
) -> None:
    ctx = engine.context(storage=str(storage))
    only_typed_errors(lambda: engine.to_python_value(ctx, lv, t))


@SETTINGS
@given(lt=LITERAL_TYPES, lv=LITERALS)
def test_a_guessed_type_reads_any_literal_or_gives_a_typed_error(
    engine: TypeEngine, storage: Path, lt: LiteralType, lv: Literal
) -> None:
    guessed = only_typed_errors(lambda: engine.guess_python_type(lt))
    if guessed is not None:
        only_typed_errors(lambda: engine.to_python_value(engine.context(storage=str(storage)), lv, guessed))


# --------------------------------------------------------------------------- the cases named in the issue, and extremes

REF_CYCLE = {  # under 150 bytes as JSON: one property whose type refers to itself
    "type": "object",
    "properties": {"a": {"$ref": "#/$defs/A"}},
    "$defs": {"A": {"$ref": "#/$defs/A"}},
}


def test_a_ref_cycle_in_a_small_dataclass_schema_is_a_typed_error_naming_the_cycle(engine: TypeEngine) -> None:
    import json

    assert len(json.dumps(REF_CYCLE)) < 150
    lt = LiteralType(simple=SimpleType.STRUCT, metadata=REF_CYCLE)
    with pytest.raises(TypeTransformerFailedError, match=r"cycle \(A -> A\)"):
        engine.guess_python_type(lt)
    one = Literal(scalar=Scalar(primitive=Primitive(integer=1)))
    with pytest.raises(TypeTransformerFailedError, match="cycle"):
        LiteralsResolver({"x": one}, {"x": lt}).get("x")


def test_a_recursive_record_schema_is_refused_and_a_shared_definition_is_built_once(engine: TypeEngine) -> None:
    recursive = {
        "type": "object",
        "properties": {"head": {"$ref": "#/$defs/Node"}},
        "$defs": {"Node": {"type": "object", "properties": {"next": {"anyOf": [{"$ref": "#/$defs/Node"}, {"type": "null"}]}}}},
    }
    with pytest.raises(TypeTransformerFailedError, match=r"Node -> Node"):
        engine.guess_python_type(LiteralType(simple=SimpleType.STRUCT, metadata=recursive))
    # 30 levels each using the level below twice: 2^30 expansions unless each definition is made once
    defs = {
        f"D{i}": {"type": "object", "properties": {"l": {"$ref": f"#/$defs/D{i + 1}"}, "r": {"$ref": f"#/$defs/D{i + 1}"}}}
        for i in range(30)
    }
    defs["D30"] = {"type": "integer"}
    shared = {"type": "object", "properties": {"top": {"$ref": "#/$defs/D0"}}, "$defs": defs}
    guessed = engine.guess_python_type(LiteralType(simple=SimpleType.STRUCT, metadata=shared))
    d0 = typing.get_type_hints(guessed)["top"]
    d0 = typing.get_args(d0)[0]
    left, right = (typing.get_args(t)[0] for t in typing.get_type_hints(d0).values())
    assert left is right


@pytest.mark.parametrize("depth", [65, 3000])
def test_a_deeply_nested_schema_is_a_typed_error(engine: TypeEngine, depth: int) -> None:
    with pytest.raises(TypeTransformerFailedError, match="deep"):
        engine.guess_python_type(LiteralType(simple=SimpleType.STRUCT, metadata=nested_schema(depth)))


def test_a_schema_within_the_depth_limit_still_gives_a_dataclass(engine: TypeEngine) -> None:
    guessed = engine.guess_python_type(LiteralType(simple=SimpleType.STRUCT, metadata=nested_schema(20)))
    assert typing.get_type_hints(guessed)["deep"] is not None


@pytest.mark.parametrize(
    "make",
    [
        lambda t: LiteralType(collection_type=t),
        lambda t: LiteralType(map_value_type=t),
        lambda t: LiteralType(union_type=UnionType((t, LiteralType(simple=SimpleType.NONE)))),
    ],
    ids=["list", "map", "union"],
)
@pytest.mark.parametrize("depth", [150, 5000])
def test_a_literal_type_nested_past_the_limit_is_a_typed_error(engine: TypeEngine, make: Any, depth: int) -> None:
    lt = nested_type(depth, make)
    with pytest.raises(TypeTransformerFailedError, match="deep"):
        engine.guess_python_type(lt)
    with pytest.raises(TypeTransformerFailedError, match="deep"):
        LiteralsResolver({"x": nested_literal(3)}, {"x": lt}).get("x")


def test_a_list_type_nested_fifty_deep_is_still_guessed(engine: TypeEngine) -> None:
    guessed = engine.guess_python_type(nested_type(50, lambda t: LiteralType(collection_type=t)))
    for _ in range(50):
        assert typing.get_origin(guessed) is list
        (guessed,) = typing.get_args(guessed)
    assert guessed is int


@pytest.mark.parametrize("depth", [200, 5000])
def test_a_deeply_nested_literal_read_untyped_is_a_typed_error_or_its_value(engine: TypeEngine, depth: int) -> None:
    only_typed_errors(lambda: LiteralsResolver({"x": nested_literal(depth)}).get("x"))


@pytest.mark.parametrize("given", ["int", 3, {"simple": 1}, None, LiteralMap({})])
def test_guess_python_type_of_something_that_is_not_a_literal_type_is_a_typed_error(engine: TypeEngine, given: Any) -> None:
    with pytest.raises(TypeTransformerFailedError, match="needs a LiteralType"):
        engine.guess_python_type(given)


@pytest.mark.parametrize(
    "literals",
    [[1, 2], "x", {"x": 3}, {3: Literal(scalar=Scalar(none_type=Void()))}, {"x": LiteralType(simple=SimpleType.INTEGER)}],
)
def test_a_resolver_over_something_that_is_not_literals_is_a_typed_error(literals: Any) -> None:
    with pytest.raises(TypeTransformerFailedError, match="LiteralsResolver needs"):
        LiteralsResolver(literals)


@pytest.mark.parametrize("declared", [3, "int", typing.List, typing.Callable[[int], int], type(Ellipsis)])
def test_to_python_value_as_something_that_is_not_a_readable_type_is_a_typed_error(engine: TypeEngine, declared: Any) -> None:
    ctx = engine.context()
    with pytest.raises(TypeflowError):
        engine.to_python_value(ctx, Literal(scalar=Scalar(primitive=Primitive(integer=1))), declared)
