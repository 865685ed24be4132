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
from participa.feasibility.presets import (
    INVIERTE_PE_LEVELS,
    INVIERTE_PE_UIT_BANDS,
    MUNICIPAL_SECTORS,
    PEN_PER_USD,
    SNIP_LEVELS,
    SNIP_PERFIL_MAX,
    SNIP_PERFIL_SIMPLIFICADO_MAX,
    UIT,
    WATER_PREPROJECT_USD_PER_HOUSEHOLD,
    consul,
    invierte_pe,
    invierte_pe_study_level,
    snip,
    snip_study_level,
    water_sewerage_range,
)
from participa.feasibility.prioritisation import (
    CriteriaMatrix,
    Normalisation,
    PriorityCriterion,
    RankedProject,
    Ranking,
    institution_cofinancing_shares,
    peru_matrix,
    select_by_ranking,
    ves_2005_matrix,
)
from participa.feasibility.review import (
    FeasibilityReport,
    ProjectReport,
    Review,
    aggregate,
    review,
)
from participa.feasibility.splitting import Splitting

__all__ = [
    "INVIERTE_PE_LEVELS",
    "INVIERTE_PE_UIT_BANDS",
    "METADATA_KEYS",
    "MUNICIPAL_SECTORS",
    "PEN_PER_USD",
    "SNIP_LEVELS",
    "SNIP_PERFIL_MAX",
    "SNIP_PERFIL_SIMPLIFICADO_MAX",
    "TECHNICAL_DESIGN_LINES",
    "UIT",
    "WATER_PREPROJECT_USD_PER_HOUSEHOLD",
    "Check",
    "CheckResult",
    "CheckValue",
    "CofinancingPledged",
    "CofinancingSource",
    "Competence",
    "CostPerBeneficiary",
    "CostPositive",
    "CostRange",
    "CriteriaMatrix",
    "Feasibility",
    "FeasibilityReport",
    "FunctionCheck",
    "ManualReview",
    "ManualVerdict",
    "Normalisation",
    "OperationMaintenance",
    "PlanCofinancing",
    "PriorityCriterion",
    "ProjectReport",
    "ProposalDetails",
    "RankedProject",
    "Ranking",
    "Review",
    "ReviewContext",
    "Splitting",
    "Status",
    "StudyBand",
    "StudyLevel",
    "TechnicalDesign",
    "UnfeasibleReason",
    "aggregate",
    "consul",
    "details_by_id",
    "details_from_metadata",
    "institution_cofinancing_shares",
    "invierte_pe",
    "invierte_pe_study_level",
    "peru_matrix",
    "review",
    "select_by_ranking",
    "snip",
    "snip_study_level",
    "ves_2005_matrix",
    "water_sewerage_range",
]
