"""JSON for every public value: a documented, versioned schema, no pickle, no eval.

Every public ``attrs`` value class is *registered* under a stable type name.
:func:`dumps` writes ``{"schema": "participa/1", "type": NAME, "value": {...}}``;
the value is an object of the class's fields, encoded by their declared types:

========================  ==================================================
field type                JSON
========================  ==================================================
``int``, ``str``, ...     itself (``float`` NaN/inf are rejected)
``Fraction``              ``"p/q"`` string
``enum.Enum``             its ``value``
``tuple[X, ...]``         array
``Mapping[str, X]``       object
``numpy.ndarray``         ``{"dtype": "int64", "shape": [...], "data": [...]}``
registered attrs class    object of its fields (nested values need no tag)
``A | B`` of attrs types  ``{"type": NAME, "value": {...}}``
========================  ==================================================

:func:`loads` only ever builds registered classes, through their normal
constructors, so every validator runs again on the way in.

Examples
--------
>>> from participa.model import Project
>>> text = dumps(Project("P1", 1500, name="Losa deportiva"))
>>> loads(text) == Project("P1", 1500, name="Losa deportiva")
True
"""

from __future__ import annotations

import enum
import json
import math
import types
import typing
from collections.abc import Mapping
from fractions import Fraction
from typing import Any, TypeVar, Union, get_args, get_origin

import attrs
import numpy as np

from participa.errors import ParseError
from participa.exact import to_fraction

__all__ = ["SCHEMA", "decode", "dumps", "encode", "loads", "register"]

SCHEMA = "participa/1"
"""Version tag written into every JSON document."""

_BY_NAME: dict[str, type[Any]] = {}
_BY_CLASS: dict[type[Any], str] = {}
_HINTS: dict[type[Any], dict[str, Any]] = {}

T = TypeVar("T")


def register(cls: type[T], name: str | None = None) -> type[T]:
    """Make an attrs class JSON-serialisable under ``name`` (default: its class name).

    Usable as a decorator. Registering the same class twice is harmless.
    """
    if not attrs.has(cls):
        raise TypeError(f"{cls.__name__} is not an attrs class")
    key = name or cls.__name__
    other = _BY_NAME.get(key)
    same_place = other is not None and (other.__module__, other.__qualname__) == (
        cls.__module__,
        cls.__qualname__,
    )
    if other is not None and other is not cls and not same_place:
        raise TypeError(
            f"JSON type name {key!r} already registered for {other.__module__}.{other.__qualname__}"
        )
    # A module imported a second time (e.g. by a test runner importing files by path)
    # re-registers its classes under the same names: the newest definition wins.
    _BY_NAME[key] = cls
    _BY_CLASS[cls] = key
    return cls  # type: ignore[return-value]  # attrs.has() narrowed it to AttrsInstance


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        import sys

        module = sys.modules[cls.__module__]
        _HINTS[cls] = typing.get_type_hints(cls, vars(module))
    return _HINTS[cls]


def encode(value: Any) -> Any:
    """Turn a value into plain JSON data (untagged for registered classes)."""
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if not math.isfinite(f):
            raise ValueError(f"cannot encode non-finite float {f}")
        return f
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, enum.Enum):
        return encode(value.value)
    if isinstance(value, np.ndarray):
        return {
            "dtype": str(value.dtype),
            "shape": list(value.shape),
            "data": value.ravel().tolist(),
        }
    if isinstance(value, Mapping):
        return {str(k): encode(v) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [encode(v) for v in items]
    cls = type(value)
    if cls in _BY_CLASS:
        out: dict[str, Any] = {}
        for f in attrs.fields(cls):
            if not f.init:
                continue
            v = getattr(value, f.name)
            tp = _hints(cls).get(f.name)
            out[f.alias or f.name] = _tagged(v) if _needs_tag(tp) else encode(v)
        return out
    raise TypeError(f"cannot encode a {cls.__qualname__} as JSON (not registered)")


def _needs_tag(tp: Any) -> bool:
    if tp is None or tp is Any:
        return True
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return sum(1 for a in args if isinstance(a, type) and attrs.has(a)) > 1 or any(
            a is Any for a in args
        )
    return False


def _tagged(value: Any) -> Any:
    cls = type(value)
    if cls in _BY_CLASS:
        return {"type": _BY_CLASS[cls], "value": encode(value)}
    return encode(value)


def decode(data: Any, tp: Any) -> Any:
    """Rebuild a value of declared type ``tp`` from :func:`encode` output."""
    if tp is Any or tp is None:
        if isinstance(data, dict) and set(data) == {"type", "value"} and data["type"] in _BY_NAME:
            return decode(data["value"], _BY_NAME[data["type"]])
        return data
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if data is None and type(None) in args:
            return None
        if isinstance(data, dict) and set(data) == {"type", "value"} and data["type"] in _BY_NAME:
            return decode(data["value"], _BY_NAME[data["type"]])
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return decode(data, a)
            except (TypeError, ValueError, KeyError) as exc:
                errors.append(exc)
        raise ValueError(f"no alternative of {tp} fits {data!r}: {errors}")
    if origin is typing.Literal:
        if data not in get_args(tp):
            raise ValueError(f"{data!r} is not one of {get_args(tp)}")
        return data
    if origin in (tuple,):
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(decode(x, args[0]) for x in _list(data))
        return tuple(decode(x, a) for x, a in zip(_list(data), args, strict=True))
    if origin in (list, frozenset, set):
        (a,) = get_args(tp)
        return origin(decode(x, a) for x in _list(data))
    if origin in (dict, Mapping) or tp is Mapping:
        args = get_args(tp) or (str, Any)
        if not isinstance(data, dict):
            raise TypeError(f"expected an object, got {data!r}")
        return {decode(k, args[0]): decode(v, args[1]) for k, v in data.items()}
    if origin is np.ndarray or tp is np.ndarray:
        if not isinstance(data, dict):
            raise TypeError("expected an array object")
        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in "biuf":
            raise ValueError(f"array dtype {dtype} not allowed")
        arr = np.array(data["data"], dtype=dtype)
        shape = [int(s) for s in data["shape"]]
        if any(s < 0 for s in shape) or int(np.prod(shape, dtype=np.int64)) != arr.size:
            raise ValueError(f"array shape {shape} does not fit {arr.size} values")
        return arr.reshape(shape)
    if isinstance(tp, type):
        if tp is bool:
            if not isinstance(data, bool):
                raise TypeError(f"expected a boolean, got {data!r}")
            return data
        if tp is int:
            if isinstance(data, bool) or not isinstance(data, int):
                raise TypeError(f"expected an integer, got {data!r}")
            return data
        if tp is float:
            if isinstance(data, bool) or not isinstance(data, int | float):
                raise TypeError(f"expected a number, got {data!r}")
            return float(data)
        if tp is str:
            if not isinstance(data, str):
                raise TypeError(f"expected a string, got {data!r}")
            return data
        if tp is Fraction:
            return to_fraction(data, what="fraction")  # the one bounded exact reader
        if issubclass(tp, enum.Enum):
            return tp(data)
        if attrs.has(tp):
            if tp not in _BY_CLASS:
                raise TypeError(f"{tp.__qualname__} is not registered for JSON")
            if not isinstance(data, dict):
                raise TypeError(f"expected an object for {tp.__name__}, got {data!r}")
            hints = _hints(tp)
            kwargs = {}
            for f in attrs.fields(tp):
                if not f.init:
                    continue
                key = f.alias or f.name
                if key in data:
                    kwargs[key] = decode(data[key], hints.get(f.name, Any))
            extra = set(data) - {f.alias or f.name for f in attrs.fields(tp)}
            if extra:
                raise ValueError(f"unknown fields for {tp.__name__}: {sorted(extra)}")
            return tp(**kwargs)
    if isinstance(tp, TypeVar):
        return data
    raise TypeError(f"cannot decode type {tp!r}")


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(f"expected an array, got {data!r}")
    return data


def dumps(value: Any, *, indent: int | None = None) -> str:
    """Serialise a registered value to a JSON document (``schema``, ``type``, ``value``)."""
    cls = type(value)
    if cls not in _BY_CLASS:
        raise TypeError(f"{cls.__qualname__} is not a registered participa value")
    doc = {"schema": SCHEMA, "type": _BY_CLASS[cls], "value": encode(value)}
    return json.dumps(doc, indent=indent, ensure_ascii=False, allow_nan=False)


def loads(text: str | bytes, *, expect: type[T] | None = None) -> Any:
    """Rebuild a value from :func:`dumps` output.

    Raises :class:`~participa.ParseError` for malformed JSON, an unknown schema or
    type, or data the class's validators reject (their message is kept).
    """
    from participa.errors import ParticipaError

    try:
        doc = json.loads(text)
    except RecursionError:
        raise ParseError("JSON nested too deeply") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(f"not valid JSON: {exc}", line=line) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else None
        raise ParseError(f"not a {SCHEMA} document (schema {got!r})")
    name = doc.get("type")
    cls = _BY_NAME.get(name) if isinstance(name, str) else None
    if cls is None:
        raise ParseError(f"unknown participa type {name!r}", hint=f"known: {sorted(_BY_NAME)}")
    if expect is not None and cls is not expect:
        raise ParseError(f"expected a {expect.__name__}, got a {name}")
    try:
        return decode(doc.get("value"), cls)
    except ParticipaError as exc:
        raise ParseError(f"invalid {name}: {exc}") from exc
    except (TypeError, ValueError, KeyError, ArithmeticError, RecursionError) as exc:
        raise ParseError(f"invalid {name}: {exc}") from exc
