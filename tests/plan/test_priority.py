"""The plan criterion in a prioritisation matrix, and thematic envelopes per dimension."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa import Project, ValidationError
from participa.allocation import Envelope, ReservePurpose
from participa.feasibility import CriteriaMatrix, PriorityCriterion
from participa.plan import (
    Dimension,
    Plan,
    SpecificObjective,
    StrategicObjective,
    link,
    plan_criterion,
    plan_scores,
    rank_with_plan,
    served,
    thematic_envelope,
)
from participa.testing.plans import linked_projects, plans

PLAN = Plan(
    "PDI",
    dimensions=(Dimension("D1", "Urban"), Dimension("D2", "Human"), Dimension("D3", "Green")),
    strategic=(StrategicObjective("OE1", "Roads", "D1"), StrategicObjective("OE2", "Health", "D2")),
    specific=(
        SpecificObjective("OE1.1", "Paved", "OE1", weight=1),
        SpecificObjective("OE2.1", "Clinics", "OE2", weight=3),
    ),
)


def test_rank_by_plan_and_poverty() -> None:
    matrix = CriteriaMatrix(
        (plan_criterion(Fraction(1, 2)), PriorityCriterion("poverty", Fraction(1, 2)))
    )
    ps = [
        link(Project("A", 10), "OE1.1"),
        link(Project("B", 10), "OE2.1"),
        link(Project("C", 10), "OE1.1", "OE2.1"),
        link(Project("D", 10)),
    ]
    raw = {"A": {"poverty": 1}, "B": {"poverty": 0}, "C": {"poverty": 0}, "D": {"poverty": 1}}
    r = rank_with_plan(matrix, ps, PLAN, raw=raw)
    # plan scores 1, 3, 4, 0 normalised by the best (4): 1/8, 3/8, 1/2, 0 of the weight 1/2
    assert r.entry("A").contributions["plan"] == Fraction(1, 8)
    assert r.entry("C").contributions["plan"] == Fraction(1, 2)
    assert r.scores() == {
        "A": Fraction(5, 8),
        "D": Fraction(1, 2),
        "C": Fraction(1, 2),
        "B": Fraction(3, 8),
    }
    assert r.order == ("A", "C", "D", "B")  # C and D tie: settled by id


def test_a_missing_link_has_no_plan_value() -> None:
    matrix = CriteriaMatrix((plan_criterion(1),))
    ps = [link(Project("A", 10), "OE1.1"), Project("B", 10)]
    with pytest.raises(ValidationError) as err:
        rank_with_plan(matrix, ps, PLAN)
    assert err.value.project_id == "B"
    assert rank_with_plan(matrix, ps, PLAN, missing="worst").order == ("A", "B")
    with pytest.raises(ValidationError, match="no criterion 'plan'"):
        rank_with_plan(CriteriaMatrix((PriorityCriterion("x", 1),)), ps, PLAN)


@given(st.data(), plans())
def test_scores_are_the_weights_of_the_objectives_served(data: st.DataObject, plan: Plan) -> None:
    ps = data.draw(linked_projects(plan))
    scores = plan_scores(plan, ps)
    for p in ps:
        ids = served(plan, p)
        if ids is None:
            assert p.id not in scores
        else:
            assert scores[p.id] == sum((plan.objective(o).weight for o in ids), Fraction(0))


def test_thematic_envelope() -> None:
    env = Envelope(100_000, "PEN", 100).with_reserve("district", amount=10_000)
    out = thematic_envelope(env, PLAN, amount=30_001, weights={"D1": 1, "D2": 2})
    assert [(r.id, r.amount, r.purpose) for r in out.reserves] == [
        ("district", 10_000, ReservePurpose.DISTRICT_WIDE),
        ("plan:D1", 10_000, ReservePurpose.THEMATIC),
        ("plan:D2", 20_001, ReservePurpose.THEMATIC),
        ("plan:D3", 0, ReservePurpose.THEMATIC),
    ]
    assert out.reserved(ReservePurpose.THEMATIC) == 30_001
    assert out.territorial == 100_000 - 10_000 - 30_001
    assert out.reserve("plan:D2").name == "Human"
    with pytest.raises(ValidationError, match="exactly one"):
        thematic_envelope(env, PLAN)
    with pytest.raises(ValidationError, match=r"does not have"):
        thematic_envelope(env, PLAN, share=0.1, weights={"D9": 1})
    with pytest.raises(ValidationError):
        thematic_envelope(env, PLAN, amount=100_001)  # more than the envelope holds


@given(plans(), st.integers(0, 10**9), st.fractions(0, 1))
def test_thematic_reserves_sum_exactly(plan: Plan, total: int, share: Fraction) -> None:
    out = thematic_envelope(Envelope(total), plan, share=share)
    thematic = [r.amount for r in out.reserves]
    assert len(thematic) == len(plan.dimensions)
    assert sum(thematic) == (total * share).__floor__()
    assert max(thematic) - min(thematic) <= 1  # equal weights: parts differ by at most 1
    assert out.territorial + sum(thematic) == total
