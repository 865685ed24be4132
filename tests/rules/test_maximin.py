"""Maximin support: exact loads by brute force, the property battery and the corpus."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participa import RuleError
from participa.io import load_election
from participa.model import BallotKind, Election
from participa.rules._flow import min_max_load
from participa.rules.maximin import maximin_support
from participa.testing import check_rule
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))
APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


def brute_load(e: Election, members: list[int]) -> Fraction | None:
    """max over subsets S of cost(S) / weight of S's supporters (Hall), voter by voter."""
    prof = e.profile
    voters = []
    for g in range(prof.num_groups):
        voters += [(set(prof.ballot(g)), int(prof.weight[g]))] * int(prof.multiplicity[g])
    best = Fraction(0)
    for r in range(1, len(members) + 1):
        for subset in itertools.combinations(members, r):
            ids = {e.project_ids[p] for p in subset}
            cost = sum(int(e.costs[p]) for p in subset)
            reach = sum(w for b, w in voters if b & ids)
            if reach == 0:
                if cost:
                    return None
                continue
            best = max(best, Fraction(cost, reach))
    return best


def reference(e: Election) -> list[int]:
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    funded: list[int] = []
    left = e.budget
    while True:
        open_ = [c for c in range(len(e.projects)) if c not in funded and e.costs[c] <= left]
        if not open_:
            return funded
        loads = {c: brute_load(e, [*funded, c]) for c in open_}
        finite = [v for v in loads.values() if v is not None]
        best = min(finite) if finite else None
        c = min((c for c in open_ if loads[c] == best), key=priority.__getitem__)
        funded.append(c)
        left -= int(e.costs[c])


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True), data=st.data())
def test_min_max_load_is_halls_maximum(e: Election, data: st.DataObject) -> None:
    members = sorted(data.draw(st.sets(st.integers(0, len(e.projects) - 1), min_size=1)))
    got = min_max_load(
        e.profile.approvals()[:, members],
        e.profile.group_weight,
        [int(e.costs[p]) for p in members],
    )
    assert got == brute_load(e, members)


@settings(max_examples=100, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_matches_the_brute_force_rule(e: Election) -> None:
    assert list(maximin_support(e).selected) == [e.project_ids[c] for c in reference(e)]


def test_property_battery() -> None:
    check_rule(maximin_support, kinds=APPROVALISH, weighted=True, exhaustive=True, max_examples=40)


def test_huge_amounts() -> None:
    u = 10**18
    a = np.array([[True, False], [True, True], [False, True]])
    assert min_max_load(a, np.array([1, 1, 1]), [4 * u, u]) == 2 * u
    assert min_max_load(a, np.array([1, 1, 1]), [u, u]) == Fraction(2 * u, 3)
    assert min_max_load(a, np.array([1, 1, 1]), [6 * u, u]) == 3 * u


def test_needs_approval_ballots() -> None:
    with pytest.raises(RuleError):
        maximin_support(load_election(DATA / "Poland_Krakow_2021_Debniki.pb.gz"))


CASES = [
    name
    for name, entry in HEAD.items()
    if "selected" in entry["results"].get("maximin_support", {})
]


@pytest.mark.parametrize("name", CASES, ids=[n[:40] for n in CASES])
def test_corpus_matches_the_reference_source(name: str) -> None:
    expected = HEAD[name]["results"]["maximin_support"]
    got = maximin_support(load_election(DATA / f"{name}.pb.gz")).selected
    assert sorted(got) == sorted(expected["selected"])
