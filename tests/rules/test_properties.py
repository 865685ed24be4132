"""Hypothesis properties every rule must have."""

from __future__ import annotations

from collections.abc import Callable

import attrs
import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from participa.model import BallotKind, Election, Profile
from participa.outcome import Outcome
from participa.rules.greedy import greedy
from participa.rules.phragmen import phragmen
from participa.rules.split import equal_split, per_head
from participa.rules.welfare import max_welfare
from participa.testing.strategies import elections

RULES: dict[str, Callable[[Election], Outcome]] = {
    "greedy": greedy,
    "greedy-count": lambda e: greedy(e, utility="count"),
    "greedy-no-skip": lambda e: greedy(e, skip=False),
    "greedy-threshold": lambda e: greedy(e, threshold=2),
    "max-welfare": max_welfare,
    "per-head": per_head,
    "per-head-redistribute": lambda e: per_head(e, redistribute=True),
    "per-head-uncapped": lambda e: per_head(e, cap_at_cost=False),
}
APPROVAL_RULES: dict[str, Callable[[Election], Outcome]] = {"phragmen": phragmen}

any_election = elections(kinds=tuple(BallotKind), max_projects=6, max_voters=8, weighted=True)
approval_election = elections(
    kinds=(BallotKind.APPROVAL, BallotKind.CHOOSE_1), max_projects=6, max_voters=8, weighted=True
)


def _all_rules(e: Election) -> dict[str, Callable[[Election], Outcome]]:
    rules = dict(RULES)
    if e.kind.is_approval:
        rules.update(APPROVAL_RULES)
    return rules


@given(any_election)
def test_budget_never_exceeded(e: Election) -> None:
    for name, rule in _all_rules(e).items():
        o = rule(e)
        assert o.total_funding <= e.budget, name
        assert all(f >= 0 for f in o.funding.values()), name
        if name.startswith("per-head"):
            continue
        assert o.total_cost <= e.budget, name
        for p in o.selected:  # full funding for selection rules
            assert o.funding[p] == e.project(p).cost, name


@given(any_election, st.booleans())
def test_per_head_sums_to_budget_minus_reported_unspent(e: Election, redistribute: bool) -> None:
    o = per_head(e, redistribute=redistribute)
    assert o.total_funding + int(o.params["unspent"]) == e.budget
    assert all(o.funding[p.id] <= p.cost for p in e.projects)
    uncapped = per_head(e, cap_at_cost=False)
    if int(e.total_points().sum()) > 0:
        assert uncapped.total_funding == e.budget  # no cent lost or created
    else:
        assert uncapped.total_funding == 0


@given(any_election, st.booleans())
def test_per_head_redistribution_spends_at_least_as_much(e: Election, cap: bool) -> None:
    plain = per_head(e, cap_at_cost=cap)
    again = per_head(e, cap_at_cost=cap, redistribute=True)
    assert again.total_funding >= plain.total_funding
    if int(again.params["unspent"]):  # money left only when every voted project is full
        votes = e.total_points()
        assert all(again.funding[p.id] == p.cost for j, p in enumerate(e.projects) if votes[j] > 0)


@st.composite
def territorial(draw: st.DrawFn) -> Election:
    e = draw(any_election)
    projects = tuple(
        attrs.evolve(p, territory=draw(st.sampled_from(["n1", "n2", "n3", "pool"])))
        for p in e.projects
    )
    return attrs.evolve(e, projects=projects)


@given(territorial(), st.booleans())
def test_equal_split_accounts_for_every_unit(e: Election, pooled: bool) -> None:
    pools = {"pool": ["n1", "n2"]} if pooled else None
    o = equal_split(e, pools=pools)
    leftovers = sum(v.leftover for v in o.envelopes)
    assert o.total_funding + leftovers + o.unallocated == e.budget
    assert o.unallocated == 0  # the equal split hands out the whole budget
    assert sum(v.spent for v in o.envelopes) == o.total_funding
    assert o.total_funding <= e.budget


def _relabel(e: Election, perm: list[int]) -> Election:
    prof = e.profile
    idx = np.asarray(perm, dtype=np.int64)
    return attrs.evolve(
        e,
        profile=Profile(
            prof.kind, prof.project_ids, prof.matrix[idx], prof.multiplicity[idx], prof.weight[idx]
        ),
    )


def _expand_weights(e: Election) -> Election:
    prof = e.profile
    rows = np.repeat(np.arange(prof.num_groups), prof.group_weight)
    mat = prof.matrix[rows]
    flat = Profile(
        prof.kind,
        prof.project_ids,
        mat,
        np.ones(rows.size, np.int64),
        np.ones(rows.size, np.int64),
    )
    return attrs.evolve(e, profile=flat)


@given(any_election, st.randoms(use_true_random=False))
def test_invariant_under_relabelling_and_collapsing(e: Election, rnd: object) -> None:
    perm = list(range(e.profile.num_groups))
    rnd.shuffle(perm)  # type: ignore[attr-defined]
    relabelled = _relabel(e, perm)
    expanded = _expand_weights(e)  # a weight-w ballot ≡ w identical ballots
    for name, rule in _all_rules(e).items():
        base = rule(e)
        collapsed = attrs.evolve(expanded, profile=expanded.profile.collapse())
        for other in (relabelled, expanded, collapsed):
            o = rule(other)
            assert o.selected == base.selected, name
            assert dict(o.funding) == dict(base.funding), name


@given(any_election, st.sampled_from(["cost", "count"]))
def test_greedy_with_skip_is_exhaustive(e: Election, utility: str) -> None:
    o = greedy(e, utility=utility)
    left = e.budget - o.total_cost
    assert all(p.cost > left for p in e.projects if p.id not in o.selected_set)


@given(any_election)
def test_max_welfare_beats_greedy(e: Election) -> None:
    from participa.rules.reference import welfare_of
    from participa.rules.utility import default_utility

    u = default_utility(e.kind)
    best = int(max_welfare(e).params["welfare"])
    assert best >= welfare_of(e, u, greedy(e).selected)
    assert best == welfare_of(e, u, max_welfare(e).selected)
