"""Money by dimension and objective, unfunded objectives, territories, territorial vs sectoral."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given

from participa import BallotKind, Election, Profile, Project, ValidationError, dumps, loads
from participa.i18n import use_language
from participa.outcome import Outcome
from participa.plan import (
    Dimension,
    Plan,
    SpecificObjective,
    StrategicObjective,
    link,
    plan_funding,
    sectoral_view,
    served,
)
from participa.testing.plans import plan_rounds

PLAN = Plan(
    "PDI",
    dimensions=(Dimension("D2", "Human"), Dimension("D3", "Urban")),
    strategic=(
        StrategicObjective("OE2", "Health", "D2", sectors=("health",)),
        StrategicObjective("OE3", "Facilities", "D3", sectors=("infrastructure",)),
    ),
    specific=(
        SpecificObjective("OE2.1", "Primary care", "OE2"),
        SpecificObjective("OE3.1", "Roofs and walls", "OE3"),
        SpecificObjective("OE3.2", "Sports grounds", "OE3"),
    ),
)


def election() -> Election:
    ps = (
        link(Project("P1", 10_001, territory="S1", categories=("health",)), "OE2.1", "OE3.1"),
        link(
            Project("P2", 5_000, territory="S1", categories=("health",), dimension="Human"),
            "OE3.1",
        ),
        Project("P3", 4_000, territory="S2", categories=("parks",)),
        link(Project("P4", 2_000, territory="S2"), "OE3.2"),
    )
    ids = [p.id for p in ps]
    return Election(
        20_000,
        ps,
        Profile.from_ballots(BallotKind.APPROVAL, ids, [ids]),
        currency="PEN",
        minor_per_unit=100,
    )


def test_money_by_plan() -> None:
    e = election()
    f = plan_funding(PLAN, e, Outcome.from_selection(e, [0, 2], rule="greedy"))
    assert f.total_funded == 14_001
    assert f.total_proposed == 21_001
    assert [(r.id, r.proposed, r.funded, r.funded_gross) for r in f.by("objective")] == [
        ("OE2.1", 5_001, 5_001, 10_001),  # P1's odd centimo goes to the first objective
        ("OE3.1", 10_000, 5_000, 10_001),
        ("OE3.2", 2_000, 0, 0),
    ]
    assert [(r.id, r.funded) for r in f.by("dimension")] == [("D2", 5_001), ("D3", 5_000)]
    assert [(r.id, r.funded) for r in f.by("strategic")] == [("OE2", 5_001), ("OE3", 5_000)]
    assert (f.outside.funded, f.outside.projects) == (4_000, 1)
    assert f.unfunded == ("OE3.2",)
    assert f.row("OE3.1").projects == 2
    assert f.row("OE3.1").projects_funded == 1
    assert f.aligned_share == Fraction(10_001, 14_001)
    assert [(t.territory, t.funded, t.aligned, t.share) for t in f.territories] == [
        ("S1", 10_001, 10_001, Fraction(1)),
        ("S2", 4_000, 0, Fraction(0)),
    ]
    assert loads(dumps(f)) == f


def test_views_show_money_in_both_languages() -> None:
    e = election()
    f = plan_funding(PLAN, e, Outcome.from_selection(e, [0, 2], rule="greedy"))
    text = f.to_text()
    assert text.splitlines()[0] == "PDI: S/ 140.01 funded, 71.4% of it serves the plan"
    assert "objectives with no funded project: OE3.2" in text
    assert "S/ 50.01" in text
    assert ">S/ 100.01</td>" in f._repr_html_()
    with use_language("es"):
        es = f.to_text()
        assert es.splitlines()[0] == ("PDI: S/ 140.01 financiado, 71.4% de ello contribuye al plan")
        assert "objetivos sin ningún proyecto financiado: OE3.2" in es
        assert "fuera del plan" in es


def test_before_the_vote_only_proposals() -> None:
    f = plan_funding(PLAN, election())
    assert f.total_funded == 0
    assert f.row("OE3.2").proposed == 2_000
    assert f.unfunded == ("OE2.1", "OE3.1", "OE3.2")
    assert f.aligned_share is None


def test_outcome_of_another_election_is_refused() -> None:
    e = election()
    other = Election(10, (Project("X", 5),), Profile.from_ballots(BallotKind.APPROVAL, ["X"], []))
    with pytest.raises(ValidationError) as err:
        plan_funding(PLAN, e, Outcome.from_selection(other, [0], rule="greedy"))
    assert err.value.project_id == "X"


def test_the_clinic_roof() -> None:
    view = sectoral_view(PLAN, election())
    # P1 (health) also serves a health objective: it agrees; P3 has no link; P4 has
    # neither a sector nor a dimension of its own
    assert view.project_ids == ("P2",)
    assert view.checked == 2
    p2 = view.rows[0]
    assert p2.reason == (
        "sector health, but the objectives it serves (OE3.1) are of sectors infrastructure; "
        "classified under dimension Human, but its objectives are under D3"
    )
    assert p2.objective_sectors == ("infrastructure",)
    assert "1 of 2 projects compared" in view.to_text()
    with use_language("es"):
        es = sectoral_view(PLAN, election())
        assert es.rows[0].reason.startswith("sector health, pero los objetivos")
        assert "<th>motivo</th>" in es._repr_html_()


@given(plan_rounds())
def test_money_by_objective_sums_to_the_money_funded(round_: tuple) -> None:  # type: ignore[type-arg]
    plan, projects, outcome = round_
    f = plan_funding(plan, projects, outcome)
    funded = sum(outcome.funding.values())
    proposed = sum(p.cost for p in projects)
    assert f.total_funded == funded
    for level in ("objective", "strategic", "dimension"):
        rows = f.by(level)
        assert sum(r.funded for r in rows) + f.outside.funded == funded
        assert sum(r.proposed for r in rows) + f.outside.proposed == proposed
    for r in f.rows:
        assert 0 <= r.funded <= r.funded_gross
    links = {p.id: served(plan, p) for p in projects}
    for r in f.by("objective"):
        serving = [p for p in projects if r.id in (links[p.id] or ())]
        assert r.funded_gross == sum(outcome.funding[p.id] for p in serving)
        assert (r.id in f.unfunded) == all(outcome.funding[p.id] == 0 for p in serving)
    assert sum(t.funded for t in f.territories) == funded
    assert sum(t.aligned for t in f.territories) == funded - f.outside.funded
    for t in f.territories:
        assert 0 <= t.aligned <= t.funded


@given(plan_rounds())
def test_sectoral_view_only_flags_real_disagreements(round_: tuple) -> None:  # type: ignore[type-arg]
    plan, projects, _outcome = round_
    view = sectoral_view(plan, projects)
    flagged = set(view.project_ids)
    for p in projects:
        ids = served(plan, p) or ()
        if not ids:
            assert p.id not in flagged
            continue
        sectors = {s for o in ids for s in plan.sectors_of(o)}
        dims = {plan.dimension_of(o).id for o in ids}
        sector = p.categories[0] if p.categories else None
        disagree = (sector is not None and bool(sectors) and sector not in sectors) or (
            p.dimension is not None and p.dimension not in dims
        )
        assert (p.id in flagged) == disagree
