"""One PB round end to end: pure stages, and a phase machine that records them.

The data flow
-------------
Every stage is a pure function over values; the phase machine only *records*
each result as a decision in the round's hash-chained log::

    envelope ──allocate()──▶ Allocation          participa.allocation
        │                        │ allocated()   ──▶ Allocated
    proposals ──cofinancing──▶ net costs         participa.cofinancing
        │                        │ pledged()     ──▶ Pledged
    review() ──▶ FeasibilityReport               participa.feasibility
        │                        │ reviewed()    ──▶ Reviewed
    territory_elections(allocation, projects, profile, review=, cofinancing=)
        │                        ──▶ {territory: Election}   (every project field kept)
    tally(election, rule, tie_break=..., **typed options) ──▶ Outcome
        │                        ──▶ OutcomePublished(territory, outcome)
    ledger: Committed / Spent / Reallocated   ──▶ accounts(state, as_of=...)

The PB round is a domain of the generic engine in :mod:`participa.phases`:
:mod:`participa.process.round` holds its state (:class:`RoundState`) and first
event (:class:`Started`), :mod:`participa.process.decisions` its decisions, each
registered once with its reducer and guards, and :mod:`participa.process.flow`
the pure functions.

Examples
--------
>>> from participa import greedy
>>> from participa.model import BallotKind, Profile, Project
>>> from participa.phases import Machine, presets
>>> from participa.tiebreak import TieBreak
>>> projects = (Project("a", 60, territory="N", dimension="parks"),
...             Project("b", 50, territory="N"), Project("c", 30, territory="S"))
>>> ballots = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                                [["a"], ["a", "b"], ["b"], ["c"]])
>>> allocation = {"N": 100, "S": 40}
>>> elections = territory_elections(allocation, projects, ballots, name="demo")
>>> outcomes = {t: tally(e, greedy, tie_break=TieBreak.parse("id"))
...             for t, e in elections.items()}
>>> {t: o.selected for t, o in outcomes.items()}
{'N': ('a',), 'S': ('c',)}
>>> m = Machine(presets.consul())
>>> at = "2024-01-01T00:00:00Z"
>>> r = m.start(round_id="demo", actor="admin", at=at, envelope=140)
>>> r = m.record(r, Allocated(allocation), actor="admin", at=at)
>>> r = m.fire(r, "next", actor="admin", at=at)
>>> r = m.fire(r, "next", actor="admin", at=at)
>>> r = m.record(r, Proposed(projects), actor="neighbours", at=at)
>>> round_elections(r.state, ballots) == elections     # the same values, from the record
True
>>> r.state.proposals[0].dimension
'parks'
"""

from __future__ import annotations

from participa.process.decisions import (
    DECISIONS,
    PAYLOAD_TYPES,
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
    allocation_made,
    approved,
    ballots_closed,
    fact,
    outcomes_published,
    proposals_registered,
    review_complete,
)
from participa.process.flow import (
    accounts,
    allocated,
    pledged,
    proposed,
    reviewed,
    round_elections,
    tally,
    territory_election,
    territory_elections,
)
from participa.process.round import (
    ROUND,
    RoundState,
    Started,
    standard_families,
    standard_guards,
)

__all__ = [
    "DECISIONS",
    "PAYLOAD_TYPES",
    "ROUND",
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
    "accounts",
    "allocated",
    "allocation_made",
    "approved",
    "ballots_closed",
    "fact",
    "outcomes_published",
    "pledged",
    "proposals_registered",
    "proposed",
    "review_complete",
    "reviewed",
    "round_elections",
    "standard_families",
    "standard_guards",
    "tally",
    "territory_election",
    "territory_elections",
]
