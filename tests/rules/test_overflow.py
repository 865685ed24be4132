"""No silent wrong answer at any magnitude: costs, budgets and voter weights near and
above ``2^63`` give the outcome a pure-Python exact computation gives (issue #12.3).

The references here use Python integers and :class:`~fractions.Fraction` only; they
share nothing with the rules but the model.
"""

from __future__ import annotations

import itertools
from fractions import Fraction

import attrs
import numpy as np
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile, Project
from participa.rules import greedy, max_welfare
from participa.rules.bos import bos_equal_shares, fractional_equal_shares
from participa.rules.cstv import cstv
from participa.rules.ees import exact_equal_shares
from participa.rules.maximin import maximin_support
from participa.rules.mes import equal_shares, equal_shares_reference
from participa.rules.online import online_greedy
from participa.rules.ordered_relax import ordered_relax
from participa.rules.pb_ear import pb_ear
from participa.rules.phragmen import phragmen
from participa.rules.split import equal_split, per_head
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak
from scaled import heavier

BIG = 2**63
COMPLETIONS = ("none", "add1", "add1u", "utilitarian")


def test_max_welfare_reproduction_is_not_empty() -> None:
    """Issue #12: two projects of 10^18 each, budget 2·10^18, ten voters approving both."""
    u = 10**18
    prof = Profile.from_matrix(
        BallotKind.APPROVAL, ["a", "b"], np.ones((1, 2), np.int64), multiplicity=[10]
    )
    e = Election(2 * u, (Project("a", u), Project("b", u)), prof)
    out = max_welfare(e)
    assert out.selected == ("a", "b")
    assert int(out.params["welfare"]) == 2 * 10 * u  # utility = cost, 10 voters each
    assert greedy(e).selected == ("a", "b")
    for completion in COMPLETIONS:
        assert equal_shares(e, completion=completion).selected_set == {"a", "b"}


# -- strategies: magnitudes near and above 2^63 ----------------------------------------------

magnitudes = st.one_of(
    st.integers(1, 50),
    st.integers(2**61, BIG - 1),
    st.integers(BIG // 3, BIG // 2),
)


@st.composite
def huge_elections(draw: st.DrawFn) -> Election:
    m = draw(st.integers(1, 5))
    costs = draw(st.lists(magnitudes, min_size=m, max_size=m))
    g = draw(st.integers(1, 4))
    rows = draw(st.lists(st.lists(st.booleans(), min_size=m, max_size=m), min_size=g, max_size=g))
    mult = draw(st.lists(st.one_of(st.integers(1, 5), magnitudes), min_size=g, max_size=g))
    weight = draw(st.lists(st.one_of(st.just(1), magnitudes), min_size=g, max_size=g))
    prof = Profile.from_matrix(
        BallotKind.APPROVAL,
        [f"p{j}" for j in range(m)],
        np.array(rows, dtype=np.int64),
        multiplicity=mult,
        weights=weight,
        collapse=False,  # merging equal rows would add multiplicities past int64
    )
    budget = draw(st.integers(0, sum(costs) + BIG))
    projects = tuple(Project(f"p{j}", c) for j, c in enumerate(costs))
    return Election(budget, projects, prof, minor_per_unit=draw(st.sampled_from([1, 100])))


def _masses(e: Election) -> list[int]:
    prof = e.profile
    return [
        int(a) * int(b)
        for a, b in zip(prof.multiplicity.tolist(), prof.weight.tolist(), strict=True)
    ]


def _scores(e: Election, utility: str) -> list[int]:
    mass = _masses(e)
    rows = e.profile.approvals().tolist()
    costs = [int(c) for c in e.costs]
    per = [c if utility == "cost" else 1 for c in costs]
    return [
        sum(mass[k] * per[j] for k in range(len(mass)) if rows[k][j]) for j in range(len(costs))
    ]


def _priority(e: Election) -> list[int]:
    ids = e.project_ids
    order = sorted(range(len(ids)), key=lambda j: ids[j])
    return [order.index(j) for j in range(len(ids))]


def greedy_exact(e: Election, utility: str) -> tuple[str, ...]:
    """Greedy with skipping, in Python integers and Fractions."""
    costs = [int(c) for c in e.costs]
    scores = _scores(e, utility)
    prio = _priority(e)

    def key(j: int) -> tuple[int, Fraction, int]:
        if scores[j] <= 0:
            return (0, Fraction(0), prio[j])
        if costs[j] == 0:
            return (-2, Fraction(0), prio[j])
        return (-1, -Fraction(scores[j], costs[j]), prio[j])

    left = e.budget
    out = []
    for j in sorted(range(len(costs)), key=key):
        if costs[j] <= left:
            out.append(e.project_ids[j])
            left -= costs[j]
    return tuple(out)


def best_welfare(e: Election, utility: str) -> int:
    """Largest welfare of a set that fits, by trying every set."""
    costs = [int(c) for c in e.costs]
    scores = _scores(e, utility)
    best = 0
    for r in range(len(costs) + 1):
        for subset in itertools.combinations(range(len(costs)), r):
            if sum(costs[j] for j in subset) <= e.budget:
                best = max(best, sum(scores[j] for j in subset))
    return best


@given(e=huge_elections(), utility=st.sampled_from(["cost", "count"]))
def test_greedy_exact_at_any_magnitude(e: Election, utility: str) -> None:
    out = greedy(e, utility=utility)  # type: ignore[arg-type]
    assert out.selected == greedy_exact(e, utility)
    assert out.total_cost <= e.budget


@given(e=huge_elections(), utility=st.sampled_from(["cost", "count"]))
def test_max_welfare_exact_at_any_magnitude(e: Election, utility: str) -> None:
    out = max_welfare(e, utility=utility)  # type: ignore[arg-type]
    scores = dict(zip(e.project_ids, _scores(e, utility), strict=True))
    assert out.total_cost <= e.budget
    assert sum(scores[p] for p in out.selected) == best_welfare(e, utility)
    assert int(out.params["welfare"]) == best_welfare(e, utility)


@settings(max_examples=40)
@given(e=huge_elections(), utility=st.sampled_from(["cost", "count"]), data=st.data())
def test_equal_shares_exact_at_any_magnitude(
    e: Election, utility: str, data: st.DataObject
) -> None:
    completion = data.draw(st.sampled_from(COMPLETIONS))
    # add1 steps big enough that the reference (which tries every step) stays short:
    # the voters with the least weight can pay any project after a few steps
    increment = max(1, max(int(c) for c in e.costs) // (4 * min(_masses(e))))
    kw = {
        "utility": utility,
        "completion": completion,
        "increment": increment,
        "integral_start": data.draw(st.booleans()),
        "exhaustive_stop": data.draw(st.booleans()),
        "tie_break": data.draw(st.sampled_from([TieBreak(), TieBreak.parse("file-order")])),
    }
    note(repr(kw))
    fast = equal_shares(e, **kw)  # type: ignore[arg-type]
    ref = equal_shares_reference(e, **kw)  # type: ignore[arg-type]
    assert fast.selected == ref.selected
    assert fast.total_cost <= e.budget


@pytest.mark.parametrize("completion", COMPLETIONS)
def test_equal_shares_beyond_int64_voters_takes_the_exact_path(completion: str) -> None:
    """Voter weights whose total passes 2^62: the exact pure-Python path, same outcome."""
    prof = Profile.from_matrix(
        BallotKind.APPROVAL,
        ["a", "b", "c"],
        np.array([[1, 1, 0], [0, 1, 1]], dtype=np.int64),
        multiplicity=[BIG - 1, 3],
        weights=[2**40, 1],
    )
    e = Election(10**30, (Project("a", 6 * 10**18), Project("b", 9), Project("c", 2)), prof)
    out = equal_shares(e, completion=completion, increment=10**10)  # type: ignore[arg-type]
    ref = equal_shares_reference(e, completion=completion, increment=10**10)
    assert out.params["path"] == "exact"
    assert out.selected == ref.selected
    assert out.total_cost <= e.budget


@given(e=huge_elections(), cap=st.booleans())
def test_per_head_exact_at_any_magnitude(e: Election, cap: bool) -> None:
    """The per-head split's votes, shares and ranking in Python integers (#12.3)."""
    out = per_head(e, cap_at_cost=cap)
    votes = _scores(e, "count")  # weighted number of supporters, exact
    ids = e.project_ids
    first = {
        s.project_id: s.values["votes"]
        for s in out.trace
        if s.round == 1 and s.action.value == "fund"
    }
    if e.budget:  # nothing to split, no round, when the budget is 0
        assert first == {p: v for p, v in zip(ids, votes, strict=True) if v > 0}
    assert all(amount >= 0 for amount in out.funding.values())
    assert sum(out.funding.values()) == e.budget - int(out.params["unspent"])
    total = sum(votes)
    if total and not cap:  # one round of Hamilton's method: within one unit of the quota
        for p, v in zip(ids, votes, strict=True):
            assert abs(out.funding[p] - Fraction(e.budget * v, total)) < 1
    costs = dict(zip(ids, (int(c) for c in e.costs), strict=True))
    funded = [p for p, v in zip(ids, votes, strict=True) if v > 0 and out.funding[p] >= costs[p]]
    rank = dict(zip(ids, votes, strict=True))
    assert list(out.selected) == sorted(funded, key=lambda p: (-rank[p], p))


@given(e=huge_elections())
def test_equal_split_ranks_by_exact_support(e: Election) -> None:
    """One territory, one envelope: greedy by exact weighted support, ties by id."""
    e = attrs.evolve(e, projects=tuple(attrs.evolve(p, territory="t") for p in e.projects))
    out = equal_split(e)
    support = dict(zip(e.project_ids, _scores(e, "count"), strict=True))
    left, expected = e.budget, []
    for p in sorted(e.project_ids, key=lambda p: (-support[p], p)):
        cost = int(e.costs[e.project_ids.index(p)])
        if cost <= left:
            left -= cost
            expected.append(p)
    assert sorted(out.selected) == sorted(expected)
    assert out.total_cost <= e.budget


# -- the newer rules: outcomes do not change when money and weights grow past 2^63 ---------

WEIGHT_SCALE = 2**57  # times at most 8 voters of weight <= 3: the total stays below 2^63
MONEY_SCALE = 2**40  # costs and budgets up to ~2^47; weight x money products ~2^104


NEWER = {
    "cstv": (lambda e: cstv(e, variant="mt"), (BallotKind.CUMULATIVE,)),
    "online-greedy": (online_greedy, (BallotKind.APPROVAL,)),
    "online-efficient": (
        lambda e: online_greedy(e, variant="efficient"),
        (BallotKind.APPROVAL,),
    ),
    "ees": (exact_equal_shares, (BallotKind.APPROVAL,)),
    "maximin-support": (maximin_support, (BallotKind.APPROVAL,)),
    "pb-ear": (pb_ear, (BallotKind.ORDINAL,)),
}


@settings(max_examples=25, deadline=None)
@pytest.mark.parametrize("rule", sorted(NEWER))
@given(data=st.data())
def test_newer_rules_scale_past_int64(rule: str, data: st.DataObject) -> None:
    """Equal shares of money and weights: scaling all of them leaves the outcome alone, so
    a wrap-around or float rounding past 2^63 would show as a different outcome."""
    run, kinds = NEWER[rule]
    e = data.draw(elections(kinds=kinds, max_projects=4, max_voters=6, weighted=True))
    assume(int(e.profile.weight.max(initial=1)) <= 3)
    small = run(e)
    big = run(heavier(e, 1, WEIGHT_SCALE, MONEY_SCALE))
    note(f"small {small.selected}, big {big.selected}")
    assert big.selected == small.selected
    assert big.total_cost == small.total_cost * MONEY_SCALE


# -- group weights past 2^63: multiplicity × weight ----------------------------------------

MASS_RULES = {
    **NEWER,
    "phragmen": (phragmen, (BallotKind.APPROVAL,)),
    "ees-add-opt": (
        lambda e: exact_equal_shares(e, completion="add-opt"),
        (BallotKind.APPROVAL,),
    ),
    "mes": (equal_shares, (BallotKind.APPROVAL, BallotKind.CUMULATIVE)),
    "greedy": (greedy, (BallotKind.APPROVAL, BallotKind.CUMULATIVE, BallotKind.ORDINAL)),
    "mes-bos": (bos_equal_shares, (BallotKind.APPROVAL,)),
    "fractional-mes": (fractional_equal_shares, (BallotKind.APPROVAL,)),
    "ordered-relax": (ordered_relax, (BallotKind.APPROVAL,)),
    "max-welfare": (max_welfare, (BallotKind.APPROVAL, BallotKind.CUMULATIVE)),
}


@settings(max_examples=25, deadline=None)
@pytest.mark.parametrize("rule", sorted(MASS_RULES))
@pytest.mark.parametrize("scale", [(2**29, 2**29), (2**35, 2**35)])
@given(data=st.data())
def test_rules_with_group_weights_past_int64(
    rule: str, scale: tuple[int, int], data: st.DataObject
) -> None:
    """Every group's say times ``2^58`` (int64 rows whose sums pass 2^63) or ``2^70`` (rows
    past int64): proportions are unchanged, so the outcome must be too."""
    run, kinds = MASS_RULES[rule]
    e = data.draw(elections(kinds=kinds, max_projects=4, max_voters=6, weighted=True))
    assume(int(e.profile.weight.max(initial=1)) <= 3)
    small = run(e)
    big = run(heavier(e, *scale))
    note(f"small {small.selected}, big {big.selected}")
    assert big.selected == small.selected
