"""The read budget: the most bytes one blob read from a literal may decode to, per context.

A literal's blob can claim a size (a ``.npy`` header's shape, a parquet
footer's row counts, a pickle's recorded size) far beyond its own bytes.
Readers check what they are about to hold against :func:`read_budget` before
allocating it, and refuse with :class:`~typeflow.errors.ReadBudgetError`
naming the budget and how to raise it.

The budget is ``engine.context(read_budget=N)``, else ``TYPEFLOW_READ_BUDGET``
(bytes, or with a unit: ``512MiB``, ``4GiB``, ``2GB``), else
:data:`DEFAULT_READ_BUDGET` (1 GiB).

A compressed blob (parquet) also has an *expansion* limit: by default what
it decodes to may pass :data:`EXPANSION_FLOOR` (64 MiB) only up to
:data:`DEFAULT_READ_EXPANSION` (1000) times its stored bytes, so a few
hundred bytes cannot make the reader hold hundreds of megabytes even within
the budget. ``read_expansion`` / ``TYPEFLOW_READ_EXPANSION`` sets the factor
(``0`` turns it off). A reader who sets ``read_budget`` has said how much one
read may hold, so then the budget alone governs unless ``read_expansion`` is
set as well.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from typeflow.errors import ReadBudgetError, StorageError

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = [
    "DEFAULT_READ_BUDGET",
    "DEFAULT_READ_EXPANSION",
    "EXPANSION_FLOOR",
    "READ_BUDGET_OPTION",
    "READ_EXPANSION_OPTION",
    "check_read_budget",
    "parse_size",
    "read_budget",
    "read_expansion",
]

#: the context option (and, upper-cased with ``TYPEFLOW_``, the environment variable)
READ_BUDGET_OPTION = "read_budget"
#: bytes one blob read may decode to when nothing else is set
DEFAULT_READ_BUDGET = 2**30
#: the context option (and ``TYPEFLOW_READ_EXPANSION``) for the expansion factor
READ_EXPANSION_OPTION = "read_expansion"
#: how many times its stored bytes a compressed blob may decode to, past the floor
DEFAULT_READ_EXPANSION = 1000
#: decoded sizes up to this are never refused for their expansion
EXPANSION_FLOOR = 64 * 2**20

_UNITS = {"": 1, "b": 1, "k": 10**3, "kb": 10**3, "kib": 2**10, "m": 10**6, "mb": 10**6, "mib": 2**20}
_UNITS |= {"g": 10**9, "gb": 10**9, "gib": 2**30, "t": 10**12, "tb": 10**12, "tib": 2**40}
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([a-zA-Z]*)\s*")


def parse_size(raw: Any) -> int:
    """``1048576``, ``"1MiB"``, ``"1.5 GB"`` → bytes; ``ValueError`` for anything else."""
    if isinstance(raw, bool):
        raise ValueError(f"not a size: {raw!r}")
    if isinstance(raw, int):
        if raw < 0:
            raise ValueError(f"a size cannot be negative: {raw}")
        return raw
    match = _SIZE.fullmatch(str(raw))
    if match is None or match.group(2).lower() not in _UNITS:
        raise ValueError(f"not a size: {raw!r} (use bytes, or a unit such as 512MiB or 4GiB)")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def read_budget(ctx: TransformContext) -> int:
    """The context's read budget in bytes (option ``read_budget`` / ``TYPEFLOW_READ_BUDGET``, default 1 GiB)."""
    raw = ctx.option(READ_BUDGET_OPTION, DEFAULT_READ_BUDGET)
    try:
        return parse_size(raw)
    except ValueError as exc:
        raise StorageError(f"the {READ_BUDGET_OPTION} setting is invalid: {exc}") from None


def read_expansion(ctx: TransformContext) -> float | None:
    """The expansion factor in force, or ``None`` when only the budget governs (see the module docstring)."""
    raw = ctx.option(READ_EXPANSION_OPTION, None)
    if raw is None:
        # an explicit budget says what one read may hold; the factor is the default's safety net
        return None if ctx.option(READ_BUDGET_OPTION, None) is not None else DEFAULT_READ_EXPANSION
    try:
        factor = float(raw)
    except (TypeError, ValueError):
        factor = -1.0
    if factor < 0 or isinstance(raw, bool) or factor != factor:
        raise StorageError(f"the {READ_EXPANSION_OPTION} setting is invalid: {raw!r} (use a factor such as 1000, or 0 for off)")
    return factor or None


def check_read_budget(ctx: TransformContext, needed: int, uri: str, what: str = "the blob", *, stored: int | None = None) -> None:
    """Refuse, before anything is allocated, a read that would hold ``needed`` bytes over the budget.

    ``stored``: the blob's own size in bytes, for blobs that decompress; the
    read is then also held to the expansion limit.
    """
    budget = read_budget(ctx)
    if needed > budget:
        raise ReadBudgetError(
            f"cannot read: {what} would take {needed} bytes, over the read budget of {budget} bytes; "
            f"if you trust it, raise the budget with engine.context({READ_BUDGET_OPTION}=N) or "
            f"TYPEFLOW_{READ_BUDGET_OPTION.upper()}=N (e.g. 4GiB)",
            uri=uri,
            budget=budget,
            needed=needed,
        )
    factor = read_expansion(ctx) if stored is not None else None
    if factor is None or stored is None:
        return
    allowed = max(EXPANSION_FLOOR, int(stored * factor))
    if needed > allowed:
        raise ReadBudgetError(
            f"cannot read: {what} would take {needed} bytes from {stored} stored bytes, more than {factor:g} times "
            f"its size (and more than {EXPANSION_FLOOR} bytes), which a blob may expand to by default; if you trust "
            f"it, set the read budget explicitly with engine.context({READ_BUDGET_OPTION}=N) or "
            f"TYPEFLOW_{READ_BUDGET_OPTION.upper()}=N (then the budget alone governs), or raise the factor with "
            f"{READ_EXPANSION_OPTION}=M / TYPEFLOW_{READ_EXPANSION_OPTION.upper()}=M (0 turns it off)",
            uri=uri,
            budget=allowed,
            needed=needed,
        )
