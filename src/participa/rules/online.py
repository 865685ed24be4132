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

Everything is exact: money is scaled by the number of shares ``W`` so that every
share's budget is an integer, payments are kept as integers over one common
denominator, and the flow uses integer capacities (Python integers where an
``int64`` bound cannot be proved).

Complexity: greedy — ``O(m · g log g)`` for ``m`` projects and ``g`` distinct
ballots (a sort of the supporters' budgets per arriving project); efficient — a
maximum flow on the project graph per arriving project: ``O(m · k² · g)`` array
operations at most for ``k`` funded projects (augmenting paths between projects,
each step one vector operation over the ballots).

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

from participa.boundary import checked
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


@checked
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

    Each group's per-voter budget is ``held[g] / denom`` minor units; at the start
    every voter holds ``budget / W`` (``W`` the total weight), i.e. ``held = budget``
    and ``denom = W``. When a payment is not a whole number of ``1/denom`` units,
    every budget is rescaled by its denominator. ``held`` stays ``int64`` while a
    bound proves it cannot overflow, then becomes Python integers.
    """
    total_weight = max(int(weights.sum()), 1)
    costs = election.costs
    selected: list[int] = []
    trace: list[TraceStep] = []
    denom = total_weight

    def fits_int64(scale: int) -> bool:
        # Σ held · weight ≤ budget · denom · scale over all groups
        return election.budget * denom * scale < _INT64_SAFE

    exact = not fits_int64(1)
    held: npt.NDArray[Any] = np.full(
        len(weights), election.budget, dtype=object if exact else np.int64
    )
    wts: npt.NDArray[Any] = weights.astype(object) if exact else weights
    for step, j in enumerate(arrival, start=1):
        sup = np.flatnonzero(approvals[:, j])
        need = int(costs[j]) * denom
        b = held[sup]
        w = wts[sup]
        have = int((b * w).sum()) if sup.size else 0
        if have < need:
            trace.append(_arrived(election, step, j, Fraction(have, denom), "skip"))
            continue
        had = Fraction(have, denom)
        if need > 0:
            order = np.argsort(b, kind="stable")
            bs, ws = b[order], w[order]
            paid_before = np.concatenate((np.zeros(1, bs.dtype), np.cumsum(bs * ws)[:-1]))
            weight_from = np.cumsum(ws[::-1])[::-1]
            # the first k whose equal payment (need - paid_before) / weight_from fits b_k
            fits = np.asarray((need - paid_before) <= bs * weight_from, dtype=bool)
            k = int(np.argmax(fits))
            rho = Fraction(need - int(paid_before[k]), int(weight_from[k]))
            if rho.denominator != 1:
                scale = rho.denominator
                if not exact and not fits_int64(scale):
                    exact = True
                    held = held.astype(object)
                    wts = weights.astype(object)
                    bs = bs.astype(object)
                held = held * scale
                bs = bs * scale
                denom *= scale
                rho *= scale
            new = np.where(np.arange(bs.size) < k, 0, bs - int(rho))
            held[sup[order]] = new
        selected.append(j)
        trace.append(_arrived(election, step, j, had, "select"))
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
