from tfshared import Shared
from tfshared.plugin import NoneLike

from typeflow import hookimpl


@hookimpl
def typeflow_register_transformers(registry):
    registry.register(NoneLike("shared-b", Shared))
