"""Bad input to phases, process, ledger, store and outcome: only ParticipaError escapes.

Each case is a clearly invalid call (wrong type, NaN/inf, negative or float money,
unknown names, ids the round never had, files that are not stores); every one must
be refused with a :class:`participa.ParticipaError` subclass, never a bare
``TypeError``/``ValueError``/``sqlite3.Error``, and never silently accepted.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from participa.errors import ParticipaError
from participa.ledger import EntryKind, Ledger, LedgerEntry, accountability_report, timestamp
from participa.model import BallotKind, Profile, Project
from participa.outcome import Outcome
from participa.phases import (
    Machine,
    MachineSpec,
    Phase,
    Round,
    Transition,
    Triggered,
    make_event,
    presets,
    replay,
    step,
    verify_chain,
)
from participa.process import (
    Allocated,
    Approved,
    BallotsClosed,
    Committed,
    Noted,
    OutcomePublished,
    Pledged,
    Proposed,
    Reallocated,
    Reviewed,
    Spent,
    Started,
    accounts,
    round_elections,
    tally,
    territory_election,
    territory_elections,
)
from participa.store import MemoryStore, Session, SQLiteStore, load, save

AT = "2024-01-01T00:00:00Z"
NAN, INF = math.nan, math.inf
BAD_MONEY = (-1, 1.5, NAN, INF, "10", None, True, [1])
BAD_TEXT = (None, 3, 1.5, b"x", ["a"])
BAD_IDS = ("", "   ", None, 7)
BAD_TIMES = ("yesterday", "2024-01-01", "2024-01-01T00:00:00", None, 12, NAN)


def _round() -> tuple[Machine, Round]:
    m = Machine(presets.ley_28056())
    r = m.start(round_id="r", actor="a", at=AT, envelope=100)
    r = m.record(r, Allocated({"T": 100}), actor="a", at=AT)
    r = m.fire(r, "concertar", actor="a", at=AT)
    r = m.record(r, Proposed((Project("a", 60, territory="T"),)), actor="a", at=AT)
    return m, r


M, R = _round()
PROFILE = Profile.from_ballots(BallotKind.APPROVAL, ["a"], [["a"]])
OK_OUTCOME = Outcome("x", 100, {"a": 60}, ("a",), 60)

Case = tuple[str, Callable[[], Any]]
CASES: list[Case] = []


def case(label: str, fn: Callable[[], Any]) -> None:
    CASES.append((label, fn))


# --- outcome
for v in BAD_MONEY:
    case(f"Outcome funding {v!r}", lambda v=v: Outcome("x", 100, {"a": v}, (), 0))
    case(f"Outcome budget {v!r}", lambda v=v: Outcome("x", v, {"a": 0}, (), 0))
    case(f"Outcome total_cost {v!r}", lambda v=v: Outcome("x", 100, {"a": 0}, (), v))
case("Outcome funding not a mapping", lambda: Outcome("x", 100, [("a", 1)], (), 0))  # type: ignore[arg-type]
case("Outcome funding key not str", lambda: Outcome("x", 100, {1: 1}, (), 0))  # type: ignore[dict-item]
case("Outcome selected a string", lambda: Outcome("x", 100, {"a": 1}, "a", 1))
case("Outcome selected ints", lambda: Outcome("x", 100, {"a": 1}, (1,), 1))  # type: ignore[arg-type]
case("Outcome rule not str", lambda: Outcome(3, 100, {}, (), 0))  # type: ignore[arg-type]
case("Outcome currency not Currency", lambda: Outcome("x", 1, {}, (), 0, currency="PEN"))  # type: ignore[arg-type]
case("Outcome over budget", lambda: Outcome("x", 10, {"a": 11}, ("a",), 11))
case("Outcome empty selection, cost", lambda: Outcome("x", 100, {"a": 0}, (), 10))
case("Outcome selected twice", lambda: Outcome("x", 100, {"a": 1}, ("a", "a"), 2))

# --- ledger
for v in BAD_MONEY:
    case(f"LedgerEntry amount {v!r}", lambda v=v: LedgerEntry(EntryKind.PROMISE, "a", v, AT))
    case(f"Ledger.promise {v!r}", lambda v=v: Ledger().promise("a", v, at=AT))
for v in BAD_IDS:
    case(f"LedgerEntry project {v!r}", lambda v=v: LedgerEntry(EntryKind.PROMISE, v, 1, AT))
for v in BAD_TIMES:
    case(f"LedgerEntry at {v!r}", lambda v=v: LedgerEntry(EntryKind.PROMISE, "a", 1, v))
    case(f"timestamp {v!r}", lambda v=v: timestamp(v))
    case(f"accountability_report as_of {v!r}", lambda v=v: accountability_report(Ledger(), as_of=v))
case("LedgerEntry kind str", lambda: LedgerEntry("promise", "a", 1, AT))  # type: ignore[arg-type]
case("LedgerEntry reference int", lambda: LedgerEntry(EntryKind.PROMISE, "a", 1, AT, reference=3))  # type: ignore[arg-type]
case("Ledger entries not entries", lambda: Ledger((1, 2)))  # type: ignore[arg-type]
case("Ledger entries a string", lambda: Ledger("ab"))  # type: ignore[arg-type]
case("Ledger.add not an entry", lambda: Ledger().add("x"))  # type: ignore[arg-type]
case("Ledger commit without promise", lambda: Ledger().commit("a", 1, at=AT))
case("Ledger spend above commit", lambda: Ledger().promise("a", 5, at=AT).spend("a", 1, at=AT))
case(
    "Ledger realloc to itself",
    lambda: Ledger().promise("a", 5, at=AT).reallocate("a", 1, at=AT, to_project="a"),
)

# --- phases: spec and machine
case("Phase name None", lambda: Phase(None))  # type: ignore[arg-type]
case("Phase name empty", lambda: Phase(""))
case("Phase allows int", lambda: Phase("a", allows=(3,)))  # type: ignore[arg-type]
case("Phase allows empty name", lambda: Phase("a", allows=("",)))
case("Phase deadline naive", lambda: Phase("a", deadline="2024-01-01"))
case("Transition event empty", lambda: Transition("", "a", "b"))
case("Transition source None", lambda: Transition("go", None, "b"))  # type: ignore[arg-type]
case(
    "MachineSpec unknown initial",
    lambda: MachineSpec("x", (Phase("a"),), (), initial="z", final=("a",)),
)
case("MachineSpec dead end", lambda: MachineSpec("x", (Phase("a"), Phase("b")), (), initial="a"))
case("Machine spec str", lambda: Machine("ves-2001"))  # type: ignore[arg-type]
case("Machine spec None", lambda: Machine(None))  # type: ignore[arg-type]
case("Machine guards not mapping", lambda: Machine(presets.consul(), guards=[1]))  # type: ignore[arg-type]
case("Machine guards not callable", lambda: Machine(presets.consul(), guards={"x": 1}))  # type: ignore[dict-item]
case("Machine families bad", lambda: Machine(presets.consul(), families={"x": 2}))  # type: ignore[dict-item]
case("Machine hooks bad", lambda: Machine(presets.consul(), hooks=1))  # type: ignore[arg-type]
case("Machine domain bad", lambda: Machine(presets.consul(), domain="pb"))  # type: ignore[arg-type]
case(
    "Machine missing guard",
    lambda: Machine(presets.consul().with_guard("drafting", "next", "nope")),
)
case(
    "Machine unknown decision",
    lambda: Machine(presets.consul().with_phase("drafting", allows=("vote",))),
)
case("Machine.guard unknown", lambda: M.guard("nope"))
case("Machine.guard not str", lambda: M.guard(3))  # type: ignore[arg-type]
for v in BAD_MONEY:
    case(
        f"Machine.start envelope {v!r}",
        lambda v=v: M.start(round_id="x", actor="a", at=AT, envelope=v),
    )
for v in BAD_IDS:
    case(f"Machine.start round_id {v!r}", lambda v=v: M.start(round_id=v, actor="a", at=AT))
    case(f"Machine.start actor {v!r}", lambda v=v: M.start(round_id="x", actor=v, at=AT))
    case(f"Machine.fire actor {v!r}", lambda v=v: M.fire(R, "coordinar", actor=v, at=AT))
for v in BAD_TIMES:
    case(f"Machine.start at {v!r}", lambda v=v: M.start(round_id="x", actor="a", at=v))
    case(f"Machine.record at {v!r}", lambda v=v: M.record(R, Noted("k"), actor="a", at=v))
    if v is not None:  # at=None means "at the state's own time"
        case(f"Machine.blocked at {v!r}", lambda v=v: M.blocked(R.state, at=v))
    case(f"Machine.overdue now {v!r}", lambda v=v: M.overdue(R.state, now=v))
case("Machine.start unknown option", lambda: M.start(round_id="x", actor="a", at=AT, colour="red"))
case(
    "Machine.start minor_per_unit 0",
    lambda: M.start(round_id="x", actor="a", at=AT, minor_per_unit=0),
)
case(
    "Machine.start minor_per_unit nan",
    lambda: M.start(round_id="x", actor="a", at=AT, minor_per_unit=NAN),
)
case("Machine.start currency int", lambda: M.start(round_id="x", actor="a", at=AT, currency=604))
case(
    "Machine.start disabled unknown",
    lambda: M.start(round_id="x", actor="a", at=AT, disabled=("zz",)),
)
case(
    "Machine.start disabled not optional",
    lambda: M.start(round_id="x", actor="a", at=AT, disabled=("concertacion",)),
)
case("Machine.start disabled ints", lambda: M.start(round_id="x", actor="a", at=AT, disabled=(1,)))
case(
    "Machine.start deadlines unknown",
    lambda: M.start(round_id="x", actor="a", at=AT, deadlines={"zz": AT}),
)
case(
    "Machine.start deadlines not mapping",
    lambda: M.start(round_id="x", actor="a", at=AT, deadlines=[AT]),
)
case("Machine.fire unknown event", lambda: M.fire(R, "bogus", actor="a", at=AT))
case("Machine.fire event int", lambda: M.fire(R, 3, actor="a", at=AT))  # type: ignore[arg-type]
case("Machine.fire note int", lambda: M.fire(R, "coordinar", actor="a", at=AT, note=3))  # type: ignore[arg-type]
case("Machine.fire on a non-round", lambda: M.fire("round", "coordinar", actor="a", at=AT))  # type: ignore[arg-type]
case("Machine.fire other spec", lambda: Machine(presets.consul()).fire(R, "next", actor="a", at=AT))
case(
    "Machine.fire time backwards",
    lambda: M.fire(R, "coordinar", actor="a", at="2000-01-01T00:00:00Z"),
)
case("Machine.record a string", lambda: M.record(R, "allocate", actor="a", at=AT))
case("Machine.record a dict", lambda: M.record(R, {"kind": "note"}, actor="a", at=AT))
case("Machine.record Triggered", lambda: M.record(R, Triggered("coordinar"), actor="a", at=AT))
case(
    "Machine.record Started", lambda: M.record(R, Started("r", presets.consul()), actor="a", at=AT)
)
case("Machine.record not allowed here", lambda: M.record(R, Committed("a", 1), actor="a", at=AT))
case("Machine.apply a number", lambda: M.apply(R, 5, actor="a", at=AT))

# --- phases: events, chain, replay
for v in BAD_IDS:
    case(f"make_event actor {v!r}", lambda v=v: make_event(None, Noted("k"), actor=v, at=AT))
case("make_event payload str", lambda: make_event(None, "note", actor="a", at=AT))
case("make_event payload None", lambda: make_event(None, None, actor="a", at=AT))
case("make_event previous str", lambda: make_event("e", Noted("k"), actor="a", at=AT))  # type: ignore[arg-type]
case("make_event at bad", lambda: make_event(None, Noted("k"), actor="a", at="soon"))
case("Triggered empty", lambda: Triggered(""))
case("Triggered None", lambda: Triggered(None))  # type: ignore[arg-type]
case("verify_chain of strings", lambda: verify_chain(["x"]))  # type: ignore[list-item]
case("verify_chain wrong head", lambda: verify_chain(R.events, expected_head="0" * 64))
case("verify_chain dropped event", lambda: verify_chain(R.events[1:]))
case("replay empty", lambda: replay(()))
case("replay not starting", lambda: replay(R.events[1:]))
case("replay of strings", lambda: replay(["x"]))  # type: ignore[list-item]
case("step not an event", lambda: step(None, "x"))  # type: ignore[arg-type]
case("step first not Started", lambda: step(None, R.events[1]))
case("step Started twice", lambda: step(R.state, R.events[0]))
case("Round of strings", lambda: Round(("x",), R.state))  # type: ignore[arg-type]
case("Round events a string", lambda: Round("abc", R.state))  # type: ignore[arg-type]
case("Round state mismatch", lambda: Round(R.events, M.start(round_id="z", actor="a", at=AT).state))
case("Round empty", lambda: Round((), None))
case("Round.from_events dropped", lambda: Round.from_events(R.events[:1] + R.events[2:]))
case("Round.since unknown head", lambda: R.since("f" * 64))
case("Round.verify wrong head", lambda: R.verify(expected_head="f" * 64))

# --- process decisions
for v in BAD_MONEY:
    case(f"Allocated amount {v!r}", lambda v=v: Allocated({"T": v}))
    case(f"Pledged amount {v!r}", lambda v=v: Pledged("a", v))
    case(f"Committed amount {v!r}", lambda v=v: Committed("a", v))
    case(f"Spent amount {v!r}", lambda v=v: Spent("a", v))
    case(f"Reallocated amount {v!r}", lambda v=v: Reallocated("a", v, reason="r"))
    case(f"Reviewed cost {v!r}", lambda v=v: Reviewed(("a",), costs={"a": v}))
    case(f"BallotsClosed voters {v!r}", lambda v=v: BallotsClosed("T", voters=v))
for v in BAD_IDS:
    case(f"Pledged project {v!r}", lambda v=v: Pledged(v, 1))
    case(f"Committed project {v!r}", lambda v=v: Committed(v, 1))
    case(f"BallotsClosed territory {v!r}", lambda v=v: BallotsClosed(v))
    case(f"Approved subject {v!r}", lambda v=v: Approved(v))
    case(f"Noted key {v!r}", lambda v=v: Noted(v))
    case(f"OutcomePublished territory {v!r}", lambda v=v: OutcomePublished(v, OK_OUTCOME))
for v in BAD_TEXT:
    case(f"Reallocated reason {v!r}", lambda v=v: Reallocated("a", 1, reason=v))
    case(f"Noted value {v!r}", lambda v=v: Noted("k", v))
case("Allocated not a mapping", lambda: Allocated([("T", 1)]))  # type: ignore[arg-type]
case("Allocated territory int", lambda: Allocated({1: 1}))  # type: ignore[dict-item]
case("Proposed a string", lambda: Proposed("a"))  # type: ignore[arg-type]
case("Proposed dicts", lambda: Proposed(({"id": "a"},)))  # type: ignore[arg-type]
case("Reviewed eligible a string", lambda: Reviewed("ab"))
case("Reviewed both", lambda: Reviewed(("a",), {"a": "no"}))
case("Reviewed empty reason", lambda: Reviewed((), {"a": " "}))
case("Reviewed rejected list", lambda: Reviewed((), ["a"]))  # type: ignore[arg-type]
case("OutcomePublished not an outcome", lambda: OutcomePublished("T", {"a": 1}))  # type: ignore[arg-type]
case(
    "OutcomePublished start_by naive",
    lambda: OutcomePublished("T", OK_OUTCOME, start_by="2024-01-01"),
)
case("Reallocated to_project empty", lambda: Reallocated("a", 1, to_project="", reason="r"))
case("Started envelope float", lambda: Started("r", presets.consul(), envelope=1.5))
case("Started spec str", lambda: Started("r", "consul"))  # type: ignore[arg-type]
case(
    "record allocation over envelope",
    lambda: M.record(
        M.start(round_id="q", actor="a", at=AT, envelope=1), Allocated({"T": 2}), actor="a", at=AT
    ),
)
case(
    "record proposal twice",
    lambda: M.record(R, Proposed((Project("a", 1, territory="T"),)), actor="a", at=AT),
)
case(
    "record proposal of unallocated territory",
    lambda: M.record(R, Proposed((Project("b", 1, territory="Z"),)), actor="a", at=AT),
)
case("record pledge unknown project", lambda: M.record(R, Pledged("ghost", 1), actor="a", at=AT))
case("record pledge above cost", lambda: M.record(R, Pledged("a", 61), actor="a", at=AT))
case("record review unknown project", lambda: M.record(R, Reviewed(("ghost",)), actor="a", at=AT))
case("record ballots unknown territory", lambda: M.record(R, BallotsClosed("Z"), actor="a", at=AT))
case(
    "record outcome unknown project",
    lambda: M.record(
        R, OutcomePublished("T", Outcome("x", 100, {"g": 1}, ("g",), 1)), actor="a", at=AT
    ),
)
case(
    "record outcome above cost",
    lambda: M.record(
        R, OutcomePublished("T", Outcome("x", 100, {"a": 61}, ("a",), 61)), actor="a", at=AT
    ),
)
case(
    "record outcome unknown territory",
    lambda: M.record(R, OutcomePublished("Z", OK_OUTCOME), actor="a", at=AT),
)

# --- process flow
case("territory_elections allocation list", lambda: territory_elections([1], (), PROFILE))  # type: ignore[arg-type]
case("territory_elections allocation None", lambda: territory_elections(None, (), PROFILE))  # type: ignore[arg-type]
case("territory_elections negative", lambda: territory_elections({"T": -1}, (), PROFILE))
case("territory_elections float", lambda: territory_elections({"T": 1.5}, (), PROFILE))  # type: ignore[dict-item]
case("territory_elections nan", lambda: territory_elections({"T": NAN}, (), PROFILE))  # type: ignore[dict-item]
case(
    "territory_elections projects dicts",
    lambda: territory_elections({"T": 1}, [{"id": "a"}], PROFILE),
)  # type: ignore[list-item]
case(
    "territory_elections homeless project",
    lambda: territory_elections({"T": 1}, [Project("a", 1)], PROFILE),
)
case(
    "territory_elections profile None",
    lambda: territory_elections({"T": 1}, [Project("a", 1, territory="T")], None),
)  # type: ignore[arg-type]
case(
    "territory_elections profile map missing",
    lambda: territory_elections({"T": 1}, [Project("a", 1, territory="T")], {}),
)
case(
    "territory_elections nothing on ballot",
    lambda: territory_elections({"T": 1}, [Project("z", 1, territory="T")], PROFILE),
)
case(
    "territory_elections unknown territory",
    lambda: territory_elections({"T": 1}, [], PROFILE, territories=["Z"]),
)
case("round_elections not a state", lambda: round_elections("state", PROFILE))  # type: ignore[arg-type]
case("territory_election unknown", lambda: territory_election(R.state, "Z", PROFILE))
case("territory_election territory int", lambda: territory_election(R.state, 3, PROFILE))  # type: ignore[arg-type]
case("tally not an election", lambda: tally("e", lambda e: OK_OUTCOME))  # type: ignore[arg-type]
E = territory_elections({"T": 100}, [Project("a", 60, territory="T")], PROFILE)["T"]
case("tally rule str", lambda: tally(E, "greedy"))  # type: ignore[arg-type]
case("tally rule returns junk", lambda: tally(E, lambda e: 3))  # type: ignore[arg-type, return-value]
case(
    "tally outcome of other projects",
    lambda: tally(E, lambda e: Outcome("x", 100, {"z": 1}, (), 0)),
)
case(
    "tally outcome above cost", lambda: tally(E, lambda e: Outcome("x", 100, {"a": 70}, ("a",), 70))
)
case("tally bad option", lambda: tally(E, lambda e: OK_OUTCOME, colour=1))  # type: ignore[call-arg]
case("accounts not a state", lambda: accounts(3, as_of=AT))  # type: ignore[arg-type]
case("accounts bad date", lambda: accounts(R.state, as_of="soon"))


# --- store
def _not_a_db(tmp: Path) -> Any:
    p = tmp / "x.sqlite"
    p.write_bytes(b"this is not a database at all" * 100)
    return SQLiteStore(p)


def _foreign_table(tmp: Path) -> Any:
    import sqlite3

    p = tmp / "y.sqlite"
    con = sqlite3.connect(p)
    con.execute("CREATE TABLE participa_events (a, b)")
    con.commit()
    con.close()
    return SQLiteStore(p)


STORE_CASES: list[tuple[str, Callable[[Path], Any]]] = [
    ("SQLiteStore(None)", lambda t: SQLiteStore(None)),  # type: ignore[arg-type]
    ("SQLiteStore(3)", lambda t: SQLiteStore(3)),  # type: ignore[arg-type]
    ("SQLiteStore('')", lambda t: SQLiteStore("")),
    ("SQLiteStore(directory)", lambda t: SQLiteStore(t)),
    ("SQLiteStore timeout nan", lambda t: SQLiteStore(":memory:", timeout=NAN)),
    ("SQLiteStore timeout -1", lambda t: SQLiteStore(":memory:", timeout=-1)),
    ("SQLiteStore timeout str", lambda t: SQLiteStore(":memory:", timeout="1")),  # type: ignore[arg-type]
    ("SQLiteStore not a database", _not_a_db),
    ("SQLiteStore foreign table", _foreign_table),
    ("SQLiteStore missing folder", lambda t: SQLiteStore(t / "no" / "such" / "dir.sqlite")),
    ("SQLiteStore.events round None", lambda t: SQLiteStore(":memory:").events(None)),  # type: ignore[arg-type]
    ("SQLiteStore.head round int", lambda t: SQLiteStore(":memory:").head(3)),  # type: ignore[arg-type]
    (
        "SQLiteStore.append strings",
        lambda t: SQLiteStore(":memory:").append("r", ["x"], expected_head="0" * 64),
    ),  # type: ignore[list-item]
    (
        "SQLiteStore.append head None",
        lambda t: SQLiteStore(":memory:").append("r", R.events, expected_head=None),
    ),  # type: ignore[arg-type]
    (
        "SQLiteStore.append stale",
        lambda t: SQLiteStore(":memory:").append("r", R.events, expected_head="f" * 64),
    ),
    (
        "SQLiteStore.append wrong round",
        lambda t: SQLiteStore(":memory:").append("other", R.events, expected_head="0" * 64),
    ),
    (
        "SQLiteStore.append unchained",
        lambda t: SQLiteStore(":memory:").append("r", R.events[1:], expected_head="0" * 64),
    ),
    (
        "MemoryStore.append strings",
        lambda t: MemoryStore().append("r", "abc", expected_head="0" * 64),
    ),  # type: ignore[arg-type]
    ("MemoryStore.events round None", lambda t: MemoryStore().events(None)),  # type: ignore[arg-type]
    ("load unknown round", lambda t: load(MemoryStore(), "r")),
    ("load not a store", lambda t: load("store", "r")),  # type: ignore[arg-type]
    ("load round int", lambda t: load(MemoryStore(), 3)),  # type: ignore[arg-type]
    ("load head int", lambda t: load(_stored(), "r", expected_head=3)),  # type: ignore[arg-type]
    ("load wrong head", lambda t: load(_stored(), "r", expected_head="f" * 64)),
    ("save not a round", lambda t: save(MemoryStore(), "round", expected_head="0" * 64)),  # type: ignore[arg-type]
    ("save head None", lambda t: save(MemoryStore(), R, expected_head=None)),  # type: ignore[arg-type]
    ("Session machine None", lambda t: Session(None, MemoryStore())),  # type: ignore[arg-type]
    ("Session store str", lambda t: Session(M, "db.sqlite")),  # type: ignore[arg-type]
    (
        "Session.start bad envelope",
        lambda t: Session(M, MemoryStore()).start(round_id="r", actor="a", at=AT, envelope=-5),
    ),
]


def _stored() -> MemoryStore:
    s = MemoryStore()
    s.append("r", R.events, expected_head="0" * 64)
    return s


def test_the_harness_is_big_enough() -> None:
    assert len(CASES) + len(STORE_CASES) >= 150


@pytest.mark.parametrize(("label", "call"), CASES, ids=[c[0] for c in CASES])
def test_only_participa_errors_escape(label: str, call: Callable[[], Any]) -> None:
    with pytest.raises(ParticipaError):
        call()


@pytest.mark.parametrize(("label", "call"), STORE_CASES, ids=[c[0] for c in STORE_CASES])
def test_store_bad_input(label: str, call: Callable[[Path], Any], tmp_path: Path) -> None:
    with pytest.raises(ParticipaError):
        call(tmp_path)
    assert not (Path.cwd() / "None").exists()
