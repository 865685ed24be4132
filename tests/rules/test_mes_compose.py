"""Equal shares completed by Phragmén or by another rule; Phragmén from initial projects."""

from __future__ import annotations

import gzip
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings

from participa import ValidationError
from participa.io import load_election
from participa.model import BallotKind, Election
from participa.rules.greedy import greedy
from participa.rules.mes import equal_shares
from participa.rules.phragmen import phragmen
from participa.rules.registry import run_rule
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak

DATA = Path(__file__).resolve().parents[1] / "data"
APPROVALISH = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)


def _voters(e: Election) -> list[set[int]]:
    prof = e.profile
    out: list[set[int]] = []
    for g in range(prof.num_groups):
        approved = {j for j in range(len(e.projects)) if prof.approvals()[g, j]}
        out += [approved] * (int(prof.multiplicity[g]) * int(prof.weight[g]))
    return out


def mes_then_phragmen(e: Election) -> list[int]:
    """Equal shares (cost utilities) then Phragmén from loads -money, one voter at a time."""
    voters = _voters(e)
    n = len(voters)
    costs = [int(c) for c in e.costs]
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    money = [Fraction(e.budget, n)] * n
    chosen: list[int] = []
    while n:
        best = None
        for p in range(len(costs)):
            sup = sorted((i for i in range(n) if p in voters[i]), key=lambda i: money[i])
            if p in chosen or not sup or sum(money[i] for i in sup) < costs[p]:
                continue
            need, k = Fraction(costs[p]), len(sup)
            for i in sup:  # equal payments per unit of cost-utility: the poorest pay all
                share = need / k
                if share <= money[i]:
                    break
                need, k = need - money[i], k - 1
            key = (share / costs[p] if costs[p] else Fraction(0), priority[p])
            if best is None or key < best[0]:
                best = (key, p, share)
        if best is None:
            break
        _, p, share = best
        for i in range(n):
            if p in voters[i]:
                money[i] -= min(money[i], share)
        chosen.append(p)
    load = [-x for x in money]
    spent = sum(costs[p] for p in chosen)
    rest = [p for p in range(len(costs)) if p not in chosen and costs[p] <= e.budget]
    while rest:
        times = {}
        for p in rest:
            sup = [i for i in range(n) if p in voters[i]]
            if sup:
                times[p] = (costs[p] + sum(load[i] for i in sup)) / len(sup)
        if times:
            t = min(times.values())
            tied = [p for p in times if times[p] == t]
        else:  # nobody supports what is left: an infinite load, every project tied
            t, tied = Fraction(0), list(rest)
        if any(spent + costs[p] > e.budget for p in tied):
            break
        p = min(tied, key=lambda q: priority[q])
        for i in range(n):
            if p in voters[i]:
                load[i] = t
        rest.remove(p)
        chosen.append(p)
        spent += costs[p]
    return chosen


@settings(max_examples=100, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_phragmen_completion_matches_the_per_voter_reference(e: Election) -> None:
    got = equal_shares(e, utility="cost", completion="phragmen")
    assert list(got.selected) == [e.project_ids[p] for p in mes_then_phragmen(e)]
    assert got.total_cost <= e.budget


@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_completion_by_a_rule_runs_it_on_what_is_left(e: Election) -> None:
    base = equal_shares(e)
    rest = [p for p in e.project_ids if p not in base.selected_set]
    then = greedy(e.restrict(rest).with_budget(e.budget - base.total_cost)) if rest else None
    want = list(base.selected) + (list(then.selected) if then else [])
    assert list(equal_shares(e, completion=greedy).selected) == want
    assert list(run_rule("mes", e, completion="greedy").selected) == want


def test_initial_projects_come_first_and_use_the_budget() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    out = phragmen(e, initial=["W008NR"])
    assert out.selected[0] == "W008NR"
    assert out.total_cost <= e.budget
    assert out.params["initial"] == "W008NR"
    with pytest.raises(ValidationError, match="nope"):
        phragmen(e, initial=["nope"])
    with pytest.raises(ValidationError, match="twice"):
        phragmen(e, initial=["W008NR", "W008NR"])
    with pytest.raises(ValidationError, match="more than the budget"):
        phragmen(e, initial=list(e.project_ids))


@pytest.mark.parametrize(
    "name", ["Poland_Lodz_2020_Nr_33", "Poland_Warszawa_2019_Miedzeszyn", "Poland_Zabrze_2020"]
)
def test_phragmen_initial_as_released_pabutools(name: str, tmp_path: Path) -> None:
    """pabutools 1.2.3's ``initial_budget_allocation``: every single starting project."""
    pytest.importorskip("pabutools")
    from pabutools.election import parse_pabulib
    from pabutools.rules import sequential_phragmen

    plain = tmp_path / f"{name}.pb"
    plain.write_bytes(gzip.decompress((DATA / f"{name}.pb.gz").read_bytes()))
    inst, prof = parse_pabulib(str(plain))
    e = load_election(plain)
    for project in sorted(inst, key=lambda p: p.name):
        if project.cost > inst.budget_limit:
            continue
        theirs = sequential_phragmen(inst, prof, initial_budget_allocation=[project])
        ours = phragmen(e, initial=[project.name])
        assert sorted(ours.selected) == sorted(p.name for p in theirs)


@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=5, max_voters=7, weighted=True))
def test_equal_shares_from_initial_projects(e: Election) -> None:
    """The initial projects first, then equal shares on the others with the money left."""
    first = e.project_ids[0]
    if int(e.costs[0]) > e.budget:
        with pytest.raises(ValidationError, match="more than the budget"):
            equal_shares(e, initial=[first])
        return
    out = equal_shares(e, initial=[first])
    rest = e.restrict(e.project_ids[1:]).with_budget(e.budget - int(e.costs[0]))
    assert list(out.selected) == [first, *equal_shares(rest).selected]
    assert out.total_cost <= e.budget
    assert out.params["initial"] == first
