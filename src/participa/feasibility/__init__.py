"""Feasibility review (SNIP / Invierte.pe style) and multi-criteria prioritisation.

A technical team runs its review as code, before the vote: pluggable checks
(:class:`Check`) compose into a :class:`Review`, which gives every project a
verdict with every reason (:class:`FeasibilityReport`) and the eligible set to hand
to a rule with ``election.restrict(report.eligible)``. A criteria matrix
(:class:`CriteriaMatrix`) ranks the eligible projects by published criteria, and
:func:`select_by_ranking` funds them greedily in rank order.

Examples
--------
>>> from participa.model import Project
>>> from participa.feasibility import CostPositive, Review
>>> Review((CostPositive(),)).run([Project("A", 10), Project("B", 0)]).eligible
('A',)
"""

from __future__ import annotations

from participa.feasibility._base import (
    Check,
    CheckResult,
    CheckValue,
    CofinancingSource,
    PlanCofinancing,
    ProposalDetails,
    ReviewContext,
    Status,
)
from participa.feasibility.checks import (
    TECHNICAL_DESIGN_LINES,
    CofinancingPledged,
    Competence,
    CostPerBeneficiary,
    CostPositive,
    CostRange,
    FunctionCheck,
    OperationMaintenance,
    Splitting,
    StudyBand,
    StudyLevel,
    TechnicalDesign,
)
from participa.feasibility.details import METADATA_KEYS, details_by_id, details_from_metadata
from participa.feasibility.manual import (
    Feasibility,
    ManualReview,
    ManualVerdict,
    UnfeasibleReason,
)
from participa.feasibility.review import (
    FeasibilityReport,
    ProjectReport,
    Review,
    aggregate,
    review,
)

__all__ = [
    "METADATA_KEYS",
    "TECHNICAL_DESIGN_LINES",
    "Check",
    "CheckResult",
    "CheckValue",
    "CofinancingPledged",
    "CofinancingSource",
    "Competence",
    "CostPerBeneficiary",
    "CostPositive",
    "CostRange",
    "Feasibility",
    "FeasibilityReport",
    "FunctionCheck",
    "ManualReview",
    "ManualVerdict",
    "OperationMaintenance",
    "PlanCofinancing",
    "ProjectReport",
    "ProposalDetails",
    "Review",
    "ReviewContext",
    "Splitting",
    "Status",
    "StudyBand",
    "StudyLevel",
    "TechnicalDesign",
    "UnfeasibleReason",
    "aggregate",
    "details_by_id",
    "details_from_metadata",
    "review",
]
