"""typeflow.testing catches broken transformers and passes good ones.

The contract checks are called directly on deliberately broken subclasses and
must fail with ``AssertionError``; the good subclass ``TestCelsius`` is also
collected by pytest, so the whole contract runs on a correct transformer.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import unittest
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Optional

import pytest

from typeflow import TransformContext, TypeEngine, TypeTransformer
from typeflow.errors import TypeflowError, TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType
from typeflow.testing import TransformerContract, assert_entry_point_discoverable, assert_round_trip

from .dists import install, run_python, wheel


class Celsius:
    def __init__(self, degrees: float) -> None:
        self.degrees = degrees

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Celsius) and other.degrees == self.degrees

    def __repr__(self) -> str:
        return f"Celsius({self.degrees})"


class CelsiusTransformer(TypeTransformer[Celsius]):
    """A correct transformer; the knobs break it one way at a time."""

    def __init__(
        self,
        off_by: float = 0.0,
        annotation: Any = "celsius",
        guesses: bool = True,
        error: type = TypeError,
        asserts: bool = True,
    ) -> None:
        super().__init__("Celsius", Celsius, enable_type_assertions=asserts)
        self.off_by = off_by
        self.annotation = annotation
        self.guesses = guesses
        self.error = error

    def get_literal_type(self, t: Any) -> LiteralType:
        return LiteralType(simple=SimpleType.FLOAT, annotation={"unit": self.annotation})

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: Any) -> Literal:
        if not isinstance(python_val, Celsius):
            if self.error is TypeflowError:
                raise TypeflowError("not a Celsius")
            raise TypeTransformerFailedError("expected Celsius", python_type=python_type, value=python_val)
        return Literal(scalar=Scalar(primitive=Primitive(float_value=float(python_val.degrees))))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Celsius:
        degrees = lv.scalar.primitive.float_value if lv.scalar and lv.scalar.primitive else None
        if degrees is None:
            raise TypeTransformerFailedError("expected a FLOAT literal", python_type=expected_python_type)
        return Celsius(degrees + self.off_by)

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        if self.guesses and (literal_type.annotation or {}).get("unit") == "celsius":
            return Celsius
        raise ValueError("not celsius")


def string_literal(text: str) -> Literal:
    return Literal(scalar=Scalar(primitive=Primitive(string_value=text)))


class TestCelsius(TransformerContract):
    """A correct transformer passes the whole contract (pytest collects and runs it)."""

    python_type = Celsius
    transformer = CelsiusTransformer()

    def values(self) -> list[Celsius]:
        return [Celsius(0.0), Celsius(-40.5)]

    def bad_values(self) -> list[object]:
        return [3.0, "hot"]

    def bad_literals(self) -> list[Literal]:
        return [string_literal("hot")]


class TestOptionalCelsius(TestCelsius):
    """For an Optional type the None check becomes a round trip of None."""

    python_type = Optional[Celsius]


# broken variants: not named Test*, so pytest does not collect them; the tests below call their checks


class ChangesValues(TestCelsius):
    transformer = CelsiusTransformer(off_by=1.0)


class AcceptsBadValues(TestCelsius):
    def bad_values(self) -> list[object]:
        return [Celsius(1.0)]


class RaisesTheWrongError(TestCelsius):
    transformer = CelsiusTransformer(error=TypeflowError, asserts=False)  # its own to_literal raises the wrong error


class ReadsAnyLiteral(TestCelsius):
    def bad_literals(self) -> list[Literal]:
        return [Literal(scalar=Scalar(primitive=Primitive(float_value=1.0)))]


class CannotGuess(TestCelsius):
    transformer = CelsiusTransformer(guesses=False)


class OptsOutOfGuessing(CannotGuess):
    guesses_python_type = False


class UnstableOnTheWire(TestCelsius):
    transformer = CelsiusTransformer(annotation=("a", "tuple"))  # comes back from msgpack as a list


class NoValues(TestCelsius):
    def values(self) -> list[Celsius]:
        return []


class NoBadValues(TestCelsius):
    def bad_values(self) -> list[object]:
        return []


class Unregistered:
    pass


class NoTransformer(TransformerContract):
    python_type = Unregistered

    def values(self) -> list[Unregistered]:
        return [Unregistered()]


class NoType(TransformerContract):
    def values(self) -> list[int]:
        return [1]


def test_contract_catches_a_transformer_that_changes_values() -> None:
    with pytest.raises(AssertionError, match=r"round trip of Celsius\(0.0\) .* gave Celsius\(1.0\)"):
        ChangesValues().test_values_round_trip()


def test_contract_catches_accepted_bad_values() -> None:
    with pytest.raises(AssertionError, match=r"to_literal of Celsius\(1.0\) was accepted"):
        AcceptsBadValues().test_bad_values_raise_transform_errors()


def test_contract_requires_type_transformer_failed_error_not_another_error() -> None:
    with pytest.raises(AssertionError, match="raised TypeflowError, expected TypeTransformerFailedError"):
        RaisesTheWrongError().test_bad_values_raise_transform_errors()


def test_contract_catches_a_literal_read_that_should_be_refused() -> None:
    with pytest.raises(AssertionError, match=r"to_python_value of .* was accepted"):
        ReadsAnyLiteral().test_bad_literals_raise_transform_errors()


def test_contract_catches_a_missing_guess_and_honours_the_opt_out() -> None:
    with pytest.raises(AssertionError, match="guesses_python_type = False"):
        CannotGuess().test_guess_python_type_reads_the_literal()
    with pytest.raises(unittest.SkipTest, match="guesses_python_type is False"):
        OptsOutOfGuessing().test_guess_python_type_reads_the_literal()


def test_contract_catches_a_literal_type_that_changes_on_the_wire() -> None:
    with pytest.raises(AssertionError, match="changes through wire"):
        UnstableOnTheWire().test_literal_type_is_stable()


def test_contract_fails_when_no_transformer_resolves() -> None:
    with pytest.raises(AssertionError, match="no transformer found through plugin discovery"):
        NoTransformer().test_transformer_resolves()


def test_contract_asks_for_values_and_a_type() -> None:
    with pytest.raises(AssertionError, match="returned nothing"):
        NoValues().test_values_round_trip()
    with pytest.raises(AssertionError, match="set python_type"):
        NoType().test_values_round_trip()


def test_contract_skips_checks_with_nothing_to_check() -> None:
    with pytest.raises(unittest.SkipTest, match="bad_values"):
        NoBadValues().test_bad_values_raise_transform_errors()


def test_contract_runs_each_check_on_a_fresh_engine() -> None:
    contract = TestCelsius()
    assert contract.make_engine() is not contract.make_engine()
    assert contract.make_engine().get_transformer(Celsius) is TestCelsius.transformer


def test_assert_round_trip_on_builtins_returns_the_value_read_back() -> None:
    assert assert_round_trip([1, 2], list[int]) == [1, 2]
    assert assert_round_trip({"a": None}, dict[str, Optional[float]]) == {"a": None}
    assert assert_round_trip(dt.timedelta(seconds=3), dt.timedelta, through_wire=False) == dt.timedelta(seconds=3)

    @dataclass
    class Point:
        x: int
        y: str

    assert assert_round_trip(Point(1, "a"), Point) == Point(1, "a")
    nan = assert_round_trip(float("nan"), float, equal=lambda a, b: a != a and b != b)
    assert nan != nan


def test_assert_round_trip_uses_the_given_engine_and_context(tmp_path: Path) -> None:
    engine = TypeEngine()
    engine.register(CelsiusTransformer())
    ctx = engine.context(storage=str(tmp_path))
    assert assert_round_trip(Celsius(2.0), Celsius, engine=engine) == Celsius(2.0)
    assert assert_round_trip(Celsius(2.0), Celsius, ctx=ctx) == Celsius(2.0)
    with pytest.raises(ValueError, match="another engine"):
        assert_round_trip(Celsius(2.0), Celsius, engine=TypeEngine(), ctx=ctx)


def test_assert_round_trip_failures_name_the_value_and_the_step() -> None:
    with pytest.raises(AssertionError, match=r"round trip of 1.5 as float gave 1.5"):
        assert_round_trip(1.5, float, equal=lambda a, b: False)
    with pytest.raises(AssertionError, match=r"round trip of 'x' as int failed in to_literal: TypeTransformerFailedError"):
        assert_round_trip("x", int)
    broken = TypeEngine()
    broken.register(CelsiusTransformer(off_by=0.5))
    with pytest.raises(AssertionError, match=r"gave Celsius\(1.5\); the literal was"):
        assert_round_trip(Celsius(1.0), Celsius, engine=broken)


def test_entry_point_check_fails_clearly_for_a_missing_distribution() -> None:
    with pytest.raises(AssertionError, match=r"'no-such-typeflow-plugin' is not installed.*typeflow entry points: none"):
        assert_entry_point_discoverable("no-such-typeflow-plugin")


def test_entry_point_check_fails_clearly_for_a_distribution_without_the_entry_point() -> None:
    with pytest.raises(AssertionError, match=r"pluggy .* declares no entry point in group 'typeflow.plugins'"):
        assert_entry_point_discoverable("pluggy")


def test_entry_point_check_against_installed_wheels(tmp_path_factory: pytest.TempPathFactory) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel(name, out) for name in ("tf-point", "tf-broken", "tf-badhook")], tmp_path_factory.mktemp("site"))
    proc = run_python(
        """
        from typeflow.testing import assert_entry_point_discoverable
        entry = assert_entry_point_discoverable("tf-point", "tfpoint")
        print("FOUND", entry.value, entry.version)
        print("ANY", assert_entry_point_discoverable("tf_point").name)
        for args in [("tf-point", "wrongname"), ("tf-point", "tfpoint", "typeflow.fallbacks"),
                     ("tf-broken", "tfbroken"), ("tf-badhook",), ("tf-pointy",)]:
            try:
                assert_entry_point_discoverable(*args)
            except AssertionError as exc:
                print("REFUSED", exc)
            else:
                print("ACCEPTED", args)
        """,
        site,
    )
    assert proc.returncode == 0, proc.stderr
    out_lines = proc.stdout.splitlines()
    assert "FOUND tfpoint.plugin 1.2.3" in out_lines
    assert "ANY tfpoint" in out_lines
    assert not [line for line in out_lines if line.startswith("ACCEPTED")], proc.stdout
    refused = [line for line in out_lines if line.startswith("REFUSED")]
    assert len(refused) == 5, proc.stdout
    wrong_name, wrong_group, broken, badhook, missing = refused
    assert "tf-point 1.2.3 declares no entry point 'wrongname' in group 'typeflow.plugins'" in wrong_name
    assert "[typeflow.plugins] tfpoint = tfpoint.plugin" in wrong_name
    assert "in group 'typeflow.fallbacks'" in wrong_group
    assert "tfbroken (tf-broken 0.0.1) does not import" in broken and "ImportError" in broken
    assert "a fresh TypeEngine cannot load it" in badhook and "hook spec" in badhook
    assert "'tf-pointy' is not installed" in missing and "tf-point 1.2.3" in missing


CONTRACT_OF_A_MISNAMED_PLUGIN = """
from typing import List, Optional
from tfmisnamed import Widget
from typeflow.testing import TransformerContract

class TestWidget(TransformerContract):
    python_type = Widget
    expects_fallback = {expects}
    guesses_python_type = False
    def values(self):
        return [Widget(1), Widget(5)]
    def bad_values(self):
        return ["not a widget"]

class TestWidgets(TestWidget):
    python_type = List[Optional[Widget]]
    def values(self):
        return [[Widget(2), None]]
    def bad_values(self):
        return [["not a widget"]]
"""


def _run_contract(site: Path, tmp_path: Path, expects: bool) -> subprocess.CompletedProcess[str]:
    test_file = tmp_path / f"test_widget_{expects}.py"
    test_file.write_text(CONTRACT_OF_A_MISNAMED_PLUGIN.format(expects=expects))
    env = dict(os.environ, PYTHONPATH=str(site))
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(tmp_path), str(test_file)],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=300,
    )


def test_contract_fails_when_a_fallback_answers_for_a_misnamed_plugin(
    tmp_path_factory: pytest.TempPathFactory, tmp_path: Path
) -> None:
    out = str(tmp_path_factory.mktemp("wheels"))
    site = install([wheel("tf-misnamed", out), wheel("tf-catchall", out)], tmp_path_factory.mktemp("site"))
    proc = _run_contract(site, tmp_path, expects=False)
    assert proc.returncode == 1, proc.stdout
    summary = proc.stdout.strip().splitlines()[-1]
    assert summary.startswith("10 failed, 4 skipped"), summary  # every check fails; none passes
    assert "tfmisnamed.Widget resolves through the fallback CatchAll from" in proc.stdout
    assert "(inside List[Optional[tfmisnamed.Widget]])" in proc.stdout
    assert "entry points named 'tfmisnamed': none" in proc.stdout and "expects_fallback = True" in proc.stdout
    expected = _run_contract(site, tmp_path, expects=True)
    assert expected.returncode == 0, expected.stdout
