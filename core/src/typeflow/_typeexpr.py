"""Parse a type expression given on the command line: ``List[int]``, ``pandas.DataFrame``, ``mymodule:People``.

Only names, dotted attributes, subscripts, ``X | Y``, ``None`` and string
constants are accepted; nothing else in the expression is evaluated. Dotted
names and ``module:attr`` import the named module, as the user asked.
"""

from __future__ import annotations

import ast
import builtins
import datetime
import importlib
import typing
from typing import Any

__all__ = ["TypeExpressionError", "parse_type"]


class TypeExpressionError(ValueError):
    """The text is not a type expression typeflow can resolve."""


_NAMES: dict[str, Any] = {
    **{
        name: getattr(typing, name)
        for name in ("List", "Dict", "Optional", "Union", "Any", "Annotated", "Literal", "Tuple", "Set")
    },
    **{
        name: getattr(builtins, name)
        for name in ("int", "float", "str", "bool", "bytes", "list", "dict", "tuple", "set", "object")
    },
    "datetime": datetime.datetime,
    "date": datetime.date,
    "timedelta": datetime.timedelta,
    "None": None,
}


def _is_the_module(exc: ModuleNotFoundError, module_name: str) -> bool:
    """Whether ``exc`` says ``module_name`` (or a parent package of it) is missing, not something it imports."""
    return exc.name is not None and (module_name == exc.name or module_name.startswith(exc.name + "."))


def _not_found(module_name: str) -> TypeExpressionError:
    top = module_name.partition(".")[0]
    return TypeExpressionError(
        f"no module named {top!r}: it is neither installed nor a file in the current directory or on PYTHONPATH"
    )


def _import_module(module_name: str) -> Any:
    """Import ``module_name``; every failure is one :class:`TypeExpressionError` wording."""
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if _is_the_module(exc, module_name):
            raise _not_found(module_name) from exc
        raise TypeExpressionError(f"importing {module_name!r} failed: {exc}") from exc
    except Exception as exc:
        raise TypeExpressionError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from exc


def _import_attr(dotted: str) -> Any:
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        module_name = ".".join(parts[:cut])
        try:
            obj: Any = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if not _is_the_module(exc, module_name):
                raise TypeExpressionError(f"importing {module_name!r} failed: {exc}") from exc
            continue
        except Exception as exc:
            raise TypeExpressionError(f"importing {module_name!r} failed: {type(exc).__name__}: {exc}") from exc
        for attr in parts[cut:]:
            try:
                obj = getattr(obj, attr)
            except AttributeError:
                raise TypeExpressionError(f"module {module_name!r} has no attribute {attr!r}") from None
        return obj
    raise _not_found(parts[0])


def _dotted(node: ast.expr) -> str | None:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        base = _dotted(node.value)
        return f"{base}.{node.attr}" if base else None
    return None


def _eval(node: ast.expr) -> Any:
    if isinstance(node, ast.Constant) and (node.value is None or isinstance(node.value, (str, int, bool))):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in _NAMES:
            return _NAMES[node.id]
        return _import_attr(node.id)
    if isinstance(node, ast.Attribute):
        dotted = _dotted(node)
        if dotted is None:
            raise TypeExpressionError(f"unsupported expression {ast.unparse(node)!r}")
        return _import_attr(dotted)
    if isinstance(node, ast.Subscript):
        base = _eval(node.value)
        inner = node.slice
        args = tuple(_eval(e) for e in inner.elts) if isinstance(inner, ast.Tuple) else (_eval(inner),)
        try:
            return base[args if len(args) > 1 else args[0]]
        except TypeError as exc:
            raise TypeExpressionError(f"{ast.unparse(node)!r}: {exc}") from None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        left, right = _eval(node.left), _eval(node.right)
        return typing.Union[left, right]
    raise TypeExpressionError(f"unsupported expression {ast.unparse(node)!r}")


def parse_type(text: str) -> Any:
    """The Python type ``text`` names; raises :class:`TypeExpressionError` otherwise."""
    text = text.strip()
    if ":" in text and "[" not in text.split(":", 1)[0]:
        module, _, attr = text.partition(":")
        obj: Any = _import_module(module.strip())
        for part in attr.split("."):
            if not hasattr(obj, part):
                raise TypeExpressionError(f"module {module!r} has no attribute {attr!r}")
            obj = getattr(obj, part)
        return obj
    try:
        tree = ast.parse(text, mode="eval")
    except SyntaxError as exc:
        raise TypeExpressionError(f"cannot parse type expression {text!r}: {exc.msg}") from None
    return _eval(tree.body)
