"""Conformance with the installed flytekit, family by family.

For each value family: flytekit reads typeflow's literal (written with the
profile of the installed flytekit, ``flytekit-1.16`` or ``flytekit-1.13``) to an equal value; typeflow reads flytekit's; the
literal types are equal as protobuf messages (or differ exactly as a named DIFFERENT_TYPES entry says);
and ``from_flyteidl(to_flyteidl(x)) == x``.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import pytest
from flyteidl.core import types_pb2
from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine as FlyteTypeEngine
from flytekit.models.literals import Literal as FlyteLiteral

import typeflow
from typeflow import TransformContext
from typeflow_flyteidl import from_flyteidl, to_flyteidl
from typeflow_flyteidl.bridge import flytekit_profile

from .families import BYTES, CORE, PICKLES, Family, arrays_and_frames

PROFILE = flytekit_profile()  # the forms the installed flytekit reads
#: numpy and pandas families run in the flytekit 1.16 env; the 1.13 env covers the core forms, bytes and pickles
FAMILIES = [*CORE, *BYTES, *PICKLES, *(arrays_and_frames() if find_spec("pandas") and find_spec("typeflow_pandas") else [])]

#: (check, family) pairs that fail until another change lands; strict, so they fail loudly once it has
PENDING: dict[tuple[str, str], str] = {}


_MSGPACK_TYPES = "flytekit 1.13's literal type of these has no msgpack annotation (1.14's form); typeflow writes 1.14's"
_PER_ITEM = "flytekit 1.13 batches only List[FlytePickle] (see test_flytekit113.py); it reads List[T] item by item"
#: forms flytekit 1.13 has no reader for (the README lists them); the 1.13 env does not exchange these families.
#: The first two fail the same way on flytekit 1.13's own literal of the value (test_flytekit_113_fails_on_its_own_literal).
NOT_IN_113: dict[tuple[str, str], str] = {
    ("flytekit_reads", "int-keyed-dict"): "flytekit 1.13 reads a Dict[int, str] from its JSON struct with str keys",
    ("flytekit_reads", "nested-dataclass"): "flytekit 1.13's int fixing walks dataclasses.fields(): string annotations "
    "(from __future__ import annotations) raise 'Only generic univariate typing.List[T]'",
    ("flytekit_reads", "list-of-pickles"): _PER_ITEM,
    ("flytekit_reads", "list-of-pickles-batched"): _PER_ITEM,
    **{
        (c, "typing-literal"): "flytekit 1.13 has no typing.Literal" for c in ("flytekit_reads", "typeflow_reads", "literal_type")
    },
    **{("literal_type", f): _MSGPACK_TYPES for f in ("untyped-dict", "int-keyed-dict")},
    **{("literal_type", f): _MSGPACK_TYPES for f in ("dataclass", "nested-dataclass", "list-of-dataclasses")},
}


def _pickled_bytes_as_binary(lt: types_pb2.LiteralType) -> types_pb2.LiteralType:
    """flytekit's literal type with its pickle type of ``bytes`` replaced by typeflow's ``BINARY`` (tag ``bytes`` in unions)."""
    out = types_pb2.LiteralType()
    out.CopyFrom(lt)
    _swap_pickled_bytes(out)
    return out


def _swap_pickled_bytes(lt: types_pb2.LiteralType) -> None:
    kind = lt.WhichOneof("type")
    if kind == "blob" and lt.blob.format == "PythonPickle":
        assert lt.metadata.fields["python_class_name"].string_value == "<class 'bytes'>", lt
        tagged = lt.HasField("structure")
        lt.Clear()
        lt.simple = types_pb2.BINARY
        if tagged:
            lt.structure.tag = "bytes"
    elif kind in ("collection_type", "map_value_type"):
        _swap_pickled_bytes(getattr(lt, kind))
    elif kind == "union_type":
        for variant in lt.union_type.variants:
            _swap_pickled_bytes(variant)


_BYTES_TYPE = (
    "flytekit has no bytes type and pickles them; typeflow's literal type of bytes is BINARY whatever the profile "
    "(a literal type is built without a context), its values under the flytekit profiles are flytekit's pickles"
)
#: deliberate differences between the literal types: family -> (why, what turns flytekit's type into typeflow's).
#: The test checks the types do differ, and are equal once the difference is applied.
DIFFERENT_TYPES: dict[str, tuple[str, Callable[[types_pb2.LiteralType], types_pb2.LiteralType]]] = {
    f.name: (_BYTES_TYPE, _pickled_bytes_as_binary) for f in BYTES
}


def families(check: str) -> list[Any]:
    out = []
    for family in FAMILIES:
        if PROFILE == "flytekit-1.13" and (check, family.name) in NOT_IN_113:
            continue
        reason = PENDING.get((check, family.name))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(family, id=family.name, marks=marks))
    return out


@pytest.fixture
def tctx(tmp_path: Path) -> TransformContext:
    flytekit_raw = FlyteContextManager.current_context().file_access.raw_output_prefix
    engine = typeflow.TypeEngine()
    return engine.context(storage=str(tmp_path / "storage"), profile=PROFILE, read_roots=[flytekit_raw])


@pytest.mark.parametrize("family", families("flytekit_reads"))
def test_flytekit_reads_typeflows_literal(family: Family, tctx: TransformContext) -> None:
    lv = tctx.engine.to_literal(tctx, family.value, family.python_type)
    fl = FlyteLiteral.from_flyte_idl(to_flyteidl(lv))
    got = FlyteTypeEngine.to_python_value(FlyteContextManager.current_context(), fl, family.flyte_type)
    assert family.equal(got, family.value), got


@pytest.mark.parametrize("family", families("typeflow_reads"))
def test_typeflow_reads_flytekits_literal(family: Family, tctx: TransformContext) -> None:
    ctx = FlyteContextManager.current_context()
    fl = FlyteTypeEngine.to_literal(ctx, family.value, family.flyte_type, FlyteTypeEngine.to_literal_type(family.flyte_type))
    lv = from_flyteidl(fl.to_flyte_idl())
    got = tctx.engine.to_python_value(tctx, lv, family.python_type)  # type: ignore[arg-type]
    assert family.equal(got, family.value), got


@pytest.mark.parametrize("family", families("literal_type"))
def test_literal_types_are_equal_protobuf_messages(family: Family) -> None:
    ours = to_flyteidl(typeflow.TypeEngine().to_literal_type(family.python_type))
    theirs = FlyteTypeEngine.to_literal_type(family.flyte_type).to_flyte_idl()
    difference = DIFFERENT_TYPES.get(family.name)
    if difference is not None:
        why, as_typeflows = difference
        assert ours != theirs, f"the types no longer differ ({why}): drop the DIFFERENT_TYPES entry"
        theirs = as_typeflows(theirs)
    assert ours == theirs, f"typeflow:\n{ours}\nflytekit:\n{theirs}"


@pytest.mark.parametrize("family", families("round_trip"))
def test_the_literal_round_trips_through_flyteidl(family: Family, tctx: TransformContext) -> None:
    lv = tctx.engine.to_literal(tctx, family.value, family.python_type)
    assert from_flyteidl(to_flyteidl(lv)) == lv
    lt = tctx.engine.to_literal_type(family.python_type)
    assert from_flyteidl(to_flyteidl(lt)) == lt


#: the NOT_IN_113 families flytekit 1.13 cannot even read back from its own literal
_OWN_FAILURES = {"int-keyed-dict", "nested-dataclass"}


if PROFILE == "flytekit-1.13":  # defined only where it runs: an empty parameter set would be a skip

    @pytest.mark.parametrize("family", [f for f in FAMILIES if f.name in _OWN_FAILURES], ids=repr)
    def test_flytekit_113_fails_on_its_own_literal(family: Family) -> None:
        """What NOT_IN_113 says of these families holds for flytekit 1.13 alone, without typeflow."""
        ctx = FlyteContextManager.current_context()
        lt = FlyteTypeEngine.to_literal_type(family.flyte_type)
        fl = FlyteTypeEngine.to_literal(ctx, family.value, family.flyte_type, lt)
        try:
            got = FlyteTypeEngine.to_python_value(ctx, fl, family.flyte_type)
        except ValueError:
            return  # the string annotations
        assert not family.equal(got, family.value), got
