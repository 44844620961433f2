"""flytekit parity for typeflow-numpy: an array's union tag is flytekit's transformer name."""

import typing

import numpy as np

from typeflow import TransformContext


def test_an_arrays_union_tag_is_flytekits_numpy_array(ctx: TransformContext) -> None:
    pt = typing.Optional[np.ndarray]
    lt = ctx.engine.to_literal_type(pt)
    assert [v.structure.tag for v in lt.union_type.variants] == ["Numpy Array", "none"]  # type: ignore[union-attr]
    lv = ctx.engine.to_literal(ctx, np.arange(3), pt)
    assert lv.scalar.union.stored_type.structure.tag == "Numpy Array"  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, pt).tolist() == [0, 1, 2]
