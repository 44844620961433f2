"""Everything installed: pydantic models whose fields are arrays, frames and pickled objects, locally and on S3."""

from __future__ import annotations

from typing import Optional

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

import typeflow
from typeflow import TypeEngine, wire


class Opaque:
    """A class only typeflow-pickle takes."""

    def __init__(self, n: int) -> None:
        self.n = n


class Experiment(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    name: str
    weights: np.ndarray
    results: pd.DataFrame
    frames: list[pd.DataFrame] = []
    baseline: Optional[np.ndarray] = None
    extra: Optional[Opaque] = None


def experiment() -> Experiment:
    return Experiment(
        name="e1",
        weights=np.arange(6.0).reshape(2, 3),
        results=pd.DataFrame({"a": [1, 2], "b": ["x", "y"]}),
        frames=[pd.DataFrame({"c": [0.5]})],
        extra=Opaque(7),
    )


def _check(back: Experiment) -> None:
    original = experiment()
    assert back.name == "e1"
    assert np.array_equal(back.weights, original.weights)
    pd.testing.assert_frame_equal(back.results.reset_index(drop=True), original.results)
    pd.testing.assert_frame_equal(back.frames[0].reset_index(drop=True), original.frames[0])
    assert back.baseline is None and back.extra is not None and back.extra.n == 7


def _round_trip(ctx: typeflow.TransformContext) -> Experiment:
    lv = ctx.engine.to_literal(ctx, experiment(), Experiment)
    back: Experiment = ctx.engine.to_python_value(ctx, wire.loads(wire.dumps(lv)), Experiment)
    return back


def test_array_frame_and_pickle_fields_of_a_model_round_trip_locally(tmp_path: object) -> None:
    ctx = TypeEngine().context(storage=str(tmp_path))
    _check(_round_trip(ctx))
    lt = ctx.engine.to_literal_type(Experiment)
    assert lt.structure is not None and lt.structure.dataclass_type is not None
    assert lt.structure.dataclass_type["weights"].blob is not None
    assert lt.structure.dataclass_type["results"].structured_dataset_type is not None


def test_array_frame_and_pickle_fields_of_a_model_round_trip_on_s3(s3_url: str) -> None:
    ctx = TypeEngine().context(storage=s3_url)
    _check(_round_trip(ctx))
