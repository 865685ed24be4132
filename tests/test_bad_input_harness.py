"""The error contract at every public entry point: bad input raises a ParticipaError, always.

A generated, seeded harness (issue #12 point 6). Every public function and class of every
public module (the names in ``participa.__all__`` and in each public module's and
subpackage's ``__all__``) is called with a baseline of valid sample arguments, then once per
argument with each value of :data:`BAD` in its place, then with seeded random pairs of bad
values. Two findings fail the test:

``escape``
    Anything but a :class:`~participa.ParticipaError` came out (``TypeError``,
    ``AttributeError``, ``ValueError``, ``OverflowError``, ``sqlite3.Error``, ...), or the
    call did not answer within 5 s.
``accepted``
    The call returned although the value is not of the annotated kind
    (:func:`participa.boundary.matches`): a float where an ``int`` of minor units was
    meant, NaN, an unknown option string, ``None`` for a required value, ...

Where no valid baseline can be built for a required argument, every required argument
gets the bad value at once (only escapes can then be judged). A public name that the
harness does not call fails :func:`test_every_public_name_is_covered` unless it is listed,
with its reason, in :data:`NOT_CALLED`.
"""

from __future__ import annotations

import enum
import importlib
import inspect
import pkgutil
import random
import signal
import sqlite3
import typing
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

SEED = 20260612
"""Seed of the random pairs of bad values (the per-argument sweep is exhaustive)."""

SKIP_MODULES = {
    # module: why its names are not called here
    "participa.cli": "main(argv=None) reads the test runner's own command line; tests/cli",
    "participa.testing": "Hypothesis strategies and rule checkers for test suites, not input",
    "participa.testing.properties": "Hypothesis property checkers for test suites",
    "participa.testing.strategies": "Hypothesis strategies for test suites",
    "participa.boundary": "the checker itself; its doctests and the tests below cover it",
    "participa.__main__": "main() reads the test runner's own command line; tests/cli",
}

NOT_CALLED = {
    # public name: why calling it with bad values is not an entry-point test
    "participa.serialize.register": "a class decorator run at import on participa's classes",
    "participa.batch.run_batch": "starts worker processes; @checked checks its arguments",
    "participa.batch.replay_folder": "starts worker processes; @checked checks its arguments",
}

ALLOWED: dict[tuple[str, str, str], str] = {
    # (entry point, argument, repr of the value): why the value is valid although the
    # generator's judge (the annotation) thinks it bad. Keep this list short and explained.
}


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
    b"bytes",
    np.float64("-inf"),
    2**64,
    -1,
    -(2**70),
    "",
)
"""Values each argument gets in turn. ``2**64`` is of the right kind for integers (only
escapes such as ``OverflowError`` are judged there); the others are wrong for almost
every annotation."""


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


def _is_entry_point(obj: Any) -> bool:
    """Functions and classes a user calls with data (not errors, enums, protocols, aliases)."""
    if inspect.isclass(obj):
        if issubclass(obj, BaseException | enum.Enum):
            return False  # raising an error / Python's own enum lookup: not participa input
        if getattr(obj, "_is_protocol", False):
            return False  # a typing Protocol cannot be instantiated
        return str(obj.__module__).startswith("participa")
    if inspect.isfunction(obj) or getattr(obj, "__participa_checked__", False):
        return str(getattr(obj, "__module__", "")).startswith("participa")
    return False


def _public_names() -> dict[str, Any]:
    """Every public entry point, by its defining module's name (one label per object)."""
    out: dict[str, Any] = {}
    seen: set[int] = set()
    for module in _public_modules():
        for name in getattr(module, "__all__", ()):
            obj = getattr(module, name, None)
            if obj is None or id(obj) in seen or not _is_entry_point(obj):
                continue
            if isinstance(obj, typing.TypeAliasType if hasattr(typing, "TypeAliasType") else ()):
                continue
            seen.add(id(obj))
            out[f"{obj.__module__}.{getattr(obj, '__qualname__', name)}"] = obj
            if inspect.isclass(obj):
                out.update(_alternative_constructors(obj))
    return out


def _alternative_constructors(cls: type) -> dict[str, Any]:
    """A public class's public class and static methods (``Profile.from_ballots``, ...)."""
    out: dict[str, Any] = {}
    for name, raw in vars(cls).items():
        if name.startswith("_") or not isinstance(raw, classmethod | staticmethod):
            continue
        method = getattr(cls, name)
        out[f"{cls.__module__}.{cls.__qualname__}.{name}"] = method
    return out


def _sample_election() -> Any:
    from participa.model import BallotKind, Election, Profile, Project

    projects = (Project("p0", 40), Project("p1", 30), Project("p2", 50))
    profile = Profile.from_ballots(
        BallotKind.APPROVAL, ["p0", "p1", "p2"], [["p0", "p1"], ["p1"], ["p2", "p0"]]
    )
    return Election(100, projects, profile, currency="PEN", minor_per_unit=100)


def _samples(tmp: Path) -> dict[str, Any]:
    from participa.io import write_pabulib
    from participa.money import Currency
    from participa.rules.greedy import greedy
    from participa.tiebreak import TieBreak

    e = _sample_election()
    path = tmp / "sample.pb"
    path.write_text(write_pabulib(e), encoding="utf-8")
    return {
        "Election": e,
        "Profile": e.profile,
        "Project": e.projects[0],
        "Outcome": greedy(e),
        "TieBreak": TieBreak(),
        "BallotKind": e.kind,
        "Currency": Currency("PEN", 100),
        "Path": path,  # a real pabulib file: readers get a valid baseline
        "str": "p0",
        "int": 1,
        "bool": False,
        "float": 0.5,
        "Fraction": Fraction(1, 2),
    }


def _sample_for(tp: Any, samples: dict[str, Any]) -> Any:
    """A valid value for annotation ``tp`` from the samples, or a KeyError."""
    for name, value in samples.items():
        if matches(value, tp) and value is not None:
            if name in ("str", "int", "bool", "float", "Fraction", "Path") and tp is Any:
                continue
            return value
    raise KeyError(tp)


class _TimeoutError(Exception):
    pass


def _alarm(_signum: int, _frame: object) -> None:
    raise _TimeoutError


Call = tuple[str, Callable[[], Any], Any, Any, str]


def _calls(tmp: Path) -> Iterator[Call]:
    """(label, thunk, bad value, annotation or None, parameter) for every harness call."""
    samples = _samples(tmp)
    rng = random.Random(SEED)
    for label, func in sorted(_public_names().items()):
        if label in NOT_CALLED:
            continue
        target = func.__init__ if inspect.isclass(func) else func
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

        positional = [q for q in params if q.kind is q.POSITIONAL_ONLY]

        def call(
            kwargs: dict[str, Any],
            f: Callable[..., Any] = func,
            pos: list[inspect.Parameter] = positional,
        ) -> Callable[[], Any]:
            kw = dict(kwargs)  # the caller's dict stays whole (it is reported)
            args = [kw.pop(q.name) for q in pos if q.name in kw]
            return lambda: f(*args, **kw)

        if not params:
            yield label, call({}), None, None, "()"
            continue
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
                yield label, call(kwargs), bad, judged, p.name
        if complete and len(params) >= 2:
            # seeded pairs: two arguments wrong at once (only escapes are judged)
            for _ in range(3):
                a, b = rng.sample(params, 2)
                kwargs = dict(baseline)
                kwargs[a.name], kwargs[b.name] = rng.choice(BAD), rng.choice(BAD)
                yield label, call(kwargs), (kwargs[a.name], kwargs[b.name]), None, a.name


JUDGED: set[str] = set()
"""Entry points with sample values for every required argument: there an accepted wrong
value is judged too (elsewhere all required arguments are wrong at once: escapes only)."""


def _method_calls(samples: dict[str, Any]) -> Iterator[Call]:
    """Public methods of the sample values (``Election.restrict``, ``TieBreak.resolver``, ...)."""
    for sample, inst in samples.items():
        cls = type(inst)
        if not str(cls.__module__).startswith("participa") or isinstance(inst, enum.Enum):
            continue
        for name in sorted(dir(cls)):
            raw = inspect.getattr_static(cls, name)
            if name.startswith("_") or not inspect.isfunction(raw):
                continue
            method = getattr(inst, name)
            label = f"{cls.__module__}.{cls.__qualname__}.{name}"
            params = [
                p
                for p in inspect.signature(method).parameters.values()
                if p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)
            ]
            hints = _hints(raw)
            baseline: dict[str, Any] = {}
            complete = True
            for p in params:
                if p.default is p.empty:
                    try:
                        baseline[p.name] = _sample_for(hints.get(p.name, Any), samples)
                    except KeyError:
                        complete = False
            for p in params:
                for bad in BAD:
                    if complete:
                        kwargs = {**baseline, p.name: bad}
                        judged = hints.get(p.name)
                    elif p.default is p.empty:
                        kwargs = {q.name: bad for q in params if q.default is q.empty}
                        judged = None
                    else:
                        continue
                    yield (
                        f"{label} (on a sample {sample})",
                        lambda m=method, k=kwargs: m(**k),
                        bad,
                        judged,
                        p.name,
                    )


def _run(tmp: Path) -> tuple[int, set[str], list[str], list[str]]:
    escapes: list[str] = []
    accepted: list[str] = []
    count = 0
    covered: set[str] = set()
    old = signal.signal(signal.SIGALRM, _alarm)
    try:
        samples = _samples(tmp)
        for label, thunk, bad, tp, param in (*_calls(tmp), *_method_calls(samples)):
            count += 1
            covered.add(label)
            if tp is not None:
                JUDGED.add(label)
            signal.alarm(5)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    thunk()
            except ParticipaError:
                pass
            except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
                # The contract for paths (docs/embedding.md): the file system's own answer
                # about a path that does not exist or is a directory is the usual OSError,
                # as with open(). Contents that are not what was expected (a file that is
                # not pabulib, not JSON, not a store) are ParticipaError and judged above.
                pass
            except _TimeoutError:
                escapes.append(f"{label}({param}={bad!r}): no answer in 5 s")
            except Exception as exc:
                escapes.append(f"{label}({param}={bad!r}): {type(exc).__name__}: {exc}"[:300])
            else:
                if (
                    tp is not None
                    and not matches(bad, tp)
                    and (label, param, repr(bad)) not in ALLOWED
                ):
                    accepted.append(f"{label}({param}={bad!r}) accepted; expects {tp}")
            finally:
                signal.alarm(0)
    finally:
        signal.signal(signal.SIGALRM, old)
    return count, covered, escapes, accepted


@pytest.fixture(scope="module")
def harness(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, set[str], list[str], list[str]]:
    tmp = tmp_path_factory.mktemp("harness")
    mp = pytest.MonkeyPatch()
    mp.chdir(tmp)  # whatever a call writes by a relative name lands here
    try:
        return _run(tmp)
    finally:
        mp.undo()


def test_every_public_entry_point_keeps_the_error_contract(
    harness: tuple[int, set[str], list[str], list[str]],
) -> None:
    count, covered, escapes, accepted = harness
    print(
        f"bad-input harness: {count} calls over {len(covered)} public entry points "
        f"({len(JUDGED)} with samples for every required argument), "
        f"{len(escapes)} escapes, {len(accepted)} invalid inputs accepted"
    )
    report = "\n".join(
        [f"{len(escapes)} escapes:", *escapes, f"{len(accepted)} accepted:", *accepted]
    )
    assert count >= 1000, f"only {count} calls over {len(covered)} entry points"
    assert len(JUDGED) >= 200, f"only {len(JUDGED)} entry points judged for accepted values"
    assert not escapes, report
    assert not accepted, report


def test_every_public_name_is_covered(
    harness: tuple[int, set[str], list[str], list[str]],
) -> None:
    _count, covered, _escapes, _accepted = harness
    names = set(_public_names())
    missing = sorted(names - covered - set(NOT_CALLED))
    assert not missing, f"public entry points the harness does not call: {missing}"
    stale = sorted(set(NOT_CALLED) - names)
    assert not stale, f"NOT_CALLED lists names that are no longer public: {stale}"
    assert len(covered) >= 300


def test_the_harness_catches_a_careless_function() -> None:
    # the judge itself: a function with no checks escapes and accepts
    def careless(amount: int) -> int:
        return amount + 1

    with pytest.raises(TypeError):
        careless(None)  # type: ignore[arg-type]
    assert careless(2.5) == 3.5  # type: ignore[arg-type]
    assert not matches(2.5, int)
    assert not matches(np.float64("nan"), float)


# -- the issue's own examples, each refused by name ------------------------------------------


def _not_a_store(tmp: Path) -> Any:
    from participa.store import SQLiteStore

    # apps may keep their own tables in the store's file; a participa_events table of
    # another shape is not a store
    path = tmp / "notes.sqlite"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE participa_events (x TEXT)")
    con.commit()
    con.close()
    return SQLiteStore(path)


def _not_sqlite(tmp: Path) -> Any:
    from participa.store import SQLiteStore

    path = tmp / "text.sqlite"
    path.write_text("not a database at all\n" * 100, encoding="utf-8")
    return SQLiteStore(path).round_ids()


EXAMPLES: list[tuple[str, Callable[[Path], Any]]] = [
    ("apportion caps=2.5", lambda _: participa.apportion.apportion(5, [1, 1], caps=[2.5, None])),
    ("apportion floors=2.7", lambda _: participa.apportion.apportion(5, [1, 1], floors=[2.7, 0])),
    (
        "apportion method='bogus'",
        lambda _: participa.apportion.apportion(5, [1, 1], method="bogus"),  # type: ignore[arg-type]
    ),
    (
        "Pledge(kind='cash')",
        lambda _: importlib.import_module("participa.cofinancing").Pledge(
            "a", "p0", "cash", amount=10
        ),
    ),
    (
        "Election(minor_per_unit=nan)",
        lambda _: participa.Election(
            100, _sample_election().projects, _sample_election().profile, minor_per_unit=np.nan
        ),
    ),
    ("SQLiteStore(None)", lambda _: importlib.import_module("participa.store").SQLiteStore(None)),
    ("SQLite file with a foreign participa_events", _not_a_store),
    ("a file that is not SQLite", _not_sqlite),
    ("TieBreak.parse('id,')", lambda _: participa.TieBreak.parse("id,")),
    (
        "a cost above int64",
        lambda _: participa.Election(
            10**30,
            (participa.Project("a", 10**30),),
            participa.Profile.from_ballots(participa.BallotKind.APPROVAL, ["a"], [["a"]]),
        ),
    ),
    ("gini of floats", lambda _: participa.analysis.distribution.gini([2.5, 1.0])),
    ("encode(nan)", lambda _: participa.serialize.encode(float("nan"))),
]


@pytest.mark.parametrize(("name", "make"), EXAMPLES, ids=[n for n, _ in EXAMPLES])
def test_the_issue_examples_are_refused(
    name: str, make: Callable[[Path], Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParticipaError):
        make(tmp_path)
    assert not (tmp_path / "None").exists(), f"{name}: a file named 'None' was created"
