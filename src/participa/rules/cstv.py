"""CSTV: cumulative support transfer voting (Skowron, Slinko, Szufa and Talmon).

"Participatory Budgeting with Cumulative Votes" (arXiv 2009.02690; Social Choice and
Welfare, 2025). Each voter who scored some project donates an equal share of the budget,
``budget / n``, split over the projects in proportion to her points. A project whose
donations reach its cost is *eligible*; the rule funds eligible projects one at a time
and moves money between projects when none is eligible. A *variant* fixes the three
choices the paper studies:

=========  ========================  =========================  ==========================
variant    which project to fund     when none is eligible      at the end
=========  ========================  =========================  ==========================
``ewt``    largest excess support    eliminate the weakest,     reverse the eliminations
           (donations − cost)        transfer its donations     while money is left
``ewtc``   largest support / cost    same                       same
``ewts``   largest support           same                       same
``mt``     largest excess support    minimal transfer to the    accept under-supported
                                     best project               projects while money is left
``mtc``    largest support / cost    same                       same
``mts``    largest support           same                       same
=========  ========================  =========================  ==========================

* **Funding** a project charges its donors: if the donations exceed the cost, every
  donor pays the same fraction ``cost / donations`` of her donation and the rest flows
  back to her other projects, in proportion to what she gives them (the rest of a donor
  who gives nothing else is lost, as in the paper). A project funded at exactly its cost
  takes all its donations.
* **Elimination with transfer**: the project with the weakest support (by the same
  measure as funding) is dropped and each donor's donation to it is spread over her
  other projects in proportion.
* **Minimal transfer**: projects whose donors together hold less than their cost are
  set aside; then the donors of the best remaining project scale their donations to it
  up, all by the same factor, taking the money from their other projects in proportion,
  until it reaches its cost (a donor who cannot keep up gives it everything she has).
* **Reverse elimination** funds the eliminated projects that still fit, last eliminated
  first; **acceptance of under-supported projects** funds the set-aside projects that
  still fit, best first, and each one funded takes all the money of its donors.

Every amount is exact (integers over one common denominator, see ``_State``); ties
are broken by ``tie_break``. Cumulative and scoring ballots. Complexity: see
:func:`cstv`'s Notes.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 50), Project("b", 40), Project("c", 30)),
...     Profile.from_ballots(BallotKind.CUMULATIVE, ["a", "b", "c"],
...                          [{"a": 3, "b": 1}, {"a": 2, "c": 2}, {"b": 4}, {"c": 1, "b": 3}]))
>>> cstv(e, variant="ewt").selected
('b', 'c')
>>> print(cstv(e, variant="mt").trace[0].reason)
its donations 50 reach its cost 40
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceAction, TraceStep, _built_step
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak, TieResolver

__all__ = ["CSTV_VARIANTS", "CstvVariant", "cstv"]

CstvVariant = Literal["ewt", "ewtc", "ewts", "mt", "mtc", "mts"]
CSTV_VARIANTS: tuple[CstvVariant, ...] = ("ewt", "ewtc", "ewts", "mt", "mtc", "mts")

_KEY = {"ewt": "excess", "mt": "excess", "ewtc": "ratio", "mtc": "ratio", "ewts": "support",
        "mts": "support"}  # fmt: skip

_ACTIONS = {a.value: a for a in TraceAction}

_REASONS = {
    "fund": N_("its donations {support} reach its cost {cost}"),
    "eliminate": N_(
        "weakest support ({support} for a cost of {cost}): eliminated, "
        "its donations go to its donors' other projects"
    ),
    "set aside": N_("its donors hold {support} in all, less than its cost {cost}: set aside"),
    "transfer": N_("its donors move money to it from their other projects to reach {cost}"),
    "reverse": N_("eliminated earlier; it still fits in the {left} left"),
    "accept": N_("under-supported, but it fits in the {left} left"),
}


def _holds(variant: str, points: npt.NDArray[Any]) -> bool:
    """Whether a run keeps each group's money rather than its scale (see ``_State``): the
    eliminate-with-transfer variants, on points that are never negative."""
    return variant.startswith("ewt") and int(points.min(initial=0)) >= 0


_TABLE = 1 << 16
"""Largest key range :meth:`_State._rescale` tabulates instead of sorting."""

_TOTALS = 1 << 12
"""Largest point total for which money held (``_State``) keeps a table of ``1 / t``."""


class _State:
    """The bookkeeping of one CSTV run, in exact integers over one common denominator.

    Outside a minimal transfer, every voter's donations stay proportional to her points
    on the projects still in play: a transfer or a refund multiplies all of one voter's
    remaining donations by the same factor. So voter group ``g`` donates
    ``points[g, p] · C[g] / D`` per voter to each live project ``p``, with one integer
    ``C[g]`` per group and one common denominator ``D``, and every comparison the rule
    makes is a comparison of integers. Each move multiplies ``C`` by per-group integer
    factors and ``D`` by their common denominator (the lcm of small point sums times one
    support), then divides everything by the gcd, so the numbers stay about as long as the
    reduced fractions they stand for (their lcm). They do not fit in 64 bits: the
    denominator about doubles in length with every refund (20, 52, 122, 259, 529 bits over
    the first five fundings of Katowice 2025), so they are Python integers and no
    fixed-width bound is needed or claimed for them.

    **Value classes.** A group's factor depends only on its own small integers (its live
    points and its points on the project that moves), so groups that start with the same
    ``C`` and meet the same factors keep the same ``C``: Katowice 2025's 222 ballots never
    hold more than 29 distinct values. Each group therefore points to a *class*
    (``cls[g]``), each class holds one big integer (``val[k]``), and a move computes its
    factors once per class and signature (``numpy.unique`` over small integers) instead
    of once per group. A support is ``Σₖ val[k] · cmass[k, p]`` with ``cmass`` the class totals of
    ``weight · points``: small integers, summed in ``int64`` only after the set-up has
    proved that the grand total of ``weight · points`` fits (else in Python integers).
    A minimal transfer and the funding it triggers are applied as one move (the project
    it tops up is then the only eligible one, funded at exactly its cost).

    **Money held** (``held``: the eliminate-with-transfer variants, on points that are
    never negative). There ``C[g] / D`` is the money a voter of group ``g`` still holds,
    and she gives ``C[g] · points[g, p] / (D · live[g])`` to each live project, ``live[g]``
    being her points on the live projects. An elimination moves shares, not money: it
    changes no ``C`` (no move, no new class), only ``live``. Funding takes from each
    donor the part ``cost / support`` of her gift: ``C`` times ``1 − x_p · cost /
    (live · support)``, by classes and signatures as above. Supports are then over
    ``unit = D · L``, ``L`` the lcm of the live point totals, and the class totals weigh
    each group by ``L / live[g]``. Elsewhere ``unit = D``.
    """

    def __init__(
        self,
        election: Election,
        variant: CstvVariant,
        resolver: TieResolver | Callable[[], TieResolver],
    ) -> None:
        self.e = election
        self.ids = election.project_ids
        self.currency = election.money  # built once: the trace formats many amounts
        self.variant = variant
        self._resolver = resolver  # or how to build it: only a tie needs it
        self.costs = [int(c) for c in election.costs]
        prof = election.profile
        points = prof.matrix
        weights = prof.group_weight
        top = int(np.abs(points).max(initial=0))
        if top * points.shape[1] < 2**62:  # row sums fit: exact in int64
            totals: npt.NDArray[Any] = points.sum(axis=1)
        else:
            totals = points.sum(axis=1, dtype=object)
        weight_sum = int(weights.sum(dtype=object)) if weights.size else 0
        most = int(totals.max(initial=0)) if totals.size else 0
        small = max(most, 1) * weight_sum < 2**62  # bounds weight · points and the weights
        # every aggregate below is at most the grand total of weight · points
        self.dtype: Any = np.int64 if small else object
        self.points: npt.NDArray[Any] = points.astype(self.dtype)
        self.weights: npt.NDArray[Any] = weights.astype(self.dtype)
        self.mass: npt.NDArray[Any] = self.points * self.weights[:, None]  # weight · points
        self.has = points > 0  # voters of group g give p some points
        # |every partial sum of weight · points| <= top · m · weight_sum: below 2**53,
        # float64 sums of them are exact
        exact_float = small and top * points.shape[1] * weight_sum < 2**53
        self._columns = np.arange(points.shape[1])
        # float64 copy of weight · points: exact whenever small (each cell <= the total)
        self.held = _holds(variant, points)
        self._mass_f: npt.NDArray[np.float64] | None = (
            self.mass.astype(np.float64) if small and (exact_float or self.held) else None
        )
        self._mass_flat: npt.NDArray[np.float64] | None = (
            self._mass_f.ravel() if exact_float and self._mass_f is not None else None
        )
        self.live_points: npt.NDArray[Any] = totals.astype(self.dtype)  # on live columns
        donors = self.live_points > 0
        n = int(self.weights[donors].sum())
        # eliminate-with-transfer variants on points >= 0 keep each group's money (see the
        # class notes): an elimination then changes no value
        self._held_total = int((self.weights * self.live_points).sum()) if self.held else 0
        # held: 1 / t for every point total t by one table (1 / inf = 0 for t = 0)
        self._per_total: npt.NDArray[np.float64] | None = None
        if self.held and small and most < _TOTALS:
            self._per_total = np.arange(most + 1, dtype=np.float64)
            self._per_total[0] = np.inf
        self.D = 1
        if self.held:
            # every donor holds budget / n: one class, value budget over D = n
            self.D = max(n, 1)
            self.cls: npt.NDArray[np.intp] = donors.astype(np.intp)
            self.val: list[int] = [0, election.budget if n else 0]
        else:
            # one class per distinct point total (class 0: groups with no points)
            keys = np.where(donors, self.live_points, 0)
            uniq, inv = np.unique(keys, return_inverse=True)
            if n:
                self.D = n * math.lcm(*(int(t) for t in uniq.tolist() if t))
            self.cls = inv.reshape(-1)
            self.val = [
                election.budget * (self.D // n // int(t)) if t else 0 for t in uniq.tolist()
            ]
        self.unit = self.D  # the denominator of supports (set by _regrouped)
        self.live = np.ones(len(self.costs), dtype=bool)  # columns that still hold donations
        self.current = list(range(len(self.costs)))
        self.eliminated: list[int] = []
        self.selected: list[int] = []
        self.left = election.budget
        self.trace: list[TraceStep] = []
        self._supports: list[int] | None = None
        self._costs_shown: dict[int, str] = {}
        self._cells_of: npt.NDArray[np.intp] | None = None
        self._cells: npt.NDArray[np.intp] = self.cls
        self._reduce()
        self._regrouped()

    def _held_mass(self) -> tuple[npt.NDArray[Any], npt.NDArray[np.float64] | None]:
        """``weight · points · L / live`` (0 where ``live`` is 0), ``L`` the lcm of the
        live point totals, and the new ``unit = D · L``: a group holding ``M / D`` per
        voter gives ``M · points / (D · live)`` to each live project."""
        live = self.live_points
        per_total = self._per_total
        if per_total is not None:  # small totals >= 0 in int64: which ones by a count
            totals = np.bincount(live).nonzero()[0].tolist()
        else:
            totals = list(set(live.tolist()))
        big = math.lcm(*(t for t in totals if t))
        self.unit = self.D * big
        bound = big * self._held_total  # every partial sum of the products is below it
        if self._mass_f is not None and bound < 2**53:
            # float64 products and sums exact; big / t is a whole number for every t used
            if per_total is not None:
                scale = (big / per_total)[live]
            else:
                scale = np.divide(big, live, out=np.zeros(live.shape), where=live > 0)
            return self.mass, (self._mass_f * scale[:, None]).ravel()
        dtype: Any = np.int64 if self.dtype is not object and bound < 2**62 else object
        live = live.astype(dtype)
        mult = np.where(live > 0, big // np.maximum(live, 1), 0).astype(dtype)
        return self.mass.astype(dtype) * mult[:, None], None

    def _regrouped(self) -> None:
        """Class totals of ``weight · points`` after the classes changed."""
        k, m = len(self.val), self.mass.shape[1]
        mass, flat = self.mass, self._mass_flat
        if self.held:
            mass, flat = self._held_mass()
        else:
            self.unit = self.D
        if flat is not None and m:
            # one bincount over (class, project) cells: float64 sums of integers below
            # 2**53 are exact
            if self._cells_of is self.cls:  # held: an elimination keeps the classes
                cells = self._cells
            else:
                cells = (self.cls[:, None] * m + self._columns).ravel()
                if self.held:
                    self._cells, self._cells_of = cells, self.cls
            sums = np.bincount(cells, weights=flat, minlength=k * m)
            cmass: npt.NDArray[Any] = sums.reshape(k, m).astype(np.int64)
        else:
            cmass = np.zeros((k, m), dtype=mass.dtype)
            counts = np.bincount(self.cls, minlength=k)
            order = np.argsort(self.cls, kind="stable")
            starts = np.cumsum(counts) - counts
            present = counts > 0
            if mass.size:
                cmass[present] = np.add.reduceat(mass[order], starts[present])
        self.cmass = cmass
        self.nonzero = np.array([v != 0 for v in self.val], dtype=bool)
        self._supports = None

    def _reduce(self) -> None:
        common = math.gcd(self.D, *self.val)
        if common > 1:
            self.val = [v // common for v in self.val]
            self.D //= common

    def _sum(self, rows: npt.NDArray[np.bool_], coef: npt.NDArray[Any]) -> int:
        """``Σ_g C[g] · coef[g]`` over ``rows`` (times ``D``), one product per class."""
        agg = np.zeros(len(self.val), dtype=self.dtype)
        np.add.at(agg, self.cls[rows], coef[rows])
        return sum(v * int(a) for v, a in zip(self.val, agg.tolist(), strict=True) if a and v)

    # -- measures ----------------------------------------------------------------------
    def supports(self) -> list[int]:
        """Every project's support times ``D`` (0 for columns out of play)."""
        if self._supports is None:
            val = self.val
            live = self.live.tolist()
            cols = self.cmass.T.tolist()
            self._supports = [
                sum(map(operator.mul, val, col)) if on else 0
                for col, on in zip(cols, live, strict=True)
            ]
        return self._supports

    def kill(self, p: int) -> None:
        """Take column ``p`` out of play (its donations are no longer counted)."""
        if self.live[p]:
            self.live[p] = False
            self.live_points = self.live_points - self.points[:, p]
        self._supports = None

    def eligible(self) -> list[int]:
        s = self.supports()
        return [p for p in self.current if s[p] >= self.costs[p] * self.unit]

    def pick(self, candidates: list[int], *, best: bool) -> int:
        """The best (or worst) candidate by the variant's measure, ties to ``tie_break``.

        Measures are compared exactly without building fractions: a support over a cost
        is ``s / (c · D)``, compared by cross-multiplying; a free project's ratio is
        above every other."""
        sup = self.supports()
        kind = _KEY[self.variant]
        if kind == "ratio":
            # (num, den) with den > 0; a free project counts as (1, 0): larger than all
            keys = [(sup[p], self.costs[p]) if self.costs[p] else (1, 0) for p in candidates]

            def above(a: tuple[int, int], b: tuple[int, int]) -> int:
                left, right = a[0] * b[1], b[0] * a[1]
                return (left > right) - (left < right)

        else:
            shift = self.unit if kind == "excess" else 0
            keys = [(sup[p] - self.costs[p] * shift, 1) for p in candidates]

            def above(a: tuple[int, int], b: tuple[int, int]) -> int:
                return (a[0] > b[0]) - (a[0] < b[0])

        sign = 1 if best else -1
        target = keys[0]
        for k in keys[1:]:
            if above(k, target) == sign:
                target = k
        tied = [p for p, k in zip(candidates, keys, strict=True) if above(k, target) == 0]
        # a lone winner needs no tie-break (the resolver would return it unchanged)
        if len(tied) == 1:
            return tied[0]
        if not isinstance(self._resolver, TieResolver):
            self._resolver = self._resolver()
        return self._resolver.pick(tied)

    def note(self, action: str, p: int, reason: str, support: int | None = None) -> None:
        """Record one step; ``support`` is a support times ``D`` (default: ``p``'s own)."""
        fmt = self.currency.format
        amounts: dict[str, str] = {}  # only the amounts the sentence shows
        if reason in ("reverse", "accept"):
            amounts["left"] = fmt(self.left)
        else:
            if p not in self._costs_shown:
                self._costs_shown[p] = fmt(self.costs[p])
            amounts["cost"] = self._costs_shown[p]
            if reason != "transfer":
                amounts["support"] = self.money(self.supports()[p] if support is None else support)
        text = _(_REASONS[reason], **amounts)
        self.trace.append(_built_step(len(self.trace) + 1, _ACTIONS[action], self.ids[p], text))

    def money(self, amount: int) -> str:
        """An amount times ``D`` for people: whole minor units, ``≈`` when rounded down."""
        whole, rest = divmod(amount, self.unit)
        text = self.currency.format(whole)
        return f"≈{text}" if rest else text

    # -- moves ---------------------------------------------------------------------------
    def _rescale(
        self,
        rows: npt.NDArray[np.bool_],
        first: npt.NDArray[Any],
        second: npt.NDArray[Any],
        factor: Callable[[int, int], tuple[int, int]],
        extra: int,
        zero: npt.NDArray[np.bool_] | None = None,
    ) -> None:
        """Multiply ``C[g]`` by ``num / den = factor(first[g], second[g])`` on ``rows``
        (``den > 0``), set it to 0 on ``zero``, and divide every ``C`` by ``extra``, over a
        new common denominator; the factors are computed once per class and signature."""
        cls, nonzero = self.cls, self.nonzero
        if zero is not None and zero.any():
            self.val.append(0)
            cls = np.where(zero, len(self.val) - 1, cls)
            nonzero = np.append(nonzero, False)
        on = rows & nonzero[cls]
        # a signature per group: (class, code), code 0 off rows, else 1 + first · x + second
        codes: list[Any]
        table: npt.NDArray[np.intp] | None = None
        wide = self.dtype is object
        r = x = 0
        if not wide:
            r = int(first.max(initial=0)) + 1
            x = int(second.max(initial=0)) + 1
            wide = len(self.val) * (1 + r * x) >= 2**62
        if not wide:
            # one int64 key per group: class · width + code
            width = 1 + r * x
            base = cls * width
            key = np.where(on, base + (first * x + second + 1), base)
            span = len(self.val) * width
            if span <= _TABLE:  # small keys: the distinct ones, and later the new classes,
                table = np.zeros(span, dtype=np.intp)  # by a table
                table[key] = 1
                uniq = table.nonzero()[0]
            else:
                uniq, inv = np.unique(key, return_inverse=True)
            k_u, c_u = np.divmod(uniq, width)
            ks: list[int] = k_u.tolist()
            codes = c_u.tolist()
            pairs = {c: divmod(c - 1, x) for c in set(codes) if c}
        else:  # Python integers: the same, one row per signature
            sig = np.stack([cls, on, np.where(on, first, 0), np.where(on, second, 0)], axis=1)
            rows_u = sorted({tuple(int(v) for v in row) for row in sig.astype(object).tolist()})
            where = {row: i for i, row in enumerate(rows_u)}
            inv = np.array([where[tuple(int(v) for v in row)] for row in sig.tolist()])
            ks = [k for k, _, _, _ in rows_u]
            codes = [(a, b) if o else 0 for _, o, a, b in rows_u]
            pairs = {c: c for c in set(codes) if c}
        ratios = {c: factor(a, b) for c, (a, b) in pairs.items()}
        common = math.lcm(*(den for _, den in ratios.values()))
        scale = common * extra
        times = {c: num * (common // den) for c, (num, den) in ratios.items()}
        val = self.val
        values = [
            val[k] * times[c] if c else val[k] * scale for k, c in zip(ks, codes, strict=True)
        ]
        # groups whose values meet share one class again
        index: dict[int, int] = {}
        remap = [index.setdefault(v, len(index)) for v in values]
        self.val = list(index)
        if table is not None:
            table[uniq] = remap
            self.cls = table[key]
        else:
            self.cls = np.asarray(remap, dtype=np.intp)[inv.reshape(-1)]
        self.D *= scale
        self._reduce()
        self._regrouped()

    def spread(self, p: int, keep_num: int, keep_den: int) -> None:
        """Drop column ``p``; each donor gives ``(1 - keep) ·`` her donation to ``p``
        back over her other live projects, in proportion (``keep = keep_num / keep_den``)."""
        self.kill(p)
        if self.held and not keep_num:  # all of it goes back: the money held stays
            self._regrouped()
            return
        if not self.live.any():
            if self.held:
                self._regrouped()
            return
        rest = self.live_points  # her other live points
        rows = self.has[:, p] & (rest > 0)
        back = keep_den - keep_num

        if self.held:
            # money held M pays keep of its gift M · x_p / live, live = rest + x_p:
            # M · (rest · den + x_p (den - num)) / ((rest + x_p) · den)
            def factor(r: int, x: int) -> tuple[int, int]:
                return r * keep_den + x * back, r + x

        else:
            # c · (1 + x_p (1 - keep) / rest) = c · (rest · den + x_p (den - num)) / (rest · den)
            def factor(r: int, x: int) -> tuple[int, int]:
                return r * keep_den + x * back, r

        self._rescale(rows, rest, self.points[:, p], factor, keep_den)

    def fund(self, p: int, *, topped_up: bool = False) -> None:
        cost = self.costs[p]
        support = cost * self.unit if topped_up else self.supports()[p]
        self.selected.append(p)
        self.current.remove(p)
        self.left -= cost
        self.note("select", p, "fund", support)
        if topped_up or support <= cost * self.unit:
            if self.held and support:  # its donors spend all they give it
                self.spread(p, 1, 1)
                return
            self.kill(p)
            if self.held:
                self._regrouped()
            return
        # every donor keeps paying the fraction cost / support; the rest flows back
        self.spread(p, cost * self.unit, support)

    def eliminate_with_transfer(self) -> bool:
        if len(self.current) < 2:
            if self.current:
                p = self.current.pop()
                self.eliminated.append(p)
                self.note("skip", p, "eliminate")
            return False
        p = self.pick(self.current, best=False)
        self.note("skip", p, "eliminate")
        self.current.remove(p)
        self.eliminated.append(p)
        self.spread(p, 0, 1)
        return True

    def minimal_transfer(self) -> int | None:
        """Set aside the hopeless, top up the best; the project topped up, or None."""
        live_points = self.live_points
        holding = live_points * self.weights  # each group's money in play is C · this / D
        giving = self.nonzero[self.cls]
        s = self.supports()
        for p in list(self.current):
            holders = self.has[:, p] & giving & self.live[p]
            if self._sum(holders, holding) < self.costs[p] * self.D:
                self.note("skip", p, "set aside", s[p])
                self.current.remove(p)
                self.eliminated.append(p)
        if not self.current:
            return None
        p = self.pick(self.current, best=True)
        donors = self.has[:, p] & giving
        x = self.points[:, p]
        full = np.zeros(len(self.cls), dtype=bool)
        cost_d = self.costs[p] * self.D
        while True:
            rest = donors & ~full
            need = cost_d - self._sum(full, holding)
            given = self._sum(rest, self.mass[:, p])
            if not rest.any() or given == 0:
                for q in list(self.current):
                    self.current.remove(q)
                    self.eliminated.append(q)
                return None
            # a donor who cannot keep up: C · w · x · need > C · w · live · given
            newly = rest & (x.astype(object) * need > live_points.astype(object) * given)
            if not newly.any():
                break
            full |= newly
        self.note("info", p, "transfer")
        # full donors give p everything; the others scale their gift to p by need / given
        # and take the difference from their other projects in proportion:
        # c · (live · given − x_p · need) / ((live − x_p) · given)
        others = live_points - x
        rows = rest & (others > 0)
        zero = full | (rest & (others == 0))

        def factor(live: int, xp: int) -> tuple[int, int]:
            return live * given - xp * need, live - xp

        self._rescale(rows, live_points, x, factor, int(given), zero)
        return p

    def _zero(self, rows: npt.NDArray[np.bool_]) -> None:
        """These groups give everything they hold (their ``C`` becomes 0)."""
        self.val.append(0)
        self.cls = np.where(rows, len(self.val) - 1, self.cls)
        self._regrouped()

    def finish(self) -> None:
        if self.variant.startswith("ewt"):
            for p in reversed(self.eliminated):
                if self.costs[p] <= self.left:
                    self.note("select", p, "reverse")
                    self.left -= self.costs[p]
                    self.selected.append(p)
            return
        pending = list(self.eliminated)
        while pending:
            p = self.pick(pending, best=True)
            pending.remove(p)
            if self.costs[p] <= self.left:
                self.note("select", p, "accept")
                self.left -= self.costs[p]
                self.selected.append(p)
                if self.live[p] and pending:  # no pick reads the values after the last
                    self._zero(self.has[:, p])


@checked
def cstv(
    election: Election,
    *,
    variant: CstvVariant = "mtc",
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Cumulative support transfer voting in one of the paper's six variants.

    Parameters
    ----------
    election
        An election with cumulative (or scoring) ballots.
    variant
        ``"ewt"``, ``"ewtc"``, ``"ewts"``, ``"mt"``, ``"mtc"`` or ``"mts"`` (see the
        module); the default, minimal transfers over costs, is the one the paper
        recommends.
    tie_break
        Breaks ties between projects with the same measure (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order CSTV funded them; the trace records every
        funding, elimination, set-aside and transfer.

    Raises
    ------
    RuleError
        If the ballots carry no points (approval, ordinal).
    ValidationError
        For an unknown ``variant``.

    Notes
    -----
    Complexity: at most ``2m`` moves for ``m`` projects (each project is funded,
    eliminated or set aside once; a minimal transfer precedes a funding). Each move costs
    ``O(g · m)`` operations on small integers (numpy, ``g`` distinct ballots) and
    ``O(k · m)`` on long ones, ``k ≤ g`` being the number of distinct exact donation
    scales (the value classes of ``_State``): ``O(g · m²)`` small and ``O(k · m²)``
    long-integer operations in all (time), ``O(g · m)`` memory. The long integers are
    the exact fractions over one common denominator, whose length about doubles with
    every refund: arithmetic on them, not the operation count, dominates on long runs.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 6), Project("y", 6)),
    ...     Profile.from_ballots(BallotKind.CUMULATIVE, ["x", "y"], [{"x": 1}, {"y": 1}]))
    >>> cstv(e, variant="ewt").selected  # neither reaches 6: x goes first, y is reinstated
    ('y',)
    """
    require_kind(election, (BallotKind.CUMULATIVE, BallotKind.SCORING), "cstv")
    if variant not in CSTV_VARIANTS:
        raise ValidationError(
            _("unknown CSTV variant {variant!r}", variant=variant),
            hint=_("use one of: {choices}", choices=", ".join(CSTV_VARIANTS)),
        )
    state = _State(election, variant, lambda: tie_break.resolver(election))
    ewt = variant.startswith("ewt")
    while state.current:
        eligible = state.eligible()
        topped: int | None = None
        while not eligible:
            if ewt:
                if not state.eliminate_with_transfer():
                    break
                eligible = state.eligible()
            else:
                topped = state.minimal_transfer()
                if topped is None:
                    break
                eligible = [topped]
        if not eligible:
            break
        chosen = state.pick(eligible, best=True) if topped is None else topped
        state.fund(chosen, topped_up=topped is not None)
    state.finish()
    params = {"variant": variant, "tie_break": str(tie_break)}
    return Outcome.from_selection(
        election, state.selected, rule="cstv", trace=state.trace, params=params
    )
