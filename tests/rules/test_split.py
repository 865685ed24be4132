"""The equal split reports each envelope as a typed value (``Outcome.envelopes``), not as
params keys built from territory names, and the report survives JSON."""

from __future__ import annotations

import json

import pytest

import participa
from participa.allocation import Formula, allocate
from participa.errors import IntegrityError, ValidationError
from participa.model import BallotKind, Election, Profile, Project, Territory
from participa.outcome import EnvelopeResult, Outcome
from participa.rules import equal_split, greedy

PROJECTS = (
    Project("road", 150, territory="pool"),
    Project("roof1", 40, territory="n1"),
    Project("roof2", 40, territory="n2"),
    Project("hall", 90, territory="n3"),
)
E = Election(
    300,
    PROJECTS,
    Profile.from_ballots(
        BallotKind.APPROVAL,
        [p.id for p in PROJECTS],
        [["road", "roof1"], ["road", "roof2"], ["hall"]],
    ),
)


def test_envelopes_are_typed_fields_not_params_keys() -> None:
    o = equal_split(E, pools={"pool": ["n1", "n2"]})
    assert [(v.name, v.money, v.spent, v.members) for v in o.envelopes] == [
        ("n3", 100, 90, ()),
        ("pool", 200, 190, ("n1", "n2")),
    ]
    assert set(o.params) == {"by", "tie_break"}
    assert o.leftover == sum(v.leftover for v in o.envelopes) == 20
    assert o.unallocated == 0


def test_money_the_allocation_does_not_hand_out_is_unallocated() -> None:
    ts = [Territory(t, indicators={"pop": 1}) for t in ("n1", "n2", "n3", "pool")]
    alloc = allocate(240, ts, Formula.proportional("pop"))  # 60 of the 300 stay out
    o = equal_split(E, allocation=alloc)
    assert o.unallocated == 60
    assert sum(v.money for v in o.envelopes) == 240
    assert o.leftover == 60 + sum(v.leftover for v in o.envelopes)


def test_envelopes_survive_json() -> None:
    o = equal_split(E, pools={"pool": ["n1", "n2"]})
    back = participa.loads(participa.dumps(o))
    assert back == o
    assert back.envelopes == o.envelopes


def test_an_outcome_without_envelopes_writes_no_envelopes_key() -> None:
    # documents (and event-log hashes) of every other rule's outcomes stay as they were
    doc = json.loads(participa.dumps(greedy(E)))
    assert "envelopes" not in doc["value"]
    assert "envelopes" in json.loads(participa.dumps(equal_split(E)))["value"]


def test_envelopes_must_account_for_the_funding() -> None:
    o = equal_split(E)
    with pytest.raises(IntegrityError, match="the envelopes spend"):
        Outcome(o.rule, o.budget, o.funding, o.selected, o.total_cost, envelopes=o.envelopes[1:])
    with pytest.raises(IntegrityError, match="more than the budget"):
        Outcome("x", 10, {}, (), 0, envelopes=[EnvelopeResult("a", 11, 0)])
    with pytest.raises(IntegrityError, match="listed twice"):
        Outcome("x", 10, {}, (), 0, envelopes=[EnvelopeResult("a", 1, 0)] * 2)
    with pytest.raises(ValidationError, match="EnvelopeResult values"):
        Outcome("x", 10, {}, (), 0, envelopes=["a"])  # type: ignore[list-item]
    with pytest.raises(ValidationError, match="non-negative integer"):
        EnvelopeResult("a", -1, 0)
