"""The ``typeflow`` command.

One module per subcommand, each with ``register(subparsers, common)`` adding
its parser and ``run(args) -> int`` doing the work:

========  ==================================  =========================
command   what it does                        module
========  ==================================  =========================
plugins   installed plugins and their status  :mod:`typeflow.cli.plugins`
explain   which transformer a type resolves   :mod:`typeflow.cli.explain`
schema    a type's literal type and schema    :mod:`typeflow.cli.schema`
inspect   a wire file (or its JSON form)      :mod:`typeflow.cli.inspect`
cache     size or clear the default storage   :mod:`typeflow.cli.cache`
version   core, Python and plugin versions    :mod:`typeflow.cli.version`
========  ==================================  =========================

Every subcommand takes ``--json`` (snake_case keys) and ``--debug``, before or
after the subcommand's name. Bad input prints one line on stderr and exits
1; ``--debug`` shows the traceback. Output cut short by a closed pipe
(``typeflow inspect big.tf | head``) ends quietly with status 141, as other
command-line tools do.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from typeflow.cli import cache, explain, inspect, plugins, schema, version
from typeflow.cli._common import InputError, common_options, printable

__all__ = ["InputError", "build_parser", "main"]

#: the subcommands, in the order ``typeflow --help`` lists them
SUBCOMMANDS: tuple[ModuleType, ...] = (plugins, explain, schema, inspect, cache, version)

#: exit status when stdout is closed early (128 + SIGPIPE), as a shell reports a tool killed by SIGPIPE
BROKEN_PIPE = 141


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of the ``typeflow`` command, with every subcommand registered."""
    parser = argparse.ArgumentParser(
        prog="typeflow",
        description="Inspect typeflow plugins, types, wire files and the local storage.",
    )
    parser.add_argument("--debug", action="store_true", help="show tracebacks on errors (also accepted after the subcommand)")
    parser.add_argument(
        "--version", action=version.PrintVersion, help="print typeflow's, Python's and every installed plugin's version"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    common = common_options()
    for module in SUBCOMMANDS:
        module.register(sub, common)
    return parser


def _quiet_broken_pipe() -> int:
    # stdout's reader went away: point stdout at /dev/null so the interpreter's
    # final flush does not print a second BrokenPipeError on the way out
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
    return BROKEN_PIPE


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``typeflow`` command with ``argv`` (default: ``sys.argv[1:]``); returns the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        status = int(args.run(args))
        sys.stdout.flush()
        return status
    except BrokenPipeError:
        return _quiet_broken_pipe()
    except KeyboardInterrupt:
        return 130
    except Exception as exc:
        if args.debug:
            raise
        from typeflow._typeexpr import TypeExpressionError
        from typeflow.errors import TypeflowError

        known = isinstance(exc, (TypeflowError, TypeExpressionError, InputError))
        message = " ".join(str(exc).split()) if known else f"{type(exc).__name__}: {exc}"
        print(printable(f"typeflow {args.command}: error: {message}"), file=sys.stderr)
        return 1
