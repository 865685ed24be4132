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
factors; a round sums the ballots' counts per factor with numpy and then combines
the few factors with fractions. Complexity: ``O((m + r) · g · m)`` array operations
for ``m`` projects, ``g`` distinct ballots and ballots of length at most ``r``, plus
``O((m + r) · k · m)`` fraction operations for ``k`` distinct factors (at most ``g``,
usually a few dozen). A project's weight is first summed in floating point; only
when it lies within a relative ``1e-9`` of the quota (far beyond the rounding error
of a sum of positive terms, below ``1e-10`` for up to a million factors) is it
recomputed with fractions, so the floats never decide a close call.

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

from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa._wide import INT64_SAFE
from participa.boundary import checked
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.tiebreak import TieBreak

__all__ = ["pb_ear"]


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
    Complexity: ``O((m + r) · g · m)`` time in array operations for ``m`` projects,
    ``g`` distinct ballots and ballots of length at most ``r``, plus ``O((m + r) · k ·
    m)`` exact fraction operations for ``k ≤ g`` distinct weight factors;
    ``O(g · m)`` memory.

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
    n = prof.total_weight
    resolver = tie_break.resolver(election)
    mass_of = prof.group_weight
    # Voters who approved the same funded projects carry the same factor: group weight =
    # its voters' count × factor[cls[g]], with a short list of exact factors.
    cls = np.zeros(prof.num_groups, dtype=np.int64)
    factor: list[Fraction] = [Fraction(1)]
    max_rank = int(ranks.max()) if ranks.size else 0
    done = [False] * len(costs)  # funded
    left = budget
    selected: list[int] = []
    trace: list[TraceStep] = []
    j = 1
    step = 0
    while n > 0:
        open_ = [c for c in range(len(costs)) if not done[c] and costs[c] <= left]
        if not open_:
            break
        top = (ranks >= 1) & (ranks <= j)
        counts = _class_counts(cls, len(factor), top, mass_of, n)
        approx = np.asarray([float(f) for f in factor]) @ counts.astype(np.float64)

        # eligible: the approvers' weight reaches the quota n · cost / budget; floats decide
        # unless the two sides are within a relative 1e-9, where fractions decide
        eligible = []
        for c in open_:
            if costs[c] == 0:
                eligible.append(c)
                continue
            lhs, rhs = float(approx[c]) * budget, float(n * costs[c])
            if abs(lhs - rhs) > 1e-9 * max(abs(lhs), abs(rhs)):
                if lhs > rhs:
                    eligible.append(c)
            elif _exact(factor, counts, c) * budget >= n * costs[c]:
                eligible.append(c)
        if not eligible:
            if j > max_rank:
                break
            j += 1
            continue
        c = resolver.pick(eligible)
        step += 1
        done[c] = True
        left -= costs[c]
        selected.append(c)
        quota = Fraction(n * costs[c], budget) if costs[c] else Fraction(0)
        weight = _exact(factor, counts, c)
        trace.append(
            TraceStep(
                step,
                "select",
                election.project_ids[c],
                _(
                    "approved by voters of weight {weight} among their first {j}, quota {quota}",
                    weight=str(weight),
                    j=j,
                    quota=str(quota),
                ),
                {"j": j, "cost": costs[c]},
            )
        )
        if quota == 0:
            continue
        # its approvers pay the quota: their weight shrinks by the factor 1 - quota / weight
        keep = 1 - quota / weight
        key = cls * 2 + top[:, c]
        uniq, cls = np.unique(key, return_inverse=True)
        factor = [factor[int(k) // 2] * (keep if k % 2 else 1) for k in uniq]
        cls = cls.astype(np.int64)
    params = {"tie_break": str(tie_break)}
    return Outcome.from_selection(election, selected, rule="pb-ear", trace=trace, params=params)


def _class_counts(
    cls: npt.NDArray[np.int64],
    k: int,
    top: npt.NDArray[np.bool_],
    mass: npt.NDArray[Any],
    n: int,
) -> npt.NDArray[Any]:
    """``counts[f, c]``: the voters of factor class ``f`` who rank ``c`` in their top.

    One ``np.bincount`` over (class, project) pairs, in float64: exact, because every
    count is an integer at most the total weight ``n`` and ``n < 2**53`` is checked;
    otherwise ``np.add.at`` in int64 when ``n < 2**62``, else over Python integers (group
    weights past ``2**63`` stay exact).
    """
    m = top.shape[1]
    values = top * mass[:, None]
    if n < 2**53:
        index = (cls[:, None] * m + np.arange(m)).ravel()
        flat = np.bincount(index, weights=values.ravel(), minlength=k * m)
        return flat.reshape(k, m).astype(np.int64)
    counts = np.zeros((k, m), dtype=np.int64 if n < INT64_SAFE else object)
    np.add.at(counts, cls, values)
    return counts


def _exact(factor: list[Fraction], counts: npt.NDArray[Any], c: int) -> Fraction:
    """Project ``c``'s approvers' weight, exactly: Σ factor × voters carrying it."""
    return sum((f * int(counts[k, c]) for k, f in enumerate(factor)), Fraction(0))
