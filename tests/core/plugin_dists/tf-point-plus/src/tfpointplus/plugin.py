from tfpoint.plugin import PointTransformer

from typeflow import hookimpl


class PointAsText(PointTransformer):
    def __init__(self):
        super().__init__()
        self._name = "PointAsText"


@hookimpl
def typeflow_register_transformers(registry):
    registry.register(PointAsText(), override=True)
