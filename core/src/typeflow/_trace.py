"""typeflow's log records, and ``TYPEFLOW_TRACE=1`` as a shortcut to see them.

typeflow logs through :mod:`logging` and adds no handler of its own, so a
program decides what it sees (``logging.basicConfig(level=logging.DEBUG)``
shows everything). The loggers:

* ``typeflow.dispatch`` — DEBUG: which transformer each type resolved to, and how;
* ``typeflow.plugins`` — DEBUG: plugins being loaded, loaded, or failing (a
  failure is raised or returned to the caller; it is logged as a WARNING only
  when nothing else will report it, because another plugin claimed the type);
* ``typeflow.convert`` — DEBUG: each conversion (only when enabled: it is on the hot path);
* ``typeflow.trace`` — DEBUG: what plugins report through :func:`trace` (typeflow-pickle's pickling).

``TYPEFLOW_TRACE=1`` (read at call time) sets the ``typeflow`` logger to
DEBUG and, when the program has configured no logging at all, adds one
stderr handler to it: the shortcut for "show me every decision".
"""

from __future__ import annotations

import logging
import os
import threading
from typing import Any

__all__ = ["convert_log", "debugging", "dispatch_log", "plugins_log", "trace", "tracing"]

root_log = logging.getLogger("typeflow")
dispatch_log = logging.getLogger("typeflow.dispatch")
plugins_log = logging.getLogger("typeflow.plugins")
convert_log = logging.getLogger("typeflow.convert")
trace_log = logging.getLogger("typeflow.trace")

_installed = False
_install_lock = threading.Lock()


def _install_trace_handler() -> None:
    global _installed
    with _install_lock:
        if _installed:
            return
        _installed = True
        root_log.setLevel(logging.DEBUG)
        if not logging.getLogger().handlers:  # a program that configured logging keeps its own handlers
            handler = logging.StreamHandler()
            handler.setFormatter(logging.Formatter("%(name)s: %(message)s"))
            root_log.addHandler(handler)


# os.environ.get of an unset name goes through a KeyError: most of a microsecond, on every conversion.
# os.environ keeps its values in this dict (kept up to date by every change through os.environ), so
# reading it here is still a read at call time, for the price of one dict lookup.
_ENVIRON_DATA: dict[Any, Any] | None = getattr(os.environ, "_data", None)
_TRACE_KEY: Any = os.environ.encodekey("TYPEFLOW_TRACE") if _ENVIRON_DATA is not None else None
_OFF = frozenset({"", "0", "false", "False"})


def _trace_setting() -> str:
    if _ENVIRON_DATA is not None:
        raw = _ENVIRON_DATA.get(_TRACE_KEY)
        return "" if raw is None else str(os.environ.decodevalue(raw))
    return os.environ.get("TYPEFLOW_TRACE", "")


def tracing() -> bool:
    """Whether ``TYPEFLOW_TRACE`` asks for tracing right now (and, if so, make sure the records are shown)."""
    on = _trace_setting() not in _OFF
    if on and not _installed:
        _install_trace_handler()
    return on


def debugging(logger: logging.Logger = convert_log) -> bool:
    """Whether a DEBUG record on ``logger`` would go anywhere (cheap: for guarding hot paths)."""
    return tracing() or logger.isEnabledFor(logging.DEBUG)


def trace(message: str, *args: Any, logger: logging.Logger = trace_log) -> None:
    """Log a decision at DEBUG on ``logger`` (``typeflow.trace`` by default, for plugins)."""
    tracing()
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(message, *args)
