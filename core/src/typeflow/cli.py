"""The ``typeflow`` command: ``plugins``, ``explain``, ``schema``, ``inspect``.

Bad input prints one line on stderr and exits non-zero; ``--debug`` shows the traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from typing import Any

from typeflow import discovery
from typeflow.errors import type_name

__all__ = ["main"]


def _print_json(data: Any) -> None:
    print(json.dumps(data, indent=2, sort_keys=False, default=str))


# ------------------------------------------------------------------ plugins


def cmd_plugins(args: argparse.Namespace) -> int:
    entries = discovery.entries()
    disabled = discovery.disabled_names()
    states: dict[discovery.PluginEntry, Any] = {}
    if args.load:
        from typeflow.engine import TypeEngine

        engine = TypeEngine()
        engine.load_all_plugins()
        states = engine.plugin_states()
    rows = []
    for entry in entries:
        if entry.name in disabled:
            status, cause = "disabled", "TYPEFLOW_DISABLE_PLUGINS"
        elif entry in states:
            error = states[entry]
            status, cause = ("broken", str(error)) if error is not None else ("loaded", "")
        else:
            status, cause = "not loaded", "loads when a value of its type is first converted" if not args.load else ""
        rows.append(
            {
                "name": entry.name,
                "group": entry.group,
                "distribution": entry.distribution,
                "version": entry.version,
                "module": entry.value,
                "status": status,
                "cause": cause,
            }
        )
    if args.json:
        _print_json(rows)
        return 0
    if not rows:
        print("no typeflow plugins installed (pip install typeflow-numpy, typeflow-pandas or typeflow-pickle)")
        return 0
    widths = {k: max(len(k), *(len(str(r[k])) for r in rows)) for k in ("name", "group", "distribution", "version", "status")}
    header = "  ".join(k.upper().ljust(widths[k]) for k in widths)
    print(header)
    for r in rows:
        line = "  ".join(str(r[k]).ljust(widths[k]) for k in widths)
        print(line + (f"  {r['cause']}" if r["status"] in ("broken", "disabled") else ""))
    if not args.load:
        print("\n(status without importing plugin modules; `typeflow plugins --load` imports them and reports failures)")
    return 0


# ------------------------------------------------------------------ explain / schema


def _literal_type_json(lt: Any) -> Any:
    from typeflow import wire

    return wire.to_dict(lt)["literal_type"]


def cmd_explain(args: argparse.Namespace) -> int:
    from typeflow._typeexpr import parse_type
    from typeflow.engine import TypeEngine
    from typeflow.errors import NoTransformerError

    t = parse_type(args.type)
    engine = TypeEngine()
    try:
        resolution = engine.resolve(t)
    except NoTransformerError as exc:
        print(f"type:         {type_name(t)}")
        print("resolves to:  nothing")
        print(f"why:          {exc}")
        return 1
    transformer = resolution.transformer
    lt = engine.to_literal_type(t)
    info = {
        "type": type_name(t),
        "transformer": f"{transformer.name} ({type(transformer).__module__}.{type(transformer).__qualname__})",
        "dispatch step": resolution.step,
        "plugin": resolution.source.plugin,
        "distribution": f"{resolution.source.distribution} {resolution.source.version}".strip(),
        "literal type": json.dumps(_literal_type_json(lt)),
    }
    if args.json:
        _print_json({**info, "literal type": _literal_type_json(lt)})
        return 0
    for key, value in info.items():
        print(f"{key + ':':<15}{value}")
    return 0


def cmd_schema(args: argparse.Namespace) -> int:
    from typeflow._typeexpr import parse_type
    from typeflow.engine import TypeEngine

    t = parse_type(args.type)
    lt = TypeEngine().to_literal_type(t)
    out: dict[str, Any] = {"type": type_name(t), "literal_type": _literal_type_json(lt)}
    if lt.metadata and lt.metadata.get("type") == "object":
        out["json_schema"] = lt.metadata
    _print_json(out)
    return 0


# ------------------------------------------------------------------ inspect


def _size(n: int) -> str:
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"


def _describe_type(lt: Any) -> str:
    return json.dumps(_literal_type_json(lt), separators=(",", ":"))


def _tree(lv: Any, label: str, depth: int, lines: list[str], limit: int) -> None:
    from typeflow.literals import LiteralMap, LiteralType, PackedLiteralMap, PackedLiterals

    pad = "  " * depth
    if isinstance(lv, LiteralType):
        lines.append(f"{pad}{label}literal type {_describe_type(lv)}")
        return
    if isinstance(lv, LiteralMap):
        _map(lv, label, depth, lines, limit)
        return
    extra = []
    if lv.hash:
        extra.append(f"hash={lv.hash}")
    if lv.metadata:
        extra.append(f"metadata={lv.metadata}")
    suffix = f"  [{', '.join(extra)}]" if extra else ""
    if lv.scalar is not None:
        s = lv.scalar
        if s.primitive is not None:
            text = f"{s.primitive.kind} = {s.primitive.value!r}"
        elif s.binary is not None:
            text = f"binary tag={s.binary.tag!r} {_size(len(s.binary.value))}"
        elif s.blob is not None:
            text = f"blob {s.blob.metadata.type.format} ({s.blob.metadata.type.dimensionality.name.lower()}) uri={s.blob.uri}"
        elif s.structured_dataset is not None:
            sd = s.structured_dataset
            fmt = sd.metadata.structured_dataset_type.format if sd.metadata else "?"
            text = f"structured dataset format={fmt} uri={sd.uri}"
        elif s.union is not None:
            tag = s.union.stored_type.structure.tag if s.union.stored_type.structure else "?"
            lines.append(f"{pad}{label}union variant {tag!r}{suffix}")
            _tree(s.union.value, "", depth + 1, lines, limit)
            return
        elif s.none_type is not None:
            text = "none"
        elif s.error is not None:
            text = f"error from {s.error.failed_node_id}: {s.error.message}"
        else:
            text = f"generic {json.dumps(s.generic)[:80]}"
        lines.append(f"{pad}{label}{text}{suffix}")
    elif lv.collection is not None:
        items = lv.collection.literals
        if isinstance(items, PackedLiterals):
            preview = ", ".join(repr(v) for v in list(items.values[:5]))
            more = ", ..." if len(items) > 5 else ""
            lines.append(f"{pad}{label}collection of {len(items):,} {items.kind} (packed) [{preview}{more}]{suffix}")
            return
        lines.append(f"{pad}{label}collection of {len(items):,}{suffix}")
        for i, item in enumerate(items):
            if i >= limit:
                lines.append(f"{pad}  ... {len(items) - limit:,} more")
                break
            _tree(item, f"[{i}] ", depth + 1, lines, limit)
    elif lv.map is not None:
        if isinstance(lv.map.literals, PackedLiteralMap):
            packed = lv.map.literals
            lines.append(f"{pad}{label}map of {len(packed):,} {packed.kind} (packed){suffix}")
            return
        _map(lv.map, label, depth, lines, limit, suffix)
    else:
        off = lv.offloaded_metadata
        lines.append(f"{pad}{label}offloaded {_size(off.size_bytes)} uri={off.uri} type {_describe_type(off.inferred_type)}")


def _map(lm: Any, label: str, depth: int, lines: list[str], limit: int, suffix: str = "") -> None:
    pad = "  " * depth
    items = list(lm.literals.items())
    lines.append(f"{pad}{label}map of {len(items):,}{suffix}")
    for i, (key, item) in enumerate(items):
        if i >= limit:
            lines.append(f"{pad}  ... {len(items) - limit:,} more")
            break
        _tree(item, f"{key}: ", depth + 1, lines, limit)


def cmd_inspect(args: argparse.Namespace) -> int:
    from typeflow import wire

    try:
        with open(args.file, "rb") as f:
            data = f.read()
    except OSError as exc:
        raise InputError(f"cannot read {args.file}: {exc.strerror or exc}") from exc
    obj = wire.loads(data)
    if args.json:
        _print_json(wire.to_dict(obj))
        return 0
    kind = type(obj).__name__
    lines = [f"{args.file}: {kind}, {_size(len(data))}, wire format v{data[4]}"]
    _tree(obj, "", 0, lines, args.limit)
    print("\n".join(lines))
    return 0


# ------------------------------------------------------------------ main


class InputError(Exception):
    """Bad input from the command line."""


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="typeflow", description="Inspect typeflow plugins, types and wire files.")
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("plugins", help="list installed plugins: loaded, disabled or broken")
    p.add_argument("--load", action="store_true", help="import every plugin now and report failures")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_plugins)

    p = sub.add_parser("explain", help="which transformer a type resolves to, and why")
    p.add_argument("type", help="a type expression: 'List[int]', 'pandas.DataFrame', 'mymodule:People'")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=cmd_explain)

    p = sub.add_parser("schema", help="the literal type of a type as JSON (and its JSON Schema)")
    p.add_argument("type", help="a type expression")
    p.set_defaults(func=cmd_schema)

    p = sub.add_parser("inspect", help="decode a wire file and show it")
    p.add_argument("file", help="a file written with typeflow.wire.dumps")
    p.add_argument("--json", action="store_true", help="print the JSON-able form (wire.to_dict)")
    p.add_argument("--limit", type=int, default=20, help="items shown per collection or map (default 20)")
    p.set_defaults(func=cmd_inspect)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args))
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        from typeflow._typeexpr import TypeExpressionError
        from typeflow.errors import TypeflowError

        known = isinstance(exc, (TypeflowError, TypeExpressionError, InputError))
        message = " ".join(str(exc).split()) if known else f"{type(exc).__name__}: {exc}"
        print(f"typeflow {args.command}: error: {message}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
