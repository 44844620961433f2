"""The transformer contract: how one Python type becomes a literal and back.

A transformer ported from flytekit keeps its method names and signatures:

    class PointTransformer(TypeTransformer[Point]):
        def __init__(self):
            super().__init__("Point", Point)

        def get_literal_type(self, t):
            return LiteralType(simple=SimpleType.STRING)

        def to_literal(self, ctx, python_val, python_type, expected):
            return Literal(scalar=Scalar(primitive=Primitive(string_value=f"{python_val.x},{python_val.y}")))

        def to_python_value(self, ctx, lv, expected_python_type):
            x, y = lv.scalar.primitive.string_value.split(",")
            return Point(int(x), int(y))
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, Generic, TypeVar, get_args, get_origin

from typeflow._aio import run_sync
from typeflow.errors import ProfileError, TypeTransformerFailedError, type_name

# storage, confinement and deadlines are imported where a context is made or used, not here:
# `import typeflow` imports this module, and must stay cheap (benchmarks/RESULTS.md, import row)
if TYPE_CHECKING:
    from typeflow.confine import ReadLocation, ReadPolicy
    from typeflow.engine import TypeEngine
    from typeflow.literals import Literal, LiteralType
    from typeflow.storage import Storage

__all__ = ["PROFILES", "AsyncTypeTransformer", "HashMethod", "TransformContext", "TypeTransformer", "check_profile"]

T = TypeVar("T")

#: who will read the literals a context writes, where flytekit versions read different forms
#: (a list of pickles: one blob per element for flytekit 1.16; batches for 1.13 and typeflow)
PROFILES = ("typeflow", "flytekit-1.16", "flytekit-1.13")


def check_profile(name: Any, source: str = "profile") -> str:
    """``name`` if it is one of :data:`PROFILES`; a :class:`ProfileError` saying which are, otherwise."""
    if name not in PROFILES:
        raise ProfileError(f"unknown {source} {name!r}; typeflow knows {', '.join(repr(p) for p in PROFILES)}")
    return str(name)


class TransformContext:
    """What a conversion may use: the engine (for nested types), blob storage, read roots, options.

    Make one with ``engine.context()`` or ``engine.context(storage="s3://bucket/prefix")``.
    ``options`` holds plugin settings (e.g. ``{"pickle_allow_version_mismatch": True}``).

    **Reading a URI that came from a literal** goes through :meth:`open_read`
    (or :meth:`local_path` where a reader needs a local path), never through
    ``open``, fsspec or ``ctx.storage`` directly: they apply the context's
    read policy (:mod:`typeflow.confine`). By default that is the storage's
    own location (its bucket, or any regular local file for local storage);
    ``read_roots`` (``engine.context(read_roots=[...])``, else
    ``TYPEFLOW_READ_ROOTS``, comma-separated) lists more.

    **Writing a blob** goes through :meth:`open_write`. Remote reads and
    writes opened through the context wait on the storage at most
    ``io_deadline`` seconds in total (``engine.context(io_deadline=S)``, else
    ``TYPEFLOW_IO_DEADLINE``, else 300 s; see :mod:`typeflow.deadlines`).

    ``profile`` (``engine.context(profile="flytekit-1.16")``, else
    ``TYPEFLOW_PROFILE``, else ``"typeflow"``) names who will read the
    literals, for the forms flytekit versions read differently (see :data:`PROFILES`).
    """

    __slots__ = ("_policy", "engine", "options", "profile", "storage")

    def __init__(
        self,
        engine: TypeEngine,
        storage: Storage,
        options: dict[str, Any] | None = None,
        read_roots: Iterable[str] | None = None,
    ) -> None:
        from typeflow.confine import ReadPolicy, read_roots_from_env

        self.engine = engine
        self.storage = storage
        self.options: dict[str, Any] = dict(options or {})
        if read_roots is None:
            roots = read_roots_from_env()
        elif isinstance(read_roots, str):
            roots = (read_roots,)
        else:
            roots = tuple(read_roots)
        self._policy = ReadPolicy(storage.url, roots)
        if "profile" in self.options:
            self.profile = check_profile(self.options["profile"])
        else:
            self.profile = check_profile(os.environ.get("TYPEFLOW_PROFILE") or PROFILES[0], "TYPEFLOW_PROFILE")

    @property
    def read_roots(self) -> tuple[str, ...]:
        """Where, besides its storage's location, this context reads blobs from."""
        return self._policy.read_roots

    @property
    def read_policy(self) -> ReadPolicy:
        """The :class:`~typeflow.confine.ReadPolicy` that :meth:`open_read` applies."""
        return self._policy

    def check_read(self, uri: str, *, roots_only: bool = False, reason: str | None = None) -> ReadLocation:
        """The normalised location of ``uri`` if this context may read it; :class:`StorageError` otherwise.

        ``roots_only=True`` is for content that runs code when read (unsigned
        pickles) and for local folders to list: only the storage's own root or
        a read root admits it. ``reason`` is the refusal's why, when it is not
        that the content runs code (:data:`typeflow.confine.FOLDER_LISTED`).
        """
        return self._policy.check(uri, roots_only=roots_only, reason=reason)

    def open_read(self, uri: str, *, roots_only: bool = False) -> Any:
        """Context manager yielding a binary file for a blob URI from a literal, after :meth:`check_read`.

        Only regular files are opened (a FIFO, device or directory is refused);
        every failure is a :class:`StorageError` naming the URI; a remote read
        waiting on its storage longer than :attr:`io_deadline` in total is an
        :class:`~typeflow.errors.IODeadlineError`.

            >>> with ctx.open_read(lv.scalar.blob.uri) as f:  # doctest: +SKIP
            ...     header = f.read(16)
        """
        return self.storage.open_location(self.check_read(uri, roots_only=roots_only), deadline=self.io_deadline)

    def open_write(self, uri: str) -> Any:
        """Context manager yielding a binary file that becomes the blob at ``uri`` (in :attr:`storage`) only on success.

        ``ctx.storage.open_write(uri)`` with this context's :attr:`io_deadline`.

            >>> uri = ctx.storage.new_uri(".bin")  # doctest: +SKIP
            >>> with ctx.open_write(uri) as f:  # doctest: +SKIP
            ...     f.write(payload)
        """
        from typeflow.storage import LocalStorage

        if isinstance(self.storage, LocalStorage):
            return self.storage.open_write(uri)  # no deadline locally; a subclass may not take the argument
        return self.storage.open_write(uri, deadline=self.io_deadline)

    @property
    def io_deadline(self) -> float | None:
        """Seconds one remote blob read or write may wait on its storage in total; ``None`` is no deadline."""
        from typeflow import deadlines

        return deadlines.io_deadline(self)

    def local_path(self, uri: str, *, roots_only: bool = False) -> str | None:
        """The real local path of ``uri`` when it is a regular local file this context may read; ``None`` if remote.

        For readers that need a path (``np.memmap``, pyarrow); the check is the
        one :meth:`open_read` makes, and the path is symlink-free.
        """
        from typeflow.storage import open_regular_file

        loc = self.check_read(uri, roots_only=roots_only)
        if not loc.local:
            return None
        open_regular_file(loc.path, uri).close()
        return loc.path

    def __repr__(self) -> str:
        roots = f", read_roots={self.read_roots!r}" if self.read_roots else ""
        return f"TransformContext(storage={self.storage!r}{roots}, options={self.options!r}, profile={self.profile!r})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TransformContext):
            return NotImplemented
        mine = (self.engine, self.storage, self.read_roots, self.options, self.profile)
        return mine == (other.engine, other.storage, other.read_roots, other.options, other.profile)

    __hash__ = None  # type: ignore[assignment]

    def option(self, name: str, default: Any = None) -> Any:
        """An option from the context, else ``TYPEFLOW_<NAME>`` from the environment, else ``default``."""
        if name in self.options:
            return self.options[name]
        env = os.environ.get(f"TYPEFLOW_{name.upper()}")
        return default if env is None else env


class HashMethod:
    """``Annotated[T, HashMethod(fn)]`` sets ``Literal.hash = fn(value)``.

    >>> from typing import Annotated
    >>> import hashlib
    >>> Tagged = Annotated[str, HashMethod(lambda s: hashlib.sha256(s.encode()).hexdigest())]
    """

    __slots__ = ("function",)

    def __init__(self, function: Callable[[Any], str]) -> None:
        self.function = function

    def calculate(self, obj: Any) -> str:
        return str(self.function(obj))

    def __repr__(self) -> str:
        return f"HashMethod({getattr(self.function, '__qualname__', self.function)!r})"


class TypeTransformer(ABC, Generic[T]):
    """Converts values of one Python type to literals and back.

    Subclasses implement :meth:`get_literal_type`, :meth:`to_literal` and
    :meth:`to_python_value`, and may implement :meth:`guess_python_type`.
    A transformer that can take a whole list of its type at once also defines
    ``to_literal_collection(ctx, values, element_type, annotations)`` and
    ``to_python_collection(ctx, lv, element_type, annotations)``.
    """

    #: set on transformers whose to_literal/to_python_value are coroutines
    is_async = False

    def __init__(self, name: str, t: Any, enable_type_assertions: bool = True, hash_overridable: bool = False) -> None:
        self._name = name
        self._t = t
        self._type_assertions_enabled = enable_type_assertions
        self._hash_overridable = hash_overridable
        self._registry: Any = None  # set by the registry this transformer is registered with

    @property
    def name(self) -> str:
        return self._name

    @property
    def engine(self) -> TypeEngine:
        """The engine this transformer was registered with (the default engine if none).

        Container transformers use it to reach their element types' transformers
        in ``get_literal_type`` and ``guess_python_type``, where no context is given.
        """
        registry = getattr(self, "_registry", None)  # absent if a subclass skipped __init__
        if registry is not None:
            engine: TypeEngine = registry.engine
            return engine
        from typeflow.engine import TypeEngine

        return TypeEngine.default()

    @property
    def python_type(self) -> Any:
        """The Python type this transformer is registered for."""
        return self._t

    @property
    def type_assertions_enabled(self) -> bool:
        return self._type_assertions_enabled

    @property
    def is_hash_overridable(self) -> bool:
        return self._hash_overridable

    def assert_type(self, t: Any, v: Any) -> None:
        """Raise :class:`TypeTransformerFailedError` unless ``v`` is a value of ``t``.

        The engine calls it before :meth:`to_literal` when :attr:`type_assertions_enabled`
        (the default, as in flytekit). This default strips ``Annotated`` and checks
        ``isinstance`` against the class (or a generic's origin, ``list`` for
        ``List[int]``); override it to accept other values, or to check deeper.
        """
        inner = strip_annotated(t)[0]
        check = get_origin(inner) or inner
        if not isinstance(check, type) or check is object:
            return  # Union, Literal, NewType, Any, …: nothing isinstance can tell
        try:
            ok = isinstance(v, check)
        except TypeError:  # e.g. a Protocol that is not runtime-checkable
            return
        if not ok:
            raise TypeTransformerFailedError(
                f"value is not of the declared type: expected a {type_name(inner)}", python_type=t, value=v
            )

    @abstractmethod
    def get_literal_type(self, t: Any) -> LiteralType:
        """The literal type of Python type ``t``."""

    @abstractmethod
    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        """Convert ``python_val`` (of ``python_type``) to a literal."""

    @abstractmethod
    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Convert ``lv`` back to a value of ``expected_python_type``."""

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        """The Python type for ``literal_type``; ``ValueError`` if this transformer cannot tell."""
        raise ValueError(f"transformer {self.name} cannot guess a Python type for {literal_type}")

    def __repr__(self) -> str:
        return f"{type(self).__name__}(name={self.name!r}, python_type={self.python_type!r})"


class AsyncTypeTransformer(TypeTransformer[T]):
    """A transformer whose conversions are coroutines (I/O-bound work).

    The engine awaits them concurrently in map conversions; the synchronous
    ``to_literal``/``to_python_value`` run them to completion, on a worker thread
    when called inside a running event loop.
    """

    is_async = True

    @abstractmethod
    async def async_to_literal(
        self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None
    ) -> Literal:
        """Convert ``python_val`` to a literal, asynchronously."""

    @abstractmethod
    async def async_to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Convert ``lv`` to a Python value, asynchronously."""

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        return run_sync(self.async_to_literal(ctx, python_val, python_type, expected))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        return run_sync(self.async_to_python_value(ctx, lv, expected_python_type))


def strip_annotated(t: Any) -> tuple[Any, tuple[Any, ...]]:
    """``Annotated[X, a, b]`` → ``(X, (a, b))``; any other type → ``(t, ())``."""
    metadata: tuple[Any, ...] = ()
    while hasattr(t, "__metadata__") and hasattr(t, "__origin__"):
        metadata = tuple(t.__metadata__) + metadata
        t = t.__origin__
    return t, metadata


def type_args(t: Any) -> Sequence[Any]:
    """Type arguments of ``t`` after stripping ``Annotated``."""
    return get_args(strip_annotated(t)[0])
