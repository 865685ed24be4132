"""The Villa El Salvador 2000 worked example: envelope, 8 sections, one section's projects.

**From the seed paper**: 35% of the municipal investment fund went to PB, equal to
S/ 2,000,000 in 2000; the district (some 350,000 inhabitants, 40% not connected to
drinking water and sewerage) is divided into 8 sections; each section's share used
inhabitants 30%, inadequate basic services 20% and tax compliance 50%; from 2001 the
population co-finances 20% of each project's cost in labour, materials or other forms.

**Invented for illustration** (not in the paper): the fund's exact size
(S/ 5,714,285.72, chosen so that 35% rounds down to S/ 2,000,000), the section names
and every indicator value (populations summing to 350,000; households without water
and sewerage; taxpayers), Sector 3's eight projects, their costs, the pledges and the
labour rate of S/ 3.75 an hour.

Examples
--------
>>> ex = ves_2000()
>>> ex.envelope.format(ex.envelope.total)
'S/ 2,000,000.00'
>>> sum(ex.allocation.amounts.values()) == ex.envelope.total
True
>>> [s.project_id for s in ex.shortfalls]
['V3-02', 'V3-03']
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from fractions import Fraction
from types import MappingProxyType

import attrs

from participa import serialize
from participa.allocation import Allocation, Envelope, Formula, allocate, ves_formula
from participa.boundary import checked, typed_fields
from participa.cofinancing import (
    CofinancingPlan,
    ContributorKind,
    Pledge,
    PledgeStatus,
    RequiredShare,
    Shortfall,
    net_costs,
    shortfalls,
)
from participa.model import Project, Territory

__all__ = ["SOURCES", "VesExample", "ves_2000"]

SOURCES: Mapping[str, str] = MappingProxyType(
    {
        "PB share 35% of the investment fund": "seed paper",
        "S/ 2,000,000 for PB in 2000": "seed paper",
        "8 sections": "seed paper",
        "weights 30% inhabitants / 20% basic-service deficit / 50% tax compliance": "seed paper",
        "about 350,000 inhabitants": "seed paper",
        "20% community co-financing (2001 decree)": "seed paper",
        "fund of S/ 5,714,285.72": "invented (2,000,000 / 0.35, rounded up to the céntimo)",
        "section names and indicator values": "invented",
        "Sector 3 projects, costs, pledges, labour rate": "invented",
    }
)
"""Which numbers of the example come from the seed paper and which are invented."""

# (id, name, population, households without water and sewerage, taxpayers) — invented
_SECTIONS = (
    ("S1", "Sector 1", 52_000, 1_200, 9_800),
    ("S2", "Sector 2", 48_500, 2_300, 7_600),
    ("S3", "Sector 3", 61_000, 3_100, 8_900),
    ("S4", "Sector 4", 39_500, 4_200, 4_100),
    ("S5", "Sector 5", 45_000, 2_600, 6_200),
    ("S6", "Sector 6", 34_000, 5_100, 3_000),
    ("S7", "Sector 7", 41_000, 3_900, 4_500),
    ("S8", "Sector 8", 29_000, 6_800, 1_900),
)

_RATE = 375  # céntimos per hour of community labour (S/ 30 for an 8-hour day) — invented


def _territory_tuple(value: Iterable[Territory]) -> tuple[Territory, ...]:
    return tuple(value)


def _project_tuple(value: Iterable[Project]) -> tuple[Project, ...]:
    return tuple(value)


def _shortfall_tuple(value: Iterable[Shortfall]) -> tuple[Shortfall, ...]:
    return tuple(value)


def _int_map(value: Mapping[str, int]) -> Mapping[str, int]:
    return MappingProxyType(dict(value))


@serialize.register("participa.examples.VesExample")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class VesExample:
    """Every value of the Villa El Salvador 2000 worked example.

    Parameters
    ----------
    envelope
        S/ 2,000,000 (in céntimos, ``PEN``), 35% of the fund.
    sections
        The 8 sections as territories with ``population``, ``basic_service_deficit``
        and ``tax_compliance`` indicators.
    formula
        :func:`participa.allocation.ves_formula` (30/20/50).
    allocation
        The envelope split among the sections (largest remainder).
    section_id
        The section whose projects are shown (``"S3"``).
    projects
        That section's project proposals (costs in céntimos).
    plan
        Their pledges under the 20% community co-financing rule.
    shortfalls
        The projects whose community pledges fall short of 20%.
    net_costs
        What each project still draws from the section's envelope.
    """

    envelope: Envelope
    sections: tuple[Territory, ...] = attrs.field(converter=_territory_tuple)
    formula: Formula
    allocation: Allocation
    section_id: str
    projects: tuple[Project, ...] = attrs.field(converter=_project_tuple)
    plan: CofinancingPlan
    shortfalls: tuple[Shortfall, ...] = attrs.field(converter=_shortfall_tuple)
    net_costs: Mapping[str, int] = attrs.field(converter=_int_map, hash=False)

    @property
    def section_budget(self) -> int:
        """The shown section's amount, in céntimos."""
        return self.allocation.amount(self.section_id)


@checked
def ves_2000() -> VesExample:
    """Build the Villa El Salvador 2000 worked example (see the module docstring for which
    numbers are from the paper and which are invented).

    Returns
    -------
    VesExample
        Envelope, sections, formula, allocation, Sector 3's projects, their
        co-financing plan, the shortfalls and the net costs.
    """
    envelope = Envelope.from_fund(
        571_428_572, Fraction(35, 100), currency="PEN", minor_per_unit=100, name="VES 2000"
    )
    sections = tuple(
        Territory(
            tid,
            name,
            parent="VES",
            indicators={
                "population": pop,
                "basic_service_deficit": deficit,
                "tax_compliance": taxpayers,
            },
        )
        for tid, name, pop, deficit, taxpayers in _SECTIONS
    )
    formula = ves_formula()
    allocation = allocate(envelope, sections, formula)
    projects = (
        Project("V3-01", 12_000_000, name="Pistas y veredas, grupo 15", territory="S3"),
        Project("V3-02", 6_500_000, name="Losa deportiva multiuso", territory="S3"),
        Project("V3-03", 4_800_000, name="Perfil de agua y desagüe", territory="S3"),
        Project("V3-04", 3_200_000, name="Parque y áreas verdes", territory="S3"),
        Project("V3-05", 1_500_000, name="Taller de gestión empresarial", territory="S3"),
        Project("V3-06", 9_800_000, name="Ampliación de red de agua, Los Jardines", territory="S3"),
        Project("V3-07", 7_400_000, name="Muro de contención, Lomo de Corvina", territory="S3"),
        Project("V3-08", 5_600_000, name="Equipamiento del puesto de salud", territory="S3"),
    )
    community = "junta vecinal"
    pledges = (
        Pledge.labour("L01", "V3-01", hours=4_000, rate=_RATE, contributor=community),
        Pledge.materials("C01", "V3-01", 600_000, contributor=community, description="stone"),
        Pledge.money("M01", "V3-01", 400_000, contributor=community),
        Pledge.labour("L02", "V3-02", hours=2_000, rate=_RATE, contributor="club deportivo"),
        Pledge.money(
            "M02", "V3-02", 300_000, contributor="club deportivo", status=PledgeStatus.RECEIVED
        ),
        Pledge.money(
            "N03", "V3-03", 1_000_000, source=ContributorKind.INSTITUTION, contributor="ONG"
        ),
        Pledge.labour("L03", "V3-03", hours=1_200, rate=_RATE, contributor=community),
        Pledge.labour("L04", "V3-04", hours=1_000, rate=_RATE, contributor="comité de parque"),
        Pledge.materials("C04", "V3-04", 300_000, contributor="vivero", description="plants"),
        Pledge.money("M05", "V3-05", 300_000, contributor="asociación de comerciantes"),
        Pledge.labour("L06", "V3-06", hours=4_000, rate=_RATE, contributor=community),
        Pledge.materials("C06", "V3-06", 500_000, contributor=community, description="pipes"),
        Pledge.labour("L07", "V3-07", hours=3_000, rate=_RATE, contributor=community),
        Pledge.money("M07", "V3-07", 400_000, contributor=community),
        Pledge.money("M08", "V3-08", 1_200_000, contributor="club de madres"),
    )
    plan = CofinancingPlan(pledges, required=RequiredShare.ves_2001())
    return VesExample(
        envelope=envelope,
        sections=sections,
        formula=formula,
        allocation=allocation,
        section_id="S3",
        projects=projects,
        plan=plan,
        shortfalls=shortfalls(plan, projects),
        net_costs=net_costs(plan, projects),
    )
