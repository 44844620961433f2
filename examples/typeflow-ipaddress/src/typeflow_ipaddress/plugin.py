"""The plugin module named by the entry point: one hook that fills the registry."""

from __future__ import annotations

from typing import Any

from typeflow import hookimpl
from typeflow_ipaddress.transformer import HANDLED, IPAddressTransformer


@hookimpl
def typeflow_register_transformers(registry: Any) -> None:
    """Register one transformer per ``ipaddress`` type; called once per engine when the plugin loads."""
    for python_type in HANDLED:
        registry.register(IPAddressTransformer(python_type))
