"""Versioned codecs of the literal model: msgpack bytes and a JSON-able dict.

``dumps`` writes ``b"TYFL"``, a format version byte, a kind byte (``L``
literal, ``T`` literal type, ``M`` literal map) and a msgpack body. ``to_dict``
gives the same tree as plain JSON-able data (bytes in base64, non-finite floats
as strings). Decoding is safe on untrusted input: sizes, declared lengths and
nesting depth are bounded, nothing is imported or unpickled, and every
malformation raises :class:`~typeflow.errors.LiteralDecodeError` naming where.

    >>> from typeflow.literals import Literal, Scalar, Primitive
    >>> lit = Literal(scalar=Scalar(primitive=Primitive(integer=7)))
    >>> loads(dumps(lit)) == lit
    True
    >>> to_dict(lit)["literal"]
    {'scalar': {'primitive': {'integer': 7}}}
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import msgpack

from typeflow._wire_decode import BINARY_DECODER, DICT_DECODER, MAX_DEPTH, _Decoder, _refuse_ext
from typeflow._wire_encode import BINARY_ENCODER, DICT_ENCODER
from typeflow.errors import LiteralDecodeError, TypeflowError
from typeflow.literals import Literal, LiteralMap, LiteralType

__all__ = ["FORMAT_VERSION", "MAGIC", "MAX_DEPTH", "MAX_SIZE", "dumps", "from_dict", "loads", "to_dict"]

MAGIC = b"TYFL"
FORMAT_VERSION = 1
#: largest encoded input ``loads`` accepts by default (bytes)
MAX_SIZE = 2**31

_HEADER_LEN = len(MAGIC) + 2
_KIND_CODES = {Literal: b"L", LiteralType: b"T", LiteralMap: b"M"}
_KIND_NAMES = {Literal: "literal", LiteralType: "literal_type", LiteralMap: "literal_map"}

WireObject = Literal | LiteralType | LiteralMap


def dumps(obj: WireObject) -> bytes:
    """Encode a ``Literal``, ``LiteralType`` or ``LiteralMap`` to versioned bytes."""
    tree = BINARY_ENCODER.top(obj)
    try:
        body: bytes = msgpack.packb(tree, use_bin_type=True, datetime=False)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeflowError(f"cannot encode {type(obj).__name__}: {exc} (generic and metadata fields must be JSON-able)") from exc
    return MAGIC + bytes((FORMAT_VERSION,)) + _KIND_CODES[type(obj)] + body


def to_dict(obj: WireObject) -> dict[str, Any]:
    """The JSON-able form: ``{"typeflow_wire": 1, "literal": {...}}`` (or ``literal_type``/``literal_map``)."""
    tree = DICT_ENCODER.top(obj)
    return {"typeflow_wire": FORMAT_VERSION, _KIND_NAMES[type(obj)]: tree}


_TOP: dict[str, Callable[[_Decoder, Any], WireObject]] = {
    "literal": lambda d, t: d.literal(t, None, 0),
    "literal_type": lambda d, t: d.literal_type(t, None, 0),
    "literal_map": lambda d, t: d.literal_map(t, None, 0),
}
_CODE_NAMES = {b"L": "literal", b"T": "literal_type", b"M": "literal_map"}


def _decode(decoder: _Decoder, kind: str, tree: Any) -> WireObject:
    try:
        return _TOP[kind](decoder, tree)
    except LiteralDecodeError:
        raise
    except RecursionError:
        raise LiteralDecodeError("nesting too deep") from None
    except (TypeError, ValueError, OverflowError) as exc:  # a model invariant the decoder did not pre-check
        raise LiteralDecodeError(f"invalid {kind}: {exc}") from None


def loads(data: bytes | bytearray | memoryview, *, max_size: int = MAX_SIZE) -> WireObject:
    """Decode bytes from :func:`dumps`; safe on untrusted input.

    Raises :class:`LiteralDecodeError` naming the byte offset or the path of
    the first malformed part.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise LiteralDecodeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_size:
        raise LiteralDecodeError(f"input of {len(data)} bytes exceeds the limit of {max_size} bytes", where="byte 0")
    if len(data) < _HEADER_LEN or data[: len(MAGIC)] != MAGIC:
        raise LiteralDecodeError("not typeflow wire data (bad magic)", where="byte 0")
    version = data[len(MAGIC)]
    if version != FORMAT_VERSION:
        raise LiteralDecodeError(
            f"wire format version {version} is not supported (this typeflow reads version {FORMAT_VERSION})",
            where=f"byte {len(MAGIC)}",
        )
    kind = _CODE_NAMES.get(data[len(MAGIC) + 1 : _HEADER_LEN])
    if kind is None:
        raise LiteralDecodeError("unknown object kind", where=f"byte {len(MAGIC) + 1}")
    body = memoryview(data)[_HEADER_LEN:]
    limit = max(len(body), 1)
    try:
        tree = msgpack.unpackb(
            body,
            raw=False,
            strict_map_key=True,
            use_list=True,
            ext_hook=_refuse_ext,
            timestamp=0,
            max_str_len=limit,
            max_bin_len=limit,
            max_array_len=limit,
            max_map_len=limit,
            max_ext_len=limit,
        )
    except msgpack.ExtraData as exc:
        raise LiteralDecodeError(
            f"{len(exc.extra)} trailing bytes after the msgpack body", where=f"byte {len(data) - len(exc.extra)}"
        ) from None
    except RecursionError:
        raise LiteralDecodeError("msgpack body nested too deeply", where=f"byte {_HEADER_LEN}") from None
    except Exception as exc:  # msgpack raises ValueError, TypeError, UnicodeDecodeError, FormatError, ...
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise LiteralDecodeError(f"malformed msgpack body ({detail})", where=f"byte {_HEADER_LEN}") from None
    return _decode(BINARY_DECODER, kind, tree)


def from_dict(d: Any) -> WireObject:
    """Decode the JSON-able form produced by :func:`to_dict`."""
    if type(d) is not dict:
        raise LiteralDecodeError(f"expected a dict, got {type(d).__name__}")
    version = d.get("typeflow_wire")
    if version != FORMAT_VERSION:
        raise LiteralDecodeError(f"unsupported or missing typeflow_wire version {version!r}", where="$.typeflow_wire")
    kinds = [k for k in d if k in _TOP]
    if len(kinds) != 1 or len(d) != 2:
        raise LiteralDecodeError("expected exactly one of 'literal', 'literal_type', 'literal_map' beside 'typeflow_wire'")
    return _decode(DICT_DECODER, kinds[0], d[kinds[0]])
