"""Equal-shares analytics: a voter-by-voter reference, the released pabutools, the table."""

from __future__ import annotations

import gzip
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings

from participa.analysis.mesanalytics import equal_shares_analytics
from participa.io import load_election
from participa.model import BallotKind, Election, Profile, Project
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


def _mes(
    e: Election, voters: list[set[int]], utility: str, skip: int | None = None
) -> list[tuple[int, Fraction, list[Fraction]]]:
    """Equal shares one voter at a time: (project, price, money before the round) per round."""
    n = len(voters)
    money = [Fraction(e.budget, n)] * n
    priority = [int(p) for p in TieBreak().resolver(e).priority]
    costs = [int(c) for c in e.costs]

    def u(i: int, p: int) -> int:
        return (costs[p] if utility == "cost" else 1) if p in voters[i] else 0

    rounds = []
    chosen: set[int] = set()
    while n:
        best = None
        for p in range(len(costs)):
            sup = [i for i in range(n) if u(i, p) > 0]
            if p in chosen or p == skip or not sup or sum(money[i] for i in sup) < costs[p]:
                continue
            # the smallest rho with sum min(money, rho * u) = cost: fill from the poorest
            sup.sort(key=lambda i: money[i] / u(i, p))
            need, left = Fraction(costs[p]), sum(u(i, p) for i in sup)
            for i in sup:
                rho = need / left
                if rho * u(i, p) <= money[i]:
                    break
                need -= money[i]
                left -= u(i, p)
            key = (rho, priority[p])
            if best is None or key < best[0]:
                best = (key, p)
        if best is None:
            break
        (rho, _), p = best
        rounds.append((p, rho, list(money)))
        for i in range(n):
            money[i] -= min(money[i], rho * u(i, p))
        chosen.add(p)
    rounds.append((-1, Fraction(0), list(money)))  # the money left at the end
    return rounds


def reference(
    e: Election, utility: str
) -> list[tuple[bool, int, Fraction, dict[int, Fraction], int]]:
    """(selected, round, supporters' budget, losses, effective support) of each project."""
    voters = _voters(e)
    costs = [int(c) for c in e.costs]
    rounds = _mes(e, voters, utility)
    selected = {p for p, _, _ in rounds[:-1]}
    rows = []
    for p in range(len(costs)):
        sup = [i for i in range(len(voters)) if p in voters[i]]
        if p in selected:
            t = next(k for k, r in enumerate(rounds) if r[0] == p)
        else:  # the first moment its supporters hold less than its cost
            t = next(k for k, r in enumerate(rounds) if sum(r[2][i] for i in sup) < costs[p])
        money = rounds[t][2]
        lost = {}
        for k in range(t):
            q, _, before = rounds[k]
            after = rounds[k + 1][2]
            spent = sum(before[i] - after[i] for i in sup)
            if spent:
                lost[q] = spent
        # effective support: equal shares without p, at each round's price, then all money
        cover = Fraction(0)
        for q, rho, before in _mes(e, voters, utility, skip=p):
            u = costs[p] if utility == "cost" else 1
            each = [before[i] if q < 0 else min(before[i], rho * u) for i in sup]
            cover = max(cover, sum(each, Fraction(0)))
        eff = int(cover * 100 / costs[p])
        rows.append(
            (
                p in selected,
                t + 1 if p in selected else t,  # funded in round t + 1; out of reach after t
                sum((money[i] for i in sup), Fraction(0)),
                lost,
                max(eff, 100) if p in selected else eff,
            )
        )
    return rows


@settings(max_examples=60, deadline=None)
@given(e=elections(kinds=APPROVALISH, max_projects=4, max_voters=6, weighted=True))
def test_matches_the_per_voter_reference(e: Election) -> None:
    if e.profile.total_weight == 0:
        return
    for utility in ("cost", "count"):
        got = equal_shares_analytics(e, utility=utility)  # type: ignore[arg-type]
        want = reference(e, utility)
        for row, (sel, rnd, budget, lost, eff) in zip(got.rows, want, strict=True):
            assert row.selected == sel
            assert row.round == rnd
            assert row.supporters_budget == budget
            assert dict(row.lost_to) == {e.project_ids[q]: x for q, x in lost.items()}
            assert row.effective_support == eff


def test_effective_support_uses_the_money_held_when_the_price_is_set() -> None:
    """Budget 300, three voters with 100 each: {a}, {a, c}, {b, c}; costs 200, 100, 150.

    Without c, a is bought first at 1/2 per unit of cost-utility: c's supporters could
    pay min(100, 150/2) = 75 each, 150 = its whole cost: 100%. (With c, c and a tie at
    1/2 and a wins on the project id.) Counting the money *after* a's payments instead,
    as the released pabutools does, gives 0 + 75 = 50% at that price and 100/150 = 66%
    at the end: c would look far from being funded although it lost only on a tie.
    """
    e = Election(
        300,
        (Project("a", 200), Project("b", 100), Project("c", 150)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a"], ["a", "c"], ["b", "c"]]),
    )
    table = equal_shares_analytics(e)
    assert table.outcome.selected == ("a", "b")
    c = table.row("c")
    assert (c.selected, c.round, c.effective_support) == (False, 1, 100)
    assert c.supporters_budget == 100
    assert dict(c.lost_to) == {"a": 100}


def test_table() -> None:
    e = load_election(DATA / "Poland_Lodz_2020_Nr_33.pb.gz")
    table = equal_shares_analytics(e, effective_support=False)
    rows = table.to_rows()
    assert rows[0] == (
        "id",
        "selected",
        "round",
        "supporters_budget",
        "budget_lost",
        "effective_support",
    )
    assert len(rows) == len(e.projects) + 1
    assert all(r.effective_support is None for r in table.rows)
    assert table.to_csv().count("\n") == len(e.projects) + 1
    with pytest.raises(Exception, match="unknown project"):
        table.row("nope")


@pytest.mark.parametrize("name", ["Poland_Lodz_2020_Nr_33", "Poland_Warszawa_2019_Miedzeszyn"])
def test_against_released_pabutools(name: str, tmp_path: Path) -> None:
    """pabutools 1.2.3's mesanalytics, where its definitions and participa's coincide.

    Funded projects: the same supporters' budget and losses. Others: pabutools reports
    a project when its lazy search next meets it, so the split between money held and
    money lost may come later, but the two always add up to the supporters' starting
    money. Effective support: pabutools counts the money left after each round's
    payments, never more than participa's.
    """
    pytest.importorskip("pabutools")
    from pabutools.analysis.mesanalytics import (
        calculate_effective_supports,
        calculate_project_loss,
    )
    from pabutools.election import Cost_Sat, parse_pabulib
    from pabutools.rules import method_of_equal_shares

    plain = tmp_path / f"{name}.pb"
    plain.write_bytes(gzip.decompress((DATA / f"{name}.pb.gz").read_bytes()))
    inst, prof = parse_pabulib(str(plain))
    res = method_of_equal_shares(inst, prof, sat_class=Cost_Sat, analytics=True)
    # its last iteration has no project (it found none to buy) and fails the loss report
    res.details.iterations = [i for i in res.details.iterations if i.selected_project is not None]
    losses = calculate_project_loss(res.details)
    effective = calculate_effective_supports(inst, prof, res, mes_params={"sat_class": Cost_Sat})
    e = load_election(plain)
    ours = equal_shares_analytics(e, utility="cost")
    unit = e.money.minor_per_unit
    assert {p.name for p in losses} == {r.project_id for r in ours.rows}
    for loss in losses:
        row = ours.row(loss.name)
        theirs = (
            Fraction(loss.supporters_budget) * unit,
            Fraction(loss.total_budget_lost()) * unit,
        )
        assert sum(theirs) == row.supporters_budget + row.budget_lost
        if row.selected:
            assert theirs == (row.supporters_budget, row.budget_lost)
    for project, value in effective.items():
        row = ours.row(project.name)
        assert row.effective_support is not None
        assert value <= row.effective_support
