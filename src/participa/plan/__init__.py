"""The development plan and the participatory budget, articulated.

Peru's law asks each municipality to make its concerted development plan and its
participatory budget together; the seed paper shows both Lima districts failing at
the seam. This package models the plan and the seam:

* :class:`Plan` — vision, dimensions, strategic and specific objectives, indicators
  with baseline and target; validated when built; JSON (``participa.dumps``), HTML
  and text views; :func:`read_plan_csv` reads one row per objective.
* the ``objectives`` metadata key (:data:`OBJECTIVES_KEY`) links a project to the
  specific objectives it serves (:func:`link`, :func:`served`); pabulib files and CSV
  carry it as a column.
* :class:`PlanAlignment` — the ``plan-alignment`` feasibility check.
* :func:`plan_criterion`, :func:`rank_with_plan` — the plan in a prioritisation
  matrix; :func:`thematic_envelope` — reserves per dimension.
* :func:`plan_funding`, :func:`sectoral_view` — money by dimension and objective,
  unfunded objectives, the plan's share per territory, territorial vs sectoral.
* :func:`plan_noted` — record the plan in a round's log (guard ``plan_loaded``,
  ``presets.ley_28056(require_plan=True)``);
  ``accountability_report(..., plan=, projects=)`` adds :class:`PlanExecution`.

See the how-to ``docs/plan.md`` for a San Juan de Miraflores-style plan end to end.
"""

from __future__ import annotations

from participa.plan.accountability import (
    PlanExecution,
    PlanExecutionRow,
    plan_execution,
)
from participa.plan.alignment import PlanAlignment
from participa.plan.analysis import (
    PlanFunding,
    PlanMoney,
    SectoralMismatch,
    SectoralView,
    TerritoryShare,
    plan_funding,
    project_sector,
    sectoral_view,
    split_by_objective,
)
from participa.plan.links import (
    NONE_VALUES,
    OBJECTIVES_KEY,
    check_links,
    link,
    linked_ids,
    served,
)
from participa.plan.model import (
    Dimension,
    Indicator,
    Plan,
    SpecificObjective,
    StrategicObjective,
)
from participa.plan.priority import (
    RESERVE_PREFIX,
    plan_criterion,
    plan_raw,
    plan_scores,
    rank_with_plan,
    thematic_envelope,
)
from participa.plan.read import COLUMNS, parse_plan_csv, read_plan_csv
from participa.plan.rounds import plan_noted

__all__ = [
    "COLUMNS",
    "NONE_VALUES",
    "OBJECTIVES_KEY",
    "RESERVE_PREFIX",
    "Dimension",
    "Indicator",
    "Plan",
    "PlanAlignment",
    "PlanExecution",
    "PlanExecutionRow",
    "PlanFunding",
    "PlanMoney",
    "SectoralMismatch",
    "SectoralView",
    "SpecificObjective",
    "StrategicObjective",
    "TerritoryShare",
    "check_links",
    "link",
    "linked_ids",
    "parse_plan_csv",
    "plan_criterion",
    "plan_execution",
    "plan_funding",
    "plan_noted",
    "plan_raw",
    "plan_scores",
    "project_sector",
    "rank_with_plan",
    "read_plan_csv",
    "sectoral_view",
    "served",
    "split_by_objective",
    "thematic_envelope",
]
