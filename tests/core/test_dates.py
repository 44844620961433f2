"""A date is stored as an aware UTC midnight: a DATETIME travels to Flyte as a protobuf Timestamp, an instant."""

from __future__ import annotations

import datetime as dt

import pytest

from typeflow import TypeEngine

UTC = dt.timezone.utc


@pytest.fixture
def engine() -> TypeEngine:
    return TypeEngine()


def test_a_date_is_stored_as_an_aware_utc_midnight(engine: TypeEngine) -> None:
    ctx = engine.context()
    lv = engine.to_literal(ctx, dt.date(2024, 5, 6), dt.date)
    assert lv.scalar is not None and lv.scalar.primitive is not None
    assert lv.scalar.primitive.datetime == dt.datetime(2024, 5, 6, tzinfo=UTC)
    packed = engine.to_literal(ctx, [dt.date(2024, 5, 6), dt.date(1, 1, 1)], list[dt.date])
    assert [x.scalar.primitive.datetime for x in packed.collection.literals] == [  # type: ignore[union-attr]
        dt.datetime(2024, 5, 6, tzinfo=UTC),
        dt.datetime(1, 1, 1, tzinfo=UTC),
    ]
    assert packed == engine.to_literal(engine.context(packed=False), [dt.date(2024, 5, 6), dt.date(1, 1, 1)], list[dt.date])
    assert engine.to_python_value(ctx, packed, list[dt.date]) == [dt.date(2024, 5, 6), dt.date(1, 1, 1)]


def test_a_naive_midnight_written_by_older_typeflow_still_reads_as_its_date(engine: TypeEngine) -> None:
    from typeflow.literals import Literal, Primitive, Scalar

    lv = Literal(scalar=Scalar(primitive=Primitive(datetime=dt.datetime(2024, 5, 6))))
    assert engine.to_python_value(engine.context(), lv, dt.date) == dt.date(2024, 5, 6)
