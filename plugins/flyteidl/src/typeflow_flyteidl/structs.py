"""``google.protobuf.Struct``: the JSON-like values of ``Scalar.generic``, ``LiteralType.metadata`` and annotations.

A Struct holds what JSON holds. Its numbers are doubles, so an int travels
only when a double holds it exactly (up to 2**53) and an integral number
comes back as an int, as protobuf's own JSON conversion returns it. Keys are
strings. Bytes, sets and other Python objects have no Struct form and are
refused with the path to the value.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from typeflow.errors import TypeTransformerFailedError

from ._wire import LEN, NonCanonical, Reader, double, field_double, field_message, field_string

__all__ = ["decode_struct", "encode_struct"]

_EXACT = 2**53


def _unmappable(what: str, where: str, hint: str) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(f"flyteidl's Struct cannot hold {what} (at {where})", hint=hint)


def encode_struct(value: Mapping[str, Any], where: str) -> bytes:
    """The ``Struct`` message bytes of a JSON-like mapping (entries in its order)."""
    parts = []
    for key, item in value.items():
        if not isinstance(key, str):
            raise _unmappable(f"the non-str key {key!r}", where, "use str keys: a Struct is a JSON object")
        entry = field_string(1, key) + field_message(2, _encode_value(item, f"{where}[{key!r}]"))
        parts.append(field_message(1, entry))
    return b"".join(parts)


def _encode_value(item: Any, where: str) -> bytes:
    if item is None:
        return b"\x08\x00"
    if item is True:
        return b"\x20\x01"
    if item is False:
        return b"\x20\x00"
    if isinstance(item, int):
        if not -_EXACT <= item <= _EXACT:
            raise _unmappable(f"the int {item} exactly (its numbers are doubles, exact up to 2**53)", where, "store it as a str")
        return field_double(2, float(item))
    if isinstance(item, float):
        return field_double(2, item)
    if isinstance(item, str):
        return field_string(3, item)
    if isinstance(item, Mapping):
        return field_message(5, encode_struct(item, where))
    if isinstance(item, (list, tuple)):
        return field_message(6, b"".join(field_message(1, _encode_value(x, f"{where}[{i}]")) for i, x in enumerate(item)))
    raise _unmappable(
        f"a {type(item).__name__}", where, "use JSON values (None, bool, int, float, str, lists and str-keyed dicts)"
    )


def decode_struct(data: bytes, span: tuple[int, int]) -> dict[str, Any]:
    """A ``Struct`` read back as a dict (integral numbers as ints)."""
    out: dict[str, Any] = {}
    for number, wire_type, entry in Reader(data, *span).fields():
        if number != 1 or wire_type != LEN:
            continue
        key = ""
        value: Any = None
        for n, wt, v in Reader(data, *entry).fields():
            if wt != LEN:
                continue
            if n == 1:
                key = data[v[0] : v[1]].decode("utf-8")
            elif n == 2:
                value = _decode_value(data, v)
        out[key] = value  # a repeated key: the last one wins, as in protobuf
    return out


def _decode_value(data: bytes, span: tuple[int, int]) -> Any:
    found: list[Any] = []
    for number, wire_type, value in Reader(data, *span).fields():
        if number == 1:
            found.append(None)
        elif number == 2 and wire_type == 1:
            x = double(value)
            found.append(int(x) if math.isfinite(x) and x.is_integer() and abs(x) <= _EXACT else x)
        elif number == 3 and wire_type == LEN:
            found.append(data[value[0] : value[1]].decode("utf-8"))
        elif number == 4:
            found.append(bool(value))
        elif number == 5 and wire_type == LEN:
            found.append(decode_struct(data, value))
        elif number == 6 and wire_type == LEN:
            found.append([_decode_value(data, v) for n, wt, v in Reader(data, *value).fields() if n == 1 and wt == LEN])
    if len(found) > 1:
        raise NonCanonical
    return found[0] if found else None
