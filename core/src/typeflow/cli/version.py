"""``typeflow version`` (and ``typeflow --version``): typeflow's, Python's and each installed plugin's version.

A plugin is a distribution with a typeflow entry point: transformers, a
fallback, a ``typeflow inspect`` reader, an offload payload form; a typeflow package's flytekit plugin
is listed with it. Only metadata is read.
"""

from __future__ import annotations

import argparse
import platform
import sys
from collections.abc import Sequence
from typing import Any

from typeflow.cli._common import print_json

__all__ = ["PrintVersion", "register", "run", "versions"]


def register(sub: Any, common: argparse.ArgumentParser) -> None:
    p = sub.add_parser("version", parents=[common], help="typeflow's, Python's and every installed plugin's version")
    p.set_defaults(run=run)


def versions() -> dict[str, Any]:
    """``typeflow``, ``python`` and ``plugins`` (one per distribution, with its entry points), from installed metadata."""
    import typeflow
    from typeflow import discovery

    plugins: dict[str, dict[str, Any]] = {}
    for entry in (*discovery.entries(), *discovery.provided_entries()):
        row = plugins.setdefault(
            entry.distribution, {"distribution": entry.distribution, "version": entry.version, "entry_points": []}
        )
        row["entry_points"].append(f"{entry.group}:{entry.name}")
    return {
        "typeflow": typeflow.__version__,
        "python": {
            "version": platform.python_version(),
            "implementation": platform.python_implementation(),
            "executable": sys.executable,
        },
        "plugins": sorted(plugins.values(), key=lambda r: str(r["distribution"]).lower()),
    }


def text() -> str:
    """The human-readable form of :func:`versions`."""
    info = versions()
    py = info["python"]
    lines = [f"typeflow {info['typeflow']}", f"Python {py['version']} ({py['implementation']}, {py['executable']})"]
    if info["plugins"]:
        lines.append("plugins:")
        for p in info["plugins"]:
            names = ", ".join(_shown(e) for e in p["entry_points"])
            lines.append(f"  {p['distribution']} {p['version']} ({names})")
    else:
        lines.append("plugins: none installed")
    return "\n".join(lines)


def _shown(entry_point: str) -> str:
    """An entry point as ``text`` shows it: a plugin by its name, anything else by what it provides."""
    from typeflow import discovery

    group, _, name = entry_point.partition(":")
    if group == discovery.READERS_GROUP:
        return f"inspect reader {name}"
    if group == discovery.PAYLOADS_GROUP:
        return f"offload payloads {name}"
    if group == discovery.FLYTEKIT_GROUP:
        return "flytekit plugin"
    return name


def run(args: argparse.Namespace) -> int:
    if args.json:
        print_json(versions())
    else:
        print(text())
    return 0


class PrintVersion(argparse.Action):
    """``--version``: print :func:`text` and exit, like argparse's own version action."""

    def __init__(self, option_strings: Sequence[str], dest: str = argparse.SUPPRESS, **kwargs: Any) -> None:
        kwargs.setdefault("help", "print versions and exit")
        super().__init__(option_strings, dest=dest, default=argparse.SUPPRESS, nargs=0, **kwargs)

    def __call__(
        self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any, option_string: Any = None
    ) -> None:
        print(text())
        parser.exit()
