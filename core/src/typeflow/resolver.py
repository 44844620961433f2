"""``LiteralsResolver``: a literal map read lazily, entry by entry."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, overload

from typeflow.literals import Literal, LiteralMap, LiteralType
from typeflow.transformer import TransformContext

_T = TypeVar("_T")

__all__ = ["LiteralsResolver"]


class LiteralsResolver(Mapping[str, Literal]):
    """A mapping of names to literals that converts each entry to Python on demand.

    ``get(name, as_type)`` converts with the given type, else with the type
    guessed from ``variable_map`` (or from the literal type the engine infers
    for the literal); results are cached per name and type.

        >>> r = LiteralsResolver(lm, {"x": LiteralType(simple=SimpleType.INTEGER)})  # doctest: +SKIP
        >>> r.get("x")  # doctest: +SKIP
        3
    """

    def __init__(
        self,
        literals: Mapping[str, Literal] | LiteralMap,
        variable_map: Mapping[str, LiteralType] | None = None,
        ctx: TransformContext | None = None,
    ) -> None:
        self._literals: Mapping[str, Literal] = literals.literals if isinstance(literals, LiteralMap) else dict(literals)
        self._variable_map = dict(variable_map or {})
        self._ctx = ctx
        self._type_hints: dict[str, Any] = {}
        self._native: dict[tuple[str, Any], Any] = {}

    @property
    def literals(self) -> Mapping[str, Literal]:
        return self._literals

    @property
    def variable_map(self) -> dict[str, LiteralType]:
        return dict(self._variable_map)

    @property
    def native_values(self) -> dict[tuple[str, Any], Any]:
        """The values converted so far, keyed by ``(name, type)``."""
        return dict(self._native)

    def update_type_hints(self, type_hints: Mapping[str, Any]) -> None:
        """Python types to use for names whose ``get`` gives no ``as_type``."""
        self._type_hints.update(type_hints)

    def _context(self) -> TransformContext:
        if self._ctx is None:
            from typeflow.engine import TypeEngine

            self._ctx = TypeEngine.default().context()
        return self._ctx

    def __getitem__(self, name: str) -> Literal:
        return self._literals[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._literals)

    def __len__(self) -> int:
        return len(self._literals)

    @overload  # type: ignore[override]
    def get(self, name: str, as_type: type[_T]) -> _T: ...
    @overload
    def get(self, name: str, as_type: Any = None) -> Any: ...
    def get(self, name: str, as_type: Any = None) -> Any:
        """The Python value of ``name``, converted once and cached (typed as ``as_type`` when that is a class)."""
        if name not in self._literals:
            raise KeyError(f"{name!r} is not in this literal map; it holds {sorted(self._literals)}")
        ctx = self._context()
        engine = ctx.engine
        literal = self._literals[name]
        if as_type is None:
            as_type = self._type_hints.get(name)
        if as_type is None:
            lt = self._variable_map.get(name)
            if lt is None and literal.offloaded_metadata is not None:
                from typeflow.offload import load_offloaded

                literal = load_offloaded(ctx, literal)  # what the payload holds decides its type
            if lt is None:
                # a union literal alone names only the variant it holds: read that variant's value
                literal, lt = _held_variant(literal)
            as_type = engine.guess_python_type(lt)
        try:
            key = (name, as_type)
            if key in self._native:
                return self._native[key]
        except TypeError:
            key = None  # type: ignore[assignment]
        value = engine.to_python_value(ctx, literal, as_type)
        if key is not None:
            self._native[key] = value
        return value

    def __repr__(self) -> str:
        return f"LiteralsResolver({sorted(self._literals)})"


def _held_variant(lv: Literal) -> tuple[Literal, LiteralType]:
    """For a union literal (nested ones too), the value it holds and that value's stored type."""
    stored: LiteralType | None = None
    while lv.scalar is not None and lv.scalar.union is not None:
        stored = lv.scalar.union.stored_type
        lv = lv.scalar.union.value
    if stored is None:
        return lv, infer_literal_type(lv)
    return lv, stored.without_structure()


def infer_literal_type(lv: Literal) -> LiteralType:
    """The literal type a literal most plausibly has, from its shape alone."""
    from typeflow.literals import BlobType, SimpleType, UnionType

    if lv.scalar is not None:
        s = lv.scalar
        if s.primitive is not None:
            simple = {
                "integer": SimpleType.INTEGER,
                "float_value": SimpleType.FLOAT,
                "string_value": SimpleType.STRING,
                "boolean": SimpleType.BOOLEAN,
                "datetime": SimpleType.DATETIME,
                "duration": SimpleType.DURATION,
            }[s.primitive.kind]
            return LiteralType(simple=simple)
        if s.none_type is not None:
            return LiteralType(simple=SimpleType.NONE)
        if s.binary is not None:
            return LiteralType(simple=SimpleType.BINARY if s.binary.tag == "bytes" else SimpleType.STRUCT)
        if s.blob is not None:
            return LiteralType(blob=BlobType(s.blob.metadata.type.format, s.blob.metadata.type.dimensionality))
        if s.union is not None:
            return LiteralType(union_type=UnionType((s.union.stored_type,)))
        if s.structured_dataset is not None and s.structured_dataset.metadata is not None:
            return LiteralType(structured_dataset_type=s.structured_dataset.metadata.structured_dataset_type)
        raise ValueError(f"cannot infer a literal type for {lv!r}; pass as_type")
    if lv.collection is not None:
        items = lv.collection.literals
        element = infer_literal_type(items[0]) if len(items) else LiteralType(simple=SimpleType.NONE)
        return LiteralType(collection_type=element)
    if lv.map is not None:
        values = list(lv.map.literals.values())
        element = infer_literal_type(values[0]) if values else LiteralType(simple=SimpleType.NONE)
        return LiteralType(map_value_type=element)
    assert lv.offloaded_metadata is not None
    return lv.offloaded_metadata.inferred_type
