from tfshared import OnlyA, Shared
from typeflow import TypeTransformer, hookimpl
from typeflow.literals import Literal, LiteralType, Scalar, SimpleType, Void


class NoneLike(TypeTransformer):
    def get_literal_type(self, t):
        return LiteralType(simple=SimpleType.NONE)

    def to_literal(self, ctx, python_val, python_type, expected):
        return Literal(scalar=Scalar(none_type=Void()))

    def to_python_value(self, ctx, lv, expected_python_type):
        return expected_python_type()


@hookimpl
def typeflow_register_transformers(registry):
    registry.register(NoneLike("shared-a", Shared))
    registry.register(NoneLike("only-a", OnlyA))
