"""Why each project was or was not funded, and by how much: exact margins.

:func:`explain` runs a rule (greedy, equal shares or Phragmén), then, for every
project (or one), measures how far it stands from the other side of the line:

The margins are defined for greedy with every utility it takes (``cost``, ``count``,
``points``, ``borda``, ``effort`` and the non-additive ``cost-sqrt``, ``cost-log`` and
``cc``), for equal shares with ``cost``, ``count``, ``points`` and ``borda``, and for
Phragmén (:data:`EXPLAINED_UTILITIES`):

=====================  =========================================================
project                margins
=====================  =========================================================
not funded             ``cost_reduction``: the smallest cost reduction, in minor
                       units, that gets it funded; ``added_supporters``: the
                       smallest number of new voters approving only it (on
                       cumulative and scoring ballots: the smallest number of
                       points on one new ballot giving points only to it) that
                       gets it funded
funded                 ``removable_supporters``: how many of its supporters can
                       stop supporting it while it stays funded; ``cost_increase``:
                       the largest cost increase it can bear and stay funded
=====================  =========================================================

Every margin is computed by rerunning the rule on modified elections
(:meth:`~participa.model.Election.with_costs`, a profile with voters added or
changed) and searching: exponential search for an upper end where needed, then
bisection. The number of reruns is bounded by ``max_runs``; beyond it
:class:`~participa.analysis.axioms.SearchLimitExceeded` is raised rather than a
guess returned.

Exact or only verified
----------------------
A margin is *proven* exact when the project's status is monotone in the quantity
searched; then bisection finds the first change. Each proof below compares the run on
the modified election with the original one and needs a tie-break that does not favour
costlier or less supported projects (every built-in one except ``max-cost``,
``min-votes`` and ``refuse``).

*Greedy, every margin.* Lowering a project's cost, or adding utility to it, raises its
utility per unit of cost and leaves every other project's unchanged, so in the new
ranking the projects ahead of it are a *prefix* of those ahead of it before. Greedy
only spends money as it walks down the ranking, so the money left after a prefix is at
least the money left after the whole list: the project is reached with at least as
much money as before and costs no more, and if it fitted before it fits now. The same
argument run backwards covers a cost increase and lost supporters.

*Phragmén, every margin.* A project's completion time is ``(cost + Σ loads of its
supporters) / (weight of its supporters)``. A lower cost lowers it; a new voter who
approves only it (load 0) lowers it; a supporter who stops approving it raises it,
because every voter's load is at most the current time, which is at most any remaining
project's completion time. No other project's time changes, so the two runs choose the
same projects until this one is chosen in the modified run, which happens no later
than in the original; the money left then is at least as much, so it fits, and the
modified run does not stop earlier because until then it makes the original's choices.

*Equal shares, cost margins.* The price per unit of utility ``ρ`` at which a
project's supporters can pay its cost ``c`` solves ``Σ min(b_i, ρ u_i) = c``; every
supporter's share ``b_i`` is unchanged until the project is bought, and a lower ``c``
gives a lower (or equal) ``ρ`` (under the ``cost`` utility, ``u_i = c`` and
``Σ min(b_i / c, ρ) = 1``). As for Phragmén the runs agree until the project is bought,
which is no later than before. This holds for costs of at least one minor unit: under
the ``cost`` utility a free project is worth nothing to anyone and is never bought, so
the cost search also tries a cost of 1.

*Greedy with the effort satisfaction.* A supported project's effort score is its cost
(its supporters' efforts add up to it), so its utility per unit of cost is 1 (infinite
when free) and no other project's score depends on it. Lowering its cost or adding a
supporter never lowers its key (it rises from 0 to 1 when its first supporter comes, to
infinite at cost 0), so the prefix argument above applies unchanged; so does losing
supporters, backwards.

*Greedy with a satisfaction that is not additive* (``cost-sqrt``, ``cost-log``, ``cc``:
:mod:`participa.rules.marginal`). Each round funds, among the projects that still fit,
the one whose funding raises the total satisfaction most per unit of cost, given the
projects funded so far. Three facts hold for a project ``j`` not yet funded: (a) the
other projects' gains do not depend on ``j``'s cost nor on who supports ``j`` (a voter's
satisfaction depends only on the funded projects on her ballot, and ``j`` is not among
them yet); (b) ``j``'s gain per unit of cost does not fall when its cost falls: for
``cc`` the gain does not depend on the cost, and for ``cost-sqrt`` and ``cost-log`` each
supporter's gain ``f(T + c) - f(T)`` over ``c`` is the slope of a chord of a concave
``f``, which does not fall as ``c`` shrinks (a free project is funded first); (c) an added
voter approving only ``j`` adds a positive amount to ``j``'s gain (1 for ``cc``, or her
points on points ballots; ``f(c) - f(0)`` for the others) and nothing to any other
project's, and a supporter who stops supporting ``j`` takes a non-negative amount from
``j``'s gain only. So the run on the modified election makes the original's choices, with
the same money left, until it funds ``j``; if the original funded ``j`` in a round, the
modified run reaches that round with the same funded set and money (or has funded ``j``
already), ``j`` fits, and ``j`` is now at least as good against the same rivals, so it is
funded. That is monotonicity in each quantity, and bisection finds the first change.

*Borda* (ordinal ballots, greedy and equal shares). Cost margins are proven as above (a
project's Borda points do not depend on costs). Removing a supporter closes the gap in
her ranking, which takes a point from every project she ranked above it, so the
supporter margin is found by bisection and verified at its edge. A new ballot ranking
only the project gives it ``L - r = 0`` points, so there is no added-supporters margin.

*Equal shares, supporter margins* are not monotone in general (new voters shrink every
voter's share, and who leaves changes what the others can afford). There the margin is
*the threshold found by bisection, verified at its edge*: the search keeps a pair of
reruns one unit apart with different statuses, so the reported value is a genuine edge
(the status at the value differs from the status one unit before), but a smaller change
further away could exist. :attr:`Margin.proven` says which case applies, and the words
say so too.

Supporters are removed in a stated order: on cumulative and scoring ballots
those giving it the most points first, then in profile order; on other ballots in
profile order. Each counts as one voter whatever its weight. Added voters have
weight 1.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 60), Project("b", 50), Project("c", 10)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a", "b"], ["a"], ["c"], ["b"]]))
>>> ex = explain(e, "greedy")
>>> b = ex["b"]
>>> b.funded, b.cost_reduction.value, b.added_supporters.value
(False, 10, 2)
>>> ex["a"].removable_supporters.value, ex["a"].cost_increase.value
(1, 40)
>>> print(b.sentences()[0])
not funded: it costs 50 but only 40 was left when its turn came
"""

from __future__ import annotations

from participa._wide import exact_matmul, exact_sum
from participa.boundary import checked
from participa.errors import RuleError, ValidationError
from participa.explain._search import (
    _added,
    _cut,
    _proven,
    _reason,
    _removable,
    _rise,
    _Runs,
)
from participa.explain._values import (
    DEFAULT_MAX_RUNS,
    EXPLAINED_RULES,
    EXPLAINED_UTILITIES,
    ExplainedRule,
    Explanation,
    Margin,
    MarginKind,
    ProjectExplanation,
)
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome
from participa.rules._common import DEFAULT_TIE_BREAK
from participa.rules.greedy import greedy
from participa.rules.mes import equal_shares
from participa.rules.phragmen import phragmen
from participa.rules.utility import NON_ADDITIVE, Utility, default_utility, parse_utility
from participa.tiebreak import TieBreak
from participa.validators import positive_int

__all__ = [
    "EXPLAINED_RULES",
    "EXPLAINED_UTILITIES",
    "ExplainedRule",
    "Explanation",
    "Margin",
    "MarginKind",
    "ProjectExplanation",
    "explain",
]


@checked
def explain(
    election: Election,
    rule: ExplainedRule,
    *,
    project: str | None = None,
    utility: Utility | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
    max_added: int | None = None,
    max_runs: int = DEFAULT_MAX_RUNS,
) -> Explanation:
    """Explain why each project (or ``project``) was or was not funded, with exact margins.

    Parameters
    ----------
    election
        The election.
    rule
        ``"greedy"`` (:func:`~participa.rules.greedy.greedy`), ``"mes"``
        (:func:`~participa.rules.mes.equal_shares` with its default options) or
        ``"phragmen"`` (:func:`~participa.rules.phragmen.phragmen`).
    project
        Explain only this project (id).
    utility
        For greedy and equal shares (default by ballot kind); Phragmén has none.
    tie_break
        Passed to the rule.
    max_added
        The largest number of added supporters (points on points ballots) searched;
        default ``4 × (number of voters + total points) + 16``.
    max_runs
        The most reruns of the rule allowed in total.

    Returns
    -------
    Explanation
        One :class:`ProjectExplanation` per project, in election order.

    Raises
    ------
    ValidationError
        Unknown project id or rule.
    RuleError
        A ballot kind the rule (or the explanation) does not support.
    SearchLimitExceeded
        More than ``max_runs`` reruns would be needed.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("a", 4), Project("b", 4), Project("c", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
    ...                          [["a", "b"], ["a", "c"], ["b"]]))
    >>> ex = explain(e, "phragmen", project="c")
    >>> c = ex["c"]
    >>> c.funded, c.cost_reduction.value, c.added_supporters.value, c.added_supporters.proven
    (False, 2, 2, True)
    >>> explain(e, "mes", project="c")["c"].added_supporters.proven
    False
    >>> explain(e, "phragmen", project="z")
    Traceback (most recent call last):
    ...
    participa.errors.ValidationError: unknown project id [project 'z']
    """
    if rule not in EXPLAINED_RULES:
        raise ValidationError(
            _("explain does not know the rule {rule!r}", rule=rule),
            hint=_("(use one of: {choices})", choices=", ".join(EXPLAINED_RULES)),
        )
    max_runs = positive_int(max_runs, what="max_runs")
    if max_added is not None:
        max_added = positive_int(max_added, what="max_added")
    kind = election.kind
    if rule == "phragmen":
        if kind not in (BallotKind.APPROVAL, BallotKind.CHOOSE_1):
            raise RuleError(
                _("phragmen needs approval or choose-1 ballots, not {kind}", kind=kind.value)
            )
        u: Utility = "count"
    else:
        u = default_utility(kind) if utility is None else parse_utility(utility)
        if u not in EXPLAINED_UTILITIES[rule]:
            raise RuleError(
                _(
                    "explain has no exact margins for rule {rule!r} with utility {utility!r}",
                    rule=rule,
                    utility=u,
                ),
                hint=_("use one of: {choices}", choices=", ".join(EXPLAINED_UTILITIES[rule])),
            )
    # added support is a new ballot: points on one ballot under the points utility and
    # under cc on points ballots; under borda a ballot naming only the project gives it
    # nothing, so that margin is not defined
    points = u == "points" or (u == "cc" and kind.has_points)
    with_added = u != "borda"
    marginal = rule == "greedy" and u in NON_ADDITIVE

    def run(e: Election) -> Outcome:
        if rule == "greedy":
            return greedy(e, utility=u, tie_break=tie_break)
        if rule == "mes":
            return equal_shares(e, utility=u, tie_break=tie_break)
        return phragmen(e, tie_break=tie_break)

    indices = range(len(election.projects)) if project is None else [election.index(project)]
    outcome = run(election)
    runs = _Runs(run, max_runs)
    proven = _proven(rule, tie_break, u)
    budget = election.budget
    support = exact_matmul(election.profile.multiplicity, election.profile.approvals())
    added_bound = (
        max_added
        if max_added is not None
        else 4 * (election.profile.num_voters + exact_sum(election.total_points())) + 16
    )
    out: list[ProjectExplanation] = []
    for j in indices:
        p = election.projects[j]
        funded = p.id in outcome.selected_set
        key, values = _reason(rule, outcome, p.id, p.cost, budget, marginal)
        margins: tuple[Margin, ...]
        if funded:
            total = int(support[j])
            margins = (
                Margin(
                    MarginKind.REMOVABLE_SUPPORTERS,
                    _removable(runs, election, j, total),
                    total,
                    MarginKind.REMOVABLE_SUPPORTERS in proven,
                ),
                Margin(
                    MarginKind.COST_INCREASE,
                    _rise(runs, election, j),
                    budget - p.cost,
                    MarginKind.COST_INCREASE in proven,
                ),
            )
        else:
            margins = (
                Margin(
                    MarginKind.COST_REDUCTION,
                    _cut(runs, election, j),
                    p.cost,
                    MarginKind.COST_REDUCTION in proven,
                ),
            )
            if with_added:
                margins += (
                    Margin(
                        MarginKind.ADDED_SUPPORTERS,
                        _added(runs, election, j, added_bound, points),
                        added_bound,
                        MarginKind.ADDED_SUPPORTERS in proven,
                        points,
                    ),
                )
        out.append(ProjectExplanation(p.id, p.cost, funded, key, values, margins, election.money))
    return Explanation(rule, u, outcome, tuple(out), runs.count)
