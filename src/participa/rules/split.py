"""Splitting rules the seed paper criticises: per-head split and equal split ("atomisation").

:func:`per_head` is what San Juan de Miraflores' leaders did: the money follows the
votes, not the cost. Each project receives ``budget × its votes / all votes cast``
(exact minor units, largest remainder), so a popular cheap project gets more than it
needs and an expensive one too little to be built.

:func:`equal_split` is Villa El Salvador's "atomisation": the budget divided equally
among territories (S/ 300,000 over 30 neighbourhoods is S/ 10,000 each), each
territory funding what fits its share; ``pools`` lets neighbourhoods merge their
shares to afford a joint project. The envelopes are an
:class:`~participa.allocation.Allocation` (pass any, or let the rule build the equal
one): territorial money is split in one place, :mod:`participa.allocation`.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(300, (Project("a", 250), Project("b", 100)),
...     Profile.from_ballots(BallotKind.CHOOSE_1, ["a", "b"], [["a"], ["b"], ["b"]]))
>>> dict(per_head(e).funding)             # b gets 200 for a 100 project; a gets 100 of 250
{'a': 100, 'b': 100}
>>> per_head(e).leftover                  # b's excess 100 stays unspent
100
>>> dict(per_head(e, redistribute=True).funding)
{'a': 200, 'b': 100}
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Literal

from participa.allocation import Allocation, split_equally
from participa.allocation.pooling import check_pools, pool_map
from participa.apportion import largest_remainder
from participa.boundary import checked
from participa.errors import RuleError, ValidationError
from participa.i18n import _
from participa.model import Election, Project, Territory
from participa.outcome import EnvelopeResult, Outcome, ParamValue, TraceStep
from participa.rules._common import (
    DEFAULT_TIE_BREAK,
    dense_rank,
    exact_support,
    exact_weighted_sums,
)
from participa.tiebreak import TieBreak

__all__ = ["SplitBy", "equal_split", "per_head"]

SplitBy = Literal["territory", "dimension"]
"""What the envelopes of :func:`equal_split` are: territories or thematic dimensions."""


@checked
def per_head(
    election: Election,
    *,
    cap_at_cost: bool = True,
    redistribute: bool = False,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Give each project money in proportion to its votes (San Juan de Miraflores' rule).

    A project's *votes* are the weighted number of ballots naming it (weighted points
    on cumulative and scoring ballots). With one vote per person (choose-1 ballots)
    this splits the money per head of those present.

    Parameters
    ----------
    election
        The election.
    cap_at_cost
        ``True`` (default): no project receives more than its cost. ``False``: the
        raw proportional shares, which may exceed costs.
    redistribute
        With ``cap_at_cost``, share the money cut from capped projects again among
        the others in proportion to their votes, repeatedly, until no project is
        over its cost or every project is capped. ``False`` (default): the excess
        stays unspent.
    tie_break
        Who gets the odd minor unit when remainders tie: the project that comes first
        in the tie-break order.

    Returns
    -------
    Outcome
        ``funding`` is the money each project receives (possibly below its cost);
        ``selected`` holds the fully funded projects (funding at least the cost), by
        votes. The funding always sums to the budget minus ``params["unspent"]``,
        money left when capping cut it (``redistribute=False``), when every project
        reached its cost, or when nobody voted.

    Notes
    -----
    Complexity: ``O(g · m)`` time to count the votes over ``g`` distinct ballots and
    ``m`` projects (Python integers when ``int64`` could overflow), then per round of
    the largest-remainder split ``O(m log m)``; at most ``m`` rounds with
    ``redistribute``, so ``O(g · m + m² log m)`` time and ``O(m)`` memory besides the
    profile. Independent of the budget's magnitude.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(100, (Project("x", 10), Project("y", 90), Project("z", 90)),
    ...     Profile.from_ballots(BallotKind.CHOOSE_1, ["x", "y", "z"], [["x"], ["y"], ["z"]]))
    >>> o = per_head(e)
    >>> dict(o.funding), o.selected, o.params["unspent"]
    ({'x': 10, 'y': 33, 'z': 33}, ('x',), '24')
    >>> dict(per_head(e, redistribute=True).funding)
    {'x': 10, 'y': 45, 'z': 45}
    """
    _check_election(election)
    # exact Python integers: weights × points may pass 2**63 (Election.total_points is int64)
    prof = election.profile
    matrix = prof.matrix if prof.kind.has_points else prof.approvals()
    votes = exact_weighted_sums(election, matrix)
    resolver = tie_break.resolver(election)
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    funding = [0] * len(ids)
    active = [j for j in resolver.order(range(len(ids))) if votes[j] > 0]
    money = election.budget
    total_votes = sum(votes)
    trace: list[TraceStep] = []
    rnd = 0
    while money > 0 and active:
        rnd += 1
        weights = [int(votes[j]) for j in active]
        parts = largest_remainder(money, weights)
        money = 0
        capped: list[int] = []
        for j, part in zip(active, parts, strict=True):
            funding[j] += part
            excess = funding[j] - costs[j]
            if cap_at_cost and excess >= 0:
                funding[j] = costs[j]
                money += excess
                capped.append(j)
            trace.append(
                TraceStep(
                    rnd,
                    "fund",
                    ids[j],
                    _(
                        "{vote} of {sum} votes: a share of {part}",
                        vote=int(votes[j]),
                        sum=sum(weights),
                        part=election.money.format(part),
                    )
                    + (
                        _(
                            ", capped at its cost ({excess} over)",
                            excess=election.money.format(excess),
                        )
                        if j in capped
                        else ""
                    ),
                    {"votes": int(votes[j]), "share": part, "funding": funding[j]},
                )
            )
        if not redistribute:
            break
        active = [j for j in active if j not in capped]
    if money:
        why = _("capping cut it") if cap_at_cost and total_votes else _("nobody voted")
        if redistribute and total_votes:
            why = _("every voted project reached its cost")
        trace.append(
            TraceStep(
                rnd + 1,
                "info",
                None,
                _("{money} left unspent: {why}", money=election.money.format(money), why=why),
                {"unspent": money},
            )
        )
    order = resolver.rank_by(dense_rank(votes))
    selected = [j for j in order if votes[j] > 0 and funding[j] >= costs[j]]
    return Outcome(
        rule="per-head",
        budget=election.budget,
        funding={ids[j]: funding[j] for j in range(len(ids))},
        selected=tuple(ids[j] for j in selected),
        total_cost=sum(costs[j] for j in selected),
        trace=tuple(trace),
        currency=election.money,
        params={
            "cap_at_cost": str(cap_at_cost),
            "redistribute": str(redistribute),
            "tie_break": str(tie_break),
            "unspent": str(money),
        },
    )


@checked
def equal_split(
    election: Election,
    *,
    allocation: Allocation | None = None,
    by: SplitBy = "territory",
    pools: Mapping[str, Sequence[str]] | None = None,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Fund greedily by votes inside each envelope of a territorial allocation.

    The envelopes come from an :class:`~participa.allocation.Allocation` (any formula,
    floors, caps, pools: see :mod:`participa.allocation`). Without one, the rule builds
    the simple one the name says: the budget split equally among the territories named
    by the projects (:func:`~participa.allocation.split_equally`), with ``pools``.

    Parameters
    ----------
    election
        The election; every project needs a ``territory`` (or ``dimension``).
    allocation
        The money per territory (and its pools). Its total must not exceed the budget;
        every project's territory must be a territory or a pool of it. ``None``
        (default): an equal split of the budget.
    by
        ``"territory"`` (default): the envelopes are :attr:`Project.territory`;
        ``"dimension"``: thematic envelopes by :attr:`Project.dimension`.
    pools
        ``{pool name: territory ids}``: those territories put their shares together
        into one envelope named after the pool, which funds the projects of the
        pool (``territory`` equal to the pool name: joint projects) and of its
        member territories. A territory belongs to at most one pool; pool members
        receive a share even if they have no project of their own. With an
        ``allocation``, these pools replace the allocation's own.
    tie_break
        Orders projects with equal votes inside an envelope (default: project id).

    Returns
    -------
    Outcome
        The fully funded projects, envelope by envelope (envelopes in id order,
        inside each by votes). Money an envelope cannot use is **not** moved: it is
        reported per envelope in the trace and in :attr:`Outcome.envelopes` (each
        envelope's money, spending and ``leftover``), and the outcome's ``leftover`` is
        their sum plus any budget the allocation did not hand out
        (:attr:`Outcome.unallocated`).

    Notes
    -----
    The equal shares are ``budget / number of territories`` in exact minor units; the
    minor units that do not divide go one each to the first territories in id order
    (largest remainder, :mod:`participa.apportion`). Inside an envelope the rule ranks by
    the weighted number of ballots naming each project and skips what does not fit,
    like :func:`~participa.rules.greedy.greedy` with ``utility="cost"``.

    Complexity: ``O(g · m + m log m)`` time for ``m`` projects and ``g`` distinct
    ballots (exact Python-integer support counts, one sort, one pass per envelope),
    ``O(m + t)`` memory for ``t`` envelopes.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project, Territory
    >>> ps = (Project("road", 150, territory="pool"), Project("roof1", 40, territory="n1"),
    ...       Project("roof2", 40, territory="n2"), Project("hall", 90, territory="n3"))
    >>> ids = [p.id for p in ps]
    >>> e = Election(300, ps, Profile.from_ballots(
    ...     BallotKind.APPROVAL, ids, [["road", "roof1"], ["road", "roof2"], ["hall"]]))
    >>> equal_split(e, pools={"pool": ["n1", "n2"]}).selected
    ('hall', 'road', 'roof1')
    >>> pooled = equal_split(e, pools={"pool": ["n1", "n2"]})
    >>> [(v.name, v.money, v.spent, v.members) for v in pooled.envelopes]
    [('n3', 100, 90, ()), ('pool', 200, 190, ('n1', 'n2'))]
    >>> equal_split(e.restrict(["roof1", "roof2", "hall"])).selected   # no pooling
    ('roof1', 'roof2', 'hall')

    Any allocation gives the envelopes, e.g. by population:

    >>> from participa.allocation import Formula, allocate
    >>> ts = [Territory("n1", indicators={"pop": 1}), Territory("n2", indicators={"pop": 1}),
    ...       Territory("n3", indicators={"pop": 4})]
    >>> a = allocate(300, ts, Formula.proportional("pop")).pool({"pool": ["n1", "n2"]})
    >>> dict(a.envelopes)
    {'n3': 200, 'pool': 100}
    >>> equal_split(e, allocation=a).selected   # the pool's 100 cannot build the road
    ('hall', 'roof1', 'roof2')
    """
    _check_election(election)
    attr = _attribute(by)
    keys: list[str] = []
    for p in election.projects:
        key = attr(p)
        if key is None:
            raise RuleError(
                _("equal split by {by} needs every project's {by}", by=by),
                project_id=p.id,
                hint=_("set Project.{by} for every project, or use another rule", by=by),
            )
        keys.append(key)
    try:
        if allocation is None:
            alloc = _equal_allocation(election.budget, keys, pool_map(pools))
            if alloc is None:
                return Outcome.from_selection(election, [], rule="equal-split")
        elif not isinstance(allocation, Allocation):
            raise RuleError(_("equal split needs an Allocation, got {value!r}", value=allocation))
        else:
            alloc = allocation if pools is None else allocation.pool(pools)
    except ValidationError as err:
        raise RuleError(err.message, hint=err.hint) from None
    if alloc.total > election.budget:
        raise RuleError(
            _(
                "the allocation hands out {total}, more than the budget {budget}",
                total=alloc.total,
                budget=election.budget,
            ),
            hint=_("allocate the election's budget, or less"),
        )
    envelope_of: list[str] = []
    for p, key in zip(election.projects, keys, strict=True):
        name = alloc.envelope_of(key)
        if name is None:
            raise RuleError(
                _("the allocation has no envelope for {by} {key!r}", by=by, key=key),
                project_id=p.id,
                hint=_("allocate money to every territory the projects name"),
            )
        envelope_of.append(name)
    envelopes = alloc.envelopes
    resolver = tie_break.resolver(election)
    support = exact_support(election)  # Python ints: no int64 wrap-around
    order = resolver.rank_by(dense_rank(support))
    ids = election.project_ids
    costs = [int(c) for c in election.costs]
    selected: list[int] = []
    trace: list[TraceStep] = []
    params: dict[str, ParamValue] = {"by": by, "tie_break": str(tie_break)}
    results: list[EnvelopeResult] = []
    rnd = 0
    for name in sorted(envelopes):
        left = envelopes[name]
        members = alloc.members(name) if name in alloc.pools else ()
        rnd += 1
        trace.append(
            TraceStep(
                rnd,
                "info",
                None,
                _("envelope {name!r} gets {left}", name=name, left=election.money.format(left))
                + (
                    _(" pooled from {members}", members=", ".join(alloc.members(name)))
                    if name in alloc.pools
                    else ""
                ),
                {"envelope": name, "money": left},
            )
        )
        for j in order:
            if envelope_of[j] != name:
                continue
            rnd += 1
            values = {"envelope": name, "votes": int(support[j]), "cost": costs[j], "left": left}
            if costs[j] <= left:
                left -= costs[j]
                selected.append(j)
                trace.append(TraceStep(rnd, "select", ids[j], _("most votes and it fits"), values))
            else:
                trace.append(
                    TraceStep(
                        rnd,
                        "skip",
                        ids[j],
                        _(
                            "cost {cost} exceeds the envelope's {left}",
                            cost=election.money.format(costs[j]),
                            left=election.money.format(left),
                        ),
                        values,
                    )
                )
        results.append(EnvelopeResult(name, envelopes[name], envelopes[name] - left, members))
        if left:
            rnd += 1
            trace.append(
                TraceStep(
                    rnd,
                    "info",
                    None,
                    _(
                        "envelope {name!r} leaves {left} unspent (not moved to other envelopes)",
                        name=name,
                        left=election.money.format(left),
                    ),
                    {"envelope": name, "leftover": left},
                )
            )
    return Outcome.from_selection(
        election, selected, rule="equal-split", trace=trace, params=params, envelopes=results
    )


def _check_election(election: object) -> None:
    if not isinstance(election, Election):
        raise RuleError(_("a rule needs an Election, got {value!r}", value=election))


def _equal_allocation(
    budget: int, keys: Sequence[str], pools: Mapping[str, tuple[str, ...]]
) -> Allocation | None:
    """The budget split equally among the territories the projects and pools name."""
    members = {t for ms in pools.values() for t in ms}
    territories = sorted({k for k in keys if k not in pools} | members)
    if not territories:
        return None
    check_pools(pools, territories)
    return split_equally(budget, [Territory(t) for t in territories], pools=pools)


def _attribute(by: object) -> Callable[[Project], str | None]:
    if by == "territory":
        return _territory
    if by == "dimension":
        return _dimension
    raise RuleError(
        _("equal split by {by!r} is not supported", by=by),
        hint=_("use by='territory' or 'dimension'"),
    )


def _territory(p: Project) -> str | None:
    return p.territory


def _dimension(p: Project) -> str | None:
    return p.dimension
