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
"""

from __future__ import annotations

import heapq
import math
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.rules._mes_setup import MesInput, _exact_matvec, exact_dot
from participa.rules._numeric import REL_TOL

__all__ = ["Kernel", "Round", "Run", "stable_steps"]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

TOL = REL_TOL
"""Relative error bound used to decide when float values are too close to trust."""

_MAX_FIXED_POINT = 8

_BLAS_MAX = 2048
"""Longest vector handed to ``np.dot``: a threaded BLAS can be very slow on long ones."""


def _dot(a: npt.NDArray[Any], b: npt.NDArray[Any]) -> float:
    """``Σ a × b`` as a float (``b`` may be a boolean mask)."""
    if a.size <= _BLAS_MAX and b.dtype == np.float64:
        return float(np.dot(a, b))
    return float(np.einsum("i,i->", a, b))


def _sum(a: npt.NDArray[Any]) -> float:
    return float(np.add.reduce(a))


class Round:
    """One purchase: project, float price, groups that paid all they had, exact data."""

    __slots__ = ("dead", "j", "payers", "q", "rho")

    def __init__(self, j: int, rho: float, dead: IntArray, q: int, payers: int) -> None:
        self.j = j
        self.rho = rho
        self.dead = dead
        self.q = q
        self.payers = payers


class Run:
    """The result of one run: free projects, rounds, and the exact prices on demand."""

    __slots__ = ("_exact", "_slope", "free", "kernel", "rounds", "step")

    def __init__(self, kernel: Kernel, step: int, free: list[int], rounds: list[Round]) -> None:
        self.kernel = kernel
        self.step = step
        self.free = free
        self.rounds = rounds
        self._exact: list[Fraction] = []
        self._slope: list[Fraction] = []

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

    def exact_slope(self, t: int) -> Fraction:
        """How fast the price of round ``t`` moves per ``add1`` step, the rounds' structure fixed.

        With the winners and the groups that pay all they have held fixed, every
        budget and price is an affine function of the number of steps ``d`` added to
        :attr:`step`; this is the exact slope ``dρ_t/dd`` (never positive).
        """
        while len(self._slope) <= t:
            s = len(self._slope)
            self._slope.append(self.kernel.replay_slope(self, s))
        return self._slope[t]


class Kernel:
    """Precomputed per-election data shared by every run."""

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
        self.prio = [int(x) for x in inp.resolver.priority]
        self.refuses = inp.resolver.tie_break.refuses
        self._entries: _Entries | None = None

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

    def run(self, step: int) -> Run:
        """Equal shares with the endowments of ``step`` add1 increments."""
        num, e = self.start(step)
        state = _State(self, step, num, e)
        return state.run()

    # -- exact replay --------------------------------------------------------------------

    def replay_rho(self, run: Run, t: int) -> Fraction:
        """Exact price of round ``t`` from the exact prices of the rounds before it."""
        rnd = run.rounds[t]
        num, _ = self.start(run.step)
        hist = [r.j for r in run.rounds[:t]]
        rhos = [run.exact_rho(s) for s in range(t)]
        poor_money = self.exact_money(rnd.dead, num, hist, rhos)
        return (self.inp.costs[rnd.j] - poor_money) / rnd.q

    def replay_slope(self, run: Run, t: int) -> Fraction:
        """Exact slope of the price of round ``t`` per add1 step (see :meth:`Run.exact_slope`)."""
        rnd = run.rounds[t]
        hist = [r.j for r in run.rounds[:t]]
        slopes = [run.exact_slope(s) for s in range(t)]
        return -self.money_slope(rnd.dead, hist, slopes) / rnd.q

    def money_slope(self, groups: IntArray, hist: list[int], slopes: list[Fraction]) -> Fraction:
        """Exact slope per add1 step of ``Σ mass × budget`` over groups that never paid all."""
        if groups.size == 0:
            return Fraction(0)
        mass = self.mass_i[groups]
        total = Fraction(self.inp.increment * int(mass.sum()))
        if hist:
            ks = _exact_matvec(mass, self.inp.rows(groups, hist))
            for sl, k in zip(slopes, ks, strict=True):
                if k:
                    total -= sl * int(k)
        return total

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
            ks = _exact_matvec(mass, rows)
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


class _Eval:
    """A project's float price at the current round, with its payer split."""

    __slots__ = ("err", "j", "poor", "rho")

    def __init__(self, j: int, rho: float, err: float, poor: BoolArray) -> None:
        self.j = j
        self.rho = rho
        self.err = err
        self.poor = poor


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
            q = total_q - int(_exact_matvec(mi[poor], ui[poor, None])[0]) if poor.any() else total_q
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
        return q - int(_exact_matvec(k.mass_i[k.idx[j][poor]], k.util_i[j][poor, None])[0])

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
        c = float(k.inp.costs[j])
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
            return _Eval(j, rho, err, poor)
        rho, err, poor = self._price(j, bs, sm, k.smu[j], k.util_f[j], c, k.tot_f[j])
        return _Eval(j, rho, err, poor)

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
        if not poor.any():
            return rho, TOL * rho, poor
        for _ in range(_MAX_FIXED_POINT):
            q = q0 - _dot(smu, poor)
            if q <= 0.0:
                break
            pm = _dot(bs * sm, poor)
            rho = (c - pm) / q
            more = bs < (rho * uni if uni is not None else rho * uf)
            if np.array_equal(more, poor):
                pe = self.emax * _dot(sm, poor)
                return rho, TOL * (c + pe) / q, poor
            poor = more
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

    def run(self) -> Run:
        k = self.k
        heap: list[tuple[float, int, int]] = []
        for j in k.cands:
            lb = k.inp.costs[j] / k.inp.totals[j]
            heap.append((lb * (1.0 - TOL), k.prio[j], j))
        heapq.heapify(heap)
        while heap:
            best: _Eval | None = None
            evals: list[_Eval] = []
            while heap:
                key, _, j = heap[0]
                if best is not None and key > best.rho + best.err:
                    break
                heapq.heappop(heap)
                ev = self.evaluate(j)
                if ev is None:
                    continue
                evals.append(ev)
                if best is None or ev.rho < best.rho:
                    best = ev
            if best is None:
                break
            b0 = best
            near = [ev for ev in evals if ev.rho - ev.err <= b0.rho + b0.err]
            win, rho_exact, poor = self.choose(near)
            for ev in evals:
                if ev is not win:
                    heapq.heappush(heap, (ev.rho - ev.err, k.prio[ev.j], ev.j))
            self.buy(win, rho_exact, poor)
        return self.run_obj

    def choose(self, near: list[_Eval]) -> tuple[_Eval, Fraction | None, BoolArray]:
        """The winner among near-tied evaluations, exactly when needed."""
        if len(near) == 1:
            return near[0], None, near[0].poor
        exact = {ev.j: self.exact_price(ev) for ev in near}
        low = min(r for r, _ in exact.values())
        tied = [j for j, (r, _) in exact.items() if r == low]
        win = self.k.inp.resolver.pick(sorted(tied))
        ev = next(e for e in near if e.j == win)
        return ev, low, exact[win][1]

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
                rho_exact, poor = self.exact_price(_Eval(j, rho, ev.err, poor))
                rho = float(rho_exact)
        payers = int(np.einsum("i,i->", k.mult.take(idx), bs > 0.0))
        newly = poor & ~self.dead[idx]
        dead_groups = idx[newly]
        q = self._poor_q(j, poor)
        nb = np.where(poor, 0.0, np.maximum(bs - rho * uf, 0.0))
        self.b[idx] = nb
        self.dead[dead_groups] = True
        rnd = Round(j, rho, dead_groups, q, payers)
        self.rounds.append(rnd)
        if rho_exact is not None:
            exact = self.run_obj._exact
            if len(exact) == len(self.rounds) - 1:
                exact.append(rho_exact)


# -- add1 step skipping --------------------------------------------------------------------


class _Entries:
    """Every (supporter, candidate) pair of an election as flat arrays, built once."""

    __slots__ = ("g", "m", "mu", "p", "u")

    def __init__(self, kernel: Kernel) -> None:
        cands = kernel.cands
        if cands:
            self.g: IntArray = np.concatenate([kernel.idx[j] for j in cands])
            self.p: IntArray = np.concatenate(
                [np.full(kernel.idx[j].size, j, np.int64) for j in cands]
            )
            self.u: FloatArray = np.concatenate([kernel.util_f[j] for j in cands])
        else:
            self.g = np.zeros(0, np.int64)
            self.p = np.zeros(0, np.int64)
            self.u = np.zeros(0, np.float64)
        self.m: FloatArray = kernel.mass_f[self.g]
        self.mu: FloatArray = self.m * self.u


def stable_steps(kernel: Kernel, run: Run) -> Fraction | float:
    """A number ``D > 0`` of add1 steps over which ``run``'s outcome provably stays the same.

    Every run of equal shares with ``run.step + d`` steps, for real ``0 <= d < D``,
    buys the same projects in the same order as ``run``. ``D`` may be ``0`` (no
    guarantee beyond ``run`` itself) or ``math.inf``.

    Proof sketch. Let ``x = run.step + d``. Every group's endowment is affine in
    ``d`` with slope ``increment``. Fix the run's *structure*: round ``t`` buys
    ``w_t`` and the supporters of ``w_t`` in its poor set ``P_t`` (those that
    pay all they have) are fixed. Then, by induction over the rounds, every budget
    ``b_g(d)`` and the winner's price ``ρ_t(d) = (c − Σ_{P_t} m_g b_g(d)) / q_t``
    are affine in ``d`` (:meth:`Run.exact_rho`, :meth:`Run.exact_slope`); dead
    groups hold 0. The structure stays valid, and so the outcome stays the same,
    while for every round ``t``:

    (W) each live supporter of ``w_t`` keeps its side: ``b_g ≤ ρ_t u_g`` in
        ``P_t``, ``b_g ≥ ρ_t u_g`` outside. Then ``Σ m min(b, ρ_t u) = c`` with an
        uncapped supporter, so ``ρ_t`` is ``w_t``'s price and every budget update
        ``b − min(b, ρ_t u)`` is the affine one.
    (N) no other remaining project ``j`` beats ``w_t``. For any set ``P`` of
        ``j``'s supporters, ``F_j(r) = Σ m min(b, r u) ≤ L_P(r) = Σ_P m b + r q_P``.
        So ``D_j = c_j − L_P(ρ_t) > 0`` gives ``F_j(ρ_t) < c_j``, hence ``ρ_j > ρ_t``
        (or ``j`` unaffordable); and ``D_j ≥ 0`` with ``q_P > 0`` gives
        ``ρ_j ≥ ρ^P = (c_j − Σ_P m b) / q_P ≥ ρ_t``, which suffices when the
        tie-break prefers ``w_t``. ``P`` is ``j``'s capped set at ``d = 0``, so
        ``D_j`` is affine in ``d`` and its first root bounds ``D``.
    (F) after the last round each remaining project stays unaffordable:
        ``Σ m b < c`` (affine).

    Each condition is an affine function of ``d`` that holds at ``d = 0``; ``D`` is
    the smallest root, computed from the float values with the kernel's error
    bound (``TOL``) taken against us, or exactly with fractions when a value is
    within that bound of 0 (persistent exact ties). A side of (W) that is only
    known up to the error bound gives ``D = 0``: the caller then steps by one.
    """
    k = kernel
    inp = k.inp
    g = k.g
    m = len(inp.costs)
    if g == 0 or not k.cands:
        return math.inf
    num, e = k.start(run.step)
    if k._entries is None:
        k._entries = _Entries(k)
    ent = k._entries
    eg, ep, eu, em, emu = ent.g, ent.p, ent.u, ent.m, ent.mu
    inc = float(inp.increment)
    costs = np.asarray(inp.costs, dtype=np.float64)
    prio = k.prio
    klass = [int(x) for x in inp.resolver.klass]
    refuses = k.refuses
    b = e.astype(np.float64, copy=True)
    beta = np.full(g, inc)
    dead = np.zeros(g, dtype=np.bool_)
    emax = float(e.max())
    remaining = np.zeros(m, dtype=np.bool_)
    remaining[k.cands] = True
    best: Fraction | float = math.inf
    hist: list[int] = []
    for t, rnd in enumerate(run.rounds):
        w = rnd.j
        a_t = run.exact_rho(t)
        b_t = run.exact_slope(t)
        rw, bw = float(a_t), float(b_t)
        bmax = float(beta.max())
        remaining[w] = False
        # (W) the winner's live supporters keep their side
        idx = k.idx[w]
        uf = k.util_f[w]
        alive = ~dead[idx]
        ia, ua = idx[alive], uf[alive]
        newly = np.zeros(g, dtype=np.bool_)
        newly[rnd.dead] = True
        capped = newly[ia]
        s = b[ia] - rw * ua
        sl = beta[ia] - bw * ua
        es = TOL * (emax + rw * ua)
        esl = TOL * (bmax + abs(bw) * ua)
        room = np.where(capped, -(s + es), s - es)
        rate = np.where(capped, sl + esl, esl - sl)
        best = min(best, _first_root(room, rate))
        if best == 0:
            return 0
        # (N) no other remaining project beats the winner
        keep = remaining[ep]
        eg, ep, eu, em, emu = eg[keep], ep[keep], eu[keep], em[keep], emu[keep]
        bg = b[eg]
        cap = bg < rw * eu
        lv = np.bincount(ep, np.where(cap, em * bg, rw * emu), m)
        ls = np.bincount(ep, np.where(cap, em * beta[eg], bw * emu), m)
        mj = np.bincount(ep, em, m)
        tj = np.bincount(ep, emu, m)
        dv = costs - lv
        ds = -ls
        ed = TOL * (costs + emax * mj + rw * tj)
        eds = TOL * (bmax * mj + abs(bw) * tj)
        rest = np.flatnonzero(remaining)
        clear = dv[rest] > ed[rest]
        room = (dv - ed)[rest][clear]
        best = min(best, _first_root(room, (eds - ds)[rest][clear]))
        if best == 0:
            return 0
        for j in rest[~clear].tolist():
            strict = prio[j] < prio[w] or (refuses and klass[j] == klass[w])
            state = (num, b, dead, emax, hist)
            best = min(best, _exact_beats(k, run, j, state, a_t, b_t, strict))
            if best == 0:
                return 0
        # the purchase
        poor = dead[idx] | newly[idx]
        b[idx] = np.where(poor, 0.0, np.maximum(b[idx] - rw * uf, 0.0))
        beta[idx] = np.where(poor, 0.0, beta[idx] - bw * uf)
        dead[rnd.dead] = True
        hist.append(w)
        live = ~dead[eg]
        eg, ep, eu, em, emu = eg[live], ep[live], eu[live], em[live], emu[live]
    # (F) the remaining projects stay unaffordable
    keep = remaining[ep]
    eg, ep, em = eg[keep], ep[keep], em[keep]
    money = np.bincount(ep, em * b[eg], m)
    speed = np.bincount(ep, em * beta[eg], m)
    mj = np.bincount(ep, em, m)
    bmax = float(beta.max())
    rest = np.flatnonzero(remaining)
    room = costs - money - TOL * (costs + emax * mj)
    rate = speed + TOL * bmax * mj
    clear = room[rest] > 0
    best = min(best, _first_root(room[rest][clear], rate[rest][clear]))
    for j in rest[~clear].tolist():
        if best == 0:
            return 0
        sup = k.idx[j]
        sup = sup[~dead[sup]]
        slopes = [run.exact_slope(s) for s in range(len(hist))]
        rhos = [run.exact_rho(s) for s in range(len(hist))]
        val = inp.costs[j] - k.exact_money(sup, num, hist, rhos)
        sp = -k.money_slope(sup, hist, slopes)
        best = min(best, _affine_root(val, sp, strict=True))
    return best


def _first_root(room: FloatArray, rate: FloatArray) -> float:
    """Smallest ``room / rate`` over ``rate > 0``; 0 if some ``room`` is not positive."""
    if room.size == 0:
        return math.inf
    if bool((room <= 0.0).any()):
        return 0.0
    pos = rate > 0.0
    if not pos.any():
        return math.inf
    return float((room[pos] / rate[pos]).min())


def _affine_root(val: Fraction, slope: Fraction, *, strict: bool) -> Fraction | float:
    """How long ``val + slope·d`` stays ``> 0`` (``strict``) or ``>= 0``, for ``d`` from 0."""
    if val < 0 or (strict and val == 0):
        return 0
    if slope >= 0:
        return math.inf
    if val == 0:
        return 0
    return val / -slope


def _exact_beats(
    k: Kernel,
    run: Run,
    j: int,
    state: tuple[npt.NDArray[Any], FloatArray, BoolArray, float, list[int]],
    rho: Fraction,
    slope: Fraction,
    strict: bool,
) -> Fraction | float:
    """(N) of :func:`stable_steps` for one project, exactly: how long ``j`` cannot win.

    ``P`` is the exact set of ``j``'s live supporters with ``b_g < ρ_t u_g``; groups
    that paid all they had in earlier rounds hold 0 and add nothing to ``L_P``.
    """
    num, b, dead, emax, hist = state
    inp = k.inp
    t = len(hist)
    rhos = [run.exact_rho(s) for s in range(t)]
    slopes = [run.exact_slope(s) for s in range(t)]
    idx = k.idx[j]
    alive = ~dead[idx]
    ia = idx[alive]
    ui = k.util_i[j][alive]
    uf = k.util_f[j][alive]
    rf = float(rho)
    s = b[ia] - rf * uf
    cap = s < 0.0
    for pos in np.flatnonzero(np.abs(s) <= TOL * (emax + rf * uf)).tolist():
        bud = k.exact_budget(int(ia[pos]), False, num, hist, rhos)
        cap[pos] = bud < rho * int(ui[pos])
    notp = ~cap
    q = int(_exact_matvec(k.mass_i[ia[notp]], ui[notp, None])[0]) if notp.any() else 0
    if q == 0:
        strict = True
    capped = ia[cap]
    val = inp.costs[j] - k.exact_money(capped, num, hist, rhos) - rho * q
    sp = -k.money_slope(capped, hist, slopes) - slope * q
    return _affine_root(val, sp, strict=strict)
