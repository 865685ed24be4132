"""Cohesive groups and Pareto optimality against brute force over every subset."""

from __future__ import annotations

import itertools
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participa import ParticipaError
from participa.analysis.axioms import SearchLimitExceeded
from participa.analysis.cohesion import cohesive_groups, is_pareto_optimal, pareto_improvement
from participa.io import load_election
from participa.model import BallotKind, Election, Profile
from participa.rules.greedy import greedy
from participa.testing.strategies import elections

DATA = Path(__file__).resolve().parents[1] / "data"
KINDS = (BallotKind.APPROVAL, BallotKind.CUMULATIVE)


def _voters(e: Election) -> list[tuple[set[str], int]]:
    prof = e.profile
    return [
        (set(prof.ballot(g)), int(prof.multiplicity[g]) * int(prof.weight[g]))
        for g in range(prof.num_groups)
    ]


@settings(max_examples=100, deadline=None)
@given(e=elections(kinds=KINDS, max_projects=5, max_voters=7, weighted=True))
def test_cohesive_groups_are_all_subsets_that_pass(e: Election) -> None:
    voters = _voters(e)
    n = sum(w for _b, w in voters)
    expected = []
    for r in range(1, len(e.projects) + 1):
        for t in itertools.combinations(sorted(e.project_ids), r):
            size = sum(w for b, w in voters if set(t) <= b)
            cost = sum(e.project(p).cost for p in t)
            if size and size * e.budget >= n * cost:
                expected.append((t, size))
    assert [(g.projects, g.voters) for g in cohesive_groups(e)] == sorted(expected)


def _dominates(e: Election, new: set[str], old: set[str], satisfaction: str) -> bool:
    def sat(b: set[str], chosen: set[str]) -> int:
        return sum(e.project(p).cost if satisfaction == "cost" else 1 for p in b & chosen)

    pairs = [(sat(b, new), sat(b, old)) for b, w in _voters(e) if w]
    return all(a >= b for a, b in pairs) and any(a > b for a, b in pairs)


@settings(max_examples=100, deadline=None)
@given(e=elections(kinds=KINDS, max_projects=5, max_voters=7, weighted=True), data=st.data())
def test_pareto_matches_brute_force(e: Election, data: st.DataObject) -> None:
    satisfaction = data.draw(st.sampled_from(["cost", "count"]))
    ids = list(e.project_ids)
    chosen = set(data.draw(st.sets(st.sampled_from(ids))))
    dominated = any(
        _dominates(e, set(t), chosen, satisfaction)
        for r in range(len(ids) + 1)
        for t in itertools.combinations(ids, r)
        if sum(e.project(p).cost for p in t) <= e.budget
    )
    found = pareto_improvement(e, chosen, satisfaction=satisfaction)  # type: ignore[arg-type]
    assert (found is not None) == dominated
    if found is not None:
        assert sum(e.project(p).cost for p in found.projects) <= e.budget
        assert _dominates(e, set(found.projects), chosen, satisfaction)


def test_real_outcomes_and_limits() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    assert is_pareto_optimal(e, greedy(e))
    assert not is_pareto_optimal(e, [])
    with pytest.raises(SearchLimitExceeded):
        pareto_improvement(e, [], limit=1)
    with pytest.raises(ParticipaError):
        pareto_improvement(e, ["nope"])
    with pytest.raises(ParticipaError):
        pareto_improvement(e, [], satisfaction="joy")  # type: ignore[arg-type]


@settings(max_examples=50, deadline=None)
@given(e=elections(kinds=KINDS, max_projects=4, max_voters=5, weighted=True), data=st.data())
def test_group_weights_past_int64(e: Election, data: st.DataObject) -> None:
    """Every group ``2^35`` times more voters of ``2^35`` times the weight: sizes are
    ``2^70`` times larger, the same groups cohere and the same sets dominate (#12.3)."""
    prof = e.profile
    big_prof = Profile.from_matrix(
        prof.kind,
        list(prof.project_ids),
        prof.matrix,
        multiplicity=[int(m) * 2**35 for m in prof.multiplicity.tolist()],
        weights=[int(w) * 2**35 for w in prof.weight.tolist()],
        collapse=False,
        listed=prof.listed,
    )
    big = attrs.evolve(e, profile=big_prof)
    assert [(g.projects, g.voters) for g in cohesive_groups(big)] == [
        (g.projects, g.voters * 2**70) for g in cohesive_groups(e)
    ]
    chosen = data.draw(st.sets(st.sampled_from(list(e.project_ids))))
    small_better = pareto_improvement(e, chosen)
    big_better = pareto_improvement(big, chosen)
    assert (small_better is None) == (big_better is None)
    if small_better is not None and big_better is not None:
        assert big_better.projects == small_better.projects
        assert big_better.better_off == small_better.better_off * 2**70
