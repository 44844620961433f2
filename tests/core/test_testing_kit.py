"""typeflow.testing catches broken transformers and passes good ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from typeflow import TransformContext, TypeTransformer
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType
from typeflow.testing import TransformerContract, assert_entry_point_discoverable, assert_round_trip

from .dists import install, run_python, wheel


class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Celsius) and other.degrees == self.degrees


class CelsiusTransformer(TypeTransformer[Celsius]):
    def __init__(self, off_by: float = 0.0) -> None:
        super().__init__("Celsius", Celsius)
        self.off_by = off_by

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.FLOAT, annotation={"unit": "celsius"})

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: Any) -> Literal:
        if not isinstance(python_val, Celsius):
            from typeflow.errors import TypeTransformerFailedError

            raise TypeTransformerFailedError("expected Celsius", python_type=python_type, value=python_val)
        return Literal(scalar=Scalar(primitive=Primitive(float_value=float(python_val.degrees))))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Celsius:
        return Celsius(lv.scalar.primitive.float_value + self.off_by)  # type: ignore[union-attr,operator]

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if (literal_type.annotation or {}).get("unit") == "celsius":
            return Celsius
        raise ValueError("not celsius")


class TestCelsius(TransformerContract):
    python_type = Celsius
    transformer = CelsiusTransformer()

    def values(self) -> list[Celsius]:
        return [Celsius(0.0), Celsius(-40.5)]

    def bad_values(self) -> list[object]:
        return [3.0, "hot"]


class BrokenCelsius(TestCelsius):
    transformer = CelsiusTransformer(off_by=1.0)


class Lenient(TestCelsius):
    def bad_values(self) -> list[object]:
        return [Celsius(1.0)]  # accepted, so the contract must fail


def test_contract_catches_a_transformer_that_changes_values() -> None:
    with pytest.raises(AssertionError, match="round trip"):
        BrokenCelsius().test_values_round_trip()


def test_contract_catches_accepted_bad_values() -> None:
    with pytest.raises(AssertionError, match="was accepted"):
        Lenient().test_bad_values_raise_transform_errors()


def test_assert_round_trip_on_builtins_returns_the_value() -> None:
    assert assert_round_trip([1, 2], list[int]) == [1, 2]
    with pytest.raises(AssertionError, match="gave"):
        assert_round_trip(1.5, float, equal=lambda a, b: False)


def test_entry_point_check_fails_clearly_for_a_missing_distribution() -> None:
    with pytest.raises(AssertionError, match="not installed"):
        assert_entry_point_discoverable("no-such-typeflow-plugin")


def test_entry_point_check_passes_for_an_installed_wheel(tmp_path_factory: pytest.TempPathFactory) -> None:
    site: Path = install([wheel("tf-point", str(tmp_path_factory.mktemp("wheels")))], tmp_path_factory.mktemp("site"))
    proc = run_python(
        """
        from typeflow.testing import assert_entry_point_discoverable
        entry = assert_entry_point_discoverable("tf-point", "tfpoint")
        print(entry.value, entry.version)
        try:
            assert_entry_point_discoverable("tf-point", "wrongname")
        except AssertionError as exc:
            print("REFUSED", exc)
        """,
        site,
    )
    assert proc.returncode == 0, proc.stderr
    assert "tfpoint.plugin 1.2.3" in proc.stdout
    assert "REFUSED tf-point declares no typeflow.plugins:wrongname" in proc.stdout
