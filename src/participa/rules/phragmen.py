"""Sequential Phragmén for approval and choose-1 ballots.

Every voter carries a *load*, starting at 0. Buying project ``p`` at time ``t``
spreads its cost over its supporters so that each of them ends with load ``t``::

    t(p) = (cost(p) + sum of the supporters' loads) / (number of supporters)

(loads and supporters weighted by the voters' weights). Each round the project
with the smallest ``t`` is bought and its supporters' loads set to ``t``. The rule
stops as soon as a project with the smallest ``t`` does not fit in the money left
(this is pabutools 1.2.3's ``sequential_phragmen``: when several projects tie for
the smallest ``t`` and *any* of them does not fit, it stops). Projects costing more
than the whole budget never take part. Projects nobody supports have ``t = ∞``:
they are only bought once every remaining project is unsupported and all of them
fit.

Loads are exact :class:`~fractions.Fraction` values. The kernel computes every
candidate ``t`` in ``float64`` with one matrix product over voter groups per
round, keeps the candidates :func:`~participa.rules._numeric.isclose` to the best,
and settles those exactly: a voter group's load is always one of the round times
``t_1, t_2, ...``, so a supporter sum is ``Σ_r t_r · (weight of supporters whose
load is t_r)``, an integer-weighted sum of a few fractions.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 60), Project("b", 40), Project("c", 30)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a"], ["a", "b"], ["c"]]))
>>> phragmen(e).selected
('a', 'c')
>>> print(phragmen(e).explain())
[1] select a: smallest load 20 ...
[2] select c: smallest load 30 ...
[3] stop b: smallest load 60 but cost 40 exceeds the money left 10; Phragmén stops here ...
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.rules._numeric import isclose
from participa.tiebreak import TieBreak

__all__ = ["phragmen"]


def phragmen(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """Run sequential Phragmén.

    Parameters
    ----------
    election
        An election with approval or choose-1 ballots.
    tie_break
        Orders projects whose new load is exactly equal (default: project id).

    Returns
    -------
    Outcome
        Fully funded projects in the order bought; the trace gives each round's
        load ``t`` as an exact fraction.

    Raises
    ------
    RuleError
        For cumulative, scoring or ordinal ballots.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 4), Project("b", 4), Project("c", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "b", "c"]]))
    >>> phragmen(e).selected
    ('a', 'b')
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "phragmen")
    prof = election.profile
    resolver = tie_break.resolver(election)
    ids = election.project_ids
    m = len(ids)
    costs = [int(c) for c in election.costs]
    budget = election.budget
    approvals = prof.approvals()
    gw = prof.group_weight.astype(np.int64)
    support = (gw @ approvals).astype(np.int64) if prof.num_groups else np.zeros(m, np.int64)
    costs_f = election.costs.astype(np.float64)
    approvals_f = approvals.astype(np.float64)
    gw_f = gw.astype(np.float64)
    supporters = [np.flatnonzero(approvals[:, j]) for j in range(m)]
    remaining = [j for j in range(m) if costs[j] <= budget]
    last = np.zeros(prof.num_groups, np.int64)  # index into times of each group's load
    times: list[Fraction] = [Fraction(0)]
    times_f: list[float] = [0.0]
    spent = 0
    selected: list[int] = []
    trace: list[TraceStep] = []
    rnd = 0
    while remaining:
        rnd += 1
        rem = np.array(remaining, np.int64)
        supported = rem[support[rem] > 0]
        if supported.size:
            loads_f = np.asarray(times_f)[last] * gw_f
            sums_f = (loads_f @ approvals_f)[supported]
            cand_f = (sums_f + costs_f[supported]) / support[supported]
            best_f = float(cand_f.min())
            near = [
                int(j)
                for j, c in zip(supported, cand_f, strict=True)
                if c <= best_f or isclose(float(c), best_f)
            ]
            exact = {j: _exact_time(supporters[j], gw, last, times, costs[j]) for j in near}
            best = min(exact.values())
            tied = [j for j in near if exact[j] == best]
            best_text = str(best)
        else:
            best = None
            tied = list(remaining)
            best_text = "inf"
        too_big = [j for j in tied if spent + costs[j] > budget]
        if too_big:
            j = resolver.order(too_big)[0]
            trace.append(
                TraceStep(
                    rnd,
                    "stop",
                    ids[j],
                    f"smallest load {best_text} but cost {costs[j]} exceeds the money left "
                    f"{budget - spent}; Phragmén stops here",
                    {"load": best_text, "cost": costs[j], "left": budget - spent},
                )
            )
            break
        j = resolver.pick(tied)
        if best is not None:
            times.append(best)
            times_f.append(float(best))
            last[supporters[j]] = len(times) - 1
        remaining.remove(j)
        selected.append(j)
        trace.append(
            TraceStep(
                rnd,
                "select",
                ids[j],
                f"smallest load {best_text}",
                {
                    "load": best_text,
                    "supporters": int(support[j]),
                    "cost": costs[j],
                    "left": budget - spent - costs[j],
                    "tied": len(tied),
                },
            )
        )
        spent += costs[j]
    params = {"tie_break": str(tie_break)}
    return Outcome.from_selection(election, selected, rule="phragmen", trace=trace, params=params)


def _exact_time(
    rows: npt.NDArray[np.intp],
    gw: npt.NDArray[np.int64],
    last: npt.NDArray[np.int64],
    times: list[Fraction],
    cost: int,
) -> Fraction:
    """A project's new load, exactly, from its supporting groups ``rows``."""
    per_time = np.bincount(last[rows], weights=gw[rows], minlength=len(times))
    weights = [int(w) for w in per_time.astype(np.int64)]  # exact: integer sums below 2**53
    total = sum((times[r] * w for r, w in enumerate(weights) if w and r), Fraction(0))
    return (total + cost) / sum(weights)
