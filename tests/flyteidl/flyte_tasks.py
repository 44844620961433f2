"""flytekit tasks the tests run locally and under ``pyflyte-execute`` (imported by module name)."""

from __future__ import annotations

import ipaddress
from typing import Dict, List

from flytekit import task


@task
def summarize(xs: List[int], weights: Dict[str, float], label: str) -> Dict[str, float]:
    """A task of flytekit's own types: inputs written by typeflow, outputs read by typeflow."""
    return {label: float(sum(xs)), "weight": sum(weights.values())}


@task
def next_address(address: ipaddress.IPv4Address, network: ipaddress.IPv4Network) -> List[ipaddress.IPv4Address]:
    """A task of the example plugin's types, which flytekit alone would pickle."""
    return [address + 1, network.network_address]
