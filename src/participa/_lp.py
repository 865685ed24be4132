"""An exact linear-programming solver: a two-phase simplex over :class:`~fractions.Fraction`.

participa needs a linear program in two places, ordered relax's relaxation
(:mod:`participa.rules.ordered_relax`) and deciding priceability
(:mod:`participa.analysis.axioms.price_lp`), and in both the answer must be exact and
reproducible: no solver dependency, no tolerance. This module solves

    maximise ``c · x`` subject to ``rows`` (each ``a · x <= b``, ``>= b`` or ``== b``)
    and ``x >= 0``

with a dense tableau of fractions, a phase 1 that minimises the artificial variables
and Bland's rule (smallest entering index, then smallest leaving basic index) in both
phases, so it never cycles and the vertex it returns is a function of the input alone.

Complexity: each pivot costs ``O(rows × columns)`` fraction operations; Bland's rule
may take exponentially many pivots in the worst case, a handful per row in practice.
It is meant for the small programs the callers build (tens of rows and columns;
callers add constraints lazily), not for large ones.

Examples
--------
>>> from fractions import Fraction
>>> r = maximize([1, 1], [([1, 2], "<=", 4), ([3, 1], "<=", 6)])
>>> r.status, r.value, r.x
('optimal', Fraction(14, 5), (Fraction(8, 5), Fraction(6, 5)))
>>> r.duals
(Fraction(2, 5), Fraction(1, 5))
>>> maximize([0, 0], [([1, 1], "==", 1), ([1, 0], ">=", 2)]).status
'infeasible'
>>> maximize([1, 0], [([0, 1], "<=", 1)]).status
'unbounded'
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Literal, TypeAlias

import attrs

__all__ = ["LPResult", "Row", "Sense", "maximize"]

Sense = Literal["<=", ">=", "=="]
Row: TypeAlias = tuple[Sequence[Fraction | int], Sense, Fraction | int]
"""A constraint ``(coefficients, sense, right-hand side)``, one coefficient per variable."""


@attrs.frozen(slots=True)
class LPResult:
    """The solution of :func:`maximize`.

    ``status`` is ``"optimal"``, ``"infeasible"`` or ``"unbounded"``; ``value`` and ``x``
    (one exact value per variable, a vertex of the feasible region) are set when optimal.
    """

    status: Literal["optimal", "infeasible", "unbounded"]
    value: Fraction | None = None
    x: tuple[Fraction, ...] | None = None
    duals: tuple[Fraction, ...] | None = None
    """One shadow price per row (optimal dual solution): ``>= 0`` for ``<=`` rows,
    ``<= 0`` for ``>=`` rows; ``value == Σ duals · rhs`` (strong duality)."""


def maximize(objective: Sequence[Fraction | int], rows: Sequence[Row]) -> LPResult:
    """Maximise ``objective · x`` over ``x >= 0`` and ``rows``, exactly (see module doc)."""
    n = len(objective)
    # scale every row and the objective to integers (a row times a positive number is
    # the same constraint; the objective's scale is undone at the end)
    norm: list[tuple[list[int], Sense, int]] = []
    scales: list[int] = []
    for coeffs, sense, rhs in rows:
        vals = [Fraction(v) for v in coeffs] + [Fraction(rhs)]
        den = math.lcm(*(v.denominator for v in vals))
        ints = [int(v * den) for v in vals]
        a, b = ints[:-1], ints[-1]
        if len(a) != n:
            raise ValueError("every row needs one coefficient per variable")
        if b < 0:
            a, b = [-v for v in a], -b
            sense = "<=" if sense == ">=" else (">=" if sense == "<=" else "==")
            den = -den
        norm.append((a, sense, b))
        scales.append(den)
    obj = [Fraction(v) for v in objective]
    oden = math.lcm(1, *(v.denominator for v in obj))
    c = [int(v * oden) for v in obj]
    m = len(norm)
    n_slack = sum(1 for _, s, _ in norm if s != "==")
    n_art = sum(1 for _, s, _ in norm if s != "<=")
    width = n + n_slack + n_art
    art_start = n + n_slack
    tab: list[list[int]] = []
    basis: list[int] = []
    unit: list[int] = []  # the column that starts as row i's unit vector
    k_slack, k_art = n, art_start
    for a, sense, b in norm:
        row = a + [0] * (n_slack + n_art) + [b]
        unit.append(k_slack if sense == "<=" else k_art)
        if sense == "<=":
            row[k_slack] = 1
            basis.append(k_slack)
            k_slack += 1
        else:
            if sense == ">=":
                row[k_slack] = -1
                k_slack += 1
            row[k_art] = 1
            basis.append(k_art)
            k_art += 1
        tab.append(row)
    # two objective rows, z_j = c_B B^-1 A_j - c_j: phase 2's, then phase 1's
    # (maximise minus the sum of the artificials)
    z2 = [-v for v in c] + [0] * (width - n + 1)
    z1 = [0] * (width + 1)
    for j in range(art_start, width):
        z1[j] = 1
    for i in range(m):
        if basis[i] >= art_start:
            z1 = [u - v for u, v in zip(z1, tab[i], strict=True)]
    t = _Tableau([*tab, z2, z1], basis, m)
    if n_art:
        t.run(objective_row=m + 1, columns=width)
        if t.rows[m + 1][-1] != 0:
            return LPResult("infeasible")
        # pivot zero-level artificials out where a real column can replace them
        for i in range(m):
            if t.basis[i] >= art_start:
                for j in range(art_start):
                    if t.rows[i][j] != 0:
                        t.pivot(i, j)
                        break
    if not t.run(objective_row=m, columns=art_start, skip_rows=_art_rows(t, art_start)):
        return LPResult("unbounded")
    x = [Fraction(0)] * n
    for i, j in enumerate(t.basis):
        if j < n:
            x[j] = Fraction(t.rows[i][-1], t.den)
    value = sum((obj[j] * x[j] for j in range(n)), Fraction(0))
    z = t.rows[m]
    duals = tuple(Fraction(z[unit[i]] * scales[i], t.den * oden) for i in range(m))
    return LPResult("optimal", value, tuple(x), duals)


def _art_rows(t: _Tableau, art_start: int) -> frozenset[int]:
    """Rows still held by a zero-level artificial (redundant constraints)."""
    return frozenset(i for i in range(t.m) if t.basis[i] >= art_start)


class _Tableau:
    """A fraction-free (integer-preserving) simplex tableau: entry = ``rows[i][j] / den``.

    Pivoting on ``(r, c)`` with ``p = rows[r][c]`` sets every other row to
    ``(row · p - row[c] · rows[r]) / den``, an exact integer division (Edmonds), and
    ``den = p``; so entries stay integers bounded by the input's subdeterminants and no
    gcd is ever taken.
    """

    __slots__ = ("basis", "den", "m", "rows")

    def __init__(self, rows: list[list[int]], basis: list[int], m: int) -> None:
        self.rows = rows
        self.basis = basis
        self.m = m
        self.den = 1

    def pivot(self, r: int, c: int) -> None:
        rows, den = self.rows, self.den
        prow = rows[r]
        p = prow[c]
        nz = [j for j, v in enumerate(prow) if v]
        for i, row in enumerate(rows):
            if i == r:
                continue
            f = row[c]
            if f:
                new = [v * p for v in row]
                for j in nz:
                    new[j] -= f * prow[j]
                rows[i] = [v // den for v in new]
            elif p != den:
                rows[i] = [v * p // den for v in row]
        self.den = p
        if p < 0:
            self.rows = [[-v for v in row] for row in self.rows]
            self.den = -p
        self.basis[r] = c

    def run(
        self, *, objective_row: int, columns: int, skip_rows: frozenset[int] = frozenset()
    ) -> bool:
        """Pivot to optimality (``False``: unbounded).

        Dantzig's rule (most negative reduced cost) while pivots make progress; after a
        degenerate pivot, Bland's rule (smallest index) until the next progress, so the
        run never cycles.
        """
        bland = False
        while True:
            z = self.rows[objective_row]
            enter = -1
            if bland:
                for j in range(columns):
                    if z[j] < 0:
                        enter = j
                        break
            else:
                best = 0
                for j in range(columns):
                    if z[j] < best:
                        best, enter = z[j], j
            if enter < 0:
                return True
            leave = -1
            for i in range(self.m):
                if i in skip_rows:
                    continue
                a = self.rows[i][enter]
                if a > 0:
                    if leave < 0:
                        leave = i
                        continue
                    lhs = self.rows[i][-1] * self.rows[leave][enter]
                    rhs = self.rows[leave][-1] * a
                    if lhs < rhs or (lhs == rhs and self.basis[i] < self.basis[leave]):
                        leave = i
            if leave < 0:
                return False
            bland = self.rows[leave][-1] == 0
            self.pivot(leave, enter)
