"""pydantic models through typeflow: the literal form, field kinds, errors, guessing the model back."""

from __future__ import annotations

import dataclasses
import datetime
import decimal
import enum
import typing
import uuid
from typing import Annotated, Generic, Optional, TypeVar, Union
from typing import Literal as TypingLiteral

import msgpack
import pytest
from pydantic import BaseModel, ConfigDict, Field, RootModel, field_validator

import typeflow
from typeflow import TransformContext
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Binary, Literal, LiteralType, Scalar, SimpleType
from typeflow_pydantic import PydanticTransformer, is_pydantic_schema, model_from_schema

from ..helpers import roundtrip
from .samples import Color, Item, Order, orders

T = TypeVar("T")


def test_a_model_is_a_msgpack_binary_of_its_json_form(ctx: TransformContext) -> None:
    order = orders()[0]
    lv = ctx.engine.to_literal(ctx, order, Order)
    assert lv.scalar is not None and lv.scalar.binary is not None
    assert lv.scalar.binary.tag == "msgpack"
    assert msgpack.unpackb(lv.scalar.binary.value) == order.model_dump(mode="json")


def test_the_literal_type_carries_the_json_schema_and_flytekits_annotation(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Order)
    assert lt.simple == SimpleType.STRUCT
    assert lt.metadata == Order.model_json_schema()
    assert lt.annotation == {"cache-key-metadata": {"serialization-format": "msgpack"}}


def test_subclasses_defined_anywhere_resolve_through_the_mro(ctx: TransformContext) -> None:
    resolution = ctx.engine.resolve(Order)
    assert isinstance(resolution.transformer, PydanticTransformer)
    assert resolution.source.distribution == "typeflow-pydantic"
    assert "after loading plugin(s)" in resolution.step and "pydantic" in resolution.step


class Shape(str, enum.Enum):
    SQUARE = "square"
    ROUND = "round"


class Leaf(BaseModel):
    value: int


class Tree(BaseModel):
    name: str
    children: list[Tree] = []


class Everything(BaseModel):
    shape: Shape
    kind: TypingLiteral["a", "b"]
    when: datetime.date
    clock: datetime.time
    wait: datetime.timedelta
    ident: uuid.UUID
    price: decimal.Decimal
    raw: bytes
    tags: set[str]
    pair: tuple[int, str]
    either: Union[int, str]
    nested: dict[str, list[Optional[Leaf]]]
    big: float


def everything() -> Everything:
    return Everything(
        shape=Shape.ROUND,
        kind="b",
        when=datetime.date(2021, 3, 4),
        clock=datetime.time(5, 6, 7, 8),
        wait=datetime.timedelta(days=-1, microseconds=5),
        ident=uuid.UUID(int=7),
        price=decimal.Decimal("10.10"),
        raw=b"bytes",
        tags={"x", "y"},
        pair=(1, "one"),
        either="two",
        nested={"k": [Leaf(value=1), None]},
        big=float("inf"),
    )


def test_every_json_field_kind_round_trips(ctx: TransformContext) -> None:
    value = everything()
    assert roundtrip(ctx, value, Everything) == value


def test_recursive_models_round_trip(ctx: TransformContext) -> None:
    tree = Tree(name="root", children=[Tree(name="a"), Tree(name="b", children=[Tree(name="c")])])
    assert roundtrip(ctx, tree, Tree) == tree


def test_a_list_of_models_is_held_packed_and_reads_back(ctx: TransformContext) -> None:
    values = orders() * 3
    lv = ctx.engine.to_literal(ctx, values, list[Order])
    assert lv.collection is not None and lv.collection.is_packed
    assert roundtrip(ctx, values, list[Order]) == values
    assert [e.scalar.binary.tag for e in lv.collection.literals] == ["msgpack"] * 6  # type: ignore[union-attr]


def test_models_inside_dicts_and_unions(ctx: TransformContext) -> None:
    values: dict[str, Union[Item, int]] = {"a": Item(n=1), "b": 3}
    assert roundtrip(ctx, values, dict[str, Union[Item, int]]) == values
    assert roundtrip(ctx, None, Optional[Item]) is None


def test_a_union_of_models_tags_variants_with_flytekits_transformer_name(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Optional[Item])
    assert lt.union_type is not None
    tags = [v.structure.tag for v in lt.union_type.variants if v.structure is not None]
    assert tags[0] == "Pydantic Transformer"


class Base(BaseModel):
    n: int


class Derived(Base):
    extra: str


def test_a_subclass_instance_is_written_as_the_declared_model(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, Derived(n=1, extra="dropped"), Base)
    assert msgpack.unpackb(lv.scalar.binary.value) == {"n": 1}  # type: ignore[union-attr]
    assert ctx.engine.to_python_value(ctx, lv, Base) == Base(n=1)


class Account(BaseModel):
    owner: str = Field(alias="ownerName")


def test_aliased_fields_are_written_by_alias_and_read_by_alias_or_name(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, Account(ownerName="ada"), Account)
    assert msgpack.unpackb(lv.scalar.binary.value) == {"ownerName": "ada"}  # type: ignore[union-attr]
    by_name = Literal(scalar=Scalar(binary=Binary(msgpack.packb({"owner": "ada"}), "msgpack")))
    assert ctx.engine.to_python_value(ctx, by_name, Account) == Account(ownerName="ada")


def test_the_json_struct_form_is_read(ctx: TransformContext) -> None:
    # the Flyte console and older flytekit send a JSON struct; a struct holds every number as a float
    generic = Literal(scalar=Scalar(generic={"n": 3.0, "label": "x"}))
    assert ctx.engine.to_python_value(ctx, generic, Item) == Item(n=3, label="x")


def test_annotated_models_convert_as_the_model(ctx: TransformContext) -> None:
    assert roundtrip(ctx, Item(n=4), Annotated[Item, "note"]) == Item(n=4)


class Checked(BaseModel):
    n: int

    @field_validator("n")
    @classmethod
    def positive(cls, v: int) -> int:
        if v <= 0:
            raise ValueError("n must be positive")
        return v


# ---------------------------------------------------------------------------- errors


def record(obj: object) -> Literal:
    return Literal(scalar=Scalar(binary=Binary(msgpack.packb(obj), "msgpack")))


def test_a_record_that_fails_validation_names_pydantics_location_and_message(ctx: TransformContext) -> None:
    data = orders()[0].model_dump(mode="json")
    data["items"][1]["n"] = "two"
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, record(data), Order)
    err = info.value
    assert err.location == "$.items[1].n"
    assert "Input should be a valid integer" in str(err) and "[int_parsing]" in str(err)
    assert str(err).startswith("at $.items[1].n: ")
    assert err.hint is not None and "defaults" in err.hint


def test_a_validator_failure_keeps_its_message(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, record({"n": -1}), Checked)
    assert info.value.location == "$.n"
    assert "n must be positive" in str(info.value)


def test_several_failures_are_all_named(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, record({"id": "x", "color": "blue"}), Order)
    text = str(info.value)
    assert info.value.location == "$.id"
    assert "$.placed" in text and "$.color" in text and "more" in text


def test_a_bad_element_of_a_packed_list_is_located_in_the_list(ctx: TransformContext) -> None:
    bad = ctx.engine.to_literal(ctx, [Item(n=1), Item(n=-2)], list[Item])
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, bad, list[Checked])
    assert info.value.location == "$[1].n"


def test_a_record_of_another_model_is_refused_with_the_missing_field(ctx: TransformContext) -> None:
    lv = ctx.engine.to_literal(ctx, Item(n=1), Item)
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_python_value(ctx, lv, Account)
    assert info.value.location == "$.ownerName"
    assert "Field required" in str(info.value)


def test_a_dict_is_refused_with_the_model_validate_hint(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, {"n": 1}, Item)
    assert "Item.model_validate(value)" in str(info.value)


def test_a_model_built_without_validation_is_refused_when_written(ctx: TransformContext) -> None:
    broken = Item.model_construct(n="not an int")
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal(ctx, broken, Item)
    assert "model_construct" in str(info.value)


def test_declaring_basemodel_itself_is_refused(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="declare the model class"):
        ctx.engine.to_literal_type(BaseModel)


def test_ints_beyond_64_bits_are_refused_with_a_fix(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError, match="64-bit"):
        ctx.engine.to_literal(ctx, Item(n=2**64), Item)


@pytest.mark.parametrize(
    "data",
    [b"\xc1", b"\xd4\x01\x00", msgpack.packb({"n": b"\xff\xfe"}), b""],
    ids=["reserved-byte", "ext-type", "raw-bytes", "empty"],
)
def test_bytes_that_are_not_msgpack_json_are_refused(ctx: TransformContext, data: bytes) -> None:
    with pytest.raises(TypeTransformerFailedError, match=r"not msgpack of a JSON value|fails validation"):
        ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(binary=Binary(data, "msgpack"))), Item)


def test_deeply_nested_garbage_is_refused_not_crashing(ctx: TransformContext) -> None:
    data = b"\x91" * 100_000 + b"\x01"
    with pytest.raises(TypeTransformerFailedError):
        ctx.engine.to_python_value(ctx, Literal(scalar=Scalar(binary=Binary(data, "msgpack"))), Item)


# ---------------------------------------------------------------------------- guessing the model back


def test_guess_rebuilds_a_model_that_reads_the_records(ctx: TransformContext) -> None:
    transformer = ctx.engine.get_transformer(Order)
    guessed = transformer.guess_python_type(ctx.engine.to_literal_type(Order))
    assert issubclass(guessed, BaseModel) and guessed.__name__ == "Order"
    for order in orders():
        back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, order, Order), guessed)
        assert back.model_dump(mode="json") == order.model_dump(mode="json")
    item_type = typing.get_args(guessed.model_fields["items"].annotation)[0]
    assert issubclass(item_type, BaseModel) and item_type.__name__ == "Item"
    color = guessed.model_fields["color"].annotation
    assert issubclass(color, enum.Enum) and [c.value for c in color] == [c.value for c in Color]


def test_guess_keeps_formats_defaults_aliases_and_recursion() -> None:
    guessed = model_from_schema(Everything.model_json_schema())
    fields = guessed.model_fields
    assert fields["when"].annotation is datetime.date
    assert fields["wait"].annotation is datetime.timedelta
    assert fields["ident"].annotation is uuid.UUID
    assert fields["raw"].annotation is bytes
    finite = everything().model_copy(update={"big": 1e300, "tags": {"x"}})  # inf dumps as null; sets are unordered
    assert guessed.model_validate_json(finite.model_dump_json()).model_dump(mode="json") == finite.model_dump(mode="json")
    tree = model_from_schema(Tree.model_json_schema())
    assert tree.model_validate({"name": "r", "children": [{"name": "c"}]}).children[0].name == "c"
    account = model_from_schema(Account.model_json_schema())
    assert account.model_validate({"ownerName": "x"}).model_dump(by_alias=True) == {"ownerName": "x"}
    assert model_from_schema(Item.model_json_schema()).model_fields["label"].default is None


def test_pydantic_schemas_are_told_from_dataclass_schemas() -> None:
    import dataclasses

    from mashumaro.jsonschema import build_json_schema

    @dataclasses.dataclass
    class Plain:
        n: int

    assert is_pydantic_schema(Item.model_json_schema())
    assert not is_pydantic_schema(build_json_schema(Plain).to_dict())
    lt = LiteralType(simple=SimpleType.STRUCT, metadata=build_json_schema(Plain).to_dict())
    with pytest.raises(ValueError):
        PydanticTransformer().guess_python_type(lt)


def test_the_default_engine_shortcuts_work_with_models() -> None:
    lv = typeflow.to_literal(Item(n=9), Item)
    assert typeflow.to_python_value(lv, Item) == Item(n=9)


def test_the_engine_guesses_a_model_once_the_plugin_is_loaded(ctx: TransformContext) -> None:
    lt = ctx.engine.to_literal_type(Order)  # loads the plugin, registered after the built-in dataclass guess
    guessed = ctx.engine.guess_python_type(lt)
    assert issubclass(guessed, BaseModel) and guessed.__name__ == "Order"


@dataclasses.dataclass
class Point:
    x: int
    y: float


class Drawing(BaseModel):
    points: list[Point]
    origin: Optional[Point] = None


def test_stdlib_dataclass_fields_travel_as_pydantic_serialises_them(ctx: TransformContext) -> None:
    drawing = Drawing(points=[Point(1, 2.5), Point(-1, 0.0)], origin=Point(0, 0.0))
    lv = ctx.engine.to_literal(ctx, drawing, Drawing)
    assert msgpack.unpackb(lv.scalar.binary.value)["points"][0] == {"x": 1, "y": 2.5}  # type: ignore[union-attr]
    assert roundtrip(ctx, drawing, Drawing) == drawing


class Tags(RootModel[list[str]]):
    pass


class Box(BaseModel, Generic[T]):
    item: T


def test_root_and_generic_models_round_trip_and_root_models_are_guessed(ctx: TransformContext) -> None:
    assert roundtrip(ctx, Tags(["a", "b"]), Tags) == Tags(["a", "b"])
    assert roundtrip(ctx, Box[int](item=3), Box[int]) == Box[int](item=3)
    guessed = ctx.engine.guess_python_type(ctx.engine.to_literal_type(Tags))
    assert issubclass(guessed, RootModel) and guessed.__name__ == "Tags"
    back = ctx.engine.to_python_value(ctx, ctx.engine.to_literal(ctx, Tags(["x"]), Tags), guessed)
    assert back.root == ["x"]


class Opaque:
    """A class pydantic does not know."""


class HoldsOpaque(BaseModel):
    model_config = ConfigDict(arbitrary_types_allowed=True)
    thing: Opaque


def test_a_field_neither_pydantic_nor_the_engine_converts_is_refused_when_the_type_is_built(ctx: TransformContext) -> None:
    with pytest.raises(TypeTransformerFailedError) as info:
        ctx.engine.to_literal_type(HoldsOpaque)
    text = str(info.value)
    assert "field of type" in text and "Opaque" in text and "neither pydantic nor the engine" in text
