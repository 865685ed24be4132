"""Exact maximum utilitarian welfare: a 0/1 knapsack solved without an LP or ILP solver.

The welfare of a set of projects is the weighted sum, over voters, of their
utilities for the projects in it (``utility`` as in :mod:`participa.rules.utility`).
:func:`max_welfare` returns a set of largest welfare among those that fit the
budget.

Ties among optimal sets are resolved **lexicographically by tie priority**: of all
optimal sets, the one that contains the tie-break's first project if any does;
among those, the one that contains its second project if any does; and so on. This
is folded into the objective exactly: project ``j`` (priority ``k`` among ``m``) is
worth ``welfare_j · 2^m + 2^(m-1-k)``, integers of any size, so the bonuses (summing
to less than ``2^m``) decide only between sets of equal welfare. A consequence: a
project nobody values is added when it fits beside an optimal set (it costs no
welfare).

Algorithm: costs and budget are first divided by the greatest common divisor of the
costs (exact: a set fits ``budget`` iff it fits ``budget // g`` in units of ``g``).
When ``projects × (scaled budget + 1)`` is at most :data:`DP_CELLS`, a dynamic
programme over the budget runs in numpy (welfare in ``int64``, ties settled by a
backward pass in priority order). Otherwise a depth-first branch and bound runs
over projects sorted by value per cost, pruning with the exact integer bound of the
fractional (greedy) relaxation. Both are exact; the branch and bound is exponential
in the worst case but fast on real PB instances (tens to a few hundred projects).

Complexity: the welfare of each project is one weighted sum over the ballots
(``O(groups × projects)``); the dynamic programme takes ``O(projects × scaled
budget)`` time and memory (at most :data:`DP_CELLS` cells); the branch and bound
``O(2^projects)`` in the worst case. Exact at any magnitude: welfare sums are
Python integers whenever ``int64`` could overflow (costs near ``2^63``, many
voters), and the dynamic programme runs only when its table provably fits
``int64``.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 60), Project("b", 50), Project("c", 50)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a"], ["b"], ["c"], ["b", "c"]]))
>>> max_welfare(e).selected          # welfare 2*50 + 2*50 = 200 beats 2*60 = 120
('b', 'c')
>>> max_welfare(e, utility="count").params["welfare"]
4
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from participa.errors import RuleError
from participa.i18n import _
from participa.model import Election
from participa.outcome import Outcome, ParamValue, TraceAction, TraceStep
from participa.rules._common import INT64_SAFE, exact_support, exact_weighted_sums
from participa.rules.utility import NON_ADDITIVE, Utility, UtilityMatrix, resolve_utility
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["DP_CELLS", "knapsack", "max_welfare"]

DP_CELLS = 4_000_000
"""Largest ``projects × (scaled budget + 1)`` table solved by dynamic programming."""


def max_welfare(
    election: Election,
    *,
    utility: Utility | UtilityMatrix | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Select a budget-feasible set of projects of largest total utility, exactly.

    Parameters
    ----------
    election
        The election.
    utility
        ``"cost"``, ``"count"``, ``"points"``, ``"borda"`` or ``"effort"`` (a
        supported project is worth its cost), or any additive utilities as a
        ``groups × projects`` array of non-negative integers; default
        :func:`~participa.rules.utility.default_utility` of the ballot kind. The
        non-additive satisfactions (``cost-sqrt``, ``cost-log``, ``cc``) are refused:
        maximum welfare is defined here for additive ones only.
    tie_break
        Among optimal sets, prefer the one containing the tie-break's first
        project, then its second, and so on (see the module notes).

    Returns
    -------
    Outcome
        The selected projects in tie-priority order; ``params["welfare"]`` holds
        the optimal welfare.

    Notes
    -----
    Complexity: ``O(g · m)`` time for the welfare sums over ``g`` distinct ballots
    and ``m`` projects; then the dynamic programme, ``O(m · B')`` time and memory for
    ``B'`` the budget divided by the gcd of the costs (run only up to
    :data:`DP_CELLS` cells), or else branch and bound, ``O(2^m)`` time in the worst case
    and ``O(m)`` memory.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(5, (Project("x", 3), Project("y", 3), Project("z", 2)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["x", "y", "z"], [["x", "y"], ["z"]]))
    >>> max_welfare(e, utility="count").selected
    ('x', 'z')
    >>> max_welfare(e, utility="count", tie_break=TieBreak.parse("max-cost,file-order")).selected
    ('x', 'z')
    """
    costs = [int(c) for c in election.costs]
    if isinstance(utility, str) and utility == "effort":
        # the supporters' efforts add up to the cost of a supported project
        u = "effort"
        values = [c if s > 0 else 0 for s, c in zip(exact_support(election), costs, strict=True)]
    elif isinstance(utility, str) and utility in NON_ADDITIVE:
        raise RuleError(
            _(
                "max-welfare needs an additive satisfaction; {name!r} is not additive",
                name=utility,
            ),
            hint=_("use --rule greedy for it, or --utility cost, count or effort"),
        )
    else:
        u, matrix = resolve_utility(election, utility)
        values = exact_weighted_sums(election, matrix)
    resolver = tie_break.resolver(election)
    priority = [int(p) for p in resolver.priority]
    chosen, method = knapsack(values, costs, election.budget, priority)
    order = sorted(chosen, key=lambda j: priority[j])
    welfare = sum(values[j] for j in order)
    ids = election.project_ids
    trace = [
        TraceStep(
            1,
            TraceAction.INFO,
            None,
            _("maximum welfare {welfare} found by {method}", welfare=welfare, method=method),
            {"welfare": welfare, "method": method},
        )
    ]
    left = election.budget
    for k, j in enumerate(order, start=1):
        left -= costs[j]
        trace.append(
            TraceStep(
                k,
                TraceAction.SELECT,
                ids[j],
                _("in the optimal set"),
                {"utility": values[j], "cost": costs[j], "left": left},
            )
        )
    params: dict[str, ParamValue] = {
        "utility": u,
        "tie_break": str(tie_break),
        "welfare": welfare,
    }
    return Outcome.from_selection(election, order, rule="max-welfare", trace=trace, params=params)


def knapsack(
    values: list[int], costs: list[int], budget: int, priority: list[int]
) -> tuple[list[int], str]:
    """Solve a 0/1 knapsack exactly, ties by ``priority`` (lowest first, see module notes).

    Returns the chosen indices and the method used (``"dp"`` or ``"branch-and-bound"``).

    >>> knapsack([3, 2, 2], [2, 1, 1], 2, [0, 1, 2])
    ([1, 2], 'dp')
    """
    m = len(values)
    free = [j for j in range(m) if costs[j] == 0]
    items = [j for j in range(m) if 0 < costs[j] <= budget]
    if not items:
        return sorted(free), "dp"
    g = 0
    for j in items:
        g = math.gcd(g, costs[j])
    cap = budget // g
    scaled = {j: costs[j] // g for j in items}
    # the table holds sums of at most len(items) values: int64 only when proven safe
    fits_int64 = max(values[j] for j in items) * len(items) < INT64_SAFE
    if len(items) * (cap + 1) <= DP_CELLS and fits_int64:
        chosen = _dp(items, values, scaled, cap, priority)
        return sorted(free + chosen), "dp"
    chosen = _branch_and_bound(items, values, scaled, cap, priority, m)
    return sorted(free + chosen), "branch-and-bound"


def _dp(
    items: list[int], values: list[int], costs: dict[int, int], cap: int, priority: list[int]
) -> list[int]:
    """Dynamic programme over capacity; ties prefer high-priority items (backward pass)."""
    order = sorted(items, key=lambda j: priority[j])
    n = len(order)
    # best[k][c]: max welfare using order[k:] with capacity c.  Stored as n+1 rows.
    assert max(values[j] for j in items) * n < INT64_SAFE  # checked by knapsack
    best = np.zeros((n + 1, cap + 1), np.int64)
    for k in range(n - 1, -1, -1):
        j = order[k]
        w = costs[j]
        row = best[k + 1].copy()
        if w <= cap:
            cand = best[k + 1, : cap + 1 - w] + values[j]
            np.maximum(row[w:], cand, out=row[w:])
        best[k] = row
    chosen: list[int] = []
    c = cap
    for k in range(n):
        j = order[k]
        w = costs[j]
        # take j whenever an optimal completion still exists with it (lexicographic ties)
        if w <= c and best[k + 1, c - w] + values[j] == best[k, c]:
            chosen.append(j)
            c -= w
    return chosen


def _branch_and_bound(
    items: list[int],
    values: list[int],
    costs: dict[int, int],
    cap: int,
    priority: list[int],
    m: int,
) -> list[int]:
    """Depth-first branch and bound on exact integers (values with tie bonuses)."""
    val = {j: values[j] * (1 << m) + (1 << (m - 1 - priority[j])) for j in items}
    order = sorted(items, key=lambda j: _Density(val[j], costs[j], priority[j]))
    n = len(order)
    vs = [val[j] for j in order]
    cs = [costs[j] for j in order]
    pre_c = [0] * (n + 1)
    pre_v = [0] * (n + 1)
    for k in range(n):
        pre_c[k + 1] = pre_c[k] + cs[k]
        pre_v[k + 1] = pre_v[k] + vs[k]

    def bound(k: int, room: int) -> int:
        # greedy fill from k: whole items while they fit, then a fraction of the next
        stop = bisect.bisect_right(pre_c, pre_c[k] + room, lo=k) - 1
        total = pre_v[stop] - pre_v[k]
        rest = room - (pre_c[stop] - pre_c[k])
        if stop < n and rest > 0:
            total += vs[stop] * rest // cs[stop]
        return total

    best_val = -1
    best_set: list[int] = []
    take: list[int] = []
    # iterative DFS: stack of (k, room, value, decision index)
    stack: list[tuple[int, int, int, int]] = [(0, cap, 0, 0)]
    while stack:
        k, room, value, state = stack.pop()
        if state == 0:
            if value > best_val:
                best_val = value
                best_set = list(take)
            if k == n or value + bound(k, room) <= best_val:
                continue
            # explore "take k" first (if it fits), then "skip k"
            stack.append((k, room, value, 2))
            if cs[k] <= room:
                take.append(k)
                stack.append((k, room, value, 1))
                stack.append((k + 1, room - cs[k], value + vs[k], 0))
        elif state == 1:
            take.pop()
        else:
            stack.append((k + 1, room, value, 0))
    return [order[k] for k in best_set]


class _Density:
    """Sort key: larger value per cost first, exact, then priority."""

    __slots__ = ("cost", "prio", "value")

    def __init__(self, value: int, cost: int, prio: int) -> None:
        self.value = value
        self.cost = cost
        self.prio = prio

    def __lt__(self, other: _Density) -> bool:
        lhs = self.value * other.cost
        rhs = other.value * self.cost
        if lhs != rhs:
            return lhs > rhs
        return self.prio < other.prio
