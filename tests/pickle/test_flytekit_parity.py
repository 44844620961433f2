"""flytekit parity with typeflow-pickle installed: union tags, ``Any`` and pickled types.

From flytekit 1.16's ``tests/flytekit/unit/core/test_type_engine.py``; each test names its source.
"""

import typing

import pytest

from typeflow import TransformContext, TypeEngine
from typeflow.literals import BlobType, LiteralType

from .samples import People


class Robot:
    def __init__(self, n: int) -> None:
        self.n = n


def test_pickled_union_variants_are_tagged_flytepickle_and_told_apart_by_class(pctx: TransformContext) -> None:
    pt = typing.Optional[typing.Union[People, Robot]]
    lt = pctx.engine.to_literal_type(pt)
    variants = lt.union_type.variants  # type: ignore[union-attr]
    assert [v.structure.tag for v in variants] == ["FlytePickle", "FlytePickle", "none"]  # type: ignore[union-attr]
    assert variants[0].metadata != variants[1].metadata  # python_class_name
    lv = pctx.engine.to_literal(pctx, Robot(3), pt)
    assert lv.scalar.union.stored_type.structure.tag == "FlytePickle"  # type: ignore[union-attr]
    back = pctx.engine.to_python_value(pctx, lv, pt)
    assert isinstance(back, Robot) and back.n == 3


def test_pickle_type_literal_type(pctx: TransformContext) -> None:
    """flytekit: test_pickle_type (the literal type half)."""
    lt = pctx.engine.to_literal_type(Robot)
    assert lt.blob == BlobType("PythonPickle")
    assert pctx.engine.get_transformer(typing.Any).name == "FlytePickle"
    assert isinstance(TypeEngine.to_literal_type(typing.Any), LiteralType)


def test_any_with_none_is_a_void_even_with_a_fallback_installed(pctx: TransformContext) -> None:
    from typeflow.literals import Literal, Scalar, Void

    lv = pctx.engine.to_literal(pctx, None, typing.Any)
    assert lv == Literal(scalar=Scalar(none_type=Void()))
    assert pctx.engine.to_python_value(pctx, lv, typing.Any) is None
    assert pctx.engine.to_literal(pctx, Robot(1), typing.Any).scalar.blob is not None  # type: ignore[union-attr]


def test_what_is_not_a_type_is_refused_not_handed_to_the_pickle_fallback(pctx: TransformContext) -> None:
    from typeflow.errors import TypeTransformerFailedError

    for not_a_type in ("Robot", 3, typing, len, Robot(1)):
        with pytest.raises(TypeTransformerFailedError, match="not a type"):
            pctx.engine.get_transformer(not_a_type)


def test_dict_transformer_pickles_a_dict_msgpack_cannot_hold_when_allowed(pctx: TransformContext) -> None:
    """flytekit: test_dict_transformer (``Annotated[dict, kwtypes(allow_pickle=True)]``)."""
    import datetime
    from typing import Annotated

    from typeflow.errors import TypeTransformerFailedError

    allow = Annotated[dict, {"allow_pickle": True}]  # flytekit's kwtypes(allow_pickle=True) is such a mapping
    with pytest.raises(TypeTransformerFailedError):
        pctx.engine.to_literal(pctx, {"x": datetime.datetime(2024, 5, 5)}, dict)
    lv = pctx.engine.to_literal(pctx, {"x": datetime.datetime(2024, 5, 5)}, allow)
    assert lv.metadata["format"] == "pickle"  # type: ignore[index]
    assert set(lv.scalar.generic) == {"pickle_file"}  # type: ignore[union-attr,arg-type]
    assert pctx.engine.to_python_value(pctx, lv, dict) == {"x": datetime.datetime(2024, 5, 5)}
    assert pctx.engine.to_python_value(pctx, lv, allow) == {"x": datetime.datetime(2024, 5, 5)}
    # a dict msgpack holds stays msgpack
    plain = pctx.engine.to_literal(pctx, {"x": "hello"}, allow)
    assert plain.scalar.binary is not None and plain.metadata is None  # type: ignore[union-attr]
    assert pctx.engine.to_python_value(pctx, plain, dict) == {"x": "hello"}


def test_a_pickled_dict_keeps_typeflow_pickles_signature_checks(pctx: TransformContext, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime
    from typing import Annotated

    from typeflow_pickle import PickleSignatureError

    monkeypatch.setenv("TYPEFLOW_PICKLE_KEY", "k1")
    lv = pctx.engine.to_literal(pctx, {"x": datetime.date(2024, 5, 5)}, Annotated[dict, {"allow_pickle": True}])
    assert pctx.engine.to_python_value(pctx, lv, dict) == {"x": datetime.date(2024, 5, 5)}
    monkeypatch.setenv("TYPEFLOW_PICKLE_KEY", "another key")
    with pytest.raises(PickleSignatureError):
        pctx.engine.to_python_value(pctx, lv, dict)
