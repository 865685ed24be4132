"""process: each stage becomes a decision in the log, and the rule sees the right election."""

from __future__ import annotations

import pytest

from participa import process
from participa.allocation import allocate, ves_formula
from participa.cofinancing import CofinancingPlan, Pledge, RequiredShare
from participa.errors import ValidationError
from participa.feasibility import CostPositive, Review
from participa.model import BallotKind, Profile, Project, Territory
from participa.phases import Machine, Round, presets
from participa.process import Approved, OutcomePublished
from participa.rules import greedy
from participa.tiebreak import TieBreak

T = "2001-{:02d}-01T10:00:00-05:00".format
PROPS = (
    Project("a", 600, territory="S1"),
    Project("b", 500, territory="S1"),
    Project("c", 0, territory="S1"),
    Project("d", 900, territory="S2"),
)


def through_review() -> tuple[Machine, Round]:
    m = Machine(presets.ves_2001())
    r = m.start(round_id="p", actor="c", at=T(1), envelope=2000)
    ts = [
        Territory(
            "S1", indicators={"population": 3, "basic_service_deficit": 1, "tax_compliance": 1}
        ),
        Territory(
            "S2", indicators={"population": 1, "basic_service_deficit": 1, "tax_compliance": 1}
        ),
    ]
    alloc = allocate(2000, ts, ves_formula())
    decision = process.allocated(alloc)
    assert dict(decision.amounts) == dict(alloc.amounts)
    assert sum(decision.amounts.values()) == 2000
    r = m.record(r, decision, actor="c", at=T(1))
    r = m.record(r, Approved("council"), actor="c", at=T(1))
    r = m.fire(r, "launch", actor="c", at=T(2))
    r = m.fire(r, "discuss", actor="c", at=T(2))
    r = m.record(r, process.proposed(PROPS), actor="c", at=T(3))
    report = Review((CostPositive(),)).run(PROPS)
    dec = process.reviewed(report)
    assert set(dec.eligible) == {"a", "b", "d"}
    assert set(dec.rejected) == {"c"}
    assert dec.rejected["c"]
    r = m.record(r, dec, actor="team", at=T(4))
    return m, r


def test_tally_runs_the_rule_on_the_territory_s_eligible_projects_with_net_costs() -> None:
    m, r = through_review()
    plan = CofinancingPlan(
        pledges=(Pledge.money("m1", "a", 120), Pledge.money("m2", "d", 500)),
        required=RequiredShare.ves_2001(),
    )
    pledges = process.pledged(plan, PROPS)
    assert [(p.project_id, p.amount) for p in pledges] == [("a", 120), ("d", 500)]
    for p in pledges:
        r = m.record(r, p, actor="junta", at=T(4))
    r = m.fire(r, "prioritise", actor="c", at=T(5))
    ballots = Profile.from_ballots(
        BallotKind.APPROVAL, ["a", "b", "c", "d"], [["a", "d"], ["b"], ["a"]]
    )
    e = process.territory_election(r.state, "S1", ballots, plan=plan)
    assert e.project_ids == ("a", "b")  # c was rejected, d is another territory's
    assert e.budget == r.state.allocation["S1"]
    assert dict(zip(e.project_ids, e.costs.tolist(), strict=True)) == {"a": 480, "b": 500}
    outcome = process.tally(e, greedy, tie_break=TieBreak())
    pub = OutcomePublished("S1", outcome)
    assert pub.outcome.selected[0] == "a"
    assert pub.outcome.funding["a"] == 480  # the promise is the net cost
    r = m.record(r, pub, actor="c", at=T(6))
    assert r.state.ledger.positions()["a"].promised == 480
    report = process.accounts(r.state, as_of=T(12))
    assert report.overall.promised == pub.outcome.total_funding


def test_territory_election_errors_name_the_territory() -> None:
    _, r = through_review()
    ballots = Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]])
    with pytest.raises(ValidationError, match="territory 'S9' has no allocation"):
        process.territory_election(r.state, "S9", ballots)
    with pytest.raises(ValidationError, match="no eligible proposal of territory 'S2'"):
        process.territory_election(r.state, "S2", ballots)
