"""Was an outcome fair? Proportionality axioms, efficiency and how money is distributed.

Everything here is exact and needs only numpy: :mod:`participa.analysis.axioms`
(JR, PJR, EJR and their "up to" forms, priceability certificates, Pareto swaps,
exhaustiveness) and :mod:`participa.analysis.distribution` (shares of money by
territory, category or dimension, voter satisfaction, rule comparison tables).
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

__all__ = [
    "AxiomReport",
    "FundingGap",
    "FundingGaps",
    "ParetoSwap",
    "PriceSystem",
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
