"""Hypothesis strategies for development plans and projects linked to them.

>>> from participa.testing.plans import plans, plan_rounds
"""

from __future__ import annotations

from participa.i18n import _

try:
    from hypothesis import strategies as st
except ImportError as exc:  # pragma: no cover - exercised only without the extra
    raise ImportError(
        _("participa.testing needs the 'hypothesis' extra: pip install 'participa[hypothesis]'")
    ) from exc

from participa.model import Project
from participa.outcome import Outcome
from participa.plan.links import OBJECTIVES_KEY
from participa.plan.model import (
    Dimension,
    Indicator,
    Plan,
    SpecificObjective,
    StrategicObjective,
)

__all__ = ["SECTORS", "linked_projects", "plan_rounds", "plans"]

SECTORS = ("health", "education", "roads", "parks", "water")
"""The sectors drawn from."""


@st.composite
def plans(draw: st.DrawFn, *, max_dimensions: int = 3, max_specific: int = 6) -> Plan:
    """A valid plan: 1–``max_dimensions`` dimensions, strategic objectives under them, and
    up to ``max_specific`` specific objectives (weights 0–3, some with indicators)."""
    nd = draw(st.integers(1, max_dimensions))
    dims = tuple(Dimension(f"D{i + 1}", f"dimension {i + 1}") for i in range(nd))
    ns = draw(st.integers(1, nd + 2))
    strat = tuple(
        StrategicObjective(
            f"OE{k + 1}",
            f"strategic {k + 1}",
            dims[draw(st.integers(0, nd - 1))].id,
            sectors=draw(st.lists(st.sampled_from(SECTORS), max_size=2, unique=True)),
        )
        for k in range(ns)
    )
    no = draw(st.integers(0, max_specific))
    spec = []
    count: dict[str, int] = {}
    for j in range(no):
        parent = strat[draw(st.integers(0, ns - 1))].id
        count[parent] = count.get(parent, 0) + 1
        oid = f"{parent}.{count[parent]}"
        indicators = tuple(
            Indicator(f"I{oid}.{m}", f"indicator {m}", baseline=b, target=t)
            for m, (b, t) in enumerate(
                draw(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), max_size=2))
            )
        )
        spec.append(
            SpecificObjective(
                oid,
                f"specific {j + 1}",
                parent,
                weight=draw(st.integers(0, 3)),
                indicators=indicators,
                sectors=draw(st.lists(st.sampled_from(SECTORS), max_size=1)),
            )
        )
    return Plan("plan", "vision", dims, strat, tuple(spec), "2004-2015")


@st.composite
def linked_projects(
    draw: st.DrawFn, plan: Plan, *, min_size: int = 1, max_size: int = 6, max_cost: int = 200
) -> tuple[Project, ...]:
    """Projects whose ``objectives`` link is missing, says none, or names objectives of ``plan``.

    Territories ``S1``–``S3`` (or none), a sector category (or none), a dimension of the
    plan (or none).
    """
    n = draw(st.integers(min_size, max_size))
    out = []
    for j in range(n):
        kind = draw(
            st.sampled_from(("missing", "none", "some") if plan.specific else ("missing", "none"))
        )
        meta: dict[str, str] = {}
        if kind == "none":
            meta[OBJECTIVES_KEY] = "-"
        elif kind == "some":
            ids = draw(st.lists(st.sampled_from(plan.objective_ids), min_size=1, max_size=3))
            meta[OBJECTIVES_KEY] = ";".join(ids)
        sector = draw(st.none() | st.sampled_from(SECTORS))
        out.append(
            Project(
                f"p{j}",
                draw(st.integers(0, max_cost)),
                territory=draw(st.none() | st.sampled_from(("S1", "S2", "S3"))),
                categories=() if sector is None else (sector,),
                dimension=draw(st.none() | st.sampled_from([d.id for d in plan.dimensions])),
                metadata=meta,
            )
        )
    return tuple(out)


@st.composite
def plan_rounds(draw: st.DrawFn) -> tuple[Plan, tuple[Project, ...], Outcome]:
    """A plan, linked projects, and an outcome funding each project between 0 and its cost."""
    plan = draw(plans())
    ps = draw(linked_projects(plan))
    funding = {p.id: draw(st.integers(0, p.cost)) for p in ps}
    slack = draw(st.integers(0, 50))
    selected = tuple(p.id for p in ps if funding[p.id] == p.cost and p.cost > 0)
    outcome = Outcome(
        rule="drawn",
        budget=sum(funding.values()) + slack,
        funding=funding,
        selected=selected,
        total_cost=sum(p.cost for p in ps if p.id in selected),
    )
    return plan, ps, outcome
