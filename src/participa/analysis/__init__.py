"""Was an outcome fair? Proportionality axioms, efficiency and how money is distributed.

Everything here is exact and needs only numpy: :mod:`participa.analysis.axioms`
(JR, PJR, EJR and their "up to" forms, priceability certificates, Pareto swaps,
exhaustiveness), :mod:`participa.analysis.distribution` (shares of money by
territory, category or dimension, voter satisfaction, rule comparison tables) and
:mod:`participa.analysis.mesanalytics` (per-project equal-shares analytics: project
loss, effective support).
"""

from __future__ import annotations

from participa.analysis.axioms import (
    AxiomReport,
    ParetoSwap,
    PriceSystem,
    SearchLimitExceeded,
    UpTo,
    Violation,
    check_ejr,
    check_jr,
    check_pjr,
    check_price_system,
    find_price_system,
    is_exhaustive,
    pareto_swaps,
    still_affordable,
)
from participa.analysis.distribution import (
    FundingGap,
    FundingGaps,
    RuleComparison,
    RuleRow,
    SatisfactionSummary,
    ShareRow,
    ShareTable,
    compare_rules,
    funding_gaps,
    gini,
    satisfaction,
    shares,
    voter_satisfaction,
)
from participa.analysis.mesanalytics import (
    EqualSharesAnalytics,
    ProjectAnalytics,
    equal_shares_analytics,
)

__all__ = [
    "AxiomReport",
    "EqualSharesAnalytics",
    "FundingGap",
    "FundingGaps",
    "ParetoSwap",
    "PriceSystem",
    "ProjectAnalytics",
    "RuleComparison",
    "RuleRow",
    "SatisfactionSummary",
    "SearchLimitExceeded",
    "ShareRow",
    "ShareTable",
    "UpTo",
    "Violation",
    "check_ejr",
    "check_jr",
    "check_pjr",
    "check_price_system",
    "compare_rules",
    "equal_shares_analytics",
    "find_price_system",
    "funding_gaps",
    "gini",
    "is_exhaustive",
    "pareto_swaps",
    "satisfaction",
    "shares",
    "still_affordable",
    "voter_satisfaction",
]
