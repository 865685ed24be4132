"""Priceability: checking a price-system certificate and searching for one."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from fractions import Fraction

import attrs
import numpy as np
import numpy.typing as npt

from participa import serialize
from participa._wide import exact_sum
from participa.analysis.axioms import price_lp as _priceability
from participa.analysis.axioms.report import (
    IntArray,
    _Setup,
    _setup,
)
from participa.boundary import checked, typed_fields
from participa.errors import RuleError
from participa.i18n import _
from participa.model import Election
from participa.money import Currency, _fraction_money, check_currency
from participa.outcome import Outcome
from participa.rules.utility import Utility

__all__ = ["PriceSystem", "check_price_system", "find_price_system"]


# -- priceability ------------------------------------------------------------------------------


def _str_tuple(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _fraction_rows(value: Iterable[Iterable[Fraction | int]]) -> tuple[tuple[Fraction, ...], ...]:
    return tuple(tuple(Fraction(x) for x in row) for row in value)


@serialize.register("participa.analysis.PriceSystem")
@attrs.frozen(slots=True, field_transformer=typed_fields)
class PriceSystem:
    """A priceability certificate.

    Every voter starts with ``allowance`` (per unit of weight) and pays only for funded
    projects on their ballot; ``payments[g][j]`` is what each voter of profile row ``g``
    pays (per unit of weight) towards project ``j``.

    The conditions (checked exactly by :func:`check_price_system`):

    C1. voters pay only for projects they value (positive utility);
    C2. nobody pays for an unfunded project;
    C3. nobody pays more than ``allowance``;
    C4. the payments for a funded project add up to its cost;
    C5. for every unfunded project, the money its supporters have left is at most its cost;

    and, as the literature and the reference library define priceability (each can be
    switched off): C0b. the funded set is exhaustive; C0c. the allowances cover the
    budget (``voters × allowance >= budget``). *Stable* priceability replaces C5 by S5
    (see :mod:`participa.analysis.axioms.price_lp`).
    """

    allowance: Fraction = attrs.field(converter=Fraction)
    project_ids: tuple[str, ...] = attrs.field(converter=_str_tuple)
    payments: tuple[tuple[Fraction, ...], ...] = attrs.field(converter=_fraction_rows)
    currency: Currency = attrs.field(factory=Currency, validator=check_currency)
    """How the allowance and payments read as money (the election's currency)."""

    def _repr_html_(self) -> str:
        from participa.display import html_table

        totals = [sum(col, Fraction(0)) for col in zip(*self.payments, strict=False)]
        rows = (
            (pid, _fraction_money(self.currency, t))
            for pid, t in zip(self.project_ids, totals, strict=False)
        )
        return html_table(
            (_("project"), _("paid per unit weight, summed over rows")),
            rows,
            caption=_(
                "price system: allowance {allowance} per voter",
                allowance=_fraction_money(self.currency, self.allowance),
            ),
        )


@checked
def check_price_system(
    election: Election,
    selection: Outcome | Iterable[str],
    prices: PriceSystem,
    *,
    utility: Utility | str | None = None,
    stable: bool = False,
    exhaustive: bool = True,
    whole_budget: bool = True,
) -> tuple[str, ...]:
    """Verify a price system exactly; returns the failed conditions (empty: valid).

    Independent of how the certificate was found. ``stable`` checks S5 instead of C5;
    ``exhaustive`` (C0b) and ``whole_budget`` (C0c) are the literature's conditions,
    on by default. Each failure is a sentence in the current language
    (:func:`participa.i18n.use_language`), amounts as money in the election's currency.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, [Project("a", 2), Project("b", 3)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    >>> ps = PriceSystem(2, ["a", "b"], [[2, 0], [0, 0]])
    >>> check_price_system(e, ["a"], ps, exhaustive=False)
    ()
    >>> check_price_system(
    ...     e, ["a"], PriceSystem(4, ["a", "b"], [[2, 0], [0, 0]]), exhaustive=False
    ... )
    ("C5: supporters of 'b' keep 4 > its cost 3",)
    >>> check_price_system(e, ["a"], ps)  # 2 is left and b costs 3: exhaustive
    ()
    >>> for fail in check_price_system(e, ["a"], PriceSystem(1, ["a", "b"], [[1, 0], [0, 0]])):
    ...     print(fail)
    C0c: the allowances add up to 2 < the budget 4
    C4: payments for 'a' add up to 1, not its cost 2
    """
    s = _setup(election, selection, utility)
    ids = election.project_ids
    g, m = s.u.shape
    fails: list[str] = []
    money = election.money

    def cash(amount: Fraction | int) -> str:
        return _fraction_money(money, amount)

    if prices.project_ids != ids:
        return (_("the price system's projects differ from the election's"),)
    pay = prices.payments
    if len(pay) != g or any(len(r) != m for r in pay):
        return (
            _(
                "payments must be {rows} rows × {projects} projects, one row per profile "
                "group and one column per project",
                rows=g,
                projects=m,
            ),
        )
    if prices.allowance < 0 or any(x < 0 for r in pay for x in r):
        fails.append(_("payments and allowance must be non-negative"))
    on = s.u > 0
    w = [int(x) for x in s.w]
    funded_cost = exact_sum(s.costs[s.in_w])
    if funded_cost > s.budget:
        fails.append(
            _(
                "C0a: the funded projects cost {cost} > the budget {budget}",
                cost=cash(funded_cost),
                budget=cash(s.budget),
            )
        )
    if exhaustive and not _priceability.is_exhaustive(
        [int(c) for c in s.costs], [bool(x) for x in s.in_w], s.budget
    ):
        fails.append(_("C0b: an unfunded project fits in the money left (not exhaustive)"))
    if whole_budget and prices.allowance * s.n < s.budget:
        fails.append(
            _(
                "C0c: the allowances add up to {total} < the budget {budget}",
                total=cash(prices.allowance * s.n),
                budget=cash(s.budget),
            )
        )
    left: list[Fraction] = []
    most: list[Fraction] = []
    for r in range(g):
        for j in range(m):
            if pay[r][j] and not on[r, j]:
                fails.append(
                    _("C1: row {r} pays for {ids!r}, which it does not value", r=r, ids=ids[j])
                )
            if pay[r][j] and not s.in_w[j]:
                fails.append(_("C2: row {r} pays for unfunded {ids!r}", r=r, ids=ids[j]))
        spent = sum(pay[r], Fraction(0))
        if spent > prices.allowance:
            fails.append(
                _(
                    "C3: row {r} pays {spent} > allowance {allowance}",
                    r=r,
                    spent=cash(spent),
                    allowance=cash(prices.allowance),
                )
            )
        left.append(prices.allowance - spent)
        most.append(max(pay[r], default=Fraction(0)))
    for j in range(m):
        total = sum((w[r] * pay[r][j] for r in range(g)), Fraction(0))
        cost = int(s.costs[j])
        if s.in_w[j] and total != cost:
            fails.append(
                _(
                    "C4: payments for {ids!r} add up to {total}, not its cost {cost}",
                    ids=ids[j],
                    total=cash(total),
                    cost=cash(cost),
                )
            )
        if not s.in_w[j] and not stable:
            keep = sum((w[r] * left[r] for r in range(g) if on[r, j]), Fraction(0))
            if keep > cost:
                fails.append(
                    _(
                        "C5: supporters of {ids!r} keep {keep} > its cost {cost}",
                        ids=ids[j],
                        keep=cash(keep),
                        cost=cash(cost),
                    )
                )
        if not s.in_w[j] and stable:
            hold = sum((w[r] * max(left[r], most[r]) for r in range(g) if on[r, j]), Fraction(0))
            if hold > cost:
                fails.append(
                    _(
                        "S5: supporters of {project!r} keep or paid {amount} > its cost {cost}",
                        project=ids[j],
                        amount=cash(hold),
                        cost=cash(cost),
                    )
                )
    return tuple(fails)


def _rho_float(left: npt.NDArray[np.float64], w: IntArray, cost: float) -> float:
    """Smallest ρ with ``sum(w * min(left, ρ)) >= cost`` (``inf`` when unaffordable)."""
    if cost <= 0:
        return 0.0
    order = np.argsort(left, kind="stable")
    vals, ws = left[order], w[order].astype(np.float64)
    paid_before = np.concatenate(([0.0], np.cumsum(ws * vals)[:-1]))
    w_from = np.cumsum(ws[::-1])[::-1]
    rho = (cost - paid_before) / w_from
    ok = np.flatnonzero(rho <= vals * (1 + 1e-12))
    return float(rho[ok[0]]) if ok.size else float("inf")


def _plan(s: _Setup, allowance: float, funded: Sequence[int]) -> list[int] | None:
    """Order in which equal shares, restricted to the funded projects, buys them (floats)."""
    on = s.u > 0
    left = np.full(s.u.shape[0], allowance, dtype=np.float64)
    todo, order = list(funded), []
    while todo:
        rhos = [_rho_float(left[on[:, j]], s.w[on[:, j]], float(s.costs[j])) for j in todo]
        k = int(np.argmin(rhos))
        if not np.isfinite(rhos[k]):
            return None
        j = todo.pop(k)
        left[on[:, j]] -= np.minimum(left[on[:, j]], rhos[k])
        order.append(j)
    return order


def _pay_exact(s: _Setup, allowance: Fraction, order: Sequence[int]) -> list[list[Fraction]] | None:
    """Exact payments for buying projects in this order (each supporter pays min(left, ρ))."""
    g, m = s.u.shape
    on = s.u > 0
    w = [int(x) for x in s.w]
    left = [allowance] * g
    pay = [[Fraction(0)] * m for _ in range(g)]
    for j in order:
        rows = sorted(np.flatnonzero(on[:, j]).tolist(), key=lambda r: left[r])
        need, total_w = Fraction(int(s.costs[j])), sum(w[r] for r in rows)
        rho: Fraction | None = Fraction(0) if need == 0 else None
        for r in rows if need else ():
            if (need / total_w) <= left[r]:
                rho = need / total_w
                break
            need -= w[r] * left[r]
            total_w -= w[r]
        if rho is None:
            return None
        for r in rows:
            p = min(left[r], rho)
            pay[r][j] = p
            left[r] -= p
    return pay


@checked
def find_price_system(
    election: Election,
    selection: Outcome | Iterable[str],
    *,
    utility: Utility | str | None = None,
    stable: bool = False,
    exhaustive: bool = True,
    whole_budget: bool = True,
    steps: int = 40,
) -> PriceSystem | None:
    """A price system certifying that the selection is priceable; ``None`` when none exists.

    Decided exactly: a certificate is returned whenever one exists, and ``None`` proves
    there is none. First a fast search replays equal shares restricted to the funded
    projects (each supporter pays ``min(money left, ρ)``, the project needing the
    smallest ``ρ`` first), with the fair allowance ``budget / voters`` and then, by a
    float bisection over ``steps`` rounds, other allowances; its certificate is
    recomputed in exact fractions and kept only if :func:`check_price_system` passes.
    When that fails, the exact linear programme of
    :func:`participa.analysis.axioms.price_lp.solve_price_system` settles the question
    (an exact simplex, no solver dependency).

    Parameters
    ----------
    election, selection
        The election and the funded projects (an outcome or project ids).
    utility
        Which projects a voter values (positive utility); default that of the ballots.
    stable
        Stable priceability (S5 instead of C5).
    exhaustive
        Require the selection to be exhaustive (C0b; the literature's default).
    whole_budget
        Require the allowances to cover the budget, ``voters × allowance >= budget``
        (C0c; the literature's default).
    steps
        Bisection rounds of the fast search.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, [Project("a", 2), Project("b", 3)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["a", "b"], [["a"], ["b"]]))
    >>> find_price_system(e, ["a"]).allowance
    Fraction(2, 1)
    >>> find_price_system(e, ["b"]) is None  # paying 3 for b leaves a's supporter 3 > 2
    True

    The issue's example: three voters {0, 1}, {0, 1, 2}, {2}, unit costs, budget 2,
    W = {0, 1}; the only allowance is exactly 1:

    >>> f = Election(2, [Project(p, 1) for p in "012"], Profile.from_ballots(
    ...     BallotKind.APPROVAL, list("012"), [["0", "1"], ["0", "1", "2"], ["2"]]))
    >>> find_price_system(f, ["0", "1"]).allowance
    Fraction(1, 1)

    Ten voters approve two projects costing 10, budget 100: the empty set is not
    priceable (the allowances must cover the budget, and then each project's supporters
    keep 100 > 10), unless both conditions are switched off:

    >>> g = Election(100, [Project("x", 10), Project("y", 10)], Profile.from_ballots(
    ...     BallotKind.APPROVAL, ["x", "y"], [["x", "y"]] * 10))
    >>> find_price_system(g, []) is None
    True
    >>> ps = find_price_system(g, [], exhaustive=False, whole_budget=False)
    >>> ps.allowance <= 1  # each project's 10 supporters keep at most 10 between them
    True
    """
    s = _setup(election, selection, utility)
    in_w = [bool(x) for x in s.in_w]
    costs = [int(c) for c in s.costs]
    if exhaustive and not _priceability.is_exhaustive(costs, in_w, s.budget):
        return None
    options = {"stable": stable, "exhaustive": exhaustive, "whole_budget": whole_budget}
    if not stable and s.n > 0:
        fast = _fast_price_system(election, selection, s, steps, options)
        if fast is not None:
            return fast
    found = _priceability.solve_price_system(
        s.u > 0,
        [int(x) for x in s.w],
        costs,
        in_w,
        s.budget,
        stable=stable,
        whole_budget=whole_budget,
    )
    if found is None:
        return None
    ps = PriceSystem(found[0], election.project_ids, found[1], election.money)
    fails = check_price_system(election, selection, ps, utility=s.utility, **options)
    if fails:  # pragma: no cover - the programme encodes exactly these conditions
        raise RuleError(
            _("the price system found fails its own check: {fails}", fails="; ".join(fails))
        )
    return ps


def _fast_price_system(
    election: Election,
    selection: Outcome | Iterable[str],
    s: _Setup,
    steps: int,
    options: dict[str, bool],
) -> PriceSystem | None:
    """The equal-payments search (floats to search, fractions to certify); may miss."""
    funded = [int(j) for j in np.flatnonzero(s.in_w)]
    if exact_sum(s.costs[funded]) > s.budget or s.n == 0:
        return None
    ids = election.project_ids
    on = s.u > 0
    outside = np.flatnonzero(~s.in_w)

    def verdict(allowance: float) -> str:
        order = _plan(s, allowance, funded)
        if order is None:
            return "low"
        # float replay of the leftovers, to test C5 approximately
        left = np.full(s.u.shape[0], allowance)
        for j in order:
            rho = _rho_float(left[on[:, j]], s.w[on[:, j]], float(s.costs[j]))
            left[on[:, j]] -= np.minimum(left[on[:, j]], rho)
        keep = (s.w.astype(np.float64) * left) @ on[:, outside] if outside.size else np.zeros(0)
        return "high" if (keep > s.costs[outside] * (1 + 1e-9) + 1e-9).any() else "ok"

    def exact(allowance: Fraction) -> PriceSystem | None:
        order = _plan(s, float(allowance), funded)
        if order is None:
            return None
        pay = _pay_exact(s, allowance, order)
        if pay is None:
            return None
        ps = PriceSystem(allowance, ids, pay, election.money)
        fails = check_price_system(election, selection, ps, utility=s.utility, **options)
        return None if fails else ps

    fair = Fraction(s.budget, s.n)
    first = verdict(float(fair))
    if first == "ok":
        ps = exact(fair)
        if ps is not None:
            return ps
    lo, hi = (float(fair), float(fair) * 2 + 1) if first == "low" else (0.0, float(fair))
    if first == "low":
        for _step in range(steps):
            v = verdict(hi)
            if v != "low":
                break
            lo, hi = hi, hi * 2
        else:
            return None
        if v == "ok":
            return exact(Fraction(hi))
    for _step in range(steps):
        mid = (lo + hi) / 2
        v = verdict(mid)
        if v == "ok":
            return exact(Fraction(mid))
        if v == "low":
            lo = mid
        else:
            hi = mid
    return None
