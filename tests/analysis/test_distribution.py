"""Shares, gaps, satisfaction and rule comparison: exact, conserving money, against brute force."""

from __future__ import annotations

import itertools
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa import dumps, loads
from participa.analysis import (
    compare_rules,
    funding_gaps,
    gini,
    satisfaction,
    shares,
    voter_satisfaction,
)
from participa.errors import ValidationError
from participa.model import BallotKind, Election, Profile, Project
from participa.outcome import Outcome
from participa.rules.utility import utility_matrix
from participa.testing.strategies import elections

DIMENSIONS = ("economic", "human", "urban", "ecological", "political-institutional")


def sjm_like() -> Election:
    """Six projects classified by development dimension; economic gets S/ 10,000 of 500,000."""
    ps = (
        Project("P1", 200_000_00, territory="S1", dimension="urban", categories=("roads",)),
        Project("P2", 150_000_00, territory="S2", dimension="urban", categories=("water",)),
        Project("P3", 90_000_00, territory="S3", dimension="human", categories=("health",)),
        Project("P4", 50_000_00, territory="S1", dimension="ecological", categories=("parks",)),
        Project("P5", 10_000_00, territory="S4", dimension="economic", categories=("market",)),
        Project("P6", 40_000_00, territory="S5", dimension="economic", categories=("market",)),
    )
    ids = [p.id for p in ps]
    ballots = [["P1", "P2"], ["P2", "P3"], ["P1", "P4", "P5"], ["P3"], ["P6"]]
    return Election(
        500_000_00,
        ps,
        Profile.from_ballots(BallotKind.APPROVAL, ids, ballots),
        currency="PEN",
        minor_per_unit=100,
    )


def test_sjm_dimension_breakdown() -> None:
    e = sjm_like()
    o = Outcome.from_selection(e, [0, 1, 2, 3, 4], rule="workshop")
    table = shares(e, o, by="dimension")
    assert table.share_of("economic") == Fraction(2, 100)
    assert table.share_of("urban") == Fraction(350, 500)
    assert [r.key for r in table.rows] == ["urban", "human", "ecological", "economic"]
    economic = next(r for r in table.rows if r.key == "economic")
    assert (economic.projects, economic.projects_funded, economic.cost) == (2, 1, 50_000_00)
    assert "2.0%" in table._repr_html_()
    assert loads(dumps(table)) == table


@st.composite
def classified(draw: st.DrawFn) -> tuple[Election, Outcome]:
    e = draw(elections(max_projects=6, max_cost=50))
    cats = st.lists(st.sampled_from(("water", "roads", "parks")), max_size=3)
    ps = tuple(
        Project(
            p.id,
            p.cost,
            territory=draw(st.none() | st.sampled_from(("S1", "S2"))),
            dimension=draw(st.none() | st.sampled_from(DIMENSIONS)),
            categories=draw(cats),
            metadata={"sector": draw(st.sampled_from(("A", "B")))},
        )
        for p in e.projects
    )
    e = Election(e.budget, ps, e.profile)
    funding = {p.id: draw(st.integers(0, p.cost)) for p in ps}
    while sum(funding.values()) > e.budget:
        k = max(funding, key=lambda p: (funding[p], p))
        funding[k] //= 2
    selected = tuple(p.id for p in ps if funding[p.id] == p.cost and p.cost)
    return e, Outcome("x", e.budget, funding, selected, sum(funding[p] for p in selected))


@pytest.mark.parametrize("by", ["territory", "dimension", "category", "sector"])
@given(case=classified())
def test_shares_conserve_money(by: str, case: tuple[Election, Outcome]) -> None:
    e, o = case
    table = shares(e, o, by=by)
    assert sum(r.funded for r in table.rows) == table.total == o.total_funding
    assert sum(r.cost for r in table.rows) == sum(p.cost for p in e.projects)
    if table.total:
        assert sum(r.share for r in table.rows) == 1
    funded = [r.funded for r in table.rows]
    assert funded == sorted(funded, reverse=True)


def test_unknown_grouping_says_what_to_use() -> None:
    e = sjm_like()
    with pytest.raises(ValidationError, match=r"'colour'.*use 'territory'"):
        shares(e, Outcome.from_selection(e, [], rule="x"), by="colour")


@given(st.lists(st.tuples(st.integers(0, 20), st.integers(1, 4)), min_size=1, max_size=8))
def test_gini_matches_the_pairwise_definition(pairs: list[tuple[int, int]]) -> None:
    xs = [x for x, _ in pairs]
    ws = [w for _, w in pairs]
    num = sum(wi * wj * abs(xi - xj) for (xi, wi), (xj, wj) in itertools.product(pairs, pairs))
    den = 2 * sum(ws) * sum(x * w for x, w in pairs)
    assert gini(xs, ws) == (Fraction(num, den) if den else 0)
    expanded = [x for x, w in pairs for _ in range(w)]
    assert gini(expanded) == gini(xs, ws)


@given(e=elections(kinds=(BallotKind.APPROVAL, BallotKind.SCORING), weighted=True), data=st.data())
def test_satisfaction_by_brute_force(e: Election, data: st.DataObject) -> None:
    chosen = data.draw(st.sets(st.sampled_from(range(len(e.projects)))))
    o = Outcome(
        "x",
        sum(int(e.costs[j]) for j in chosen) + 1,
        {p: int(e.costs[j]) if j in chosen else 0 for j, p in enumerate(e.project_ids)},
        tuple(e.project_ids[j] for j in sorted(chosen)),
        sum(int(e.costs[j]) for j in chosen),
    )
    util = "cost" if e.kind is BallotKind.APPROVAL else "points"
    u = utility_matrix(e, util)
    per_voter = []
    for g in range(e.profile.num_groups):
        per_voter += [sum(int(u[g, j]) for j in chosen)] * int(e.profile.group_weight[g])
    s = satisfaction(e, o, utility=util)
    assert s.voters == len(per_voter)
    assert s.mean == Fraction(sum(per_voter), len(per_voter))
    assert s.share_with_nothing == Fraction(per_voter.count(0), len(per_voter))
    assert s.gini == gini(per_voter)
    assert list(voter_satisfaction(e, o, utility=util)) == [
        sum(int(u[g, j]) for j in chosen) for g in range(e.profile.num_groups)
    ]


def test_per_head_gaps_and_rule_comparison() -> None:
    e = sjm_like()
    table = compare_rules(e, ["greedy", "mes", "per-head"])
    assert [r.rule for r in table.rows] == ["greedy", "mes", "per-head"]
    per_head = table.row("per-head")
    greedy = table.row("greedy")
    assert per_head.underfunded > 0
    assert greedy.underfunded == 0
    assert all(r.spent <= e.budget for r in table.rows)
    gaps = funding_gaps(e, compare_rules_outcome(e, "per-head"))
    assert gaps.total_gap == sum(r.cost - r.funded for r in gaps.rows)
    assert len(gaps.underfunded) == per_head.underfunded
    assert loads(dumps(table)) == table
    html = table._repr_html_()
    assert html.count("<tr>") == 4
    assert "per-head" in html
    with pytest.raises(ValidationError, match="no rule 'nope'"):
        table.row("nope")


def compare_rules_outcome(e: Election, name: str) -> Outcome:
    from participa.rules.registry import run_rule

    return run_rule(name, e)


def test_compare_accepts_outcomes_and_callables() -> None:
    e = sjm_like()
    out = Outcome.from_selection(e, [4], rule="only-P5")
    table = compare_rules(e, [out, lambda el: Outcome.from_selection(el, [], rule="nothing")])
    assert table.row("nothing").share_with_nothing == 1
    assert table.row("only-P5").selected == 1
    with pytest.raises(ValidationError, match="not an Outcome"):
        compare_rules(e, [lambda el: 3])


@given(
    data=st.lists(
        st.tuples(
            st.integers(1, 2**40),  # voters on the ballot
            st.integers(1, 2**40),  # their weight: a group's say reaches 2**80
            st.lists(st.booleans(), min_size=3, max_size=3),
        ),
        min_size=1,
        max_size=5,
    ),
    costs=st.lists(st.integers(2**61, 2**63 - 1), min_size=3, max_size=3),
    chosen=st.sets(st.sampled_from([0, 1, 2])),
)
def test_satisfaction_is_exact_past_int64(
    data: list[tuple[int, int, list[bool]]], costs: list[int], chosen: set[int]
) -> None:
    """Costs near 2**63 (their sums on a ballot pass it) and group weights past 2**63:
    the same numbers as Python integers give (#12.3)."""
    ids = ["a", "b", "c"]
    prof = Profile.from_matrix(
        BallotKind.APPROVAL,
        ids,
        [row for _, _, row in data],
        multiplicity=[m for m, _, _ in data],
        weights=[w for _, w, _ in data],
        collapse=False,
    )
    e = Election(sum(costs), tuple(Project(p, c) for p, c in zip(ids, costs, strict=True)), prof)
    picked = [ids[j] for j in sorted(chosen)]
    sat = [sum(costs[j] for j in chosen if row[j]) for _, _, row in data]
    say = [m * w for m, w, _ in data]
    assert [int(x) for x in voter_satisfaction(e, picked).tolist()] == sat
    o = Outcome.from_selection(e, sorted(chosen), rule="x")
    s = satisfaction(e, o)
    n = sum(say)
    assert s.voters == n
    assert s.mean == Fraction(sum(x * k for x, k in zip(sat, say, strict=True)), n)
    nothing = sum(k for x, k in zip(sat, say, strict=True) if x == 0)
    assert s.share_with_nothing == Fraction(nothing, n)
    assert s.gini == gini(sat, say)
