"""Helpers shared by the test packages."""

from __future__ import annotations

import typeflow
from typeflow import TransformContext


def roundtrip(ctx: TransformContext, value: object, python_type: object) -> object:
    """to_literal → wire.dumps → wire.loads → to_python_value, checking the wire step is lossless."""
    lv = ctx.engine.to_literal(ctx, value, python_type)
    decoded = typeflow.wire.loads(typeflow.wire.dumps(lv))
    assert decoded == lv
    assert typeflow.wire.from_dict(typeflow.wire.to_dict(lv)) == lv
    return ctx.engine.to_python_value(ctx, decoded, python_type)
