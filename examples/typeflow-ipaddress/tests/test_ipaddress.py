"""Tests of the example plugin, written with typeflow.testing as a plugin author would."""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
from typing import Optional, Union

import typeflow
from typeflow.testing import TransformerContract, assert_entry_point_discoverable, assert_round_trip


class TestIPv4Address(TransformerContract):
    python_type = ipaddress.IPv4Address

    def values(self) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv4Address("0.0.0.0")]

    def bad_values(self) -> list[object]:
        return ["127.0.0.1", 2130706433, ipaddress.IPv6Address("::1")]


class TestIPv6Network(TransformerContract):
    python_type = ipaddress.IPv6Network

    def values(self) -> list[ipaddress.IPv6Network]:
        return [ipaddress.IPv6Network("2001:db8::/32"), ipaddress.IPv6Network("::1/128")]

    def bad_values(self) -> list[object]:
        return [ipaddress.IPv4Network("10.0.0.0/8"), "2001:db8::/32"]


def test_entry_point_is_discoverable_from_installed_metadata() -> None:
    entry = assert_entry_point_discoverable("typeflow-ipaddress", "ipaddress")
    assert entry.value == "typeflow_ipaddress.plugin"


def test_containers_and_unions_of_addresses() -> None:
    hosts = [ipaddress.IPv4Address("10.0.0.1"), ipaddress.IPv4Address("10.0.0.2")]
    assert_round_trip(hosts, list[ipaddress.IPv4Address])
    assert_round_trip({"gw": ipaddress.IPv6Address("fe80::1")}, dict[str, ipaddress.IPv6Address])
    assert_round_trip(None, Optional[ipaddress.IPv4Interface])
    either = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
    assert type(assert_round_trip(ipaddress.IPv6Address("::2"), either)) is ipaddress.IPv6Address


def test_plugin_loads_only_when_an_address_is_first_converted() -> None:
    code = """
import json, sys, ipaddress
import typeflow
typeflow.to_literal("x", str)
before = "typeflow_ipaddress" in sys.modules
lv = typeflow.to_literal(ipaddress.IPv4Address("1.2.3.4"), ipaddress.IPv4Address)
print(json.dumps([before, "typeflow_ipaddress.plugin" in sys.modules, lv.scalar.primitive.string_value]))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [False, True, "1.2.3.4"]


def test_guess_python_type_names_the_address_type() -> None:
    lt = typeflow.to_literal_type(ipaddress.IPv4Network)
    assert typeflow.guess_python_type(lt) is ipaddress.IPv4Network
