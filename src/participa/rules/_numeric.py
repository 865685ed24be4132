"""The one place where participa's rules compare floats.

Rules decide with exact integers or :class:`fractions.Fraction` values. Where a
fast kernel uses ``float64`` to *filter* candidates (for example Phragmén's
candidate loads), it keeps every candidate that :func:`isclose` calls equal to
the best and settles them exactly. The tolerances are deliberately loose compared
to ``float64``'s rounding error (about ``1e-16`` per operation), so no truly best
candidate is ever filtered out; they are never used to *decide* a tie.

Examples
--------
>>> isclose(1.0, 1.0 + 1e-12)
True
>>> isclose(1.0, 1.001)
False
>>> isclose(0.0, 1e-15)
True
"""

from __future__ import annotations

from participa.boundary import checked

__all__ = ["ABS_TOL", "REL_TOL", "isclose"]

REL_TOL = 1e-9
"""Relative tolerance: two floats within this fraction of the larger are "close"."""

ABS_TOL = 1e-12
"""Absolute tolerance, for values near zero."""


@checked
def isclose(a: float, b: float, *, rel_tol: float = REL_TOL, abs_tol: float = ABS_TOL) -> bool:
    """Whether ``a`` and ``b`` are equal up to the named tolerances.

    Same formula as :func:`math.isclose`: ``|a - b| <= max(rel_tol * max(|a|, |b|), abs_tol)``.
    Infinities are close only to themselves.
    """
    if a == b:
        return True
    diff = abs(a - b)
    return diff <= max(rel_tol * max(abs(a), abs(b)), abs_tol)
