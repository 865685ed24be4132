"""The phase engine: specs validated as data, guards, skips, deadlines, hooks, log and JSON."""

from __future__ import annotations

import json

import attrs
import pytest

import participa
from participa.errors import IntegrityError, TransitionNotAllowed, ValidationError
from participa.model import Project
from participa.outcome import Outcome
from participa.phases import (
    GENESIS,
    Allocated,
    Approved,
    BallotsClosed,
    Committed,
    Hooks,
    Machine,
    MachineSpec,
    Noted,
    OutcomePublished,
    Phase,
    Proposed,
    Reallocated,
    Reviewed,
    Round,
    Spent,
    Transition,
    presets,
    replay,
    standard_guards,
)

T0 = "2001-02-01T10:00:00-05:00"


def at(day: int, hour: int = 10) -> str:
    return f"2001-{1 + (day - 1) // 28:02d}-{1 + (day - 1) % 28:02d}T{hour:02d}:00:00-05:00"


def test_spec_lists_every_problem_at_once() -> None:
    with pytest.raises(ValidationError) as info:
        MachineSpec(
            "broken",
            phases=(Phase("a"), Phase("a"), Phase("b"), Phase("island"), Phase("end")),
            transitions=(
                Transition("go", "a", "b"),
                Transition("go", "a", "end"),
                Transition("jump", "b", "nowhere"),
            ),
            initial="a",
            final=("end", "ghost"),
        )
    msg = str(info.value)
    for part in (
        "duplicate phase names ['a']",
        "final phases ['ghost']",
        "unknown phases ['b--jump->nowhere']",
        "duplicate (phase, event) transitions ['a/go']",
        "unreachable phases ['island']",
        "dead ends (not final, no way out) ['island']",
    ):
        assert part in msg


def test_optional_phase_needs_one_way_out() -> None:
    with pytest.raises(
        ValidationError, match=r"optional phases without exactly one way out \['b'\]"
    ):
        MachineSpec(
            "x",
            phases=(Phase("a"), Phase("b", optional=True), Phase("c"), Phase("d")),
            transitions=(
                Transition("go", "a", "b"),
                Transition("x", "b", "c"),
                Transition("y", "b", "d"),
            ),
            initial="a",
            final=("c", "d"),
        )


@pytest.mark.parametrize("name", sorted(presets.PRESETS))
def test_presets_are_valid_data_with_sources(name: str) -> None:
    spec = presets.PRESETS[name]()
    assert spec.problems() == []
    assert spec.source
    assert participa.loads(participa.dumps(spec)) == spec
    Machine(spec)  # every guard name resolves


def test_missing_guard_functions_are_listed() -> None:
    spec = presets.ves_2001().with_guard("launch", "discuss", "mayor_signed")
    with pytest.raises(ValidationError, match=r"guards with no function: \['mayor_signed'\]"):
        Machine(spec)
    m = Machine(spec, guards=standard_guards() | {"mayor_signed": lambda s: None})
    assert m.guard("mayor_signed")(m.start(round_id="r", actor="a", at=T0).state) is None


def ves_round(m: Machine | None = None) -> tuple[Machine, Round]:
    m = m or Machine(presets.ves_2001())
    r = m.start(round_id="ves", actor="council", at=at(1), envelope=1000, currency="PEN")
    return m, r


def test_guards_block_with_every_reason() -> None:
    m, r = ves_round()
    with pytest.raises(TransitionNotAllowed) as info:
        m.fire(r, "launch", actor="x", at=at(2))
    err = info.value
    assert (err.event, err.phase) == ("launch", "assignment")
    assert len(err.failed_guards) == 2
    assert err.failed_guards[0].startswith("allocation_made: ")
    assert err.failed_guards[1].startswith("approved:council: ")
    assert "allocation_made" in str(err)
    assert "approved:council" in str(err)
    r = m.record(r, Allocated({"S1": 600, "S2": 400}), actor="council", at=at(2))
    with pytest.raises(TransitionNotAllowed) as info:
        m.fire(r, "launch", actor="x", at=at(2))
    assert [g.split(":")[0] for g in info.value.failed_guards] == ["approved"]
    r = m.record(r, Approved("council"), actor="council", at=at(3))
    assert m.blocked(r.state) == {"launch": ()}
    assert m.fire(r, "launch", actor="x", at=at(3)).phase == "launch"


def test_unknown_event_and_disallowed_decision() -> None:
    m, r = ves_round()
    with pytest.raises(TransitionNotAllowed, match="events here: launch") as info:
        m.fire(r, "vote", actor="x", at=at(2))
    assert info.value.event == "vote"
    with pytest.raises(TransitionNotAllowed, match="'commit' is not allowed") as info2:
        m.record(r, Committed("P1", 5), actor="x", at=at(2))
    assert info2.value.phase == "assignment"


def test_time_never_goes_backwards() -> None:
    m, r = ves_round()
    with pytest.raises(ValidationError, match="earlier than"):
        m.record(r, Noted("k", "v"), actor="x", at="2001-01-01T00:00:00Z")
    with pytest.raises(ValidationError, match="no UTC offset"):
        m.record(r, Noted("k", "v"), actor="x", at="2001-03-01T10:00:00")


def test_disabled_and_runtime_skipped_phases() -> None:
    m = Machine(presets.ley_28056())
    with pytest.raises(ValidationError, match="'concertacion' is not optional"):
        m.start(round_id="r", actor="a", at=T0, disabled=("concertacion",))
    r = m.start(round_id="r", actor="a", at=T0, envelope=100, disabled=("coordinacion",))
    r = m.record(r, Allocated({"T": 100}), actor="a", at=T0)
    r = m.fire(r, "concertar", actor="a", at=T0)
    r = m.record(r, Proposed((Project("P", 80, territory="T"),)), actor="a", at=T0)
    o = Outcome(rule="greedy", budget=100, funding={"P": 80}, selected=("P",), total_cost=80)
    r = m.record(r, OutcomePublished("T", o), actor="a", at=T0)
    # skipping the disabled coordinacion also checks the guard of its way out
    with pytest.raises(TransitionNotAllowed, match="while skipping disabled phase 'coordinacion'"):
        m.fire(r, "coordinar", actor="a", at=T0)
    r = m.record(r, Approved("council"), actor="a", at=T0)
    r = m.fire(r, "coordinar", actor="a", at=T0)
    assert r.phase == "formalizacion"
    assert [(v.phase, v.skipped) for v in r.state.visits] == [
        ("preparacion", False),
        ("concertacion", False),
        ("coordinacion", True),
        ("formalizacion", False),
    ]
    # the same round without disabling: enter coordinacion, then skip it at run time
    r2 = m.start(round_id="r2", actor="a", at=T0, envelope=100)
    r2 = m.record(r2, Allocated({"T": 100}), actor="a", at=T0)
    r2 = m.fire(r2, "concertar", actor="a", at=T0)
    r2 = m.record(r2, Proposed((Project("P", 80, territory="T"),)), actor="a", at=T0)
    r2 = m.record(r2, OutcomePublished("T", o), actor="a", at=T0)
    r2 = m.fire(r2, "coordinar", actor="a", at=T0)
    with pytest.raises(TransitionNotAllowed):
        m.fire(r2, "skip", actor="a", at=T0)  # guard approved:council still applies
    r2 = m.record(r2, Approved("council"), actor="a", at=T0)
    r2 = m.fire(r2, "skip", actor="a", at=T0)
    assert r2.phase == "formalizacion"
    assert r2.state.visits[2].skipped


def test_deadlines_are_data_and_time_is_passed_in() -> None:
    spec = presets.ves_2001().with_phase("launch", deadline="2001-03-01T00:00:00Z")
    spec = spec.with_guard("launch", "discuss", "before_deadline:launch")
    m = Machine(spec)
    r = m.start(round_id="r", actor="a", at=at(1), envelope=10)
    r = m.record(r, Allocated({"S": 10}), actor="a", at=at(1))
    r = m.record(r, Approved("council"), actor="a", at=at(1))
    r = m.fire(r, "launch", actor="a", at=at(2))
    assert m.overdue(r.state, now="2001-02-15T00:00:00Z") == ()
    assert m.overdue(r.state, now="2001-03-02T00:00:00Z") == (("launch", "2001-03-01T00:00:00Z"),)
    assert m.blocked(r.state, at="2001-03-02T00:00:00Z")["discuss"]
    with pytest.raises(TransitionNotAllowed, match="deadline of phase 'launch'"):
        m.fire(r, "discuss", actor="a", at="2001-03-02T00:00:00Z")
    # a round may override the deadline
    r = m.start(
        round_id="r",
        actor="a",
        at=at(1),
        envelope=10,
        deadlines={"launch": "2001-04-01T00:00:00-05:00"},
    )
    assert r.state.deadline("launch") == "2001-04-01T05:00:00Z"


def test_hooks_run_in_order_and_apps_plug_phases_without_subclassing() -> None:
    seen: list[str] = []
    hooks = (
        Hooks()
        .entering("*", lambda c: seen.append(f"+{c.phase}{'(skip)' if c.skipped else ''}"))
        .leaving("*", lambda c: seen.append(f"-{c.phase}"))
        .after_event(lambda e, s: seen.append(f"!{e.kind}"))
    )
    spec = presets.consul().insert_after(
        "accepting",
        Phase("audit", title="Auditoría ciudadana"),
        event="audited",
        guards=("fact:audit"),
    )
    m = Machine(spec, hooks=hooks)
    r = m.start(round_id="c", actor="a", at=T0, disabled=("informing",))
    r = m.fire(r, "next", actor="a", at=T0)
    assert seen == [
        "+drafting",
        "!start",
        "-drafting",
        "+informing(skip)",
        "-informing",
        "+accepting",
        "!trigger",
    ]
    r = m.record(r, Proposed((Project("P", 5),)), actor="a", at=T0)
    r = m.fire(r, "next", actor="a", at=T0)
    assert r.phase == "audit"
    with pytest.raises(TransitionNotAllowed, match="fact 'audit'"):
        m.fire(r, "audited", actor="a", at=T0)
    r = m.record(r, Noted("audit", "signed by the vigilance committee"), actor="a", at=T0)
    assert m.fire(r, "audited", actor="a", at=T0).phase == "reviewing"


def full_ves_round() -> tuple[Machine, Round]:
    m, r = ves_round()
    r = m.record(r, Allocated({"S1": 600, "S2": 400}), actor="council", at=at(2))
    r = m.record(r, Approved("council", body="Concejo"), actor="council", at=at(2))
    r = m.fire(r, "launch", actor="mayor", at=at(3))
    r = m.fire(r, "discuss", actor="mayor", at=at(4))
    props = (
        Project("A", 500, territory="S1"),
        Project("B", 300, territory="S1"),
        Project("C", 400, territory="S2"),
    )
    r = m.record(r, Proposed(props), actor="delegates", at=at(5))
    with pytest.raises(TransitionNotAllowed, match="review_complete"):
        m.fire(r, "prioritise", actor="mayor", at=at(6))
    r = m.record(r, Reviewed(("A", "C"), {"B": "no land title"}), actor="team", at=at(6))
    r = m.fire(r, "prioritise", actor="mayor", at=at(7))
    r = m.record(r, BallotsClosed("S1", voters=120), actor="team", at=at(8))
    o1 = Outcome(rule="greedy", budget=600, funding={"A": 500}, selected=("A",), total_cost=500)
    bad = Outcome(rule="greedy", budget=600, funding={"B": 300}, selected=("B",), total_cost=300)
    with pytest.raises(ValidationError, match="not found eligible"):
        m.record(r, OutcomePublished("S1", bad), actor="team", at=at(8))
    r = m.record(r, OutcomePublished("S1", o1, start_by=at(20)), actor="team", at=at(8))
    o2 = Outcome(rule="greedy", budget=400, funding={"C": 400}, selected=("C",), total_cost=400)
    r = m.record(r, OutcomePublished("S2", o2, start_by=at(20)), actor="team", at=at(9))
    r = m.fire(r, "implement", actor="mayor", at=at(10))
    r = m.record(r, Committed("A", 500, "contract 1"), actor="works", at=at(12))
    r = m.record(r, Spent("A", 200), actor="works", at=at(14))
    r = m.record(
        r, Reallocated("C", 100, to_project="A", reason="cost overrun"), actor="council", at=at(15)
    )
    r = m.record(r, Committed("A", 100), actor="works", at=at(30))
    r = m.fire(r, "account", actor="mayor", at=at(40))
    return m, r


def test_full_round_json_round_trip_and_tamper_detection() -> None:
    _, r = full_ves_round()
    assert r.phase == "accounts"
    assert r.state.is_final
    r.verify()
    text = participa.dumps(r)
    back = participa.loads(text, expect=Round)
    assert back == r
    back.verify()
    assert participa.dumps(back) == text
    assert replay(r.events) == r.state
    pos = r.state.ledger.positions()
    assert (pos["A"].promised, pos["A"].committed, pos["A"].spent) == (600, 600, 200)
    assert pos["C"].promised == 300
    # any edit of a stored event is detected
    doc = json.loads(text)
    ev = doc["value"]["events"][3]
    assert ev["actor"] == "mayor"
    ev["actor"] = "someone else"
    # loading re-verifies: the edited event is refused on the way in
    with pytest.raises(participa.ParseError, match="event 3 was changed"):
        participa.loads(json.dumps(doc), expect=Round)
    # dropping an event breaks the chain
    with pytest.raises(IntegrityError, match="sequence number"):
        Round.from_events(r.events[:3] + r.events[4:])
    # a stored state that does not match its log is detected
    with pytest.raises(IntegrityError, match="differs from its replayed log"):
        attrs.evolve(r, state=attrs.evolve(r.state, facts={"x": "y"}))


def test_money_rules_in_the_reducer() -> None:
    m, r = ves_round()
    with pytest.raises(ValidationError, match="exceeds the round's envelope"):
        m.record(r, Allocated({"S1": 900, "S2": 200}), actor="c", at=at(2))
    m2, full = full_ves_round()
    with pytest.raises(ValidationError, match="above the S/ 600 committed"):
        m2.record(full, Spent("A", 401), actor="w", at=at(41))
    with pytest.raises(ValidationError, match="above the S/ 300 promised"):
        m2.record(full, Committed("C", 301), actor="w", at=at(41))


def test_machine_refuses_a_round_of_another_spec() -> None:
    _, r = ves_round()
    with pytest.raises(ValidationError, match="follows machine 'ves-2001'"):
        Machine(presets.consul()).fire(r, "next", actor="a", at=at(2))
    assert r.events[0].prev == GENESIS
