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

Complexity: each pivot costs ``O(rows × columns)`` integer operations, done by numpy
in ``int64`` while every entry is below ``2**31`` (so no product can overflow; checked
before each pivot) and over Python integers (an ``object`` array) from the first pivot
where that bound fails; the two give the same integers, so the same pivots. Bland's rule
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
from typing import Any, Literal, TypeAlias

import attrs
import numpy as np
import numpy.typing as npt

from participa.boundary import checked, typed_fields

__all__ = ["LPResult", "Row", "Sense", "Simplex", "maximize"]

Sense = Literal["<=", ">=", "=="]
Row: TypeAlias = tuple[Sequence[Fraction | int], Sense, Fraction | int]
"""A constraint ``(coefficients, sense, right-hand side)``, one coefficient per variable."""


@attrs.frozen(slots=True, field_transformer=typed_fields)
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


@checked
def maximize(objective: Sequence[Fraction | int], rows: Sequence[Row]) -> LPResult:
    """Maximise ``objective · x`` over ``x >= 0`` and ``rows``, exactly (see module doc)."""
    return Simplex(objective, rows).solve()


class Simplex:
    """A linear programme kept solved, to which variables (columns) can be added.

    :meth:`solve` runs the two phases; :meth:`add_column` then adds a variable (its
    coefficient in every row and in the objective) to the optimal tableau, where it
    enters at zero, so the next :meth:`solve` starts from the previous optimum (column
    generation). ``maximize(objective, rows)`` is ``Simplex(objective, rows).solve()``.

    Examples
    --------
    >>> lp = Simplex([1, 1], [([1, 2], "<=", 4), ([3, 1], "<=", 6)])
    >>> lp.solve().value
    Fraction(14, 5)
    >>> lp.add_column([1, 1], 2)   # a third variable, worth 2 for 1 + 1
    >>> r = lp.solve()
    >>> r.value, r.x
    (Fraction(8, 1), (Fraction(0, 1), Fraction(0, 1), Fraction(4, 1)))
    """

    def __init__(self, objective: Sequence[Fraction | int], rows: Sequence[Row]) -> None:
        n = len(objective)
        # scale every row and the objective to integers (a row times a positive number
        # is the same constraint; the objective's scale is undone at the end)
        norm: list[tuple[list[int], Sense, int]] = []
        scales: list[int] = []
        for coeffs, sense, rhs in rows:
            if all(isinstance(v, int) for v in coeffs) and isinstance(rhs, int):
                den = 1
                a, b = [int(v) for v in coeffs], int(rhs)
            else:
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
        self._obj = [Fraction(v) for v in objective]
        self._oden = math.lcm(1, *(v.denominator for v in self._obj))
        c = [int(v * self._oden) for v in self._obj]
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
        self._t = _Tableau([*tab, z2, z1], basis, m)
        self._m = m
        self._n_art = n_art
        self._art_start = art_start
        self._width = width
        self._scales = scales
        self._unit = unit
        self._columns = list(range(n))  # tableau column of each variable
        self._phase2 = False
        self._status: Literal["optimal", "infeasible", "unbounded"] | None = None

    def solve(self) -> LPResult:
        """Solve (again, from the last basis when columns were added)."""
        t, m, art_start = self._t, self._m, self._art_start
        if self._status == "infeasible":
            return LPResult("infeasible")
        if not self._phase2:
            if self._n_art:
                t.run(objective_row=m + 1, columns=range(self._width))
                if t.rows[m + 1, -1] != 0:
                    self._status = "infeasible"
                    return LPResult("infeasible")
                # pivot zero-level artificials out where a real column can replace them
                for i in range(m):
                    if art_start <= t.basis[i] < self._width:
                        nonzero = np.flatnonzero(t.rows[i, :art_start])
                        if nonzero.size:
                            t.pivot(i, int(nonzero[0]))
            self._phase2 = True
        enterable = [*range(art_start), *range(self._width, t.rows.shape[1] - 1)]
        if not t.run(
            objective_row=m, columns=enterable, skip_rows=_art_rows(t, art_start, self._width)
        ):
            self._status = "unbounded"
            return LPResult("unbounded")
        self._status = "optimal"
        n = len(self._columns)
        x = [Fraction(0)] * n
        where = {col: v for v, col in enumerate(self._columns)}
        rhs = t.rows[:, -1].tolist()
        value = Fraction(0)
        for i, j in enumerate(t.basis):
            if j in where:
                v = where[j]
                x[v] = Fraction(int(rhs[i]), t.den)
                if self._obj[v]:  # only basic variables are non-zero
                    value += self._obj[v] * x[v]
        z = t.rows[m].tolist()
        duals = tuple(
            Fraction(int(z[self._unit[i]]) * self._scales[i], t.den * self._oden) for i in range(m)
        )
        return LPResult("optimal", value, tuple(x), duals)

    def add_column(self, coeffs: Sequence[Fraction | int], cost: Fraction | int) -> None:
        """Add a variable (``coeffs``: one per row, in the rows' order) after :meth:`solve`.

        Its coefficients times each row's scale, and its cost times the objective's,
        must be integers (always true for integer data).
        """
        self.add_columns([(coeffs, cost)])

    def add_columns(
        self, columns: Sequence[tuple[Sequence[Fraction | int], Fraction | int]]
    ) -> None:
        """:meth:`add_column` for several variables at once, in order (one tableau update).

        Nothing is added when one of them is refused.
        """
        if self._status != "optimal":
            raise ValueError("add_column needs a solved, optimal programme")
        t, m = self._t, self._m
        scaled_cols: list[list[int]] = []
        costs: list[int] = []
        for coeffs, cost in columns:
            if len(coeffs) != m:
                raise ValueError("a column needs one coefficient per row")
            if all(isinstance(v, int) for v in coeffs) and isinstance(cost, int):
                a = [int(v) * s for v, s in zip(coeffs, self._scales, strict=True)]
                cst = Fraction(cost * self._oden)
            else:
                scaled = [Fraction(v) * s for v, s in zip(coeffs, self._scales, strict=True)]
                cst = Fraction(cost) * self._oden
                if any(v.denominator != 1 for v in scaled) or cst.denominator != 1:
                    raise ValueError("the column's scaled coefficients must be integers")
                a = [int(v) for v in scaled]
            scaled_cols.append(a)
            costs.append(int(cst))
        if not scaled_cols:
            return
        block = t.combine(self._unit, scaled_cols)
        for q, amount in enumerate(costs):
            block[m][q] -= amount * t.den
        skip = _art_rows(t, self._art_start, self._width)
        if any(block[i][q] for i in skip for q in range(len(costs))):
            raise ValueError("cannot add a column through a redundant row")
        extra = len(t.rows) - m - 1
        t.insert_columns([*block, *([[0] * len(costs)] * extra)])
        first = t.rows.shape[1] - 1 - len(costs)
        self._columns.extend(range(first, first + len(costs)))
        self._obj.extend(Fraction(cost) for _coeffs, cost in columns)


def _art_rows(t: _Tableau, art_start: int, width: int) -> frozenset[int]:
    """Rows still held by a zero-level artificial (redundant constraints)."""
    return frozenset(i for i in range(t.m) if art_start <= t.basis[i] < width)


_INT64_ENTRY = 2**31
"""Pivots run in ``int64`` while every entry is below this: ``2 · entry² < 2**63``."""


class _Tableau:
    """A fraction-free (integer-preserving) simplex tableau: entry = ``rows[i, j] / den``.

    Pivoting on ``(r, c)`` with ``p = rows[r, c]`` sets every other row to
    ``(row · p - row[c] · rows[r]) / den``, an exact integer division (Edmonds), and
    ``den = p``; so entries stay integers bounded by the input's subdeterminants and no
    gcd is ever taken. ``rows`` is a numpy array: ``int64`` while every entry is below
    :data:`_INT64_ENTRY` (checked before each pivot), Python integers (``object``) after.
    """

    __slots__ = ("basis", "den", "m", "rows")

    def __init__(self, rows: list[list[int]], basis: list[int], m: int) -> None:
        big = max((abs(v) for row in rows for v in row), default=0) >= _INT64_ENTRY
        self.rows: npt.NDArray[Any] = np.array(rows, dtype=object if big else np.int64)
        self.basis = basis
        self.m = m
        self.den = 1

    def _widen(self) -> None:
        """Python integers from now on, once an entry reaches :data:`_INT64_ENTRY`."""
        if self.rows.dtype == np.int64 and (
            self.rows.size and int(np.abs(self.rows).max()) >= _INT64_ENTRY
        ):
            self.rows = self.rows.astype(object)

    def pivot(self, r: int, c: int) -> None:
        self._widen()
        rows, den = self.rows, self.den
        p = int(rows[r, c])
        prow = rows[r].copy()
        f = rows[:, c].copy()
        f[r] = 0
        new = rows * p
        new -= np.outer(f, prow)
        if den != 1:
            new //= den
        new[r] = prow
        if p < 0:
            new = -new
            p = -p
        self.rows = new
        self.den = p
        self.basis[r] = c

    def combine(self, unit: Sequence[int], columns: list[list[int]]) -> list[list[int]]:
        """``Σ_r column[r] · rows[:m + 1, unit[r]]`` for each column: new columns in tableau
        form, as rows (``m + 1`` lists of ``len(columns)`` integers)."""
        block = self.rows[: self.m + 1][:, list(unit)]
        scale = max(sum(abs(v) for v in col) for col in columns)
        if block.dtype == np.int64 and scale * _INT64_ENTRY < 2**62:
            out = block @ np.asarray(columns, dtype=np.int64).T
        else:
            out = block.astype(object) @ np.asarray(columns, dtype=object).T
        return [[int(v) for v in row] for row in out.tolist()]

    def insert_columns(self, values: list[list[int]]) -> None:
        """Insert columns before the right-hand side (``values``: one list per row)."""
        top = max((abs(v) for row in values for v in row), default=0)
        if self.rows.dtype == np.int64 and top >= _INT64_ENTRY:
            self.rows = self.rows.astype(object)
        block = np.asarray(values, dtype=self.rows.dtype).reshape(len(values), -1)
        self.rows = np.concatenate((self.rows[:, :-1], block, self.rows[:, -1:]), axis=1)

    def run(
        self,
        *,
        objective_row: int,
        columns: Sequence[int],
        skip_rows: frozenset[int] = frozenset(),
    ) -> bool:
        """Pivot to optimality (``False``: unbounded).

        Dantzig's rule (most negative reduced cost) while pivots make progress; after a
        degenerate pivot, Bland's rule (smallest index) until the next progress, so the
        run never cycles.
        """
        bland = False
        cols = np.asarray(columns, dtype=np.intp)
        rows_ok = [i for i in range(self.m) if i not in skip_rows]
        while True:
            z = self.rows[objective_row, cols]
            negative = np.flatnonzero(z < 0)
            if not negative.size:
                return True
            # Bland: the first column with a negative reduced cost; Dantzig: the first
            # with the most negative one
            enter = int(cols[negative[0] if bland else int(np.argmin(z))])
            column = self.rows[:, enter].tolist()
            rhs = self.rows[:, -1].tolist()
            leave = -1
            for i in rows_ok:
                a = column[i]
                if a > 0:
                    if leave < 0:
                        leave = i
                        continue
                    lhs = int(rhs[i]) * int(column[leave])
                    right = int(rhs[leave]) * int(a)
                    if lhs < right or (lhs == right and self.basis[i] < self.basis[leave]):
                        leave = i
            if leave < 0:
                return False
            bland = rhs[leave] == 0
            self.pivot(leave, enter)
