"""``typeflow explain TYPE``: which transformer a type resolves to, through which step, from which plugin."""

from __future__ import annotations

import argparse
from typing import Any

from typeflow.cli._common import load_type, print_json

__all__ = ["register", "run"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("explain", parents=[common], help="which transformer a type resolves to, and why")
    p.add_argument("type", help="a type expression: 'List[int]', 'pandas.DataFrame', 'mymodule:People'")
    p.set_defaults(run=run)


def literal_type_json(lt: Any) -> Any:
    """A literal type in the JSON-able wire form."""
    from typeflow import wire

    return wire.to_dict(lt)["literal_type"]


def explain(t: Any) -> dict[str, Any]:
    """What ``explain`` reports about ``t``, as snake_case keys; ``transformer`` is ``None`` when nothing claims it."""
    from typeflow.engine import TypeEngine
    from typeflow.errors import NoTransformerError, type_name
    from typeflow.hints import missing_plugin_hint

    engine = TypeEngine()
    try:
        resolution = engine.resolve(t)
    except NoTransformerError as exc:
        return {"type": type_name(t), "transformer": None, "why": " ".join(str(exc).split())}
    transformer = resolution.transformer
    info: dict[str, Any] = {
        "type": type_name(t),
        "transformer": transformer.name,
        "transformer_class": f"{type(transformer).__module__}.{type(transformer).__qualname__}",
        "dispatch_step": resolution.step,
        "plugin": resolution.source.plugin,
        "distribution": resolution.source.distribution,
        "version": resolution.source.version,
        "literal_type": literal_type_json(engine.to_literal_type(t)),
    }
    if resolution.step == "fallback":
        hint = missing_plugin_hint(t)
        if hint:
            info["hint"] = hint
    return info


def run(args: argparse.Namespace) -> int:
    import json

    info = explain(load_type(args.type))
    if args.json:
        print_json(info)
        return 0 if info["transformer"] is not None else 1
    if info["transformer"] is None:
        print(f"{'type:':<15}{info['type']}")
        print(f"{'resolves to:':<15}nothing")
        print(f"{'why:':<15}{info['why']}")
        return 1
    shown = {
        "type": info["type"],
        "transformer": f"{info['transformer']} ({info['transformer_class']})",
        "dispatch step": info["dispatch_step"],
        "plugin": info["plugin"],
        "distribution": f"{info['distribution']} {info['version']}".strip(),
        "literal type": json.dumps(info["literal_type"]),
    }
    if "hint" in info:
        shown["hint"] = info["hint"]
    for key, value in shown.items():
        print(f"{key + ':':<15}{value}")
    return 0
