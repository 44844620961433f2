"""typeflow-pandas passes typeflow.testing's contract suite, found through its installed entry points."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Annotated, Any

import pandas as pd
import pyarrow as pa

from typeflow.literals import Literal, Primitive, Scalar
from typeflow.testing import TransformerContract, assert_entry_point_discoverable
from typeflow_pandas import Columns, StructuredDataset


def test_both_entry_points_are_discoverable() -> None:
    assert assert_entry_point_discoverable("typeflow-pandas", "pandas").value == "typeflow_pandas.plugin"
    assert assert_entry_point_discoverable("typeflow-pandas", "pyarrow").value == "typeflow_pandas.plugin"


def _not_a_dataset() -> list[Literal]:
    return [Literal(scalar=Scalar(primitive=Primitive(integer=1)))]


class TestDataFrame(TransformerContract):
    python_type = pd.DataFrame  # no transformer given: found through the `pandas` entry point

    def values(self) -> Iterable[Any]:
        return [
            pd.DataFrame({"a": [1, 2], "b": ["x", "y"], "c": [0.5, float("nan")]}),
            pd.DataFrame({"v": [1]}, index=pd.Index(["k"], name="key")),
            pd.DataFrame({"empty": pd.Series([], dtype="int64")}),
        ]

    def bad_values(self) -> Iterable[Any]:
        return [{"a": [1]}, pa.table({"a": [1]}), pd.DataFrame({0: [1]}), pd.DataFrame([[1, 2]], columns=["a", "a"])]

    def bad_literals(self) -> Iterable[Literal]:
        return _not_a_dataset()

    def equal(self, original: Any, read_back: Any) -> bool:
        return isinstance(read_back, pd.DataFrame) and bool(original.equals(read_back))


class TestDeclaredColumns(TestDataFrame):
    python_type = Annotated[pd.DataFrame, Columns(a=int, b=str)]

    def values(self) -> Iterable[Any]:
        return [pd.DataFrame({"a": [1, 2], "b": ["x", "y"]})]

    def bad_values(self) -> Iterable[Any]:
        return [pd.DataFrame({"a": [1]}), pd.DataFrame({"a": [0.5], "b": ["x"]})]  # a column missing; a float as int


class TestArrowTable(TransformerContract):
    python_type = pa.Table  # through the `pyarrow` entry point

    def values(self) -> Iterable[Any]:
        return [pa.table({"a": [1, 2, None], "b": ["x", None, "z"]}), pa.table({"xs": [[1], [], [2, 3]]})]

    def bad_values(self) -> Iterable[Any]:
        return [pd.DataFrame({"a": [1]}), [1, 2]]

    def bad_literals(self) -> Iterable[Literal]:
        return _not_a_dataset()

    def equal(self, original: Any, read_back: Any) -> bool:
        return isinstance(read_back, pa.Table) and bool(original.equals(read_back))


class TestHandle(TransformerContract):
    python_type = StructuredDataset  # built into core; a frame it holds is written by this plugin

    def values(self) -> Iterable[Any]:
        return [StructuredDataset(dataframe=pd.DataFrame({"a": [1, 2]}))]

    def bad_values(self) -> Iterable[Any]:
        return [pd.DataFrame({"a": [1]}), StructuredDataset(dataframe={"a": [1]})]

    def bad_literals(self) -> Iterable[Literal]:
        return _not_a_dataset()

    def equal(self, original: Any, read_back: Any) -> bool:
        return isinstance(read_back, StructuredDataset) and bool(read_back.open(pd.DataFrame).all().equals(original.dataframe))
