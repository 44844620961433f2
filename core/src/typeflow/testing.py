"""What a plugin author needs to test a transformer and its entry point.

    from typeflow.testing import TransformerContract, assert_entry_point_discoverable, assert_round_trip

    class TestPointTransformer(TransformerContract):   # pytest collects it; each check is a test
        python_type = Point
        def values(self):
            return [Point(0, 0), Point(-1, 5)]
        def bad_values(self):
            return ["not a point", 3]

    def test_entry_point():
        assert_entry_point_discoverable("my-plugin", "mypackage")

    def test_one_value():
        assert_round_trip(Point(1, 2), Point)

Nothing here imports pytest: the checks raise ``AssertionError``.
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterable
from importlib import metadata
from typing import Any, ClassVar

from typeflow import discovery, hookspecs, wire
from typeflow.engine import TypeEngine
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import LiteralType
from typeflow.transformer import TransformContext, TypeTransformer

__all__ = ["TransformerContract", "assert_entry_point_discoverable", "assert_round_trip"]


def assert_round_trip(
    value: Any,
    python_type: Any,
    *,
    engine: TypeEngine | None = None,
    ctx: TransformContext | None = None,
    equal: Callable[[Any, Any], bool] | None = None,
    through_wire: bool = True,
) -> Any:
    """Convert ``value`` to a literal (through the wire format) and back; assert it is equal.

    Also asserts that the literal type is stable (the same on every call, and
    after a wire round trip). Returns the value read back. Blobs go to a
    temporary folder unless ``ctx`` is given.
    """
    temp = None
    if ctx is None:
        temp = tempfile.mkdtemp(prefix="typeflow-test-")
        ctx = (engine or TypeEngine()).context(storage=temp)
    try:
        engine = ctx.engine
        lt = engine.to_literal_type(python_type)
        assert engine.to_literal_type(python_type) == lt, f"the literal type of {python_type!r} changes between calls"
        assert wire.loads(wire.dumps(lt)) == lt, f"the literal type of {python_type!r} does not survive the wire format"
        lv = engine.to_literal(ctx, value, python_type)
        if through_wire:
            decoded = wire.loads(wire.dumps(lv))
            assert decoded == lv, f"the literal of {value!r} changes through wire.dumps/loads"
            lv = decoded
        back = engine.to_python_value(ctx, lv, python_type)
        same = equal(value, back) if equal is not None else back == value
        assert same, f"round trip of {value!r} as {python_type!r} gave {back!r}"
        return back
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def assert_entry_point_discoverable(
    distribution: str, name: str | None = None, group: str = discovery.PLUGINS_GROUP
) -> discovery.PluginEntry:
    """Assert, from installed metadata, that ``distribution`` declares a typeflow entry point that loads.

    Checks the distribution is installed, declares ``name`` (or any entry
    point) in ``group``, that typeflow's scan lists it, and that its module
    holds at least one ``@typeflow.hookimpl``. Returns the entry.
    """
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        raise AssertionError(f"distribution {distribution!r} is not installed (pip install it and retry)") from None
    declared = [ep for ep in dist.entry_points if ep.group == group and (name is None or ep.name == name)]
    if not declared:
        have = sorted(f"{ep.group}:{ep.name}" for ep in dist.entry_points) or ["none"]
        wanted = f"{group}:{name}" if name else f"any entry point in {group}"
        raise AssertionError(f"{distribution} declares no {wanted}; its entry points are {have}")
    found = [
        e
        for e in discovery.rescan()
        if e.group == group and e.name == declared[0].name and e.distribution.lower() == dist.metadata["Name"].lower()
    ]
    assert found, f"typeflow's entry-point scan does not list {declared[0].name!r} from {distribution}"
    entry = found[0]
    module = entry.load()
    impls = [n for n in dir(module) if hasattr(getattr(module, n, None), f"{hookspecs.PROJECT}_impl")]
    assert impls, f"{entry.value} defines no @typeflow.hookimpl function"
    return entry


class TransformerContract:
    """A contract test suite: subclass it as ``class TestX(TransformerContract)`` in your tests.

    Set ``python_type``, implement :meth:`values` (and :meth:`bad_values`);
    set ``transformer`` to test a transformer without installing its plugin.
    Set ``guesses_python_type = False`` when the literal type cannot name the
    Python type back. ``equal`` compares values when ``==`` does not fit.
    """

    python_type: ClassVar[Any] = None
    transformer: ClassVar[TypeTransformer[Any] | None] = None
    guesses_python_type: ClassVar[bool] = True

    def values(self) -> Iterable[Any]:
        """Values that must round trip."""
        raise NotImplementedError("implement values() with a few values of python_type")

    def bad_values(self) -> Iterable[Any]:
        """Values that must be refused with TypeTransformerFailedError."""
        return ()

    def equal(self, a: Any, b: Any) -> bool:
        return bool(a == b)

    def _context(self) -> tuple[TransformContext, str]:
        engine = TypeEngine()
        if self.transformer is not None:
            engine.register(self.transformer, override=True)
        temp = tempfile.mkdtemp(prefix="typeflow-contract-")
        return engine.context(storage=temp), temp

    def _with_context(self, check: Callable[[TransformContext], None]) -> None:
        assert self.python_type is not None, "set python_type on your TransformerContract subclass"
        ctx, temp = self._context()
        try:
            check(ctx)
        finally:
            shutil.rmtree(temp, ignore_errors=True)

    def test_transformer_resolves(self) -> None:
        def check(ctx: TransformContext) -> None:
            transformer = ctx.engine.get_transformer(self.python_type)
            assert isinstance(transformer, TypeTransformer)

        self._with_context(check)

    def test_values_round_trip(self) -> None:
        values = list(self.values())
        assert values, "values() returned nothing to test"

        def check(ctx: TransformContext) -> None:
            for value in values:
                assert_round_trip(value, self.python_type, ctx=ctx, equal=self.equal)

        self._with_context(check)

    def test_literal_type_is_stable(self) -> None:
        def check(ctx: TransformContext) -> None:
            lt = ctx.engine.to_literal_type(self.python_type)
            assert isinstance(lt, LiteralType)
            assert ctx.engine.to_literal_type(self.python_type) == lt, "the literal type changes between calls"
            assert wire.from_dict(wire.to_dict(lt)) == lt

        self._with_context(check)

    def test_bad_values_raise_transform_errors(self) -> None:
        def check(ctx: TransformContext) -> None:
            for bad in self.bad_values():
                try:
                    ctx.engine.to_literal(ctx, bad, self.python_type)
                except TypeTransformerFailedError:
                    continue
                except TypeflowError as exc:
                    raise AssertionError(f"{bad!r} raised {type(exc).__name__}, expected TypeTransformerFailedError") from exc
                except Exception as exc:
                    raise AssertionError(f"{bad!r} raised a bare {type(exc).__name__}: {exc}") from exc
                raise AssertionError(f"{bad!r} was accepted as {self.python_type!r}")

        self._with_context(check)

    def test_none_is_refused(self) -> None:
        def check(ctx: TransformContext) -> None:
            try:
                ctx.engine.to_literal(ctx, None, self.python_type)
            except TypeTransformerFailedError:
                return
            raise AssertionError(f"None was accepted as the non-Optional {self.python_type!r}")

        self._with_context(check)

    def test_guess_python_type_reads_the_literal(self) -> None:
        if not self.guesses_python_type:
            return

        def check(ctx: TransformContext) -> None:
            guessed = ctx.engine.guess_python_type(ctx.engine.to_literal_type(self.python_type))
            for value in self.values():
                lv = ctx.engine.to_literal(ctx, value, self.python_type)
                ctx.engine.to_python_value(ctx, lv, guessed)

        self._with_context(check)
