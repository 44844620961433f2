"""``Union``, ``Optional`` and ``X | Y``.

Variants are tagged in ``structure`` with their transformer's name (flytekit's
names where the semantics match, so flytekit reads these unions); variants
whose literal types *and* tags are equal are refused as ambiguous when the
literal type is built, so ``Union[int, MyInt]`` with a custom ``MyInt``
transformer works, as in flytekit. A value goes to the variant of its exact
type first, else to the first variant that accepts it.
"""

from __future__ import annotations

import dataclasses
import typing
from collections.abc import Iterable
from itertools import compress, count, islice, repeat
from operator import is_
from typing import Any, get_args, get_origin

from typeflow.columns import MAX_UNION_VARIANTS, Column, NoneColumn, UnionColumn, variant_counts
from typeflow.errors import TypeTransformerFailedError, type_name
from typeflow.literals import Literal, LiteralType, Scalar, SimpleType, TypeStructure, UnionType
from typeflow.literals import Union as UnionValue
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from . import pickled_bytes
from .packing import CannotPack, ElementFailed, interleave, iterate, pack, pack_exact, read_in_bulk, reads_none_of, unpack

NoneType = type(None)
#: ``_SELECT[n]`` turns a union index into a 0/1 mask of the elements of variant ``n``
_SELECT = [bytes(int(i == n) for i in range(256)) for n in range(MAX_UNION_VARIANTS)]


@dataclasses.dataclass(frozen=True)
class _Variant:
    python_type: Any
    exact: Any  # the class an exact-type match compares against
    literal_type: LiteralType


class UnionTransformer(TypeTransformer[Any]):
    def __init__(self) -> None:
        # to_literal tries the variants through the engine, which asserts each one; asserting the
        # union first would only hide the variants' own reasons
        super().__init__("Typed Union", typing.Union, enable_type_assertions=False)
        self._variants: dict[Any, list[_Variant]] = {}
        self._generation = -1

    def assert_type(self, t: Any, v: Any) -> None:
        """Pass if some variant's transformer accepts ``v`` (``None`` needs a ``None`` variant)."""
        engine = self.engine
        for arg in get_args(strip_annotated(t)[0]):
            if arg is typing.Any:
                return
            if v is None and arg is not type(None):
                continue
            transformer = engine.get_transformer(arg)
            try:
                transformer.assert_type(arg, v)
            except TypeTransformerFailedError:
                continue
            return
        raise TypeTransformerFailedError("value matches no variant of the union", python_type=t, value=v)

    def variants(self, t: Any) -> list[_Variant]:
        inner = strip_annotated(t)[0]
        engine = self.engine
        if engine.generation != self._generation:  # a registration may change what a variant resolves to
            self._variants, self._generation = {}, engine.generation
        found = self._variants.get(inner)
        if found is not None:
            return found
        out: list[_Variant] = []
        for arg in get_args(inner):
            transformer = engine.get_transformer(arg)
            lt = engine.to_literal_type(arg)
            tagged = dataclasses.replace(lt, structure=TypeStructure(transformer.name))
            for seen in out:
                if seen.literal_type == tagged:
                    raise TypeTransformerFailedError(
                        f"ambiguous union: variants {type_name(seen.python_type, qualified=False)} and "
                        f"{type_name(arg, qualified=False)} have the same literal type and the same tag "
                        f"({transformer.name!r}), so a stored value could not tell them apart",
                        python_type=t,
                        hint="drop one of them, wrap one in a dataclass, or give one its own transformer",
                    )
            stripped = strip_annotated(arg)[0]
            out.append(_Variant(arg, get_origin(stripped) or stripped, tagged))
        self._variants[inner] = out
        return out

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(union_type=UnionType(tuple(v.literal_type for v in self.variants(t))))

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        variants = self.variants(python_type)
        exact = [v for v in variants if type(python_val) is v.exact]
        ordered = exact + [v for v in variants if v not in exact]
        reasons = []
        for variant in ordered:
            if python_val is None and variant.exact is not type(None):
                continue
            try:
                lv = ctx.engine.to_literal(ctx, python_val, variant.python_type, variant.literal_type)
            except TypeTransformerFailedError as exc:
                reasons.append(f"{type_name(variant.python_type, qualified=False)}: {exc.reason}")
                continue
            return Literal(scalar=Scalar(union=UnionValue(value=lv, stored_type=_stored_type(ctx, variant, lv))))
        raise TypeTransformerFailedError(
            "value matches no variant of the union" + (f" ({'; '.join(reasons)})" if reasons else ""),
            python_type=python_type,
            value=python_val,
        )

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        variants = self.variants(expected_python_type)
        union = lv.scalar.union if lv.scalar is not None else None
        if union is not None:
            stored = union.stored_type
            for variant in variants:
                if variant.literal_type == stored:
                    return ctx.engine.to_python_value(ctx, union.value, variant.python_type)
            candidates = [v for v in variants if v.literal_type.without_structure() == stored.without_structure()]
            if not candidates and pickled_bytes.is_bytes_pickle_type(stored):  # flytekit's pickled bytes
                binary = next((v for v in variants if v.literal_type.simple == SimpleType.BINARY), None)
                if binary is not None:  # its reasons (a missing plugin, a refused blob) are the answer
                    return ctx.engine.to_python_value(ctx, union.value, binary.python_type)
            inner = union.value
        else:  # a plain literal (not written through a union): take the first variant that reads it
            candidates, inner = variants, lv
        for variant in candidates or variants:
            try:
                return ctx.engine.to_python_value(ctx, inner, variant.python_type)
            except TypeTransformerFailedError:
                continue
        raise _no_variant(expected_python_type)

    def _exact_numbers(self, variants: list[_Variant]) -> dict[Any, int]:
        """Variant number by exact Python type, for types that only one variant claims exactly."""
        claims: dict[Any, list[int]] = {}
        for number, variant in enumerate(variants):
            claims.setdefault(variant.exact, []).append(number)
        return {t: numbers[0] for t, numbers in claims.items() if len(numbers) == 1 and isinstance(t, type)}

    def _choose(self, ctx: TransformContext, value: Any, variants: list[_Variant]) -> int:
        """The variant ``to_literal`` would store ``value`` as (for a value of no variant's exact type)."""
        exact = [n for n, v in enumerate(variants) if type(value) is v.exact]
        for number in exact + [n for n in range(len(variants)) if n not in exact]:
            variant = variants[number]
            if value is None and variant.exact is not type(None):
                continue
            try:
                ctx.engine.to_literal(ctx, value, variant.python_type, variant.literal_type)
            except TypeTransformerFailedError:
                continue
            return number
        raise TypeError("a value matches no variant")  # one by one, to_literal says why

    def pack_column(self, ctx: TransformContext, values: list[Any], python_type: Any) -> Column:
        """A variant number per element, and each variant's values packed in their own column."""
        variants = self.variants(python_type)
        if len(variants) > MAX_UNION_VARIANTS:
            raise CannotPack(f"more than {MAX_UNION_VARIANTS} variants")
        if pickled_bytes.writes_pickle(ctx) and any(v.literal_type.simple == SimpleType.BINARY for v in variants):
            raise CannotPack("a pickled bytes variant is stored with flytekit's pickle type, element by element")
        optional = len(variants) == 2 and NoneType in (variants[0].exact, variants[1].exact)
        exact = False  # whether every value is of its variant's exact type
        if optional:  # Optional[T]: None goes to the None variant, anything else to T (which checks it)
            index = bytes(map(is_, values, repeat(None)))
            if variants[0].exact is NoneType:
                index = index.translate(_SELECT[0])
        else:
            number_of: Any = self._exact_numbers(variants).get
            try:
                index = bytes(map(number_of, map(type, values)))  # a None among them: TypeError
                exact = True
            except TypeError:  # some values are of no variant's exact type
                numbers = map(number_of, map(type, values))
                index = bytes(self._choose(ctx, v, variants) if n is None else n for v, n in zip(values, numbers))
        counts = variant_counts(index, len(variants))
        columns = tuple(
            NoneColumn(counts[n])  # a none column's length is proven by the index, so only a union has one
            if variant.exact is NoneType
            else (pack_exact if exact else pack)(ctx, list(compress(values, index.translate(_SELECT[n]))), variant.python_type)
            for n, variant in enumerate(variants)
        )
        return UnionColumn.unchecked(tuple(v.literal_type for v in variants), index, columns)

    def unpack_column(self, ctx: TransformContext, column: Column, python_type: Any) -> list[Any] | None:
        """The values, one stored variant's column at a time, each read in bulk by the variant that takes it.

        As :meth:`to_python_value` does per element: a stored variant with the literal
        type (and tag) of a declared one is read as that variant; otherwise the
        variants of the same literal type, else all of them, are tried in order,
        skipping those that read nothing of the column's kind. A column is read
        element by element only when the first such variant cannot read all of it
        in bulk and a later one might take some of its elements.
        """
        variants = self.variants(python_type)
        if not isinstance(column, UnionColumn):  # a plain column (not written through a union)
            values = self._read_part(ctx, column, variants, python_type, once=False)
            return values if isinstance(values, list) else list(values)
        parts: list[Iterable[Any]] = []
        first_failure: ElementFailed | None = None  # the earliest element that fails, whichever part holds it
        for number, (stored, part) in enumerate(zip(column.variants, column.columns)):
            declared = next((v for v in variants if v.literal_type == stored), None)
            try:
                if declared is not None:
                    parts.append(self._read_as(ctx, part, declared, once=True))
                else:
                    same = [v for v in variants if v.literal_type.without_structure() == stored.without_structure()]
                    parts.append(self._read_part(ctx, part, same or variants, python_type, once=True))
            except ElementFailed as exc:
                if exc.column is not part:
                    raise
                position = _nth(column.index, number, exc.position)
                if first_failure is None or position < first_failure.position:
                    first_failure = ElementFailed(column, position, exc.error)
        if first_failure is not None:
            raise first_failure
        return interleave(column.index, parts)

    @staticmethod
    def _read_as(ctx: TransformContext, part: Column, variant: _Variant, once: bool) -> Iterable[Any]:
        """``part`` read as ``variant``; with ``once``, possibly the column's own storage (to be iterated once, not kept)."""
        if isinstance(part, NoneColumn) and variant.exact is NoneType:
            return repeat(None, len(part))
        return (iterate if once else unpack)(ctx, part, variant.python_type)

    def _read_part(
        self, ctx: TransformContext, part: Column, candidates: list[_Variant], python_type: Any, once: bool
    ) -> Iterable[Any]:
        """``part``'s elements, each as the first of ``candidates`` that reads it (``once``: see :meth:`_read_as`)."""
        if not len(part):
            return ()
        readers = [v for v in candidates if not reads_none_of(ctx, part, v.python_type)]
        if not readers:
            raise ElementFailed(part, 0, _no_variant(python_type))
        first = readers[0]
        if len(readers) == 1:
            try:
                return self._read_as(ctx, part, first, once)
            except ElementFailed as exc:  # unpack names only elements of the column it reads
                raise ElementFailed(part, exc.position, _no_variant(python_type)) from None
        if isinstance(part, NoneColumn) and first.exact is NoneType:
            return repeat(None, len(part))
        try:
            values = read_in_bulk(ctx, part, first.python_type)
        except ElementFailed:  # an element the first reader refuses: a later one may take it
            values = None
        if values is not None:
            return values
        # the first reader takes only some elements: a later one may take the others, element by element
        to_python_value = ctx.engine.to_python_value
        out = []
        for position, item in enumerate(part.literals()):
            for variant in readers:
                try:
                    out.append(to_python_value(ctx, item, variant.python_type))
                except TypeTransformerFailedError:
                    continue
                break
            else:
                raise ElementFailed(part, position, _no_variant(python_type))
        return out

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.union_type is None:
            raise ValueError("not a union type")
        engine = self.engine
        args = tuple(engine.guess_python_type(v.without_structure()) for v in literal_type.union_type.variants)
        return typing.Union[args]


def _stored_type(ctx: TransformContext, variant: _Variant, lv: Literal) -> LiteralType:
    """The stored type of a variant's value: the variant's type, or flytekit's for bytes written as its pickle."""
    if variant.literal_type.simple == SimpleType.BINARY and pickled_bytes.is_pickle_blob(lv):
        return pickled_bytes.union_stored_type(ctx, variant.python_type)
    return variant.literal_type


def _no_variant(python_type: Any) -> TypeTransformerFailedError:
    return TypeTransformerFailedError("the stored literal matches no variant of the union", python_type=python_type)


def _nth(index: bytes, number: int, rank: int) -> int:
    """The position of the ``rank``-th (from 0) element of variant ``number`` in a union column's ``index``."""
    return next(islice(compress(count(), index.translate(_SELECT[number])), rank, None))
