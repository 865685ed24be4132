"""Exact equal shares: a voter-by-voter reference, the property battery and the corpus."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings

from participa import ParticipaError, RuleError
from participa.io import load_election
from participa.model import BallotKind, Election
from participa.outcome import Outcome
from participa.rules import ees as ees_module
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules.ees import exact_equal_shares
from participa.testing import check_rule
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

DATA = Path(__file__).resolve().parents[1] / "data"
HEAD = json.loads((DATA / "expected_head.json").read_text(encoding="utf-8"))
APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


def reference(e: Election, utility: str) -> list[int]:
    """EES one voter at a time (a weight-w voter is w voters), with Fractions."""
    prof = e.profile
    voters: list[set[int]] = []
    for g in range(prof.num_groups):
        approved = {j for j in range(len(e.projects)) if prof.approvals()[g, j]}
        voters += [approved] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    n = len(voters)
    money = [Fraction(e.budget, n)] * n
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    chosen: list[int] = []
    while n:
        best = None
        cands = []
        for p in range(len(e.projects)):
            if p in chosen:
                continue
            sup = sorted((i for i in range(n) if p in voters[i]), key=lambda i: money[i])
            cost = int(e.costs[p])
            while sup and money[sup[0]] < Fraction(cost, len(sup)):
                sup.pop(0)
            if not sup:
                continue
            key = (
                (1, Fraction(0))
                if cost == 0
                else (0, Fraction(len(sup)) if utility == "cost" else Fraction(len(sup), cost))
            )
            if best is None or key > best:
                best, cands = key, [(p, sup)]
            elif key == best:
                cands.append((p, sup))
        if best is None:
            break
        p, sup = min(cands, key=lambda c: priority[c[0]])
        for i in sup:
            money[i] -= Fraction(int(e.costs[p]), len(sup))
        chosen.append(p)
    return chosen


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_matches_the_per_voter_reference(e: Election) -> None:
    for utility in ("cost", "count"):
        got = exact_equal_shares(e, utility=utility)  # type: ignore[arg-type]
        assert list(got.selected) == [e.project_ids[p] for p in reference(e, utility)]


@settings(max_examples=150, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_exact_path_matches_the_per_voter_reference(e: Election) -> None:
    # The float64 guide off: every payer set from an exact sort of the amounts held.
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(ees_module._Holdings, "_guided", lambda *_args: False)
        for utility in ("cost", "count"):
            got = exact_equal_shares(e, utility=utility)  # type: ignore[arg-type]
            assert list(got.selected) == [e.project_ids[p] for p in reference(e, utility)]


@pytest.mark.parametrize("utility", ["cost", "count"])
def test_property_battery(utility: str) -> None:
    def rule(e: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
        return exact_equal_shares(e, utility=utility, tie_break=tie_break)  # type: ignore[arg-type]

    check_rule(rule, kinds=APPROVALISH, weighted=True, max_examples=40)


def test_bad_input() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    with pytest.raises(ParticipaError, match="utility"):
        exact_equal_shares(e, utility="points")  # type: ignore[arg-type]
    with pytest.raises(RuleError):
        exact_equal_shares(load_election(DATA / "Poland_Krakow_2021_Debniki.pb.gz"))


CASES = [
    (name, key)
    for name, entry in HEAD.items()
    for key in ("ees_cost", "ees_card")
    if "selected" in entry["results"].get(key, {})
]


@pytest.mark.parametrize(("name", "key"), CASES, ids=[f"{n[:30]}-{k}" for n, k in CASES])
def test_corpus_matches_the_reference_source(name: str, key: str) -> None:
    utility = "cost" if key == "ees_cost" else "count"
    got = exact_equal_shares(load_election(DATA / f"{name}.pb.gz"), utility=utility)  # type: ignore[arg-type]
    assert sorted(got.selected) == sorted(HEAD[name]["results"][key]["selected"])
