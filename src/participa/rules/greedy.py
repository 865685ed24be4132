"""Greedy selection by utility per unit of cost, with the *no-skip* and *threshold* variants.

The rule ranks projects once by their total utility divided by their cost
(exactly, as fractions), best first, and walks down the list: a project that
fits in the money left is selected; one that does not is skipped (or, with
``skip=False``, ends the run). Projects nobody values come last, in tie order, and
are still added while money remains, as the reference library does.

=============  ==========================================================
``utility``    greedy ranks by
=============  ==========================================================
``"cost"``     number of supporters (utility = cost, so utility / cost = 1
               per supporter)
``"count"``    supporters per unit of cost
``"points"``   points per unit of cost (cumulative, scoring ballots)
``"borda"``    Borda score per unit of cost (ordinal ballots; rank ``r`` on
               a ballot of length ``L`` is worth ``L - r``)
``"effort"``   effort per unit of cost: 1 for every supported project
               (its supporters' effort adds up to its cost), so the
               tie-break orders them
=============  ==========================================================

With a satisfaction that is not additive (``"cost-sqrt"``, ``"cost-log"``, ``"cc"``;
see :mod:`participa.rules.utility`) greedy is the *marginal-gain* scheme of the
literature and the reference library: each round, among the projects that still fit,
the one whose funding raises the voters' total satisfaction most per unit of cost
(a free project first), ties by ``tie_break``, until nothing fits. Gains of ``cc`` are
integers; gains of ``cost-sqrt`` and ``cost-log`` are sums of square roots and
logarithms, computed in floating point with a proven error bound and, where that
cannot separate the best candidates, compared exactly
(:mod:`participa.rules._concave`: equality decided algebraically, signs with
correctly rounded decimals and a proven bound). Only the skipping variant is
defined for them.

Notes
-----
Complexity: one weighted sum over the ballots (``O(groups × projects)`` numpy work,
exact Python integers only when an ``int64`` bound cannot be proven), one exact sort
of the projects (``O(projects log projects)`` Fraction comparisons) and one pass
down the list. Sums are exact at any magnitude: costs, budgets and voter weights
beyond ``2^63`` give the same outcome as with small numbers.

This matches pabutools 1.2.3's ``greedy_utilitarian_welfare`` for ``Cost_Sat``,
``Cardinality_Sat``, ``Additive_Cardinal_Sat`` and ``Additive_Borda_Sat``. For Borda the
reference library uses its general marginal-gain scheme (each round, the feasible
project with the largest gain in total satisfaction per unit of cost). Because a
ballot's Borda satisfaction is the sum of its projects' positional scores, the gain
of a project never depends on what was already chosen, and a project that does not
fit once never fits later; so the marginal-gain scheme selects exactly the same set
as ranking once by Borda score per cost. The differential tests
(``tests/rules/test_differential.py``) confirm it. The one difference is the *order*
of free projects nobody values: the marginal-gain scheme takes every free project
first, this rule takes them last; the selected set is the same.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 60), Project("b", 50), Project("c", 10)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a", "b"], ["a"], ["c"], ["b"]]))
>>> greedy(e).selected
('a', 'c')
>>> greedy(e, utility="count").selected
('c', 'a')
>>> greedy(e, skip=False).selected
('a',)
"""

from __future__ import annotations

import numpy as np

from participa.errors import RuleError, ValidationError
from participa.i18n import _
from participa.model import Election
from participa.outcome import Outcome, ParamValue, TraceAction, TraceStep
from participa.rules._common import (
    dense_rank,
    density_key,
    exact_support,
    exact_weighted_sums,
    ratio_text,
    tie_groups,
)
from participa.rules.marginal import marginal_greedy
from participa.rules.utility import (
    Utility,
    UtilityMatrix,
    default_utility,
    resolve_utility,
)
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["greedy", "greedy_order"]


def greedy_order(
    election: Election,
    *,
    utility: Utility | UtilityMatrix | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> tuple[list[list[int]], list[int], list[str]]:
    """Projects grouped by equal utility per cost, best first (ties in tie-break order).

    Returns the groups of project indices, each project's total utility (exact) and
    its ratio as exact text.
    """
    costs = [int(c) for c in election.costs]
    name = default_utility(election.kind) if utility is None else utility
    if isinstance(name, str) and name in ("cost", "count", "effort"):
        # utility = cost or 1 on every ballot naming the project: no matrix needed;
        # effort: the supporters' efforts add up to the cost of a supported project
        support = exact_support(election)
        if name == "cost":
            scores = [s * c for s, c in zip(support, costs, strict=True)]
        elif name == "effort":
            scores = [c if s > 0 else 0 for s, c in zip(support, costs, strict=True)]
        else:
            scores = support
    else:
        scores = exact_weighted_sums(election, resolve_utility(election, utility)[1])
    keys = [density_key(s, c) for s, c in zip(scores, costs, strict=True)]
    rank = dense_rank(keys)
    groups = list(tie_groups(rank, tie_break.resolver(election)))
    return groups, scores, [ratio_text(k) for k in keys]


def greedy(
    election: Election,
    *,
    utility: Utility | UtilityMatrix | None = None,
    skip: bool = True,
    threshold: int | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Select projects greedily by total utility per unit of cost.

    Parameters
    ----------
    election
        The election.
    utility
        ``"cost"``, ``"count"``, ``"points"``, ``"borda"`` or ``"effort"``, or any
        additive utilities as a ``groups × projects`` array of non-negative integers;
        or a non-additive satisfaction ``"cost-sqrt"``, ``"cost-log"``, ``"cc"``
        (marginal gains, see the module notes); default
        :func:`~participa.rules.utility.default_utility` of the ballot kind.
    skip
        ``True`` (default): skip a project that does not fit and go on.
        ``False`` (*greedy-no-skip*): stop at the first project that does not fit.
    threshold
        If given, only projects whose total score is at least ``threshold`` are
        eligible (*greedy-threshold*). The score is
        :meth:`~participa.model.Election.total_points`: weighted points on
        cumulative and scoring ballots, weighted number of ballots naming the
        project otherwise.
    tie_break
        Orders projects with exactly equal ratios (default: project id). Under
        ``refuse``, a :class:`~participa.TieError` is raised only when the order of
        tied projects changes the outcome.

    Returns
    -------
    Outcome
        Fully funded projects in selection order, with a trace of every selection
        and skip.

    Notes
    -----
    Complexity: ``O(g · m)`` time for the weighted utility sums over ``g`` distinct
    ballots and ``m`` projects (numpy ``int64`` when a bound is proven, Python integers
    otherwise), ``O(m log m)`` exact comparisons to rank the projects and ``O(m)`` for
    the pass down the list; ``O(g · m)`` memory for the utility matrix. Independent of
    the budget's magnitude.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 6), Project("y", 6), Project("z", 3)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["x", "y", "z"],
    ...                          [["x"], ["y"], ["z"], ["z"]]))
    >>> greedy(e).selected
    ('z', 'x')
    >>> greedy(e, tie_break=TieBreak.parse("refuse"))
    Traceback (most recent call last):
    ...
    participa.errors.TieError: tie between projects ['x', 'y'] under tie-breaking 'refuse' ...
    >>> greedy(e, threshold=2).selected
    ('z',)
    """
    if threshold is not None and (isinstance(threshold, bool) or not isinstance(threshold, int)):
        raise ValidationError(
            _("threshold must be an integer score, got {value!r}", value=threshold)
        )
    if isinstance(utility, str) and (
        utility == "cost-sqrt" or utility == "cost-log" or utility == "cc"
    ):
        if not skip or threshold is not None:
            raise RuleError(
                _(
                    "satisfaction {name!r} is not additive: only the skipping greedy is "
                    "defined for it",
                    name=utility,
                ),
                hint=_("use --rule greedy"),
            )
        return marginal_greedy(election, utility=utility, tie_break=tie_break)
    uname = _utility_name(election, utility)
    groups, scores, ratios = greedy_order(election, utility=utility, tie_break=tie_break)
    resolver = tie_break.resolver(election)
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    eligible = np.ones(len(ids), dtype=bool)
    trace: list[TraceStep] = []
    if threshold is not None:
        prof = election.profile
        points = exact_weighted_sums(
            election, prof.matrix if prof.kind.has_points else prof.approvals()
        )
        eligible = np.array([p >= threshold for p in points], dtype=bool)
        for low in np.flatnonzero(~eligible).tolist():
            trace.append(
                TraceStep(
                    0,
                    TraceAction.SKIP,
                    ids[low],
                    _(
                        "score {point} is below the threshold {threshold}",
                        point=points[low],
                        threshold=threshold,
                    ),
                    {"score": points[low], "threshold": threshold},
                )
            )
    left = election.budget
    fmt = election.money.format  # amounts in reasons read as money: S/ 1,234.56
    selected: list[int] = []
    stopped = False
    rnd = 0
    for group in groups:
        members = [j for j in group if eligible[j]]
        while members and not stopped:
            fits_all = sum(costs[j] for j in members) <= left
            fits_none = all(costs[j] > left for j in members)
            j = members[0]
            if tie_break.refuses and len(members) > 1 and not (fits_all or fits_none):
                j = resolver.pick(members)
            members.remove(j)
            rnd += 1
            values = {"score": scores[j], "cost": costs[j], "ratio": ratios[j], "left": left}
            if costs[j] <= left:
                left -= costs[j]
                selected.append(j)
                trace.append(
                    TraceStep(
                        rnd,
                        TraceAction.SELECT,
                        ids[j],
                        _("best ratio {ratio} and it fits", ratio=ratios[j]),
                        values,
                    )
                )
            elif skip:
                trace.append(
                    TraceStep(
                        rnd,
                        TraceAction.SKIP,
                        ids[j],
                        _(
                            "cost {cost} exceeds the money left {left}",
                            cost=fmt(costs[j]),
                            left=fmt(left),
                        ),
                        values,
                    )
                )
            else:
                trace.append(
                    TraceStep(
                        rnd,
                        TraceAction.STOP,
                        ids[j],
                        _(
                            "cost {cost} exceeds the money left {left}; no-skip stops here",
                            cost=fmt(costs[j]),
                            left=fmt(left),
                        ),
                        values,
                    )
                )
                stopped = True
        if stopped:
            break
    name = "greedy" if skip else "greedy-no-skip"
    if threshold is not None:
        name = "greedy-threshold"
    params: dict[str, ParamValue] = {
        "utility": uname,
        "skip": skip,
        "tie_break": str(tie_break),
    }
    if threshold is not None:
        params["threshold"] = threshold
    return Outcome.from_selection(election, selected, rule=name, trace=trace, params=params)


def _utility_name(election: Election, utility: Utility | UtilityMatrix | None) -> str:
    if utility is None:
        return default_utility(election.kind)
    return utility if isinstance(utility, str) else "custom"
