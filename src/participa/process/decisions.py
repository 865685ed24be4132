"""The decisions of a PB round: each one a payload, its reducer and its guards, registered once.

A decision class records what was decided (``Allocated``, ``Reviewed``,
``OutcomePublished``, ``Committed``, ...), names itself (``kind``, the name a
phase lists in ``allows``), and applies itself to the round's state
(``apply(state, at)``: the new :class:`~participa.process.RoundState`, or a
:class:`~participa.ValidationError` saying which rule of the round it breaks).
``@ROUND.decision(...)`` registers it with the engine and the JSON codec, with
the named guards that concern it. Phases only *record* here: the values come
from the pure functions of :mod:`participa.process.flow`.

Money is conserved at every decision: allocations fit the envelope; an outcome
names only the round's proposals of its territory, funds none above its
(reviewed) cost and hands out at most the territory's allocation; commitments,
spending and reallocations name only the round's proposals and keep
``spent <= committed <= promised`` per project.

Examples
--------
>>> from participa.model import Project
>>> from participa.outcome import Outcome
>>> from participa.phases import Machine, presets
>>> m = Machine(presets.ley_28056())
>>> r = m.start(round_id="r", actor="a", at="2024-01-01T00:00:00Z", envelope=100)
>>> r = m.record(r, Allocated({"T": 100}), actor="a", at="2024-01-01T00:00:00Z")
>>> r = m.fire(r, "concertar", actor="a", at="2024-01-02T00:00:00Z")
>>> r = m.record(r, Proposed((Project("a", 60, territory="T"),)), actor="a",
...              at="2024-01-02T00:00:00Z")
>>> stray = Outcome("greedy", 100, {"a": 60, "zz": 40}, ("a", "zz"), 100)
>>> m.record(r, OutcomePublished("T", stray), actor="a", at="2024-01-03T00:00:00Z")
Traceback (most recent call last):
...
participa.errors.ValidationError: outcome for territory 'T' names projects the round never had: ...
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from participa import serialize
from participa.allocation.pooling import check_pools, pool_map
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import _
from participa.ledger import timestamp
from participa.model import Project
from participa.outcome import Outcome
from participa.phases.guards import Guard
from participa.process.round import ROUND, RoundState, amount

__all__ = [
    "DECISIONS",
    "PLAN_FACT",
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
    "Spent",
    "allocation_made",
    "approved",
    "ballots_closed",
    "fact",
    "outcomes_published",
    "plan_loaded",
    "proposals_registered",
    "review_complete",
]


def _text(what: str, value: object, *, empty: bool = True) -> str:
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise ValidationError(
            _("{what} must be a non-empty string, got {value!r}", what=what, value=value)
            if not empty
            else _("{what} must be a string, got {value!r}", what=what, value=value)
        )
    return value


def _id(what: str, value: object) -> str:
    return _text(what, value, empty=False)


def _amounts(value: Mapping[str, int] | None) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            _("amounts must map territory ids to minor units, got {value!r}", value=value)
        )
    out: dict[str, int] = {}
    for t, a in value.items():
        _id(_("a territory id"), t)
        if isinstance(a, bool) or not isinstance(a, int) or a < 0:
            raise ValidationError(
                _(
                    "allocation to territory {territory!r} must be a non-negative integer, "
                    "got {value!r}",
                    territory=t,
                    value=a,
                )
            )
        out[t] = a
    return MappingProxyType(out)


def _ids(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise ValidationError(_("expected a sequence of project ids, got {value!r}", value=value))
    return tuple(_id(_("a project id"), v) for v in value)


def _reasons(value: Mapping[str, str] | None) -> Mapping[str, str]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError(_("expected project id → reason, got {value!r}", value=value))
    return MappingProxyType(
        {_id(_("a project id"), k): _text(_("a reason"), v) for k, v in value.items()}
    )


def _costs(value: Mapping[str, int] | None) -> Mapping[str, int]:
    if value is None:
        return MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError(_("expected project id → cost, got {value!r}", value=value))
    return MappingProxyType(
        {
            _id(_("a project id"), k): amount(_("a revised cost"), v, k, zero=True)
            for k, v in value.items()
        }
    )


def _projects(value: Iterable[Project]) -> tuple[Project, ...]:
    if isinstance(value, Project):
        value = (value,)
    raw: object = value
    if isinstance(raw, str) or not isinstance(value, Iterable):
        raise ValidationError(_("expected a sequence of projects, got {value!r}", value=value))
    out = tuple(value)
    bad = [p for p in out if not isinstance(p, Project)]
    if bad:
        raise ValidationError(_("expected projects, got {bad!r}", bad=bad[:3]))
    return out


def _opt_ts(value: str | None) -> str | None:
    return None if value is None else timestamp(value)


def _known(state: RoundState, what: str, project_id: str) -> None:
    if project_id not in state.proposal_ids:
        raise ValidationError(
            _(
                "{what} names project {project_id!r}, which round {round_id!r} never had",
                what=what,
                project_id=project_id,
                round_id=state.round_id,
            ),
            project_id=project_id,
            hint=_("register it with Proposed first"),
        )


# --------------------------------------------------------------------------- approvals, notes


@checked
def approved(subject: str) -> Guard:
    """A guard that blocks until ``subject`` has been approved (``Approved(subject)``)."""

    def guard(state: RoundState) -> str | None:
        if subject in state.approvals:
            return None
        return _(
            "{subject!r} has not been approved yet (record Approved({subject!r}))",
            subject=subject,
        )

    return guard


@checked
def fact(key: str) -> Guard:
    """A guard that blocks until the application recorded ``Noted(key, ...)``."""

    def guard(state: RoundState) -> str | None:
        return None if key in state.facts else _("fact {key!r} has not been recorded", key=key)

    return guard


@ROUND.decision(everywhere=True, families={"approved": approved})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Approved:
    """A body approved something (``subject``), e.g. the council approving the formalisation."""

    kind: ClassVar[str] = "approve"
    subject: str
    body: str = ""
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        _id(_("the approved subject"), self.subject)
        _text(_("the approving body"), self.body)
        _text(_("the reference"), self.reference)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Record the approval."""
        return attrs.evolve(state, approvals={**state.approvals, self.subject: self.body})


PLAN_FACT = "development_plan"
"""The ``Noted`` key under which a round's log records its development plan."""


@checked
def plan_loaded(state: RoundState) -> str | None:
    """Block until the development plan has been recorded (``Noted(PLAN_FACT, ...)``)."""
    if PLAN_FACT in state.facts:
        return None
    return _("no development plan has been loaded (record it with participa.plan.plan_noted(plan))")


@ROUND.decision(everywhere=True, families={"fact": fact}, guards={"plan_loaded": plan_loaded})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Noted:
    """An application fact (``key`` → ``value``) that app-defined guards may look at."""

    kind: ClassVar[str] = "note"
    key: str
    value: str = ""

    def __attrs_post_init__(self) -> None:
        _id(_("a fact's key"), self.key)
        _text(_("a fact's value"), self.value)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Record the fact."""
        return attrs.evolve(state, facts={**state.facts, self.key: self.value})


# --------------------------------------------------------------------------- allocation


@checked
def allocation_made(state: RoundState) -> str | None:
    """Block until the envelope has been split among territories."""
    if not state.allocation:
        return _("the budget has not been assigned to territories yet (record an allocation)")
    return None


@ROUND.decision(guards={"allocation_made": allocation_made})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Allocated:
    """The envelope was split among territories (territory id → minor units).

    ``pools`` (``{pool name: member territory ids}``, see
    :mod:`participa.allocation.pooling`) records territories that put their money together
    into one joint envelope; :func:`~participa.process.round_elections` then gives each
    pool one election.
    """

    kind: ClassVar[str] = "allocate"
    amounts: Mapping[str, int] = attrs.field(converter=_amounts, hash=False)
    method: str = ""
    pools: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, converter=pool_map, hash=False, metadata={serialize.OMIT_DEFAULT: True}
    )

    def __attrs_post_init__(self) -> None:
        _text(_("the allocation method"), self.method)
        check_pools(self.pools, self.amounts)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Record the split; at most the envelope, and not after outcomes were published."""
        total = sum(self.amounts.values())
        if total > state.envelope:
            raise ValidationError(
                _(
                    "allocation of {total} exceeds the round's envelope of {envelope}",
                    total=total,
                    envelope=state.envelope,
                ),
                hint=_("allocate at most the envelope given when the round started"),
            )
        if state.outcomes:
            raise ValidationError(
                _("cannot change the allocation after outcomes were published"),
                hint=_("record reallocations in the ledger instead"),
            )
        return attrs.evolve(state, allocation=dict(self.amounts), pools=self.pools)


# --------------------------------------------------------------------------- proposals, pledges


@checked
def proposals_registered(state: RoundState) -> str | None:
    """Block until at least one proposal is registered."""
    return None if state.proposals else _("no proposals have been registered")


@ROUND.decision(guards={"proposals_registered": proposals_registered})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Proposed:
    """Proposals were registered (every field of each project is kept)."""

    kind: ClassVar[str] = "propose"
    projects: tuple[Project, ...] = attrs.field(converter=_projects)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Register the proposals: new ids, in territories that have an allocation (or in a
        pool of them: the pool's joint projects)."""
        have = state.proposal_ids
        ids = [q.id for q in self.projects]
        dup = sorted({i for i in ids if i in have or ids.count(i) > 1})
        if dup:
            raise ValidationError(
                _("proposals registered twice: {ids}", ids=dup), hint=_("use new ids")
            )
        if state.allocation:
            stray = sorted(
                q.id
                for q in self.projects
                if q.territory is not None
                and q.territory not in state.allocation
                and q.territory not in state.pools
            )
            if stray:
                raise ValidationError(
                    _("proposals {ids} belong to territories with no allocation", ids=stray),
                    hint=_("territories: {names}", names=", ".join(state.allocation)),
                )
        return attrs.evolve(state, proposals=(*state.proposals, *self.projects))


@ROUND.decision()
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Pledged:
    """A co-financing pledge (valued in minor units) was made for a project."""

    kind: ClassVar[str] = "pledge"
    project_id: str
    amount: int
    pledger: str = ""
    form: str = "money"

    def __attrs_post_init__(self) -> None:
        _id(_("a project id"), self.project_id)
        amount(_("a pledge"), self.amount, self.project_id)
        _text(_("the pledger"), self.pledger)
        _text(_("the pledge's form"), self.form)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Add the pledge; pledges never exceed the project's cost."""
        _known(state, _("a pledge"), self.project_id)
        prop = state.proposal(self.project_id)
        total = state.pledges.get(self.project_id, 0) + self.amount
        if total > prop.cost:
            raise ValidationError(
                _(
                    "pledges of {total} exceed the project's cost of {cost}",
                    total=total,
                    cost=prop.cost,
                ),
                project_id=self.project_id,
            )
        return attrs.evolve(state, pledges={**state.pledges, self.project_id: total})


# --------------------------------------------------------------------------- review


@checked
def review_complete(state: RoundState) -> str | None:
    """Block until the feasibility review has covered every proposal (no vote before it)."""
    if not state.reviewed:
        return _("the feasibility review is not complete")
    seen = set(state.eligible) | set(state.rejected)
    missing = [p.id for p in state.proposals if p.id not in seen]
    if missing:
        return _("the feasibility review has not covered projects {ids}", ids=missing)
    return None


@ROUND.decision(guards={"review_complete": review_complete})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Reviewed:
    """The feasibility review is done: eligible ids, rejected ids with reasons, revised costs."""

    kind: ClassVar[str] = "review"
    eligible: tuple[str, ...] = attrs.field(converter=_ids)
    rejected: Mapping[str, str] = attrs.field(factory=dict, converter=_reasons, hash=False)
    costs: Mapping[str, int] = attrs.field(factory=dict, converter=_costs, hash=False)

    def __attrs_post_init__(self) -> None:
        both = sorted(set(self.eligible) & set(self.rejected))
        if both:
            raise ValidationError(_("projects both eligible and rejected: {ids}", ids=both))
        empty = sorted(p for p, r in self.rejected.items() if not r.strip())
        if empty:
            raise ValidationError(
                _("rejected projects without a reason: {ids}", ids=empty),
                hint=_("say why each project is unfeasible"),
            )

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Record the review; it names only the round's proposals."""
        stray = sorted(
            (set(self.eligible) | set(self.rejected) | set(self.costs)) - state.proposal_ids
        )
        if stray:
            raise ValidationError(
                _("review names projects that were never proposed: {ids}", ids=stray),
                hint=_("register them with Proposed first"),
            )
        return attrs.evolve(
            state,
            reviewed=True,
            eligible=self.eligible,
            rejected=dict(self.rejected),
            reviewed_costs=dict(self.costs),
        )


# --------------------------------------------------------------------------- ballots


@checked
def ballots_closed(state: RoundState) -> str | None:
    """Block until voting closed in every allocated territory (or anywhere, without one)."""
    terr = list(state.allocation)
    if not terr:
        return None if state.ballots else _("no ballots have been closed")
    open_ = [t for t in terr if t not in state.ballots]
    return _("voting is still open in territories {ids}", ids=open_) if open_ else None


@ROUND.decision(guards={"ballots_closed": ballots_closed})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class BallotsClosed:
    """Voting closed in a territory: how many voters, and a digest of the ballots."""

    kind: ClassVar[str] = "close_ballots"
    territory: str
    voters: int = 0
    digest: str = ""

    def __attrs_post_init__(self) -> None:
        _id(_("a territory id"), self.territory)
        v = self.voters
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise ValidationError(_("voter count must be an integer >= 0, got {value!r}", value=v))
        _text(_("the ballots' digest"), self.digest)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Close voting in an allocated territory, once."""
        if state.allocation and self.territory not in state.allocation:
            raise ValidationError(
                _("territory {territory!r} has no allocation", territory=self.territory)
            )
        if self.territory in state.ballots:
            raise ValidationError(
                _("voting in territory {territory!r} was already closed", territory=self.territory)
            )
        return attrs.evolve(state, ballots={**state.ballots, self.territory: self.voters})


# --------------------------------------------------------------------------- outcomes


@checked
def outcomes_published(state: RoundState) -> str | None:
    """Block until every allocated territory has a published outcome."""
    terr = list(state.allocation)
    if not terr:
        return None if state.outcomes else _("no outcome has been published")
    missing = [t for t in terr if t not in state.outcomes]
    return _("no published outcome for territories {ids}", ids=missing) if missing else None


def _outcome(value: object) -> Outcome:
    if not isinstance(value, Outcome):
        raise ValidationError(_("expected an Outcome, got {value!r}", value=value))
    return value


@ROUND.decision(guards={"outcomes_published": outcomes_published})
@attrs.frozen(slots=True, field_transformer=typed_fields)
class OutcomePublished:
    """A territory's outcome was published; its funding becomes the promise in the ledger.

    ``start_by`` is when funded projects should start (first commitment).
    """

    kind: ClassVar[str] = "publish"
    territory: str
    outcome: Outcome = attrs.field(validator=lambda _s, _a, v: _outcome(v))
    start_by: str | None = attrs.field(default=None, converter=_opt_ts)

    def __attrs_post_init__(self) -> None:
        _id(_("a territory id"), self.territory)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Publish: only the round's eligible proposals of this territory, within its money."""
        o, t = self.outcome, self.territory
        if t in state.outcomes:
            raise ValidationError(
                _("an outcome for territory {territory!r} was already published", territory=t)
            )
        stray = sorted(set(o.funding) - state.proposal_ids)
        if stray:
            raise ValidationError(
                _(
                    "outcome for territory {territory!r} names projects the round never had: {ids}",
                    territory=t,
                    ids=stray,
                ),
                hint=_(
                    "run the rule on the round's proposals (participa.process.territory_elections)"
                ),
            )
        by_id = {p.id: p for p in state.proposals}
        elsewhere = sorted(pid for pid in o.funding if by_id[pid].territory not in (None, t))
        if elsewhere:
            raise ValidationError(
                _(
                    "outcome for territory {territory!r} names projects of other territories: "
                    "{ids}",
                    territory=t,
                    ids=elsewhere,
                )
            )
        over = sorted(
            pid
            for pid, f in o.funding.items()
            if f > state.reviewed_costs.get(pid, by_id[pid].cost)
        )
        if over:
            raise ValidationError(
                _(
                    "outcome for territory {territory!r} funds projects above their cost: {ids}",
                    territory=t,
                    ids=over,
                )
            )
        if state.allocation:
            if t not in state.allocation:
                raise ValidationError(_("territory {territory!r} has no allocation", territory=t))
            if o.total_funding > state.allocation[t]:
                raise ValidationError(
                    _(
                        "outcome for territory {territory!r} hands out {total}, more than its "
                        "allocation of {allocation}",
                        territory=t,
                        total=o.total_funding,
                        allocation=state.allocation[t],
                    )
                )
        elif state.promised + o.total_funding > state.envelope:
            raise ValidationError(
                _(
                    "outcomes would promise {total}, more than the envelope of {envelope}",
                    total=state.promised + o.total_funding,
                    envelope=state.envelope,
                )
            )
        funded = [pid for pid, f in o.funding.items() if f > 0]
        if state.reviewed:
            bad = sorted(set(funded) - set(state.eligible))
            if bad:
                raise ValidationError(
                    _(
                        "outcome for territory {territory!r} funds projects not found "
                        "eligible: {ids}",
                        territory=t,
                        ids=bad,
                    ),
                    hint=_("run the rule on the eligible projects only"),
                )
        already = [pid for pid in funded if any(pid in q.funding for q in state.outcomes.values())]
        if already:
            raise ValidationError(
                _("projects {ids} are already funded by another outcome", ids=already)
            )
        ledger = state.ledger
        for pid in funded:
            ledger = ledger.promise(
                pid, o.funding[pid], at=at, territory=t, start_by=self.start_by, reference=o.rule
            )
        return attrs.evolve(state, outcomes={**state.outcomes, t: o}, ledger=ledger)


# --------------------------------------------------------------------------- money


@ROUND.decision()
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Committed:
    """Money committed to a project of the round."""

    kind: ClassVar[str] = "commit"
    project_id: str
    amount: int
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        _id(_("a project id"), self.project_id)
        amount(_("a commitment"), self.amount, self.project_id)
        _text(_("the reference"), self.reference)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Commit, at most the project's uncommitted promise."""
        _known(state, _("a commitment"), self.project_id)
        ledger = state.ledger.commit(self.project_id, self.amount, at=at, reference=self.reference)
        return attrs.evolve(state, ledger=ledger)


@ROUND.decision()
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Spent:
    """Money paid for a project of the round."""

    kind: ClassVar[str] = "spend"
    project_id: str
    amount: int
    reference: str = ""

    def __attrs_post_init__(self) -> None:
        _id(_("a project id"), self.project_id)
        amount(_("a payment"), self.amount, self.project_id)
        _text(_("the reference"), self.reference)

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Spend, at most the project's unspent commitment."""
        _known(state, _("a payment"), self.project_id)
        ledger = state.ledger.spend(self.project_id, self.amount, at=at, reference=self.reference)
        return attrs.evolve(state, ledger=ledger)


@ROUND.decision()
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Reallocated:
    """Uncommitted promise moved to another project, or back to the fund (``to_project=None``)."""

    kind: ClassVar[str] = "reallocate"
    project_id: str
    amount: int
    to_project: str | None = None
    territory: str | None = None
    reason: str = ""

    def __attrs_post_init__(self) -> None:
        _id(_("a project id"), self.project_id)
        amount(_("a reallocation"), self.amount, self.project_id)
        if self.to_project is not None:
            _id(_("the receiving project id"), self.to_project)
        if self.territory is not None:
            _id(_("a territory id"), self.territory)
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise ValidationError(
                _("a reallocation needs a reason"),
                project_id=self.project_id,
                hint=_("say who decided it and why (it is part of the accounts)"),
            )

    def apply(self, state: RoundState, at: str) -> RoundState:
        """Move promise between the round's projects (or back to the fund)."""
        _known(state, _("a reallocation"), self.project_id)
        territory = self.territory
        if self.to_project is not None:
            _known(state, _("a reallocation"), self.to_project)
            home = state.proposal(self.to_project).territory
            if territory is not None and home is not None and territory != home:
                raise ValidationError(
                    _(
                        "the receiving project belongs to territory {home!r}, not {territory!r}",
                        home=home,
                        territory=territory,
                    ),
                    project_id=self.to_project,
                )
            territory = territory if territory is not None else home
        ledger = state.ledger.reallocate(
            self.project_id,
            self.amount,
            at=at,
            to_project=self.to_project,
            territory=territory,
            reference=self.reason,
        )
        return attrs.evolve(state, ledger=ledger)


DECISIONS: tuple[str, ...] = tuple(k for k, d in ROUND.decisions.items() if not d.everywhere)
"""Decision kinds a phase may allow (``approve`` and ``note`` are allowed everywhere)."""

PAYLOAD_TYPES: tuple[type[Any], ...] = tuple(d.payload for d in ROUND.decisions.values())
"""Every decision payload class of the PB round."""
