"""Standard guards: typed predicates over a round's state that return ``None`` or a reason.

A guard is any ``Callable[[RoundState], str | None]``: ``None`` lets the
transition through, a string blocks it and is shown to people as the reason.
Specifications name guards; a :class:`~participa.phases.Machine` maps the names
to functions. Names with a colon are *families*: ``approved:council`` is the
``approved`` family applied to ``"council"``.

======================  =====================================================
name                    passes when
======================  =====================================================
``allocation_made``     the envelope was split among territories
``proposals_registered`` at least one proposal was registered
``review_complete``     the feasibility review covered every proposal
``ballots_closed``      voting closed in every allocated territory
``outcomes_published``  every allocated territory has a published outcome
``approved:<subject>``  an ``Approved(subject)`` event was recorded
``fact:<key>``          a ``Noted(key, ...)`` event was recorded
``plan_loaded``         a development plan was recorded (``participa.plan.plan_noted``)
``before_deadline:<p>`` the event's time is not after phase ``p``'s deadline
======================  =====================================================

The state a guard sees has ``now`` set to the time of the event being checked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING

from participa.i18n import _

if TYPE_CHECKING:
    from participa.phases.engine import RoundState

__all__ = [
    "PLAN_FACT",
    "Guard",
    "GuardFamily",
    "allocation_made",
    "approved",
    "ballots_closed",
    "before_deadline",
    "fact",
    "outcomes_published",
    "plan_loaded",
    "proposals_registered",
    "review_complete",
    "standard_families",
    "standard_guards",
]

Guard = Callable[["RoundState"], str | None]
"""A predicate over the round's state: ``None`` to allow, a reason to block."""

GuardFamily = Callable[[str], Guard]
"""Builds a guard from the text after the colon of its name."""


def allocation_made(state: RoundState) -> str | None:
    """Block until the envelope has been split among territories."""
    if not state.allocation:
        return "the budget has not been assigned to territories yet (record an allocation)"
    return None


def proposals_registered(state: RoundState) -> str | None:
    """Block until at least one proposal is registered."""
    return None if state.proposals else "no proposals have been registered"


def review_complete(state: RoundState) -> str | None:
    """Block until the feasibility review has covered every proposal (no vote before it)."""
    if not state.reviewed:
        return "the feasibility review is not complete"
    seen = set(state.eligible) | set(state.rejected)
    missing = [p.id for p in state.proposals if p.id not in seen]
    if missing:
        return f"the feasibility review has not covered projects {missing}"
    return None


def _territories(state: RoundState) -> list[str]:
    return list(state.allocation)


def ballots_closed(state: RoundState) -> str | None:
    """Block until voting closed in every allocated territory (or anywhere, without one)."""
    terr = _territories(state)
    if not terr:
        return None if state.ballots else "no ballots have been closed"
    open_ = [t for t in terr if t not in state.ballots]
    return f"voting is still open in territories {open_}" if open_ else None


def outcomes_published(state: RoundState) -> str | None:
    """Block until every allocated territory has a published outcome."""
    terr = _territories(state)
    if not terr:
        return None if state.outcomes else "no outcome has been published"
    missing = [t for t in terr if t not in state.outcomes]
    return f"no published outcome for territories {missing}" if missing else None


PLAN_FACT = "development_plan"
"""The ``Noted`` key under which a round's log records its development plan."""


def plan_loaded(state: RoundState) -> str | None:
    """Block until the development plan has been recorded (``Noted(PLAN_FACT, ...)``)."""
    if PLAN_FACT in state.facts:
        return None
    return _("no development plan has been loaded (record it with participa.plan.plan_noted(plan))")


def approved(subject: str) -> Guard:
    """A guard that blocks until ``subject`` has been approved (``Approved(subject)``)."""

    def guard(state: RoundState) -> str | None:
        if subject in state.approvals:
            return None
        return f"{subject!r} has not been approved yet (record Approved({subject!r}))"

    return guard


def fact(key: str) -> Guard:
    """A guard that blocks until the application recorded ``Noted(key, ...)``."""

    def guard(state: RoundState) -> str | None:
        return None if key in state.facts else f"fact {key!r} has not been recorded"

    return guard


def before_deadline(phase: str) -> Guard:
    """A guard that blocks once the event's time is past ``phase``'s deadline."""

    def guard(state: RoundState) -> str | None:
        deadline = state.deadline(phase)
        if deadline is not None and state.now > deadline:
            return f"the deadline of phase {phase!r} ({deadline}) has passed"
        return None

    return guard


def standard_guards() -> Mapping[str, Guard]:
    """The named standard guards (a fresh read-only mapping to extend with ``|``)."""
    return MappingProxyType(
        {
            "allocation_made": allocation_made,
            "proposals_registered": proposals_registered,
            "review_complete": review_complete,
            "ballots_closed": ballots_closed,
            "outcomes_published": outcomes_published,
            "plan_loaded": plan_loaded,
        }
    )


def standard_families() -> Mapping[str, GuardFamily]:
    """The standard guard families (``approved``, ``fact``, ``before_deadline``)."""
    return MappingProxyType(
        {"approved": approved, "fact": fact, "before_deadline": before_deadline}
    )
