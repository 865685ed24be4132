"""Exact maximum flow between projects and ballot groups (payments within voters' means).

Several rules ask whether a set of projects can be paid for by their supporters when
each voter may pay at most some amount: online efficient greedy (each voter pays at
most her share of the budget) and maximin support (the smallest largest load). It is
a transportation problem: project ``p`` needs ``demand[p]``, ballot group ``g`` can give
``capacity[g]`` in total, and money flows only from a group to the projects its
ballot names. All amounts are integers (Python integers where ``int64`` could overflow).

The graph is collapsed to projects: from project ``a`` one can reach project ``b``
through any group that names ``a`` and currently pays for ``b`` (``b`` gives that
payment up and must find it elsewhere); an augmenting path ends at a project named by
a group with spare capacity. Each step of the search is one vector operation over the
groups, so the work is ``O(k²)`` vector operations per augmentation for ``k``
projects, whatever the number of voters.
"""

from __future__ import annotations

import itertools
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.boundary import checked

__all__ = ["min_max_load", "route"]

_INT64_SAFE = 1 << 62


@checked
def route(
    flow: npt.NDArray[Any],
    approvals: npt.NDArray[np.bool_],
    capacity: npt.NDArray[Any],
    new: int,
    demand: int,
) -> frozenset[int] | None:
    """Route ``demand`` more to row ``new`` of ``flow`` (projects × groups), in place.

    Returns ``None`` when all of it was routed; otherwise the projects reachable from
    ``new`` when no augmenting path is left: a set ``S`` whose supporters' groups are
    saturated and pay only for ``S``, so ``S`` needs more than they can give (a
    violated Hall condition, the minimum cut).
    """
    while demand > 0:
        spare = capacity - flow.sum(axis=0)
        parent: dict[int, int] = {new: -1}
        queue = [new]
        end = -1
        while queue and end < 0:
            nxt: list[int] = []
            for a in queue:
                mask = approvals[:, a]
                if (spare[mask] > 0).any():
                    end = a
                    break
                movable = (flow[:, mask] > 0).any(axis=1)
                for b in np.flatnonzero(movable).tolist():
                    if b not in parent:
                        parent[b] = a
                        nxt.append(b)
            queue = nxt
        if end < 0:
            return frozenset(parent)
        path = [end]
        while parent[path[-1]] >= 0:
            path.append(parent[path[-1]])
        path.reverse()  # new, ..., end
        amount = demand
        for a, b in itertools.pairwise(path):
            amount = min(amount, int(flow[b, approvals[:, a]].sum()))
        end_mask = approvals[:, end]
        amount = min(amount, int(spare[end_mask][spare[end_mask] > 0].sum()))
        # the end project takes `amount` from spare capacity ...
        _take(flow, end, end_mask, np.maximum(spare, 0), amount, give_to=None)
        # ... and each earlier project on the path takes it over from the next one
        for a, b in reversed(list(itertools.pairwise(path))):
            mask = approvals[:, a]
            _take(flow, a, mask, flow[b], amount, give_to=b)
        demand -= amount
    return None


def _take(
    flow: npt.NDArray[Any],
    row: int,
    mask: npt.NDArray[np.bool_],
    source: npt.NDArray[Any],
    amount: int,
    *,
    give_to: int | None,
) -> None:
    """Move ``amount`` into ``flow[row]`` from ``source`` over the groups in ``mask``.

    ``source`` is the spare capacity (``give_to=None``) or the payments of project
    ``give_to``, which lose what ``row`` takes. Groups are drained in order.
    """
    idx = np.flatnonzero(mask)
    avail = np.array(source[idx], copy=True)
    before = np.cumsum(avail) - avail
    part = np.minimum(avail, np.maximum(amount - before, 0))
    flow[row, idx] += part
    if give_to is not None:
        flow[give_to, idx] -= part


@checked
def min_max_load(
    approvals: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.int64],
    costs: list[int],
    *,
    at_least: Fraction = Fraction(0),
) -> Fraction | None:
    """The smallest possible largest payment per unit of weight to fund all ``costs``.

    ``approvals`` is groups × projects, ``weights`` each group's total weight. ``None``
    when some project of positive cost has no supporter (no load can fund it).

    The answer is ``max over project sets S of cost(S) / weight of S's supporters``
    (Hall's condition). It is found exactly by Dinkelbach's iteration: try the load
    ``z``; if the flow cannot route everything, the cut ``S`` it stops at has
    ``cost(S) / weight(S) > z``, the next ``z``. Each ``z`` is larger than the last and
    never above the answer, so the first ``z`` that routes is the answer. ``at_least``
    is a known lower bound to start from (the load of a subset of the projects).

    >>> a = np.array([[True, True], [False, True]])
    >>> str(min_max_load(a, np.array([1, 1]), [3, 1]))
    '3'
    >>> str(min_max_load(a, np.array([1, 1]), [1, 1]))
    '1'
    """
    k = len(costs)
    named = np.asarray(approvals.any(axis=0), dtype=bool)
    if any(costs[p] > 0 and not named[p] for p in range(k)):
        return None
    total_weight = int(weights[approvals.any(axis=1)].sum())
    if k == 0 or total_weight == 0:
        return Fraction(0)
    z = max(Fraction(sum(costs), total_weight), at_least)
    while True:
        num, den = z.numerator, z.denominator
        big = max(1, num) * int(weights.max(initial=0)) * max(1, len(weights)) >= _INT64_SAFE or (
            max(costs) * den * max(1, k) >= _INT64_SAFE
        )
        dtype: Any = object if big else np.int64
        capacity = weights.astype(object) * num if big else weights.astype(np.int64) * num
        flow = np.zeros((k, approvals.shape[0]), dtype=dtype)
        cut: frozenset[int] | None = None
        for p in range(k):
            cut = route(flow, approvals, capacity, p, costs[p] * den)
            if cut is not None:
                break
        if cut is None:
            return z
        members = sorted(cut)
        reached = approvals[:, members].any(axis=1)
        z = Fraction(sum(costs[p] for p in members), int(weights[reached].sum()))
