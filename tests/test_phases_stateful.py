"""Random event sequences through the presets (Hypothesis ``RuleBasedStateMachine``).

Whatever the driver tries — legal or not — the round is never in an illegal phase,
the log always verifies, JSON round-trips exactly at every step, a rejected event
changes nothing, and money is conserved (spent <= committed <= promised per
project; promises never exceed the envelope or the territory's allocation).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

import participa
from participa.errors import TransitionNotAllowed, ValidationError
from participa.ledger import EntryKind
from participa.model import Project
from participa.outcome import Outcome
from participa.phases import (
    Allocated,
    Approved,
    BallotsClosed,
    Committed,
    Machine,
    Noted,
    OutcomePublished,
    Payload,
    Proposed,
    Reallocated,
    Reviewed,
    Round,
    Spent,
    presets,
)

T0 = datetime(2001, 1, 1, 8, tzinfo=UTC)
TERRS = ("S1", "S2", "S3")
PIDS = tuple(f"P{i}" for i in range(8))
SAMPLE = (
    Project("P0", 150, territory="S1"),
    Project("P1", 90, territory="S1"),
    Project("P2", 150, territory="S2"),
)


class RoundMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.tick = 0
        self.machine: Machine
        self.round: Round
        self.rejected = 0

    def now(self) -> str:
        self.tick += 1
        return (T0 + timedelta(minutes=self.tick)).isoformat()

    @initialize(
        name=st.sampled_from(sorted(presets.PRESETS)),
        envelope=st.integers(0, 2000),
        disable=st.booleans(),
    )
    def start(self, name: str, envelope: int, disable: bool) -> None:
        spec = presets.PRESETS[name]()
        self.machine = Machine(spec)
        disabled = tuple(p.name for p in spec.phases if p.optional) if disable else ()
        self.round = self.machine.start(
            round_id="prop", actor="a", at=self.now(), envelope=envelope, disabled=disabled
        )

    def attempt(self, payload: Payload | str) -> None:
        before = self.round
        try:
            if isinstance(payload, str):
                self.round = self.machine.fire(before, payload, actor="a", at=self.now())
            else:
                self.round = self.machine.record(before, payload, actor="a", at=self.now())
        except (TransitionNotAllowed, ValidationError):
            assert self.round is before
            self.rejected += 1
            return
        assert len(self.round.events) == len(before.events) + 1

    @rule(
        event=st.sampled_from(
            (
                "next",
                "skip",
                "launch",
                "discuss",
                "prioritise",
                "implement",
                "account",
                "concertar",
                "coordinar",
                "formalizar",
                "bogus",
            )
        )
    )
    def fire(self, event: str) -> None:
        self.attempt(event)

    @rule(weights=st.lists(st.integers(0, 900), min_size=1, max_size=3))
    def allocate(self, weights: list[int]) -> None:
        self.attempt(Allocated(dict(zip(TERRS, weights, strict=False))))

    @rule(data=st.data())
    def propose(self, data: st.DataObject) -> None:
        ids = data.draw(st.lists(st.sampled_from(PIDS), min_size=1, max_size=3, unique=True))
        projects = tuple(
            Project(i, data.draw(st.integers(1, 700)), territory=data.draw(st.sampled_from(TERRS)))
            for i in ids
        )
        self.attempt(Proposed(projects))

    @rule(data=st.data())
    def review(self, data: st.DataObject) -> None:
        ids = [p.id for p in self.round.state.proposals]
        ok = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
        bad = {i: "unfeasible" for i in ids if i not in ok and data.draw(st.booleans())}
        self.attempt(Reviewed(tuple(ok), bad))

    @rule(territory=st.sampled_from(TERRS), voters=st.integers(0, 50))
    def close(self, territory: str, voters: int) -> None:
        self.attempt(BallotsClosed(territory, voters=voters))

    @rule(territory=st.sampled_from(TERRS), greedy=st.booleans())
    def publish(self, territory: str, greedy: bool) -> None:
        s = self.round.state
        budget = s.allocation.get(territory, s.envelope)
        local = [p for p in s.proposals if p.territory == territory]
        chosen, left = [], budget
        for p in local:  # sometimes ignore eligibility/budget, to probe the checks
            if not greedy or (p.cost <= left and (not s.reviewed or p.id in s.eligible)):
                chosen.append(p)
                left -= p.cost
        funding = {p.id: (p.cost if p in chosen else 0) for p in local}
        try:
            o = Outcome(
                rule="t",
                budget=budget,
                funding=funding,
                selected=tuple(p.id for p in chosen),
                total_cost=sum(p.cost for p in chosen),
            )
        except participa.IntegrityError:
            return
        self.attempt(OutcomePublished(territory, o))

    @rule(pid=st.sampled_from(PIDS), amount=st.integers(1, 400), kind=st.sampled_from("csr"))
    def money(self, pid: str, amount: int, kind: str) -> None:
        if kind == "c":
            self.attempt(Committed(pid, amount))
        elif kind == "s":
            self.attempt(Spent(pid, amount))
        else:
            self.attempt(Reallocated(pid, amount, to_project="P7", territory="S1", reason="r"))

    @rule(data=st.data(), steps=st.integers(1, 8))
    def progress(self, data: st.DataObject, steps: int) -> None:
        """Do what the current phase needs next, so random runs reach the money phases."""
        for _ in range(steps):
            self.progress_once(data)

    def progress_once(self, data: st.DataObject) -> None:
        s = self.round.state
        positions = s.ledger.positions()
        if positions and data.draw(st.booleans()):
            pid = data.draw(st.sampled_from(sorted(positions)))
            p = positions[pid]
            if p.committed < p.promised:
                self.attempt(Committed(pid, data.draw(st.integers(1, p.promised - p.committed))))
            elif p.spent < p.committed:
                self.attempt(Spent(pid, data.draw(st.integers(1, p.committed - p.spent))))
            return
        here = s.spec.phase(s.phase)
        if "council" not in s.approvals:
            self.attempt(Approved("council"))
            return
        if not s.proposals and here.permits("propose"):
            self.attempt(Proposed(SAMPLE))
            return
        for event, reasons in self.machine.blocked(s).items():
            if not reasons:
                self.attempt(event)
                return
            why = reasons[0]
            if why.startswith("allocation_made"):
                half = s.envelope // 2
                self.attempt(Allocated({"S1": half, "S2": s.envelope - half}))
            elif why.startswith("approved:"):
                self.attempt(Approved(why.split(":")[1]))
            elif why.startswith("proposals_registered"):
                self.attempt(Proposed(SAMPLE))
            elif why.startswith("review_complete"):
                ids = tuple(p.id for p in s.proposals)
                self.attempt(Reviewed(ids[1:], dict.fromkeys(ids[:1], "no title")))
            elif why.startswith("ballots_closed"):
                todo = [t for t in s.allocation if t not in s.ballots] or ["S1"]
                self.attempt(BallotsClosed(todo[0], voters=10))
            elif why.startswith("outcomes_published"):
                todo = [t for t in s.allocation if t not in s.outcomes] or ["S1"]
                self.publish(todo[0], True)
            return

    @rule(subject=st.sampled_from(("council", "mayor")))
    def approve(self, subject: str) -> None:
        self.attempt(Approved(subject))

    @rule()
    def note(self) -> None:
        self.attempt(Noted("k", "v"))

    @invariant()
    def legal_phase_and_path(self) -> None:
        s = self.round.state
        spec = s.spec
        assert s.phase in spec.phase_names
        assert s.visits[0].phase == spec.initial
        assert s.visits[-1].phase == s.phase
        for a, b in zip(s.visits, s.visits[1:], strict=False):
            assert b.phase in spec.successors(a.phase)
        for v in s.visits[:-1]:
            assert v.left is not None
        for v in s.visits:
            if v.skipped and v is not s.visits[-1]:
                assert spec.phase(v.phase).optional

    @invariant()
    def log_verifies_and_json_round_trips(self) -> None:
        self.round.verify()
        back = participa.loads(participa.dumps(self.round), expect=Round)
        assert back == self.round

    @invariant()
    def money_conserved(self) -> None:
        s = self.round.state
        assert s.allocated <= s.envelope
        for t, o in s.outcomes.items():
            assert o.total_funding <= s.allocation.get(t, s.envelope)
        promised_total = sum(e.amount for e in s.ledger.entries if e.kind is EntryKind.PROMISE)
        assert promised_total == s.promised <= s.envelope
        standing = 0
        for p in s.ledger.positions().values():
            assert 0 <= p.spent <= p.committed <= p.promised
            standing += p.promised
        assert standing <= promised_total
        # no money to or from projects the round never had, none above a project's cost
        proposals = {p.id: p for p in s.proposals}
        assert set(s.ledger.positions()) <= set(proposals)
        for o in s.outcomes.values():
            assert set(o.funding) <= set(proposals)
            for pid, f in o.funding.items():
                assert 0 <= f <= s.reviewed_costs.get(pid, proposals[pid].cost)


TestRoundMachine = RoundMachine.TestCase
TestRoundMachine.settings = settings(max_examples=15, stateful_step_count=25, deadline=None)
