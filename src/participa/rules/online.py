"""Online budgeting: projects arrive one by one and are funded, or not, when they arrive.

In an *online* participatory budget the projects are not all known at the start:
each is decided when it is proposed, and the decision is final. Every voter holds
an equal share ``budget / n`` of the money (a voter of weight ``w`` holds ``w``
shares), and two rules decide a newly arrived project:

``variant="greedy"`` (greedy budgeting)
    The project is funded when its supporters still hold at least its cost
    between them. They then pay for it as in the Method of Equal Shares: each pays
    the same amount ``ρ``, or everything she has left if that is less (``ρ`` is the
    smallest amount that covers the cost). Approval ballots give every supporter
    the same utility under both the ``cost`` and the ``count`` satisfactions, so
    the two utilities give the same payments and the same outcome; both names are
    accepted because the reference library offers both.
``variant="efficient"`` (efficient greedy budgeting)
    The project is funded when it fits in the budget and the projects funded so far
    *together with it* can still be paid for by their supporters, each voter paying
    at most her share: a transportation problem between projects and voters, solved
    exactly as a maximum flow. Payments are not fixed when a project is funded, so
    later projects may be paid by rearranging who pays for earlier ones.

Both rules make no tie-breaking decision: the arrival order decides. By default
projects arrive in the election's order (a pabulib file's ``PROJECTS`` rows);
``order=`` gives another one.

Everything is exact. Greedy keeps one exact fraction per funded project (the equal
payment ``ρ`` its payers made) and decides who pays everything from float64
estimates checked exactly (see ``_greedy``); the efficient variant scales money by
the number of shares ``W`` and uses integer flow capacities (Python integers where
an ``int64`` bound cannot be proved).

Complexity: see :func:`online_greedy`'s Notes.

Examples
--------
>>> from participa.model import BallotKind, Election, Profile, Project
>>> e = Election(90, (Project("a", 40), Project("b", 45), Project("c", 30)),
...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"],
...                          [["a"], ["a", "b"], ["b", "c"]]))
>>> online_greedy(e).selected
('a', 'c')
>>> online_greedy(e, variant="efficient").selected
('a', 'b')
>>> online_greedy(e, order=["c", "b", "a"]).selected
('c', 'a')
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from participa.errors import ValidationError
from participa.i18n import N_, _
from participa.model import BallotKind, Election
from participa.outcome import Outcome, TraceStep
from participa.rules._common import require_kind
from participa.rules._flow import route

__all__ = ["OnlineUtility", "OnlineVariant", "online_greedy"]

OnlineVariant = Literal["greedy", "efficient"]
"""``greedy``: funded when its supporters can pay now; ``efficient``: when all can still be paid."""

OnlineUtility = Literal["cost", "count"]
"""The satisfaction the greedy variant's payments follow (the same on approval ballots)."""

_APPROVAL_KINDS = (BallotKind.APPROVAL, BallotKind.CHOOSE_1)
_INT64_SAFE = 1 << 62
_FLOAT_GUIDE = True
"""Greedy sorts float64 estimates and checks them exactly; False sorts exact fractions
every step (the slow path the tests compare it with)."""


def _arrival(election: Election, order: Sequence[str] | None) -> list[int]:
    if order is None:
        return list(range(len(election.projects)))
    if isinstance(order, str):
        raise ValidationError(_("order must be a sequence of project ids, not one string"))
    idx: list[int] = []
    seen: set[str] = set()
    known = set(election.project_ids)
    for pid in order:
        if not isinstance(pid, str) or pid not in known:
            raise ValidationError(
                _("the arrival order names a project the election does not have"),
                project_id=str(pid),
            )
        if pid in seen:
            raise ValidationError(_("the arrival order names a project twice"), project_id=pid)
        seen.add(pid)
        idx.append(election.index(pid))
    return idx


def online_greedy(
    election: Election,
    *,
    utility: OnlineUtility = "cost",
    variant: OnlineVariant = "greedy",
    order: Sequence[str] | None = None,
) -> Outcome:
    """Online budgeting: decide each project when it arrives, for good.

    Parameters
    ----------
    election
        An election with approval (or choose-1) ballots.
    utility
        ``"cost"`` or ``"count"``: the satisfaction whose equal-shares payments the
        greedy variant uses (identical on approval ballots). Ignored by ``efficient``.
    variant
        ``"greedy"`` (supporters must be able to pay now) or ``"efficient"`` (every
        funded project must remain payable, payments may be rearranged).
    order
        Project ids in arrival order; by default the election's project order. A
        project left out of ``order`` never arrives.

    Returns
    -------
    Outcome
        Funded projects in arrival order; the trace says for each arriving project
        what its supporters held and why it was funded or not.

    Raises
    ------
    RuleError
        If the ballots are not approval or choose-1 ballots.
    ValidationError
        For an unknown ``utility`` or ``variant``, or an ``order`` naming unknown
        or repeated projects.

    Notes
    -----
    Complexity: ``variant="greedy"`` takes ``O(m · (s · k + s log s))`` time for ``m``
    projects, at most ``s ≤ g`` supporting ballot groups per project and ``k ≤ m``
    funded projects (a float64 estimate and sort per arriving project; exact fractions
    ``O(k)`` per project, more only for near ties), ``O(g + m)`` memory.
    ``variant="efficient"`` solves a maximum flow per arriving project:
    ``O(m · k² · g)`` time (each flow step one vector operation over the ``g`` distinct
    ballots) and ``O(k · g)`` memory.

    Examples
    --------
    >>> from participa.model import BallotKind, Election, Profile, Project
    >>> e = Election(10, (Project("x", 6), Project("y", 5)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["x", "y"], [["x"], ["x", "y"]]))
    >>> out = online_greedy(e)
    >>> out.selected, out.total_cost
    (('x',), 6)
    >>> print(out.trace[1].reason)
    its supporters hold 2 of its cost 5
    """
    require_kind(election, _APPROVAL_KINDS, "online-greedy")
    if utility not in ("cost", "count"):
        raise ValidationError(
            _("unknown utility {utility!r} for online greedy", utility=utility),
            hint=_("use one of: {choices}", choices="cost, count"),
        )
    if variant not in ("greedy", "efficient"):
        raise ValidationError(
            _("unknown online greedy variant {variant!r}", variant=variant),
            hint=_("use one of: {choices}", choices="greedy, efficient"),
        )
    arrival = _arrival(election, order)
    prof = election.profile
    approvals = prof.approvals()
    weights = prof.group_weight
    if variant == "greedy":
        selected, trace = _greedy(election, approvals, weights, arrival)
    else:
        selected, trace = _efficient(election, approvals, weights, arrival)
    name = "online-greedy" if variant == "greedy" else "online-greedy-efficient"
    params: dict[str, str] = {"variant": variant}
    if variant == "greedy":
        params["utility"] = utility
    if order is not None:
        params["order"] = ",".join(election.project_ids[j] for j in arrival)
    return Outcome.from_selection(election, selected, rule=name, trace=trace, params=params)


def _money(election: Election, amount: Fraction | int) -> str:
    """An exact amount of minor units as text (a fraction only when it is not whole)."""
    value = Fraction(amount)
    if value.denominator == 1:
        return election.money.format(int(value))
    return f"{election.money.format(int(value))} + {value - int(value)}"


def _greedy(
    election: Election,
    approvals: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.int64],
    arrival: list[int],
) -> tuple[list[int], list[TraceStep]]:
    """Greedy budgeting with exact equal-shares payments.

    Every voter starts with ``base = budget / W`` (``W`` the total weight). A funded
    project's supporters pay the same ``ρ`` each, or everything they hold when that is
    less; a voter who paid everything holds 0 for good (``spent``). So a voter who never
    ran out holds exactly ``base − Σ ρ_t`` over the funded projects ``t`` she approves:
    only the ``ρ_t`` are fractions, one per funded project. Everything a decision
    needs is exact through integer counts: the money the supporters of ``j`` hold is
    ``base · w − Σ_t ρ_t · w_t`` with ``w`` their weight (still holding money) and
    ``w_t`` the weight of those who also approve ``t``, summed with an integer matrix
    product. Who pays everything is found by sorting float64 estimates of what each
    holds, then checked exactly: the estimate's error is below ``4 (k + 2) · 2⁻⁵³ ·
    base`` for ``k`` funded projects, so only voters whose estimate lies within
    ``2⁻²⁰ · base`` of ``ρ`` are compared exactly (their fractions recomputed), and any
    doubt sends the step to an exact sort of all supporters.
    """
    total_weight = max(int(weights.sum(dtype=object)), 1)
    costs = election.costs
    selected: list[int] = []
    trace: list[TraceStep] = []
    base = Fraction(election.budget, total_weight)
    base_f = float(base)
    tol = base_f * 2.0**-20
    approvals = np.asfortranarray(approvals)  # one contiguous column per project
    spent = np.zeros(len(weights), dtype=bool)
    funded: list[int] = []
    rhos: list[Fraction] = []
    # columns of the funded projects' approvals, and each group's float64 payments so far
    cols = np.zeros((len(weights), len(arrival)), dtype=bool, order="F")
    paid_f = np.zeros(len(weights))
    # weight sums are at most W: int64 when W < 2**62, else Python integers
    wts: npt.NDArray[Any] = weights.astype(np.int64 if total_weight < 2**62 else object)

    def exact_held(rows: npt.NDArray[np.intp]) -> list[Fraction]:
        out = []
        for g in rows.tolist():
            paid = (r for t, r in zip(funded, rhos, strict=True) if approvals[g, t])
            out.append(Fraction(0) if spent[g] else base - sum(paid, Fraction(0)))
        return out

    def held_total(rows: npt.NDArray[np.intp]) -> Fraction:
        """Exact money held by the voters of ``rows`` (ballot groups)."""
        live = rows[~spent[rows]]
        total = base * int(wts[live].sum())
        if funded and live.size:
            counts = wts[live] @ cols[live, : len(funded)].astype(wts.dtype)
            total -= sum((r * int(c) for r, c in zip(rhos, counts, strict=True)), Fraction(0))
        return total

    for step, j in enumerate(arrival, start=1):
        sup = np.flatnonzero(approvals[:, j])
        need = Fraction(int(costs[j]))
        have = held_total(sup)
        if have < need:
            trace.append(_arrived(election, step, j, have, "skip"))
            continue
        if need > 0:
            est = np.where(spent[sup], 0.0, base_f - paid_f[sup])
            order = np.argsort(est)  # ties in any order: who pays all is a threshold
            es, ws = est[order], wts[sup][order].astype(np.float64)
            paid_before = np.concatenate(([0.0], np.cumsum(es * ws)[:-1]))
            weight_from = np.cumsum(ws[::-1])[::-1]
            k = int(np.argmax((float(need) - paid_before) <= es * weight_from))
            rho: Fraction | None = None
            weight = int(wts[sup[order[k:]]].sum())
            if weight and _FLOAT_GUIDE:
                rho = (need - held_total(sup[order[:k]])) / weight
                r_f = float(rho)
                if (es[:k] > r_f + tol).any() or (es[k:] < r_f - tol).any():
                    rho = None  # the float partition is wrong: decide exactly
                else:
                    near = np.flatnonzero(np.abs(es - r_f) <= tol)
                    for i, h in zip(near.tolist(), exact_held(sup[order[near]]), strict=True):
                        if (h > rho and i < k) or (h < rho and i >= k):
                            rho = None
                            break
            if rho is None:  # too close to call in float64: sort the exact amounts
                exact = exact_held(sup)
                order = np.array(sorted(range(sup.size), key=exact.__getitem__), dtype=np.intp)
                k, paid, weight = 0, Fraction(0), int(wts[sup].sum())
                for i in order.tolist():
                    if need - paid <= exact[i] * weight:
                        break
                    paid += exact[i] * int(wts[sup[i]])
                    weight -= int(wts[sup[i]])
                    k += 1
                rho = (need - paid) / weight
            spent[sup[order[:k]]] = True
            cols[:, len(funded)] = approvals[:, j]
            paid_f[sup] += float(rho)
            funded.append(j)
            rhos.append(rho)
        selected.append(j)
        trace.append(_arrived(election, step, j, have, "select"))
    return selected, trace


_ARRIVAL = {
    "select": N_("its supporters hold {held}, enough for its cost {cost}"),
    "skip": N_("its supporters hold {held} of its cost {cost}"),
}


def _arrived(election: Election, step: int, j: int, held: Fraction | int, action: str) -> TraceStep:
    """The trace step of a project that arrived: funded (``select``) or not (``skip``)."""
    cost = int(election.costs[j])
    reason = _(_ARRIVAL[action], held=_money(election, held), cost=election.money.format(cost))
    return TraceStep(step, action, election.project_ids[j], reason, {"cost": cost})


def _efficient(
    election: Election,
    approvals: npt.NDArray[np.bool_],
    weights: npt.NDArray[np.int64],
    arrival: list[int],
) -> tuple[list[int], list[TraceStep]]:
    """Efficient greedy budgeting: fund a project while a feasible payment flow exists.

    Amounts are scaled by the total weight ``W``: project ``p`` needs ``cost_p · W``
    and ballot group ``g`` can give ``budget · weight_g``. ``flow[r, g]`` is what
    group ``g`` pays towards the ``r``-th funded project.
    """
    total_weight = int(weights.sum())
    costs = election.costs
    budget = election.budget
    groups = len(weights)
    big = budget * max(total_weight, 1) >= _INT64_SAFE
    dtype: Any = object if big else np.int64
    capacity = (weights.astype(object) * budget) if big else weights * np.int64(budget)
    flow = np.zeros((0, groups), dtype=dtype)
    rows: list[int] = []
    spent = 0
    selected: list[int] = []
    trace: list[TraceStep] = []
    for step, j in enumerate(arrival, start=1):
        cost = int(costs[j])
        pid = election.project_ids[j]
        if spent + cost > budget:
            trace.append(
                TraceStep(
                    step,
                    "skip",
                    pid,
                    _(
                        "it does not fit: {left} left, cost {cost}",
                        left=election.money.format(budget - spent),
                        cost=election.money.format(cost),
                    ),
                    {"cost": cost, "left": budget - spent},
                )
            )
            continue
        trial = np.vstack([flow, np.zeros((1, groups), dtype=dtype)])
        cols = [*rows, j]
        routed = route(trial, approvals[:, cols], capacity, len(cols) - 1, cost * total_weight)
        if routed is None:
            flow = trial
            rows.append(j)
            spent += cost
            selected.append(j)
            trace.append(
                TraceStep(
                    step,
                    "select",
                    pid,
                    _("its supporters, with those of the projects already funded, can pay for it"),
                    {"cost": cost},
                )
            )
        else:
            trace.append(
                TraceStep(
                    step,
                    "skip",
                    pid,
                    _(
                        "the funded projects and this one cannot all be paid "
                        "by their supporters' shares"
                    ),
                    {"cost": cost},
                )
            )
    return selected, trace
