"""Co-financing: what communities and institutions contribute, and what a project still costs.

From 2001 Villa El Salvador required the population to co-finance 20% of each
project's cost in labour, materials or other forms. This module records such
contributions as :class:`Pledge` values (money, labour valued as hours × a stated
hourly rate, materials valued in money), each with a :class:`PledgeStatus`, and
combines them in a :class:`CofinancingPlan` with

* a :class:`RequiredShare` (e.g. 20% of the cost from the community), checked by
  :func:`shortfalls`, which names every project that falls short and by how much;
* :class:`MatchingRule` values (e.g. the municipality adds 1 sol per sol the
  community gives in cash, up to a cap per project);
* the **net cost** a project draws from the PB envelope, :func:`net_cost`, never
  negative. :func:`net_election` hands an election with net costs to any rule.

Conventions (all amounts are integer minor units):

* A pledge's **value** is its amount (money, materials) or ``hours * rate`` (labour).
* Which pledges **count** is the plan's :class:`Counting`: ``PLEDGED`` (the default)
  counts pledged and received ones, ``RECEIVED`` only those already received.
  Withdrawn pledges never count.
* The **required** amount is ``ceil(cost * share)``: the community must give at least
  the share, so rounding never lowers the requirement.
* A **match** is ``floor(ratio * eligible)``, then capped: rounding never creates
  money the matcher did not promise. Matches do not count toward the community's
  required share.
* A project's contributions and matches **cover** at most its cost; the rest is its
  net cost and anything beyond the cost is reported as ``surplus``. So
  ``cost == net_cost + covered`` and ``contributed + matched == covered + surplus``.

Examples
--------
>>> from participa.model import Project
>>> road = Project("P1", 100_000)
>>> plan = CofinancingPlan(
...     pledges=(
...         Pledge.labour("L1", "P1", hours=400, rate=30, contributor="Junta vecinal"),
...         Pledge.money("M1", "P1", 5_000),
...     ),
...     required=RequiredShare.ves_2001(),
...     matching=(MatchingRule(ratio=Fraction(1), cap=4_000),),
... )
>>> community_share(plan, road)
Fraction(17, 100)
>>> [(s.project_id, s.required, s.counted, s.missing) for s in shortfalls(plan, [road])]
[('P1', 20000, 17000, 3000)]
>>> net_cost(plan, road)  # 100,000 - 17,000 given - 4,000 matched (1:1, capped)
79000
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.i18n import _, ngettext
from participa.model import Project

if TYPE_CHECKING:
    from participa.model import Election

__all__ = [
    "CofinancingPlan",
    "ContributorKind",
    "Counting",
    "MatchingRule",
    "Pledge",
    "PledgeKind",
    "PledgeStatus",
    "PledgeTotals",
    "ProjectFinancing",
    "RequiredShare",
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


class PledgeKind(enum.Enum):
    """What is contributed."""

    MONEY = "money"
    LABOUR = "labour"
    MATERIALS = "materials"


class ContributorKind(enum.Enum):
    """Who contributes: the population (community) or another institution (NGO, agency)."""

    COMMUNITY = "community"
    INSTITUTION = "institution"


class PledgeStatus(enum.Enum):
    """Where a pledge stands: promised, actually received, or withdrawn (never counts)."""

    PLEDGED = "pledged"
    RECEIVED = "received"
    WITHDRAWN = "withdrawn"


class Counting(enum.Enum):
    """Which pledges a plan counts: pledged-or-received (``PLEDGED``) or received only."""

    PLEDGED = "pledged"
    RECEIVED = "received"

    def counts(self, status: PledgeStatus) -> bool:
        """Whether a pledge with this status counts.

        >>> Counting.RECEIVED.counts(PledgeStatus.PLEDGED)
        False
        """
        if status is PledgeStatus.WITHDRAWN:
            return False
        return self is Counting.PLEDGED or status is PledgeStatus.RECEIVED


def _non_negative_int(what: str, value: object, *, pledge: str, project: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(
            f"pledge {pledge!r}: {what} must be a non-negative integer, got {value!r}",
            project_id=project,
            hint="money is integer minor units; labour is whole hours × a rate per hour",
        )


@attrs.frozen(slots=True)
class Pledge:
    """A contribution promised (or given) to one project.

    Prefer the named constructors :meth:`money`, :meth:`labour` and :meth:`materials`.

    Parameters
    ----------
    id
        Unique id of the pledge within a plan.
    project_id
        The project it is for.
    kind
        Money, labour or materials.
    source
        Community (the population) or another institution.
    contributor
        Who pledged (a neighbourhood committee, an NGO, ...), for reports.
    amount
        Money or the stated value of the materials, in minor units (0 for labour).
    hours
        Whole hours of labour (0 for money and materials).
    rate
        Value of one hour of labour, in minor units (0 for money and materials).
    status
        Pledged, received or withdrawn.
    description
        Free text (what materials, which task).

    Examples
    --------
    >>> Pledge.labour("L1", "P1", hours=120, rate=1250).value
    150000
    >>> Pledge.money("M1", "P1", -5)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: pledge 'M1': amount must be a non-negative integer, ...
    """

    id: str
    project_id: str
    kind: PledgeKind
    source: ContributorKind = ContributorKind.COMMUNITY
    contributor: str = ""
    amount: int = 0
    hours: int = 0
    rate: int = 0
    status: PledgeStatus = PledgeStatus.PLEDGED
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.id, str) or not self.id.strip():
            raise ValidationError(
                f"pledge id must be a non-empty string, got {self.id!r}",
                project_id=self.project_id if isinstance(self.project_id, str) else None,
            )
        if not isinstance(self.project_id, str) or not self.project_id.strip():
            raise ValidationError(
                f"pledge {self.id!r}: project id must be a non-empty string, "
                f"got {self.project_id!r}"
            )
        for what in ("amount", "hours", "rate"):
            _non_negative_int(what, getattr(self, what), pledge=self.id, project=self.project_id)
        if self.kind is PledgeKind.LABOUR:
            if self.amount:
                raise ValidationError(
                    f"pledge {self.id!r}: labour is valued as hours × rate, not an amount",
                    project_id=self.project_id,
                    hint="use Pledge.labour(..., hours=H, rate=R)",
                )
        elif self.hours or self.rate:
            raise ValidationError(
                f"pledge {self.id!r}: only labour pledges have hours and a rate",
                project_id=self.project_id,
                hint="give money and materials as an amount in minor units",
            )

    @classmethod
    def money(
        cls,
        id: str,
        project_id: str,
        amount: int,
        *,
        source: ContributorKind = ContributorKind.COMMUNITY,
        contributor: str = "",
        status: PledgeStatus = PledgeStatus.PLEDGED,
        description: str = "",
    ) -> Pledge:
        """A pledge of money (minor units)."""
        return cls(
            id,
            project_id,
            PledgeKind.MONEY,
            source,
            contributor,
            amount=amount,
            status=status,
            description=description,
        )

    @classmethod
    def labour(
        cls,
        id: str,
        project_id: str,
        *,
        hours: int,
        rate: int,
        source: ContributorKind = ContributorKind.COMMUNITY,
        contributor: str = "",
        status: PledgeStatus = PledgeStatus.PLEDGED,
        description: str = "",
    ) -> Pledge:
        """A pledge of ``hours`` of labour, each worth ``rate`` minor units."""
        return cls(
            id,
            project_id,
            PledgeKind.LABOUR,
            source,
            contributor,
            hours=hours,
            rate=rate,
            status=status,
            description=description,
        )

    @classmethod
    def materials(
        cls,
        id: str,
        project_id: str,
        value: int,
        *,
        source: ContributorKind = ContributorKind.COMMUNITY,
        contributor: str = "",
        status: PledgeStatus = PledgeStatus.PLEDGED,
        description: str = "",
    ) -> Pledge:
        """A pledge of materials whose stated value is ``value`` minor units."""
        return cls(
            id,
            project_id,
            PledgeKind.MATERIALS,
            source,
            contributor,
            amount=value,
            status=status,
            description=description,
        )

    @property
    def value(self) -> int:
        """The pledge's value in minor units: the amount, or hours × rate for labour."""
        if self.kind is PledgeKind.LABOUR:
            return self.hours * self.rate
        return self.amount


def _enum_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    return tuple(value)


def _fraction(value: object, what: str) -> Fraction:
    if isinstance(value, bool):
        raise ValidationError(f"{what} must be a number, got {value!r}")
    if isinstance(value, float):
        return Fraction(str(value))
    if isinstance(value, int | Fraction):
        return Fraction(value)
    if isinstance(value, str):
        try:
            return Fraction(value)
        except ValueError:
            pass
    raise ValidationError(f"{what} must be a number, got {value!r}")


def _share(value: object) -> Fraction:
    return _fraction(value, "share")


def _ratio(value: object) -> Fraction:
    return _fraction(value, "ratio")


@attrs.frozen(slots=True)
class RequiredShare:
    """The share of each project's cost that must come from given contributors.

    Parameters
    ----------
    share
        A fraction in ``[0, 1]`` (floats are read as their shortest decimal,
        ``0.2 → 1/5``).
    sources
        Whose pledges count toward it (default: the community).
    kinds
        Which kinds of pledge count (default: money, labour and materials).

    Examples
    --------
    >>> RequiredShare.ves_2001().share
    Fraction(1, 5)
    >>> RequiredShare(1.5)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: a required share must lie in [0, 1], got 3/2 ...
    """

    share: Fraction = attrs.field(converter=_share)
    sources: tuple[ContributorKind, ...] = attrs.field(
        default=(ContributorKind.COMMUNITY,), converter=_enum_tuple
    )
    kinds: tuple[PledgeKind, ...] = attrs.field(
        default=(PledgeKind.MONEY, PledgeKind.LABOUR, PledgeKind.MATERIALS),
        converter=_enum_tuple,
    )

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.share <= 1:
            raise ValidationError(
                f"a required share must lie in [0, 1], got {self.share}",
                hint="write 20% as Fraction(1, 5) or 0.2",
            )

    @classmethod
    def ves_2001(cls) -> RequiredShare:
        """Villa El Salvador's 2001 decree: 20% of each project's cost from the population,
        in labour, materials or other forms (seed paper)."""
        return cls(Fraction(1, 5))

    def required(self, cost: int) -> int:
        """The amount required for a project of this cost: ``ceil(cost * share)``.

        >>> RequiredShare(Fraction(1, 5)).required(101)
        21
        """
        q = cost * self.share
        return -((-q.numerator) // q.denominator)


@attrs.frozen(slots=True)
class MatchingRule:
    """An institution adds ``ratio`` per unit of eligible contributions, up to ``cap``.

    Parameters
    ----------
    ratio
        Matching money per unit contributed (``1`` for 1:1), ``>= 0``.
    cap
        Most a single project can receive from this rule (minor units), or ``None``.
    sources, kinds
        Which pledges are matched (default: community money).
    matcher
        Who pays the match, for reports (default ``"municipality"``).

    Examples
    --------
    >>> MatchingRule(ratio=Fraction(1, 2), cap=1000).match(3001)
    1000
    >>> MatchingRule(ratio=Fraction(1, 2)).match(3001)
    1500
    """

    ratio: Fraction = attrs.field(default=Fraction(1), converter=_ratio)
    cap: int | None = None
    sources: tuple[ContributorKind, ...] = attrs.field(
        default=(ContributorKind.COMMUNITY,), converter=_enum_tuple
    )
    kinds: tuple[PledgeKind, ...] = attrs.field(default=(PledgeKind.MONEY,), converter=_enum_tuple)
    matcher: str = "municipality"

    def __attrs_post_init__(self) -> None:
        if self.ratio < 0:
            raise ValidationError(f"a matching ratio must be >= 0, got {self.ratio}")
        c = self.cap
        if c is not None and (isinstance(c, bool) or not isinstance(c, int) or c < 0):
            raise ValidationError(
                f"a matching cap must be a non-negative integer number of minor units, got {c!r}"
            )

    def applies_to(self, pledge: Pledge) -> bool:
        """Whether this rule matches the pledge (its source and kind)."""
        return pledge.source in self.sources and pledge.kind in self.kinds

    def match(self, eligible: int) -> int:
        """Matching money for ``eligible`` counted contributions: ``floor(ratio*eligible)``,
        capped."""
        q = eligible * self.ratio
        m = q.numerator // q.denominator
        return m if self.cap is None else min(m, self.cap)


def _pledge_tuple(value: Iterable[Pledge]) -> tuple[Pledge, ...]:
    return tuple(value)


def _matching_tuple(value: Iterable[MatchingRule]) -> tuple[MatchingRule, ...]:
    return tuple(value)


@attrs.frozen(slots=True)
class CofinancingPlan:
    """All pledges of a round, the required share and the matching rules.

    Parameters
    ----------
    pledges
        The pledges, with unique ids (any order; results never depend on it).
    required
        The required-share rule, or ``None`` when nothing is required.
    matching
        Matching rules; their matches add up.
    counting
        Which pledges count (pledged-or-received, or received only).

    Examples
    --------
    >>> CofinancingPlan((Pledge.money("x", "P1", 1), Pledge.money("x", "P2", 2)))
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: duplicate pledge id 'x' [project 'P2'] ...
    """

    pledges: tuple[Pledge, ...] = attrs.field(default=(), converter=_pledge_tuple)
    required: RequiredShare | None = None
    matching: tuple[MatchingRule, ...] = attrs.field(default=(), converter=_matching_tuple)
    counting: Counting = Counting.PLEDGED

    def __repr__(self) -> str:
        from participa.display import summary

        projects = len({p.project_id for p in self.pledges})
        return summary(
            "CofinancingPlan",
            None,
            [
                ngettext("{n} pledge", "{n} pledges", len(self.pledges)),
                ngettext("{n} project", "{n} projects", projects),
                _("counting {counting}", counting=self.counting.value),
            ],
        )

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for p in self.pledges:
            if p.id in seen:
                raise ValidationError(
                    f"duplicate pledge id {p.id!r}",
                    project_id=p.project_id,
                    hint="give every pledge its own id",
                )
            seen.add(p.id)

    def for_project(self, project_id: str) -> tuple[Pledge, ...]:
        """The pledges for one project, in the plan's order."""
        return tuple(p for p in self.pledges if p.project_id == project_id)

    def counted(self, project_id: str) -> tuple[Pledge, ...]:
        """The pledges for one project that count under the plan's :class:`Counting`."""
        return tuple(
            p for p in self.pledges if p.project_id == project_id and self.counting.counts(p.status)
        )

    def validate(self, projects: Iterable[Project]) -> None:
        """Raise :class:`~participa.ValidationError` if a pledge names an unknown project.

        >>> CofinancingPlan((Pledge.money("M1", "P9", 10),)).validate([Project("P1", 5)])
        Traceback (most recent call last):
        ...
        participa.errors.ValidationError: pledge 'M1' is for an unknown project [project 'P9'] ...
        """
        known = {p.id for p in projects}
        for p in self.pledges:
            if p.project_id not in known:
                raise ValidationError(
                    f"pledge {p.id!r} is for an unknown project",
                    project_id=p.project_id,
                    hint="check the project id, or add the project before its pledges",
                )

    def with_pledge(self, pledge: Pledge) -> CofinancingPlan:
        """The same plan with one more pledge."""
        return attrs.evolve(self, pledges=(*self.pledges, pledge))

    def with_status(self, pledge_id: str, status: PledgeStatus) -> CofinancingPlan:
        """The same plan with one pledge's status changed (e.g. to ``RECEIVED``)."""
        if pledge_id not in {p.id for p in self.pledges}:
            raise ValidationError(f"unknown pledge id {pledge_id!r}")
        return attrs.evolve(
            self,
            pledges=tuple(
                attrs.evolve(p, status=status) if p.id == pledge_id else p for p in self.pledges
            ),
        )


@attrs.frozen(slots=True)
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


@attrs.frozen(slots=True)
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
        return (
            f"project {self.project_id!r}: {self.counted} of the required {self.required} "
            f"({self.required_share} of {self.cost}) is pledged; {self.missing} missing"
        )


def _frozen_ints(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


@attrs.frozen(slots=True)
class PledgeTotals:
    """Pledge values summed every way (every pledge, whatever its status).

    Each breakdown sums to ``total``: nothing is lost or counted twice.
    """

    total: int
    by_status: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)
    by_kind: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)
    by_source: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)
    by_project: Mapping[str, int] = attrs.field(converter=_frozen_ints, hash=False)


def _sum(pledges: Iterable[Pledge]) -> int:
    return sum((p.value for p in pledges), 0)


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


def community_share(plan: CofinancingPlan, project: Project) -> Fraction:
    """The share of ``project``'s cost covered by counted contributions toward the
    required share (by default: the community's), at most 1.

    Without a required-share rule, the community's counted contributions are used.
    A project that costs nothing has share 1 (nothing is needed).

    Examples
    --------
    >>> plan = CofinancingPlan((Pledge.money("M1", "P1", 250),), required=RequiredShare(0.2))
    >>> community_share(plan, Project("P1", 1000))
    Fraction(1, 4)
    """
    if project.cost == 0:
        return Fraction(1)
    f = financing(plan, project)
    given = f.toward_required if plan.required is not None else f.community
    return min(Fraction(1), Fraction(given, project.cost))


def required_amount(plan: CofinancingPlan, project: Project) -> int:
    """The amount the plan's required share asks of ``project`` (0 without a rule)."""
    return 0 if plan.required is None else plan.required.required(project.cost)


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
    >>> plan = CofinancingPlan(
    ...     (Pledge.labour("L1", "A", hours=10, rate=100),), required=RequiredShare(0.2))
    >>> [str(s) for s in shortfalls(plan, [Project("A", 6000), Project("B", 0)])]
    ["project 'A': 1000 of the required 1200 (1/5 of 6000) is pledged; 200 missing"]
    """
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


def net_cost(plan: CofinancingPlan, project: Project) -> int:
    """What ``project`` still draws from the PB envelope: cost minus what contributions and
    matches cover, never negative.

    >>> net_cost(CofinancingPlan((Pledge.money("M", "P", 900),)), Project("P", 500))
    0
    """
    return financing(plan, project).net_cost


def net_costs(
    plan: CofinancingPlan, projects: Iterable[Project], *, check_unknown: bool = True
) -> Mapping[str, int]:
    """Net cost of every project, keyed by id in the projects' order.

    Feed it to :meth:`participa.Election.with_costs` (or use :func:`net_election`) so a
    rule runs on net costs.
    """
    ps = tuple(projects)
    if check_unknown:
        plan.validate(ps)
    return MappingProxyType({p.id: net_cost(plan, p) for p in ps})


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
    return election.with_costs(net_costs(plan, election.projects))


def pledge_totals(plan: CofinancingPlan) -> PledgeTotals:
    """Every pledge's value summed by status, kind, source and project.

    Keys are the enums' values (``"pledged"``, ``"labour"``, ``"community"``) and project
    ids, in sorted order so the result never depends on the pledges' order.

    >>> t = pledge_totals(CofinancingPlan((Pledge.money("a", "P", 5),
    ...     Pledge.labour("b", "P", hours=2, rate=3, status=PledgeStatus.RECEIVED))))
    >>> t.total, dict(t.by_status), dict(t.by_kind)
    (11, {'pledged': 5, 'received': 6, 'withdrawn': 0}, {'labour': 6, 'materials': 0, 'money': 5})
    """

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


for _cls in (
    Pledge,
    RequiredShare,
    MatchingRule,
    CofinancingPlan,
    ProjectFinancing,
    Shortfall,
    PledgeTotals,
):
    serialize.register(_cls)
