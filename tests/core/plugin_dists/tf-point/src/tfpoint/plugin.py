from tfpoint import Label, Point
from typeflow import TypeTransformer, hookimpl
from typeflow.literals import Literal, LiteralType, Primitive, Scalar, SimpleType


class PointTransformer(TypeTransformer[Point]):
    def __init__(self):
        super().__init__("Point", Point)

    def get_literal_type(self, t):
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(self, ctx, python_val, python_type, expected):
        return Literal(scalar=Scalar(primitive=Primitive(string_value=f"{python_val.x},{python_val.y}")))

    def to_python_value(self, ctx, lv, expected_python_type):
        x, y = lv.scalar.primitive.string_value.split(",")
        return Point(int(x), int(y))


class LabelTransformer(TypeTransformer[Label]):
    def __init__(self):
        super().__init__("Label", Label)

    def get_literal_type(self, t):
        return LiteralType(simple=SimpleType.STRING)

    def to_literal(self, ctx, python_val, python_type, expected):
        return Literal(scalar=Scalar(primitive=Primitive(string_value=str.__str__(python_val))))

    def to_python_value(self, ctx, lv, expected_python_type):
        return Label(lv.scalar.primitive.string_value)


@hookimpl
def typeflow_register_transformers(registry):
    registry.register(PointTransformer())
    registry.register(LabelTransformer())
