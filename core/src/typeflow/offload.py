"""Offloaded literals: a literal too big to pass inline goes to storage, and a small one points at it.

With ``engine.context(offload_above=N)`` (or ``TYPEFLOW_OFFLOAD_ABOVE=N``,
read when the context is made), a top-level conversion whose literal encodes
to more than ``N`` bytes writes those bytes (the wire format) to storage and
returns ``Literal(offloaded_metadata=LiteralOffloadedMetadata(uri,
size_bytes, inferred_type))``, as Flyte does for large task outputs. ``N``
is a number of bytes, optionally with a ``K``/``M``/``G`` (binary) suffix.

Reading is transparent, on any engine and whoever wrote the literal:
``to_python_value``, map conversions and ``LiteralsResolver`` fetch the
payload first. The payload is a blob a literal names, so it is read confined
(through the context's read policy, see :mod:`typeflow.confine`) and within the read budget;
its size must match ``size_bytes``, and a payload that is itself offloaded is
refused. A missing payload is a :class:`~typeflow.errors.StorageError`
naming the URI.

The payload's form follows the context's profile: typeflow's wire format by
default; for the ``flytekit-*`` profiles a serialized flyteidl ``Literal``
(what flytekit writes to ``<output>_offloaded_metadata.pb`` and reads back),
which a package installed under the :data:`PAYLOADS_GROUP` entry point
provides (typeflow-flyteidl), so core never imports protobuf. Reading takes
either form, whatever the profile: the wire format by its magic bytes, any
other through the installed form that recognises it.
"""

from __future__ import annotations

import contextvars
import dataclasses
import os
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

from typeflow.errors import LiteralDecodeError, StorageError, TypeflowError
from typeflow.literals import Literal, LiteralOffloadedMetadata, LiteralType

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = [
    "OFFLOAD_OPTION",
    "PAYLOADS_GROUP",
    "PROFILE_PAYLOADS",
    "PayloadForm",
    "installed_payload_forms",
    "load_offloaded",
    "maybe_offload",
    "parse_size",
    "resolve_offload_option",
]

#: the context option (and, upper-cased with ``TYPEFLOW_``, the environment variable)
OFFLOAD_OPTION = "offload_above"
_SUFFIX = ".tfl"
_UNITS = {"": 1, "K": 2**10, "M": 2**20, "G": 2**30}

#: entry-point group of the payload forms other packages add (each entry point loads to a :class:`PayloadForm`)
PAYLOADS_GROUP = "typeflow.offload_payloads"
#: the payload form each profile's reader expects, where it is not typeflow's wire format
PROFILE_PAYLOADS = {"flytekit-1.16": "flyteidl", "flytekit-1.13": "flyteidl"}


@dataclasses.dataclass(frozen=True)
class PayloadForm:
    """A form of an offloaded literal's payload other than typeflow's wire format (flyteidl's ``Literal`` bytes)."""

    #: the name :data:`PROFILE_PAYLOADS` refers to
    name: str
    #: the payload file's suffix (``".pb"``)
    suffix: str
    #: whether a payload starting with these bytes (at most 64) is of this form
    matches: Callable[[bytes], bool]
    #: the payload bytes of a literal
    dumps: Callable[[Literal], bytes]
    #: the literal in payload bytes; raises :class:`~typeflow.errors.LiteralDecodeError` on bytes that are not one
    loads: Callable[[bytes], Literal]


def installed_payload_forms() -> list[PayloadForm]:
    """The payload forms installed packages declare in :data:`PAYLOADS_GROUP` (one that fails to load is logged)."""
    from typeflow import discovery

    return discovery.declared(PAYLOADS_GROUP, PayloadForm, "offload payload form")


def _writing_form(ctx: TransformContext) -> tuple[str | None, PayloadForm | None]:
    """The payload form the context's profile reads (``None`` for typeflow's wire format), and whether it is installed."""
    wanted = PROFILE_PAYLOADS.get(ctx.profile)
    if wanted is None:
        return None, None
    return wanted, next((form for form in installed_payload_forms() if form.name == wanted), None)


def _missing_form(ctx: TransformContext, wanted: str) -> TypeflowError:
    return TypeflowError(
        f"profile {ctx.profile!r} reads an offloaded literal's payload as a {wanted} Literal, which typeflow-{wanted} "
        f"writes: install typeflow-{wanted}, or offload with the default profile (typeflow reads its own wire format)"
    )


# Set while a top-level conversion runs: the literals of its parts are never offloaded on their own.
_converting: contextvars.ContextVar[bool] = contextvars.ContextVar("typeflow_offload_nested", default=False)


def parse_size(raw: Any, setting: str) -> int:
    """``4194304``, ``"4M"``, ``"4MiB"`` → bytes; a bad value is a :class:`TypeflowError` naming the setting."""
    if isinstance(raw, int) and not isinstance(raw, bool) and raw >= 0:
        return raw
    match = re.fullmatch(r"\s*(\d+)\s*([KMG]?)(?:i?B)?\s*", str(raw), flags=re.IGNORECASE)
    if match is None or isinstance(raw, bool):
        raise TypeflowError(f"{setting} must be a size in bytes such as 4194304 or 4M, got {raw!r}")
    return int(match.group(1)) * _UNITS[match.group(2).upper()]


def resolve_offload_option(options: dict[str, Any]) -> None:
    """Fix ``offload_above`` in a new context's options: given, else ``TYPEFLOW_OFFLOAD_ABOVE``, else off."""
    if OFFLOAD_OPTION in options:
        raw = options[OFFLOAD_OPTION]
        setting = f"engine.context({OFFLOAD_OPTION}=...)"
    else:
        raw = os.environ.get("TYPEFLOW_OFFLOAD_ABOVE", "").strip() or None
        setting = "TYPEFLOW_OFFLOAD_ABOVE"
    if raw is None:
        options.pop(OFFLOAD_OPTION, None)
        return
    options[OFFLOAD_OPTION] = parse_size(raw, setting)


def threshold(ctx: TransformContext) -> int | None:
    value = ctx.options.get(OFFLOAD_OPTION)
    if value is None:
        return None
    if not isinstance(value, int):  # a context built by hand, not through engine.context()
        value = parse_size(value, OFFLOAD_OPTION)
    return value


def nested() -> bool:
    """Whether a top-level conversion with offloading is running (its parts are never offloaded alone)."""
    return _converting.get()


@contextmanager
def converting() -> Iterator[None]:
    """Mark a top-level conversion: conversions it makes of its parts are nested ones."""
    token = _converting.set(True)
    try:
        yield
    finally:
        _converting.reset(token)


def maybe_offload(ctx: TransformContext, lv: Literal, literal_type: LiteralType, limit: int) -> Literal:
    """``lv`` itself if it encodes to at most ``limit`` bytes, else an offloaded literal pointing at its payload."""
    from typeflow import wire
    from typeflow.progress import Transfer

    if lv.offloaded_metadata is not None:
        return lv
    wanted, form = _writing_form(ctx)
    data = wire.dumps(lv) if form is None else form.dumps(lv)
    if len(data) <= limit:
        return lv
    if wanted is not None and form is None:  # only a literal that is offloaded needs the form
        raise _missing_form(ctx, wanted)
    uri = ctx.storage.new_uri(_SUFFIX if form is None else form.suffix)
    with Transfer(ctx, "offload", uri, len(data)), ctx.open_write(uri) as f:
        f.write(data)
    return Literal(offloaded_metadata=LiteralOffloadedMetadata(uri, len(data), literal_type), hash=lv.hash)


def load_offloaded(ctx: TransformContext, lv: Literal) -> Literal:
    """The literal an offloaded literal points at (confined, within the read budget, size checked)."""
    from typeflow import transfer, wire

    meta = lv.offloaded_metadata
    assert meta is not None
    budget = transfer.read_budget(ctx)
    if meta.size_bytes > budget:
        raise StorageError(
            f"cannot read offloaded literal: it says it holds {meta.size_bytes} bytes, more than the read budget of "
            f"{budget} bytes (raise it with engine.context(read_budget=N) or TYPEFLOW_READ_BUDGET)",
            uri=meta.uri,
        )
    data = transfer.read_bytes(ctx, meta.uri, limit=budget)
    if meta.size_bytes and len(data) != meta.size_bytes:
        raise StorageError(
            f"the offloaded payload holds {len(data)} bytes but its literal says {meta.size_bytes}: it was changed or truncated",
            uri=meta.uri,
        )
    form = None if data[: len(wire.MAGIC)] == wire.MAGIC else _reading_form(data, meta.uri)
    try:
        payload = wire.loads(data) if form is None else form.loads(data)
    except LiteralDecodeError as exc:
        raise StorageError(f"the offloaded payload is not a valid literal ({exc})", uri=meta.uri) from exc
    if not isinstance(payload, Literal):
        raise StorageError(f"the offloaded payload holds a {type(payload).__name__}, not a Literal", uri=meta.uri)
    if payload.offloaded_metadata is not None:
        raise StorageError("the offloaded payload is itself an offloaded literal; refusing to follow it", uri=meta.uri)
    return payload


def _reading_form(data: bytes, uri: str) -> PayloadForm:
    """The installed form a payload that is not typeflow's wire format is in."""
    for form in installed_payload_forms():
        if form.matches(data[:64]):
            return form
    raise StorageError(
        f"the offloaded payload is not typeflow's wire format (first bytes {data[:8]!r}), nor a form an installed "
        "package reads: a flyteidl Literal (what flytekit writes) is read when typeflow-flyteidl is installed",
        uri=uri,
    )
