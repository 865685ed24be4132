"""Sequential Phragmén's loads, kept up to date incrementally.

A voter group's load is always one of the round times ``t_0 = 0, t_1, t_2, ...``
(the load it took when a project it supports was last bought). So the supporters'
load sum of a project ``p`` is

    Σ_r t_r · W[r, p]

where ``W[r, p]`` is the total weight of ``p``'s supporters whose load is ``t_r``:
an *integer* matrix with one row per round. Buying a project moves its supporters
from their old row to the new round's row, and only changes the columns of the
projects those supporters approve. :class:`Loads` does exactly that, once per
purchase, over the approvals of the buyers only (a sparse row-by-row list of each
group's approved projects), never over all voters per round.

Each round then costs one small ``rounds × projects`` product in ``float64`` to
find the candidates close to the best, which are settled exactly with
:class:`~fractions.Fraction` values from the integer ``W``: the float filter never
decides a tie (see :mod:`participa.rules._numeric`).

Examples
--------
Two groups (weights 2 and 1) approving ``{a, b}`` and ``{b}``; ``a`` and ``b`` cost
6 and 3:

>>> import numpy as np
>>> approvals = np.array([[True, True], [False, True]])
>>> loads = Loads(approvals, np.array([2, 1]), [6, 3])
>>> loads.best([0, 1])
(Fraction(1, 1), [1])
>>> loads.buy(1, Fraction(1))
>>> loads.best([0])
(Fraction(4, 1), [0])
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa._wide import INT64_SAFE, exact_sum
from participa.rules._numeric import ABS_TOL, REL_TOL

__all__ = ["Loads"]


class Loads:
    """Every project's supporter-load sum, updated as projects are bought.

    Parameters
    ----------
    approvals
        Boolean ``groups × projects``.
    weights
        Integer weight of each group (all voters of a collapsed ballot).
    costs
        Each project's cost (integers).
    start
        Each group's load before the first purchase (default: 0), e.g. minus the money
        a previous rule left it (the Phragmén completion of equal shares).
    """

    def __init__(
        self,
        approvals: npt.NDArray[np.bool_],
        weights: npt.NDArray[Any],
        costs: list[int],
        start: Sequence[Fraction] | None = None,
    ) -> None:
        groups, m = approvals.shape
        # Every entry of W and of the supports is at most the total weight: int64 when
        # that is proven below 2**62, else Python integers (nothing wraps around).
        total_weight = exact_sum(np.asarray(weights))
        wide: Any = np.int64 if total_weight < INT64_SAFE else object
        self._gw: npt.NDArray[Any] = np.asarray(weights).astype(wide)
        self._costs = costs
        self._costs_f = np.asarray(costs, dtype=np.float64)
        flat = np.flatnonzero(np.ascontiguousarray(approvals).ravel())
        rows, cols = np.divmod(flat, max(m, 1))  # row-major: each group's projects together
        self._cols = cols.astype(np.intp)
        self._indptr = np.zeros(groups + 1, np.intp)
        np.cumsum(np.bincount(rows, minlength=groups), out=self._indptr[1:])
        # Stable counting order by project (numpy radix-sorts 16-bit keys).
        key = cols.astype(np.int16) if m < 2**15 else cols
        self._supporters = rows[np.argsort(key, kind="stable")].astype(np.intp)
        self._colptr = np.zeros(m + 1, np.intp)
        np.cumsum(np.bincount(cols, minlength=m), out=self._colptr[1:])
        # bincount sums weights in float64: exact while every sum stays below 2**53.
        self._float_sums_exact = total_weight < 2**53
        cumulative = np.zeros(len(self._supporters) + 1, wide)
        cumulative[1:] = np.cumsum(self._gw[self._supporters])
        self.support: npt.NDArray[Any] = (
            cumulative[self._colptr[1:]] - cumulative[self._colptr[:-1]]
        )
        # W[r, p]: weight of p's supporters whose load is times[r]; one row per purchase,
        # after one row per distinct starting load (a single row of zeros by default).
        if start is None:
            values: list[Fraction] = [Fraction(0)]
            first = np.zeros(groups, np.intp)
        else:
            uniq, inverse = np.unique(np.asarray(list(start), dtype=object), return_inverse=True)
            values = list(uniq.tolist())
            first = inverse.astype(np.intp).reshape(groups)
        r = len(values)
        self._w = np.zeros((r + m, m), wide)
        if start is None:
            self._w[0] = self.support
        else:
            w_rows = self._gw[rows]
            if self._float_sums_exact:
                sums = np.bincount(first[rows] * m + cols, weights=w_rows, minlength=r * m)
                self._w[:r] = sums.astype(np.int64).reshape(r, m)
            else:
                np.add.at(self._w, (first[rows], cols), w_rows)
        self._last = first  # each group's row in W
        self.times: list[Fraction] = values
        self._times_f = np.zeros(r + m, np.float64)
        self._times_f[:r] = np.asarray(values, dtype=object).astype(np.float64)

    def best(self, candidates: list[int]) -> tuple[Fraction | None, list[int]]:
        """The smallest new load among ``candidates`` and the projects reaching it exactly.

        ``None`` (an infinite load) when no candidate has a supporter: then every
        candidate is tied.
        """
        cand = np.asarray(candidates, np.intp)
        supported = cand[self.support[cand] > 0]
        if not supported.size:
            return None, list(candidates)
        k = len(self.times)
        sums_f = self._times_f[:k] @ self._w[:k, supported].astype(np.float64)
        cand_f = (sums_f + self._costs_f[supported]) / self.support[supported].astype(np.float64)
        best_f = cand_f.min()
        # participa.rules._numeric.isclose, over the array: keeps every candidate that
        # may be exactly the best.
        tol = np.maximum(REL_TOL * np.maximum(np.abs(cand_f), abs(best_f)), ABS_TOL)
        near = supported[(cand_f <= best_f) | (np.abs(cand_f - best_f) <= tol)].tolist()
        exact = {j: self.exact_time(j) for j in near}
        best = min(exact.values())
        return best, [j for j in near if exact[j] == best]

    def exact_time(self, j: int) -> Fraction:
        """Project ``j``'s new load if bought now, exactly (``j`` must have supporters)."""
        column = self._w[: len(self.times), j].tolist()
        total = sum((t * w for t, w in zip(self.times, column, strict=True) if w), Fraction(0))
        return (total + self._costs[j]) / int(self.support[j])

    def buy(self, j: int, t: Fraction) -> None:
        """Project ``j`` is bought at time ``t``: its supporters' loads become ``t``."""
        k = len(self.times)
        self.times.append(t)
        self._times_f[k] = float(t)
        buyers = self._supporters[self._colptr[j] : self._colptr[j + 1]]
        if not buyers.size:
            return
        start = self._indptr[buyers]
        counts = self._indptr[buyers + 1] - start
        total = int(counts.sum())
        # Positions of every buyer's approvals in the sparse lists, without a Python loop.
        offsets = np.repeat(start - (np.cumsum(counts) - counts), counts)
        cols = self._cols[offsets + np.arange(total)]
        weight = np.repeat(self._gw[buyers], counts)
        old = np.repeat(self._last[buyers], counts)
        if self._float_sums_exact:
            m = self._w.shape[1]
            moved = np.bincount(old * m + cols, weights=weight, minlength=k * m)
            self._w[:k] -= moved.astype(np.int64).reshape(k, m)
            self._w[k] += np.bincount(cols, weights=weight, minlength=m).astype(np.int64)
        else:  # more than 2**53 voters in total: exact integer sums
            np.subtract.at(self._w, (old, cols), weight)
            np.add.at(self._w[k], cols, weight)
        self._last[buyers] = k
