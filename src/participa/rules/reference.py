"""Slow, obviously-correct reference implementations of the rules, for tests only.

Each function follows its rule's definition literally: plain Python over
*individual voters* (every profile group expanded into its voters, each with her
weight), :class:`~fractions.Fraction` arithmetic, no numpy in the decisions. They
are exponential or quadratic where the definition is, so use them on small
elections only. The fast kernels are tested against them
(``tests/rules/test_exactness.py``).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(100, (Project("a", 60), Project("b", 50), Project("c", 10)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a"], ["a", "b"], ["c"]]))
>>> greedy_reference(e, "cost")
['a', 'c']
>>> max_welfare_reference(e, "cost")
['a', 'c']
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from fractions import Fraction

from participa.boundary import checked
from participa.model import BallotKind, Election
from participa.rules.utility import Utility, default_utility
from participa.tiebreak import TieBreak

__all__ = [
    "greedy_reference",
    "max_welfare_reference",
    "per_head_reference",
    "phragmen_reference",
    "voters",
    "welfare_of",
]

Voter = tuple[int, dict[str, int]]
"""A voter's weight and her ballot as ``{project id: points or rank}``."""


@checked
def voters(election: Election) -> list[Voter]:
    """Every voter, one entry each: ``(weight, {project id: value on her ballot})``."""
    prof = election.profile
    out: list[Voter] = []
    on = prof.approvals()  # projects listed with 0 points are on the ballot too
    for g in range(prof.num_groups):
        row = prof.matrix[g]
        ballot = {prof.project_ids[j]: int(row[j]) for j in range(len(row)) if on[g, j]}
        for _ in range(int(prof.multiplicity[g])):
            out.append((int(prof.weight[g]), ballot))
    return out


def _utility(election: Election, utility: str, ballot: dict[str, int], pid: str) -> int:
    if pid not in ballot:
        return 0
    if utility == "cost":
        return election.project(pid).cost
    if utility == "count":
        return 1
    if utility == "points":
        return ballot[pid]
    # borda: rank r (1-based) on a ballot of length L is worth L - r
    return len(ballot) - ballot[pid]


@checked
def welfare_of(election: Election, utility: Utility | str, chosen: Iterable[str]) -> int:
    """Total weighted utility of a set of projects."""
    ids = list(chosen)
    return sum(w * sum(_utility(election, utility, b, p) for p in ids) for w, b in voters(election))


def _priority(election: Election, tie_break: TieBreak) -> dict[str, int]:
    pr = tie_break.resolver(election).priority
    return {p: int(pr[j]) for j, p in enumerate(election.project_ids)}


@checked
def greedy_reference(
    election: Election,
    utility: Utility | str | None = None,
    *,
    skip: bool = True,
    threshold: int | None = None,
    tie_break: TieBreak = TieBreak(),  # noqa: B008 - frozen value
) -> list[str]:
    """Greedy by marginal welfare per cost, re-evaluated every round (the general scheme).

    Each round, among projects still eligible, pick the largest gain in total
    utility per unit of cost (a free project somebody values: infinite; a project
    nobody values: 0), ties by tie priority; select it if it fits, else skip it
    (or stop, without skip).
    """
    u = utility or default_utility(election.kind)
    prio = _priority(election, tie_break)
    vs = voters(election)
    eligible = list(election.project_ids)
    if threshold is not None:

        def score(p: str) -> int:
            if election.kind.has_points:
                return sum(w * b.get(p, 0) for w, b in vs)
            return sum(w for w, b in vs if p in b)

        eligible = [p for p in eligible if score(p) >= threshold]
    chosen: list[str] = []
    left = election.budget
    while eligible:

        def key(p: str) -> tuple[int, Fraction, int]:
            gain = welfare_of(election, u, [*chosen, p]) - welfare_of(election, u, chosen)
            cost = election.project(p).cost
            if gain <= 0:
                return (0, Fraction(0), -prio[p])
            if cost == 0:
                return (2, Fraction(0), -prio[p])
            return (1, Fraction(gain, cost), -prio[p])

        best = max(eligible, key=key)
        eligible.remove(best)
        cost = election.project(best).cost
        if cost <= left:
            chosen.append(best)
            left -= cost
        elif not skip:
            break
    return chosen


@checked
def phragmen_reference(election: Election, *, tie_break: TieBreak = TieBreak()) -> list[str]:  # noqa: B008
    """Sequential Phragmén with one exact load per voter (approval ballots)."""
    assert election.kind in (BallotKind.APPROVAL, BallotKind.CHOOSE_1)
    prio = _priority(election, tie_break)
    vs = voters(election)
    loads = [Fraction(0)] * len(vs)
    remaining = [p.id for p in election.projects if p.cost <= election.budget]
    spent = 0
    chosen: list[str] = []
    while remaining:
        times: dict[str, Fraction | None] = {}
        for p in remaining:
            sup = [i for i, (_, b) in enumerate(vs) if p in b]
            weight = sum(vs[i][0] for i in sup)
            if weight == 0:
                times[p] = None  # infinite
            else:
                paid = sum((vs[i][0] * loads[i] for i in sup), Fraction(0))
                times[p] = (paid + election.project(p).cost) / weight
        finite = [t for t in times.values() if t is not None]
        best = min(finite) if finite else None
        tied = [p for p in remaining if times[p] == best]
        if any(spent + election.project(p).cost > election.budget for p in tied):
            break
        pick = min(tied, key=lambda p: prio[p])
        if best is not None:
            for i, (_, b) in enumerate(vs):
                if pick in b:
                    loads[i] = best
        remaining.remove(pick)
        chosen.append(pick)
        spent += election.project(pick).cost
    return chosen


@checked
def max_welfare_reference(
    election: Election,
    utility: Utility | str | None = None,
    *,
    tie_break: TieBreak = TieBreak(),  # noqa: B008
) -> list[str]:
    """Every subset that fits; the largest welfare; ties lexicographically by priority.

    Returned in priority order.
    """
    u = utility or default_utility(election.kind)
    prio = _priority(election, tie_break)
    ids = sorted(election.project_ids, key=lambda p: prio[p])
    best: tuple[int, tuple[bool, ...]] | None = None
    best_set: list[str] = []
    for mask in itertools.product((True, False), repeat=len(ids)):
        chosen = [p for p, on in zip(ids, mask, strict=True) if on]
        if sum(election.project(p).cost for p in chosen) > election.budget:
            continue
        key = (welfare_of(election, u, chosen), mask)
        if best is None or key > best:
            best, best_set = key, chosen
    return best_set


@checked
def per_head_reference(
    election: Election,
    *,
    cap_at_cost: bool = True,
    redistribute: bool = False,
    tie_break: TieBreak = TieBreak(),  # noqa: B008
) -> dict[str, int]:
    """Per-head split by definition: shares of the money in proportion to votes.

    Counts each project's votes voter by voter (points on cumulative and scoring
    ballots), apportions the money by largest remainder with ties to the higher
    tie priority, caps at cost and, with ``redistribute``, shares the excess again
    among the uncapped projects until nothing changes.
    """
    prio = _priority(election, tie_break)
    vs = voters(election)
    ids = sorted(election.project_ids, key=lambda p: prio[p])
    votes = {
        p: sum(w * (b.get(p, 0) if election.kind.has_points else int(p in b)) for w, b in vs)
        for p in ids
    }
    cost = {p: election.project(p).cost for p in ids}
    funding = dict.fromkeys(ids, 0)
    money = election.budget
    active = [p for p in ids if votes[p] > 0]
    while money > 0 and active:
        total = sum(votes[p] for p in active)
        quotas = {p: Fraction(money * votes[p], total) for p in active}
        parts = {p: q.numerator // q.denominator for p, q in quotas.items()}
        rest = money - sum(parts.values())
        for p in sorted(active, key=lambda p: (-(quotas[p] - parts[p]), prio[p]))[:rest]:
            parts[p] += 1
        money = 0
        capped = []
        for p in active:
            funding[p] += parts[p]
            if cap_at_cost and funding[p] >= cost[p]:
                money += funding[p] - cost[p]
                funding[p] = cost[p]
                capped.append(p)
        if not redistribute:
            break
        active = [p for p in active if p not in capped]
    return {p: funding[p] for p in election.project_ids}
