"""Cohesive groups and exact Pareto optimality.

Cohesive groups
---------------
A set of projects ``T`` and the voters ``S`` who approve all of ``T`` form a *cohesive
group* when ``S`` is large enough to pay for ``T`` with its fair share of the budget:
``|S| · budget ≥ n · cost(T)``. Proportionality axioms (JR, PJR, EJR) promise such
groups something; :func:`cohesive_groups` lists them all, each ``T`` with its largest
``S``. Adding a project to ``T`` only shrinks ``S`` and raises the cost, so a set that
is not cohesive has no cohesive superset: the search grows sets project by project and
stops at the first failure (each step one vector operation over the distinct ballots).

Pareto optimality
-----------------
An outcome is *Pareto optimal* when no other affordable set of projects gives every
voter at least as much and somebody more. :func:`pareto_improvement` finds such a set
or proves there is none, by branch and bound over the projects (no solver): a branch is
cut when it cannot pay, or when some voter can no longer reach what she has now even
with every project still undecided.

Satisfaction is additive: ``"cost"`` (the money of the funded projects she approves),
``"count"`` (how many). Approval-like ballots (a project counts where it is on the
ballot).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(10, (Project("a", 5), Project("b", 5), Project("c", 6)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a", "b"], ["a", "b"], ["c"], ["c"]]))
>>> [(g.projects, g.voters) for g in cohesive_groups(e)]
[(('a',), 2), (('b',), 2)]
>>> pareto_improvement(e, ["c"]) is None
True
>>> pareto_improvement(e, ["a"]).projects
('a', 'b')
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal

import attrs
import numpy as np
import numpy.typing as npt

from participa._wide import exact_sum
from participa.analysis.axioms import SearchLimitExceeded
from participa.analysis.fairshare import selected_mask
from participa.boundary import checked, typed_fields
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import Election
from participa.outcome import Outcome

__all__ = [
    "CohesiveGroup",
    "ParetoImprovement",
    "Satisfaction",
    "cohesive_groups",
    "is_pareto_optimal",
    "pareto_improvement",
]

Satisfaction = Literal["cost", "count"]


def _str_tuple(value: Collection[str]) -> tuple[str, ...]:
    return tuple(value)


def _int_tuple(value: Collection[int]) -> tuple[int, ...]:
    return tuple(int(v) for v in value)


@attrs.frozen(slots=True, field_transformer=typed_fields)
class CohesiveGroup:
    """Projects ``projects`` and the ``voters`` (their weight) who approve all of them.

    ``ballots`` are the profile rows of those voters.
    """

    projects: tuple[str, ...] = attrs.field(converter=_str_tuple)
    voters: int
    ballots: tuple[int, ...] = attrs.field(converter=_int_tuple, repr=False)


@checked
def cohesive_groups(election: Election, *, limit: int = 100_000) -> tuple[CohesiveGroup, ...]:
    """Every cohesive project set with its largest group of voters, sets in id order.

    Raises
    ------
    SearchLimitExceeded
        When more than ``limit`` cohesive sets exist (the answer would be huge).
    """
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    n = prof.total_weight
    budget = election.budget
    costs = [int(c) for c in election.costs]
    order = sorted(range(len(costs)), key=lambda j: election.project_ids[j])
    found: list[CohesiveGroup] = []
    everyone = np.ones(prof.num_groups, dtype=bool)

    def grow(start: int, members: list[int], voters: npt.NDArray[np.bool_], cost: int) -> None:
        for pos in range(start, len(order)):
            j = order[pos]
            keep = voters & approvals[:, j]
            size = exact_sum(weights[keep])
            total = cost + costs[j]
            if size == 0 or size * budget < n * total:
                continue
            group = [*members, j]
            if len(found) >= limit:
                raise SearchLimitExceeded(
                    _("more than {limit} cohesive groups", limit=limit),
                    hint=_("pass a larger limit="),
                )
            found.append(
                CohesiveGroup(
                    tuple(election.project_ids[p] for p in group),
                    size,
                    tuple(int(g) for g in np.flatnonzero(keep)),
                )
            )
            grow(pos + 1, group, keep, total)

    if n > 0:
        grow(0, [], everyone, 0)
    return tuple(sorted(found, key=lambda g: g.projects))


@attrs.frozen(slots=True, field_transformer=typed_fields)
class ParetoImprovement:
    """An affordable set of projects no voter likes less and ``better_off`` voters like more."""

    projects: tuple[str, ...] = attrs.field(converter=_str_tuple)
    better_off: int


@checked
def pareto_improvement(
    election: Election,
    selection: Outcome | Collection[str],
    *,
    satisfaction: Satisfaction = "cost",
    limit: int = 1_000_000,
) -> ParetoImprovement | None:
    """An affordable set Pareto-dominating ``selection``, or ``None`` when it is Pareto optimal.

    Exact (integers). Branch and bound over the projects, most valued first; at most
    ``limit`` branches.

    Raises
    ------
    SearchLimitExceeded
        When the search needs more than ``limit`` branches.
    """
    if satisfaction not in ("cost", "count"):
        raise ValidationError(
            _("unknown satisfaction {satisfaction!r}", satisfaction=satisfaction),
            hint=_("use one of: {choices}", choices="cost, count"),
        )
    chosen = selected_mask(election, selection)
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    costs = np.asarray(election.costs, dtype=object)
    value = costs if satisfaction == "cost" else np.ones(len(costs), dtype=object)
    gain = approvals.astype(object) * value  # groups × projects, Python integers
    target = gain[:, chosen].sum(axis=1) if prof.num_groups else np.zeros(0, dtype=object)
    order = sorted(range(len(costs)), key=lambda j: (-int((gain[:, j] * weights).sum()), j))
    budget = election.budget
    # what every group could still gain from the projects at positions pos.. of `order`
    rest = np.zeros((len(order) + 1, prof.num_groups), dtype=object)
    for pos in range(len(order) - 1, -1, -1):
        rest[pos] = rest[pos + 1] + gain[:, order[pos]]
    branches = 0

    def search(
        pos: int, have: npt.NDArray[np.object_], spent: int, picked: list[int]
    ) -> list[int] | None:
        nonlocal branches
        branches += 1
        if branches > limit:
            raise SearchLimitExceeded(
                _("the Pareto search needs more than {limit} branches", limit=limit),
                hint=_("pass a larger limit="),
            )
        if (have + rest[pos] < target).any():
            return None
        if pos == len(order):
            better = have > target
            return picked if (have >= target).all() and better.any() else None
        j = order[pos]
        if spent + int(costs[j]) <= budget:
            found = search(pos + 1, have + gain[:, j], spent + int(costs[j]), [*picked, j])
            if found is not None:
                return found
        return search(pos + 1, have, spent, picked)

    if prof.num_groups == 0:
        return None
    result = search(0, np.zeros(prof.num_groups, dtype=object), 0, [])
    if result is None:
        return None
    have = gain[:, result].sum(axis=1)
    better = exact_sum(weights[np.asarray(have > target, dtype=bool)])
    ids = sorted(election.project_ids[j] for j in result)
    return ParetoImprovement(tuple(ids), better)


@checked
def is_pareto_optimal(
    election: Election,
    selection: Outcome | Collection[str],
    *,
    satisfaction: Satisfaction = "cost",
    limit: int = 1_000_000,
) -> bool:
    """Whether no affordable set of projects Pareto-dominates ``selection`` (exact)."""
    found = pareto_improvement(election, selection, satisfaction=satisfaction, limit=limit)
    return found is None
