"""One transformer per ``ipaddress`` type: the value's text in a STRING literal.

    >>> import ipaddress, typeflow
    >>> typeflow.to_literal(ipaddress.IPv4Address("10.0.0.1"), ipaddress.IPv4Address).scalar.primitive.string_value
    '10.0.0.1'

The literal type is ``LiteralType(simple=STRING, annotation={"ipaddress": "IPv4Address"})``:
the annotation keeps the six types apart (so ``IPv4Address | IPv6Address`` is
not an ambiguous union) and lets :meth:`IPAddressTransformer.guess_python_type`
name the type back. A plain ``str`` literal type (no annotation) is never
guessed as an address.
"""

from __future__ import annotations

import ipaddress
from typing import Any

from typeflow import TransformContext, TypeTransformer
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType

#: which ipaddress type a STRING literal holds, recorded in the literal type's annotation
ANNOTATION_KEY = "ipaddress"


class IPAddressTransformer(TypeTransformer[Any]):
    """``IPv4Address``, ``IPv6Address``, ``IPv4Network``, … ↔ ``Primitive(string_value=str(value))``."""

    def __init__(self, python_type: type) -> None:
        super().__init__(python_type.__name__, python_type)

    def get_literal_type(self, t: Any) -> LiteralType:
        # the annotation tells these types apart (a union of two of them is not ambiguous)
        # and lets guess_python_type name the type back
        return LiteralType(simple=SimpleType.STRING, annotation={ANNOTATION_KEY: self.python_type.__name__})

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        if not isinstance(python_val, self.python_type):
            raise TypeTransformerFailedError(
                f"expected an ipaddress.{self.name}",
                python_type=python_type,
                value=python_val,
                hint=f"convert text first: ipaddress.{self.name}(text)",
            )
        if isinstance(python_val, _INTERFACES) and self.python_type not in _INTERFACES:
            # IPv4Interface subclasses IPv4Address, but its text ("10.0.0.1/24") is not an address
            raise TypeTransformerFailedError(
                f"an interface is not an ipaddress.{self.name}",
                python_type=python_type,
                value=python_val,
                hint="pass interface.ip for its address, or declare the type as the interface type",
            )
        return Literal(scalar=Scalar(primitive=Primitive(string_value=str(python_val))))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        text = lv.scalar.primitive.string_value if lv.scalar is not None and lv.scalar.primitive is not None else None
        if text is None:
            raise TypeTransformerFailedError(
                f"expected a STRING literal holding an {self.name}, got {lv!r}", python_type=expected_python_type
            )
        try:
            return self.python_type(text)
        except ValueError as exc:
            raise TypeTransformerFailedError(
                f"the literal {text!r} is not an {self.name}: {exc}",
                python_type=expected_python_type,
                hint="was it written as another type (a network, an interface, the other IP version)?",
            ) from None

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.simple == SimpleType.STRING and (literal_type.annotation or {}).get(ANNOTATION_KEY) == self.name:
            return self.python_type
        raise ValueError(f"not an {self.name} literal type")


_INTERFACES = (ipaddress.IPv4Interface, ipaddress.IPv6Interface)

#: the types this plugin registers, each with its own transformer
HANDLED = (
    ipaddress.IPv4Address,
    ipaddress.IPv6Address,
    ipaddress.IPv4Network,
    ipaddress.IPv6Network,
    ipaddress.IPv4Interface,
    ipaddress.IPv6Interface,
)
