"""``bytes``: typeflow's BINARY form by default; flytekit's pickle under the flytekit profiles, which needs typeflow-pickle.

flytekit has no bytes transformer and pickles them. These tests run where no
fallback plugin is installed (the core envs install only typeflow): the default profile keeps the
BINARY form, and the pickle form, written or read, is a typed error saying what
to install. The pickle form itself is tested in ``tests/pickle/test_bytes.py``
and against flytekit in ``tests/flyteidl``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import pytest

from typeflow import TypeEngine
from typeflow.columns import PrimitiveColumn
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import (
    Blob,
    BlobMetadata,
    BlobType,
    Literal,
    LiteralCollection,
    LiteralMap,
    LiteralType,
    PackedLiterals,
    Scalar,
    SimpleType,
    TypeStructure,
)
from typeflow.literals import Union as UnionValue

FLYTEKIT_PROFILES = ["flytekit-1.16", "flytekit-1.13"]


def _pickle_blob(path: Path) -> Literal:
    path.write_bytes(b"not even read")
    return Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("PythonPickle")), str(path))))


def test_the_default_profile_keeps_the_binary_form(tmp_path: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(tmp_path))
    assert engine.to_literal_type(bytes) == LiteralType(simple=SimpleType.BINARY)
    lv = engine.to_literal(ctx, b"\x00\x01", bytes)
    assert lv.scalar is not None and lv.scalar.binary is not None
    assert (lv.scalar.binary.value, lv.scalar.binary.tag) == (b"\x00\x01", "bytes")
    listed = engine.to_literal(ctx, [b"a", b""], List[bytes])
    assert listed.collection is not None and isinstance(listed.collection.literals, PackedLiterals)
    column = listed.collection.literals.column
    assert isinstance(column, PrimitiveColumn) and (column.kind, column.tag) == ("binary", "bytes")
    assert engine.to_python_value(ctx, listed, List[bytes]) == [b"a", b""]
    assert list(tmp_path.iterdir()) == []  # nothing was written to storage


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
@pytest.mark.parametrize(
    ("value", "python_type", "path"),
    [
        (b"\x00", bytes, "$"),
        (b"", bytes, "$"),
        ([b"a", b"b"], List[bytes], "$[0]"),
        ({"k": b"v"}, Dict[str, bytes], "$['k']"),
        ([[b"a"]], List[List[bytes]], "$[0][0]"),
    ],
)
def test_a_flytekit_profile_without_typeflow_pickle_says_to_install_it(
    tmp_path: Path, profile: str, value: Any, python_type: Any, path: str
) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(tmp_path), profile=profile)
    with pytest.raises(TypeTransformerFailedError, match="flytekit reads bytes only as a pickle") as info:
        engine.to_literal(ctx, value, python_type)
    assert info.value.location == path
    assert "install typeflow-pickle" in str(info.value)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("profile", FLYTEKIT_PROFILES)
def test_an_optional_bytes_under_a_flytekit_profile_names_the_missing_plugin(tmp_path: Path, profile: str) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(tmp_path), profile=profile)
    with pytest.raises(TypeTransformerFailedError, match="typeflow-pickle"):
        engine.to_literal(ctx, b"x", Optional[bytes])
    with pytest.raises(TypeTransformerFailedError, match="typeflow-pickle"):
        engine.to_literal(ctx, [b"x", None], List[Optional[bytes]])
    none = engine.to_literal(ctx, None, Optional[bytes])  # no bytes, nothing to pickle
    assert engine.to_python_value(ctx, none, Optional[bytes]) is None


def test_reading_flytekits_pickled_bytes_without_typeflow_pickle_says_to_install_it(tmp_path: Path) -> None:
    engine = TypeEngine()
    ctx = engine.context(storage=str(tmp_path))
    blob = _pickle_blob(tmp_path / "b.pkl")
    flytekit_bytes_type = LiteralType(
        blob=BlobType("PythonPickle"), metadata={"python_class_name": "<class 'bytes'>"}, structure=TypeStructure("FlytePickle")
    )
    forms: list[tuple[Literal, Any, str]] = [
        (blob, bytes, "$"),
        (Literal(collection=LiteralCollection((blob,))), List[bytes], "$[0]"),
        (Literal(map=LiteralMap({"k": blob})), Dict[str, bytes], "$['k']"),
        (Literal(scalar=Scalar(union=UnionValue(blob, flytekit_bytes_type))), Optional[bytes], "$"),
    ]
    for lv, python_type, path in forms:
        with pytest.raises(TypeTransformerFailedError, match="a pickle, and typeflow-pickle") as info:
            engine.to_python_value(ctx, lv, python_type)
        assert info.value.location == path, python_type
        assert "install typeflow-pickle" in str(info.value)


def test_a_blob_of_another_format_is_not_bytes(tmp_path: Path) -> None:
    engine = TypeEngine()
    lv = Literal(scalar=Scalar(blob=Blob(BlobMetadata(BlobType("NumpyArray")), str(tmp_path / "a.npy"))))
    with pytest.raises(TypeTransformerFailedError, match="cannot read a blob scalar as bytes"):
        engine.to_python_value(engine.context(storage=str(tmp_path)), lv, bytes)
