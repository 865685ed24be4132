"""How each project is financed under a plan: contributions, matches, shortfalls, net cost."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.i18n import _, use_language
from participa.model import Project
from participa.money import Currency

if TYPE_CHECKING:
    from participa.model import Election

from participa.boundary import checked, typed_fields
from participa.cofinancing.plan import (
    CofinancingPlan,
    ContributorKind,
    Pledge,
    PledgeKind,
    PledgeStatus,
    _project,
    _projects,
)

__all__ = [
    "PledgeTotals",
    "ProjectFinancing",
    "Shortfall",
    "community_share",
    "financing",
    "net_cost",
    "net_costs",
    "net_election",
    "pledge_totals",
    "required_amount",
    "shortfalls",
]


@serialize.register("participa.cofinancing.ProjectFinancing")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ProjectFinancing:
    """How one project is financed under a plan (all amounts in minor units).

    ``cost == net_cost + covered`` and
    ``community + institutions + matched == covered + surplus`` always hold.

    Parameters
    ----------
    project_id, cost
        The project and its full cost.
    community, institutions
        Counted contributions from the population and from other institutions.
    matched
        Matching money from the plan's matching rules.
    covered
        The part of the cost paid by contributions and matches (at most the cost).
    net_cost
        What the project still draws from the PB envelope (never negative).
    surplus
        Contributions and matches beyond the cost.
    required
        Amount the required-share rule asks for (0 without a rule).
    toward_required
        Counted contributions that count toward the requirement.
    """

    project_id: str
    cost: int
    community: int
    institutions: int
    matched: int
    covered: int
    net_cost: int
    surplus: int
    required: int
    toward_required: int

    @property
    def contributed(self) -> int:
        """Counted contributions from everyone (without matches)."""
        return self.community + self.institutions

    @property
    def missing(self) -> int:
        """How much the requirement still lacks (0 when met)."""
        return max(0, self.required - self.toward_required)


@serialize.register("participa.cofinancing.Shortfall")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class Shortfall:
    """A project whose counted contributions fall short of the required share.

    Parameters
    ----------
    project_id
        The project.
    cost
        Its cost.
    required_share
        The share required (e.g. 1/5).
    required
        The amount required, ``ceil(cost * required_share)``.
    counted
        Counted contributions toward the requirement.
    missing
        ``required - counted`` (> 0).
    """

    project_id: str
    cost: int
    required_share: Fraction
    required: int
    counted: int
    missing: int

    @property
    def share_pledged(self) -> Fraction:
        """Counted contributions as a share of the cost."""
        return Fraction(self.counted, self.cost) if self.cost else Fraction(1)

    def __str__(self) -> str:
        return self.to_text()

    @checked
    def to_text(self, currency: Currency | None = None, *, lang: str | None = None) -> str:
        """One line for a person, amounts shown as money in ``currency``.

        Without a currency the amounts are plain minor units (the plan does not know its
        money); ``lang`` chooses the language.

        >>> s = Shortfall("A", 600000, Fraction(1, 5), 120000, 100000, 20000)
        >>> s.to_text(Currency("PEN", 100)).split("; ")
        ["project 'A': S/ 1,000.00 of the required S/ 1,200.00 (1/5 of S/ 6,000.00) is pledged",
         'S/ 200.00 missing']
        >>> print(s.to_text(Currency("PEN", 100), lang="es").split(";")[1])
         faltan S/ 200.00
        """
        money = (currency or Currency()).format
        with use_language(lang):
            return _(
                "project {id!r}: {counted} of the required {required} ({share} of {cost}) "
                "is pledged; {missing} missing",
                id=self.project_id,
                counted=money(self.counted),
                required=money(self.required),
                share=self.required_share,
                cost=money(self.cost),
                missing=money(self.missing),
            )


def _frozen_ints(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


@serialize.register("participa.cofinancing.PledgeTotals")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class PledgeTotals:
    """Pledge values summed every way (every pledge, whatever its status).

    Each breakdown sums to ``total``: nothing is lost or counted twice.
    """

    total: int
    by_status: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)
    by_kind: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)
    by_source: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)
    by_project: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)


def _plan(plan: object) -> None:
    if not isinstance(plan, CofinancingPlan):
        raise ValidationError(_("expected a CofinancingPlan, got {value!r}", value=plan))


def _election(election: object) -> None:
    from participa.model import Election

    if not isinstance(election, Election):
        raise ValidationError(_("expected an Election, got {value!r}", value=election))


def _sum(pledges: Iterable[Pledge]) -> int:
    return sum((p.value for p in pledges), 0)


@checked
def financing(plan: CofinancingPlan, project: Project) -> ProjectFinancing:
    """How ``project`` is financed under ``plan``: contributions, matches, net cost.

    Examples
    --------
    >>> plan = CofinancingPlan((
    ...     Pledge.materials("C1", "P1", 30_000, description="cement"),
    ...     Pledge.money("N1", "P1", 90_000, source=ContributorKind.INSTITUTION),
    ... ))
    >>> f = financing(plan, Project("P1", 100_000))
    >>> f.covered, f.net_cost, f.surplus
    (100000, 0, 20000)
    """
    _plan(plan)
    _project(project)
    counted = plan.counted(project.id)
    community = _sum(p for p in counted if p.source is ContributorKind.COMMUNITY)
    institutions = _sum(p for p in counted if p.source is ContributorKind.INSTITUTION)
    matched = sum(
        (rule.match(_sum(p for p in counted if rule.applies_to(p))) for rule in plan.matching), 0
    )
    offered = community + institutions + matched
    covered = min(project.cost, offered)
    req = plan.required
    required = 0 if req is None else req.required(project.cost)
    toward = (
        0
        if req is None
        else _sum(p for p in counted if p.source in req.sources and p.kind in req.kinds)
    )
    return ProjectFinancing(
        project_id=project.id,
        cost=project.cost,
        community=community,
        institutions=institutions,
        matched=matched,
        covered=covered,
        net_cost=project.cost - covered,
        surplus=offered - covered,
        required=required,
        toward_required=toward,
    )


@checked
def community_share(plan: CofinancingPlan, project: Project) -> Fraction:
    """The share of ``project``'s cost covered by counted contributions toward the
    required share (by default: the community's), at most 1.

    Without a required-share rule, the community's counted contributions are used.
    A project that costs nothing has share 1 (nothing is needed).

    Examples
    --------
    >>> from participa.cofinancing import RequiredShare
    >>> plan = CofinancingPlan((Pledge.money("M1", "P1", 250),), required=RequiredShare(0.2))
    >>> community_share(plan, Project("P1", 1000))
    Fraction(1, 4)
    """
    _plan(plan)
    _project(project)
    if project.cost == 0:
        return Fraction(1)
    f = financing(plan, project)
    given = f.toward_required if plan.required is not None else f.community
    return min(Fraction(1), Fraction(given, project.cost))


@checked
def required_amount(plan: CofinancingPlan, project: Project) -> int:
    """The amount the plan's required share asks of ``project`` (0 without a rule)."""
    _plan(plan)
    _project(project)
    return 0 if plan.required is None else plan.required.required(project.cost)


@checked
def shortfalls(
    plan: CofinancingPlan, projects: Iterable[Project], *, check_unknown: bool = True
) -> tuple[Shortfall, ...]:
    """The projects whose counted contributions fall short of the required share.

    Parameters
    ----------
    plan
        The co-financing plan. Without a required share nothing falls short.
    projects
        The projects to check; the result follows their order.
    check_unknown
        When true (the default), a pledge for a project not in ``projects`` raises
        :class:`~participa.ValidationError`. Pass ``False`` to check a subset.

    Returns
    -------
    tuple of Shortfall
        One per project that falls short, with the amount missing.

    Examples
    --------
    >>> from participa.cofinancing import RequiredShare
    >>> plan = CofinancingPlan(
    ...     (Pledge.labour("L1", "A", hours=10, rate=100),), required=RequiredShare(0.2))
    >>> [str(s) for s in shortfalls(plan, [Project("A", 6000), Project("B", 0)])]
    ["project 'A': 1,000 of the required 1,200 (1/5 of 6,000) is pledged; 200 missing"]
    """
    _plan(plan)
    projects = _projects(projects)
    ps = tuple(projects)
    if check_unknown:
        plan.validate(ps)
    req = plan.required
    if req is None:
        return ()
    out = []
    for p in ps:
        f = financing(plan, p)
        if f.missing > 0:
            out.append(
                Shortfall(
                    project_id=p.id,
                    cost=p.cost,
                    required_share=req.share,
                    required=f.required,
                    counted=f.toward_required,
                    missing=f.missing,
                )
            )
    return tuple(out)


@checked
def net_cost(plan: CofinancingPlan, project: Project) -> int:
    """What ``project`` still draws from the PB envelope: cost minus what contributions and
    matches cover, never negative.

    >>> net_cost(CofinancingPlan((Pledge.money("M", "P", 900),)), Project("P", 500))
    0
    """
    _plan(plan)
    _project(project)
    return financing(plan, project).net_cost


@checked
def net_costs(
    plan: CofinancingPlan, projects: Iterable[Project], *, check_unknown: bool = True
) -> Mapping[str, int]:
    """Net cost of every project, keyed by id in the projects' order.

    Feed it to :meth:`participa.Election.with_costs` (or use :func:`net_election`) so a
    rule runs on net costs.
    """
    _plan(plan)
    projects = _projects(projects)
    ps = tuple(projects)
    if check_unknown:
        plan.validate(ps)
    return MappingProxyType({p.id: net_cost(plan, p) for p in ps})


@checked
def net_election(plan: CofinancingPlan, election: Election) -> Election:
    """The election with every project's cost replaced by its net cost under ``plan``.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile
    >>> e = Election(100, (Project("a", 80), Project("b", 50)),
    ...              Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a", "b"]]))
    >>> net_election(CofinancingPlan((Pledge.money("m", "a", 30),)), e).costs.tolist()
    [50, 50]
    """
    _plan(plan)
    _election(election)
    return election.with_costs(net_costs(plan, election.projects))


@checked
def pledge_totals(plan: CofinancingPlan) -> PledgeTotals:
    """Every pledge's value summed by status, kind, source and project.

    Keys are the enums' values (``"pledged"``, ``"labour"``, ``"community"``) and project
    ids, in sorted order so the result never depends on the pledges' order.

    >>> t = pledge_totals(CofinancingPlan((Pledge.money("a", "P", 5),
    ...     Pledge.labour("b", "P", hours=2, rate=3, status=PledgeStatus.RECEIVED))))
    >>> t.total, dict(t.by_status), dict(t.by_kind)
    (11, {'pledged': 5, 'received': 6, 'withdrawn': 0}, {'labour': 6, 'materials': 0, 'money': 5})
    """
    _plan(plan)

    def by(key: Any, keys: Sequence[str]) -> dict[str, int]:
        out = dict.fromkeys(sorted(keys), 0)
        for p in plan.pledges:
            out[key(p)] += p.value
        return out

    return PledgeTotals(
        total=_sum(plan.pledges),
        by_status=by(lambda p: p.status.value, [s.value for s in PledgeStatus]),
        by_kind=by(lambda p: p.kind.value, [k.value for k in PledgeKind]),
        by_source=by(lambda p: p.source.value, [s.value for s in ContributorKind]),
        by_project=by(lambda p: p.project_id, list({p.project_id for p in plan.pledges})),
    )
