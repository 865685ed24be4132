"""The engine is generic: a domain registers each decision once (payload, name, reducer, guards)."""

from __future__ import annotations

from typing import ClassVar, Self

import attrs
import pytest

import participa
from participa.errors import TransitionNotAllowed, ValidationError
from participa.phases import Domain, Machine, MachineSpec, Phase, Round, Transition, Visit, presets
from participa.process import ROUND, RoundState

# --------------------------------------------------------------------------- a non-PB domain


@attrs.frozen
class Opened:
    kind: ClassVar[str] = "open_petition"
    round_id: str
    spec: MachineSpec
    needed: int = 2


@attrs.frozen
class PetitionState:
    round_id: str
    spec: MachineSpec
    phase: str
    now: str
    visits: tuple[Visit, ...]
    needed: int
    signatures: tuple[str, ...] = ()
    disabled: tuple[str, ...] = ()

    def deadline(self, phase: str) -> str | None:
        return self.spec.phase(phase).deadline

    def moved(
        self, *, now: str, phase: str | None = None, visits: tuple[Visit, ...] | None = None
    ) -> Self:
        return attrs.evolve(self, now=now, phase=phase or self.phase, visits=visits or self.visits)


PETITION: Domain[PetitionState] = Domain(
    "petition",
    Opened,
    PetitionState,
    lambda p, at: PetitionState(
        p.round_id, p.spec, p.spec.initial, at, (Visit(p.spec.initial, at),), p.needed
    ),
)


def enough(state: PetitionState) -> str | None:
    n = len(state.signatures)
    return None if n >= state.needed else f"{n} of {state.needed} signatures"


@PETITION.decision(guards={"enough_signatures": enough})
@attrs.frozen
class Signed:
    kind: ClassVar[str] = "sign"
    who: str

    def apply(self, state: PetitionState, at: str) -> PetitionState:
        if self.who in state.signatures:
            raise ValidationError(f"{self.who} already signed")
        return attrs.evolve(state, signatures=(*state.signatures, self.who))


for cls in (Opened, PetitionState):
    participa.serialize.register(cls, "test_petition." + cls.__name__)

SPEC = MachineSpec(
    "petition",
    phases=(Phase("collecting", allows=("sign",)), Phase("submitted")),
    transitions=(Transition("submit", "collecting", "submitted", ("enough_signatures",)),),
    initial="collecting",
    final=("submitted",),
)


def test_a_domain_that_knows_nothing_of_pb() -> None:
    m = Machine(SPEC, domain=PETITION)
    r = m.start(round_id="p", actor="ana", at="2024-01-01T00:00:00Z", needed=2)
    r = m.record(r, Signed("ana"), actor="ana", at="2024-01-01T00:00:00Z")
    with pytest.raises(TransitionNotAllowed, match="1 of 2 signatures"):
        m.fire(r, "submit", actor="ana", at="2024-01-02T00:00:00Z")
    with pytest.raises(ValidationError, match="already signed"):
        m.record(r, Signed("ana"), actor="ana", at="2024-01-02T00:00:00Z")
    r = m.record(r, Signed("bea"), actor="bea", at="2024-01-02T00:00:00Z")
    r = m.fire(r, "submit", actor="ana", at="2024-01-03T00:00:00Z")
    assert r.phase == "submitted"
    assert participa.loads(participa.dumps(r), expect=Round) == r
    # a PB decision is not one of this domain's
    from participa.process import Noted

    with pytest.raises(ValidationError, match="not a decision of a petition round"):
        m.record(r, Noted("k"), actor="ana", at="2024-01-03T00:00:00Z")


def test_unknown_decisions_in_a_spec_are_listed_when_the_machine_is_built() -> None:
    bad = attrs.evolve(
        SPEC, phases=(Phase("collecting", allows=("sign", "vote")), Phase("submitted"))
    )
    with pytest.raises(ValidationError, match=r"unknown decisions \['vote'\]"):
        Machine(bad, domain=PETITION)
    with pytest.raises(ValidationError, match="unknown decisions"):
        Machine(bad)  # the PB round has neither 'sign' nor 'vote'


# --- one-place addition to the PB round


def plan_loaded(state: RoundState) -> str | None:
    return None if "test_plan" in state.facts else "no development plan is loaded"


@ROUND.decision(guards={"test_plan_loaded": plan_loaded})
@attrs.frozen
class PlanLoaded:
    """What another module would add: a decision, its reducer and its guard, in one place."""

    kind: ClassVar[str] = "test_load_plan"
    plan_id: str

    def apply(self, state: RoundState, at: str) -> RoundState:
        return attrs.evolve(state, facts={**state.facts, "test_plan": self.plan_id})


def test_adding_a_decision_and_its_guard_to_the_pb_round_is_one_registration() -> None:
    spec = presets.ley_28056().with_guard("preparacion", "concertar", "test_plan_loaded")
    spec = spec.with_phase("preparacion", allows=("allocate", "test_load_plan"))
    m = Machine(spec)
    from participa.process import Allocated

    r = m.start(round_id="r", actor="a", at="2024-01-01T00:00:00Z", envelope=10)
    r = m.record(r, Allocated({"T": 10}), actor="a", at="2024-01-01T00:00:00Z")
    with pytest.raises(TransitionNotAllowed, match="no development plan is loaded"):
        m.fire(r, "concertar", actor="a", at="2024-01-02T00:00:00Z")
    r = m.record(r, PlanLoaded("PDC-2021"), actor="a", at="2024-01-02T00:00:00Z")
    assert m.fire(r, "concertar", actor="a", at="2024-01-03T00:00:00Z").phase == "concertacion"
    with pytest.raises(TransitionNotAllowed, match="'test_load_plan' is not allowed"):
        Machine(presets.ley_28056()).record(
            Machine(presets.ley_28056()).start(round_id="q", actor="a", at="2024-01-01T00:00:00Z"),
            PlanLoaded("x"),
            actor="a",
            at="2024-01-01T00:00:00Z",
        )


def test_a_decision_kind_is_registered_once() -> None:
    @attrs.frozen
    class Other:
        kind: ClassVar[str] = "sign"
        who: str

        def apply(self, state: PetitionState, at: str) -> PetitionState:
            return state

    with pytest.raises(ValidationError, match="'sign' is already registered as Signed"):
        PETITION.decision()(Other)

    class NotAttrs:
        kind: ClassVar[str] = "x"

    with pytest.raises(ValidationError, match="attrs class with a 'kind'"):
        PETITION.decision()(NotAttrs)
