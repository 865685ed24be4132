"""Co-financing: pledges, required shares, matching, net costs (unit tests and properties)."""

from __future__ import annotations

import math
import random
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa.cofinancing import (
    CofinancingPlan,
    ContributorKind,
    Counting,
    MatchingRule,
    Pledge,
    PledgeKind,
    PledgeStatus,
    RequiredShare,
    community_share,
    financing,
    net_cost,
    net_costs,
    net_election,
    pledge_totals,
    required_amount,
    shortfalls,
)
from participa.errors import ParticipaError, ValidationError
from participa.model import BallotKind, Election, Profile, Project

# -- strategies ------------------------------------------------------------------------------

PROJECT_IDS = ["P0", "P1", "P2", "P3"]


@st.composite
def pledges(draw: st.DrawFn, project_ids: list[str]) -> Pledge:
    kind = draw(st.sampled_from(list(PledgeKind)))
    common = {
        "source": draw(st.sampled_from(list(ContributorKind))),
        "status": draw(st.sampled_from(list(PledgeStatus))),
    }
    pid = draw(st.sampled_from(project_ids))
    if kind is PledgeKind.LABOUR:
        return Pledge.labour(
            "tmp", pid, hours=draw(st.integers(0, 200)), rate=draw(st.integers(0, 50)), **common
        )
    if kind is PledgeKind.MONEY:
        return Pledge.money("tmp", pid, draw(st.integers(0, 5000)), **common)
    return Pledge.materials("tmp", pid, draw(st.integers(0, 5000)), **common)


@st.composite
def plans(draw: st.DrawFn) -> tuple[CofinancingPlan, tuple[Project, ...]]:
    n = draw(st.integers(1, len(PROJECT_IDS)))
    projects = tuple(Project(PROJECT_IDS[j], draw(st.integers(0, 20000))) for j in range(n))
    raw = draw(st.lists(pledges([p.id for p in projects]), max_size=8))
    ps = tuple(
        Pledge(
            f"g{i}",
            p.project_id,
            p.kind,
            p.source,
            amount=p.amount,
            hours=p.hours,
            rate=p.rate,
            status=p.status,
        )
        for i, p in enumerate(raw)
    )
    required = draw(
        st.none() | st.fractions(0, 1, max_denominator=20).map(lambda f: RequiredShare(f))
    )
    matching = draw(
        st.lists(
            st.builds(
                MatchingRule,
                ratio=st.fractions(0, 3, max_denominator=4),
                cap=st.none() | st.integers(0, 5000),
                kinds=st.sampled_from([(PledgeKind.MONEY,), tuple(PledgeKind)]),
            ),
            max_size=2,
        )
    )
    counting = draw(st.sampled_from(list(Counting)))
    return CofinancingPlan(ps, required=required, matching=matching, counting=counting), projects


def reference_financing(plan: CofinancingPlan, project: Project) -> tuple[int, int, int]:
    """Slow, obvious version: (required, counted toward it, net cost)."""
    counted = []
    for p in plan.pledges:
        if p.project_id != project.id or p.status is PledgeStatus.WITHDRAWN:
            continue
        if plan.counting is Counting.RECEIVED and p.status is not PledgeStatus.RECEIVED:
            continue
        counted.append(p)
    value = {p.id: (p.hours * p.rate if p.kind is PledgeKind.LABOUR else p.amount) for p in counted}
    matched = 0
    for rule in plan.matching:
        eligible = sum(
            value[p.id] for p in counted if p.source in rule.sources and p.kind in rule.kinds
        )
        m = math.floor(eligible * rule.ratio)
        matched += m if rule.cap is None else min(m, rule.cap)
    net = max(0, project.cost - sum(value.values()) - matched)
    if plan.required is None:
        return 0, 0, net
    req = math.ceil(project.cost * plan.required.share)
    toward = sum(
        value[p.id]
        for p in counted
        if p.source in plan.required.sources and p.kind in plan.required.kinds
    )
    return req, toward, net


# -- properties ------------------------------------------------------------------------------


@given(plans())
def test_matches_reference_and_conserves_money(
    data: tuple[CofinancingPlan, tuple[Project, ...]],
) -> None:
    plan, projects = data
    short = {s.project_id: s for s in shortfalls(plan, projects)}
    for p in projects:
        f = financing(plan, p)
        req, toward, net = reference_financing(plan, p)
        assert (f.required, f.toward_required, f.net_cost) == (req, toward, net)
        assert f.net_cost >= 0
        assert f.cost == f.net_cost + f.covered
        assert f.community + f.institutions + f.matched == f.covered + f.surplus
        assert f.surplus >= 0
        assert net_cost(plan, p) == f.net_cost
        assert (p.id in short) == (toward < req)
        if p.id in short:
            s = short[p.id]
            assert s.missing == req - toward > 0
            assert s.counted + s.missing == s.required
        share = community_share(plan, p)
        assert 0 <= share <= 1
        if plan.required is not None and p.cost:
            assert (share < plan.required.share) <= (p.id in short)


@given(plans())
def test_pledge_totals_conserved(data: tuple[CofinancingPlan, tuple[Project, ...]]) -> None:
    plan, _ = data
    t = pledge_totals(plan)
    assert t.total == sum(p.value for p in plan.pledges)
    for breakdown in (t.by_status, t.by_kind, t.by_source, t.by_project):
        assert sum(breakdown.values()) == t.total
    assert all(v >= 0 for v in t.by_kind.values())


@given(plans(), st.randoms(use_true_random=False))
def test_order_of_pledges_does_not_matter(
    data: tuple[CofinancingPlan, tuple[Project, ...]], rnd: random.Random
) -> None:
    plan, projects = data
    shuffled = list(plan.pledges)
    rnd.shuffle(shuffled)
    other = CofinancingPlan(
        shuffled, required=plan.required, matching=plan.matching, counting=plan.counting
    )
    assert [financing(plan, p) for p in projects] == [financing(other, p) for p in projects]
    assert pledge_totals(plan) == pledge_totals(other)


@given(plans())
def test_receiving_a_pledge_never_raises_net_cost(
    data: tuple[CofinancingPlan, tuple[Project, ...]],
) -> None:
    plan, projects = data
    for pl in plan.pledges:
        if pl.status is PledgeStatus.PLEDGED:
            got = plan.with_status(pl.id, PledgeStatus.RECEIVED)
            for p in projects:
                assert financing(got, p).net_cost <= financing(plan, p).net_cost


@given(plans())
def test_json_round_trip(data: tuple[CofinancingPlan, tuple[Project, ...]]) -> None:
    plan, projects = data
    assert participa.loads(participa.dumps(plan)) == plan
    for s in shortfalls(plan, projects):
        assert participa.loads(participa.dumps(s)) == s


# -- examples and bad input ---------------------------------------------------------------


def test_ves_twenty_percent_in_labour_materials_and_money() -> None:
    school = Project("S1", 250_000_00)  # S/ 250,000 in céntimos
    plan = CofinancingPlan(
        (
            Pledge.labour("L", "S1", hours=2_000, rate=12_50),  # S/ 12.50 an hour
            Pledge.materials("C", "S1", 15_000_00, description="sand and bricks"),
            Pledge.money("M", "S1", 10_000_00, status=PledgeStatus.RECEIVED),
        ),
        required=RequiredShare.ves_2001(),
    )
    f = financing(plan, school)
    assert f.community == 2_000 * 12_50 + 15_000_00 + 10_000_00
    assert required_amount(plan, school) == 50_000_00
    assert f.missing == 50_000_00 - f.community
    assert community_share(plan, school) == Fraction(f.community, 250_000_00)
    only_received = CofinancingPlan(
        plan.pledges, required=plan.required, counting=Counting.RECEIVED
    )
    assert financing(only_received, school).community == 10_000_00


def test_matching_is_capped_and_rounds_down() -> None:
    plan = CofinancingPlan(
        (Pledge.money("a", "P", 333), Pledge.labour("b", "P", hours=10, rate=10)),
        matching=(MatchingRule(ratio=Fraction(1, 2)), MatchingRule(ratio=1, cap=100)),
    )
    f = financing(plan, Project("P", 10_000))
    assert f.matched == 166 + 100  # labour is not matched by default
    assert f.net_cost == 10_000 - 333 - 100 - 266


def test_withdrawn_pledges_never_count() -> None:
    plan = CofinancingPlan(
        (Pledge.money("a", "P", 500, status=PledgeStatus.WITHDRAWN),), required=RequiredShare(0.1)
    )
    assert financing(plan, Project("P", 1000)).net_cost == 1000
    assert [s.missing for s in shortfalls(plan, [Project("P", 1000)])] == [100]


def test_net_election_runs_on_net_costs() -> None:
    e = Election(
        1000,
        (Project("a", 800), Project("b", 300)),
        Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]),
    )
    plan = CofinancingPlan((Pledge.money("x", "a", 200, source=ContributorKind.INSTITUTION),))
    assert net_election(plan, e).costs.tolist() == [600, 300]
    assert dict(net_costs(plan, e.projects)) == {"a": 600, "b": 300}


def test_zero_cost_project_needs_nothing() -> None:
    plan = CofinancingPlan(required=RequiredShare(Fraction(1, 5)))
    assert community_share(plan, Project("Z", 0)) == 1
    assert shortfalls(plan, [Project("Z", 0)]) == ()


@pytest.mark.parametrize(
    ("build", "fragment"),
    [
        (lambda: Pledge.money("m", "P", -1), "amount must be a non-negative integer"),
        (lambda: Pledge.labour("l", "P", hours=-2, rate=3), "hours must be"),
        (lambda: Pledge.labour("l", "P", hours=2, rate=1.5), "rate must be"),
        (lambda: Pledge(" ", "P", PledgeKind.MONEY), "pledge id must be"),
        (lambda: Pledge("m", "", PledgeKind.MONEY), "project id must be"),
        (
            lambda: Pledge("m", "P", PledgeKind.LABOUR, amount=5),
            "labour is valued as hours × rate",
        ),
        (lambda: Pledge("m", "P", PledgeKind.MONEY, hours=5), "only labour pledges"),
        (lambda: RequiredShare(-0.1), "must lie in [0, 1]"),
        (lambda: RequiredShare("abc"), "share must be a finite number"),  # type: ignore[arg-type]
        (lambda: MatchingRule(ratio=-1), "ratio must be >= 0"),
        (lambda: MatchingRule(cap=-1), "cap must be"),
        (
            lambda: CofinancingPlan((Pledge.money("d", "P", 1), Pledge.money("d", "Q", 1))),
            "duplicate pledge id 'd'",
        ),
    ],
)
def test_bad_input_is_a_participa_error(build: object, fragment: str) -> None:
    with pytest.raises(ParticipaError) as info:
        build()  # type: ignore[operator]
    assert fragment in str(info.value)


def test_pledge_for_unknown_project() -> None:
    plan = CofinancingPlan((Pledge.money("m", "GHOST", 10),), required=RequiredShare(0.2))
    with pytest.raises(ValidationError) as info:
        shortfalls(plan, [Project("P", 100)])
    assert info.value.project_id == "GHOST"
    assert "pledge 'm'" in str(info.value)
    assert shortfalls(plan, [Project("P", 100)], check_unknown=False)[0].missing == 20
    with pytest.raises(ValidationError):
        net_costs(plan, [Project("P", 100)])
    with pytest.raises(ValidationError, match="unknown pledge id"):
        plan.with_status("nope", PledgeStatus.RECEIVED)
