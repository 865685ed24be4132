"""Money is conserved: outcomes, rounds, the ledger and ``loads`` refuse money from nowhere."""

from __future__ import annotations

import json

import pytest

import participa
from participa.errors import IntegrityError, ParseError, ValidationError
from participa.ledger import Ledger
from participa.model import Project
from participa.outcome import Outcome
from participa.phases import Machine, Round, presets
from participa.process import (
    Allocated,
    Approved,
    Committed,
    OutcomePublished,
    Proposed,
    Reallocated,
    Spent,
)

AT = "2024-01-01T00:00:00Z"


def test_outcome_refuses_negative_funding_the_issue_reproduction() -> None:
    with pytest.raises(ValidationError, match="non-negative integer"):
        Outcome(rule="x", budget=100, funding={"a": -60, "b": 160}, selected=("b",), total_cost=160)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"funding": {"a": 1.5}}, ValidationError, "non-negative integer"),
        ({"funding": {"a": True}}, ValidationError, "non-negative integer"),
        ({"budget": -1}, ValidationError, "the budget"),
        ({"total_cost": -5}, ValidationError, "the total cost"),
        ({"selected": ("a", "a"), "total_cost": 200}, IntegrityError, "selected twice"),
        ({"selected": ("zz",)}, IntegrityError, "missing from funding"),
        ({"selected": (), "total_cost": 100}, IntegrityError, "nothing is selected"),
        ({"funding": {"a": 100, "b": 1}, "selected": ("a",)}, IntegrityError, "would spend"),
    ],
)
def test_outcome_refuses_inconsistent_money(
    kwargs: dict[str, object], error: type[Exception], match: str
) -> None:
    base: dict[str, object] = {
        "rule": "x",
        "budget": 100,
        "funding": {"a": 100, "b": 0},
        "selected": ("a",),
        "total_cost": 100,
    }
    with pytest.raises(error, match=match):
        Outcome(**{**base, **kwargs})  # type: ignore[arg-type]


def test_partial_funding_and_numpy_integers_stay_accepted() -> None:
    import numpy as np

    o = Outcome("per-head", np.int64(100), {"a": np.int64(33), "b": 60}, ("b",), 60)  # type: ignore[arg-type]
    assert (o.budget, dict(o.funding)) == (100, {"a": 33, "b": 60})
    assert type(o.budget) is int
    assert type(o.funding["a"]) is int


def test_loads_revalidates_outcomes() -> None:
    good = Outcome("x", 100, {"a": 60, "b": 40}, ("a", "b"), 100)
    doc = json.loads(participa.dumps(good))
    doc["value"]["funding"]["a"] = -60
    doc["value"]["funding"]["b"] = 160
    with pytest.raises(ParseError, match="non-negative integer"):
        participa.loads(json.dumps(doc))
    doc = json.loads(participa.dumps(good))
    doc["value"]["selected"] = []  # nothing selected, yet a total cost of 100
    with pytest.raises(ParseError, match="nothing is selected"):
        participa.loads(json.dumps(doc))
    doc = json.loads(participa.dumps(good))
    doc["value"]["funding"]["b"] = 41  # 101 handed out of a budget of 100
    with pytest.raises(ParseError, match="would spend 101"):
        participa.loads(json.dumps(doc))


def round_with_proposals() -> tuple[Machine, Round]:
    m = Machine(presets.ley_28056())
    r = m.start(round_id="r", actor="a", at=AT, envelope=100, disabled=("coordinacion",))
    r = m.record(r, Allocated({"T": 60, "U": 40}), actor="a", at=AT)
    r = m.fire(r, "concertar", actor="a", at=AT)
    props = (Project("a", 60, territory="T"), Project("b", 40, territory="U"))
    r = m.record(r, Proposed(props), actor="a", at=AT)
    return m, r


def test_round_refuses_outcomes_naming_projects_it_never_had() -> None:
    m, r = round_with_proposals()
    stray = Outcome("x", 60, {"a": 20, "ghost": 40}, ("ghost",), 40)
    with pytest.raises(ValidationError, match=r"never had: \['ghost'\]"):
        m.record(r, OutcomePublished("T", stray), actor="a", at=AT)
    other = Outcome("x", 60, {"b": 40}, ("b",), 40)
    with pytest.raises(ValidationError, match=r"other territories: \['b'\]"):
        m.record(r, OutcomePublished("T", other), actor="a", at=AT)


def test_round_refuses_funding_above_the_cost() -> None:
    m, r = round_with_proposals()
    over = Outcome("x", 100, {"a": 61}, ("a",), 61)
    with pytest.raises(ValidationError, match="above their cost"):
        m.record(r, OutcomePublished("T", over), actor="a", at=AT)


def test_round_refuses_commits_and_reallocations_to_unknown_projects() -> None:
    m, r = round_with_proposals()
    r = m.record(
        r, OutcomePublished("T", Outcome("x", 60, {"a": 60}, ("a",), 60)), actor="a", at=AT
    )
    r = m.record(
        r, OutcomePublished("U", Outcome("x", 40, {"b": 40}, ("b",), 40)), actor="a", at=AT
    )
    r = m.record(r, Approved("council"), actor="a", at=AT)
    r = m.fire(r, "coordinar", actor="a", at=AT)
    assert r.phase == "formalizacion"
    with pytest.raises(ValidationError, match="never had"):
        m.record(r, Committed("ghost", 10), actor="a", at=AT)
    with pytest.raises(ValidationError, match="never had"):
        m.record(r, Spent("ghost", 10), actor="a", at=AT)
    with pytest.raises(ValidationError, match="never had"):
        m.record(r, Reallocated("a", 10, to_project="ghost", reason="x"), actor="a", at=AT)
    with pytest.raises(ValidationError, match="positive integer"):
        Committed("a", -5)
    with pytest.raises(ValidationError, match="positive integer"):
        Reallocated("a", -5, reason="x")
    with pytest.raises(ValidationError, match="belongs to territory 'U', not 'T'"):
        m.record(
            r, Reallocated("a", 10, to_project="b", territory="T", reason="x"), actor="a", at=AT
        )
    r = m.record(r, Reallocated("a", 10, to_project="b", reason="overrun"), actor="a", at=AT)
    pos = r.state.ledger.positions()
    assert (pos["a"].promised, pos["b"].promised, pos["b"].territory) == (50, 50, "U")
    assert sum(p.promised for p in pos.values()) == 100 <= r.state.envelope


def test_loads_revalidates_ledgers_and_rounds() -> None:
    m, r = round_with_proposals()
    r = m.record(
        r, OutcomePublished("T", Outcome("x", 60, {"a": 60}, ("a",), 60)), actor="a", at=AT
    )
    doc = json.loads(participa.dumps(r))
    doc["value"]["state"]["ledger"]["entries"][0]["amount"] = 600
    with pytest.raises(ParseError, match="differs from its replayed log"):
        participa.loads(json.dumps(doc), expect=Round)
    led = Ledger().promise("a", 10, at=AT).commit("a", 10, at=AT)
    doc = json.loads(participa.dumps(led))
    doc["value"]["entries"][1]["amount"] = 11
    with pytest.raises(ParseError, match="above the 10 promised"):
        participa.loads(json.dumps(doc))
