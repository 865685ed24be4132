"""A generic phase engine for rounds, with a hash-chained event log.

A :class:`MachineSpec` (phases and transitions as data, e.g. a preset from
:mod:`participa.phases.presets`) plus guard functions and hooks make a
:class:`Machine`; the machine starts a :class:`Round` and moves it on with
events. What a round *decides* comes from a :class:`Domain` (the reducer
interface); the participatory-budget round, :data:`participa.process.ROUND`, is
the default. Every event is appended to a hash-chained log; the round
serialises to JSON (``participa.dumps``) and restores exactly.

The PB decisions (``Allocated``, ``Approved``, ...) and ``RoundState`` live in
:mod:`participa.process`; they are still importable from here.

Examples
--------
>>> from participa.phases import Machine, presets
>>> from participa.process import Allocated, Approved
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

import importlib
from typing import Any

from participa.i18n import _
from participa.phases import presets
from participa.phases.engine import (
    Decision,
    Domain,
    MachineState,
    Round,
    Visit,
    domain_of,
    replay,
    step,
)
from participa.phases.events import (
    GENESIS,
    Event,
    Payload,
    Triggered,
    canonical_json,
    make_event,
    verify_chain,
)
from participa.phases.guards import Guard, GuardFamily, before_deadline
from participa.phases.machine import Hooks, Machine, PhaseChange
from participa.phases.spec import MachineSpec, Phase, Transition

# Names of the PB round that lived here in 0.1.0; now in participa.process.
_MOVED = (
    "DECISIONS",
    "Allocated",
    "Approved",
    "BallotsClosed",
    "Committed",
    "Noted",
    "OutcomePublished",
    "Pledged",
    "Proposed",
    "Reallocated",
    "Reviewed",
    "RoundState",
    "Spent",
    "Started",
    "standard_families",
    "standard_guards",
)


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        return getattr(importlib.import_module("participa.process"), name)
    raise AttributeError(_("module 'participa.phases' has no attribute {name!r}", name=name))


__all__ = [
    "GENESIS",
    "Decision",
    "Domain",
    "Event",
    "Guard",
    "GuardFamily",
    "Hooks",
    "Machine",
    "MachineSpec",
    "MachineState",
    "Payload",
    "Phase",
    "PhaseChange",
    "Round",
    "Transition",
    "Triggered",
    "Visit",
    "before_deadline",
    "canonical_json",
    "domain_of",
    "make_event",
    "presets",
    "replay",
    "step",
    "verify_chain",
]
