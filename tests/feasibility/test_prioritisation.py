"""Multi-criteria prioritisation and the greedy-by-rank selection."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa.cofinancing import CofinancingPlan, ContributorKind, Pledge
from participa.errors import TieError, ValidationError
from participa.feasibility import (
    CriteriaMatrix,
    Normalisation,
    PriorityCriterion,
    ProposalDetails,
    Ranking,
    institution_cofinancing_shares,
    peru_matrix,
    select_by_ranking,
    ves_2005_matrix,
)
from participa.model import BallotKind, Election, Profile, Project
from participa.testing.strategies import elections
from participa.tiebreak import TieBreak


def test_weights_must_sum_to_exactly_one() -> None:
    with pytest.raises(ValidationError, match="sum to 1"):
        CriteriaMatrix((PriorityCriterion("a", 0.33), PriorityCriterion("b", 0.67001)))
    m = CriteriaMatrix((PriorityCriterion("a", 0.3), PriorityCriterion("b", 0.7)))
    assert m.weights == {"a": Fraction(3, 10), "b": Fraction(7, 10)}
    with pytest.raises(ValidationError, match="sum to 1"):
        m.with_weights({"a": 0.5})
    assert m.with_weights({"a": 0.5, "b": "1/2"}).weights["b"] == Fraction(1, 2)
    with pytest.raises(ValidationError, match="unknown criteria"):
        m.with_weights({"z": 1})
    with pytest.raises(ValidationError, match="duplicate"):
        CriteriaMatrix((PriorityCriterion("a", 0.5), PriorityCriterion("a", 0.5)))
    with pytest.raises(ValidationError, match="source"):
        PriorityCriterion("a", 1, source="votes")


def test_peru_matrix_weights_are_parameters() -> None:
    m = peru_matrix()
    assert [c.id for c in m.criteria] == [
        "poverty",
        "coverage",
        "nearness",
        "rurality",
        "technical",
    ]
    assert m.weights["poverty"] == Fraction(2, 5)
    assert sum(m.weights[k] for k in ("coverage", "nearness", "rurality")) == Fraction(3, 10)
    m2 = peru_matrix(poverty=0.5, basic_services=0.2, technical=0.3, basic_services_split=(2, 1, 1))
    assert m2.weights["coverage"] == Fraction(1, 10)
    assert m2.weights["rurality"] == Fraction(1, 20)
    with pytest.raises(ValidationError):
        peru_matrix(poverty=0.5)  # 0.5 + 0.3 + 0.3 != 1


def test_peru_matrix_scores_by_hand() -> None:
    ps = [Project("A", 1), Project("B", 1)]
    raw = {
        "A": {"poverty": "0.5", "coverage": 10, "nearness": 5, "rurality": 0, "technical": 30},
        "B": {"poverty": "0.9", "coverage": 0, "nearness": 0, "rurality": 10, "technical": 15},
    }
    r = peru_matrix().rank(ps, raw=raw)
    # A: 0.4*0.5 + 0.1*1 + 0.1*0.5 + 0 + 0.3*1 = 0.65 ; B: 0.36 + 0 + 0 + 0.1 + 0.15 = 0.61
    assert r.scores() == {"A": Fraction(13, 20), "B": Fraction(61, 100)}
    assert r.order == ("A", "B")
    assert r.entry("B").contributions["rurality"] == Fraction(1, 10)


def test_ves_2005_uses_institution_cofinancing_and_beneficiaries() -> None:
    ps = [Project("A", 1_000, beneficiaries=50), Project("B", 2_000, beneficiaries=200)]
    plan = CofinancingPlan(
        (
            Pledge.money("N", "A", 500, source=ContributorKind.INSTITUTION),
            Pledge.money("C", "B", 900),  # community money is not "other institutions"
        )
    )
    shares = institution_cofinancing_shares(plan, ps)
    assert shares == {"A": Fraction(1, 2), "B": Fraction(0)}
    details = {
        "A": ProposalDetails("A", indicators={"poverty": 1, "environment": 0}),
        "B": ProposalDetails("B", indicators={"poverty": 0.5, "environment": 1}),
    }
    raw = {pid: {"cofinancing": s} for pid, s in shares.items()}
    r = ves_2005_matrix().rank(ps, details=details, raw=raw)
    # A: (1/2 + 1 + 0 + 50/200)/4 = 7/16 ; B: (0 + 1/2 + 1 + 1)/4 = 5/8
    assert r.scores() == {"B": Fraction(5, 8), "A": Fraction(7, 16)}


def test_missing_values_raise_or_score_worst() -> None:
    m = CriteriaMatrix((PriorityCriterion("poverty", 1),))
    ps = [Project("A", 1), Project("B", 1)]
    with pytest.raises(ValidationError, match="no value") as info:
        m.rank(ps, details={"A": ProposalDetails("A", indicators={"poverty": 1})})
    assert info.value.project_id == "B"
    r = m.rank(
        ps, details={"B": ProposalDetails("B", indicators={"poverty": 0.2})}, missing="worst"
    )
    assert r.scores() == {"B": Fraction(1, 5), "A": Fraction(0)}
    assert "poverty" not in r.entry("A").raw
    with pytest.raises(ValidationError, match="not ranked"):
        m.rank(ps, raw={"Z": {"poverty": 1}})


def test_normalisations_and_direction() -> None:
    ps = [Project("A", 10), Project("B", 30), Project("C", 20)]
    cheap = CriteriaMatrix(
        (
            PriorityCriterion(
                "cost",
                1,
                source="cost",
                normalisation=Normalisation.MINMAX,
                higher_is_better=False,
            ),
        )
    )
    r = cheap.rank(ps)
    assert r.order == ("A", "C", "B")
    assert r.scores() == {"A": 1, "C": Fraction(1, 2), "B": 0}
    flat = CriteriaMatrix((PriorityCriterion("x", 1, normalisation=Normalisation.MINMAX),))
    r2 = flat.rank(ps, raw={p.id: {"x": 7} for p in ps})
    assert set(r2.scores().values()) == {Fraction(1)}
    clipped = CriteriaMatrix((PriorityCriterion("x", 1, lo=0, hi=10),))
    assert clipped.rank([ps[0]], raw={"A": {"x": 25}}).scores() == {"A": 1}


def test_ties_follow_the_tie_break() -> None:
    m = CriteriaMatrix((PriorityCriterion("x", 1),))
    ps = [Project("b", 5), Project("a", 9)]
    raw = {"a": {"x": 1}, "b": {"x": 1}}
    assert m.rank(ps, raw=raw).order == ("a", "b")
    assert m.rank(ps, raw=raw, tie_break=TieBreak.parse("min-cost")).order == ("b", "a")
    with pytest.raises(TieError):
        m.rank(ps, raw=raw, tie_break=TieBreak.parse("refuse"))
    # plain projects (no Election): votes count as 0, the chain goes on to the id
    assert m.rank(ps, raw=raw, tie_break=TieBreak.parse("max-votes,id")).order == ("a", "b")
    assert m.rank(ps, raw=raw, tie_break=TieBreak.parse("max-cost")).order == ("a", "b")


def test_ranking_projects_and_an_election_of_them_agree() -> None:
    m = CriteriaMatrix((PriorityCriterion("x", 1),))
    ps = [Project("b", 5), Project("a", 9), Project("c", 5)]
    raw = {p.id: {"x": 1} for p in ps}
    silent = Election(0, ps, Profile.from_ballots(BallotKind.APPROVAL, ["b", "a", "c"], []))
    for chain in ("id", "file-order", "min-cost,id", "max-votes,max-cost", "lottery:3"):
        tb = TieBreak.parse(chain)
        assert m.rank(ps, raw=raw, tie_break=tb) == m.rank(silent, raw=raw, tie_break=tb), chain


def test_ranking_text_html_json() -> None:
    r = peru_matrix().rank(
        [Project("A<1>", 1)],
        raw={"A<1>": {"poverty": 1, "coverage": 1, "nearness": 1, "rurality": 1, "technical": 1}},
    )
    assert "rank  id" in r.to_text()
    assert "A&lt;1&gt;" in r._repr_html_()
    back = participa.loads(participa.dumps(r))
    assert back == r
    assert isinstance(back, Ranking)


def test_select_by_ranking_skips_what_does_not_fit() -> None:
    ps = (Project("a", 60), Project("b", 50), Project("c", 30), Project("d", 10))
    e = Election(100, ps, Profile.from_ballots(BallotKind.APPROVAL, [p.id for p in ps], [["a"]]))
    o = select_by_ranking(e, ["b", "a", "c", "zz"])
    assert o.selected == ("b", "c")
    assert o.funding["d"] == 0
    assert o.rule == "ranking-greedy"
    text = o.explain()
    assert "ignored: zz" in text
    assert "not funded: d" in text
    with pytest.raises(ValidationError, match="twice"):
        select_by_ranking(e, ["a", "a"])


def test_select_by_ranking_resettles_ties_on_the_election() -> None:
    ps = (Project("a", 60), Project("b", 50))
    e = Election(60, ps, Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["b"]]))
    m = CriteriaMatrix((PriorityCriterion("x", 1),))
    r = m.rank(ps, raw={"a": {"x": 1}, "b": {"x": 1}})
    assert select_by_ranking(e, r).selected == ("a",)
    assert select_by_ranking(e, r, tie_break=TieBreak.parse("max-votes")).selected == ("b",)


def reference_greedy(costs: list[int], order: list[int], budget: int) -> list[int]:
    chosen, left = [], budget
    for j in order:
        if costs[j] <= left:
            chosen.append(j)
            left -= costs[j]
    return chosen


@given(elections(max_projects=7), st.data())
def test_select_by_ranking_matches_a_plain_greedy_and_stays_in_budget(
    e: Election, data: st.DataObject
) -> None:
    order = data.draw(st.permutations(list(range(len(e.projects)))))
    ids = [e.project_ids[j] for j in order]
    o = select_by_ranking(e, ids)
    want = reference_greedy(e.costs.tolist(), list(order), e.budget)
    assert o.selected == tuple(e.project_ids[j] for j in want)
    assert o.total_funding <= e.budget
    # every skipped project cost more than what was left when its turn came
    left = e.budget
    for j in order:
        c = int(e.costs[j])
        if e.project_ids[j] in o.selected_set:
            left -= c
        else:
            assert c > left


@given(
    st.lists(st.fractions(0, 1), min_size=2, max_size=6),
    st.lists(st.fractions(0, 10), min_size=6, max_size=6),
    st.integers(0, 5),
    st.fractions(0, 5),
)
def test_scores_are_the_weighted_sum_and_monotone(
    weights: list[Fraction], values: list[Fraction], who: int, bump: Fraction
) -> None:
    if sum(weights) == 0:
        weights = [Fraction(1), *weights[1:]]
    total = sum(weights)
    ws = [w / total for w in weights]
    crit = [PriorityCriterion(f"c{k}", w, hi=10) for k, w in enumerate(ws)]
    m = CriteriaMatrix(crit)
    n = len(values)
    ps = [Project(f"p{i}", 1) for i in range(n)]
    raw = {f"p{i}": {c.id: (values[i] + k) % 11 for k, c in enumerate(crit)} for i in range(n)}
    r = m.rank(ps, raw=raw)
    for e in r.entries:
        want = sum(
            (c.weight * min(Fraction(1), raw[e.project_id][c.id] / 10) for c in crit), Fraction(0)
        )
        assert e.score == want
        assert e.score == sum(e.contributions.values())
        assert 0 <= e.score <= 1
    ranks = [e.score for e in r.entries]
    assert ranks == sorted(ranks, reverse=True)
    # raising one raw value never lowers that project's score
    target = f"p{who % n}"
    raised = {pid: dict(v) for pid, v in raw.items()}
    raised[target]["c0"] += bump
    assert m.rank(ps, raw=raised).scores()[target] >= r.scores()[target]
