"""Co-financing: what communities and institutions contribute, and what a project still costs.

From 2001 Villa El Salvador required the population to co-finance 20% of each
project's cost in labour, materials or other forms. This module records such
contributions as :class:`Pledge` values (money, labour valued as hours × a stated
hourly rate, materials valued in money), each with a :class:`PledgeStatus`, and
combines them in a :class:`CofinancingPlan` with

* a :class:`RequiredShare` (e.g. 20% of the cost from the community), checked by
  :func:`shortfalls`, which names every project that falls short and by how much;
* :class:`MatchingRule` values (e.g. the municipality adds 1 sol per sol the
  community gives in cash, up to a cap per project);
* the **net cost** a project draws from the PB envelope, :func:`net_cost`, never
  negative. :func:`net_election` hands an election with net costs to any rule.

Conventions (all amounts are integer minor units):

* A pledge's **value** is its amount (money, materials) or ``hours * rate`` (labour).
* Which pledges **count** is the plan's :class:`Counting`: ``PLEDGED`` (the default)
  counts pledged and received ones, ``RECEIVED`` only those already received.
  Withdrawn pledges never count.
* The **required** amount is ``ceil(cost * share)``: the community must give at least
  the share, so rounding never lowers the requirement.
* A **match** is ``floor(ratio * eligible)``, then capped: rounding never creates
  money the matcher did not promise. Matches do not count toward the community's
  required share.
* A project's contributions and matches **cover** at most its cost; the rest is its
  net cost and anything beyond the cost is reported as ``surplus``. So
  ``cost == net_cost + covered`` and ``contributed + matched == covered + surplus``.

Examples
--------
>>> from participa.model import Project
>>> road = Project("P1", 100_000)
>>> plan = CofinancingPlan(
...     pledges=(
...         Pledge.labour("L1", "P1", hours=400, rate=30, contributor="Junta vecinal"),
...         Pledge.money("M1", "P1", 5_000),
...     ),
...     required=RequiredShare.ves_2001(),
...     matching=(MatchingRule(ratio=Fraction(1), cap=4_000),),
... )
>>> community_share(plan, road)
Fraction(17, 100)
>>> [(s.project_id, s.required, s.counted, s.missing) for s in shortfalls(plan, [road])]
[('P1', 20000, 17000, 3000)]
>>> net_cost(plan, road)  # 100,000 - 17,000 given - 4,000 matched (1:1, capped)
79000

The package holds :mod:`~participa.cofinancing.plan` (pledges, required shares,
matching rules, plans) and :mod:`~participa.cofinancing.financing` (what each project
gets and still costs).
"""

from __future__ import annotations

from fractions import Fraction  # noqa: F401 - the examples above use it

from participa import serialize
from participa.cofinancing.financing import (
    PledgeTotals,
    ProjectFinancing,
    Shortfall,
    community_share,
    financing,
    net_cost,
    net_costs,
    net_election,
    pledge_totals,
    required_amount,
    shortfalls,
)
from participa.cofinancing.plan import (
    CofinancingPlan,
    ContributorKind,
    Counting,
    MatchingRule,
    Pledge,
    PledgeKind,
    PledgeStatus,
    RequiredShare,
)

__all__ = [
    "CofinancingPlan",
    "ContributorKind",
    "Counting",
    "MatchingRule",
    "Pledge",
    "PledgeKind",
    "PledgeStatus",
    "PledgeTotals",
    "ProjectFinancing",
    "RequiredShare",
    "Shortfall",
    "community_share",
    "financing",
    "net_cost",
    "net_costs",
    "net_election",
    "pledge_totals",
    "required_amount",
    "shortfalls",
]

for _cls in (
    Pledge,
    RequiredShare,
    MatchingRule,
    CofinancingPlan,
    ProjectFinancing,
    Shortfall,
    PledgeTotals,
):
    serialize.register(_cls)
