"""Types that must never cross a task boundary.

Tuples are among them, as in flytekit: ``tuple``, ``Tuple[...]`` and
``NamedTuple`` classes have no literal type (a task's tuple return is its
several outputs, each converted on its own). The engine also refuses a tuple
*value* wherever a type is declared (:mod:`typeflow._tuples`).
"""

from __future__ import annotations

from typing import Any, NoReturn

from typeflow._tuples import TUPLE_REASON
from typeflow.errors import RestrictedTypeError
from typeflow.literals import Literal, LiteralType
from typeflow.transformer import TransformContext, TypeTransformer


class RestrictedTypeTransformer(TypeTransformer[Any]):
    """Refuses its type everywhere with :class:`RestrictedTypeError`."""

    def __init__(self, name: str, t: type, reason: str) -> None:
        super().__init__(name, t, enable_type_assertions=False)  # every value is refused, by to_literal
        self.reason = reason

    def _refuse(self, t: Any) -> NoReturn:
        raise RestrictedTypeError(f"{self.name} cannot be converted to a literal: {self.reason}", python_type=t)

    def get_literal_type(self, t: Any) -> LiteralType:
        self._refuse(t)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self._refuse(python_type)

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        self._refuse(expected_python_type)


def transformers() -> list[TypeTransformer[Any]]:
    from typeflow.engine import TypeEngine
    from typeflow.resolver import LiteralsResolver
    from typeflow.storage import Storage
    from typeflow.transformer import TransformContext

    reason = "it holds process-local state (engines, storage handles, caches)"
    return [
        RestrictedTypeTransformer("TypeEngine", TypeEngine, reason),
        RestrictedTypeTransformer("TransformContext", TransformContext, reason),
        RestrictedTypeTransformer("Storage", Storage, reason),
        RestrictedTypeTransformer("LiteralsResolver", LiteralsResolver, "pass its values, not the resolver"),
        RestrictedTypeTransformer("tuple", tuple, TUPLE_REASON),
    ]
