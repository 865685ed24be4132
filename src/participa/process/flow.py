"""Pure functions from a round's values to elections, outcomes and decisions.

Every stage of a PB round is a pure function over values; phases only record
what happened. :func:`territory_elections` turns an allocation, the projects,
the ballots (and optionally a review and a co-financing plan) into one
:class:`~participa.Election` per territory, keeping every field of every
project; :func:`tally` runs a rule on one of them with typed options. The other
functions turn a stage's result into the decision that records it.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Iterable, Mapping
from typing import TYPE_CHECKING, Concatenate, ParamSpec, Protocol

import attrs

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.ledger import AccountabilityReport, accountability_report
from participa.model import Election, Profile, Project
from participa.outcome import Outcome
from participa.process.decisions import Allocated, Pledged, Proposed, Reviewed
from participa.process.round import RoundState

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
    "round_elections",
    "tally",
    "territory_election",
    "territory_elections",
]

P = ParamSpec("P")


class HasAmounts(Protocol):
    """Anything that says how much money each territory has (an ``Allocation``)."""

    @property
    def amounts(self) -> Mapping[str, int]: ...


class HasEligible(Protocol):
    """A review: the eligible project ids (a ``FeasibilityReport`` or a ``Reviewed``)."""

    @property
    def eligible(self) -> tuple[str, ...]: ...


def _amounts(allocation: HasAmounts | Mapping[str, int]) -> dict[str, int]:
    amounts = (
        allocation if isinstance(allocation, Mapping) else getattr(allocation, "amounts", None)
    )
    if not isinstance(amounts, Mapping):
        raise ValidationError(
            _(
                "an allocation must map territory ids to minor units, got {value!r}",
                value=allocation,
            ),
            hint=_("pass participa.allocation.allocate(...) or a dict"),
        )
    out: dict[str, int] = {}
    for t, a in amounts.items():
        if not isinstance(t, str) or isinstance(a, bool) or not isinstance(a, int) or a < 0:
            raise ValidationError(
                _(
                    "allocation to territory {territory!r} must be a non-negative integer, "
                    "got {value!r}",
                    territory=t,
                    value=a,
                )
            )
        out[t] = a
    return out


def _envelopes(
    amounts: dict[str, int], pools: Mapping[str, tuple[str, ...]]
) -> tuple[dict[str, int], Callable[[str | None], str | None]]:
    """Money per envelope, in allocation order, and the envelope a territory selects from.

    Without pools every territory is its own envelope; with pools a pool's members and
    the pool's joint projects share one envelope holding the members' money
    (:mod:`participa.allocation.pooling`).
    """
    from participa.allocation.pooling import check_pools, envelope_of, envelopes

    check_pools(pools, amounts)
    money = envelopes(amounts, pools)

    def route(key: str | None) -> str | None:
        return None if key is None else envelope_of(pools, amounts, key)

    order: list[str] = []
    for t in amounts:
        env = route(t)
        if env is not None and env not in order:
            order.append(env)
    return {env: money[env] for env in order}, route


@checked
def territory_elections(
    allocation: HasAmounts | Mapping[str, int],
    projects: Iterable[Project],
    profile: Profile | Mapping[str, Profile],
    *,
    review: HasEligible | None = None,
    cofinancing: CofinancingPlan | None = None,
    territories: Iterable[str] | None = None,
    pools: Mapping[str, Iterable[str]] | None = None,
    name: str = "",
) -> dict[str, Election]:
    """The election each territory votes on: its eligible projects, its allocation as budget.

    Parameters
    ----------
    allocation
        Territory id → money (an :class:`~participa.allocation.Allocation` or a mapping).
        An allocation with pools (:meth:`~participa.allocation.Allocation.pool`) gives one
        election per envelope: a pool's member territories vote together, on their own
        projects and the pool's joint ones (``territory`` the pool's name), with the
        members' money as budget.
    projects
        Every proposal, each with its ``territory``; every field is kept.
    profile
        The ballots: one district-wide profile (each territory keeps its own
        projects' columns) or territory id → profile.
    review
        Keeps only the projects it found eligible (a
        :class:`~participa.feasibility.FeasibilityReport` or a recorded
        :class:`~participa.process.Reviewed`, whose revised ``costs`` apply).
    cofinancing
        Replaces each cost by its net cost under the plan (what the budget pays).
    territories
        Only these territories or envelopes (default: every envelope of the allocation;
        a pooled territory stands for its pool).
    pools
        ``{pool name: member territory ids}``: joint envelopes (default: the
        allocation's own pools, none for a mapping).
    name
        Prefix of the elections' names (``"<name>/<territory>"``).

    Returns
    -------
    dict
        Territory (or pool) id → :class:`~participa.Election`, in allocation order.

    Raises
    ------
    ValidationError
        A project with no territory or one the allocation does not know, a
        territory asked for that has no allocation, or one with no eligible
        project on its ballot.

    Examples
    --------
    >>> from participa.model import BallotKind, Profile, Project
    >>> projects = (Project("a", 60, territory="N", dimension="health", beneficiaries=300),
    ...             Project("b", 50, territory="N"), Project("c", 40, territory="S"))
    >>> ballots = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
    ...                                [["a"], ["a", "b"], ["c"]])
    >>> es = territory_elections({"N": 100, "S": 40}, projects, ballots, name="demo")
    >>> {t: (e.budget, e.project_ids) for t, e in es.items()}
    {'N': (100, ('a', 'b')), 'S': (40, ('c',))}
    >>> es["N"].projects[0] == projects[0]      # every field kept
    True

    Pooled territories vote together on one envelope:

    >>> from participa.allocation import split_equally
    >>> from participa.model import Territory
    >>> a = split_equally(140, [Territory("N"), Territory("S")]).pool({"NS": ["N", "S"]})
    >>> {t: (e.budget, e.project_ids) for t, e in
    ...  territory_elections(a, projects, ballots).items()}
    {'NS': (140, ('a', 'b', 'c'))}
    """
    from participa.allocation.pooling import pool_map

    joint = pool_map(getattr(allocation, "pools", None) if pools is None else pools)
    amounts, envelope_of = _envelopes(_amounts(allocation), joint)
    wanted: list[str] = []
    unknown = []
    for t in amounts if territories is None else territories:
        env = envelope_of(t)
        if env is None:
            unknown.append(t)
        elif env not in wanted:
            wanted.append(env)
    if unknown:
        raise ValidationError(
            _("territories {ids} have no allocation", ids=unknown),
            hint=_("territories: {names}", names=", ".join(amounts)),
        )
    props = list(projects)
    bad = [p for p in props if not isinstance(p, Project)]
    if bad:
        raise ValidationError(_("expected projects, got {bad!r}", bad=bad[:3]))
    homeless = sorted(p.id for p in props if envelope_of(p.territory) is None)
    if homeless:
        raise ValidationError(
            _("projects {ids} have no territory the allocation knows", ids=homeless),
            hint=_("set each project's territory to one of: {names}", names=", ".join(amounts)),
        )
    keep: set[str] | None = None
    revised: Mapping[str, int] = {}
    if review is not None:
        keep = set(review.eligible)
        revised = getattr(review, "costs", None) or {}
    elections: dict[str, Election] = {}
    empty: list[str] = []
    for t in wanted:
        ballots = profile.get(t) if isinstance(profile, Mapping) else profile
        if not isinstance(ballots, Profile):
            raise ValidationError(
                _("no ballots (Profile) for territory {territory!r}", territory=t)
            )
        on_ballot = set(ballots.project_ids)
        mine = [
            p if revised.get(p.id, p.cost) == p.cost else attrs.evolve(p, cost=revised[p.id])
            for p in props
            if envelope_of(p.territory) == t
            and (keep is None or p.id in keep)
            and p.id in on_ballot
        ]
        if not mine:
            empty.append(t)
            continue
        ids = [p.id for p in mine]
        label = f"{name}/{t}" if name else t
        election = Election(amounts[t], tuple(mine), ballots.select_projects(ids), name=label)
        if cofinancing is not None:
            from participa.cofinancing import net_election

            mine_pledges = tuple(q for q in cofinancing.pledges if q.project_id in set(ids))
            election = net_election(attrs.evolve(cofinancing, pledges=mine_pledges), election)
        elections[t] = election
    if empty:
        raise ValidationError(
            _("no eligible proposal of territories {ids} is on the ballot", ids=empty),
            hint=_("check the review and the ballot's project ids, or pass territories=..."),
        )
    return elections


@checked
def round_elections(
    state: RoundState,
    profile: Profile | Mapping[str, Profile],
    *,
    cofinancing: CofinancingPlan | None = None,
    territories: Iterable[str] | None = None,
) -> dict[str, Election]:
    """:func:`territory_elections` from what a round recorded (allocation, proposals, review).

    Without an allocation the whole envelope goes to each territory asked for.
    """
    if not isinstance(state, RoundState):
        raise ValidationError(_("expected a RoundState, got {value!r}", value=state))
    amounts: Mapping[str, int] = state.allocation
    if not amounts:
        names = list(territories or ())
        if not names:
            raise ValidationError(
                _("round {round_id!r} has no allocation", round_id=state.round_id),
                hint=_("record one, or pass territories=... to give each the whole envelope"),
            )
        amounts = dict.fromkeys(names, state.envelope)
    review = (
        Reviewed(state.eligible, state.rejected, state.reviewed_costs) if state.reviewed else None
    )
    pools = state.pools if state.allocation else {}
    known = set(amounts) | set(pools)
    return territory_elections(
        amounts,
        (p for p in state.proposals if p.territory in known),
        profile,
        review=review,
        cofinancing=cofinancing,
        territories=territories,
        pools=pools,
        name=state.round_id,
    )


@checked
def territory_election(
    state: RoundState,
    territory: str,
    profile: Profile,
    *,
    plan: CofinancingPlan | None = None,
) -> Election:
    """The election one territory of a round votes on (see :func:`round_elections`).

    A territory that pooled its money votes in its pool's election (so does the pool's
    name).
    """
    from participa.allocation.pooling import envelope_of

    if not isinstance(territory, str):
        raise ValidationError(_("a territory id must be a string, got {value!r}", value=territory))
    envelope = envelope_of(state.pools, state.allocation, territory) if state.allocation else None
    if state.allocation and envelope is None:
        raise ValidationError(
            _(
                "territory {territory!r} has no allocation in round {round_id!r}",
                territory=territory,
                round_id=state.round_id,
            ),
            hint=_("territories: {names}", names=", ".join(state.allocation)),
        )
    try:
        return round_elections(state, profile, cofinancing=plan, territories=(territory,))[
            envelope or territory
        ]
    except ValidationError as exc:
        if "on the ballot" in exc.message:
            raise ValidationError(
                _(
                    "no eligible proposal of territory {territory!r} is on the ballot",
                    territory=territory,
                ),
                hint=_("check the review and the ballot's project ids"),
            ) from None
        raise


@checked
def tally(
    election: Election,
    rule: Callable[Concatenate[Election, P], Outcome],
    /,
    *args: P.args,
    **options: P.kwargs,
) -> Outcome:
    """Run ``rule`` on ``election`` with its own typed options; check what it returns.

    ``rule`` is a rule function (``participa.greedy``, ``participa.equal_shares``,
    ...), whose options (``tie_break=``, ``utility=``, ...) mypy checks against its
    own signature, or a registry entry (``participa.rules.registry.get_rule(name)``,
    where a name comes from a user). The options are checked against the rule's
    signature before it runs. The outcome must fund only the election's projects,
    none above its cost (so ``per_head(cap_at_cost=False)``, an analysis of
    over-funding, cannot be tallied), within the budget; record it with
    ``OutcomePublished(territory, outcome)``.

    Examples
    --------
    >>> from participa import greedy
    >>> from participa.model import BallotKind, Profile, Project
    >>> from participa.tiebreak import TieBreak
    >>> ballots = Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]])
    >>> e = territory_elections({"N": 60}, (Project("a", 60, territory="N"),
    ...                          Project("b", 60, territory="N")), ballots)["N"]
    >>> tally(e, greedy, tie_break=TieBreak.parse("id")).selected
    ('a',)
    >>> from participa.rules.registry import get_rule
    >>> tally(e, get_rule("greedy"), tie_break=TieBreak.parse("id")).selected
    ('a',)
    """
    if not isinstance(election, Election):
        raise ValidationError(_("expected an Election, got {value!r}", value=election))
    if not callable(rule):
        raise ValidationError(
            _("a rule must be a function, got {value!r}", value=rule),
            hint=_("pass e.g. participa.greedy, or get_rule(name).func"),
        )
    try:
        inspect.signature(rule).bind(election, *args, **options)
    except TypeError as exc:
        raise ValidationError(_("the rule refused its options: {error}", error=exc)) from None
    except ValueError:  # no signature to check (a builtin): let the call decide
        pass
    outcome = rule(election, *args, **options)
    if not isinstance(outcome, Outcome):
        raise ValidationError(_("a rule must return an Outcome, got {value!r}", value=outcome))
    costs = dict(zip(election.project_ids, (int(c) for c in election.costs), strict=True))
    stray = sorted(set(outcome.funding) - set(costs))
    over = sorted(p for p, f in outcome.funding.items() if p in costs and f > costs[p])
    if stray or over or outcome.total_funding > election.budget:
        raise ValidationError(
            _(
                "the rule's outcome does not fit its election: unknown projects {stray}, "
                "funded above cost {over}",
                stray=stray,
                over=over,
            )
        )
    return outcome


@checked
def allocated(allocation: Allocation) -> Allocated:
    """The decision recording a :class:`participa.allocation.Allocation`.

    ``method`` keeps the formula's name for the record; the allocation's pools are
    recorded too, so the round's elections follow them.
    """
    return Allocated(
        dict(allocation.amounts),
        method=allocation.formula.name or "formula",
        pools=allocation.pools,
    )


@checked
def proposed(projects: Iterable[Project]) -> Proposed:
    """The decision registering proposals (each with its ``territory``)."""
    return Proposed(tuple(projects))


@checked
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


@checked
def reviewed(report: FeasibilityReport) -> Reviewed:
    """The decision recording a feasibility report: eligible ids and each rejection's reasons."""
    rejected = {
        pid: "; ".join(report.report(pid).reasons) or "not feasible" for pid in report.ineligible
    }
    return Reviewed(tuple(report.eligible), rejected)


@checked
def accounts(state: RoundState, *, as_of: str) -> AccountabilityReport:
    """The accountability report of a round at ``as_of`` (promised, committed, spent)."""
    if not isinstance(state, RoundState):
        raise ValidationError(_("expected a RoundState, got {value!r}", value=state))
    return accountability_report(state.ledger, as_of=as_of)
