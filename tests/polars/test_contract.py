"""typeflow-polars passes typeflow.testing's contract suite, found through its installed entry point."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import polars as pl

from typeflow.literals import Literal, Primitive, Scalar
from typeflow.testing import TransformerContract, assert_entry_point_discoverable
from typeflow_polars import Columns, StructuredDataset


def test_the_entry_point_is_discoverable() -> None:
    assert assert_entry_point_discoverable("typeflow-polars", "polars").value == "typeflow_polars.plugin"


def _frames() -> list[pl.DataFrame]:
    return [
        pl.DataFrame({"a": [1, 2], "b": ["x", None], "c": [0.5, float("nan")]}),
        pl.DataFrame(
            {"when": [None], "tags": [["a", "b"]]}, schema={"when": pl.Datetime("ms", "UTC"), "tags": pl.List(pl.String)}
        ),
        pl.DataFrame(schema={"empty": pl.Int64}),
    ]


class TestDataFrame(TransformerContract):
    python_type = pl.DataFrame  # no transformer given: found through the `polars` entry point

    def values(self) -> Iterable[Any]:
        return _frames()

    def bad_values(self) -> Iterable[Any]:
        return [{"a": [1]}, pl.DataFrame({"a": [1]}).lazy(), pl.DataFrame({"o": [object()]}, schema={"o": pl.Object})]

    def bad_literals(self) -> Iterable[Literal]:
        return [Literal(scalar=Scalar(primitive=Primitive(integer=1)))]

    def equal(self, original: Any, read_back: Any) -> bool:
        return isinstance(read_back, pl.DataFrame) and original.equals(read_back)


class TestLazyFrame(TestDataFrame):
    python_type = pl.LazyFrame

    def values(self) -> Iterable[Any]:
        return [frame.lazy() for frame in _frames()]

    def bad_values(self) -> Iterable[Any]:
        return [pl.DataFrame({"a": [1]}), [1, 2]]

    def equal(self, original: Any, read_back: Any) -> bool:
        return isinstance(read_back, pl.LazyFrame) and original.collect().equals(read_back.collect())


class TestDeclaredColumns(TestDataFrame):
    python_type = Annotated[pl.DataFrame, Columns(a=int, b=str)]

    def values(self) -> Iterable[Any]:
        return [pl.DataFrame({"a": [1, 2], "b": ["x", "y"]})]

    def bad_values(self) -> Iterable[Any]:
        return [pl.DataFrame({"a": [1]}), pl.DataFrame({"a": [0.5], "b": ["x"]})]  # a column missing; a float as int


class TestHandle(TransformerContract):
    python_type = StructuredDataset  # built into core; a polars frame it holds is written by this plugin

    def values(self) -> Iterable[Any]:
        return [StructuredDataset(dataframe=pl.DataFrame({"a": [1, 2]}))]

    def bad_values(self) -> Iterable[Any]:
        return [pl.DataFrame({"a": [1]}), StructuredDataset(dataframe={"a": [1]})]

    def bad_literals(self) -> Iterable[Literal]:
        return [Literal(scalar=Scalar(primitive=Primitive(integer=1)))]

    def equal(self, original: Any, read_back: Any) -> bool:
        return isinstance(read_back, StructuredDataset) and read_back.open(pl.DataFrame).all().equals(original.dataframe)
