"""The registry: strings are parsed once, into typed options, with the valid choices."""

from __future__ import annotations

import inspect
import re

import pytest

from participa.errors import RuleError, ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.rules import equal_shares, greedy
from participa.rules.mes import equal_shares_reference
from participa.rules.registry import RULES, RuleOptions, get_rule, run_rule
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

E = Election(
    10,
    (Project("a", 6), Project("b", 5), Project("c", 4)),
    Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "c"], ["a"], ["b"]]),
)


def test_parse_gives_typed_options() -> None:
    opts = RuleOptions.parse(utility="count", completion="add1", tie_break="min-cost,id")
    assert opts == RuleOptions(
        utility="count", completion="add1", tie_break=TieBreak.parse("min-cost,id")
    )
    assert opts.given() == ("utility", "completion")
    assert RuleOptions.parse().tie_break is DEFAULT_TIE_BREAK


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"utility": "votes"}, "unknown utility 'votes' .*cost, count, points, borda"),
        ({"completion": "add2"}, "unknown completion 'add2' .*none, add1, add1u, utilitarian"),
        ({"utility": 3}, "option utility must be text"),
        ({"threshold": 2.5}, "threshold must be an integer"),
        ({"exhaustive_stop": "no"}, "exhaustive_stop must be true or false"),
    ],
)
def test_parse_refuses_with_the_choices(kwargs: dict[str, object], text: str) -> None:
    with pytest.raises(RuleError, match=text):
        RuleOptions.parse(**kwargs)  # type: ignore[arg-type]


def test_bad_tie_break_text_is_a_participa_error() -> None:
    with pytest.raises(ValidationError, match="unknown tie-breaking criterion"):
        RuleOptions.parse(tie_break="cheapest")


def test_unknown_rule_lists_the_names() -> None:
    with pytest.raises(RuleError, match="use one of: greedy, greedy-no-skip"):
        get_rule("nope")


def test_specs_point_at_the_public_functions() -> None:
    assert RULES["mes"].func is equal_shares
    assert {RULES[n].func for n in ("greedy", "greedy-no-skip", "greedy-threshold")} == {greedy}


def test_run_maps_typed_options_to_keywords() -> None:
    assert run_rule("mes", E, utility="count", completion="utilitarian") == equal_shares(
        E, utility="count", completion="utilitarian"
    )
    assert run_rule("greedy-no-skip", E, tie_break="max-cost,id") == greedy(
        E, skip=False, tie_break=TieBreak.parse("max-cost,id")
    )
    spec = get_rule("greedy-threshold")
    assert spec.run(E, RuleOptions(threshold=2)).selected == ("a",)


def test_run_refuses_options_a_rule_does_not_take() -> None:
    with pytest.raises(RuleError, match="'phragmen' does not take option\\(s\\) completion"):
        get_rule("phragmen").run(E, RuleOptions(completion="add1"))


def test_options_are_parsed_in_one_place_and_checked_when_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[dict[str, object]] = []
    parse = RuleOptions.parse

    def counting(**kw: object) -> RuleOptions:
        calls.append(kw)
        return parse(**kw)  # type: ignore[arg-type]

    monkeypatch.setattr(RuleOptions, "parse", counting)
    assert run_rule("greedy", E, utility="count", tie_break="id") == greedy(E, utility="count")
    assert len(calls) == 1  # run_rule: text parsed once
    assert get_rule("greedy")(E, utility="count") == greedy(E, utility="count")
    assert len(calls) == 1  # the typed path parses nothing
    # both paths check the same way, when RuleOptions is built
    with pytest.raises(RuleError, match="unknown utility 'votes'"):
        RuleOptions(utility="votes")  # type: ignore[arg-type]
    with pytest.raises(RuleError, match="unknown utility 'votes'"):
        get_rule("greedy")(E, utility="votes")  # type: ignore[arg-type]
    with pytest.raises(RuleError, match="must be a TieBreak or its text"):
        get_rule("greedy")(E, tie_break="id")  # type: ignore[arg-type]
    with pytest.raises(RuleError, match="must be true or false"):
        RuleOptions(exhaustive_stop=1)  # type: ignore[arg-type]
    # a rule's name as completion becomes that rule's spec, on either path
    assert RuleOptions.parse(completion="greedy").completion is get_rule("greedy")
    assert RuleOptions(completion="add1").completion == "add1"


def _notes(func: object) -> str:
    """The numpydoc ``Notes`` section of a function's docstring ("" without one)."""
    doc = inspect.getdoc(func) or ""
    match = re.search(r"^Notes\n-----\n(.*?)(?=^\w[\w ]*\n-{3,}\n|\Z)", doc, re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize(
    "func",
    sorted({spec.func for spec in RULES.values()} | {equal_shares_reference}, key=repr),
    ids=lambda f: f.__name__,
)
def test_every_rule_states_its_complexity(func: object) -> None:
    """#12.4: time and memory, in the numpydoc Notes of every registered rule."""
    notes = _notes(func)
    assert "Complexity:" in notes, f"{func!r} has no 'Complexity:' in its Notes section"
    assert "time" in notes
    assert "memory" in notes
    assert re.search(r"``O\(", notes), "the complexity is given in O(...) terms"
