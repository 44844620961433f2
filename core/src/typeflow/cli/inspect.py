"""``typeflow inspect FILE``: decode a wire file, or its JSON form, and show it as a tree.

Both forms typeflow writes are read: the binary wire format
(:func:`typeflow.wire.dumps`) and the JSON form (:func:`typeflow.wire.to_dict`,
which ``inspect --json`` prints). Decoding is the same bounded, safe decoding
as :func:`typeflow.wire.loads`; a msgpack record (a dataclass's
``Binary(tag="msgpack")``) is previewed field by field without running any
code of the type it came from.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from typeflow import discovery
from typeflow.cli._common import InputError, human_size, print_json, printable

__all__ = ["READERS", "READERS_GROUP", "Reader", "installed_readers", "read", "register", "run"]


def _non_negative(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, got {value}")
    return value


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("inspect", parents=[common], help="decode a wire file (or its JSON form) and show it")
    p.add_argument("file", help="a file written with typeflow.wire.dumps, or the JSON of typeflow.wire.to_dict")
    p.add_argument(
        "--limit", type=_non_negative, default=20, help="items shown per collection, map or record (default 20; 0 shows none)"
    )
    p.add_argument("--follow", action="store_true", help="also read and show the payload of offloaded literals")
    p.set_defaults(run=run)


# ------------------------------------------------------------------ reading


@dataclass(frozen=True)
class Reader:
    """One file form ``inspect`` reads: a name, a test on the first bytes, and a decoder."""

    name: str
    matches: Callable[[bytes], bool]
    decode: Callable[[bytes], Any]


def _decode_wire(data: bytes) -> Any:
    from typeflow import wire

    return wire.loads(data)


def _decode_json(data: bytes) -> Any:
    from typeflow import wire
    from typeflow.errors import LiteralDecodeError

    if len(data) > wire.MAX_SIZE:
        raise LiteralDecodeError(f"input of {len(data)} bytes exceeds the limit of {wire.MAX_SIZE} bytes")
    try:
        tree = json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise LiteralDecodeError(f"not valid JSON: {exc}") from None
    return wire.from_dict(tree)


def _is_wire(head: bytes) -> bool:
    from typeflow import wire

    return head.startswith(wire.MAGIC)


#: the forms ``inspect`` tries, in order; the first whose ``matches`` accepts the file's start decodes it
READERS: list[Reader] = [
    Reader("wire", _is_wire, _decode_wire),
    Reader("json", lambda head: head.lstrip()[:1] == b"{", _decode_json),
]


#: entry-point group of readers other packages add (each entry point loads to a :class:`Reader`);
#: typeflow-flyteidl's reads flyteidl ``.pb`` files, so core never imports protobuf
READERS_GROUP = discovery.READERS_GROUP


def installed_readers() -> list[Reader]:
    """The built-in readers, then those installed packages declare in :data:`READERS_GROUP`."""
    return [*READERS, *discovery.declared(READERS_GROUP, Reader, "inspect reader")]


def read(data: bytes) -> tuple[Any, str]:
    """Decode ``data`` with the first reader that recognises it: the object and the reader's name."""
    from typeflow.errors import LiteralDecodeError

    readers = installed_readers()
    for reader in readers:
        if reader.matches(data[:64]):
            return reader.decode(data), reader.name
    forms = ", ".join(r.name for r in readers)
    if not data:  # no typeflow form is empty, but flyteidl's LiteralMap is (a Flyte task with no outputs)
        raise LiteralDecodeError(
            f"not a typeflow file: the file is empty, and none of the forms {forms} is; an empty file can be an "
            "empty flyteidl LiteralMap (what a Flyte task with no outputs writes), which inspect reads with "
            "typeflow-flyteidl installed (pip install typeflow-flyteidl)"
        )
    raise LiteralDecodeError(f"not a typeflow file: none of the forms {forms} starts like this (first bytes {data[:8]!r})")


# ------------------------------------------------------------------ the tree


def _describe_type(lt: Any) -> str:
    from typeflow.cli.explain import literal_type_json

    return json.dumps(literal_type_json(lt), separators=(",", ":"))


def _short(value: Any, limit: int = 60) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _record(raw: bytes, depth: int, lines: list[str], limit: int) -> str:
    """Preview a msgpack record's fields (bounded decoding, no extension types); returns the header's tail."""
    import msgpack

    pad = "  " * depth
    bound = max(len(raw), 1)
    try:
        tree = msgpack.unpackb(
            raw,
            raw=False,
            strict_map_key=False,
            timestamp=0,
            max_str_len=bound,
            max_bin_len=bound,
            max_array_len=bound,
            max_map_len=bound,
            max_ext_len=bound,
        )
    except Exception as exc:
        return f", not valid msgpack ({type(exc).__name__})"
    if not isinstance(tree, dict):
        return f", {type(tree).__name__} {_short(tree)}"
    for i, (key, value) in enumerate(tree.items()):
        if i >= limit:
            lines.append(f"{pad}  ... {len(tree) - limit:,} more")
            break
        lines.append(f"{pad}  {key}: {_short(value)}")
    return f", record of {len(tree):,} field{'s' if len(tree) != 1 else ''}"


def _scalar(s: Any, pad: str, label: str, suffix: str, depth: int, lines: list[str], limit: int, follow: bool) -> None:
    if s.primitive is not None:
        lines.append(f"{pad}{label}{s.primitive.kind} = {s.primitive.value!r}{suffix}")
    elif s.binary is not None:
        at = len(lines)
        lines.append("")
        tail = _record(s.binary.value, depth, lines, limit) if s.binary.tag == "msgpack" else ""
        lines[at] = f"{pad}{label}binary tag={s.binary.tag!r} {human_size(len(s.binary.value))}{tail}{suffix}"
    elif s.blob is not None:
        kind = s.blob.metadata.type
        lines.append(f"{pad}{label}blob {kind.format} ({kind.dimensionality.name.lower()}) uri={s.blob.uri}{suffix}")
    elif s.structured_dataset is not None:
        sd = s.structured_dataset
        fmt = sd.metadata.structured_dataset_type.format if sd.metadata else "?"
        lines.append(f"{pad}{label}structured dataset format={fmt} uri={sd.uri}{suffix}")
    elif s.union is not None:
        tag = s.union.stored_type.structure.tag if s.union.stored_type.structure else "?"
        lines.append(f"{pad}{label}union variant {tag!r}{suffix}")
        tree(s.union.value, "", depth + 1, lines, limit, follow)
    elif s.none_type is not None:
        lines.append(f"{pad}{label}none{suffix}")
    elif s.error is not None:
        lines.append(f"{pad}{label}error from {s.error.failed_node_id}: {s.error.message}{suffix}")
    else:
        lines.append(f"{pad}{label}generic {json.dumps(s.generic)[:80]}{suffix}")


def _packed_records(items: list[tuple[Any, bytes]], pad: str, depth: int, lines: list[str], limit: int) -> None:
    for i, (key, raw) in enumerate(items):
        if i >= limit:
            lines.append(f"{pad}  ... {len(items) - limit:,} more")
            break
        label = f"[{key}]" if isinstance(key, int) else f"{key}:"
        at = len(lines)
        lines.append("")
        tail = _record(raw, depth + 1, lines, limit)
        lines[at] = f"{pad}  {label} {human_size(len(raw))}{tail}"


def tree(lv: Any, label: str, depth: int, lines: list[str], limit: int, follow: bool = False) -> None:
    """Append the lines showing ``lv`` (a literal, literal type or literal map) to ``lines``.

    With ``follow``, an offloaded literal's payload is read (as any reader
    would: confined, within the read budget) and shown beneath it.
    """
    from typeflow.columns import DatetimeColumn, PrimitiveColumn
    from typeflow.literals import LiteralMap, LiteralType, PackedLiteralMap, PackedLiterals

    pad = "  " * depth
    if isinstance(lv, LiteralType):
        lines.append(f"{pad}{label}literal type {_describe_type(lv)}")
        return
    if isinstance(lv, LiteralMap):
        _map(lv, label, depth, lines, limit, follow=follow)
        return
    extra = []
    if lv.hash:
        extra.append(f"hash={lv.hash}")
    if lv.metadata:
        extra.append(f"metadata={dict(lv.metadata)}")
    suffix = f"  [{', '.join(extra)}]" if extra else ""
    if lv.scalar is not None:
        _scalar(lv.scalar, pad, label, suffix, depth, lines, limit, follow)
    elif lv.collection is not None:
        items = lv.collection.literals
        if isinstance(items, PackedLiterals) and items.kind == "binary" and items.tag == "msgpack":
            lines.append(f"{pad}{label}collection of {len(items):,} msgpack records (packed){suffix}")
            _packed_records(list(enumerate(items.values)), pad, depth, lines, limit)
            return
        if isinstance(items, PackedLiterals) and isinstance(items.column, (PrimitiveColumn, DatetimeColumn)):
            shown = min(limit, 5)
            preview = ", ".join(repr(v) for v in items.column.slice(0, min(shown, len(items))).tolist())
            more = ", ..." if len(items) > shown else ""
            lines.append(f"{pad}{label}collection of {len(items):,} {items.kind} (packed) [{preview}{more}]{suffix}")
            return
        packed_kind = f" {items.kind} (packed)" if isinstance(items, PackedLiterals) else ""
        lines.append(f"{pad}{label}collection of {len(items):,}{packed_kind}{suffix}")
        for i, item in enumerate(items):
            if i >= limit:
                lines.append(f"{pad}  ... {len(items) - limit:,} more")
                break
            tree(item, f"[{i}] ", depth + 1, lines, limit, follow)
    elif lv.map is not None:
        if isinstance(lv.map.literals, PackedLiteralMap):
            packed = lv.map.literals
            if packed.kind == "binary" and packed.tag == "msgpack":
                lines.append(f"{pad}{label}map of {len(packed):,} msgpack records (packed){suffix}")
                _packed_records(list(zip(packed.raw_keys, packed.raw_values)), pad, depth, lines, limit)
                return
            if isinstance(packed.column, (PrimitiveColumn, DatetimeColumn)):
                lines.append(f"{pad}{label}map of {len(packed):,} {packed.kind} (packed){suffix}")
                return
            suffix = f" {packed.kind} (packed){suffix}"
        _map(lv.map, label, depth, lines, limit, suffix, follow)
    else:
        off = lv.offloaded_metadata
        lines.append(f"{pad}{label}offloaded {human_size(off.size_bytes)} uri={off.uri} type {_describe_type(off.inferred_type)}")
        if follow:
            from typeflow.engine import TypeEngine
            from typeflow.offload import load_offloaded

            tree(load_offloaded(TypeEngine.default().context(), lv), "payload: ", depth + 1, lines, limit, follow)


def _map(lm: Any, label: str, depth: int, lines: list[str], limit: int, suffix: str = "", follow: bool = False) -> None:
    pad = "  " * depth
    count = len(lm.literals)
    lines.append(f"{pad}{label}map of {count:,}{suffix}")
    for i, key in enumerate(lm.literals):
        if i >= limit:
            lines.append(f"{pad}  ... {count - limit:,} more")
            break
        tree(lm.literals[key], f"{key}: ", depth + 1, lines, limit, follow)


def run(args: argparse.Namespace) -> int:
    from typeflow import wire

    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    obj, form = read(data)
    if args.json:
        print_json(wire.to_dict(obj))
        return 0
    described = f"wire format v{data[len(wire.MAGIC)]}" if form == "wire" else f"{form} form"
    lines = [f"{args.file}: {type(obj).__name__}, {human_size(len(data))}, {described}"]
    tree(obj, "", 0, lines, args.limit, args.follow)
    print(printable("\n".join(lines)))
    return 0
