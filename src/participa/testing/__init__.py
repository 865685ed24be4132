"""Public Hypothesis strategies and the property battery for PB rules (needs ``hypothesis``).

Without Hypothesis installed, importing this package raises an ``ImportError`` that
names the extra to install (``pip install participa[hypothesis]``).

>>> from participa.testing import check_rule, elections
"""

from __future__ import annotations

try:
    import hypothesis  # noqa: F401 - only to fail early with a useful message
except ImportError as exc:  # pragma: no cover - exercised in a subprocess by the tests
    from participa.i18n import _

    raise ImportError(
        _(
            "participa.testing needs Hypothesis: install it with {command}",
            command="pip install participa[hypothesis]",
        ),
        name=exc.name,
    ) from exc

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
