"""Set-up of the fast Method of Equal Shares: options checked, utilities and endowments.

The fast kernel (:mod:`participa.rules.mes.kernel`) and the completions
(:mod:`participa.rules.mes.completion`) start from a :class:`MesInput`. The exact
reference (:mod:`participa.rules.mes.reference`) does *not*: it builds its own
utilities, budgets and prices from the :class:`~participa.Election`, so a bug here
shows up as a difference between the two.

Weights: a voter of weight ``w`` counts as ``w`` voters. A profile group therefore
has *mass* ``multiplicity * weight`` and every unit of mass holds the same budget
``endowment / weight``. The default endowment of a voter is ``budget * weight /
total weight``; the ``add1`` completion adds ``increment`` per unit of weight.
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.boundary import checked, need_arrays
from participa.errors import RuleError, ValidationError
from participa.exact import to_fraction
from participa.i18n import _
from participa.model import Election
from participa.rules._common import INT64_SAFE, exact_support, masses
from participa.rules.mes.options import COMPLETIONS, Completion, Endowments
from participa.rules.utility import (
    NON_ADDITIVE,
    UTILITIES,
    Utility,
    UtilityMatrix,
    default_utility,
    parse_utility,
    resolve_utility,
)
from participa.tiebreak import TieBreak, TieResolver

__all__ = ["MesInput", "exact_dot", "exact_matvec", "prepare"]

IntArray = npt.NDArray[np.int64]

_SMALL_MATRIX = 1 << 24
"""Matrices up to this many cells are scanned per project; larger ones in one pass."""


class MesInput:
    """Everything a run of equal shares needs, computed once per call.

    Attributes
    ----------
    election, resolver
        The election and its tie-break priorities.
    utility_name
        ``"cost"``, ``"count"``, ``"points"``, ``"borda"`` or ``"custom"``.
    mass
        Multiplicity × weight per group: ``int64`` when the total is proven below
        ``2^62``, else Python integers (``object``) and :attr:`exact_only` is set.
    exact_only
        The masses do not fit the fast kernel's ``int64`` arithmetic: run the exact
        pure-Python path (:mod:`participa.rules.mes.reference`) instead.
    unit_num, unit_den
        Per-unit-of-mass endowment of group ``g`` is ``unit_num[g] / unit_den``
        (Python ints, exact).
    increment
        Endowment added per unit of weight at each ``add1`` step, in minor units.
    scale
        ``None``, or per project the factor from the kernel's price to the true one. The
        ``effort`` utility (``cost / supporters`` for every supporter of a project) is
        uniform per project but not an integer: the kernel runs on utility 1, so its
        price of ``j`` is the cap ``t`` each supporter pays, and the price per unit of
        effort is ``t × supporters / cost``: ``scale[j] = supporters / cost`` (0 for a
        free project, whose effort is 0).
    """

    __slots__ = (
        "_columns",
        "_dense",
        "approvals",
        "completion",
        "costs",
        "election",
        "exact_only",
        "exhaustive_stop",
        "increment",
        "integral_start",
        "mass",
        "resolver",
        "scale",
        "totals",
        "uniform",
        "unit_den",
        "unit_num",
        "utility_name",
    )

    @checked
    def __init__(
        self,
        election: Election,
        *,
        mass: npt.NDArray[Any],
        utility_name: str,
        dense: IntArray | None,
        uniform: list[int] | None,
        unit_num: npt.NDArray[Any],
        unit_den: int,
        resolver: TieResolver,
        completion: Completion,
        exhaustive_stop: bool,
        integral_start: bool,
        increment: int,
        scale: list[Fraction] | None = None,
    ) -> None:
        self.election = election
        self.scale = scale
        self.utility_name = utility_name
        self._dense = dense
        self.uniform = uniform
        self.mass: IntArray = mass
        self.exact_only = mass.dtype == object
        self.unit_num = unit_num
        self.unit_den = unit_den
        self.resolver = resolver
        self.completion = completion
        self.exhaustive_stop = exhaustive_stop
        self.integral_start = integral_start
        self.increment = increment
        self.costs = [int(c) for c in election.costs]
        self.approvals = election.profile.approvals()
        self._columns: list[tuple[IntArray, IntArray]] | None = None
        self.totals = self._totals()

    # -- utilities -------------------------------------------------------------------------

    def rows(self, groups: npt.NDArray[np.int64], cols: list[int] | None = None) -> IntArray:
        """Integer utilities of these groups for these projects (default: all)."""
        if cols is None:
            sub = self._dense[groups] if self._dense is not None else self.approvals[groups]
        else:
            pick = np.ix_(groups, np.asarray(cols, dtype=np.int64))
            sub = self._dense[pick] if self._dense is not None else self.approvals[pick]
        if self._dense is not None:
            dense: IntArray = sub.astype(np.int64, copy=False)
            return dense
        assert self.uniform is not None
        uni = np.asarray(self.uniform, dtype=np.int64)
        out: IntArray = sub * (uni if cols is None else uni[np.asarray(cols, dtype=np.int64)])
        return out

    def column(self, j: int) -> tuple[IntArray, IntArray]:
        """Supporting groups of project ``j`` and their (positive) utilities."""
        return self.columns()[j]

    def columns(self) -> list[tuple[IntArray, IntArray]]:
        """For every project: its supporting groups (ascending) and their positive utilities.

        Built once. A small matrix is scanned per project in a transposed copy; a
        large one in one ``np.nonzero`` pass and a stable sort of the column indices
        (CSR by project), so a million groups cost about a second, not one scan of
        the matrix per project. With uniform utilities the utility arrays are
        read-only broadcast views.
        """
        if self._columns is not None:
            return self._columns
        m = len(self.costs)
        src = self._dense if self._dense is not None else self.approvals
        out: list[tuple[IntArray, IntArray]] = []
        if src.size <= _SMALL_MATRIX:
            # a transposed copy is cheap and one scan per project is fastest here
            src_t = np.ascontiguousarray(src.T)
            cols = [np.flatnonzero(src_t[j]).astype(np.int64) for j in range(m)]
        else:
            rows, col = np.nonzero(src)
            order = np.argsort(col.astype(np.int16 if m < 2**15 else np.int64), kind="stable")
            rows = rows[order].astype(np.int64)
            ptr = np.concatenate(([0], np.cumsum(np.bincount(col, minlength=m))))
            cols = [rows[ptr[j] : ptr[j + 1]] for j in range(m)]
        for j in range(m):
            idx = cols[j]
            if self._dense is not None:
                out.append((idx, self._dense[idx, j].astype(np.int64)))
            else:
                assert self.uniform is not None
                u = self.uniform[j]
                idx = idx if u > 0 else idx[:0]
                out.append((idx, np.broadcast_to(np.int64(u), idx.shape)))
        self._columns = out
        return out

    def _totals(self) -> list[int]:
        """Exact ``Σ mass × utility`` per project (Python ints)."""
        m = len(self.costs)
        if self.election.profile.num_groups == 0:
            return [0] * m
        mass = self.mass
        cols = self.columns()
        mmax = int(mass.max()) if mass.size else 0
        out: list[int] = []
        for idx, u in cols:
            umax = int(u.max()) if u.size else 0
            if mmax * max(umax, 1) * max(idx.size, 1) < 2**62:
                if self._dense is None:
                    out.append(int(mass[idx].sum()) * (int(u[0]) if u.size else 0))
                else:
                    out.append(int((mass[idx] * u).sum()))
            else:
                out.append(sum(int(a) * int(b) for a, b in zip(mass[idx], u, strict=True)))
        return out

    def welfare(self, j: int) -> Fraction:
        """Exact ``Σ mass × utility`` of project ``j`` in the utility asked for (with
        :attr:`scale`, the kernel's utility-1 total divided by the scale: ``cost`` for a
        supported project under ``effort``)."""
        if self.scale is None:
            return Fraction(self.totals[j])
        return self.totals[j] / self.scale[j] if self.scale[j] else Fraction(0)

    # -- endowments ------------------------------------------------------------------------

    def unit_endowment(self, step: int) -> list[Fraction]:
        """Per-unit-of-mass endowment of every group after ``step`` add1 increments."""
        num = self.step_num(step)
        return [Fraction(int(a), self.unit_den) for a in num.tolist()]

    def start_num(self) -> npt.NDArray[Any]:
        """Numerators (over ``unit_den``) of the starting per-unit endowments."""
        if not self.integral_start:
            return self.unit_num
        unit = self.unit_den * self.election.minor_per_unit
        if self.unit_num.dtype == object or unit >= INT64_SAFE:
            # exact Python integers: a numpy int64 cannot hold ``unit``
            floors = [(int(a) // unit) * unit for a in self.unit_num.tolist()]
            return np.array(
                floors, dtype=np.int64 if max(floors, default=0) < INT64_SAFE else object
            )
        out: npt.NDArray[Any] = (self.unit_num // unit) * unit
        return out

    def step_num(self, step: int) -> npt.NDArray[Any]:
        """Numerators (over ``unit_den``) of the per-unit endowments after ``step`` steps."""
        add = step * self.increment * self.unit_den
        base = self.start_num()
        if base.dtype != object and (base.size == 0 or int(base.max()) + add < 2**62):
            out: npt.NDArray[Any] = base + np.int64(add)
            return out
        return base.astype(object) + add

    def equal_endowments(self, step: int) -> Fraction | None:
        """The common per-unit endowment, or ``None`` when groups differ."""
        num = self.step_num(step)
        if num.size == 0 or not bool((num == num[0]).all()):
            return None
        return Fraction(int(num[0]), self.unit_den)

    def total_endowment(self, step: int) -> Fraction:
        """Money all voters hold together after ``step`` increments."""
        return Fraction(exact_dot(self.mass, self.step_num(step)), self.unit_den)

    def candidates(self) -> list[int]:
        """Projects equal shares may buy: positive cost and somebody values them."""
        return [j for j, c in enumerate(self.costs) if c > 0 and self.welfare(j) > 0]

    def free(self) -> list[int]:
        """Free projects somebody values: selected before the rounds, in tie-break order."""
        free = [j for j, c in enumerate(self.costs) if c == 0 and self.welfare(j) > 0]
        return self.resolver.order(free) if free else []


@checked
def exact_dot(vec: IntArray, values: npt.NDArray[Any]) -> int:
    """Exact ``Σ vec × values`` as a Python int (``values`` int64 or Python ints).

    A hot helper: its arguments are checked by kind only (no wrapper).
    """
    need_arrays("exact_dot", vec=vec, values=values)
    if vec.size == 0:
        return 0
    if values.dtype != object:
        vmax = int(np.abs(vec).max())
        amax = int(np.abs(values).max())
        if vmax * amax * vec.size < 2**62:
            return int(vec @ values)
    return int(sum(int(a) * int(b) for a, b in zip(vec.tolist(), values.tolist(), strict=True)))


@checked
def exact_matvec(vec: IntArray, mat: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``vec @ mat`` with integers, in Python ints when int64 could overflow.

    A hot helper: its arguments are checked by kind only (no wrapper).
    """
    need_arrays("exact_matvec", vec=vec, mat=mat)
    if mat.ndim != 2 or vec.ndim != 1 or vec.shape[0] != mat.shape[0]:
        raise ValidationError(
            _(
                "exact_matvec(): shapes {vec} and {mat} do not fit",
                vec=vec.shape,
                mat=mat.shape,
            )
        )
    if vec.size == 0:
        return np.zeros(mat.shape[1], np.int64)
    vmax = int(np.abs(vec).max())
    mmax = int(np.abs(mat).max()) if mat.size else 0
    if vmax * mmax * max(1, vec.size) < 2**62:
        out: npt.NDArray[Any] = vec @ mat.astype(np.int64)
        return out
    return np.array(
        [
            sum(int(a) * int(b) for a, b in zip(vec, mat[:, j], strict=True))
            for j in range(mat.shape[1])
        ],
        dtype=object,
    )


def _as_fraction(x: object, where: str) -> Fraction:
    """An endowment read by the one exact reader (:func:`participa.exact.to_fraction`):
    ints and Fractions, or floats holding a whole number; no text."""
    if isinstance(x, float | np.floating):
        if math.isfinite(float(x)) and float(x).is_integer():
            return Fraction(int(x))
        raise ValidationError(
            _(
                "{where} must be an integer number of minor units or a Fraction, got {x!r}",
                where=where,
                x=x,
            ),
            hint=_("pass integers (minor units) or fractions.Fraction values"),
        )
    return to_fraction(x, what=where, text=False)


@checked
def prepare(
    election: Election,
    *,
    utility: Utility | UtilityMatrix | None,
    completion: Completion,
    exhaustive_stop: bool,
    integral_start: bool,
    increment: int | None,
    endowments: Endowments | None,
    tie_break: TieBreak,
) -> MesInput:
    """Validate the options of :func:`~participa.rules.mes.equal_shares` and precompute."""
    prof = election.profile
    g, m = prof.num_groups, len(election.projects)
    if completion not in COMPLETIONS:
        raise ValidationError(
            _("unknown completion {name!r}", name=completion),
            hint=_("use one of: {choices}", choices=", ".join(COMPLETIONS)),
        )
    if increment is None:
        increment = election.minor_per_unit
    if isinstance(increment, bool) or not isinstance(increment, int) or increment < 1:
        raise ValidationError(
            _(
                "increment must be a positive integer number of minor units, got {increment!r}",
                increment=increment,
            )
        )
    dense: IntArray | None = None
    uniform: list[int] | None = None
    scale: list[Fraction] | None = None
    if utility is None or isinstance(utility, str):
        if isinstance(utility, str) and utility not in UTILITIES:
            raise ValidationError(
                _("unknown utility {name!r}", name=utility),
                hint=_("use one of: {choices}", choices=", ".join(UTILITIES)),
            )
        name: str = default_utility(prof.kind) if utility is None else parse_utility(utility)
        if name == "cost":
            uniform = [int(c) for c in election.costs]
        elif name == "count":
            uniform = [1] * m
        elif name == "effort":
            uniform = [1] * m
            support = exact_support(election)
            # 0 for a free project: its effort is 0 for everybody, nobody values it
            scale = [
                Fraction(s, int(c)) if s > 0 and c > 0 else Fraction(0)
                for s, c in zip(support, election.costs.tolist(), strict=True)
            ]
        elif name in NON_ADDITIVE:
            raise RuleError(
                _(
                    "equal shares needs an additive utility: satisfaction {name!r} is not "
                    "additive (not a sum over the funded projects)",
                    name=name,
                ),
                hint=_(
                    "use --utility cost, count or effort, or --rule greedy for {name}",
                    name=name,
                ),
            )
        else:
            name, dense = resolve_utility(election, utility)
    else:
        name, dense = resolve_utility(election, utility)
    weight = prof.weight
    mass = masses(election)
    total_mass = sum(mass)
    num: npt.NDArray[Any]
    if endowments is None:
        share = Fraction(election.budget, total_mass) if g and total_mass else Fraction(0)
        den = share.denominator
        dtype: Any = np.int64 if share.numerator < 2**62 else object
        num = np.full(g, share.numerator, dtype=dtype)
    else:
        arr = np.asarray(endowments, dtype=object).reshape(-1)
        if arr.shape != (g,):
            raise ValidationError(
                _(
                    "endowments must give one amount per profile group ({g}), got {shape}",
                    g=g,
                    shape=arr.shape[0],
                ),
                hint=_("endowments[g] is the money of each voter of group g"),
            )
        unit = []
        for k, x in enumerate(arr.tolist()):
            f = _as_fraction(x, f"endowment of group {k}")
            if f < 0:
                raise ValidationError(_("endowment of group {k} is negative ({f})", k=k, f=f))
            unit.append(f / int(weight[k]))
        tot = sum(
            (u * mm for u, mm in zip(unit, mass, strict=True)),
            Fraction(0),
        )
        if tot > election.budget:
            raise ValidationError(
                _(
                    "the endowments add up to {tot}, more than the budget {budget}",
                    tot=tot,
                    budget=election.budget,
                ),
                hint=_("equal shares may only hand out the budget"),
            )
        den = math.lcm(*(u.denominator for u in unit)) if unit else 1
        nums = [u.numerator * (den // u.denominator) for u in unit]
        num = np.array(nums, dtype=np.int64 if not nums or max(nums) < 2**62 else object)
    return MesInput(
        election,
        mass=np.array(mass, dtype=np.int64 if total_mass < INT64_SAFE else object),
        utility_name=name,
        dense=dense,
        uniform=uniform,
        unit_num=num,
        unit_den=den,
        resolver=tie_break.resolver(election),
        completion=completion,
        exhaustive_stop=exhaustive_stop,
        integral_start=integral_start,
        increment=increment,
        scale=scale,
    )
