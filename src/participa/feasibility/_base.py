"""The vocabulary of a feasibility review: statuses, results, proposal details, context.

A *check* is any object with a ``name`` and a ``__call__(project, context)`` that
returns a :class:`CheckResult`; see :class:`Check`. Checks never raise on missing
data: they return :attr:`Status.UNKNOWN` ("cannot assess: field X missing").

Examples
--------
>>> from participa.model import Project
>>> r = CheckResult.unknown("om", "om_yearly_cost")
>>> r.status, r.reason
(<Status.UNKNOWN: 'unknown'>, 'cannot assess: field om_yearly_cost missing')
>>> ctx = ReviewContext.build([Project("P1", 100)])
>>> ctx.details_for("P1") is None
True
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from fractions import Fraction
from types import MappingProxyType
from typing import Any, Protocol, runtime_checkable

import attrs

from participa import serialize
from participa.boundary import checked, typed_fields
from participa.cofinancing import CofinancingPlan, financing
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _, ngettext
from participa.model import Project, Territory
from participa.money import Currency, as_currency, check_currency
from participa.validators import amount, non_negative_int

__all__ = [
    "Check",
    "CheckResult",
    "CheckValue",
    "CofinancingSource",
    "PlanCofinancing",
    "ProposalDetails",
    "ReviewContext",
    "Status",
]

CheckValue = int | str
"""A number behind a verdict: money and counts as ``int``, shares and ratios as exact text."""


def _frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any]:
    return MappingProxyType(dict(value or {}))


def _opt_frozen(value: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    if value is not None and not isinstance(value, Mapping):
        raise ValidationError(
            _(
                "cost_breakdown must be a mapping of cost line to minor units, got {value!r}",
                value=value,
            )
        )
    return None if value is None else MappingProxyType(dict(value))


class Status(enum.Enum):
    """The verdict of one check on one project, from best to worst for eligibility.

    ``UNKNOWN`` means the check could not be assessed because data is missing; it is
    distinct from ``FAIL`` so a technical team can ask for the data instead of
    rejecting the proposal. ``NOT_APPLICABLE`` means the check does not concern the
    project (no cost range for its sector, no co-financing rule, ...).
    """

    PASS = "pass"  # noqa: S105 - a verdict, not a password
    NOT_APPLICABLE = "n/a"
    WARN = "warn"
    UNKNOWN = "unknown"
    FAIL = "fail"

    @property
    def severity(self) -> int:
        """0 for pass and n/a, 1 warn, 2 unknown, 3 fail: a project's verdict is the worst."""
        return _SEVERITY[self]


_SEVERITY = {
    Status.PASS: 0,
    Status.NOT_APPLICABLE: 0,
    Status.WARN: 1,
    Status.UNKNOWN: 2,
    Status.FAIL: 3,
}


def fmt_fraction(x: Fraction) -> str:
    """Exact text of a fraction: ``"3/20"`` or ``"2"``."""
    return str(x)


def pct(x: Fraction) -> str:
    """A share as a percentage with at most two decimals, for reasons people read."""
    value = round(float(x) * 100, 2)
    return f"{value:g}%"


@serialize.register("participa.feasibility.CheckResult")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class CheckResult:
    """What one check says about one project.

    Parameters
    ----------
    check
        The check's name.
    status
        Pass, warn, fail, unknown (cannot assess) or not applicable.
    reason
        A sentence for people: what was found and, when it fails, what to do.
    values
        The numbers behind the verdict (money in minor units as ``int``; shares and
        ratios as exact fractions written ``"p/q"``).

    Examples
    --------
    >>> CheckResult("cost", Status.FAIL, "cost is 0", {"cost": 0}).values["cost"]
    0
    """

    check: str
    status: Status
    reason: str
    values: Mapping[str, CheckValue] = attrs.field(factory=dict, converter=_frozen, hash=False)

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.status, Status):
            raise ValidationError(
                _(
                    "check {check!r} returned status {status!r}, not a Status",
                    check=self.check,
                    status=self.status,
                ),
                hint=_("use participa.feasibility.Status.PASS / WARN / FAIL / UNKNOWN"),
            )

    @classmethod
    @checked
    def unknown(cls, check: str, *fields: str, detail: str = "") -> CheckResult:
        """The "cannot assess" result for missing fields.

        >>> CheckResult.unknown("o&m", "om_yearly_cost", "om_payer").reason
        'cannot assess: fields om_yearly_cost, om_payer missing'
        """
        reason = ngettext(
            "cannot assess: field {fields} missing",
            "cannot assess: fields {fields} missing",
            len(fields),
            fields=", ".join(fields),
        )
        if detail:
            reason += f" ({detail})"
        return cls(check, Status.UNKNOWN, reason, {"missing": ",".join(fields)})

    def __str__(self) -> str:
        return f"{self.check}: {self.status.value}: {self.reason}"


def _opt_fraction(value: object) -> Fraction | None:
    return None if value is None else to_fraction(value, what=_("technical design share"))


def _fraction_map(value: Mapping[str, object] | None) -> Mapping[str, Fraction]:
    if value is not None and not isinstance(value, Mapping):
        raise ValidationError(
            _("indicators must be a mapping of name to number, got {value!r}", value=value)
        )
    out: dict[str, Fraction] = {}
    for k, v in (value or {}).items():
        if v is None:
            raise ValidationError(_("indicator {k!r} is None", k=k))
        out[str(k)] = to_fraction(v, what=_("indicator {name!r}", name=k))
    return MappingProxyType(out)


@serialize.register("participa.feasibility.ProposalDetails")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class ProposalDetails:
    """What a feasibility review needs to know about a proposal beyond :class:`Project`.

    Every field but ``project_id`` is optional: a check that needs a missing field
    answers "cannot assess: field X missing". Amounts are integer minor units.

    Parameters
    ----------
    project_id
        The project these details describe.
    sector
        Sector of the works (``"water"``, ``"roads"``, ...); when ``None`` checks use
        the project's first category.
    cost_breakdown
        Cost lines in minor units, e.g. ``{"expediente_tecnico": 9000, "obra": 141000}``.
    technical_design_share
        The stated share of the cost that pays for technical design (expediente
        técnico), when there is no explicit line.
    study_level
        The pre-investment study the project has (``"perfil simplificado"``, ...).
    om_yearly_cost
        Yearly operation and maintenance cost in minor units.
    om_payer
        Who pays operation and maintenance (``"municipality"``, ``"community"``, ...).
    households
        Number of households served (for cost-per-household ranges).
    works
        A key naming the kind of works (``"water-sewerage-preproject"``) so that the
        same works split over neighbouring settlements can be recognised.
    indicators
        Raw values for prioritisation criteria (``{"poverty": Fraction(3, 5)}``).

    Examples
    --------
    >>> d = ProposalDetails("P1", om_yearly_cost=-1)
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: om_yearly_cost must be a non-negative integer...
    """

    project_id: str
    sector: str | None = None
    cost_breakdown: Mapping[str, int] | None = attrs.field(
        default=None, converter=_opt_frozen, hash=False
    )
    technical_design_share: Fraction | None = attrs.field(default=None, converter=_opt_fraction)
    study_level: str | None = None
    om_yearly_cost: int | None = None
    om_payer: str | None = None
    households: int | None = None
    works: str | None = None
    indicators: Mapping[str, Fraction] = attrs.field(
        factory=dict, converter=_fraction_map, hash=False
    )

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.project_id, str) or not self.project_id.strip():
            raise ValidationError(
                _(
                    "project id must be a non-empty string, got {project_id!r}",
                    project_id=self.project_id,
                )
            )
        for name in ("om_yearly_cost", "households"):
            v = getattr(self, name)
            if v is not None:
                v = non_negative_int(v, what=name, project_id=self.project_id)
                object.__setattr__(self, name, v)
        if self.cost_breakdown is not None:
            lines = {
                line: amount(a, what=_("cost line {line!r}", line=line), project_id=self.project_id)
                for line, a in self.cost_breakdown.items()
            }
            object.__setattr__(self, "cost_breakdown", MappingProxyType(lines))
        for name in ("sector", "study_level", "om_payer", "works"):
            v = getattr(self, name)
            if v is not None and not isinstance(v, str):
                raise ValidationError(
                    _("{name} must be a string, got {value!r}", name=name, value=v),
                    project_id=self.project_id,
                )
        s = self.technical_design_share
        if s is not None and not 0 <= s <= 1:
            raise ValidationError(
                _("technical_design_share must be between 0 and 1, got {s}", s=s),
                project_id=self.project_id,
                hint=_("write 5% as 0.05"),
            )


class CofinancingSource(Protocol):
    """What the co-financing check needs to know: the share required and what is pledged.

    :class:`participa.feasibility.checks.CofinancingPledged` reads the review context's
    ``cofinancing`` through this protocol; :class:`PlanCofinancing` adapts a
    :class:`participa.cofinancing.CofinancingPlan` to it.
    """

    def required(self, project: Project) -> int | None:
        """Minor units the community (or partners) must contribute; ``None``: no rule applies."""
        ...

    def pledged(self, project: Project) -> int:
        """Minor units pledged so far (money, labour and materials at their stated value)."""
        ...


@attrs.frozen(slots=True, field_transformer=typed_fields)
class PlanCofinancing:
    """A :class:`participa.cofinancing.CofinancingPlan` seen as a :class:`CofinancingSource`.

    ``required`` is the plan's required share of the cost (``None`` without one);
    ``pledged`` is what counts toward it under the plan's counting (withdrawn pledges
    never count).

    Examples
    --------
    >>> from participa.cofinancing import Pledge, RequiredShare
    >>> src = PlanCofinancing(CofinancingPlan((Pledge.money("M", "P", 150),),
    ...                                       required=RequiredShare.ves_2001()))
    >>> src.required(Project("P", 1000)), src.pledged(Project("P", 1000))
    (200, 150)
    """

    plan: CofinancingPlan

    def required(self, project: Project) -> int | None:
        """The plan's required amount, ``ceil(cost × share)``, or ``None`` without a rule."""
        if self.plan.required is None:
            return None
        return financing(self.plan, project).required

    def pledged(self, project: Project) -> int:
        """Counted contributions toward the requirement (the community's, by default)."""
        f = financing(self.plan, project)
        return f.toward_required if self.plan.required is not None else f.community


def _optional_currency(inst: object, attribute: Any, value: object) -> None:
    if value is not None:
        check_currency(inst, attribute, value)


def _cofinancing(value: CofinancingSource | CofinancingPlan | None) -> CofinancingSource | None:
    if isinstance(value, CofinancingPlan):
        return PlanCofinancing(value)
    return value


def _territories(value: Mapping[str, Territory] | Iterable[Territory]) -> Mapping[str, Territory]:
    if isinstance(value, Mapping):
        return MappingProxyType(dict(value))
    return MappingProxyType({t.id: t for t in value})


def _details(
    value: Mapping[str, ProposalDetails] | Iterable[ProposalDetails],
) -> Mapping[str, ProposalDetails]:
    items = value.values() if isinstance(value, Mapping) else value
    out: dict[str, ProposalDetails] = {}
    for d in items:
        if d.project_id in out:
            raise ValidationError(_("proposal details given twice"), project_id=d.project_id)
        out[d.project_id] = d
    return MappingProxyType(out)


def _projects(value: Iterable[Project]) -> tuple[Project, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class ReviewContext:
    """Everything a check may look at besides the project itself.

    Parameters
    ----------
    projects
        All projects under review (cross-project checks such as splitting use them).
    details
        :class:`ProposalDetails` keyed by project id.
    territories
        Territories keyed by id (for neighbourhood and section lookups).
    cofinancing
        Where the co-financing check reads required and pledged amounts: a
        :class:`participa.cofinancing.CofinancingPlan` (wrapped in
        :class:`PlanCofinancing`) or any :class:`CofinancingSource`; ``None`` when the
        round has no co-financing rule.
    currency
        The :class:`~participa.money.Currency` of every amount (code and minor units:
        ``Currency("PEN", 100)`` for céntimos). ``None`` (the default): the reviewed
        election's money (:attr:`Election.money <participa.Election.money>`), or whole
        units without a code for a plain list of projects. Checks with money thresholds
        refuse a context in another scale.
    """

    projects: tuple[Project, ...] = attrs.field(default=(), converter=_projects)
    details: Mapping[str, ProposalDetails] = attrs.field(
        factory=dict, converter=_details, hash=False
    )
    territories: Mapping[str, Territory] = attrs.field(
        factory=dict, converter=_territories, hash=False
    )
    cofinancing: CofinancingSource | None = attrs.field(
        default=None, converter=_cofinancing, eq=False, hash=False
    )
    currency: Currency | None = attrs.field(default=None, validator=_optional_currency)

    @property
    def money(self) -> Currency:
        """How amounts read as money: :attr:`currency`, or whole units without a code."""
        return Currency() if self.currency is None else self.currency

    @property
    def minor_per_unit(self) -> int:
        """Minor units per currency unit of every amount (the :attr:`money`'s)."""
        return self.money.minor_per_unit

    @classmethod
    @checked
    def build(
        cls,
        projects: Iterable[Project],
        *,
        details: Mapping[str, ProposalDetails] | Iterable[ProposalDetails] = (),
        territories: Mapping[str, Territory] | Iterable[Territory] = (),
        cofinancing: CofinancingSource | CofinancingPlan | None = None,
        currency: Currency | str | None = None,
        minor_per_unit: int | None = None,
    ) -> ReviewContext:
        """A context for these projects; details for unknown projects are refused.

        ``currency`` is a :class:`~participa.money.Currency`; a code with a separate
        ``minor_per_unit`` (the form of before) is still accepted
        (:func:`participa.money.as_currency`). Neither: the reviewed election's money.
        """
        ps = tuple(projects)
        money = (
            None
            if currency is None and minor_per_unit is None
            else as_currency(currency, minor_per_unit)
        )
        ctx = cls(ps, details, territories, cofinancing, money)
        ids = {p.id for p in ps}
        stray = sorted(set(ctx.details) - ids)
        if stray:
            raise ValidationError(
                _("proposal details for projects not under review: {stray}", stray=stray),
                project_id=stray[0],
                hint=_("pass details only for the projects you review"),
            )
        return ctx

    def details_for(self, project_id: str) -> ProposalDetails | None:
        """The project's details, or ``None``."""
        return self.details.get(project_id)

    def with_projects(self, projects: Iterable[Project]) -> ReviewContext:
        """The same context for another list of projects."""
        return attrs.evolve(self, projects=tuple(projects))


@runtime_checkable
class Check(Protocol):
    """A feasibility check: a ``name`` and a call returning a :class:`CheckResult`.

    Any object with these two members is a check, so a technical team can write its
    own as a small frozen class or wrap a function with
    :class:`participa.feasibility.checks.FunctionCheck`.
    """

    @property
    def name(self) -> str:
        """A short, unique name within a review (``"study-level"``)."""
        ...

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project; never raise on missing data (return ``UNKNOWN``)."""
        ...
