"""Pluggable phase state machines for PB rounds, with a hash-chained event log.

A :class:`MachineSpec` (phases and transitions as data, e.g. a preset from
:mod:`participa.phases.presets`) plus guard functions and hooks make a
:class:`Machine`; the machine starts a :class:`Round` and moves it on with
events. Every event is appended to a hash-chained log; the round serialises to
JSON (``participa.dumps``) and restores exactly.

Examples
--------
>>> from participa.phases import Machine, presets, Allocated, Approved
>>> m = Machine(presets.ves_2001())
>>> r = m.start(round_id="ves-2001", actor="council", at="2001-02-01T10:00:00-05:00",
...             envelope=2_000_000)
>>> r = m.fire(r, "launch", actor="council", at="2001-02-02T10:00:00-05:00")
Traceback (most recent call last):
...
participa.errors.TransitionNotAllowed: cannot fire 'launch' in phase 'assignment': ...
>>> r = m.record(r, Allocated({"S1": 1_200_000, "S2": 800_000}), actor="council",
...              at="2001-02-02T10:00:00-05:00")
>>> r = m.record(r, Approved("council", body="Concejo Municipal"), actor="council",
...              at="2001-02-02T11:00:00-05:00")
>>> m.fire(r, "launch", actor="council", at="2001-02-03T10:00:00-05:00").phase
'launch'
"""

from __future__ import annotations

from participa.phases import presets
from participa.phases.engine import (
    Hooks,
    Machine,
    PhaseChange,
    Round,
    RoundState,
    Visit,
    replay,
    step,
)
from participa.phases.events import (
    GENESIS,
    Allocated,
    Approved,
    BallotsClosed,
    Committed,
    Event,
    Noted,
    OutcomePublished,
    Payload,
    Pledged,
    Proposed,
    Reallocated,
    Reviewed,
    Spent,
    Started,
    Triggered,
    canonical_json,
    make_event,
    verify_chain,
)
from participa.phases.guards import Guard, GuardFamily, standard_families, standard_guards
from participa.phases.spec import DECISIONS, MachineSpec, Phase, Transition

__all__ = [
    "DECISIONS",
    "GENESIS",
    "Allocated",
    "Approved",
    "BallotsClosed",
    "Committed",
    "Event",
    "Guard",
    "GuardFamily",
    "Hooks",
    "Machine",
    "MachineSpec",
    "Noted",
    "OutcomePublished",
    "Payload",
    "Phase",
    "PhaseChange",
    "Pledged",
    "Proposed",
    "Reallocated",
    "Reviewed",
    "Round",
    "RoundState",
    "Spent",
    "Started",
    "Transition",
    "Triggered",
    "Visit",
    "canonical_json",
    "make_event",
    "presets",
    "replay",
    "standard_families",
    "standard_guards",
    "step",
    "verify_chain",
]
