"""``LiteralsResolver``: a literal map read lazily, entry by entry, as flytekit's.

``resolver[name]`` and ``resolver.get(name)`` give the Python value (converted
once and cached); ``get_literal(name)`` the literal itself;
``as_python_native(interface)`` the outputs in order, as a task returns them.
Every error is a :class:`~typeflow.errors.TypeflowError`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any, TypeVar, overload

from typeflow.errors import LiteralNotFoundError, TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralMap, LiteralType
from typeflow.transformer import TransformContext

_T = TypeVar("_T")

__all__ = ["LiteralsResolver"]


class LiteralsResolver(Mapping[str, Any]):
    """A mapping of names to Python values, each converted from its literal on demand.

    ``get(name, as_type)`` converts with the given type, else with the type
    given by :meth:`update_type_hints`, else the one guessed from
    ``variable_map`` (name → :class:`LiteralType`) or, failing that, from the
    literal itself; results are cached per name and type. ``resolver[name]``
    is ``resolver.get(name)``.

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
        if not isinstance(literals, (LiteralMap, Mapping)):
            raise TypeTransformerFailedError(
                f"LiteralsResolver needs a LiteralMap or a mapping of names to Literals, not {type(literals).__name__}"
            )
        self._literals: Mapping[str, Literal] = literals.literals if isinstance(literals, LiteralMap) else dict(literals)
        strays = sorted(repr(n) for n, lv in self._literals.items() if not isinstance(n, str) or not isinstance(lv, Literal))
        if strays:
            raise TypeTransformerFailedError(
                f"LiteralsResolver needs names (str) mapped to Literals; entries {', '.join(strays[:5])} are not",
                hint="read the literals with typeflow (wire.loads, from_dict, a bridge), or build them with engine.to_literal",
            )
        if variable_map is not None and not isinstance(variable_map, Mapping):
            raise TypeTransformerFailedError(
                f"variable_map must map names to LiteralTypes, not be a {type(variable_map).__name__}"
            )
        self._variable_map = dict(variable_map or {})
        wrong = {n: t for n, t in self._variable_map.items() if not isinstance(t, LiteralType)}
        if wrong:
            name, given = next(iter(wrong.items()))
            raise TypeTransformerFailedError(
                f"variable_map[{name!r}] is {given!r}, not a LiteralType (variable_map holds literal types, "
                f"as a task interface's; entries {sorted(wrong)} are not)",
                hint="pass LiteralTypes (engine.to_literal_type(t)); give Python types with "
                "resolver.update_type_hints({...}) or resolver.get(name, as_type)",
            )
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

    def __getitem__(self, name: str) -> Any:
        """The Python value of ``name`` (as flytekit's resolver gives it)."""
        return self.get(name)

    def __contains__(self, name: object) -> bool:
        return name in self._literals

    def get_literal(self, name: str) -> Literal:
        """The literal of ``name``, unconverted."""
        try:
            return self._literals[name]
        except KeyError:
            raise LiteralNotFoundError(name, self._literals) from None

    def as_python_native(self, python_interface: Any) -> Any:
        """The values in the order of the interface's outputs, as the task returns them.

        ``python_interface`` is a task's :class:`~typeflow.task.Interface` (its
        ``output_types``) or a mapping of output names to Python types. One
        output gives its value, several a tuple, none ``None``.
        """
        types = getattr(python_interface, "output_types", python_interface)
        if not isinstance(types, Mapping):
            raise TypeTransformerFailedError(
                f"as_python_native needs a task interface or a mapping of output names to types, not {python_interface!r}"
            )
        if not self._literals:
            return None
        unknown = sorted(n for n in self._literals if n not in types)
        missing = sorted(n for n in types if n not in self._literals)
        if unknown or missing:
            raise TypeTransformerFailedError(
                f"the literal map does not match the interface's outputs: "
                f"{'not outputs: ' + str(unknown) if unknown else ''}{'; ' if unknown and missing else ''}"
                f"{'missing: ' + str(missing) if missing else ''}",
                hint="pass the interface of the task that produced these literals",
            )
        values = tuple(self.get(name, types[name]) for name in types)
        return values[0] if len(values) == 1 else values

    def __iter__(self) -> Iterator[str]:
        return iter(self._literals)

    def __len__(self) -> int:
        return len(self._literals)

    @overload  # type: ignore[override]
    def get(self, name: str, as_type: type[_T]) -> _T: ...
    @overload
    def get(self, name: str, as_type: Any = None) -> Any: ...
    def get(self, name: str, as_type: Any = None) -> Any:
        """The Python value of ``name``, converted once and cached (typed as ``as_type`` when that is a class).

        Whatever the literal (and its variable type) holds, every error is a
        :class:`~typeflow.errors.TypeflowError`.
        """
        if not isinstance(name, str) or name not in self._literals:
            raise LiteralNotFoundError(str(name), self._literals)
        try:
            return self._get(name, as_type)
        except TypeflowError:
            raise
        except RecursionError:
            raise TypeTransformerFailedError(
                f"cannot read {name!r}: its literal nests too deeply", hint="pass as_type, or check who wrote the literal"
            ) from None
        except Exception as exc:  # a plugin's own error: still a typeflow error, naming the entry
            raise TypeTransformerFailedError(
                f"cannot read {name!r} as {as_type!r}: {type(exc).__name__}: {exc}", python_type=as_type
            ) from exc

    def _get(self, name: str, as_type: Any) -> Any:
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
                try:
                    literal, lt = _held_variant(literal)
                except ValueError as exc:
                    raise TypeTransformerFailedError(f"{name!r}: {exc}", hint="pass as_type") from None
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
