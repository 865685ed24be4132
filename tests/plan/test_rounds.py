"""The plan in a round: the plan_loaded guard, the log record, the accountability plan view."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa import ValidationError, dumps, loads
from participa.i18n import use_language
from participa.ledger import Ledger, accountability_report
from participa.model import Project
from participa.phases import Allocated, Machine, Noted, Round, Transition, presets
from participa.plan import (
    Dimension,
    Plan,
    SpecificObjective,
    StrategicObjective,
    link,
    plan_noted,
    served,
)
from participa.process import standard_guards
from participa.process.decisions import PLAN_FACT
from participa.testing.plans import linked_projects, plans

PLAN = Plan(
    "PDI (invented)",
    dimensions=(Dimension("D1", "Economic"), Dimension("D3", "Urban")),
    strategic=(StrategicObjective("OE1", "Jobs", "D1"), StrategicObjective("OE3", "Roads", "D3")),
    specific=(
        SpecificObjective("OE1.1", "Training", "OE1"),
        SpecificObjective("OE3.1", "Paved streets", "OE3"),
    ),
)
T0 = "2004-03-01T09:00:00-05:00"


def _started(require_plan: bool) -> tuple[Machine, Round]:
    m = Machine(presets.ley_28056(require_plan=require_plan))
    r = m.start(round_id="sjm", actor="equipo técnico", at=T0, envelope=100)
    r = m.record(r, Allocated({"S1": 100}), actor="concejo", at="2004-03-02T09:00:00-05:00")
    return m, r


def _concertar(m: Machine) -> Transition:
    (t,) = (t for t in m.spec.transitions if t.event == "concertar")
    return t


def test_the_workshop_needs_a_loaded_plan() -> None:
    m, r = _started(require_plan=True)
    assert "plan_loaded" in _concertar(m).guards
    with pytest.raises(Exception, match="no development plan has been loaded") as err:
        m.fire(r, "concertar", actor="equipo técnico", at="2004-03-03T09:00:00-05:00")
    assert type(err.value).__name__ == "TransitionNotAllowed"
    r = m.record(r, plan_noted(PLAN), actor="equipo técnico", at="2004-03-03T09:00:00-05:00")
    r = m.fire(r, "concertar", actor="equipo técnico", at="2004-03-04T09:00:00-05:00")
    assert r.phase == "concertacion"
    noted = [e.payload for e in r.events if isinstance(e.payload, Noted)]
    assert noted == [Noted(PLAN_FACT, f"PDI (invented) sha256:{PLAN.digest()}")]
    assert r.state.facts[PLAN_FACT].endswith(PLAN.digest())
    r.verify()
    assert loads(dumps(r)) == r


def test_the_default_preset_does_not_require_a_plan() -> None:
    m, r = _started(require_plan=False)
    assert "plan_loaded" not in _concertar(m).guards
    assert m.fire(r, "concertar", actor="x", at="2004-03-04T09:00:00-05:00").phase == (
        "concertacion"
    )


def test_guard_is_standard_and_speaks_spanish() -> None:
    _m, r = _started(require_plan=True)
    guard = standard_guards()["plan_loaded"]
    with use_language("es"):
        assert guard(r.state) == (
            "no se ha cargado el plan de desarrollo concertado "
            "(regístrelo con participa.plan.plan_noted(plan))"
        )


def _ledger() -> tuple[Ledger, list[Project]]:
    ps = [
        link(Project("A", 600, territory="S1"), "OE1.1", "OE3.1"),
        link(Project("B", 400, territory="S2")),
        Project("C", 100, territory="S2"),
    ]
    led = (
        Ledger()
        .promise("A", 601, territory="S1", at="2005-01-10T00:00:00Z")
        .promise("B", 400, territory="S2", at="2005-01-10T00:00:00Z")
        .commit("A", 501, at="2005-03-01T00:00:00Z")
        .commit("B", 100, at="2005-03-01T00:00:00Z")
        .spend("A", 301, at="2005-06-01T00:00:00Z")
    )
    return led, ps


def test_accountability_report_adds_the_plan_view() -> None:
    led, ps = _ledger()
    rep = accountability_report(led, as_of="2005-12-31T00:00:00Z", plan=PLAN, projects=ps)
    assert rep.plan_view is not None
    rows = {r.id: (r.promised, r.committed, r.spent) for r in rep.plan_view.rows}
    assert rows == {
        "D1": (301, 251, 151),
        "D3": (300, 250, 150),
        "OE1": (301, 251, 151),
        "OE3": (300, 250, 150),
        "OE1.1": (301, 251, 151),
        "OE3.1": (300, 250, 150),
        "-": (400, 100, 0),
    }
    assert rep.plan_view.unfunded == ()
    text = rep.to_text(minor_per_unit=100, currency="PEN")
    assert "Plan view: PDI (invented)" in text
    assert "S/ 3.01" in text
    assert "<caption>Plan view: PDI (invented)</caption>" in rep._repr_html_()
    with use_language("es"):
        assert "Vista del plan" in rep.to_text()
        assert "fuera del plan" in rep.to_text()
    assert loads(dumps(rep)) == rep
    plain = accountability_report(led, as_of="2005-12-31T00:00:00Z")
    assert plain.plan_view is None
    assert "Plan view" not in plain.to_text()


def test_projects_must_cover_the_ledger() -> None:
    led, ps = _ledger()
    with pytest.raises(ValidationError) as err:
        accountability_report(led, as_of="2005-12-31T00:00:00Z", plan=PLAN, projects=ps[:1])
    assert err.value.project_id == "B"


@given(st.data(), plans())
def test_plan_view_conserves_money(data: st.DataObject, plan: Plan) -> None:
    projects = data.draw(linked_projects(plan))
    led = Ledger()
    amounts = {}
    for p in projects:
        promised = data.draw(st.integers(1, 500))
        committed = data.draw(st.integers(0, promised))
        amounts[p.id] = (promised, committed, data.draw(st.integers(0, committed)))
        led = led.promise(p.id, promised, territory=p.territory, at="2005-01-01T00:00:00Z")
    for pid, (_p, committed, _s) in amounts.items():
        if committed:
            led = led.commit(pid, committed, at="2005-02-01T00:00:00Z")
    for pid, (_p, _c, spent) in amounts.items():
        if spent:
            led = led.spend(pid, spent, at="2005-03-01T00:00:00Z")
    rep = accountability_report(led, as_of="2006-01-01T00:00:00Z", plan=plan, projects=projects)
    view = rep.plan_view
    assert view is not None
    outside = view.rows[-1]
    for level in ("objective", "strategic", "dimension"):
        rows = [r for r in view.rows if r.level == level]
        assert sum(r.promised for r in rows) + outside.promised == rep.overall.promised
        assert sum(r.committed for r in rows) + outside.committed == rep.overall.committed
        assert sum(r.spent for r in rows) + outside.spent == rep.overall.spent
    for r in view.rows:
        assert 0 <= r.spent <= r.committed <= r.promised
    linked = [p for p in projects if served(plan, p)]
    assert outside.promised == rep.overall.promised - sum(
        pos.promised for pos in rep.projects if pos.project_id in {p.id for p in linked}
    )


def test_plan_view_shows_money_in_its_currency() -> None:
    from participa.money import Currency
    from participa.plan import plan_execution

    led, ps = _ledger()
    positions = led.positions().values()
    view = plan_execution(PLAN, ps, positions, currency=Currency("PEN", 100))
    assert ">S/ 3.01</td>" in view._repr_html_()
    assert "S/ 3.01" in str(view)
    assert [r.id for r in view.outline()] == ["D1", "OE1", "OE1.1", "D3", "OE3", "OE3.1", "-"]
    assert loads(dumps(view)) == view
