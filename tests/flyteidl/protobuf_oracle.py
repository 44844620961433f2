"""Protobuf itself as the reference for bytes typeflow-flyteidl reads in bulk.

``varint`` is written here, apart from the plugin's, so that a test building
bytes by hand does not share a bug with the code it checks.
"""

from __future__ import annotations

import pytest
from flyteidl.core import literals_pb2
from hypothesis import strategies as st

from typeflow.errors import LiteralDecodeError
from typeflow_flyteidl import from_bytes, from_flyteidl


def varint(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append((n & 0x7F) | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def check_mutated_collection_reads_as_protobuf(collection: bytes, data: st.DataObject) -> None:
    """Change 1-3 bytes of a ``LiteralCollection`` payload; typeflow must read the ``Literal`` as protobuf does.

    Bytes protobuf refuses are not compared; bytes protobuf reads but typeflow
    cannot represent must be a :class:`LiteralDecodeError` from both readers.
    """
    payload = bytearray(collection)
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(payload) - 1))
        payload[at] = data.draw(st.integers(0, 255))
    raw = b"\x12" + varint(len(payload)) + bytes(payload)  # Literal.collection
    try:
        reference = literals_pb2.Literal.FromString(raw)
    except Exception:
        return  # not protobuf at all: nothing to compare with
    try:
        expected = from_flyteidl(reference)
    except LiteralDecodeError:
        with pytest.raises(LiteralDecodeError):
            from_bytes(raw, "Literal")
        return
    assert from_bytes(raw, "Literal") == expected
