"""``TypeflowTransformer``: a flytekit ``TypeTransformer`` that converts one type through typeflow.

flytekit hands it flytekit model objects; it converts them with typeflow's
engine and crosses between the two literal models through flyteidl bytes
(``to_flyteidl`` / ``from_flyteidl``), so what flytekit stores is exactly the
literal typeflow writes. Blobs go to flytekit's raw output prefix, as
flytekit's own blobs do, and the literals are written in the form the
running flytekit reads (the ``flytekit-1.16`` or ``flytekit-1.13`` profile).
"""

from __future__ import annotations

from typing import Any

from flytekit.core.context_manager import FlyteContext
from flytekit.core.type_engine import TypeTransformer as FlyteTransformer
from flytekit.models.literals import Literal as FlyteLiteral
from flytekit.models.types import LiteralType as FlyteLiteralType

import typeflow
from typeflow.transformer import TransformContext, TypeTransformer

from .messages import from_flyteidl, to_flyteidl

__all__ = ["TypeflowTransformer", "flytekit_profile", "typeflow_context"]


def flytekit_profile() -> str:
    """The profile whose forms the installed flytekit reads."""
    from importlib import metadata

    try:
        major, minor = (int(x) for x in metadata.version("flytekit").split(".")[:2])
    except (metadata.PackageNotFoundError, ValueError):
        return "flytekit-1.16"
    return "flytekit-1.16" if (major, minor) >= (1, 16) else "flytekit-1.13"


def typeflow_context(engine: typeflow.TypeEngine, ctx: FlyteContext | None) -> TransformContext:
    """A typeflow context storing blobs under the flytekit context's raw output prefix."""
    prefix = None
    if ctx is not None and ctx.file_access is not None:
        prefix = ctx.file_access.raw_output_prefix
    return engine.context(storage=prefix, profile=flytekit_profile())


class TypeflowTransformer(FlyteTransformer[Any]):  # type: ignore[misc]  # flytekit ships no type information
    """Converts values of one Python type for flytekit, through typeflow's transformer for it."""

    def __init__(self, engine: typeflow.TypeEngine, python_type: type, transformer: TypeTransformer[Any]) -> None:
        super().__init__(transformer.name, python_type)
        self._engine = engine
        self._transformer = transformer

    @property
    def typeflow_transformer(self) -> TypeTransformer[Any]:
        """The typeflow transformer behind this one."""
        return self._transformer

    def get_literal_type(self, t: Any) -> FlyteLiteralType:
        return FlyteLiteralType.from_flyte_idl(to_flyteidl(self._engine.to_literal_type(t)))

    def to_literal(self, ctx: FlyteContext, python_val: Any, python_type: Any, expected: FlyteLiteralType) -> FlyteLiteral:
        lv = self._engine.to_literal(typeflow_context(self._engine, ctx), python_val, python_type)
        return FlyteLiteral.from_flyte_idl(to_flyteidl(lv))

    def to_python_value(self, ctx: FlyteContext, lv: FlyteLiteral, expected_python_type: Any) -> Any:
        literal = from_flyteidl(lv.to_flyte_idl())
        return self._engine.to_python_value(typeflow_context(self._engine, ctx), literal, expected_python_type)  # type: ignore[arg-type]

    def guess_python_type(self, literal_type: FlyteLiteralType) -> Any:
        return self._transformer.guess_python_type(from_flyteidl(literal_type.to_flyte_idl()))  # type: ignore[arg-type]

    def assert_type(self, t: Any, v: Any) -> None:
        self._transformer.assert_type(t, v)
