"""Pooling lives in the allocation; the equal-split rule selects inside its envelopes."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import participa
from participa.allocation import Formula, allocate, pool, split_equally
from participa.errors import ValidationError
from participa.model import Election, Territory
from participa.rules import equal_split
from participa.testing.strategies import elections

KEYS = ["n1", "n2", "n3", "pool"]


@st.composite
def territorial(draw: st.DrawFn) -> Election:
    e = draw(elections())
    projects = tuple(attrs.evolve(p, territory=draw(st.sampled_from(KEYS))) for p in e.projects)
    return attrs.evolve(e, projects=projects)


@given(territorial(), st.booleans())
def test_the_rule_and_an_explicit_allocation_agree(e: Election, pooled: bool) -> None:
    """The convenience options build exactly the allocation one would pass."""
    pools = {"pool": ["n1", "n2"]} if pooled else None
    named = {p.territory for p in e.projects if p.territory is not None}
    names = sorted(named - {"pool"} | {"n1", "n2"} if pooled else named)
    if not names:
        return
    alloc = split_equally(e.budget, [Territory(t) for t in names], pools=pools)
    a = equal_split(e, pools=pools)
    b = equal_split(e, allocation=alloc)
    assert a.selected == b.selected
    assert dict(a.funding) == dict(b.funding)
    assert a.params == b.params


@given(st.integers(0, 10**9), st.lists(st.integers(0, 100), min_size=3, max_size=6))
def test_envelopes_hold_every_unit(money: int, pops: list[int]) -> None:
    ts = [Territory(f"t{i}", indicators={"p": p}) for i, p in enumerate(pops)]
    a = allocate(money, ts, Formula.equal()).pool({"joint": ["t0", "t1"]})
    env = a.envelopes
    assert sum(env.values()) == money
    assert env["joint"] == a.amount("t0") + a.amount("t1")
    assert a.envelope_of("t1") == "joint"
    assert a.envelope_of("t2") == "t2"
    assert a.envelope_of("elsewhere") is None


def test_explicit_allocation_by_population() -> None:
    from participa.model import BallotKind, Profile, Project

    ps = (Project("a", 60, territory="A"), Project("b", 30, territory="B"))
    e = Election(100, ps, Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    ts = [Territory("A", indicators={"pop": 3}), Territory("B", indicators={"pop": 1})]
    # equal envelopes (50 each) cannot fund a; by population (75/25) b no longer fits
    assert equal_split(e).selected == ("b",)
    o = equal_split(e, allocation=allocate(100, ts, Formula.proportional("pop")))
    assert o.selected == ("a",)
    assert {v.name: v.leftover for v in o.envelopes} == {"A": 15, "B": 25}


def test_pools_survive_json_and_are_checked() -> None:
    a = split_equally(
        90, [Territory("A"), Territory("B"), Territory("C")], pools={"AB": ["A", "B"]}
    )
    assert participa.loads(participa.dumps(a)) == a
    with pytest.raises(ValidationError, match="two pools"):
        pool(a, {"p": ["A"], "q": ["A"]})
    with pytest.raises(ValidationError, match="unknown territory 'Z'"):
        a.pool({"p": ["Z"]})
