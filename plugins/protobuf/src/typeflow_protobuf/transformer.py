"""protobuf messages ↔ typeflow literals, in the form flytekit's ProtobufTransformer writes and reads.

A message is its proto3 JSON form (``json_format.MessageToDict``) held as
``Scalar.generic``, a struct, with literal type ``STRUCT`` and the message
class recorded under ``metadata["pb_type"]``; reading parses the struct back
with ``json_format.ParseDict``, refusing fields the message lacks. As in
flytekit, a ``ListValue`` (and a ``Value`` holding a list) is a collection of
its elements' literals. ``Timestamp``, ``Duration``, the wrappers and
``FieldMask``, whose JSON forms are not objects and which flytekit cannot
store, become the primitives their values mean (``wellknown``).
"""

from __future__ import annotations

from typing import Any

from google.protobuf import json_format
from google.protobuf.message import Message

from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Scalar, SimpleType
from typeflow.transformer import TransformContext, TypeTransformer, strip_annotated

from .jsonform import as_struct, json_to_literal, literal_to_json
from .locate import locate
from .tags import PB_TYPE_KEY, resolve_tag, tag
from .wellknown import scalar_form

__all__ = ["ProtobufTransformer", "message_class"]

_JSON_VALUE_TYPES = frozenset({"google.protobuf.Value", "google.protobuf.ListValue"})


def message_class(t: Any) -> type[Message]:
    """The message class of a declared type (``Annotated`` stripped); refuses ``Message`` itself."""
    cls = strip_annotated(t)[0]
    if not (isinstance(cls, type) and issubclass(cls, Message)) or getattr(cls, "DESCRIPTOR", None) is None:
        raise TypeTransformerFailedError(
            "not a generated protobuf message class",
            python_type=t,
            hint="declare the message class your _pb2 module defines (my_pb2.Order), not Message itself",
        )
    return cls


def _full_name(cls: type[Message]) -> str:
    name: str = cls.DESCRIPTOR.full_name
    return name


class ProtobufTransformer(TypeTransformer[Message]):
    """Every generated protobuf message class (found through the MRO) ↔ a JSON struct literal."""

    def __init__(self) -> None:
        # flytekit's name: unions tag their variants with it, so flytekit reads typeflow's unions
        super().__init__("Protobuf-Transformer", Message)

    def get_literal_type(self, t: Any) -> LiteralType:
        cls = message_class(t)
        form = scalar_form(cls)
        return LiteralType(simple=form.simple if form else SimpleType.STRUCT, metadata={PB_TYPE_KEY: tag(cls)})

    def assert_type(self, t: Any, v: Any) -> None:
        cls = message_class(t)
        if not isinstance(v, cls):
            if isinstance(v, Message):  # a message's repr is its multi-line text form: name the types only
                raise TypeTransformerFailedError(
                    f"expected a {_full_name(cls)} message, got a {_full_name(type(v))} message",
                    python_type=t,
                    hint=f"pass an instance of {cls.__qualname__}, or declare the type as {type(v).__qualname__}",
                )
            hint = f"build one with json_format.ParseDict(value, {cls.__qualname__}())" if isinstance(v, dict) else None
            raise TypeTransformerFailedError(f"expected a {_full_name(cls)} message", python_type=t, value=v, hint=hint)

    def to_literal(self, ctx: TransformContext, python_val: Any, python_type: Any, expected: LiteralType | None) -> Literal:
        self.assert_type(python_type, python_val)
        cls = message_class(python_type)
        form = scalar_form(cls)
        if form is not None:
            try:
                return form.write(python_val)
            except TypeTransformerFailedError as exc:
                exc.python_type = python_type
                raise
        try:
            data = json_format.MessageToDict(python_val)
        except Exception as exc:  # a message whose Any holds a type not in the descriptor pool, …
            raise TypeTransformerFailedError(
                f"protobuf cannot write its JSON form: {type(exc).__name__}: {exc}", python_type=python_type, value=python_val
            ) from None
        if _full_name(cls) in _JSON_VALUE_TYPES and not isinstance(data, dict):
            return json_to_literal(data)
        return Literal(scalar=Scalar(generic=as_struct(data)))

    def to_python_value(self, ctx: TransformContext, lv: Literal, expected_python_type: Any) -> Message:
        cls = message_class(expected_python_type)
        name = _full_name(cls)
        form = scalar_form(cls)
        if form is not None:
            try:
                result: Message = form.read(lv, cls)
            except TypeTransformerFailedError as exc:
                exc.python_type = expected_python_type
                raise
            return result
        scalar = lv.scalar
        if name in _JSON_VALUE_TYPES and (scalar is None or scalar.generic is None):
            data: Any = literal_to_json(lv)
        elif scalar is not None and scalar.generic is not None:
            data = scalar.generic
        else:
            raise TypeTransformerFailedError(
                f"cannot read a {lv.variant} literal as {name}; a protobuf message is stored as a struct (Scalar.generic)",
                python_type=expected_python_type,
            )
        try:
            return json_format.ParseDict(data, cls())
        except (json_format.ParseError, TypeError, ValueError, AttributeError, RecursionError) as exc:
            raise TypeTransformerFailedError(
                f"the struct does not parse as {name}: {exc}".rstrip(". ").split("\n")[0],
                python_type=expected_python_type,
                path=locate(data, cls),
                hint="it may hold a message of another type, or one written by a newer version of the .proto; "
                "read it with the message type that wrote it (the literal type's pb_type names it)",
            ) from None

    def guess_python_type(self, literal_type: LiteralType) -> Any:
        pb_type = (literal_type.metadata or {}).get(PB_TYPE_KEY)
        if not isinstance(pb_type, str) or not pb_type:
            raise ValueError("not a protobuf literal type")
        cls = resolve_tag(pb_type)
        if self.get_literal_type(cls).simple != literal_type.simple:
            raise ValueError(f"{pb_type} does not have literal type {literal_type}")
        return cls
