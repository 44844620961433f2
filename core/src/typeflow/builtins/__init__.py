"""Built-in transformers, registered through the same hook as any plugin."""

from __future__ import annotations

import collections.abc
import os
from typing import TYPE_CHECKING

from typeflow.hookspecs import hookimpl

if TYPE_CHECKING:
    from typeflow.registry import TransformerRegistry


@hookimpl
def typeflow_register_transformers(registry: TransformerRegistry) -> None:
    from typeflow.datasets.transformer import StructuredDatasetTransformer

    from . import restricted, simple
    from .dicts import DictTransformer
    from .enums import EnumTransformer, is_enum_type
    from .files import DirectoryTransformer, FileTransformer
    from .iterators import IteratorTransformer
    from .lists import ListTransformer
    from .paths import PathTransformer
    from .streams import BinaryIOTransformer, TextIOTransformer
    from .structs import DataclassTransformer, is_dataclass_type
    from .typing_literal import LiteralTypeTransformer
    from .unions import UnionTransformer

    for transformer in simple.transformers():
        registry.register(transformer)
    registry.register(ListTransformer())
    registry.register(DictTransformer())
    registry.register(UnionTransformer())
    registry.register(LiteralTypeTransformer())
    registry.register(FileTransformer(), additional_types=(os.PathLike,))
    registry.register(DirectoryTransformer())
    registry.register(PathTransformer())
    registry.register(BinaryIOTransformer())
    registry.register(TextIOTransformer())
    registry.register(IteratorTransformer(), additional_types=(collections.abc.Generator,))
    registry.register_predicate(is_dataclass_type, DataclassTransformer())
    registry.register_predicate(is_enum_type, EnumTransformer())
    for transformer in restricted.transformers():
        registry.register(transformer)
    registry.register(StructuredDatasetTransformer())  # the lazy handle; frame types come with their plugins
