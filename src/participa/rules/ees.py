"""Exact Equal Shares (EES): equal shares where every payer of a project pays the same.

Kraiczy, Robinson and Elkind, "Streamlining Equal Shares" (2024, arXiv 2502.11797).
Every voter starts with ``budget / n``. In each round, for every project not yet
funded, take its supporters and drop the poorest while the poorest cannot pay an
equal split of the cost among those left; the supporters who remain are its
*payers*, each paying ``cost / payers``. Among the projects with payers, fund the one
with the best *bang per buck* — ``payers × utility / cost`` — (ties by
``tie_break``), charge its payers, and repeat until no project has payers.

Unlike the Method of Equal Shares, a payer never pays "what she has left": payments
are exactly equal, which makes the outcome easier to explain and to verify (every
funded project is paid by a set of voters who each pay ``cost / |payers|``).

``utility="cost"`` (a voter's satisfaction is the cost of the projects she gets)
ranks projects by their number of payers; ``utility="count"`` by payers per unit of
cost. Approval (and choose-1) ballots.

Everything is exact: budgets are integers over one common denominator (Python
integers), compared by cross-multiplication. Identical ballots move together, so the
work is over distinct ballots. Complexity: ``O(m² · g log g)`` for ``m`` projects
and ``g`` distinct ballots (at most ``m`` rounds, each sorting every project's
payers by budget).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(40, (Project("p1", 10), Project("p2", 16), Project("p3", 21)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2", "p3"],
...                          [["p1"], ["p1", "p3"], ["p2", "p3"], ["p2", "p3"]]))
>>> exact_equal_shares(e, utility="count").selected
('p1', 'p2')
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from participa._wide import INT64_SAFE, exact_sum
from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, ParamValue, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak

__all__ = ["EesCompletion", "EesUtility", "add_opt_increase", "exact_equal_shares"]

_NEAR = 1e-9
"""Relative slack under which float top-ups are re-compared exactly."""

EesUtility = Literal["cost", "count"]
"""``cost``: rank by number of payers; ``count``: by payers per unit of cost."""


EesCompletion = Literal["none", "add-opt"]
"""``none``: plain EES; ``add-opt``: completed by add-opt (see :func:`add_opt_increase`)."""


@attrs.frozen(slots=True, eq=False)
class _Run:
    """One run of EES: what it funded, who paid what, and what every group has left."""

    selected: list[int]
    trace: list[TraceStep]
    paid: list[tuple[int, npt.NDArray[np.int64], Fraction]]  # (project, payer groups, share)
    money: npt.NDArray[Any]  # each voter of a group holds money[g] / denom
    denom: int


def _run(election: Election, utility: EesUtility, tie_break: TieBreak, budget: Fraction) -> _Run:
    """EES with ``budget`` (possibly a fraction) shared equally by the voters."""
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    n = prof.total_weight
    costs = [int(c) for c in election.costs]
    resolver = tie_break.resolver(election)
    selected: list[int] = []
    trace: list[TraceStep] = []
    paid: list[tuple[int, npt.NDArray[np.int64], Fraction]] = []
    money: npt.NDArray[Any] = np.full(prof.num_groups, budget.numerator, dtype=object)
    denom = n * budget.denominator
    funded = np.zeros(len(costs), dtype=bool)
    # a project's payers change only when one of its supporters pays: cache them
    cache: dict[int, tuple[npt.NDArray[np.int64], int] | None] = {}
    while n:
        best: tuple[int, Fraction] | None = None  # (class, value): class 1 = infinite score
        candidates: list[tuple[int, npt.NDArray[np.int64], int]] = []
        stale = [p for p in range(len(costs)) if not funded[p] and p not in cache]
        if stale:
            cache.update(_all_payers(money, weights, approvals, stale, costs, denom))
        for p in range(len(costs)):
            if funded[p]:
                continue
            found = cache[p]
            if found is None:
                continue
            payers, count = found
            score = _score(costs[p], count, utility)
            if best is None or score > best:
                best, candidates = score, [(p, payers, count)]
            elif score == best:
                candidates.append((p, payers, count))
        if best is None:
            break
        pick = resolver.pick([c[0] for c in candidates])
        p, payers, count = next(c for c in candidates if c[0] == pick)
        share = Fraction(costs[p] * denom, count)  # in units of 1/denom
        if share.denominator != 1:
            money = money * share.denominator
            denom *= share.denominator
            share *= share.denominator
        money[payers] = money[payers] - int(share)
        funded[p] = True
        for q in np.flatnonzero(approvals[payers].any(axis=0)).tolist():
            cache.pop(q, None)
        selected.append(p)
        each = Fraction(costs[p], count)
        paid.append((p, payers, each))
        trace.append(
            TraceStep(
                len(selected),
                "select",
                election.project_ids[p],
                _(
                    "{count} voters pay {each} each",
                    count=count,
                    each=election.money.format(int(each)) if each.denominator == 1 else str(each),
                ),
                {"payers": count, "cost": costs[p]},
            )
        )
    return _Run(selected, trace, paid, money, denom)


@checked
def exact_equal_shares(
    election: Election,
    *,
    utility: EesUtility = "cost",
    completion: EesCompletion = "none",
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Exact Equal Shares: fund projects paid in exactly equal parts by their payers.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    utility
        ``"cost"`` or ``"count"`` (see the module).
    completion
        ``"add-opt"`` completes the outcome as Kraiczy, Robinson and Elkind do: raise
        every voter's share by :func:`add_opt_increase` (the smallest increase that
        changes the outcome), run EES again, and repeat until no increase changes it;
        the result is the run that spends the most without exceeding the budget (the
        first such run on a tie; the plain outcome when none does).
    tie_break
        Picks among projects with the same bang per buck (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order EES funded them; the trace gives each one's
        number of payers (voters, with their weights) and what each paid. With
        ``add-opt``, ``params`` also gives the number of increases tried
        (``add_opt_steps``) and the virtual budget of the chosen run
        (``virtual_budget``, an exact fraction as text).

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.
    ValidationError
        For an unknown ``utility`` or ``completion``.

    Notes
    -----
    Complexity: plain EES takes at most ``m`` rounds for ``m`` projects, each finding
    the payers of every unfunded project from one sort of the ``g`` distinct ballots by
    the money they hold: ``O(m² · g log g)`` time on Python integers over one common
    denominator, ``O(g · m)`` memory. add-opt repeats EES and :func:`add_opt_increase`
    once per increase, at most until every project is funded: ``O(m)`` times that.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(12, (Project("a", 6), Project("b", 9)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a", "b"], ["b"], ["b"]]))
    >>> out = exact_equal_shares(e)
    >>> out.selected
    ('b',)
    >>> print(out.trace[0].reason)
    3 voters pay 3 each
    >>> e = Election(1000, (Project("p1", 200), Project("p2", 320), Project("p3", 600)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2", "p3"],
    ...         [["p1"], ["p1", "p3"], ["p2", "p3"], ["p2", "p3"], ["p3"]]))
    >>> exact_equal_shares(e, utility="count").selected
    ('p1', 'p2')
    >>> exact_equal_shares(e, utility="count", completion="add-opt").selected
    ('p1', 'p3')
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "ees")
    if utility not in ("cost", "count"):
        raise ValidationError(
            _("unknown utility {utility!r} for exact equal shares", utility=utility),
            hint=_("use one of: {choices}", choices="cost, count"),
        )
    if completion not in ("none", "add-opt"):
        raise ValidationError(
            _("unknown completion {completion!r} for exact equal shares", completion=completion),
            hint=_("use one of: {choices}", choices="none, add-opt"),
        )
    params: dict[str, ParamValue] = {"utility": utility, "tie_break": str(tie_break)}
    if election.profile.total_weight == 0:
        return Outcome.from_selection(election, [], rule="ees", params=params)
    budget = Fraction(election.budget)
    run = _run(election, utility, tie_break, budget)
    if completion == "add-opt":
        params["completion"] = completion
        n = election.profile.total_weight
        costs = [int(c) for c in election.costs]
        best: tuple[int, _Run, Fraction] | None = None
        virtual, steps, current = budget, 0, run
        while True:
            spent = sum(costs[p] for p in current.selected)
            if spent <= election.budget and (best is None or spent > best[0]):
                best = (spent, current, virtual)
            d = _add_opt(election, current, tie_break)
            if d is None or d <= 0:
                break
            steps += 1
            virtual += n * d
            current = _run(election, utility, tie_break, virtual)
        assert best is not None  # the first run spends at most the budget
        run = best[1]
        params["add_opt_steps"] = steps
        params["virtual_budget"] = str(best[2])
    return Outcome.from_selection(
        election, run.selected, rule="ees", trace=run.trace, params=params
    )


@checked
def add_opt_increase(
    election: Election,
    *,
    utility: EesUtility = "cost",
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Fraction | None:
    """The smallest per-voter budget increase that makes the EES outcome unstable (add-opt).

    Kraiczy, Robinson and Elkind's add-opt step. Take the outcome of
    :func:`exact_equal_shares` and, for every project ``p``, the voters who support it
    but do not pay for it. With ``k`` payers in all (those already paying for ``p``
    included), each would pay ``π = cost(p) / k``. A supporter can join for free if she
    pays more than ``π`` for another project (her largest payment; on equal amounts,
    when ``tie_break`` prefers ``p`` to that project); the others pay from what they have
    left, topped up by ``d``. The answer is the smallest ``d > 0`` over all projects and
    ``k`` for which such a group exists (each voter's budget ``budget / n`` raised to
    ``budget / n + d``). ``0`` means the outcome is already unstable; ``None`` that no
    increase makes it unstable.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    utility, tie_break
        As for :func:`exact_equal_shares`.

    Returns
    -------
    Fraction or None
        ``d`` in minor units per voter, exact.

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.

    Notes
    -----
    ``O(m · (s + 1) · g log g)`` after EES, for ``m`` projects, ``g`` distinct ballots
    and ``s`` distinct payment amounts (at most the number of funded projects).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(1000, (Project("p1", 200), Project("p2", 320), Project("p3", 600)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2", "p3"],
    ...         [["p1"], ["p1", "p3"], ["p2", "p3"], ["p2", "p3"], ["p3"]]))
    >>> add_opt_increase(e, utility="count")
    Fraction(50, 1)
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "ees")
    if election.profile.total_weight == 0:
        return None
    run = _run(election, utility, tie_break, Fraction(election.budget))
    return _add_opt(election, run, tie_break)


def _add_opt(election: Election, run: _Run, tie_break: TieBreak) -> Fraction | None:
    """The add-opt increase for this run of EES (see :func:`add_opt_increase`)."""
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    priority = tie_break.resolver(election).priority
    denom = run.denom
    g = prof.num_groups
    # each group's largest payment (over denom) and, among equal largest ones, the
    # project the tie-break ranks first
    top: npt.NDArray[Any] = np.zeros(g, dtype=object)
    top_rank = np.full(g, len(election.projects), dtype=np.int64)
    paying = np.zeros((g, len(election.projects)), dtype=bool)
    for p, payers, share in run.paid:
        amount = int(share * denom)
        paying[payers, p] = True
        rank = int(priority[p])
        cur = top[payers]
        better = (cur < amount) | ((cur == amount) & (top_rank[payers] > rank))
        chosen = payers[np.asarray(better, dtype=bool)]
        top[chosen] = amount
        top_rank[chosen] = rank
    best: Fraction | None = None
    for p in range(len(election.projects)):
        d = _project_increase(
            run.money,
            top,
            top_rank,
            weights,
            approvals[:, p] & (weights > 0),
            paying[:, p],
            int(election.costs[p]) * denom,
            int(priority[p]),
        )
        if d is not None and (best is None or d < best):
            best = d
    if best is None:
        return None
    return max(Fraction(0), best / denom)


def _project_increase(
    money: npt.NDArray[Any],
    top: npt.NDArray[Any],
    top_rank: npt.NDArray[np.int64],
    weights: npt.NDArray[np.int64],
    supports: npt.NDArray[np.bool_],
    pays: npt.NDArray[np.bool_],
    need: int,
    rank: int,
) -> Fraction | None:
    """The smallest top-up (over denom) letting a larger group pay ``need`` in equal parts.

    Groups of ``k`` payers: those paying now, every outsider who would rather drop her
    largest payment (solvent at ``π = need / k``), and the richest of the others; the
    top-up is ``π`` minus the poorest of those, minimised over ``k``. Outsiders keep
    their solvency on a range of ``k`` between two thresholds; on each range the
    candidates are the largest ``k`` at which each group of the others is the poorest.
    """
    out = np.flatnonzero(supports & ~pays)
    if out.size == 0:
        return None
    c = exact_sum(weights[supports & pays])
    total = c + exact_sum(weights[out])
    # weights and thresholds are at most total + 1: int64 when that is proven safe
    wide: Any = np.int64 if total < INT64_SAFE else object
    w = weights[out].astype(wide)
    # the smallest k at which each outsider is solvent (total + 1: never)
    tops = top[out]
    thresholds = np.full(out.size, total + 1, dtype=wide)
    has = np.flatnonzero(tops > 0)
    if has.size:
        q = need // tops[has]  # Python integers, exact
        exact = np.asarray(need % tops[has] == 0, dtype=bool)
        th = q + 1 - (exact & (top_rank[out[has]] > rank)).astype(np.int64)
        thresholds[has] = np.minimum(np.asarray(th, dtype=object), total + 1).astype(wide)
    inner = thresholds[(thresholds > c + 1) & (thresholds <= total)]
    bounds = [c + 1, *np.unique(inner).tolist()]
    left = money[out]
    best: Fraction | None = None
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] - 1 if i + 1 < len(bounds) else total
        solvent = thresholds <= lo
        s = exact_sum(w[solvent])
        others = np.flatnonzero(~solvent)
        if others.size == 0:
            continue
        order = others[np.argsort(-left[others], kind="stable")]  # richest first, exact
        cw = np.cumsum(w[order])
        # group j is the poorest for k in (c + s + cw[j-1], c + s + cw[j]]
        first = c + s + np.concatenate(([0], cw[:-1])) + 1
        last = c + s + cw
        k = np.minimum(last, hi)
        ok = (k >= np.maximum(first, lo)) & (k >= c + s + 1)
        if not ok.any():
            continue
        ks, held = k[ok], left[order[ok]]
        num = need - ks.astype(object) * held  # (π - held) · k, exact
        vals = num.astype(float) / ks
        near = np.flatnonzero(vals <= vals.min() + abs(vals.min()) * _NEAR)
        for j in near.tolist():
            d = Fraction(int(num[j]), int(ks[j]))
            if best is None or d < best:
                best = d
    return best


def _score(cost: int, payers: int, utility: EesUtility) -> tuple[int, Fraction]:
    """Bang per buck, as an exactly comparable key (a free project scores infinitely)."""
    if cost == 0:
        return (1, Fraction(0))
    if utility == "cost":
        return (0, Fraction(payers))
    return (0, Fraction(payers, cost))


def _exact_order(money: npt.NDArray[Any]) -> npt.NDArray[np.intp]:
    """The stable ascending order of exact integers, sorted as floats when that is exact.

    Converting to float never reverses two values; it can only make two close ones
    equal, and then (and only then) the integers themselves are sorted.
    """
    with np.errstate(over="ignore"):
        approx = money.astype(np.float64)
    order = np.argsort(approx, kind="stable")
    same = np.flatnonzero(approx[order][1:] == approx[order][:-1])
    if same.size and bool((money[order[same]] != money[order[same + 1]]).any()):
        order = np.argsort(money, kind="stable")
    return order.astype(np.intp)


def _all_payers(
    money: npt.NDArray[Any],
    weights: npt.NDArray[np.int64],
    approvals: npt.NDArray[np.bool_],
    projects: list[int],
    costs: list[int],
    denom: int,
) -> dict[int, tuple[npt.NDArray[np.int64], int] | None]:
    """:func:`_payers` of several projects at once: one sort of the groups by money.

    In the groups sorted by money (stable), a project's payers are its supporters from
    the first one who can pay an equal split among the supporters from her on.
    """
    order = _exact_order(money)
    held = money[order]
    cols = np.asarray(projects, dtype=np.intp)
    on = approvals[order][:, cols] & (weights[order] > 0)[:, None]
    w = np.where(on, weights[order][:, None], 0)
    left = np.cumsum(w[::-1], axis=0)[::-1]  # supporters' weight from each row on
    need = np.asarray([costs[p] * denom for p in projects], dtype=object)
    # floats settle the clear cases; the few within _NEAR of the line are compared exactly
    with np.errstate(over="ignore", invalid="ignore"):
        ratio = held.astype(np.float64)[:, None] * left / need.astype(np.float64)[None, :]
    ok = on & (ratio > 1 + _NEAR)
    unsure = on & ~ok & ~(ratio < 1 - _NEAR)
    if unsure.any():
        rows, cs = np.nonzero(unsure)
        exact = held[rows] * left[rows, cs].astype(object) >= need[cs]
        ok[rows, cs] = np.asarray(exact, dtype=bool)
    first = np.argmax(ok, axis=0)
    found = ok.any(axis=0)
    out: dict[int, tuple[npt.NDArray[np.int64], int] | None] = {}
    for c, p in enumerate(projects):
        if not found[c]:
            out[p] = None
            continue
        k = int(first[c])
        out[p] = (order[k:][on[k:, c]], int(left[k, c]))
    return out
