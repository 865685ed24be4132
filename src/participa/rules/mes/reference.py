"""The slow, exact reference of the Method of Equal Shares (pure Python, Fractions).

Written to be obviously correct rather than fast, and to share nothing with the
fast rule beyond the model (:class:`~participa.Election`, its
:class:`~participa.model.Profile` and :class:`~participa.TieBreak`): it builds its
own utilities from the ballots, its own endowments, and every round recomputes
every project's price from scratch with exact rationals; ``add1`` tries every
step ``0, 1, 2, ...`` in turn. A mistake in the fast rule's set-up
(:mod:`participa.rules.mes.setup`) therefore shows as a difference in the tests.
Use it on small elections only: a run costs ``O(rounds × projects × voters)``
Fraction operations, and ``add1`` as many runs as steps.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(30, (Project("a", 20), Project("b", 10), Project("c", 10)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a"], ["b", "c"]]))
>>> [(j, str(rho)) for j, rho in reference_run(e, utilities(e, "cost"), step=0)]
[(0, '1/2'), (1, '1')]
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import numpy as np

from participa.boundary import checked
from participa.errors import ValidationError
from participa.exact import to_fraction
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceAction, TraceStep
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak
from participa.validators import is_int

__all__ = ["equal_shares_reference", "reference_run", "utilities"]


@checked
def utilities(election: Election, utility: str | Any | None) -> list[list[Fraction]]:
    """Utilities of every profile group for every project, as exact fractions.

    ``utility`` is a name (``cost``, ``count``, ``points``, ``borda``, ``effort``), ``None``
    (``cost`` for approval and choose-1, ``points`` for cumulative and scoring,
    ``borda`` for ordinal) or a ``groups × projects`` array.
    """
    prof = election.profile
    kind = prof.kind
    if utility is None:
        has_points = kind in (BallotKind.CUMULATIVE, BallotKind.SCORING)
        utility = "points" if has_points else "borda" if kind is BallotKind.ORDINAL else "cost"
    listed = [[bool(x) for x in row] for row in prof.approvals().tolist()]
    costs = [int(c) for c in election.costs]
    if not isinstance(utility, str):
        return _fractions(_utility_rows(utility, (prof.num_groups, len(costs))))
    if utility not in ("cost", "count", "points", "borda", "effort"):
        raise ValidationError(
            _(
                "unknown utility {name!r}: use one of {choices}",
                name=utility,
                choices="cost, count, points, borda, effort",
            )
        )
    if utility == "cost":
        return _fractions([[costs[j] if on else 0 for j, on in enumerate(row)] for row in listed])
    if utility == "count":
        return _fractions([[1 if on else 0 for on in row] for row in listed])
    if utility == "effort":
        # cost / (voters naming the project), a voter of weight w counting w times
        mass = _masses(election)
        voters = [
            sum(mk for mk, row in zip(mass, listed, strict=True) if row[j])
            for j in range(len(costs))
        ]
        return [
            [Fraction(costs[j], voters[j]) if on else Fraction(0) for j, on in enumerate(row)]
            for row in listed
        ]
    matrix = [[int(x) for x in row] for row in prof.matrix.tolist()]
    if utility == "points":
        return _fractions(matrix)
    # borda: rank r (1-based) on a ballot of length L is worth L - r
    out = []
    for row, on in zip(matrix, listed, strict=True):
        length = sum(on)
        out.append([length - r if o else 0 for r, o in zip(row, on, strict=True)])
    return _fractions(out)


def _fractions(rows: list[list[int]]) -> list[list[Fraction]]:
    return [[Fraction(x) for x in row] for row in rows]


def _utility_rows(utility: Any, shape: tuple[int, int]) -> list[list[int]]:
    """A ``groups × projects`` matrix of integer utilities, refused when it is anything else."""
    try:
        arr = np.asarray(utility)
    except (TypeError, ValueError, OverflowError):
        arr = np.asarray(None)
    ok_kind = arr.dtype.kind in "iu" or (
        arr.dtype.kind == "O" and all(is_int(x) for x in arr.ravel().tolist())
    )
    if arr.shape != shape or not ok_kind:
        raise ValidationError(
            _(
                "utility must be a name or a {groups} × {projects} matrix of integers, got {value}",
                groups=shape[0],
                projects=shape[1],
                value=repr(utility)[:60],
            )
        )
    return [[int(x) for x in row] for row in arr.tolist()]


def _masses(election: Election) -> list[int]:
    prof = election.profile
    return [
        int(m) * int(w)
        for m, w in zip(prof.multiplicity.tolist(), prof.weight.tolist(), strict=True)
    ]


def _start(
    election: Election, endowments: Sequence[Any] | None, integral_start: bool
) -> list[Fraction]:
    """Money per unit of weight of each group before any add1 step."""
    prof = election.profile
    weights = [int(w) for w in prof.weight.tolist()]
    masses = _masses(election)
    if endowments is None:
        total_weight = sum(masses)
        unit = [Fraction(election.budget, total_weight) if total_weight else Fraction(0)] * len(
            masses
        )
    else:
        given = list(endowments)
        if len(given) != len(weights):
            raise ValidationError(
                _(
                    "endowments must give one amount per voter group: {groups} groups, got {count}",
                    groups=len(weights),
                    count=len(given),
                )
            )
        unit = [
            to_fraction(x, what="endowment", minimum=0) / w
            for x, w in zip(given, weights, strict=True)
        ]
        if sum(u * m for u, m in zip(unit, masses, strict=True)) > election.budget:
            raise ValidationError(_("the endowments add up to more than the budget"))
    if integral_start:
        mpu = election.minor_per_unit
        unit = [Fraction((u // mpu) * mpu) for u in unit]
    return unit


@checked
def reference_run(
    election: Election,
    util: list[list[Fraction]],
    *,
    step: int,
    increment: int | None = None,
    endowments: Sequence[Any] | None = None,
    integral_start: bool = False,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> list[tuple[int, Fraction | None]]:
    """One run of equal shares after ``step`` add1 increments: ``(project, ρ)`` in order.

    Free projects somebody values come first with ``ρ = None``.
    """
    costs = [int(c) for c in election.costs]
    m = len(costs)
    mass = _masses(election)
    g = len(mass)
    inc = election.minor_per_unit if increment is None else increment
    budget = [u + step * inc for u in _start(election, endowments, integral_start)]
    resolver = tie_break.resolver(election)
    valued = [sum(mass[k] * util[k][j] for k in range(g)) > 0 for j in range(m)]
    free = [j for j in range(m) if costs[j] == 0 and valued[j]]
    out: list[tuple[int, Fraction | None]] = (
        [(j, None) for j in resolver.order(free)] if free else []
    )
    remaining = {j for j in range(m) if costs[j] > 0 and valued[j]}
    while remaining:
        prices: dict[int, Fraction] = {}
        for j in sorted(remaining):
            c = costs[j]
            sup = [k for k in range(g) if util[k][j] > 0]
            if sum((mass[k] * budget[k] for k in sup), Fraction(0)) < c:
                continue
            sup.sort(key=lambda k: budget[k] / util[k][j])
            paid = Fraction(0)
            rest = sum(mass[k] * util[k][j] for k in sup)
            for k in sup:
                rho = (c - paid) / rest
                if rho * util[k][j] <= budget[k]:
                    prices[j] = rho
                    break
                paid += mass[k] * budget[k]
                rest -= mass[k] * util[k][j]
        if not prices:
            break
        low = min(prices.values())
        win = resolver.pick([j for j in sorted(prices) if prices[j] == low])
        for k in range(g):
            if util[k][win] > 0:
                budget[k] -= min(budget[k], low * util[k][win])
        remaining.discard(win)
        out.append((win, low))
    return out


@checked
def equal_shares_reference(
    election: Election,
    *,
    utility: str | Any | None = None,
    completion: str = "none",
    exhaustive_stop: bool = True,
    integral_start: bool = False,
    increment: int | None = None,
    comparison: bool = False,
    endowments: Sequence[Any] | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Exact, slow equal shares with the options of :func:`~participa.rules.mes.equal_shares`.

    The ``add1`` completion tries every step ``0, 1, 2, ...`` in turn (no skipping).
    The outcome's trace holds one ``select`` step per round with the exact price;
    ``params["step"]`` is the add1 step of the outcome.

    Notes
    -----
    Complexity: ``O(m² · n)`` time in exact fraction operations for ``m`` projects and ``n``
    voters (one by one, no numpy), ``O(n · m)`` memory; for small elections only.

    Examples
    --------
    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(30, (Project("a", 20), Project("b", 10), Project("c", 10)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
    ...                          [["a"], ["a"], ["b", "c"]]))
    >>> equal_shares_reference(e).selected
    ('a', 'b')
    """
    util = utilities(election, utility)
    costs = [int(c) for c in election.costs]
    mass = _masses(election)
    g, m = len(mass), len(costs)
    totals = [sum(mass[k] * util[k][j] for k in range(g)) for j in range(m)]
    cands = [j for j in range(m) if costs[j] > 0 and totals[j] > 0]
    budget = election.budget

    def run_at(step: int) -> list[tuple[int, Fraction | None]]:
        return reference_run(
            election,
            util,
            step=step,
            increment=increment,
            endowments=endowments,
            integral_start=integral_start,
            tie_break=tie_break,
        )

    def cost_of(sel: Sequence[int]) -> int:
        return sum(costs[j] for j in sel)

    step = 0
    run = run_at(0)
    if completion in ("add1", "add1u"):
        prev: list[tuple[int, Fraction | None]] | None = None
        last_step = -1
        while True:
            sel = [j for j, _ in run]
            if cost_of(sel) > budget:
                break
            prev, last_step = run, step
            left = budget - cost_of(sel)
            if exhaustive_stop and all(costs[j] > left for j in cands if j not in sel):
                break
            if set(cands) <= set(sel):
                break
            step += 1
            run = run_at(step)
        run = prev if prev is not None else [(j, rho) for j, rho in run if rho is None]
        step = max(last_step, 0)
    sel = [j for j, _ in run]
    trace = [
        TraceStep(r + 1, TraceAction.SELECT, election.project_ids[j], "", {"rho_exact": str(rho)})
        for r, (j, rho) in enumerate(run)
    ]
    resolver = tie_break.resolver(election)
    if completion in ("add1u", "utilitarian"):
        left = budget - cost_of(sel)

        def density(j: int) -> tuple[int, Fraction]:
            if totals[j] <= 0:
                return (0, Fraction(0))
            if costs[j] == 0:
                return (2, Fraction(0))
            return (1, Fraction(totals[j], costs[j]))

        rest = [j for j in range(m) if j not in sel]
        rest.sort(key=lambda j: (-density(j)[0], -density(j)[1], int(resolver.priority[j])))
        for j in rest:
            if costs[j] <= left:
                sel.append(j)
                left -= costs[j]
    if comparison:
        sel = _compare(election, sel, tie_break)
    return Outcome.from_selection(election, sel, rule="mes", trace=trace, params={"step": step})


def _compare(election: Election, sel: list[int], tie_break: TieBreak) -> list[int]:
    """pabulib's ``-comparison`` step, written plainly."""
    resolver = tie_break.resolver(election)
    costs = [int(c) for c in election.costs]
    mass = _masses(election)
    listed = election.profile.approvals().tolist()
    support = [sum(mass[k] for k in range(len(mass)) if listed[k][j]) for j in range(len(costs))]
    order = sorted(range(len(costs)), key=lambda j: (-support[j], int(resolver.priority[j])))
    left = election.budget
    greedy: list[int] = []
    for j in order:
        if costs[j] <= left:
            greedy.append(j)
            left -= costs[j]
    prefers_mes = prefers_greedy = 0
    for k, row in enumerate(listed):
        mine = sum(1 for j in sel if row[j])
        theirs = sum(1 for j in greedy if row[j])
        if mine > theirs:
            prefers_mes += mass[k]
        elif theirs > mine:
            prefers_greedy += mass[k]
    return greedy if prefers_greedy > prefers_mes else sel
