"""Ordered relax: the LP-rounding rule for maxmin participatory budgeting (approval ballots).

Sreedurga, Bhardwaj and Narahari, "Maxmin Participatory Budgeting" (IJCAI 2022,
arXiv 2204.13923). A voter's utility is the total cost of the funded projects she
approves; *maxmin* PB seeks the set that makes the worst-off voter as well off as
possible. That is NP-hard, and ordered relax rounds its linear relaxation: give each
project ``j`` an amount ``y_j`` between 0 and its cost, at most the budget in total,
so that the smallest ``Σ_{j approved by i} y_j`` over the voters is largest; then take
the projects by decreasing ``y_j`` (the paper's ``cost_j · x_j``), ties by
``tie_break``, and stop at the first project that does not fit in the money left.
Projects dearer than the whole budget are left out of the order, as the reference
source does.

Exactness. The relaxation is solved exactly, in fractions, by participa's own
simplex (:mod:`participa._lp`: fraction-free integer pivoting, Dantzig's rule with
Bland's after degenerate pivots) on its dual, by column generation: the dual has one
column per distinct ballot, and only the ballots that matter are added. Start from
the four ballots that can get the least money, solve, read ``y`` and ``t`` from the
optimal dual values, add the (up to 8) ballots whose utility falls furthest below
``t`` (exact integers; a float product with a proven error margin rules out the
others first when the integers would be large), continue the simplex from the last
optimum, until no ballot is below. The last solution satisfies every constraint and
is optimal for a relaxation of the full programme, so it is optimal for the full one.
Scores are compared exactly: two projects are tied only if their ``y`` are equal
fractions (the reference source calls scores within ``1e-7`` equal).

Which optimum. The relaxation often has many optimal solutions (any money beyond what
the worst-off voters need can go anywhere), and the rule's outcome depends on which
one is used; the paper does not say. participa's is the vertex its simplex reaches
(deterministic: it depends only on the election); the reference source takes the one
its floating-point solver (HiGHS) returns. Outcomes can differ on such elections while
both follow the paper; ``docs/more-rules.md`` keeps the table.

Complexity: ``r`` rounds of column generation (a few; each adds up to 8 ballots),
each a few warm-started pivots on ``m + 1`` rows (Bland's rule is exponential in the
worst case) and one ``O(groups × m)`` numpy product to find ballots below ``t``; plus
one sort of the distinct ballots (as packed bytes).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(5, (Project("p1", 3), Project("p2", 3), Project("p3", 2)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2", "p3"],
...                          [["p1", "p2"], ["p2"], ["p3"]]))
>>> ordered_relax(e).selected
('p2', 'p3')
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa._lp import Row, Simplex
from participa.boundary import checked
from participa.errors import RuleError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceAction, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, dense_rank, require_kind, tie_groups
from participa.tiebreak import TieBreak

__all__ = ["maxmin_relaxation", "ordered_relax"]

_BATCH = 8
"""Ballots added to the relaxation per round (the most violated first)."""


@checked
def maxmin_relaxation(
    election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK
) -> tuple[Fraction, tuple[Fraction, ...]]:
    """The optimum of the maxmin relaxation and the money ``y_j`` of each project.

    Only projects costing at most the budget take part (the others get 0). Exact. The
    programme's columns are laid out in ``tie_break`` order, so which optimal vertex is
    returned does not depend on the order of the projects in the file.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, (Project("p1", 4), Project("p2", 3)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2"], [["p1"], ["p2"]]))
    >>> maxmin_relaxation(e)
    (Fraction(2, 1), (Fraction(2, 1), Fraction(2, 1)))
    """
    budget = election.budget
    costs = [int(c) for c in election.costs]
    m = len(costs)
    priority = tie_break.resolver(election).priority
    avail = sorted((j for j in range(m) if costs[j] <= budget), key=lambda j: int(priority[j]))
    zero = Fraction(0)
    prof = election.profile
    groups = prof.approvals()[:, avail] if avail else np.zeros((prof.num_groups, 0), bool)
    if groups.size:
        # distinct ballots in a canonical order: the vertex reached does not depend on
        # the order of the voters either (rows packed into bytes, sorted as bytes)
        kept = np.ascontiguousarray(groups[np.asarray(prof.multiplicity) > 0])
        groups = kept[_first_of_each(kept)]
    if not avail or groups.shape[0] == 0:
        return zero, tuple([zero] * m)
    k = len(avail)
    acost = [costs[j] for j in avail]
    gf = groups.astype(np.float64)
    # start from the ballots that can get the least money (smallest approved cost): exact
    # sums (float64 below 2**53, by einsum's own loop: no BLAS; else Python integers)
    if sum(acost) < 2**53:
        reach = np.einsum("gk,k->g", gf, np.asarray(acost, dtype=np.float64)).astype(np.int64)
    else:
        reach = groups.astype(object) @ np.asarray(acost, dtype=object)
    active = _most_violated(reach, np.arange(reach.size), _BATCH // 2)
    slack = (k + 4) * 2.0**-50 * float(budget)
    # the dual of the relaxation restricted to the active ballots: variables pi_g (one
    # per active ballot), lambda (budget), mu_j (caps); y_j is the dual value of project
    # j's row, t minus the optimum. Ballots found below t join as new columns and the
    # simplex goes on from the last optimum (column generation).
    a = len(active)
    rows: list[Row] = [([1] * a + [0] * (k + 1), ">=", 1)]
    marks = groups[active].T.astype(np.int64).tolist()
    for i in range(k):
        row = [*marks[i], -1, *([0] * k)]
        row[a + 1 + i] = -1
        rows.append((row, "<=", 0))
    lp = Simplex([0] * a + [-budget] + [-c for c in acost], rows)
    while True:
        res = lp.solve()
        if res.status != "optimal" or res.duals is None or res.value is None:  # pragma: no cover
            raise RuleError(_("the maxmin relaxation could not be solved"))
        t = -res.value
        y = res.duals[1:]
        den = math.lcm(*(v.denominator for v in (*y, t)))
        yi = np.array([v.numerator * (den // v.denominator) for v in y], dtype=object)
        if sum(acost) * den < 2**53:  # every partial sum an exact float64: einsum, no BLAS
            util = np.einsum("gk,k->g", gf, yi.astype(np.float64)).astype(np.int64)
        elif sum(acost) * den < 2**62:  # exact in int64 (numpy's own loop)
            util = groups.view(np.int8) @ yi.astype(np.int64)
        else:  # exact over Python integers, only for the ballots a float bound cannot clear
            uf = np.einsum("gk,k->g", gf, np.array([float(v) for v in y], dtype=np.float64))
            near = np.flatnonzero(uf < float(t) + slack)
            util = np.full(groups.shape[0], int(t * den), dtype=object)
            util[near] = groups[near].astype(object) @ yi
        tden = int(t * den)
        short = np.flatnonzero(util < tden)
        if not short.size:
            if any(v < 0 or v > c for v, c in zip(y, acost, strict=True)) or sum(y) > budget:
                raise RuleError(_("the maxmin relaxation could not be solved"))  # pragma: no cover
            out = [zero] * m
            for i, j in enumerate(avail):
                out[j] = y[i]
            return t, tuple(out)
        picked = _most_violated(util, short, _BATCH)
        lp.add_columns([([1, *groups[g].astype(np.int64).tolist()], 0) for g in picked])


def _first_of_each(rows: npt.NDArray[np.bool_]) -> npt.NDArray[np.intp]:
    """Index of the first occurrence of each distinct row, in increasing order of the rows
    read as binary numbers (first column most significant): the canonical order of the
    distinct ballots. One ``int64`` key per row up to 62 columns, 64-bit words beyond.

    >>> rows = np.array([[1, 0, 1], [0, 1, 1], [1, 0, 1], [0, 0, 1]], dtype=bool)
    >>> _first_of_each(rows).tolist()
    [3, 1, 0]
    >>> wide = np.zeros((3, 70), dtype=bool); wide[0, 69] = wide[2, 0] = True
    >>> _first_of_each(wide).tolist()
    [1, 0, 2]
    """
    k = rows.shape[1]
    if k <= 62:
        bits = np.int64(1) << np.arange(k - 1, -1, -1, dtype=np.int64)
        keys = rows.astype(np.int64) @ bits
        _keys, first = np.unique(keys, return_index=True)
        out: npt.NDArray[np.intp] = first
        return out
    # rows as big-endian 64-bit words (first column the most significant bit of the first
    # word): comparing the words in order is comparing the rows; a stable lexsort keeps
    # identical rows in their original order, so each run of them starts at the first
    packed = np.packbits(rows, axis=1)
    packed = np.pad(packed, ((0, 0), (0, (-packed.shape[1]) % 8)))
    words = np.ascontiguousarray(packed).view(">u8").astype(np.uint64)
    order = np.lexsort(words.T[::-1])
    ordered = words[order]
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = (ordered[1:] != ordered[:-1]).any(axis=1)
    firsts: npt.NDArray[np.intp] = order[starts]
    return firsts


def _most_violated(util: npt.NDArray[Any], short: npt.NDArray[np.intp], count: int) -> list[int]:
    """The ``count`` ballots of ``short`` with the smallest utility, ties by index."""
    if util.dtype == np.int64:
        values = util[short]
        if short.size > count:
            cut = np.partition(values, count - 1)[count - 1]
            keep = values <= cut
            short, values = short[keep], values[keep]
        order = np.lexsort((short, values))[:count]
        return [int(g) for g in short[order]]
    pairs = sorted(zip(util[short].tolist(), short.tolist(), strict=True))
    return [g for _u, g in pairs[:count]]


@checked
def ordered_relax(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """Ordered relax (maxmin PB): projects by decreasing relaxed money, until one does not fit.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    tie_break
        Orders projects with exactly equal relaxed money (default: project id).

    Returns
    -------
    Outcome
        The funded projects in selection order; the trace gives each project's relaxed
        money ``y`` (an exact fraction) and the optimum of the relaxation.

    Notes
    -----
    Complexity: time of ``r`` rounds of column generation (a few), each a few
    warm-started exact simplex pivots on ``m + 1`` rows (``O((m + 1) · columns)``
    fraction operations per pivot; Bland's rule is exponential in the worst case) and
    one ``O(g · m)`` numpy product over the ``g`` distinct ballots; ``O(g · m)`` memory
    plus the simplex tableau (``O(m · columns)`` fractions).

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(4, (Project("p1", 4), Project("p2", 3)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["p1", "p2"], [["p1"], ["p2"]]))
    >>> out = ordered_relax(e)
    >>> out.selected, out.params["maxmin"]
    (('p1',), '2')
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "ordered-relax")
    t, y = maxmin_relaxation(election, tie_break=tie_break)
    budget = election.budget
    costs = [int(c) for c in election.costs]
    ids = election.project_ids
    order_keys = [y[j] if costs[j] <= budget else Fraction(-1) for j in range(len(ids))]
    rank = dense_rank(order_keys)
    resolver = tie_break.resolver(election)
    left = budget
    selected: list[int] = []
    trace: list[TraceStep] = []
    stopped = False
    rnd = 0
    for group in tie_groups(rank, resolver):
        members = [j for j in group if costs[j] <= budget]
        if tie_break.refuses and len(members) > 1 and not stopped:
            fits_all = sum(costs[j] for j in members) <= left
            fits_none = all(costs[j] > left for j in members)
            if not (fits_all or fits_none):
                resolver.pick(members)  # the order matters: "refuse" raises
        for j in members:
            if stopped:
                break
            rnd += 1
            values = {"relaxed": str(y[j]), "cost": costs[j], "left": left}
            if costs[j] <= left:
                left -= costs[j]
                selected.append(j)
                trace.append(
                    TraceStep(
                        rnd,
                        TraceAction.SELECT,
                        ids[j],
                        _(
                            "next by relaxed money {amount} and it fits",
                            amount=str(y[j]),
                        ),
                        values,
                    )
                )
            else:
                stopped = True
                trace.append(
                    TraceStep(
                        rnd,
                        TraceAction.STOP,
                        ids[j],
                        _(
                            "cost {cost} exceeds the money left {left}; ordered relax stops here",
                            cost=election.money.format(costs[j]),
                            left=election.money.format(left),
                        ),
                        values,
                    )
                )
        if stopped:
            break
    params = {"tie_break": str(tie_break), "maxmin": str(t)}
    return Outcome.from_selection(
        election, selected, rule="ordered-relax", trace=trace, params=params
    )
