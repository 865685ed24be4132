"""Named bundles of checks: SNIP (2000–2016), Invierte.pe (2017–) and a CONSUL-style review.

Every figure is a parameter with a documented default. Sources (see
``DOMAIN.md`` §1–§4 beside the repository and the seed paper):

* SNIP, Ley 27293: up to S/ 1,200,000 a *perfil simplificado* suffices (MEF
  pre-investment page). The higher bands used here, *perfil* up to S/ 20,000,000 and
  *factibilidad* above, are **unverified** defaults.
* Invierte.pe, DL 1252: *ficha técnica simplificada* up to 750 UIT, *ficha técnica
  estándar* up to 15,000 UIT, *perfil* above (secondary source, **unverified**).
  The UIT value is a parameter; the default, S/ 5,150 (the 2024 UIT), is
  **unverified** here: pass the value for the year you review.
* Water and sewerage pre-projects cost at least about US$ 100 per household (seed
  paper). The exchange rate default, S/ 3.40 per US$, is an **illustrative**
  mid-2000s figure: pass your own.
* The list of municipal sectors is **illustrative** (a municipality's competences
  are set by law and its own ordinances): pass your own list or a predicate.

Examples
--------
>>> snip_study_level().required(1_200_000), snip_study_level().required(1_200_001)
('perfil simplificado', 'perfil')
>>> invierte_pe_study_level(uit=4_050).required(750 * 4_050 + 1)
'ficha técnica estándar'
>>> [c.name for c in snip().checks]  # doctest: +NORMALIZE_WHITESPACE
['cost', 'technical-design', 'study-level', 'cost-per-beneficiary', 'o&m', 'competence',
 'cofinancing', 'splitting']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from typing import TYPE_CHECKING

from participa.errors import ValidationError
from participa.feasibility._base import Check, Status
from participa.feasibility.checks import (
    CofinancingPledged,
    Competence,
    CostPerBeneficiary,
    CostPositive,
    CostRange,
    OperationMaintenance,
    StudyBand,
    StudyLevel,
    TechnicalDesign,
)
from participa.feasibility.manual import ManualReview, ManualVerdict
from participa.feasibility.review import Review
from participa.feasibility.splitting import Splitting
from participa.i18n import _

if TYPE_CHECKING:
    from participa.plan import Plan

__all__ = [
    "INVIERTE_PE_LEVELS",
    "INVIERTE_PE_UIT_BANDS",
    "MUNICIPAL_SECTORS",
    "PEN_PER_USD",
    "SNIP_LEVELS",
    "SNIP_PERFIL_MAX",
    "SNIP_PERFIL_SIMPLIFICADO_MAX",
    "UIT",
    "WATER_PREPROJECT_USD_PER_HOUSEHOLD",
    "consul",
    "invierte_pe",
    "invierte_pe_study_level",
    "snip",
    "snip_study_level",
    "water_sewerage_range",
]

SNIP_LEVELS = ("perfil simplificado", "perfil", "factibilidad")
"""SNIP pre-investment studies, least to most demanding."""
SNIP_PERFIL_SIMPLIFICADO_MAX = 1_200_000
"""Soles: up to this a simplified profile suffices under SNIP (MEF; DOMAIN.md §3)."""
SNIP_PERFIL_MAX = 20_000_000
"""Soles: up to this a profile suffices, above it a feasibility study (**unverified**)."""

INVIERTE_PE_LEVELS = ("ficha técnica simplificada", "ficha técnica estándar", "perfil")
"""Invierte.pe formulation documents, least to most demanding."""
INVIERTE_PE_UIT_BANDS = (750, 15_000)
"""UIT: simplified sheet up to 750, standard sheet up to 15,000, profile above (**unverified**)."""
UIT = 5_150
"""Soles: the *Unidad Impositiva Tributaria* default (2024 value, **unverified**)."""

WATER_PREPROJECT_USD_PER_HOUSEHOLD = 100
"""US$: the minimum cost per household of a water and sewerage pre-project (seed paper)."""
PEN_PER_USD = Fraction(34, 10)
"""Soles per US$ for converting that minimum (**illustrative** default)."""

MUNICIPAL_SECTORS = (
    "roads",
    "transport",
    "urban",
    "parks",
    "recreation",
    "sport",
    "water",
    "sewerage",
    "sanitation",
    "waste",
    "environment",
    "security",
    "culture",
    "social",
    "economic development",
)
"""Sectors a district municipality may invest in (**illustrative**; pass your own)."""


def snip_study_level(
    *,
    minor_per_unit: int = 1,
    simplified_max: int = SNIP_PERFIL_SIMPLIFICADO_MAX,
    profile_max: int = SNIP_PERFIL_MAX,
) -> StudyLevel:
    """The SNIP study-level check; limits in soles, scaled by ``minor_per_unit``."""
    if not 0 < simplified_max < profile_max:
        raise ValidationError(_("SNIP limits must satisfy 0 < simplified_max < profile_max"))
    return StudyLevel(
        (
            StudyBand(simplified_max * minor_per_unit, SNIP_LEVELS[0]),
            StudyBand(profile_max * minor_per_unit, SNIP_LEVELS[1]),
            StudyBand(None, SNIP_LEVELS[2]),
        ),
        SNIP_LEVELS,
        minor_per_unit=minor_per_unit,
        system="SNIP",
    )


def invierte_pe_study_level(
    *,
    uit: int = UIT,
    minor_per_unit: int = 1,
    bands_uit: tuple[int, int] = INVIERTE_PE_UIT_BANDS,
) -> StudyLevel:
    """The Invierte.pe study-level check: bands in UIT times the UIT value (soles)."""
    lo, hi = bands_uit
    if uit <= 0 or not 0 < lo < hi:
        raise ValidationError(_("the UIT must be positive and the UIT bands increasing"))
    return StudyLevel(
        (
            StudyBand(lo * uit * minor_per_unit, INVIERTE_PE_LEVELS[0]),
            StudyBand(hi * uit * minor_per_unit, INVIERTE_PE_LEVELS[1]),
            StudyBand(None, INVIERTE_PE_LEVELS[2]),
        ),
        INVIERTE_PE_LEVELS,
        minor_per_unit=minor_per_unit,
        system=f"Invierte.pe (UIT = S/ {uit:,})",
    )


def water_sewerage_range(
    *,
    usd_per_household: int | Fraction = WATER_PREPROJECT_USD_PER_HOUSEHOLD,
    pen_per_usd: Fraction | int = PEN_PER_USD,
    minor_per_unit: int = 1,
    sector: str = "water",
) -> CostRange:
    """The realistic minimum per household of a water and sewerage pre-project, in soles.

    >>> water_sewerage_range().min
    340
    """
    q = Fraction(usd_per_household) * Fraction(pen_per_usd) * minor_per_unit
    return CostRange(
        sector,
        per="household",
        min=q.numerator // q.denominator,
        source=_(
            "at least US$ {usd} per household at S/ {rate:g}",
            usd=usd_per_household,
            rate=float(pen_per_usd),
        ),
    )


def _common(
    study: StudyLevel,
    *,
    minor_per_unit: int,
    competence_sectors: Iterable[str],
    cost_ranges: Iterable[CostRange] | None,
    technical_design_min_share: Fraction | int,
    max_cost: int | None,
    om_payers: Iterable[str],
    cofinancing_share: Fraction | None,
    splitting: Splitting | None,
    plan: Plan | None = None,
) -> tuple[Check, ...]:
    ranges = (
        (water_sewerage_range(minor_per_unit=minor_per_unit),)
        if cost_ranges is None
        else tuple(cost_ranges)
    )
    checks: list[Check] = [
        CostPositive(max_cost=max_cost),
        TechnicalDesign(min_share=Fraction(technical_design_min_share)),
        study,
        CostPerBeneficiary(ranges, minor_per_unit=minor_per_unit),
        OperationMaintenance(accepted_payers=tuple(om_payers)),
        Competence(sectors=tuple(competence_sectors)),
        CofinancingPledged(required_share=cofinancing_share),
    ]
    if splitting is not None:
        checks.append(splitting)
    if plan is not None:
        from participa.plan import PlanAlignment  # participa.plan builds on this package

        checks.append(PlanAlignment(plan))
    return tuple(checks)


def snip(
    *,
    minor_per_unit: int = 1,
    simplified_max: int = SNIP_PERFIL_SIMPLIFICADO_MAX,
    profile_max: int = SNIP_PERFIL_MAX,
    competence_sectors: Iterable[str] = MUNICIPAL_SECTORS,
    cost_ranges: Iterable[CostRange] | None = None,
    technical_design_min_share: Fraction | int = 0,
    max_cost: int | None = None,
    om_payers: Iterable[str] = (),
    cofinancing_share: Fraction | None = None,
    splitting: Splitting | None = None,
    plan: Plan | None = None,
) -> Review:
    """The SNIP (2000–2016) review: cost, technical design, study level by amount, cost per
    beneficiary, O&M, competence, co-financing and splitting.

    Parameters
    ----------
    minor_per_unit
        Scale of the amounts reviewed (1 for whole soles, 100 for céntimos).
    simplified_max, profile_max
        Study-level limits in soles (see module notes).
    competence_sectors
        Sectors within the municipality's competence.
    cost_ranges
        Cost-per-beneficiary ranges (default: the water pre-project minimum).
    technical_design_min_share
        Smallest technical-design share before a warning (0: any positive line).
    max_cost
        Budget limit per project in minor units, if any.
    om_payers
        Accepted O&M payers (empty: any stated payer).
    cofinancing_share
        A fixed required co-financing share; otherwise the context's plan decides.
    splitting
        The splitting check (default: ``Splitting()``).
    plan
        A development plan: adds the ``plan-alignment`` check
        (:class:`participa.plan.PlanAlignment`) for it.
    """
    study = snip_study_level(
        minor_per_unit=minor_per_unit, simplified_max=simplified_max, profile_max=profile_max
    )
    checks = _common(
        study,
        minor_per_unit=minor_per_unit,
        competence_sectors=competence_sectors,
        cost_ranges=cost_ranges,
        technical_design_min_share=technical_design_min_share,
        max_cost=max_cost,
        om_payers=om_payers,
        cofinancing_share=cofinancing_share,
        splitting=Splitting() if splitting is None else splitting,
        plan=plan,
    )
    return Review(checks, name="SNIP (2000–2016)")


def invierte_pe(
    *,
    uit: int = UIT,
    minor_per_unit: int = 1,
    bands_uit: tuple[int, int] = INVIERTE_PE_UIT_BANDS,
    competence_sectors: Iterable[str] = MUNICIPAL_SECTORS,
    cost_ranges: Iterable[CostRange] | None = None,
    technical_design_min_share: Fraction | int = 0,
    max_cost: int | None = None,
    om_payers: Iterable[str] = (),
    cofinancing_share: Fraction | None = None,
    splitting: Splitting | None = None,
    plan: Plan | None = None,
) -> Review:
    """The Invierte.pe (2017–) review: as :func:`snip` with study levels banded in UIT.

    ``uit`` is the UIT value in soles for the year reviewed; ``bands_uit`` the
    simplified and standard sheet limits in UIT. Other parameters as in :func:`snip`
    (``plan=`` adds the ``plan-alignment`` check).
    """
    study = invierte_pe_study_level(uit=uit, minor_per_unit=minor_per_unit, bands_uit=bands_uit)
    checks = _common(
        study,
        minor_per_unit=minor_per_unit,
        competence_sectors=competence_sectors,
        cost_ranges=cost_ranges,
        technical_design_min_share=technical_design_min_share,
        max_cost=max_cost,
        om_payers=om_payers,
        cofinancing_share=cofinancing_share,
        splitting=Splitting() if splitting is None else splitting,
        plan=plan,
    )
    return Review(checks, name="Invierte.pe (2017–)")


def consul(
    verdicts: Mapping[str, ManualVerdict] | Iterable[ManualVerdict],
    *,
    max_cost: int | None = None,
    price_differs: Status = Status.WARN,
) -> Review:
    """A CONSUL-style manual review: the team's verdicts, plus a positive cost within the
    budget limit.

    >>> from participa.model import Project
    >>> rev = consul([ManualVerdict.feasible("A", price=10),
    ...               ManualVerdict.unfeasible("B", "private land")])
    >>> rev.run([Project("A", 10), Project("B", 5), Project("C", 7)]).verdicts()
    {'A': <Status.PASS: 'pass'>, 'B': <Status.FAIL: 'fail'>, 'C': <Status.UNKNOWN: 'unknown'>}
    """
    return Review(
        (CostPositive(max_cost=max_cost), ManualReview(verdicts, price_differs)),
        name="CONSUL-style manual review",
    )
