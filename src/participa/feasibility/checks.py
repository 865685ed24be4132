"""The standard feasibility checks, each a small frozen value with its parameters.

Every check follows the :class:`~participa.feasibility.Check` protocol: it has a
``name`` and is called with ``(project, context)``. None is tied to one year's law:
thresholds, study levels, sectors and ranges are parameters (see
:mod:`participa.feasibility.presets` for the SNIP and Invierte.pe bundles).

Examples
--------
>>> from participa.model import Project
>>> from participa.feasibility import ProposalDetails, ReviewContext
>>> p = Project("P1", 150000)
>>> ctx = ReviewContext.build([p], details=[ProposalDetails(
...     "P1", cost_breakdown={"obra": 150000})])
>>> print(TechnicalDesign()(p, ctx))
technical-design: fail: the cost breakdown has no technical design line ...
>>> print(OperationMaintenance()(p, ctx))
o&m: unknown: cannot assess: fields om_yearly_cost, om_payer missing
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from fractions import Fraction

import attrs

from participa.boundary import typed_fields
from participa.errors import ValidationError
from participa.feasibility._base import (
    CheckResult,
    CheckValue,
    ProposalDetails,
    ReviewContext,
    Status,
    pct,
)
from participa.i18n import _
from participa.model import Project

__all__ = [
    "CofinancingPledged",
    "Competence",
    "CostPerBeneficiary",
    "CostPositive",
    "CostRange",
    "FunctionCheck",
    "OperationMaintenance",
    "StudyBand",
    "StudyLevel",
    "TechnicalDesign",
]


def _money(context: ReviewContext, amount: int) -> str:
    return context.money.format(amount)


def _norm(text: str) -> str:
    return " ".join(text.strip().casefold().split())


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _same_scale(check: str, minor_per_unit: int, context: ReviewContext) -> None:
    if minor_per_unit != context.minor_per_unit:
        raise ValidationError(
            _(
                "check {check!r} has thresholds in 1/{minor_per_unit} units "
                "but the review context counts 1/{minor_per_unit2} units",
                check=check,
                minor_per_unit=minor_per_unit,
                minor_per_unit2=context.minor_per_unit,
            ),
            hint=_("build the preset with the same minor_per_unit as the election"),
        )


def sector_of(project: Project, details: ProposalDetails | None) -> str | None:
    """The sector a check uses: the details' ``sector``, else the project's first category."""
    if details is not None and details.sector:
        return details.sector
    return project.categories[0] if project.categories else None


# -- cost -------------------------------------------------------------------------------------


@attrs.frozen(slots=True, field_transformer=typed_fields)
class CostPositive:
    """The cost is present and positive, agrees with its breakdown, and fits a cap.

    Parameters
    ----------
    max_cost
        Largest cost allowed (CONSUL's "within the budget limit"), in minor units.
    name
        The check's name in reports.

    Examples
    --------
    >>> from participa.feasibility import ReviewContext
    >>> print(CostPositive()(Project("P", 0), ReviewContext()))
    cost: fail: no budget: the cost is 0 (ask the technical team to cost the works...)
    """

    max_cost: int | None = None
    name: str = "cost"

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        cost = project.cost
        vals: dict[str, CheckValue] = {"cost": cost}
        if cost <= 0:
            return CheckResult(
                self.name,
                Status.FAIL,
                _(
                    "no budget: the cost is 0 (ask the technical team to cost "
                    "the works, including technical design)"
                ),
                vals,
            )
        d = context.details_for(project.id)
        if d is not None and d.cost_breakdown is not None:
            total = sum(d.cost_breakdown.values())
            vals["breakdown_total"] = total
            if total != cost:
                return CheckResult(
                    self.name,
                    Status.FAIL,
                    _(
                        "the cost breakdown sums to {money} but the cost is {money2} "
                        "(make them agree)",
                        money=_money(context, total),
                        money2=_money(context, cost),
                    ),
                    vals,
                )
        if self.max_cost is not None and cost > self.max_cost:
            vals["max_cost"] = self.max_cost
            return CheckResult(
                self.name,
                Status.FAIL,
                _(
                    "the cost {money} exceeds the limit {money2}",
                    money=_money(context, cost),
                    money2=_money(context, self.max_cost),
                ),
                vals,
            )
        return CheckResult(
            self.name, Status.PASS, _("cost {money}", money=_money(context, cost)), vals
        )


TECHNICAL_DESIGN_LINES = (
    "expediente_tecnico",
    "expediente técnico",
    "expediente tecnico",
    "technical_design",
    "technical design",
    "estudio_definitivo",
)
"""Cost-breakdown line names counted as technical design (compared case-insensitively)."""


@attrs.frozen(slots=True, field_transformer=typed_fields)
class TechnicalDesign:
    """The budget includes technical design (expediente técnico): a line or a stated share.

    San Juan de Miraflores' budgets "often forgot to include the costs of technical
    design" (seed paper). A breakdown without such a line and without a stated share
    fails; no breakdown and no share cannot be assessed.

    Parameters
    ----------
    min_share
        Smallest share of the cost for technical design; below it the project gets
        ``below_min`` (default: a warning). ``0`` only requires a positive amount.
    below_min
        Status when the share is positive but below ``min_share``.
    lines
        Breakdown line names that count as technical design.
    """

    min_share: Fraction = attrs.field(default=Fraction(0), converter=Fraction)
    below_min: Status = Status.WARN
    lines: tuple[str, ...] = attrs.field(default=TECHNICAL_DESIGN_LINES, converter=_str_tuple)
    name: str = "technical-design"

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.min_share < 1:
            raise ValidationError(
                _("min_share must be in [0, 1), got {min_share}", min_share=self.min_share)
            )

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        d = context.details_for(project.id)
        if d is None or (d.cost_breakdown is None and d.technical_design_share is None):
            return CheckResult.unknown(self.name, "cost_breakdown", "technical_design_share")
        wanted = {_norm(x) for x in self.lines}
        vals: dict[str, CheckValue] = {"min_share": str(self.min_share)}
        share: Fraction | None = None
        how = ""
        if d.cost_breakdown is not None:
            design = sum(a for line, a in d.cost_breakdown.items() if _norm(line) in wanted)
            total = sum(d.cost_breakdown.values())
            vals["design_amount"] = design
            if design > 0 and total > 0:
                share = Fraction(design, total)
                how = _("line of {money}", money=_money(context, design))
        if share is None and d.technical_design_share is not None:
            share = d.technical_design_share
            how = _("stated share")
        if share is None or share == 0:
            return CheckResult(
                self.name,
                Status.FAIL,
                _(
                    "the cost breakdown has no technical design line and no "
                    "share is stated (add an expediente técnico line)"
                ),
                vals,
            )
        vals["share"] = str(share)
        if share < self.min_share:
            return CheckResult(
                self.name,
                self.below_min,
                _(
                    "technical design is {pct} of the cost ({how}), below the {pct2} minimum",
                    pct=pct(share),
                    how=how,
                    pct2=pct(self.min_share),
                ),
                vals,
            )
        return CheckResult(
            self.name,
            Status.PASS,
            _("technical design {pct} of the cost ({how})", pct=pct(share), how=how),
            vals,
        )


# -- study level ------------------------------------------------------------------------------


@attrs.frozen(slots=True, field_transformer=typed_fields)
class StudyBand:
    """Projects costing up to ``up_to`` minor units (``None``: no upper limit) need ``level``."""

    up_to: int | None
    level: str


def _band_tuple(value: Iterable[StudyBand]) -> tuple[StudyBand, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class StudyLevel:
    """The pre-investment study required by the amount, and whether the project has it.

    Parameters
    ----------
    bands
        Increasing cost bands, the last one open (``up_to=None``).
    levels
        Study levels from least to most demanding; a more demanding study than the
        one required also passes.
    minor_per_unit
        The scale of the band limits; the review context must use the same.
    system
        Label for reasons (``"SNIP"``, ``"Invierte.pe"``).

    Examples
    --------
    >>> from participa.feasibility import ProposalDetails, ReviewContext
    >>> chk = StudyLevel((StudyBand(1000, "sheet"), StudyBand(None, "profile")),
    ...                  ("sheet", "profile"))
    >>> p = Project("P", 5000)
    >>> print(chk(p, ReviewContext.build([p], details=[ProposalDetails("P", study_level="sheet")])))
    study-level: fail: cost 5,000 needs at least 'profile' but the project has 'sheet' ...
    """

    bands: tuple[StudyBand, ...] = attrs.field(converter=_band_tuple)
    levels: tuple[str, ...] = attrs.field(converter=_str_tuple)
    minor_per_unit: int = 1
    system: str = ""
    name: str = "study-level"

    def __attrs_post_init__(self) -> None:
        if not self.bands or self.bands[-1].up_to is not None:
            raise ValidationError(_("study bands must end with an open band (up_to=None)"))
        limits = [b.up_to for b in self.bands[:-1]]
        if any(x is None for x in limits) or limits != sorted(limits):  # type: ignore[type-var]
            raise ValidationError(_("study band limits must be increasing, only the last open"))
        known = {_norm(x) for x in self.levels}
        for b in self.bands:
            if _norm(b.level) not in known:
                raise ValidationError(
                    _(
                        "study band level {level!r} is not one of the levels {levels}",
                        level=b.level,
                        levels=list(self.levels),
                    )
                )

    def required(self, cost: int) -> str:
        """The study level a project of this cost needs."""
        for b in self.bands:
            if b.up_to is None or cost <= b.up_to:
                return b.level
        raise AssertionError(_("unreachable: the last band is open"))  # pragma: no cover

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        _same_scale(self.name, self.minor_per_unit, context)
        need = self.required(project.cost)
        vals: dict[str, CheckValue] = {"cost": project.cost, "required": need}
        d = context.details_for(project.id)
        if d is None or d.study_level is None:
            return CheckResult.unknown(
                self.name, "study_level", detail=_("{need!r} is required", need=need)
            )
        order = [_norm(x) for x in self.levels]
        has = _norm(d.study_level)
        vals["has"] = d.study_level
        system = f" under {self.system}" if self.system else ""
        if has not in order:
            return CheckResult(
                self.name,
                Status.UNKNOWN,
                _(
                    "cannot assess: study level {study_level!r} is not one of {levels}",
                    study_level=d.study_level,
                    levels=list(self.levels),
                ),
                vals,
            )
        if order.index(has) < order.index(_norm(need)):
            return CheckResult(
                self.name,
                Status.FAIL,
                _(
                    "cost {money} needs at least {need!r} but the project has "
                    "{study_level!r}{system} (commission the study before the "
                    "vote)",
                    money=_money(context, project.cost),
                    need=need,
                    study_level=d.study_level,
                    system=system,
                ),
                vals,
            )
        return CheckResult(
            self.name,
            Status.PASS,
            _(
                "has {study_level!r}; {need!r} required{system}",
                study_level=d.study_level,
                need=need,
                system=system,
            ),
            vals,
        )


# -- cost per beneficiary ---------------------------------------------------------------------

PER = ("beneficiary", "household")


@attrs.frozen(slots=True, field_transformer=typed_fields)
class CostRange:
    """A realistic cost per beneficiary (or per household) for one sector, in minor units.

    Parameters
    ----------
    sector
        The sector it applies to (compared case-insensitively).
    per
        ``"beneficiary"`` (uses ``Project.beneficiaries``) or ``"household"`` (uses
        ``ProposalDetails.households``).
    min, max
        Bounds on cost per unit in minor units (``None``: no bound).
    below, above
        Status when the cost per unit is below ``min`` / above ``max``.
    source
        Where the figure comes from, for reasons.
    """

    sector: str
    per: str = "beneficiary"
    min: int | None = None
    max: int | None = None
    below: Status = Status.FAIL
    above: Status = Status.WARN
    source: str = ""

    def __attrs_post_init__(self) -> None:
        if self.per not in PER:
            raise ValidationError(_("per must be one of {PER}, got {per!r}", PER=PER, per=self.per))
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValidationError(_("cost range for {sector!r} has min > max", sector=self.sector))


def _range_tuple(value: Iterable[CostRange]) -> tuple[CostRange, ...]:
    return tuple(value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class CostPerBeneficiary:
    """The cost per beneficiary (or household) lies within the stated range for its sector.

    Water and sewerage pre-projects cost at least about US$ 100 per household (seed
    paper): a proposal far below is not realistic. Sectors without a range are not
    applicable.
    """

    ranges: tuple[CostRange, ...] = attrs.field(converter=_range_tuple)
    minor_per_unit: int = 1
    name: str = "cost-per-beneficiary"

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for r in self.ranges:
            if _norm(r.sector) in seen:
                raise ValidationError(_("two cost ranges for sector {sector!r}", sector=r.sector))
            seen.add(_norm(r.sector))

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        _same_scale(self.name, self.minor_per_unit, context)
        d = context.details_for(project.id)
        sector = sector_of(project, d)
        if sector is None:
            return CheckResult.unknown(self.name, "sector")
        rng = next((r for r in self.ranges if _norm(r.sector) == _norm(sector)), None)
        if rng is None:
            return CheckResult(
                self.name,
                Status.NOT_APPLICABLE,
                _("no cost range for sector {sector!r}", sector=sector),
            )
        count: int | None
        if rng.per == "beneficiary":
            count = project.beneficiaries
        else:
            count = None if d is None else d.households
        field = "beneficiaries" if rng.per == "beneficiary" else "households"
        if count is None:
            return CheckResult.unknown(self.name, field)
        if count == 0:
            return CheckResult.unknown(self.name, field, detail=_("{field} is 0", field=field))
        per_unit = Fraction(project.cost, count)
        vals: dict[str, CheckValue] = {
            "cost": project.cost,
            field: count,
            "cost_per_unit": str(per_unit),
        }
        shown = _money(context, math.floor(per_unit))
        src = f" ({rng.source})" if rng.source else ""
        if rng.min is not None:
            vals["min"] = rng.min
            if per_unit < rng.min:
                return CheckResult(
                    self.name,
                    rng.below,
                    _(
                        "{shown} per {per} is below the realistic minimum {money} "
                        "for {sector}{src}",
                        shown=shown,
                        per=rng.per,
                        money=_money(context, rng.min),
                        sector=sector,
                        src=src,
                    ),
                    vals,
                )
        if rng.max is not None:
            vals["max"] = rng.max
            if per_unit > rng.max:
                return CheckResult(
                    self.name,
                    rng.above,
                    _(
                        "{shown} per {per} is above the maximum {money} for {sector}{src}",
                        shown=shown,
                        per=rng.per,
                        money=_money(context, rng.max),
                        sector=sector,
                        src=src,
                    ),
                    vals,
                )
        return CheckResult(
            self.name,
            Status.PASS,
            _("{shown} per {per} is within range{src}", shown=shown, per=rng.per, src=src),
            vals,
        )


# -- operation and maintenance ----------------------------------------------------------------


@attrs.frozen(slots=True, field_transformer=typed_fields)
class OperationMaintenance:
    """Sustainability: a yearly O&M cost is stated and someone accepted pays it.

    Parameters
    ----------
    accepted_payers
        Payers accepted (case-insensitive); empty accepts any stated payer that is
        not in ``rejected_payers``.
    rejected_payers
        Answers meaning nobody pays.
    zero
        Status when the stated yearly cost is 0 (works rarely cost nothing to run).
    max_yearly_share
        Largest yearly O&M cost as a share of the investment, if any (above: warn).
    """

    accepted_payers: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    rejected_payers: tuple[str, ...] = attrs.field(
        default=("none", "nobody", "nadie", "ninguno", "-"), converter=_str_tuple
    )
    zero: Status = Status.WARN
    max_yearly_share: Fraction | None = None
    name: str = "o&m"

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        d = context.details_for(project.id)
        missing = [
            f for f in ("om_yearly_cost", "om_payer") if d is None or getattr(d, f) in (None, "")
        ]
        if missing or d is None:
            return CheckResult.unknown(self.name, *missing)
        assert d.om_yearly_cost is not None
        assert d.om_payer is not None
        vals: dict[str, CheckValue] = {"om_yearly_cost": d.om_yearly_cost, "om_payer": d.om_payer}
        payer = _norm(d.om_payer)
        if payer in {_norm(x) for x in self.rejected_payers} or (
            self.accepted_payers and payer not in {_norm(x) for x in self.accepted_payers}
        ):
            hint = (
                f"accepted: {', '.join(self.accepted_payers)}"
                if self.accepted_payers
                else "name who pays"
            )
            return CheckResult(
                self.name,
                Status.FAIL,
                _(
                    "operation and maintenance payer {om_payer!r} is not accepted ({hint})",
                    om_payer=d.om_payer,
                    hint=hint,
                ),
                vals,
            )
        if d.om_yearly_cost == 0:
            return CheckResult(
                self.name,
                self.zero,
                _("yearly O&M cost is 0 (paid by {om_payer})", om_payer=d.om_payer),
                vals,
            )
        if self.max_yearly_share is not None and project.cost > 0:
            share = Fraction(d.om_yearly_cost, project.cost)
            vals["yearly_share"] = str(share)
            if share > self.max_yearly_share:
                return CheckResult(
                    self.name,
                    Status.WARN,
                    _(
                        "yearly O&M is {pct} of the investment, above {pct2}",
                        pct=pct(share),
                        pct2=pct(self.max_yearly_share),
                    ),
                    vals,
                )
        return CheckResult(
            self.name,
            Status.PASS,
            _(
                "O&M {money} a year, paid by {om_payer}",
                money=_money(context, d.om_yearly_cost),
                om_payer=d.om_payer,
            ),
            vals,
        )


# -- competence -------------------------------------------------------------------------------


@attrs.frozen(slots=True, field_transformer=typed_fields)
class Competence:
    """The project lies within the municipality's competence: a list of sectors or a predicate.

    Parameters
    ----------
    sectors
        Sectors the municipality may invest in (case-insensitive).
    predicate
        Alternatively, ``predicate(project, details) -> bool``.
    """

    sectors: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    predicate: Callable[[Project, ProposalDetails | None], bool] | None = attrs.field(
        default=None, eq=False
    )
    name: str = "competence"

    def __attrs_post_init__(self) -> None:
        if bool(self.sectors) == (self.predicate is not None):
            raise ValidationError(_("give exactly one of sectors and predicate to Competence"))

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        d = context.details_for(project.id)
        if self.predicate is not None:
            ok = bool(self.predicate(project, d))
            return CheckResult(
                self.name,
                Status.PASS if ok else Status.FAIL,
                _("within the municipality's competence")
                if ok
                else _("outside the municipality's competence (refer it to the competent body)"),
            )
        sector = sector_of(project, d)
        if sector is None:
            return CheckResult.unknown(self.name, "sector")
        if _norm(sector) in {_norm(s) for s in self.sectors}:
            return CheckResult(
                self.name,
                Status.PASS,
                _("sector {sector!r} is a municipal competence", sector=sector),
            )
        return CheckResult(
            self.name,
            Status.FAIL,
            _(
                "sector {sector!r} is outside the municipality's competence "
                "(refer it to the competent body)",
                sector=sector,
            ),
            {"sector": sector},
        )


# -- co-financing -----------------------------------------------------------------------------


@attrs.frozen(slots=True, field_transformer=typed_fields)
class CofinancingPledged:
    """The required co-financing is pledged (money, labour and materials at their value).

    The required amount and the pledges come from the context's ``cofinancing`` (see
    :class:`~participa.feasibility.PlanCofinancing`). With ``required_share`` set
    (e.g. VES' 20%), the requirement is ``ceil(share × cost)`` whatever the source says.
    Without a source and without a share the check is not applicable.

    Parameters
    ----------
    required_share
        Share of the cost to be co-financed, overriding the source's requirement.
    short
        Status when pledges fall short.
    """

    required_share: Fraction | None = attrs.field(
        default=None, converter=attrs.converters.optional(Fraction)
    )
    short: Status = Status.FAIL
    name: str = "cofinancing"

    def __attrs_post_init__(self) -> None:
        s = self.required_share
        if s is not None and not 0 <= s <= 1:
            raise ValidationError(_("required_share must be in [0, 1], got {s}", s=s))

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        src = context.cofinancing
        if self.required_share is not None:
            q = self.required_share * project.cost
            required: int | None = math.ceil(q)
        elif src is None:
            return CheckResult(self.name, Status.NOT_APPLICABLE, _("no co-financing rule"))
        else:
            required = src.required(project)
        if required is None:
            return CheckResult(
                self.name, Status.NOT_APPLICABLE, _("no co-financing required for this project")
            )
        if src is None:
            return CheckResult.unknown(self.name, "pledges")
        pledged = src.pledged(project)
        vals: dict[str, CheckValue] = {"required": required, "pledged": pledged}
        if pledged < required:
            return CheckResult(
                self.name,
                self.short,
                _(
                    "pledged {money} of the {money2} co-financing required (short by {money3})",
                    money=_money(context, pledged),
                    money2=_money(context, required),
                    money3=_money(context, required - pledged),
                ),
                vals,
            )
        return CheckResult(
            self.name,
            Status.PASS,
            _(
                "pledged {money}, {money2} required",
                money=_money(context, pledged),
                money2=_money(context, required),
            ),
            vals,
        )


# -- splitting --------------------------------------------------------------------------------


@attrs.frozen(slots=True, field_transformer=typed_fields)
class FunctionCheck:
    """Wrap a function ``fn(project, context) -> CheckResult | bool`` as a check.

    A ``bool`` becomes pass / fail with ``reason_fail`` as the failing reason.

    Examples
    --------
    >>> from participa.feasibility import ReviewContext
    >>> legal = FunctionCheck("legality", lambda p, c: "casino" not in p.name,
    ...                       reason_fail="not legal")
    >>> print(legal(Project("P", 1, name="casino"), ReviewContext()))
    legality: fail: not legal
    """

    name: str
    fn: Callable[[Project, ReviewContext], CheckResult | bool] = attrs.field(eq=False)
    reason_pass: str = "ok"  # noqa: S105 - a reason, not a password
    reason_fail: str = "failed"

    def __call__(self, project: Project, context: ReviewContext) -> CheckResult:
        """Judge one project."""
        out = self.fn(project, context)
        if isinstance(out, CheckResult):
            return attrs.evolve(out, check=self.name)
        if out:
            return CheckResult(self.name, Status.PASS, self.reason_pass)
        return CheckResult(self.name, Status.FAIL, self.reason_fail)
