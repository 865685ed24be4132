"""Presets: phase machines of real PB processes, as plain data you can copy and change.

Each function returns a fresh :class:`~participa.phases.MachineSpec`; change it
with :meth:`~participa.phases.MachineSpec.insert_after`,
:meth:`~participa.phases.MachineSpec.with_guard`,
:meth:`~participa.phases.MachineSpec.with_phase` or ``attrs.evolve``.

* :func:`ley_28056` — Peru's framework law on the participatory budget, as amended.
* :func:`ves_2001` — the Villa El Salvador municipal decree of 2001.
* :func:`consul` — a CONSUL Democracy-style participatory budget.

Examples
--------
>>> [p.name for p in ley_28056().phases]
['preparacion', 'concertacion', 'coordinacion', 'formalizacion']
>>> ves_2001().initial, consul().final
('assignment', ('finished',))
"""

from __future__ import annotations

import itertools

from participa.boundary import checked
from participa.phases.spec import MachineSpec, Phase, Transition

__all__ = ["PRESETS", "consul", "ley_28056", "ves_2001"]

_MONEY = ("commit", "spend", "reallocate")


@checked
def ley_28056(*, require_plan: bool = False) -> MachineSpec:
    """Peru's participatory budget: Ley 28056 (2003) as amended, four phases.

    Source: Ley 28056, Ley Marco del Presupuesto Participativo (2003); amended by
    Ley 29298 (2008), regulation DS 142-2009-EF, instructivo 001-2010-EF/76.01.
    Phases and steps as listed by the San Isidro municipality (PB 2023) and
    Participedia case 5580 (see ``DOMAIN.md`` §1). The 2003–2008 eight-step list is
    unverified and not used. *Coordinación* (between levels of government) is
    optional: a district round may disable it. Guards: the technical team's
    evaluation must cover every proposal before prioritisation results are
    published; formalisation needs the council's approval (``approved:council``)
    and a published outcome for every territory. With ``require_plan=True`` the
    move into *concertación*, whose first step is the results-prioritisation
    workshop, also needs a loaded development plan (guard ``plan_loaded``; record
    the plan with :func:`participa.plan.plan_noted`).
    """
    concertar = ("allocation_made", "plan_loaded") if require_plan else ("allocation_made",)
    return MachineSpec(
        "ley-28056",
        phases=(
            Phase(
                "preparacion",
                title="Preparación",
                steps=(
                    "comunicación",
                    "sensibilización",
                    "convocatoria",
                    "identificación y registro de agentes participantes",
                    "capacitación de agentes participantes",
                ),
                allows=("allocate",),
                description="Communication, awareness, convocation, registration, training.",
            ),
            Phase(
                "concertacion",
                title="Concertación",
                steps=(
                    "taller de identificación y priorización de resultados",
                    "evaluación técnica de proyectos",
                    "taller de priorización de proyectos",
                    "formalización de acuerdos y compromisos",
                ),
                allows=("propose", "pledge", "review", "close_ballots", "publish"),
                description="Workshops identify and prioritise results and projects.",
            ),
            Phase(
                "coordinacion",
                title="Coordinación",
                steps=("articulación de políticas y proyectos entre niveles de gobierno",),
                optional=True,
                description="Coordination between regional, provincial and district levels.",
            ),
            Phase(
                "formalizacion",
                title="Formalización",
                steps=(
                    "inclusión de proyectos en el presupuesto institucional de apertura (PIA)",
                    "rendición de cuentas",
                    "comité de vigilancia",
                ),
                allows=_MONEY,
                description="Projects enter the opening budget; accountability; vigilance.",
            ),
        ),
        transitions=(
            Transition("concertar", "preparacion", "concertacion", concertar),
            Transition("coordinar", "concertacion", "coordinacion", ("outcomes_published",)),
            Transition("formalizar", "coordinacion", "formalizacion", ("approved:council",)),
        ),
        initial="preparacion",
        final=("formalizacion",),
        source="Ley 28056 (2003), Ley 29298 (2008), DS 142-2009-EF; San Isidro PB 2023",
    )


@checked
def ves_2001() -> MachineSpec:
    """Villa El Salvador's participatory budget as named by its 2001 municipal decree.

    Source: the seed paper (Villa El Salvador and San Juan de Miraflores, Lima):
    the 2001 decree fixes 35% of the investment fund for PB, 20% co-financing by
    the population, and the phases: assignment of the budget to sections by the
    council → public launch → thematic and section discussions → defining and
    agreeing priorities → elaborating and implementing the projects → presenting
    the accounts. Guards: the launch needs the council's allocation
    (``allocation_made``, ``approved:council``); prioritisation (the vote) needs
    the feasibility review of every proposal; implementation needs every
    section's published priorities.
    """
    return MachineSpec(
        "ves-2001",
        phases=(
            Phase(
                "assignment",
                title="Asignación del presupuesto a los sectores",
                steps=("council assigns the PB share to the 8 sections by weighted criteria",),
                allows=("allocate",),
            ),
            Phase("launch", title="Lanzamiento público", steps=("public launch",)),
            Phase(
                "discussion",
                title="Discusión temática y sectorial",
                steps=("thematic workshops", "section workshops", "co-financing pledges"),
                allows=("propose", "pledge", "review"),
            ),
            Phase(
                "prioritisation",
                title="Definición y concertación de prioridades",
                steps=("delegates vote per section", "priorities agreed and published"),
                allows=("close_ballots", "publish"),
            ),
            Phase(
                "implementation",
                title="Elaboración y ejecución de los proyectos",
                steps=("technical files", "works"),
                allows=_MONEY,
            ),
            Phase(
                "accounts",
                title="Rendición de cuentas",
                steps=("presenting the accounts to the population",),
                allows=_MONEY,
            ),
        ),
        transitions=(
            Transition("launch", "assignment", "launch", ("allocation_made", "approved:council")),
            Transition("discuss", "launch", "discussion"),
            Transition("prioritise", "discussion", "prioritisation", ("review_complete",)),
            Transition("implement", "prioritisation", "implementation", ("outcomes_published",)),
            Transition("account", "implementation", "accounts"),
        ),
        initial="assignment",
        final=("accounts",),
        source="Villa El Salvador municipal decree (2001), as reported in the seed paper",
    )


@checked
def consul() -> MachineSpec:
    """A CONSUL Democracy-style participatory budget; disabled phases are skipped.

    Source: CONSUL Democracy's budget phases (``DOMAIN.md`` §4): drafting,
    informing, accepting, reviewing, selecting, valuating, publishing_prices,
    balloting, reviewing_ballots, finished, each moved to with ``next``. Here
    informing, selecting and publishing_prices are optional
    (a round may disable them). Guards: leaving accepting needs proposals; the
    ballot opens only when the feasibility review is complete; results need
    closed ballots; finishing needs published results. Money is followed in
    ``finished``.
    """
    names = (
        ("drafting", ("allocate",), False),
        ("informing", (), True),
        ("accepting", ("propose", "pledge"), False),
        ("reviewing", ("review",), False),
        ("selecting", (), True),
        ("valuating", ("review",), False),
        ("publishing_prices", (), True),
        ("balloting", ("close_ballots",), False),
        ("reviewing_ballots", ("publish",), False),
        ("finished", ("publish", *_MONEY), False),
    )
    guards = {
        "accepting": ("proposals_registered",),
        "publishing_prices": ("review_complete",),
        "valuating": ("review_complete",),
        "balloting": ("ballots_closed",),
        "reviewing_ballots": ("outcomes_published",),
    }
    phases = tuple(
        Phase(n, title=n.replace("_", " ").capitalize(), allows=a, optional=o) for n, a, o in names
    )
    transitions = tuple(
        Transition("next", a[0], b[0], guards.get(a[0], ())) for a, b in itertools.pairwise(names)
    )
    return MachineSpec(
        "consul",
        phases=phases,
        transitions=transitions,
        initial="drafting",
        final=("finished",),
        source="CONSUL Democracy budget phases (github.com/consuldemocracy/consuldemocracy)",
    )


PRESETS = {"ley-28056": ley_28056, "ves-2001": ves_2001, "consul": consul}
"""Preset name → function returning a fresh specification."""
