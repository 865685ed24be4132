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
integers), compared by cross-multiplication where float64 cannot decide with a wide
margin. Voters who made the same payments hold the same money and move together as one
*class* (at most one per distinct ballot), kept sorted by that money. Complexity:
``O(m · (c · m + g))`` for ``m`` projects, ``g`` distinct ballots and ``c`` classes (at
most ``m`` rounds, each a cumulative sum over classes × open projects and a pass over the
ballots that pay).

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

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, ParamValue, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, masses, require_kind
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
    """One run of EES: what it funded, who paid what, and what every class of voters has left.

    Voters who paid for exactly the same projects hold exactly the same money: they form
    one *class*. ``money[c] / denom`` is what each voter of class ``c`` holds,
    ``weights[c, p]`` the voters of class ``c`` who support ``p`` and ``paid[c, p]``
    whether class ``c`` paid for ``p``.
    """

    selected: list[int]
    trace: list[TraceStep]
    shares: list[tuple[int, Fraction]]  # (project, what each payer paid)
    money: npt.NDArray[Any]  # Python integers over denom, one per class
    denom: int
    weights: npt.NDArray[Any]  # classes × projects
    paid: npt.NDArray[np.bool_]  # classes × projects


def _run(election: Election, utility: EesUtility, tie_break: TieBreak, budget: Fraction) -> _Run:
    """EES with ``budget`` (possibly a fraction) shared equally by the voters.

    The work is over classes of voters with the same payments (at most one per distinct
    ballot, far fewer in practice), kept sorted by the money they hold, exactly: every
    round a class either pays (all of its supporters of the funded project split off
    into a new class) or not, so the classes that paid and those that did not stay
    sorted among themselves and one merge of the two runs sorts them all. A project's
    payers are its supporting classes from the first one, poorest first, whose money
    ``h`` times the supporters left ``k`` reaches the cost; float64 decides ``h · k``
    against the cost when it clears it by far more than its rounding error (relative
    ``2⁻⁵¹`` at most), Python integers decide the rest.
    """
    prof = election.profile
    n = prof.total_weight
    wdtype: Any = np.int64 if n < 2**62 else object
    # each group's weight: int64 is exact below 2^62, Python integers beyond
    every = prof.group_weight if n < 2**62 else np.asarray(masses(election), dtype=object)
    live = np.flatnonzero(every > 0)
    gw = every[live]
    approves = np.ascontiguousarray(prof.approvals()[live].T)  # projects × live groups
    # weight of each live group's support, one contiguous row per project
    support = np.where(approves, gw[None, :], 0).astype(wdtype)
    costs = [int(c) for c in election.costs]
    m = len(costs)
    cost_f = np.asarray(costs, dtype=np.float64)
    resolver = tie_break.resolver(election)
    selected: list[int] = []
    trace: list[TraceStep] = []
    shares: list[tuple[int, Fraction]] = []
    cls = np.zeros(live.size, dtype=np.int64)  # class of each live group
    weights: npt.NDArray[Any] = support.sum(axis=1, dtype=wdtype)[None, :]
    size = np.array([live.size], dtype=np.int64)  # live groups per class
    paid = np.zeros((1, m), dtype=bool)
    denom = n * budget.denominator
    money: npt.NDArray[Any] = np.array([budget.numerator], dtype=object)  # over denom, per class
    money_f = _floats(money, denom)  # the same, correctly rounded
    ranked = np.zeros(1, dtype=np.int64)  # classes, poorest first (exactly)
    funded = np.zeros(m, dtype=bool)
    while live.size:
        order = ranked
        open_ = np.flatnonzero(~funded)
        if order.size == 0 or open_.size == 0:
            break
        # supporters from each class on (a class that does not support p adds 0 and,
        # holding no more than the next supporting class, passes only if it does)
        left = np.cumsum(weights[np.ix_(order[::-1], open_)], axis=0)[::-1]
        prod = money_f[order][:, None] * left.astype(np.float64)
        need_f = cost_f[open_]
        ok = prod >= need_f * (1 + _NEAR)
        unsure = ~ok & ~(prod < need_f * (1 - _NEAR))
        for r, q in zip(*np.nonzero(unsure), strict=True):
            need = costs[int(open_[q])] * denom
            ok[r, q] = int(money[order[r]]) * int(left[r, q]) >= need
        found = ok.any(axis=0) & (left[0] > 0)
        if not found.any():
            break
        first = np.argmax(ok, axis=0)
        best: tuple[int, Fraction] | None = None  # (class, value): class 1 = infinite score
        candidates: list[int] = []
        col = {}
        for q in np.flatnonzero(found).tolist():
            p = int(open_[q])
            col[p] = q
            score = _score(costs[p], int(left[first[q], q]), utility)
            if best is None or score > best:
                best, candidates = score, [p]
            elif score == best:
                candidates.append(p)
        p = resolver.pick(candidates)
        k = int(first[col[p]])
        count = int(left[k, col[p]])
        each = Fraction(costs[p], count)
        # the paying classes, and in each its supporters of p
        c_all = money.size
        pays = np.zeros(c_all, dtype=bool)
        tail = order[k:]
        pays[tail[weights[tail, p] > 0]] = True
        hit = pays[cls] & approves[p]
        scale = (each * denom).denominator
        if scale != 1:
            money = money * scale
            denom *= scale
        amount = int(each * denom)
        # a class whose every group supports p pays as a whole; the others split
        paying = np.bincount(cls[hit], minlength=c_all)
        whole = np.flatnonzero(pays & (paying == size))
        split = np.flatnonzero(pays & (paying < size))
        new = np.full(c_all, -1, dtype=np.int64)
        new[split] = np.arange(c_all, c_all + split.size)
        movers = np.flatnonzero(hit & (new[cls] >= 0))
        cls[movers] = new[cls[movers]]
        extra = _class_sums(cls[movers] - c_all, support, movers, split.size)
        size[split] -= paying[split]
        size = np.concatenate((size, paying[split]))
        weights = np.concatenate((weights, extra))
        weights[split] -= extra
        paid = np.concatenate((paid, paid[split]))
        money[whole] = money[whole] - amount
        money = np.concatenate((money, money[split] - amount))
        money_f = np.concatenate((money_f, np.empty(split.size)))
        changed = np.concatenate((whole, new[split]))
        money_f[changed] = _floats(money[changed], denom)
        # classes that paid stay sorted among themselves, so do the others: merge the runs
        went = pays[ranked]
        moved = np.where(new[ranked[went]] >= 0, new[ranked[went]], ranked[went])
        stay = ranked[~went | (new[ranked] >= 0)]
        ranked = _exact_merge(np.concatenate((stay, moved)), money, money_f)
        paid[whole, p] = True
        paid[new[split], p] = True
        funded[p] = True
        # a class that supports no open project never pays again: out of the order
        ranked = ranked[(weights[ranked][:, ~funded] > 0).any(axis=1)]
        selected.append(p)
        shares.append((p, each))
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
    return _Run(selected, trace, shares, money, denom, weights, paid)


def _floats(money: npt.NDArray[Any], denom: int) -> npt.NDArray[np.float64]:
    """``money / denom`` correctly rounded (Python's integer division), however large."""
    out: npt.NDArray[np.float64] = (money / denom).astype(np.float64)
    return out


def _exact_merge(
    classes: npt.NDArray[np.int64], money: npt.NDArray[Any], money_f: npt.NDArray[np.float64]
) -> npt.NDArray[np.int64]:
    """``classes`` sorted by their exact money (two sorted runs: a stable sort merges them).

    Correctly rounded floats never reverse two values; they can only make two close ones
    equal, and then (only then) the Python integers themselves are sorted.
    """
    f = money_f[classes]
    o = np.argsort(f, kind="stable")
    out = classes[o]
    same = np.flatnonzero(f[o][1:] == f[o][:-1])
    if same.size and bool((money[out[same]] != money[out[same + 1]]).any()):
        out = classes[np.argsort(money[classes], kind="stable")]
    return out


def _class_sums(
    ids: npt.NDArray[np.int64], support: npt.NDArray[Any], groups: npt.NDArray[np.int64], size: int
) -> npt.NDArray[Any]:
    """``out[i, j] = Σ support[j, groups[ids == i]]`` for ``i < size``.

    One ``bincount`` per project while the weights are ``int64`` (their total is then
    below ``2⁶²``; float64 bins are exact below ``2⁵³``, so the sums are checked against
    that bound), Python integers otherwise.
    """
    m = support.shape[0]
    if size == 0:
        return np.zeros((0, m), dtype=support.dtype)
    if support.dtype != object:
        out = np.empty((size, m), dtype=support.dtype)
        fits = True
        for j in range(m):
            col = support[j].take(groups)
            out[:, j] = np.bincount(ids, weights=col, minlength=size)
            fits = fits and int(col.sum()) < 2**53
        if fits:
            return out
    exact: npt.NDArray[Any] = np.zeros((size, m), dtype=object)
    o = np.argsort(ids, kind="stable")
    starts = np.flatnonzero(np.concatenate(([True], ids[o][1:] != ids[o][:-1])))
    cols = support[:, groups[o]].astype(object)
    exact[:] = np.add.reduceat(cols, starts, axis=1).T
    return exact


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
    the payers of every unfunded project from the ``c`` classes of voters with the same
    payments (``c`` at most the number ``g`` of distinct ballots), kept sorted by the
    money they hold: ``O(m · (c · m + g))`` numpy work plus ``O(m · c)`` operations on
    Python integers over one common denominator, ``O(g · m)`` memory. add-opt repeats
    EES and :func:`add_opt_increase` once per increase, at most until every project is
    funded: ``O(m)`` times that.

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
    ``O(m · (s + 1) · c log c)`` after EES, for ``m`` projects, ``c`` classes of voters
    with the same payments (at most the number of distinct ballots) and ``s`` distinct
    payment amounts (at most the number of funded projects).

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
    """The add-opt increase for this run of EES (see :func:`add_opt_increase`).

    Voters of one class hold the same money and made the same payments, so they are
    alike here too: the search is over classes, each with its supporters of the project.
    """
    priority = tie_break.resolver(election).priority
    denom = run.denom
    size = run.money.size
    # each class's largest payment (over denom) and, among equal largest ones, the
    # project the tie-break ranks first
    top: npt.NDArray[Any] = np.zeros(size, dtype=object)
    top_rank = np.full(size, len(election.projects), dtype=np.int64)
    for p, share in run.shares:
        amount = int(share * denom)
        payers = np.flatnonzero(run.paid[:, p])
        rank = int(priority[p])
        cur = top[payers]
        better = (cur < amount) | ((cur == amount) & (top_rank[payers] > rank))
        chosen = payers[np.asarray(better, dtype=bool)]
        top[chosen] = amount
        top_rank[chosen] = rank
    best: Fraction | None = None
    for p in range(len(election.projects)):
        w = run.weights[:, p]
        d = _project_increase(
            run.money,
            top,
            top_rank,
            w,
            w > 0,
            run.paid[:, p],
            int(election.costs[p]) * denom,
            int(priority[p]),
            denom,
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
    denom: int,
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
    c = int(weights[supports & pays].sum())
    w = weights[out]
    total = c + int(w.sum())
    # voter counts in int64 while proven to fit, else Python integers
    kind: Any = np.int64 if total < 2**62 else object
    w = w.astype(kind)
    # the smallest k at which each outsider is solvent (total + 1: never)
    tops = top[out]
    thresholds = np.full(out.size, total + 1, dtype=kind)
    has = np.flatnonzero(tops > 0)
    if has.size:
        q = need // tops[has]  # Python integers, exact
        exact = np.asarray(need % tops[has] == 0, dtype=bool)
        th = q + 1 - (exact & (top_rank[out[has]] > rank)).astype(np.int64)
        thresholds[has] = np.minimum(np.asarray(th, dtype=object), total + 1).astype(kind)
    inner = thresholds[np.asarray((thresholds > c + 1) & (thresholds <= total), dtype=bool)]
    bounds = [c + 1, *np.unique(inner).tolist()]
    left = money[out]
    best: Fraction | None = None
    for i, lo in enumerate(bounds):
        hi = bounds[i + 1] - 1 if i + 1 < len(bounds) else total
        solvent = np.asarray(thresholds <= lo, dtype=bool)  # (object arrays compare to objects)
        s = int(w[solvent].sum())
        others = np.flatnonzero(~solvent)
        if others.size == 0:
            continue
        order = others[np.argsort(-left[others], kind="stable")]  # richest first, exact
        cw = np.cumsum(w[order])
        # group j is the poorest for k in (c + s + cw[j-1], c + s + cw[j]]
        first = c + s + np.concatenate(([0], cw[:-1])) + 1
        last = c + s + cw
        k = np.minimum(last, hi)
        ok = np.asarray((k >= np.maximum(first, lo)) & (k >= c + s + 1), dtype=bool)
        if not ok.any():
            continue
        ks, held = k[ok], left[order[ok]]
        num = need - ks.astype(object) * held  # (π - held) · k, exact
        # correctly rounded (π - held) in money units: no overflow however large denom is
        vals = (num / (ks.astype(object) * denom)).astype(np.float64)  # correctly rounded
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
