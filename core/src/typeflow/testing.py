"""What a plugin author needs to test a transformer and its entry point.

Three tools, usable from any test runner (pytest collects the contract class):

    from typeflow.testing import TransformerContract, assert_entry_point_discoverable, assert_round_trip

    class TestPointTransformer(TransformerContract):   # pytest collects it; each check is a test
        python_type = Point
        transformer = PointTransformer()   # optional: test it without installing the plugin
        def values(self):
            return [Point(0, 0), Point(-1, 5)]
        def bad_values(self):
            return ["not a point", 3]

    def test_one_value():
        assert_round_trip(Point(1, 2), Point)

    def test_entry_point():
        assert_entry_point_discoverable("typeflow-point", "mypackage")

Nothing here imports pytest: failed checks raise ``AssertionError`` and
skipped checks raise :class:`unittest.SkipTest`, which pytest reports as a skip.
"""

from __future__ import annotations

import shutil
import tempfile
import types
import typing
import unittest
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from importlib import metadata
from typing import Any, ClassVar, get_args, get_origin

from typeflow import discovery, hookspecs, wire
from typeflow.engine import TypeEngine
from typeflow.errors import TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import Literal, LiteralType
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

__all__ = ["TransformerContract", "assert_entry_point_discoverable", "assert_round_trip"]


# ---------------------------------------------------------------------------- round trips


@contextmanager
def _temporary_context(engine: TypeEngine | None, ctx: TransformContext | None) -> Iterator[TransformContext]:
    """``ctx`` if given, else a context of ``engine`` (or a fresh one) on a temporary folder, removed afterwards."""
    if ctx is not None:
        if engine is not None and ctx.engine is not engine:
            raise ValueError("ctx belongs to another engine than the one passed; pass one of them, or ctx=engine.context()")
        yield ctx
        return
    folder = tempfile.mkdtemp(prefix="typeflow-test-")
    try:
        yield (engine or TypeEngine()).context(storage=folder)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _stage(failure: str, step: Callable[[], Any]) -> Any:
    """Run one step; an exception becomes an AssertionError starting with ``failure``, the original as its cause."""
    try:
        return step()
    except AssertionError:
        raise
    except Exception as exc:
        raise AssertionError(f"{failure}: {type(exc).__name__}: {exc}") from exc


def _assert_literal_type_stable(engine: TypeEngine, python_type: Any) -> LiteralType:
    """The literal type of ``python_type``: the same on every call and through both wire forms."""
    name = type_name(python_type)
    lt = _stage(f"to_literal_type({name}) failed", lambda: engine.to_literal_type(python_type))
    assert isinstance(lt, LiteralType), f"to_literal_type({name}) returned {type(lt).__name__}, not a LiteralType"
    again = engine.to_literal_type(python_type)
    assert again == lt, f"the literal type of {name} changes between calls: {lt} then {again}"
    decoded = _stage(f"the literal type of {name} does not survive wire.dumps/loads", lambda: wire.loads(wire.dumps(lt)))
    assert decoded == lt, f"the literal type of {name} changes through wire.dumps/loads: {lt} became {decoded}"
    from_json = _stage(
        f"the literal type of {name} does not survive wire.to_dict/from_dict", lambda: wire.from_dict(wire.to_dict(lt))
    )
    assert from_json == lt, f"the literal type of {name} changes through wire.to_dict/from_dict: {lt} became {from_json}"
    return lt


def assert_round_trip(
    value: Any,
    python_type: Any,
    *,
    engine: TypeEngine | None = None,
    ctx: TransformContext | None = None,
    equal: Callable[[Any, Any], bool] | None = None,
    through_wire: bool = True,
) -> Any:
    """Convert ``value`` to a literal and back as ``python_type``; assert it is equal; return what was read back.

    The path is ``to_literal`` → ``wire.dumps`` → ``wire.loads`` →
    ``to_python_value`` (``through_wire=False`` skips the wire step). It also
    asserts the literal type is stable: the same on two calls, and unchanged
    through ``wire.dumps``/``loads`` and ``wire.to_dict``/``from_dict``.

    ``engine`` defaults to a fresh :class:`TypeEngine` (plugins found through
    their entry points); ``ctx`` defaults to a context of that engine on a
    temporary folder, removed afterwards. ``equal(original, read_back)``
    replaces ``==`` (for NaN, arrays, data frames…). Any failure raises
    ``AssertionError`` naming the value, the type and the step.

        >>> assert_round_trip([1, 2], list[int])
        [1, 2]
        >>> assert_round_trip(float("nan"), float, equal=lambda a, b: a != a and b != b)
        nan
    """
    with _temporary_context(engine, ctx) as context:
        eng = context.engine
        where = f"round trip of {value!r} as {type_name(python_type)} failed in"
        _assert_literal_type_stable(eng, python_type)
        lv = _stage(f"{where} to_literal", lambda: eng.to_literal(context, value, python_type))
        assert isinstance(lv, Literal), f"to_literal of {value!r} returned {type(lv).__name__}, not a Literal"
        if through_wire:
            data = _stage(f"{where} wire.dumps", lambda: wire.dumps(lv))
            decoded = _stage(f"{where} wire.loads", lambda: wire.loads(data))
            # NaN makes a literal unequal to itself: then identical bytes on re-encoding prove it unchanged
            same_literal = decoded == lv or wire.dumps(decoded) == data
            assert same_literal, f"the literal of {value!r} changes through wire.dumps/loads: {lv} became {decoded}"
            assert isinstance(decoded, Literal)
            lv = decoded
        back = _stage(f"{where} to_python_value", lambda: eng.to_python_value(context, lv, python_type))
        same = equal(value, back) if equal is not None else back == value
        if not same:
            detail = "" if repr(back) != repr(value) else f" (a {type(back).__name__}, not a {type(value).__name__}?)"
            raise AssertionError(
                f"round trip of {value!r} as {type_name(python_type)} gave {back!r}{detail}; the literal was {lv}"
            )
        return back


# ---------------------------------------------------------------------------- entry points


def _normalize(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _typeflow_distributions() -> list[str]:
    """``name version`` of every installed distribution that declares a typeflow entry point."""
    found = {f"{e.distribution} {e.version}" for e in discovery.rescan()}
    return sorted(found)


def assert_entry_point_discoverable(
    distribution: str,
    name: str | None = None,
    group: str = discovery.PLUGINS_GROUP,
    *,
    scan: bool = True,
) -> discovery.PluginEntry:
    """Assert, from installed metadata, that ``distribution`` declares a typeflow entry point that loads.

    Checks, in order, each with a message saying what was found instead:

    1. ``distribution`` is installed (``importlib.metadata``);
    2. it declares the entry point ``name`` (or, when ``name`` is ``None``, any
       entry point) in ``group`` (``typeflow.plugins`` or ``typeflow.fallbacks``);
    3. with ``scan=True``, :func:`typeflow.discovery.entries` lists it (after a
       rescan, so a plugin installed while the process runs is seen);
    4. importing the entry point gives a module with at least one
       ``@typeflow.hookimpl`` function, and a fresh :class:`TypeEngine` loads
       it without error (hook signatures match the spec, registrations do not
       conflict with the built-ins).

    Returns the :class:`~typeflow.discovery.PluginEntry`.

        >>> entry = assert_entry_point_discoverable("typeflow-ipaddress", "ipaddress")  # doctest: +SKIP
        >>> entry.value
        'typeflow_ipaddress.plugin'
    """
    try:
        dist = metadata.distribution(distribution)
    except metadata.PackageNotFoundError:
        plugins = ", ".join(_typeflow_distributions()) or "none"
        raise AssertionError(
            f"distribution {distribution!r} is not installed in this Python; "
            f"installed distributions with typeflow entry points: {plugins}. "
            f"Install it (pip install ./{distribution}) and run the tests with that Python"
        ) from None
    dist_name = dist.metadata["Name"] or distribution
    declared = [ep for ep in dist.entry_points if ep.group == group and (name is None or ep.name == name)]
    if not declared:
        have = sorted(f"[{ep.group}] {ep.name} = {ep.value}" for ep in dist.entry_points) or ["none"]
        wanted = f"entry point {name!r} in group {group!r}" if name else f"entry point in group {group!r}"
        raise AssertionError(
            f"{dist_name} {dist.version} declares no {wanted}; its entry points are: {'; '.join(have)}. "
            f'Declare it in pyproject.toml under [project.entry-points."{group}"] and reinstall'
        )
    ep = declared[0]
    entry = discovery.PluginEntry(ep.name, group, ep.value, dist_name, dist.version)
    if scan:
        listed = _find_in_scan(discovery.entries(), entry) or _find_in_scan(discovery.rescan(), entry)
        if listed is None:
            raise AssertionError(
                f"{dist_name} declares {group}:{ep.name}, but typeflow.discovery.entries() does not list it; "
                f"it lists: {[e.label for e in discovery.entries()] or 'nothing'}"
            )
        entry = listed
    try:
        module = entry.load()
    except TypeflowError as exc:
        raise AssertionError(f"entry point {entry.label} does not import: {exc}") from exc
    impls = [n for n in dir(module) if hasattr(getattr(module, n, None), f"{hookspecs.PROJECT}_impl")]
    known = sorted(n for n in dir(hookspecs) if n.startswith(f"{hookspecs.PROJECT}_"))
    assert impls, f"{entry.value} (entry point {entry.label}) defines no @typeflow.hookimpl function; expected one of {known}"
    error = TypeEngine().load_plugin(entry)
    if error is not None:
        raise AssertionError(f"entry point {entry.label} imports, but a fresh TypeEngine cannot load it: {error}") from error
    return entry


def _find_in_scan(scanned: Iterable[discovery.PluginEntry], wanted: discovery.PluginEntry) -> discovery.PluginEntry | None:
    for e in scanned:
        if (e.group, e.name, e.value) == (wanted.group, wanted.name, wanted.value) and _normalize(e.distribution) == _normalize(
            wanted.distribution
        ):
            return e
    return None


# ---------------------------------------------------------------------------- the contract suite


def _skip(reason: str) -> typing.NoReturn:
    # unittest.SkipTest: pytest and unittest both report it as a skip, and pytest need not be imported
    raise unittest.SkipTest(reason)


def _is_optional(t: Any) -> bool:
    t, _ = strip_annotated(t)
    if t is None or t is type(None) or t is typing.Any:
        return True
    return get_origin(t) in (typing.Union, types.UnionType) and type(None) in get_args(t)


def _types_within(t: Any) -> Iterator[Any]:
    """``t`` (``Annotated`` stripped) and, for generics, every type among its arguments, depth first."""
    t, _ = strip_annotated(t)
    if t is None or t is type(None) or t is Ellipsis or t is typing.Any:
        return
    yield t
    if get_origin(t) is typing.Literal:
        return  # its arguments are values, not types
    for arg in get_args(t):
        if isinstance(arg, (type, types.GenericAlias)) or get_origin(arg) is not None or arg is type(None):
            yield from _types_within(arg)


def _assert_no_fallback(engine: TypeEngine, python_type: Any, test: str) -> None:
    for t in _types_within(python_type):
        try:
            resolution = engine.resolve(t)
        except TypeflowError:
            return  # no transformer at all: test_transformer_resolves says so, with the reason
        if resolution.step != "fallback":
            continue
        top = discovery.top_package(t)
        named = [e.label for e in discovery.entries() if e.group == discovery.PLUGINS_GROUP and e.name == top]
        found = ", ".join(named) if named else "none"
        inside = "" if t == strip_annotated(python_type)[0] else f" (inside {type_name(python_type)})"
        raise AssertionError(
            f"{type_name(t)}{inside} resolves through the fallback {resolution.transformer.name} from "
            f"{resolution.source}, not through the transformer under test. Either the plugin is not installed in "
            f"this Python (install it, as a wheel, where the tests run), or its entry point is not named after "
            f"the type's top package: typeflow.plugins entry points named {top!r}: {found}. "
            f"If a fallback is what {test} tests, set expects_fallback = True"
        )


class TransformerContract:
    """A contract test suite for one Python type: subclass it in your tests as ``class Test<Something>``.

    pytest collects the subclass (its name starts with ``Test``) and runs each
    ``test_*`` method below as a test. Set:

    - ``python_type`` — the type under test (required);
    - ``transformer`` — a transformer instance to register on the test engine
      (``override=True``), to test it without installing the plugin; leave it
      ``None`` to find it through the installed plugin's entry point;
    - ``guesses_python_type = False`` — when the literal type cannot name the
      Python type back (the guess test is then skipped, saying why);
    - ``expects_fallback = True`` — when the type is *meant* to be handled by a
      fallback plugin such as typeflow-pickle. Otherwise every test fails when
      the type, or a type inside it (``List[T]``'s ``T``), resolves through a
      fallback: that means the plugin under test is not installed in this
      Python, or its entry point is not named after the type's top package,
      and the fallback answered instead;

    and implement :meth:`values` (values that must round trip), and optionally
    :meth:`bad_values` (values ``to_literal`` must refuse), :meth:`bad_literals`
    (literals ``to_python_value`` must refuse) and :meth:`equal`.

        class TestIPv4Address(TransformerContract):
            python_type = ipaddress.IPv4Address

            def values(self):
                return [ipaddress.IPv4Address("127.0.0.1")]

            def bad_values(self):
                return ["127.0.0.1", 2130706433]

    Every test uses a fresh :class:`TypeEngine` (override :meth:`make_engine`
    to customise it) and a temporary storage folder, removed afterwards.
    """

    python_type: ClassVar[Any] = None
    transformer: ClassVar[TypeTransformer[Any] | None] = None
    guesses_python_type: ClassVar[bool] = True
    expects_fallback: ClassVar[bool] = False

    # -- what the author provides

    def values(self) -> Iterable[Any]:
        """Values of ``python_type`` that must round trip (at least one)."""
        raise NotImplementedError(f"{type(self).__name__}: implement values() returning a few values of python_type")

    def bad_values(self) -> Iterable[Any]:
        """Values ``to_literal`` must refuse with ``TypeTransformerFailedError`` (none: that test is skipped)."""
        return ()

    def bad_literals(self) -> Iterable[Literal]:
        """Literals ``to_python_value`` must refuse with ``TypeTransformerFailedError`` (none: that test is skipped)."""
        return ()

    def equal(self, original: Any, read_back: Any) -> bool:
        """Whether a value read back equals the original; ``==`` unless overridden."""
        return bool(original == read_back)

    def make_engine(self) -> TypeEngine:
        """A fresh engine for one test, with ``transformer`` registered when it is set."""
        engine = TypeEngine()
        if self.transformer is not None:
            engine.register(self.transformer, override=True)
        return engine

    # -- plumbing

    @contextmanager
    def _context(self) -> Iterator[TransformContext]:
        assert self.python_type is not None, f"{type(self).__name__}: set python_type on your TransformerContract subclass"
        with _temporary_context(self.make_engine(), None) as ctx:
            if not self.expects_fallback:
                _assert_no_fallback(ctx.engine, self.python_type, type(self).__name__)
            yield ctx

    def _values(self) -> list[Any]:
        values = list(self.values())
        assert values, f"{type(self).__name__}.values() returned nothing to test"
        return values

    def _refused(self, what: str, attempt: Callable[..., Any], *args: Any) -> None:
        name = type_name(self.python_type)
        try:
            attempt(*args)
        except TypeTransformerFailedError:
            return
        except TypeflowError as exc:
            raise AssertionError(f"{what} raised {type(exc).__name__}, expected TypeTransformerFailedError: {exc}") from exc
        except Exception as exc:
            raise AssertionError(
                f"{what} raised a bare {type(exc).__name__} ({exc}); a transformer must raise "
                f"typeflow.errors.TypeTransformerFailedError for values and literals it cannot convert"
            ) from exc
        raise AssertionError(f"{what} was accepted as {name}; expected TypeTransformerFailedError")

    # -- the contract

    def test_transformer_resolves(self) -> None:
        """``engine.get_transformer(python_type)`` finds a transformer (``transformer`` itself when it is set)."""
        with self._context() as ctx:
            try:
                resolution = ctx.engine.resolve(self.python_type)
            except TypeflowError as exc:
                how = "registered on the test engine" if self.transformer is not None else "found through plugin discovery"
                raise AssertionError(f"no transformer {how} for {type_name(self.python_type)}: {exc}") from exc
            assert ctx.engine.get_transformer(self.python_type) is resolution.transformer
            mine = self.transformer
            if mine is not None and strip_annotated(self.python_type)[0] == mine.python_type:
                assert resolution.transformer is mine, (
                    f"{type_name(self.python_type)} resolves to {resolution.transformer!r} via {resolution.step} "
                    f"({resolution.source}), not to the transformer under test {mine!r}"
                )

    def test_values_round_trip(self) -> None:
        """Every value of :meth:`values` survives ``to_literal`` → wire → ``to_python_value``."""
        values = self._values()
        with self._context() as ctx:
            for value in values:
                assert_round_trip(value, self.python_type, ctx=ctx, equal=self.equal)

    def test_literal_type_is_stable(self) -> None:
        """The literal type is the same on every call and survives both wire forms."""
        with self._context() as ctx:
            _assert_literal_type_stable(ctx.engine, self.python_type)

    def test_bad_values_raise_transform_errors(self) -> None:
        """Every value of :meth:`bad_values` is refused with ``TypeTransformerFailedError``."""
        bad = list(self.bad_values())
        if not bad:
            _skip(f"{type(self).__name__}.bad_values() gives no values to refuse")
        with self._context() as ctx:
            for value in bad:
                self._refused(f"to_literal of {value!r}", ctx.engine.to_literal, ctx, value, self.python_type)

    def test_bad_literals_raise_transform_errors(self) -> None:
        """Every literal of :meth:`bad_literals` is refused by ``to_python_value`` with ``TypeTransformerFailedError``."""
        bad = list(self.bad_literals())
        if not bad:
            _skip(f"{type(self).__name__}.bad_literals() gives no literals to refuse")
        with self._context() as ctx:
            for lv in bad:
                self._refused(f"to_python_value of {lv}", ctx.engine.to_python_value, ctx, lv, self.python_type)

    def test_none_is_refused_unless_optional(self) -> None:
        """``None`` is refused with ``TypeTransformerFailedError``; for an ``Optional`` type it round trips."""
        with self._context() as ctx:
            accepts = _is_optional(self.python_type) or bool(
                getattr(ctx.engine.get_transformer(self.python_type), "accepts_none", False)
            )
            if accepts:
                assert_round_trip(None, self.python_type, ctx=ctx)
            else:
                self._refused("to_literal of None", ctx.engine.to_literal, ctx, None, self.python_type)

    def test_guess_python_type_reads_the_literal(self) -> None:
        """``guess_python_type(to_literal_type(t))`` gives a type that reads every literal back.

        When the guess is ``python_type`` itself, the values read back must be equal too.
        Opt out with ``guesses_python_type = False``.
        """
        if not self.guesses_python_type:
            _skip(f"{type(self).__name__}.guesses_python_type is False")
        values = self._values()
        with self._context() as ctx:
            engine = ctx.engine
            lt = engine.to_literal_type(self.python_type)
            try:
                guessed = engine.guess_python_type(lt)
            except TypeflowError as exc:
                raise AssertionError(
                    f"guess_python_type cannot name a type for the literal type of {type_name(self.python_type)} ({lt}): {exc}. "
                    "Implement guess_python_type on the transformer, or set guesses_python_type = False"
                ) from exc
            exact = guessed == strip_annotated(self.python_type)[0]
            for value in values:
                lv = engine.to_literal(ctx, value, self.python_type)
                try:
                    back = engine.to_python_value(ctx, lv, guessed)
                except Exception as exc:
                    raise AssertionError(
                        f"the guessed type {type_name(guessed)} cannot read the literal of {value!r}: {type(exc).__name__}: {exc}"
                    ) from exc
                assert not exact or self.equal(value, back), (
                    f"read back as the guessed type {type_name(guessed)}, {value!r} became {back!r}"
                )
