"""Versioned codecs of the literal model: msgpack bytes and a JSON-able dict.

``dumps`` writes ``b"TYFL"``, a format version byte, a kind byte (``L``
literal, ``T`` literal type, ``M`` literal map) and a msgpack body. ``to_dict``
gives the same tree as plain JSON-able data (bytes in base64, non-finite floats
as strings). Decoding is safe on untrusted input: sizes, declared lengths and
nesting depth are bounded, nothing is imported or unpickled, and every
malformation raises :class:`~typeflow.errors.LiteralDecodeError` naming where
(the byte offset for a malformed msgpack body, the path such as
``$.collection.literals[3].scalar`` for a body of the wrong shape).

**Memory.** ``loads`` walks the msgpack headers before anything is built
(:mod:`typeflow._wire_scan`): a declared length that cannot fit in the bytes
left is refused, so nested headers cannot make the decoder preallocate more
slots than the input has bytes; more than ``max_objects`` msgpack objects is
refused; and so is an input whose estimated decoded size (Python objects of
the msgpack tree and the literal model built from it, charged at or above
what they take) is over ``max_memory``, by default
``MEMORY_FACTOR * len(data) + MEMORY_FLOOR`` (48 times the input plus 4 MiB).
Real literals take 2-3 times their wire size (packed numbers), about 10-25
times (maps of strings, lists of small literals); what would take more, such as
long lists of empty containers, needs ``max_memory`` raised.

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

from typeflow._wire_decode import DECODERS, MAX_DEPTH, _Decoder, _refuse_ext
from typeflow._wire_encode import ENCODERS
from typeflow._wire_scan import locate_error, scan
from typeflow.errors import LiteralDecodeError, TypeflowError
from typeflow.literals import Literal, LiteralMap, LiteralType

__all__ = [
    "FORMAT_VERSION",
    "MAGIC",
    "MAX_DEPTH",
    "MAX_OBJECTS",
    "MAX_SIZE",
    "MEMORY_FACTOR",
    "MEMORY_FLOOR",
    "READ_VERSIONS",
    "dumps",
    "from_dict",
    "loads",
    "to_dict",
]

MAGIC = b"TYFL"
#: the version ``dumps`` and ``to_dict`` write: 2 carries every packed column kind
FORMAT_VERSION = 2
#: the versions ``loads`` and ``from_dict`` read
READ_VERSIONS = (1, 2)
#: largest encoded input ``loads`` accepts by default (bytes)
MAX_SIZE = 2**31
#: most msgpack objects (every map, key, value, array, item) ``loads`` decodes by default
MAX_OBJECTS = 2**24
#: ``loads``'s default memory budget is ``MEMORY_FACTOR * len(data) + MEMORY_FLOOR`` bytes
MEMORY_FACTOR = 48
MEMORY_FLOOR = 4 * 2**20

_HEADER_LEN = len(MAGIC) + 2
_KIND_CODES = {Literal: b"L", LiteralType: b"T", LiteralMap: b"M"}
_KIND_NAMES = {Literal: "literal", LiteralType: "literal_type", LiteralMap: "literal_map"}

WireObject = Literal | LiteralType | LiteralMap


def _encoder(binary: bool, version: int) -> Any:
    if version not in READ_VERSIONS:
        raise TypeflowError(f"typeflow writes wire format versions {list(READ_VERSIONS)}, not {version!r}")
    return ENCODERS[binary, version]


def dumps(obj: WireObject, *, version: int = FORMAT_VERSION) -> bytes:
    """Encode a ``Literal``, ``LiteralType`` or ``LiteralMap`` to versioned bytes.

    ``version=1`` writes what typeflow 0.1 reads: packed columns it does not
    know are written as expanded literals.
    """
    tree = _encoder(True, version).top(obj)
    packer = msgpack.Packer(use_bin_type=True, datetime=False, autoreset=False)
    try:
        packer.pack(tree)
    except (TypeError, ValueError, OverflowError) as exc:
        raise TypeflowError(f"cannot encode {type(obj).__name__}: {exc} (generic and metadata fields must be JSON-able)") from exc
    del tree
    header = MAGIC + bytes((version,)) + _KIND_CODES[type(obj)]
    data: bytes = header + packer.getbuffer()  # the body is copied once, not once by packb and again here
    return data


def to_dict(obj: WireObject, *, version: int = FORMAT_VERSION) -> dict[str, Any]:
    """The JSON-able form: ``{"typeflow_wire": 2, "literal": {...}}`` (or ``literal_type``/``literal_map``)."""
    tree = _encoder(False, version).top(obj)
    return {"typeflow_wire": version, _KIND_NAMES[type(obj)]: tree}


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


def loads(
    data: bytes | bytearray | memoryview,
    *,
    max_size: int = MAX_SIZE,
    max_objects: int = MAX_OBJECTS,
    max_memory: int | None = None,
) -> WireObject:
    """Decode bytes from :func:`dumps`; safe on untrusted input.

    ``max_size`` bounds the input, ``max_objects`` the msgpack objects in it,
    ``max_memory`` the estimated bytes of Python objects decoding builds
    (default ``MEMORY_FACTOR * len(data) + MEMORY_FLOOR``). Raises
    :class:`LiteralDecodeError` naming the byte offset or the path of the
    first malformed part, or the limit that was passed.
    """
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise LiteralDecodeError(f"expected bytes, got {type(data).__name__}")
    data = bytes(data)
    if len(data) > max_size:
        raise LiteralDecodeError(f"input of {len(data)} bytes exceeds the limit of {max_size} bytes (max_size)", where="byte 0")
    if len(data) < _HEADER_LEN or data[: len(MAGIC)] != MAGIC:
        raise LiteralDecodeError("not typeflow wire data (bad magic)", where="byte 0")
    version = data[len(MAGIC)]
    if version not in READ_VERSIONS:
        raise LiteralDecodeError(
            f"wire format version {version} is not supported (this typeflow reads versions {list(READ_VERSIONS)})",
            where=f"byte {len(MAGIC)}",
        )
    kind = _CODE_NAMES.get(data[len(MAGIC) + 1 : _HEADER_LEN])
    if kind is None:
        raise LiteralDecodeError("unknown object kind", where=f"byte {len(MAGIC) + 1}")
    budget = MEMORY_FACTOR * len(data) + MEMORY_FLOOR if max_memory is None else max_memory
    scan(data, _HEADER_LEN, max_objects, budget)  # raises before msgpack allocates anything
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
    except (RecursionError, msgpack.StackError):
        raise LiteralDecodeError("msgpack body nested too deeply", where=f"byte {_HEADER_LEN}") from None
    except Exception as exc:  # msgpack raises ValueError, TypeError, UnicodeDecodeError, FormatError, ...
        located = locate_error(data, _HEADER_LEN, max_objects, budget)
        if located.where != f"byte {_HEADER_LEN}":
            raise located from None
        detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
        raise LiteralDecodeError(f"malformed msgpack body ({detail})", where=f"byte {_HEADER_LEN}") from None
    return _decode(DECODERS[True, version], kind, tree)


def from_dict(d: Any) -> WireObject:
    """Decode the JSON-able form produced by :func:`to_dict`."""
    if type(d) is not dict:
        raise LiteralDecodeError(f"expected a dict, got {type(d).__name__}")
    version = d.get("typeflow_wire")
    if type(version) is not int or version not in READ_VERSIONS:
        raise LiteralDecodeError(f"unsupported or missing typeflow_wire version {version!r}", where="$.typeflow_wire")
    kinds = [k for k in d if k in _TOP]
    if len(kinds) != 1 or len(d) != 2:
        raise LiteralDecodeError("expected exactly one of 'literal', 'literal_type', 'literal_map' beside 'typeflow_wire'")
    return _decode(DECODERS[False, version], kinds[0], d[kinds[0]])
