"""``TYPEFLOW_TRACE=1``: log every dispatch and conversion decision (read at call time)."""

from __future__ import annotations

import logging
import os
from typing import Any

__all__ = ["trace", "tracing"]

trace_log = logging.getLogger("typeflow.trace")


def tracing() -> bool:
    """Whether ``TYPEFLOW_TRACE`` asks for tracing right now."""
    return os.environ.get("TYPEFLOW_TRACE", "") not in ("", "0", "false", "False")


def trace(message: str, *args: Any) -> None:
    """Log a dispatch or conversion decision when ``TYPEFLOW_TRACE=1``."""
    if not tracing():
        return
    if not trace_log.handlers and not logging.getLogger().handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("typeflow: %(message)s"))
        trace_log.addHandler(handler)
        trace_log.setLevel(logging.DEBUG)
    trace_log.info(message, *args)
