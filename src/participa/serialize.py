"""JSON for every public value: a documented, versioned schema, no pickle, no eval.

Every public ``attrs`` value class is *registered* under a stable type name, by
an explicit ``@register("participa.Project")`` line where the class is defined:
``participa.<Class>`` for the base layer (model, money, outcome, tie-breaking),
``participa.<stage>.<Class>`` for everything else (``participa.phases.Round``,
``participa.ledger.Ledger``). :data:`MODULES` maps each name to its module, so
:func:`loads` rebuilds any registered value even in a process that has not
imported its module yet; the names participa 0.1.0 wrote (``Project``,
``phases.Round``) are still read (:data:`LEGACY_NAMES`).
:func:`dumps` writes ``{"schema": "participa/1", "type": NAME, "value": {...}}``;
the value is an object of the class's fields, encoded by their declared types (a class
whose fields changed shape reads older documents through its static method
``__participa_upgrade__(data) -> data``):

========================  ==================================================
field type                JSON
========================  ==================================================
``int``, ``str``, ...     itself (``float`` NaN/inf are rejected)
``Fraction``              ``"p/q"`` string
``enum.Enum``             its ``value``
``tuple[X, ...]``         array
``TextColumn``            array of strings
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
import importlib
import json
import math
import types
import typing
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import Any, TypeVar, Union, get_args, get_origin, overload

import attrs
import numpy as np

from participa.boundary import checked
from participa.errors import ParseError, ValidationError
from participa.exact import to_fraction
from participa.i18n import _

__all__ = [
    "LEGACY_NAMES",
    "MODULES",
    "OMIT_DEFAULT",
    "SCHEMA",
    "decode",
    "default_name",
    "dumps",
    "encode",
    "loads",
    "lookup",
    "register",
]

SCHEMA = "participa/1"
"""Version tag written into every JSON document."""

OMIT_DEFAULT = "participa.serialize.omit_default"
"""Field metadata key: ``attrs.field(..., metadata={OMIT_DEFAULT: True})`` leaves the field
out of the JSON while it holds its default, so adding an optional field to a value does not
change the documents (and the event-log hashes) of values that do not use it."""

_BY_NAME: dict[str, type[Any]] = {}
_BY_CLASS: dict[type[Any], str] = {}
_HINTS: dict[type[Any], dict[str, Any]] = {}

T = TypeVar("T")

_CORE_MODULES = ("participa.model", "participa.money", "participa.outcome", "participa.tiebreak")

MODULES: Mapping[str, str] = types.MappingProxyType(
    {
        "participa.BallotConstraints": "participa.model.profile",
        "participa.Currency": "participa.money",
        "participa.Election": "participa.model.election",
        "participa.EnvelopeResult": "participa.outcome",
        "participa.Outcome": "participa.outcome",
        "participa.Profile": "participa.model.profile",
        "participa.Project": "participa.model.project",
        "participa.Territory": "participa.model.project",
        "participa.TieBreak": "participa.tiebreak",
        "participa.TraceStep": "participa.outcome",
        "participa.Voters": "participa.model.profile",
        "participa.allocation.Allocation": "participa.allocation.core",
        "participa.allocation.CriterionShare": "participa.allocation.core",
        "participa.allocation.CrossAllocation": "participa.allocation.cross",
        "participa.allocation.Envelope": "participa.allocation.envelope",
        "participa.allocation.Formula": "participa.allocation.criteria",
        "participa.allocation.Reserve": "participa.allocation.envelope",
        "participa.allocation.TerritoryAllocation": "participa.allocation.core",
        "participa.allocation.TreeAllocation": "participa.allocation.levels",
        "participa.allocation.WeightedCriterion": "participa.allocation.criteria",
        "participa.analysis.AxiomReport": "participa.analysis.axioms.report",
        "participa.analysis.FundingGap": "participa.analysis.distribution",
        "participa.analysis.FundingGaps": "participa.analysis.distribution",
        "participa.analysis.ParetoSwap": "participa.analysis.axioms.efficiency",
        "participa.analysis.PriceSystem": "participa.analysis.axioms.priceability",
        "participa.analysis.RuleComparison": "participa.analysis.distribution",
        "participa.analysis.RuleRow": "participa.analysis.distribution",
        "participa.analysis.SatisfactionSummary": "participa.analysis.distribution",
        "participa.analysis.ShareRow": "participa.analysis.distribution",
        "participa.analysis.ShareTable": "participa.analysis.distribution",
        "participa.analysis.Violation": "participa.analysis.axioms.report",
        "participa.batch.Job": "participa.batch",
        "participa.batch.JobResult": "participa.batch",
        "participa.cofinancing.CofinancingPlan": "participa.cofinancing.plan",
        "participa.cofinancing.MatchingRule": "participa.cofinancing.plan",
        "participa.cofinancing.Pledge": "participa.cofinancing.plan",
        "participa.cofinancing.PledgeTotals": "participa.cofinancing.financing",
        "participa.cofinancing.ProjectFinancing": "participa.cofinancing.financing",
        "participa.cofinancing.RequiredShare": "participa.cofinancing.plan",
        "participa.cofinancing.Shortfall": "participa.cofinancing.financing",
        "participa.examples.VesExample": "participa.examples.ves",
        "participa.feasibility.CheckResult": "participa.feasibility._base",
        "participa.feasibility.CriteriaMatrix": "participa.feasibility.prioritisation",
        "participa.feasibility.FeasibilityReport": "participa.feasibility.review",
        "participa.feasibility.ManualVerdict": "participa.feasibility.manual",
        "participa.feasibility.PriorityCriterion": "participa.feasibility.prioritisation",
        "participa.feasibility.ProjectReport": "participa.feasibility.review",
        "participa.feasibility.ProposalDetails": "participa.feasibility._base",
        "participa.feasibility.RankedProject": "participa.feasibility.prioritisation",
        "participa.feasibility.Ranking": "participa.feasibility.prioritisation",
        "participa.io.Anomaly": "participa.io.pabulib._anomalies",
        "participa.io.PabulibFile": "participa.io.pabulib._read",
        "participa.plan.Dimension": "participa.plan.model",
        "participa.plan.Indicator": "participa.plan.model",
        "participa.plan.Plan": "participa.plan.model",
        "participa.plan.PlanExecution": "participa.plan.accountability",
        "participa.plan.PlanExecutionRow": "participa.plan.accountability",
        "participa.plan.PlanFunding": "participa.plan.analysis",
        "participa.plan.PlanMoney": "participa.plan.analysis",
        "participa.plan.SectoralMismatch": "participa.plan.analysis",
        "participa.plan.SectoralView": "participa.plan.analysis",
        "participa.plan.SpecificObjective": "participa.plan.model",
        "participa.plan.StrategicObjective": "participa.plan.model",
        "participa.plan.TerritoryShare": "participa.plan.analysis",
        "participa.ledger.AccountabilityReport": "participa.ledger",
        "participa.ledger.Execution": "participa.ledger",
        "participa.ledger.Ledger": "participa.ledger",
        "participa.ledger.LedgerEntry": "participa.ledger",
        "participa.ledger.ProjectPosition": "participa.ledger",
        "participa.phases.Event": "participa.phases.events",
        "participa.phases.MachineSpec": "participa.phases.spec",
        "participa.phases.Phase": "participa.phases.spec",
        "participa.phases.Round": "participa.phases.engine",
        "participa.phases.Transition": "participa.phases.spec",
        "participa.phases.Triggered": "participa.phases.events",
        "participa.phases.Visit": "participa.phases.engine",
        "participa.process.Allocated": "participa.process.decisions",
        "participa.process.Approved": "participa.process.decisions",
        "participa.process.BallotsClosed": "participa.process.decisions",
        "participa.process.Committed": "participa.process.decisions",
        "participa.process.Noted": "participa.process.decisions",
        "participa.process.OutcomePublished": "participa.process.decisions",
        "participa.process.Pledged": "participa.process.decisions",
        "participa.process.Proposed": "participa.process.decisions",
        "participa.process.Reallocated": "participa.process.decisions",
        "participa.process.Reviewed": "participa.process.decisions",
        "participa.process.RoundState": "participa.process.round",
        "participa.process.Spent": "participa.process.decisions",
        "participa.process.Started": "participa.process.round",
        "participa.rules.FundingDiagnostics": "participa.rules.diagnostics",
        "participa.synthetic.SyntheticSpec": "participa.synthetic",
    }
)
"""Every registered type name → the module that defines (and registers) it.

:func:`loads` imports that module on first use, so a document can be read in a
fresh process that never imported the class's module. ``tests/serialize`` checks
that this table and the ``@register(...)`` lines agree.
"""


def _legacy_name(name: str) -> str:
    """The type name participa 0.1.0 wrote for ``name`` (``Project``, ``phases.Round``)."""
    parts = name.split(".")
    if len(parts) == 2:
        return parts[1]
    if parts[1] in ("phases", "process", "ledger"):  # the round's values were phases.* in 0.1.0
        return f"{'ledger' if parts[1] == 'ledger' else 'phases'}.{parts[2]}"
    return _RENAMED.get(name, parts[2])


_RENAMED = {
    "participa.allocation.WeightedCriterion": "Criterion",
    "participa.io.Anomaly": "FileWarning",
}
"""Classes renamed since 0.1.0: today's type name → the class name 0.1.0 used."""


LEGACY_NAMES: Mapping[str, str] = types.MappingProxyType(
    {_legacy_name(name): name for name in MODULES}
)
"""Type names written by participa 0.1.0 → today's names; :func:`loads` accepts both."""

_LEGACY_OF = {new: old for old, new in LEGACY_NAMES.items()}


@checked
def default_name(cls: type[Any]) -> str:
    """The consistent type name of a class: ``participa.Project``, ``participa.phases.Round``.

    Base-layer values (model, money, outcome, tie-breaking) are ``participa.<Class>``;
    every other value is ``participa.<stage>.<Class>``, named after the stage package
    or module it belongs to.

    >>> from participa.model import Project
    >>> default_name(Project)
    'participa.Project'
    """
    module = cls.__module__
    package = ".".join(module.split(".")[:2])  # participa.model.election -> participa.model
    if package in _CORE_MODULES or not module.startswith("participa."):
        return f"participa.{cls.__name__}"
    return f"participa.{module.split('.')[1]}.{cls.__name__}"


@overload
def register(cls: str, name: None = None) -> Callable[[type[T]], type[T]]: ...
@overload
def register(cls: type[T], name: str | None = None) -> type[T]: ...
def register(cls: type[T] | str, name: str | None = None) -> type[T] | Callable[[type[T]], type[T]]:
    """Make an attrs class JSON-serialisable under a type name.

    Use it as a decorator where the class is defined, naming the type explicitly
    (and list the name in :data:`MODULES`)::

        @serialize.register("participa.Project")
        @attrs.frozen
        class Project: ...

    ``register(cls)`` (no name) uses :func:`default_name`. Registering the same
    class twice is harmless; two classes under one name is a ``TypeError``.
    """
    if isinstance(cls, str):
        key = cls

        def decorate(klass: type[T]) -> type[T]:
            return _register(klass, key)

        return decorate
    return _register(cls, name or default_name(cls))


def _register(cls: type[T], key: str) -> type[T]:
    if not attrs.has(cls):
        raise TypeError(_("{name} is not an attrs class", name=cls.__name__))
    other = _BY_NAME.get(key)
    same_place = other is not None and (other.__module__, other.__qualname__) == (
        cls.__module__,
        cls.__qualname__,
    )
    if other is not None and other is not cls and not same_place:
        raise TypeError(
            _(
                "JSON type name {key!r} already registered for {module}.{qualname}",
                key=key,
                module=other.__module__,
                qualname=other.__qualname__,
            )
        )
    # A module imported a second time (e.g. by a test runner importing files by path)
    # re-registers its classes under the same names: the newest definition wins.
    _BY_NAME[key] = cls
    _BY_CLASS[cls] = key
    return cls  # type: ignore[return-value]  # attrs.has() narrowed it to AttrsInstance


@checked
def lookup(name: str) -> type[Any] | None:
    """The class registered under ``name`` (or its 0.1.0 name), importing its module if needed.

    >>> lookup("participa.Project").__name__
    'Project'
    >>> lookup("Project") is lookup("participa.Project")
    True
    >>> lookup("participa.Nothing") is None
    True
    """
    name = LEGACY_NAMES.get(name, name)
    if name not in _BY_NAME:
        module = MODULES.get(name)  # only listed modules: a document never picks one
        if module is not None:
            try:
                importlib.import_module(module)
            except ImportError:
                return None
    return _BY_NAME.get(name)


def _hints(cls: type[Any]) -> dict[str, Any]:
    if cls not in _HINTS:
        import sys

        module = sys.modules[cls.__module__]
        _HINTS[cls] = typing.get_type_hints(cls, vars(module))
    return _HINTS[cls]


@checked
def encode(value: Any, *, legacy_names: bool = False) -> Any:
    """Turn a value into plain JSON data (untagged for registered classes).

    ``legacy_names=True`` writes nested type tags with the names of participa 0.1.0
    (:data:`LEGACY_NAMES`): the event log hashes this form, so hashes written by 0.1.0
    still verify and do not change when a type is renamed. A value JSON cannot hold
    (NaN, infinity, an unregistered class) raises :class:`~participa.ValidationError`.

    >>> encode(float("nan"))
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: cannot encode nan as JSON: not a finite number
    """
    return _encode(value, legacy_names=legacy_names)


def _encode(value: Any, *, legacy_names: bool = False) -> Any:
    kw = {"legacy_names": legacy_names}
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, float | np.floating):
        f = float(value)
        if not math.isfinite(f):
            raise ValidationError(_("cannot encode {value} as JSON: not a finite number", value=f))
        return f
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if isinstance(value, enum.Enum):
        return _encode(value.value, **kw)
    if isinstance(value, np.ndarray):
        return {
            "dtype": str(value.dtype),
            "shape": list(value.shape),
            "data": value.ravel().tolist(),
        }
    if isinstance(value, Mapping):
        return {str(k): _encode(v, **kw) for k, v in value.items()}
    if isinstance(value, tuple | list | frozenset | set):
        items = sorted(value) if isinstance(value, frozenset | set) else value
        return [_encode(v, **kw) for v in items]
    if hasattr(type(value), "__participa_decode__") and isinstance(value, Sequence):
        return [_encode(v, **kw) for v in value]  # a sequence value (TextColumn)
    cls = type(value)
    if cls in _BY_CLASS:
        out: dict[str, Any] = {}
        for f in attrs.fields(cls):
            if not f.init:
                continue
            v = getattr(value, f.name)
            if f.metadata.get(OMIT_DEFAULT) and v == _default(f):
                continue
            tp = _hints(cls).get(f.name)
            out[f.alias or f.name] = (
                _tagged(v, legacy_names) if _needs_tag(tp) else _encode(v, **kw)
            )
        return out
    raise ValidationError(
        _("cannot encode a {kind} as JSON: not a registered participa value", kind=cls.__qualname__)
    )


def _default(f: attrs.Attribute[Any]) -> Any:
    d: Any = f.default
    return d.factory() if isinstance(d, attrs.Factory) else d  # type: ignore[arg-type]


def _needs_tag(tp: Any) -> bool:
    if tp is None or tp is Any:
        return True
    if get_origin(tp) in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        return sum(1 for a in args if isinstance(a, type) and attrs.has(a)) > 1 or any(
            a is Any for a in args
        )
    return False


def _tagged(value: Any, legacy_names: bool) -> Any:
    cls = type(value)
    if cls in _BY_CLASS:
        name = _BY_CLASS[cls]
        if legacy_names:
            name = _LEGACY_OF.get(name, name)
        return {"type": name, "value": _encode(value, legacy_names=legacy_names)}
    return _encode(value, legacy_names=legacy_names)


@checked
def decode(data: Any, tp: Any) -> Any:
    """Rebuild a value of declared type ``tp`` from :func:`encode` output.

    Data that does not fit ``tp`` raises :class:`~participa.ValidationError` (the
    value's own validators keep their message).

    >>> decode([1, 2], tuple[int, ...])
    (1, 2)
    >>> decode("x", int)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: cannot decode 'x' as int: expected an integer, got 'x'
    """
    from participa.errors import ParticipaError

    try:
        return _decode(data, tp)
    except ParticipaError:
        raise
    except (TypeError, ValueError, KeyError, ArithmeticError, RecursionError) as exc:
        raise ValidationError(
            _(
                "cannot decode {data} as {kind}: {problem}",
                data=_short(data),
                kind=getattr(tp, "__name__", str(tp)),
                problem=str(exc) or type(exc).__name__,
            )
        ) from None


def _short(data: Any) -> str:
    text = repr(data)
    return text if len(text) <= 60 else text[:57] + "..."


def _decode(data: Any, tp: Any) -> Any:
    if tp is Any or tp is None:
        tagged = _tagged_class(data)
        if tagged is not None:
            return _decode(data["value"], tagged)
        return data
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = get_args(tp)
        if data is None and type(None) in args:
            return None
        tagged = _tagged_class(data)
        if tagged is not None:
            return _decode(data["value"], tagged)
        errors = []
        for a in args:
            if a is type(None):
                continue
            try:
                return _decode(data, a)
            except (TypeError, ValueError, KeyError) as exc:
                errors.append(exc)
        raise ValueError(
            _("no alternative of {tp} fits {data!r}: {errors}", tp=tp, data=data, errors=errors)
        )
    if origin is typing.Literal:
        if data not in get_args(tp):
            raise ValueError(
                _("{data!r} is not one of {get_args}", data=data, get_args=get_args(tp))
            )
        return data
    if origin in (tuple,):
        args = get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(x, args[0]) for x in _list(data))
        return tuple(_decode(x, a) for x, a in zip(_list(data), args, strict=True))
    if origin in (list, frozenset, set):
        (a,) = get_args(tp)
        return origin(_decode(x, a) for x in _list(data))
    if origin in (dict, Mapping) or tp is Mapping:
        args = get_args(tp) or (str, Any)
        if not isinstance(data, dict):
            raise TypeError(_("expected an object, got {data!r}", data=data))
        return {_decode(k, args[0]): _decode(v, args[1]) for k, v in data.items()}
    if origin is np.ndarray or tp is np.ndarray:
        if not isinstance(data, dict):
            raise TypeError(_("expected an array object"))
        dtype = np.dtype(str(data["dtype"]))
        if dtype.kind not in "biuf":
            raise ValueError(_("array dtype {dtype} not allowed", dtype=dtype))
        arr = np.array(data["data"], dtype=dtype)
        shape = [int(s) for s in data["shape"]]
        if any(s < 0 for s in shape) or int(np.prod(shape, dtype=np.int64)) != arr.size:
            raise ValueError(
                _("array shape {shape} does not fit {size} values", shape=shape, size=arr.size)
            )
        return arr.reshape(shape)
    if isinstance(tp, type):
        from_json = getattr(tp, "__participa_decode__", None)
        if from_json is not None:  # a sequence value that reads its own array (TextColumn)
            return from_json(data)
        if tp is bool:
            if not isinstance(data, bool):
                raise TypeError(_("expected a boolean, got {data!r}", data=data))
            return data
        if tp is int:
            if isinstance(data, bool) or not isinstance(data, int):
                raise TypeError(_("expected an integer, got {data!r}", data=data))
            return data
        if tp is float:
            if isinstance(data, bool) or not isinstance(data, int | float):
                raise TypeError(_("expected a number, got {data!r}", data=data))
            return float(data)
        if tp is str:
            if not isinstance(data, str):
                raise TypeError(_("expected a string, got {data!r}", data=data))
            return data
        if tp is Fraction:
            return to_fraction(data, what="fraction")  # the one bounded exact reader
        if issubclass(tp, enum.Enum):
            return tp(data)
        if attrs.has(tp):
            if tp not in _BY_CLASS:
                raise TypeError(
                    _("{qualname} is not registered for JSON", qualname=tp.__qualname__)
                )
            if not isinstance(data, dict):
                raise TypeError(
                    _("expected an object for {name}, got {data!r}", name=tp.__name__, data=data)
                )
            upgrade = getattr(tp, "__participa_upgrade__", None)
            if upgrade is not None:  # fields reshaped since older documents were written
                data = upgrade(data)
            hints = _hints(tp)
            kwargs = {}
            for f in attrs.fields(tp):
                if not f.init:
                    continue
                key = f.alias or f.name
                if key in data:
                    kwargs[key] = _decode(data[key], hints.get(f.name, Any))
            extra = set(data) - {f.alias or f.name for f in attrs.fields(tp)}
            if extra:
                raise ValueError(
                    _("unknown fields for {name}: {extra}", name=tp.__name__, extra=sorted(extra))
                )
            return tp(**kwargs)
    if isinstance(tp, TypeVar):
        return data
    raise TypeError(_("cannot decode type {tp!r}", tp=tp))


def _tagged_class(data: Any) -> type[Any] | None:
    if isinstance(data, dict) and set(data) == {"type", "value"} and isinstance(data["type"], str):
        return lookup(data["type"])
    return None


def _list(data: Any) -> list[Any]:
    if not isinstance(data, list):
        raise TypeError(_("expected an array, got {data!r}", data=data))
    return data


_MAX_INDENT = 16
"""The widest indentation :func:`dumps` writes."""


@checked
def dumps(value: Any, *, indent: int | None = None) -> str:
    """Serialise a registered value to a JSON document (``schema``, ``type``, ``value``)."""
    if indent is not None and not 0 <= indent <= _MAX_INDENT:
        raise ValidationError(
            _("indent must be between 0 and {most}, got {indent}", most=_MAX_INDENT, indent=indent)
        )
    cls = type(value)
    if cls not in _BY_CLASS:
        raise ValidationError(
            _("{kind} is not a registered participa value", kind=cls.__qualname__),
            hint=_("dumps writes participa's own values (Election, Outcome, ...)"),
        )
    doc = {"schema": SCHEMA, "type": _BY_CLASS[cls], "value": _encode(value)}
    return json.dumps(doc, indent=indent, ensure_ascii=False, allow_nan=False)


@checked
def loads(text: str | bytes, *, expect: type[T] | None = None) -> Any:
    """Rebuild a value from :func:`dumps` output.

    Raises :class:`~participa.ParseError` for malformed JSON, an unknown schema or
    type, or data the class's validators reject (their message is kept).
    """
    from participa.errors import ParticipaError

    try:
        doc = json.loads(text)
    except RecursionError:
        raise ParseError(_("JSON nested too deeply")) from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", None)
        raise ParseError(_("not valid JSON: {exc}", exc=exc), line=line) from None
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        got = doc.get("schema") if isinstance(doc, dict) else None
        raise ParseError(_("not a {SCHEMA} document (schema {got!r})", SCHEMA=SCHEMA, got=got))
    name = doc.get("type")
    cls = lookup(name) if isinstance(name, str) else None
    if cls is None:
        raise ParseError(
            _("unknown participa type {name!r}", name=name),
            hint=_("known: {MODULES}", MODULES=sorted(MODULES)),
        )
    if expect is not None and cls is not expect:
        raise ParseError(_("expected a {name}, got a {name2}", name=expect.__name__, name2=name))
    try:
        return _decode(doc.get("value"), cls)
    except ParticipaError as exc:
        raise ParseError(_("invalid {name}: {exc}", name=name, exc=exc)) from exc
    except (TypeError, ValueError, KeyError, ArithmeticError, RecursionError) as exc:
        raise ParseError(_("invalid {name}: {exc}", name=name, exc=exc)) from exc
