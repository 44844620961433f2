"""Columns on the wire (format version 2): encoding and strictly checked decoding.

A column is a map with a ``kind``. In the binary (msgpack) form numbers travel
as little-endian byte strings, datetimes as msgpack timestamps and strings as
one msgpack array, each inside one binary; in the JSON-able form they are
lists. (A packed map's keys travel as one such array too.) Every count a column declares is checked
against data that is really present, so a short input cannot decode to a huge
collection.

========== ===================================================================
kind       fields
========== ===================================================================
integer    ``values``: int64 bytes (JSON: ints)
float_value ``values``: float64 bytes (JSON: floats, or ``"nan"``/``"inf"``/``"-inf"``)
string_value ``values``: one msgpack array of strings, in bytes (JSON: strings)
boolean    ``values``: one 0/1 byte per element (JSON: booleans)
binary     ``values``: one msgpack array of byte strings, in bytes (JSON: base64), ``tag``
datetime   ``values``: one msgpack array of timestamps, in bytes (JSON: ISO 8601
           strings); ``naive``: ``true``, or one 0/1 byte per element, for
           naive datetimes (their wall clock travels as if it were UTC). msgpack
           converts datetimes to timestamps and back in C, several times
           faster than any conversion to int64 in Python.
duration   ``values``: one msgpack array of timestamps, in bytes: the epoch moved by
           each duration (JSON: ints, microseconds)
none       (no fields; only as a union variant, which gives its length)
union      ``variants``: literal types; ``index``: one byte per element naming its
           variant; ``columns``: one column per variant
list       ``lengths``: int64 bytes, one per element; ``values``: the child column
map        ``count``; ``shapes``: lists of keys; ``index`` (with ``width`` 1, 2
           or 4 bytes), which shape each element has, absent when all share one
           non-empty shape; ``values``: the child column
literals   ``literals``: literal trees
========== ===================================================================
"""

from __future__ import annotations

import array
import datetime as _dt
import sys
from itertools import repeat
from operator import add, floordiv, sub
from typing import TYPE_CHECKING, Any

import msgpack

from typeflow.columns import (
    EPOCH_UTC,
    MAX_UNION_VARIANTS,
    ONE_MICROSECOND,
    Column,
    DatetimeColumn,
    ListColumn,
    LiteralsColumn,
    MapColumn,
    NoneColumn,
    PrimitiveColumn,
    UnionColumn,
    check_durations,
    variant_counts,
)
from typeflow.errors import LiteralDecodeError

if TYPE_CHECKING:
    from typeflow._wire_decode import _Decoder, _Path
    from typeflow._wire_encode import _Encoder

_LITTLE = sys.byteorder == "little"
_WIDTH_CODES = {1: "B", 2: "H", 4: "I" if array.array("I").itemsize == 4 else "L"}

#: primitive kinds that version 1 of the wire format carries
V1_KINDS = frozenset({"integer", "float_value", "string_value", "boolean", "binary"})


def _le_bytes(values: array.array[Any]) -> bytes:
    if not _LITTLE:
        values = array.array(values.typecode, values)
        values.byteswap()
    return values.tobytes()


def _from_le(code: str, raw: bytes) -> array.array[Any]:
    values = array.array(code)
    values.frombytes(raw)
    if not _LITTLE:
        values.byteswap()
    return values


# --------------------------------------------------------------------------- encoding


def encode_column(enc: _Encoder, column: Column) -> dict[str, Any]:
    """The wire tree of ``column`` (format version 2)."""
    if isinstance(column, PrimitiveColumn):
        return _encode_primitive(enc, column)
    if isinstance(column, DatetimeColumn):
        if not enc.binary:
            return {"kind": "datetime", "values": [v.isoformat(timespec="microseconds") for v in column.tolist()]}
        out: dict[str, Any] = {"kind": "datetime", "values": msgpack.packb(column.instants, datetime=True)}
        if column.naive is not False:
            out["naive"] = column.naive
        return out
    if isinstance(column, NoneColumn):
        return {"kind": "none"}
    if isinstance(column, UnionColumn):
        return {
            "kind": "union",
            "variants": [enc.literal_type(v) for v in column.variants],
            "index": column.index if enc.binary else list(column.index),
            "columns": [encode_column(enc, c) for c in column.columns],
        }
    if isinstance(column, ListColumn):
        lengths = column.lengths
        return {
            "kind": "list",
            "lengths": _le_bytes(lengths) if enc.binary else lengths.tolist(),
            "values": encode_column(enc, column.child),
        }
    if isinstance(column, MapColumn):
        out = {"kind": "map", "count": column.count, "shapes": [list(s) for s in column.shapes]}
        if column.index is not None and not (len(column.shapes) == 1 and column.shapes[0]):
            if enc.binary:
                width = 1 if len(column.shapes) <= 2**8 else 2 if len(column.shapes) <= 2**16 else 4
                out["width"] = width
                out["index"] = _le_bytes(array.array(_WIDTH_CODES[width], column.index))
            else:
                out["index"] = list(column.index)
        elif not column.shapes[0]:  # every element empty: the index is what proves the count
            out["index"] = bytes(column.count) if enc.binary else [0] * column.count
            if enc.binary:
                out["width"] = 1
        out["values"] = encode_column(enc, column.child)
        return out
    if isinstance(column, LiteralsColumn):
        return {"kind": "literals", "literals": [enc.literal(x) for x in column.items]}
    raise TypeError(f"cannot encode a {type(column).__name__}")


def packed_array(values: Any) -> bytes:
    """Strings or byte strings as one msgpack array inside one binary.

    The budget pass over a wire body (``_wire_scan``) visits every msgpack object in
    Python; one binary per column keeps that pass from costing more than the
    column's own decoding, which msgpack then does in C.
    """
    data: bytes = msgpack.packb(values, use_bin_type=True)
    return data


def _encode_primitive(enc: _Encoder, column: PrimitiveColumn, version: int = 2) -> dict[str, Any]:
    kind, values = column.kind, column.values
    out: dict[str, Any] = {"kind": kind}
    if kind == "duration":
        if enc.binary:
            out["values"] = msgpack.packb(list(map(add, values, repeat(EPOCH_UTC))), datetime=True)
        else:
            out["values"] = list(map(floordiv, values, repeat(ONE_MICROSECOND)))
    elif kind in ("integer", "float_value"):
        if enc.binary:
            out["values"] = _le_bytes(values)
        elif kind == "float_value":
            out["values"] = [enc.float_(v) for v in values]
        else:
            out["values"] = values.tolist()
    elif kind == "boolean":
        out["values"] = bytes(values) if enc.binary else column.tolist()
    elif kind == "binary":
        if enc.binary:
            out["values"] = packed_array(values) if version >= 2 else list(values)
        else:
            out["values"] = [enc.bytes_(v) for v in values]
        if column.tag:
            out["tag"] = column.tag
    elif enc.binary:
        out["values"] = packed_array(values) if version >= 2 else list(values)
    else:
        out["values"] = list(values)
    return out


def encode_v1_primitive(enc: _Encoder, column: PrimitiveColumn) -> dict[str, Any]:
    """A version-1 packed tree (booleans as a list) for a column of a :data:`V1_KINDS` kind."""
    out = _encode_primitive(enc, column, version=1)
    if column.kind == "boolean":
        out["values"] = column.tolist()
    return out


# --------------------------------------------------------------------------- decoding


def _fail(path: _Path | None, reason: str) -> LiteralDecodeError:
    from typeflow._wire_decode import _fail as fail

    return fail(path, reason)


_COMMON = frozenset({"kind"})
_FIELDS: dict[str, tuple[frozenset[str], tuple[str, ...]]] = {
    "integer": (frozenset({"kind", "values"}), ("values",)),
    "float_value": (frozenset({"kind", "values"}), ("values",)),
    "string_value": (frozenset({"kind", "values"}), ("values",)),
    "boolean": (frozenset({"kind", "values"}), ("values",)),
    "binary": (frozenset({"kind", "values", "tag"}), ("values",)),
    "datetime": (frozenset({"kind", "values", "naive"}), ("values",)),
    "duration": (frozenset({"kind", "values"}), ("values",)),
    "none": (frozenset({"kind"}), ()),
    "union": (frozenset({"kind", "variants", "index", "columns"}), ("variants", "index", "columns")),
    "list": (frozenset({"kind", "lengths", "values"}), ("lengths", "values")),
    "map": (frozenset({"kind", "count", "shapes", "index", "width", "values"}), ("count", "shapes", "values")),
    "literals": (frozenset({"kind", "literals"}), ("literals",)),
}


def decode_column(dec: _Decoder, tree: Any, path: _Path | None, depth: int, length: int | None = None) -> Column:
    """Decode a column tree; ``length`` is the element count its parent requires, if it knows one."""
    from typeflow._wire_decode import MAX_DEPTH

    if depth > MAX_DEPTH:
        raise _fail(path, f"columns nested deeper than {MAX_DEPTH}")
    if type(tree) is not dict:
        raise _fail(path, f"expected a column (a map), got {type(tree).__name__}")
    kind = tree.get("kind")
    if type(kind) is not str or kind not in _FIELDS:
        raise _fail((path, ".kind"), f"unknown column kind {kind!r}; expected one of {sorted(_FIELDS)}")
    names, required = _FIELDS[kind]
    dec.map_(tree, path, names, required)
    column: Column
    if kind == "none":
        if length is None:
            raise _fail(path, "a none column may only be a union variant")
        column = NoneColumn(length)
    elif kind == "union":
        column = _decode_union(dec, tree, path, depth)
    elif kind == "list":
        column = _decode_list(dec, tree, path, depth)
    elif kind == "map":
        column = _decode_map(dec, tree, path, depth)
    elif kind == "datetime":
        column = _decode_datetimes(dec, tree, path)
    elif kind == "literals":
        items = tree["literals"]
        lpath = (path, ".literals")
        if type(items) is not list:
            raise _fail(lpath, "expected a list")
        column = LiteralsColumn.unchecked(tuple(dec.literal(x, (lpath, f"[{i}]"), depth + 1) for i, x in enumerate(items)))
    else:
        column = decode_primitive(dec, kind, tree, path, version=2)
    if length is not None and len(column) != length:
        raise _fail(path, f"the column holds {len(column)} elements where its parent declares {length}")
    return column


def _bytes_field(dec: _Decoder, tree: dict[str, Any], name: str, path: _Path | None, item: int) -> bytes:
    raw = tree[name]
    if type(raw) is not bytes or len(raw) % item:
        raise _fail((path, f".{name}"), f"expected bytes holding {item}-byte numbers")
    return raw


def _int_list(dec: _Decoder, tree: dict[str, Any], name: str, path: _Path | None, lo: int, hi: int) -> list[int]:
    raw = tree[name]
    if type(raw) is not list or (raw and (not set(map(type, raw)) <= {int} or min(raw) < lo or max(raw) > hi)):
        raise _fail((path, f".{name}"), f"expected a list of integers from {lo} to {hi}")
    return raw


def _decode_union(dec: _Decoder, tree: dict[str, Any], path: _Path | None, depth: int) -> UnionColumn:
    variants_raw = tree["variants"]
    vpath = (path, ".variants")
    if type(variants_raw) is not list or not 1 <= len(variants_raw) <= MAX_UNION_VARIANTS:
        raise _fail(vpath, f"expected a list of 1 to {MAX_UNION_VARIANTS} literal types")
    variants = tuple(dec.literal_type(v, (vpath, f"[{i}]"), depth + 1) for i, v in enumerate(variants_raw))
    if dec.binary:
        index = _bytes_field(dec, tree, "index", path, 1)
        if index.translate(None, bytes(range(len(variants)))):
            raise _fail((path, ".index"), f"an element names variant {max(index)} of {len(variants)}")
    else:
        index = bytes(_int_list(dec, tree, "index", path, 0, len(variants) - 1))
    columns_raw = tree["columns"]
    cpath = (path, ".columns")
    if type(columns_raw) is not list or len(columns_raw) != len(variants):
        raise _fail(cpath, "expected one column per variant")
    counts = variant_counts(index, len(variants))
    columns = tuple(decode_column(dec, c, (cpath, f"[{n}]"), depth + 1, length=counts[n]) for n, c in enumerate(columns_raw))
    return UnionColumn.unchecked(variants, index, columns)


def _decode_list(dec: _Decoder, tree: dict[str, Any], path: _Path | None, depth: int) -> ListColumn:
    if dec.binary:
        lengths = _from_le("q", _bytes_field(dec, tree, "lengths", path, 8))
    else:
        lengths = array.array("q", _int_list(dec, tree, "lengths", path, 0, 2**63 - 1))
    if lengths and min(lengths) < 0:
        raise _fail((path, ".lengths"), "a length is negative")
    child = decode_column(dec, tree["values"], (path, ".values"), depth + 1)
    if sum(lengths) != len(child):
        raise _fail((path, ".lengths"), f"the lengths add up to {sum(lengths)} but the values hold {len(child)}")
    return ListColumn.unchecked(lengths, child)


def _decode_map(dec: _Decoder, tree: dict[str, Any], path: _Path | None, depth: int) -> MapColumn:
    count = dec.int_(tree["count"], (path, ".count"))
    if count < 0:
        raise _fail((path, ".count"), "the count is negative")
    shapes_raw = tree["shapes"]
    spath = (path, ".shapes")
    if type(shapes_raw) is not list or not shapes_raw:
        raise _fail(spath, "expected a non-empty list of key lists")
    shapes = []
    for i, shape in enumerate(shapes_raw):
        if type(shape) is not list or (shape and not set(map(type, shape)) <= {str}):
            raise _fail((spath, f"[{i}]"), "expected a list of strings")
        if len(set(shape)) != len(shape):
            raise _fail((spath, f"[{i}]"), "duplicate keys")
        shapes.append(tuple(shape))
    index: array.array[int] | list[int] | None = None
    if "index" in tree:
        if dec.binary:
            width = tree.get("width")
            if width not in _WIDTH_CODES or type(width) is not int:
                raise _fail((path, ".width"), "expected an index width of 1, 2 or 4")
            index = _from_le(_WIDTH_CODES[width], _bytes_field(dec, tree, "index", path, width))
            if index and max(index) >= len(shapes):
                raise _fail((path, ".index"), f"an element names shape {max(index)} of {len(shapes)}")
        else:
            index = _int_list(dec, tree, "index", path, 0, len(shapes) - 1)
        if len(index) != count:
            raise _fail((path, ".index"), f"the index has {len(index)} entries for {count} elements")
        sizes = [len(s) for s in shapes]
        total = sum(map(sizes.__getitem__, index))
    else:
        if "width" in tree:
            raise _fail((path, ".width"), "a width without an index")
        if len(shapes) != 1 or not shapes[0]:
            raise _fail((path, ".index"), "an index is required unless every element has the one, non-empty shape")
        total = count * len(shapes[0])
    child = decode_column(dec, tree["values"], (path, ".values"), depth + 1)
    if total != len(child):
        raise _fail((path, ".values"), f"the shapes take {total} values but the column holds {len(child)}")
    if index is not None and len(shapes) == 1:
        index = None
    return MapColumn.unchecked(tuple(shapes), index, child, count)


def decode_primitive(dec: _Decoder, kind: str, tree: dict[str, Any], path: _Path | None, version: int) -> PrimitiveColumn:
    """A primitive column from ``tree`` (already checked to be a map with ``values``)."""
    raw = tree["values"]
    vpath = (path, ".values")
    tag = ""
    values: Any
    if kind == "duration":
        values = _decode_durations(dec, raw, vpath)
    elif kind in ("integer", "float_value"):
        code = "d" if kind == "float_value" else "q"
        if dec.binary:
            if type(raw) is not bytes or len(raw) % 8:
                raise _fail(vpath, "expected bytes holding 8-byte little-endian numbers")
            values = _from_le(code, raw)
        else:
            if type(raw) is not list:
                raise _fail(vpath, "expected a list")
            if kind == "float_value":
                values = array.array(code, [dec.float_(v, (vpath, f"[{i}]")) for i, v in enumerate(raw)])
            else:
                if raw and not set(map(type, raw)) <= {int}:
                    raise _fail(vpath, "expected integers")
                try:
                    values = array.array(code, raw)
                except OverflowError:
                    raise _fail(vpath, "integer outside the signed 64-bit range") from None
    elif kind == "boolean":
        if dec.binary and version >= 2:
            if type(raw) is not bytes or raw.translate(None, b"\x00\x01"):
                raise _fail(vpath, "expected bytes of 0 or 1")
            values = raw
        else:
            if type(raw) is not list or (raw and not set(map(type, raw)) <= {bool}):
                raise _fail(vpath, "expected a list of booleans")
            values = bytes(raw)
    elif kind == "string_value":
        if dec.binary and version >= 2:
            raw = unpack_array(raw, vpath, str, "strings")  # checked there: a list of str
        elif type(raw) is not list or (raw and not set(map(type, raw)) <= {str}):
            raise _fail(vpath, "expected a list of strings")
        values = raw
    elif kind == "binary":
        if dec.binary and version >= 2:
            raw = unpack_array(raw, vpath, bytes, "byte strings")
        if type(raw) is not list:
            raise _fail(vpath, "expected a list")
        if dec.binary:
            if raw and not set(map(type, raw)) <= {bytes}:
                raise _fail(vpath, "expected byte strings")
            values = raw
        else:
            values = [dec.bytes_(v, (vpath, f"[{i}]")) for i, v in enumerate(raw)]
        tag = dec.str_(tree.get("tag", ""), (path, ".tag"))
    else:
        raise _fail((path, ".kind"), f"unknown packed kind {kind!r}")
    if tag and kind != "binary":
        raise _fail((path, ".tag"), "only the binary kind takes a tag")
    return PrimitiveColumn.unchecked(kind, values, tag)


def unpack_array(raw: Any, path: _Path | None, item: type, what: str) -> list[Any]:
    """The list of ``item`` values a :func:`packed_array` binary holds.

    msgpack's limits keep every declared length within the binary, and each element
    takes at least one of its bytes; the objects built are at most about twenty times
    the binary's size (two-character strings), inside ``wire.loads``'s memory multiple.
    """
    if type(raw) is not bytes:
        raise _fail(path, f"expected bytes holding a msgpack array of {what}")
    limit = max(len(raw), 1)
    try:
        values = msgpack.unpackb(
            raw,
            raw=False,
            use_list=True,
            ext_hook=_refuse_ext,
            max_str_len=limit,
            max_bin_len=limit,
            max_array_len=limit,
            max_map_len=0,
            max_ext_len=0,
        )
    except Exception as exc:  # malformed, truncated, trailing bytes, bad UTF-8, nesting, ...
        raise _fail(path, f"not a msgpack array of {what} ({type(exc).__name__}: {exc})") from None
    if type(values) is not list or (values and not set(map(type, values)) <= {item}):
        raise _fail(path, f"expected a msgpack array of {what}")
    return values


def _decode_durations(dec: _Decoder, raw: Any, path: _Path | None) -> tuple[_dt.timedelta, ...]:
    if not dec.binary:
        if type(raw) is not list or (raw and not set(map(type, raw)) <= {int}):
            raise _fail(path, "expected a list of integers (microseconds)")
        try:
            values = tuple(map(_dt.timedelta, repeat(0), repeat(0), raw))
            check_durations(values)
        except OverflowError:
            raise _fail(path, "a duration out of range") from None
        return values
    instants = _unpack_timestamps(raw, path)
    return tuple(map(sub, instants, repeat(EPOCH_UTC)))


def _unpack_timestamps(raw: Any, path: _Path | None) -> list[_dt.datetime]:
    if type(raw) is not bytes:
        raise _fail(path, "expected bytes holding a msgpack array of timestamps")
    limit = max(len(raw), 1)
    try:
        instants = msgpack.unpackb(
            raw,
            timestamp=3,
            ext_hook=_refuse_ext,
            raw=False,
            max_str_len=limit,
            max_bin_len=limit,
            max_array_len=limit,
            max_map_len=limit,
            max_ext_len=limit,
        )
    except Exception as exc:  # msgpack raises many types; an out-of-range timestamp raises OverflowError/ValueError
        raise _fail(path, f"not a msgpack array of timestamps ({type(exc).__name__}: {exc})") from None
    if type(instants) is not list or (instants and not set(map(type, instants)) <= {_dt.datetime}):
        raise _fail(path, "expected a msgpack array of timestamps")
    return instants


def _decode_datetimes(dec: _Decoder, tree: dict[str, Any], path: _Path | None) -> DatetimeColumn:
    raw = tree["values"]
    vpath = (path, ".values")
    if not dec.binary:
        if "naive" in tree:
            raise _fail((path, ".naive"), "the JSON form says naive by leaving out the offset")
        if type(raw) is not list or (raw and not set(map(type, raw)) <= {str}):
            raise _fail(vpath, "expected a list of ISO 8601 strings")
        try:
            return DatetimeColumn(list(map(_dt.datetime.fromisoformat, raw)))
        except ValueError as exc:
            raise _fail(vpath, f"invalid ISO 8601 datetime: {exc}") from None
    instants = _unpack_timestamps(raw, vpath)
    naive = tree.get("naive", False)
    if type(naive) is bytes:
        if len(naive) != len(instants) or naive.translate(None, b"\x00\x01"):
            raise _fail((path, ".naive"), "expected one 0/1 byte per element")
    elif type(naive) is not bool:
        raise _fail((path, ".naive"), "expected true, false, or one 0/1 byte per element")
    return DatetimeColumn.unchecked(instants, naive)


def _refuse_ext(code: int, data: bytes) -> Any:
    raise ValueError(f"msgpack extension type {code} is not part of a timestamp array")
