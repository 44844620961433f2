"""``typeflow inspect FILE.pb``: the reader of flyteidl files, found through ``typeflow.inspect_readers``.

A Flyte ``inputs.pb`` / ``outputs.pb`` is a serialized ``LiteralMap``; a file
holding a single ``Literal`` or ``LiteralType`` is read too (tried in that
order after ``LiteralMap``).
"""

from __future__ import annotations

from typing import Any

from typeflow.cli.inspect import Reader
from typeflow.errors import LiteralDecodeError

from .messages import from_bytes

__all__ = ["READER"]


def _looks_like_protobuf(head: bytes) -> bool:
    # every form starts with a length-delimited or varint field 1..15; typeflow's own forms are tried first
    return bool(head) and head[0] >> 3 != 0 and head[0] & 7 in (0, 2)


def _decode(data: bytes) -> Any:
    errors = []
    for message in ("LiteralMap", "Literal", "LiteralType"):
        try:
            return from_bytes(data, message)
        except LiteralDecodeError as exc:
            errors.append(f"{message}: {exc}")
    raise LiteralDecodeError("not a flyteidl LiteralMap, Literal or LiteralType (" + "; ".join(errors) + ")")


#: the flyteidl form of ``typeflow inspect``
READER = Reader("flyteidl", _looks_like_protobuf, _decode)
