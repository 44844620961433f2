"""Helpers shared by the test packages."""

from __future__ import annotations

import os

import typeflow
from typeflow import TransformContext


def roundtrip(ctx: TransformContext, value: object, python_type: object) -> object:
    """to_literal → wire.dumps → wire.loads → to_python_value, checking the wire step is lossless."""
    lv = ctx.engine.to_literal(ctx, value, python_type)
    decoded = typeflow.wire.loads(typeflow.wire.dumps(lv))
    assert decoded == lv
    assert typeflow.wire.from_dict(typeflow.wire.to_dict(lv)) == lv
    return ctx.engine.to_python_value(ctx, decoded, python_type)


#: what a renamed but unsynced blob can hold after a power loss (TYPEFLOW_FSYNC is off by default)
POWER_LOSS_DAMAGE = ("empty", "cut in half", "zero-filled")


def damage_as_a_power_loss_can(path: str, damage: str) -> None:
    """Leave the blob at ``path`` as a power loss can: ``empty``, ``cut in half`` or ``zero-filled``."""
    size = os.path.getsize(path)
    with open(path, "r+b") as f:
        if damage == "zero-filled":
            f.write(b"\0" * size)
        else:
            f.truncate(0 if damage == "empty" else size // 2)
