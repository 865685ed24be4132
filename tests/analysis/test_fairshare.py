"""Fair share and category proportionality: exact, against a per-voter reference and the corpus."""

from __future__ import annotations

import json
import math
import sys
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from participa import ParticipaError
from participa.analysis.fairshare import (
    capped_fair_share_ratio,
    category_proportionality,
    distance_to_fair_share,
    fair_shares,
)
from participa.io import load_election
from participa.model import BallotKind, Election
from participa.testing.strategies import elections

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))


def _reference(e: Election, selected: set[str]) -> tuple[Fraction, Fraction]:
    """Voter by voter, with Fractions: (mean distance, mean capped ratio)."""
    prof = e.profile
    voters = []
    for g in range(prof.num_groups):
        ballot = set(prof.ballot(g))
        voters += [ballot] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    n = len(voters)
    support = {p: sum(1 for b in voters if p in b) for p in e.project_ids}
    share = {p: Fraction(e.project(p).cost, support[p]) for p in e.project_ids if support[p]}
    dist = ratio = Fraction(0)
    for b in voters:
        fair = min(sum((share[p] for p in b), Fraction(0)), Fraction(e.budget, n))
        got = sum((share[p] for p in b if p in selected), Fraction(0))
        dist += abs(got - fair)
        ratio += min(got / fair, Fraction(1)) if fair else Fraction(1)
    return dist / n, ratio / n


@settings(max_examples=100, deadline=None)
@given(
    e=elections(kinds=(BallotKind.APPROVAL, BallotKind.CUMULATIVE), weighted=True), data=st.data()
)
def test_matches_the_per_voter_reference(e: Election, data: st.DataObject) -> None:
    chosen = data.draw(st.sets(st.sampled_from(e.project_ids)))
    dist, ratio = _reference(e, chosen)
    assert distance_to_fair_share(e, chosen) == dist
    assert capped_fair_share_ratio(e, chosen) == ratio
    assert 0 <= ratio <= 1
    assert dist >= 0
    assert all(f <= Fraction(e.budget, e.profile.total_weight) for f in fair_shares(e))


def test_funding_everything_a_voter_supports_serves_her_fully() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    assert capped_fair_share_ratio(e, e.project_ids) == 1


def test_bad_selection_is_a_participa_error() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    with pytest.raises(ParticipaError, match="does not have"):
        distance_to_fair_share(e, ["nope"])
    with pytest.raises(
        ParticipaError, match="outcome must be Outcome or a Collection of a string, got 'W014NR'"
    ):
        capped_fair_share_ratio(e, "W014NR")
    with pytest.raises(ParticipaError, match="categories"):
        category_proportionality(e.restrict(e.project_ids), []) if not any(
            p.categories for p in e.projects
        ) else (_ for _ in ()).throw(ParticipaError("x"))


CASES = [
    (name, outcome)
    for name, entry in HEAD.items()
    for outcome, values in entry.get("analysis", {}).items()
    if isinstance(values, dict) and "selected" in values
]


@pytest.mark.parametrize(("name", "outcome"), CASES, ids=[f"{n[:30]}-{o}" for n, o in CASES])
def test_corpus_matches_the_reference_source(name: str, outcome: str) -> None:
    # some exact values have more than 4,300 digits (Python's default limit for str -> int)
    limit = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(0)
    try:
        _check_corpus(name, outcome)
    finally:
        sys.set_int_max_str_digits(limit)


def _check_corpus(name: str, outcome: str) -> None:
    e = load_election(DATA / f"{name}.pb.gz")
    expected = HEAD[name]["analysis"][outcome]
    chosen = expected["selected"]
    # the reference counts money in currency units, participa in minor units
    assert distance_to_fair_share(e, chosen) == e.minor_per_unit * Fraction(
        expected["average_distance_to_fair_share"]["value"]
    )
    assert capped_fair_share_ratio(e, chosen) == Fraction(
        expected["average_capped_fair_share_ratio"]["value"]
    )
    if "category_proportionality" in expected:
        assert math.isclose(
            category_proportionality(e, chosen),
            expected["category_proportionality"]["float"],
            rel_tol=1e-12,
        )
