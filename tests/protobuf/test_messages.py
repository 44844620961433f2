"""protobuf messages through typeflow: the literal form, dispatch from any package, errors, guessing the type."""

from __future__ import annotations

import datetime
import os
import subprocess
import sys
import textwrap

import pytest
from google.protobuf import json_format, struct_pb2, timestamp_pb2, wrappers_pb2

from typeflow import TransformContext
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Scalar, SimpleType
from typeflow_protobuf import ProtobufTransformer, resolve_tag

from ..helpers import roundtrip
from . import samples
from .samples import SAMPLE_PKGS, orders_pb2


def test_a_message_is_a_struct_of_its_json_form_with_numbers_as_doubles(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, samples.order(), orders_pb2.Order)
    assert lv.scalar is not None and lv.scalar.generic is not None
    data = lv.scalar.generic
    assert data["items"][0] == {"sku": "s1", "quantity": 2.0, "big": str(2**40)}  # int64 as a string, as proto3 JSON
    assert data["shipTo"] == {"city": "Oslo"} and data["status"] == "PLACED"
    assert json_format.ParseDict(data, orders_pb2.Order()) == samples.order()


def test_the_literal_type_records_the_message_class(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(orders_pb2.Order)
    assert lt == LiteralType(simple=SimpleType.STRUCT, metadata={"pb_type": "tfsample.orders_pb2.Order"})
    nested = ctx.engine.to_literal_type(orders_pb2.Order.Address)
    assert nested.metadata == {"pb_type": "tfsample.orders_pb2.Order.Address"}


def test_a_message_of_a_users_package_loads_the_plugin_through_its_base_class(ctx: TransformContext) -> None:
    resolution = ctx.engine.resolve(orders_pb2.Order)
    assert isinstance(resolution.transformer, ProtobufTransformer)
    assert resolution.source.distribution == "typeflow-protobuf"
    assert "tfsample" in resolution.step and "google" in resolution.step


def test_timestamps_and_durations_are_datetime_and_duration_primitives(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, samples.timestamp(), timestamp_pb2.Timestamp)
    assert lv.scalar.primitive.datetime == datetime.datetime(2023, 11, 14, 22, 13, 20, 123456, tzinfo=datetime.timezone.utc)  # type: ignore[union-attr]
    assert ctx.engine.to_literal_type(timestamp_pb2.Timestamp).simple == SimpleType.DATETIME
    assert roundtrip(ctx, samples.duration(), type(samples.duration())) == samples.duration()


def test_a_list_value_is_a_collection_as_flytekit_writes_it(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, samples.list_value(), struct_pb2.ListValue)
    assert lv.collection is not None
    kinds = [
        item.variant if item.scalar is None else next(n for n in Scalar.VARIANTS if getattr(item.scalar, n) is not None)
        for item in lv.collection.literals
    ]
    assert kinds == ["primitive", "primitive", "none_type", "primitive", "generic", "collection"]
    assert lv.collection.literals[0].scalar.primitive.float_value == 1.0  # type: ignore[union-attr]


def test_timestamps_finer_than_a_microsecond_are_refused_with_the_rounding(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, timestamp_pb2.Timestamp(seconds=1, nanos=1), timestamp_pb2.Timestamp)
    assert "nanos -= " in str(info.value) and "microseconds" in str(info.value)


def test_a_struct_that_does_not_parse_names_the_first_bad_field(ctx: TransformContext) -> None:
    bad = Literal(scalar=Scalar(generic={"id": "a", "items": [{}, {"quantity": "many"}]}))
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, bad, orders_pb2.Order)
    assert info.value.location == "$.items[1].quantity"
    assert "invalid literal for int()" in str(info.value)
    in_map = Literal(scalar=Scalar(generic={"bySku": {"a": {"sku": 1.0}}}))
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, in_map, orders_pb2.Order)
    assert info.value.location == "$.bySku['a'].sku"


def test_a_message_of_another_type_is_refused_naming_the_field_it_lacks(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, samples.order(), orders_pb2.Order)
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, lv, orders_pb2.Item)
    assert info.value.location == "$.id"
    assert 'no field named "id"' in str(info.value)
    assert info.value.hint is not None and "pb_type" in info.value.hint


def test_a_value_of_another_message_type_is_refused_naming_both(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, orders_pb2.Item(), orders_pb2.Order)
    text = str(info.value)
    assert "expected a tfsample.orders.Order message, got a tfsample.orders.Item message" in text
    assert "\n" not in text


def test_declaring_message_itself_is_refused(ctx: TransformContext) -> None:
    from google.protobuf.message import Message

    with pytest.raises(TypeTransformerFailedError, match="not Message itself"):
        ctx.engine.to_literal_type(Message)


def test_uint64_above_int64_is_refused_with_a_fix(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="StringValue"):
        ctx.engine.to_literal(ctx, wrappers_pb2.UInt64Value(value=2**64 - 1), wrappers_pb2.UInt64Value)


def test_guess_finds_imported_and_well_known_message_classes(ctx: TransformContext) -> None:
    engine = ctx.engine
    for cls in (orders_pb2.Order, orders_pb2.Order.Address, struct_pb2.Struct, timestamp_pb2.Timestamp):
        assert engine.guess_python_type(engine.to_literal_type(cls)) is cls


def test_guess_accepts_flytekits_tags() -> None:
    assert resolve_tag("google.protobuf.struct_pb2.Struct") is struct_pb2.Struct
    assert resolve_tag("tfsample.orders_pb2.Order") is orders_pb2.Order


def test_guess_never_imports_a_module_named_in_a_literal_type() -> None:
    # a literal type read from untrusted bytes must not make typeflow import code
    code = textwrap.dedent(
        """
        import sys, typeflow
        from typeflow.literals import Literal, LiteralType, Scalar, SimpleType
        from typeflow_protobuf import ProtobufTransformer
        lt = LiteralType(simple=SimpleType.STRUCT, metadata={"pb_type": "tfsample.orders_pb2.Order"})
        try:
            ProtobufTransformer().guess_python_type(lt)
        except ValueError as exc:
            print("refused:", exc)
        print("imported" if "tfsample.orders_pb2" in sys.modules else "not imported")
        """
    )
    env = dict(os.environ, PYTHONPATH=str(SAMPLE_PKGS))
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[-1] == "not imported"
    assert "import the module that defines it" in lines[0]


def test_guess_refuses_a_tag_that_names_no_message() -> None:
    for tag in ("os.system", "json.JSONDecoder", "nodots", "google.protobuf.struct_pb2.NoSuchThing"):
        with pytest.raises(ValueError):
            resolve_tag(tag)
