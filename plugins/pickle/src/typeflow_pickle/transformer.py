"""``PickleTransformer``: any type no transformer claims ↔ cloudpickle blobs (format ``PythonPickle``).

A lone value is one blob. A list of such a type (``List[T]``, handed over
whole by the list transformer) is a collection literal of blobs: one file
for the whole list, or one per ``BatchSize(n)`` items, read back as one flat
list in order. An empty list is a collection of no blobs.
"""

from __future__ import annotations

import logging
import threading
import uuid
from collections.abc import Sequence
from typing import Any, get_origin

from typeflow.engine import trace
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralCollection, LiteralType
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from . import blobs, signing
from . import metadata as md
from ._batch import batch_size_of
from .errors import PickleDecodeError, PickleError, PickleSignatureError

__all__ = ["PickleTransformer"]

log = logging.getLogger("typeflow.pickle")

#: context option (or ``TYPEFLOW_PICKLE_UNTYPED=1``) that lets ``Any`` or a guessed type unpickle
UNTYPED_OPTION = "pickle_untyped"

#: the profile whose readers take one file per list item (flytekit 1.16 reads a batch file as one nested list)
PER_ITEM_PROFILE = "flytekit-1.16"

_announced: set[Any] = set()
_announced_lock = threading.Lock()


def _label(t: Any) -> str:
    if isinstance(t, type):
        return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"
    return repr(t).replace("typing.", "")


def _claimed_by(ctx: TransformContext, t: Any) -> str | None:
    """The name of the transformer that claims ``t`` and handed this value over (bytes for flytekit, a dict), if any."""
    try:
        found = ctx.engine.get_transformer(t)
    except TypeflowError:
        return None
    return None if isinstance(found, PickleTransformer) else found.name


def _announce(ctx: TransformContext, t: Any) -> None:
    """Warn once per type and process that values of ``t`` are being pickled."""
    try:
        key: Any = t
        hash(key)
    except TypeError:
        key = repr(t)
    if key in _announced:
        return
    with _announced_lock:
        if key in _announced:
            return
        _announced.add(key)
    owner = _claimed_by(ctx, t)
    if owner is not None:
        log.warning(
            "the %s transformer hands %s values to typeflow-pickle, which stores them as cloudpickle blobs (format %s): "
            "the form flytekit reads under profile %r, or a dict msgpack cannot hold. Pickles are readable only under "
            "Python %s, and unpickling runs code (logged once per type)",
            owner,
            _label(t),
            blobs.FORMAT,
            ctx.profile,
            md.RUNNING_PYTHON,
        )
        return
    from typeflow.hints import missing_plugin_hint

    # a type whose package has a typeflow plugin (numpy, pandas, ...) is pickled only while that plugin
    # is not installed: say which one would give it a real literal type
    fix = missing_plugin_hint(t) or "register a TypeTransformer or use a dataclass to give the type a real literal type"
    log.warning(
        "no transformer claims %s, so typeflow-pickle stores its values as cloudpickle blobs (format %s). "
        "Pickles are opaque, readable only under Python %s, and unpickling runs code: %s (logged once per type)",
        _label(t),
        blobs.FORMAT,
        md.RUNNING_PYTHON,
        fix,
    )


def _checkable_class(t: Any) -> type | None:
    """The class values of ``t`` must be instances of, when ``isinstance`` can tell."""
    cls = t if isinstance(t, type) else get_origin(t)
    if not isinstance(cls, type) or cls is object:
        return None
    try:
        isinstance(None, cls)
    except TypeError:  # e.g. a Protocol that is not runtime-checkable
        return None
    return cls


class PickleTransformer(TypeTransformer[Any]):
    """Pickles values of one Python type that no other transformer claims.

    Made by the ``typeflow_fallback_transformer`` hook for each such type; not
    registered by hand.

        >>> import typeflow
        >>> class People:
        ...     def __init__(self, name): self.name = name
        >>> engine = typeflow.TypeEngine()
        >>> ctx = engine.context(storage="/tmp/typeflow-doc")
        >>> engine.to_literal(ctx, People("Ada"), People).scalar.blob.metadata.type.format
        'PythonPickle'
    """

    def __init__(self, t: Any) -> None:
        # flytekit's name (the union tag flytekit reads); python_class_name in the literal type tells two pickled types apart
        super().__init__("FlytePickle", t)
        self._class = _checkable_class(t)

    def get_literal_type(self, t: Any) -> LiteralType:
        # python_class_name as flytekit records it; it also tells two pickled variants of a Union apart
        return LiteralType(blob=blobs.BLOB_TYPE, metadata={"python_class_name": str(strip_annotated(t)[0])})

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if literal_type.blob is not None and literal_type.blob.format == blobs.FORMAT:
            return self.python_type
        raise ValueError(f"not a {blobs.FORMAT} blob type")

    # ------------------------------------------------------------------ checks

    def _check_value(self, value: Any, python_type: Any) -> None:
        cls = self._class
        if cls is not None and not isinstance(value, cls):
            raise TypeTransformerFailedError("value is not of the declared type", python_type=python_type, value=value)

    def _check_values(self, values: Sequence[Any], element_type: Any) -> None:
        cls = self._class
        if cls is None or all(type(v) is cls for v in values):
            return
        for i, value in enumerate(values):
            try:
                self._check_value(value, element_type)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from None

    def _check_unpickled(self, value: Any, blob: blobs.PickleBlob, python_type: Any) -> None:
        """An unpickled object must be of the declared class (a swapped blob could hold anything)."""
        cls = self._class
        if cls is not None and not isinstance(value, cls):
            raise PickleDecodeError(
                f"the pickle at {blob.uri} holds a {md.class_label(type(value))}, not the declared {md.class_label(cls)}",
                uri=blob.uri,
                python_type=python_type,
                hint="read it with the type it was written as",
            )

    def _check_unpickled_items(self, values: list[Any], element_type: Any) -> None:
        cls = self._class
        if cls is None or all(type(v) is cls for v in values):
            return
        for i, value in enumerate(values):
            if not isinstance(value, cls):
                raise PickleDecodeError(
                    f"item {i} of the unpickled list is a {md.class_label(type(value))}, not the declared {md.class_label(cls)}",
                    python_type=element_type,
                    hint="read it with the type it was written as",
                ).at(f"[{i}]")

    # ------------------------------------------------------------------ one value

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        """Pickle ``python_val`` into one ``PythonPickle`` blob."""
        t = strip_annotated(python_type)[0]
        self._check_value(python_val, python_type)
        _announce(ctx, t)
        lv = blobs.write_blob(ctx, python_val, blobs.base_metadata("value"), signing.key_from(ctx), python_type)
        trace("pickled a %s into %s", _label(t), lv.scalar.blob.uri if lv.scalar and lv.scalar.blob else "?")
        return lv

    def _refuse_untyped(self, ctx: TransformContext, python_type: Any) -> None:
        """Unpickling where no class was declared (``Any``, a guessed type) needs the user's opt-in.

        Without it a literal from someone else would decide, through its blob
        format alone, that code runs when it is read.
        """
        if self._class is not None or md.is_true(ctx.option(UNTYPED_OPTION, False)):
            return
        raise PickleError(
            f"refusing to unpickle where {_label(strip_annotated(python_type)[0])} is declared: no class was declared, "
            "so the literal alone would choose to run a pickle",
            python_type=python_type,
            hint=f"declare the pickled type, or opt in with engine.context({UNTYPED_OPTION}=True) or "
            f"TYPEFLOW_{UNTYPED_OPTION.upper()}=1 if you trust where the literal comes from",
        )

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Any:
        """Check and unpickle one ``PythonPickle`` blob."""
        self._refuse_untyped(ctx, expected_python_type)
        key = signing.key_from(ctx)
        blob = blobs.parse_blob(ctx, lv, key, expected_python_type)
        if blob.meta.get(md.KIND) == "batch":
            raise TypeTransformerFailedError(
                f"the pickle at {blob.uri} holds a batch of list items, not one value",
                python_type=expected_python_type,
                hint=f"read it as List[{_label(strip_annotated(expected_python_type)[0])}]",
            )
        if key is not None:
            value = blobs.loads(blob, blobs.fetch_verified(ctx, blob, key, expected_python_type), expected_python_type)
        else:
            value = blobs.load_stream(ctx, blob, expected_python_type)
        self._check_unpickled(value, blob, expected_python_type)
        trace("unpickled a %s from %s", _label(strip_annotated(expected_python_type)[0]), blob.uri)
        return value

    # ------------------------------------------------------------------ whole lists

    def to_literal_collection(
        self, ctx: TransformContext, values: list[Any], element_type: Any, annotations: tuple[Any, ...]
    ) -> Literal:
        """Pickle a list into one file, or one file per ``BatchSize(n)`` items; a collection literal of the blobs.

        With the ``flytekit-1.16`` profile every item is its own file, the
        layout flytekit 1.16 reads (it would read a batch file as one nested
        list), whatever ``BatchSize`` says.
        """
        self._check_values(values, element_type)
        t = strip_annotated(element_type)[0]
        _announce(ctx, t)
        total = len(values)
        per_item = ctx.profile == PER_ITEM_PROFILE
        size = 1 if per_item else batch_size_of(annotations) or max(total, 1)
        starts = list(range(0, total, size))
        count = len(starts)
        key = signing.key_from(ctx)
        list_id = uuid.uuid4().hex  # signed into every file: files of two lists cannot be spliced into one
        written: list[str] = []  # list.append is atomic, so worker threads share it without a lock

        def write(index: int) -> Literal:
            start = starts[index]
            if per_item:
                item = values[start]
                meta = blobs.base_metadata("value")
                meta[md.BATCH] = f"{index}/{count}"
                meta[md.LIST] = list_id
                lv = blobs.write_blob(
                    ctx, item, meta, key, element_type, lambda: _locate_unpicklable([item], start, element_type)
                )
            else:
                batch = values if count == 1 else values[start : start + size]
                meta = blobs.base_metadata("batch")
                meta[md.ITEMS] = str(len(batch))
                meta[md.BATCH] = f"{index}/{count}"
                meta[md.LIST] = list_id
                lv = blobs.write_blob(
                    ctx, batch, meta, key, element_type, lambda: _locate_unpicklable(batch, start, element_type)
                )
            written.append(lv.scalar.blob.uri)  # type: ignore[union-attr]  # write_blob makes a blob literal
            return lv

        workers = blobs.workers_for(ctx, blobs.storage_is_local(ctx))
        try:
            # ordered_map returns (or raises) only after every write it started has finished
            literals = tuple(blobs.ordered_map(write, range(count), workers))
        except BaseException:
            blobs.delete_quietly(ctx, written)  # a list that failed to convert leaves none of its files
            raise
        trace("pickled a list of %d %s into %d file(s)", total, _label(t), count)
        return Literal(collection=LiteralCollection(literals))

    def to_python_collection(
        self, ctx: TransformContext, lv: Literal, element_type: Any, annotations: tuple[Any, ...]
    ) -> list[Any]:
        """Read a collection of ``PythonPickle`` blobs back as one flat list, in order."""
        self._refuse_untyped(ctx, element_type)
        if lv.collection is None:
            raise TypeTransformerFailedError(
                f"cannot read a {lv.variant} literal as a list of pickles (expected a collection of {blobs.FORMAT} blobs)",
                python_type=element_type,
            )
        literals = list(lv.collection.literals)
        key = signing.key_from(ctx)
        parsed = []
        for i, lit in enumerate(literals):  # every check that needs no I/O, on every file, before any unpickling
            try:
                blob = blobs.parse_blob(ctx, lit, key, element_type)
                _check_position(blob, i, len(literals), element_type)
            except TypeTransformerFailedError as exc:
                raise exc.at(f"[{i}]") from exc.__cause__
            parsed.append(blob)
        if key is not None:
            _check_one_list(parsed, element_type)
        workers = blobs.workers_for(ctx, blobs.all_local([b.uri for b in parsed]))
        out: list[Any] = []
        if key is not None:
            # every file is verified before any is unpickled
            verified = list(blobs.ordered_map(lambda b: blobs.fetch_verified(ctx, b, key, element_type), parsed, workers))
            for blob, data in zip(parsed, verified):
                _extend(out, blob, blobs.loads(blob, data, element_type), element_type)
        elif workers > 1:
            fetched = blobs.ordered_map(lambda b: _read_all(ctx, b), parsed, workers)
            for blob, data in zip(parsed, fetched):
                _extend(out, blob, blobs.loads(blob, data, element_type), element_type)
        else:
            for blob in parsed:
                _extend(out, blob, blobs.load_stream(ctx, blob, element_type), element_type)
        self._check_unpickled_items(out, element_type)
        trace("unpickled a list of %d %s from %d file(s)", len(out), _label(strip_annotated(element_type)[0]), len(parsed))
        return out


def _read_all(ctx: TransformContext, blob: blobs.PickleBlob) -> bytes:
    """The bytes of an unsigned blob, read only from inside the storage root or a read root, within the read budget."""
    from typeflow.transfer import read_bytes

    ctx.check_read(blob.uri, roots_only=True)
    return read_bytes(ctx, blob.uri)


def _check_one_list(parsed: list[blobs.PickleBlob], element_type: Any) -> None:
    """Under a key, every file of a collection must have been signed as part of the same written list."""
    ids = {b.meta.get(md.LIST) for b in parsed}
    if None in ids or len(ids) > 1:
        where = next((b.uri for b in parsed if b.meta.get(md.LIST) is None), parsed[0].uri if parsed else "")
        raise PickleSignatureError(
            "the files of this collection were not signed as one list (files of different lists, or lone values, "
            f"were put together; first odd one: {where}), so none was unpickled",
            uri=where,
            python_type=element_type,
            hint="do not trust this literal; write the list again",
        )


def _check_position(blob: blobs.PickleBlob, index: int, count: int, element_type: Any) -> None:
    position = blob.meta.get(md.BATCH)
    if position is not None and position != f"{index}/{count}":
        raise TypeTransformerFailedError(
            f"the pickle at {blob.uri} is batch {position} of its list, but stands at {index}/{count} in this collection: "
            "batches were reordered, dropped or added",
            python_type=element_type,
        )


def _extend(out: list[Any], blob: blobs.PickleBlob, value: Any, element_type: Any) -> None:
    kind = blob.meta.get(md.KIND)
    if kind is None:  # written by flytekit: 1.16 pickles each item, 1.13 batches them (List[FlytePickle])
        cls = _checkable_class(strip_annotated(element_type)[0])
        if type(value) is list and not (cls is not None and isinstance(value, cls)):
            out.extend(value)
        else:
            out.append(value)
        return
    if kind != "batch":
        out.append(value)  # a lone-value pickle inside a collection (one file per item)
        return
    items = blob.meta.get(md.ITEMS)
    if not isinstance(value, list) or (items is not None and str(len(value)) != items):
        got = f"a list of {len(value)}" if isinstance(value, list) else f"a {type(value).__name__}"
        raise PickleDecodeError(
            f"the pickle at {blob.uri} should hold a batch of {items or 'some'} items but holds {got}",
            uri=blob.uri,
            python_type=element_type,
        )
    out.extend(value)


def _locate_unpicklable(batch: list[Any], start: int, element_type: Any) -> TypeTransformerFailedError | None:
    """After a batch failed to pickle: find the first item that does not pickle alone, and say where."""
    import cloudpickle

    for j, item in enumerate(batch):
        try:
            cloudpickle.dumps(item, protocol=blobs.PROTOCOL)
        except Exception as exc:
            err = TypeTransformerFailedError(
                f"cloudpickle cannot pickle this item ({type(exc).__name__}: {exc}); none of the list's files were kept",
                python_type=element_type,
                value=item,
                hint="values holding locks, open files, sockets or generators cannot be pickled",
            )
            err.__cause__ = exc
            return err.at(f"[{start + j}]")
    return None
