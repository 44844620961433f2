"""``TypeEngine``: one registry, its plugins and dispatch, and the conversions.

The engine converts values to literals and back (one value, or a map of named
values), planning each declared type once. Which transformer handles a type is
decided by :mod:`typeflow.dispatch`; plugins are loaded by :mod:`typeflow.loader`.
"""

from __future__ import annotations

import contextvars
import dataclasses
import threading
import types
import typing
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, ClassVar, get_args, get_origin

from typeflow import _maps, discovery, offload
from typeflow._default_on_class import async_to_python_value_method, default_on_class, to_python_value_method
from typeflow._trace import convert_log, debugging, trace
from typeflow._tuples import refuse_tuple_value
from typeflow.dispatch import Dispatcher, Resolution
from typeflow.errors import PluginError, TypeflowError, TypeTransformerFailedError, type_name
from typeflow.literals import Literal, LiteralMap, LiteralType, Scalar, Void
from typeflow.loader import BUILTINS, PluginLoader
from typeflow.registry import TransformerRegistry
from typeflow.storage import get_storage
from typeflow.transformer import HashMethod, TransformContext, TypeTransformer, strip_annotated

__all__ = ["Resolution", "TypeEngine", "trace"]

NoneType = type(None)

#: deepest nesting of literal types (lists of lists of ...) ``guess_python_type`` follows
MAX_GUESS_DEPTH = 100
_guess_depth: contextvars.ContextVar[int] = contextvars.ContextVar("typeflow_guess_depth", default=0)
#: within one guess_python_type call: id(literal type) -> (the literal type, its answer or error)
_guess_answers: contextvars.ContextVar[dict[int, tuple[LiteralType, Any]]] = contextvars.ContextVar("typeflow_guess_answers")


@dataclass(frozen=True)
class _Plan:
    """Everything a conversion of one declared type needs, computed once."""

    transformer: TypeTransformer[Any]
    literal_type: LiteralType
    accepts_none: bool
    hasher: HashMethod | None
    #: call ``transformer.assert_type`` before converting (flytekit's ``type_assertions_enabled``)
    asserts: bool
    #: a tuple value is refused (restricted, as in flytekit) unless the transformer is one for a tuple type
    refuses_tuples: bool


#: the literal of None
VOID = Literal(scalar=Scalar(none_type=Void()))


def _is_any(t: Any) -> bool:
    return t is typing.Any or (hasattr(t, "__metadata__") and strip_annotated(t)[0] is typing.Any)


def _is_union(t: Any) -> bool:
    return get_origin(t) in (typing.Union, types.UnionType)


def _accepts_none(t: Any, transformer: TypeTransformer[Any]) -> bool:
    if t is None or t is NoneType or t is typing.Any:
        return True
    if _is_union(t):
        return NoneType in get_args(t)
    return bool(getattr(transformer, "accepts_none", False))


class TypeEngine:
    """A registry of transformers, a plugin manager, and the dispatch caches.

    ``TypeEngine()`` is a fresh, independent engine (built-ins registered,
    plugins loaded lazily); :meth:`default` is the process-wide one. As in
    flytekit, the methods may be called on the class, meaning the default
    engine: ``TypeEngine.register(t)``, ``TypeEngine.to_literal_type(int)``.

        >>> engine = TypeEngine()
        >>> ctx = engine.context()
        >>> engine.to_python_value(ctx, engine.to_literal(ctx, [1, 2], list[int]), list[int])
        [1, 2]
    """

    _default: ClassVar[TypeEngine | None] = None
    _default_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, *, builtins: bool = True) -> None:
        self._lock = threading.RLock()
        self._plans: dict[Any, _Plan] = {}
        #: bumped by every registration; transformers that cache per type compare against it
        self.generation = 0
        self.registry = TransformerRegistry(self)
        self._loader = PluginLoader(self.registry, self._lock)
        self._dispatch = Dispatcher(self.registry, self._loader, self._lock)
        if builtins:
            from typeflow import builtins as builtin_plugin

            self._loader.register_module(builtin_plugin, BUILTINS, None)

    @classmethod
    def default(cls) -> TypeEngine:
        """The process-wide engine, created on first use."""
        engine = cls._default
        if engine is None:
            with cls._default_lock:
                engine = cls._default
                if engine is None:
                    engine = cls._default = cls()
        return engine

    @default_on_class
    def context(self, /, storage: str | None = None, read_roots: Iterable[str] | None = None, **options: Any) -> TransformContext:
        """A :class:`TransformContext` on ``storage`` (default: ``TYPEFLOW_STORAGE`` or the local cache).

        ``read_roots``: where, besides the storage's own location, blobs named
        by literals may be read (default: ``TYPEFLOW_READ_ROOTS``); see
        :mod:`typeflow.confine`. ``profile="flytekit-1.16"`` (or
        ``"flytekit-1.13"``, default ``TYPEFLOW_PROFILE`` or ``"typeflow"``)
        writes the literal forms that consumer reads; an unknown name raises
        :class:`~typeflow.errors.ProfileError`. Options include
        ``offload_above=N`` (literals encoding to more than ``N`` bytes go to
        storage as offloaded literals; also ``TYPEFLOW_OFFLOAD_ABOVE``) and
        ``progress=True`` (progress bars for long transfers; also
        ``TYPEFLOW_PROGRESS=1``).
        """
        offload.resolve_offload_option(options)
        return TransformContext(engine=self, storage=get_storage(storage), options=options, read_roots=read_roots)

    # ------------------------------------------------------------------ registration

    @default_on_class
    def register(self, transformer: TypeTransformer[Any], override: bool = False, additional_types: tuple[Any, ...] = ()) -> None:
        """Register ``transformer`` for its ``python_type`` (and ``additional_types``) on this engine.

        A type that already has a transformer is refused with a
        :class:`~typeflow.errors.PluginError` naming both, unless ``override=True``;
        the engine keeps the transformer it had.
        """
        self.registry.register(transformer, override=override, additional_types=additional_types)

    def _invalidate(self) -> None:
        with self._lock:
            self.generation += 1
            self._dispatch.clear()
            self._plans = {}

    @default_on_class
    def plugin_states(self) -> dict[discovery.PluginEntry, PluginError | None]:
        """Entry points this engine has loaded, each with its load error or ``None``."""
        return dict(self._loader.states)

    @default_on_class
    def load_plugin(self, entry: discovery.PluginEntry) -> PluginError | None:
        """Load one entry point (from :func:`typeflow.discovery.entries`) into this engine now.

        Loads it once per engine, like dispatch does; returns its load error
        (also logged) or ``None``. For tools and tests that check a plugin
        without converting one of its types.
        """
        return self._loader.load_entry(entry)

    @default_on_class
    def load_all_plugins(self) -> list[PluginError]:
        """Load every installed, enabled plugin and fallback now; returns their errors."""
        return self._loader.load_all()

    # ------------------------------------------------------------------ dispatch

    @default_on_class
    def get_transformer(self, python_type: Any) -> TypeTransformer[Any]:
        """The transformer for ``python_type``; cached per engine (see :mod:`typeflow.dispatch`)."""
        return self._dispatch.get_transformer(python_type)

    @default_on_class
    def fallback_transformer(self, python_type: Any) -> TypeTransformer[Any] | None:
        """The transformer an installed fallback plugin (typeflow-pickle) offers for ``python_type``, or ``None``.

        Loads the fallback plugins first. For transformers that hand a value to
        the fallback themselves, e.g. a dict that msgpack cannot hold.
        """
        return self._dispatch.fallback_transformer(python_type)

    @default_on_class
    def resolve(self, python_type: Any) -> Resolution:
        """Resolve ``python_type`` through the dispatch layers, saying which step matched."""
        return self._dispatch.resolve(python_type)

    # ------------------------------------------------------------------ conversions

    def _plan(self, python_type: Any) -> _Plan:
        try:
            return self._plans[python_type]
        except (KeyError, TypeError):
            pass
        transformer = self.get_transformer(python_type)
        t, metadata = strip_annotated(python_type)
        literal_type = transformer.get_literal_type(python_type)
        hasher = next((m for m in metadata if isinstance(m, HashMethod)), None)
        own_tuple = isinstance(transformer.python_type, type) and issubclass(transformer.python_type, tuple)
        plan = _Plan(
            transformer, literal_type, _accepts_none(t, transformer), hasher, transformer.type_assertions_enabled, not own_tuple
        )
        try:
            self._plans[python_type] = plan
        except TypeError:
            pass
        return plan

    def _plan_to_read(self, python_type: Any) -> _Plan:
        """:meth:`_plan` for a read: a type no transformer can plan for is a typed error, whatever went wrong."""
        try:
            return self._plan(python_type)
        except TypeflowError:
            raise
        except Exception as exc:
            raise TypeTransformerFailedError(
                f"cannot read a literal as {_short(python_type)}: {type(exc).__name__}: {exc}", python_type=python_type
            ) from exc

    @default_on_class
    def to_literal_type(self, python_type: Any) -> LiteralType:
        """The :class:`LiteralType` of ``python_type``."""
        return self._plan(python_type).literal_type

    def _none_error(self, python_type: Any) -> TypeTransformerFailedError:
        return TypeTransformerFailedError(
            "None is not a value of a non-Optional type",
            python_type=python_type,
            value=None,
            hint=f"declare the type as Optional[{type_name(python_type, qualified=False)}] to allow None",
        )

    @default_on_class
    def to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal:
        """Convert ``python_val`` (declared as ``python_type``) to a :class:`Literal`."""
        if python_val is None and _is_any(python_type):
            return VOID  # None needs no fallback plugin, and is never pickled
        if ctx.options and ctx.options.get("offload_above") is not None and not offload.nested():
            with offload.converting():
                whole = self.to_literal(ctx, python_val, python_type, expected)
            return offload.maybe_offload(ctx, whole, self._plan(python_type).literal_type, offload.threshold(ctx) or 0)
        plan = self._plan(python_type)
        if python_val is None and not plan.accepts_none:
            raise self._none_error(python_type)
        try:
            if plan.refuses_tuples and isinstance(python_val, tuple):
                refuse_tuple_value(python_val, python_type)
            if plan.asserts:
                plan.transformer.assert_type(python_type, python_val)
            lv = plan.transformer.to_literal(ctx, python_val, python_type, expected or plan.literal_type)
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, python_type, python_val, exc) from exc
        return self._finish(plan, lv, python_val, python_type)

    def _finish(self, plan: _Plan, result: Any, python_val: Any, python_type: Any) -> Literal:
        if not isinstance(result, Literal):
            raise TypeTransformerFailedError(
                f"transformer {plan.transformer.name} returned {type(result).__name__}, not a Literal", python_type=python_type
            )
        lv: Literal = result
        if plan.hasher is not None:
            lv = dataclasses.replace(lv, hash=plan.hasher.calculate(python_val))
        if debugging(convert_log):
            trace(
                "to_literal %s with %s -> %s",
                type_name(python_type, qualified=False),
                plan.transformer.name,
                lv.variant,
                logger=convert_log,
            )
        return lv

    @to_python_value_method
    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Convert ``lv`` to a value of ``expected_python_type``."""
        if (
            isinstance(lv, Literal)
            and lv.scalar is not None
            and lv.scalar.none_type is not None
            and _is_any(expected_python_type)
        ):
            return None
        plan = self._plan_to_read(expected_python_type)
        if not isinstance(lv, Literal):
            raise TypeTransformerFailedError("expected a Literal", python_type=expected_python_type, value=lv)
        try:
            if lv.offloaded_metadata is not None:
                lv = offload.load_offloaded(ctx, lv)
            value = plan.transformer.to_python_value(ctx, lv, expected_python_type)
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, expected_python_type, lv, exc) from exc
        if debugging(convert_log):
            trace(
                "to_python_value %s with %s",
                type_name(expected_python_type, qualified=False),
                plan.transformer.name,
                logger=convert_log,
            )
        return value

    @default_on_class
    async def async_to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None = None
    ) -> Literal:
        """Like :meth:`to_literal`; awaits asynchronous transformers without blocking the loop."""
        if python_val is None and _is_any(python_type):
            return VOID
        if ctx.options and ctx.options.get("offload_above") is not None and not offload.nested():
            with offload.converting():
                whole = await self.async_to_literal(ctx, python_val, python_type, expected)
            return offload.maybe_offload(ctx, whole, self._plan(python_type).literal_type, offload.threshold(ctx) or 0)
        plan = self._plan(python_type)
        if not plan.transformer.is_async:
            return self.to_literal(ctx, python_val, python_type, expected)
        if python_val is None and not plan.accepts_none:
            raise self._none_error(python_type)
        try:
            if plan.refuses_tuples and isinstance(python_val, tuple):
                refuse_tuple_value(python_val, python_type)
            if plan.asserts:
                plan.transformer.assert_type(python_type, python_val)
            lv: Literal = await plan.transformer.async_to_literal(ctx, python_val, python_type, expected or plan.literal_type)  # type: ignore[attr-defined]
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, python_type, python_val, exc) from exc
        return self._finish(plan, lv, python_val, python_type)

    @async_to_python_value_method
    async def async_to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Like :meth:`to_python_value`; awaits asynchronous transformers."""
        if (
            isinstance(lv, Literal)
            and lv.scalar is not None
            and lv.scalar.none_type is not None
            and _is_any(expected_python_type)
        ):
            return None
        plan = self._plan_to_read(expected_python_type)
        if isinstance(lv, Literal) and lv.offloaded_metadata is not None:
            lv = offload.load_offloaded(ctx, lv)
        if not plan.transformer.is_async:
            return self.to_python_value(ctx, lv, expected_python_type)
        try:
            return await plan.transformer.async_to_python_value(ctx, lv, expected_python_type)  # type: ignore[attr-defined]
        except TypeflowError:
            raise
        except Exception as exc:
            raise _wrap_failure(plan.transformer, expected_python_type, lv, exc) from exc

    @default_on_class
    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """A Python type for ``literal_type``, asking every transformer (loading plugins if none can).

        Fallback transformers are asked last, through ``typeflow_fallback_transformer(typing.Any)``.
        The literal type may come from an untrusted literal: whatever it holds,
        the only errors are typeflow errors (a type
        nested deeper than :data:`MAX_GUESS_DEPTH`, a recursive or malformed
        dataclass schema, a transformer failing, no transformer claiming it).
        """
        if not isinstance(literal_type, LiteralType):
            raise TypeTransformerFailedError(
                f"guess_python_type needs a LiteralType, not {type_name(type(literal_type))}",
                hint="pass engine.to_literal_type(t), or a LiteralType read with a literal",
            )
        depth = _guess_depth.get()
        if depth >= MAX_GUESS_DEPTH:
            raise TypeTransformerFailedError(
                f"the literal type nests deeper than {MAX_GUESS_DEPTH} levels", hint="pass the Python type explicitly"
            )
        # one answer per literal type object within a call: two transformers that both recurse
        # (List and Iterator on a collection type) would otherwise ask 2^depth times
        answers = _guess_answers.get() if depth else {}
        known = answers.get(id(literal_type))
        if known is not None:
            if isinstance(known[1], TypeflowError):
                raise known[1]
            return known[1]
        token = _guess_depth.set(depth + 1)
        answers_token = _guess_answers.set(answers) if not depth else None
        try:
            answer = self._guess(literal_type)
        except RecursionError:  # a transformer's own recursion on a type within the depth limit
            error = TypeTransformerFailedError(
                "the literal type nests too deeply to guess a Python type for it", hint="pass the Python type explicitly"
            )
            answers[id(literal_type)] = (literal_type, error)
            raise error from None
        except TypeflowError as exc:
            answers[id(literal_type)] = (literal_type, exc)
            raise
        finally:
            _guess_depth.reset(token)
            if answers_token is not None:
                _guess_answers.reset(answers_token)
        answers[id(literal_type)] = (literal_type, answer)
        return answer

    def _guess(self, literal_type: LiteralType) -> Any:
        reason: TypeflowError | None = None  # the first transformer that took the literal type for its own and failed
        for attempt in range(2):
            # newest first: a plugin registered later knows its literal types better than the built-ins
            candidates = [reg.transformer for reg in reversed(self.registry.transformers())]
            fallback = self._loader.fallback_transformer(typing.Any)
            if fallback is not None:
                candidates.append(fallback)
            for transformer in candidates:
                try:
                    return transformer.guess_python_type(literal_type)
                except TypeflowError as exc:
                    reason = reason or exc
                except (ValueError, TypeError, NotImplementedError):
                    continue  # not a literal type this transformer writes
                except RecursionError:
                    raise
                except Exception as exc:  # a transformer's bug must not hide the others, nor escape untyped
                    reason = reason or TypeTransformerFailedError(
                        f"transformer {transformer.name} failed to guess a Python type: {type(exc).__name__}: {exc}"
                    )
            if attempt == 0:
                self.load_all_plugins()
        if reason is not None:
            raise reason
        raise TypeTransformerFailedError(
            f"no transformer can turn literal type {_short(literal_type)} back into a Python type",
            hint="pass the Python type explicitly, or install the plugin that wrote the literal",
        )

    # ------------------------------------------------------------------ maps (typeflow._maps)

    @default_on_class
    def dict_to_literal_map(self, ctx: TransformContext, values: Mapping[str, Any], type_hints: Mapping[str, Any]) -> LiteralMap:
        """Convert named values (``{"x": 1}``) with their types (``{"x": int}``) to a :class:`LiteralMap`."""
        return _maps.dict_to_literal_map(self, ctx, values, type_hints)

    @default_on_class
    async def async_dict_to_literal_map(
        self, ctx: TransformContext, values: Mapping[str, Any], type_hints: Mapping[str, Any]
    ) -> LiteralMap:
        """Like :meth:`dict_to_literal_map`, awaiting asynchronous transformers together."""
        return await _maps.async_dict_to_literal_map(self, ctx, values, type_hints)

    @default_on_class
    def literal_map_to_kwargs(self, ctx: TransformContext, lm: LiteralMap, python_types: Mapping[str, Any]) -> dict[str, Any]:
        """Convert a :class:`LiteralMap` to keyword arguments of the given types."""
        return _maps.literal_map_to_kwargs(self, ctx, lm, python_types)

    @default_on_class
    async def async_literal_map_to_kwargs(
        self, ctx: TransformContext, lm: LiteralMap, python_types: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Like :meth:`literal_map_to_kwargs`, awaiting asynchronous transformers together."""
        return await _maps.async_literal_map_to_kwargs(self, ctx, lm, python_types)


def _short(value: Any, limit: int = 300) -> str:
    """``repr(value)`` cut to ``limit`` characters (a literal type from a literal may be huge or deeply nested)."""
    try:
        text = repr(value)
    except RecursionError:
        return f"<{type(value).__name__} nested too deeply to show>"
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _wrap_failure(transformer: TypeTransformer[Any], python_type: Any, value: Any, exc: Exception) -> TypeTransformerFailedError:
    return TypeTransformerFailedError(
        f"transformer {transformer.name} failed: {type(exc).__name__}: {exc}", python_type=python_type, value=value
    )
