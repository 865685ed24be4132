"""The conventions of CONTRIBUTING.md that a machine can check, on every registered rule.

* the first positional parameter is ``election``; every option is keyword-only;
* a ``tie_break`` option whose default is the common :data:`participa.DEFAULT_TIE_BREAK`;
* no option is typed ``str`` (enums or ``Literal`` instead; strings are parsed only by
  the CLI and the registry);
* the public rules' signatures resolve to precise types (no ``Any``), and
  ``participa.rules.equal_shares`` is the function itself, not a lazy loader;
* no module under ``src/participa`` is longer than :data:`MAX_MODULE_LINES` lines.

Rules that still drift from a convention are listed in ``DRIFT`` with the reason; those
cases are strict ``xfail``: they fail the suite as soon as the rule is fixed, so the
list cannot go stale.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import participa
import participa.rules
from participa.model import BallotKind, Profile
from participa.outcome import Outcome
from participa.rules import RULES
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

PUBLIC_RULES: dict[str, Callable[..., Outcome]] = {
    name: getattr(participa.rules, name)
    for name in (
        "greedy",
        "equal_shares",
        "phragmen",
        "max_welfare",
        "per_head",
        "equal_split",
        "declared",
        "cstv",
        "maximin_support",
        "exact_equal_shares",
        "pb_ear",
        "online_greedy",
        "ordered_relax",
    )
}

DRIFT: dict[tuple[str, str], str] = {
    ("declared", "tie_break default"): "tie_break=None means the checker's own tie-breaking",
    ("online-greedy", "tie_break default"): "the arrival order decides: no tie to break",
}


def _flatten(tp: object) -> list[object]:
    """The members of a union (``X | Y``, ``Optional``), recursively; others as they are."""
    origin = typing.get_origin(tp)
    if origin is typing.Union or origin is types.UnionType:
        return [m for arg in typing.get_args(tp) for m in _flatten(arg)]
    return [tp]


def _hints(func: Callable[..., Any]) -> dict[str, object]:
    return typing.get_type_hints(func)


def _cases(check: str) -> list[Any]:
    out = []
    for name in RULES:
        reason = DRIFT.get((name, check))
        marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
        out.append(pytest.param(name, marks=marks, id=name))
    return out


@pytest.mark.parametrize("name", _cases("election first"))
def test_first_positional_parameter_is_election(name: str) -> None:
    params = list(inspect.signature(RULES[name].func).parameters.values())
    assert params[0].name == "election"
    assert params[0].kind is inspect.Parameter.POSITIONAL_OR_KEYWORD


@pytest.mark.parametrize("name", _cases("keyword-only"))
def test_options_are_keyword_only(name: str) -> None:
    params = list(inspect.signature(RULES[name].func).parameters.values())[1:]
    assert params, "a rule takes at least tie_break"
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params), [
        p.name for p in params if p.kind is not inspect.Parameter.KEYWORD_ONLY
    ]


@pytest.mark.parametrize("name", _cases("tie_break default"))
def test_tie_break_has_the_common_default(name: str) -> None:
    param = inspect.signature(RULES[name].func).parameters["tie_break"]
    assert param.default is DEFAULT_TIE_BREAK
    assert _flatten(_hints(RULES[name].func)["tie_break"]) == [TieBreak]


@pytest.mark.parametrize("name", _cases("no str option"))
def test_no_option_is_typed_str(name: str) -> None:
    hints = _hints(RULES[name].func)
    stringly = [p for p, tp in hints.items() if p != "return" and str in _flatten(tp)]
    assert not stringly, f"options typed str: {stringly}"


@pytest.mark.parametrize("name", sorted(PUBLIC_RULES))
def test_public_rule_signatures_are_precise(name: str) -> None:
    func = PUBLIC_RULES[name]
    assert inspect.isfunction(func)
    hints = _hints(func)
    assert hints.pop("return") is Outcome
    assert set(hints) == set(inspect.signature(func).parameters)
    for param, tp in hints.items():
        assert tp is not Any, param
        assert all(m is not Any for m in _flatten(tp)), param


def test_equal_shares_is_importable_plainly() -> None:
    from participa.rules.mes import equal_shares

    assert participa.rules.equal_shares is equal_shares
    assert participa.equal_shares is equal_shares
    assert RULES["mes"].func is equal_shares


def test_default_tie_break_is_exported() -> None:
    assert participa.DEFAULT_TIE_BREAK is DEFAULT_TIE_BREAK
    assert participa.rules.DEFAULT_TIE_BREAK is DEFAULT_TIE_BREAK
    assert TieBreak() == DEFAULT_TIE_BREAK


def test_weights_is_the_one_name_for_voter_weights() -> None:
    ids, rows = ["a", "b"], [[1, 0], [0, 1], [1, 0]]
    by_matrix = Profile.from_matrix(BallotKind.APPROVAL, ids, rows, weights=[2, 1, 2])
    by_ballots = Profile.from_ballots(
        BallotKind.APPROVAL, ids, [["a"], ["b"], ["a"]], weights=[2, 1, 2]
    )
    assert by_matrix == by_ballots
    assert by_matrix.weight.tolist() == [2, 1]
    # the former keyword still works, and giving both is refused
    old = Profile.from_matrix(BallotKind.APPROVAL, ids, rows, weight=[2, 1, 2])
    assert old == by_matrix
    with pytest.raises(participa.ValidationError, match="not both"):
        Profile.from_matrix(BallotKind.APPROVAL, ids, rows, weights=[1] * 3, weight=[1] * 3)
    assert np.array_equal(old.multiplicity, by_matrix.multiplicity)


MAX_MODULE_LINES = 800
"""A module longer than this holds more than one idea: split it along them."""


def test_no_module_is_longer_than_the_limit() -> None:
    src = Path(participa.__file__).resolve().parent
    sizes = {
        str(path.relative_to(src)): len(path.read_text(encoding="utf-8").splitlines())
        for path in sorted(src.rglob("*.py"))
    }
    assert len(sizes) > 50  # the whole package was seen
    too_long = {name: n for name, n in sizes.items() if n > MAX_MODULE_LINES}
    assert not too_long, f"split these modules along their ideas: {too_long}"
