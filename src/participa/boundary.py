"""The public boundary: arguments checked against their annotations before any work starts.

Every public function of participa is typed; :func:`checked` turns those types into
a run-time check at the boundary, so that a wrong argument becomes a
:class:`~participa.ValidationError` that names the function, the argument, what was
expected and what came, instead of a ``TypeError`` or ``AttributeError`` from deep
inside a rule (or, worse, a silently wrong answer: ``2.5`` where an ``int`` of minor
units was meant, ``"bogus"`` for an option).

What is checked, from the annotation:

* classes (``Election``, ``Outcome``, enums, ...) by ``isinstance``;
* ``int`` refuses ``bool`` and floats (numpy integers pass); ``float`` refuses NaN
  and ``bool``; ``str`` only takes strings;
* ``Literal[...]`` takes only its listed values: an unknown option string is refused
  with the valid choices;
* unions and ``None`` for optional arguments;
* containers (``Sequence``, ``Mapping``, ``tuple``, ``list``, ...) by their kind, and
  their items when there are few enough to check cheaply; a ``str`` is refused where
  a sequence of things was meant;
* ``Callable`` by ``callable``; numpy arrays and ``ArrayLike`` are left to the
  function (it converts and checks them itself).

What is *not* checked here: meaning (a negative cost, a budget too small). Each
value's own validators say that; this module only makes sure the value is of the
kind the function can work with.

Examples
--------
>>> @checked
... def share(total: int, *, parts: int = 2, mode: Literal["floor", "round"] = "floor") -> int:
...     return total // parts
>>> share(10, parts=5)
2
>>> share(10.5)
Traceback (most recent call last):
...
participa.errors.ValidationError: share(): total must be an integer, got 10.5 (float)
>>> share(10, mode="ceil")
Traceback (most recent call last):
...
participa.errors.ValidationError: share(): mode must be one of 'floor', 'round', got 'ceil' (str)
"""

from __future__ import annotations

import collections.abc as cabc
import enum
import functools
import inspect
import math
import sys
import types
import typing
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from fractions import Fraction
from typing import Any, Literal, ParamSpec, TypeVar, cast, get_args, get_origin

import attrs
import numpy as np

from participa._annotations import _eval_annotation, _typing_only
from participa.errors import ParticipaError, ValidationError
from participa.i18n import _

__all__ = ["checked", "describe", "matches", "need_arrays", "trusted", "typed_fields"]

P = ParamSpec("P")
R = TypeVar("R")

_MAX_ITEMS = 2_000
"""Containers up to this size have their items checked; longer ones only their kind."""

_UNCHECKED = object()
"""Marker for an annotation that could not be resolved (a name imported for typing only)."""


_TRUSTED: ContextVar[bool] = ContextVar("participa_trusted", default=False)


@contextmanager
def trusted() -> Iterator[None]:
    """Skip the kind checks of this module inside the block: for participa's own builders.

    A reader that builds values from text it has split itself, or a rule that builds its
    trace from its own numbers, knows every kind already; re-checking each field of each
    project and trace step against its annotation cost a replay of the pabulib snapshot
    about a second. Inside the block :func:`checked` functions and ``typed_fields``
    classes skip the annotation checks; each value's own validators (the meaning: a
    negative cost, an empty id, a line break) still run. It is a context variable, like
    the language: it ends with the block and never leaks to other threads or tasks.
    Never run code you do not control (a callback) inside it.

    >>> @attrs.frozen(field_transformer=typed_fields)
    ... class Pair:
    ...     left: int
    >>> with trusted():
    ...     Pair(1).left
    1
    >>> Pair("1")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: Pair(): left must be an integer, got '1' (str)
    """
    token = _TRUSTED.set(True)
    try:
        yield
    finally:
        _TRUSTED.reset(token)


_INTS = (int, np.integer)
_BOOLS = (bool, np.bool_)


def _is_int(value: object) -> bool:
    return isinstance(value, _INTS) and not isinstance(value, _BOOLS)


def need_arrays(func: str, **arrays: object) -> None:
    """Refuse anything but numpy arrays for a kernel's array arguments (O(arguments)).

    For fast helpers that take arrays only (nested lists would be converted at a cost
    the caller did not ask for): one ``isinstance`` per argument, no wrapper.

    >>> need_arrays("exact_dot", vec=np.arange(3))
    >>> need_arrays("exact_dot", vec=[1, 2])
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: exact_dot(): vec must be a numpy array, got [1, 2] (list)
    """
    for arg, value in arrays.items():
        if not isinstance(value, np.ndarray):
            raise ValidationError(
                _(
                    "{func}(): {arg} must be {expected}, got {value}",
                    func=func,
                    arg=arg,
                    expected=_("a numpy array"),
                    value=_shown(value),
                )
            )


def _numpy_typing(tp: Any) -> bool:
    """Whether ``tp`` is one of numpy's typing helpers (``ArrayLike`` is a union of them)."""
    return str(getattr(get_origin(tp) or tp, "__module__", "")).startswith("numpy._typing")


def matches(value: object, tp: Any) -> bool:
    """Whether ``value`` is of the kind the annotation ``tp`` describes (see the module).

    >>> matches(3, int), matches(True, int), matches(3.0, int)
    (True, False, False)
    >>> matches("id", Literal["id", "cost"]), matches("x", Literal["id", "cost"])
    (True, False)
    >>> matches(["a", "b"], cabc.Sequence[str]), matches("ab", cabc.Sequence[str])
    (True, False)
    >>> matches(float("nan"), float), matches(None, int | None)
    (False, True)
    """
    return _checker(tp)(value)


def _always(_value: object) -> bool:
    return True


def _is_float(value: object) -> bool:
    if isinstance(value, bool | np.bool_):
        return False
    if isinstance(value, float | np.floating):
        return not math.isnan(value)
    return _is_int(value) or isinstance(value, Fraction)


_CHECKERS: dict[int, tuple[Any, Callable[[object], bool]]] = {}
"""Checks by annotation identity; the annotation is kept so its id is never reused."""


def _checker(tp: Any) -> Callable[[object], bool]:
    """The check for one annotation, built once per annotation (calls stay cheap)."""
    found = _CHECKERS.get(id(tp))
    if found is not None and found[0] is tp:
        return found[1]
    check = _compile(tp)
    if len(_CHECKERS) < 100_000:  # annotations are few; a runaway caller is not cached
        _CHECKERS[id(tp)] = (tp, check)
    return check


def _compile(tp: Any) -> Callable[[object], bool]:
    if tp is Any or tp is object or tp is _UNCHECKED or isinstance(tp, TypeVar | str):
        return _always  # a string: an unresolved forward reference
    if tp is None or tp is type(None):
        return lambda value: value is None
    origin = get_origin(tp)
    args = get_args(tp)
    if tp in (typing.TextIO, typing.BinaryIO, typing.IO) or origin is typing.IO:
        # typing's stream classes are not the io classes: a stream is what reads or writes
        return lambda value: hasattr(value, "write") or hasattr(value, "read")
    if origin is Literal:
        return lambda value: (
            any(type(value) is type(a) and value == a for a in args)
            or any(isinstance(a, str) and isinstance(value, str) and value == a for a in args)
        )
    if origin is typing.Union or origin is types.UnionType:
        if any(_numpy_typing(a) for a in args):  # ArrayLike: the function converts it
            return _always
        subs = tuple(_checker(a) for a in args)

        def union(value: object) -> bool:
            for check in subs:  # noqa: SIM110 - a loop: no generator per call
                if check(value):
                    return True
            return False

        return union
    if origin is typing.Annotated:
        return _checker(args[0])
    if tp is int:
        return _is_int
    if tp is float:
        return _is_float
    if tp is bool:
        return lambda value: isinstance(value, bool | np.bool_)
    if tp is str:
        return lambda value: isinstance(value, str)
    if tp is Fraction:
        return lambda value: isinstance(value, Fraction) or _is_int(value)
    if origin is not None:
        return _compile_generic(origin, args)
    if tp is cabc.Callable:
        return callable
    if isinstance(tp, type):
        if tp in (cabc.Sequence, cabc.Iterable, cabc.Collection):
            return lambda value: not isinstance(value, str) and isinstance(value, tp)

        def instance(value: object) -> bool:
            try:
                return isinstance(value, tp)
            except TypeError:  # pragma: no cover - a protocol that cannot be checked
                return True

        return instance
    return _always


def _compile_generic(origin: Any, args: tuple[Any, ...]) -> Callable[[object], bool]:
    """The check for ``origin[args]``, item checks built once."""
    if origin is cabc.Callable:
        return callable
    if origin is np.ndarray:
        # an array, or nested lists the function turns into one (it checks shape and dtype)
        return lambda value: isinstance(value, np.ndarray | list | tuple)
    if origin is type:
        return lambda value: isinstance(value, type)
    if not isinstance(origin, type):
        return _always

    def kind(value: object) -> bool:
        # a string is a sequence of characters: never what a sequence of things means
        if isinstance(value, str) and origin is not str:
            return False
        return isinstance(value, origin)

    if not args:
        return kind

    def small(value: object) -> bool:
        return not (isinstance(value, cabc.Sized) and len(value) > _MAX_ITEMS)

    if issubclass(origin, cabc.Mapping):
        key_tp, val_tp = (*args, Any, Any)[:2]
        key_ok, val_ok = _checker(key_tp), _checker(val_tp)
        key_exact, val_exact = _EXACT.get(key_tp), _EXACT.get(val_tp)

        def mapping(value: Any) -> bool:
            if not kind(value):
                return False
            if not small(value):
                return True
            if (key_exact is None or not _all_exact(value.keys(), key_exact)) and not all(
                map(key_ok, value.keys())
            ):
                return False
            return (val_exact is not None and _all_exact(value.values(), val_exact)) or all(
                map(val_ok, value.values())
            )

        return mapping
    if origin is tuple and not (len(args) == 2 and args[1] is Ellipsis):
        if args == ((),):
            return lambda value: kind(value) and len(value) == 0  # type: ignore[arg-type]
        each = tuple(_checker(a) for a in args)

        def fixed(value: Any) -> bool:
            return (
                kind(value)
                and len(value) == len(each)
                and all(ok(v) for ok, v in zip(each, value, strict=True))
            )

        return fixed
    item_ok = _checker(args[0])
    exact = _EXACT.get(args[0])

    def items(value: Any) -> bool:
        if not kind(value):
            return False
        if not small(value):
            return True
        if isinstance(value, cabc.Sequence | cabc.Set | cabc.Mapping):
            # a mapping passed where items were meant iterates over its keys
            return (exact is not None and _all_exact(value, exact)) or all(map(item_ok, value))
        return True  # an iterator: its items are checked where they are consumed

    return items


_EXACT: dict[Any, frozenset[type]] = {str: frozenset({str}), int: frozenset({int})}
"""Item annotations whose check every item of exactly these types passes (``bool`` is not
``int``'s type): a container of them is checked in one C-level pass, not item by item."""


def _all_exact(values: cabc.Iterable[object], types: frozenset[type]) -> bool:
    """Whether every value's type is one of ``types`` (``False``: check item by item).

    >>> _all_exact(["a", "b"], frozenset({str})), _all_exact([1, True], frozenset({int}))
    (True, False)
    """
    return set(map(type, values)) <= types


def describe(tp: Any) -> str:
    """An annotation as a reader would say it: ``an integer``, ``one of 'a', 'b'``, ...

    >>> describe(int | None)
    'an integer or None'
    >>> describe(Literal["id", "cost"])
    "one of 'id', 'cost'"
    """
    origin = get_origin(tp)
    args = get_args(tp)
    if tp is None or tp is type(None):
        return "None"
    if origin is Literal:
        return _("one of {choices}", choices=", ".join(repr(a) for a in args))
    if origin is typing.Union or origin is types.UnionType:
        return _(" or ").join(dict.fromkeys(describe(a) for a in args))
    if tp is int:
        return _("an integer")
    if tp is float:
        return _("a number")
    if tp is bool:
        return _("True or False")
    if tp is str:
        return _("a string")
    if origin is np.ndarray or tp is np.ndarray:
        return _("a numpy array")
    if origin is not None and isinstance(origin, type):
        inner = ", ".join(describe(a) for a in args if a is not Ellipsis)
        name = origin.__name__
        if not inner:
            return name
        if name[:1].lower() in "aeiou":
            return _("an {kind} of {items}", kind=name, items=inner)
        return _("a {kind} of {items}", kind=name, items=inner)
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        choices = ", ".join(f"{tp.__name__}.{m.name}" for m in list(tp)[:8])
        return _("a {kind} ({choices})", kind=tp.__name__, choices=choices)
    if isinstance(tp, type):
        return tp.__name__
    return str(tp)


def _first_mismatch(value: object, tp: Any) -> tuple[str, object, Any]:
    """Where inside a container the first wrong item is: ``("[2]", 2.5, int)``.

    A list of the right kind with one wrong item is reported by that item's position (or
    key), so the message says which one; anything else is reported whole (``""``).
    """
    origin = get_origin(tp)
    args = get_args(tp)
    if origin is typing.Union or origin is types.UnionType:
        fitting = [
            a
            for a in args
            if isinstance(get_origin(a), type) and isinstance(value, cast("type", get_origin(a)))
        ]
        if len(fitting) == 1 and not isinstance(value, str):
            return _first_mismatch(value, fitting[0])
        return "", value, tp
    if not (isinstance(origin, type) and isinstance(value, origin)) or not args:
        return "", value, tp
    if isinstance(value, cabc.Mapping):
        key_tp, val_tp = (*args, Any, Any)[:2]
        for k, v in value.items():
            if not matches(k, key_tp):
                return "", k, key_tp
            if not matches(v, val_tp):
                inner, item, item_tp = _first_mismatch(v, val_tp)
                return f"[{k!r}]{inner}", item, item_tp
        return "", value, tp
    if isinstance(value, cabc.Sequence) and not isinstance(value, str):
        fixed = origin is tuple and not (len(args) == 2 and args[1] is Ellipsis)
        if fixed and len(value) != len(args):
            return "", value, tp
        for i, v in enumerate(value):
            item_tp = args[i] if fixed else args[0]
            if not matches(v, item_tp):
                inner, item, deeper = _first_mismatch(v, item_tp)
                return f"[{i}]{inner}", item, deeper
    return "", value, tp


def _shown(value: object) -> str:
    text = repr(value)
    if len(text) > 60:
        text = text[:57] + "..."
    return f"{text} ({type(value).__name__})"


def _hints(func: Callable[..., Any]) -> dict[str, Any]:
    """The function's annotations, resolved; names that exist only for typing are imported."""
    target = inspect.unwrap(func)
    raw = getattr(target, "__annotations__", {})
    globalns: dict[str, Any] = dict(getattr(target, "__globals__", {}))
    extra: dict[str, Any] | None = None
    out: dict[str, Any] = {}
    for name, ann in raw.items():
        try:
            out[name] = _eval_annotation(ann, globalns, {})
        except Exception:  # retried with the names imported for typing only
            if extra is None:
                extra = _typing_only(getattr(target, "__module__", None))
            try:
                out[name] = _eval_annotation(ann, {**extra, **globalns}, {})
            except Exception:  # a typing-only name: leave it unchecked
                out[name] = _UNCHECKED
    return out


def checked(func: Callable[P, R]) -> Callable[P, R]:
    """Check a public function's arguments against its annotations on every call.

    Wrong arity and wrong kinds become :class:`~participa.ValidationError` naming the
    function and the argument. The annotations are resolved on the first call (so
    forward references to classes defined later in the module work).
    """
    signature = inspect.signature(func)
    name = getattr(func, "__qualname__", getattr(func, "__name__", "function"))
    if name.endswith(".__init__"):
        name = name[: -len(".__init__")]
    kinds = {p.name: p.kind for p in signature.parameters.values()}
    plain = (
        inspect.Parameter.POSITIONAL_ONLY,
        inspect.Parameter.POSITIONAL_OR_KEYWORD,
        inspect.Parameter.KEYWORD_ONLY,
    )
    # the common case (no *args/**kwargs) is bound by hand: Signature.bind costs ~20 us
    simple = all(kind in plain for kind in kinds.values())
    positional = tuple(p.name for p in signature.parameters.values() if p.kind in plain[:2])
    by_keyword = frozenset(p.name for p in signature.parameters.values() if p.kind in plain[1:])
    required = frozenset(p.name for p in signature.parameters.values() if p.default is p.empty)
    state: dict[str, dict[str, Any]] = {}

    def checks() -> dict[str, Callable[[object], bool]]:
        found = state.get("checks")
        if found is None:
            hints = _hints(func)
            state["hints"] = hints
            found = state["checks"] = {
                arg: _checker(hints.get(arg, _UNCHECKED))
                for arg in kinds
                if arg not in ("self", "cls")
            }
        return found

    def bind(args: tuple[Any, ...], kwargs: dict[str, Any]) -> list[tuple[str, Any]]:
        if simple and len(args) <= len(positional):
            given = positional[: len(args)]
            if all(k in by_keyword and k not in given for k in kwargs) and required.issubset(
                (*given, *kwargs)
            ):
                return [*zip(given, args, strict=True), *kwargs.items()]
        try:
            bound = signature.bind(*args, **kwargs)
        except TypeError as exc:
            raise ValidationError(
                _("{func}(): {problem}", func=name, problem=str(exc)),
                hint=_("see help({func}) for its arguments", func=name),
            ) from None
        return list(bound.arguments.items())

    def refuse(arg: str, value: object) -> None:
        tp = state["hints"].get(arg, _UNCHECKED)
        where, value, tp = _first_mismatch(value, tp)
        raise ValidationError(
            _(
                "{func}(): {arg} must be {expected}, got {value}",
                func=name,
                arg=arg + where,
                expected=describe(tp),
                value=_shown(value),
            )
        )

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        if _TRUSTED.get():
            return func(*args, **kwargs)
        table = state.get("checks") or checks()
        if simple and not kwargs and len(args) == len(positional):
            pairs: list[tuple[str, Any]] | zip[tuple[str, Any]] = zip(positional, args, strict=True)
        else:
            pairs = bind(args, kwargs)
        for arg, value in pairs:
            check = table.get(arg)
            if check is None:
                continue
            kind = kinds[arg]
            if kind is inspect.Parameter.VAR_POSITIONAL:
                for item in value:
                    if not check(item):
                        refuse(arg, item)
            elif kind is inspect.Parameter.VAR_KEYWORD:
                for item in value.values():
                    if not check(item):
                        refuse(arg, item)
            elif not check(value):
                refuse(arg, value)
        return func(*args, **kwargs)

    wrapper.__signature__ = signature  # type: ignore[attr-defined]
    wrapper.__participa_checked__ = True  # type: ignore[attr-defined]
    return wrapper


_CONVERTER_ERRORS = (
    TypeError,
    ValueError,
    AttributeError,
    KeyError,
    IndexError,
    OverflowError,
    ZeroDivisionError,
    ArithmeticError,
)


def _class_hints(cls: type) -> dict[str, Any]:
    cached = cls.__dict__.get("__participa_hints__")
    if cached is not None:
        return cast("dict[str, Any]", cached)
    module = sys.modules.get(cls.__module__)
    globalns = dict(vars(module)) if module else {}
    extra: dict[str, Any] | None = None  # the typing-only names, read only when needed
    hints: dict[str, Any] = {}
    for klass in reversed(cls.__mro__):
        for name, ann in getattr(klass, "__annotations__", {}).items():
            if not isinstance(ann, str):
                hints[name] = ann
                continue
            try:
                hints[name] = _eval_annotation(ann, globalns, dict(vars(klass)))
                continue
            except Exception:  # retried with the names imported for typing only
                if extra is None:
                    extra = {**_typing_only(cls.__module__), **globalns}
            try:
                hints[name] = _eval_annotation(ann, extra, dict(vars(klass)))
            except Exception:  # a typing-only name: leave it unchecked
                hints[name] = _UNCHECKED
    type.__setattr__(cls, "__participa_hints__", hints)
    return hints


def _project_of(inst: object) -> str | None:
    """The project a value is about, to name it in an error (a Project's own id included)."""
    for name in ("project_id", "id") if type(inst).__name__ == "Project" else ("project_id",):
        found = getattr(inst, name, None)
        if isinstance(found, str):
            return found
    return None


def _class_checks(cls: type) -> dict[str, Callable[[object], bool]]:
    """Each field's check, built once per class."""
    cached = cls.__dict__.get("__participa_checks__")
    if cached is None:
        hints = _class_hints(cls)
        cached = {f.name: _checker(hints.get(f.name, _UNCHECKED)) for f in attrs.fields(cls)}
        type.__setattr__(cls, "__participa_checks__", cached)
    return cached


def _type_validator(inst: object, attribute: attrs.Attribute[Any], value: object) -> None:
    cls = type(inst)
    if _TRUSTED.get() or _class_checks(cls)[attribute.name](value):
        return
    tp = _class_hints(cls).get(attribute.name, _UNCHECKED)
    if not matches(value, tp):
        where, value, tp = _first_mismatch(value, tp)
        ident = getattr(inst, "id", None) if cls.__name__ != "Project" else None
        raise ValidationError(
            _(
                "{func}(): {arg} must be {expected}, got {value}",
                func=cls.__name__ + (f"({ident!r})" if isinstance(ident, str) else ""),
                arg=(attribute.alias or attribute.name) + where,
                expected=describe(tp),
                value=_shown(value),
            ),
            project_id=_project_of(inst),
        )


def _guarded(converter: Any, owner: str, field: str) -> Callable[[Any], Any]:
    if isinstance(converter, attrs.Converter):  # pragma: no cover - attrs >= 24 converters
        return cast("Callable[[Any], Any]", converter)

    def convert(value: Any) -> Any:
        try:
            return converter(value)
        except _CONVERTER_ERRORS as exc:
            if isinstance(exc, ParticipaError):
                raise
            raise ValidationError(
                _(
                    "{func}(): {arg} cannot be read from {value}: {problem}",
                    func=owner,
                    arg=field,
                    value=_shown(value),
                    problem=str(exc) or type(exc).__name__,
                )
            ) from None

    return convert


def _check_fields(inst: Any, names: list[str]) -> None:
    if _TRUSTED.get():
        return
    checks = _class_checks(type(inst))
    for name in names:
        value = getattr(inst, name)
        if not checks[name](value):
            _type_validator(inst, attrs.fields_dict(type(inst))[name], value)


def _validator(
    own: Any, owner: str, *, typed: bool = True
) -> Callable[[Any, attrs.Attribute[Any], Any], None] | None:
    """The field's own validator first (its messages know the domain), then the annotation.

    ``typed=False``: the annotation is checked later (after ``__attrs_post_init__``); a
    validator that breaks on a wrong kind still reports the kind.
    """
    if own is None:
        return _type_validator if typed else None

    def validate(inst: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        try:
            own(inst, attribute, value)
        except ParticipaError:
            raise
        except _CONVERTER_ERRORS as exc:
            _type_validator(inst, attribute, value)
            raise ValidationError(
                _(
                    "{func}(): {arg} cannot be read from {value}: {problem}",
                    func=owner,
                    arg=attribute.alias or attribute.name,
                    value=_shown(value),
                    problem=str(exc) or type(exc).__name__,
                )
            ) from None
        if typed:
            _type_validator(inst, attribute, value)

    return validate


def typed_fields(cls: type, fields: list[attrs.Attribute[Any]]) -> list[attrs.Attribute[Any]]:
    """An attrs ``field_transformer``: fields check their annotation; converters fail cleanly.

    Use it on every value class: ``@attrs.frozen(slots=True, field_transformer=typed_fields)``.
    A field's annotation is checked (:func:`matches`) after its converter ran and before
    the class's own validators; a converter that breaks on a wrong kind of input
    raises :class:`~participa.ValidationError` naming the class and the field.

    >>> @attrs.frozen(field_transformer=typed_fields)
    ... class Pair:
    ...     left: int
    ...     right: tuple[int, ...] = attrs.field(converter=tuple, default=())
    >>> Pair(1, [2, 3])
    Pair(left=1, right=(2, 3))
    >>> Pair(1.5)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: Pair(): left must be an integer, got 1.5 (float)
    >>> Pair(1, 7)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: Pair(): right cannot be read from 7 (int): ...
    """
    post_init: Callable[[Any], None] | None = getattr(cls, "__attrs_post_init__", None)
    checked_after = post_init is not None
    if post_init is not None:
        original = post_init
        # The class checks its values itself (with messages that know the domain): the
        # kinds are checked after it, on what it normalised, or when it broke on a wrong kind.
        names = [f.name for f in fields if f.init]

        def after(self: Any) -> None:
            try:
                original(self)
            except ParticipaError:
                raise
            except _CONVERTER_ERRORS:
                _check_fields(self, names)
                raise
            _check_fields(self, names)

        after.__name__ = "__attrs_post_init__"
        after.__qualname__ = f"{cls.__qualname__}.__attrs_post_init__"
        type.__setattr__(cls, "__attrs_post_init__", after)
    out = []
    for field in fields:
        if not field.init:
            out.append(field)
            continue
        changes: dict[str, Any] = {
            "validator": _validator(field.validator, cls.__name__, typed=not checked_after)
        }
        if field.converter is not None:
            changes["converter"] = _guarded(
                field.converter, cls.__name__, field.alias or field.name
            )
        out.append(field.evolve(**changes))
    return out
