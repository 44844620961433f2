"""``BatchSize`` lives in core (``from typeflow import BatchSize``); re-exported here, the same class."""

from __future__ import annotations

from typeflow.batching import BatchSize, batch_size_of

__all__ = ["BatchSize", "batch_size_of"]
