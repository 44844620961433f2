"""The flyteidl form of an offloaded literal's payload, found through ``typeflow.offload_payloads``.

flytekit writes a big task output to ``<name>_offloaded_metadata.pb``, a
serialized ``flyteidl.core.Literal``, and reads an offloaded literal's payload
only in that form. typeflow writes it under the ``flytekit-*`` profiles and
reads it whatever the profile (see :mod:`typeflow.offload`).
"""

from __future__ import annotations

from typeflow.errors import LiteralDecodeError
from typeflow.literals import Literal
from typeflow.offload import PayloadForm

from .messages import from_bytes, to_bytes

__all__ = ["FORM"]


def _looks_like_literal(head: bytes) -> bool:
    # a Literal starts with one of its fields 1..9 (scalar, collection, map, hash, metadata, offloaded_metadata, ...)
    return bool(head) and 0 < head[0] >> 3 < 16 and head[0] & 7 in (0, 2)


def _loads(data: bytes) -> Literal:
    lit = from_bytes(data, "Literal")
    if not isinstance(lit, Literal):  # from_bytes gives what the message names; kept as a guard for the reader
        raise LiteralDecodeError(f"the payload holds a {type(lit).__name__}, not a Literal")
    return lit


#: flyteidl ``Literal`` bytes, the payload form of the ``flytekit-*`` profiles
FORM = PayloadForm("flyteidl", ".pb", _looks_like_literal, to_bytes, _loads)
