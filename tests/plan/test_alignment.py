"""The plan-alignment check: pass / fail / unknown, options, and its properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa import Project, ValidationError
from participa.feasibility import ReviewContext, Status, invierte_pe, snip
from participa.i18n import use_language
from participa.plan import (
    Dimension,
    Plan,
    PlanAlignment,
    SpecificObjective,
    StrategicObjective,
    link,
    served,
)
from participa.testing.plans import linked_projects, plans

PLAN = Plan(
    "PDI",
    dimensions=(Dimension("D1", "Urban"), Dimension("D2", "Human")),
    strategic=(StrategicObjective("OE1", "Roads", "D1"), StrategicObjective("OE2", "Health", "D2")),
    specific=(
        SpecificObjective("OE1.1", "Paved", "OE1"),
        SpecificObjective("OE1.2", "Lit", "OE1"),
        SpecificObjective("OE2.1", "Clinics", "OE2"),
    ),
)
CTX = ReviewContext()


def test_pass_fail_unknown() -> None:
    check = PlanAlignment(PLAN)
    ok = check(link(Project("A", 1), "OE1.1", "OE2.1"), CTX)
    assert (ok.status, ok.reason) == (Status.PASS, "serves 2 objectives of the plan: OE1.1, OE2.1")
    assert ok.values["objectives"] == 2
    none = check(link(Project("B", 1)), CTX)
    assert none.status is Status.FAIL
    assert none.reason == "serves no objective of the plan 'PDI'"
    missing = check(Project("C", 1), CTX)
    assert missing.status is Status.UNKNOWN
    assert missing.values["missing"] == "objectives"


def test_min_objectives() -> None:
    check = PlanAlignment(PLAN, min_objectives=2)
    one = check(link(Project("A", 1), "OE1.1"), CTX)
    assert one.status is Status.FAIL
    assert one.reason == "serves 1 objective (OE1.1), 2 required"
    assert check(link(Project("B", 1), "OE1.1", "OE1.2"), CTX).status is Status.PASS
    with pytest.raises(ValidationError, match="min_objectives"):
        PlanAlignment(PLAN, min_objectives=0)


def test_same_dimension() -> None:
    check = PlanAlignment(PLAN, same_dimension=True)
    own = check(link(Project("A", 1, dimension="Human"), "OE1.1", "OE2.1"), CTX)
    assert own.status is Status.PASS
    assert own.values["objectives"] == 1
    other = check(link(Project("B", 1, dimension="D2"), "OE1.1"), CTX)
    assert other.status is Status.FAIL
    assert other.reason == "serves no objective of its own dimension D2 (it serves OE1.1 of D1)"
    no_dim = check(link(Project("C", 1), "OE1.1"), CTX)
    assert no_dim.status is Status.UNKNOWN
    assert no_dim.values["missing"] == "dimension"


def test_unknown_objective_raises_with_project() -> None:
    with pytest.raises(ValidationError) as err:
        PlanAlignment(PLAN)(link(Project("P5", 1), "OE3.3"), CTX)
    assert err.value.project_id == "P5"


def test_reasons_in_spanish() -> None:
    with use_language("es"):
        r = PlanAlignment(PLAN)(link(Project("A", 1), "OE1.1"), CTX)
        assert r.reason == "contribuye a 1 objetivo del plan: OE1.1"
        u = PlanAlignment(PLAN)(Project("B", 1), CTX)
        assert u.reason.startswith("no se puede evaluar: el proyecto no indica")


def test_in_a_review_with_the_snip_checks() -> None:
    rev = snip().with_check(PlanAlignment(PLAN))
    ps = [link(Project("A", 100), "OE1.1"), link(Project("B", 100))]
    report = rev.run(ps)
    assert report.report("A").result("plan-alignment").status is Status.PASS
    assert report.report("B").result("plan-alignment").status is Status.FAIL
    assert "B" in report.ineligible


@given(st.data(), plans(), st.integers(1, 3), st.booleans())
def test_a_project_without_a_link_is_never_pass(
    data: st.DataObject, plan: Plan, minimum: int, same: bool
) -> None:
    check = PlanAlignment(plan, same_dimension=same, min_objectives=minimum)
    for p in data.draw(linked_projects(plan)):
        result = check(p, CTX)
        ids = served(plan, p)
        if ids is None:
            assert result.status is Status.UNKNOWN
        if not ids:
            assert result.status is not Status.PASS
            continue
        counted = [o for o in ids if not same or plan.dimension_of(o).id == (p.dimension or "?")]
        if same and p.dimension is None:
            assert result.status is Status.UNKNOWN
        elif len(counted) >= minimum:
            assert result.status is Status.PASS
        else:
            assert result.status is Status.FAIL


def test_the_presets_take_a_plan() -> None:
    assert "plan-alignment" not in snip().check_names
    assert snip(plan=PLAN).check_names[-1] == "plan-alignment"
    assert invierte_pe(plan=PLAN).check_names[-1] == "plan-alignment"
    report = invierte_pe(plan=PLAN).run([link(Project("A", 100)), Project("B", 100)])
    assert report.report("A").result("plan-alignment").status is Status.FAIL
    assert report.report("B").result("plan-alignment").status is Status.UNKNOWN


def test_a_dimension_the_plan_does_not_have_names_the_project() -> None:
    with pytest.raises(ValidationError) as err:
        PlanAlignment(PLAN, same_dimension=True)(
            link(Project("Q", 1, dimension="Social"), "OE1.1"), CTX
        )
    assert err.value.project_id == "Q"
    assert "no dimension 'Social'" in err.value.message
