"""Tests of the example plugin, written with typeflow.testing as a plugin author would.

They run against the *installed* plugin (``pip install ./typeflow-ipaddress``),
so the transformers are found through the entry point, as a user's would be.
"""

from __future__ import annotations

import ipaddress
import json
import subprocess
import sys
from typing import Optional, Union

import pytest

import typeflow
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, Primitive, Scalar
from typeflow.testing import TransformerContract, assert_entry_point_discoverable, assert_round_trip


def string_literal(text: str) -> Literal:
    return Literal(scalar=Scalar(primitive=Primitive(string_value=text)))


INTEGER_LITERAL = Literal(scalar=Scalar(primitive=Primitive(integer=2130706433)))


# one contract class per type: the contract suite runs for each (round trips, stable literal
# type, typed errors on bad values and literals, None refused, guess_python_type)


class TestIPv4Address(TransformerContract):
    python_type = ipaddress.IPv4Address

    def values(self) -> list[ipaddress.IPv4Address]:
        return [ipaddress.IPv4Address("127.0.0.1"), ipaddress.IPv4Address("0.0.0.0"), ipaddress.IPv4Address("255.255.255.255")]

    def bad_values(self) -> list[object]:
        return ["127.0.0.1", 2130706433, ipaddress.IPv6Address("::1"), ipaddress.IPv4Interface("10.0.0.1/24")]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("not an address"), string_literal("10.0.0.0/8"), INTEGER_LITERAL]


class TestIPv6Address(TransformerContract):
    python_type = ipaddress.IPv6Address

    def values(self) -> list[ipaddress.IPv6Address]:
        return [
            ipaddress.IPv6Address("::1"),
            ipaddress.IPv6Address("2001:db8::8a2e:370:7334"),
            ipaddress.IPv6Address("fe80::1%eth0"),
        ]

    def bad_values(self) -> list[object]:
        return ["::1", ipaddress.IPv4Address("127.0.0.1")]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("127.0.0.1"), INTEGER_LITERAL]


class TestIPv4Network(TransformerContract):
    python_type = ipaddress.IPv4Network

    def values(self) -> list[ipaddress.IPv4Network]:
        return [ipaddress.IPv4Network("10.0.0.0/8"), ipaddress.IPv4Network("192.168.1.7/32")]

    def bad_values(self) -> list[object]:
        return ["10.0.0.0/8", ipaddress.IPv4Address("10.0.0.1"), ipaddress.IPv6Network("::/0")]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("10.0.0.1/8"), string_literal("::/0")]  # host bits set; another version


class TestIPv6Network(TransformerContract):
    python_type = ipaddress.IPv6Network

    def values(self) -> list[ipaddress.IPv6Network]:
        return [ipaddress.IPv6Network("2001:db8::/32"), ipaddress.IPv6Network("::1/128")]

    def bad_values(self) -> list[object]:
        return [ipaddress.IPv4Network("10.0.0.0/8"), "2001:db8::/32"]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("10.0.0.0/8")]


class TestIPv4Interface(TransformerContract):
    python_type = ipaddress.IPv4Interface

    def values(self) -> list[ipaddress.IPv4Interface]:
        return [ipaddress.IPv4Interface("10.0.0.1/24"), ipaddress.IPv4Interface("192.168.0.1")]

    def bad_values(self) -> list[object]:
        return [ipaddress.IPv4Address("10.0.0.1"), "10.0.0.1/24"]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("10.0.0.1/33")]


class TestIPv6Interface(TransformerContract):
    python_type = ipaddress.IPv6Interface

    def values(self) -> list[ipaddress.IPv6Interface]:
        return [ipaddress.IPv6Interface("2001:db8::1/64")]

    def bad_values(self) -> list[object]:
        return [ipaddress.IPv6Address("2001:db8::1"), ipaddress.IPv4Interface("10.0.0.1/24")]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("2001:db8::1/129")]


def test_entry_point_is_discoverable_from_installed_metadata() -> None:
    entry = assert_entry_point_discoverable("typeflow-ipaddress", "ipaddress")
    assert entry.value == "typeflow_ipaddress.plugin"
    assert entry.version == "0.1.0"


def test_containers_and_unions_of_addresses_round_trip() -> None:
    hosts = [ipaddress.IPv4Address("10.0.0.1"), ipaddress.IPv4Address("10.0.0.2")]
    assert_round_trip(hosts, list[ipaddress.IPv4Address])
    assert_round_trip({"gw": ipaddress.IPv6Address("fe80::1")}, dict[str, ipaddress.IPv6Address])
    assert_round_trip(None, Optional[ipaddress.IPv4Interface])
    assert_round_trip(ipaddress.IPv4Interface("10.1.2.3/16"), Optional[ipaddress.IPv4Interface])
    either = Union[ipaddress.IPv4Address, ipaddress.IPv6Address]
    assert type(assert_round_trip(ipaddress.IPv6Address("::2"), either)) is ipaddress.IPv6Address
    assert type(assert_round_trip(ipaddress.IPv4Address("1.2.3.4"), either)) is ipaddress.IPv4Address


def test_bad_element_in_a_list_is_reported_with_its_path() -> None:
    hosts = [ipaddress.IPv4Address("10.0.0.1"), "10.0.0.2"]
    with pytest.raises(TypeTransformerFailedError, match=r"\$\[1\]"):
        typeflow.to_literal(hosts, list[ipaddress.IPv4Address])


def test_guess_python_type_names_the_address_type_and_not_a_plain_string() -> None:
    lt = typeflow.to_literal_type(ipaddress.IPv4Network)
    assert typeflow.guess_python_type(lt) is ipaddress.IPv4Network
    assert typeflow.guess_python_type(typeflow.to_literal_type(str)) is str


def test_plugin_is_imported_only_when_an_address_is_first_converted() -> None:
    code = """
import json, sys, ipaddress
import typeflow
after_import = "typeflow_ipaddress" in sys.modules
typeflow.to_literal("x", str)
after_str = "typeflow_ipaddress" in sys.modules
lv = typeflow.to_literal(ipaddress.IPv4Address("1.2.3.4"), ipaddress.IPv4Address)
print(json.dumps([after_import, after_str, "typeflow_ipaddress.plugin" in sys.modules, lv.scalar.primitive.string_value]))
"""
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == [False, False, True, "1.2.3.4"]
