import pickle

from typeflow import TypeTransformer, hookimpl
from typeflow.errors import TypeTransformerFailedError
from typeflow.literals import Binary, Literal, LiteralType, Scalar, SimpleType


class CatchAll(TypeTransformer):
    """Stores any value as stdlib pickle bytes (test-only)."""

    def __init__(self, t):
        super().__init__("CatchAll", t)

    def get_literal_type(self, t):
        return LiteralType(simple=SimpleType.BINARY)

    def to_literal(self, ctx, python_val, python_type, expected):
        if python_type is not object and isinstance(python_type, type) and not isinstance(python_val, python_type):
            raise TypeTransformerFailedError("wrong type", python_type=python_type, value=python_val)
        return Literal(scalar=Scalar(binary=Binary(pickle.dumps(python_val), tag="catchall")))

    def to_python_value(self, ctx, lv, expected_python_type):
        return pickle.loads(lv.scalar.binary.value)

    def guess_python_type(self, literal_type):
        raise ValueError("cannot guess")


@hookimpl
def typeflow_fallback_transformer(python_type):
    return CatchAll(python_type)
