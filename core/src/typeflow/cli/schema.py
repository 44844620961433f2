"""``typeflow schema TYPE``: the literal type as JSON, and the JSON Schema of a record type.

The output is JSON with or without ``--json`` (accepted so that every
subcommand takes it).
"""

from __future__ import annotations

import argparse
from typing import Any

from typeflow.cli._common import load_type, print_json

__all__ = ["register", "run"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("schema", parents=[common], help="the literal type of a type as JSON (and its JSON Schema)")
    p.add_argument("type", help="a type expression: 'List[int]', 'mymodule:People'")
    p.set_defaults(run=run)


def schema(t: Any) -> dict[str, Any]:
    """``type``, ``literal_type`` and, for a record type, ``json_schema``."""
    from typeflow.cli.explain import literal_type_json
    from typeflow.engine import TypeEngine
    from typeflow.errors import type_name

    lt = TypeEngine().to_literal_type(t)
    out: dict[str, Any] = {"type": type_name(t), "literal_type": literal_type_json(lt)}
    if lt.metadata and lt.metadata.get("type") == "object":
        out["json_schema"] = lt.metadata
    return out


def run(args: argparse.Namespace) -> int:
    print_json(schema(load_type(args.type)))
    return 0
