"""``bytes`` in flytekit's form: the flytekit profiles pickle them, one file per value; every profile reads the pickles.

flytekit has no bytes transformer: a ``bytes`` is a ``PythonPickle`` blob, a
``List[bytes]`` one blob per element (1.13 and 1.16 alike; 1.13 batches only
``List[FlytePickle]``), a ``Dict[str, bytes]`` one blob per value. These tests
check the files themselves hold what flytekit unpickles; ``tests/flyteidl``
exchanges the literals with flytekit. Untrusted blobs declared as bytes:
``test_untrusted.py``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import cloudpickle
import pytest

from typeflow import TypeEngine
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import BlobType, Literal, LiteralType, PackedLiterals, TypeStructure

from .samples import files_in

FLYTEKIT_PROFILES = ["flytekit-1.16", "flytekit-1.13"]
KEY = "a key"


def _unpickled(lv: Literal) -> Any:
    """What flytekit unpickles from a blob literal (a plain ``cloudpickle.load`` of its file)."""
    assert lv.scalar is not None and lv.scalar.blob is not None, lv
    assert lv.scalar.blob.metadata.type.format == "PythonPickle"
    with open(lv.scalar.blob.uri, "rb") as f:
        return cloudpickle.load(f)


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
def test_a_flytekit_profile_pickles_bytes_one_file_per_value(storage: Path, profile: str) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile=profile)
    assert _unpickled(engine.to_literal(ctx, b"\x00\x01", bytes)) == b"\x00\x01"
    assert _unpickled(engine.to_literal(ctx, bytearray(b"ab"), bytes)) == b"ab"  # stored as plain bytes

    listed = engine.to_literal(ctx, [b"a", b"", b"c"], List[bytes])
    assert listed.collection is not None and not isinstance(listed.collection.literals, PackedLiterals)
    assert [_unpickled(lit) for lit in listed.collection.literals] == [b"a", b"", b"c"]

    mapped = engine.to_literal(ctx, {"k": b"v", "e": b""}, Dict[str, bytes])
    assert mapped.map is not None
    assert {k: _unpickled(lit) for k, lit in mapped.map.literals.items()} == {"k": b"v", "e": b""}

    nested = engine.to_literal(ctx, [[b"x"], []], List[List[bytes]])
    assert nested.collection is not None
    assert [[_unpickled(x) for x in inner.collection.literals] for inner in nested.collection.literals] == [[b"x"], []]  # type: ignore[union-attr]

    assert len(files_in(storage)) == 2 + 3 + 2 + 1
    for lv, t, value in [
        (listed, List[bytes], [b"a", b"", b"c"]),
        (mapped, Dict[str, bytes], {"k": b"v", "e": b""}),
        (nested, List[List[bytes]], [[b"x"], []]),
    ]:
        assert engine.to_python_value(ctx, lv, t) == value
        assert engine.to_python_value(engine.context(storage=str(storage)), lv, t) == value  # read whatever the profile


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
def test_an_optional_bytes_is_stored_with_flytekits_pickle_type(storage: Path, profile: str) -> None:
    """flytekit's union transformer matches the variant by its tag (FlytePickle) and literal type."""
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile=profile)
    lv = engine.to_literal(ctx, b"x", Optional[bytes])
    assert lv.scalar is not None and lv.scalar.union is not None
    assert lv.scalar.union.stored_type == LiteralType(
        blob=BlobType("PythonPickle"), metadata={"python_class_name": "<class 'bytes'>"}, structure=TypeStructure("FlytePickle")
    )
    assert _unpickled(lv.scalar.union.value) == b"x"
    assert engine.to_python_value(ctx, lv, Optional[bytes]) == b"x"
    assert engine.to_python_value(engine.context(storage=str(storage)), lv, Optional[bytes]) == b"x"
    listed = engine.to_literal(ctx, [b"a", None], List[Optional[bytes]])
    assert engine.to_python_value(ctx, listed, List[Optional[bytes]]) == [b"a", None]
    assert engine.to_literal_type(Optional[bytes]).union_type.variants[0].simple is not None  # type: ignore[union-attr]


def test_the_default_profile_keeps_binary_with_typeflow_pickle_installed(storage: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage))
    lv = engine.to_literal(ctx, b"\x00", bytes)
    assert lv.scalar is not None and lv.scalar.binary is not None and lv.scalar.binary.tag == "bytes"
    listed = engine.to_literal(ctx, [b"a", b"b"], List[bytes])
    assert listed.collection is not None and isinstance(listed.collection.literals, PackedLiterals)
    assert files_in(storage) == []


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
def test_signed_bytes_round_trip_under_a_flytekit_profile(storage: Path, profile: str) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile=profile, pickle_key=KEY)
    for value, t in [(b"\x00", bytes), ([b"a", b"b"], List[bytes]), ({"k": b"v"}, Dict[str, bytes]), (b"o", Optional[bytes])]:
        lv = engine.to_literal(ctx, value, t)
        assert engine.to_python_value(ctx, lv, t) == value


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
@pytest.mark.parametrize(
    ("value", "python_type", "path"),
    [
        ([b"a", b"b", "not bytes"], List[bytes], "$[2]"),
        ({"a": b"a", "b": 3}, Dict[str, bytes], "$['b']"),
        ([[b"a"], [b"b", 1]], List[List[bytes]], "$[1][1]"),
    ],
)
def test_a_bad_element_after_pickled_ones_leaves_no_file(
    storage: Path, profile: str, value: Any, python_type: Any, path: str
) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile=profile)
    with pytest.raises(TypeTransformerFailedError, match="expected bytes") as info:
        engine.to_literal(ctx, value, python_type)
    assert info.value.location == path
    assert files_in(storage) == []


def test_the_pickling_warning_names_the_transformer_that_handed_bytes_over(
    storage: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    from typeflow_pickle import transformer

    transformer._announced.discard(bytes)  # once per type and process: let this test see it
    caplog.set_level(logging.WARNING, logger="typeflow.pickle")
    ctx = TypeEngine().context(storage=str(storage), profile="flytekit-1.16")
    ctx.engine.to_literal(ctx, b"x", bytes)
    (record,) = [r for r in caplog.records if r.name == "typeflow.pickle"]
    assert "the bytes transformer hands bytes values to typeflow-pickle" in record.getMessage()
    assert "no transformer claims" not in record.getMessage()


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
def test_a_packed_attempt_that_fails_after_pickling_leaves_no_file(storage: Path, profile: str) -> None:
    """The map first tries to pack its lists (their elements pickled one by one into one column); a bad one stops it."""
    engine = TypeEngine()
    ctx = engine.context(storage=str(storage), profile=profile)
    with pytest.raises(TypeTransformerFailedError) as info:
        engine.to_literal(ctx, {"a": [b"x", b"y"], "b": [b"z", None]}, Dict[str, List[bytes]])
    assert info.value.location == "$['b'][1]"
    assert files_in(storage) == []
