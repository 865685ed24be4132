"""Equal shares with bounded overspending (BOS) and fractional equal shares.

Papasotiropoulos, Pishbin, Skibski, Skowron and Wąs, "Method of Equal Shares with
Bounded Overspending" (COMSOC 2025, arXiv 2409.15005). Approval (and choose-1)
ballots with cost utilities: a voter's satisfaction from a project is its cost, so
equal shares charges its supporters equal amounts.

**BOS equal shares** (:func:`bos_equal_shares`). Every voter starts with
``budget / n``. In each round, for every project ``c`` not yet funded that still fits
in the budget (``cost(W) + cost(c) <= budget``) and has a supporter with money left,
consider every payment cap ``t``: each supporter pays ``min(money, t)``; the collected
amount is the fraction ``α(t) = min(collected / cost, 1)`` of the cost, at the price
``ρ = λ / α`` per unit of utility where ``λ = t / cost``. The round funds the project
and cap with the smallest ``ρ / α = λ / α²`` (ties between projects by ``tie_break``,
ties between caps of one project by the larger ``α``, i.e. the least overspending);
its supporters pay ``min(money, t)``, and the part of the cost they did not collect,
``(1 - α) · cost``, is the *overspending*, paid from the budget outside the voters'
shares. With ``α = 1`` a round is a round of the Method of Equal Shares, so
BOS funds what equal shares funds first, then keeps spending on projects that their
supporters can pay for in large part.

``λ / α(t)²`` is, between two consecutive supporters' money levels, first increasing
then decreasing in ``t`` (``α`` is affine there), so its minimum is at a money level of
a supporter or at the cap that collects the whole cost: only those caps are tried.

**Fractional equal shares** (:func:`fractional_equal_shares`). Projects may be funded
in part. In each round, among the projects not fully funded that have supporters with
money left (and whose unfunded part fits in what is left of the budget), the one with
the most such supporters (the lowest price per unit of utility) buys the largest part
that they can pay in equal shares: until the poorest of them runs out, or the project
is complete. A voter who runs out leaves. Ties by ``tie_break``.

Everything is exact: money is held as integers over one common denominator (Python
integers) and compared by cross-multiplication; identical ballots move together.
Complexity: ``O(m² · g log g)`` for ``m`` projects and ``g`` distinct ballots (at most
``m`` rounds of BOS, each sorting every project's supporters by money; fractional equal
shares has at most ``m + g`` rounds, each ``O(m · g)``).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(10, (Project("a", 6), Project("b", 4)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"], ["b"]]))
>>> from participa.rules.mes import equal_shares
>>> equal_shares(e).selected
('a',)
>>> bos_equal_shares(e).selected
('a', 'b')
>>> fractional_equal_shares(e).params["parts"]
'a=1 b=11/12'
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.i18n import ngettext
from participa.model import BallotKind, Election
from participa.outcome import Outcome, ParamValue, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak

__all__ = ["bos_equal_shares", "fractional_equal_shares"]

ObjArray = npt.NDArray[Any]

_NEAR = 1e-9
"""Relative slack under which two float scores are re-compared exactly."""


def _money(election: Election, amount: Fraction) -> str:
    """An exact amount of minor units as money (rounded to the cent, marked when rounded)."""
    if amount.denominator == 1:
        return election.money.format(int(amount))
    return "≈ " + election.money.format(round(amount))


def bos_equal_shares(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """Method of Equal Shares with Bounded Overspending (cost utilities).

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    tie_break
        Picks among projects with the same ``ρ / α`` (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order BOS funded them. Each trace step gives the
        number of paying supporters, what they paid, and the overspending; ``params``
        holds the total overspending (``overspent``, minor units, rounded down).

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.

    Notes
    -----
    Complexity: ``O(m² · g log g)`` time (``m`` projects, ``g`` distinct ballots),
    exact; ``O(g · m)`` memory.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"], ["b"]]))
    >>> out = bos_equal_shares(e)
    >>> out.selected
    ('a', 'b')
    >>> print(out.trace[1].reason)
    2 supporters paid ≈ 4 of 4 (91%); ≈ 0 overspent
    >>> out.trace[1].values["paid"]
    '11/3'
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "mes-bos")
    prof = election.profile
    n = prof.total_weight
    if n == 0:
        return Outcome.from_selection(election, [], rule="mes-bos", params={"overspent": 0})
    approvals = prof.approvals()
    weights = prof.group_weight.astype(object)
    costs = [int(c) for c in election.costs]
    budget = election.budget
    resolver = tie_break.resolver(election)
    money: ObjArray = np.full(prof.num_groups, budget, dtype=object)  # over denom
    denom = n
    selected: list[int] = []
    funded = [False] * len(costs)
    spent = 0
    overspent = Fraction(0)
    trace: list[TraceStep] = []
    while spent < budget:
        best: tuple[int, int] | None = None  # the score t·C/coll² as (numerator, denominator)
        cands: list[tuple[int, Fraction, int]] = []  # (project, cap, collected) over denom
        for p, cost in enumerate(costs):
            if funded[p] or spent + cost > budget:
                continue
            sup = np.flatnonzero(approvals[:, p] & (weights > 0) & (money > 0))
            if sup.size == 0:
                continue
            if cost == 0:
                score, cap, coll = (0, 1), Fraction(0), 0
            else:
                score, cap, coll = _best_cap(money[sup], weights[sup], cost * denom)
            if best is None or score[0] * best[1] < best[0] * score[1]:
                best, cands = score, [(p, cap, coll)]
            elif score[0] * best[1] == best[0] * score[1]:
                cands.append((p, cap, coll))
        if best is None:
            break
        pick = resolver.pick([c[0] for c in cands])
        p, cap, coll = next(c for c in cands if c[0] == pick)
        sup = np.flatnonzero(approvals[:, p] & (weights > 0) & (money > 0))
        if cap.denominator != 1:
            money = money * cap.denominator
            denom *= cap.denominator
            cap *= cap.denominator
        pay = np.minimum(money[sup], int(cap))
        collected = int((pay * weights[sup]).sum())
        money[sup] = money[sup] - pay
        paid = Fraction(collected, denom)
        over = costs[p] - paid
        overspent += over
        funded[p] = True
        selected.append(p)
        spent += costs[p]
        payers = int(weights[sup].sum())
        percent = 100 if costs[p] == 0 else int(paid * 100 / costs[p])
        trace.append(
            TraceStep(
                len(selected),
                "select",
                election.project_ids[p],
                ngettext(
                    "{n} supporter paid {paid} of {cost} ({percent}%); {over} overspent",
                    "{n} supporters paid {paid} of {cost} ({percent}%); {over} overspent",
                    payers,
                    paid=_money(election, paid),
                    cost=election.money.format(costs[p]),
                    percent=percent,
                    over=_money(election, over),
                ),
                {"payers": payers, "cost": costs[p], "paid": str(paid)},
            )
        )
    params: dict[str, ParamValue] = {"tie_break": str(tie_break), "overspent": int(overspent)}
    return Outcome.from_selection(election, selected, rule="mes-bos", trace=trace, params=params)


def _best_cap(
    money: ObjArray, weights: ObjArray, need: int
) -> tuple[tuple[int, int], Fraction, int]:
    """The cap minimising ``λ / α²`` for one project, with the score and what it collects.

    ``money`` and ``need`` are in ``1/denom`` units; the score ``t · need / coll²``
    (``λ / α²`` with ``λ = t / need``, ``α = coll / need``) is returned as an exact
    fraction ``(numerator, denominator)``. Ties go to the larger cap (larger ``α``).
    """
    order = np.argsort(money, kind="stable")  # Python integers: an exact order
    m, w = money[order], weights[order]
    cumw = np.cumsum(w)
    total_w = cumw[-1]
    prefix = np.cumsum(m * w)  # money of supporters up to and including k
    coll = prefix + (total_w - cumw) * m  # collected with cap m[k]
    full = np.flatnonzero(coll >= need)
    caps: list[Fraction] = []
    colls: list[int] = []
    last = int(full[0]) if full.size else m.size
    if full.size:
        k = last
        before = int(prefix[k - 1]) if k > 0 else 0
        left_w = int(total_w - (cumw[k - 1] if k > 0 else 0))
        caps.append(Fraction(need - before, left_w))
        colls.append(need)
    # caps at the money levels below the full cap (α < 1)
    lv = m[:last]
    cl = coll[:last]
    if lv.size:
        # floats only shortlist the caps; the shortlist is compared exactly below
        clf = cl.astype(float)
        f = lv.astype(float) / clf / clf
        near = np.flatnonzero(f <= f.min() * (1 + _NEAR))
        for k in near.tolist():
            caps.append(Fraction(int(lv[k])))
            colls.append(int(cl[k]))
    best: tuple[int, int] | None = None
    best_cap = Fraction(0)
    best_coll = 0
    for cap, cl_k in zip(caps, colls, strict=True):
        # score = cap · need / coll², cap a Fraction
        s = (cap.numerator * need, cap.denominator * cl_k * cl_k)
        if (
            best is None
            or s[0] * best[1] < best[0] * s[1]
            or (s[0] * best[1] == best[0] * s[1] and cl_k > best_coll)
        ):
            best, best_cap, best_coll = s, cap, cl_k
    assert best is not None
    return best, best_cap, best_coll


def fractional_equal_shares(
    election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK
) -> Outcome:
    """Fractional equal shares: projects bought in parts, paid in equal shares.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    tie_break
        Picks among projects with the same number of supporters with money left.

    Returns
    -------
    Outcome
        ``funding`` gives each project's funded part in minor units (the exact parts,
        ``params["parts"]``, rounded by largest remainders so that they sum to the
        exact total rounded down); ``selected`` lists the projects funded in full, in
        the order they were completed. The trace gives each purchase.

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.

    Notes
    -----
    Complexity: ``O((m + g) · m · g)`` time (``m`` projects, ``g`` distinct ballots),
    exact; ``O(g · m)`` memory.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"], ["a", "b"], ["b"]]))
    >>> out = fractional_equal_shares(e)
    >>> out.selected, out.funding["a"], out.funding["b"]
    (('a',), 6, 3)
    >>> print(out.trace[2].reason)
    1 supporter buys 3/4 of it (11/12 funded) at 3
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "fractional-mes")
    prof = election.profile
    n = prof.total_weight
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    parts = [Fraction(0)] * len(costs)
    done: list[int] = []
    trace: list[TraceStep] = []
    if n:
        approvals = prof.approvals()
        weights = prof.group_weight.astype(object)
        budget = election.budget
        resolver = tie_break.resolver(election)
        money: ObjArray = np.full(prof.num_groups, budget, dtype=object)  # over denom
        denom = n
        rnd = 0
        while True:
            spent = sum((c * q for c, q in zip(costs, parts, strict=True)), Fraction(0))
            if spent >= budget:
                break
            live = (weights > 0) & (money > 0)
            counts = (approvals & live[:, None]).T.astype(object) @ weights
            best_k = 0
            cands: list[int] = []
            for p, cost in enumerate(costs):
                k = int(counts[p])
                if parts[p] == 1 or k == 0 or spent + cost * (1 - parts[p]) > budget:
                    continue
                if k > best_k:
                    best_k, cands = k, [p]
                elif k == best_k:
                    cands.append(p)
            if not cands:
                break
            p = resolver.pick(cands)
            sup = np.flatnonzero(approvals[:, p] & live)
            cost = costs[p]
            rnd += 1
            if cost == 0:
                bought = 1 - parts[p]
                share = Fraction(0)
            else:
                # the part the poorest supporter can pay at cost / k per unit part
                poorest = Fraction(int(money[sup].min()) * best_k, cost * denom)
                bought = min(1 - parts[p], poorest)
                share = bought * Fraction(cost * denom, best_k)  # over denom
                if share.denominator != 1:
                    money = money * share.denominator
                    denom *= share.denominator
                    share *= share.denominator
                money[sup] = money[sup] - int(share)
            parts[p] += bought
            if parts[p] == 1:
                done.append(p)
            each = Fraction(int(share), denom)
            trace.append(
                TraceStep(
                    rnd,
                    "select" if parts[p] == 1 else "info",
                    ids[p],
                    ngettext(
                        "{n} supporter buys {part} of it ({total} funded) at {each}",
                        "{n} supporters buy {part} of it ({total} funded) at {each} each",
                        best_k,
                        part=str(bought),
                        total=str(parts[p]),
                        each=_money(election, each),
                    ),
                    {"payers": best_k, "part": str(bought), "funded": str(parts[p])},
                )
            )
    exact = [c * q for c, q in zip(costs, parts, strict=True)]
    # each part rounded down, then the cents the exact total still holds go to the
    # largest remainders (equal remainders in tie-break order, so that the outcome does
    # not depend on the projects' positions): within a cent of exact, summing to the
    # exact total rounded down
    funding = [int(x) for x in exact]
    spare = int(sum(exact, Fraction(0))) - sum(funding)
    rank = tie_break.resolver(election).priority
    key = lambda j: (-(exact[j] - funding[j]), int(rank[j]))  # noqa: E731
    for p in sorted(range(len(exact)), key=key)[:spare]:
        funding[p] += 1
    return Outcome(
        rule="fractional-mes",
        budget=election.budget,
        funding=dict(zip(ids, funding, strict=True)),
        selected=tuple(ids[p] for p in done),
        total_cost=sum(costs[p] for p in done),
        trace=tuple(trace),
        params={
            "tie_break": str(tie_break),
            "parts": " ".join(f"{ids[p]}={parts[p]}" for p in range(len(ids))),
        },
        currency=election.money,
    )
