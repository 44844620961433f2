from tfmisnamed import Widget
from typeflow import TypeTransformer, hookimpl
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType


class WidgetTransformer(TypeTransformer[Widget]):
    def __init__(self):
        super().__init__("Widget", Widget)

    def get_literal_type(self, t):
        return LiteralType(simple=SimpleType.INTEGER)

    def to_literal(self, ctx, python_val, python_type, expected):
        if not isinstance(python_val, Widget):
            raise TypeTransformerFailedError("not a Widget", python_type=python_type, value=python_val)
        return Literal(scalar=Scalar(primitive=Primitive(integer=python_val.size)))

    def to_python_value(self, ctx, lv, expected_python_type):
        return Widget(lv.scalar.primitive.integer)


@hookimpl
def typeflow_register_transformers(registry):
    registry.register(WidgetTransformer())
