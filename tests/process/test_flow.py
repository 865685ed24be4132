"""The pure path from an allocation to per-territory elections, and the typed tally."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from participa import greedy
from participa.cofinancing import CofinancingPlan, Pledge
from participa.errors import TieError, ValidationError
from participa.model import _PROJECT_FIELDS, BallotKind, Profile, Project
from participa.process import Reviewed, round_elections, tally, territory_elections
from participa.tiebreak import TieBreak

TERRS = ("N", "S", "E")

text = st.text(st.characters(categories=("L", "N")), min_size=1, max_size=6)


@st.composite
def rich_projects(draw: st.DrawFn) -> tuple[Project, ...]:
    n = draw(st.integers(1, 8))
    out = []
    for i in range(n):
        out.append(
            Project(
                f"p{i}",
                draw(st.integers(1, 10**6)),
                name=draw(text),
                territory=draw(st.sampled_from(TERRS)),
                categories=tuple(draw(st.lists(text, max_size=2, unique=True))),
                dimension=draw(st.one_of(st.none(), text)),
                beneficiaries=draw(st.one_of(st.none(), st.integers(0, 10**5))),
                # keys that name a project field are refused by Project (by design)
                metadata=draw(
                    st.dictionaries(
                        text.filter(lambda k: k not in _PROJECT_FIELDS), text, max_size=2
                    )
                ),
            )
        )
    return tuple(out)


@given(rich_projects(), st.data())
def test_every_field_of_every_project_survives(
    projects: tuple[Project, ...], data: st.DataObject
) -> None:
    ids = [p.id for p in projects]
    ballots = [data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)) for _ in range(3)]
    profile = Profile.from_ballots(BallotKind.APPROVAL, ids, ballots)
    terrs = sorted({p.territory for p in projects if p.territory is not None})
    allocation = {t: data.draw(st.integers(0, 10**6)) for t in terrs}
    elections = territory_elections(allocation, projects, profile)
    assert list(elections) == terrs
    seen = []
    for t, e in elections.items():
        assert e.budget == allocation[t]
        for p in e.projects:
            original = next(q for q in projects if q.id == p.id)
            assert p == original  # id, cost, name, territory, categories, dimension, ...
            assert p.metadata == original.metadata
            assert p.territory == t
            seen.append(p.id)
    assert sorted(seen) == sorted(ids)


def test_review_and_cofinancing_change_only_what_they_say() -> None:
    projects = (
        Project("a", 100, territory="N", dimension="health", beneficiaries=40),
        Project("b", 80, territory="N", metadata={"votes": "3"}),
        Project("c", 50, territory="S"),
    )
    profile = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "b"], ["c"]])
    review = Reviewed(("a", "c"), {"b": "no land title"}, costs={"a": 90})
    plan = CofinancingPlan((Pledge.money("junta", "a", 30),))
    es = territory_elections(
        {"N": 100, "S": 50}, projects, profile, review=review, cofinancing=plan
    )
    (a,) = es["N"].projects
    assert es["N"].project_ids == ("a",)
    assert (a.cost, a.dimension, a.beneficiaries) == (60, "health", 40)  # 90 revised, 30 pledged
    assert es["S"].projects == (projects[2],)


def test_errors_name_the_territory_or_project() -> None:
    p = (Project("a", 10, territory="N"), Project("z", 10, territory="X"))
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "z"], [["a"]])
    with pytest.raises(ValidationError, match=r"projects \['z'\] have no territory"):
        territory_elections({"N": 10}, p, prof)
    with pytest.raises(ValidationError, match=r"territories \['Q'\] have no allocation"):
        territory_elections({"N": 10, "X": 1}, p, prof, territories=["Q"])
    with pytest.raises(ValidationError, match=r"territories \['X'\] is on the ballot"):
        territory_elections({"N": 10, "X": 1}, p, prof, review=Reviewed(("a",)))
    with pytest.raises(ValidationError, match="non-negative integer"):
        territory_elections({"N": -1}, p[:1], prof)


def test_tally_is_typed_and_checks_the_outcome() -> None:
    projects = (Project("a", 60, territory="N"), Project("b", 60, territory="N"))
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]])
    (e,) = territory_elections({"N": 60}, projects, prof).values()
    assert tally(e, greedy, tie_break=TieBreak.parse("id")).selected == ("a",)
    with pytest.raises(TieError, match="tie"):
        tally(e, greedy, tie_break=TieBreak.parse("refuse"))
    with pytest.raises(ValidationError, match="refused its options"):
        tally(e, greedy, bogus=1)  # type: ignore[call-arg]
    with pytest.raises(ValidationError, match=r"rule must be a Callable.*got 'greedy'"):
        tally(e, "greedy")  # type: ignore[arg-type]


def test_round_elections_equal_the_pure_function() -> None:
    from participa.phases import Machine, presets
    from participa.process import Allocated, Proposed

    projects = (Project("a", 60, territory="N", beneficiaries=9), Project("c", 30, territory="S"))
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["a", "c"], [["a"], ["c"]])
    m = Machine(presets.consul())
    at = "2024-01-01T00:00:00Z"
    r = m.start(round_id="x", actor="a", at=at, envelope=100)
    with pytest.raises(ValidationError, match="round 'x' has no allocation"):
        round_elections(r.state, prof)
    r = m.record(r, Allocated({"N": 70, "S": 30}), actor="a", at=at)
    r = m.fire(r, "next", actor="a", at=at)
    r = m.fire(r, "next", actor="a", at=at)
    r = m.record(r, Proposed(projects), actor="a", at=at)
    assert round_elections(r.state, prof) == territory_elections(
        {"N": 70, "S": 30}, projects, prof, name="x"
    )


def test_a_round_records_pools_and_its_elections_follow_them() -> None:
    import json

    import participa
    from participa.allocation import split_equally
    from participa.model import Territory
    from participa.phases import Machine, presets
    from participa.process import Allocated, Proposed, allocated, territory_election

    ts = [Territory("N1"), Territory("N2"), Territory("S")]
    alloc = split_equally(90, ts).pool({"north": ["N1", "N2"]})
    projects = (
        Project("road", 55, territory="north", dimension="urban"),  # the pool's joint project
        Project("roof", 20, territory="N1"),
        Project("hall", 30, territory="S"),
    )
    prof = Profile.from_ballots(BallotKind.APPROVAL, ["road", "roof", "hall"], [["road"], ["hall"]])
    m = Machine(presets.consul())
    at = "2024-01-01T00:00:00Z"
    r = m.start(round_id="x", actor="a", at=at, envelope=90)
    decision = allocated(alloc)
    assert decision.pools == {"north": ("N1", "N2")}
    r = m.record(r, decision, actor="a", at=at)
    r = m.fire(r, "next", actor="a", at=at)
    r = m.fire(r, "next", actor="a", at=at)
    r = m.record(r, Proposed(projects), actor="a", at=at)
    elections = round_elections(r.state, prof)
    assert elections == territory_elections(alloc, projects, prof, name="x")
    assert {t: (e.budget, e.project_ids) for t, e in elections.items()} == {
        "north": (60, ("road", "roof")),
        "S": (30, ("hall",)),
    }
    assert territory_election(r.state, "N2", prof) == elections["north"]
    assert territory_election(r.state, "north", prof) == elections["north"]
    # the round (pools included) survives JSON; a decision without pools writes none
    assert participa.loads(participa.dumps(r)) == r
    assert "pools" not in json.loads(participa.dumps(Allocated({"N": 1})))["value"]
    with pytest.raises(ValidationError, match="unknown territory"):
        Allocated({"N": 1}, pools={"p": ["X"]})


POOL = "joint"


@given(rich_projects(), st.data())
def test_pooled_envelopes_reach_the_elections(
    projects: tuple[Project, ...], data: st.DataObject
) -> None:
    from participa.allocation import Formula, allocate
    from participa.model import Territory

    # some projects are the pool's joint projects (territory = the pool's name)
    projects = tuple(
        attrs.evolve(p, territory=POOL) if data.draw(st.booleans(), label="joint") else p
        for p in projects
    )
    ids = [p.id for p in projects]
    ballots = [data.draw(st.lists(st.sampled_from(ids), min_size=1, unique=True)) for _ in range(3)]
    profile = Profile.from_ballots(BallotKind.APPROVAL, ids, ballots)
    members = data.draw(st.lists(st.sampled_from(TERRS), min_size=1, unique=True), label="pool")
    homes = {p.territory for p in projects}
    if POOL not in homes and not homes & set(members):
        members.append(next(iter(sorted(homes - {POOL}))))  # the pool has a project to vote on
    terrs = sorted((homes - {POOL}) | set(members))
    pops = {t: data.draw(st.integers(1, 100), label=f"pop {t}") for t in terrs}
    money = data.draw(st.integers(0, 10**7), label="money")
    allocation = allocate(
        money,
        [Territory(t, indicators={"pop": pops[t]}) for t in terrs],
        Formula.proportional("pop"),
    ).pool({POOL: members})
    elections = territory_elections(allocation, projects, profile)
    # one election per envelope; their budgets hold all the allocated money
    assert set(elections) == set(allocation.envelopes)
    assert sum(e.budget for e in elections.values()) == allocation.total == money
    assert elections[POOL].budget == sum(allocation.amounts[t] for t in members)
    seen = []
    for name, e in elections.items():
        assert e.budget == allocation.envelopes[name]
        for p in e.projects:
            original = next(q for q in projects if q.id == p.id)
            assert p == original  # every field kept
            assert p.metadata == original.metadata
            assert allocation.envelope_of(p.territory or "") == name
            seen.append(p.id)
    assert sorted(seen) == sorted(ids)
    # asking for a pooled territory gives its pool's election
    assert list(territory_elections(allocation, projects, profile, territories=members[:1])) == [
        POOL
    ]
