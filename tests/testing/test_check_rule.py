"""check_rule catches broken rules with a minimal counterexample, and our own rules pass it."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import pytest

from participa import loads
from participa.model import BallotKind, Election
from participa.outcome import Outcome
from participa.testing import PROPERTIES, RuleCheckFailure, check_rule
from participa.tiebreak import TieBreak


def _fill(e: Election, order: list[int], rule: str) -> Outcome:
    chosen, left = [], e.budget
    for j in order:
        if e.costs[j] <= left:
            chosen.append(j)
            left -= int(e.costs[j])
    return Outcome.from_selection(e, chosen, rule=rule)


def first_voter_decides(e: Election) -> Outcome:
    """Broken: funds the first row's ballot, so the voters' order matters."""
    row = e.profile.matrix[0] if e.profile.num_groups else []
    approved = sorted((j for j, x in enumerate(row) if x), key=lambda j: e.project_ids[j])
    return _fill(e, approved, "first-voter")


def file_order(e: Election) -> Outcome:
    """Broken: ignores votes, funds projects in file order."""
    return _fill(e, list(range(len(e.projects))), "file-order")


def overspend(e: Election) -> Outcome:
    """Broken: hands out one more unit than the budget."""
    ids = e.project_ids
    return Outcome("overspend", e.budget, {ids[0]: e.budget + 1}, (), 0)


def stops_early(e: Election) -> Outcome:
    """Broken when claimed exhaustive: funds only the most supported project."""
    s = e.support()
    best = min(range(len(e.projects)), key=lambda j: (-int(s[j]), e.project_ids[j]))
    return _fill(e, [best], "stops-early")


_calls = itertools.count()
BY_ID = TieBreak()


def flaky(e: Election) -> Outcome:
    """Broken: every other call funds nothing (hidden state)."""
    return _fill(e, [] if next(_calls) % 2 else [0], "flaky")


def votes_then_id(e: Election, *, tie_break: TieBreak = BY_ID) -> Outcome:
    """Fine: greedy by votes, ties by the tie-break."""
    resolver = tie_break.resolver(e)
    return _fill(e, resolver.rank_by(e.support()), "votes")


def votes_then_position(e: Election, *, tie_break: TieBreak = BY_ID) -> Outcome:
    """Broken: claims to take tie_break but settles ties by position."""
    s = e.support()
    order = sorted(range(len(e.projects)), key=lambda j: (-int(s[j]), j))
    return _fill(e, order, "votes-position")


@pytest.mark.parametrize(
    ("rule", "prop", "kwargs"),
    [
        (first_voter_decides, "anonymity", {}),
        (file_order, "neutrality", {}),
        (overspend, "well-formed", {}),
        (stops_early, "exhaustive", {"exhaustive": True}),
        (flaky, "determinism", {"properties": ("well-formed", "determinism")}),
        (votes_then_position, "neutrality", {}),
    ],
)
def test_broken_rules_are_caught_with_a_minimal_election(
    rule: Callable[..., Outcome], prop: str, kwargs: dict[str, Any]
) -> None:
    with pytest.raises(RuleCheckFailure) as info:
        check_rule(rule, max_examples=300, **kwargs)  # found long before 300, but surely
    err = info.value
    assert err.prop == prop
    assert f"property {prop!r} violated" in str(err)
    election = loads(err.election_json)
    assert isinstance(election, Election)
    # Hypothesis shrank it: costs go to their minimum
    assert max(p.cost for p in election.projects) <= 2


def test_a_correct_rule_passes_everything() -> None:
    check_rule(votes_then_id, exhaustive=True, weighted=True)


def test_unknown_property_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown properties"):
        check_rule(votes_then_id, properties=("budget-ish",))
    assert PROPERTIES[0] == "well-formed"


# -- participa's own rules --------------------------------------------------------------------

APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)
ALL_KINDS = (*APPROVALISH, BallotKind.CUMULATIVE, BallotKind.ORDINAL)


def _own_rules() -> list[tuple[str, Callable[..., Outcome], tuple[BallotKind, ...], bool]]:
    from participa.rules.greedy import greedy
    from participa.rules.mes import equal_shares
    from participa.rules.phragmen import phragmen
    from participa.rules.split import per_head
    from participa.rules.welfare import max_welfare

    return [
        ("greedy", greedy, ALL_KINDS, True),
        ("max-welfare", max_welfare, ALL_KINDS, False),
        ("mes", equal_shares, ALL_KINDS, False),
        ("phragmen", phragmen, APPROVALISH, False),
        ("per-head", per_head, APPROVALISH, False),
    ]


@pytest.mark.parametrize(
    ("name", "rule", "kinds", "exhaustive"), _own_rules(), ids=[r[0] for r in _own_rules()]
)
def test_participa_rules_pass_the_battery(
    name: str, rule: Callable[..., Outcome], kinds: tuple[BallotKind, ...], exhaustive: bool
) -> None:
    check_rule(rule, kinds=kinds, exhaustive=exhaustive, weighted=True, max_examples=30)
