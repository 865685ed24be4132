"""Public Hypothesis strategies and the property battery for PB rules (needs ``hypothesis``).

>>> from participa.testing import check_rule, elections
"""

from __future__ import annotations

from participa.testing.properties import PROPERTIES, RuleCheckFailure, check_rule
from participa.testing.strategies import (
    UTILITY_KINDS,
    elections,
    elections_with_utility,
    envelopes,
    pledges,
    profiles,
    projects,
)

__all__ = [
    "PROPERTIES",
    "UTILITY_KINDS",
    "RuleCheckFailure",
    "check_rule",
    "elections",
    "elections_with_utility",
    "envelopes",
    "pledges",
    "profiles",
    "projects",
]
