"""One PB round end to end: bind the phase machine to the library's stages.

The round's state keeps every stage's *result as a value* (allocation amounts per
territory, proposals, pledges, the eligible set, ballots closed, an outcome per
territory, the ledger); the functions here compute those results with the
other modules and turn them into decisions for the log:

====================================  ==========================================
stage                                 function → decision
====================================  ==========================================
envelope split among territories      :func:`allocated` (``participa.allocation``)
co-financing pledges                  :func:`pledged` (``participa.cofinancing``)
feasibility review                    :func:`reviewed` (``participa.feasibility``)
ballots and a rule per territory      :func:`territory_election`, :func:`tally`
                                      (``participa.rules.registry.run_rule``)
accounts                              :func:`accounts` (``participa.ledger``)
====================================  ==========================================

Each decision is recorded with ``machine.record(round, decision, actor=..., at=...)``
(or a :class:`~participa.store.Session`), so guards, phases and the hash chain
apply to it like to any other event.

Examples
--------
>>> from participa.model import BallotKind, Profile, Project
>>> from participa.phases import Machine, Allocated, Proposed, presets
>>> m = Machine(presets.consul())
>>> r = m.start(round_id="demo", actor="admin", at="2024-01-01T00:00:00Z", envelope=100)
>>> r = m.record(r, Allocated({"N": 100}), actor="admin", at="2024-01-01T00:00:00Z")
>>> r = m.fire(r, "next", actor="admin", at="2024-01-02T00:00:00Z")
>>> r = m.fire(r, "next", actor="admin", at="2024-01-02T00:00:00Z")
>>> r = m.record(r, Proposed((Project("a", 60, territory="N"), Project("b", 50, territory="N"))),
...              actor="neighbours", at="2024-01-03T00:00:00Z")
>>> ballots = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"], ["b"]])
>>> out = tally(r.state, "N", ballots, rule="greedy")
>>> out.outcome.selected, out.outcome.budget
(('a',), 100)
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import attrs

from participa.errors import ValidationError
from participa.ledger import AccountabilityReport, accountability_report
from participa.model import Election, Profile, Project
from participa.phases import Allocated, OutcomePublished, Pledged, Proposed, Reviewed, RoundState

if TYPE_CHECKING:
    from participa.allocation import Allocation
    from participa.cofinancing import CofinancingPlan
    from participa.feasibility import FeasibilityReport

__all__ = [
    "accounts",
    "allocated",
    "pledged",
    "proposed",
    "reviewed",
    "tally",
    "territory_election",
]


def allocated(allocation: Allocation) -> Allocated:
    """The decision recording a :class:`participa.allocation.Allocation`.

    ``method`` keeps the formula's name for the record.
    """
    return Allocated(dict(allocation.amounts), method=allocation.formula.name or "formula")


def proposed(projects: Iterable[Project]) -> Proposed:
    """The decision registering proposals (each with its ``territory``)."""
    return Proposed(tuple(projects))


def pledged(plan: CofinancingPlan, projects: Iterable[Project]) -> tuple[Pledged, ...]:
    """One decision per project with contributions: their counted value under ``plan``.

    The value is what the plan counts (community and institutions, valued labour
    and materials), capped at the project's cost.
    """
    from participa.cofinancing import financing

    out = []
    for p in projects:
        f = financing(plan, p)
        value = min(f.contributed, p.cost)
        if value > 0:
            out.append(Pledged(p.id, value, pledger="cofinancing plan", form="valued"))
    return tuple(out)


def reviewed(report: FeasibilityReport) -> Reviewed:
    """The decision recording a feasibility report: eligible ids and each rejection's reasons."""
    rejected = {
        pid: "; ".join(report.report(pid).reasons) or "not feasible" for pid in report.ineligible
    }
    return Reviewed(tuple(report.eligible), rejected)


def territory_election(
    state: RoundState,
    territory: str,
    profile: Profile,
    *,
    plan: CofinancingPlan | None = None,
) -> Election:
    """The election a territory votes on: its eligible proposals, its allocation as budget.

    Costs are the reviewed costs when the review revised them, and the net cost
    (after co-financing) when ``plan`` is given. ``profile`` may cover more projects
    (e.g. a district-wide ballot); only this territory's eligible ones are kept.

    Raises :class:`~participa.ValidationError` when the territory has no allocation
    or no eligible proposal appears in the profile.
    """
    if state.allocation and territory not in state.allocation:
        raise ValidationError(
            f"territory {territory!r} has no allocation in round {state.round_id!r}",
            hint=f"territories: {', '.join(state.allocation)}",
        )
    budget = state.allocation.get(territory, state.envelope)
    eligible = set(state.eligible) if state.reviewed else None
    projects = []
    for p in state.proposals:
        if p.territory != territory or (eligible is not None and p.id not in eligible):
            continue
        cost = state.reviewed_costs.get(p.id, p.cost)
        if cost != p.cost:
            p = Project(p.id, cost, name=p.name, territory=p.territory, categories=p.categories)
        projects.append(p)
    ids = [p.id for p in projects if p.id in profile.project_ids]
    if not ids:
        raise ValidationError(
            f"no eligible proposal of territory {territory!r} is on the ballot",
            hint="check the review and the ballot's project ids",
        )
    chosen = [p for p in projects if p.id in set(ids)]
    election = Election(
        budget,
        tuple(chosen),
        profile.select_projects(ids),
        name=f"{state.round_id}/{territory}",
        currency=state.currency,
        minor_per_unit=state.minor_per_unit,
    )
    if plan is not None:
        from participa.cofinancing import net_election

        mine = tuple(q for q in plan.pledges if q.project_id in set(ids))
        election = net_election(attrs.evolve(plan, pledges=mine), election)
    return election


def tally(
    state: RoundState,
    territory: str,
    profile: Profile,
    *,
    rule: str = "greedy",
    plan: CofinancingPlan | None = None,
    start_by: str | None = None,
    utility: str | None = None,
    completion: str | None = None,
) -> OutcomePublished:
    """Run the territory's chosen rule on its election; the decision publishing the outcome.

    ``rule`` and the options are those of :func:`participa.rules.registry.run_rule`.
    """
    from participa.rules.registry import run_rule

    election = territory_election(state, territory, profile, plan=plan)
    outcome = run_rule(rule, election, utility=utility, completion=completion)
    return OutcomePublished(territory, outcome, start_by=start_by)


def accounts(state: RoundState, *, as_of: str) -> AccountabilityReport:
    """The accountability report of a round at ``as_of`` (promised, committed, spent)."""
    return accountability_report(state.ledger, as_of=as_of)
