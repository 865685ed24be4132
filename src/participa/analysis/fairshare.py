"""Fair share: how close each voter's share of the funded money comes to what she deserves.

Split every project's cost equally among its supporters: a supporter's *share* of a
project is ``cost / supporters``. A voter's share of an outcome is the sum of her
shares of the funded projects she supports; her *fair share* is what she would get
if every project she supports were funded, capped at her equal part of the budget,
``min(Σ shares of her projects, budget / n)`` (Peters, Pierczyński and Skowron's
"fair share" for PB). Two averages over voters measure an outcome, both exact:

* :func:`distance_to_fair_share` — mean ``|share − fair share|`` in minor units
  (0 is best);
* :func:`capped_fair_share_ratio` — mean ``min(share / fair share, 1)`` (1 is
  best). A voter whose fair share is 0 (an empty ballot, or only free projects)
  counts as fully served: she is owed nothing.

:func:`category_proportionality` compares the money an outcome gives to each
category with the money the voters' ballots give it, as
``exp(−mean over categories of squared difference of cost fractions)`` (1 is best).

Voters are counted with their weights (a delegate of weight ``w`` is ``w`` voters).
These follow the definitions of the reference library's newest source (its
``fairshare`` and ``category`` analysis modules); they agree with it exactly on
the dev corpus (``tests/analysis/test_fairshare.py``).

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(60, (Project("a", 40), Project("b", 20), Project("c", 30)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a", "b"], ["a"], ["c"]]))
>>> [str(x) for x in fair_shares(e)]
['20', '20', '20']
>>> str(distance_to_fair_share(e, ["a", "b"]))
'40/3'
>>> str(capped_fair_share_ratio(e, ["a", "b"]))
'2/3'
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from fractions import Fraction
from typing import Any

import numpy as np
import numpy.typing as npt

from participa.boundary import checked
from participa.errors import ValidationError
from participa.i18n import _
from participa.model import Election
from participa.outcome import Outcome

__all__ = [
    "capped_fair_share_ratio",
    "category_proportionality",
    "distance_to_fair_share",
    "fair_shares",
]


def selected_mask(election: Election, outcome: Outcome | Iterable[str]) -> npt.NDArray[np.bool_]:
    """The selected projects as a mask over the election's projects (ids checked).

    The one reading of "what was selected" that every analysis uses: an
    :class:`~participa.Outcome` (its ``selected``) or any collection of project ids.
    """
    ids = outcome.selected if isinstance(outcome, Outcome) else outcome
    if isinstance(ids, str):
        raise ValidationError(
            _("the selected projects must be a collection of ids, not one id"),
            hint=_("wrap a single id in a list: ['P1']"),
        )
    mask = np.zeros(len(election.projects), dtype=bool)
    known = set(election.project_ids)
    for pid in ids:
        if pid not in known:
            raise ValidationError(
                _("the outcome names a project the election does not have"), project_id=str(pid)
            )
        mask[election.index(pid)] = True
    return mask


def _share_sums(
    election: Election, mask: npt.NDArray[np.bool_] | None
) -> tuple[npt.NDArray[Any], int]:
    """Per ballot group, ``Σ cost_p / supporters_p`` over its projects (in ``mask``), exactly.

    Returns integer numerators over one common denominator ``L`` (the least common
    multiple of the supporter counts), as Python integers, and ``L``.
    """
    prof = election.profile
    approvals = prof.approvals()
    support = [int(s) for s in election.support()]  # exact: no int64 wrap-around
    common = 1
    for s in support:
        if s:
            common = math.lcm(common, s)
    per_project = np.array(
        [int(c) * (common // s) if s else 0 for c, s in zip(election.costs, support, strict=True)],
        dtype=object,
    )
    if mask is not None:
        per_project = np.where(mask, per_project, 0)
    if approvals.shape[0] == 0:
        return np.zeros(0, dtype=object), common
    sums = approvals.astype(object) @ per_project
    return np.asarray(sums, dtype=object), common


@checked
def fair_shares(election: Election) -> list[Fraction]:
    """Each ballot group's fair share, in minor units (per voter of the group).

    ``min(Σ cost_p / supporters_p over her projects, budget / n)``, ``n`` the total weight.
    """
    sums, common = _share_sums(election, None)
    n = election.profile.total_weight
    cap = Fraction(election.budget, n) if n else Fraction(0)
    return [min(Fraction(int(s), common), cap) for s in sums]


def _per_group(
    election: Election, outcome: Outcome | Collection[str]
) -> tuple[list[Fraction], list[Fraction], list[int], int]:
    mask = selected_mask(election, outcome)
    fair = fair_shares(election)
    got, common = _share_sums(election, mask)
    shares = [Fraction(int(s), common) for s in got]
    prof = election.profile
    return fair, shares, [int(w) for w in prof.group_weight], prof.total_weight


@checked
def distance_to_fair_share(election: Election, outcome: Outcome | Collection[str]) -> Fraction:
    """Mean over voters of ``|share − fair share|`` in minor units (0 is best).

    Parameters
    ----------
    election
        The election (any ballot kind: a project is supported where it is on the ballot).
    outcome
        An :class:`~participa.Outcome` or the selected project ids.
    """
    fair, shares, weights, n = _per_group(election, outcome)
    if n == 0:
        return Fraction(0)
    total = sum(
        (abs(s - f) * w for f, s, w in zip(fair, shares, weights, strict=True)), Fraction(0)
    )
    return total / n


@checked
def capped_fair_share_ratio(election: Election, outcome: Outcome | Collection[str]) -> Fraction:
    """Mean over voters of ``min(share / fair share, 1)`` (1 is best; owed nothing counts as 1)."""
    fair, shares, weights, n = _per_group(election, outcome)
    if n == 0:
        return Fraction(1)
    total = sum(
        (
            (min(s / f, Fraction(1)) if f else Fraction(1)) * w
            for f, s, w in zip(fair, shares, weights, strict=True)
        ),
        Fraction(0),
    )
    return total / n


@checked
def category_proportionality(election: Election, outcome: Outcome | Collection[str]) -> float:
    """How well the money per category follows the ballots: ``exp(−mean squared gap)``.

    For each category, the fraction of the funded cost that goes to its projects is
    compared with the average, over voters, of the fraction of the cost of her
    ballot that goes to them; the squared differences are averaged over categories.
    A project in several categories counts fully in each. Exact until the final
    exponential.

    Raises
    ------
    ValidationError
        If no project has a category, or no voter's ballot has a project of positive cost.
    """
    mask = selected_mask(election, outcome)
    categories = sorted({c for p in election.projects for c in p.categories})
    if not categories:
        raise ValidationError(
            _("category proportionality needs projects with categories"),
            hint=_("give the projects categories (the pabulib column 'category')"),
        )
    if not mask.any():
        return 0.0
    costs = [int(c) for c in election.costs]
    member = np.array(
        [[c in p.categories for c in categories] for p in election.projects], dtype=bool
    ).reshape(len(election.projects), len(categories))
    funded_total = sum(c for c, m in zip(costs, mask, strict=True) if m)
    cost_obj = np.array(costs, dtype=object)
    funded_by_cat = (np.where(mask, cost_obj, 0) @ member.astype(object)).tolist()
    prof = election.profile
    approvals = prof.approvals()
    ballot_cost = (approvals.astype(object) @ cost_obj).tolist()
    ballot_cat = (approvals.astype(object) @ (member.astype(object) * cost_obj[:, None])).tolist()
    weights = [int(w) for w in prof.group_weight]
    n = prof.total_weight
    if any(bc == 0 and w for bc, w in zip(ballot_cost, weights, strict=True)) or n == 0:
        raise ValidationError(
            _("category proportionality needs every ballot to name a project of positive cost")
        )
    gap = Fraction(0)
    for k in range(len(categories)):
        funded = Fraction(int(funded_by_cat[k]), funded_total) if funded_total else Fraction(0)
        wanted = (
            sum(
                (
                    Fraction(int(row[k]), int(bc)) * w
                    for row, bc, w in zip(ballot_cat, ballot_cost, weights, strict=True)
                    if w
                ),
                Fraction(0),
            )
            / n
        )
        gap += (funded - wanted) ** 2
    return math.exp(-float(gap / len(categories)))
