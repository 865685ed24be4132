"""Annotations resolved at run time, for :mod:`participa.boundary`'s checks.

Public functions and value classes are annotated with strings (``from __future__ import
annotations``); :mod:`participa.boundary` turns them into the objects they name once, on
first use: :func:`_eval_annotation` reads plain names, dots, unions and subscripts without
:func:`compile` (which costs about a millisecond per annotation at start-up), and
:func:`_typing_only` imports the names a module keeps under ``if TYPE_CHECKING:``.

>>> import typing
>>> _eval_annotation("int | None", {}, {}) == (int | None)
True
>>> _eval_annotation("typing.Sequence[str]", {"typing": typing}, {})
typing.Sequence[str]
"""

from __future__ import annotations

import ast
import builtins
import functools
import importlib
import inspect
import sys
from collections.abc import Mapping
from typing import Any

_TYPING_ONLY: dict[str, dict[str, Any]] = {}


def _typing_only(module_name: str | None) -> dict[str, Any]:
    """The names a module imports under ``if TYPE_CHECKING:``, imported now (at first call).

    Annotations often name classes imported for typing only (to avoid import cycles);
    by the time a public function is first called every module can be imported, so
    those names are resolved here and checked like any other.
    """
    if module_name is None:
        return {}
    cached = _TYPING_ONLY.get(module_name)
    if cached is not None:
        return cached
    found: dict[str, Any] = {}
    module = sys.modules.get(module_name)
    try:
        tree = ast.parse(inspect.getsource(module)) if module is not None else None
    except (OSError, TypeError, SyntaxError):  # pragma: no cover - no source available
        tree = None
    for node in tree.body if tree is not None else ():
        if not (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)):
            continue
        for stmt in node.body:
            if not isinstance(stmt, ast.ImportFrom) or not stmt.module or stmt.level:
                continue
            for alias in stmt.names:
                try:
                    source = importlib.import_module(stmt.module)
                    found[alias.asname or alias.name] = getattr(source, alias.name)
                except (ImportError, AttributeError):  # pragma: no cover - optional extra
                    continue
    _TYPING_ONLY[module_name] = found
    return found


_NO_MATCH = object()


@functools.cache
def _code(text: str) -> Any:
    return compile(text, "<annotation>", "eval")


def _split_top(text: str, sep: str) -> list[str]:
    """``text`` split at ``sep`` outside brackets."""
    parts, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch == "[":
            depth += 1
        elif ch == "]":
            depth -= 1
        elif ch == sep and depth == 0:
            parts.append(text[start:i].strip())
            start = i + 1
    parts.append(text[start:].strip())
    return parts


def _simple_eval(text: str, ns: Mapping[str, Any]) -> Any:
    """An annotation string of names, dots, ``|``, subscripts and plain literals, without
    :func:`compile` (which costs about a millisecond per annotation at start-up); anything
    else returns ``_NO_MATCH`` and is evaluated the usual way."""
    parts = _split_top(text, "|")
    if len(parts) > 1:
        values = [_simple_eval(p, ns) for p in parts]
        if any(v is _NO_MATCH for v in values):
            return _NO_MATCH
        out = values[0]
        for v in values[1:]:
            out = out | v
        return out
    if text.endswith("]") and "[" in text:
        head, _sep, rest = text.partition("[")
        base = _simple_eval(head.strip(), ns)
        items = [_simple_eval(a, ns) for a in _split_top(rest[:-1], ",") if a]
        if base is _NO_MATCH or any(v is _NO_MATCH for v in items):
            return _NO_MATCH
        return base[tuple(items)] if len(items) != 1 else base[items[0]]
    if text == "None":
        return None
    if text == "...":
        return Ellipsis
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"" and "\\" not in text:
        return text[1:-1]
    if text.lstrip("-").isdigit():
        return int(text)
    names = text.split(".")
    if not all(n.isidentifier() for n in names):
        return _NO_MATCH
    if names[0] in ns:
        value = ns[names[0]]
    elif hasattr(builtins, names[0]):
        value = getattr(builtins, names[0])
    else:
        raise NameError(names[0])
    for attr in names[1:]:
        value = getattr(value, attr)
    return value


def _eval_annotation(ann: object, globalns: Mapping[str, Any], localns: Mapping[str, Any]) -> Any:
    """One annotation resolved (``None`` read as ``NoneType``, as typing does)."""
    if not isinstance(ann, str):
        return type(None) if ann is None else ann
    ns = {**globalns, **localns}
    try:
        value = _simple_eval(ann.strip(), ns)
    except (TypeError, AttributeError):
        value = _NO_MATCH
    if value is _NO_MATCH:
        value = eval(_code(ann), dict(globalns), dict(localns))  # noqa: S307
    return type(None) if value is None else value
