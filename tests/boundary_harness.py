"""The error contract at every public entry point: bad input raises a ParticipaError, always.

NOT YET PART OF THE SUITE (the file name keeps pytest from collecting it): run it with
``pytest tests/boundary_harness.py``. It is the target of issue #12 point 6; it passes once
``participa.boundary.typed_fields`` / ``checked`` are applied across the library
(``python3 tools/apply_boundary.py .`` does that mechanically) and the remaining escapes
are fixed; then rename it ``test_bad_input_harness.py``.

A generated harness. Every public function and class of every public module (their
``__all__``) is called with a baseline of valid sample arguments, then once per
argument with each value of :data:`BAD` in its place. Two findings fail the test:

``escape``
    Anything but a :class:`~participa.ParticipaError` came out (``TypeError``,
    ``AttributeError``, ``ValueError``, ``sqlite3.Error``, ...).
``accepted``
    The call returned although the value is not of the annotated kind
    (:func:`participa.boundary.matches`): a float where an ``int`` of minor units was
    meant, NaN, an unknown option string, ``None`` for a required value, ...

Where no valid baseline can be built for a required argument, every required argument
gets the bad value at once (only escapes can then be judged).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import signal
import warnings
from collections.abc import Callable, Iterator
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import participa
from participa import ParticipaError
from participa.boundary import _hints, matches

SKIP_MODULES = {
    "participa.cli",  # parses sys.argv and exits: tested in tests/test_cli.py
    "participa.demo",
    "participa.batch",  # starts executors
    "participa.plots",  # matplotlib
    "participa.testing",
    "participa.testing.properties",
    "participa.testing.strategies",
    "participa.boundary",
    "participa.i18n",  # `_`, `N_`: message helpers; languages are tested in test_i18n
    "participa.__main__",
}
SKIP_NAMES = {"register"}  # decorators over classes, not inputs


class _Opaque:
    def __repr__(self) -> str:
        return "<opaque>"


BAD: tuple[Any, ...] = (
    None,
    "bogus",
    float("nan"),
    float("inf"),
    2.5,
    True,
    _Opaque(),
    [object()],
    {"bogus": object()},
)


def _public_modules() -> list[Any]:
    names = ["participa"]
    for info in pkgutil.walk_packages(participa.__path__, "participa."):
        last = info.name.rsplit(".", 1)[-1]
        if last.startswith("_") or info.name in SKIP_MODULES:
            continue
        if any(info.name.startswith(s + ".") for s in SKIP_MODULES):
            continue
        names.append(info.name)
    return [importlib.import_module(n) for n in names]


def _entry_points() -> list[tuple[str, Callable[..., Any]]]:
    seen: set[int] = set()
    out: list[tuple[str, Callable[..., Any]]] = []
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if name in SKIP_NAMES or obj is None or id(obj) in seen:
                continue
            if inspect.isclass(obj):
                if issubclass(obj, BaseException) or obj.__module__.startswith("typing"):
                    continue
                if issubclass(obj, __import__("enum").Enum):
                    continue
            elif not inspect.isfunction(obj) and not getattr(obj, "__participa_checked__", False):
                continue
            if not str(getattr(obj, "__module__", "")).startswith("participa"):
                continue
            seen.add(id(obj))
            out.append((f"{obj.__module__}.{getattr(obj, '__qualname__', name)}", obj))
    return sorted(out, key=lambda t: t[0])


def _sample_election() -> Any:
    from participa.model import BallotKind, Election, Profile, Project

    projects = (Project("p0", 40), Project("p1", 30), Project("p2", 50))
    profile = Profile.from_ballots(
        BallotKind.APPROVAL, ["p0", "p1", "p2"], [["p0", "p1"], ["p1"], ["p2", "p0"]]
    )
    return Election(100, projects, profile, currency="PEN", minor_per_unit=100)


def _samples(tmp: Path) -> dict[str, Any]:
    from participa.money import Currency
    from participa.rules.greedy import greedy
    from participa.tiebreak import TieBreak

    e = _sample_election()
    return {
        "Election": e,
        "Profile": e.profile,
        "Project": e.projects[0],
        "Outcome": greedy(e),
        "TieBreak": TieBreak(),
        "BallotKind": e.kind,
        "Currency": Currency("PEN", 100),
        "str": "p0",
        "int": 1,
        "bool": False,
        "float": 0.5,
        "Fraction": Fraction(1, 2),
        "Path": tmp / "sample.out",
    }


def _sample_for(tp: Any, samples: dict[str, Any]) -> Any:
    """A valid value for annotation ``tp`` from the samples, or a KeyError."""
    for name, value in samples.items():
        if matches(value, tp) and value is not None:
            if name in ("str", "int", "bool", "float", "Fraction") and tp is Any:
                continue
            return value
    raise KeyError(tp)


class _TimeoutError(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _TimeoutError


def _calls(tmp: Path) -> Iterator[tuple[str, Callable[[], Any], Any, Any, str]]:
    """(label, thunk, bad value, annotation or None, parameter) for every harness call."""
    samples = _samples(tmp)
    for label, func in _entry_points():
        target = func.__init__ if inspect.isclass(func) else func  # type: ignore[misc]
        try:
            sig = inspect.signature(func)
        except (TypeError, ValueError):
            continue
        hints = _hints(target)
        params = [
            p
            for p in sig.parameters.values()
            if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD) and p.name not in ("self", "cls")
        ]
        baseline: dict[str, Any] = {}
        complete = True
        for p in params:
            if p.default is not p.empty:
                continue
            try:
                baseline[p.name] = _sample_for(hints.get(p.name, Any), samples)
            except KeyError:
                complete = False
        for p in params:
            tp = hints.get(p.name)
            for bad in BAD:
                if complete:
                    kwargs = dict(baseline)
                    kwargs[p.name] = bad
                    judged = tp
                elif p.default is p.empty:
                    kwargs = {q.name: bad for q in params if q.default is q.empty}
                    judged = None  # several bad values at once: only escapes count
                else:
                    continue
                pos = [q for q in params if q.kind is q.POSITIONAL_ONLY]
                args = [kwargs.pop(q.name) for q in pos if q.name in kwargs]

                def thunk(
                    f: Callable[..., Any] = func, a: list[Any] = args, k: dict[str, Any] = kwargs
                ) -> Any:
                    return f(*a, **k)

                yield label, thunk, bad, judged, p.name


def test_every_public_entry_point_keeps_the_error_contract(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    escapes: list[str] = []
    accepted: list[str] = []
    count = 0
    entry_points: set[str] = set()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        for label, thunk, bad, tp, param in _calls(tmp_path):
            count += 1
            entry_points.add(label)
            signal.alarm(5)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    thunk()
            except ParticipaError:
                pass
            except _TimeoutError:
                escapes.append(f"{label}({param}={bad!r}): no answer in 5 s")
            except Exception as exc:
                escapes.append(f"{label}({param}={bad!r}): {type(exc).__name__}: {exc}"[:300])
            else:
                if tp is not None and not matches(bad, tp):
                    accepted.append(f"{label}({param}={bad!r}) accepted; expects {tp}")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, old)
    report = "\n".join(
        [f"{len(escapes)} escapes:", *escapes, f"{len(accepted)} accepted:", *accepted]
    )
    assert count >= 1000, f"only {count} calls over {len(entry_points)} entry points"
    assert not escapes, report
    assert not accepted, report


def test_the_harness_catches_a_careless_function() -> None:
    # the judge itself: a function with no checks escapes and accepts
    def careless(amount: int) -> int:
        return amount + 1

    with pytest.raises(TypeError):
        careless(None)  # type: ignore[arg-type]
    assert careless(2.5) == 3.5  # type: ignore[arg-type]
    assert not matches(2.5, int)
    assert not matches(np.float64("nan"), float)
