"""The maximin support method for participatory budgeting (approval ballots).

Sánchez-Fernández, García, Fisteus and Brill, "The maximin support method: an
extension of the D'Hondt method to approval-based multiwinner elections" (Mathematical
Programming, 2024); for PB also known as Aziz, Lee and Talmon's "generalised
sequential Phragmén" (2018).

Funding a set of projects loads its supporters: the cost of each project is spread
over its supporters, and a voter's *load* is what she carries in total. The set's
*maximin load* is the smallest possible largest load per voter, over every way of
spreading the costs. The rule funds projects one at a time: among the projects that
still fit in the money left, the one whose addition gives the smallest maximin load
(ties by ``tie_break``), until nothing fits.

The maximin load is ``max over project sets S of cost(S) / (number of voters who
support a project of S)``; participa computes it exactly with an integer maximum flow
and Dinkelbach's iteration (``participa.rules._flow.min_max_load``), not with a
floating-point linear program. A project nobody supports cannot be loaded on anyone:
its load is infinite, and it is funded only when every project that still fits has
an infinite load (as the reference library does).

Complexity: at most ``m`` rounds of ``m`` candidates, each a few maximum flows over
the funded projects: ``O(m² · d · k²)`` vector operations over the ``g`` distinct
ballots, for ``d`` Dinkelbach steps (a handful in practice) and ``k`` funded projects.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(60, (Project("a", 30), Project("b", 30), Project("c", 20)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a", "b"], ["a", "b"], ["a", "c"], ["c"]]))
>>> maximin_support(e).selected
('a', 'c')
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import numpy.typing as npt

from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.rules._flow import min_max_load
from participa.tiebreak import TieBreak

__all__ = ["maximin_support"]


def maximin_support(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> Outcome:
    """The maximin support method: add the project that keeps the largest load smallest.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    tie_break
        Picks among projects giving the same maximin load (default: project id).

    Returns
    -------
    Outcome
        Funded projects in the order they were added; the trace gives each one's
        maximin load (money per voter) when it was added.

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.

    Notes
    -----
    Complexity: at most ``m`` rounds of ``m`` candidates for ``m`` projects, each a
    few maximum flows over the ``k`` funded projects: ``O(m² · d · k² · g)`` time for
    ``d`` Dinkelbach steps (a handful in practice) and ``g`` distinct ballots (each flow
    step is one vector operation over the ballots); ``O(k · g)`` memory for the flow.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 4), Project("y", 6)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["x", "y"], [["x"], ["y"], ["y"]]))
    >>> out = maximin_support(e)
    >>> out.selected
    ('y', 'x')
    >>> print(out.trace[0].reason)
    the largest load per voter is 3 with it, the smallest of all
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "maximin-support")
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    costs = [int(c) for c in election.costs]
    resolver = tie_break.resolver(election)
    funded: list[int] = []
    left = election.budget
    trace: list[TraceStep] = []
    current = Fraction(0)
    while True:
        open_ = [c for c in range(len(costs)) if c not in funded and costs[c] <= left]
        if not open_:
            break
        # A lower bound per candidate (the current load, its own load, everybody's load)
        # lets most candidates be ruled out without a flow; ties still get an exact load.
        base = current
        bounds = {c: _lower_bound(approvals, weights, costs, funded, c, base) for c in open_}
        loads: dict[int, Fraction | None] = {}
        best: Fraction | None = None
        for c in sorted(open_, key=lambda c: (bounds[c] is None, bounds[c] or 0)):
            bound = bounds[c]
            if best is not None and (bound is None or bound > best):
                continue
            members = [*funded, c]
            load = min_max_load(
                approvals[:, members], weights, [costs[p] for p in members], at_least=base
            )
            loads[c] = load
            if load is not None and (best is None or load < best):
                best = load
        if best is None:  # every candidate has an infinite load
            loads = dict.fromkeys(open_)
        tied = [c for c in open_ if c in loads and loads[c] == best]
        c = resolver.pick(tied)
        funded.append(c)
        left -= costs[c]
        load = loads[c]
        if load is not None:
            current = load
        shown = (
            election.money.format(int(load))
            if load is not None and load.denominator == 1
            else (str(load) if load is not None else "∞")
        )
        trace.append(
            TraceStep(
                len(funded),
                "select",
                election.project_ids[c],
                _("the largest load per voter is {load} with it, the smallest of all", load=shown),
                {"cost": costs[c], "tied": len(tied)},
            )
        )
    params = {"tie_break": str(tie_break)}
    return Outcome.from_selection(
        election, funded, rule="maximin-support", trace=trace, params=params
    )


def _lower_bound(
    approvals: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.int64],
    costs: list[int],
    funded: list[int],
    c: int,
    base: Fraction,
) -> Fraction | None:
    """A load the set ``funded + [c]`` cannot go below (``None``: infinite)."""
    own = approvals[:, c]
    own_weight = int(weights[own].sum())
    if costs[c] and not own_weight:
        return None
    members = [*funded, c]
    reached = int(weights[approvals[:, members].any(axis=1)].sum())
    bound = max(base, Fraction(costs[c], own_weight) if own_weight else Fraction(0))
    if reached:
        bound = max(bound, Fraction(sum(costs[p] for p in members), reached))
    return bound
