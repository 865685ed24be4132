"""Public Hypothesis strategies and property checks for PB rules (needs ``hypothesis``).

>>> from participa.testing import elections  # doctest: +SKIP
"""

from __future__ import annotations

from participa.testing.strategies import elections, profiles, projects

__all__ = ["elections", "profiles", "projects"]
