"""flytekit 1.13's batched pickle lists (``List[FlytePickle]`` with ``BatchSize``), both ways, and its reading of
typeflow's offloaded literals (env ``flyteidl113``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Dict, List

from flytekit.core.context_manager import FlyteContextManager
from flytekit.core.type_engine import TypeEngine as FlyteTypeEngine
from flytekit.models.literals import Literal as FlyteLiteral
from flytekit.types.pickle.pickle import BatchSize as FlyteBatchSize
from flytekit.types.pickle.pickle import FlytePickle

import typeflow
from typeflow_flyteidl import from_flyteidl, to_flyteidl
from typeflow_pickle import BatchSize

from .families import Obj

OBJS = [Obj(i) for i in range(5)]
FLYTE_BATCHED = Annotated[List[FlytePickle], FlyteBatchSize(2)]


def test_flytekit_1_13_reads_typeflows_batches(tmp_path: Path) -> None:
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=str(tmp_path), profile="flytekit-1.13")
    lv = engine.to_literal(ctx, OBJS, Annotated[List[Obj], BatchSize(2)])
    assert lv.collection is not None and len(lv.collection.literals) == 3  # batches of 2, 2, 1
    fl = FlyteLiteral.from_flyte_idl(to_flyteidl(lv))
    assert FlyteTypeEngine.to_python_value(FlyteContextManager.current_context(), fl, FLYTE_BATCHED) == OBJS


def test_typeflow_reads_flytekit_1_13s_batches(tmp_path: Path) -> None:
    fctx = FlyteContextManager.current_context()
    fl = FlyteTypeEngine.to_literal(fctx, OBJS, FLYTE_BATCHED, FlyteTypeEngine.to_literal_type(FLYTE_BATCHED))
    assert len(fl.collection.literals) == 3
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=str(tmp_path), read_roots=[fctx.file_access.raw_output_prefix])
    lv = from_flyteidl(fl.to_flyte_idl())
    assert engine.to_python_value(ctx, lv, List[Obj]) == OBJS  # type: ignore[arg-type]


def test_flytekit_1_13_reads_typeflows_offloaded_literal(tmp_path: Path) -> None:
    """Under the flytekit-1.13 profile the payload is flyteidl Literal bytes, which flytekit 1.13.x downloads and parses."""
    engine = typeflow.TypeEngine()
    ctx = engine.context(storage=str(tmp_path), profile="flytekit-1.13", offload_above=64)
    value = {f"k{i}": float(i) for i in range(100)}
    lv = engine.to_literal(ctx, value, Dict[str, float])
    assert lv.offloaded_metadata is not None and lv.offloaded_metadata.uri.endswith(".pb")
    fl = FlyteLiteral.from_flyte_idl(to_flyteidl(lv))
    assert FlyteTypeEngine.to_python_value(FlyteContextManager.current_context(), fl, Dict[str, float]) == value
