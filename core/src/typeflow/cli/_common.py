"""What the subcommands share: options every one takes, JSON output, sizes, loading a type."""

from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Any

__all__ = ["InputError", "common_options", "human_size", "load_type", "print_json"]


class InputError(Exception):
    """Bad input from the command line: printed as one line, exit status 1."""


def common_options() -> argparse.ArgumentParser:
    """A parent parser giving every subcommand ``--json`` and ``--debug``.

    ``--debug`` defaults to ``SUPPRESS`` here so that, given before the
    subcommand, it is not reset by the subcommand's own parser.
    """
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--json", action="store_true", help="machine-readable output (JSON, snake_case keys)")
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS, help="show tracebacks on errors")
    return common


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON (anything not JSON-able as its ``str``)."""
    print(json.dumps(data, indent=2, default=str))


def human_size(n: int) -> str:
    """``532 B``, ``1.5 KiB``, ``3.2 GiB``."""
    size = float(n)
    for unit in ("B", "KiB", "MiB", "GiB"):
        if size < 1024 or unit == "GiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{n} B"  # pragma: no cover - the loop always returns


def load_type(text: str) -> Any:
    """The type a command-line expression names, with the current directory importable.

    ``typeflow explain mymodule:People`` is run from the folder that holds
    ``mymodule.py``, as ``python -c`` would find it. The folder goes at the
    end of the import path, so an installed package is never shadowed by a
    file of the same name in the current directory.
    """
    from typeflow._typeexpr import parse_type

    cwd = os.getcwd()
    if cwd not in sys.path and "" not in sys.path:
        sys.path.append(cwd)
    return parse_type(text)


_CONTROL = {c: f"\\x{c:02x}" for c in [*range(0x00, 0x20), *range(0x7F, 0xA0)] if c != 0x0A}
_CONTROL |= {c: f"\\u{c:04x}" for c in (0x2028, 0x2029, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A))}


def printable(text: str) -> str:
    """``text`` with terminal control characters (ESC, CR, BEL, C1, bidi overrides) shown as escapes.

    Literals and error messages carry strings from whoever wrote the file; a
    raw escape sequence would move the cursor, rewrite earlier lines or
    change the terminal's title when printed.
    """
    return text.translate(_CONTROL)
