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

    Notes
    -----
    Complexity: ``variant="greedy"`` takes ``O(m · g · k)`` time for ``m`` projects,
    ``g`` distinct ballots and ``k ≤ m`` funded projects (per arriving project a few
    vector operations over the ballots, one product with the funded projects' columns
    and a fixed-point search for the payment, with a sort ``O(g log g)`` only when that
    search does not settle; exact fractions ``O(k)`` per project, more only for near
    ties), ``O(g · m)`` memory.
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

    Every voter starts with ``base = budget / W`` per unit of weight (``W`` the total
    weight). A funded project's supporters pay the same ``ρ`` per unit of weight, or
    everything they hold when that is less; a voter who paid everything holds 0 for good
    (no longer *alive*). So a voter still alive holds exactly ``base − Σ ρ_t`` over the
    funded projects ``t`` she approves: only the ``ρ_t`` are fractions, one per funded
    project. The money a set of voters holds is then ``base · w − Σ_t ρ_t · w_t``, with
    ``w`` their weight and ``w_t`` the weight of those who also approve ``t``: one
    matrix-vector product over the funded projects' columns (float32 while ``W < 2²⁴``,
    float64 while ``W < 2⁵³``: every such sum is an integer at most ``W``, so exact;
    ``int64`` or Python integers above).

    Who pays everything is found from float64 estimates of what each supporter holds,
    by the fixed-point iteration of equal shares (``ρ ← (cost − what those below ρ
    hold) / the weight of the others``, which only grows; a sort when it does not settle
    in a few rounds), then checked exactly: ``ρ`` is recomputed exactly from that
    partition, every estimate lies within ``4 (k + 2) · 2⁻⁵³ · base`` of the truth for
    ``k`` funded projects, and the supporters whose estimate lies within ``2⁻²⁰ · base``
    of ``ρ`` are compared exactly. Any doubt sends the step to an exact water-filling
    over the distinct amounts held (voters who approve the same funded projects hold the
    same amount, so the fractions are per distinct pattern, not per voter).
    """
    total_weight = max(int(weights.sum(dtype=object)), 1)
    costs = election.costs
    selected: list[int] = []
    trace: list[TraceStep] = []
    base = Fraction(election.budget, total_weight)
    base_f = float(base)
    tol = base_f * 2.0**-20
    groups = len(weights)
    # weight sums are integers at most W: exact in float32 below 2**24 (half the memory
    # traffic of float64), float64 below 2**53, int64 below 2**62, else Python integers
    dtype: Any = (
        np.float32
        if total_weight < 2**24
        else np.float64
        if total_weight < 2**53
        else np.int64
        if total_weight < 2**62
        else object
    )
    wts: npt.NDArray[Any] = weights.astype(dtype)
    wts_f = weights.astype(np.float64)
    alive = np.ones(groups, dtype=bool)  # still holding money
    held_f = np.full(groups, base_f)  # float64 estimate of what each holds per unit of weight
    cols: npt.NDArray[Any] = np.zeros((groups, len(arrival)), dtype=dtype, order="F")
    funded: list[int] = []
    rhos: list[Fraction] = []

    def held(v: npt.NDArray[Any]) -> Fraction:
        """Exact money held by ballot groups of (alive) weights ``v`` (0 for the others)."""
        total = base * int(v.sum())
        if funded:
            counts = _column_sums(v, cols[:, : len(funded)]).tolist()
            total -= sum((r * int(c) for r, c in zip(rhos, counts, strict=True)), Fraction(0))
        return total

    def held_by(rows: npt.NDArray[np.intp]) -> Fraction:
        """Exact money held by the (alive) ballot groups ``rows``: a gather of their rows
        when they are few, else :func:`held` over a masked weight vector."""
        if not funded or 8 * rows.size >= groups:
            v = np.zeros(groups, dtype=dtype)
            v[rows] = wts[rows]
            return held(v)
        counts = _column_sums(wts[rows], cols[rows, : len(funded)]).tolist()
        total = base * int(wts[rows].sum())
        return total - sum((r * int(c) for r, c in zip(rhos, counts, strict=True)), Fraction(0))

    def levels(rows: npt.NDArray[np.intp]) -> tuple[list[Fraction], npt.NDArray[np.intp]]:
        """Exact amounts held per unit of weight by ``rows``: one per distinct pattern of
        funded projects approved, and each row's pattern."""
        if not funded or not rows.size:
            return [base], np.zeros(rows.size, dtype=np.intp)
        marks = approvals[rows][:, funded]
        if len(funded) < 63:  # one int64 of bits per row: a 1-D unique
            bits = marks @ (np.int64(1) << np.arange(len(funded), dtype=np.int64))
            keys, inv = np.unique(bits, return_inverse=True)
            pats = [[(key >> t) & 1 for t in range(len(funded))] for key in keys.tolist()]
        else:
            rows_u, inv = np.unique(marks, axis=0, return_inverse=True)
            pats = rows_u.tolist()
        out = [
            base - sum((r for r, a in zip(rhos, pat, strict=True) if a), Fraction(0))
            for pat in pats
        ]
        return out, inv.ravel().astype(np.intp)

    for step, j in enumerate(arrival, start=1):
        live = approvals[:, j] & alive
        v = wts * live
        need = Fraction(int(costs[j]))
        have = held(v)
        if have < need:
            trace.append(_arrived(election, step, j, have, "skip"))
            continue
        if need > 0:
            sup = np.flatnonzero(live)
            payers: npt.NDArray[np.bool_] | None = None  # of sup: those who pay everything
            rho: Fraction | None = None
            if _FLOAT_GUIDE:
                est = held_f[sup]
                below = _pay_all_guess(est, wts_f[sup], float(need))
                weight = int(v.sum()) - int(wts[sup[below]].sum())
                if weight:
                    rho = (need - held_by(sup[below])) / weight
                    r_f = float(rho)
                    if np.where(below, est > r_f + tol, est < r_f - tol).any():
                        rho = None  # the float partition is wrong: decide exactly
                    else:
                        near = np.flatnonzero(np.abs(est - r_f) <= tol)
                        amounts, which = levels(sup[near])
                        over = np.asarray([a > rho for a in amounts], dtype=bool)[which]
                        under = np.asarray([a < rho for a in amounts], dtype=bool)[which]
                        if (over & below[near]).any() or (under & ~below[near]).any():
                            rho = None
                    payers = below
            if rho is None:  # too close to call in float64: water-fill the exact amounts
                rho, payers = _water_fill(need, *levels(sup), wts[sup], dtype)
            assert payers is not None
            alive[sup[payers]] = False
            held_f[sup[~payers]] -= float(rho)
            cols[:, len(funded)] = approvals[:, j]
            funded.append(j)
            rhos.append(rho)
        selected.append(j)
        trace.append(_arrived(election, step, j, have, "select"))
    return selected, trace


_FIXED_POINT_ROUNDS = 8


def _column_sums(v: npt.NDArray[Any], matrix: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """``v @ matrix`` without BLAS: a threaded BLAS call costs milliseconds on a busy
    machine (its threads must be woken), ``einsum``'s own loop a few microseconds."""
    if matrix.dtype in (np.float32, np.float64):
        out: npt.NDArray[Any] = np.einsum("g,gk->k", v, matrix)
    else:
        out = v @ matrix  # int64 or Python integers: numpy's own loop, no BLAS
    return out


def _pay_all_guess(
    held: npt.NDArray[np.float64], weights: npt.NDArray[np.float64], need: float
) -> npt.NDArray[np.bool_]:
    """Float64 guess of who pays everything: those holding less than the payment ``ρ``.

    The fixed-point iteration of equal shares, ``ρ ← (need − Σ_below w·h) / Σ_rest w``
    with ``below = h < ρ``: ``ρ`` only grows, so ``below`` only grows, and it stops when
    ``below`` does; after :data:`_FIXED_POINT_ROUNDS` rounds, a sort finds the same
    threshold directly. The caller checks the guess exactly.
    """
    below = np.zeros(held.size, dtype=bool)
    count = 0
    total = float(weights.sum())
    for _round in range(_FIXED_POINT_ROUNDS):
        rest = total - float(weights[below].sum()) if count else total
        if rest <= 0:
            return below
        rho = (need - float(np.einsum("i,i,i->", weights, held, below))) / rest
        below = held < rho
        grown = int(below.sum())
        if grown == count:
            return below
        count = grown
    order = np.argsort(held)
    hs, ws = held[order], weights[order]
    paid_before = np.concatenate(([0.0], np.cumsum(hs * ws)[:-1]))
    weight_from = np.cumsum(ws[::-1])[::-1]
    k = int(np.argmax((need - paid_before) <= hs * weight_from))
    below = np.zeros(held.size, dtype=bool)
    below[order[:k]] = True
    return below


def _water_fill(
    need: Fraction,
    amounts: list[Fraction],
    which: npt.NDArray[np.intp],
    weights: npt.NDArray[Any],
    dtype: Any,
) -> tuple[Fraction, npt.NDArray[np.bool_]]:
    """Exact ``ρ`` and who pays everything, from the distinct amounts held per unit.

    ``amounts[which[i]]`` is what supporter ``i`` (of weight ``weights[i]``) holds per unit
    of weight. The amounts are visited in increasing order: a level pays everything while
    the rest, each paying as much, could not cover what remains. Needs ``Σ held ≥ need``.
    """
    per_level = np.zeros(len(amounts), dtype=dtype)
    np.add.at(per_level, which, weights)
    level_weight = [int(x) for x in per_level.tolist()]
    weight = sum(level_weight)
    paid = Fraction(0)
    pays_all = np.zeros(len(amounts), dtype=bool)
    for lv in sorted(range(len(amounts)), key=amounts.__getitem__):
        if need - paid <= amounts[lv] * weight:
            break
        paid += amounts[lv] * level_weight[lv]
        weight -= level_weight[lv]
        pays_all[lv] = True
    return (need - paid) / weight, pays_all[which]


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
