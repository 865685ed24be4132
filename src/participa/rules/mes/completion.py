"""The completions of equal shares: the ``add1`` loop, the utilitarian fill, the comparison.

``add1`` (:func:`add1`) raises the voters' endowments step by step and reruns the
kernel; it skips whole ranges of steps a run certifies to buy the same projects in
the same order (:meth:`~participa.rules.mes.kernel.Kernel.run`), so the number of
runs does not grow with the budget's magnitude (it grows with the number of times
the purchase order or a round's set of capped payers changes, times the logarithm
of the number of steps). ``utilitarian`` (:func:`utilitarian_fill`) adds projects by
total utility per cost while they fit. :func:`greedy_by_support` and
:func:`comparison` are pabulib's ``-comparison`` step.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from participa.boundary import checked
from participa.errors import TieError
from participa.i18n import _
from participa.model import Election
from participa.outcome import TraceAction, TraceStep
from participa.rules._common import dense_rank, exact_support
from participa.rules.mes.kernel import Kernel, Run
from participa.rules.mes.setup import MesInput
from participa.tiebreak import DEFAULT_TIE_BREAK, TieBreak

__all__ = [
    "add1",
    "comparison",
    "endowment_text",
    "greedy_by_support",
    "is_exhaustive",
    "utilitarian_fill",
]


@checked
def add1(inp: MesInput, kernel: Kernel, *, skip: bool = True) -> tuple[Run, list[TraceStep]]:
    """The add1 loop: steps 0, 1, 2, ... in turn, or with ``skip`` only where it can change.

    With ``skip``, from a run at step ``s`` the loop tries step ``s + L`` with ``s``'s
    run as the reference of :meth:`~participa.rules.mes.kernel.Kernel.run`. If the
    run certifies that every step in ``[s, s + L]`` buys the same projects in the same
    order (so the same cost, within budget and not exhaustive, like ``s``), stepping
    by one would have gone through them all without stopping: the loop moves to
    ``s + L`` and doubles ``L``. Otherwise it shrinks ``L`` and tries again from ``s``,
    keeping the run of ``s + L`` in case it steps onto it; with ``L = 1`` the step is
    the next one anyway (after failures, a plain run without a certificate, probing
    again every few steps). So every step before the one the loop stops at was
    either run or certified, and the loop stops where stepping by one stops, with
    the same run. A refused tie (``TieError``) in a step tried ahead only cancels
    that try; stepping onto it raises, as stepping by one would.
    """
    budget = inp.election.budget
    tried: list[_Tried] = []
    prev: Run | None = None
    cands = set(kernel.cands)

    def note(run: Run) -> tuple[bool, bool]:
        sel = run.selected
        within = sum(inp.costs[j] for j in sel) <= budget
        exhaustive = within and is_exhaustive(inp.election, sel, among=kernel.cands)
        tried.append(_Tried(run.step, within, exhaustive, sum(inp.costs[j] for j in sel)))
        return within, exhaustive

    run = kernel.run(0)
    span = 1
    ahead: dict[int, Run] = {}  # runs of steps tried too far ahead, kept for stepping onto
    misses = quiet = 0  # failed one-step certificates in a row; plain steps since
    while True:
        within, exhaustive = note(run)
        if not within:
            break
        prev = run
        if inp.exhaustive_stop and exhaustive:
            break
        if cands <= set(run.selected):
            break
        if not skip:
            run = kernel.run(run.step + 1)
            continue
        while True:
            if span == 1:
                # the next step needs no certificate; a failed longer try may have run it
                probe = quiet >= (1 << min(misses, 3)) - 1
                nxt = ahead.pop(run.step + 1, None) or kernel.run(
                    run.step + 1, ref=run if probe else None
                )
                if not probe:
                    quiet += 1
                elif nxt.certified:
                    misses = quiet = 0
                else:
                    misses, quiet = misses + 1, 0
                break
            try:
                nxt = kernel.run(run.step + span, ref=run)
            except TieError:
                # a refused tie beyond where stepping by one may stop: not certified
                span = 1
                continue
            if not nxt.certified:
                ahead[nxt.step] = nxt
            if nxt.certified:
                tried[-1].until = nxt.step - 1
                span *= 2
                break
            span = 1 if span <= 4 else span // 4
        if span == 1 and nxt.certified:
            span = 2
        run = nxt
        ahead = {s: r for s, r in ahead.items() if s > run.step}
    if prev is None:
        prev = Run(kernel, 0, list(kernel.free), [])
    return prev, [tried_step(inp, t) for t in tried]


class _Tried:
    __slots__ = ("cost", "exhaustive", "step", "until", "within")

    def __init__(self, step: int, within: bool, exhaustive: bool, cost: int) -> None:
        self.step = step
        self.within = within
        self.exhaustive = exhaustive
        self.cost = cost
        self.until = step


def tried_step(inp: MesInput, t: _Tried) -> TraceStep:
    same = _("; same outcome up to step {step}", step=t.until) if t.until > t.step else ""
    return TraceStep(
        0,
        TraceAction.COMPLETE,
        None,
        _("endowment {endowment_text} per voter: ", endowment_text=endowment_text(inp, t.step))
        + (_("within budget") if t.within else _("over budget"))
        + (_(", exhaustive") if t.exhaustive else "")
        + same,
        {
            "step": t.step,
            "endowment": float(inp.total_endowment(t.step)),
            "cost": t.cost,
            "within_budget": t.within,
            "exhaustive": t.exhaustive,
            "same_until": t.until,
        },
    )


@checked
def is_exhaustive(
    election: Election, selected: Sequence[int], *, among: Sequence[int] | None = None
) -> bool:
    """Whether no unselected project (of ``among``, default all) fits in the money left.

    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 5)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b"], [["a"]]))
    >>> is_exhaustive(e, [0]), is_exhaustive(e, [])
    (True, False)
    """
    costs = [int(c) for c in election.costs]
    chosen = set(selected)
    left = election.budget - sum(costs[j] for j in chosen)
    pool = range(len(costs)) if among is None else among
    return all(costs[j] > left for j in pool if j not in chosen)


@checked
def greedy_by_support(election: Election, *, tie_break: TieBreak = DEFAULT_TIE_BREAK) -> list[int]:
    """The greedy outcome pabulib's ``-comparison`` step compares against.

    Projects by (weighted) number of supporters, ties by ``tie_break``, skipping
    projects that do not fit. Returns project indices in selection order.

    >>> from participa.model import BallotKind, Profile, Project
    >>> e = Election(10, (Project("a", 6), Project("b", 5), Project("c", 4)),
    ...     Profile.from_ballots(BallotKind.APPROVAL, ["a", "b", "c"], [["a", "c"], ["b"], ["a"]]))
    >>> greedy_by_support(e)
    [0, 2]
    """
    # exact supports (no int64 overflow), ranked: equal support, equal rank
    support = dense_rank(exact_support(election))
    order = tie_break.resolver(election).rank_by(support)
    left = election.budget
    out: list[int] = []
    for j in order:
        c = int(election.costs[j])
        if c <= left:
            out.append(j)
            left -= c
    return out


@checked
def comparison(inp: MesInput, sel: list[int]) -> tuple[list[int], int, int]:
    e = inp.election
    greedy = greedy_by_support(e, tie_break=inp.resolver.tie_break)
    on = e.profile.approvals()
    mes_sat = on[:, sel].sum(axis=1) if sel else np.zeros(e.profile.num_groups, np.int64)
    gr_sat = on[:, greedy].sum(axis=1) if greedy else np.zeros(e.profile.num_groups, np.int64)
    prefers_mes = int(inp.mass[mes_sat > gr_sat].sum())
    prefers_greedy = int(inp.mass[gr_sat > mes_sat].sum())
    return greedy, prefers_mes, prefers_greedy


@checked
def endowment_text(inp: MesInput, step: int) -> str:
    if inp.election.profile.num_groups == 0:
        return "0"
    common = inp.equal_endowments(step)
    return "unequal" if common is None else str(common)


@checked
def utilitarian_fill(inp: MesInput, selected: Sequence[int], left: int) -> tuple[list[int], int]:
    """Utilitarian completion: add projects by total utility per cost while they fit.

    Ranks the unselected projects by ``Σ mass × utility / cost`` (free valued
    projects first, projects nobody values last), ties by the tie-break priority;
    skips a project that does not fit. Returns the added projects and the money left.
    """
    chosen = set(selected)
    keys: list[tuple[int, Fraction, int, int]] = []
    for j, c in enumerate(inp.costs):
        if j in chosen:
            continue
        t = inp.welfare(j)
        if t <= 0:
            key = (0, Fraction(0))
        elif c == 0:
            key = (2, Fraction(0))
        else:
            key = (1, t / c)
        keys.append((-key[0], -key[1], int(inp.resolver.priority[j]), j))
    keys.sort()
    added: list[int] = []
    for *_key, j in keys:
        if inp.costs[j] <= left:
            added.append(j)
            left -= inp.costs[j]
    return added, left
