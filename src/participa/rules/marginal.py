"""Greedy by marginal gain per cost, for the non-additive satisfactions.

``cost-sqrt`` (``√`` of the cost of the funded projects on a voter's ballot),
``cost-log`` (``log(1 + that cost)``, costs in currency units) and ``cc``
(Chamberlin–Courant: covered or not; on cumulative and scoring ballots the most points
given to a funded project). Each round, among the projects that still fit in the money
left, the one whose funding raises the total satisfaction most per unit of cost is
funded (a free project first); ties go to ``tie_break``; until nothing fits. This is
the general greedy scheme of the literature and of the reference library
(``greedy_utilitarian_welfare`` with a non-additive satisfaction).

Exactness: ``cc`` gains are integers (exact sums over the ballots). ``cost-sqrt`` and
``cost-log`` gains are computed for every candidate in floating point, with the
cancellation-free forms ``c / (√(T + c) + √T)`` and ``log1p(c / (k + T))`` (``T`` the
voter's funded cost, ``k`` the minor units per currency unit), whose relative error is
a few units in the last place; the sum of ``g`` positive terms is then within a
relative ``(g + 20) · 2^-52``. Candidates whose interval reaches the best candidate's
are compared exactly with :func:`participa.rules._concave.sign_of_sum`, so the order
never depends on rounding.

Complexity: at most ``m`` rounds, each ``O(groups × m)`` numpy work; an exact
comparison costs ``O(d²)`` integer square roots (sqrt) or gcds (log) for ``d`` distinct
funded-cost levels among the candidates' supporters, and happens only for near-ties.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(10, (Project("a", 6), Project("b", 4), Project("c", 4)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a", "b"], ["a", "b"], ["c"]]))
>>> marginal_greedy(e, utility="cc").selected     # b covers 2 voters for 4
('b', 'c')
>>> marginal_greedy(e, utility="cost-sqrt").selected   # b: 2·√4/4 = 1 > a: 2·√6/6
('b', 'c')
"""

from __future__ import annotations

from fractions import Fraction
from typing import Literal

import numpy as np
import numpy.typing as npt

from participa.errors import RuleError
from participa.i18n import _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, ParamValue, TraceAction, TraceStep
from participa.rules._common import exact_weighted_sums, masses, require_kind
from participa.rules._concave import Kind, sign_of_sum
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = ["Concave", "marginal_greedy"]

Concave = Literal["cost-sqrt", "cost-log", "cc"]

_EPS = 2.0**-52


def marginal_greedy(
    election: Election,
    *,
    utility: Concave,
    tie_break: TieBreak = DEFAULT_TIE_BREAK,
) -> Outcome:
    """Greedy by marginal satisfaction gain per cost (see the module notes).

    Parameters
    ----------
    election
        The election: approval or choose-1 ballots for ``cost-sqrt`` and
        ``cost-log``; also cumulative and scoring ballots for ``cc``.
    utility
        ``"cost-sqrt"``, ``"cost-log"`` or ``"cc"``.
    tie_break
        Orders projects with exactly equal gains per cost (default: project id).

    Returns
    -------
    Outcome
        The funded projects in selection order (``rule="greedy"``), with each round's
        gain per cost in the trace.
    """
    if utility not in ("cost-sqrt", "cost-log", "cc"):
        raise RuleError(
            _("satisfaction {name!r} is not a non-additive satisfaction", name=utility),
            hint=_("use one of: {choices}", choices="cost-sqrt, cost-log, cc"),
        )
    prof = election.profile
    points = utility == "cc" and prof.kind.has_points
    if not points:
        require_kind(election, (BallotKind.APPROVAL, BallotKind.CHOOSE_1), f"greedy ({utility})")
    on = prof.approvals()
    pts = prof.matrix.astype(np.int64) if points else np.zeros((0, 0), np.int64)
    costs = [int(c) for c in election.costs]
    ids = election.project_ids
    mass = masses(election)
    massf = np.array([float(x) for x in mass], dtype=np.float64)
    mass_i = np.array(mass, dtype=object)
    g_count = len(mass)
    # T_g, exact: at most the budget, so int64 when the budget is below 2^62
    funded_cost = np.zeros(g_count, dtype=np.int64 if election.budget < 2**62 else object)
    covered = np.zeros(g_count, dtype=bool)
    best_points = np.zeros(g_count, dtype=np.int64)
    unit = election.minor_per_unit if utility == "cost-log" else 0
    priority = [int(p) for p in tie_break.resolver(election).priority]
    resolver = tie_break.resolver(election)
    left = election.budget
    chosen: list[int] = []
    trace: list[TraceStep] = []
    while True:
        feasible = [j for j in range(len(costs)) if j not in chosen and costs[j] <= left]
        if not feasible:
            break
        free = [j for j in feasible if costs[j] == 0]
        if free:
            tied, shown = free, "∞"
        elif utility == "cc":
            if points:
                gain_m = np.maximum(pts[:, feasible] - best_points[:, None], 0)
            else:
                gain_m = (on[:, feasible] & ~covered[:, None]).astype(np.int64)
            gains = exact_weighted_sums(election, gain_m)
            ratios = [Fraction(gv, costs[j]) for gv, j in zip(gains, feasible, strict=True)]
            top = max(ratios)
            tied = [j for j, r in zip(feasible, ratios, strict=True) if r == top]
            shown = f"{float(top):.6g}"
        else:
            kind: Kind = "sqrt" if utility == "cost-sqrt" else "log"
            tied, top_f = _best_concave(kind, on, massf, mass_i, funded_cost, unit, costs, feasible)
            shown = f"{top_f:.6g}"
        if len(tied) > 1:
            j = resolver.pick(tied) if tie_break.refuses else min(tied, key=priority.__getitem__)
        else:
            j = tied[0]
        chosen.append(j)
        left -= costs[j]
        sup = on[:, j]
        funded_cost[sup] += costs[j]
        covered |= sup
        if points:
            best_points = np.maximum(best_points, pts[:, j])
        trace.append(
            TraceStep(
                len(chosen),
                TraceAction.SELECT,
                ids[j],
                _(
                    "largest satisfaction gain per unit of cost ({ratio}) and it fits",
                    ratio=shown,
                ),
                {"cost": costs[j], "left": left, "tied": len(tied)},
            )
        )
    params: dict[str, ParamValue] = {
        "utility": utility,
        "skip": True,
        "tie_break": str(tie_break),
    }
    return Outcome.from_selection(election, chosen, rule="greedy", trace=trace, params=params)


def _best_concave(
    kind: Kind,
    on: npt.NDArray[np.bool_],
    massf: npt.NDArray[np.float64],
    mass_i: npt.NDArray[np.object_],
    funded_cost: npt.NDArray[np.int64] | npt.NDArray[np.object_],
    unit: int,
    costs: list[int],
    feasible: list[int],
) -> tuple[list[int], float]:
    """The feasible projects of exactly largest gain per cost, and that ratio (float)."""
    base = funded_cost.astype(np.float64) + float(unit)
    c = np.array([float(costs[j]) for j in feasible], dtype=np.float64)
    if kind == "sqrt":
        terms = c[None, :] / (np.sqrt(base[:, None] + c[None, :]) + np.sqrt(base)[:, None])
    else:
        terms = np.log1p(c[None, :] / base[:, None])
    gains = (massf[:, None] * np.where(on[:, feasible], terms, 0.0)).sum(axis=0)
    ratio = gains / c
    delta = (len(massf) + 20) * _EPS * 4
    lo, hi = ratio * (1 - delta), ratio * (1 + delta)
    best_lo = float(lo.max())
    cands = [feasible[k] for k in np.flatnonzero(hi >= best_lo).tolist()]
    if len(cands) == 1:
        return cands, float(ratio.max())
    # exact: the running best set, compared by sign(c_b · gain_j - c_j · gain_b)
    terms_of = {j: _exact_terms(on[:, j], mass_i, funded_cost, unit, costs[j]) for j in cands}
    best = [cands[0]]
    for j in cands[1:]:
        b = best[0]
        diff: dict[int, int] = {}
        for n, a in terms_of[j].items():
            diff[n] = diff.get(n, 0) + costs[b] * a
        for n, a in terms_of[b].items():
            diff[n] = diff.get(n, 0) - costs[j] * a
        sign = sign_of_sum(diff, kind)
        if sign > 0:
            best = [j]
        elif sign == 0:
            best.append(j)
    return best, float(ratio.max())


def _exact_terms(
    sup: npt.NDArray[np.bool_],
    mass_i: npt.NDArray[np.object_],
    funded_cost: npt.NDArray[np.int64] | npt.NDArray[np.object_],
    unit: int,
    cost: int,
) -> dict[int, int]:
    """``{n: coefficient}`` with gain ``= Σ coefficient · f(n)``, one term per cost level."""
    rows = np.flatnonzero(sup)
    levels = funded_cost[rows].astype(object) + unit
    out: dict[int, int] = {}
    if rows.size == 0:
        return out
    uniq, inv = np.unique(levels, return_inverse=True)
    weight = np.zeros(len(uniq), dtype=object)
    np.add.at(weight, inv, mass_i[rows])
    for level, wgt in zip(uniq.tolist(), weight.tolist(), strict=True):
        lv, w = int(level), int(wgt)
        out[lv + cost] = out.get(lv + cost, 0) + w
        out[lv] = out.get(lv, 0) - w
    return out
