"""The fast kernel of the Method of Equal Shares: float64 filtering, exact decisions.

Budgets live per profile group (never per voter) in a ``float64`` array; each
project keeps its supporting groups as index arrays, computed once and reused by
every run of an ``add1`` completion. A round evaluates projects lazily in order
of a lower bound on their price ``ρ`` (a price never decreases over rounds) and
stops as soon as the next bound is clearly worse than the best price found.

Every decision the float values cannot make with a wide margin is made exactly:

* two prices within the error bound of each other are recomputed as
  :class:`~fractions.Fraction` values, and exact ties go to the tie-breaker;
* a supporter whose budget is within the error bound of its share ``ρ·u``
  (does it pay everything or only its share?) is settled exactly;
* a project whose supporters' money is within the error bound of its cost is
  checked exactly.

Exact values are cheap because budgets have a closed form: a group that never
paid all its money holds ``e_g − Σ_t ρ_t · u_g,h_t`` (``h_t`` the project bought in
round ``t``), a group that did holds 0. Sums of exact budgets over a set of groups
are thus an integer sum of endowments plus a short Fraction sum over rounds with
integer coefficients.

Scale: supporters come from one CSR pass over the matrix
(:meth:`~participa.rules.mes.setup.MesInput.columns`); uniform utilities are
broadcast views, not arrays; long dot products avoid BLAS (a threaded BLAS on a
busy machine took milliseconds per call) and masked sums are products with the
mask. 1,000,000 distinct ballots × 200 projects run in seconds in under 1 GB.

``add1``: :meth:`Kernel.run` with a reference run certifies that a whole range of
endowment steps buys the same projects in the same order (monotonicity along a
fixed purchase order, and affinity when the payer sets agree; see there), which
lets the completion skip those steps.

Overflow: integer sums (``mass × utility``, endowments) stay in ``int64`` only where
a bound proven from the actual maxima is below ``2^62``, and fall back to Python
integers otherwise; a total voter weight beyond ``2^62`` never reaches this kernel
(:func:`~participa.rules.mes.equal_shares` takes the exact path).
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.rules._numeric import REL_TOL
from participa.rules.mes.setup import MesInput, exact_dot, exact_matvec

__all__ = ["Kernel", "Round", "Run"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TOL = REL_TOL
"""Relative error bound used to decide when float values are too close to trust."""

_MAX_FIXED_POINT = 8

_MAX_EXACT_FIXED_POINT = 64
"""Rounds of the exact fixed-point price before a sorted exact water-filling."""

_CERT_MARGIN = 1e-12
"""Relative margin on a float price from an exact one (rounding error is ~1e-16)."""

_BLAS_MAX = 2048
"""Longest vector handed to ``np.dot``: a threaded BLAS can be very slow on long ones."""


def _dot(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    """``Σ a × b`` as a float (``b`` may be a boolean mask)."""
    if a.size <= _BLAS_MAX:
        return float(np.dot(a, b))
    return float(np.einsum("i,i->", a, b))


def _sum(a: npt.NDArray[Any]) -> float:
    return float(np.add.reduce(a))


class Round:
    """One purchase: project, float price, groups that paid all they had, exact data."""

    __slots__ = ("dead", "err", "j", "payers", "q", "rho")

    def __init__(
        self, j: int, rho: float, dead: IntArray, q: int, payers: int, err: float = 0.0
    ) -> None:
        self.j = j
        self.rho = rho
        self.err = err
        self.dead = dead
        self.q = q
        self.payers = payers


class Run:
    """The result of one run: free projects, rounds, and the exact prices on demand."""

    __slots__ = ("_exact", "certified", "free", "kernel", "rounds", "step")

    def __init__(self, kernel: Kernel, step: int, free: list[int], rounds: list[Round]) -> None:
        self.kernel = kernel
        self.step = step
        self.free = free
        self.rounds = rounds
        self._exact: list[Fraction] = []
        self.certified = False
        """Set by :meth:`Kernel.run` with ``ref``: every step from ``ref.step`` to
        this one buys the same projects in the same order (see :meth:`Kernel.run`)."""

    @property
    def selected(self) -> list[int]:
        """Project indices in selection order."""
        return self.free + [r.j for r in self.rounds]

    def exact_rho(self, t: int) -> Fraction:
        """The exact price of round ``t`` (0-based), by the closed-form recurrence."""
        while len(self._exact) <= t:
            s = len(self._exact)
            self._exact.append(self.kernel.replay_rho(self, s))
        return self._exact[t]


class Kernel:
    """Precomputed per-election data shared by every run."""

    @checked
    def __init__(self, inp: MesInput) -> None:
        self.inp = inp
        g = inp.election.profile.num_groups
        self.g = g
        self.mass_i: IntArray = inp.mass
        self.mass_f: FloatArray = inp.mass.astype(np.float64)
        self.mult: IntArray = inp.election.profile.multiplicity
        self.cands = inp.candidates()
        self.free = inp.free()
        cols = inp.columns()
        self.idx: dict[int, IntArray] = {}
        self.util_f: dict[int, FloatArray] = {}
        self.util_i: dict[int, IntArray] = {}
        self.smass: dict[int, FloatArray] = {}
        self.smu: dict[int, FloatArray] = {}
        self.uniform: dict[int, float] = {}
        self.smu_i: dict[int, IntArray] = {}
        # every weight 1: a group's mass is its voters, counted by the float masses (whole
        # numbers far below 2**53: exact sums) rather than by an int64 gather each round
        prof = inp.election.profile
        self.unweighted = prof.num_voters < 2**53 and bool((prof.weight == 1).all())
        for j in self.cands:
            idx, u = cols[j]
            self.idx[j] = idx
            self.util_i[j] = u
            self.smass[j] = self.mass_f[idx]
            if inp.uniform is not None:
                # uniform utilities: read-only broadcast views, no per-supporter copies
                uni = float(inp.uniform[j])
                self.uniform[j] = uni
                self.util_f[j] = np.broadcast_to(np.float64(uni), idx.shape)
                self.smu[j] = self.smass[j] * uni
            else:
                self.util_f[j] = u.astype(np.float64)
                self.smu[j] = self.smass[j] * self.util_f[j]
                if inp.totals[j] < 2**62:
                    self.smu_i[j] = self.mass_i[idx] * u
        self.tot_f = {j: float(inp.totals[j]) for j in self.cands}
        self.cost_f = {j: float(inp.costs[j]) for j in self.cands}
        m = len(inp.costs)
        self.scale: list[Fraction] = inp.scale if inp.scale is not None else [Fraction(1)] * m
        self.scale_f: list[float] = [float(x) for x in self.scale]
        self.prio = [int(x) for x in inp.resolver.priority]
        self.refuses = inp.resolver.tie_break.refuses

    # -- endowments ----------------------------------------------------------------------

    def start(self, step: int) -> tuple[npt.NDArray[Any], FloatArray]:
        """Exact numerators (over ``unit_den``) and float per-unit endowments."""
        num = self.inp.step_num(step)
        den = self.inp.unit_den
        if num.dtype == object:
            flt = np.array([int(a) / den for a in num.tolist()], dtype=np.float64)
        else:
            flt = num / den
        return num, flt

    # -- one run -------------------------------------------------------------------------

    def run(self, step: int, ref: Run | None = None) -> Run:
        """Equal shares with the endowments of ``step`` add1 increments.

        With ``ref``, a run at an earlier step, also try to certify that every
        step in between buys the same projects in the same order; the result's
        :attr:`Run.certified` says whether it succeeded.

        The certificate. Fix the order ``w_1, w_2, ...`` of ``ref`` and buy those
        projects in that order at a real endowment step ``x``. By induction over the
        rounds, every budget is nondecreasing in ``x`` and every price nonincreasing:
        a price ``min{ρ : Σ m min(b, ρ u) >= c}`` does not rise when budgets do, and
        ``b − min(b, ρ u) = max(0, b − ρ u)`` rises with ``b`` and falls with ``ρ``.
        So for ``ref.step <= x <= step``, in round ``t`` any other remaining project
        ``j`` has ``ρ_j(x) >= ρ_j(step)`` and the winner ``ρ_t(x) <= ρ_t(ref.step)``.
        If this run follows the same order and ``ρ_j(step) > ρ_t(ref.step)`` for
        every such ``j`` (``>=`` when the tie-break prefers ``w_t``), then ``w_t``
        wins round ``t`` at every ``x``; and a project unaffordable at the end of
        this run is unaffordable at the end at every smaller ``x``. Projects are
        checked lazily: one whose lower bound exceeds ``ρ_t(ref.step)`` needs no
        price. Comparisons within the float error bound are made exactly.

        The affine certificate covers competitors the test above cannot (near-equal
        prices falling together, as for twin projects under the ``count``
        utility). If in every round up to ``t`` the same groups pay all they have
        at ``ref.step`` and at ``step``, then along the fixed order they do at
        every ``x`` in between (budgets rise and prices fall), so every budget and
        the price of ``w_t`` are affine in ``x``. If also ``j``'s own set of groups
        paying all they have is the same at both ends, ``ρ_j`` is affine too, and
        ``ρ_j − ρ_t``, non-negative at both ends (strictly, or with the tie-break
        preferring ``w_t``), is so in between.
        """
        num, e = self.start(step)
        state = _State(self, step, num, e)
        return state.run(ref)

    # -- exact replay --------------------------------------------------------------------

    def replay_rho(self, run: Run, t: int) -> Fraction:
        """Exact price of round ``t`` from the exact prices of the rounds before it."""
        rnd = run.rounds[t]
        num, _ = self.start(run.step)
        hist = [r.j for r in run.rounds[:t]]
        rhos = [run.exact_rho(s) for s in range(t)]
        poor_money = self.exact_money(rnd.dead, num, hist, rhos)
        return (self.inp.costs[rnd.j] - poor_money) / rnd.q

    def exact_money(
        self, groups: IntArray, num: npt.NDArray[Any], hist: list[int], rhos: list[Fraction]
    ) -> Fraction:
        """Exact ``Σ mass × budget`` over groups that never paid all they had."""
        if groups.size == 0:
            return Fraction(0)
        inp = self.inp
        mass = self.mass_i[groups]
        total = Fraction(exact_dot(mass, num[groups]), inp.unit_den)
        if hist:
            rows = inp.rows(groups, hist)
            ks = exact_matvec(mass, rows)
            for rho, k in zip(rhos, ks, strict=True):
                if k:
                    total -= rho * int(k)
        return total

    def exact_budget(
        self, k: int, dead: bool, num: npt.NDArray[Any], hist: list[int], rhos: list[Fraction]
    ) -> Fraction:
        """Exact per-unit budget of group ``k``."""
        if dead:
            return Fraction(0)
        b = Fraction(int(num[k]), self.inp.unit_den)
        if hist:
            row = self.inp.rows(np.array([k], dtype=np.int64), hist)[0]
            for rho, u in zip(rhos, row.tolist(), strict=True):
                if u:
                    b -= rho * u
        return b

    def exact_price_at(self, run: Run, t: int, j: int) -> tuple[Fraction, BoolArray] | None:
        """Exact price of ``j`` at round ``t`` of ``run`` and its payer split.

        Returns ``None`` when ``j``'s supporters cannot pay for it then; otherwise
        ``ρ`` and, per supporter of ``j`` (in :attr:`idx` order), whether it pays all
        it has (``budget < ρ × utility``).
        """
        idx = self.idx[j]
        num, _ = self.start(run.step)
        den = self.inp.unit_den
        hist = [r.j for r in run.rounds[:t]]
        rhos = [run.exact_rho(s) for s in range(t)]
        dead = np.zeros(self.g, dtype=np.bool_)
        for r in run.rounds[:t]:
            dead[r.dead] = True
        # budgets times a common denominator L, as exact integers (object arrays)
        big_l = math.lcm(den, *(r.denominator for r in rhos))
        scaled = num[idx].astype(object) * (big_l // den)
        if hist:
            coef = np.array([r.numerator * (big_l // r.denominator) for r in rhos], dtype=object)
            scaled = scaled - self.inp.rows(idx, hist).astype(object) @ coef
        scaled[dead[idx]] = 0
        util = self.util_i[j].astype(object)
        mass = self.mass_i[idx].astype(object)
        c = self.inp.costs[j]
        if int((mass * scaled).sum()) < c * big_l:
            return None
        # fixed point from below: groups that cannot pay rho × utility pay all they have
        poor = np.zeros(idx.size, dtype=np.bool_)
        total_mu = int((mass * util).sum())
        rho = Fraction(c, total_mu)
        for _ in range(_MAX_EXACT_FIXED_POINT):
            more = scaled * rho.denominator < util * (rho.numerator * big_l)
            if np.array_equal(more, poor):
                return rho, poor
            poor = more.astype(np.bool_)
            q = total_mu - int((mass[poor] * util[poor]).sum())
            if q <= 0:
                break
            rho = (c - Fraction(int((mass[poor] * scaled[poor]).sum()), big_l)) / q
        bud = [Fraction(int(b), big_l) for b in scaled.tolist()]
        ui = [int(x) for x in util.tolist()]
        rho = _waterfill(c, bud, ui, [int(x) for x in mass.tolist()])
        poor = np.array([b < rho * u for b, u in zip(bud, ui, strict=True)], dtype=np.bool_)
        return rho, poor


def _waterfill(cost: int, bud: list[Fraction], util: list[int], mass: list[int]) -> Fraction:
    """The exact price ``ρ``: ``Σ mass × min(budget, ρ × utility) = cost`` (money suffices)."""
    order = sorted(range(len(bud)), key=lambda p: bud[p] / util[p])
    paid = Fraction(0)
    rest = sum(m * u for m, u in zip(mass, util, strict=True))
    rho = Fraction(0)
    for p in order:
        rho = (cost - paid) / rest
        if rho * util[p] <= bud[p]:
            return rho
        paid += mass[p] * bud[p]
        rest -= mass[p] * util[p]
    return rho


class _Eval:
    """A project's float price at the current round, with its payer split.

    ``rho`` and ``err`` are the kernel's price (the cap each supporter pays, per unit of
    its utility) and its error bound; ``key`` and ``kerr`` the same as the price the
    rounds compare (times the project's :attr:`~participa.rules.mes.setup.MesInput.scale`,
    with the product's own rounding added; the same numbers when there is no scale).
    """

    __slots__ = ("err", "j", "kerr", "key", "poor", "rho")

    def __init__(self, j: int, rho: float, err: float, poor: BoolArray, scale: float) -> None:
        self.j = j
        self.rho = rho
        self.err = err
        self.poor = poor
        if scale == 1.0:
            self.key, self.kerr = rho, err
        else:
            self.key = rho * scale
            self.kerr = err * scale * (1.0 + TOL) + TOL * abs(self.key)


class _State:
    """Mutable state of one run (private to :meth:`Kernel.run`)."""

    def __init__(self, kernel: Kernel, step: int, num: npt.NDArray[Any], e: FloatArray) -> None:
        self.k = kernel
        self.step = step
        self.num = num
        self.e = e
        self.b = e.copy()
        self.dead = np.zeros(kernel.g, dtype=np.bool_)
        self.rounds: list[Round] = []
        self.run_obj = Run(kernel, step, list(kernel.free), self.rounds)
        self.emax = float(e.max()) if e.size else 0.0
        self.affine_upto = -1
        """Last round whose certificate used the affine test (-1: none)."""

    # exact helpers -------------------------------------------------------------------

    def _hist(self) -> tuple[list[int], list[Fraction]]:
        hist = [r.j for r in self.rounds]
        rhos = [self.run_obj.exact_rho(t) for t in range(len(self.rounds))]
        return hist, rhos

    def _exact_money(self, groups: IntArray) -> Fraction:
        live = groups[~self.dead[groups]]
        hist, rhos = self._hist()
        return self.k.exact_money(live, self.num, hist, rhos)

    def exact_affordable(self, j: int) -> bool:
        return self._exact_money(self.k.idx[j]) >= self.k.inp.costs[j]

    def exact_price(self, ev: _Eval) -> tuple[Fraction, BoolArray]:
        """Exact ρ of ``ev.j`` and its exact poor set (starting from the float split)."""
        k = self.k
        j = ev.j
        idx = k.idx[j]
        ui = k.util_i[j]
        mi = k.mass_i[idx]
        c = k.inp.costs[j]
        hist, rhos = self._hist()
        poor = ev.poor.copy()
        total_q = int(k.inp.totals[j])
        cache: dict[int, Fraction] = {}

        def budget_of(pos: int) -> Fraction:
            if pos not in cache:
                g = int(idx[pos])
                cache[pos] = k.exact_budget(g, bool(self.dead[g]), self.num, hist, rhos)
            return cache[pos]

        bs = self.b[idx]
        for _ in range(idx.size + 1):
            q = total_q - int(exact_matvec(mi[poor], ui[poor, None])[0]) if poor.any() else total_q
            if q <= 0:
                return self._exact_waterfill(j, hist, rhos), self._exact_poor(j, hist, rhos)
            money = k.exact_money(idx[poor & ~self.dead[idx]], self.num, hist, rhos)
            rho = (c - money) / q
            rf = float(rho)
            near = np.flatnonzero(
                np.abs(bs - rf * k.util_f[j]) <= TOL * (self.emax + abs(rf) * k.util_f[j])
            )
            flipped = False
            for pos in near.tolist():
                want = budget_of(pos) < rho * int(ui[pos])
                if want != bool(poor[pos]):
                    poor[pos] = want
                    flipped = True
            if not flipped:
                return rho, poor
        return self._exact_waterfill(j, hist, rhos), self._exact_poor(j, hist, rhos)

    def _poor_q(self, j: int, poor: BoolArray) -> int:
        """Exact ``Σ mass × utility`` of the supporters outside ``poor``."""
        k = self.k
        q = int(k.inp.totals[j])
        if not poor.any():
            return q
        uni = k.inp.uniform
        if uni is not None and q < 2**62:
            return q - int(k.mass_i[k.idx[j][poor]].sum()) * uni[j]
        smu = k.smu_i.get(j)
        if smu is not None:
            return q - int(smu[poor].sum())
        return q - int(exact_matvec(k.mass_i[k.idx[j][poor]], k.util_i[j][poor, None])[0])

    def _exact_budgets(self, j: int, hist: list[int], rhos: list[Fraction]) -> list[Fraction]:
        k = self.k
        return [
            k.exact_budget(int(g), bool(self.dead[int(g)]), self.num, hist, rhos) for g in k.idx[j]
        ]

    def _exact_waterfill(self, j: int, hist: list[int], rhos: list[Fraction]) -> Fraction:
        k = self.k
        bud = self._exact_budgets(j, hist, rhos)
        ui = k.util_i[j].tolist()
        mi = k.mass_i[k.idx[j]].tolist()
        order = sorted(range(len(bud)), key=lambda p: bud[p] / ui[p])
        paid = Fraction(0)
        rest = sum(int(a) * int(b) for a, b in zip(mi, ui, strict=True))
        c = k.inp.costs[j]
        rho = Fraction(0)
        for p in order:
            rho = (c - paid) / rest
            if rho * ui[p] <= bud[p]:
                return rho
            paid += mi[p] * bud[p]
            rest -= mi[p] * ui[p]
        return rho

    def _exact_poor(self, j: int, hist: list[int], rhos: list[Fraction]) -> BoolArray:
        rho = self._exact_waterfill(j, hist, rhos)
        bud = self._exact_budgets(j, hist, rhos)
        ui = self.k.util_i[j].tolist()
        return np.array([bud[p] < rho * ui[p] for p in range(len(bud))], dtype=np.bool_)

    # float evaluation ----------------------------------------------------------------

    def evaluate(self, j: int) -> _Eval | None:
        """Float price of ``j`` now, or ``None`` when its supporters cannot pay for it."""
        k = self.k
        idx = k.idx[j]
        bs = self.b.take(idx)
        sm = k.smass[j]
        c = k.cost_f[j]
        money = _dot(bs, sm)
        if money < c * (1.0 - TOL):
            return None
        if money <= c * (1.0 + TOL) and not self.exact_affordable(j):
            return None
        live = bs > 0.0
        nlive = int(np.count_nonzero(live))
        if 2 * nlive < idx.size:
            # most supporters have nothing left: price over the others only
            pos = np.flatnonzero(live)
            uf = k.util_f[j]
            sub = self._price(j, bs[pos], sm[pos], k.smu[j][pos], uf[pos], c, None)
            rho, err, poor_live = sub
            poor = np.ones(idx.size, dtype=np.bool_)
            poor[pos] = poor_live
            return _Eval(j, rho, err, poor, k.scale_f[j])
        rho, err, poor = self._price(j, bs, sm, k.smu[j], k.util_f[j], c, k.tot_f[j])
        return _Eval(j, rho, err, poor, k.scale_f[j])

    def _price(
        self,
        j: int,
        bs: FloatArray,
        sm: FloatArray,
        smu: FloatArray,
        uf: FloatArray,
        c: float,
        total: float | None,
    ) -> tuple[float, float, BoolArray]:
        """Float water-filling price; groups with no money are simply poor.

        ``total`` is ``Σ mass × utility`` over ``bs``'s groups when they are all of
        ``j``'s supporters (``None``: sum ``smu``). Sums use :func:`_dot`, never a BLAS
        call on long vectors.
        """
        q0 = total if total is not None else _sum(smu)
        uni = self.k.uniform.get(j)
        rho = c / q0
        poor = bs < (rho * uni if uni is not None else rho * uf)
        npoor = int(np.count_nonzero(poor))
        if npoor == 0:
            return rho, TOL * rho, poor
        bsm = bs * sm
        for _ in range(_MAX_FIXED_POINT):
            fp = poor.astype(np.float64)  # (each dot would convert the mask: once here)
            q = q0 - _dot(smu, fp)
            if q <= 0.0:
                break
            rho = (c - _dot(bsm, fp)) / q
            more = bs < (rho * uni if uni is not None else rho * uf)
            # rho only grows (up to rounding), so ``more`` contains ``poor``
            more |= poor
            nmore = int(np.count_nonzero(more))
            if nmore == npoor:
                pe = self.emax * _dot(sm, fp)
                return rho, TOL * (c + pe) / q, poor
            poor, npoor = more, nmore
        # many supporters run out of money: water-fill on the sorted budget/utility ratios
        ratio = bs / uf
        order = np.argsort(ratio, kind="stable")
        paid = np.concatenate(([0.0], np.cumsum((bs * sm)[order])))
        rest = q0 - np.concatenate(([0.0], np.cumsum(smu[order])))
        with np.errstate(divide="ignore", invalid="ignore"):
            cand = (c - paid[:-1]) / rest[:-1]
        ok = cand <= ratio[order] * (1.0 + 1e-15)
        pos = int(np.argmax(ok)) if ok.any() else order.size - 1
        rho = float(cand[pos]) if rest[pos] > 0 else float(ratio[order[-1]])
        poor = np.zeros(bs.size, dtype=np.bool_)
        poor[order[:pos]] = True
        q = max(float(rest[pos]), 1.0)
        pe = self.emax * _dot(sm, poor)
        return rho, TOL * (c + pe) / q + TOL * rho, poor

    # the rounds ------------------------------------------------------------------------

    def run(self, ref: Run | None = None) -> Run:
        k = self.k
        heap: list[tuple[float, int, int]] = []
        for j in k.cands:
            lb = k.inp.costs[j] / k.inp.totals[j] * k.scale_f[j]
            heap.append((lb * (1.0 - TOL), k.prio[j], j))
        heapq.heapify(heap)
        cert = ref is not None
        while heap:
            best: _Eval | None = None
            evals: list[_Eval] = []
            reach = -math.inf
            if ref is not None and cert and len(self.rounds) < len(ref.rounds):
                r = ref.rounds[len(self.rounds)]
                reach = (r.rho + r.err) * k.scale_f[r.j] * (1.0 + _CERT_MARGIN)
            while heap:
                key, _, j = heap[0]
                if best is not None and key > max(best.key + best.kerr, reach):
                    break
                heapq.heappop(heap)
                ev = self.evaluate(j)
                if ev is None:
                    continue
                evals.append(ev)
                if best is None or ev.key < best.key:
                    best = ev
            if best is None:
                break
            b0 = best
            near = [ev for ev in evals if ev.key - ev.kerr <= b0.key + b0.kerr]
            win, rho_exact, poor = self.choose(near)
            if ref is not None and cert:
                cert = len(self.rounds) < len(ref.rounds) and self._certify(win, evals, ref)
            for ev in evals:
                if ev is not win:
                    heapq.heappush(heap, (ev.key - ev.kerr, k.prio[ev.j], ev.j))
            self.buy(win, rho_exact, poor)
        if ref is not None:
            cert = cert and len(self.rounds) == len(ref.rounds)
            # the affine test needs the same groups paying all they have in every round
            # up to the last one it was used for
            self.run_obj.certified = cert and all(
                np.array_equal(self.rounds[t].dead, ref.rounds[t].dead)
                for t in range(self.affine_upto + 1)
            )
        return self.run_obj

    def _certify(self, win: _Eval, evals: list[_Eval], ref: Run) -> bool:
        """The certificate of :meth:`Kernel.run` for the current round.

        A competitor ``j`` passes the simple test when ``ρ_j(step) > ρ_t(ref.step)``
        (or equal with the tie-break preferring the winner). Otherwise it may pass
        the *affine* test: along the fixed purchase order, when every round's set of
        groups paying all they have is the same at both ends of the range, budgets
        and prices are affine in the step (see :meth:`Kernel.run`), so are
        ``ρ_j - ρ_t``; an affine function non-negative at both ends is non-negative
        in between. The test compares the exact prices at both ends and records the
        round, so that :meth:`run` checks the payer sets once the run is over.
        """
        k = self.k
        t = len(self.rounds)
        if ref.rounds[t].j != win.j:
            return False
        ref_round = ref.rounds[t]
        thr = (ref_round.rho + ref_round.err) * k.scale_f[win.j] * (1.0 + _CERT_MARGIN)
        klass = k.inp.resolver.klass
        win_now: Fraction | None = None
        for ev in evals:
            if ev is win or ev.key - ev.kerr > thr:
                continue
            r0 = ref.exact_rho(t) * k.scale[win.j]
            r, poor_now = self.exact_price(ev)
            r *= k.scale[ev.j]
            if r > r0:
                continue
            prefers_win = k.prio[win.j] < k.prio[ev.j] and not (
                k.refuses and klass[win.j] == klass[ev.j]
            )
            if r == r0 and prefers_win:
                continue
            # the affine test: same payer split of j at both ends, j no cheaper at either
            then = k.exact_price_at(ref, t, ev.j)
            if then is None:
                return False
            r_then, poor_then = then
            r_then *= k.scale[ev.j]
            if not np.array_equal(poor_then, poor_now):
                return False
            if win_now is None:
                win_now = self.exact_price(win)[0] * k.scale[win.j]
            ends = ((r_then, r0), (r, win_now))
            if not all(a > b or (a == b and prefers_win) for a, b in ends):
                return False
            self.affine_upto = t
        return True

    def choose(self, near: list[_Eval]) -> tuple[_Eval, Fraction | None, BoolArray]:
        """The winner among near-tied evaluations, exactly when needed."""
        if len(near) == 1:
            return near[0], None, near[0].poor
        exact = {ev.j: self.exact_price(ev) for ev in near}
        scale = self.k.scale
        low = min(r * scale[j] for j, (r, _) in exact.items())
        tied = [j for j, (r, _) in exact.items() if r * scale[j] == low]
        win = self.k.inp.resolver.pick(sorted(tied))
        ev = next(e for e in near if e.j == win)
        return ev, exact[win][0], exact[win][1]

    def buy(self, ev: _Eval, rho_exact: Fraction | None, poor: BoolArray) -> None:
        k = self.k
        j = ev.j
        idx = k.idx[j]
        bs = self.b[idx]
        uf = k.util_f[j]
        rho = ev.rho if rho_exact is None else float(rho_exact)
        if rho_exact is None:
            share = rho * uf
            border = np.abs(bs - share) <= TOL * (self.emax + share)
            if border.any():
                rho_exact, poor = self.exact_price(_Eval(j, rho, ev.err, poor, 1.0))
                rho = float(rho_exact)
        if k.unweighted:  # voters on the ballots with money, exactly
            payers = int(_dot(k.smass[j], bs > 0.0))
        else:
            payers = int(np.einsum("i,i->", k.mult.take(idx), bs > 0.0))
        newly = poor & ~self.dead[idx]
        dead_groups = idx[newly]
        q = self._poor_q(j, poor)
        nb = np.where(poor, 0.0, np.maximum(bs - rho * uf, 0.0))
        self.b[idx] = nb
        self.dead[dead_groups] = True
        rnd = Round(j, rho, dead_groups, q, payers, 0.0 if rho_exact is not None else ev.err)
        self.rounds.append(rnd)
        if rho_exact is not None:
            exact = self.run_obj._exact
            if len(exact) == len(self.rounds) - 1:
                exact.append(rho_exact)
