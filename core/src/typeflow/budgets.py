"""The read budget: the most bytes one blob read from a literal may decode to, per context.

A literal's blob can claim a size (a ``.npy`` header's shape, a parquet
footer's row counts, a pickle's recorded size) far beyond its own bytes.
Readers check what they are about to hold against :func:`read_budget` before
allocating it, and refuse with :class:`~typeflow.errors.ReadBudgetError`
naming the budget and how to raise it.

The budget is ``engine.context(read_budget=N)``, else ``TYPEFLOW_READ_BUDGET``
(bytes, or with a unit: ``512MiB``, ``4GiB``, ``2GB``), else
:data:`DEFAULT_READ_BUDGET` (1 GiB).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from typeflow.errors import ReadBudgetError, StorageError

if TYPE_CHECKING:
    from typeflow.transformer import TransformContext

__all__ = ["DEFAULT_READ_BUDGET", "READ_BUDGET_OPTION", "check_read_budget", "parse_size", "read_budget"]

#: the context option (and, upper-cased with ``TYPEFLOW_``, the environment variable)
READ_BUDGET_OPTION = "read_budget"
#: bytes one blob read may decode to when nothing else is set
DEFAULT_READ_BUDGET = 2**30

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


def check_read_budget(ctx: TransformContext, needed: int, uri: str, what: str = "the blob") -> None:
    """Refuse, before anything is allocated, a read that would hold ``needed`` bytes over the budget."""
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
