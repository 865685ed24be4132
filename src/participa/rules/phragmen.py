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

Loads are exact :class:`~fractions.Fraction` values. A voter group's load is
always one of the round times ``t_1, t_2, ...``, so a supporter sum is
``Σ_r t_r · (weight of supporters whose load is t_r)``: the kernel
(:class:`~participa.rules._phragmen_kernel.Loads`) keeps those integer weights per
project up to date incrementally, touching only the approvals of the supporters of
the project just bought. Each round computes every candidate ``t`` in ``float64``
from them, keeps the candidates :func:`~participa.rules._numeric.isclose` to the
best, and settles those exactly.

Complexity: ``O(nnz)`` to set up (``nnz`` approvals over distinct ballots), then
per purchase ``O(approvals of its supporters)`` and per round
``O(rounds × projects)``; Python loops run over projects, never over voters.

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

from collections.abc import Sequence
from fractions import Fraction

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import DEFAULT_TIE_BREAK, require_kind
from participa.rules._phragmen_kernel import Loads
from participa.tiebreak import TieBreak

__all__ = ["phragmen"]


@checked
def phragmen(
    election: Election,
    *,
    initial: Sequence[str] = (),
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Run sequential Phragmén.

    Parameters
    ----------
    election
        An election with approval or choose-1 ballots.
    initial
        Ids of projects funded before the rule runs (a committee to start from, as
        abcvoting and pabutools' ``initial_budget_allocation`` take it): they come
        first in the outcome, their cost is taken from the budget, and the rule goes
        on from loads of 0 with the other projects.
    tie_break
        Orders projects whose new load is exactly equal (default: project id).

    Returns
    -------
    Outcome
        Fully funded projects in the order bought (``initial`` first); the trace gives
        each round's load ``t`` as an exact fraction.

    Raises
    ------
    RuleError
        For cumulative, scoring or ordinal ballots.
    ValidationError
        An unknown or repeated id in ``initial``, or initial projects costing more
        than the budget.

    Notes
    -----
    Complexity: ``O(nnz)`` time and memory to set up, for ``nnz`` approvals over the
    distinct ballots; then at most ``m`` rounds (``m`` projects), each ``O(m)`` to find
    the next purchase plus ``O(approvals of its supporters)`` to update loads:
    ``O(nnz + m² + m · nnz)`` time in the worst case, ``O(nnz + m²)`` memory. Python
    loops run over projects, never over voters.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 4), Project("b", 4), Project("c", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "b", "c"]]))
    >>> phragmen(e).selected
    ('a', 'b')
    >>> phragmen(e, initial=["c"]).selected
    ('c', 'a')
    """
    require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), "phragmen")
    first = initial_indices(election, initial)
    selected, trace = sequential(election, first, None, tie_break)
    params = {"tie_break": str(tie_break)}
    if first:
        params["initial"] = " ".join(election.project_ids[j] for j in first)
    return Outcome.from_selection(election, selected, rule="phragmen", trace=trace, params=params)


def initial_indices(election: Election, initial: Sequence[str]) -> list[int]:
    """The indices of ``initial`` project ids, checked (known, once each, within budget)."""
    if isinstance(initial, str):
        initial = [initial]
    index = {pid: j for j, pid in enumerate(election.project_ids)}
    unknown = [p for p in initial if p not in index]
    if unknown:
        raise ValidationError(
            _("unknown initial project(s): {ids}", ids=", ".join(map(str, unknown))),
            project_id=str(unknown[0]),
        )
    twice = sorted({p for p in initial if list(initial).count(p) > 1})
    if twice:
        raise ValidationError(_("initial project(s) given twice: {ids}", ids=", ".join(twice)))
    first = [index[p] for p in initial]
    cost = sum(int(election.costs[j]) for j in first)
    if cost > election.budget:
        raise ValidationError(
            _(
                "the initial projects cost {cost}, more than the budget {budget}",
                cost=election.money.format(cost),
                budget=election.money.format(election.budget),
            ),
            hint=_("fund fewer projects before the rule runs, or raise the budget"),
        )
    return first


def sequential(
    election: Election,
    first: list[int],
    start: Sequence[Fraction] | None,
    tie_break: TieBreak,
) -> tuple[list[int], list[TraceStep]]:
    """Phragmén's rounds after the projects ``first``, from the loads ``start`` (per group)."""
    prof = election.profile
    resolver = tie_break.resolver(election)
    ids = election.project_ids
    m = len(ids)
    costs = [int(c) for c in election.costs]
    budget = election.budget
    loads = Loads(prof.approvals(), prof.group_weight, costs, start)
    support = loads.support
    spent = sum(costs[j] for j in first)
    selected: list[int] = list(first)
    trace: list[TraceStep] = [
        TraceStep(
            k + 1,
            "select",
            ids[j],
            _("funded before the rule ran"),
            {"cost": costs[j], "left": budget - sum(costs[i] for i in first[: k + 1])},
        )
        for k, j in enumerate(first)
    ]
    remaining = [j for j in range(m) if costs[j] <= budget and j not in first]
    rnd = len(first)
    while remaining:
        rnd += 1
        best, tied = loads.best(remaining)
        best_text = "inf" if best is None else str(best)
        too_big = [j for j in tied if spent + costs[j] > budget]
        if too_big:
            j = resolver.order(too_big)[0]
            trace.append(
                TraceStep(
                    rnd,
                    "stop",
                    ids[j],
                    _(
                        "smallest load {best_text} but cost {cost} exceeds the money "
                        "left {budget}; Phragmén stops here",
                        best_text=best_text,
                        cost=election.money.format(int(costs[j])),
                        budget=election.money.format(int(budget - spent)),
                    ),
                    {"load": best_text, "cost": costs[j], "left": budget - spent},
                )
            )
            break
        j = resolver.pick(tied)
        if best is not None:
            loads.buy(j, best)
        remaining.remove(j)
        selected.append(j)
        trace.append(
            TraceStep(
                rnd,
                "select",
                ids[j],
                _("smallest load {best_text}", best_text=best_text),
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
    return selected, trace
