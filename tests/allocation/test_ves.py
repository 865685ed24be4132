"""The Villa El Salvador 2000 worked example is internally consistent."""

from __future__ import annotations

from fractions import Fraction

import participa
from participa.allocation import allocate, ves_formula
from participa.cofinancing import financing
from participa.examples.ves import SOURCES, ves_2000


def test_ves_2000_values_are_consistent() -> None:
    ex = ves_2000()
    assert ex.envelope.total == 200_000_000
    assert ex.envelope.share == Fraction(35, 100)
    assert len(ex.sections) == 8
    assert sum(int(t.indicators["population"]) for t in ex.sections) == 350_000
    assert ex.allocation == allocate(ex.envelope, ex.sections, ves_formula())
    assert sum(ex.allocation.amounts.values()) == ex.envelope.total
    assert all(p.territory == ex.section_id for p in ex.projects)
    for p in ex.projects:
        f = financing(ex.plan, p)
        assert ex.net_costs[p.id] == f.net_cost == p.cost - f.covered
        assert (f.missing > 0) == (p.id in {s.project_id for s in ex.shortfalls})
    assert {s.project_id for s in ex.shortfalls} == {"V3-02", "V3-03"}
    assert ex.section_budget == ex.allocation.amount("S3")
    assert "invented" in SOURCES["section names and indicator values"]
    assert participa.loads(participa.dumps(ex)) == ex


def test_ves_2000_is_deterministic() -> None:
    assert ves_2000() == ves_2000()
