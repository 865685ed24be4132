"""The searches behind each margin: reruns of the rule on modified elections.

Exponential search for a far end where needed, then bisection; the number of reruns
is bounded (:class:`_Runs`). Which margins are proven exact is argued in the package
docstring (:mod:`participa.explain`) and decided by :func:`_proven`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from participa._wide import INT64_SAFE
from participa.analysis.axioms import SearchLimitExceeded
from participa.explain._values import MarginKind
from participa.i18n import _
from participa.model import BallotConstraints, BallotKind, Election, Profile
from participa.outcome import Outcome, TraceAction, TraceValue
from participa.rules.utility import Utility
from participa.tiebreak import TieBreak, TieCriterion


class _Runs:
    """Counts reruns and refuses to go past ``max_runs``."""

    def __init__(self, run: Callable[[Election], Outcome], max_runs: int) -> None:
        self.run = run
        self.max_runs = max_runs
        self.count = 0

    def funded(self, election: Election, project_id: str) -> bool:
        if self.count >= self.max_runs:
            raise SearchLimitExceeded(
                _("explaining needs more than max_runs={max_runs} reruns", max_runs=self.max_runs),
                project_id=project_id,
                hint=_("raise max_runs or explain one project with project="),
            )
        self.count += 1
        return project_id in self.run(election).selected_set


def _first_true(pred: Callable[[int], bool], lo: int, hi: int) -> int:
    """Given ``pred(lo)`` false and ``pred(hi)`` true (known), the ``x`` in ``(lo, hi]`` with
    ``pred(x)`` true and ``pred(x - 1)`` false that bisection reaches."""
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if pred(mid):
            hi = mid
        else:
            lo = mid
    return hi


def _with_profile(election: Election, profile: Profile) -> Election:
    return attrs.evolve(election, profile=profile, constraints=BallotConstraints())


def _add_ballot(election: Election, j: int, k: int, points: bool) -> Election:
    """``k`` new weight-1 voters supporting only project ``j`` (one ballot with ``k`` points)."""
    prof = election.profile
    # int64: k points may not fit the profile's compact dtype (the new profile picks its own)
    row: npt.NDArray[Any] = np.zeros(
        (1, len(election.projects)), np.bool_ if prof.kind.is_approval else np.int64
    )
    row[0, j] = k if points else 1
    mat = np.concatenate([prof.matrix, row])
    mult = np.concatenate([prof.multiplicity, [1 if points else k]]).astype(np.int64)
    wt = np.concatenate([prof.weight, [1]]).astype(np.int64)
    listed = None
    if prof.listed is not None:
        listed = np.concatenate([prof.listed, row != 0])
    new = Profile.from_matrix(
        prof.kind,
        prof.project_ids,
        mat,
        multiplicity=mult,
        weight=wt,
        collapse=False,
        listed=listed,
    )
    return _with_profile(election, new)


def _removal_order(election: Election, j: int) -> npt.NDArray[np.intp]:
    """Rows supporting ``j`` in the order their voters are removed."""
    prof = election.profile
    rows = np.flatnonzero(prof.approvals()[:, j])
    if prof.kind.has_points:
        rows = rows[np.argsort(-prof.matrix[rows, j], kind="stable")]
    return rows


def _remove_supporters(election: Election, j: int, r: int) -> Election:
    """``r`` supporters of ``j`` (in :func:`_removal_order`) stop supporting it."""
    prof = election.profile
    order = _removal_order(election, j)
    mult = prof.multiplicity
    # voters counted before each row: int64 while the number of voters is below 2**62
    ahead = mult[order].astype(np.int64 if prof.num_voters < INT64_SAFE else object)
    before = np.concatenate([[0], np.cumsum(ahead)[:-1]]) if order.size else order
    taken = np.zeros(prof.num_groups, np.int64)
    taken[order] = np.clip(r - before, 0, mult[order])
    keep = mult - taken
    changed = np.flatnonzero(taken)
    mod = prof.matrix[changed].copy()
    gone = mod[:, j].copy()
    mod[:, j] = 0
    if prof.kind is BallotKind.ORDINAL:  # close the gap in the ranking
        mod -= (mod > gone[:, None]).astype(mod.dtype)
    mat = np.concatenate([prof.matrix, mod])
    new_mult = np.concatenate([keep, taken[changed]])
    wt = np.concatenate([prof.weight, prof.weight[changed]])
    listed = None
    if prof.listed is not None:
        mod_listed = prof.listed[changed].copy()
        mod_listed[:, j] = False
        listed = np.concatenate([prof.listed, mod_listed])
    alive = new_mult > 0
    new = Profile.from_matrix(
        prof.kind,
        prof.project_ids,
        mat[alive],
        multiplicity=new_mult[alive],
        weight=wt[alive],
        collapse=False,
        listed=None if listed is None else listed[alive],
    )
    return _with_profile(election, new)


def _int(value: TraceValue | None) -> int:
    return int(value) if isinstance(value, (int, float)) else 0


def _reason(
    rule: str, outcome: Outcome, pid: str, cost: int, budget: int, marginal: bool = False
) -> tuple[str, dict[str, int | str]]:
    steps = [s for s in outcome.trace if s.project_id == pid]
    if pid in outcome.selected_set:
        step = next((s for s in steps if s.action is TraceAction.SELECT), None)
        vals = {} if step is None else dict(step.values)
        rnd = 0 if step is None else step.round
        if marginal:
            return "marginal_select", {"round": rnd, "left": _int(vals.get("left"))}
        if rule == "greedy":
            return "greedy_select", {
                "ratio": str(vals.get("ratio", "")),
                "left": _int(vals.get("left")),
            }
        if rule == "mes":
            return "mes_select", {"round": rnd, "rho": str(vals.get("rho_exact", "0"))}
        return "phragmen_select", {"round": rnd, "load": str(vals.get("load", ""))}
    if cost > budget:
        return "too_costly", {"cost": cost}
    if marginal:
        return "marginal_skip", {"left": budget - outcome.total_cost}
    if rule == "greedy":
        step = next((s for s in steps if s.action in (TraceAction.SKIP, TraceAction.STOP)), None)
        return "greedy_skip", {
            "cost": cost,
            "left": _int(None if step is None else step.values.get("left")),
        }
    stop = next((s for s in steps if s.action is TraceAction.STOP), None)
    if rule == "phragmen" and stop is not None:
        load = str(stop.values.get("load", ""))
        return "phragmen_stop", {"load": load, "cost": cost, "left": _int(stop.values.get("left"))}
    return f"{rule}_skip", {}


def _removable(runs: _Runs, election: Election, j: int, total: int) -> int:
    """The most supporters (voters) of funded ``j`` that can leave it while it stays funded."""
    pid = election.project_ids[j]
    if runs.funded(_remove_supporters(election, j, total), pid):
        return total

    def lost(r: int) -> bool:
        return not runs.funded(_remove_supporters(election, j, r), pid)

    return _first_true(lost, 0, total) - 1


def _rise(runs: _Runs, election: Election, j: int) -> int:
    """The largest cost increase funded ``j`` bears; dearer than the budget is never funded."""
    pid, cost, budget = election.project_ids[j], int(election.costs[j]), election.budget
    top = budget - cost
    if top <= 0 or runs.funded(election.with_costs({pid: budget}), pid):
        return max(top, 0)

    def lost(d: int) -> bool:
        return not runs.funded(election.with_costs({pid: cost + d}), pid)

    return _first_true(lost, 0, top) - 1


def _cut(runs: _Runs, election: Election, j: int) -> int | None:
    """The smallest cost reduction that funds unfunded ``j`` (None: not even at cost 0)."""
    pid, cost, budget = election.project_ids[j], int(election.costs[j]), election.budget

    def won(d: int) -> bool:
        return runs.funded(election.with_costs({pid: cost - d}), pid)

    # The far end: cost 0, else cost 1 (under the cost utility a free project is worth
    # nothing to anyone, so equal shares never buys it, yet may buy it at cost 1).
    # Any cost above the budget is never funded, so the search starts at the budget.
    for far in (cost, cost - 1) if cost > 1 else (cost,):
        if won(far):
            return _first_true(won, max(0, cost - budget - 1), far)
    return None


def _added(runs: _Runs, election: Election, j: int, bound: int, points: bool) -> int | None:
    """The fewest added supporters (points) that fund unfunded ``j``, searched up to ``bound``."""
    pid = election.project_ids[j]
    if int(election.costs[j]) > election.budget:
        return None

    def won(k: int) -> bool:
        return runs.funded(_add_ballot(election, j, k, points), pid)

    lo, hi = 0, 1  # exponential search for a funded end, then bisection
    while hi <= bound:
        if won(hi):
            return _first_true(won, lo, hi)
        lo, hi = hi, (min(2 * hi, bound) if hi < bound else hi + 1)
    return None


def _proven(rule: str, tie_break: TieBreak, utility: Utility) -> frozenset[MarginKind]:
    """The margins whose exactness the module docstring proves for this rule and utility."""
    if {TieCriterion.MAX_COST, TieCriterion.MIN_VOTES, TieCriterion.REFUSE} & set(
        tie_break.criteria
    ):
        return frozenset()
    if rule == "mes" or utility == "borda":
        return frozenset({MarginKind.COST_REDUCTION, MarginKind.COST_INCREASE})
    return frozenset(MarginKind)
