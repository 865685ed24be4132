"""PB-EAR: the Expanding Approvals Rule for participatory budgeting with ranked ballots.

Aziz and Lee, "Proportionally representative participatory budgeting with ordinal
preferences" (AAAI 2021). Voters rank projects; PB-EAR guarantees *inclusion
proportionality for solid coalitions* (IPSC): a group of voters who all rank the
same projects at the top gets projects in proportion to its size and their cost.

The rule reads the ballots with an expanding approval threshold ``j = 1, 2, ...``: a
voter *approves* the projects she ranks among her first ``j``. Every voter starts
with weight 1 (her delegate weight); a project ``c`` has the *quota*
``n · cost(c) / budget``, its fair price in voters' weight. At the current ``j``:

1. among the projects not yet funded that still fit in the money left, those whose
   approvers' total weight reaches their quota are *eligible*;
2. if there is none, ``j`` grows by one (once ``j`` passes the longest ballot and
   still nobody is eligible, the rule stops);
3. otherwise one eligible project is funded (the tie-breaking picks it) and its
   approvers pay its quota: each approver's weight is multiplied by
   ``1 − quota / (their total weight)``; ``j`` stays where it is.

Every decision is exact. Voters who approved the same funded projects keep the same
fraction of their weight, so each distinct ballot only points to one of a few exact
factors (at most the number of distinct ballots, usually a few dozen). A round's
supports are one floating-point ``np.bincount`` over the ballots' ranked entries within
the threshold, each weighted by its ballot's weight; only when a project's support lies
within a relative ``1e-9`` of its quota (far beyond the rounding error of a sum of
positive terms, below ``1e-10`` for up to a million distinct ballots, and of the float
factors, each a product of at most ``m`` correctly rounded ratios) is it recomputed
exactly: one ``np.bincount`` of its approvers per factor, then a sum of the few factors
with fractions. The funded project's approvers' weight is always computed that way, so
the payment is exact. A class's exact factor is only multiplied out when such a sum
needs it (the numbers double in length with each reduction, so most of the cost is
there). Complexity: ``O((m + r) · g · r)`` array operations for ``m``
projects, ``g`` distinct ballots and ballots of length at most ``r``, plus ``O(m · k)``
fraction operations for ``k`` distinct factors.

Notes
-----
The reference library's newest source rounds supports and quotas to six decimals and
truncates the quota and the weight reduction to integers (``int(n · cost)``,
``int(quota)``), and picks among eligible projects by the iteration order of a
Python set. participa follows the paper: exact quotas and reductions, ties by the
explicit ``tie_break``. Where the two differ on the dev corpus the difference is
shown on a small instance in ``tests/rules/test_pb_ear.py`` and listed in the docs.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(30, (Project("a", 10), Project("b", 10), Project("c", 10)),
...     Profile.from_ballots(BallotKind.ORDINAL, ["a", "b", "c"],
...                          [["a", "b"], ["a", "b"], ["c", "b"]]))
>>> pb_ear(e).selected
('a', 'c', 'b')
"""

from __future__ import annotations

import math
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa._wide import INT64_SAFE
from participa.boundary import checked
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceAction, TraceStep, _built_step
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak

__all__ = ["pb_ear"]

_TINY = 1e-250
"""A factor below this (near float64's underflow) makes every later comparison exact."""


@checked
def pb_ear(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """PB-EAR (Aziz and Lee): proportional representation of solid coalitions on ranked ballots.

    Parameters
    ----------
    election
        An election with ordinal (ranked) ballots.
    tie_break
        Picks among projects eligible at the same time (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order PB-EAR funded them; the trace shows, for each,
        the threshold ``j``, its approvers' weight and its quota.

    Raises
    ------
    RuleError
        If the ballots are not ordinal.

    Notes
    -----
    Complexity: ``O((m + r) · g · r)`` time in array operations for ``m`` projects,
    ``g`` distinct ballots and ballots of length at most ``r``, plus ``O(m · k)`` exact
    fraction operations for ``k ≤ g`` distinct weight factors (more only for close
    calls); ``O(g · m)`` memory.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 5), Project("y", 5), Project("z", 8)),
    ...     Profile.from_ballots(BallotKind.ORDINAL, ["x", "y", "z"],
    ...                          [["z", "x"], ["z", "y"], ["x", "y"]]))
    >>> out = pb_ear(e)
    >>> out.selected
    ('x',)
    >>> print(out.trace[0].reason)
    approved by voters of weight 2 among their first 2, quota 3/2
    """
    require_kind(election, (BallotKind.ORDINAL,), "pb-ear")
    prof = election.profile
    ranks = prof.matrix
    budget = election.budget
    costs = [int(c) for c in election.costs]
    m = len(costs)
    n = prof.total_weight
    resolver = tie_break.resolver(election)
    mass = prof.group_weight
    mass_f = mass.astype(np.float64)
    # Voters who approved the same funded projects carry the same factor: a group's
    # weight is mass × factor[cls[g]], with a short list of exact factors (computed when
    # needed) and their floats in ``scale``; ``weight_f`` is every group's weight in
    # floating point.
    cls = np.zeros(prof.num_groups, dtype=np.intp)
    factor = _Factors()
    scale = np.ones(1)
    weight_f = mass_f.copy()
    max_rank = int(ranks.max()) if ranks.size else 0
    # the ballots as (group, project, rank) entries: a round's supports are one bincount
    # over the entries ranked within the threshold, not a product over every project
    flat = np.flatnonzero(ranks.ravel() != 0)  # (faster than np.nonzero on the matrix)
    entry_g, entry_p = np.divmod(flat, max(m, 1))
    entry_r = ranks.ravel()[flat]
    # sorted by rank: the entries within a threshold are a prefix (a view, not a copy)
    by_rank = np.argsort(entry_r, kind="stable")
    entry_g, entry_p, entry_r = entry_g[by_rank], entry_p[by_rank], entry_r[by_rank]
    quota_f = np.asarray([float(n * c) for c in costs], dtype=np.float64)
    done = [False] * m  # funded
    left = budget
    selected: list[int] = []
    trace: list[TraceStep] = []
    j = 0
    top_g = top_p = entry_g
    step = 0
    widen = False
    tiny = False  # some factor's float is in (0, _TINY)
    while n > 0:
        open_ = [c for c in range(m) if not done[c] and costs[c] <= left]
        if not open_:
            break
        if j == 0 or widen:
            j += 1
            within = int(np.searchsorted(entry_r, j, side="right"))
            top_g, top_p = entry_g[:within], entry_p[:within]
        widen = False
        # eligible: the approvers' weight reaches the quota n · cost / budget; floats decide
        # unless the two sides are within a relative 1e-9, where fractions decide
        lhs = np.bincount(top_p, weights=weight_f[top_g], minlength=m) * float(budget)
        gap = lhs - quota_f
        tol = 1e-9 * np.maximum(np.abs(lhs), quota_f)
        above = (gap > tol).tolist()
        close = (np.abs(gap) <= tol).tolist()
        if tiny:  # a factor near float's underflow: all exact
            above, close = [False] * m, [True] * m
        eligible = [
            c
            for c in open_
            if costs[c] == 0
            or above[c]
            or (
                close[c]
                and _exact(factor, cls, top_g[top_p == c], mass, n) * budget >= n * costs[c]
            )
        ]
        if not eligible:
            if j > max_rank:
                break
            widen = True
            continue
        c = resolver.pick(eligible)
        step += 1
        done[c] = True
        left -= costs[c]
        selected.append(c)
        members = top_g[top_p == c]  # the groups ranking c within the threshold
        quota = Fraction(n * costs[c], budget) if costs[c] else Fraction(0)
        weight = _exact(factor, cls, members, mass, n)
        step_ = _built_step(
            step,
            TraceAction.SELECT,
            election.project_ids[c],
            _(
                "approved by voters of weight {weight} among their first {j}, quota {quota}",
                weight=_shown(weight),
                j=j,
                quota=_shown(quota),
            ),
            {"j": j, "cost": costs[c]},
        )
        trace.append(step_)
        if quota == 0:
            continue
        # its approvers pay the quota: their weight shrinks by the factor 1 - quota / weight
        old = scale.size
        scale = _split(cls, factor, scale, members, 1 - quota / weight)
        fresh = scale[old:]
        tiny = tiny or bool(((fresh > 0) & (fresh < _TINY)).any())
        weight_f[members] = mass_f[members] * scale[cls[members]]
    params = {"tie_break": str(tie_break)}
    return Outcome.from_selection(election, selected, rule="pb-ear", trace=trace, params=params)


_SHOWN_DIGITS = 40
"""Longest numerator or denominator a trace writes out; longer ones are shown rounded."""


def _shown(value: Fraction) -> str:
    """``value`` as an exact fraction, or as ``≈`` 12 significant digits when its numerator
    or denominator is longer than :data:`_SHOWN_DIGITS` digits (after many reductions the
    exact weights have thousands of digits: unreadable, and past Python's 4,300-digit
    limit on ``str(int)``).

    >>> _shown(Fraction(3, 2))
    '3/2'
    >>> _shown(Fraction(10**50 + 1, 3 * 10**49))
    '≈3.33333333333'
    """
    limit = 10**_SHOWN_DIGITS
    if abs(value.numerator) < limit and value.denominator < limit:
        return str(value)
    return f"≈{float(value):.12g}"


class _Factors:
    """The exact factor of each class, computed only when asked (then kept): a new
    class's factor is its parent's times the ``keep`` of the project that split it."""

    __slots__ = ("keep", "known", "parent")

    def __init__(self) -> None:
        self.known: list[Fraction | None] = [Fraction(1)]
        self.parent: list[int] = [-1]
        self.keep: list[Fraction] = [Fraction(1)]

    def __len__(self) -> int:
        return len(self.known)

    def __getitem__(self, f: int) -> Fraction:
        chain = []
        while self.known[f] is None:
            chain.append(f)
            f = self.parent[f]
        value = self.known[f]
        assert value is not None
        for g in reversed(chain):
            value = value * self.keep[g]
            self.known[g] = value
        return value

    def extend_from(self, parents: list[int], keep: Fraction) -> None:
        for p in parents:
            self.known.append(None)
            self.parent.append(p)
            self.keep.append(keep)


def _split(
    cls: npt.NDArray[np.intp],
    factor: _Factors,
    scale: npt.NDArray[np.float64],
    members: npt.NDArray[np.intp],
    keep: Fraction,
) -> npt.NDArray[np.float64]:
    """Move the groups ``members`` to new classes after they kept ``keep`` of their weight.

    Each class ``f`` they carry gets a new class (appended to ``factor``: factor × keep,
    multiplied out only when needed) and they move there (``cls`` is updated in place);
    the others stay. A class left empty keeps its slot, unused. ``O(|members|)`` array
    work; returns the floats of all the factors (the new ones: the parent's float × the
    float of ``keep``).
    """
    carried = cls[members]
    # the classes present, in increasing order (as ``np.unique``): a bincount over the
    # few classes is cheaper than a sort
    moved = np.bincount(carried, minlength=len(factor)).nonzero()[0]
    where = np.empty(len(factor), dtype=np.intp)
    where[moved] = np.arange(len(factor), len(factor) + moved.size)
    cls[members] = where[carried]
    factor.extend_from(moved.tolist(), keep)
    return np.concatenate((scale, scale[moved] * float(keep)))


def _exact(
    factor: _Factors,
    cls: npt.NDArray[np.intp],
    members: npt.NDArray[np.intp],
    mass: npt.NDArray[Any],
    n: int,
) -> Fraction:
    """The weight of the groups ``members``, exactly: Σ factor × voters carrying it.

    The voters per class are one ``np.bincount`` in float64, exact because every count is
    an integer at most the total weight ``n`` and ``n < 2**53`` is checked; otherwise
    ``np.add.at`` in int64 when ``n < 2**62``, else over Python integers (group weights
    past ``2**63`` stay exact).
    """
    carried = cls[members]
    if n < 2**53:
        counts = np.bincount(carried, weights=mass[members], minlength=len(factor))
        classes = counts.nonzero()[0]
        per_class = counts[classes].astype(np.int64).tolist()
    else:
        classes, where = np.unique(carried, return_inverse=True)
        per_class_arr = np.zeros(classes.size, dtype=np.int64 if n < INT64_SAFE else object)
        np.add.at(per_class_arr, where.ravel(), mass[members])
        per_class = per_class_arr.tolist()
    # one fraction over the common denominator of the terms: a single reduction
    terms = [(factor[f], v) for f, v in zip(classes.tolist(), per_class, strict=True) if v]
    if not terms:
        return Fraction(0)
    common = math.lcm(*(x.denominator for x, _v in terms))
    return Fraction(sum(x.numerator * (common // x.denominator) * v for x, v in terms), common)
