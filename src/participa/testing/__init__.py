"""Public Hypothesis strategies and the property battery for PB rules (needs ``hypothesis``).

>>> from participa.testing import check_rule, elections
"""

from __future__ import annotations

from participa.testing.properties import PROPERTIES, RuleCheckFailure, check_rule
from participa.testing.strategies import elections, envelopes, pledges, profiles, projects

__all__ = [
    "PROPERTIES",
    "RuleCheckFailure",
    "check_rule",
    "elections",
    "envelopes",
    "pledges",
    "profiles",
    "projects",
]
