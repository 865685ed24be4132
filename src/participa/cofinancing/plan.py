"""Pledges, required shares, matching rules and the co-financing plan that holds them."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from participa import serialize
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _, ngettext
from participa.model import Project
from participa.validators import non_negative_int, optional_amount

if TYPE_CHECKING:
    pass

__all__ = [
    "CofinancingPlan",
    "ContributorKind",
    "Counting",
    "MatchingRule",
    "Pledge",
    "PledgeKind",
    "PledgeStatus",
    "RequiredShare",
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


def _non_negative_int(what: str, value: object, *, pledge: str, project: str) -> int:
    return non_negative_int(
        value, what=_("pledge {pledge!r}: {what}", pledge=pledge, what=what), project_id=project
    )


def _check_enum(
    value: object, cls: type[enum.Enum], what: str, *, pledge: str | None = None
) -> None:
    if not isinstance(value, cls):
        raise ValidationError(
            _(
                "{what} must be a {kind} member, got {value!r}",
                what=what
                if pledge is None
                else _("pledge {pledge!r}: {what}", pledge=pledge, what=what),
                kind=cls.__name__,
                value=value,
            ),
            hint=_(
                "use one of: {choices}", choices=", ".join(f"{cls.__name__}.{m.name}" for m in cls)
            ),
        )


@serialize.register("participa.cofinancing.Pledge")
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
                _("pledge id must be a non-empty string, got {id!r}", id=self.id),
                project_id=self.project_id if isinstance(self.project_id, str) else None,
            )
        if not isinstance(self.project_id, str) or not self.project_id.strip():
            raise ValidationError(
                _(
                    "pledge {id!r}: project id must be a non-empty string, got {project_id!r}",
                    id=self.id,
                    project_id=self.project_id,
                )
            )
        _check_enum(self.kind, PledgeKind, "kind", pledge=self.id)
        _check_enum(self.source, ContributorKind, "source", pledge=self.id)
        _check_enum(self.status, PledgeStatus, "status", pledge=self.id)
        for what in ("contributor", "description"):
            if not isinstance(getattr(self, what), str):
                raise ValidationError(
                    _(
                        "pledge {pledge!r}: {what} must be a string, got {value!r}",
                        pledge=self.id,
                        what=what,
                        value=getattr(self, what),
                    ),
                    project_id=self.project_id,
                )
        for what in ("amount", "hours", "rate"):
            n = _non_negative_int(
                what, getattr(self, what), pledge=self.id, project=self.project_id
            )
            object.__setattr__(self, what, n)
        if self.kind is PledgeKind.LABOUR:
            if self.amount:
                raise ValidationError(
                    _("pledge {id!r}: labour is valued as hours × rate, not an amount", id=self.id),
                    project_id=self.project_id,
                    hint=_("use Pledge.labour(..., hours=H, rate=R)"),
                )
        elif self.hours or self.rate:
            raise ValidationError(
                _("pledge {id!r}: only labour pledges have hours and a rate", id=self.id),
                project_id=self.project_id,
                hint=_("give money and materials as an amount in minor units"),
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


def _project(project: object) -> None:
    if not isinstance(project, Project):
        raise ValidationError(_("expected a Project, got {value!r}", value=project))


def _projects(projects: object) -> list[Project]:
    if isinstance(projects, str) or not isinstance(projects, Iterable):
        raise ValidationError(_("expected a sequence of projects, got {value!r}", value=projects))
    out = list(projects)
    for p in out:
        _project(p)
    return out


def _enum_tuple(value: Iterable[Any]) -> tuple[Any, ...]:
    if isinstance(value, str | enum.Enum) or not isinstance(value, Iterable):
        raise ValidationError(
            _("expected a sequence of enum members, got {value!r}", value=value),
            hint=_("write e.g. sources=(ContributorKind.COMMUNITY,)"),
        )
    return tuple(value)


def _check_members(values: tuple[Any, ...], cls: type[enum.Enum], what: str) -> None:
    for v in values:
        _check_enum(v, cls, what)


def _share(value: object) -> Fraction:
    return to_fraction(value, what=_("required share"))


def _ratio(value: object) -> Fraction:
    return to_fraction(value, what=_("matching ratio"))


@serialize.register("participa.cofinancing.RequiredShare")
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
        _check_members(self.sources, ContributorKind, "sources")
        _check_members(self.kinds, PledgeKind, "kinds")
        if not 0 <= self.share <= 1:
            raise ValidationError(
                _("a required share must lie in [0, 1], got {share}", share=self.share),
                hint=_("write 20% as Fraction(1, 5) or 0.2"),
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


@serialize.register("participa.cofinancing.MatchingRule")
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
        _check_members(self.sources, ContributorKind, "sources")
        _check_members(self.kinds, PledgeKind, "kinds")
        if not isinstance(self.matcher, str):
            raise ValidationError(_("matcher must be a string, got {value!r}", value=self.matcher))
        if self.ratio < 0:
            raise ValidationError(_("a matching ratio must be >= 0, got {ratio}", ratio=self.ratio))
        object.__setattr__(self, "cap", optional_amount(self.cap, what=_("a matching cap")))

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
    if isinstance(value, str | Pledge) or not isinstance(value, Iterable):
        raise ValidationError(
            _("pledges must be a sequence of Pledge values, got {value!r}", value=value)
        )
    return tuple(value)


def _matching_tuple(value: Iterable[MatchingRule]) -> tuple[MatchingRule, ...]:
    if isinstance(value, str | MatchingRule) or not isinstance(value, Iterable):
        raise ValidationError(
            _("matching must be a sequence of MatchingRule values, got {value!r}", value=value)
        )
    return tuple(value)


@serialize.register("participa.cofinancing.CofinancingPlan")
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
        for p in self.pledges:
            if not isinstance(p, Pledge):
                raise ValidationError(
                    _("a plan's pledges must be Pledge values, got {value!r}", value=p)
                )
        for m in self.matching:
            if not isinstance(m, MatchingRule):
                raise ValidationError(
                    _("a plan's matching rules must be MatchingRule values, got {value!r}", value=m)
                )
        if self.required is not None and not isinstance(self.required, RequiredShare):
            raise ValidationError(
                _("required must be a RequiredShare or None, got {value!r}", value=self.required),
                hint=_("write e.g. required=RequiredShare(Fraction(1, 5))"),
            )
        _check_enum(self.counting, Counting, "counting")
        seen: set[str] = set()
        for p in self.pledges:
            if p.id in seen:
                raise ValidationError(
                    _("duplicate pledge id {id!r}", id=p.id),
                    project_id=p.project_id,
                    hint=_("give every pledge its own id"),
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
        known = {p.id for p in _projects(projects)}
        for p in self.pledges:
            if p.project_id not in known:
                raise ValidationError(
                    _("pledge {id!r} is for an unknown project", id=p.id),
                    project_id=p.project_id,
                    hint=_("check the project id, or add the project before its pledges"),
                )

    def with_pledge(self, pledge: Pledge) -> CofinancingPlan:
        """The same plan with one more pledge."""
        return attrs.evolve(self, pledges=(*self.pledges, pledge))

    def with_status(self, pledge_id: str, status: PledgeStatus) -> CofinancingPlan:
        """The same plan with one pledge's status changed (e.g. to ``RECEIVED``)."""
        if pledge_id not in {p.id for p in self.pledges}:
            raise ValidationError(_("unknown pledge id {pledge_id!r}", pledge_id=pledge_id))
        _check_enum(status, PledgeStatus, "status", pledge=pledge_id)
        return attrs.evolve(
            self,
            pledges=tuple(
                attrs.evolve(p, status=status) if p.id == pledge_id else p for p in self.pledges
            ),
        )
